/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-timeline"

#include "rs-timeline.h"

#include <glib/gi18n.h>

#include "rs-ui-private.h"

/* Event marks per step. */
enum {
  MARK_ALLOCATED = 1 << 0,
  MARK_FREED     = 1 << 1,
  MARK_ERROR     = 1 << 2,
};

#define TICK_BAND 7.0   /* px under the chart for allocated / freed ticks */
#define PAD_X     8.0

struct _RsTimeline {
  GtkWidget   parent_instance;

  gconstpointer history;   /* identity only, never dereferenced */
  GArray     *buffers;     /* guint64 per step */
  GArray     *bytes;       /* guint64 per step */
  GByteArray *marks;       /* MARK_* per step */
  guint64     max_buffers;
  guint64     max_bytes;
  gboolean    complete;
  guint       axis;        /* steps the x axis spans: the length when complete,
                            * room to grow otherwise */
  int         position;
};

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

static guint
axis_steps (RsTimeline *self)
{
  return MAX (1, MAX (self->axis, self->marks->len));
}

/* The left edge of a step's slot on the axis. */
static double
step_to_x (RsTimeline *self,
           double      width,
           double      step)
{
  return PAD_X + (width - 2 * PAD_X) * step / (double) axis_steps (self);
}

static int
x_to_step (RsTimeline *self,
           double      width,
           double      x)
{
  guint length = self->marks->len;
  double step;

  if (length == 0)
    return -1;
  step = (x - PAD_X) / MAX (1.0, width - 2 * PAD_X) * axis_steps (self);
  return (int) CLAMP (floor (step), 0, length - 1);
}

/* The steps drawn in pixel column `c` of `columns`: [first, last). */
static void
column_steps (RsTimeline *self,
              int         c,
              int         columns,
              guint      *first,
              guint      *last)
{
  double per_column = (double) axis_steps (self) / columns;

  *first = (guint) (c * per_column);
  *last = MAX (*first + 1, (guint) ((c + 1) * per_column));
  *last = MIN (*last, self->marks->len);
}

static void
set_source (cairo_t       *cr,
            const GdkRGBA *rgba,
            double         alpha)
{
  cairo_set_source_rgba (cr, rgba->red, rgba->green, rgba->blue, rgba->alpha * alpha);
}

static void
draw_series (RsTimeline *self,
             cairo_t    *cr,
             GArray     *series,
             guint64     max,
             double      width,
             double      top,
             double      height,
             gboolean    fill)
{
  int columns = (int) (width - 2 * PAD_X);
  guint length = series->len;
  int c;

  if (length == 0 || max == 0 || columns <= 0)
    return;

  /* One point per pixel column: the highest value of the steps it covers,
   * so a short peak is never averaged away. */
  cairo_move_to (cr, PAD_X, top + height);
  for (c = 0; c < columns; c++)
    {
      guint first, last;
      guint64 value = 0;

      column_steps (self, c, columns, &first, &last);
      if (first >= length)
        break;
      for (guint i = first; i < last; i++)
        value = MAX (value, g_array_index (series, guint64, i));
      cairo_line_to (cr, PAD_X + c, top + height - height * (double) value / (double) max);
      cairo_line_to (cr, PAD_X + c + 1, top + height - height * (double) value / (double) max);
    }
  if (fill)
    {
      cairo_line_to (cr, PAD_X + c, top + height);
      cairo_close_path (cr);
    }
}

static void
rs_timeline_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  RsTimeline *self = RS_TIMELINE (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  double chart_top = 18.0, chart_height = height - chart_top - TICK_BAND - 4;
  GdkRGBA fg, accent, good, bad;
  g_autoptr(PangoLayout) layout = NULL;
  g_autofree char *peak = NULL;
  g_autofree char *bytes_text = NULL;
  cairo_t *cr;
  int columns = (int) (width - 2 * PAD_X);

  _rs_ui_get_colors (widget, &fg, &accent, &good, &bad);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (self->marks->len == 0 || chart_height <= 4)
    {
      cairo_destroy (cr);
      return;
    }

  /* Live bytes: a filled area; live buffers: a line. */
  draw_series (self, cr, self->bytes, self->max_bytes, width, chart_top, chart_height, TRUE);
  set_source (cr, &accent, 0.22);
  cairo_fill_preserve (cr);
  set_source (cr, &accent, 0.8);
  cairo_set_line_width (cr, 1.0);
  cairo_stroke (cr);

  draw_series (self, cr, self->buffers, self->max_buffers, width, chart_top, chart_height, FALSE);
  set_source (cr, &fg, 0.55);
  cairo_set_line_width (cr, 1.2);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke (cr);

  /* Event ticks under the chart, and errors across it. */
  for (int c = 0; c < columns; c++)
    {
      guint first, last;
      guint8 marks = 0;

      column_steps (self, c, columns, &first, &last);
      if (first >= self->marks->len)
        break;
      for (guint i = first; i < last; i++)
        marks |= self->marks->data[i];
      if (marks & MARK_ALLOCATED)
        {
          set_source (cr, &good, 0.9);
          cairo_rectangle (cr, PAD_X + c, height - TICK_BAND - 2, 1, TICK_BAND / 2);
          cairo_fill (cr);
        }
      if (marks & MARK_FREED)
        {
          set_source (cr, &fg, 0.35);
          cairo_rectangle (cr, PAD_X + c, height - TICK_BAND / 2 - 2, 1, TICK_BAND / 2);
          cairo_fill (cr);
        }
      if (marks & MARK_ERROR)
        {
          set_source (cr, &bad, 0.85);
          cairo_rectangle (cr, PAD_X + c, chart_top, 1, height - chart_top - 2);
          cairo_fill (cr);
        }
    }

  /* Steps not run yet: a dashed baseline to the end of the axis. */
  if (!self->complete)
    {
      double x = step_to_x (self, width, self->marks->len);

      if (x < width - PAD_X)
        {
          double dash[] = { 3, 3 };

          set_source (cr, &fg, 0.3);
          cairo_set_line_width (cr, 1.0);
          cairo_set_dash (cr, dash, 2, 0);
          cairo_move_to (cr, x, chart_top + chart_height - 0.5);
          cairo_line_to (cr, width - PAD_X, chart_top + chart_height - 0.5);
          cairo_stroke (cr);
          cairo_set_dash (cr, NULL, 0, 0);
        }
    }

  /* The step shown. */
  if (self->position >= 0)
    {
      double x = round (step_to_x (self, width, self->position + 0.5)) + 0.5;

      set_source (cr, &accent, 1.0);
      cairo_set_line_width (cr, 2.0);
      cairo_move_to (cr, x, chart_top - 2);
      cairo_line_to (cr, x, height - 2);
      cairo_stroke (cr);
      cairo_move_to (cr, x - 5, chart_top - 7);
      cairo_line_to (cr, x + 5, chart_top - 7);
      cairo_line_to (cr, x, chart_top - 1);
      cairo_close_path (cr);
      cairo_fill (cr);
    }

  /* What the lines are, on the left; the scale, on the right. */
  {
    int text_width, text_height;
    double baseline = (chart_top - 4) / 2;

    PangoAttrList *attrs = pango_attr_list_new ();

    layout = gtk_widget_create_pango_layout (widget, _("live bytes"));
    pango_attr_list_insert (attrs, pango_attr_scale_new (0.85));
    pango_layout_set_attributes (layout, attrs);
    pango_attr_list_unref (attrs);
    pango_layout_get_pixel_size (layout, &text_width, &text_height);
    set_source (cr, &accent, 0.22);
    cairo_rectangle (cr, PAD_X, baseline - 4, 12, 8);
    cairo_fill_preserve (cr);
    set_source (cr, &accent, 0.8);
    cairo_set_line_width (cr, 1.0);
    cairo_stroke (cr);
    set_source (cr, &fg, 0.55);
    cairo_move_to (cr, PAD_X + 18, baseline - text_height / 2.0);
    pango_cairo_show_layout (cr, layout);

    pango_layout_set_text (layout, _("live buffers"), -1);
    {
      double x = PAD_X + 18 + text_width + 16;

      set_source (cr, &fg, 0.55);
      cairo_set_line_width (cr, 1.2);
      cairo_move_to (cr, x, baseline);
      cairo_line_to (cr, x + 12, baseline);
      cairo_stroke (cr);
      cairo_move_to (cr, x + 18, baseline - text_height / 2.0);
      pango_cairo_show_layout (cr, layout);
    }

    bytes_text = g_format_size (self->max_bytes);
    peak = g_strdup_printf (g_dngettext (NULL, "peak %u buffer · %s", "peak %u buffers · %s", (gulong) self->max_buffers),
                            (guint) self->max_buffers, bytes_text);
    pango_layout_set_text (layout, peak, -1);
    pango_layout_get_pixel_size (layout, &text_width, &text_height);
    cairo_move_to (cr, width - PAD_X - text_width, baseline - text_height / 2.0);
    pango_cairo_show_layout (cr, layout);
  }
  cairo_destroy (cr);
}

static void
rs_timeline_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = 120;
  else
    *minimum = *natural = 64;
}

static void
seek_to (RsTimeline *self,
         double      x)
{
  int step = x_to_step (self, gtk_widget_get_width (GTK_WIDGET (self)), x);

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
  int step = x_to_step (self, gtk_widget_get_width (widget), x);
  g_autofree char *bytes = NULL;
  g_autofree char *text = NULL;
  guint8 marks;

  if (step < 0)
    return FALSE;
  bytes = g_format_size (g_array_index (self->bytes, guint64, step));
  marks = self->marks->data[step];
  text = g_strdup_printf (_("Step %d: %" G_GUINT64_FORMAT " buffers, %s%s%s%s"),
                          step, g_array_index (self->buffers, guint64, step), bytes,
                          marks & MARK_ALLOCATED ? _(" · allocated") : "",
                          marks & MARK_FREED ? _(" · freed") : "",
                          marks & MARK_ERROR ? _(" · error") : "");
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
rs_timeline_finalize (GObject *object)
{
  RsTimeline *self = RS_TIMELINE (object);

  g_clear_pointer (&self->buffers, g_array_unref);
  g_clear_pointer (&self->bytes, g_array_unref);
  g_clear_pointer (&self->marks, g_byte_array_unref);
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
  widget_class->snapshot = rs_timeline_snapshot;
  widget_class->measure = rs_timeline_measure;

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
rs_timeline_init (RsTimeline *self)
{
  GtkGesture *drag;

  self->position = -1;
  self->buffers = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->bytes = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->marks = g_byte_array_new ();

  drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

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
      g_array_set_size (self->buffers, 0);
      g_array_set_size (self->bytes, 0);
      self->max_buffers = self->max_bytes = 0;
      self->axis = 0;
      self->complete = FALSE;
      self->history = history;
    }

  if (history != NULL)
    length = MIN (length, rs_history_get_length (history));
  if (history != NULL && length != self->marks->len)
    {
      /* Events are read once per step; the series are read whole. */
      for (guint step = self->marks->len; step < length; step++)
        {
          guint8 marks = step_marks (rs_history_get_snapshot (history, step));

          g_byte_array_append (self->marks, &marks, 1);
        }
      g_clear_pointer (&self->buffers, g_array_unref);
      g_clear_pointer (&self->bytes, g_array_unref);
      rs_history_get_live_series (history, &self->buffers, &self->bytes);
      g_array_set_size (self->buffers, length);
      g_array_set_size (self->bytes, length);
      self->max_buffers = self->max_bytes = 0;
      for (guint i = 0; i < length; i++)
        {
          self->max_buffers = MAX (self->max_buffers, g_array_index (self->buffers, guint64, i));
          self->max_bytes = MAX (self->max_bytes, g_array_index (self->bytes, guint64, i));
        }
    }

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
