/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-graph-view"

#include "rs-graph-view.h"

#include <glib/gi18n.h>

#include "rs-ui-private.h"

#define MIN_ZOOM       0.1
#define MAX_ZOOM       4.0
#define ZOOM_STEP      1.25
#define FIT_MAX_ZOOM   1.25
#define READABLE_ZOOM  0.8
#define MARGIN         24.0   /* px around a fitted graph */
#define GLIDE_USEC     (200 * G_TIME_SPAN_MILLISECOND)
#define CLICK_SLOP     4.0    /* px a press may move and still be a click */

/* A node's box from the layout before the last one, for gliding. */
typedef struct {
  double x, y, width, height;
} Box;

struct _RsGraphView {
  GtkWidget        parent_instance;

  RsRender        *render;
  RsSnapshot      *snapshot;   /* owned */
  RsSnapshot      *previous;   /* owned */
  gboolean         dark;
  RsSelection      selection;
  const RsGraphNode *hover;    /* borrowed from the render's graph */

  /* Screen = offset + zoom × drawing. */
  double           zoom;
  double           offset_x;
  double           offset_y;
  gboolean         fitting;    /* keep fitting until the user zooms or pans */
  gboolean         readable;   /* fit the width if the whole is too small to read */

  /* Panning. */
  double           drag_offset_x;
  double           drag_offset_y;
  gboolean         dragged;
  GtkGesture      *drag;       /* owned by the widget */
  double           zoom_start; /* pinch */
  gboolean         has_pointer;
  double           pointer_x;
  double           pointer_y;

  /* The glide after a new layout: what the last layout looked like. */
  guint            glide_id;
  gint64           glide_start;
  double           glide_t;
  cairo_surface_t *old_surface;
  GHashTable      *old_boxes;  /* node name -> Box */
  double           old_zoom;
  double           old_offset_x;
  double           old_offset_y;
};

enum {
  PROP_0,
  PROP_ZOOM,
  PROP_DARK,
  N_PROPS
};

enum {
  SELECTION_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (RsGraphView, rs_graph_view, GTK_TYPE_WIDGET)

/* ---- geometry ---- */

static void
set_transform (RsGraphView *self,
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
  double dw = 0, dh = 0, zoom, width_zoom;

  rs_render_get_size (self->render, &dw, &dh);
  if (dw <= 0 || dh <= 0 || width <= 0 || height <= 0)
    return;
  width_zoom = (width - 2 * MARGIN) / dw;
  zoom = MIN (width_zoom, (height - 2 * MARGIN) / dh);
  if (readable && zoom < READABLE_ZOOM)
    {
      zoom = CLAMP (MIN (width_zoom, 1.0), MIN_ZOOM, FIT_MAX_ZOOM);
      set_transform (self, zoom, (width - dw * zoom) / 2, MARGIN);
      return;
    }
  zoom = CLAMP (zoom, MIN_ZOOM, FIT_MAX_ZOOM);
  set_transform (self, zoom, (width - dw * zoom) / 2, (height - dh * zoom) / 2);
}

static void
zoom_at (RsGraphView *self,
         double       factor,
         double       x,
         double       y)
{
  double zoom = CLAMP (self->zoom * factor, MIN_ZOOM, MAX_ZOOM);
  double dx = (x - self->offset_x) / self->zoom;
  double dy = (y - self->offset_y) / self->zoom;

  self->fitting = FALSE;
  set_transform (self, zoom, x - dx * zoom, y - dy * zoom);
}

static void
to_drawing (RsGraphView *self,
            double       x,
            double       y,
            double      *dx,
            double      *dy)
{
  *dx = (x - self->offset_x) / self->zoom;
  *dy = (y - self->offset_y) / self->zoom;
}

static const RsGraphNode *
find_selected_node (RsGraphView *self)
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
  g_clear_pointer (&self->old_surface, cairo_surface_destroy);
  g_clear_pointer (&self->old_boxes, g_hash_table_unref);
}

static double
ease_out_cubic (double t)
{
  double p = t - 1;
  return p * p * p + 1;
}

static gboolean
glide_tick (GtkWidget     *widget,
            GdkFrameClock *clock,
            gpointer       data)
{
  RsGraphView *self = RS_GRAPH_VIEW (widget);
  gint64 now = gdk_frame_clock_get_frame_time (clock);

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
  RsGraph *graph = rs_render_get_graph (self->render);
  cairo_surface_t *surface = rs_render_get_surface (self->render);

  stop_glide (self);
  if (graph == NULL || surface == NULL || !gtk_widget_get_mapped (GTK_WIDGET (self)) ||
      !animations_enabled (self))
    return;
  self->old_surface = cairo_surface_reference (surface);
  self->old_boxes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < rs_graph_get_n_nodes (graph); i++)
    {
      const RsGraphNode *node = rs_graph_get_node (graph, i);
      Box *box = g_new (Box, 1);

      *box = (Box) { node->x, node->y, node->width, node->height };
      g_hash_table_insert (self->old_boxes, g_strdup (node->name), box);
    }
  self->old_zoom = self->zoom;
  self->old_offset_x = self->offset_x;
  self->old_offset_y = self->offset_y;
}

static void
start_glide (RsGraphView *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  if (self->old_surface == NULL || clock == NULL)
    {
      stop_glide (self);
      return;
    }
  self->glide_start = gdk_frame_clock_get_frame_time (clock);
  self->glide_t = 0.0;
  self->glide_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), glide_tick, NULL, NULL);
}

/* Everything of `surface` but the boxes of `boxes` (the edges, the queue
 * frames), with `alpha`. */
static void
paint_without_boxes (cairo_t         *cr,
                     cairo_surface_t *surface,
                     const Box       *boxes,
                     guint            n_boxes,
                     double           alpha)
{
  double x1, y1, x2, y2;

  cairo_save (cr);
  cairo_clip_extents (cr, &x1, &y1, &x2, &y2);
  cairo_rectangle (cr, x1, y1, x2 - x1, y2 - y1);
  for (guint i = 0; i < n_boxes; i++)
    cairo_rectangle (cr, boxes[i].x, boxes[i].y, boxes[i].width, boxes[i].height);
  cairo_set_fill_rule (cr, CAIRO_FILL_RULE_EVEN_ODD);
  cairo_clip (cr);
  cairo_set_source_surface (cr, surface, 0, 0);
  cairo_paint_with_alpha (cr, alpha);
  cairo_restore (cr);
}

/* One node's box of `surface`, painted at `to`. */
static void
paint_box (cairo_t         *cr,
           cairo_surface_t *surface,
           const Box       *from,
           double           to_x,
           double           to_y,
           double           alpha)
{
  cairo_save (cr);
  cairo_rectangle (cr, to_x, to_y, from->width, from->height);
  cairo_clip (cr);
  cairo_set_source_surface (cr, surface, to_x - from->x, to_y - from->y);
  cairo_paint_with_alpha (cr, alpha);
  cairo_restore (cr);
}

#define BOX_PAD 3.0

static Box
padded (double x, double y, double w, double h)
{
  return (Box) { x - BOX_PAD, y - BOX_PAD, w + 2 * BOX_PAD, h + 2 * BOX_PAD };
}

static void
draw_glide (RsGraphView *self,
            cairo_t     *cr)
{
  RsGraph *graph = rs_render_get_graph (self->render);
  cairo_surface_t *surface = rs_render_get_surface (self->render);
  double t = ease_out_cubic (self->glide_t);
  guint n = rs_graph_get_n_nodes (graph);
  g_autofree Box *new_boxes = g_new (Box, n);
  g_autofree Box *old_boxes = g_new (Box, g_hash_table_size (self->old_boxes));
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key, value;
  guint n_old = 0;

  for (guint i = 0; i < n; i++)
    {
      const RsGraphNode *node = rs_graph_get_node (graph, i);
      new_boxes[i] = padded (node->x, node->y, node->width, node->height);
    }
  g_hash_table_iter_init (&iter, self->old_boxes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const Box *box = value;
      old_boxes[n_old++] = padded (box->x, box->y, box->width, box->height);
    }

  /* Edges and frames cross-fade. */
  paint_without_boxes (cr, self->old_surface, old_boxes, n_old, 1.0 - t);
  paint_without_boxes (cr, surface, new_boxes, n, t);

  /* Nodes that stay glide from where they were; new ones fade in. */
  for (guint i = 0; i < n; i++)
    {
      const RsGraphNode *node = rs_graph_get_node (graph, i);
      const Box *old = g_hash_table_lookup (self->old_boxes, node->name);

      if (old != NULL)
        {
          Box from = new_boxes[i];
          double ox = old->x - BOX_PAD, oy = old->y - BOX_PAD;

          g_hash_table_add (seen, (gpointer) node->name);
          paint_box (cr, surface, &from, ox + (from.x - ox) * t, oy + (from.y - oy) * t, 1.0);
        }
      else
        paint_box (cr, surface, &new_boxes[i], new_boxes[i].x, new_boxes[i].y, t);
    }

  /* Nodes that went fade out where they were. */
  g_hash_table_iter_init (&iter, self->old_boxes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (seen, key))
      {
        const Box *box = value;
        Box from = padded (box->x, box->y, box->width, box->height);

        paint_box (cr, self->old_surface, &from, from.x, from.y, 1.0 - t);
      }
}

/* ---- drawing ---- */

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
  cairo_t *cr;
  double zoom = self->zoom, ox = self->offset_x, oy = self->offset_y;

  if (rs_render_get_surface (self->render) == NULL)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cairo_save (cr);
  if (self->glide_id != 0)
    {
      double t = ease_out_cubic (self->glide_t);

      zoom = self->old_zoom + (zoom - self->old_zoom) * t;
      ox = self->old_offset_x + (ox - self->old_offset_x) * t;
      oy = self->old_offset_y + (oy - self->old_offset_y) * t;
    }
  cairo_translate (cr, ox, oy);
  cairo_scale (cr, zoom, zoom);
  if (self->glide_id != 0)
    draw_glide (self, cr);
  else
    rs_render_draw (self->render, cr);
  cairo_restore (cr);

  if (self->glide_id == 0)
    {
      _rs_ui_get_colors (widget, &hover, &accent, NULL, NULL);
      hover.alpha *= 0.25;
      if (self->hover != NULL)
        outline_node (self, cr, self->hover, &hover, 2.0);
      selected = find_selected_node (self);
      if (selected != NULL)
        outline_node (self, cr, selected, &accent, 3.0);
    }
  cairo_destroy (cr);
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
}

/* ---- input ---- */

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           RsGraphView              *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  GdkScrollUnit unit = gtk_event_controller_scroll_get_unit (controller);
  double x = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
  double y = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;

  if (self->has_pointer)
    x = self->pointer_x, y = self->pointer_y;

  if (state & GDK_CONTROL_MASK)
    {
      double factor = unit == GDK_SCROLL_UNIT_WHEEL ? pow (ZOOM_STEP, -dy) : exp (-dy * 0.01);

      zoom_at (self, factor, x, y);
      return TRUE;
    }

  /* Plain scrolling pans. */
  if (unit == GDK_SCROLL_UNIT_WHEEL)
    dx *= 48, dy *= 48;
  if (state & GDK_SHIFT_MASK && dx == 0)
    dx = dy, dy = 0;
  self->fitting = FALSE;
  set_transform (self, self->zoom, self->offset_x - dx, self->offset_y - dy);
  return TRUE;
}

static void
on_zoom_begin (GtkGesture  *gesture,
               GdkEventSequence *sequence,
               RsGraphView *self)
{
  self->zoom_start = self->zoom;
}

static void
on_zoom_scale_changed (GtkGestureZoom *gesture,
                       double          scale,
                       RsGraphView    *self)
{
  double x, y;

  gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &x, &y);
  zoom_at (self, self->zoom_start * scale / self->zoom, x, y);
}

static void
on_drag_begin (GtkGestureDrag *gesture,
               double          x,
               double          y,
               RsGraphView    *self)
{
  self->drag_offset_x = self->offset_x;
  self->drag_offset_y = self->offset_y;
  self->dragged = FALSE;
  gtk_widget_grab_focus (GTK_WIDGET (self));
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                RsGraphView    *self)
{
  if (!self->dragged && hypot (dx, dy) < CLICK_SLOP)
    return;
  if (!self->dragged)
    gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
  self->dragged = TRUE;
  self->fitting = FALSE;
  set_transform (self, self->zoom, self->drag_offset_x + dx, self->drag_offset_y + dy);
}

static void
on_drag_end (GtkGestureDrag *gesture,
             double          dx,
             double          dy,
             RsGraphView    *self)
{
  double x, y;

  if (self->dragged)
    {
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), self->hover != NULL ? "pointer" : NULL);
      return;
    }
  gtk_gesture_drag_get_start_point (gesture, &x, &y);
  rs_graph_view_select_at (self, x, y);
}

static void
on_motion (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           RsGraphView              *self)
{
  const RsGraphNode *node;
  double dx, dy;

  self->has_pointer = TRUE;
  self->pointer_x = x;
  self->pointer_y = y;
  to_drawing (self, x, y, &dx, &dy);
  node = rs_render_hit_test (self->render, dx, dy);
  if (node != NULL && node->kind == RS_GRAPH_NODE_LEGEND)
    node = NULL;
  if (node == self->hover)
    return;
  self->hover = node;
  if (!self->dragged || !gtk_gesture_is_recognized (self->drag))
    gtk_widget_set_cursor_from_name (GTK_WIDGET (self), node != NULL ? "pointer" : NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_leave (GtkEventControllerMotion *motion,
          RsGraphView              *self)
{
  self->has_pointer = FALSE;
  if (self->hover == NULL)
    return;
  self->hover = NULL;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- public ---- */

static RsSelection
selection_for_node (const RsGraphNode *node)
{
  RsSelection selection = { RS_SELECTION_NONE, 0, NULL };

  if (node != NULL)
    switch (node->kind)
      {
      case RS_GRAPH_NODE_HANDLE:
      case RS_GRAPH_NODE_EMPTY_SLOTS:
        selection = (RsSelection) { RS_SELECTION_HANDLE, 0, g_intern_string (node->handle_id) };
        break;
      case RS_GRAPH_NODE_BUFFER:
      case RS_GRAPH_NODE_GHOST:
        selection = (RsSelection) { RS_SELECTION_BUFFER, node->buffer_id, NULL };
        break;
      case RS_GRAPH_NODE_HOLDER:
        selection = (RsSelection) { RS_SELECTION_HOLDER, 0, g_intern_string (node->holder) };
        break;
      case RS_GRAPH_NODE_LEGEND:
      default:
        break;
      }
  return selection;
}

void
rs_graph_view_select_at (RsGraphView *self,
                         double       x,
                         double       y)
{
  RsSelection selection;
  double dx, dy;

  g_return_if_fail (RS_IS_GRAPH_VIEW (self));

  to_drawing (self, x, y, &dx, &dy);
  selection = selection_for_node (rs_render_hit_test (self->render, dx, dy));
  rs_graph_view_set_selection (self, &selection);
}

/* Pans just enough to show the selected node. */
static void
scroll_to_selection (RsGraphView *self)
{
  const RsGraphNode *node = find_selected_node (self);
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  double height = gtk_widget_get_height (GTK_WIDGET (self));
  double x, y, w, h, dx = 0, dy = 0;

  if (node == NULL)
    return;
  x = self->offset_x + node->x * self->zoom;
  y = self->offset_y + node->y * self->zoom;
  w = node->width * self->zoom;
  h = node->height * self->zoom;
  if (y < MARGIN)
    dy = MARGIN - y;
  else if (y + h > height - MARGIN)
    dy = MAX (MARGIN - y, height - MARGIN - (y + h));
  if (x < MARGIN)
    dx = MARGIN - x;
  else if (x + w > width - MARGIN)
    dx = MAX (MARGIN - x, width - MARGIN - (x + w));
  if (dx != 0 || dy != 0)
    {
      self->fitting = FALSE;
      set_transform (self, self->zoom, self->offset_x + dx, self->offset_y + dy);
    }
}

/* Selects the node `delta` places after the selected one, in the graph's
 * order (the first or last when nothing is selected). */
static void
select_next (RsGraphView *self,
             int          delta)
{
  RsGraph *graph = rs_render_get_graph (self->render);
  const RsGraphNode *selected = find_selected_node (self);
  int n, index = -1;

  if (graph == NULL || (n = (int) rs_graph_get_n_nodes (graph)) == 0)
    return;
  for (int i = 0; i < n && selected != NULL; i++)
    if (rs_graph_get_node (graph, i) == selected)
      index = i;
  if (index < 0)
    index = delta > 0 ? -1 : n;
  for (int tries = 0; tries < n; tries++)
    {
      const RsGraphNode *node;
      RsSelection selection;

      index = ((index + delta) % n + n) % n;
      node = rs_graph_get_node (graph, index);
      selection = selection_for_node (node);
      if (selection.kind != RS_SELECTION_NONE)
        {
          rs_graph_view_set_selection (self, &selection);
          scroll_to_selection (self);
          return;
        }
    }
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                RsGraphView           *self)
{
  RsSelection none = { RS_SELECTION_NONE, 0, NULL };

  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK))
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_Down:
    case GDK_KEY_Right:
      select_next (self, 1);
      return TRUE;
    case GDK_KEY_Up:
    case GDK_KEY_Left:
      select_next (self, -1);
      return TRUE;
    case GDK_KEY_Escape:
      if (self->selection.kind == RS_SELECTION_NONE)
        return FALSE;
      rs_graph_view_set_selection (self, &none);
      return TRUE;
    default:
      return FALSE;
    }
}

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
    self->selection.id = g_intern_string (self->selection.id);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

static gboolean
render (RsGraphView  *self,
        GError      **error)
{
  g_autoptr(RsDiff) diff = NULL;
  RsGraphOptions options;
  guint layouts;
  double old_width = 0, old_height = 0, width = 0, height = 0;

  if (self->snapshot == NULL)
    return TRUE;

  rs_graph_options_init (&options);
  options.dark = self->dark;
  options.no_title = TRUE;
  diff = rs_diff_new (self->previous, self->snapshot);

  layouts = rs_render_get_n_layouts (self->render);
  rs_render_get_size (self->render, &old_width, &old_height);
  capture_layout (self);
  self->hover = NULL;
  if (!rs_render_update (self->render, self->snapshot, diff, &options, error))
    {
      stop_glide (self);
      return FALSE;
    }
  rs_render_get_size (self->render, &width, &height);

  if (rs_render_get_n_layouts (self->render) != layouts)
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

  if (snapshot == NULL)
    {
      stop_glide (self);
      g_clear_pointer (&self->render, rs_render_free);
      self->render = rs_render_new ();
      self->hover = NULL;
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return TRUE;
    }
  return render (self, error);
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
  /* Same topology: colours change, nothing moves. */
  if (!render (self, &error))
    g_warning ("%s", error->message);
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
  zoom_at (self, ZOOM_STEP, gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
           gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
}

void
rs_graph_view_zoom_out (RsGraphView *self)
{
  g_return_if_fail (RS_IS_GRAPH_VIEW (self));
  zoom_at (self, 1.0 / ZOOM_STEP, gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
           gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
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
  self->hover = NULL;
  g_clear_pointer (&self->snapshot, rs_snapshot_unref);
  g_clear_pointer (&self->previous, rs_snapshot_unref);
  g_clear_pointer (&self->render, rs_render_free);
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
  widget_class->snapshot = rs_graph_view_snapshot;
  widget_class->measure = rs_graph_view_measure;
  widget_class->size_allocate = rs_graph_view_size_allocate;

  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, MIN_ZOOM, MAX_ZOOM, 1.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DARK] =
    g_param_spec_boolean ("dark", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The user picked a node (or nothing). */
  signals[SELECTION_CHANGED] =
    g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_css_name (widget_class, "graphview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
rs_graph_view_init (RsGraphView *self)
{
  GtkEventController *scroll;
  GtkEventController *motion;
  GtkEventController *key;
  GtkGesture *drag;
  GtkGesture *zoom;

  self->render = rs_render_new ();
  self->zoom = 1.0;
  self->fitting = TRUE;
  self->readable = TRUE;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);

  drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), 0);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  self->drag = drag;
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  zoom = gtk_gesture_zoom_new ();
  g_signal_connect (zoom, "begin", G_CALLBACK (on_zoom_begin), self);
  g_signal_connect (zoom, "scale-changed", G_CALLBACK (on_zoom_scale_changed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (zoom));

  key = gtk_event_controller_key_new ();
  g_signal_connect (key, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
}

GtkWidget *
rs_graph_view_new (void)
{
  return g_object_new (RS_TYPE_GRAPH_VIEW, NULL);
}
