/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Benchmarks of the decode session. Each prints `bench:` lines with its
 * figures and the ratio it is judged by (DESIGN.md section 10).
 *
 *   bench-session observe-overhead CLIP TRACE   traced (the trace written to the
 *                                               file TRACE, as --trace does) vs
 *                                               unobserved, medians of 5
 *   bench-session history CLIP                  memory the history holds per step
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

#define RUNS 5

/* observe: a traced session, its trace written to `trace_path` (or
 * /dev/null when NULL) the way refscope --headless --trace writes it: by a
 * threaded RsTraceWriter into an RsAtomicFile behind a 64 KiB buffer,
 * renamed when complete. */
static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/* Wall seconds; the CPU seconds the run took go to *out_cpu. */
static double
run_session (const char *path,
             gboolean    observe,
             const char *trace_path,
             guint      *out_steps,
             double     *out_cpu)
{
  double cpu_start = cpu_seconds ();
  g_autoptr(GError) error = NULL;
  g_autoptr(RsDecodeSession) session = NULL;
  g_autoptr(RsAtomicFile) file = NULL;
  g_autoptr(GOutputStream) raw = NULL;
  g_autoptr(GOutputStream) buffered = NULL;
  g_autoptr(RsTraceWriter) trace = NULL;
  RsDecodeSettings settings;
  RsSnapshot *snapshot;
  gint64 start = g_get_monotonic_time ();
  guint steps = 0;

  rs_decode_settings_init (&settings);
  settings.observe = observe;
  session = rs_decode_session_new (path, &settings, &error);
  g_assert_no_error (error);

  if (!observe)
    steps = rs_decode_session_run_unobserved (session);
  else
    {
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
    }
  *out_steps = steps;
  if (out_cpu != NULL)
    *out_cpu = cpu_seconds () - cpu_start;
  return (g_get_monotonic_time () - start) / 1e6;
}

static void
bench_observe_overhead (const char *path,
                        const char *trace_path)
{
  double observed[RUNS], unobserved[RUNS], observed_cpu[RUNS], unobserved_cpu[RUNS];
  guint steps_observed = 0, steps_unobserved = 0;

  /* Interleaved, so drift in the machine hits both sides alike. */
  for (int i = 0; i < RUNS; i++)
    {
      unobserved[i] = run_session (path, FALSE, NULL, &steps_unobserved, &unobserved_cpu[i]);
      observed[i] = run_session (path, TRUE, trace_path, &steps_observed, &observed_cpu[i]);
    }
  g_assert_cmpuint (steps_observed, ==, steps_unobserved);
  qsort (observed, RUNS, sizeof (double), bench_compare_double);
  qsort (unobserved, RUNS, sizeof (double), bench_compare_double);
  qsort (observed_cpu, RUNS, sizeof (double), bench_compare_double);
  qsort (unobserved_cpu, RUNS, sizeof (double), bench_compare_double);
  /* The ratio is of wall time (DESIGN.md section 10); CPU time beside it,
   * which other processes on a shared machine disturb less. */
  g_print ("bench: observe-overhead ratio=%.3f observed_s=%.3f unobserved_s=%.3f "
           "cpu_ratio=%.3f steps=%u trace=%s goal<=1.15\n",
           observed[RUNS / 2] / unobserved[RUNS / 2], observed[RUNS / 2], unobserved[RUNS / 2],
           observed_cpu[RUNS / 2] / unobserved_cpu[RUNS / 2],
           steps_observed, trace_path != NULL ? "file" : "/dev/null");
  if (trace_path != NULL)
    g_unlink (trace_path);
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
      g_printerr ("usage: %s observe-overhead CLIP [TRACE] | history CLIP\n", argv[0]);
      return 2;
    }
  if (g_str_equal (argv[1], "observe-overhead"))
    bench_observe_overhead (argv[2], argc > 3 ? argv[3] : NULL);
  else if (g_str_equal (argv[1], "history"))
    bench_history (argv[2]);
  else
    return 2;
  return 0;
}
