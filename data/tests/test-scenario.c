/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Scenario sessions: every bundled lesson runs with the refcounts, leaks and
 * unsafe writes it is meant to show; observing changes nothing libav does;
 * a wrong scenario is stopped, never a crash; the trace marks leaks.
 */
#include <json-glib/json-glib.h>
#include <libavcodec/avcodec.h>
#include <string.h>

#include "rs-error.h"
#include "rs-intern.h"
#include "rs-query.h"
#include "rs-scenario-peek-private.h"
#include "rs-scenario-session.h"
#include "rs-trace.h"
#include "rs-tracker-private.h"

static char *
lesson_path (const char *name)
{
  const char *dir = g_getenv ("RS_SCENARIO_DIR");

  g_assert_nonnull (dir);
  return g_build_filename (dir, name, NULL);
}

static RsScenarioSession *
open_lesson (const char *name,
             gboolean    observe)
{
  g_autofree char *path = lesson_path (name);
  g_autofree char *source = NULL;
  g_autoptr(GError) error = NULL;
  RsScenarioSession *session;

  g_assert_true (g_file_get_contents (path, &source, NULL, NULL));
  session = rs_scenario_session_new (name, source, -1, observe, &error);
  g_assert_no_error (error);
  return session;
}

static RsScenarioSession *
open_source (const char *source)
{
  g_autoptr(GError) error = NULL;
  RsScenarioSession *session = rs_scenario_session_new ("test.c", source, -1, TRUE, &error);

  g_assert_no_error (error);
  return session;
}

/* Runs every step; the history. */
static RsHistory *
run (RsScenarioSession *session)
{
  g_autoptr(GError) error = NULL;

  while (rs_session_step (RS_SESSION (session), &error) != NULL)
    ;
  g_assert_no_error (error);
  g_assert_true (rs_session_is_finished (RS_SESSION (session)));
  return rs_session_get_history (RS_SESSION (session));
}

/* The first step whose call (and arguments, unless NULL) match. */
static RsSnapshot *
find_step (RsHistory  *history,
           const char *call,
           const char *args)
{
  for (guint i = 0; i < rs_history_get_length (history); i++)
    {
      RsSnapshot *snapshot = rs_history_get_snapshot (history, i);

      if (g_strcmp0 (rs_snapshot_get_call (snapshot), call) == 0 &&
          (args == NULL || g_strcmp0 (rs_snapshot_get_args (snapshot), args) == 0))
        return snapshot;
    }
  g_error ("no step %s(%s)", call, args != NULL ? args : "…");
  return NULL;
}

/* The buffer handle `id` holds in its first ref, or NULL. */
static const RsBuffer *
held_buffer (RsSnapshot *snapshot,
             const char *id)
{
  const RsHandle *handle = rs_snapshot_find_handle (snapshot, id);

  g_assert_nonnull (handle);
  return handle->n_refs > 0 ? rs_snapshot_find_buffer (snapshot, handle->refs[0].buffer) : NULL;
}

static guint
count_events (RsSnapshot  *snapshot,
              RsEventKind  kind)
{
  guint n = 0;

  for (guint i = 0; i < rs_snapshot_get_n_events (snapshot); i++)
    n += rs_snapshot_get_event (snapshot, i)->kind == kind;
  return n;
}

static guint
count_all_events (RsHistory   *history,
                  RsEventKind  kind)
{
  guint n = 0;

  for (guint i = 0; i < rs_history_get_length (history); i++)
    n += count_events (rs_history_get_snapshot (history, i), kind);
  return n;
}

static const RsEvent *
find_event (RsSnapshot  *snapshot,
            RsEventKind  kind)
{
  for (guint i = 0; i < rs_snapshot_get_n_events (snapshot); i++)
    if (rs_snapshot_get_event (snapshot, i)->kind == kind)
      return rs_snapshot_get_event (snapshot, i);
  return NULL;
}

static void
assert_ends_clean (RsScenarioSession *session,
                   RsHistory         *history)
{
  RsSnapshot *last = rs_history_get_last (history);
  g_autoptr(GArray) leaks = rs_history_query_leaks (history);

  g_assert_cmpstr (rs_snapshot_get_call (last), ==, "end");
  g_assert_cmpuint (rs_snapshot_get_n_handles (last), ==, 0);
  g_assert_cmpuint (rs_snapshot_get_n_buffers (last), ==, 0);
  g_assert_cmpuint (count_all_events (history, RS_EVENT_LEAKED), ==, 0);
  g_assert_cmpuint (count_all_events (history, RS_EVENT_LOST), ==, 0);
  g_assert_cmpuint (count_all_events (history, RS_EVENT_ERROR), ==, 0);
  g_assert_cmpuint (leaks->len, ==, 0);
}

static void
test_lesson_alloc_free (void)
{
  g_autoptr(RsScenarioSession) session = open_lesson ("01-packet-alloc-free.c", TRUE);
  RsHistory *history = run (session);
  RsSnapshot *snapshot;
  const RsBuffer *buffer;
  int line = 0;

  snapshot = find_step (history, "av_packet_alloc", NULL);
  g_assert_cmpstr (rs_snapshot_get_out (snapshot), ==, "pkt");
  g_assert_null (held_buffer (snapshot, "pkt"));

  snapshot = find_step (history, "av_new_packet", NULL);
  buffer = held_buffer (snapshot, "pkt");
  g_assert_nonnull (buffer);
  g_assert_cmpint (buffer->refcount, ==, 1);
  g_assert_true (buffer->tracked);
  g_assert_true (buffer->writable);
  g_assert_cmpuint (buffer->size, ==, 20 * 1024 * 102 + AV_INPUT_BUFFER_PADDING_SIZE);
  g_assert_cmpstr (buffer->origin, ==, "av_new_packet");
  g_assert_true (rs_scenario_session_get_step_location (session, rs_snapshot_get_step (snapshot), &line, NULL));
  g_assert_cmpint (line, ==, 23);

  snapshot = find_step (history, "memccpy", NULL);
  g_assert_cmpuint (rs_snapshot_get_n_events (snapshot), ==, 0);

  snapshot = find_step (history, "av_packet_unref", NULL);
  g_assert_null (held_buffer (snapshot, "pkt"));
  g_assert_cmpuint (count_events (snapshot, RS_EVENT_FREED), ==, 1);

  snapshot = find_step (history, "av_packet_free", NULL);
  g_assert_cmpuint (rs_snapshot_get_n_handles (snapshot), ==, 0);
  assert_ends_clean (session, history);
}

static void
test_lesson_init_packet_leak (void)
{
  g_autoptr(RsScenarioSession) session = open_lesson ("02-init-packet-leak.c", TRUE);
  RsHistory *history = run (session);
  RsSnapshot *snapshot = find_step (history, "av_init_packet", NULL);
  RsSnapshot *last = rs_history_get_last (history);
  const RsEvent *orphaned = find_event (snapshot, RS_EVENT_LOST);
  const RsBuffer *buffer;
  g_autoptr(GPtrArray) leaks = NULL;
  g_autoptr(GArray) records = NULL;
  const RsLeak *leak;

  /* The buffer lost its holder in the av_init_packet step: its reference
   * is nobody's, not libav's... */
  g_assert_null (held_buffer (snapshot, "pkt"));
  g_assert_nonnull (orphaned);
  buffer = rs_snapshot_find_buffer (snapshot, orphaned->buffer);
  g_assert_nonnull (buffer);
  g_assert_cmpint (buffer->refcount, ==, 1);
  g_assert_cmpint (buffer->visible, ==, 0);
  g_assert_cmpint (buffer->lost, ==, 1);
  g_assert_cmpint (buffer->hidden, ==, 0);
  g_assert_null (buffer->holder);
  g_assert_cmpstr (orphaned->call, ==, "av_init_packet");
  g_assert_cmpstr (orphaned->handle, ==, "pkt");
  g_assert_cmpint (orphaned->reason, ==, RS_LOSS_RESET);
  g_assert_true (g_str_has_suffix (orphaned->site.file, "02-init-packet-leak.c"));
  g_assert_cmpint (orphaned->site.line, ==, 19);
  g_assert_cmpint (orphaned->site.column, ==, 5);
  g_assert_null (orphaned->message);

  /* ... av_packet_free cannot free it, and at the end it is a leak. */
  g_assert_nonnull (rs_snapshot_find_buffer (find_step (history, "av_packet_free", NULL), orphaned->buffer));
  leaks = rs_snapshot_get_leaks (last);
  g_assert_cmpuint (leaks->len, ==, 1);
  buffer = g_ptr_array_index (leaks, 0);
  g_assert_cmpuint (buffer->id, ==, orphaned->buffer);
  g_assert_true (buffer->leaked);
  g_assert_cmpuint (buffer->size, ==, 20 * 1024 * 102 + AV_INPUT_BUFFER_PADDING_SIZE);
  g_assert_cmpuint (count_events (last, RS_EVENT_LEAKED), ==, 1);

  g_assert_cmpint (buffer->lost, ==, 1);
  g_assert_cmpint (buffer->hidden, ==, 0);

  records = rs_history_query_leaks (history);
  g_assert_cmpuint (records->len, ==, 1);
  leak = &g_array_index (records, RsLeak, 0);
  g_assert_cmpint (leak->kind, ==, RS_LEAK_BUFFER);
  g_assert_cmpuint (leak->buffer, ==, orphaned->buffer);
  g_assert_true (leak->orphaned);
  g_assert_cmpuint (leak->lost_step, ==, 5);
  g_assert_cmpstr (leak->lost_call, ==, "av_init_packet");
  g_assert_cmpint (leak->lost_site.line, ==, 19);
  g_assert_cmpstr (leak->origin, ==, "av_new_packet");
}

static void
test_lesson_copy_packet (void)
{
  g_autoptr(RsScenarioSession) session = open_lesson ("03-copy-packet.c", TRUE);
  RsHistory *history = run (session);
  RsSnapshot *snapshot;
  const RsBuffer *shared;
  const RsEvent *unsafe;
  guint64 first;

  snapshot = find_step (history, "av_packet_ref", "shared, src");
  shared = held_buffer (snapshot, "shared");
  first = shared->id;
  g_assert_cmpuint (held_buffer (snapshot, "src")->id, ==, first);
  g_assert_cmpint (shared->refcount, ==, 2);
  g_assert_cmpint (shared->visible, ==, 2);
  g_assert_false (shared->writable);

  snapshot = find_step (history, "av_packet_clone", NULL);
  g_assert_cmpstr (rs_snapshot_get_out (snapshot), ==, "clone");
  g_assert_cmpint (held_buffer (snapshot, "clone")->refcount, ==, 3);

  snapshot = find_step (history, "memset", "shared->data, 1, 16");
  unsafe = find_event (snapshot, RS_EVENT_UNSAFE_WRITE);
  g_assert_nonnull (unsafe);
  g_assert_cmpuint (unsafe->buffer, ==, first);
  g_assert_cmpstr (unsafe->handle, ==, "shared");
  g_assert_cmpstr (unsafe->call, ==, "memset");
  g_assert_cmpint (unsafe->count, ==, 3);

  /* The own copy is a second buffer; make_writable gives shared a third. */
  g_assert_cmpuint (held_buffer (find_step (history, "av_new_packet", "copy, src->size"), "copy")->id, !=, first);
  snapshot = find_step (history, "av_packet_make_writable", "shared");
  g_assert_cmpuint (held_buffer (snapshot, "shared")->id, !=, first);
  g_assert_cmpint (held_buffer (snapshot, "src")->refcount, ==, 2);
  g_assert_cmpuint (count_events (find_step (history, "memset", "shared->data, 2, 16"), RS_EVENT_UNSAFE_WRITE), ==, 0);
  g_assert_cmpuint (count_all_events (history, RS_EVENT_UNSAFE_WRITE), ==, 1);

  /* Freed when the last reference went. */
  g_assert_cmpuint (count_events (find_step (history, "av_packet_free", "&clone"), RS_EVENT_FREED), ==, 0);
  g_assert_cmpuint (count_events (find_step (history, "av_packet_unref", "src"), RS_EVENT_FREED), ==, 1);
  assert_ends_clean (session, history);
}

static void
test_lesson_queue (void)
{
  g_autoptr(RsScenarioSession) session = open_lesson ("04-queue-move-ref.c", TRUE);
  RsHistory *history = run (session);
  RsSnapshot *snapshot = find_step (history, "av_packet_move_ref", "q0, pkt");
  const RsBuffer *buffer = held_buffer (snapshot, "q0");

  g_assert_cmpint (buffer->refcount, ==, 1);
  g_assert_true (buffer->writable);
  g_assert_null (held_buffer (snapshot, "pkt"));
  g_assert_cmpuint (rs_snapshot_get_n_events (snapshot), ==, 0);

  snapshot = find_step (history, "av_frame_move_ref", "slot0, frame");
  g_assert_null (held_buffer (snapshot, "frame"));
  buffer = held_buffer (snapshot, "slot0");
  g_assert_cmpint (buffer->refcount, ==, 1);
  g_assert_cmpint (buffer->kind, ==, RS_BUFFER_KIND_PICTURE);
  g_assert_cmpuint (rs_snapshot_find_handle (snapshot, "slot0")->width, ==, 320);

  g_assert_cmpuint (count_events (find_step (history, "av_frame_unref", "slot0"), RS_EVENT_FREED), ==, 1);
  g_assert_cmpuint (count_all_events (history, RS_EVENT_UNSAFE_WRITE), ==, 0);
  assert_ends_clean (session, history);
}

static void
test_lesson_frame_writable (void)
{
  g_autoptr(RsScenarioSession) session = open_lesson ("05-frame-make-writable.c", TRUE);
  RsHistory *history = run (session);
  RsSnapshot *first = find_step (history, "av_frame_make_writable", "frame");
  RsSnapshot *snapshot = find_step (history, "av_frame_ref", "ref, frame");
  guint64 picture = held_buffer (first, "frame")->id;

  /* Writable already: no copy. */
  g_assert_cmpuint (count_events (first, RS_EVENT_ALLOCATED), ==, 0);
  g_assert_cmpint (held_buffer (snapshot, "ref")->refcount, ==, 2);
  g_assert_cmpuint (held_buffer (snapshot, "ref")->id, ==, picture);

  snapshot = find_step (history, "memset", "frame->data[0], 235, frame->linesize[0]");
  g_assert_cmpuint (find_event (snapshot, RS_EVENT_UNSAFE_WRITE)->buffer, ==, picture);
  g_assert_cmpuint (count_all_events (history, RS_EVENT_UNSAFE_WRITE), ==, 1);

  /* Shared: make_writable copies. */
  snapshot = rs_history_get_snapshot (history, rs_snapshot_get_step (snapshot) + 1);
  g_assert_cmpstr (rs_snapshot_get_call (snapshot), ==, "av_frame_make_writable");
  g_assert_cmpuint (count_events (snapshot, RS_EVENT_ALLOCATED), ==, 1);
  g_assert_cmpuint (held_buffer (snapshot, "frame")->id, !=, picture);
  g_assert_cmpint (held_buffer (snapshot, "ref")->refcount, ==, 1);
  assert_ends_clean (session, history);
}

static void
test_lesson_move_ref_leak (void)
{
  g_autoptr(RsScenarioSession) session = open_lesson ("06-move-ref-leak.c", TRUE);
  RsHistory *history = run (session);
  RsSnapshot *snapshot = find_step (history, "av_packet_move_ref", "dst, src");
  const RsEvent *orphaned = find_event (snapshot, RS_EVENT_LOST);
  g_autoptr(GPtrArray) leaks = rs_snapshot_get_leaks (rs_history_get_last (history));
  const RsBuffer *buffer;

  g_assert_nonnull (orphaned);
  g_assert_cmpint (orphaned->reason, ==, RS_LOSS_OVERWRITTEN);
  buffer = rs_snapshot_find_buffer (snapshot, orphaned->buffer);
  g_assert_cmpuint (buffer->size, ==, 100 + AV_INPUT_BUFFER_PADDING_SIZE);
  g_assert_cmpint (buffer->lost, ==, 1);
  g_assert_cmpint (buffer->hidden, ==, 0);
  g_assert_cmpuint (leaks->len, ==, 1);
  buffer = g_ptr_array_index (leaks, 0);
  g_assert_cmpuint (buffer->id, ==, orphaned->buffer);
  g_assert_cmpint (buffer->lost, ==, 1);
  g_assert_cmpint (buffer->hidden, ==, 0);
  g_assert_null (buffer->holder);
  /* The second move, after av_packet_unref, loses nothing. */
  g_assert_cmpuint (count_all_events (history, RS_EVENT_LOST), ==, 1);
}

static void
test_lesson_grow (void)
{
  g_autoptr(RsScenarioSession) session = open_lesson ("07-grow-packet.c", TRUE);
  RsHistory *history = run (session);
  RsSnapshot *made = find_step (history, "av_new_packet", NULL);
  RsSnapshot *grown = find_step (history, "av_grow_packet", NULL);
  RsSnapshot *shared, *regrown;
  const RsBuffer *buffer = held_buffer (made, "pkt");

  /* Observed, not wrapped; reallocated in place: the same buffer. */
  g_assert_false (buffer->tracked);
  g_assert_cmpuint (held_buffer (grown, "pkt")->id, ==, buffer->id);
  g_assert_cmpint (rs_snapshot_find_handle (grown, "pkt")->size, ==, 1100);
  g_assert_cmpuint (count_events (grown, RS_EVENT_ALLOCATED), ==, 0);

  /* Shared, it cannot be: pkt gets a new buffer and other keeps the old. */
  shared = find_step (history, "av_packet_ref", NULL);
  regrown = rs_history_get_snapshot (history, rs_snapshot_get_step (shared) + 1);
  g_assert_cmpstr (rs_snapshot_get_call (regrown), ==, "av_grow_packet");
  g_assert_cmpuint (held_buffer (regrown, "other")->id, ==, buffer->id);
  g_assert_cmpuint (held_buffer (regrown, "pkt")->id, !=, buffer->id);
  g_assert_cmpint (held_buffer (regrown, "other")->refcount, ==, 1);
  g_assert_cmpuint (count_all_events (history, RS_EVENT_UNSAFE_WRITE), ==, 0);
  assert_ends_clean (session, history);
}

/* The proof behind lesson 7: libav reallocates av_new_packet's buffer in
 * place, and wrapping it would turn that into a copy. */
static void
test_wrapping_would_change_grow (void)
{
  AVPacket *plain = av_packet_alloc ();
  AVPacket *wrapped = av_packet_alloc ();
  RsTracker *tracker = rs_tracker_new ();
  AVBuffer *before;

  g_assert_cmpint (av_new_packet (plain, 100), ==, 0);
  before = plain->buf->buffer;
  g_assert_cmpint (av_grow_packet (plain, 1000), ==, 0);
  g_assert_true (plain->buf->buffer == before);

  g_assert_cmpint (av_new_packet (wrapped, 100), ==, 0);
  g_assert_cmpuint (rs_tracker_wrap (tracker, &wrapped->buf, RS_BUFFER_KIND_PACKET, "test", NULL), !=, 0);
  before = wrapped->buf->buffer;
  g_assert_cmpint (av_grow_packet (wrapped, 1000), ==, 0);
  g_assert_true (wrapped->buf->buffer != before);

  av_packet_free (&plain);
  av_packet_free (&wrapped);
  g_assert_cmpuint (rs_tracker_get_n_live (tracker), ==, 0);
  rs_tracker_unref (tracker);
}

/* What one variable shows at one step, in terms that do not depend on
 * addresses: counts, writability, sizes, and whether each buffer is the
 * one it held the step before. */
static char *
describe_variable (RsScenarioSession  *session,
                   const char         *name,
                   const AVBuffer    **last)
{
  const AVPacket *packet = rs_scenario_session_peek_packet (session, name);
  const AVFrame *frame = rs_scenario_session_peek_frame (session, name);
  GString *text = g_string_new (name);

  if (packet != NULL)
    {
      g_string_append_printf (text, " packet size=%d", packet->size);
      if (packet->buf != NULL)
        {
          g_string_append_printf (text, " rc=%d w=%d same=%d", av_buffer_get_ref_count (packet->buf),
                                  av_buffer_is_writable (packet->buf), *last == packet->buf->buffer);
          *last = packet->buf->buffer;
        }
    }
  if (frame != NULL)
    {
      g_string_append_printf (text, " frame %dx%d/%d fmt=%d", frame->width, frame->height, frame->nb_samples,
                              frame->format);
      for (guint i = 0; i < AV_NUM_DATA_POINTERS && frame->buf[i] != NULL; i++)
        g_string_append_printf (text, " rc=%d w=%d size=%zu", av_buffer_get_ref_count (frame->buf[i]),
                                av_buffer_is_writable (frame->buf[i]), frame->buf[i]->size);
    }
  return g_string_free (text, FALSE);
}

/* Every lesson, observed and not, in lockstep: libav behaves the same. */
static void
test_observation_changes_nothing (void)
{
  g_autofree char *dir = lesson_path ("");
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autoptr(RsScenarioSession) observed = open_lesson (name, TRUE);
      g_autoptr(RsScenarioSession) plain = open_lesson (name, FALSE);
      RsScenarioProgram *program = rs_scenario_session_get_program (plain);
      guint n = rs_scenario_program_get_n_variables (program);
      g_autofree const AVBuffer **last_observed = g_new0 (const AVBuffer *, n);
      g_autofree const AVBuffer **last_plain = g_new0 (const AVBuffer *, n);
      gboolean more = TRUE;

      while (more)
        {
          g_autoptr(GError) error = NULL;

          for (guint v = 0; v < n; v++)
            {
              const char *variable = rs_scenario_program_get_variable (program, v)->name;
              g_autofree char *a = describe_variable (observed, variable, &last_observed[v]);
              g_autofree char *b = describe_variable (plain, variable, &last_plain[v]);

              g_assert_cmpstr (a, ==, b);
            }
          more = rs_session_step (RS_SESSION (observed), &error) != NULL;
          g_assert_no_error (error);
          g_assert_cmpint (more, ==, rs_scenario_session_run_statement (plain));
        }
    }
}

static char *
trace_of (RsScenarioSession *session)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(RsTraceWriter) writer = rs_trace_writer_new (stream);
  RsHistory *history = run (session);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < rs_history_get_length (history); i++)
    g_assert_true (rs_trace_writer_write (writer, rs_history_get_snapshot (history, i), &error));
  g_assert_true (rs_trace_writer_close (writer, &error));
  g_assert_no_error (error);
  return g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (stream)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (stream)));
}

static void
test_trace_marks_leaks (void)
{
  g_autoptr(RsScenarioSession) leaky = open_lesson ("02-init-packet-leak.c", TRUE);
  g_autoptr(RsScenarioSession) unsafe = open_lesson ("03-copy-packet.c", TRUE);
  g_autofree char *trace = trace_of (leaky);
  g_autofree char *unsafe_trace = trace_of (unsafe);
  g_auto(GStrv) lines = g_strsplit (g_strchomp (trace), "\n", -1);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *step;
  JsonArray *buffers;

  g_assert_cmpuint (g_strv_length (lines), ==, 8);
  g_assert_true (json_parser_load_from_data (parser, lines[7], -1, &error));
  g_assert_no_error (error);
  step = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (step, "step"), ==, 7);
  buffers = json_object_get_array_member (step, "buffers");
  g_assert_cmpuint (json_array_get_length (buffers), ==, 1);
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (buffers, 0), "leaked"));
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (buffers, 0), "lost"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (buffers, 0), "hidden"), ==, 0);
  g_assert_nonnull (strstr (lines[5], "\"event\":\"lost\",\"handle\":\"pkt\",\"call\":\"av_init_packet\""));
  g_assert_nonnull (strstr (lines[5], "\"line\":19"));

  g_assert_nonnull (strstr (unsafe_trace, "\"event\":\"unsafe_write\""));
}

static void
test_runtime_errors (void)
{
  g_autoptr(RsScenarioSession) session = open_source (
    "AVPacket *p = av_packet_alloc();\n"         /* 1 */
    "AVPacket *q = p;\n"                         /* 2 */
    "AVPacket *u;\n"                             /* 3 */
    "int n = 100, big = 100000000;\n"            /* 4 */
    "av_packet_unref(u);\n"                      /* 5: uninitialized */
    "av_new_packet(p, n);\n"                     /* 6 */
    "av_packet_free(&p);\n"                      /* 7 */
    "av_packet_unref(q);\n"                      /* 8: use after free */
    "av_packet_free(&q);\n"                      /* 9: double free */
    "av_packet_unref(p);\n"                      /* 10: NULL */
    "av_packet_free(&p);\n"                      /* 11: fine, p is NULL */
    "p = av_packet_alloc();\n"                   /* 12 */
    "av_new_packet(p, n);\n"                     /* 13 */
    "memset(p->data, 0, n + 1);\n"               /* 14: out of bounds */
    "memset(p->data + 50, 0, 50);\n"             /* 15: fine */
    "int ret = av_new_packet(p, big);\n"         /* 16: refused */
    "av_shrink_packet(p, -1);\n"                 /* 17: refused */
    "AVFrame *f = av_frame_alloc();\n"           /* 18 */
    "f->format = AV_PIX_FMT_RGBA; f->width = 16000; f->height = 16000;\n" /* 19 */
    "av_frame_get_buffer(f, 0);\n"               /* 20: refused */
    "memset(f->data[0], 0, 1);\n"                /* 21: NULL plane */
    "av_packet_free(&p);\n"
    "av_frame_free(&f);\n");
  RsHistory *history = run (session);
  static const int error_lines[] = { 5, 8, 9, 10, 14, 16, 17, 20, 21 };
  static const RsFault faults[] = { RS_FAULT_UNINITIALIZED, RS_FAULT_USE_AFTER_FREE, RS_FAULT_DOUBLE_FREE,
                                    RS_FAULT_NULL_POINTER, RS_FAULT_OUT_OF_BOUNDS, RS_FAULT_TOO_BIG,
                                    RS_FAULT_NEGATIVE, RS_FAULT_TOO_BIG, RS_FAULT_NULL_POINTER };
  const RsEvent *fault;
  guint k = 0;

  for (guint i = 0; i < rs_history_get_length (history); i++)
    {
      RsSnapshot *snapshot = rs_history_get_snapshot (history, i);
      const RsEvent *error = find_event (snapshot, RS_EVENT_ERROR);
      int line = 0;

      g_assert_true (rs_scenario_session_get_step_location (session, i, &line, NULL));
      if (error == NULL)
        continue;
      g_assert_cmpuint (k, <, G_N_ELEMENTS (error_lines));
      g_assert_cmpint (line, ==, error_lines[k]);
      g_assert_cmpint (error->site.line, ==, line);
      g_assert_true (g_str_has_suffix (error->site.file, "test.c"));
      g_assert_cmpint (error->fault, ==, faults[k]);
      k++;
    }
  g_assert_cmpuint (k, ==, G_N_ELEMENTS (error_lines));
  /* Findings are fields; ui/rs-findings.c makes the words. */
  fault = find_event (find_step (history, "av_packet_unref", "q"), RS_EVENT_ERROR);
  g_assert_cmpint (fault->fault, ==, RS_FAULT_USE_AFTER_FREE);
  g_assert_cmpstr (fault->handle, ==, "q");
  g_assert_cmpint (fault->value[0], ==, 7);
  g_assert_cmpint (fault->value[1], ==, RS_HANDLE_PACKET);
  g_assert_null (fault->message);
  fault = find_event (find_step (history, "av_packet_free", "&q"), RS_EVENT_ERROR);
  g_assert_cmpint (fault->fault, ==, RS_FAULT_DOUBLE_FREE);
  g_assert_cmpstr (fault->handle, ==, "q");
  g_assert_cmpint (rs_snapshot_get_ret (find_step (history, "av_new_packet", "p, big")), ==, AVERROR (ERANGE));
  g_assert_cmpuint (count_all_events (history, RS_EVENT_LEAKED), ==, 0);
  g_assert_cmpuint (rs_snapshot_get_n_buffers (rs_history_get_last (history)), ==, 0);
}

/* More names than GLib's quark table holds before it grows (2048): the
 * ids are Refscope's interned strings, one pointer a name, and GLib never
 * saw them (its table leaks its old arrays each time it grows: the ASan
 * build's leak check fails this test if they go there again). */
static void
test_many_names (void)
{
  enum { N = 3000 };
  g_autoptr(GString) source = g_string_new ("int main(void)\n{\n");
  g_autoptr(RsScenarioSession) session = NULL;
  RsHistory *history;
  g_autoptr(RsSnapshot) peak = NULL;
  guint peak_step = 0, most = 0;

  for (guint i = 0; i < N; i++)
    g_string_append_printf (source, "  AVPacket *many%u = av_packet_alloc();\n", i);
  for (guint i = 0; i < N; i++)
    g_string_append_printf (source, "  av_packet_free(&many%u);\n", i);
  g_string_append (source, "  return 0;\n}\n");
  session = open_source (source->str);
  history = run (session);

  for (guint i = 0; i < rs_history_get_length (history); i++)
    if (rs_snapshot_get_n_handles (rs_history_get_snapshot (history, i)) > most)
      {
        most = rs_snapshot_get_n_handles (rs_history_get_snapshot (history, i));
        peak_step = i;
      }
  /* Held: a borrowed snapshot of a packed step lasts only while few other
   * packed steps are read (rs-history.h), and this loop reads thousands. */
  peak = rs_snapshot_ref (rs_history_get_snapshot (history, peak_step));
  g_assert_cmpuint (rs_snapshot_get_n_handles (peak), ==, N);
  for (guint i = 0; i < N; i++)
    {
      const RsHandle *handle = rs_snapshot_get_handle (peak, i);
      g_autofree char *name = g_strdup_printf ("many%u", i);

      g_assert_nonnull (rs_snapshot_find_handle (peak, name));
      g_assert_true (rs_snapshot_find_handle (peak, name)->id == rs_intern_lookup (name));
      g_assert_true (handle->id == rs_intern_lookup (handle->id));
      g_assert_cmpuint (g_quark_try_string (name), ==, 0);
    }
  assert_ends_clean (session, history);
}

/* Lost structs are counted once, when all their buffers are tracked, and
 * not looked at again; one lost while another packet still shares its
 * (untracked) payload is counted each step until that payload is tracked,
 * its last reference the lost one. At every step, every buffer's refcount
 * is visible + lost (nothing is libav's) and the lost references are those
 * the lesson lost. */
static void
test_lost_counted_once (void)
{
  enum { K = 200 };
  g_autoptr(GString) source = g_string_new ("void f() {\n  int ret = 0;\n"
                                            "  AVPacket *keep = av_packet_alloc();\n"
                                            "  ret = av_new_packet(keep, 16);\n"
                                            "  AVPacket *p = av_packet_alloc();\n"
                                            "  ret = av_packet_ref(p, keep);\n"
                                            "  p = av_packet_alloc();\n");
  g_autoptr(RsScenarioSession) session = NULL;
  RsHistory *history;
  RsSnapshot *shared_step, *unref_step;
  guint64 shared;
  guint first;
  int n_lost = 0;

  for (guint i = 0; i < 2 * K; i++)
    {
      if (i == K)
        g_string_append (source, "  av_packet_unref(keep);\n");
      g_string_append (source, "  ret = av_new_packet(p, 8);\n  p = av_packet_alloc();\n");
    }
  /* A later av_grow_packet: payloads are observed, not tracked, when made. */
  g_string_append (source, "  ret = av_grow_packet(p, 4);\n  av_packet_free(&keep);\n}\n");
  session = open_source (source->str);
  history = run (session);

  shared_step = find_step (history, "av_packet_ref", NULL);
  shared = held_buffer (shared_step, "keep")->id;
  g_assert_false (rs_snapshot_find_buffer (shared_step, shared)->tracked);
  unref_step = find_step (history, "av_packet_unref", NULL);
  first = rs_snapshot_get_step (shared_step) + 1;
  /* Up to the end, where p's last payload is lost too. */
  for (guint i = first; i + 1 < rs_history_get_length (history); i++)
    {
      RsSnapshot *snapshot = rs_history_get_snapshot (history, i);
      const RsBuffer *buffer = rs_snapshot_find_buffer (snapshot, shared);
      int lost = 0;

      /* Each `p = av_packet_alloc()` loses the packet p pointed at. */
      if (g_strcmp0 (rs_snapshot_get_call (snapshot), "av_packet_alloc") == 0)
        n_lost++;

      g_assert_nonnull (buffer);
      g_assert_cmpint (buffer->lost, ==, 1);
      /* Tracked from the step its last reference is the lost one. */
      g_assert_true (buffer->tracked == (i >= rs_snapshot_get_step (unref_step)));
      for (guint k = 0; k < rs_snapshot_get_n_buffers (snapshot); k++)
        {
          buffer = rs_snapshot_get_buffer (snapshot, k);
          g_assert_cmpint (buffer->hidden, ==, 0);
          g_assert_cmpint (buffer->refcount, ==, buffer->visible + buffer->lost);
          lost += buffer->lost;
        }
      g_assert_cmpint (lost, ==, n_lost);
    }
  g_assert_cmpint (n_lost, ==, 1 + 2 * K);
}

/* A buffer leak of a report says where the buffer was first lost as
 * rs_history_find_loss() does for that buffer alone (the report finds
 * them all at once); returns the step, or G_MAXUINT if it was never lost. */
static guint
assert_loss_as_found_alone (RsHistory    *history,
                            const RsLeak *leak)
{
  RsSnapshot *last = rs_history_get_last (history);
  guint step = G_MAXUINT;
  const RsEvent *loss = rs_history_find_loss (history, leak->buffer, rs_snapshot_get_step (last), &step);

  g_assert_cmpint (leak->kind, ==, RS_LEAK_BUFFER);
  g_assert_cmpint (leak->orphaned, ==, loss != NULL);
  if (loss == NULL)
    return G_MAXUINT;
  g_assert_cmpuint (leak->lost_step, ==, step);
  g_assert_true (leak->lost_call == loss->call);
  g_assert_true (leak->lost_handle == loss->handle);
  g_assert_cmpint (leak->lost_reason, ==, loss->reason);
  g_assert_true (leak->lost_site.file == loss->site.file);
  g_assert_cmpint (leak->lost_site.line, ==, loss->site.line);
  g_assert_cmpint (leak->lost_site.column, ==, loss->site.column);
  return step;
}

/* A lesson losing many packets, one of their payloads twice: the leak
 * report names every lost struct and payload, each payload where it was
 * first lost, as asked of the history one buffer at a time. */
static void
test_leak_report_many_lost (void)
{
  enum { K = 300 };
  g_autoptr(GString) source = g_string_new ("void f() {\n"
                                            "  AVPacket *p = av_packet_alloc();\n"
                                            "  AVPacket *r = av_packet_alloc();\n"
                                            "  av_new_packet(p, 8);\n"
                                            "  av_packet_ref(r, p);\n");
  g_autoptr(RsScenarioSession) session = NULL;
  g_autoptr(GArray) leaks = NULL;
  RsHistory *history;
  RsSnapshot *last;
  guint n_handles = 0, n_buffers = 0, n_lost_twice = 0;
  guint64 previous_id = 0;

  for (guint i = 0; i < K; i++)
    {
      g_string_append (source, "  p = av_packet_alloc();\n");
      /* One struct in ten lost empty: a leak of its own. */
      if (i % 10 == 0)
        g_string_append (source, "  p = av_packet_alloc();\n");
      g_string_append_printf (source, "  av_new_packet(p, %u);\n", 8 + i % 7);
    }
  /* The first payload's other reference goes last. */
  g_string_append (source, "  r = av_packet_alloc();\n  av_packet_free(&r);\n  av_packet_free(&p);\n}\n");
  session = open_source (source->str);
  history = run (session);
  last = rs_history_get_last (history);
  leaks = rs_history_query_leaks (history);

  for (guint i = 0; i < leaks->len; i++)
    {
      const RsLeak *leak = &g_array_index (leaks, RsLeak, i);
      RsSnapshot *lost_at;
      guint step;

      if (leak->kind == RS_LEAK_HANDLE)
        {
          /* Handles first: each struct lost empty. */
          g_assert_cmpuint (n_buffers, ==, 0);
          g_assert_true (leak->orphaned);
          g_assert_cmpstr (rs_snapshot_get_call (rs_history_get_snapshot (history, leak->lost_step)), ==,
                           "av_packet_alloc");
          n_handles++;
          continue;
        }
      /* Then buffers, by id, each lost by `p = av_packet_alloc()` after
       * it was made. */
      g_assert_cmpuint (leak->buffer, >, previous_id);
      previous_id = leak->buffer;
      g_assert_cmpint (leak->lost, ==, rs_snapshot_find_buffer (last, leak->buffer)->lost);
      step = assert_loss_as_found_alone (history, leak);
      g_assert_cmpuint (step, !=, G_MAXUINT);
      g_assert_cmpuint (leak->born, <, step);
      lost_at = rs_history_get_snapshot (history, step);
      g_assert_cmpstr (rs_snapshot_get_call (lost_at), ==, "av_packet_alloc");
      g_assert_cmpint (leak->lost_site.line, ==, rs_snapshot_get_site (lost_at)->line);
      g_assert_cmpstr (leak->lost_handle, ==, "p");
      if (leak->lost == 2)
        {
          /* Lost by p first, by r at the end: the report names p's step. */
          g_assert_cmpuint (step, <, rs_snapshot_get_step (find_step (history, "av_packet_free", NULL)) - 1);
          n_lost_twice++;
        }
      else
        g_assert_cmpint (leak->lost, ==, 1);
      n_buffers++;
    }
  /* K / 10 empty structs, K payloads (p's last one is freed). */
  g_assert_cmpuint (n_handles, ==, K / 10);
  g_assert_cmpuint (n_buffers, ==, K);
  g_assert_cmpuint (n_lost_twice, ==, 1);
}

typedef void (*LessonCheck) (RsHistory *history,
                             gpointer   data);

/* Runs every bundled lesson to its end and checks its history; how many. */
static guint
check_every_lesson (LessonCheck check,
                    gpointer    data)
{
  g_autofree char *dir_path = lesson_path ("");
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint lessons = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autoptr(RsScenarioSession) session = NULL;

      if (!g_str_has_suffix (name, ".c"))
        continue;
      session = open_lesson (name, TRUE);
      check (run (session), data);
      lessons++;
    }
  return lessons;
}

static void
check_leaks_as_found_alone (RsHistory *history,
                            gpointer   data)
{
  g_autoptr(GArray) leaks = rs_history_query_leaks (history);
  guint *n_lost = data;

  for (guint i = 0; i < leaks->len; i++)
    if (g_array_index (leaks, RsLeak, i).kind == RS_LEAK_BUFFER)
      *n_lost += assert_loss_as_found_alone (history, &g_array_index (leaks, RsLeak, i)) != G_MAXUINT;
}

/* Every bundled lesson's leak report says where each buffer was lost as
 * the history says for it alone. */
static void
test_lesson_leaks_as_found_alone (void)
{
  guint n_lost = 0;

  g_assert_cmpuint (check_every_lesson (check_leaks_as_found_alone, &n_lost), >=, 7);
  /* 02 (av_init_packet) and 06 (a move onto a full packet) lose a payload. */
  g_assert_cmpuint (n_lost, >=, 2);
}

/* A packet nothing points at any more leaks with its buffer. */
static void
test_lost_packets (void)
{
  g_autoptr(RsScenarioSession) session = open_source (
    "void f() {\n"
    "  AVPacket *p = av_packet_alloc();\n"
    "  AVPacket *keep = av_packet_alloc();\n"
    "  av_new_packet(p, 10);\n"
    "  av_packet_clone(p);\n"           /* 5: the clone is lost at once */
    "  p = av_packet_alloc();\n"        /* 6: the first packet is lost */
    "  av_packet_free(&p);\n"
    "}\n");                             /* 8: keep goes out of scope */
  RsHistory *history = run (session);
  RsSnapshot *last = rs_history_get_last (history);
  g_autoptr(GPtrArray) leaks = rs_snapshot_get_leaks (last);
  g_autoptr(GArray) records = rs_history_query_leaks (history);
  const RsBuffer *buffer;

  /* The clone is lost at once: its reference to p's buffer is nobody's. */
  g_assert_cmpuint (count_events (find_step (history, "av_packet_clone", NULL), RS_EVENT_LOST), ==, 1);
  g_assert_cmpuint (count_events (find_step (history, "av_packet_alloc", ""), RS_EVENT_LOST), ==, 0);
  g_assert_cmpuint (leaks->len, ==, 1);
  buffer = g_ptr_array_index (leaks, 0);
  g_assert_cmpint (buffer->refcount, ==, 2);
  g_assert_cmpint (buffer->lost, ==, 2);
  g_assert_cmpint (buffer->hidden, ==, 0);
  /* keep, empty, leaks as a packet when the function returns. */
  g_assert_cmpuint (count_events (last, RS_EVENT_LEAKED), ==, 2); /* keep, and the buffer */
  g_assert_cmpuint (records->len, ==, 2);
  g_assert_cmpint (g_array_index (records, RsLeak, 0).kind, ==, RS_LEAK_HANDLE);
  g_assert_cmpstr (g_array_index (records, RsLeak, 0).lost_handle, ==, "keep");
  g_assert_cmpint (g_array_index (records, RsLeak, 1).kind, ==, RS_LEAK_BUFFER);
  g_assert_cmpint (g_array_index (records, RsLeak, 1).lost, ==, 2);
}

/* Every step of every bundled lesson: refcount == visible + hidden + lost,
 * and a lesson's references are never libav's. */
static void
check_refcount_split (RsHistory *history,
                      gpointer   data)
{
  for (guint i = 0; i < rs_history_get_length (history); i++)
    {
      RsSnapshot *snapshot = rs_history_get_snapshot (history, i);

      for (guint b = 0; b < rs_snapshot_get_n_buffers (snapshot); b++)
        {
          const RsBuffer *buffer = rs_snapshot_get_buffer (snapshot, b);

          g_assert_cmpint (buffer->refcount, ==, buffer->visible + buffer->hidden + buffer->lost);
          g_assert_cmpint (buffer->hidden, ==, 0);
          g_assert_null (buffer->holder);
        }
    }
}

static void
test_refcount_split (void)
{
  g_assert_cmpuint (check_every_lesson (check_refcount_split, NULL), >=, 7);
}

/* A frame whose pointer is reset while its buffer is shared: its reference
 * is lost (nobody's); the other frame's is not, and when that one lets go
 * the buffer ends with its lost reference only. */
static void
test_frame_reset_while_shared (void)
{
  g_autoptr(RsScenarioSession) session = open_source (
    "void f() {\n"
    "  AVFrame *a = av_frame_alloc();\n"
    "  a->format = AV_PIX_FMT_GRAY8;\n"
    "  a->width = 16;\n"
    "  a->height = 16;\n"
    "  av_frame_get_buffer(a, 0);\n"
    "  AVFrame *b = av_frame_alloc();\n"
    "  av_frame_ref(b, a);\n"
    "  a = NULL;\n"                  /* 9: a's frame is unreachable */
    "  av_frame_free(&b);\n"
    "}\n");
  RsHistory *history = run (session);
  RsSnapshot *reset = find_step (history, "a = NULL", NULL);
  RsSnapshot *last = rs_history_get_last (history);
  const RsEvent *loss = find_event (reset, RS_EVENT_LOST);
  const RsBuffer *buffer;
  g_autoptr(GArray) leaks = rs_history_query_leaks (history);

  g_assert_nonnull (loss);
  g_assert_cmpint (loss->reason, ==, RS_LOSS_UNREACHABLE);
  g_assert_cmpstr (loss->handle, ==, "a");
  g_assert_cmpint (loss->site.line, ==, 9);
  buffer = rs_snapshot_find_buffer (reset, loss->buffer);
  g_assert_cmpint (buffer->refcount, ==, 2);
  g_assert_cmpint (buffer->visible, ==, 1);
  g_assert_cmpint (buffer->lost, ==, 1);
  g_assert_cmpint (buffer->hidden, ==, 0);
  g_assert_false (buffer->leaked);

  buffer = rs_snapshot_find_buffer (last, loss->buffer);
  g_assert_nonnull (buffer);
  g_assert_cmpint (buffer->refcount, ==, 1);
  g_assert_cmpint (buffer->lost, ==, 1);
  g_assert_cmpint (buffer->hidden, ==, 0);
  g_assert_null (buffer->holder);
  g_assert_true (buffer->leaked);
  g_assert_cmpuint (leaks->len, ==, 1);
  g_assert_cmpuint (g_array_index (leaks, RsLeak, 0).buffer, ==, loss->buffer);
  g_assert_cmpuint (g_array_index (leaks, RsLeak, 0).lost_step, ==, rs_snapshot_get_step (reset));
}

/* Shared buffers are no leak while their holders are handles. */
static void
test_shared_is_not_lost (void)
{
  g_autoptr(RsScenarioSession) session = open_source (
    "void f() {\n"
    "  AVPacket *a = av_packet_alloc();\n"
    "  av_new_packet(a, 64);\n"
    "  AVPacket *b = av_packet_clone(a);\n"
    "  av_packet_free(&a);\n"
    "  av_packet_free(&b);\n"
    "}\n");
  RsHistory *history = run (session);
  RsSnapshot *shared = find_step (history, "av_packet_clone", NULL);
  g_autoptr(GArray) leaks = rs_history_query_leaks (history);

  g_assert_cmpint (held_buffer (shared, "b")->refcount, ==, 2);
  g_assert_cmpint (held_buffer (shared, "b")->lost, ==, 0);
  g_assert_cmpuint (count_all_events (history, RS_EVENT_LOST), ==, 0);
  g_assert_cmpuint (leaks->len, ==, 0);
}

/* A random lesson of 600 statements (packets and frames shared, moved,
 * reset, aliased and dropped): its snapshots are made from what each step
 * changed, so every step is checked against libav itself: each handle's
 * fields and the refcount of what it holds, read from the struct its
 * first variable points at; every visible count against the refs all
 * handles hold; nothing alive missing, nothing dead listed. */
static char *
random_lesson (guint32 seed,
               guint   n)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  GString *text = g_string_new ("void f() {\n  int ret = 0;\n");

  for (guint i = 0; i < 5; i++)
    g_string_append_printf (text, "  AVPacket *p%u = av_packet_alloc();\n", i);
  for (guint i = 0; i < 3; i++)
    g_string_append_printf (text, "  AVFrame *f%u = av_frame_alloc();\n  f%u->format = AV_PIX_FMT_GRAY8;\n"
                            "  f%u->width = 16;\n  f%u->height = 8;\n", i, i, i, i);
  for (guint i = 0; i < n; i++)
    {
      guint a = g_rand_int_range (rand, 0, 5), b = g_rand_int_range (rand, 0, 5);
      guint fa = g_rand_int_range (rand, 0, 3), fb = g_rand_int_range (rand, 0, 3);

      switch (g_rand_int_range (rand, 0, 14))
        {
        case 0: g_string_append_printf (text, "  ret = av_new_packet(p%u, %d);\n", a, g_rand_int_range (rand, 1, 300)); break;
        case 1: g_string_append_printf (text, "  ret = av_packet_ref(p%u, p%u);\n", a, b); break;
        case 2: g_string_append_printf (text, "  av_packet_unref(p%u);\n", a); break;
        case 3: g_string_append_printf (text, "  av_packet_move_ref(p%u, p%u);\n", a, b); break;
        case 4: g_string_append_printf (text, "  ret = av_packet_make_writable(p%u);\n", a); break;
        case 5: g_string_append_printf (text, "  p%u->pts = %d;\n", a, g_rand_int_range (rand, 0, 99)); break;
        case 6: g_string_append_printf (text, "  p%u = p%u;\n", a, b); break;
        case 7: g_string_append_printf (text, "  av_init_packet(p%u);\n", a); break;
        case 8: g_string_append_printf (text, "  p%u = av_packet_clone(p%u);\n", a, b); break;
        case 9: g_string_append_printf (text, "  ret = av_frame_get_buffer(f%u, 0);\n", fa); break;
        case 10: g_string_append_printf (text, "  ret = av_frame_ref(f%u, f%u);\n", fa, fb); break;
        case 11: g_string_append_printf (text, "  av_frame_unref(f%u);\n", fa); break;
        case 12: g_string_append_printf (text, "  av_frame_move_ref(f%u, f%u);\n", fa, fb); break;
        default: g_string_append_printf (text, "  ret = av_frame_make_writable(f%u);\n", fa); break;
        }
    }
  return g_string_free (g_string_append (text, "}\n"), FALSE);
}

static void
check_handle (RsScenarioSession *session,
              RsSnapshot        *snapshot,
              const RsHandle    *handle,
              GHashTable        *visible)
{
  g_auto(GStrv) names = g_strsplit (handle->id, ", ", -1);
  const AVPacket *packet = rs_scenario_session_peek_packet (session, names[0]);
  const AVFrame *frame = rs_scenario_session_peek_frame (session, names[0]);
  const AVBufferRef *refs[AV_NUM_DATA_POINTERS] = { NULL };
  guint n = 0;

  if (handle->kind == RS_HANDLE_PACKET)
    {
      g_assert_nonnull (packet);
      if (packet->buf != NULL)
        {
          g_assert_cmpint (handle->pts, ==, packet->pts);
          g_assert_cmpint (handle->size, ==, packet->size);
          refs[n++] = packet->buf;
        }
    }
  else
    {
      g_assert_nonnull (frame);
      for (guint i = 0; i < AV_NUM_DATA_POINTERS; i++)
        if (frame->buf[i] != NULL)
          refs[n++] = frame->buf[i];
    }
  g_assert_cmpuint (handle->n_refs, ==, n);
  for (guint i = 0; i < n; i++)
    {
      const RsBuffer *buffer = rs_snapshot_find_buffer (snapshot, handle->refs[i].buffer);
      guint64 id = handle->refs[i].buffer;

      g_assert_nonnull (buffer);
      g_assert_cmpint (buffer->refcount, ==, av_buffer_get_ref_count (refs[i]));
      g_hash_table_replace (visible, g_memdup2 (&id, sizeof id),
                            GINT_TO_POINTER (GPOINTER_TO_INT (g_hash_table_lookup (visible, &id)) + 1));
    }
}

static void
test_made_from_changes (void)
{
  for (guint32 seed = 1; seed <= 4; seed++)
    {
      g_autofree char *source = random_lesson (seed, 600);
      g_autoptr(RsScenarioSession) session = open_source (source);
      g_autoptr(GError) error = NULL;
      RsSnapshot *snapshot;
      guint steps = 0;

      while (!rs_session_is_finished (RS_SESSION (session)) &&
             (snapshot = rs_session_step (RS_SESSION (session), &error)) != NULL)
        {
          g_autoptr(GHashTable) visible = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

          steps++;
          /* The last step has freed what the lesson left. */
          if (rs_session_is_finished (RS_SESSION (session)))
            break;
          for (guint i = 0; i < rs_snapshot_get_n_handles (snapshot); i++)
            check_handle (session, snapshot, rs_snapshot_get_handle (snapshot, i), visible);
          for (guint i = 0; i < rs_snapshot_get_n_buffers (snapshot); i++)
            {
              const RsBuffer *buffer = rs_snapshot_get_buffer (snapshot, i);

              g_assert_cmpint (buffer->visible, ==, GPOINTER_TO_INT (g_hash_table_lookup (visible, &buffer->id)));
              g_assert_cmpint (buffer->refcount, ==, buffer->visible + buffer->hidden + buffer->lost);
              g_assert_cmpint (buffer->refcount, >, 0);
            }
        }
      g_assert_no_error (error);
      g_assert_cmpuint (steps, >, 600);
    }
}

static void
test_bad_scenarios (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RsScenarioSession) session = NULL;

  session = rs_scenario_session_new ("bad.c", "AVPacket *p = av_packet_alloc();\nav_packet_free();\n", -1,
                                     TRUE, &error);
  g_assert_null (session);
  g_assert_error (error, RS_ERROR, RS_ERROR_INVALID_INPUT);
  g_assert_cmpstr (error->message, ==, "bad.c:2:1: error: too few arguments to function 'av_packet_free' "
                   "(expected 1, have 0)");
  g_clear_error (&error);

  g_assert_null (rs_scenario_session_new_from_file ("/nonexistent/lesson.c", NULL, &error));
  g_assert_error (error, RS_ERROR, RS_ERROR_NOT_FOUND);
}

/* A file that is no text is one message naming it, not an error per byte:
 * a real video, a text in Latin-1. A stray byte in a text is still an
 * error where it is. */
static void
test_not_a_lesson (void)
{
  g_autofree char *video = g_build_filename (g_getenv ("RS_MEDIA_DIR"), "sample.mp4", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *utf8 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RsScenarioSession) session = NULL;
  RsScenarioProgram *rejected = NULL;
  const char *latin1 = "int main (void)\n{\n  /* Cr\xe8me br\xfbl\xe9" "e, caf\xe9, d\xe9j\xe0 \xe9t\xe9, \xe0 la fran\xe7" "aise. */\n"
                       "  return 0;\n}\n";
  const char *nul;
  gsize length;

  g_assert_true (g_file_get_contents (video, &contents, &length, NULL));
  nul = memchr (contents, '\0', length);
  g_assert_nonnull (nul);
  for (const char *c = contents; c < nul; c++)
    g_assert_true (g_ascii_isprint (*c));
  expected = g_strdup_printf ("%s: not a lesson: binary data at byte %" G_GSIZE_FORMAT, video,
                              (gsize) (nul - contents));
  g_assert_null (rs_scenario_session_new_from_file (video, &rejected, &error));
  g_assert_error (error, RS_ERROR, RS_ERROR_INVALID_INPUT);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_null (rejected);
  g_clear_error (&error);
  g_clear_pointer (&expected, g_free);

  expected = g_strdup_printf ("latin1.c: not a lesson: not UTF-8 text (byte %" G_GSIZE_FORMAT ", line 3)",
                              (gsize) (strchr (latin1, '\xe8') - latin1));
  g_assert_null (rs_scenario_session_new ("latin1.c", latin1, -1, TRUE, &error));
  g_assert_error (error, RS_ERROR, RS_ERROR_INVALID_INPUT);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);

  /* The same text in UTF-8 is a lesson. */
  utf8 = g_convert (latin1, -1, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);
  session = rs_scenario_session_new ("utf8.c", utf8, -1, TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);

  g_assert_null (rs_scenario_session_new ("stray.c", "int main (void)\n{\n  \x01 return 0;\n}\n", -1, TRUE, &error));
  g_assert_error (error, RS_ERROR, RS_ERROR_INVALID_INPUT);
  g_assert_cmpstr (error->message, ==, "stray.c:3:3: error: stray byte \\001 in program");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/scenario/lesson/alloc-free", test_lesson_alloc_free);
  g_test_add_func ("/scenario/made-from-changes", test_made_from_changes);
  g_test_add_func ("/scenario/many-names", test_many_names);
  g_test_add_func ("/scenario/lost-counted-once", test_lost_counted_once);
  g_test_add_func ("/scenario/leak-report-many-lost", test_leak_report_many_lost);
  g_test_add_func ("/scenario/lesson-leaks-as-found-alone", test_lesson_leaks_as_found_alone);
  g_test_add_func ("/scenario/lesson/init-packet-leak", test_lesson_init_packet_leak);
  g_test_add_func ("/scenario/lesson/copy-packet", test_lesson_copy_packet);
  g_test_add_func ("/scenario/lesson/queue", test_lesson_queue);
  g_test_add_func ("/scenario/lesson/frame-writable", test_lesson_frame_writable);
  g_test_add_func ("/scenario/lesson/move-ref-leak", test_lesson_move_ref_leak);
  g_test_add_func ("/scenario/lesson/grow", test_lesson_grow);
  g_test_add_func ("/scenario/wrapping-would-change-grow", test_wrapping_would_change_grow);
  g_test_add_func ("/scenario/observation-changes-nothing", test_observation_changes_nothing);
  g_test_add_func ("/scenario/trace-marks-leaks", test_trace_marks_leaks);
  g_test_add_func ("/scenario/runtime-errors", test_runtime_errors);
  g_test_add_func ("/scenario/lost-packets", test_lost_packets);
  g_test_add_func ("/scenario/refcount-split", test_refcount_split);
  g_test_add_func ("/scenario/frame-reset-while-shared", test_frame_reset_while_shared);
  g_test_add_func ("/scenario/shared-is-not-lost", test_shared_is_not_lost);
  g_test_add_func ("/scenario/bad-scenarios", test_bad_scenarios);
  g_test_add_func ("/scenario/not-a-lesson", test_not_a_lesson);
  return g_test_run ();
}
