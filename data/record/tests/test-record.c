/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-record: real libav programs (rec-*.c, compiled with -g) run plain
 * and under the preload library, on the bundled media; their recordings are
 * read back with the reader and checked against what the programs print.
 */
#define G_LOG_DOMAIN "test-record"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "rs-recording-reader.h"

static char *tmp_dir;

static char *
media (const char *name)
{
  const char *dir = g_getenv ("RS_MEDIA_DIR");

  g_assert_nonnull (dir);
  return g_build_filename (dir, name, NULL);
}

static char *
program (const char *name)
{
  return g_build_filename (RS_REC_PROGRAMS_DIR, name, NULL);
}

/* Runs `argv`, recorded to `recording` unless NULL; returns its stdout. */
static char *
run (const char * const *argv,
     const char         *recording,
     int                *wait_status)
{
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = 0;

  if (recording != NULL)
    {
      env = g_environ_setenv (env, "LD_PRELOAD", RS_PRELOAD_PATH, TRUE);
      env = g_environ_setenv (env, "REFSCOPE_RECORD_OUTPUT", recording, TRUE);
#ifdef RS_PROGRAM_ASAN_OPTIONS
      /* The sanitizer build: the preload library runs instrumented. */
      env = g_environ_setenv (env, "ASAN_OPTIONS", RS_PROGRAM_ASAN_OPTIONS, TRUE);
      env = g_environ_setenv (env, "UBSAN_OPTIONS", RS_PROGRAM_UBSAN_OPTIONS, TRUE);
#endif
    }
  g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                &out, NULL, &status, &error);
  g_assert_no_error (error);
  if (wait_status != NULL)
    *wait_status = status;
  else
    g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  return out;
}

static char *
recording_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

/* Runs a program plain and recorded: same output; returns the recording. */
static RsRecording *
record_same (const char * const *argv,
             const char         *name,
             char              **output)
{
  g_autofree char *path = recording_path (name);
  g_autofree char *plain = run (argv, NULL, NULL);
  g_autofree char *recorded = run (argv, path, NULL);
  g_autoptr(GError) error = NULL;
  RsRecording *recording;

  g_assert_cmpstr (recorded, ==, plain);
  recording = rs_recording_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (rs_recording_is_complete (recording));
  g_assert_null (rs_recording_get_end_reason (recording));
  if (output != NULL)
    *output = g_steal_pointer (&plain);
  return recording;
}

/* The rules every step keeps (DESIGN.md section 7). */
static void
check_step (const RsRecStep *step)
{
  g_autoptr(GHashTable) visible = g_hash_table_new (g_int64_hash, g_int64_equal);
  guint64 previous = 0;

  for (guint i = 0; i < step->handles->len; i++)
    {
      const RsRecHandle *h = g_ptr_array_index (step->handles, i);

      g_assert_cmpuint (h->id, >, previous);
      previous = h->id;
      g_assert_cmpuint (h->born_step, <=, step->step);
      g_assert_nonnull (h->born_call);
      for (guint j = 0; j < h->n_refs; j++)
        {
          const RsRecBuffer *b = rs_rec_step_find_buffer (step, h->refs[j].buffer);

          g_assert_nonnull (b);
          g_hash_table_replace (visible, (gpointer) &b->id,
                                GINT_TO_POINTER (GPOINTER_TO_INT (g_hash_table_lookup (visible, &b->id)) + 1));
        }
    }
  previous = 0;
  for (guint i = 0; i < step->buffers->len; i++)
    {
      const RsRecBuffer *b = g_ptr_array_index (step->buffers, i);

      g_assert_cmpuint (b->id, >, previous);
      previous = b->id;
      g_assert_cmpint (b->visible, ==, GPOINTER_TO_INT (g_hash_table_lookup (visible, &b->id)));
      g_assert_cmpint (b->refcount, >=, 1);
      g_assert_cmpint (b->hidden, >=, 0);
      if (step->exact)
        g_assert_cmpint (b->refcount, ==, b->visible + b->hidden + b->lost + b->program_refs);
      if (b->hidden > 0)
        g_assert_true (b->holder != NULL && strcmp (b->holder, "program") != 0);
      else if (b->holder != NULL)
        g_assert_true (strcmp (b->holder, "program") == 0 && b->program_refs > 0);
      g_assert_nonnull (b->origin);
      g_assert_cmpuint (b->born_step, <=, step->step);
    }
  if (step->out_handle != 0)
    g_assert_nonnull (rs_rec_step_find_handle (step, step->out_handle));
}

static void
check_all_steps (RsRecording *recording)
{
  guint n = rs_recording_get_n_steps (recording);

  g_assert_cmpuint (n, >, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RsRecStep) step = rs_recording_get_step (recording, i);

      g_assert_cmpuint (step->step, ==, i);
      check_step (step);
    }
}

static RsRecStep *
last_step (RsRecording *recording)
{
  return rs_recording_get_step (recording, rs_recording_get_n_steps (recording) - 1);
}

static const RsRecBuffer *
ref_buffer (const RsRecStep   *step,
            const RsRecHandle *h,
            const char        *field)
{
  for (guint i = 0; i < h->n_refs; i++)
    if (strcmp (h->refs[i].field, field) == 0)
      return rs_rec_step_find_buffer (step, h->refs[i].buffer);
  return NULL;
}

/* A line per step, every field but the modules' paths. */
static char *
step_to_string (const RsRecStep *step)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "%u %s %d t%d e%d %" G_GINT64_MODIFIER "x o%" G_GUINT64_FORMAT "\n",
                          step->step, step->call, step->ret, step->thread, step->exact,
                          step->site.offset, step->out_handle);
  for (guint i = 0; i < step->handles->len; i++)
    {
      const RsRecHandle *h = g_ptr_array_index (step->handles, i);

      g_string_append_printf (s, " h%" G_GUINT64_FORMAT " %d%d %u %s %" G_GINT64_MODIFIER "x %d %"
                              G_GINT64_FORMAT " %" G_GINT64_FORMAT " %d %d %d %s %dx%d %d %d:",
                              h->id, h->kind, h->allocated, h->born_step, h->born_call,
                              h->born_site.offset, h->stream, h->pts, h->dts, h->size, h->key,
                              h->pict_type, h->format ? h->format : "-", h->width, h->height,
                              h->nb_samples, h->sample_rate);
      for (guint j = 0; j < h->n_refs; j++)
        g_string_append_printf (s, " %s=%" G_GUINT64_FORMAT, h->refs[j].field, h->refs[j].buffer);
      g_string_append_c (s, '\n');
    }
  for (guint i = 0; i < step->buffers->len; i++)
    {
      const RsRecBuffer *b = g_ptr_array_index (step->buffers, i);

      g_string_append_printf (s, " b%" G_GUINT64_FORMAT " %d %" G_GSIZE_FORMAT " %d %d %d %d@%u %d %d%d %s %s %u %"
                              G_GINT64_MODIFIER "x\n",
                              b->id, b->kind, b->size, b->refcount, b->visible, b->hidden, b->lost, b->lost_step,
                              b->program_refs, b->tracked, b->writable, b->origin,
                              b->holder ? b->holder : "-", b->born_step, b->born_site.offset);
    }
  for (guint i = 0; i < step->events->len; i++)
    {
      const RsRecEvent *e = &g_array_index (step->events, RsRecEvent, i);

      g_string_append_printf (s, " e%d %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %s\n",
                              e->kind, e->buffer, e->handle, e->message ? e->message : "-");
    }
  return g_string_free (s, FALSE);
}

static char *
history_to_string (RsRecording *recording)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < rs_recording_get_n_steps (recording); i++)
    {
      g_autoptr(RsRecStep) step = rs_recording_get_step (recording, i);
      g_autofree char *line = step_to_string (step);

      g_string_append (s, line);
    }
  return g_string_free (s, FALSE);
}

static gboolean
has_event (const RsRecStep *step,
           RsRecEventKind   kind,
           guint64          buffer,
           guint64          handle)
{
  for (guint i = 0; i < step->events->len; i++)
    {
      const RsRecEvent *e = &g_array_index (step->events, RsRecEvent, i);

      if (e->kind == kind && e->buffer == buffer && e->handle == handle)
        return TRUE;
    }
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* A decode loop. */

/* The refcount of each received frame's buf[0], as the program printed it,
 * is the one recorded at its avcodec_receive_frame step. */
static void
test_decode_refcounts (gconstpointer data)
{
  g_autofree char *file = media (data);
  g_autofree char *prog = program ("rec-decode");
  const char *argv[] = { prog, file, "1", NULL };
  g_autofree char *name = g_strconcat ("decode-", (const char *) data, ".rsrec", NULL);
  g_autofree char *output = NULL;
  g_autoptr(RsRecording) recording = record_same (argv, name, &output);
  g_auto(GStrv) lines = g_strsplit (output, "\n", -1);
  g_autoptr(RsRecStep) end = NULL;
  guint line = 0, n = rs_recording_get_n_steps (recording);

  check_all_steps (recording);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RsRecStep) step = rs_recording_get_step (recording, i);
      const RsRecHandle *frame;
      const RsRecBuffer *buf0;
      int stream, refcount;
      long long pts;

      g_assert_true (step->exact);
      if (strcmp (step->call, "avcodec_receive_frame") != 0 || step->ret < 0)
        continue;
      frame = rs_rec_step_find_handle (step, step->out_handle);
      g_assert_nonnull (frame);
      buf0 = ref_buffer (step, frame, "buf[0]");
      g_assert_nonnull (buf0);
      g_assert_true (buf0->tracked);
      g_assert_nonnull (lines[line]);
      g_assert_cmpint (sscanf (lines[line], "frame stream=%d pts=%lld refcount=%d", &stream, &pts, &refcount), ==, 3);
      g_assert_cmpint (buf0->refcount, ==, refcount);
      g_assert_cmpint (frame->stream, ==, stream);
      g_assert_cmpint (frame->pts, ==, pts);
      line++;
    }
  g_assert_cmpuint (line, >, 10);
  g_assert_cmpstr (lines[line], ==, "");

  /* The program let everything go: its exit leaves nothing alive. */
  end = last_step (recording);
  g_assert_cmpstr (end->call, ==, "exit");
  g_assert_cmpint (end->ret, ==, 0);
  g_assert_cmpuint (end->handles->len, ==, 0);
  g_assert_cmpuint (end->buffers->len, ==, 0);
}

/* Two recordings of one single-threaded run hold the same history. */
static void
test_decode_deterministic (void)
{
  g_autofree char *file = media ("sample.mp4");
  g_autofree char *prog = program ("rec-decode");
  const char *argv[] = { prog, file, "1", "quiet", NULL };
  g_autoptr(RsRecording) first = record_same (argv, "same-1.rsrec", NULL);
  g_autoptr(RsRecording) second = record_same (argv, "same-2.rsrec", NULL);
  g_autofree char *a = history_to_string (first);
  g_autofree char *b = history_to_string (second);

  g_assert_cmpuint (rs_recording_get_n_steps (first), ==, rs_recording_get_n_steps (second));
  g_assert_cmpstr (a, ==, b);
}

/* Any step read out of order equals the same step read in order. */
static void
test_decode_seek (void)
{
  g_autofree char *file = media ("sample.mp4");
  g_autofree char *prog = program ("rec-decode");
  const char *argv[] = { prog, file, "1", "quiet", NULL };
  g_autoptr(RsRecording) recording = record_same (argv, "seek.rsrec", NULL);
  guint n = rs_recording_get_n_steps (recording);
  g_autoptr(GPtrArray) in_order = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  g_assert_cmpuint (n, >, 2 * RS_REC_FULL_INTERVAL);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RsRecStep) step = rs_recording_get_step (recording, i);

      g_ptr_array_add (in_order, step_to_string (step));
    }
  for (int k = 0; k < 300; k++)
    {
      guint i = k < 4 ? (guint[]) { n - 1, 0, RS_REC_FULL_INTERVAL, RS_REC_FULL_INTERVAL - 1 }[k]
                      : (guint) g_rand_int_range (rand, 0, n);
      g_autoptr(RsRecStep) step = rs_recording_get_step (recording, i);
      g_autofree char *s = step_to_string (step);

      g_assert_cmpstr (s, ==, g_ptr_array_index (in_order, i));
    }
}

/* Opening and probing the input are the program's steps, at its calls
 * (DESIGN.md section 12: demuxing is interposed); a failed open is a step
 * with its error, not a recording of the exit alone. */
static void
test_decode_open (void)
{
  g_autofree char *file = media ("sample.mp4");
  g_autofree char *missing = g_build_filename (tmp_dir, "missing.mp4", NULL);
  g_autofree char *prog = program ("rec-decode");
  const char *argv[] = { prog, file, "1", "quiet", NULL };
  const char *argv_missing[] = { prog, missing, NULL };
  g_autoptr(RsRecording) recording = record_same (argv, "open.rsrec", NULL);
  g_autofree char *failed_path = recording_path ("open-missing.rsrec");
  g_autoptr(RsRecording) failed = NULL;
  g_autoptr(RsRecStep) open = rs_recording_get_step (recording, 0);
  g_autoptr(RsRecStep) probe = rs_recording_get_step (recording, 1);
  g_autoptr(RsRecStep) codec = rs_recording_get_step (recording, 2);
  g_autoptr(RsRecStep) failed_open = NULL;
  g_autoptr(RsRecStep) failed_end = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  int status = 0;

  check_all_steps (recording);
  g_assert_cmpstr (open->call, ==, "avformat_open_input");
  g_assert_cmpint (open->ret, ==, 0);
  g_assert_cmpstr (probe->call, ==, "avformat_find_stream_info");
  g_assert_cmpint (probe->ret, >=, 0);
  g_assert_cmpstr (codec->call, ==, "avcodec_open2");
  /* Each at its own call in the program: its module, distinct offsets. */
  g_assert_nonnull (open->site.module);
  g_assert_true (g_str_has_suffix (open->site.module, "/rec-decode"));
  g_assert_cmpstr (probe->site.module, ==, open->site.module);
  g_assert_cmpstr (codec->site.module, ==, open->site.module);
  g_assert_cmpuint (open->site.offset, <, probe->site.offset);
  g_assert_cmpuint (probe->site.offset, <, codec->site.offset);

  out = run (argv_missing, failed_path, &status);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 1);
  failed = rs_recording_open (failed_path, &error);
  g_assert_no_error (error);
  g_assert_true (rs_recording_is_complete (failed));
  g_assert_cmpuint (rs_recording_get_n_steps (failed), ==, 2);
  failed_open = rs_recording_get_step (failed, 0);
  failed_end = last_step (failed);
  g_assert_cmpstr (failed_open->call, ==, "avformat_open_input");
  g_assert_cmpint (failed_open->ret, ==, -ENOENT);  /* AVERROR (ENOENT) */
  g_assert_cmpuint (failed_open->events->len, ==, 1);
  g_assert_cmpint (g_array_index (failed_open->events, RsRecEvent, 0).kind, ==, RS_REC_EVENT_ERROR);
  g_assert_cmpstr (failed_end->call, ==, "exit");
  /* Its ret is the program's exit status: main returned 1. */
  g_assert_cmpint (failed_end->ret, ==, 1);
}

/* A program killed midway leaves a recording readable up to its last step. */
static void
test_killed (void)
{
  g_autofree char *file = media ("sample.mp4");
  g_autofree char *prog = program ("rec-decode");
  g_autofree char *path = recording_path ("killed.rsrec");
  const char *argv[] = { prog, file, "1", "kill=30", NULL };
  g_autofree char *out = NULL;
  g_autoptr(RsRecording) recording = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RsRecStep) end = NULL;
  int status;

  out = run (argv, path, &status);
  g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
  recording = rs_recording_open (path, &error);
  g_assert_no_error (error);
  g_assert_false (rs_recording_is_complete (recording));
  g_assert_nonnull (strstr (rs_recording_get_end_reason (recording), "killed or crashed"));
  check_all_steps (recording);
  /* 30 frames were received, then the program died in its av_frame_unref. */
  end = last_step (recording);
  g_assert_cmpstr (end->call, ==, "av_frame_unref");
  g_assert_cmpuint (rs_recording_get_n_steps (recording), >, 60);
}

/* ------------------------------------------------------------------ */
/* Leaks and lost references. */

static RsRecStep *
find_call (RsRecording *recording,
           const char  *call,
           guint        nth)
{
  for (guint i = 0; i < rs_recording_get_n_steps (recording); i++)
    {
      RsRecStep *step = rs_recording_get_step (recording, i);

      if (strcmp (step->call, call) == 0 && nth-- == 0)
        return step;
      rs_rec_step_free (step);
    }
  g_assert_not_reached ();
}

static RsRecStep *
find_last_call (RsRecording *recording,
                const char  *call)
{
  for (guint i = rs_recording_get_n_steps (recording); i-- > 0;)
    {
      RsRecStep *step = rs_recording_get_step (recording, i);

      if (strcmp (step->call, call) == 0)
        return step;
      rs_rec_step_free (step);
    }
  g_assert_not_reached ();
}

static RsRecording *
record_leaks (const char *mode,
              char      **output)
{
  g_autofree char *file = media ("sample.mp4");
  g_autofree char *prog = program ("rec-leaks");
  g_autofree char *name = g_strconcat ("leaks-", mode, ".rsrec", NULL);
  const char *argv[] = { prog, mode, file, NULL };
  RsRecording *recording = record_same (argv, name, output);

  check_all_steps (recording);
  return recording;
}

/* The buffer a lost event of `step` names, checked: lost once, held by no
 * handle, the lost reference keeping it alive. */
static guint64
lost_buffer (const RsRecStep *step,
             guint64          handle)
{
  const RsRecBuffer *b = NULL;

  for (guint i = 0; i < step->events->len; i++)
    {
      const RsRecEvent *e = &g_array_index (step->events, RsRecEvent, i);

      if (e->kind == RS_REC_EVENT_LOST)
        {
          g_assert_null (b);
          g_assert_cmpuint (e->handle, ==, handle);
          b = rs_rec_step_find_buffer (step, e->buffer);
        }
    }
  g_assert_nonnull (b);
  g_assert_cmpint (b->lost, ==, 1);
  g_assert_cmpint (b->visible, ==, 0);
  g_assert_cmpint (b->refcount, ==, 1);
  g_assert_cmpint (b->hidden, ==, 0);
  return b->id;
}

static void
test_lost_init_packet (void)
{
  g_autoptr(RsRecording) recording = record_leaks ("init-packet", NULL);
  g_autoptr(RsRecStep) alloc = find_call (recording, "av_packet_alloc", 0);
  g_autoptr(RsRecStep) init = find_call (recording, "av_init_packet", 0);
  g_autoptr(RsRecStep) end = last_step (recording);
  const RsRecHandle *pkt = rs_rec_step_find_handle (init, alloc->out_handle);
  guint64 lost;

  /* The packet stays (allocated), holding nothing; its buffer is lost. */
  g_assert_nonnull (pkt);
  g_assert_cmpuint (pkt->n_refs, ==, 0);
  lost = lost_buffer (init, pkt->id);
  g_assert_cmpstr (rs_rec_step_find_buffer (init, lost)->origin, ==, "av_new_packet");

  /* At exit the packet is freed and the lost buffer still lives; it says
   * which call orphaned it. */
  g_assert_cmpuint (end->handles->len, ==, 0);
  g_assert_cmpuint (end->buffers->len, ==, 1);
  g_assert_cmpint (rs_rec_step_find_buffer (end, lost)->lost, ==, 1);
  g_assert_cmpuint (rs_rec_step_find_buffer (end, lost)->lost_step, ==, init->step);
}

static void
test_lost_read_init (void)
{
  g_autoptr(RsRecording) recording = record_leaks ("read-init", NULL);
  g_autoptr(RsRecStep) read = find_call (recording, "av_read_frame", 0);
  g_autoptr(RsRecStep) init = find_call (recording, "av_init_packet", 0);
  g_autoptr(RsRecStep) end = last_step (recording);
  guint64 lost = lost_buffer (init, read->out_handle);
  const RsRecBuffer *b = rs_rec_step_find_buffer (end, lost);

  /* A demuxed payload: wrapped, so its lifetime is exact. */
  g_assert_nonnull (b);
  g_assert_true (b->tracked);
  g_assert_cmpstr (b->origin, ==, "demuxer");
  g_assert_cmpuint (b->born_step, ==, read->step);
  g_assert_cmpuint (end->buffers->len, ==, 1);
}

static void
test_lost_move_ref (gconstpointer data)
{
  const char *mode = data;
  g_autoptr(RsRecording) recording = record_leaks (mode, NULL);
  g_autoptr(RsRecStep) first = find_call (recording, "av_read_frame", 0);
  g_autoptr(RsRecStep) second = find_call (recording, "av_read_frame", 1);
  g_autoptr(RsRecStep) over = find_call (recording, strcmp (mode, "move-ref") == 0 ? "av_packet_move_ref"
                                                                                   : "av_packet_ref", 0);
  g_autoptr(RsRecStep) end = last_step (recording);
  const RsRecHandle *a = rs_rec_step_find_handle (over, first->out_handle);
  const RsRecHandle *b = rs_rec_step_find_handle (over, second->out_handle);
  const RsRecBuffer *now = ref_buffer (over, a, "buf");
  guint64 lost = lost_buffer (over, a->id);

  /* a holds b's payload; a's own is lost, and only it is left at exit. */
  g_assert_nonnull (now);
  g_assert_cmpuint (now->id, !=, lost);
  g_assert_cmpint (now->visible, ==, strcmp (mode, "move-ref") == 0 ? 1 : 2);
  g_assert_cmpuint (b->n_refs, ==, strcmp (mode, "move-ref") == 0 ? 0 : 1);
  g_assert_cmpuint (over->out_handle, ==, a->id);
  g_assert_cmpuint (end->buffers->len, ==, 1);
  g_assert_cmpuint (((RsRecBuffer *) g_ptr_array_index (end->buffers, 0))->id, ==, lost);
  g_assert_cmpuint (((RsRecBuffer *) g_ptr_array_index (end->buffers, 0))->lost_step, ==, over->step);
}

/* A stack packet is a handle while it holds a payload; nothing leaks. */
static void
test_stack_packet (void)
{
  g_autofree char *output = NULL;
  g_autoptr(RsRecording) recording = record_leaks ("stack", &output);
  g_autoptr(RsRecStep) read = find_call (recording, "av_read_frame", 2);
  g_autoptr(RsRecStep) unref = find_call (recording, "av_packet_unref", 2);
  g_autoptr(RsRecStep) end = last_step (recording);
  const RsRecHandle *pkt = rs_rec_step_find_handle (read, read->out_handle);

  g_assert_nonnull (pkt);
  g_assert_false (pkt->allocated);
  g_assert_cmpstr (pkt->born_call, ==, "av_read_frame");
  g_assert_cmpuint (pkt->born_step, ==, read->step);
  g_assert_cmpuint (pkt->n_refs, ==, 1);
  g_assert_cmpuint (unref->handles->len, ==, 0);
  g_assert_cmpuint (unref->buffers->len, ==, 0);
  g_assert_cmpuint (end->buffers->len, ==, 0);
}

/* A cloned frame never freed: at exit, the handle and its planes live. */
static void
test_clone_leak (void)
{
  g_autofree char *output = NULL;
  g_autoptr(RsRecording) recording = record_leaks ("clone-leak", &output);
  g_autoptr(RsRecStep) clone = find_call (recording, "av_frame_clone", 0);
  g_autoptr(RsRecStep) end = last_step (recording);
  const RsRecHandle *frame = rs_rec_step_find_handle (clone, clone->out_handle);
  const RsRecHandle *left;
  int printed = 0;

  g_assert_nonnull (frame);
  g_assert_true (frame->allocated);
  g_assert_cmpint (frame->stream, ==, 0);
  g_assert_cmpint (sscanf (output, "clone refcount=%d", &printed), ==, 1);
  g_assert_cmpint (ref_buffer (clone, frame, "buf[0]")->refcount, ==, printed);

  g_assert_cmpuint (end->handles->len, ==, 1);
  left = g_ptr_array_index (end->handles, 0);
  g_assert_cmpuint (left->id, ==, frame->id);
  /* Three planes, and x264's SEI as side data. */
  g_assert_cmpuint (left->n_refs, ==, 4);
  g_assert_cmpuint (end->buffers->len, ==, 4);
  for (guint i = 0; i < left->n_refs; i++)
    {
      const RsRecBuffer *b = rs_rec_step_find_buffer (end, left->refs[i].buffer);

      /* The decoder is gone: the clone is the only holder. */
      g_assert_cmpint (b->refcount, ==, 1);
      g_assert_cmpint (b->visible, ==, 1);
      g_assert_cmpstr (b->origin, ==, "decoder");
      g_assert_true (b->tracked == g_str_has_prefix (left->refs[i].field, "buf["));
    }
}

/* Buffers the program makes: tracked, counted while it keeps them. */
static void
test_program_buffers (void)
{
  g_autoptr(RsRecording) recording = record_leaks ("buffers", NULL);
  g_autoptr(RsRecStep) alloc = find_call (recording, "av_buffer_alloc", 0);
  g_autoptr(RsRecStep) ref = find_call (recording, "av_buffer_ref", 0);
  g_autoptr(RsRecStep) grow = find_call (recording, "av_grow_packet", 0);
  g_autoptr(RsRecStep) unref = find_call (recording, "av_buffer_unref", 1);
  g_autoptr(RsRecStep) end = last_step (recording);
  const RsRecBuffer *b;
  const RsRecHandle *pkt;

  g_assert_cmpuint (alloc->buffers->len, ==, 1);
  b = g_ptr_array_index (alloc->buffers, 0);
  g_assert_true (b->tracked);
  g_assert_cmpint (b->program_refs, ==, 1);
  g_assert_cmpstr (b->holder, ==, "program");
  g_assert_true (has_event (alloc, RS_REC_EVENT_ALLOCATED, b->id, 0));
  b = rs_rec_step_find_buffer (ref, b->id);
  g_assert_cmpint (b->refcount, ==, 2);
  g_assert_cmpint (b->program_refs, ==, 2);

  /* Assigned to the packet, then grown in place: the packet holds it. */
  g_assert_cmpuint (grow->handles->len, ==, 1);
  pkt = g_ptr_array_index (grow->handles, 0);
  g_assert_cmpint (pkt->size, ==, 200);
  g_assert_cmpuint (ref_buffer (grow, pkt, "buf")->id, ==, b->id);
  g_assert_cmpint (rs_rec_step_find_buffer (grow, b->id)->program_refs, ==, 0);

  /* av_buffer_unref (&pkt->buf) frees it. */
  g_assert_true (has_event (unref, RS_REC_EVENT_FREED, b->id, 0));
  g_assert_null (rs_rec_step_find_buffer (unref, b->id));
  g_assert_cmpuint (end->buffers->len, ==, 0);
  g_assert_cmpuint (end->handles->len, ==, 0);
}

/* ------------------------------------------------------------------ */
/* Programs that must not notice the recorder. */

/* Neither a forked child nor a program it runs is recorded. */
static void
test_fork (void)
{
  g_autofree char *prog = program ("rec-misc");
  g_autofree char *path = recording_path ("fork.rsrec");
  const char *argv[] = { prog, "fork", NULL };
  g_autofree char *output = run (argv, path, NULL);
  g_autoptr(RsRecording) recording = NULL;
  g_autoptr(GError) error = NULL;
  const char *calls[] = { "av_packet_alloc", "av_new_packet", "av_packet_free", "exit" };

#ifndef RS_PROGRAM_ASAN_OPTIONS
  {
    g_autofree char *plain = run (argv, NULL, NULL);

    g_assert_cmpstr (output, ==, plain);
  }
#endif
  /* The recorder leaves the environment as it found it (the sanitizer
   * build preloads the sanitizer's runtime too: that stays). */
  g_assert_null (strstr (output, "refscope-preload"));
  g_assert_nonnull (strstr (output, "REFSCOPE_RECORD_OUTPUT=(unset)\n"));
  g_assert_nonnull (strstr (output, "child: LD_PRELOAD="));
  g_assert_nonnull (strstr (output, "child exit=0\n"));

  recording = rs_recording_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (rs_recording_is_complete (recording));
  g_assert_cmpuint (rs_recording_get_n_steps (recording), ==, G_N_ELEMENTS (calls));
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      g_autoptr(RsRecStep) step = rs_recording_get_step (recording, i);

      g_assert_cmpstr (step->call, ==, calls[i]);
    }
  check_all_steps (recording);
}

/* A launcher (a shell that runs the program) passes the recorder on: the
 * recording is the program's. A program without libav leaves a recording
 * of its exit alone. */
static void
test_launcher (void)
{
  g_autofree char *file = media ("sample.mp4");
  g_autofree char *prog = program ("rec-decode");
  const char *shell[] = { "/bin/sh", "-c", "\"$0\" \"$1\" 1 quiet; true", prog, file, NULL };
  const char *plain[] = { "/bin/true", NULL };
  g_autoptr(RsRecording) recording = record_same (shell, "launcher.rsrec", NULL);
  g_autoptr(RsRecording) empty = record_same (plain, "no-libav.rsrec", NULL);
  g_autoptr(RsRecStep) first = rs_recording_get_step (recording, 0);
  g_autoptr(RsRecStep) end = last_step (empty);

  check_all_steps (recording);
  g_assert_cmpstr (first->call, ==, "avformat_open_input");
  g_assert_cmpuint (rs_recording_get_n_steps (recording), >, 800);
  g_assert_true (g_str_has_suffix (rs_recording_get_program (recording), "/rec-decode"));

  g_assert_cmpuint (rs_recording_get_n_steps (empty), ==, 1);
  g_assert_cmpstr (end->call, ==, "exit");
  g_assert_cmpuint (end->handles->len + end->buffers->len, ==, 0);
}

/* A program's own get_buffer2 and opaques work as without the recorder;
 * the buffers it makes are wrapped at birth all the same. */
static void
test_own_get_buffer2 (void)
{
  g_autofree char *file = media ("sample.mp4");
  g_autofree char *prog = program ("rec-misc");
  const char *argv[] = { prog, "getbuf", file, NULL };
  g_autofree char *output = NULL;
  g_autoptr(RsRecording) recording = record_same (argv, "getbuf.rsrec", &output);
  g_auto(GStrv) lines = g_strsplit (output, "\n", -1);
  guint line = 0;

  g_assert_nonnull (strstr (output, "opaque mismatches=0\n"));
  check_all_steps (recording);
  for (guint i = 0; i < rs_recording_get_n_steps (recording); i++)
    {
      g_autoptr(RsRecStep) step = rs_recording_get_step (recording, i);
      const RsRecBuffer *buf0;
      int n, refcount, writable;

      if (strcmp (step->call, "avcodec_receive_frame") != 0 || step->ret < 0)
        continue;
      buf0 = ref_buffer (step, rs_rec_step_find_handle (step, step->out_handle), "buf[0]");
      g_assert_true (buf0->tracked);
      g_assert_cmpint (sscanf (lines[line++], "frame %d refcount=%d writable=%d", &n, &refcount, &writable), ==, 3);
      g_assert_cmpint (buf0->refcount, ==, refcount);
      g_assert_cmpint (buf0->writable, ==, writable);
    }
  g_assert_cmpuint (line, >, 40);
  g_assert_true (g_str_has_prefix (lines[line], "frames="));
}

/* The same with frame threads: the program's get_buffer2 runs on the
 * decoder's threads, through ours. */
static void
test_own_get_buffer2_threads (void)
{
  g_autofree char *file = media ("sample.mp4");
  g_autofree char *prog = program ("rec-misc");
  const char *argv[] = { prog, "getbuf", file, "3", NULL };
  g_autofree char *output = NULL;
  g_autoptr(RsRecording) recording = record_same (argv, "getbuf-threads.rsrec", &output);
  guint wrapped = 0;

  g_assert_true (g_str_has_suffix (output, " opaque mismatches=0\n"));
  check_all_steps (recording);
  for (guint i = 0; i < rs_recording_get_n_steps (recording); i++)
    {
      g_autoptr(RsRecStep) step = rs_recording_get_step (recording, i);

      if (strcmp (step->call, "avcodec_receive_frame") == 0 && step->ret >= 0)
        {
          g_assert_false (step->exact);
          g_assert_true (ref_buffer (step, rs_rec_step_find_handle (step, step->out_handle), "buf[0]")->tracked);
          wrapped++;
        }
    }
  g_assert_cmpuint (wrapped, >, 40);
}

/* Two program threads: one history, each step naming its thread; no
 * deadlock, nothing left at exit. */
static void
test_threads (void)
{
  g_autofree char *file = media ("sample.mp4");
  g_autofree char *prog = program ("rec-misc");
  const char *argv[] = { prog, "threads", file, NULL };
  g_autoptr(RsRecording) recording = record_same (argv, "threads.rsrec", NULL);
  g_autoptr(RsRecStep) end = last_step (recording);
  gboolean seen[2] = { FALSE, FALSE };

  check_all_steps (recording);
  for (guint i = 0; i < rs_recording_get_n_steps (recording); i++)
    {
      g_autoptr(RsRecStep) step = rs_recording_get_step (recording, i);

      g_assert_cmpint (step->thread, <, 2);
      seen[step->thread] = TRUE;
      if (seen[1])
        g_assert_false (step->exact);
    }
  g_assert_true (seen[0] && seen[1]);
  g_assert_cmpuint (end->handles->len, ==, 0);
  g_assert_cmpuint (end->buffers->len, ==, 0);
}

/* Frame threads: counts are approximate, the program runs the same. */
static void
test_frame_threads (void)
{
  g_autofree char *file = media ("sample.mp4");
  g_autofree char *prog = program ("rec-decode");
  g_autofree char *path = recording_path ("frame-threads.rsrec");
  const char *argv[] = { prog, file, "4", NULL };
  g_autofree char *plain = run (argv, NULL, NULL);
  g_autofree char *recorded = run (argv, path, NULL);
  g_autoptr(RsRecording) recording = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RsRecStep) open = NULL;
  g_autoptr(RsRecStep) end = NULL;
  g_auto(GStrv) plain_lines = g_strsplit (plain, "\n", -1);
  g_auto(GStrv) recorded_lines = g_strsplit (recorded, "\n", -1);

  /* As many frames (their refcounts vary from run to run). */
  g_assert_cmpuint (g_strv_length (plain_lines), ==, g_strv_length (recorded_lines));
  recording = rs_recording_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (rs_recording_is_complete (recording));
  check_all_steps (recording);
  open = find_call (recording, "avcodec_open2", 0);
  g_assert_false (open->exact);
  g_assert_cmpuint (open->events->len, ==, 1);
  g_assert_cmpint (g_array_index (open->events, RsRecEvent, 0).kind, ==, RS_REC_EVENT_WARNING);
  end = last_step (recording);
  g_assert_cmpuint (end->buffers->len, ==, 0);
}

/* A filter graph, an encoder, a bitstream filter and a muxer: buffers born
 * in each are wrapped at birth; what goes in is theirs to hold. */
static void
test_encode (void)
{
  g_autofree char *file = media ("sample.mp4");
  g_autofree char *prog = program ("rec-encode");
  const char *argv[] = { prog, file, NULL };
  g_autofree char *output = NULL;
  g_autoptr(RsRecording) recording = record_same (argv, "encode.rsrec", &output);
  g_autoptr(RsRecStep) sink = find_call (recording, "av_buffersink_get_frame", 0);
  g_autoptr(RsRecStep) encoded = find_call (recording, "avcodec_receive_packet", 0);
  g_autoptr(RsRecStep) muxed = find_call (recording, "av_interleaved_write_frame", 0);
  g_autoptr(RsRecStep) header = find_call (recording, "avformat_write_header", 0);
  g_autoptr(RsRecStep) trailer = find_call (recording, "av_write_trailer", 0);
  g_autoptr(RsRecStep) last_muxed = find_last_call (recording, "av_interleaved_write_frame");
  g_autoptr(RsRecStep) end = last_step (recording);
  g_auto(GStrv) lines = g_strsplit (output, "\n", -1);
  const RsRecBuffer *b;
  const RsRecHandle *pkt;
  int n, refcount, size;
  long long pts;

  check_all_steps (recording);
  b = ref_buffer (sink, rs_rec_step_find_handle (sink, sink->out_handle), "buf[0]");
  g_assert_true (b->tracked);
  g_assert_cmpstr (b->origin, ==, "filter graph");
  g_assert_cmpint (b->kind, ==, RS_REC_BUFFER_KIND_PICTURE);

  pkt = rs_rec_step_find_handle (encoded, encoded->out_handle);
  b = ref_buffer (encoded, pkt, "buf");
  g_assert_true (b->tracked);
  g_assert_cmpstr (b->origin, ==, "encoder");
  g_assert_cmpint (sscanf (lines[0], "packet %d pts=%lld size=%d refcount=%d", &n, &pts, &size, &refcount), ==, 4);
  g_assert_cmpint (pkt->size, ==, size);
  g_assert_cmpint (pkt->pts, ==, pts);
  g_assert_cmpint (b->refcount, ==, refcount);

  /* The muxer takes the packet: the program's handle is empty after. */
  g_assert_cmpint (muxed->ret, ==, 0);
  /* The header before the first packet, the trailer after the last. */
  g_assert_cmpuint (header->step, <, muxed->step);
  g_assert_cmpint (header->ret, >=, 0);
  g_assert_cmpuint (trailer->step, >, last_muxed->step);
  g_assert_cmpint (trailer->ret, ==, 0);
  g_assert_cmpuint (end->handles->len, ==, 0);
  g_assert_cmpuint (end->buffers->len, ==, 0);
}

/* Frames libswscale and libswresample fill, packets read from AVIO. */
static void
test_convert (void)
{
  g_autofree char *file = media ("sample.mp4");
  g_autofree char *prog = program ("rec-misc");
  const char *argv[] = { prog, "convert", file, NULL };
  g_autoptr(RsRecording) recording = record_same (argv, "convert.rsrec", NULL);
  const char *calls[] = { "sws_scale_frame", "swr_convert_frame", "av_get_packet", "av_append_packet" };
  g_autoptr(RsRecStep) end = last_step (recording);

  check_all_steps (recording);
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      g_autoptr(RsRecStep) step = find_call (recording, calls[i], 0);
      const RsRecHandle *out = rs_rec_step_find_handle (step, step->out_handle);
      const RsRecBuffer *b = ref_buffer (step, out, i < 2 ? "buf[0]" : "buf");

      g_assert_cmpint (step->ret, >=, 0);
      g_assert_cmpstr (b->origin, ==, calls[i]);
      g_assert_cmpuint (b->born_step, ==, step->step);
      /* Fresh frames are wrapped; packets that grow in place are not. */
      g_assert_true (b->tracked == (i < 2));
      g_assert_cmpint (b->refcount, ==, 1);
    }
  g_assert_cmpuint (end->handles->len, ==, 0);
  g_assert_cmpuint (end->buffers->len, ==, 0);
}

/* The ffmpeg command line: its output is the same recorded. */
static void
test_ffmpeg (void)
{
  g_autofree char *file = media ("sample.mp4");
  const char *argv[] = { RS_FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-i", file,
                         "-f", "framemd5", "-", NULL };
  g_autoptr(RsRecording) recording = record_same (argv, "ffmpeg.rsrec", NULL);
  g_autoptr(RsRecStep) end = last_step (recording);

  check_all_steps (recording);
  g_assert_cmpuint (rs_recording_get_n_steps (recording), >, 1000);
  g_assert_cmpstr (end->call, ==, "exit");
  g_assert_cmpuint (end->buffers->len, ==, 0);
}

/* ------------------------------------------------------------------ */
/* Bad files. */

static char *
write_file (const char   *name,
            const guint8 *data,
            gsize         len)
{
  char *path = recording_path (name);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, (const char *) data, len, &error);
  g_assert_no_error (error);
  return path;
}

static void
test_not_recordings (void)
{
  g_autofree char *mp4 = media ("sample.mp4");
  g_autofree char *missing = recording_path ("missing.rsrec");
  g_autofree char *magic = write_file ("magic.rsrec", (const guint8 *) RS_REC_MAGIC, RS_REC_MAGIC_LEN);
  guint8 future[64], *p = future;
  g_autofree char *future_path = NULL;
  const char *cases[][2] = { { mp4, NULL }, { missing, NULL }, { magic, NULL } };
  int codes[] = { RS_RECORDING_ERROR_NOT_RECORDING, RS_RECORDING_ERROR_IO, RS_RECORDING_ERROR_TRUNCATED };
  guint32 crc;

  /* A header of format version 2. */
  memcpy (p, RS_REC_MAGIC, RS_REC_MAGIC_LEN);
  p += RS_REC_MAGIC_LEN;
  *p++ = RS_REC_CHUNK_HEADER;
  *p++ = 6;
  memcpy (p, "\x02\x00\x01\x01\x00\x00", 6);
  p += 6;
  crc = rs_rec_crc32_update (0, future + RS_REC_MAGIC_LEN, 8);
  for (int i = 0; i < 4; i++)
    *p++ = crc >> (8 * i);
  future_path = write_file ("future.rsrec", future, p - future);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RsRecording) recording = rs_recording_open (cases[i][0], &error);

      g_assert_null (recording);
      g_assert_error (error, RS_RECORDING_ERROR, codes[i]);
      g_assert_true (g_str_has_prefix (error->message, cases[i][0]));
    }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(RsRecording) recording = rs_recording_open (future_path, &error);

    g_assert_null (recording);
    g_assert_error (error, RS_RECORDING_ERROR, RS_RECORDING_ERROR_VERSION);
    g_assert_nonnull (strstr (error->message, "version 2"));
  }
}

/* Reads every step of a damaged file: an error or a shorter history. */
static void
read_damaged (const char *path,
              guint       n_steps)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RsRecording) recording = rs_recording_open (path, &error);
  guint n;

  if (recording == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (g_str_has_prefix (error->message, path));
      return;
    }
  n = rs_recording_get_n_steps (recording);
  g_assert_cmpuint (n, <=, n_steps);
  if (!rs_recording_is_complete (recording))
    g_assert_nonnull (rs_recording_get_end_reason (recording));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RsRecStep) step = rs_recording_get_step (recording, i);

      check_step (step);
    }
  if (n > 0)
    {
      g_autoptr(RsRecStep) step = rs_recording_get_step (recording, n / 2);

      check_step (step);
    }
}

static void
test_damaged (void)
{
  g_autofree char *file = media ("sample.mp4");
  g_autofree char *prog = program ("rec-leaks");
  const char *argv[] = { prog, "clone-leak", file, NULL };
  g_autoptr(RsRecording) recording = record_same (argv, "fuzz.rsrec", NULL);
  g_autofree char *path = recording_path ("fuzz.rsrec");
  g_autofree char *damaged = recording_path ("damaged.rsrec");
  g_autofree guint8 *data = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  guint n_steps = rs_recording_get_n_steps (recording);
  gsize len;

  g_assert_true (g_file_get_contents (path, (char **) &data, &len, NULL));

  /* Cut everywhere near the start, then at random places. */
  for (int i = 0; i < 400; i++)
    {
      gsize cut = i < 100 ? (gsize) i : (gsize) g_rand_int_range (rand, 0, len);

      g_assert_true (g_file_set_contents (damaged, (const char *) data, cut, NULL));
      read_damaged (damaged, n_steps);
    }
  /* Flip bits. */
  for (int i = 0; i < 400; i++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, len);
      int flips = g_rand_int_range (rand, 1, 4);

      for (int k = 0; k < flips; k++)
        copy[g_rand_int_range (rand, 0, len)] ^= 1 << g_rand_int_range (rand, 0, 8);
      g_assert_true (g_file_set_contents (damaged, (const char *) copy, len, NULL));
      read_damaged (damaged, n_steps);
    }
  /* Random bytes after a good header. */
  for (int i = 0; i < 100; i++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, len);

      for (gsize k = 64 + g_rand_int_range (rand, 0, 64); k < len; k++)
        copy[k] = g_rand_int (rand);
      g_assert_true (g_file_set_contents (damaged, (const char *) copy, len, NULL));
      read_damaged (damaged, n_steps);
    }
}

/* Opens `len` bytes of `data` as a recording that stops early: its end
 * reason, checked to hold `expected`, and its number of steps. */
static guint
open_stopped (const guint8 *data,
              gsize         len,
              const char   *expected)
{
  g_autofree char *path = write_file ("stopped.rsrec", data, len);
  g_autoptr(GError) error = NULL;
  g_autoptr(RsRecording) recording = rs_recording_open (path, &error);

  g_assert_no_error (error);
  g_assert_false (rs_recording_is_complete (recording));
  g_test_message ("%s", rs_recording_get_end_reason (recording));
  g_assert_nonnull (strstr (rs_recording_get_end_reason (recording), expected));
  return rs_recording_get_n_steps (recording);
}

/* Where a damaged or cut recording stops, its message numbers the steps as
 * the window does, from 1: when steps 0..k-1 of the file (as the trace
 * counts) are read, the window shows "Step k of k" last and the message
 * says "step k + 1" is lost, or that it stops "after step k". The file is
 * damaged at the chunk of step k, found by walking the chunks (FORMAT.md). */
static void
test_damaged_step_numbers (void)
{
  g_autofree char *file = media ("sample.mp4");
  g_autofree char *prog = program ("rec-leaks");
  const char *argv[] = { prog, "clone-leak", file, NULL };
  g_autoptr(RsRecording) recording = record_same (argv, "numbers.rsrec", NULL);
  g_autofree char *path = recording_path ("numbers.rsrec");
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_autoptr(GArray) ends = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_autofree guint8 *data = NULL;
  g_autofree guint8 *copy = NULL;
  g_autofree char *lost = NULL;
  g_autofree char *middle = NULL;
  g_autofree char *after = NULL;
  g_autofree char *damaged = NULL;
  gsize len, offset = RS_REC_MAGIC_LEN, start, end;
  guint k;
  guint32 crc;

  g_assert_true (g_file_get_contents (path, (char **) &data, &len, NULL));
  while (offset < len)
    {
      const uint8_t *p = data + offset + 1;
      uint64_t chunk_len = 0;

      gsize start = offset;

      g_assert_cmpuint (rs_rec_get_varint (&p, data + len, &chunk_len), >, 0);
      offset = (p - data) + chunk_len + 4;
      if (data[start] == RS_REC_CHUNK_STEP || data[start] == RS_REC_CHUNK_FULL)
        {
          g_array_append_val (starts, start);
          g_array_append_val (ends, offset);
        }
    }
  g_assert_cmpuint (offset, ==, len);
  g_assert_cmpuint (starts->len, ==, rs_recording_get_n_steps (recording));
  /* A step chunk well inside, not a full state (the first is one). */
  k = starts->len / 2;
  g_assert_cmpuint (k, >, 10);
  start = g_array_index (starts, gsize, k);
  end = g_array_index (ends, gsize, k);
  lost = g_strdup_printf ("(step %u and after are lost)", k + 1);
  middle = g_strdup_printf ("stops in the middle of step %u:", k + 1);
  after = g_strdup_printf ("stops after step %u:", k);
  damaged = g_strdup_printf ("step %u of the recording is damaged", k + 1);

  /* Its check sum wrong. */
  copy = g_memdup2 (data, len);
  copy[end - 1] ^= 0x10;
  g_assert_cmpuint (open_stopped (copy, len, lost), ==, k);
  g_clear_pointer (&copy, g_free);

  /* Cut inside it: killed while writing it. */
  g_assert_cmpuint (open_stopped (data, start + (end - start) / 2, middle), ==, k);
  /* Cut before it: killed between two steps. */
  g_assert_cmpuint (open_stopped (data, start, after), ==, k);

  /* Its check sum right, its changes garbage: the step cannot be applied. */
  copy = g_memdup2 (data, len);
  for (gsize i = end - 4 - MIN (end - start - 4, 8); i < end - 4; i++)
    copy[i] = 0xff;
  crc = rs_rec_crc32_update (0, copy + start, end - 4 - start);
  for (int i = 0; i < 4; i++)
    copy[end - 4 + i] = crc >> (8 * i);
  g_assert_cmpuint (open_stopped (copy, len, damaged), ==, k);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("test-record-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_data_func ("/record/decode/refcounts/mp4", "sample.mp4", test_decode_refcounts);
  g_test_add_data_func ("/record/decode/refcounts/webm", "sample.webm", test_decode_refcounts);
  g_test_add_data_func ("/record/decode/refcounts/ts", "sample.ts", test_decode_refcounts);
  g_test_add_func ("/record/decode/deterministic", test_decode_deterministic);
  g_test_add_func ("/record/decode/seek", test_decode_seek);
  g_test_add_func ("/record/decode/open", test_decode_open);
  g_test_add_func ("/record/decode/killed", test_killed);
  g_test_add_func ("/record/leaks/init-packet", test_lost_init_packet);
  g_test_add_func ("/record/leaks/read-init", test_lost_read_init);
  g_test_add_data_func ("/record/leaks/move-ref", "move-ref", test_lost_move_ref);
  g_test_add_data_func ("/record/leaks/ref-over", "ref-over", test_lost_move_ref);
  g_test_add_func ("/record/leaks/stack-packet", test_stack_packet);
  g_test_add_func ("/record/leaks/clone", test_clone_leak);
  g_test_add_func ("/record/leaks/program-buffers", test_program_buffers);
  g_test_add_func ("/record/program/fork", test_fork);
  g_test_add_func ("/record/program/launcher", test_launcher);
  g_test_add_func ("/record/program/own-get-buffer2", test_own_get_buffer2);
  g_test_add_func ("/record/program/own-get-buffer2-threads", test_own_get_buffer2_threads);
  g_test_add_func ("/record/program/threads", test_threads);
  g_test_add_func ("/record/program/frame-threads", test_frame_threads);
  g_test_add_func ("/record/program/encode", test_encode);
  g_test_add_func ("/record/program/convert", test_convert);
  g_test_add_func ("/record/program/ffmpeg", test_ffmpeg);
  g_test_add_func ("/record/reader/not-recordings", test_not_recordings);
  g_test_add_func ("/record/reader/damaged", test_damaged);
  g_test_add_func ("/record/reader/damaged-step-numbers", test_damaged_step_numbers);

  ret = g_test_run ();
  if (ret == 0)
    {
      g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (tmp_dir, name, NULL);

          g_unlink (path);
        }
      g_rmdir (tmp_dir);
    }
  g_free (tmp_dir);
  return ret;
}
