/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A long session: 100,000 steps of a small clip through RsDecodeSession and
 * RsCursor, as the window runs them.
 *
 * - Memory outside the history stays flat: at 1,000, 10,000 and 100,000
 *   steps the heap in use is measured, and so is the history's own size
 *   (what is left once the session is dropped and only the history is
 *   kept); their difference (decoder, queues, tracker, observer) must not
 *   grow with the number of steps.
 * - Seeking from step 100,000 back to step 0 reads a recorded snapshot: no
 *   step runs again, and forward from there replays.
 *
 * Times and sizes are printed as TAP comments; only structural facts are
 * asserted (sizes against each other, not against the clock).
 *
 *   test-soak CLIP [STEPS]      (STEPS default 100000, or $RS_SOAK_STEPS)
 */
#include <malloc.h>
#include <stdlib.h>

#include "rs-cursor.h"
#include "rs-decode-session.h"

#if defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    define RS_ASAN 1
#  endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#  define RS_ASAN 1
#endif
#ifdef RS_ASAN
/* From <sanitizer/allocator_interface.h>, which gcc does not install. */
size_t __sanitizer_get_current_allocated_bytes (void);
#endif

/* Memory outside the history may move by this much between 1,000 and
 * STEPS steps (allocator and hash table slack); a leak of even a few bytes
 * a step would exceed it over 100,000 steps. */
#define FLAT_SLACK (512 * 1024)

static const char *clip;
static guint n_steps = 100000;

/* Bytes the program has allocated and not freed. Under AddressSanitizer
 * glibc's mallinfo2 sees nothing: ask ASan's allocator. */
static gsize
heap_in_use (void)
{
#ifdef RS_ASAN
  return __sanitizer_get_current_allocated_bytes ();
#else
  struct mallinfo2 info = mallinfo2 ();

  return info.uordblks + info.hblkhd;
#endif
}

typedef struct {
  guint  steps;
  gsize  total;    /* heap in use at `steps`, above the baseline */
  gsize  history;  /* the history alone, once the session is dropped */
  gint64 seek_us;  /* 100,000 → 0 (the long run only) */
} Checkpoint;

static RsDecodeSession *
open_session (void)
{
  g_autoptr(GError) error = NULL;
  RsDecodeSession *session = rs_decode_session_new (clip, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (session);
  return session;
}

static void
forward_to (RsCursor *cursor,
            guint     steps)
{
  g_autoptr(GError) error = NULL;

  while (rs_cursor_get_length (cursor) < steps)
    {
      if (!rs_cursor_forward (cursor, RS_STEP_CALL, &error))
        {
          g_assert_no_error (error);
          g_error ("%s ended after %u steps; the soak needs %u (a longer clip)",
                   clip, rs_cursor_get_length (cursor), steps);
        }
    }
  g_assert_cmpint (rs_cursor_get_position (cursor), ==, (int) steps - 1);
}

/* Seeking back over the whole session and forward again: recorded steps
 * are read, never re-run. */
static gint64
check_seek (RsCursor *cursor)
{
  g_autoptr(GError) error = NULL;
  guint length = rs_cursor_get_length (cursor);
  gint64 start, seek_us;
  RsSnapshot *snapshot;

  start = g_get_monotonic_time ();
  rs_cursor_seek (cursor, 0);
  snapshot = rs_cursor_get_snapshot (cursor);
  seek_us = g_get_monotonic_time () - start;

  g_assert_cmpint (rs_cursor_get_position (cursor), ==, 0);
  g_assert_cmpuint (rs_snapshot_get_step (snapshot), ==, 0);
  g_assert_cmpstr (rs_snapshot_get_call (snapshot), ==, "av_read_frame");
  g_assert_null (rs_cursor_get_previous (cursor));
  g_assert_cmpuint (rs_cursor_get_length (cursor), ==, length);

  /* Forward from the past replays: nothing runs. */
  g_assert_true (rs_cursor_forward (cursor, RS_STEP_CALL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (rs_cursor_get_position (cursor), ==, 1);
  g_assert_cmpuint (rs_cursor_get_length (cursor), ==, length);
  g_assert_true (rs_cursor_forward (cursor, RS_STEP_FRAME, &error));
  g_assert_cmpuint (rs_cursor_get_length (cursor), ==, length);

  /* Back to the live edge, then one step more runs libav again. */
  rs_cursor_seek (cursor, G_MAXUINT);
  g_assert_cmpint (rs_cursor_get_position (cursor), ==, (int) length - 1);
  g_assert_true (rs_cursor_forward (cursor, RS_STEP_CALL, &error));
  g_assert_cmpuint (rs_cursor_get_length (cursor), ==, length + 1);
  g_assert_cmpint (rs_cursor_get_position (cursor), ==, (int) length);
  return seek_us;
}

/* A session of `steps` steps; measures the heap, then drops everything but
 * the history and measures again. */
static Checkpoint
run_to (guint    steps,
        gsize    baseline,
        gboolean seek)
{
  g_autoptr(RsDecodeSession) session = open_session ();
  g_autoptr(RsCursor) cursor = rs_cursor_new (RS_SESSION (session));
  g_autoptr(RsHistory) history = NULL;
  Checkpoint checkpoint = { steps, 0, 0, 0 };
  gint64 start = g_get_monotonic_time ();

  forward_to (cursor, steps);
  g_test_message ("%u steps in %.1f s", steps, (g_get_monotonic_time () - start) / 1e6);
  checkpoint.total = heap_in_use () - baseline;
  if (seek)
    {
      checkpoint.seek_us = check_seek (cursor);
      /* One more step was run: measure the same history as before. */
      checkpoint.total = heap_in_use () - baseline;
      checkpoint.steps = rs_cursor_get_length (cursor);
    }

  history = rs_history_ref (rs_session_get_history (RS_SESSION (session)));
  g_clear_object (&cursor);
  g_clear_object (&session);
  g_assert_cmpuint (rs_history_get_length (history), ==, checkpoint.steps);
  checkpoint.history = heap_in_use () - baseline;
  return checkpoint;
}

static void
test_long_session (void)
{
  Checkpoint points[3];
  guint targets[3] = { 1000, 10000, n_steps };
  gsize baseline;
  gssize outside[3];

  g_assert_cmpuint (n_steps, >, 10000);

  /* A first session loads what stays for the process' lifetime (codec
   * tables, GTypes, interned names): not counted against anyone. */
  {
    g_autoptr(RsDecodeSession) warm_up = open_session ();
    g_autoptr(RsCursor) cursor = rs_cursor_new (RS_SESSION (warm_up));

    forward_to (cursor, 1000);
  }
  baseline = heap_in_use ();
  g_test_message ("baseline heap %zu bytes (%s)", baseline,
#ifdef RS_ASAN
                  "ASan allocator"
#else
                  "mallinfo2"
#endif
                  );

  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    {
      points[i] = run_to (targets[i], baseline, i == G_N_ELEMENTS (points) - 1);
      outside[i] = (gssize) points[i].total - (gssize) points[i].history;
      g_test_message ("%6u steps: heap %7.2f MiB = history %7.2f MiB (%.0f bytes/step) "
                      "+ outside the history %6.2f MiB",
                      points[i].steps, points[i].total / 1048576.0, points[i].history / 1048576.0,
                      (double) points[i].history / points[i].steps, outside[i] / 1048576.0);
      /* Everything is freed with the history. */
      g_assert_cmpuint (heap_in_use (), <=, baseline + FLAT_SLACK);
    }
  g_test_message ("seek from the last step (%u) back to step 0: %" G_GINT64_FORMAT " us",
                  points[2].steps - 2, points[2].seek_us);

  /* The history grows with the steps; the rest does not. */
  g_assert_cmpuint (points[1].history, >, points[0].history);
  g_assert_cmpuint (points[2].history, >, points[1].history);
  g_test_message ("outside the history: %+.1f KiB from %u to %u steps, %+.1f KiB from %u to %u",
                  (outside[1] - outside[0]) / 1024.0, points[0].steps, points[1].steps,
                  (outside[2] - outside[0]) / 1024.0, points[0].steps, points[2].steps);
  g_assert_cmpint (ABS (outside[1] - outside[0]), <, FLAT_SLACK);
  g_assert_cmpint (ABS (outside[2] - outside[0]), <, FLAT_SLACK);
}

int
main (int   argc,
      char *argv[])
{
  const char *env_steps = g_getenv ("RS_SOAK_STEPS");

  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    g_error ("usage: %s CLIP [STEPS]", argv[0]);
  clip = argv[1];
  if (argc > 2)
    n_steps = (guint) g_ascii_strtoull (argv[2], NULL, 10);
  else if (env_steps != NULL)
    n_steps = (guint) g_ascii_strtoull (env_steps, NULL, 10);

  g_test_add_func ("/soak/long-session", test_long_session);
  return g_test_run ();
}
