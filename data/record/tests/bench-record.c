/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bench-record: what recording costs a program. Runs the decode loop
 * (rec-decode, one decoder thread) on a clip plain and recorded, three
 * times each, interleaved, and prints the ratio of the medians of the CPU
 * time the program used (user + system: the machine's other load does not
 * count), with the wall-clock medians beside; then the size of the
 * recording per step.
 *
 *   bench-record PRELOAD REC_DECODE CLIP
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "rs-recording-reader.h"

#define RUNS 3

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

typedef struct {
  double cpu;
  double wall;
} Cost;

static double
children_cpu (void)
{
  struct rusage usage;

  getrusage (RUSAGE_CHILDREN, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static Cost
run_once (const char *rec_decode,
          const char *clip,
          const char *preload,
          const char *recording)
{
  const char *argv[] = { rec_decode, clip, "1", "quiet", NULL };
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GError) error = NULL;
  gint64 start;
  double cpu;
  int status;

  if (recording != NULL)
    {
      env = g_environ_setenv (env, "LD_PRELOAD", preload, TRUE);
      env = g_environ_setenv (env, "REFSCOPE_RECORD_OUTPUT", recording, TRUE);
    }
  cpu = children_cpu ();
  start = g_get_monotonic_time ();
  if (!g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                     NULL, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("bench-record: %s: %s", rec_decode, error->message);
  return (Cost) { children_cpu () - cpu, (g_get_monotonic_time () - start) / 1e6 };
}

static double
median (double *values)
{
  qsort (values, RUNS, sizeof (double), compare_doubles);
  return values[RUNS / 2];
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = NULL;
  g_autofree char *recording_path = NULL;
  g_autoptr(RsRecording) recording = NULL;
  g_autoptr(GError) error = NULL;
  double plain_cpu[RUNS], recorded_cpu[RUNS], plain_wall[RUNS], recorded_wall[RUNS];
  GStatBuf st;
  guint n_steps;

  if (argc != 4)
    {
      g_printerr ("usage: bench-record PRELOAD REC_DECODE CLIP\n");
      return 2;
    }
  dir = g_dir_make_tmp ("bench-record-XXXXXX", &error);
  g_assert_no_error (error);
  recording_path = g_build_filename (dir, "decode.rsrec", NULL);

  /* A first run warms the caches for both. */
  run_once (argv[2], argv[3], argv[1], NULL);
  for (int i = 0; i < RUNS; i++)
    {
      Cost plain = run_once (argv[2], argv[3], argv[1], NULL);
      Cost recorded = run_once (argv[2], argv[3], argv[1], recording_path);

      plain_cpu[i] = plain.cpu;
      plain_wall[i] = plain.wall;
      recorded_cpu[i] = recorded.cpu;
      recorded_wall[i] = recorded.wall;
    }
  g_print ("bench: record-overhead ratio=%.3f recorded_s=%.3f plain_s=%.3f "
           "(CPU seconds, medians of %d; goal <= 1.10) wall_ratio=%.3f recorded_wall_s=%.3f plain_wall_s=%.3f\n",
           median (recorded_cpu) / median (plain_cpu), median (recorded_cpu), median (plain_cpu), RUNS,
           median (recorded_wall) / median (plain_wall), median (recorded_wall), median (plain_wall));

  recording = rs_recording_open (recording_path, &error);
  g_assert_no_error (error);
  g_assert_true (g_stat (recording_path, &st) == 0);
  n_steps = rs_recording_get_n_steps (recording);
  g_print ("bench: recording bytes_per_step=%.1f steps=%u bytes=%" G_GINT64_FORMAT " (goal <= 128)\n",
           (double) st.st_size / n_steps, n_steps, (gint64) st.st_size);

  g_unlink (recording_path);
  g_rmdir (dir);
  return 0;
}
