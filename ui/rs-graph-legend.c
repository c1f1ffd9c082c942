/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-graph-legend.c: what the graph's colours and marks mean, pinned in the
 * bottom-left corner of the canvas. It used to be a node of the graph, laid
 * out under the handles: it moved with the graph and made it taller. The
 * words and colours are the graph's own (rs_graph_get_colors), so they stay
 * in step.
 *
 * Unfolded it is a card that says it all; the fit then keeps the graph
 * beside or above it, which costs a landscape graph a sixth of its size.
 * Folded it is a strip, the colours and a button to unfold it, no taller
 * than the band the fit keeps clear at the bottom for the zoom controls:
 * it costs the graph nothing. The view unfolds it for a session's first
 * steps and folds it after, unless the user folded or unfolded it.
 *
 * Here too: where the view puts the legend and keeps the fitted graph
 * clear of it, and the view's legend properties.
 */
#define G_LOG_DOMAIN "rs-graph-view"

#include "rs-graph-view-private.h"

#include <glib/gi18n.h>

#include "rs-graph.h"

struct _RsGraphLegend {
  GtkWidget  parent_instance;

  GtkStack  *stack;
  GtkLabel  *kinds_label;
  GtkLabel  *changes_label;
  GtkLabel  *lives_label;
  GtkLabel  *hidden_label;
  GtkLabel  *strip_kinds_label;
  GtkWidget *unfold_button;
};

G_DEFINE_FINAL_TYPE (RsGraphLegend, rs_graph_legend, GTK_TYPE_WIDGET)

/* The legend is a child of the view it explains. */
static RsGraphView *
get_view (RsGraphLegend *self)
{
  return RS_GRAPH_VIEW (gtk_widget_get_parent (GTK_WIDGET (self)));
}

static void
on_fold_clicked (RsGraphLegend *self)
{
  rs_graph_view_set_legend_expanded (get_view (self), FALSE);
}

static void
on_unfold_clicked (RsGraphLegend *self)
{
  rs_graph_view_set_legend_expanded (get_view (self), TRUE);
}

static void
on_close_clicked (RsGraphLegend *self)
{
  rs_graph_view_set_legend (get_view (self), FALSE);
}

void
_rs_graph_legend_set_expanded (RsGraphLegend *self,
                               gboolean       expanded)
{
  gtk_stack_set_visible_child_name (self->stack, expanded ? "card" : "strip");
}

void
_rs_graph_legend_set_dark (RsGraphLegend *self,
                           gboolean       dark)
{
  RsGraphColors c;
  g_autofree char *kinds = NULL;
  g_autofree char *changes = NULL;
  g_autofree char *lives = NULL;
  g_autofree char *hidden = NULL;

  rs_graph_get_colors (dark, &c);
  /* The swatches are the node fills, with the graph's text colour on them. */
  kinds = g_strdup_printf ("<span bgcolor=\"%s\"> %s </span>  <span bgcolor=\"%s\"> %s </span>  "
                           "<span bgcolor=\"%s\"> %s </span>  <span bgcolor=\"%s\"> %s </span>",
                           c.fill[RS_BUFFER_KIND_PACKET], _("packet"), c.fill[RS_BUFFER_KIND_PICTURE], _("picture"),
                           c.fill[RS_BUFFER_KIND_AUDIO], _("audio"), c.fill[RS_BUFFER_KIND_SIDE_DATA], _("side data"));
  changes = g_strdup_printf (_("<span color=\"%s\">2→3 ▲</span>  <span color=\"%s\">3→2 ▼</span>  changed by this step"),
                             c.good, c.bad);
  lives = g_strdup_printf (_("<span color=\"%s\">new</span> · freed: dashed, one step · <span color=\"%s\">leaked</span>"),
                           c.good, c.bad);
  hidden = g_strdup_printf (_("<span color=\"%s\">- - ×N</span>  references held inside libav"), c.holder);
  gtk_label_set_markup (self->kinds_label, kinds);
  gtk_label_set_markup (self->strip_kinds_label, kinds);
  gtk_label_set_markup (self->changes_label, changes);
  gtk_label_set_markup (self->lives_label, lives);
  gtk_label_set_markup (self->hidden_label, hidden);
}

/* ---- the legend in the view ---- */

#define LEGEND_INSET 12.0 /* px between the legend and the canvas's edges */

/* Whether `page` of the legend ("card" or "strip") shows in a canvas of
 * `width` × `height`, and its size: only with room for the zoom controls
 * beside it (in the other bottom corner, narrower than the strip) and for
 * the graph above. In a narrow canvas the strip is narrower, its colours
 * cut short. */
static gboolean
page_shows (RsGraphView    *view,
            const char     *page,
            double          width,
            double          height,
            GtkRequisition *legend)
{
  GtkWidget *child = gtk_stack_get_child_by_name (view->legend_box->stack, page);
  GtkRequisition minimum;

  gtk_widget_get_preferred_size (child, &minimum, legend);
  legend->width = MAX (minimum.width, MIN (legend->width, (int) (width / 2 - MARGIN)));
  return view->legend && width >= 2 * legend->width + 2 * MARGIN && height >= 2 * legend->height + 2 * MARGIN;
}

/* The page that shows, or NULL: the card when unfolded, but the strip
 * where the card has no room (a lesson's or a recording's canvas, beside
 * its source, in a small window): a legend unfolded for good must not
 * leave such a canvas with no legend at all. */
static const char *
legend_page (RsGraphView    *view,
             double          width,
             double          height,
             GtkRequisition *legend)
{
  if (view->legend_expanded && page_shows (view, "card", width, height, legend))
    return "card";
  return page_shows (view, "strip", width, height, legend) ? "strip" : NULL;
}

static gboolean
legend_shows (RsGraphView    *view,
              double          width,
              double          height,
              GtkRequisition *legend)
{
  return legend_page (view, width, height, legend) != NULL;
}

void
_rs_graph_legend_keep_clear (RsGraphView *view,
                             double       dw,
                             double       dh,
                             double      *zoom,
                             double      *x,
                             double      *y)
{
  double width = gtk_widget_get_width (GTK_WIDGET (view));
  double height = gtk_widget_get_height (GTK_WIDGET (view));
  GtkRequisition legend;
  double right, top, beside, above;

  /* The strip stays in the bottom margin: only the card may be reached. */
  if (!legend_shows (view, width, height, &legend) ||
      *x >= LEGEND_INSET + legend.width || *y + dh * *zoom <= height - LEGEND_INSET - legend.height)
    return;
  /* Beside it or above it, whichever shows the graph larger. */
  right = LEGEND_INSET + legend.width;
  top = height - LEGEND_INSET - legend.height;
  beside = MIN ((width - right - 2 * MARGIN) / dw, (height - MARGIN - BOTTOM_MARGIN) / dh);
  above = MIN ((width - 2 * MARGIN) / dw, (top - 2 * MARGIN) / dh);
  *zoom = CLAMP (MAX (beside, above), MIN_ZOOM, FIT_MAX_ZOOM);
  if (beside >= above)
    {
      *x = right + (width - right - dw * *zoom) / 2;
      *y = (height - BOTTOM_MARGIN + MARGIN - dh * *zoom) / 2;
    }
  else
    {
      *x = (width - dw * *zoom) / 2;
      *y = (top - dh * *zoom) / 2;
    }
}

void
_rs_graph_legend_allocate (RsGraphView *view,
                           int          width,
                           int          height)
{
  GtkWidget *legend_box = GTK_WIDGET (view->legend_box);
  GtkRequisition legend;
  const char *page = legend_page (view, width, height, &legend);

  /* In the bottom-left corner (the zoom controls are in the other one),
   * as small as it can be. */
  gtk_widget_set_child_visible (legend_box, page != NULL);
  if (page != NULL)
    gtk_stack_set_visible_child_name (view->legend_box->stack, page);
  /* Unfolded already, the strip in a narrow canvas cannot unfold further. */
  gtk_widget_set_sensitive (view->legend_box->unfold_button, !view->legend_expanded);
  gtk_widget_allocate (legend_box, MIN (legend.width, width), MIN (legend.height, height), -1,
                       gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT (LEGEND_INSET, MAX (0, height - legend.height - LEGEND_INSET))));
}

static void
set_expanded (RsGraphView *view,
              gboolean     expanded)
{
  expanded = !!expanded;
  if (view->legend_expanded == expanded)
    return;
  view->legend_expanded = expanded;
  _rs_graph_legend_set_expanded (view->legend_box, expanded);
  g_object_notify (G_OBJECT (view), "legend-expanded");
}

void
_rs_graph_legend_follow_step (RsGraphView *view,
                              guint        step)
{
  /* A few steps in, the user has read the card or knows it: it folds. */
  if (!view->legend_chosen && step >= LEGEND_FOLD_STEP)
    set_expanded (view, FALSE);
}

gboolean
rs_graph_view_get_legend (RsGraphView *self)
{
  g_return_val_if_fail (RS_IS_GRAPH_VIEW (self), FALSE);
  return self->legend;
}

void
rs_graph_view_set_legend (RsGraphView *self,
                          gboolean     legend)
{
  g_return_if_fail (RS_IS_GRAPH_VIEW (self));

  legend = !!legend;
  if (self->legend == legend)
    return;
  self->legend = legend;
  gtk_widget_set_visible (GTK_WIDGET (self->legend_box), legend);
  g_object_notify (G_OBJECT (self), "legend");
}

gboolean
rs_graph_view_get_legend_expanded (RsGraphView *self)
{
  g_return_val_if_fail (RS_IS_GRAPH_VIEW (self), FALSE);
  return self->legend_expanded;
}

void
rs_graph_view_set_legend_expanded (RsGraphView *self,
                                   gboolean     expanded)
{
  g_return_if_fail (RS_IS_GRAPH_VIEW (self));

  self->legend_chosen = TRUE;
  set_expanded (self, expanded);
}

gboolean
rs_graph_view_get_legend_chosen (RsGraphView *self)
{
  g_return_val_if_fail (RS_IS_GRAPH_VIEW (self), FALSE);
  return self->legend_chosen;
}

/* ---- GObject ---- */

static void
rs_graph_legend_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), RS_TYPE_GRAPH_LEGEND);
  G_OBJECT_CLASS (rs_graph_legend_parent_class)->dispose (object);
}

static void
rs_graph_legend_class_init (RsGraphLegendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rs_graph_legend_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/refscope/Refscope/rs-graph-legend.ui");
  gtk_widget_class_bind_template_child (widget_class, RsGraphLegend, stack);
  gtk_widget_class_bind_template_child (widget_class, RsGraphLegend, kinds_label);
  gtk_widget_class_bind_template_child (widget_class, RsGraphLegend, changes_label);
  gtk_widget_class_bind_template_child (widget_class, RsGraphLegend, lives_label);
  gtk_widget_class_bind_template_child (widget_class, RsGraphLegend, hidden_label);
  gtk_widget_class_bind_template_child (widget_class, RsGraphLegend, strip_kinds_label);
  gtk_widget_class_bind_template_child (widget_class, RsGraphLegend, unfold_button);
  gtk_widget_class_bind_template_callback (widget_class, on_fold_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_unfold_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_close_clicked);
  gtk_widget_class_set_css_name (widget_class, "graphlegend");
}

static void
rs_graph_legend_init (RsGraphLegend *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "default");
  _rs_graph_legend_set_dark (self, FALSE);
}
