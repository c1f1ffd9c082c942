/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-timeline"

#include "rs-timeline.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "rs-ui-private.h"

/* Event marks per step. */
enum {
  MARK_ALLOCATED = 1 << 0,
  MARK_FREED     = 1 << 1,
  MARK_ERROR     = 1 << 2,
  MARK_LOST      = 1 << 3,  /* references lost: a triangle over the chart */
};

#define TICK_BAND 7.0   /* px under the chart for allocated / freed ticks */
#define PAD_X     8.0
#define STRIP     32      /* pixel columns per cached strip of the chart */
#define LANE      3.0     /* px per thread's lane, under the chart (recordings of threads) */
#define MAX_LANES 4       /* thread N is drawn in lane (N - 1) % MAX_LANES, in its colour */
#define MIN_SPAN  16.0    /* steps shown when zoomed in all the way */
#define READ_CHUNK 4096   /* steps read in one turn of the main loop: a long recording shows at once */

/* What the chart's picture depends on, besides the steps. */
typedef struct {
  double  widget_width, widget_height;
  double  top, height;    /* of the chart area */
  int     columns;
  guint   axis;
  double  view_first, view_steps;  /* the steps shown: zoomed in, part of the axis */
  guint64 max_buffers, max_bytes;
  guint   lanes;          /* thread lanes: 0 unless more than one thread calls */
  GdkRGBA fg, accent, good, bad;
} Chart;

struct _RsTimeline {
  GtkWidget   parent_instance;

  gconstpointer history;   /* identity only, never dereferenced */
  GArray     *buffers;     /* guint64 per step */
  GArray     *bytes;       /* guint64 per step */
  GByteArray *marks;       /* MARK_* per step */
  GByteArray *threads;     /* the program thread that called, per step (0: none, capped at 255) */
  guint       max_thread;
  guint64     max_buffers;
  guint64     max_bytes;
  gboolean    complete;
  guint       axis;        /* steps the x axis spans: the length when complete,
                            * room to grow otherwise */
  int         position;
  /* Zoomed in: the steps shown are [view_first, view_first + view_span);
   * view_span 0 shows the whole axis. */
  double      view_first;
  double      view_span;
  gboolean    has_pointer;
  double      pointer_x;
  /* Steps left to read, a chunk each time the main loop is idle. */
  RsHistory  *reading;     /* owned while some are left */
  guint       reading_to;
  guint       reading_id;

  /* The picture, kept between frames (see rs_timeline_snapshot). */
  Chart          chart;          /* what the strips were drawn for */
  GPtrArray     *strips;         /* GskRenderNode (nullable) per STRIP columns */
  GArray        *strip_lengths;  /* guint per strip: the steps known when drawn */
  GskRenderNode *legend;
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

/* The first step shown, and how many: the whole axis unless zoomed in. */
static double
view_first (RsTimeline *self)
{
  return self->view_span > 0 ? self->view_first : 0.0;
}

static double
view_steps (RsTimeline *self)
{
  return self->view_span > 0 ? self->view_span : (double) axis_steps (self);
}

/* The left edge of a step's slot on the axis. */
static double
step_to_x (RsTimeline *self,
           double      width,
           double      step)
{
  return PAD_X + (width - 2 * PAD_X) * (step - view_first (self)) / view_steps (self);
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
  step = view_first (self) + (x - PAD_X) / MAX (1.0, width - 2 * PAD_X) * view_steps (self);
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
  double per_column = view_steps (self) / columns;
  double start = view_first (self);

  *first = (guint) floor (start + c * per_column);
  *last = MAX (*first + 1, (guint) floor (start + (c + 1) * per_column));
  *last = MIN (*last, self->marks->len);
}

static void
set_source (cairo_t       *cr,
            const GdkRGBA *rgba,
            double         alpha)
{
  cairo_set_source_rgba (cr, rgba->red, rgba->green, rgba->blue, rgba->alpha * alpha);
}

/* One line of the chart over pixel columns [from, to): one point per
 * column, the highest value of the steps it covers, so a short peak is never
 * averaged away. With `fill`, closed down to the baseline. */
static void
draw_series (RsTimeline *self,
             cairo_t    *cr,
             GArray     *series,
             guint64     max,
             const Chart *chart,
             int         from,
             int         to,
             gboolean    fill)
{
  double bottom = chart->top + chart->height;
  int c;

  if (series->len == 0 || max == 0)
    return;
  cairo_move_to (cr, PAD_X + from, bottom);
  for (c = from; c < to; c++)
    {
      guint first, last;
      guint64 value = 0;
      double y;

      column_steps (self, c, chart->columns, &first, &last);
      if (first >= series->len)
        break;
      for (guint i = first; i < last; i++)
        value = MAX (value, g_array_index (series, guint64, i));
      y = bottom - chart->height * (double) value / (double) max;
      cairo_line_to (cr, PAD_X + c, y);
      cairo_line_to (cr, PAD_X + c + 1, y);
    }
  if (fill)
    {
      cairo_line_to (cr, PAD_X + c, bottom);
      cairo_close_path (cr);
    }
}

static guint
get_lanes (RsTimeline *self)
{
  return self->max_thread > 1 ? MIN (self->max_thread, MAX_LANES) : 0;
}

static double
lanes_height (guint lanes)
{
  return lanes > 0 ? lanes * LANE + 2 : 0;
}

static void
get_thread_color (guint    thread,
                  GdkRGBA *rgba)
{
  gdk_rgba_parse (rgba, _rs_ui_get_thread_color ((int) thread));
}

/* Which threads called in each column: a mark in the thread's lane. */
static void
draw_lanes (RsTimeline  *self,
            cairo_t     *cr,
            const Chart *chart,
            int          from,
            int          to)
{
  double top = chart->top + chart->height + 2;

  for (int c = from; c < to; c++)
    {
      guint first, last, seen = 0;

      column_steps (self, c, chart->columns, &first, &last);
      if (first >= self->threads->len)
        break;
      for (guint i = first; i < last; i++)
        if (self->threads->data[i] > 0)
          seen |= 1u << ((self->threads->data[i] - 1) % MAX_LANES);
      for (guint lane = 0; lane < chart->lanes; lane++)
        if (seen & (1u << lane))
          {
            GdkRGBA color;

            get_thread_color (lane + 1, &color);
            set_source (cr, &color, 0.9);
            cairo_rectangle (cr, PAD_X + c, top + lane * LANE, 1, LANE - 0.5);
            cairo_fill (cr);
          }
    }
}

/* Columns [from, to) of the chart: both series and the event ticks. */
static void
draw_columns (RsTimeline  *self,
              cairo_t     *cr,
              const Chart *chart,
              int          from,
              int          to)
{
  /* The lines reach one column past each side, so strips join up. */
  int line_from = MAX (0, from - 1), line_to = MIN (chart->columns, to + 1);

  /* Live bytes: a filled area; live buffers: a line. */
  draw_series (self, cr, self->bytes, self->max_bytes, chart, line_from, line_to, TRUE);
  set_source (cr, &chart->accent, 0.22);
  cairo_fill_preserve (cr);
  set_source (cr, &chart->accent, 0.8);
  cairo_set_line_width (cr, 1.0);
  cairo_stroke (cr);

  draw_series (self, cr, self->buffers, self->max_buffers, chart, line_from, line_to, FALSE);
  set_source (cr, &chart->fg, 0.55);
  cairo_set_line_width (cr, 1.2);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke (cr);

  if (chart->lanes > 0)
    draw_lanes (self, cr, chart, from, to);

  /* Event ticks under the chart, and errors across it. */
  for (int c = from; c < to; c++)
    {
      guint first, last;
      guint8 marks = 0;

      column_steps (self, c, chart->columns, &first, &last);
      if (first >= self->marks->len)
        break;
      for (guint i = first; i < last; i++)
        marks |= self->marks->data[i];
      if (marks & MARK_ALLOCATED)
        {
          set_source (cr, &chart->good, 0.9);
          cairo_rectangle (cr, PAD_X + c, chart->widget_height - TICK_BAND - 2, 1, TICK_BAND / 2);
          cairo_fill (cr);
        }
      if (marks & MARK_FREED)
        {
          set_source (cr, &chart->fg, 0.35);
          cairo_rectangle (cr, PAD_X + c, chart->widget_height - TICK_BAND / 2 - 2, 1, TICK_BAND / 2);
          cairo_fill (cr);
        }
      if (marks & MARK_ERROR)
        {
          set_source (cr, &chart->bad, 0.85);
          cairo_rectangle (cr, PAD_X + c, chart->top, 1, chart->widget_height - chart->top - 2);
          cairo_fill (cr);
        }
      if (marks & MARK_LOST)
        {
          /* A leak's moment: a line across, and a flag on top to find it. */
          set_source (cr, &chart->bad, 1.0);
          cairo_rectangle (cr, PAD_X + c, chart->top, 1, chart->widget_height - chart->top - 2);
          cairo_move_to (cr, PAD_X + c - 4, chart->top);
          cairo_line_to (cr, PAD_X + c + 5, chart->top);
          cairo_line_to (cr, PAD_X + c + 0.5, chart->top + 6);
          cairo_close_path (cr);
          cairo_fill (cr);
        }
    }
}

/* What the lines are, on the left; the scale, on the right. */
static void
draw_legend (RsTimeline  *self,
             cairo_t     *cr,
             const Chart *chart)
{
  g_autoptr(PangoLayout) layout = NULL;
  g_autofree char *peak = NULL;
  g_autofree char *bytes_text = NULL;
  PangoAttrList *attrs = pango_attr_list_new ();
  int text_width, text_height;
  double baseline = (chart->top - 4) / 2;
  double x;

  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), _("live bytes"));
  pango_attr_list_insert (attrs, pango_attr_scale_new (0.85));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  pango_layout_get_pixel_size (layout, &text_width, &text_height);
  set_source (cr, &chart->accent, 0.22);
  cairo_rectangle (cr, PAD_X, baseline - 4, 12, 8);
  cairo_fill_preserve (cr);
  set_source (cr, &chart->accent, 0.8);
  cairo_set_line_width (cr, 1.0);
  cairo_stroke (cr);
  set_source (cr, &chart->fg, 0.55);
  cairo_move_to (cr, PAD_X + 18, baseline - text_height / 2.0);
  pango_cairo_show_layout (cr, layout);

  pango_layout_set_text (layout, _("live buffers"), -1);
  x = PAD_X + 18 + text_width + 16;
  cairo_set_line_width (cr, 1.2);
  cairo_move_to (cr, x, baseline);
  cairo_line_to (cr, x + 12, baseline);
  cairo_stroke (cr);
  cairo_move_to (cr, x + 18, baseline - text_height / 2.0);
  pango_cairo_show_layout (cr, layout);

  /* Each thread's colour, as its lane under the chart shows it. */
  pango_layout_get_pixel_size (layout, &text_width, &text_height);
  x += 18 + text_width + 16;
  for (guint lane = 0; lane < chart->lanes; lane++)
    {
      g_autofree char *name = lane + 1 == MAX_LANES && self->max_thread > MAX_LANES
                              ? g_strdup_printf (_("thread %u, …"), lane + 1)
                              : g_strdup_printf (_("thread %u"), lane + 1);
      GdkRGBA color;

      get_thread_color (lane + 1, &color);
      set_source (cr, &color, 0.9);
      cairo_rectangle (cr, x, baseline - LANE / 2, 12, LANE);
      cairo_fill (cr);
      set_source (cr, &chart->fg, 0.55);
      pango_layout_set_text (layout, name, -1);
      pango_layout_get_pixel_size (layout, &text_width, &text_height);
      cairo_move_to (cr, x + 16, baseline - text_height / 2.0);
      pango_cairo_show_layout (cr, layout);
      x += 16 + text_width + 12;
    }

  /* Zoomed in: which steps are shown. */
  if (self->view_span > 0)
    {
      guint first = (guint) chart->view_first;
      guint last = MIN ((guint) (chart->view_first + chart->view_steps), MAX (1, self->marks->len));
      g_autofree char *range = g_strdup_printf (_("steps %u–%u of %u · 0: all"), RS_STEP_NUMBER (first), last,
                                                self->marks->len);

      x += 8;
      pango_layout_set_text (layout, range, -1);
      pango_layout_get_pixel_size (layout, &text_width, &text_height);
      set_source (cr, &chart->accent, 1.0);
      cairo_move_to (cr, x, baseline - text_height / 2.0);
      pango_cairo_show_layout (cr, layout);
      set_source (cr, &chart->fg, 0.55);
    }

  bytes_text = g_format_size (self->max_bytes);
  peak = g_strdup_printf (g_dngettext (NULL, "peak %u buffer · %s", "peak %u buffers · %s", (gulong) self->max_buffers),
                          (guint) self->max_buffers, bytes_text);
  pango_layout_set_text (layout, peak, -1);
  pango_layout_get_pixel_size (layout, &text_width, &text_height);
  cairo_move_to (cr, chart->widget_width - PAD_X - text_width, baseline - text_height / 2.0);
  pango_cairo_show_layout (cr, layout);
}

/* ---- drawing ----
 *
 * A step changes little of the picture: the chart is kept as strips of
 * render nodes, each drawn again only when steps it shows were added (or
 * the scale, size or colours changed), so a frame repaints one strip, the
 * marker and the text, not the whole strip of the window. */

static void
chart_init (RsTimeline *self,
            Chart      *chart)
{
  GtkWidget *widget = GTK_WIDGET (self);

  memset (chart, 0, sizeof *chart);
  chart->widget_width = gtk_widget_get_width (widget);
  chart->widget_height = gtk_widget_get_height (widget);
  chart->top = 18.0;
  chart->lanes = get_lanes (self);
  chart->height = chart->widget_height - chart->top - TICK_BAND - 4 - lanes_height (chart->lanes);
  chart->columns = (int) (chart->widget_width - 2 * PAD_X);
  chart->axis = axis_steps (self);
  chart->view_first = view_first (self);
  chart->view_steps = view_steps (self);
  chart->max_buffers = self->max_buffers;
  chart->max_bytes = self->max_bytes;
  _rs_ui_get_colors (widget, &chart->fg, &chart->accent, &chart->good, &chart->bad);
}

static void
unref_node (gpointer node)
{
  if (node != NULL)
    gsk_render_node_unref (node);
}

static void
clear_strips (RsTimeline *self)
{
  g_ptr_array_set_size (self->strips, 0);
  g_array_set_size (self->strip_lengths, 0);
  g_clear_pointer (&self->legend, gsk_render_node_unref);
}

/* Columns [from, to) of the chart, or the legend when the range is empty,
 * as a node clipped to `bounds`; NULL if nothing was drawn. */
static GskRenderNode *
make_node (RsTimeline            *self,
           const Chart           *chart,
           const graphene_rect_t *bounds,
           int                    from,
           int                    to)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, bounds);

  cairo_rectangle (cr, bounds->origin.x, bounds->origin.y, bounds->size.width, bounds->size.height);
  cairo_clip (cr);
  if (from < to)
    draw_columns (self, cr, chart, from, to);
  else
    draw_legend (self, cr, chart);
  cairo_destroy (cr);
  return gtk_snapshot_free_to_node (snapshot);
}

static void
rs_timeline_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  RsTimeline *self = RS_TIMELINE (widget);
  Chart chart;
  guint n_strips;
  cairo_t *cr;

  chart_init (self, &chart);
  if (self->marks->len == 0 || chart.height <= 4 || chart.columns <= 0)
    return;

  if (memcmp (&chart, &self->chart, sizeof chart) != 0)
    {
      clear_strips (self);
      memcpy (&self->chart, &chart, sizeof chart);
    }

  n_strips = (chart.columns + STRIP - 1) / STRIP;
  if (self->strips->len != n_strips)
    {
      g_ptr_array_set_size (self->strips, n_strips);
      g_array_set_size (self->strip_lengths, n_strips);
    }
  for (guint i = 0; i < n_strips; i++)
    {
      int from = (int) i * STRIP, to = MIN (chart.columns, from + STRIP);
      guint drawn = g_array_index (self->strip_lengths, guint, i);
      guint first, last;

      /* Steps the strip shows (with the column past it its lines reach). */
      column_steps (self, MIN (to, chart.columns - 1), chart.columns, &first, &last);
      if (self->strips->pdata[i] != NULL && drawn != self->marks->len && last > drawn)
        g_clear_pointer (&self->strips->pdata[i], gsk_render_node_unref);
      if (self->strips->pdata[i] == NULL)
        {
          graphene_rect_t bounds = GRAPHENE_RECT_INIT (PAD_X + from, 0, to - from, chart.widget_height);

          column_steps (self, from, chart.columns, &first, &last);
          if (first >= self->marks->len && from > 0)
            break;
          self->strips->pdata[i] = make_node (self, &chart, &bounds, from, to);
          g_array_index (self->strip_lengths, guint, i) = self->marks->len;
        }
      if (self->strips->pdata[i] != NULL)
        gtk_snapshot_append_node (snapshot, self->strips->pdata[i]);
    }

  if (self->legend == NULL)
    self->legend = make_node (self, &chart, &GRAPHENE_RECT_INIT (0, 0, chart.widget_width, chart.top), 0, 0);
  if (self->legend != NULL)
    gtk_snapshot_append_node (snapshot, self->legend);

  /* Steps not run yet: a dashed baseline to the end of the axis. */
  if (!self->complete)
    {
      double x = MAX (PAD_X, step_to_x (self, chart.widget_width, self->marks->len));
      double y = chart.top + chart.height - 0.5;

      if (x < chart.widget_width - PAD_X)
        {
          double dash[] = { 3, 3 };

          cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (x, y - 1, chart.widget_width - PAD_X - x, 2));
          set_source (cr, &chart.fg, 0.3);
          cairo_set_line_width (cr, 1.0);
          cairo_set_dash (cr, dash, 2, 0);
          cairo_move_to (cr, x, y);
          cairo_line_to (cr, chart.widget_width - PAD_X, y);
          cairo_stroke (cr);
          cairo_destroy (cr);
        }
    }

  /* The step shown (when it is in view). */
  if (self->position >= 0 && self->position + 1 > view_first (self) &&
      self->position < view_first (self) + view_steps (self))
    {
      double x = round (step_to_x (self, chart.widget_width, self->position + 0.5)) + 0.5;

      cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (x - 6, chart.top - 8, 12, chart.widget_height - chart.top + 8));
      set_source (cr, &chart.accent, 1.0);
      cairo_set_line_width (cr, 2.0);
      cairo_move_to (cr, x, chart.top - 2);
      cairo_line_to (cr, x, chart.widget_height - 2);
      cairo_stroke (cr);
      cairo_move_to (cr, x - 5, chart.top - 7);
      cairo_line_to (cr, x + 5, chart.top - 7);
      cairo_line_to (cr, x, chart.top - 1);
      cairo_close_path (cr);
      cairo_fill (cr);
      cairo_destroy (cr);
    }
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

/* ---- zoom ---- */

/* Keeps the view inside the axis. */
static void
clamp_view (RsTimeline *self)
{
  double axis = axis_steps (self);

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
  double old_first = view_first (self), old_steps = view_steps (self);
  double steps = CLAMP (old_steps / factor, MIN_SPAN, (double) axis_steps (self));

  self->view_span = steps;
  self->view_first = anchor - (anchor - old_first) * steps / old_steps;
  clamp_view (self);
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
      clamp_view (self);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  if (dy != 0)
    {
      double anchor = view_first (self) + (self->pointer_x - PAD_X) / MAX (1.0, width - 2 * PAD_X) * view_steps (self);

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
      clamp_view (self);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }
  /* Around the pointer when it is over the timeline, else the step shown. */
  width = gtk_widget_get_width (GTK_WIDGET (self));
  if (self->has_pointer)
    anchor = view_first (self) + (self->pointer_x - PAD_X) / MAX (1.0, width - 2 * PAD_X) * view_steps (self);
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
  *first = view_first (self);
  *steps = view_steps (self);
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
  self->threads = g_byte_array_new ();
  self->strips = g_ptr_array_new_with_free_func (unref_node);
  self->strip_lengths = g_array_new (FALSE, TRUE, sizeof (guint));

  drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

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
      clear_strips (self);
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
      clamp_view (self);
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
