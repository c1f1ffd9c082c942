/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-record-session: a recording as a session whose history makes each
 * snapshot when asked for. Real programs recorded through the preload
 * library: any order of reading gives the same snapshots as reading in
 * order, and a cut or damaged recording opens (or is refused with a
 * message naming it), never crashes.
 */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/wait.h>

#include "rs-cursor.h"
#include "rs-decode-session.h"
#include "rs-error.h"
#include "rs-record-session.h"
#include "rs-recording-writer.h"
#include "rs-scenario-session.h"
#include "rs-trace.h"

static char *tmp_dir;

static char *
record (const char * const *argv,
        const char         *name)
{
  g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GError) error = NULL;
  int status;

  env = g_environ_setenv (env, "LD_PRELOAD", RS_PRELOAD_PATH, TRUE);
  env = g_environ_setenv (env, "REFSCOPE_RECORD_OUTPUT", path, TRUE);
#ifdef RS_PROGRAM_ASAN_OPTIONS
  /* The sanitizer build: the preload library runs instrumented. */
  env = g_environ_setenv (env, "ASAN_OPTIONS", RS_PROGRAM_ASAN_OPTIONS, TRUE);
  env = g_environ_setenv (env, "UBSAN_OPTIONS", RS_PROGRAM_UBSAN_OPTIONS, TRUE);
#endif
  g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  return g_steal_pointer (&path);
}

static char *
step_json (RsHistory *history,
           guint      step)
{
  g_autoptr(JsonNode) node = rs_snapshot_to_json (rs_history_get_snapshot (history, step));

  return json_to_string (node, FALSE);
}

/* Reads every step in order in one session, backwards (the last 600: each
 * starts again from a full state) and at random in another: the same
 * JSON, step by step. The highest thread known at the opening is the
 * highest the steps name: it is returned. */
static int
check_any_order (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RsRecordSession) in_order = rs_record_session_new (path, &error);
  g_autoptr(RsRecordSession) any_order = NULL;
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  RsHistory *a, *b;
  int max_thread = 0;
  guint n;

  g_assert_no_error (error);
  any_order = rs_record_session_new (path, &error);
  g_assert_no_error (error);
  a = rs_session_get_history (RS_SESSION (in_order));
  b = rs_session_get_history (RS_SESSION (any_order));
  n = rs_history_get_length (a);
  g_assert_cmpuint (n, >, 0);
  g_assert_cmpuint (rs_history_get_length (b), ==, n);
  /* Every step is there from the start: nothing to run. */
  g_assert_true (rs_session_is_finished (RS_SESSION (in_order)));
  g_assert_null (rs_session_step (RS_SESSION (in_order), &error));
  g_assert_no_error (error);

  for (guint i = 0; i < n; i++)
    {
      g_ptr_array_add (expected, step_json (a, i));
      max_thread = MAX (max_thread, rs_snapshot_get_thread (rs_history_get_snapshot (a, i)));
    }
  g_assert_cmpint (rs_record_session_get_max_thread (any_order), ==, max_thread);
  for (guint i = n; i-- > 0 && i + 600 >= n;)
    {
      g_autofree char *json = step_json (b, i);
      g_assert_cmpstr (json, ==, g_ptr_array_index (expected, i));
    }
  for (guint k = 0; k < 300; k++)
    {
      guint i = (guint) g_rand_int_range (rand, 0, (gint32) n);
      g_autofree char *json = step_json (b, i);
      g_assert_cmpstr (json, ==, g_ptr_array_index (expected, i));
    }
  return max_thread;
}

static void
test_any_order_leaks (void)
{
  const char *argv[] = { RS_REC_PROGRAMS_DIR "/rec-leaks", "move-ref", RS_SAMPLE_MP4, NULL };
  g_autofree char *path = record (argv, "move-ref.rsrec");

  g_assert_cmpint (check_any_order (path), ==, 1);
}

static void
test_any_order_long (void)
{
  /* Several full states and more steps than the history keeps. */
  const char *argv[] = { RS_REC_PROGRAMS_DIR "/rec-misc", "queue", "1600", NULL };
  g_autofree char *path = record (argv, "queue.rsrec");

  g_assert_cmpint (check_any_order (path), ==, 1);
}

static void
test_any_order_decode (void)
{
  const char *argv[] = { RS_REC_PROGRAMS_DIR "/rec-decode", RS_SAMPLE_MP4, NULL };
  g_autofree char *path = record (argv, "decode.rsrec");

  g_assert_cmpint (check_any_order (path), ==, 1);
}

static void
test_any_order_threads (void)
{
  /* Two program threads: a reader and the decoding main thread. */
  const char *argv[] = { RS_REC_PROGRAMS_DIR "/rec-misc", "threads", RS_SAMPLE_MP4, NULL };
  g_autofree char *path = record (argv, "threads.rsrec");

  g_assert_cmpint (check_any_order (path), ==, 2);
}

/* What a viewer shows stays while the history reads every other step (the
 * inspector's refcount plot does, then reads the step shown). */
static void
test_shown_stays (void)
{
  const char *argv[] = { RS_REC_PROGRAMS_DIR "/rec-misc", "queue", "1600", NULL };
  g_autofree char *path = record (argv, "shown.rsrec");
  g_autoptr(GError) error = NULL;
  g_autoptr(RsRecordSession) session = rs_record_session_new (path, &error);
  g_autoptr(RsCursor) cursor = NULL;
  g_autoptr(GArray) series = NULL;
  RsHistory *history;
  RsSnapshot *shown, *previous;
  const RsBuffer *buffer;

  g_assert_no_error (error);
  history = rs_session_get_history (RS_SESSION (session));
  cursor = rs_cursor_new (RS_SESSION (session));
  g_assert_true (rs_cursor_forward (cursor, RS_STEP_CALL, &error));
  rs_cursor_seek (cursor, 1000);
  shown = rs_cursor_get_snapshot (cursor);
  previous = rs_cursor_get_previous (cursor);
  g_assert_cmpuint (rs_snapshot_get_n_buffers (shown), >, 0);
  buffer = rs_snapshot_get_buffer (shown, 0);

  series = rs_history_get_refcount_series (history, buffer->id);
  g_assert_cmpuint (series->len, ==, rs_history_get_length (history));
  g_assert_cmpint (g_array_index (series, int, 1000), ==, buffer->refcount);
  g_assert_cmpuint (rs_snapshot_get_step (shown), ==, 1000);
  g_assert_cmpuint (rs_snapshot_get_step (previous), ==, 999);
  g_assert_true (rs_snapshot_find_buffer (shown, buffer->id) == buffer);
}

/* Cut and damaged copies of a real recording: each opens with the steps
 * before the damage (every one of them readable) or is refused with a
 * message naming the file. */
static void
test_damaged (void)
{
  const char *argv[] = { RS_REC_PROGRAMS_DIR "/rec-misc", "queue", "1200", NULL };
  g_autofree char *path = record (argv, "damage-source.rsrec");
  g_autofree char *damaged = g_build_filename (tmp_dir, "damaged.rsrec", NULL);
  g_autofree guint8 *data = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  gsize len;
  guint opened = 0;

  g_assert_true (g_file_get_contents (path, (char **) &data, &len, NULL));
  for (guint k = 0; k < 60; k++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, len);
      gsize copy_len = len;
      g_autoptr(GError) error = NULL;
      g_autoptr(RsRecordSession) session = NULL;

      if (k % 2 == 0)
        copy_len = (gsize) g_rand_int_range (rand, 0, (gint32) len);
      else
        for (guint f = 0; f < 1 + k % 5; f++)
          copy[g_rand_int_range (rand, 0, (gint32) len)] ^= 1u << g_rand_int_range (rand, 0, 8);
      g_assert_true (g_file_set_contents (damaged, (const char *) copy, copy_len, NULL));

      session = rs_record_session_new (damaged, &error);
      if (session == NULL)
        {
          g_assert_true (g_error_matches (error, RS_ERROR, RS_ERROR_INVALID_INPUT));
          g_assert_true (g_str_has_prefix (error->message, damaged));
          continue;
        }
      opened++;
      {
        RsHistory *history = rs_session_get_history (RS_SESSION (session));
        guint n = rs_history_get_length (history);

        /* In order, then a few anywhere. */
        for (guint i = 0; i < n; i++)
          g_assert_cmpuint (rs_snapshot_get_step (rs_history_get_snapshot (history, i)), ==, i);
        for (guint i = 0; i < 20 && n > 0; i++)
          {
            guint step = (guint) g_rand_int_range (rand, 0, (gint32) n);
            g_assert_cmpuint (rs_snapshot_get_step (rs_history_get_snapshot (history, step)), ==, step);
          }
        if (n > 0)
          g_assert_nonnull (rs_history_get_last (history));
      }
    }
  /* Most damage leaves the header whole. */
  g_assert_cmpuint (opened, >, 30);
}

/* Saved and opened again, a session shows the same snapshots: every field
 * of the trace (DESIGN.md section 7), step by step. */
static void
check_saved (RsSession  *session,
             const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
  g_autoptr(RsRecordSession) reopened = NULL;
  RsHistory *a, *b;
  guint marked = 0;

  /* Run it to its end (a recording has every step already). */
  while (rs_session_step (session, &error) != NULL)
    ;
  g_assert_no_error (error);
  a = rs_session_get_history (session);
  g_assert_cmpuint (rs_history_get_length (a), >, 0);

  g_assert_true (rs_recording_save (a, rs_session_get_name (session), path, &error));
  g_assert_no_error (error);
  reopened = rs_record_session_new (path, &error);
  g_assert_no_error (error);
  g_assert_null (rs_record_session_get_end_reason (reopened));
  b = rs_session_get_history (RS_SESSION (reopened));
  g_assert_cmpuint (rs_history_get_length (b), ==, rs_history_get_length (a));
  for (guint i = 0; i < rs_history_get_length (a); i++)
    {
      g_autofree char *expected = step_json (a, i);
      g_autofree char *json = step_json (b, i);

      RsSnapshot *sa = rs_history_get_snapshot (a, i);
      RsSnapshot *sb = rs_history_get_snapshot (b, i);

      g_assert_cmpstr (json, ==, expected);
      /* The queues' ring ends are the snapshot's, not the trace's. */
      for (guint h = 0; h < rs_snapshot_get_n_handles (sa); h++)
        {
          const RsHandle *ha = rs_snapshot_get_handle (sa, h);
          const RsHandle *hb = rs_snapshot_get_handle (sb, h);

          g_assert_cmpint (rs_snapshot_get_ring_end (sa, ha), ==, rs_snapshot_get_ring_end (sb, hb));
          marked += rs_snapshot_get_ring_end (sa, ha) != 0;
        }
    }
  g_test_message ("%s: %u steps, %u ring ends, %" G_GOFFSET_FORMAT " bytes", name, rs_history_get_length (a), marked,
                  (goffset) ({ GStatBuf st; g_stat (path, &st) == 0 ? st.st_size : 0; }));
}

static void
test_save_lessons (void)
{
  g_autoptr(GDir) dir = g_dir_open (RS_SCENARIO_SOURCE_DIR, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (RS_SCENARIO_SOURCE_DIR, name, NULL);
      g_autofree char *saved = g_strconcat (name, ".rsrec", NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(RsScenarioSession) session = NULL;

      if (!g_str_has_suffix (name, ".c"))
        continue;
      session = rs_scenario_session_new_from_file (path, NULL, &error);
      g_assert_no_error (error);
      check_saved (RS_SESSION (session), saved);
      n++;
    }
  g_assert_cmpuint (n, >=, 7);
}

/* A history the writer refuses (a buffer without an id, in the third step):
 * the message numbers the step as the window does, "step 3", not as the
 * trace does (2). */
static void
test_save_step_number (void)
{
  g_autoptr(RsHistory) history = rs_history_new ();
  g_autofree char *path = g_build_filename (tmp_dir, "no-id.rsrec", NULL);
  g_autoptr(GError) error = NULL;

  for (guint step = 0; step < 3; step++)
    {
      g_autoptr(GPtrArray) handles = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_handle_unref);
      g_autoptr(GPtrArray) buffers = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_buffer_unref);
      RsBuffer fields = { .id = step < 2 ? step + 1 : 0, .kind = RS_BUFFER_KIND_OTHER, .size = 64,
                          .refcount = 1, .hidden = 1, .born = step, .tracked = TRUE };
      g_autoptr(RsSnapshot) snapshot = NULL;

      g_ptr_array_add (buffers, rs_buffer_new (&fields));
      snapshot = rs_snapshot_new (step, "av_buffer_alloc", 0, TRUE, NULL, handles, buffers, NULL, 0);
      rs_history_append (history, snapshot);
    }
  g_assert_false (rs_recording_save (history, "no-id", path, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "step 3 has a buffer without an id"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_save_media (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RsDecodeSession) session = NULL;
  RsDecodeSettings settings;

  rs_decode_settings_init (&settings);
  session = rs_decode_session_new (RS_SAMPLE_MP4, &settings, &error);
  g_assert_no_error (error);
  check_saved (RS_SESSION (session), "sample.rsrec");
}

/* A recording saved again: its sites become places, nothing else moves. */
static void
test_save_recording (void)
{
  const char *argv[] = { RS_REC_PROGRAMS_DIR "/rec-leaks", "read-init", RS_SAMPLE_MP4, NULL };
  g_autofree char *path = record (argv, "read-init.rsrec");
  g_autoptr(GError) error = NULL;
  g_autoptr(RsRecordSession) session = rs_record_session_new (path, &error);

  g_assert_no_error (error);
  check_saved (RS_SESSION (session), "read-init-saved.rsrec");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("test-record-session-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/record-session/any-order/leaks", test_any_order_leaks);
  g_test_add_func ("/record-session/any-order/long", test_any_order_long);
  g_test_add_func ("/record-session/any-order/decode", test_any_order_decode);
  g_test_add_func ("/record-session/any-order/threads", test_any_order_threads);
  g_test_add_func ("/record-session/shown-stays", test_shown_stays);
  g_test_add_func ("/record-session/damaged", test_damaged);
  g_test_add_func ("/record-session/save/lessons", test_save_lessons);
  g_test_add_func ("/record-session/save/media", test_save_media);
  g_test_add_func ("/record-session/save/recording", test_save_recording);
  g_test_add_func ("/record-session/save/step-number", test_save_step_number);
  status = g_test_run ();

  {
    g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *file = g_build_filename (tmp_dir, name, NULL);
        g_unlink (file);
      }
  }
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
