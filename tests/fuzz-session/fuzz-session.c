/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A libFuzzer target for the whole open → step → trace → graph path: any
 * bytes, written to a file, must either be refused by
 * rs_decode_session_new() with an error naming the file, or give a session
 * whose every step keeps the trace rules (DESIGN.md section 7) and whose
 * trace lines and DOT graphs can be written, without a crash, an
 * out-of-bounds access, undefined behaviour, a GLib warning or a leak.
 *
 * Built twice: by tests/fuzz-session/meson.build with clang
 * (-fsanitize=fuzzer,address,undefined), and by tests/regressions/ with the
 * project's compiler and a replay main() (replay.c) that runs saved inputs,
 * so every crash the fuzzer found stays a test in every build.
 *
 * The last byte of the input picks the pipeline settings (copy policy,
 * streams, queue sizes), so the fuzzer reaches every policy; it stays part
 * of the file. One decoder thread: runs must be reproducible.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "rs-decode-session.h"
#include "rs-diff.h"
#include "rs-graph.h"
#include "rs-trace.h"

/* A session longer than this is stopped (and dropped unfinished, which
 * exercises the early-drop path). */
#define MAX_STEPS 5000

/* Steps whose graph is built and written as DOT: the first ones, then every
 * GRAPH_EVERY steps, and the last. */
#define GRAPH_FIRST 4
#define GRAPH_EVERY 997

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *input_path;
static int input_fd = -1;

static void
remove_input (void)
{
  g_unlink (input_path);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;

  /* A GLib warning or critical is a bug, like a crash. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  input_fd = g_file_open_tmp ("rs-fuzz-session-XXXXXX", &input_path, &error);
  g_assert_no_error (error);
  atexit (remove_input);
  return 0;
}

static void
write_input (const uint8_t *data,
             size_t          size)
{
  size_t done = 0;

  g_assert_cmpint (ftruncate (input_fd, 0), ==, 0);
  while (done < size)
    {
      ssize_t n = pwrite (input_fd, data + done, size - done, done);

      g_assert_true (n > 0 || (n < 0 && errno == EINTR));
      if (n > 0)
        done += n;
    }
}

static void
settings_from_byte (RsDecodeSettings *settings,
                    guint8            byte)
{
  rs_decode_settings_init (settings);
  settings->copy = (RsCopyPolicy) (byte & 3);
  settings->streams = (RsStreamSelection) ((byte >> 2) & 3);
  settings->packet_queue = 1 + ((byte >> 4) & 3) * 3;  /* 1, 4, 7, 10 */
  settings->frame_queue = 1 + ((byte >> 6) & 3);       /* 1 .. 4 */
}

/* The per-step rules of the trace, on the snapshot itself. */
static void
check_snapshot (RsSnapshot *snapshot,
                guint       step,
                gboolean    final)
{
  g_autoptr(GHashTable) pointing = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GPtrArray) counts = g_ptr_array_new_with_free_func (g_free);
  const char *out = rs_snapshot_get_out (snapshot);

  g_assert_cmpuint (rs_snapshot_get_step (snapshot), ==, step);
  g_assert_nonnull (rs_snapshot_get_call (snapshot));

  for (guint i = 0; i < rs_snapshot_get_n_handles (snapshot); i++)
    {
      const RsHandle *handle = rs_snapshot_get_handle (snapshot, i);

      for (guint k = 0; k < handle->n_refs; k++)
        {
          guint64 *id = g_new (guint64, 1);
          guint n;

          *id = handle->refs[k].buffer;
          n = GPOINTER_TO_UINT (g_hash_table_lookup (pointing, id));
          g_ptr_array_add (counts, id);
          g_hash_table_replace (pointing, id, GUINT_TO_POINTER (n + 1));
          g_assert_nonnull (rs_snapshot_find_buffer (snapshot, *id));
        }
    }
  for (guint i = 0; i < rs_snapshot_get_n_buffers (snapshot); i++)
    {
      const RsBuffer *buffer = rs_snapshot_get_buffer (snapshot, i);
      guint refs = GPOINTER_TO_UINT (g_hash_table_lookup (pointing, &buffer->id));

      g_assert_cmpint (buffer->visible, ==, (int) refs);
      g_assert_cmpint (buffer->hidden, >=, 0);
      g_assert_cmpint (buffer->refcount, ==, buffer->visible + buffer->hidden);
      g_assert_cmpuint (buffer->born, <=, step);
      if (i > 0)
        g_assert_cmpuint (rs_snapshot_get_buffer (snapshot, i - 1)->id, <, buffer->id);
    }
  if (out != NULL)
    g_assert_nonnull (rs_snapshot_find_handle (snapshot, out));
  if (final)
    {
      /* Everything is closed: no handle is left, and a buffer still alive
       * would be a leak of the session. */
      g_assert_cmpuint (rs_snapshot_get_n_handles (snapshot), ==, 0);
      g_assert_cmpuint (rs_snapshot_get_n_buffers (snapshot), ==, 0);
    }
}

static void
check_dot (RsSnapshot *snapshot,
           RsSnapshot *previous)
{
  g_autoptr(RsDiff) diff = rs_diff_new (previous, snapshot);
  g_autoptr(RsGraph) graph = rs_graph_build (snapshot, diff, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dot = NULL;
  gsize length = 0;

  dot = rs_graph_to_dot (graph, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 0);
  g_assert_cmpuint (strlen (dot), ==, length);
  g_assert_nonnull (rs_graph_get_topology_key (graph));
}

/* A line of the trace is one JSON object with the step's number. */
static void
check_line (const char *text,
            gsize       length,
            guint       step)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  g_assert_true (length > 0 && text[length - 1] == '\n');
  json_parser_load_from_data (parser, text, length - 1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (object, "step"), ==, step);
  g_assert_true (json_object_has_member (object, "buffers"));
}

static void
run_session (RsDecodeSession *session)
{
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(RsTraceWriter) trace = rs_trace_writer_new (memory);
  GMemoryOutputStream *stream = G_MEMORY_OUTPUT_STREAM (memory);
  g_autoptr(GError) error = NULL;
  RsSnapshot *previous = NULL;
  RsSnapshot *snapshot;
  guint step = 0;

  while (step < MAX_STEPS && (snapshot = rs_session_step (RS_SESSION (session), &error)) != NULL)
    {
      gsize start = g_memory_output_stream_get_data_size (stream);
      gboolean final = rs_session_is_finished (RS_SESSION (session));

      check_snapshot (snapshot, step, final);
      g_assert_true (rs_trace_writer_write (trace, snapshot, &error));
      g_assert_no_error (error);
      if (step < GRAPH_FIRST || step % GRAPH_EVERY == 0 || final)
        {
          check_dot (snapshot, previous);
          check_line ((const char *) g_memory_output_stream_get_data (stream) + start,
                      g_memory_output_stream_get_data_size (stream) - start, step);
        }
      previous = snapshot;
      step++;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (rs_history_get_length (rs_session_get_history (RS_SESSION (session))), ==, step);
  g_assert_true (rs_trace_writer_close (trace, &error));
  g_assert_no_error (error);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(RsDecodeSession) session = NULL;
  g_autoptr(GError) error = NULL;
  RsDecodeSettings settings;

  write_input (data, size);
  settings_from_byte (&settings, size > 0 ? data[size - 1] : 0);

  session = rs_decode_session_new (input_path, &settings, &error);
  if (session == NULL)
    {
      /* Refused: with a message that names the file. */
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, input_path));
      return 0;
    }
  g_assert_no_error (error);
  run_session (session);
  return 0;
}
