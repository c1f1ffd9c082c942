/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-graph-view"

#include "rs-graph-view-private.h"
#include "rs-intern.h"

#include <glib/gi18n.h>
#include <string.h>

#include "rs-ui-private.h"

enum {
  PROP_0,
  PROP_ZOOM,
  PROP_DARK,
  PROP_LEGEND,
  PROP_LEGEND_EXPANDED,
  N_PROPS
};

enum {
  SELECTION_CHANGED,
  FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (RsGraphView, rs_graph_view, GTK_TYPE_WIDGET)

/* ---- geometry ---- */

void
_rs_graph_view_set_transform (RsGraphView *self,
                              double       zoom,
                              double       offset_x,
                              double       offset_y)
{
  zoom = CLAMP (zoom, MIN_ZOOM, MAX_ZOOM);
  self->offset_x = offset_x;
  self->offset_y = offset_y;
  if (zoom != self->zoom)
    {
      self->zoom = zoom;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Shows the whole graph; with `readable`, a graph that would be too small
 * to read that way fills the width instead, from its top. */
static void
fit (RsGraphView *self,
     gboolean     readable)
{
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  double height = gtk_widget_get_height (GTK_WIDGET (self));
  double dw = 0, dh = 0, zoom, width_zoom, x, y;

  rs_render_get_size (self->render, &dw, &dh);
  if (dw <= 0 || dh <= 0 || width <= 0 || height <= 0)
    return;
  width_zoom = (width - 2 * MARGIN) / dw;
  /* The bottom margin keeps the graph clear of the zoom controls. */
  zoom = MIN (width_zoom, (height - MARGIN - BOTTOM_MARGIN) / dh);
  if (readable && zoom < READABLE_ZOOM)
    {
      zoom = CLAMP (MIN (width_zoom, 1.0), MIN_ZOOM, FIT_MAX_ZOOM);
      _rs_graph_view_set_transform (self, zoom, (width - dw * zoom) / 2, MARGIN);
      return;
    }
  zoom = CLAMP (zoom, MIN_ZOOM, FIT_MAX_ZOOM);
  x = (width - dw * zoom) / 2;
  y = (height - BOTTOM_MARGIN + MARGIN - dh * zoom) / 2;
  _rs_graph_legend_keep_clear (self, dw, dh, &zoom, &x, &y);
  _rs_graph_view_set_transform (self, zoom, x, y);
}

void
_rs_graph_view_to_drawing (RsGraphView *self,
                           double       x,
                           double       y,
                           double      *dx,
                           double      *dy)
{
  *dx = (x - self->offset_x) / self->zoom;
  *dy = (y - self->offset_y) / self->zoom;
}

const RsGraphNode *
_rs_graph_view_find_selected_node (RsGraphView *self)
{
  RsGraph *graph = rs_render_get_graph (self->render);

  if (graph == NULL)
    return NULL;
  switch (self->selection.kind)
    {
    case RS_SELECTION_BUFFER:
      return rs_graph_find_buffer (graph, self->selection.buffer_id);
    case RS_SELECTION_HANDLE:
      return rs_graph_find_handle (graph, self->selection.id);
    case RS_SELECTION_HOLDER:
      for (guint i = 0; i < rs_graph_get_n_nodes (graph); i++)
        {
          const RsGraphNode *node = rs_graph_get_node (graph, i);

          if (node->kind == RS_GRAPH_NODE_HOLDER && g_strcmp0 (node->holder, self->selection.id) == 0)
            return node;
        }
      return NULL;
    case RS_SELECTION_NONE:
    default:
      return NULL;
    }
}

/* ---- the glide ---- */

static gboolean
animations_enabled (RsGraphView *self)
{
  gboolean enabled = TRUE;

  g_object_get (gtk_widget_get_settings (GTK_WIDGET (self)), "gtk-enable-animations", &enabled, NULL);
  return enabled;
}

static void
stop_glide (RsGraphView *self)
{
  if (self->glide_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->glide_id);
  self->glide_id = 0;
  g_clear_pointer (&self->glide, rs_glide_free);
}

static gboolean
glide_tick (GtkWidget     *widget,
            GdkFrameClock *clock,
            gpointer       data)
{
  RsGraphView *self = RS_GRAPH_VIEW (widget);
  gint64 now = gdk_frame_clock_get_frame_time (clock);

  /* The first frame of the glide is its start. */
  if (self->glide_start == 0)
    self->glide_start = now;
  self->glide_t = CLAMP ((double) (now - self->glide_start) / GLIDE_USEC, 0.0, 1.0);
  gtk_widget_queue_draw (widget);
  if (self->glide_t < 1.0)
    return G_SOURCE_CONTINUE;
  self->glide_id = 0;
  stop_glide (self);
  return G_SOURCE_REMOVE;
}

/* Remembers the current layout before an update replaces it. */
static void
capture_layout (RsGraphView *self)
{
  stop_glide (self);
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)) || !animations_enabled (self))
    return;
  self->glide = rs_glide_new (self->render);
  self->old_zoom = self->zoom;
  self->old_offset_x = self->offset_x;
  self->old_offset_y = self->offset_y;
}

static void
start_glide (RsGraphView *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  if (self->glide == NULL || clock == NULL)
    {
      stop_glide (self);
      return;
    }
  self->glide_start = 0;
  self->glide_t = 0.0;
  self->glide_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), glide_tick, NULL, NULL);
}

/* ---- drawing ---- */

#define OUTLINE_ROOM 6.0  /* px around the drawing for the selection's outline */

static void
outline_node (RsGraphView       *self,
              cairo_t           *cr,
              const RsGraphNode *node,
              const GdkRGBA     *color,
              double             width)
{
  double x = self->offset_x + node->x * self->zoom - 3;
  double y = self->offset_y + node->y * self->zoom - 3;
  double w = node->width * self->zoom + 6;
  double h = node->height * self->zoom + 6;
  double r = 6;

  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - r, y + r, r, -G_PI / 2, 0);
  cairo_arc (cr, x + w - r, y + h - r, r, 0, G_PI / 2);
  cairo_arc (cr, x + r, y + h - r, r, G_PI / 2, G_PI);
  cairo_arc (cr, x + r, y + r, r, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
  gdk_cairo_set_source_rgba (cr, color);
  cairo_set_line_width (cr, width);
  cairo_stroke (cr);
}

static void
rs_graph_view_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  RsGraphView *self = RS_GRAPH_VIEW (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  const RsGraphNode *selected;
  GdkRGBA accent, hover;
  graphene_rect_t bounds;
  cairo_t *cr;
  double zoom = self->zoom, ox = self->offset_x, oy = self->offset_y;
  double dw = 0, dh = 0;

  if (rs_render_get_surface (self->render) == NULL)
    return;

  /* Only where the drawing is (with room for the outlines; anywhere while
   * gliding): the rest of the view is not painted again. */
  rs_render_get_size (self->render, &dw, &dh);
  bounds = GRAPHENE_RECT_INIT (ox - OUTLINE_ROOM, oy - OUTLINE_ROOM,
                               dw * zoom + 2 * OUTLINE_ROOM, dh * zoom + 2 * OUTLINE_ROOM);
  if (self->glide_id != 0)
    bounds = GRAPHENE_RECT_INIT (0, 0, width, height);
  if (!graphene_rect_intersection (&bounds, &GRAPHENE_RECT_INIT (0, 0, width, height), &bounds))
    return;
  graphene_rect_round_extents (&bounds, &bounds);
  cr = gtk_snapshot_append_cairo (snapshot, &bounds);
  cairo_save (cr);
  if (self->glide_id != 0)
    {
      double t = rs_glide_ease (self->glide_t);

      zoom = self->old_zoom + (zoom - self->old_zoom) * t;
      ox = self->old_offset_x + (ox - self->old_offset_x) * t;
      oy = self->old_offset_y + (oy - self->old_offset_y) * t;
    }
  cairo_translate (cr, ox, oy);
  cairo_scale (cr, zoom, zoom);
  if (self->glide_id != 0)
    rs_glide_draw (self->glide, self->render, cr, rs_glide_ease (self->glide_t));
  else
    rs_render_draw (self->render, cr);
  cairo_restore (cr);

  if (self->glide_id == 0)
    {
      _rs_ui_get_colors (widget, &hover, &accent, NULL, NULL);
      hover.alpha *= 0.25;
      if (self->hover != NULL)
        outline_node (self, cr, self->hover, &hover, 2.0);
      selected = _rs_graph_view_find_selected_node (self);
      if (selected != NULL)
        outline_node (self, cr, selected, &accent, 3.0);
    }
  cairo_destroy (cr);
}

static void
rs_graph_view_snapshot_with_legend (GtkWidget   *widget,
                                    GtkSnapshot *snapshot)
{
  rs_graph_view_snapshot (widget, snapshot);
  gtk_widget_snapshot_child (widget, GTK_WIDGET (RS_GRAPH_VIEW (widget)->legend_box), snapshot);
}

static void
rs_graph_view_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  double dw = 0, dh = 0;

  rs_render_get_size (RS_GRAPH_VIEW (widget)->render, &dw, &dh);
  *minimum = 200;
  *natural = MAX (200, (int) (orientation == GTK_ORIENTATION_HORIZONTAL ? dw : dh));
}

static void
rs_graph_view_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  RsGraphView *self = RS_GRAPH_VIEW (widget);

  if (self->fitting)
    fit (self, self->readable);
  _rs_graph_legend_allocate (self, width, height);
}

/* ---- public ---- */

void
rs_graph_view_to_widget (RsGraphView *self,
                         double       drawing_x,
                         double       drawing_y,
                         double      *x,
                         double      *y)
{
  g_return_if_fail (RS_IS_GRAPH_VIEW (self));

  *x = self->offset_x + drawing_x * self->zoom;
  *y = self->offset_y + drawing_y * self->zoom;
}

const RsSelection *
rs_graph_view_get_selection (RsGraphView *self)
{
  g_return_val_if_fail (RS_IS_GRAPH_VIEW (self), NULL);
  return &self->selection;
}

void
rs_graph_view_set_selection (RsGraphView       *self,
                             const RsSelection *selection)
{
  g_return_if_fail (RS_IS_GRAPH_VIEW (self));
  g_return_if_fail (selection != NULL);

  if (rs_selection_equal (&self->selection, selection))
    return;
  self->selection = *selection;
  if (self->selection.id != NULL)
    self->selection.id = rs_intern (self->selection.id);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

/* ---- preparing what is shown next ----
 *
 * Laying out is most of a step's cost. While a step is on screen the window
 * asks for the next one to be prepared: a worker thread updates the spare
 * render with it, and showing it swaps the two renders. */

struct _Preparation {
  RsRender       *render;    /* owned; the worker's until `done` */
  RsSnapshot     *snapshot;
  RsSnapshot     *previous;  /* nullable */
  RsGraphOptions  options;
  GMutex          lock;
  GCond           cond;
  gboolean        done;
  gboolean        ok;
};

static void
get_options (RsGraphView    *self,
             RsGraphOptions *options)
{
  rs_graph_options_init (options);
  options->dark = self->dark;
  /* The legend is a widget over the canvas, not a node of the graph. */
  options->legend = FALSE;
  options->no_title = TRUE;
}

static void
prepare_in_thread (gpointer data,
                   gpointer user_data)
{
  Preparation *preparation = data;
  g_autoptr(RsDiff) diff = rs_diff_new (preparation->previous, preparation->snapshot);
  gboolean ok = rs_render_update (preparation->render, preparation->snapshot, diff,
                                  &preparation->options, NULL);

  g_mutex_lock (&preparation->lock);
  preparation->ok = ok;
  preparation->done = TRUE;
  g_cond_signal (&preparation->cond);
  g_mutex_unlock (&preparation->lock);
}

static void
preparation_free (Preparation *preparation)
{
  g_clear_pointer (&preparation->render, rs_render_free);
  rs_snapshot_unref (preparation->snapshot);
  g_clear_pointer (&preparation->previous, rs_snapshot_unref);
  g_mutex_clear (&preparation->lock);
  g_cond_clear (&preparation->cond);
  g_free (preparation);
}

/* Waits for the preparation under way to end and takes it; NULL if none. */
static Preparation *
finish_preparation (RsGraphView *self)
{
  Preparation *preparation = g_steal_pointer (&self->preparation);

  if (preparation == NULL)
    return NULL;
  g_mutex_lock (&preparation->lock);
  while (!preparation->done)
    g_cond_wait (&preparation->cond, &preparation->lock);
  g_mutex_unlock (&preparation->lock);
  return preparation;
}

static void
keep_spare (RsGraphView *self,
            RsRender    *render)
{
  g_clear_pointer (&self->spare, rs_render_free);
  self->spare = render;
}

/* Ends a preparation that will not be shown: its render is the spare again. */
static void
drop_preparation (RsGraphView *self)
{
  Preparation *preparation = finish_preparation (self);

  if (preparation == NULL)
    return;
  keep_spare (self, g_steal_pointer (&preparation->render));
  preparation_free (preparation);
}

/* The prepared render if it shows the view's snapshot as the view would. */
static RsRender *
take_prepared (RsGraphView *self)
{
  Preparation *preparation = finish_preparation (self);
  RsGraphOptions options;
  RsRender *render = NULL;

  if (preparation == NULL)
    return NULL;
  get_options (self, &options);
  if (preparation->ok && preparation->snapshot == self->snapshot && preparation->previous == self->previous &&
      memcmp (&preparation->options, &options, sizeof options) == 0)
    render = g_steal_pointer (&preparation->render);
  else
    keep_spare (self, g_steal_pointer (&preparation->render));
  preparation_free (preparation);
  return render;
}

/* Lets a preparation under way finish. */
static void
free_workers (GThreadPool *workers)
{
  g_thread_pool_free (workers, FALSE, TRUE);
}

void
rs_graph_view_prepare (RsGraphView *self,
                       RsSnapshot  *snapshot,
                       RsSnapshot  *previous)
{
  Preparation *preparation;

  g_return_if_fail (RS_IS_GRAPH_VIEW (self));
  g_return_if_fail (snapshot != NULL);

  drop_preparation (self);
  preparation = g_new0 (Preparation, 1);
  preparation->render = self->spare != NULL ? g_steal_pointer (&self->spare) : rs_render_new ();
  /* Both renders place nodes from one memory, so a node keeps its place
   * whichever of them shows the step. */
  rs_render_share_layout (preparation->render, self->render);
  preparation->snapshot = rs_snapshot_ref (snapshot);
  preparation->previous = previous != NULL ? rs_snapshot_ref (previous) : NULL;
  get_options (self, &preparation->options);
  g_mutex_init (&preparation->lock);
  g_cond_init (&preparation->cond);
  self->preparation = preparation;
  g_thread_pool_push (self->workers, preparation, NULL);
}

/* Shows self->snapshot. With `afresh`, the places remembered are
 * forgotten and the graph laid out again now, though its topology did not
 * change (Relayout). */
static gboolean
render (RsGraphView  *self,
        gboolean      afresh,
        GError      **error)
{
  RsRender *prepared;
  gboolean moved;
  double old_width = 0, old_height = 0, width = 0, height = 0;

  if (self->snapshot == NULL)
    {
      drop_preparation (self);
      return TRUE;
    }

  rs_render_get_size (self->render, &old_width, &old_height);
  capture_layout (self);
  self->hover = NULL;
  if (afresh)
    {
      RsRender *fresh = rs_render_new ();

      /* A preparation was laid out from the old places, and the spare
       * would keep its own layout for a graph of the same topology. */
      drop_preparation (self);
      g_clear_pointer (&self->spare, rs_render_free);
      rs_render_forget_layout (self->render);
      /* A render keeps its layout while the topology stays the same: a new
       * one lays the graph out, from the memory just emptied. */
      rs_render_share_layout (fresh, self->render);
      rs_render_free (self->render);
      self->render = fresh;
    }
  prepared = take_prepared (self);
  if (prepared != NULL)
    {
      keep_spare (self, g_steal_pointer (&self->render));
      self->render = prepared;
      moved = self->glide == NULL || rs_glide_moves (self->glide, self->render);
    }
  else
    {
      g_autoptr(RsDiff) diff = rs_diff_new (self->previous, self->snapshot);
      guint layouts = rs_render_get_n_layouts (self->render);
      RsGraphOptions options;

      get_options (self, &options);
      if (!rs_render_update (self->render, self->snapshot, diff, &options, error))
        {
          stop_glide (self);
          return FALSE;
        }
      moved = rs_render_get_n_layouts (self->render) != layouts;
    }
  rs_render_get_size (self->render, &width, &height);

  if (moved)
    {
      if (self->fitting)
        fit (self, self->readable);
      start_glide (self);
    }
  else
    stop_glide (self);
  if (width != old_width || height != old_height)
    gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

gboolean
rs_graph_view_set_snapshot (RsGraphView  *self,
                            RsSnapshot   *snapshot,
                            RsSnapshot   *previous,
                            GError      **error)
{
  g_return_val_if_fail (RS_IS_GRAPH_VIEW (self), FALSE);

  if (snapshot != NULL)
    rs_snapshot_ref (snapshot);
  if (previous != NULL)
    rs_snapshot_ref (previous);
  g_clear_pointer (&self->snapshot, rs_snapshot_unref);
  g_clear_pointer (&self->previous, rs_snapshot_unref);
  self->snapshot = snapshot;
  self->previous = previous;
  if (snapshot != NULL)
    _rs_graph_legend_follow_step (self, rs_snapshot_get_step (snapshot));

  if (snapshot == NULL)
    {
      stop_glide (self);
      drop_preparation (self);
      g_clear_pointer (&self->spare, rs_render_free);
      g_clear_pointer (&self->render, rs_render_free);
      self->render = rs_render_new ();
      self->hover = NULL;
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return TRUE;
    }
  return render (self, FALSE, error);
}

gboolean
rs_graph_view_relayout (RsGraphView  *self,
                        GError      **error)
{
  g_return_val_if_fail (RS_IS_GRAPH_VIEW (self), FALSE);

  if (self->snapshot == NULL)
    return TRUE;
  return render (self, TRUE, error);
}

RsSnapshot *
rs_graph_view_get_snapshot (RsGraphView *self)
{
  g_return_val_if_fail (RS_IS_GRAPH_VIEW (self), NULL);
  return self->snapshot;
}

RsRender *
rs_graph_view_get_render (RsGraphView *self)
{
  g_return_val_if_fail (RS_IS_GRAPH_VIEW (self), NULL);
  return self->render;
}

gboolean
rs_graph_view_get_dark (RsGraphView *self)
{
  g_return_val_if_fail (RS_IS_GRAPH_VIEW (self), FALSE);
  return self->dark;
}

void
rs_graph_view_set_dark (RsGraphView *self,
                        gboolean     dark)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (RS_IS_GRAPH_VIEW (self));

  dark = !!dark;
  if (self->dark == dark)
    return;
  self->dark = dark;
  _rs_graph_legend_set_dark (self->legend_box, dark);
  /* Same topology: colours change, nothing moves. */
  if (!render (self, FALSE, &error))
    g_signal_emit (self, signals[FAILED], 0, error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DARK]);
}

double
rs_graph_view_get_zoom (RsGraphView *self)
{
  g_return_val_if_fail (RS_IS_GRAPH_VIEW (self), 1.0);
  return self->zoom;
}

void
rs_graph_view_zoom_in (RsGraphView *self)
{
  g_return_if_fail (RS_IS_GRAPH_VIEW (self));
  _rs_graph_view_zoom_at (self, ZOOM_STEP, gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
           gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
}

void
rs_graph_view_zoom_out (RsGraphView *self)
{
  g_return_if_fail (RS_IS_GRAPH_VIEW (self));
  _rs_graph_view_zoom_at (self, 1.0 / ZOOM_STEP, gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
           gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
}

void
rs_graph_view_reveal_selection (RsGraphView *self)
{
  const RsGraphNode *node;
  double width, height, x, y, w, h;

  g_return_if_fail (RS_IS_GRAPH_VIEW (self));

  node = _rs_graph_view_find_selected_node (self);
  width = gtk_widget_get_width (GTK_WIDGET (self));
  height = gtk_widget_get_height (GTK_WIDGET (self));
  if (node == NULL || width <= 0 || height <= 0)
    return;
  x = self->offset_x + node->x * self->zoom;
  y = self->offset_y + node->y * self->zoom;
  w = node->width * self->zoom;
  h = node->height * self->zoom;
  /* In view, clear of the edges and the zoom controls: left alone. */
  if (x >= MARGIN && y >= MARGIN && x + w <= width - MARGIN && y + h <= height - BOTTOM_MARGIN)
    return;
  self->fitting = FALSE;
  _rs_graph_view_set_transform (self, self->zoom,
                                width / 2 - (node->x + node->width / 2) * self->zoom,
                                (height - BOTTOM_MARGIN + MARGIN) / 2 - (node->y + node->height / 2) * self->zoom);
}

void
rs_graph_view_zoom_to_fit (RsGraphView *self)
{
  g_return_if_fail (RS_IS_GRAPH_VIEW (self));
  self->fitting = TRUE;
  self->readable = FALSE;
  fit (self, FALSE);
}

void
rs_graph_view_reset_zoom (RsGraphView *self)
{
  g_return_if_fail (RS_IS_GRAPH_VIEW (self));
  self->fitting = TRUE;
  self->readable = TRUE;
  fit (self, TRUE);
}

/* ---- GObject ---- */

static void
rs_graph_view_dispose (GObject *object)
{
  RsGraphView *self = RS_GRAPH_VIEW (object);

  stop_glide (self);
  drop_preparation (self);
  g_clear_pointer (&self->workers, free_workers);
  self->hover = NULL;
  g_clear_pointer (&self->snapshot, rs_snapshot_unref);
  g_clear_pointer (&self->previous, rs_snapshot_unref);
  g_clear_pointer (&self->spare, rs_render_free);
  g_clear_pointer (&self->render, rs_render_free);
  if (self->legend_box != NULL)
    gtk_widget_unparent (GTK_WIDGET (g_steal_pointer (&self->legend_box)));
  G_OBJECT_CLASS (rs_graph_view_parent_class)->dispose (object);
}

static void
rs_graph_view_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  RsGraphView *self = RS_GRAPH_VIEW (object);

  switch (prop_id)
    {
    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;
    case PROP_DARK:
      g_value_set_boolean (value, self->dark);
      break;
    case PROP_LEGEND:
      g_value_set_boolean (value, self->legend);
      break;
    case PROP_LEGEND_EXPANDED:
      g_value_set_boolean (value, self->legend_expanded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rs_graph_view_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  RsGraphView *self = RS_GRAPH_VIEW (object);

  switch (prop_id)
    {
    case PROP_DARK:
      rs_graph_view_set_dark (self, g_value_get_boolean (value));
      break;
    case PROP_LEGEND:
      rs_graph_view_set_legend (self, g_value_get_boolean (value));
      break;
    case PROP_LEGEND_EXPANDED:
      rs_graph_view_set_legend_expanded (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rs_graph_view_class_init (RsGraphViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rs_graph_view_dispose;
  object_class->get_property = rs_graph_view_get_property;
  object_class->set_property = rs_graph_view_set_property;
  widget_class->snapshot = rs_graph_view_snapshot_with_legend;
  widget_class->measure = rs_graph_view_measure;
  widget_class->size_allocate = rs_graph_view_size_allocate;

  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, MIN_ZOOM, MAX_ZOOM, 1.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DARK] =
    g_param_spec_boolean ("dark", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LEGEND] =
    g_param_spec_boolean ("legend", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LEGEND_EXPANDED] =
    g_param_spec_boolean ("legend-expanded", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The user picked a node (or nothing). */
  signals[SELECTION_CHANGED] =
    g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /* Drawing again (another style, the legend) failed; the previous
   * drawing stays. */
  signals[FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  gtk_widget_class_set_css_name (widget_class, "graphview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
rs_graph_view_init (RsGraphView *self)
{
  self->render = rs_render_new ();
  self->workers = g_thread_pool_new (prepare_in_thread, NULL, 1, FALSE, NULL);
  self->zoom = 1.0;
  self->fitting = TRUE;
  self->readable = TRUE;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  _rs_graph_view_init_input (self);

  self->legend_box = g_object_new (RS_TYPE_GRAPH_LEGEND, NULL);
  self->legend_expanded = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self->legend_box), FALSE);
  gtk_widget_set_parent (GTK_WIDGET (self->legend_box), GTK_WIDGET (self));
}

GtkWidget *
rs_graph_view_new (void)
{
  return g_object_new (RS_TYPE_GRAPH_VIEW, NULL);
}
