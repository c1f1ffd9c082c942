/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Benchmarks of the window, on a real display (xvfb-run). Each prints one
 * `bench:` line with its figures and the goal it is judged by (DESIGN.md
 * section 10).
 *
 *   bench-gui gui-step SAMPLE   win.step 200 times in an RsWindow, each on
 *                               an idle window: from the action's activation
 *                               to the window's after-paint of the frame in
 *                               which the graph view drew that step; where
 *                               the time went (the activation's parts, the
 *                               frame's phases, the graph's update and
 *                               rasterization apart, frames redrawing one
 *                               widget); then 100 steps with the key held
 *   bench-gui startup SAMPLE    launch to the first graph drawn: five fresh
 *                               processes each running the application
 *                               (app/rs-application.c, as `refscope SAMPLE`
 *                               does), from the spawn to the after-paint of
 *                               the first frame the graph view drew in;
 *                               also a fresh window in a warm process
 *
 * `refscope` has no hook that reports its first drawing, so the startup is
 * measured in a child of this program that runs the same application
 * object; only main.c's command-line parsing is not in it.
 *
 * The graph view has no draw signal or counter: this program counts its
 * drawings by wrapping the class's snapshot vfunc (RsGraphView is final,
 * and GTK calls the vfunc through the class), so ui/ is not changed.
 */
#include <libavutil/log.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-figures.h"
#include "rs-application.h"
#include "rs-ui.h"
#include "rs-window.h"

#define STEPS         200
#define HELD_STEPS    100
#define STARTUP_RUNS  5
#define QUIET_USEC    (50 * G_TIME_SPAN_MILLISECOND)  /* no frame for 3 refreshes */
#define MAX_QUIET_WAIT_USEC (2 * G_USEC_PER_SEC)
#define PAINT_TIMEOUT_USEC  (10 * G_USEC_PER_SEC)

/* ---- counting the graph view's drawings ---- */

static void (*view_snapshot_parent) (GtkWidget *widget, GtkSnapshot *snapshot);
static guint  view_draws;       /* drawings of a graph (the view had a snapshot) */
static gint64 view_draw_usec;   /* time in the view's snapshot vfunc, summed */

static void
counting_view_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  gint64 start = g_get_monotonic_time ();

  view_snapshot_parent (widget, snapshot);
  view_draw_usec += g_get_monotonic_time () - start;
  if (rs_graph_view_get_snapshot (RS_GRAPH_VIEW (widget)) != NULL &&
      rs_render_get_surface (rs_graph_view_get_render (RS_GRAPH_VIEW (widget))) != NULL)
    view_draws++;
}

static void
count_view_draws (void)
{
  GtkWidgetClass *klass;

  if (view_snapshot_parent != NULL)
    return;
  klass = g_type_class_ref (RS_TYPE_GRAPH_VIEW);
  view_snapshot_parent = klass->snapshot;
  klass->snapshot = counting_view_snapshot;
}

/* ---- the frames of a window ---- */

typedef struct {
  gint64 start;       /* before-paint */
  gint64 layout_end;  /* after the window's layout handler */
  gint64 paint_end;   /* after the window's paint handler (snapshot + render) */
  gint64 end;         /* after-paint */
  gint64 view_usec;   /* in the view's snapshot vfunc */
  guint  view_draws;  /* view_draws at after-paint */
} Frame;

typedef struct {
  GdkFrameClock *clock;
  Frame          current;
  Frame          last;
  guint          frames;
  gint64         view_usec_at_start;
} FrameWatch;

static void
on_before_paint (GdkFrameClock *clock,
                 FrameWatch    *watch)
{
  memset (&watch->current, 0, sizeof watch->current);
  watch->current.start = g_get_monotonic_time ();
  watch->view_usec_at_start = view_draw_usec;
}

static void
on_layout (GdkFrameClock *clock,
           FrameWatch    *watch)
{
  watch->current.layout_end = g_get_monotonic_time ();
}

static void
on_paint (GdkFrameClock *clock,
          FrameWatch    *watch)
{
  watch->current.paint_end = g_get_monotonic_time ();
}

static void
on_after_paint (GdkFrameClock *clock,
                FrameWatch    *watch)
{
  watch->current.end = g_get_monotonic_time ();
  watch->current.view_usec = view_draw_usec - watch->view_usec_at_start;
  watch->current.view_draws = view_draws;
  /* A frame that skipped a phase: its end stands for it. */
  if (watch->current.start == 0)
    watch->current.start = watch->current.end;
  if (watch->current.layout_end == 0)
    watch->current.layout_end = watch->current.start;
  if (watch->current.paint_end == 0)
    watch->current.paint_end = watch->current.layout_end;
  watch->last = watch->current;
  watch->frames++;
}

static void
watch_frames (FrameWatch *watch,
              GtkWidget  *window)
{
  memset (watch, 0, sizeof *watch);
  watch->clock = gtk_widget_get_frame_clock (window);
  g_assert_nonnull (watch->clock);
  /* Connected after GDK's own handlers: each marks the end of its phase. */
  g_signal_connect (watch->clock, "before-paint", G_CALLBACK (on_before_paint), watch);
  g_signal_connect (watch->clock, "layout", G_CALLBACK (on_layout), watch);
  g_signal_connect (watch->clock, "paint", G_CALLBACK (on_paint), watch);
  g_signal_connect (watch->clock, "after-paint", G_CALLBACK (on_after_paint), watch);
}

static void
unwatch_frames (FrameWatch *watch)
{
  g_signal_handlers_disconnect_by_data (watch->clock, watch);
}

static gboolean
wake_up (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* The waits below block in the main loop; this wakes it up now and then,
 * so that they notice their deadline when nothing else happens. */
static void
ensure_wake_ups (void)
{
  static guint id;

  if (id == 0)
    id = g_timeout_add (100, wake_up, NULL);
}

/* Runs the main loop until a frame in which the view drew a graph for the
 * `draws`-th time or more has been painted. */
static void
wait_for_view_frame (FrameWatch *watch,
                     guint       draws)
{
  gint64 deadline = g_get_monotonic_time () + PAINT_TIMEOUT_USEC;

  ensure_wake_ups ();
  while (watch->frames == 0 || watch->last.view_draws < draws)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("no frame drew the graph view within %d s", (int) (PAINT_TIMEOUT_USEC / G_USEC_PER_SEC));
      /* Blocks until the next source: the frame clock's timeout at worst. */
      g_main_context_iteration (NULL, TRUE);
    }
}

/* Runs the main loop until no frame has been painted for QUIET_USEC (the
 * glide after a new layout is over, the frame clock is idle). FALSE if the
 * window kept painting for MAX_QUIET_WAIT_USEC. */
static gboolean
wait_until_quiet (FrameWatch *watch)
{
  gint64 start = g_get_monotonic_time (), now;

  for (;;)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      now = g_get_monotonic_time ();
      if (now - MAX (watch->last.end, start) >= QUIET_USEC)
        return TRUE;
      if (now - start >= MAX_QUIET_WAIT_USEC)
        return FALSE;
      g_usleep (500);
    }
}

/* ---- figures ---- */

static GArray *
new_figures (void)
{
  return g_array_new (FALSE, FALSE, sizeof (double));
}

static void
add_ms (GArray *values,
        gint64  usec)
{
  double ms = usec / 1000.0;

  g_array_append_val (values, ms);
}

/* ---- gui-step ---- */

/* Where the time of an activation goes: the player notifies "position"
 * once its cursor has stepped (the decode step); the window's handler shows
 * the step (graph, labels, timeline position, inspector); then "length"
 * (the timeline's history, the actions). "notify" takes no emission hooks,
 * so the player class's dispatch_properties_changed is wrapped: it brackets
 * the whole emission of notify::position. */
static void (*player_dispatch_parent) (GObject *object, guint n_pspecs, GParamSpec **pspecs);
static RsPlayer *watched_player;
static gint64    position_start;  /* before any notify::position handler */
static gint64    position_end;    /* after all of them */

static void
timing_player_dispatch (GObject     *object,
                        guint        n_pspecs,
                        GParamSpec **pspecs)
{
  gboolean position = FALSE;

  for (guint i = 0; i < n_pspecs; i++)
    position |= g_str_equal (pspecs[i]->name, "position");
  position &= object == (GObject *) watched_player;
  if (position && position_start == 0)
    position_start = g_get_monotonic_time ();
  player_dispatch_parent (object, n_pspecs, pspecs);
  if (position)
    position_end = g_get_monotonic_time ();
}

static void
time_player_position (RsPlayer *player)
{
  GObjectClass *klass;

  watched_player = player;
  if (player_dispatch_parent != NULL)
    return;
  klass = g_type_class_ref (RS_TYPE_PLAYER);
  player_dispatch_parent = klass->dispatch_properties_changed;
  klass->dispatch_properties_changed = timing_player_dispatch;
}

static RsWindow *
new_window_on_sample (const char *sample,
                      FrameWatch *frames)
{
  RsWindow *window = g_object_ref (rs_window_new (NULL));

  gtk_window_present (GTK_WINDOW (window));
  watch_frames (frames, GTK_WIDGET (window));
  g_assert_true (rs_window_open (window, sample, NULL));
  return window;
}

static void
close_window (RsWindow   *window,
              FrameWatch *frames)
{
  unwatch_frames (frames);
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_object_unref (window);
}

typedef struct {
  GArray *total, *act, *decode, *show, *rest, *wait, *layout, *paint, *view, *tail;
  GArray *cpu, *update, *raster;  /* diagnostics, measured after the step's frame */
  guint   layouts;
  guint   not_quiet;
} StepFigures;

static void
step_figures_init (StepFigures *f)
{
  f->total = new_figures ();
  f->act = new_figures ();
  f->decode = new_figures ();
  f->show = new_figures ();
  f->rest = new_figures ();
  f->wait = new_figures ();
  f->layout = new_figures ();
  f->paint = new_figures ();
  f->view = new_figures ();
  f->tail = new_figures ();
  f->cpu = new_figures ();
  f->update = new_figures ();
  f->raster = new_figures ();
  f->layouts = 0;
  f->not_quiet = 0;
}

static void
step_figures_clear (StepFigures *f)
{
  GArray **all[] = { &f->total, &f->act, &f->decode, &f->show, &f->rest, &f->wait,
                     &f->layout, &f->paint, &f->view, &f->tail, &f->cpu, &f->update, &f->raster };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    g_clear_pointer (all[i], g_array_unref);
}

/* The graph's part of a step, apart: the same snapshots given to a view of
 * its own (not shown), which diffs, builds, lays out when the topology
 * changed, and records the drawing, as the window's view just did. */
static gint64
time_graph_update (RsGraphView *shadow,
                   RsPlayer    *player)
{
  gint64 start = g_get_monotonic_time ();

  g_assert_true (rs_graph_view_set_snapshot (shadow, rs_player_get_snapshot (player),
                                             rs_player_get_previous (player), NULL));
  return g_get_monotonic_time () - start;
}

/* Rasterizing the part of the graph the view shows (its recording, at the
 * view's zoom) into an image the size of the view, as the frame does. */
static gint64
time_graph_raster (RsGraphView *view)
{
  int width = gtk_widget_get_width (GTK_WIDGET (view));
  int height = gtk_widget_get_height (GTK_WIDGET (view));
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cairo_t *cr = cairo_create (surface);
  double x, y;
  gint64 start = g_get_monotonic_time (), usec;

  rs_graph_view_to_widget (view, 0, 0, &x, &y);
  cairo_translate (cr, x, y);
  cairo_scale (cr, rs_graph_view_get_zoom (view), rs_graph_view_get_zoom (view));
  rs_render_draw (rs_graph_view_get_render (view), cr);
  cairo_surface_flush (surface);
  usec = g_get_monotonic_time () - start;
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return usec;
}

/* Steps `n` times; with `quiet`, waits for an idle window before each step
 * (a step at a time), else steps as soon as the previous one is on screen
 * (the key held down). */
static void
run_steps (RsWindow    *window,
           FrameWatch  *frames,
           guint        n,
           gboolean     quiet,
           RsGraphView *shadow,
           StepFigures *f)
{
  RsGraphView *view = rs_window_get_graph_view (window);

  time_player_position (rs_window_get_player (window));

  for (guint i = 0; i < n; i++)
    {
      guint draws, layouts;
      gint64 start, activated, cpu_start;
      Frame *frame = &frames->last;

      if (quiet && !wait_until_quiet (frames))
        f->not_quiet++;
      draws = view_draws;
      position_start = position_end = 0;

      cpu_start = bench_cpu_usec (CLOCK_THREAD_CPUTIME_ID);
      start = g_get_monotonic_time ();
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL));
      activated = g_get_monotonic_time ();
      g_assert_cmpint (position_start, !=, 0);
      g_assert_cmpint (position_end, !=, 0);
      wait_for_view_frame (frames, draws + 1);
      add_ms (f->cpu, bench_cpu_usec (CLOCK_THREAD_CPUTIME_ID) - cpu_start);

      add_ms (f->total, frame->end - start);
      add_ms (f->act, activated - start);
      add_ms (f->decode, position_start - start);
      add_ms (f->show, position_end - position_start);
      add_ms (f->rest, activated - position_end);
      /* A frame that began during the activation (a glide's) counts from
       * the activation's end. */
      add_ms (f->wait, MAX (frame->start - activated, 0));
      add_ms (f->layout, frame->layout_end - MAX (frame->start, activated));
      add_ms (f->paint, frame->paint_end - frame->layout_end);
      add_ms (f->view, frame->view_usec);
      add_ms (f->tail, frame->end - frame->paint_end);
      if (shadow != NULL)
        {
          layouts = rs_render_get_n_layouts (rs_graph_view_get_render (shadow));
          add_ms (f->update, time_graph_update (shadow, rs_window_get_player (window)));
          if (rs_render_get_n_layouts (rs_graph_view_get_render (shadow)) != layouts)
            f->layouts++;
          add_ms (f->raster, time_graph_raster (view));
        }
    }
  watched_player = NULL;
}

/* The paint phase of a frame in which only `widget` was redrawn, median of
 * `n`: what drawing that part of the window costs. */
static double
redraw_paint_ms (FrameWatch *frames,
                 GtkWidget  *widget,
                 guint       n)
{
  g_autoptr(GArray) paint = new_figures ();

  for (guint i = 0; i < n; i++)
    {
      guint count;
      gint64 deadline = g_get_monotonic_time () + PAINT_TIMEOUT_USEC;

      wait_until_quiet (frames);
      ensure_wake_ups ();
      count = frames->frames;
      gtk_widget_queue_draw (widget);
      while (frames->frames == count)
        {
          if (g_get_monotonic_time () > deadline)
            g_error ("no frame within %d s of redrawing a %s", (int) (PAINT_TIMEOUT_USEC / G_USEC_PER_SEC),
                     G_OBJECT_TYPE_NAME (widget));
          g_main_context_iteration (NULL, TRUE);
        }
      add_ms (paint, frames->last.paint_end - frames->last.layout_end);
    }
  return bench_percentile (paint, 0.5);
}

static void
bench_gui_step (const char *sample)
{
  FrameWatch frames;
  RsWindow *window;
  RsGraphView *view;
  RsGraphView *shadow;
  StepFigures spaced, held;
  double redraw_view, redraw_timeline, redraw_inspector;
  double p95, w, h;
  int width, height;

  count_view_draws ();
  window = new_window_on_sample (sample, &frames);
  view = rs_window_get_graph_view (window);
  wait_for_view_frame (&frames, view_draws + 1);
  wait_until_quiet (&frames);
  /* A few steps first: the first drawings load fonts and fill caches. */
  for (int i = 0; i < 5; i++)
    {
      guint draws = view_draws;

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL));
      wait_for_view_frame (&frames, draws + 1);
      wait_until_quiet (&frames);
    }

  /* The view of the diagnostics starts from the step shown. */
  shadow = g_object_ref_sink (RS_GRAPH_VIEW (rs_graph_view_new ()));
  rs_graph_view_set_legend (shadow, rs_graph_view_get_legend (view));
  time_graph_update (shadow, rs_window_get_player (window));

  step_figures_init (&spaced);
  run_steps (window, &frames, STEPS, TRUE, shadow, &spaced);
  step_figures_init (&held);
  run_steps (window, &frames, HELD_STEPS, FALSE, NULL, &held);
  g_object_unref (shadow);
  redraw_view = redraw_paint_ms (&frames, GTK_WIDGET (view), 30);
  redraw_timeline = redraw_paint_ms (&frames, GTK_WIDGET (rs_window_get_timeline (window)), 30);
  redraw_inspector = redraw_paint_ms (&frames, GTK_WIDGET (rs_window_get_inspector (window)), 30);

  rs_render_get_size (rs_graph_view_get_render (view), &w, &h);
  width = gtk_widget_get_width (GTK_WIDGET (view));
  height = gtk_widget_get_height (GTK_WIDGET (view));
  p95 = bench_percentile (spaced.total, 0.95);
  g_print ("bench: gui-step p50_ms=%.2f p95_ms=%.2f steps=%u goal_p95<=16 ratio=%.3f max_ms=%.2f "
           "layouts=%u/%u act_p50_ms=%.2f act_p95_ms=%.2f "
           "mean_ms: decode=%.2f show_step=%.2f length_and_actions=%.2f wait_for_frame=%.2f "
           "frame_layout=%.2f frame_paint=%.2f of_which_view_snapshot_vfunc=%.2f after_paint=%.2f "
           "p95_ms: decode=%.2f show_step=%.2f frame_paint=%.2f view_snapshot_vfunc=%.2f "
           "cpu_p50_ms=%.2f cpu_p95_ms=%.2f apart: graph_update_mean_ms=%.2f graph_update_p95_ms=%.2f "
           "graph_raster_mean_ms=%.2f graph_raster_p95_ms=%.2f "
           "redraw_only_paint_ms: graph_view=%.2f timeline=%.2f inspector=%.2f "
           "held_p50_ms=%.2f held_p95_ms=%.2f held_steps=%u not_quiet=%u "
           "view=%dx%d graph=%.0fx%.0f zoom=%.2f\n",
           bench_percentile (spaced.total, 0.5), p95, STEPS, p95 / 16, bench_percentile (spaced.total, 1.0),
           spaced.layouts, STEPS, bench_percentile (spaced.act, 0.5), bench_percentile (spaced.act, 0.95),
           bench_mean (spaced.decode), bench_mean (spaced.show), bench_mean (spaced.rest), bench_mean (spaced.wait),
           bench_mean (spaced.layout), bench_mean (spaced.paint), bench_mean (spaced.view), bench_mean (spaced.tail),
           bench_percentile (spaced.decode, 0.95), bench_percentile (spaced.show, 0.95),
           bench_percentile (spaced.paint, 0.95), bench_percentile (spaced.view, 0.95),
           bench_percentile (spaced.cpu, 0.5), bench_percentile (spaced.cpu, 0.95),
           bench_mean (spaced.update), bench_percentile (spaced.update, 0.95),
           bench_mean (spaced.raster), bench_percentile (spaced.raster, 0.95),
           redraw_view, redraw_timeline, redraw_inspector,
           bench_percentile (held.total, 0.5), bench_percentile (held.total, 0.95), HELD_STEPS,
           spaced.not_quiet + held.not_quiet, width, height, w, h,
           rs_graph_view_get_zoom (view));
  step_figures_clear (&spaced);
  step_figures_clear (&held);
  close_window (window, &frames);
}

/* ---- startup ---- */

/* The child: the application as `refscope SAMPLE` runs it; prints the times
 * (CLOCK_MONOTONIC, µs) of its stages and quits after the first frame in
 * which the graph view drew a graph. */
typedef struct {
  GApplication *application;
  FrameWatch    frames;
  gint64        main, startup, activate, window, realize, opened, first_frame, painted;
} Child;

static void
on_child_after_paint (GdkFrameClock *clock,
                      Child         *child)
{
  gint64 now = g_get_monotonic_time ();

  if (child->first_frame == 0)
    child->first_frame = now;
  if (child->painted != 0 || view_draws == 0)
    return;
  child->painted = now;
  g_print ("startup-child main=%" G_GINT64_FORMAT " startup=%" G_GINT64_FORMAT
           " activate=%" G_GINT64_FORMAT " window=%" G_GINT64_FORMAT " realize=%" G_GINT64_FORMAT
           " opened=%" G_GINT64_FORMAT " first_frame=%" G_GINT64_FORMAT " painted=%" G_GINT64_FORMAT
           " cpu=%" G_GINT64_FORMAT "\n",
           child->main, child->startup, child->activate, child->window, child->realize,
           child->opened, child->first_frame, child->painted, bench_cpu_usec (CLOCK_PROCESS_CPUTIME_ID));
  g_application_quit (child->application);
}

static void
on_child_realize (GtkWidget *window,
                  Child     *child)
{
  child->realize = g_get_monotonic_time ();
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (on_child_after_paint), child);
}

/* After the window's handler: the file is open and its first step shown. */
static void
on_child_session_changed (RsPlayer *player,
                          Child    *child)
{
  if (child->opened == 0)
    child->opened = g_get_monotonic_time ();
}

static void
on_child_window_added (GtkApplication *application,
                       GtkWindow      *window,
                       Child          *child)
{
  if (child->window != 0)
    return;
  child->window = g_get_monotonic_time ();
  g_signal_connect (window, "realize", G_CALLBACK (on_child_realize), child);
  g_signal_connect (rs_window_get_player (RS_WINDOW (window)), "session-changed",
                    G_CALLBACK (on_child_session_changed), child);
}

static void
on_child_startup (GApplication *application,
                  Child        *child)
{
  child->startup = g_get_monotonic_time ();
  count_view_draws ();
}

static void
on_child_activate (GApplication *application,
                   Child        *child)
{
  child->activate = g_get_monotonic_time ();
}

static int
startup_child (const char *sample,
               char       *program)
{
  Child child = { 0 };
  g_autoptr(RsApplication) application = NULL;
  char *args[] = { program, NULL };
  int status;

  child.main = g_get_monotonic_time ();
  application = rs_application_new (sample, NULL, 0, 0);
  child.application = G_APPLICATION (application);
  /* After the class handler (GTK initialised, rs_ui_init done). */
  g_signal_connect_after (application, "startup", G_CALLBACK (on_child_startup), &child);
  /* Before the class handler, which makes the window. */
  g_signal_connect (application, "activate", G_CALLBACK (on_child_activate), &child);
  g_signal_connect (application, "window-added", G_CALLBACK (on_child_window_added), &child);
  status = g_application_run (G_APPLICATION (application), 1, args);
  if (child.painted == 0)
    {
      g_printerr ("startup-child: the application quit before drawing a graph\n");
      return 1;
    }
  return status;
}

static gint64
parse_field (const char *line,
             const char *name)
{
  g_autofree char *key = g_strdup_printf (" %s=", name);
  const char *at = strstr (line, key);

  g_assert_nonnull (at);
  return g_ascii_strtoll (at + strlen (key), NULL, 10);
}

static double
median_of (double *values,
           guint   n)
{
  qsort (values, n, sizeof (double), bench_compare_double);
  return values[n / 2];
}

/* A fresh window in this (warm) process: from rs_window_new() to the
 * after-paint of the first frame the graph view drew in. */
static double
warm_window_ms (const char *sample)
{
  FrameWatch frames;
  RsWindow *window;
  gint64 start = g_get_monotonic_time ();
  guint draws = view_draws;
  double ms;

  window = new_window_on_sample (sample, &frames);
  wait_for_view_frame (&frames, draws + 1);
  ms = (frames.last.end - start) / 1000.0;
  close_window (window, &frames);
  return ms;
}

static void
bench_startup (const char *sample)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  double total[STARTUP_RUNS], to_main[STARTUP_RUNS], to_startup[STARTUP_RUNS], to_window[STARTUP_RUNS];
  double to_realize[STARTUP_RUNS], to_opened[STARTUP_RUNS], to_first_frame[STARTUP_RUNS];
  double cpu[STARTUP_RUNS], warm[STARTUP_RUNS];
  double first_frame_has_graph = 0;

  g_assert_nonnull (self);
  for (int i = 0; i < STARTUP_RUNS; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      const char *argv[] = { self, "startup-child", sample, NULL };
      const char *line;
      gint64 spawned;
      int status;

      spawned = g_get_monotonic_time ();
      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                   &out, NULL, &status, &error));
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, &error));
      g_assert_no_error (error);
      line = strstr (out, "startup-child ");
      g_assert_nonnull (line);
      total[i] = (parse_field (line, "painted") - spawned) / 1000.0;
      to_main[i] = (parse_field (line, "main") - spawned) / 1000.0;
      to_startup[i] = (parse_field (line, "startup") - spawned) / 1000.0;
      to_window[i] = (parse_field (line, "window") - spawned) / 1000.0;
      to_realize[i] = (parse_field (line, "realize") - spawned) / 1000.0;
      to_opened[i] = (parse_field (line, "opened") - spawned) / 1000.0;
      to_first_frame[i] = (parse_field (line, "first_frame") - spawned) / 1000.0;
      cpu[i] = parse_field (line, "cpu") / 1000.0;
      if (parse_field (line, "first_frame") == parse_field (line, "painted"))
        first_frame_has_graph++;
    }

  /* For comparison: fresh windows in a process that has drawn one. */
  gtk_init ();
  adw_init ();
  rs_ui_init ();
  count_view_draws ();
  warm_window_ms (sample);
  for (int i = 0; i < STARTUP_RUNS; i++)
    warm[i] = warm_window_ms (sample);

  {
    double ms = median_of (total, STARTUP_RUNS);
    double min = total[0], max = total[STARTUP_RUNS - 1];

    g_print ("bench: startup ms=%.1f goal<=500 ratio=%.3f runs=%d min_ms=%.1f max_ms=%.1f "
             "measured=spawn-to-after-paint-of-first-graph-frame,fresh-process-running-RsApplication,median "
             "median_ms_to: main=%.1f app_startup=%.1f window_made=%.1f realized=%.1f "
             "file_open_and_step_0_shown=%.1f first_frame=%.1f "
             "child_cpu_ms=%.1f first_frame_has_graph=%.0f/%d warm_window_ms=%.1f\n",
             ms, ms / 500, STARTUP_RUNS, min, max,
             median_of (to_main, STARTUP_RUNS), median_of (to_startup, STARTUP_RUNS),
             median_of (to_window, STARTUP_RUNS), median_of (to_realize, STARTUP_RUNS),
             median_of (to_opened, STARTUP_RUNS), median_of (to_first_frame, STARTUP_RUNS),
             median_of (cpu, STARTUP_RUNS),
             first_frame_has_graph, STARTUP_RUNS, median_of (warm, STARTUP_RUNS));
  }
}

int
main (int   argc,
      char *argv[])
{
  av_log_set_level (AV_LOG_ERROR);
  if (argc != 3)
    {
      g_printerr ("usage: %s gui-step|startup SAMPLE\n", argv[0]);
      return 2;
    }
  if (g_str_equal (argv[1], "startup-child"))
    return startup_child (argv[2], argv[0]);
  if (g_str_equal (argv[1], "startup"))
    bench_startup (argv[2]);
  else if (g_str_equal (argv[1], "gui-step"))
    {
      gtk_init ();
      adw_init ();
      rs_ui_init ();
      bench_gui_step (argv[2]);
    }
  else
    return 2;
  return 0;
}
