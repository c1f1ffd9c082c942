/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-timeline-draw.c: the timeline's picture.
 *
 * A step changes little of the picture: the chart is kept as strips of
 * render nodes, each drawn again only when steps it shows were added (or
 * the scale, size or colours changed), so a frame repaints one strip, the
 * marker and the text, not the whole strip of the window.
 */
#define G_LOG_DOMAIN "rs-timeline"

#include "rs-timeline-private.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "rs-ui-private.h"

#define TICK_BAND 7.0   /* px under the chart for allocated / freed ticks */
#define STRIP     32      /* pixel columns per cached strip of the chart */
#define LANE      3.0     /* px per thread's lane, under the chart (recordings of threads) */
#define MAX_LANES 4       /* thread N is drawn in lane (N - 1) % MAX_LANES, in its colour */

/* The left edge of a step's slot on the axis. */
static double
step_to_x (RsTimeline *self,
           double      width,
           double      step)
{
  return PAD_X + (width - 2 * PAD_X) * (step - _rs_timeline_view_first (self)) / _rs_timeline_view_steps (self);
}

/* The steps drawn in pixel column `c` of `columns`: [first, last). */
static void
column_steps (RsTimeline *self,
              int         c,
              int         columns,
              guint      *first,
              guint      *last)
{
  double per_column = _rs_timeline_view_steps (self) / columns;
  double start = _rs_timeline_view_first (self);

  *first = (guint) floor (start + c * per_column);
  *last = MAX (*first + 1, (guint) floor (start + (c + 1) * per_column));
  *last = MIN (*last, self->marks->len);
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
            _rs_ui_set_source (cr, &color, 0.9);
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
  _rs_ui_set_source (cr, &chart->accent, 0.22);
  cairo_fill_preserve (cr);
  _rs_ui_set_source (cr, &chart->accent, 0.8);
  cairo_set_line_width (cr, 1.0);
  cairo_stroke (cr);

  draw_series (self, cr, self->buffers, self->max_buffers, chart, line_from, line_to, FALSE);
  _rs_ui_set_source (cr, &chart->fg, 0.55);
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
          _rs_ui_set_source (cr, &chart->good, 0.9);
          cairo_rectangle (cr, PAD_X + c, chart->widget_height - TICK_BAND - 2, 1, TICK_BAND / 2);
          cairo_fill (cr);
        }
      if (marks & MARK_FREED)
        {
          _rs_ui_set_source (cr, &chart->fg, 0.35);
          cairo_rectangle (cr, PAD_X + c, chart->widget_height - TICK_BAND / 2 - 2, 1, TICK_BAND / 2);
          cairo_fill (cr);
        }
      if (marks & MARK_ERROR)
        {
          _rs_ui_set_source (cr, &chart->bad, 0.85);
          cairo_rectangle (cr, PAD_X + c, chart->top, 1, chart->widget_height - chart->top - 2);
          cairo_fill (cr);
        }
      if (marks & MARK_LOST)
        {
          /* A leak's moment: a line across, and a flag on top to find it. */
          _rs_ui_set_source (cr, &chart->bad, 1.0);
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
  _rs_ui_set_source (cr, &chart->accent, 0.22);
  cairo_rectangle (cr, PAD_X, baseline - 4, 12, 8);
  cairo_fill_preserve (cr);
  _rs_ui_set_source (cr, &chart->accent, 0.8);
  cairo_set_line_width (cr, 1.0);
  cairo_stroke (cr);
  _rs_ui_set_source (cr, &chart->fg, 0.55);
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
      _rs_ui_set_source (cr, &color, 0.9);
      cairo_rectangle (cr, x, baseline - LANE / 2, 12, LANE);
      cairo_fill (cr);
      _rs_ui_set_source (cr, &chart->fg, 0.55);
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
      _rs_ui_set_source (cr, &chart->accent, 1.0);
      cairo_move_to (cr, x, baseline - text_height / 2.0);
      pango_cairo_show_layout (cr, layout);
      _rs_ui_set_source (cr, &chart->fg, 0.55);
    }

  bytes_text = g_format_size (self->max_bytes);
  peak = g_strdup_printf (g_dngettext (NULL, "peak %u buffer · %s", "peak %u buffers · %s", (gulong) self->max_buffers),
                          (guint) self->max_buffers, bytes_text);
  pango_layout_set_text (layout, peak, -1);
  pango_layout_get_pixel_size (layout, &text_width, &text_height);
  cairo_move_to (cr, chart->widget_width - PAD_X - text_width, baseline - text_height / 2.0);
  pango_cairo_show_layout (cr, layout);
}

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
  chart->axis = _rs_timeline_axis_steps (self);
  chart->view_first = _rs_timeline_view_first (self);
  chart->view_steps = _rs_timeline_view_steps (self);
  chart->max_buffers = self->max_buffers;
  chart->max_bytes = self->max_bytes;
  _rs_ui_get_colors (widget, &chart->fg, &chart->accent, &chart->good, &chart->bad);
}

void
_rs_timeline_clear_strips (RsTimeline *self)
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

void
_rs_timeline_snapshot (GtkWidget   *widget,
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
      _rs_timeline_clear_strips (self);
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
          _rs_ui_set_source (cr, &chart.fg, 0.3);
          cairo_set_line_width (cr, 1.0);
          cairo_set_dash (cr, dash, 2, 0);
          cairo_move_to (cr, x, y);
          cairo_line_to (cr, chart.widget_width - PAD_X, y);
          cairo_stroke (cr);
          cairo_destroy (cr);
        }
    }

  /* The step shown (when it is in view). */
  if (self->position >= 0 && self->position + 1 > _rs_timeline_view_first (self) &&
      self->position < _rs_timeline_view_first (self) + _rs_timeline_view_steps (self))
    {
      double x = round (step_to_x (self, chart.widget_width, self->position + 0.5)) + 0.5;

      cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (x - 6, chart.top - 8, 12, chart.widget_height - chart.top + 8));
      _rs_ui_set_source (cr, &chart.accent, 1.0);
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

void
_rs_timeline_measure (GtkWidget      *widget,
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
