/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Benchmarks of the ownership graph: step to pixels, layout speed against
 * the `dot` program, layout stability (DESIGN.md sections 4, 5 and 10). Each
 * prints one `bench:` line with its figures and the goal it is judged by.
 *
 *   bench-graph step-latency CLIP        every step of a default session:
 *                                        diff, graph, layout when needed, draw
 *   bench-graph step-latency-1000 CLIP   the same at about 1,000 nodes
 *   bench-graph render-vs-dot CLIP       in-process layout + SVG vs `dot -Tsvg`
 *   bench-graph layout-stability CLIP... how many persisting nodes move per
 *                                        step, and the drawing's height/width
 *                                        (RS_BENCH_VERBOSE=1: which nodes moved,
 *                                        on stderr)
 */
#include <cairo.h>
#include <glib/gstdio.h>
#include <libavutil/log.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "bench-figures.h"
#include "rs-decode-session.h"
#include "rs-diff.h"
#include "rs-graph.h"
#include "rs-render.h"

/* The canvas a step is painted on, zoomed like the window's default view
 * (ui/rs-graph-view.c, "readable" fit): the whole graph if that leaves it
 * readable, else its width at most 1:1, scrolled to the top. */
#define CANVAS_WIDTH  1600
#define CANVAS_HEIGHT 1200
#define VIEW_MARGIN   24.0
#define READABLE_ZOOM 0.8
#define FIT_MAX_ZOOM  1.25

static double
view_zoom (double width,
           double height)
{
  double width_zoom = (CANVAS_WIDTH - 2 * VIEW_MARGIN) / MAX (width, 1);
  double zoom = MIN (width_zoom, (CANVAS_HEIGHT - 2 * VIEW_MARGIN) / MAX (height, 1));

  if (zoom < READABLE_ZOOM)
    return CLAMP (MIN (width_zoom, 1.0), 0.1, FIT_MAX_ZOOM);
  return CLAMP (zoom, 0.1, FIT_MAX_ZOOM);
}

static RsDecodeSession *
open_session (const char        *path,
              int                packet_queue,
              int                frame_queue,
              RsStreamSelection  streams)
{
  g_autoptr(GError) error = NULL;
  RsDecodeSettings settings;
  RsDecodeSession *session;

  rs_decode_settings_init (&settings);
  if (packet_queue > 0)
    settings.packet_queue = packet_queue;
  if (frame_queue > 0)
    settings.frame_queue = frame_queue;
  settings.streams = streams;
  session = rs_decode_session_new (path, &settings, &error);
  g_assert_no_error (error);
  return session;
}

/* Nodes the snapshot asks for before folding: handles, live buffers, ghosts
 * (what rs_graph_build() compares with the fold threshold, less holders). */
static guint
count_elements (RsSnapshot *snapshot,
                RsDiff     *diff)
{
  return rs_snapshot_get_n_handles (snapshot) + rs_snapshot_get_n_buffers (snapshot) +
         (diff != NULL ? rs_diff_get_n_removed_buffers (diff) : 0);
}

typedef struct {
  cairo_surface_t *canvas;
  double build_ms, show_ms, paint_ms;   /* the phases of the last step */
  double cpu_ms;                        /* the last step's CPU time: less noisy on a busy machine */
} Stepper;

static void
stepper_init (Stepper *st)
{
  st->canvas = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, CANVAS_WIDTH, CANVAS_HEIGHT);
}

static void
stepper_clear (Stepper *st)
{
  cairo_surface_destroy (st->canvas);
}

/* One step to pixels: diff with the step before, graph, layout when the
 * topology changed, paint onto the canvas. Returns milliseconds. */
static double
step_to_pixels (Stepper              *st,
                RsRender             *render,
                RsSnapshot           *previous,
                RsSnapshot           *snapshot,
                const RsGraphOptions *options)
{
  g_autoptr(GError) error = NULL;
  gint64 t0, t1, t2, t3;
  RsGraph *graph;
  double width = 0, height = 0, scale;
  cairo_t *cr;
  gint64 cpu0 = bench_cpu_usec (CLOCK_THREAD_CPUTIME_ID);

  t0 = g_get_monotonic_time ();
  {
    g_autoptr(RsDiff) diff = rs_diff_new (previous, snapshot);

    graph = rs_graph_build (snapshot, diff, options);
  }
  t1 = g_get_monotonic_time ();
  g_assert_true (rs_render_set_graph (render, graph, &error));
  g_assert_no_error (error);
  t2 = g_get_monotonic_time ();

  rs_render_get_size (render, &width, &height);
  scale = view_zoom (width, height);
  cr = cairo_create (st->canvas);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_translate (cr, (CANVAS_WIDTH - width * scale) / 2, VIEW_MARGIN);
  cairo_scale (cr, scale, scale);
  rs_render_draw (render, cr);
  cairo_destroy (cr);
  cairo_surface_flush (st->canvas);
  t3 = g_get_monotonic_time ();

  st->build_ms = (t1 - t0) / 1e3;
  st->show_ms = (t2 - t1) / 1e3;
  st->paint_ms = (t3 - t2) / 1e3;
  st->cpu_ms = (bench_cpu_usec (CLOCK_THREAD_CPUTIME_ID) - cpu0) / 1e3;
  return (t3 - t0) / 1e3;
}

static void
bench_step_latency (const char *path)
{
  g_autoptr(RsDecodeSession) session = open_session (path, 0, 0, RS_STREAMS_BEST);
  g_autoptr(RsRender) render = rs_render_new ();
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) layout_times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) reuse_times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) cpu_times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GError) error = NULL;
  RsSnapshot *previous = NULL, *snapshot;
  double build = 0, show = 0, paint = 0;
  double width, height, max_width = 0, max_height = 0;
  guint max_nodes = 0;
  Stepper st;

  stepper_init (&st);
  while ((snapshot = rs_session_step (RS_SESSION (session), &error)) != NULL)
    {
      guint layouts = rs_render_get_n_layouts (render);
      double ms = step_to_pixels (&st, render, previous, snapshot, NULL);

      g_array_append_val (times, ms);
      g_array_append_val (cpu_times, st.cpu_ms);
      if (rs_render_get_n_layouts (render) != layouts)
        g_array_append_val (layout_times, ms);
      else
        g_array_append_val (reuse_times, ms);
      build += st.build_ms;
      show += st.show_ms;
      paint += st.paint_ms;
      max_nodes = MAX (max_nodes, rs_graph_get_n_nodes (rs_render_get_graph (render)));
      rs_render_get_size (render, &width, &height);
      max_width = MAX (max_width, width);
      max_height = MAX (max_height, height);
      previous = snapshot;
    }
  g_assert_no_error (error);
  stepper_clear (&st);

  g_print ("bench: step-latency p50_ms=%.2f p95_ms=%.2f nodes=%u layouts=%u/%u goal_p95<=16 ratio=%.3f "
           "max_ms=%.2f mean_build_ms=%.2f mean_layout_or_relabel_ms=%.2f mean_paint_ms=%.2f "
           "p95_layout_steps_ms=%.2f p95_reuse_steps_ms=%.2f cpu_p50_ms=%.2f cpu_p95_ms=%.2f max_size=%.0fx%.0f\n",
           bench_percentile (times, 0.5), bench_percentile (times, 0.95), max_nodes,
           rs_render_get_n_layouts (render), times->len, bench_percentile (times, 0.95) / 16,
           bench_percentile (times, 1.0), build / times->len, show / times->len, paint / times->len,
           bench_percentile (layout_times, 0.95), bench_percentile (reuse_times, 0.95),
           bench_percentile (cpu_times, 0.5), bench_percentile (cpu_times, 0.95), max_width, max_height);
}

/* Deep queues on both streams: the sample's snapshots grow to about 1,000
 * nodes (handles and buffers; most are queue slots, and most slots are
 * empty, so the drawn graph folds them into far fewer nodes). */
#define BIG_PACKET_QUEUE 320
#define BIG_FRAME_QUEUE  64
#define BIG_MIN_ELEMENTS 900
#define BIG_SAMPLE       50
#define BIG_UNFOLDED     8

typedef struct {
  GArray *times, *cpu_times, *nodes;
  guint   layouts;
  double  build, show, paint;
} Run;

/* Steps `snapshots` (each with the one before it) through one render, as
 * when a user steps through the session; the first step only warms it. */
static void
run_steps (GPtrArray            *snapshots,
           guint                 n,
           const RsGraphOptions *options,
           Run                  *run)
{
  g_autoptr(RsRender) render = rs_render_new ();
  Stepper st;

  stepper_init (&st);
  run->times = g_array_new (FALSE, FALSE, sizeof (double));
  run->cpu_times = g_array_new (FALSE, FALSE, sizeof (double));
  run->nodes = g_array_new (FALSE, FALSE, sizeof (double));
  step_to_pixels (&st, render, NULL, g_ptr_array_index (snapshots, 0), options);
  for (guint i = 1; i < MIN (n, snapshots->len); i++)
    {
      guint before = rs_render_get_n_layouts (render);
      double ms = step_to_pixels (&st, render, g_ptr_array_index (snapshots, i - 1),
                                  g_ptr_array_index (snapshots, i), options);
      double count = rs_graph_get_n_nodes (rs_render_get_graph (render));

      g_array_append_val (run->times, ms);
      g_array_append_val (run->cpu_times, st.cpu_ms);
      g_array_append_val (run->nodes, count);
      run->layouts += rs_render_get_n_layouts (render) - before;
      run->build += st.build_ms;
      run->show += st.show_ms;
      run->paint += st.paint_ms;
    }
  stepper_clear (&st);
}

static void
run_clear (Run *run)
{
  g_array_unref (run->times);
  g_array_unref (run->cpu_times);
  g_array_unref (run->nodes);
}

static void
bench_step_latency_1000 (const char *path)
{
  g_autoptr(RsDecodeSession) session = open_session (path, BIG_PACKET_QUEUE, BIG_FRAME_QUEUE, RS_STREAMS_BEST);
  g_autoptr(GPtrArray) sample = g_ptr_array_new ();
  g_autoptr(GArray) elements = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GError) error = NULL;
  RsSnapshot *previous = NULL, *snapshot;
  RsGraphOptions unfolded;
  Run folded_run = { 0 }, unfolded_run = { 0 };
  guint n;

  /* The step before the first one at BIG_MIN_ELEMENTS nodes or more, then
   * BIG_SAMPLE consecutive steps at that size (snapshots live in the
   * session's history). */
  while (sample->len <= BIG_SAMPLE &&
         (snapshot = rs_session_step (RS_SESSION (session), &error)) != NULL)
    {
      g_autoptr(RsDiff) diff = rs_diff_new (previous, snapshot);
      double count = count_elements (snapshot, diff);

      if (count >= BIG_MIN_ELEMENTS)
        {
          if (sample->len == 0)
            g_ptr_array_add (sample, previous);
          g_ptr_array_add (sample, snapshot);
          g_array_append_val (elements, count);
        }
      previous = snapshot;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (sample->len, >, 1);

  run_steps (sample, sample->len, NULL, &folded_run);
  /* The same steps without folding: what a graph of that many drawn
   * nodes costs (a few steps only: they are slow). */
  rs_graph_options_init (&unfolded);
  unfolded.fold_threshold = G_MAXUINT;
  run_steps (sample, BIG_UNFOLDED + 1, &unfolded, &unfolded_run);

  n = folded_run.times->len;
  g_print ("bench: step-latency-1000 p95_ms=%.2f nodes=%.0f goal_p95<=100 ratio=%.3f p50_ms=%.2f "
           "elements=%.0f steps=%u layouts=%u mean_build_ms=%.2f mean_layout_or_relabel_ms=%.2f "
           "mean_paint_ms=%.2f cpu_p95_ms=%.2f unfolded_p95_ms=%.2f unfolded_nodes=%.0f unfolded_steps=%u\n",
           bench_percentile (folded_run.times, 0.95), bench_percentile (folded_run.nodes, 0.5),
           bench_percentile (folded_run.times, 0.95) / 100, bench_percentile (folded_run.times, 0.5),
           bench_percentile (elements, 0.5), n, folded_run.layouts,
           folded_run.build / n, folded_run.show / n, folded_run.paint / n,
           bench_percentile (folded_run.cpu_times, 0.95), bench_percentile (unfolded_run.times, 0.95),
           bench_percentile (unfolded_run.nodes, 0.5), unfolded_run.times->len);
  run_clear (&folded_run);
  run_clear (&unfolded_run);
}

/* A step of the default session with a frame in the frame queue, reference
 * pictures in the decoder and packets queued: the step the screenshots show. */
#define DOT_STEP 100
#define DOT_RUNS 20

static void
bench_render_vs_dot (const char *path)
{
  g_autoptr(RsDecodeSession) session = open_session (path, 0, 0, RS_STREAMS_BEST);
  g_autoptr(GArray) inproc = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) external = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GError) error = NULL;
  g_autofree char *dot_program = g_find_program_in_path ("dot");
  g_autofree char *dot_text = NULL;
  g_autofree char *dot_path = NULL;
  RsSnapshot *previous = NULL, *snapshot = NULL;
  gsize dot_length = 0, svg_length = 0;
  guint nodes = 0;
  int fd;

  for (guint i = 0; i <= DOT_STEP; i++)
    {
      previous = snapshot;
      snapshot = rs_session_step (RS_SESSION (session), &error);
      g_assert_no_error (error);
      g_assert_nonnull (snapshot);
    }

  {
    g_autoptr(RsDiff) diff = rs_diff_new (previous, snapshot);
    g_autoptr(RsGraph) graph = rs_graph_build (snapshot, diff, NULL);

    nodes = rs_graph_get_n_nodes (graph);
    dot_text = rs_graph_to_dot (graph, &dot_length, &error);
    g_assert_no_error (error);
  }
  fd = g_file_open_tmp ("bench-graph-XXXXXX.dot", &dot_path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (dot_path, dot_text, dot_length, &error));

  /* Interleaved, so drift in the machine hits both sides alike. */
  for (int run = 0; run < DOT_RUNS; run++)
    {
      gint64 t0 = g_get_monotonic_time ();
      double ms;

      {
        g_autoptr(RsDiff) diff = rs_diff_new (previous, snapshot);
        g_autoptr(RsRender) render = rs_render_new ();
        g_autoptr(GBytes) svg = NULL;

        g_assert_true (rs_render_set_graph (render, rs_graph_build (snapshot, diff, NULL), &error));
        svg = rs_render_to_bytes (render, "svg", &error);
        g_assert_no_error (error);
        svg_length = g_bytes_get_size (svg);
      }
      ms = (g_get_monotonic_time () - t0) / 1e3;
      g_array_append_val (inproc, ms);

      if (dot_program != NULL)
        {
          const char *argv[] = { dot_program, "-Tsvg", "-o", "/dev/null", dot_path, NULL };
          int status = 0;

          t0 = g_get_monotonic_time ();
          g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                                       NULL, NULL, NULL, NULL, &status, &error));
          ms = (g_get_monotonic_time () - t0) / 1e3;
          g_assert_no_error (error);
          g_assert_true (g_spawn_check_wait_status (status, NULL));
          g_array_append_val (external, ms);
        }
    }
  g_unlink (dot_path);

  if (dot_program == NULL)
    {
      g_print ("bench: render-vs-dot ratio=nan inproc_ms=%.2f dot_ms=nan nodes=%u goal<1 (no dot program)\n",
               bench_percentile (inproc, 0.5), nodes);
      return;
    }
  g_print ("bench: render-vs-dot ratio=%.3f inproc_ms=%.2f dot_ms=%.2f nodes=%u step=%d svg_bytes=%zu goal<1\n",
           bench_percentile (inproc, 0.5) / bench_percentile (external, 0.5), bench_percentile (inproc, 0.5),
           bench_percentile (external, 0.5), nodes, DOT_STEP, svg_length);
}

/* Centres of the drawn nodes by name. */
static GHashTable *
node_centres (RsGraph *graph)
{
  GHashTable *centres = g_hash_table_new_full (NULL, NULL, NULL, g_free);

  for (guint i = 0; i < rs_graph_get_n_nodes (graph); i++)
    {
      const RsGraphNode *node = rs_graph_get_node (graph, i);
      double *centre = g_new (double, 2);

      centre[0] = node->x + node->width / 2;
      centre[1] = node->y + node->height / 2;
      g_hash_table_insert (centres, (gpointer) node->name, centre);   /* interned */
    }
  return centres;
}

/* The graph's part of a 1280×800 window with the inspector open (the
 * window of the screenshots, measured), in pixels = points at zoom 1. */
#define FIT_CANVAS_WIDTH  910.0
#define FIT_CANVAS_HEIGHT 615.0

/* A node "moved" when its centre moved more than this (points): what an eye
 * following it notices. */
#define MOVED_POINTS 1.0

typedef struct {
  GArray *moved_pct;   /* per step with persisting nodes: % of them that moved */
  GArray *aspect;      /* per step: drawing height / width */
  GArray *fit;         /* per step: the zoom "fit" gives on a 1280×800 window */
  GArray *times;       /* per step: update + draw, ms */
  guint   steps, layouts, over_half;
  guint64 persisting, moved;
} Stability;

/* Every step of a session with every stream it decodes (RS_STREAMS_ALL:
 * both audio tracks and the subtitles of streams.mkv), drawn as the window draws it (no
 * title, the default fold threshold): how many of the nodes present in both
 * steps moved, and the drawing's shape. */
static void
measure_stability (const char *path,
                   Stability  *st)
{
  g_autoptr(RsDecodeSession) session = open_session (path, 0, 0, RS_STREAMS_ALL);
  g_autoptr(RsRender) render = rs_render_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) before = NULL;
  RsSnapshot *previous = NULL, *snapshot;
  RsGraphOptions options;

  rs_graph_options_init (&options);
  options.no_title = TRUE;
  while ((snapshot = rs_session_step (RS_SESSION (session), &error)) != NULL)
    {
      g_autoptr(RsDiff) diff = rs_diff_new (previous, snapshot);
      gint64 t0 = g_get_monotonic_time ();
      GHashTable *after;
      GHashTableIter iter;
      gpointer name, centre;
      guint persisting = 0, moved = 0;
      double width, height, value;

      g_assert_true (rs_render_update (render, snapshot, diff, &options, &error));
      value = (g_get_monotonic_time () - t0) / 1e3;
      g_array_append_val (st->times, value);
      rs_render_get_size (render, &width, &height);
      value = height / MAX (width, 1);
      g_array_append_val (st->aspect, value);
      value = MIN (FIT_CANVAS_WIDTH / MAX (width, 1), FIT_CANVAS_HEIGHT / MAX (height, 1));
      g_array_append_val (st->fit, value);
      after = node_centres (rs_render_get_graph (render));
      g_hash_table_iter_init (&iter, after);
      while (before != NULL && g_hash_table_iter_next (&iter, &name, &centre))
        {
          const double *a = centre, *b = g_hash_table_lookup (before, name);

          if (b == NULL)
            continue;
          persisting++;
          moved += hypot (a[0] - b[0], a[1] - b[1]) > MOVED_POINTS;
          if (g_getenv ("RS_BENCH_VERBOSE") != NULL && hypot (a[0] - b[0], a[1] - b[1]) > MOVED_POINTS)
            g_printerr ("  %s %+.0f %+.0f\n", (const char *) name, a[0] - b[0], a[1] - b[1]);
        }
      if (persisting > 0)
        {
          value = 100.0 * moved / persisting;
          g_array_append_val (st->moved_pct, value);
          st->over_half += 2 * moved > persisting;
          if (g_getenv ("RS_BENCH_VERBOSE") != NULL && value > 3.0)
            g_printerr ("step %u: %u of %u nodes moved\n", rs_snapshot_get_step (snapshot), moved, persisting);
        }
      st->persisting += persisting;
      st->moved += moved;
      g_clear_pointer (&before, g_hash_table_unref);
      before = after;
      previous = snapshot;
      st->steps++;
    }
  g_assert_no_error (error);
  st->layouts += rs_render_get_n_layouts (render);
}

static double
mean (GArray *values)
{
  double sum = 0;

  for (guint i = 0; i < values->len; i++)
    sum += g_array_index (values, double, i);
  return values->len > 0 ? sum / values->len : 0;
}

/* One line per clip, then one for all of them together. */
static void
bench_layout_stability (char **paths,
                        int    n_paths)
{
  Stability all = { 0 };

  all.moved_pct = g_array_new (FALSE, FALSE, sizeof (double));
  all.aspect = g_array_new (FALSE, FALSE, sizeof (double));
  all.fit = g_array_new (FALSE, FALSE, sizeof (double));
  all.times = g_array_new (FALSE, FALSE, sizeof (double));
  for (int i = 0; i <= n_paths; i++)
    {
      Stability one = { 0 };
      g_autofree char *name = i < n_paths ? g_path_get_basename (paths[i]) : g_strdup ("all");
      Stability *st = i < n_paths ? &one : &all;

      if (i < n_paths)
        {
          one.moved_pct = g_array_new (FALSE, FALSE, sizeof (double));
          one.aspect = g_array_new (FALSE, FALSE, sizeof (double));
          one.fit = g_array_new (FALSE, FALSE, sizeof (double));
          one.times = g_array_new (FALSE, FALSE, sizeof (double));
          measure_stability (paths[i], &one);
        }
      g_print ("bench: layout-stability clip=%s moved_mean=%.2f%% max_step=%.1f%% over_half=%u "
               "aspect_median=%.2f fit_zoom_median=%.2f steps=%u layouts=%u moved_nodes=%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
               " p95_update_ms=%.2f goal: moved_mean<=3%% over_half=0 aspect_median<=1.0\n",
               name, mean (st->moved_pct), bench_percentile (st->moved_pct, 1.0), st->over_half,
               bench_percentile (st->aspect, 0.5), bench_percentile (st->fit, 0.5), st->steps, st->layouts, st->moved, st->persisting,
               bench_percentile (st->times, 0.95));
      if (i < n_paths)
        {
          g_array_append_vals (all.moved_pct, one.moved_pct->data, one.moved_pct->len);
          g_array_append_vals (all.aspect, one.aspect->data, one.aspect->len);
          g_array_append_vals (all.fit, one.fit->data, one.fit->len);
          g_array_append_vals (all.times, one.times->data, one.times->len);
          all.steps += one.steps;
          all.layouts += one.layouts;
          all.over_half += one.over_half;
          all.persisting += one.persisting;
          all.moved += one.moved;
          g_array_unref (one.moved_pct);
          g_array_unref (one.aspect);
          g_array_unref (one.fit);
          g_array_unref (one.times);
        }
    }
  g_array_unref (all.moved_pct);
  g_array_unref (all.aspect);
  g_array_unref (all.fit);
  g_array_unref (all.times);
}

int
main (int   argc,
      char *argv[])
{
  av_log_set_level (AV_LOG_ERROR);
  if (argc < 3 || (argc > 3 && !g_str_equal (argv[1], "layout-stability")))
    {
      g_printerr ("usage: %s step-latency|step-latency-1000|render-vs-dot CLIP\n"
                  "       %s layout-stability CLIP...\n", argv[0], argv[0]);
      return 2;
    }
  if (g_str_equal (argv[1], "step-latency"))
    bench_step_latency (argv[2]);
  else if (g_str_equal (argv[1], "step-latency-1000"))
    bench_step_latency_1000 (argv[2]);
  else if (g_str_equal (argv[1], "render-vs-dot"))
    bench_render_vs_dot (argv[2]);
  else if (g_str_equal (argv[1], "layout-stability"))
    bench_layout_stability (argv + 2, argc - 2);
  else
    return 2;
  return 0;
}
