/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Benchmarks of the decode session. Each prints `bench:` lines with its
 * figures and the ratio it is judged by (DESIGN.md section 10).
 *
 *   bench-session observe-overhead CLIP   traced vs unobserved, medians of 3
 *   bench-session history CLIP            memory the history holds per step
 */
#include <fcntl.h>
#include <gio/gunixoutputstream.h>
#include <libavutil/log.h>
#include <malloc.h>
#include <stdlib.h>

#include "bench-figures.h"
#include "rs-decode-session.h"
#include "rs-trace.h"

#define RUNS 3

static double
run_session (const char *path,
             gboolean    observe,
             guint      *out_steps)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RsDecodeSession) session = NULL;
  g_autoptr(GOutputStream) null_stream = NULL;
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
      /* A real trace, written to /dev/null. */
      null_stream = g_unix_output_stream_new (open ("/dev/null", O_WRONLY | O_CLOEXEC), TRUE);
      buffered = g_buffered_output_stream_new_sized (null_stream, 64 * 1024);
      trace = rs_trace_writer_new (buffered);
      while ((snapshot = rs_session_step (RS_SESSION (session), &error)) != NULL)
        {
          g_assert_true (rs_trace_writer_write (trace, snapshot, &error));
          steps++;
        }
      g_assert_no_error (error);
    }
  *out_steps = steps;
  return (g_get_monotonic_time () - start) / 1e6;
}

static void
bench_observe_overhead (const char *path)
{
  double observed[RUNS], unobserved[RUNS];
  guint steps_observed = 0, steps_unobserved = 0;

  /* Interleaved, so drift in the machine hits both sides alike. */
  for (int i = 0; i < RUNS; i++)
    {
      unobserved[i] = run_session (path, FALSE, &steps_unobserved);
      observed[i] = run_session (path, TRUE, &steps_observed);
    }
  g_assert_cmpuint (steps_observed, ==, steps_unobserved);
  qsort (observed, RUNS, sizeof (double), bench_compare_double);
  qsort (unobserved, RUNS, sizeof (double), bench_compare_double);
  g_print ("bench: observe-overhead ratio=%.3f observed_s=%.3f unobserved_s=%.3f steps=%u goal<=1.15\n",
           observed[RUNS / 2] / unobserved[RUNS / 2], observed[RUNS / 2], unobserved[RUNS / 2],
           steps_observed);
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
  run_session (path, FALSE, &steps);
  before = heap_in_use ();
  session = rs_decode_session_new (path, NULL, &error);
  g_assert_no_error (error);
  steps = 0;
  while (rs_session_step (RS_SESSION (session), &error) != NULL)
    steps++;
  g_assert_no_error (error);
  /* The session has closed every libav object: what is left is history. */
  after = heap_in_use ();
  g_print ("bench: history bytes_per_step=%.0f steps=%u total_bytes=%zu goal<=4096 ratio=%.3f\n",
           (double) (after - before) / steps, steps, after - before,
           (double) (after - before) / steps / 4096);
  g_assert_cmpuint (steps, >=, 10000);
}

int
main (int   argc,
      char *argv[])
{
  av_log_set_level (AV_LOG_ERROR);
  if (argc != 3)
    {
      g_printerr ("usage: %s observe-overhead|history CLIP\n", argv[0]);
      return 2;
    }
  if (g_str_equal (argv[1], "observe-overhead"))
    bench_observe_overhead (argv[2]);
  else if (g_str_equal (argv[1], "history"))
    bench_history (argv[2]);
  else
    return 2;
  return 0;
}
