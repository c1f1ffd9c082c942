/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-refcount-plot"

#include "rs-refcount-plot.h"

#include <glib/gi18n.h>

#include "rs-ui-private.h"

#define PAD_LEFT   22.0
#define PAD_RIGHT  8.0
#define PAD_TOP    8.0
#define PAD_BOTTOM 18.0
#define MARGIN_STEPS 3

struct _RsRefcountPlot {
  GtkWidget  parent_instance;
  GArray    *series;    /* int per step, owned */
  guint      first;     /* range drawn */
  guint      last;
  int        max;
  int        position;
  int        hover;     /* step under the pointer, -1 if none */
};

enum {
  SEEK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (RsRefcountPlot, rs_refcount_plot, GTK_TYPE_WIDGET)

static double
step_x (RsRefcountPlot *self,
        double          width,
        double          step)
{
  double span = MAX (1, self->last - self->first + 1);

  return PAD_LEFT + (width - PAD_LEFT - PAD_RIGHT) * (step - self->first) / span;
}

static int
x_step (RsRefcountPlot *self,
        double          width,
        double          x)
{
  double span = MAX (1, self->last - self->first + 1);
  double step;

  if (self->series == NULL || self->series->len == 0)
    return -1;
  step = self->first + (x - PAD_LEFT) / MAX (1.0, width - PAD_LEFT - PAD_RIGHT) * span;
  return (int) CLAMP (floor (step), self->first, self->last);
}

static void
show_text (GtkWidget  *widget,
           cairo_t    *cr,
           const char *text,
           double      x,
           double      y,
           double      align)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
  PangoFontDescription *font = pango_font_description_from_string ("Sans 8");
  int w, h;

  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, x - align * w, y - h / 2.0);
  pango_cairo_show_layout (cr, layout);
}

static void
rs_refcount_plot_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  RsRefcountPlot *self = RS_REFCOUNT_PLOT (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  double plot_height = height - PAD_TOP - PAD_BOTTOM;
  GdkRGBA fg, accent;
  cairo_t *cr;
  char text[32];

  if (self->series == NULL || self->series->len == 0 || plot_height <= 0)
    return;

  _rs_ui_get_colors (widget, &fg, &accent, NULL, NULL);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

#define Y(v) (PAD_TOP + plot_height - plot_height * (double) (v) / (double) MAX (1, self->max))

  /* Grid: one faint line per count when there are few. */
  cairo_set_line_width (cr, 1.0);
  for (int v = 0; v <= self->max; v += MAX (1, self->max / 4))
    {
      _rs_ui_set_source (cr, &fg, v == 0 ? 0.3 : 0.1);
      cairo_move_to (cr, PAD_LEFT, round (Y (v)) + 0.5);
      cairo_line_to (cr, width - PAD_RIGHT, round (Y (v)) + 0.5);
      cairo_stroke (cr);
      _rs_ui_set_source (cr, &fg, 0.55);
      g_snprintf (text, sizeof text, "%d", v);
      show_text (widget, cr, text, PAD_LEFT - 5, Y (v), 1.0);
    }

  /* The step line, filled beneath. */
  cairo_move_to (cr, step_x (self, width, self->first), Y (0));
  for (guint i = self->first; i <= self->last; i++)
    {
      int v = g_array_index (self->series, int, i);

      cairo_line_to (cr, step_x (self, width, i), Y (v));
      cairo_line_to (cr, step_x (self, width, i + 1), Y (v));
    }
  cairo_line_to (cr, step_x (self, width, self->last + 1), Y (0));
  cairo_close_path (cr);
  _rs_ui_set_source (cr, &accent, 0.18);
  cairo_fill_preserve (cr);
  _rs_ui_set_source (cr, &accent, 1.0);
  cairo_set_line_width (cr, 1.5);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke (cr);

  /* The step shown, and the step under the pointer. */
  if (self->position >= (int) self->first && self->position <= (int) self->last)
    {
      double x0 = step_x (self, width, self->position), x1 = step_x (self, width, self->position + 1);
      int v = g_array_index (self->series, int, self->position);

      _rs_ui_set_source (cr, &accent, 0.25);
      cairo_rectangle (cr, x0, PAD_TOP, MAX (1.0, x1 - x0), plot_height);
      cairo_fill (cr);
      _rs_ui_set_source (cr, &accent, 1.0);
      cairo_arc (cr, (x0 + x1) / 2, Y (v), 3.5, 0, 2 * G_PI);
      cairo_fill (cr);
    }
  if (self->hover >= 0 && self->hover != self->position)
    {
      double x0 = step_x (self, width, self->hover), x1 = step_x (self, width, self->hover + 1);

      _rs_ui_set_source (cr, &fg, 0.12);
      cairo_rectangle (cr, x0, PAD_TOP, MAX (1.0, x1 - x0), plot_height);
      cairo_fill (cr);
    }

  /* The range, under the axis. */
  _rs_ui_set_source (cr, &fg, 0.55);
  g_snprintf (text, sizeof text, "%u", RS_STEP_NUMBER (self->first));
  show_text (widget, cr, text, PAD_LEFT, height - PAD_BOTTOM / 2, 0.0);
  g_snprintf (text, sizeof text, "%u", RS_STEP_NUMBER (self->last));
  show_text (widget, cr, text, width - PAD_RIGHT, height - PAD_BOTTOM / 2, 1.0);
#undef Y
  cairo_destroy (cr);
}

static void
rs_refcount_plot_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 120;
      *natural = 280;
    }
  else
    *minimum = *natural = 96;
}

static void
on_pressed (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            RsRefcountPlot  *self)
{
  int step = x_step (self, gtk_widget_get_width (GTK_WIDGET (self)), x);

  if (step >= 0)
    g_signal_emit (self, signals[SEEK], 0, (guint) step);
}

static void
on_motion (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           RsRefcountPlot           *self)
{
  int step = x_step (self, gtk_widget_get_width (GTK_WIDGET (self)), x);

  if (step != self->hover)
    {
      self->hover = step;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
on_leave (GtkEventControllerMotion *motion,
          RsRefcountPlot           *self)
{
  self->hover = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
on_query_tooltip (GtkWidget  *widget,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip,
                  gpointer    data)
{
  RsRefcountPlot *self = RS_REFCOUNT_PLOT (widget);
  int step = x_step (self, gtk_widget_get_width (widget), x);
  g_autofree char *text = NULL;

  if (step < 0)
    return FALSE;
  text = g_strdup_printf (_("Step %u: refcount %d"), RS_STEP_NUMBER (step), g_array_index (self->series, int, step));
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
rs_refcount_plot_finalize (GObject *object)
{
  RsRefcountPlot *self = RS_REFCOUNT_PLOT (object);

  g_clear_pointer (&self->series, g_array_unref);
  G_OBJECT_CLASS (rs_refcount_plot_parent_class)->finalize (object);
}

static void
rs_refcount_plot_class_init (RsRefcountPlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = rs_refcount_plot_finalize;
  widget_class->snapshot = rs_refcount_plot_snapshot;
  widget_class->measure = rs_refcount_plot_measure;

  /* The user clicked a step. */
  signals[SEEK] =
    g_signal_new ("seek", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_css_name (widget_class, "refcountplot");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
rs_refcount_plot_init (RsRefcountPlot *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->position = -1;
  self->hover = -1;
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "pointer");
}

GtkWidget *
rs_refcount_plot_new (void)
{
  return g_object_new (RS_TYPE_REFCOUNT_PLOT, NULL);
}

void
rs_refcount_plot_set_series (RsRefcountPlot *self,
                             GArray         *series)
{
  guint first = G_MAXUINT, last = 0;

  g_return_if_fail (RS_IS_REFCOUNT_PLOT (self));

  if (series != NULL)
    g_array_ref (series);
  g_clear_pointer (&self->series, g_array_unref);
  self->series = series;
  self->max = 0;
  self->hover = -1;

  if (series != NULL && series->len > 0)
    {
      for (guint i = 0; i < series->len; i++)
        {
          int v = g_array_index (series, int, i);

          if (v > 0)
            {
              first = MIN (first, i);
              last = i;
              self->max = MAX (self->max, v);
            }
        }
      if (first == G_MAXUINT)
        first = last = 0;
      /* The life, a few steps either side, and at least 12 steps wide. */
      self->first = first > MARGIN_STEPS ? first - MARGIN_STEPS : 0;
      self->last = MIN (series->len - 1, last + MARGIN_STEPS);
      while (self->last - self->first < 12 && (self->first > 0 || self->last + 1 < series->len))
        {
          if (self->first > 0)
            self->first--;
          if (self->last + 1 < series->len)
            self->last++;
        }
      self->max = MAX (self->max, 1);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
rs_refcount_plot_set_position (RsRefcountPlot *self,
                               int             position)
{
  g_return_if_fail (RS_IS_REFCOUNT_PLOT (self));

  if (self->position == position)
    return;
  self->position = position;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
rs_refcount_plot_get_range (RsRefcountPlot *self,
                            guint          *first,
                            guint          *last)
{
  g_return_if_fail (RS_IS_REFCOUNT_PLOT (self));

  if (first != NULL)
    *first = self->first;
  if (last != NULL)
    *last = self->last;
}
