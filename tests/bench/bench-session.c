/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Benchmarks of the decode session. Each prints `bench:` lines with its
 * figures and the ratio it is judged by (DESIGN.md section 10).
 *
 *   bench-session observe-overhead CLIP TRACE   traced (the trace written to the
 *                                               file TRACE, as --trace does) vs
 *                                               unobserved: medians of
 *                                               RS_BENCH_RUNS (15) interleaved pairs
 *   bench-session history CLIP                  memory the history holds per step
 *   bench-session observed CLIP TRACE           only the traced runs, or only the
 *   bench-session unobserved CLIP               unobserved ones: to profile each
 *                                               side alone (perf record ...)
 */
#include <fcntl.h>
#include <glib/gstdio.h>
#include <gio/gunixoutputstream.h>
#include <libavutil/log.h>
#include <malloc.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "bench-figures.h"
#include "rs-decode-session.h"
#include "rs-export.h"
#include "rs-trace.h"


static double
cpu_seconds (void)
{
  struct rusage usage;

  /* Every thread of the process: the decoder's and the trace writer's. */
  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/* The steps of one session. observe: a traced session, its trace written
 * to `trace_path` (or /dev/null when NULL) the way refscope --headless
 * --trace writes it: by a threaded RsTraceWriter into an RsAtomicFile
 * behind a 64 KiB buffer (written back as it grows), synced and renamed
 * when complete. Otherwise the same libav
 * calls, unobserved. */
static guint
session_steps (const char *path,
               gboolean    observe,
               const char *trace_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RsDecodeSession) session = NULL;
  g_autoptr(RsAtomicFile) file = NULL;
  g_autoptr(GOutputStream) raw = NULL;
  g_autoptr(GOutputStream) buffered = NULL;
  g_autoptr(RsTraceWriter) trace = NULL;
  RsDecodeSettings settings;
  RsSnapshot *snapshot;
  guint steps = 0;

  rs_decode_settings_init (&settings);
  settings.observe = observe;
  session = rs_decode_session_new (path, &settings, &error);
  g_assert_no_error (error);

  if (!observe)
    return rs_decode_session_run_unobserved (session);

  if (trace_path != NULL)
    {
      file = rs_atomic_file_new (trace_path, &error);
      g_assert_no_error (error);
      raw = g_unix_output_stream_new (rs_atomic_file_get_fd (file), FALSE);
    }
  else
    raw = g_unix_output_stream_new (open ("/dev/null", O_WRONLY | O_CLOEXEC), TRUE);
  buffered = g_buffered_output_stream_new_sized (raw, 64 * 1024);
  trace = rs_trace_writer_new_threaded (buffered);
  if (file != NULL)
    rs_trace_writer_set_writeback_fd (trace, rs_atomic_file_get_fd (file));
  while ((snapshot = rs_session_step (RS_SESSION (session), &error)) != NULL)
    {
      g_assert_true (rs_trace_writer_write (trace, snapshot, &error));
      steps++;
    }
  g_assert_no_error (error);
  g_assert_true (rs_trace_writer_flush (trace, &error));
  g_assert_true (g_output_stream_flush (buffered, NULL, &error));
  if (file != NULL)
    g_assert_true (rs_atomic_file_commit (file, &error));
  g_assert_no_error (error);
  return steps;
}

/* Wall seconds of a whole session, from opening the file to freeing all
 * it made (the history, the writer's thread); the CPU seconds (user + sys,
 * all threads) go to *out_cpu. */
static double
run_session (const char *path,
             gboolean    observe,
             const char *trace_path,
             guint      *out_steps,
             double     *out_cpu)
{
  double cpu_start = cpu_seconds ();
  gint64 start = g_get_monotonic_time ();

  *out_steps = session_steps (path, observe, trace_path);
  if (out_cpu != NULL)
    *out_cpu = cpu_seconds () - cpu_start;
  return (g_get_monotonic_time () - start) / 1e6;
}

static guint
bench_runs (void)
{
  const char *runs = g_getenv ("RS_BENCH_RUNS");

  return runs != NULL && atoi (runs) > 0 ? (guint) atoi (runs) : 15;
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof (double), bench_compare_double);
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

static double
load_average (void)
{
  double load[1] = { 0 };

  return getloadavg (load, 1) == 1 ? load[0] : -1;
}

/* Pairs of runs, unobserved then observed, interleaved so drift in a
 * shared machine hits both sides alike; one pair first to warm up (the
 * libraries' lazy symbols, codec tables, the page cache), not counted. The
 * figures are medians; the ratio DESIGN.md section 10 names is of wall
 * time; CPU time (user + sys) beside it, which other processes disturb far
 * less, and the medians of each pair's ratios. */
static void
bench_observe_overhead (const char *path,
                        const char *trace_path)
{
  guint runs = bench_runs ();
  g_autofree double *observed = g_new (double, runs);
  g_autofree double *unobserved = g_new (double, runs);
  g_autofree double *observed_cpu = g_new (double, runs);
  g_autofree double *unobserved_cpu = g_new (double, runs);
  g_autofree double *pair_ratio = g_new (double, runs);
  g_autofree double *pair_cpu_ratio = g_new (double, runs);
  guint steps_observed = 0, steps_unobserved = 0;
  double load_start = load_average ();
  double wall_o, wall_u, cpu_o, cpu_u;

  run_session (path, FALSE, NULL, &steps_unobserved, NULL);
  run_session (path, TRUE, trace_path, &steps_observed, NULL);
  for (guint i = 0; i < runs; i++)
    {
      unobserved[i] = run_session (path, FALSE, NULL, &steps_unobserved, &unobserved_cpu[i]);
      observed[i] = run_session (path, TRUE, trace_path, &steps_observed, &observed_cpu[i]);
      pair_ratio[i] = observed[i] / unobserved[i];
      pair_cpu_ratio[i] = observed_cpu[i] / unobserved_cpu[i];
    }
  g_assert_cmpuint (steps_observed, ==, steps_unobserved);
  wall_o = median (observed, runs);
  wall_u = median (unobserved, runs);
  cpu_o = median (observed_cpu, runs);
  cpu_u = median (unobserved_cpu, runs);
  g_print ("bench: observe-overhead ratio=%.3f observed_s=%.3f unobserved_s=%.3f pair_ratio=%.3f "
           "cpu_ratio=%.3f observed_cpu_s=%.3f unobserved_cpu_s=%.3f pair_cpu_ratio=%.3f "
           "runs=%u steps=%u trace=%s load=%.1f-%.1f goal<=1.15\n",
           wall_o / wall_u, wall_o, wall_u, median (pair_ratio, runs), cpu_o / cpu_u, cpu_o, cpu_u,
           median (pair_cpu_ratio, runs), runs, steps_observed,
           trace_path != NULL ? "file" : "/dev/null", load_start, load_average ());
  if (trace_path != NULL)
    g_unlink (trace_path);
}

/* One side alone, RS_BENCH_RUNS times: for a profiler. */
static void
bench_one_side (const char *path,
                gboolean    observe,
                const char *trace_path)
{
  guint runs = bench_runs ();
  g_autofree double *cpu = g_new (double, runs);
  guint steps = 0;

  for (guint i = 0; i < runs; i++)
    run_session (path, observe, trace_path, &steps, &cpu[i]);
  g_print ("bench: %s cpu_s=%.3f runs=%u steps=%u\n", observe ? "observed" : "unobserved",
           median (cpu, runs), runs, steps);
}

static size_t
heap_in_use (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return info.uordblks + info.hblkhd;
}

static void
bench_history (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RsDecodeSession) session = NULL;
  size_t before, after;
  guint steps = 0;

  /* The same session once, so one-time allocations (codec tables, interned
   * strings) are not counted against the history. */
  run_session (path, FALSE, NULL, &steps, NULL);
  before = heap_in_use ();
  session = rs_decode_session_new (path, NULL, &error);
  g_assert_no_error (error);
  steps = 0;
  while (rs_session_step (RS_SESSION (session), &error) != NULL)
    steps++;
  g_assert_no_error (error);
  /* The session has closed every libav object: what is left is history. */
  after = heap_in_use ();
  g_print ("bench: history bytes_per_step=%.0f steps=%u total_bytes=%zu goal<=256 ratio=%.3f\n",
           (double) (after - before) / steps, steps, after - before,
           (double) (after - before) / steps / 256);
  g_assert_cmpuint (steps, >=, 10000);
}

int
main (int   argc,
      char *argv[])
{
  av_log_set_level (AV_LOG_ERROR);
  if (argc < 3)
    {
      g_printerr ("usage: %s observe-overhead CLIP [TRACE] | history CLIP | observed CLIP [TRACE] | unobserved CLIP\n", argv[0]);
      return 2;
    }
  if (g_str_equal (argv[1], "observe-overhead"))
    bench_observe_overhead (argv[2], argc > 3 ? argv[3] : NULL);
  else if (g_str_equal (argv[1], "observed") || g_str_equal (argv[1], "unobserved"))
    bench_one_side (argv[2], g_str_equal (argv[1], "observed"), argc > 3 ? argv[3] : NULL);
  else if (g_str_equal (argv[1], "history"))
    bench_history (argv[2]);
  else
    return 2;
  return 0;
}
