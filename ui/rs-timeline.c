/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-timeline"

#include "rs-timeline-private.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "rs-ui-private.h"

#define READ_CHUNK 4096   /* steps read in one turn of the main loop: a long recording shows at once */

enum {
  PROP_0,
  PROP_POSITION,
  PROP_LENGTH,
  N_PROPS
};

enum {
  SEEK,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (RsTimeline, rs_timeline, GTK_TYPE_WIDGET)

static void
seek_to (RsTimeline *self,
         double      x)
{
  int step = _rs_timeline_x_to_step (self, gtk_widget_get_width (GTK_WIDGET (self)), x);

  if (step >= 0 && step != self->position)
    g_signal_emit (self, signals[SEEK], 0, (guint) step);
}

static void
on_drag_begin (GtkGestureDrag *gesture,
               double          x,
               double          y,
               RsTimeline     *self)
{
  seek_to (self, x);
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                RsTimeline     *self)
{
  double x, y;

  gtk_gesture_drag_get_start_point (gesture, &x, &y);
  seek_to (self, x + dx);
}

static gboolean
on_query_tooltip (GtkWidget  *widget,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip,
                  gpointer    data)
{
  RsTimeline *self = RS_TIMELINE (widget);
  int step = _rs_timeline_x_to_step (self, gtk_widget_get_width (widget), x);
  g_autofree char *bytes = NULL;
  g_autofree char *thread = NULL;
  g_autofree char *text = NULL;
  guint8 marks;

  if (step < 0)
    return FALSE;
  bytes = g_format_size (g_array_index (self->bytes, guint64, step));
  marks = self->marks->data[step];
  thread = self->max_thread > 1 && self->threads->data[step] > 0
           ? g_strdup_printf (_(" · thread %u"), self->threads->data[step]) : NULL;
  text = g_strdup_printf (_("Step %u: %" PRIu64 " buffers, %s%s%s%s%s%s"),
                          RS_STEP_NUMBER (step), g_array_index (self->buffers, guint64, step), bytes,
                          thread != NULL ? thread : "",
                          marks & MARK_ALLOCATED ? _(" · allocated") : "",
                          marks & MARK_FREED ? _(" · freed") : "",
                          marks & MARK_ERROR ? _(" · error") : "",
                          marks & MARK_LOST ? _(" · references lost") : "");
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
rs_timeline_finalize (GObject *object)
{
  RsTimeline *self = RS_TIMELINE (object);

  g_clear_handle_id (&self->reading_id, g_source_remove);
  g_clear_pointer (&self->reading, rs_history_unref);
  g_clear_pointer (&self->buffers, g_array_unref);
  g_clear_pointer (&self->bytes, g_array_unref);
  g_clear_pointer (&self->marks, g_byte_array_unref);
  g_clear_pointer (&self->threads, g_byte_array_unref);
  g_clear_pointer (&self->legend, gsk_render_node_unref);
  g_clear_pointer (&self->strips, g_ptr_array_unref);
  g_clear_pointer (&self->strip_lengths, g_array_unref);
  G_OBJECT_CLASS (rs_timeline_parent_class)->finalize (object);
}

static void
rs_timeline_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  RsTimeline *self = RS_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_POSITION:
      g_value_set_int (value, self->position);
      break;
    case PROP_LENGTH:
      g_value_set_uint (value, self->marks->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rs_timeline_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  RsTimeline *self = RS_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_POSITION:
      rs_timeline_set_position (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rs_timeline_class_init (RsTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = rs_timeline_finalize;
  object_class->get_property = rs_timeline_get_property;
  object_class->set_property = rs_timeline_set_property;
  widget_class->snapshot = _rs_timeline_snapshot;
  widget_class->measure = _rs_timeline_measure;

  properties[PROP_POSITION] =
    g_param_spec_int ("position", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LENGTH] =
    g_param_spec_uint ("length", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The user clicked or dragged to a step. */
  signals[SEEK] =
    g_signal_new ("seek", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_css_name (widget_class, "timeline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_SLIDER);
}

static void
unref_node (gpointer node)
{
  if (node != NULL)
    gsk_render_node_unref (node);
}

static void
rs_timeline_init (RsTimeline *self)
{
  GtkGesture *drag;

  self->position = -1;
  self->buffers = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->bytes = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->marks = g_byte_array_new ();
  self->threads = g_byte_array_new ();
  self->strips = g_ptr_array_new_with_free_func (unref_node);
  self->strip_lengths = g_array_new (FALSE, TRUE, sizeof (guint));

  drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  _rs_timeline_init_zoom (self);

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "pointer");
}

GtkWidget *
rs_timeline_new (void)
{
  return g_object_new (RS_TYPE_TIMELINE, NULL);
}

static guint8
step_marks (RsSnapshot *snapshot)
{
  guint8 marks = 0;

  for (guint i = 0; i < rs_snapshot_get_n_events (snapshot); i++)
    switch (rs_snapshot_get_event (snapshot, i)->kind)
      {
      case RS_EVENT_ALLOCATED:
        marks |= MARK_ALLOCATED;
        break;
      case RS_EVENT_FREED:
        marks |= MARK_FREED;
        break;
      case RS_EVENT_LOST:
        marks |= MARK_LOST;
        break;
      case RS_EVENT_ERROR:
      case RS_EVENT_LEAKED:
      case RS_EVENT_UNSAFE_WRITE:
        marks |= MARK_ERROR;
        break;
      default:
        break;
      }
  return marks;
}

static gboolean
read_more (gpointer data)
{
  RsTimeline *self = data;
  g_autoptr(RsHistory) history = g_steal_pointer (&self->reading);

  self->reading_id = 0;
  rs_timeline_update (self, history, self->reading_to);
  return G_SOURCE_REMOVE;
}

void
rs_timeline_update (RsTimeline *self,
                    RsHistory  *history,
                    guint       length)
{
  guint old_length;

  g_return_if_fail (RS_IS_TIMELINE (self));

  old_length = self->marks->len;
  if (history == NULL || history != self->history)
    {
      g_byte_array_set_size (self->marks, 0);
      g_byte_array_set_size (self->threads, 0);
      self->max_thread = 0;
      g_array_set_size (self->buffers, 0);
      g_array_set_size (self->bytes, 0);
      self->max_buffers = self->max_bytes = 0;
      self->axis = 0;
      self->view_span = self->view_first = 0;
      self->complete = FALSE;
      self->history = history;
      _rs_timeline_clear_strips (self);
    }

  if (history != NULL)
    length = MIN (length, rs_history_get_length (history));
  if (history != NULL && length != self->marks->len)
    {
      guint end = MIN (length, self->marks->len + READ_CHUNK);

      /* Each step is read once, when it is new. */
      for (guint step = self->marks->len; step < end; step++)
        {
          RsSnapshot *snapshot = rs_history_get_snapshot (history, step);
          guint8 marks = step_marks (snapshot);
          guint8 thread = (guint8) CLAMP (rs_snapshot_get_thread (snapshot), 0, 255);
          guint64 buffers = rs_snapshot_get_n_buffers (snapshot);
          guint64 bytes = rs_snapshot_get_live_bytes (snapshot);

          g_byte_array_append (self->marks, &marks, 1);
          g_byte_array_append (self->threads, &thread, 1);
          self->max_thread = MAX (self->max_thread, thread);
          g_array_append_val (self->buffers, buffers);
          g_array_append_val (self->bytes, bytes);
          self->max_buffers = MAX (self->max_buffers, buffers);
          self->max_bytes = MAX (self->max_bytes, bytes);
        }
    }

  /* A long recording has every step at once: the rest are read when the
   * main loop is idle, so its first graph is not kept waiting. */
  g_clear_pointer (&self->reading, rs_history_unref);
  if (history != NULL && self->marks->len < length)
    {
      self->reading = rs_history_ref (history);
      self->reading_to = length;
      if (self->reading_id == 0)
        self->reading_id = g_idle_add (read_more, self);
    }
  else
    g_clear_handle_id (&self->reading_id, g_source_remove);

  /* The axis grows in jumps, so the picture does not shift every step. */
  if (self->complete)
    self->axis = self->marks->len;
  else if (self->marks->len > self->axis || self->axis == 0)
    self->axis = MAX (100, (self->marks->len * 3 / 2 + 99) / 100 * 100);

  if (self->marks->len != old_length)
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_VALUE_MAX, (double) MAX (1, self->marks->len) - 1,
                                      -1);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LENGTH]);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
rs_timeline_set_complete (RsTimeline *self,
                          gboolean    complete)
{
  g_return_if_fail (RS_IS_TIMELINE (self));
  self->complete = !!complete;
  if (complete)
    self->axis = self->marks->len;
  else if (self->axis < self->marks->len)
    self->axis = MAX (100, (self->marks->len * 3 / 2 + 99) / 100 * 100);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

int
rs_timeline_get_position (RsTimeline *self)
{
  g_return_val_if_fail (RS_IS_TIMELINE (self), -1);
  return self->position;
}

void
rs_timeline_set_position (RsTimeline *self,
                          int         position)
{
  g_return_if_fail (RS_IS_TIMELINE (self));

  if (self->position == position)
    return;
  self->position = position;
  /* Zoomed in, the view follows the step shown when it leaves it. */
  if (self->view_span > 0 && position >= 0 &&
      (position < self->view_first || position + 1 > self->view_first + self->view_span))
    {
      self->view_first = position + 0.5 - self->view_span / 2;
      _rs_timeline_clamp_view (self);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_NOW, (double) MAX (0, position),
                                  -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
}

guint
rs_timeline_get_length (RsTimeline *self)
{
  g_return_val_if_fail (RS_IS_TIMELINE (self), 0);
  return self->marks->len;
}

guint
rs_timeline_get_n_threads (RsTimeline *self)
{
  g_return_val_if_fail (RS_IS_TIMELINE (self), 0);
  return self->max_thread;
}
