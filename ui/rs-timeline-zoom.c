/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-timeline-zoom.c: which steps the timeline shows: zooming in around
 * the pointer or the step shown, and moving along the axis.
 */
#define G_LOG_DOMAIN "rs-timeline"

#include "rs-timeline-private.h"

#include <math.h>

#define MIN_SPAN  16.0    /* steps shown when zoomed in all the way */

guint
_rs_timeline_axis_steps (RsTimeline *self)
{
  return MAX (1, MAX (self->axis, self->marks->len));
}

/* The first step shown, and how many: the whole axis unless zoomed in. */
double
_rs_timeline_view_first (RsTimeline *self)
{
  return self->view_span > 0 ? self->view_first : 0.0;
}

double
_rs_timeline_view_steps (RsTimeline *self)
{
  return self->view_span > 0 ? self->view_span : (double) _rs_timeline_axis_steps (self);
}

int
_rs_timeline_x_to_step (RsTimeline *self,
                        double      width,
                        double      x)
{
  guint length = self->marks->len;
  double step;

  if (length == 0)
    return -1;
  step = _rs_timeline_view_first (self) + (x - PAD_X) / MAX (1.0, width - 2 * PAD_X) * _rs_timeline_view_steps (self);
  return (int) CLAMP (floor (step), 0, length - 1);
}

/* Keeps the view inside the axis. */
void
_rs_timeline_clamp_view (RsTimeline *self)
{
  double axis = _rs_timeline_axis_steps (self);

  if (self->view_span <= 0 || self->view_span >= axis)
    {
      self->view_span = 0;
      self->view_first = 0;
      return;
    }
  self->view_first = CLAMP (self->view_first, 0, axis - self->view_span);
}

/* Zooms by `factor` keeping `anchor` (a step) where it is on screen. */
static void
zoom_at (RsTimeline *self,
         double      factor,
         double      anchor)
{
  double old_first = _rs_timeline_view_first (self), old_steps = _rs_timeline_view_steps (self);
  double steps = CLAMP (old_steps / factor, MIN_SPAN, (double) _rs_timeline_axis_steps (self));

  self->view_span = steps;
  self->view_first = anchor - (anchor - old_first) * steps / old_steps;
  _rs_timeline_clamp_view (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           RsTimeline               *self)
{
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));

  if (self->marks->len == 0)
    return FALSE;
  /* Shift+wheel, or a sideways swipe: along the axis. */
  if ((state & GDK_SHIFT_MASK) && dx == 0)
    dx = dy, dy = 0;
  if (dx != 0 && self->view_span > 0)
    {
      self->view_first += dx * self->view_span / 10;
      _rs_timeline_clamp_view (self);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  if (dy != 0)
    {
      double anchor = _rs_timeline_view_first (self) + (self->pointer_x - PAD_X) / MAX (1.0, width - 2 * PAD_X) * _rs_timeline_view_steps (self);

      zoom_at (self, pow (1.5, -dy), anchor);
    }
  return TRUE;
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           RsTimeline               *self)
{
  self->has_pointer = TRUE;
  self->pointer_x = x;
}

static void
on_leave (GtkEventControllerMotion *controller,
          RsTimeline               *self)
{
  self->has_pointer = FALSE;
}

void
rs_timeline_zoom (RsTimeline *self,
                  double      factor)
{
  double width, anchor;

  g_return_if_fail (RS_IS_TIMELINE (self));

  if (factor <= 0)
    {
      self->view_span = 0;
      _rs_timeline_clamp_view (self);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }
  /* Around the pointer when it is over the timeline, else the step shown. */
  width = gtk_widget_get_width (GTK_WIDGET (self));
  if (self->has_pointer)
    anchor = _rs_timeline_view_first (self) + (self->pointer_x - PAD_X) / MAX (1.0, width - 2 * PAD_X) * _rs_timeline_view_steps (self);
  else
    anchor = MAX (0, self->position) + 0.5;
  zoom_at (self, factor, anchor);
}

void
rs_timeline_get_view (RsTimeline *self,
                      double     *first,
                      double     *steps)
{
  g_return_if_fail (RS_IS_TIMELINE (self));
  *first = _rs_timeline_view_first (self);
  *steps = _rs_timeline_view_steps (self);
}

void
_rs_timeline_init_zoom (RsTimeline *self)
{
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  GtkEventController *motion = gtk_event_controller_motion_new ();

  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
  g_signal_connect (motion, "enter", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
}
