/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The counts Refscope shows must equal what an unobserved program has. These
 * tests decode the bundled H.264 sample (B-frames, one thread) with a plain
 * libav loop, with and without the tracker's wrapping, and with a
 * RsDecodeSession, and compare.
 */
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <string.h>

#include "rs-av-private.h"
#include "rs-cursor.h"
#include "rs-decode-session.h"
#include "rs-error.h"
#include "rs-media-private.h"
#include "rs-tracker-private.h"

static char *
sample_path (const char *name)
{
  const char *dir = g_getenv ("RS_MEDIA_DIR");

  g_assert_nonnull (dir);
  return g_build_filename (dir, name, NULL);
}

/* What a plain program sees on each received video frame's buf[0]. */
typedef struct {
  int      refcount;
  gboolean writable;
} FrameCount;

static int
wrapping_get_buffer2 (AVCodecContext *context,
                      AVFrame        *frame,
                      int             flags)
{
  RsTracker *tracker = context->opaque;
  int ret = avcodec_default_get_buffer2 (context, frame, flags);

  for (guint i = 0; ret >= 0 && i < G_N_ELEMENTS (frame->buf); i++)
    if (frame->buf[i] != NULL)
      g_assert_cmpuint (rs_tracker_wrap (tracker, &frame->buf[i], RS_BUFFER_KIND_PICTURE,
                                         "decoder", "decoder"), !=, 0);
  return ret;
}

/* A plain decode loop (send a packet, receive until EAGAIN, unref at once),
 * optionally with the tracker's wrapping get_buffer2. */
static GArray *
plain_decode (const char *path,
              RsTracker  *tracker)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AVFormatContext) input = rs_media_open (path, &error);
  g_autoptr(AVCodecContext) decoder = NULL;
  g_autoptr(AVPacket) packet = av_packet_alloc ();
  g_autoptr(AVFrame) frame = av_frame_alloc ();
  GArray *counts = g_array_new (FALSE, FALSE, sizeof (FrameCount));
  const AVCodec *codec = NULL;
  gboolean draining = FALSE;
  int index;

  g_assert_no_error (error);
  index = av_find_best_stream (input, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  g_assert_cmpint (index, >=, 0);
  decoder = avcodec_alloc_context3 (codec);
  g_assert_cmpint (avcodec_parameters_to_context (decoder, input->streams[index]->codecpar), >=, 0);
  decoder->pkt_timebase = input->streams[index]->time_base;
  decoder->thread_count = 1;
  if (tracker != NULL)
    {
      decoder->opaque = tracker;
      decoder->get_buffer2 = wrapping_get_buffer2;
    }
  g_assert_cmpint (avcodec_open2 (decoder, codec, NULL), ==, 0);

  for (;;)
    {
      int ret;

      while ((ret = avcodec_receive_frame (decoder, frame)) >= 0)
        {
          FrameCount count = {
            av_buffer_get_ref_count (frame->buf[0]), av_buffer_is_writable (frame->buf[0]),
          };
          g_array_append_val (counts, count);
          av_frame_unref (frame);
        }
      if (ret == AVERROR_EOF)
        break;
      g_assert_cmpint (ret, ==, AVERROR (EAGAIN));

      if (!draining && av_read_frame (input, packet) < 0)
        draining = TRUE;
      if (draining)
        g_assert_cmpint (avcodec_send_packet (decoder, NULL), ==, 0);
      else if (packet->stream_index == index)
        g_assert_cmpint (avcodec_send_packet (decoder, packet), ==, 0);
      av_packet_unref (packet);
    }
  return counts;
}

static void
test_wrapping_changes_nothing (void)
{
  g_autofree char *path = sample_path ("sample.mp4");
  g_autoptr(GArray) plain = plain_decode (path, NULL);
  RsTracker *tracker = rs_tracker_new ();
  g_autoptr(GArray) wrapped = plain_decode (path, tracker);

  g_assert_cmpuint (plain->len, ==, 50);
  g_assert_cmpuint (wrapped->len, ==, plain->len);
  for (guint i = 0; i < plain->len; i++)
    {
      FrameCount *a = &g_array_index (plain, FrameCount, i);
      FrameCount *b = &g_array_index (wrapped, FrameCount, i);

      g_assert_cmpint (a->refcount, ==, b->refcount);
      g_assert_cmpint (a->writable, ==, b->writable);
    }
  /* Every wrapper's free callback ran once the decoder was gone. */
  g_assert_cmpuint (rs_tracker_get_n_live (tracker), ==, 0);
  rs_tracker_unref (tracker);
}

/* The session's hidden refs on each received video frame equal the refs a
 * plain program sees minus its own one. */
static void
test_hidden_refs_match_plain_program (void)
{
  g_autofree char *path = sample_path ("sample.mp4");
  g_autoptr(GArray) plain = plain_decode (path, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RsDecodeSession) session = rs_decode_session_new (path, NULL, &error);
  RsSnapshot *snapshot;
  guint n = 0, ones = 0, twos = 0;

  g_assert_no_error (error);
  g_assert_true (rs_decode_session_is_exact (session));
  while ((snapshot = rs_session_advance (RS_SESSION (session), RS_STEP_FRAME, &error)) != NULL)
    {
      const RsHandle *frame = rs_snapshot_find_handle (snapshot, rs_snapshot_get_out (snapshot));
      const RsBuffer *plane;
      FrameCount *expected;

      g_assert_nonnull (frame);
      if (frame->width == 0)
        continue; /* audio */
      g_assert_cmpuint (frame->n_refs, >=, 1);
      g_assert_cmpstr (frame->refs[0].field, ==, "buf[0]");
      plane = rs_snapshot_find_buffer (snapshot, frame->refs[0].buffer);
      g_assert_nonnull (plane);
      g_assert_cmpuint (n, <, plain->len);
      expected = &g_array_index (plain, FrameCount, n);
      g_assert_cmpint (plane->refcount, ==, expected->refcount);
      g_assert_cmpint (plane->visible, ==, 1);
      g_assert_cmpint (plane->hidden, ==, expected->refcount - 1);
      g_assert_cmpint (plane->writable, ==, expected->writable);
      g_assert_cmpstr (plane->holder, ==, "video decoder");
      ones += plane->hidden == 1;
      twos += plane->hidden == 2;
      n++;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, plain->len);
  /* The research measured 1 in most frames, 2 in some. */
  g_assert_cmpuint (ones, >, twos);
  g_assert_cmpuint (twos, >, 0);
}

static void
test_session_ends_clean (void)
{
  g_autofree char *path = sample_path ("sample.mp4");
  g_autoptr(GError) error = NULL;
  g_autoptr(RsDecodeSession) session = rs_decode_session_new (path, NULL, &error);
  RsHistory *history;
  RsSnapshot *last;
  guint shared = 0, handles = 0;

  g_assert_no_error (error);
  while (rs_session_step (RS_SESSION (session), &error) != NULL)
    ;
  g_assert_no_error (error);
  g_assert_true (rs_session_is_finished (RS_SESSION (session)));
  g_assert_null (rs_session_step (RS_SESSION (session), &error));

  history = rs_session_get_history (RS_SESSION (session));
  last = rs_history_get_last (history);
  g_assert_cmpstr (rs_snapshot_get_call (last), ==, "avformat_close_input");
  g_assert_cmpuint (rs_snapshot_get_n_buffers (last), ==, 0);
  g_assert_cmpuint (rs_snapshot_get_n_handles (last), ==, 0);

  /* Unchanged handles are the same nodes in consecutive snapshots; every
   * reference is a handle's or libav's: a decode session loses none. */
  for (guint i = 1; i < rs_history_get_length (history); i++)
    {
      RsSnapshot *before = rs_history_get_snapshot (history, i - 1);
      RsSnapshot *after = rs_history_get_snapshot (history, i);

      for (guint b = 0; b < rs_snapshot_get_n_buffers (after); b++)
        {
          const RsBuffer *buffer = rs_snapshot_get_buffer (after, b);

          g_assert_cmpint (buffer->refcount, ==, buffer->visible + buffer->hidden + buffer->lost);
          g_assert_cmpint (buffer->lost, ==, 0);
        }

      for (guint h = 0; h < rs_snapshot_get_n_handles (after); h++)
        {
          const RsHandle *node = rs_snapshot_get_handle (after, h);

          handles++;
          shared += rs_snapshot_find_handle (before, node->id) == node;
        }
    }
  g_assert_cmpuint (shared * 10, >, handles * 8);
}

/* The slot of `group` marked as the ring's head (or tail) in `snapshot`:
 * at most one is. NULL if none. */
static const RsHandle *
ring_end (RsSnapshot *snapshot,
          const char *group,
          gboolean    head)
{
  const RsHandle *end = NULL;

  for (guint i = 0; i < rs_snapshot_get_n_handles (snapshot); i++)
    {
      const RsHandle *h = rs_snapshot_get_handle (snapshot, i);

      if (h->group == group && (rs_snapshot_get_ring_end (snapshot, h) & (head ? RS_RING_HEAD : RS_RING_TAIL)))
        {
          g_assert_null (end);
          end = h;
        }
    }
  return end;
}

/* The ring ends a snapshot marks are the player's: the next dequeue (or
 * the display moving on) reads the head slot and empties it; the next
 * enqueue writes the tail slot. Empty and full rings are marked too. */
static void
test_ring_ends (void)
{
  g_autofree char *path = sample_path ("sample.mp4");
  g_autoptr(GError) error = NULL;
  g_autoptr(RsDecodeSession) session = rs_decode_session_new (path, NULL, &error);
  RsHistory *history;
  guint dequeues = 0, enqueues = 0, shown = 0, empty = 0, full = 0;

  g_assert_no_error (error);
  while (rs_session_step (RS_SESSION (session), &error) != NULL)
    ;
  g_assert_no_error (error);
  history = rs_session_get_history (RS_SESSION (session));
  for (guint i = 1; i < rs_history_get_length (history); i++)
    {
      RsSnapshot *before = rs_history_get_snapshot (history, i - 1);
      RsSnapshot *after = rs_history_get_snapshot (history, i);
      const char *call = rs_snapshot_get_call (after);
      const char *args = rs_snapshot_get_args (after);
      const char *out = rs_snapshot_get_out (after);
      const RsHandle *read = NULL, *written = NULL;

      /* av_packet_move_ref(video.decoder_input, video.pktq[k]) */
      if (g_strcmp0 (call, "av_packet_move_ref") == 0 && out != NULL && g_str_has_suffix (out, ".decoder_input"))
        {
          read = rs_snapshot_find_handle (before, strchr (args, ' ') + 1);
          g_assert_nonnull (read);
          dequeues++;
        }
      /* av_frame_unref(video.frameq[k]): the display moves on. */
      else if (g_strcmp0 (call, "av_frame_unref") == 0 && strstr (args, ".frameq[") != NULL)
        {
          read = rs_snapshot_find_handle (before, args);
          g_assert_nonnull (read);
          shown++;
        }
      else if (out != NULL && (strstr (out, ".pktq[") != NULL || strstr (out, ".frameq[") != NULL))
        {
          written = rs_snapshot_find_handle (after, out);
          g_assert_nonnull (written);
          enqueues++;
        }
      if (read != NULL)
        {
          g_assert_cmpuint (read->n_refs, >, 0);
          g_assert_true (ring_end (before, read->group, TRUE) == read);
          g_assert_cmpuint (rs_snapshot_find_handle (after, read->id)->n_refs, ==, 0);
        }
      if (written != NULL)
        {
          const RsHandle *tail = ring_end (before, written->group, FALSE);

          g_assert_cmpuint (written->n_refs, >, 0);
          /* A clone-policy slot is absent until written; the default
           * policy keeps every slot's struct. */
          g_assert_nonnull (tail);
          g_assert_cmpstr (tail->id, ==, written->id);
        }

      /* Empty and full rings: both ends on one slot. */
      for (guint h = 0; h < rs_snapshot_get_n_handles (after); h++)
        {
          const RsHandle *slot = rs_snapshot_get_handle (after, h);
          RsRingEnd ends = rs_snapshot_get_ring_end (after, slot);
          guint present = 0, used = 0;

          if (!(ends & RS_RING_HEAD))
            continue;
          for (guint k = 0; k < rs_snapshot_get_n_handles (after); k++)
            {
              const RsHandle *other = rs_snapshot_get_handle (after, k);

              present += other->group == slot->group;
              used += other->group == slot->group && other->n_refs > 0;
            }
          if (used == 0 || (used == present && (int) present == slot->capacity))
            {
              g_assert_true (ends & RS_RING_TAIL);
              empty += used == 0;
              full += used > 0;
            }
          else
            g_assert_false (ends & RS_RING_TAIL);
        }
    }
  g_assert_cmpuint (dequeues, >, 0);
  g_assert_cmpuint (enqueues, >, 0);
  g_assert_cmpuint (shown, >, 0);
  g_assert_cmpuint (empty, >, 0);
  g_assert_cmpuint (full, >, 0);
  g_test_message ("%u dequeues, %u frames shown, %u enqueues; %u empty and %u full rings marked",
                  dequeues, shown, enqueues, empty, full);
}

static void
test_packet_granularity (void)
{
  g_autofree char *path = sample_path ("sample.mp4");
  g_autoptr(GError) error = NULL;
  g_autoptr(RsDecodeSession) session = rs_decode_session_new (path, NULL, &error);
  RsSnapshot *first, *second;

  g_assert_no_error (error);
  first = rs_session_advance (RS_SESSION (session), RS_STEP_PACKET, &error);
  second = rs_session_advance (RS_SESSION (session), RS_STEP_PACKET, &error);
  g_assert_cmpstr (rs_snapshot_get_call (first), ==, "av_read_frame");
  g_assert_cmpstr (rs_snapshot_get_call (second), ==, "av_read_frame");
  g_assert_cmpstr (rs_snapshot_get_out (second), ==, "reader");
  g_assert_cmpuint (rs_snapshot_get_step (second), >, rs_snapshot_get_step (first));
}

/* Back reads the past; forward replays it before running new calls. */
static void
test_cursor (void)
{
  g_autofree char *path = sample_path ("sample.mp4");
  g_autoptr(GError) error = NULL;
  g_autoptr(RsDecodeSession) session = rs_decode_session_new (path, NULL, &error);
  g_autoptr(RsCursor) cursor = rs_cursor_new (RS_SESSION (session));
  RsHistory *history = rs_session_get_history (RS_SESSION (session));

  g_assert_cmpint (rs_cursor_get_position (cursor), ==, -1);
  g_assert_null (rs_cursor_get_snapshot (cursor));
  for (int i = 0; i < 20; i++)
    g_assert_true (rs_cursor_forward (cursor, RS_STEP_CALL, &error));
  g_assert_cmpint (rs_cursor_get_position (cursor), ==, 19);
  for (int i = 0; i < 5; i++)
    g_assert_true (rs_cursor_back (cursor));
  g_assert_cmpint (rs_cursor_get_position (cursor), ==, 14);
  g_assert_true (rs_cursor_get_snapshot (cursor) == rs_history_get_snapshot (history, 14));
  g_assert_true (rs_cursor_get_previous (cursor) == rs_history_get_snapshot (history, 13));

  /* Replaying does not call libav again. */
  g_assert_true (rs_cursor_forward (cursor, RS_STEP_CALL, &error));
  g_assert_cmpuint (rs_history_get_length (history), ==, 20);
  g_assert_cmpint (rs_cursor_get_position (cursor), ==, 15);

  g_assert_true (rs_cursor_forward (cursor, RS_STEP_FRAME, &error));
  g_assert_cmpstr (rs_snapshot_get_call (rs_cursor_get_snapshot (cursor)), ==, "avcodec_receive_frame");
  g_assert_nonnull (rs_snapshot_get_out (rs_cursor_get_snapshot (cursor)));

  rs_cursor_seek (cursor, 3);
  g_assert_cmpint (rs_cursor_get_position (cursor), ==, 3);
  rs_cursor_seek (cursor, 100000);
  g_assert_cmpint (rs_cursor_get_position (cursor), ==, (int) rs_history_get_length (history) - 1);

  while (rs_cursor_forward (cursor, RS_STEP_CALL, &error))
    ;
  g_assert_no_error (error);
  g_assert_true (rs_cursor_is_at_end (cursor));
  g_assert_false (rs_cursor_forward (cursor, RS_STEP_CALL, &error));
  g_assert_no_error (error);
}

/* Running each next call ahead changes nothing a viewer sees: the same
 * positions, lengths and snapshots as a cursor that runs calls when asked. */
static void
test_cursor_run_ahead (void)
{
  g_autofree char *path = sample_path ("sample.mp4");
  g_autoptr(GError) error = NULL;
  g_autoptr(RsDecodeSession) plain_session = rs_decode_session_new (path, NULL, &error);
  g_autoptr(RsDecodeSession) ahead_session = rs_decode_session_new (path, NULL, &error);
  g_autoptr(RsCursor) plain = rs_cursor_new (RS_SESSION (plain_session));
  g_autoptr(RsCursor) ahead = rs_cursor_new (RS_SESSION (ahead_session));
  RsHistory *history = rs_session_get_history (RS_SESSION (ahead_session));
  guint moves = 0, ran_ahead = 0;
  gboolean more = TRUE;

  g_assert_no_error (error);
  while (more)
    {
      /* Mostly calls, some frames and packets, a step back now and then. */
      RsStepGranularity granularity = moves % 7 == 3 ? RS_STEP_FRAME : moves % 11 == 5 ? RS_STEP_PACKET : RS_STEP_CALL;
      gboolean plain_moved, ahead_moved;

      if (moves % 13 == 12)
        {
          g_assert_cmpint (rs_cursor_back (plain), ==, rs_cursor_back (ahead));
          /* Not at the live edge now: nothing to run ahead. */
          g_assert_false (rs_cursor_run_ahead (ahead));
        }
      else
        {
          plain_moved = rs_cursor_forward (plain, granularity, &error);
          g_assert_no_error (error);
          ahead_moved = rs_cursor_forward (ahead, granularity, &error);
          g_assert_no_error (error);
          g_assert_cmpint (plain_moved, ==, ahead_moved);
          more = plain_moved;
        }
      moves++;

      g_assert_cmpint (rs_cursor_get_position (plain), ==, rs_cursor_get_position (ahead));
      g_assert_cmpuint (rs_cursor_get_length (plain), ==, rs_cursor_get_length (ahead));
      g_assert_cmpint (rs_cursor_is_at_end (plain), ==, rs_cursor_is_at_end (ahead));
      g_assert_cmpuint (rs_snapshot_get_step (rs_cursor_get_snapshot (plain)), ==,
                        rs_snapshot_get_step (rs_cursor_get_snapshot (ahead)));
      g_assert_cmpstr (rs_snapshot_get_call (rs_cursor_get_snapshot (plain)), ==,
                       rs_snapshot_get_call (rs_cursor_get_snapshot (ahead)));

      if (rs_cursor_run_ahead (ahead))
        {
          ran_ahead++;
          /* Recorded, but hidden until reached; a second run does nothing. */
          g_assert_cmpuint (rs_history_get_length (history), ==, rs_cursor_get_length (ahead) + 1);
          g_assert_false (rs_cursor_run_ahead (ahead));
          rs_cursor_seek (ahead, G_MAXUINT);
          g_assert_cmpint (rs_cursor_get_position (ahead), ==, rs_cursor_get_position (plain));
          g_assert_false (rs_cursor_is_at_end (ahead));
        }
    }
  g_assert_cmpuint (ran_ahead, >, 100);
  g_assert_true (rs_cursor_is_at_end (ahead));
  g_assert_false (rs_cursor_run_ahead (ahead));
}

static void
test_bad_files (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = sample_path ("");
  g_autoptr(RsDecodeSession) missing = rs_decode_session_new ("/nonexistent/clip.mp4", NULL, &error);

  g_assert_null (missing);
  g_assert_error (error, RS_ERROR, RS_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/clip.mp4"));
  g_clear_error (&error);

  g_assert_null (rs_decode_session_new (dir, NULL, &error));
  g_assert_error (error, RS_ERROR, RS_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  g_assert_null (rs_decode_session_new ("https://example.invalid/a.mp4", NULL, &error));
  g_assert_error (error, RS_ERROR, RS_ERROR_REFUSED);
}

/* The model spells libav's return codes without libav (model/rs-error.c):
 * each must be the code libav's own macro gives. */
static void
test_ret_names (void)
{
#define CODE(x) { x, #x }
  static const struct { int code; const char *name; } codes[] = {
    { AVERROR (EPERM), "AVERROR(EPERM)" }, { AVERROR (ENOENT), "AVERROR(ENOENT)" },
    { AVERROR (EIO), "AVERROR(EIO)" }, { AVERROR (EAGAIN), "AVERROR(EAGAIN)" },
    { AVERROR (ENOMEM), "AVERROR(ENOMEM)" }, { AVERROR (EACCES), "AVERROR(EACCES)" },
    { AVERROR (EFAULT), "AVERROR(EFAULT)" }, { AVERROR (EINVAL), "AVERROR(EINVAL)" },
    { AVERROR (ENOSPC), "AVERROR(ENOSPC)" }, { AVERROR (EPIPE), "AVERROR(EPIPE)" },
    { AVERROR (ERANGE), "AVERROR(ERANGE)" }, { AVERROR (ENOSYS), "AVERROR(ENOSYS)" },
    CODE (AVERROR_EOF), CODE (AVERROR_INVALIDDATA), CODE (AVERROR_PATCHWELCOME),
    CODE (AVERROR_BUG), CODE (AVERROR_EXIT), CODE (AVERROR_EXTERNAL), CODE (AVERROR_UNKNOWN),
    CODE (AVERROR_BUFFER_TOO_SMALL), CODE (AVERROR_BSF_NOT_FOUND),
    CODE (AVERROR_DECODER_NOT_FOUND), CODE (AVERROR_DEMUXER_NOT_FOUND),
    CODE (AVERROR_ENCODER_NOT_FOUND), CODE (AVERROR_FILTER_NOT_FOUND),
    CODE (AVERROR_MUXER_NOT_FOUND), CODE (AVERROR_OPTION_NOT_FOUND),
    CODE (AVERROR_PROTOCOL_NOT_FOUND), CODE (AVERROR_STREAM_NOT_FOUND),
  };
#undef CODE

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    g_assert_cmpstr (rs_ret_name (codes[i].code), ==, codes[i].name);
  g_assert_null (rs_ret_name (0));
  g_assert_null (rs_ret_name (3));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  av_log_set_level (AV_LOG_ERROR);
  g_test_add_func ("/decode-session/wrapping-changes-nothing", test_wrapping_changes_nothing);
  g_test_add_func ("/decode-session/hidden-refs-match-plain-program", test_hidden_refs_match_plain_program);
  g_test_add_func ("/decode-session/ends-clean", test_session_ends_clean);
  g_test_add_func ("/decode-session/ring-ends", test_ring_ends);
  g_test_add_func ("/decode-session/packet-granularity", test_packet_granularity);
  g_test_add_func ("/decode-session/cursor", test_cursor);
  g_test_add_func ("/decode-session/cursor-run-ahead", test_cursor_run_ahead);
  g_test_add_func ("/decode-session/bad-files", test_bad_files);
  g_test_add_func ("/decode-session/ret-names", test_ret_names);
  return g_test_run ();
}
