/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Decode sessions with frame threads, built with ThreadSanitizer
 * (tests/threads/meson.build): every step of each bundled sample with 2, 4
 * and 8 decoder threads, with the trace written and every snapshot read.
 *
 * With frame threads the decoder's workers drop their references to
 * picture buffers on their own threads, inside any libav call: the
 * tracker's free callback then runs there, under the tracker's lock, while
 * the main thread may be taking a snapshot under the same lock. ThreadSanitizer
 * reports any race in Refscope's code; a watchdog turns a step that never
 * returns (a deadlock) into a failure instead of a hang. Snapshots of a
 * session whose decoder runs frame threads must say they are approximate
 * ("exact": false); a decoder with slice threads only (MPEG-2) stays exact.
 *
 * Then the window's way of preparing a step (ui/rs-graph-view.c): a worker
 * thread lays out the next snapshot's graph into a second render while the
 * main thread draws and hit-tests the render shown, then the two swap.
 *
 *   test-threads CLIP:approximate|exact...
 */
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "rs-decode-session.h"
#include "rs-diff.h"
#include "rs-render.h"
#include "rs-trace.h"

/* A step that takes longer than this is stuck. */
#define STEP_DEADLINE_S 60

static GMutex watchdog_lock;
static GCond watchdog_cond;
static gint64 step_started;   /* monotonic µs; 0: idle */
static gboolean watchdog_stop;

static gpointer
watchdog (gpointer data)
{
  g_mutex_lock (&watchdog_lock);
  while (!watchdog_stop)
    {
      gint64 now = g_get_monotonic_time ();

      if (step_started != 0 && now - step_started > STEP_DEADLINE_S * G_USEC_PER_SEC)
        {
          g_printerr ("Bail out! a step has not returned for %d s: deadlock?\n", STEP_DEADLINE_S);
          abort ();
        }
      g_cond_wait_until (&watchdog_cond, &watchdog_lock, now + G_USEC_PER_SEC);
    }
  g_mutex_unlock (&watchdog_lock);
  return NULL;
}

static void
set_step_started (gint64 time)
{
  g_mutex_lock (&watchdog_lock);
  step_started = time;
  g_mutex_unlock (&watchdog_lock);
}

typedef struct {
  char     *clip;
  int       threads;
  gboolean  exact;   /* expected: no frame threads */
} Case;

static void
case_free (gpointer data)
{
  Case *test = data;

  g_free (test->clip);
  g_free (test);
}

static void
test_threads (gconstpointer data)
{
  const Case *test = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RsDecodeSession) session = NULL;
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  /* Threaded, as --trace writes: lines are made on the writer's thread
   * while the session makes the next steps (and its history drops the
   * arrays of old snapshots). */
  g_autoptr(RsTraceWriter) trace = rs_trace_writer_new_threaded (memory);
  RsDecodeSettings settings;
  RsSnapshot *snapshot;
  guint steps = 0, frames = 0, approximate = 0;

  rs_decode_settings_init (&settings);
  settings.threads = test->threads;
  session = rs_decode_session_new (test->clip, &settings, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rs_decode_session_is_exact (session), ==, test->exact);

  for (;;)
    {
      set_step_started (g_get_monotonic_time ());
      snapshot = rs_session_step (RS_SESSION (session), &error);
      set_step_started (0);
      if (snapshot == NULL)
        break;

      /* Read every node, as the window and the trace do. */
      for (guint i = 0; i < rs_snapshot_get_n_buffers (snapshot); i++)
        {
          const RsBuffer *buffer = rs_snapshot_get_buffer (snapshot, i);

          g_assert_cmpint (buffer->hidden, >=, 0);
          g_assert_cmpint (buffer->visible, >=, 0);
          g_assert_cmpint (buffer->refcount, >=, 1);
        }
      g_assert_true (rs_trace_writer_write (trace, snapshot, &error));
      approximate += !rs_snapshot_is_exact (snapshot);
      if (g_strcmp0 (rs_snapshot_get_call (snapshot), "avcodec_receive_frame") == 0 &&
          rs_snapshot_get_out (snapshot) != NULL)
        frames++;
      steps++;
    }
  g_assert_no_error (error);
  g_assert_true (rs_session_is_finished (RS_SESSION (session)));
  g_assert_true (rs_trace_writer_close (trace, &error));

  g_test_message ("%s, %d threads: %u steps, %u frames, %u approximate",
                  test->clip, test->threads, steps, frames, approximate);
  g_assert_cmpuint (frames, >, 0);
  /* Every step of a frame-threaded session is marked approximate; none of
   * the others. */
  g_assert_cmpuint (approximate, ==, test->exact ? 0 : steps);
  /* The last step closed everything. */
  snapshot = rs_history_get_last (rs_session_get_history (RS_SESSION (session)));
  g_assert_cmpuint (rs_snapshot_get_n_handles (snapshot), ==, 0);
  g_assert_cmpuint (rs_snapshot_get_n_buffers (snapshot), ==, 0);

  /* The trace says so too. */
  {
    const char *text = g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (memory));
    gsize length = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (memory));
    g_autofree char *copy = g_strndup (text, length);
    g_auto(GStrv) lines = g_strsplit (copy, "\n", -1);
    g_autoptr(JsonParser) parser = json_parser_new ();

    g_assert_cmpuint (g_strv_length (lines), ==, steps + 1);
    for (guint i = 0; i < steps; i += MAX (steps / 16, 1))
      {
        JsonObject *object;

        g_assert_true (json_parser_load_from_data (parser, lines[i], -1, &error));
        object = json_node_get_object (json_parser_get_root (parser));
        g_assert_cmpint (json_object_get_int_member (object, "step"), ==, i);
        g_assert_cmpint (json_object_get_boolean_member (object, "exact"), ==, test->exact);
      }
  }
}

#define PREPARED_STEPS 120

typedef struct {
  RsRender   *render;
  RsSnapshot *snapshot;
  RsSnapshot *previous;
  gboolean    ok;
} Preparation;

static gpointer
prepare (gpointer data)
{
  Preparation *preparation = data;
  g_autoptr(RsDiff) diff = rs_diff_new (preparation->previous, preparation->snapshot);
  g_autoptr(GError) error = NULL;

  preparation->ok = rs_render_update (preparation->render, preparation->snapshot, diff, NULL, &error);
  g_assert_no_error (error);
  return NULL;
}

static void
test_prepared_layouts (gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RsDecodeSession) session = rs_decode_session_new (data, NULL, &error);
  g_autoptr(RsRender) shown = rs_render_new ();
  g_autoptr(RsRender) spare = rs_render_new ();
  cairo_surface_t *image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 480, 640);
  RsSnapshot *current;
  guint prepared = 0;

  g_assert_no_error (error);
  current = rs_session_step (RS_SESSION (session), &error);
  g_assert_nonnull (current);
  g_assert_true (rs_render_update (shown, current, NULL, NULL, &error));

  while (prepared < PREPARED_STEPS)
    {
      /* The next call, run ahead; its graph laid out on a worker. */
      RsSnapshot *next = rs_session_step (RS_SESSION (session), &error);
      Preparation preparation = { spare, next, current, FALSE };
      GThread *worker;

      g_assert_no_error (error);
      if (next == NULL)
        break;
      worker = g_thread_new ("prepare", prepare, &preparation);

      /* Meanwhile the frames of the step shown. */
      for (int frame = 0; frame < 3; frame++)
        {
          cairo_t *cr = cairo_create (image);
          double width = 0, height = 0;

          rs_render_draw (shown, cr);
          cairo_destroy (cr);
          rs_render_get_size (shown, &width, &height);
          rs_render_hit_test (shown, width / 2, height / 2);
        }

      g_thread_join (worker);
      g_assert_true (preparation.ok);
      spare = g_steal_pointer (&shown);
      shown = preparation.render;
      current = next;
      prepared++;
    }
  g_test_message ("%s: %u steps prepared on a worker", (const char *) data, prepared);
  g_assert_cmpuint (prepared, ==, PREPARED_STEPS);
  cairo_surface_destroy (image);
}

int
main (int   argc,
      char *argv[])
{
  static const int threads[] = { 2, 4, 8 };
  GThread *thread;
  int status;

  g_test_init (&argc, &argv, NULL);
  for (int i = 1; i < argc; i++)
    {
      const char *colon = strrchr (argv[i], ':');

      if (colon == NULL || !(g_str_equal (colon, ":exact") || g_str_equal (colon, ":approximate")))
        g_error ("usage: %s CLIP:approximate|exact...", argv[0]);
      for (guint k = 0; k < G_N_ELEMENTS (threads); k++)
        {
          Case *test = g_new (Case, 1);
          g_autofree char *base = NULL;
          g_autofree char *path = NULL;

          test->clip = g_strndup (argv[i], colon - argv[i]);
          test->exact = g_str_equal (colon, ":exact");
          test->threads = threads[k];
          base = g_path_get_basename (test->clip);
          path = g_strdup_printf ("/threads/%s/%d", base, threads[k]);
          g_test_add_data_func_full (path, test, test_threads, case_free);
        }
    }

  if (argc > 1)
    {
      char *clip = g_strndup (argv[1], strrchr (argv[1], ':') - argv[1]);

      g_test_add_data_func_full ("/threads/prepared-layouts", clip, test_prepared_layouts, g_free);
    }

  thread = g_thread_new ("watchdog", watchdog, NULL);
  status = g_test_run ();
  g_mutex_lock (&watchdog_lock);
  watchdog_stop = TRUE;
  g_cond_signal (&watchdog_cond);
  g_mutex_unlock (&watchdog_lock);
  g_thread_join (thread);
  return status;
}
