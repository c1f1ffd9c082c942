/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-preload-step.c: the step a call makes. Before the call its packet
 * and frame arguments are claimed and marked busy (another thread's step
 * then keeps their last state); after it they are read again, what they
 * dropped is sorted into moved, released and lost, and the step is written.
 */
#include "rs-preload-state-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/error.h>

RsState rs_state;

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;

void
rs_state_lock (void)
{
  pthread_mutex_lock (&state_lock);
}

void
rs_state_unlock (void)
{
  pthread_mutex_unlock (&state_lock);
}

void
rs_state_atfork_prepare (void)
{
  rs_state_lock ();
  rs_tracker_atfork_prepare ();
}

void
rs_state_atfork_parent (void)
{
  rs_tracker_atfork_release ();
  rs_state_unlock ();
}

void
rs_state_atfork_child (void)
{
  rs_tracker_atfork_release ();
  rs_state_unlock ();
}

void
_rs_event_push (RsRecEventKind kind,
                uint64_t       buffer,
                uint64_t       handle,
                const char    *message)
{
  Event *events = rs_grow (rs_state.events, &rs_state.capacity_events, rs_state.n_events + 1, sizeof *events);

  if (events == NULL)
    return;
  rs_state.events = events;
  rs_state.events[rs_state.n_events++] = (Event) { kind, buffer, handle, message ? rs_strdup (message) : NULL };
}

void
_rs_push_id (uint64_t **array,
             size_t    *n,
             size_t    *capacity,
             uint64_t   id)
{
  uint64_t *grown = rs_grow (*array, capacity, *n + 1, sizeof *grown);

  if (grown == NULL)
    return;
  *array = grown;
  grown[(*n)++] = id;
}

const char *
_rs_call_origin (void)
{
  if (rs_state.call == NULL)
    return "exit";
  return rs_state.call->origin ? rs_state.call->origin : rs_call_name (rs_state.call->id);
}

void
rs_state_enter (RsCall *call)
{
  rs_state.call = call;
  rs_state.site = rs_module_site (call->caller);

  /* av_buffer_* on a slot of a handle: the handle is an argument. */
  if (call->slot != NULL)
    {
      void *owner = call->slot_before ? rs_map_lookup (&rs_state.refs, (uintptr_t) call->slot_before) : NULL;
      RsHandle *h = NULL;

      if (owner != NULL && OWNER_TAG (owner) == 0)
        h = owner;
      else if (call->slot_before == NULL)
        for (RsHandle *i = rs_state.first; i != NULL && h == NULL; i = i->next)
          {
            size_t size = i->kind == RS_HANDLE_PACKET ? sizeof (AVPacket) : sizeof (AVFrame);

            if ((uintptr_t) call->slot >= (uintptr_t) i->ptr &&
                (uintptr_t) call->slot < (uintptr_t) i->ptr + size)
              h = i;
          }
      if (h != NULL)
        rs_call_add (call, h->ptr, h->kind, RS_ARG_VALID, 0);
    }

  for (int i = 0; i < call->n_args; i++)
    {
      RsArg *arg = &call->args[i];

      RsHandle *h = (arg->flags & RS_ARG_VALID) ? _rs_handle_claim_before (arg)
                                                : rs_map_lookup (&rs_state.handles, (uintptr_t) arg->ptr);

      arg->busy = h;
      if (h == NULL)
        continue;
      h->busy++;
      /* Another thread's step may see the part take references first. */
      if (call->given_to != NULL)
        for (size_t j = 0; j < h->n_refs; j++)
          _rs_buf_giving (h->refs[j].buf, call->given_to);
    }
  rs_state.call = NULL;
}

/* Wraps the fresh buffers of the call's output: refcount 1, neither ours
 * nor a buffer some handle is known to hold. */
static void
wrap_out (RsCall *call,
          RsArg  *arg)
{
  const char *origin = call->origin ? call->origin : rs_call_name (call->id);

  if (arg->kind == RS_HANDLE_PACKET)
    {
      AVPacket *p = arg->ptr;

      if (p->buf != NULL && rs_map_lookup (&rs_state.observed, (uintptr_t) p->buf->buffer) == NULL)
        rs_wrap_packet (p, origin, call->holder);
    }
  else
    {
      AVFrame *f = arg->ptr;
      bool known = false;

      for (int i = 0; i < AV_NUM_DATA_POINTERS; i++)
        if (f->buf[i] != NULL && rs_map_lookup (&rs_state.observed, (uintptr_t) f->buf[i]->buffer) != NULL)
          known = true;
      if (!known)
        rs_wrap_frame (f, origin, call->holder);
    }
}

/* Before anything else in leave: the args are ours again. A busy handle is
 * never removed by another thread's step, so it is still there. */
static void
unbusy (RsCall *call)
{
  for (int i = 0; i < call->n_args; i++)
    {
      RsArg *arg = &call->args[i];

      if (arg->busy != NULL && rs_map_lookup (&rs_state.handles, (uintptr_t) arg->ptr) == arg->busy)
        arg->busy->busy--;
      arg->busy = NULL;
    }
}

void
rs_state_leave (RsCall *call)
{
  int src_stream = -1;
  uint64_t out = 0;

  unbusy (call);
  if (!rs_recording ())
    return;

  rs_state.call = call;
  rs_state.site = rs_module_site (call->caller);
  /* Wrappers freed during the call go first, so no reading below can
   * resolve to a buffer that is about to be removed. */
  _rs_buf_drain_tracker ();

  switch (call->id)
    {
    case RS_CALL_avcodec_open2:
      if (rs_codec_opened (call->avctx, call->ret))
        {
          _rs_async_part_open (rs_codec_holder (call->avctx));
          _rs_event_push (RS_REC_EVENT_WARNING, 0, 0,
                      "the decoder runs frame threads: its threads change counts while steps are recorded");
        }
      break;
    case RS_CALL_avcodec_free_context:
      if (call->avctx != NULL && rs_codec_freed (call->avctx))
        _rs_async_part_close (call->holder);
      break;
    case RS_CALL_avcodec_close:
      if (call->avctx != NULL && rs_codec_closed (call->avctx))
        _rs_async_part_close (call->holder);
      break;
    default:
      break;
    }

  /* Buffers the call made, wrapped before the program can see them. */
  if (call->wrap == RS_WRAP_OUT && call->ret >= 0)
    for (int i = 0; i < call->n_args; i++)
      if (call->args[i].flags & RS_ARG_OUT)
        wrap_out (call, &call->args[i]);

  /* A handle the call allocated: one at the same address is a struct freed
   * behind our back (its references are lost with it). */
  if (call->created != NULL)
    {
      RsHandle *stale = rs_map_lookup (&rs_state.handles, (uintptr_t) call->created);
      RsArg created = { .ptr = call->created, .kind = call->created_kind, .flags = RS_ARG_OUT };

      if (stale != NULL && stale->busy == 0)
        _rs_handle_remove (stale, true);
      if (rs_map_lookup (&rs_state.handles, (uintptr_t) call->created) == NULL)
        _rs_handle_new (call->created, call->created_kind, true);
      if (call->wrap == RS_WRAP_OUT)
        wrap_out (call, &created);
      rs_call_add (call, call->created, call->created_kind, RS_ARG_OUT, 0);
    }

  /* Where the args' buffers go, for the holder of their hidden refs. */
  for (int i = 0; i < call->n_args; i++)
    {
      RsHandle *h = rs_map_lookup (&rs_state.handles, (uintptr_t) call->args[i].ptr);

      call->args[i].handle = h;
      if (h == NULL)
        continue;
      if (call->given_to != NULL)
        for (size_t j = 0; j < h->n_refs; j++)
          _rs_buf_given (h->refs[j].buf);
      if (h->kind == RS_HANDLE_FRAME && !(call->args[i].flags & RS_ARG_OUT))
        src_stream = h->cur.stream;
    }

  /* What each arg holds now. */
  for (int i = 0; i < call->n_args; i++)
    if (!(call->args[i].flags & RS_ARG_FREED))
      _rs_handle_read (call->args[i].ptr, call->args[i].kind, &rs_state.readings[i]);
    else
      rs_state.readings[i].n_refs = 0;

  /* References an arg held and holds no more: moved to another arg (the
   * other arg claims them below), dropped without an unref (lost), or
   * released. */
  for (int i = 0; i < call->n_args; i++)
    {
      RsArg *arg = &call->args[i];
      RsHandle *h = arg->handle;

      if (h == NULL)
        continue;
      for (size_t j = h->n_refs; j-- > 0;)
        {
          Ref r = h->refs[j];
          bool moved = false;

          if (_rs_reading_has (&rs_state.readings[i], r.ref))
            continue;
          for (int k = 0; k < call->n_args; k++)
            if (k != i && _rs_reading_has (&rs_state.readings[k], r.ref))
              moved = true;
          if (moved)
            continue;
          _rs_handle_drop_ref (h, j);
          rs_map_remove (&rs_state.refs, (uintptr_t) r.ref);
          if (!(arg->flags & RS_ARG_FREED) && (arg->lose_mask & RS_LOSE (r.slot)))
            _rs_ref_lose (h, &r);
        }
    }

  for (int i = 0; i < call->n_args; i++)
    {
      RsArg *arg = &call->args[i];
      Reading *reading = &rs_state.readings[i];
      RsHandle *h = rs_map_lookup (&rs_state.handles, (uintptr_t) arg->ptr);

      arg->handle = NULL;
      if (arg->flags & RS_ARG_FREED)
        {
          if (h != NULL)
            _rs_handle_remove (h, false);
          continue;
        }
      if (h == NULL && reading->n_refs == 0)
        continue;
      if (h == NULL && (h = _rs_handle_new (arg->ptr, arg->kind, false)) == NULL)
        continue;

      if (arg->kind == RS_HANDLE_FRAME)
        {
          int stream = h->cur.stream;

          if (arg->flags & RS_ARG_OUT)
            {
              if (call->id == RS_CALL_avcodec_receive_frame)
                stream = rs_codec_stream (call->avctx);
              else if (call->id == RS_CALL_av_frame_ref || call->id == RS_CALL_av_frame_move_ref ||
                       call->id == RS_CALL_av_frame_clone)
                stream = src_stream;
            }
          reading->fields.stream = reading->n_refs > 0 ? stream : -1;
        }
      _rs_handle_set (h, reading);

      if (!h->allocated && h->n_refs == 0 && h->busy == 0)
        {
          _rs_handle_remove (h, false);
          continue;
        }
      if ((arg->flags & RS_ARG_OUT) && call->ret >= 0 && out == 0)
        out = h->id;
    }

  /* av_buffer_*: references handed to or taken from the program. */
  if (call->slot != NULL)
    {
      AVBufferRef *now = *call->slot;

      if (call->slot_before != NULL && call->slot_before != now)
        _rs_ref_forget (call->slot_before);
      if (now != NULL && now != call->slot_before &&
          rs_map_lookup (&rs_state.refs, (uintptr_t) now) == NULL)
        _rs_ref_raw (now);
    }
  if (call->raw_result != NULL)
    _rs_ref_raw (call->raw_result);

  if (call->message != NULL)
    _rs_event_push (RS_REC_EVENT_WARNING, 0, 0, call->message);
  if (call->ret < 0 && call->ret != AVERROR (EAGAIN) && call->ret != AVERROR_EOF)
    {
      char message[AV_ERROR_MAX_STRING_SIZE];

      av_strerror (call->ret, message, sizeof message);
      _rs_event_push (RS_REC_EVENT_ERROR, 0, 0, message);
    }

  _rs_step_write (call->id, call->ret, out);
  rs_state.call = NULL;
}

void
rs_state_exit (int status)
{
  rs_state.call = NULL;
  rs_state.site = (RsSite) { 0, 0 };
  rs_state.exiting = true;
  _rs_step_write (RS_CALL_exit, status, 0);
  if (rs_recording ())
    rs_writer_end_file (rs_state.n_steps);
  rs_writer_close ();
}
