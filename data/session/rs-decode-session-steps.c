/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-decode-session-steps.c: running the call the scheduler picked, and the
 * snapshot after it.
 */
#define G_LOG_DOMAIN "rs-decode-session"

#include <string.h>

#include "rs-decode-session-private.h"
#include "rs-intern.h"

/* What one step did, in words. */
typedef struct {
  const char *call;
  char       *args;
  int         ret;
  const char *out;   /* interned handle id, or NULL */
  char       *error; /* a failed call's message, or NULL */
} StepResult;

static int
slot_index (int head,
            int offset,
            int capacity)
{
  return (head + offset) % capacity;
}

static void
note_error (StepResult *result,
            Stream     *stream,
            int         ret)
{
  g_autofree char *reason = rs_av_error_string (ret);

  result->error = g_strdup_printf ("%s%s%s failed: %s", result->call,
                                   stream != NULL ? " on " : "",
                                   stream != NULL ? stream->name : "", reason);
}

/* Wraps the reader's new payload so its lifetime is exact. av_read_frame
 * always returns the only reference (measured: refcount 1). */
static void
track_packet (RsDecodeSession *self,
              AVPacket        *packet,
              const char      *origin)
{
  Stream *stream = self->by_index[packet->stream_index];
  g_autofree char *holder = NULL;

  if (self->observer == NULL || packet->buf == NULL || av_buffer_get_ref_count (packet->buf) != 1)
    return;
  if (stream == NULL)
    holder = g_strdup_printf ("stream %d decoder input", packet->stream_index);
  rs_tracker_wrap (rs_observer_get_tracker (self->observer), &packet->buf, RS_BUFFER_KIND_PACKET,
                   origin, stream != NULL ? stream->input_holder : holder);
}

static void
run_read (RsDecodeSession *self,
          StepResult      *result)
{
  result->call = "av_read_frame";
  result->args = g_strdup ("input, reader");
  result->ret = av_read_frame (self->input, self->reader);
  if (result->ret >= 0)
    {
      self->reader_full = TRUE;
      self->read_errors = 0;
      result->out = rs_intern_static ("reader");
      track_packet (self, self->reader, "demuxer");
    }
  else if (result->ret == AVERROR_EOF || ++self->read_errors >= MAX_CONSECUTIVE_ERRORS)
    self->end_of_file = TRUE;
  if (result->ret < 0 && result->ret != AVERROR_EOF)
    note_error (result, NULL, result->ret);
}

static void
run_enqueue (RsDecodeSession *self,
             Stream          *stream,
             StepResult      *result)
{
  int slot = slot_index (stream->packet_head, stream->packet_count, self->settings.packet_queue);
  const char *id = stream->packet_slots[slot].id;
  AVPacket **dst = &stream->packets[slot];

  result->args = g_strdup_printf ("%s, reader", id);
  switch (self->settings.copy)
    {
    case RS_COPY_MOVE:
      result->call = "av_packet_move_ref";
      av_packet_move_ref (*dst, self->reader);
      self->reader_full = FALSE;
      break;
    case RS_COPY_REF:
      result->call = "av_packet_ref";
      result->ret = av_packet_ref (*dst, self->reader);
      self->reader_pending = READER_UNREF;
      break;
    case RS_COPY_CLONE:
      result->call = "av_packet_clone";
      g_clear_pointer (&result->args, g_free);
      result->args = g_strdup ("reader");
      *dst = av_packet_clone (self->reader);
      result->ret = *dst != NULL ? 0 : AVERROR (ENOMEM);
      self->reader_pending = READER_UNREF;
      break;
    case RS_COPY_COPY:
    default:
      /* A deep copy: a new buffer with the same bytes, then the properties. */
      result->call = "av_new_packet";
      g_clear_pointer (&result->args, g_free);
      result->args = g_strdup_printf ("%s, %d", id, self->reader->size);
      result->ret = av_new_packet (*dst, self->reader->size);
      if (result->ret >= 0)
        {
          memcpy ((*dst)->data, self->reader->data, self->reader->size);
          (*dst)->stream_index = self->reader->stream_index;
          track_packet (self, *dst, "av_new_packet");
        }
      self->reader_pending = READER_COPY_PROPS;
      self->reader_target = stream;
      self->reader_slot = slot;
      break;
    }

  if (result->ret < 0)
    {
      /* Out of memory: drop the packet rather than stall. */
      note_error (result, stream, result->ret);
      self->reader_pending = READER_UNREF;
      return;
    }
  stream->packet_count++;
  result->out = id;
}

static void
run_dequeue (RsDecodeSession *self,
             Stream          *stream,
             StepResult      *result)
{
  int slot = stream->packet_head;

  result->call = "av_packet_move_ref";
  result->args = g_strdup_printf ("%s, %s", stream->input_handle.id, stream->packet_slots[slot].id);
  av_packet_move_ref (stream->input, stream->packets[slot]);
  stream->input_full = TRUE;
  stream->packet_head = slot_index (slot, 1, self->settings.packet_queue);
  stream->packet_count--;
  if (self->settings.copy == RS_COPY_CLONE)
    stream->free_slot = slot;
  result->out = stream->input_handle.id;
}

static gboolean
too_many_errors (Stream *stream,
                 int     ret)
{
  if (ret >= 0 || ret == AVERROR (EAGAIN) || ret == AVERROR_EOF)
    {
      stream->errors = 0;
      return FALSE;
    }
  return ++stream->errors >= MAX_CONSECUTIVE_ERRORS;
}

static void
run_send (RsDecodeSession *self,
          Stream          *stream,
          gboolean         flush,
          StepResult      *result)
{
  result->call = "avcodec_send_packet";
  result->args = g_strdup_printf ("%s, %s", stream->holder, flush ? "NULL" : stream->input_handle.id);
  result->ret = avcodec_send_packet (stream->decoder, flush ? NULL : stream->input);

  if (result->ret == AVERROR (EAGAIN))
    {
      /* Output first; the packet stays pending, as ffplay keeps it. */
      stream->state = DECODER_RECEIVE;
      return;
    }
  if (result->ret < 0 && result->ret != AVERROR_EOF)
    note_error (result, stream, result->ret);
  if (flush)
    stream->flush_sent = TRUE;
  else
    stream->unref_input = TRUE;
  stream->state = DECODER_RECEIVE;
  if (too_many_errors (stream, result->ret))
    stream->state = DECODER_DONE;
}

static void
run_receive (RsDecodeSession *self,
             Stream          *stream,
             StepResult      *result)
{
  result->call = "avcodec_receive_frame";
  result->args = g_strdup_printf ("%s, %s", stream->holder, stream->frame_handle.id);
  result->ret = avcodec_receive_frame (stream->decoder, stream->frame);

  if (result->ret >= 0)
    {
      stream->frame_full = TRUE;
      result->out = stream->frame_handle.id;
    }
  else if (result->ret == AVERROR_EOF)
    stream->state = DECODER_DONE;
  else if (result->ret == AVERROR (EAGAIN))
    stream->state = DECODER_SEND;
  else
    {
      /* A decoding error: feed more, or stop if nothing more will come. */
      note_error (result, stream, result->ret);
      stream->state = stream->flush_sent ? DECODER_DONE : DECODER_SEND;
    }
  if (too_many_errors (stream, result->ret))
    stream->state = DECODER_DONE;
}

/* Subtitles have no send/receive pair in FFmpeg 5.1: one call takes the
 * packet (or an empty one to drain) and fills an AVSubtitle. The packet
 * stays in the decoder input until it is unreffed, like after a send. */
static void
run_decode_subtitle (RsDecodeSession *self,
                     Stream          *stream,
                     StepResult      *result)
{
  gboolean flush = !stream->input_full;
  int got = 0;

  result->call = "avcodec_decode_subtitle2";
  result->args = g_strdup_printf ("%s, %s, &got, %s", stream->holder, stream->subtitle_handle.id,
                                  stream->input_handle.id);
  result->ret = avcodec_decode_subtitle2 (stream->decoder, &stream->sub, &got, stream->input);
  if (result->ret < 0)
    note_error (result, stream, result->ret);
  if (result->ret >= 0 && got)
    {
      stream->subtitle_full = TRUE;
      result->out = stream->subtitle_handle.id;
    }
  if (flush)
    stream->flush_sent = !got || result->ret < 0;
  else
    stream->unref_input = TRUE;
}

static void
run_queue_frame (RsDecodeSession *self,
                 Stream          *stream,
                 StepResult      *result)
{
  int slot = slot_index (stream->frame_head, stream->frame_count, self->settings.frame_queue);

  result->call = "av_frame_move_ref";
  result->args = g_strdup_printf ("%s, %s", stream->frame_slots[slot].id, stream->frame_handle.id);
  av_frame_move_ref (stream->frames[slot], stream->frame);
  stream->frame_full = FALSE;
  stream->frame_count++;
  result->out = stream->frame_slots[slot].id;
}

static void
run_next_frame (RsDecodeSession *self,
                Stream          *stream,
                StepResult      *result)
{
  int slot = stream->frame_head;

  result->call = "av_frame_unref";
  result->args = g_strdup (stream->frame_slots[slot].id);
  av_frame_unref (stream->frames[slot]);
  stream->frame_head = slot_index (slot, 1, self->settings.frame_queue);
  stream->frame_count--;
}

static void
add_close_op (RsDecodeSession *self,
              CloseKind        kind,
              Stream          *stream,
              int              slot)
{
  CloseOp op = { kind, stream, slot };
  g_array_append_val (self->close_ops, op);
}

/* Closing, one call a step: decoders first (their hidden references go),
 * then every packet and frame, then the input. */
static void
start_closing (RsDecodeSession *self)
{
  self->close_ops = g_array_new (FALSE, FALSE, sizeof (CloseOp));
  for (guint i = 0; i < self->n_streams; i++)
    add_close_op (self, CLOSE_DECODER, self->streams[i], -1);
  add_close_op (self, CLOSE_READER, NULL, -1);
  for (guint i = 0; i < self->n_streams; i++)
    {
      Stream *stream = self->streams[i];

      add_close_op (self, CLOSE_INPUT, stream, -1);
      for (int k = 0; k < self->settings.packet_queue; k++)
        if (stream->packets[k] != NULL)
          add_close_op (self, CLOSE_PACKET_SLOT, stream, k);
      if (stream->subtitle)
        continue;
      add_close_op (self, CLOSE_FRAME, stream, -1);
      for (int k = 0; k < self->settings.frame_queue; k++)
        add_close_op (self, CLOSE_FRAME_SLOT, stream, k);
    }
  add_close_op (self, CLOSE_INPUT_FILE, NULL, -1);
}

static void
run_close (RsDecodeSession *self,
           StepResult      *result)
{
  const CloseOp *op = &g_array_index (self->close_ops, CloseOp, self->close_next++);
  Stream *stream = op->stream;

  switch (op->kind)
    {
    case CLOSE_DECODER:
      result->call = "avcodec_free_context";
      result->args = g_strdup (stream->holder);
      avcodec_free_context (&stream->decoder);
      break;
    case CLOSE_READER:
      result->call = "av_packet_free";
      result->args = g_strdup ("reader");
      av_packet_free (&self->reader);
      break;
    case CLOSE_INPUT:
      result->call = "av_packet_free";
      result->args = g_strdup (stream->input_handle.id);
      av_packet_free (&stream->input);
      break;
    case CLOSE_PACKET_SLOT:
      result->call = "av_packet_free";
      result->args = g_strdup (stream->packet_slots[op->slot].id);
      av_packet_free (&stream->packets[op->slot]);
      break;
    case CLOSE_FRAME:
      result->call = "av_frame_free";
      result->args = g_strdup (stream->frame_handle.id);
      av_frame_free (&stream->frame);
      break;
    case CLOSE_FRAME_SLOT:
      result->call = "av_frame_free";
      result->args = g_strdup (stream->frame_slots[op->slot].id);
      av_frame_free (&stream->frames[op->slot]);
      break;
    case CLOSE_INPUT_FILE:
    default:
      result->call = "avformat_close_input";
      result->args = g_strdup ("input");
      avformat_close_input (&self->input);
      break;
    }

  if (self->close_next == self->close_ops->len)
    self->finished = TRUE;
}

static void
run_action (RsDecodeSession *self,
            Action           action,
            Stream          *stream,
            StepResult      *result)
{
  switch (action)
    {
    case ACTION_READ:
      run_read (self, result);
      break;
    case ACTION_DISCARD:
    case ACTION_UNREF_READER:
      result->call = "av_packet_unref";
      result->args = g_strdup ("reader");
      av_packet_unref (self->reader);
      self->reader_full = FALSE;
      self->reader_pending = READER_IDLE;
      break;
    case ACTION_ENQUEUE:
      run_enqueue (self, stream, result);
      break;
    case ACTION_COPY_PROPS:
      result->call = "av_packet_copy_props";
      result->args = g_strdup_printf ("%s, reader", self->reader_target->packet_slots[self->reader_slot].id);
      result->ret = av_packet_copy_props (self->reader_target->packets[self->reader_slot], self->reader);
      if (result->ret < 0)
        note_error (result, self->reader_target, result->ret);
      self->reader_pending = READER_UNREF;
      break;
    case ACTION_DEQUEUE:
      run_dequeue (self, stream, result);
      break;
    case ACTION_FREE_SLOT:
      result->call = "av_packet_free";
      result->args = g_strdup (stream->packet_slots[stream->free_slot].id);
      av_packet_free (&stream->packets[stream->free_slot]);
      stream->free_slot = -1;
      break;
    case ACTION_SEND:
    case ACTION_SEND_FLUSH:
      run_send (self, stream, action == ACTION_SEND_FLUSH, result);
      break;
    case ACTION_UNREF_INPUT:
      result->call = "av_packet_unref";
      result->args = g_strdup (stream->input_handle.id);
      av_packet_unref (stream->input);
      stream->input_full = FALSE;
      stream->unref_input = FALSE;
      break;
    case ACTION_RECEIVE:
      run_receive (self, stream, result);
      break;
    case ACTION_QUEUE_FRAME:
      run_queue_frame (self, stream, result);
      break;
    case ACTION_NEXT_FRAME:
      run_next_frame (self, stream, result);
      break;
    case ACTION_DECODE_SUBTITLE:
      run_decode_subtitle (self, stream, result);
      break;
    case ACTION_FREE_SUBTITLE:
      result->call = "avsubtitle_free";
      result->args = g_strdup_printf ("%s", stream->subtitle_handle.id);
      avsubtitle_free (&stream->sub);
      stream->subtitle_full = FALSE;
      break;
    case ACTION_CLOSE:
    case ACTION_NONE:
    default:
      run_close (self, result);
      break;
    }
}

/* Every handle the session owns, in pipeline order, and the ends of its
 * queues' rings (appended to `rings`). */
static void
observe_handles (RsDecodeSession *self,
                 GArray          *rings)
{
  if (self->reader != NULL)
    rs_observer_add_packet (self->observer, &self->reader_handle, self->reader);
  for (guint i = 0; i < self->n_streams; i++)
    {
      Stream *stream = self->streams[i];
      int packet_tail = slot_index (stream->packet_head, stream->packet_count, self->settings.packet_queue);
      int frame_tail = slot_index (stream->frame_head, stream->frame_count, self->settings.frame_queue);

      /* The rings' real ends: an empty or a full ring's meet on one slot,
       * which the slots' contents alone cannot tell. */
      if (self->settings.packet_queue > 0)
        g_array_append_val (rings, ((RsRingEnds) { stream->packet_slots[0].group,
                                                   stream->packet_head, packet_tail }));
      if (self->settings.frame_queue > 0 && !stream->subtitle)
        g_array_append_val (rings, ((RsRingEnds) { stream->frame_slots[0].group,
                                                   stream->frame_head, frame_tail }));
      for (int k = 0; k < self->settings.packet_queue; k++)
        if (stream->packets[k] != NULL)
          rs_observer_add_packet (self->observer, &stream->packet_slots[k], stream->packets[k]);
      if (stream->input != NULL)
        rs_observer_add_packet (self->observer, &stream->input_handle, stream->input);
      if (stream->frame != NULL)
        rs_observer_add_frame (self->observer, &stream->frame_handle, stream->frame);
      /* The AVSubtitle lives only between decoding and avsubtitle_free,
       * like ffplay's local `AVSubtitle sub`. */
      if (stream->subtitle_full)
        rs_observer_add_subtitle (self->observer, &stream->subtitle_handle, &stream->sub);
      for (int k = 0; k < self->settings.frame_queue; k++)
        if (stream->frames[k] != NULL)
          {
            RsHandle slot = stream->frame_slots[k];

            slot.shown = stream->frame_count > 0 && k == stream->frame_head;
            rs_observer_add_frame (self->observer, &slot, stream->frames[k]);
          }
    }
}

/* One call; FALSE once the session has finished. */
static gboolean
run_step (RsDecodeSession *self,
          StepResult      *result)
{
  Stream *stream = NULL;
  Action action;

  *result = (StepResult) { NULL, NULL, 0, NULL, NULL };
  if (self->finished)
    return FALSE;

  action = _rs_decode_session_pick_action (self, &stream);
  if (action == ACTION_NONE)
    {
      /* Nothing can progress: the pipeline is drained (or stuck on a broken
       * file); close it. */
      start_closing (self);
      action = ACTION_CLOSE;
    }
  run_action (self, action, stream, result);
  return TRUE;
}

static RsSnapshot *
rs_decode_session_step (RsSession  *session,
                        GError    **error)
{
  RsDecodeSession *self = RS_DECODE_SESSION (session);
  StepResult result = { NULL, NULL, 0, NULL, NULL };
  g_autoptr(RsSnapshot) snapshot = NULL;
  g_autoptr(GPtrArray) log = NULL;
  g_autoptr(GArray) rings = g_array_new (FALSE, FALSE, sizeof (RsRingEnds));

  g_return_val_if_fail (self->observer != NULL, NULL);

  rs_observer_begin_step (self->observer, self->step);
  if (!run_step (self, &result))
    return NULL;

  if (result.error != NULL)
    rs_observer_add_event (self->observer, &(RsEvent) { .kind = RS_EVENT_ERROR, .message = result.error });
  log = rs_av_log_take ();
  for (guint i = 0; log != NULL && i < log->len; i++)
    rs_observer_add_event (self->observer, &(RsEvent) { .kind = RS_EVENT_WARNING,
                                                        .message = g_ptr_array_index (log, i) });
  observe_handles (self, rings);
  snapshot = rs_observer_finish_step (self->observer,
                                      &(RsStepInfo) { .step = self->step, .call = result.call,
                                                      .args = result.args, .ret = result.ret,
                                                      .exact = self->exact, .out = result.out,
                                                      .rings = (const RsRingEnds *) rings->data,
                                                      .n_rings = rings->len },
                                      self->finished);
  rs_history_append (self->history, snapshot);
  self->step++;
  g_free (result.args);
  g_free (result.error);

  return snapshot;
}

guint
rs_decode_session_run_unobserved (RsDecodeSession *self)
{
  StepResult result = { NULL, NULL, 0, NULL, NULL };
  guint steps = 0;

  g_return_val_if_fail (RS_IS_DECODE_SESSION (self), 0);
  g_return_val_if_fail (self->observer == NULL, 0);

  while (run_step (self, &result))
    {
      g_clear_pointer (&result.args, g_free);
      g_clear_pointer (&result.error, g_free);
      steps++;
    }
  return steps;
}

gboolean
rs_decode_session_is_exact (RsDecodeSession *self)
{
  g_return_val_if_fail (RS_IS_DECODE_SESSION (self), FALSE);
  return self->exact;
}

static gboolean
rs_decode_session_is_finished (RsSession *session)
{
  return RS_DECODE_SESSION (session)->finished;
}

static RsHistory *
rs_decode_session_get_history (RsSession *session)
{
  return RS_DECODE_SESSION (session)->history;
}

static const char *
rs_decode_session_get_name (RsSession *session)
{
  return RS_DECODE_SESSION (session)->name;
}

void
_rs_decode_session_iface_init (RsSessionInterface *iface)
{
  iface->step = rs_decode_session_step;
  iface->is_finished = rs_decode_session_is_finished;
  iface->get_history = rs_decode_session_get_history;
  iface->get_name = rs_decode_session_get_name;
}
