/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-graph-view"

#include "rs-graph-view-private.h"
#include "rs-intern.h"

#include <math.h>

void
_rs_graph_view_zoom_at (RsGraphView *self,
                        double       factor,
                        double       x,
                        double       y)
{
  double zoom = CLAMP (self->zoom * factor, MIN_ZOOM, MAX_ZOOM);
  double dx = (x - self->offset_x) / self->zoom;
  double dy = (y - self->offset_y) / self->zoom;

  self->fitting = FALSE;
  _rs_graph_view_set_transform (self, zoom, x - dx * zoom, y - dy * zoom);
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

      _rs_graph_view_zoom_at (self, factor, x, y);
      return TRUE;
    }

  /* Plain scrolling pans. */
  if (unit == GDK_SCROLL_UNIT_WHEEL)
    dx *= 48, dy *= 48;
  if (state & GDK_SHIFT_MASK && dx == 0)
    dx = dy, dy = 0;
  self->fitting = FALSE;
  _rs_graph_view_set_transform (self, self->zoom, self->offset_x - dx, self->offset_y - dy);
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
  _rs_graph_view_zoom_at (self, self->zoom_start * scale / self->zoom, x, y);
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
  _rs_graph_view_set_transform (self, self->zoom, self->drag_offset_x + dx, self->drag_offset_y + dy);
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
  _rs_graph_view_to_drawing (self, x, y, &dx, &dy);
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

static RsSelection
selection_for_node (const RsGraphNode *node)
{
  RsSelection selection = { RS_SELECTION_NONE, 0, NULL };

  if (node != NULL)
    switch (node->kind)
      {
      case RS_GRAPH_NODE_HANDLE:
      case RS_GRAPH_NODE_EMPTY_SLOTS:
        selection = (RsSelection) { RS_SELECTION_HANDLE, 0, rs_intern (node->handle_id) };
        break;
      case RS_GRAPH_NODE_BUFFER:
      case RS_GRAPH_NODE_GHOST:
        selection = (RsSelection) { RS_SELECTION_BUFFER, node->buffer_id, NULL };
        break;
      case RS_GRAPH_NODE_HOLDER:
        selection = (RsSelection) { RS_SELECTION_HOLDER, 0, rs_intern (node->holder) };
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

  _rs_graph_view_to_drawing (self, x, y, &dx, &dy);
  selection = selection_for_node (rs_render_hit_test (self->render, dx, dy));
  rs_graph_view_set_selection (self, &selection);
}

/* Pans just enough to show the selected node. */
static void
scroll_to_selection (RsGraphView *self)
{
  const RsGraphNode *node = _rs_graph_view_find_selected_node (self);
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  double height = gtk_widget_get_height (GTK_WIDGET (self));
  double x, y, w, h, dx = 0, dy = 0;

  if (node == NULL)
    return;
  x = self->offset_x + node->x * self->zoom;
  y = self->offset_y + node->y * self->zoom;
  w = node->width * self->zoom;
  h = node->height * self->zoom;
  /* The bottom margin keeps clear of the zoom controls. */
  if (y < MARGIN)
    dy = MARGIN - y;
  else if (y + h > height - BOTTOM_MARGIN)
    dy = MAX (MARGIN - y, height - BOTTOM_MARGIN - (y + h));
  if (x < MARGIN)
    dx = MARGIN - x;
  else if (x + w > width - MARGIN)
    dx = MAX (MARGIN - x, width - MARGIN - (x + w));
  if (dx != 0 || dy != 0)
    {
      self->fitting = FALSE;
      _rs_graph_view_set_transform (self, self->zoom, self->offset_x + dx, self->offset_y + dy);
    }
}

/* Selects the nearest node in a direction (dx, dy: one of them ±1), as
 * seen on screen; with nothing selected, the top-left node. */
static void
select_towards (RsGraphView *self,
                int          dx,
                int          dy)
{
  RsGraph *graph = rs_render_get_graph (self->render);
  const RsGraphNode *from = _rs_graph_view_find_selected_node (self);
  const RsGraphNode *best = NULL;
  double best_score = G_MAXDOUBLE;
  guint n;

  if (graph == NULL || (n = rs_graph_get_n_nodes (graph)) == 0)
    return;
  for (guint i = 0; i < n; i++)
    {
      const RsGraphNode *node = rs_graph_get_node (graph, i);
      double along, across, score;

      if (node == from || selection_for_node (node).kind == RS_SELECTION_NONE)
        continue;
      if (from == NULL)
        score = node->y + node->x * 0.5;
      else
        {
          /* Distances between centres, along the direction and across it;
           * only nodes ahead count, those in line first. */
          double cx = node->x + node->width / 2 - (from->x + from->width / 2);
          double cy = node->y + node->height / 2 - (from->y + from->height / 2);

          along = dx != 0 ? cx * dx : cy * dy;
          across = fabs (dx != 0 ? cy : cx);
          if (along <= 1.0)
            continue;
          score = along + 3 * across;
        }
      if (score < best_score)
        {
          best_score = score;
          best = node;
        }
    }
  if (best != NULL)
    {
      RsSelection selection = selection_for_node (best);

      rs_graph_view_set_selection (self, &selection);
      scroll_to_selection (self);
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
      select_towards (self, 0, 1);
      return TRUE;
    case GDK_KEY_Up:
      select_towards (self, 0, -1);
      return TRUE;
    case GDK_KEY_Right:
      select_towards (self, 1, 0);
      return TRUE;
    case GDK_KEY_Left:
      select_towards (self, -1, 0);
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
_rs_graph_view_init_input (RsGraphView *self)
{
  GtkEventController *scroll;
  GtkEventController *motion;
  GtkEventController *key;
  GtkGesture *drag;
  GtkGesture *zoom;

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
