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
