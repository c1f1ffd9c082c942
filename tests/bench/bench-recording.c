/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bench-recording: a long recording opened as the window opens it (issue
 * 12, item 6). Records `rec-misc queue STEPS` (a real program, a real
 * recording), then through an RsPlayer: the time from opening the file to
 * the first graph laid out, the 95th percentile of seeking to random steps
 * (the step's diff, graph and layout included), every step read once in
 * order (what the window's timeline reads when the file opens), and the
 * process's peak resident memory.
 *
 *   bench-recording PRELOAD REC_MISC [STEPS]
 */
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "bench-figures.h"
#include "rs-diff.h"
#include "rs-graph.h"
#include "rs-player.h"
#include "rs-render.h"

#define SEEKS 200

/* VmHWM of /proc/self/status, in MB. */
static double
peak_rss_mb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmHWM:")) == NULL)
    return 0;
  return g_ascii_strtod (line + strlen ("VmHWM:"), NULL) / 1024;
}

static void
record (const char *preload,
        const char *rec_misc,
        guint       steps,
        const char *path)
{
  g_autofree char *n = g_strdup_printf ("%u", steps);
  const char *argv[] = { rec_misc, "queue", n, NULL };
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GError) error = NULL;
  int status;

  env = g_environ_setenv (env, "LD_PRELOAD", preload, TRUE);
  env = g_environ_setenv (env, "REFSCOPE_RECORD_OUTPUT", path, TRUE);
  if (!g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL,
                     NULL, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("bench-recording: %s: %s", rec_misc, error->message);
}

/* What the window does to show the step the player stands on. */
static void
show (RsPlayer *player,
      RsRender *render)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RsDiff) diff = rs_diff_new (rs_player_get_previous (player), rs_player_get_snapshot (player));

  g_assert_true (rs_render_update (render, rs_player_get_snapshot (player), diff, NULL, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(RsPlayer) player = NULL;
  g_autoptr(GArray) seeks = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) seeks_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GRand) rand = g_rand_new_with_seed (12);
  RsRender *render;
  RsDecodeSettings settings;
  guint steps = argc > 3 ? (guint) g_ascii_strtoull (argv[3], NULL, 10) : 100000;
  double before_mb, first_ms, first_cpu_ms, scan_ms;
  GStatBuf st;
  gint64 t0, cpu0;
  guint length;

  if (argc < 3)
    {
      g_printerr ("usage: bench-recording PRELOAD REC_MISC [STEPS]\n");
      return 2;
    }
  dir = g_dir_make_tmp ("bench-recording-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "queue.rsrec", NULL);
  record (argv[1], argv[2], steps, path);
  g_assert_true (g_stat (path, &st) == 0);

  before_mb = peak_rss_mb ();
  rs_decode_settings_init (&settings);
  player = rs_player_new ();
  render = rs_render_new ();

  /* CPU time beside wall time: on a shared machine the wall clock also
   * counts the other processes. */
  t0 = g_get_monotonic_time ();
  cpu0 = bench_cpu_usec (CLOCK_THREAD_CPUTIME_ID);
  g_assert_true (rs_player_open (player, path, &settings, NULL, &error));
  g_assert_no_error (error);
  show (player, render);
  first_ms = (g_get_monotonic_time () - t0) / 1e3;
  first_cpu_ms = (bench_cpu_usec (CLOCK_THREAD_CPUTIME_ID) - cpu0) / 1e3;

  length = rs_player_get_length (player);
  g_assert_cmpuint (length, >=, steps * 9 / 10);
  for (guint i = 0; i < SEEKS; i++)
    {
      /* The end too, as End does. */
      guint step = i == 0 ? length - 1 : (guint) g_rand_int_range (rand, 0, (gint32) length);
      double ms, cpu_ms;

      t0 = g_get_monotonic_time ();
      cpu0 = bench_cpu_usec (CLOCK_THREAD_CPUTIME_ID);
      rs_player_seek (player, step);
      g_assert_cmpint (rs_player_get_position (player), ==, step);
      show (player, render);
      ms = (g_get_monotonic_time () - t0) / 1e3;
      cpu_ms = (bench_cpu_usec (CLOCK_THREAD_CPUTIME_ID) - cpu0) / 1e3;
      g_array_append_val (seeks, ms);
      g_array_append_val (seeks_cpu, cpu_ms);
    }

  cpu0 = bench_cpu_usec (CLOCK_THREAD_CPUTIME_ID);
  {
    g_autoptr(GArray) buffers = NULL;

    rs_history_get_live_series (rs_player_get_history (player), &buffers, NULL);
    g_assert_cmpuint (buffers->len, ==, length);
  }
  scan_ms = (bench_cpu_usec (CLOCK_THREAD_CPUTIME_ID) - cpu0) / 1e3;

  g_print ("bench: recording-open first_graph_ms=%.1f seek_p95_ms=%.2f rss_mb=%.1f "
           "(goals: first graph < 1000 ms, seek < 50 ms, memory bounded) steps=%u bytes=%" G_GINT64_FORMAT
           " seeks=%u seek_max_ms=%.2f first_graph_cpu_ms=%.1f seek_p95_cpu_ms=%.2f every_step_cpu_ms=%.0f"
           " rss_before_open_mb=%.1f\n",
           first_ms, bench_percentile (seeks, 0.95), peak_rss_mb (), length, (gint64) st.st_size,
           SEEKS, bench_percentile (seeks, 1.0), first_cpu_ms, bench_percentile (seeks_cpu, 0.95), scan_ms,
           before_mb);

  rs_render_free (render);
  g_unlink (path);
  g_rmdir (dir);
  return 0;
}
