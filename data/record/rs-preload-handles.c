/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-preload-handles.c: handles (the AVPackets and AVFrames of the
 * program) and what they hold, read only when the program hands them to a
 * call.
 */
#include "rs-preload-state-private.h"

#include <stdlib.h>
#include <string.h>

#include <libavutil/pixdesc.h>

const Fields _rs_default_fields = {
  .stream = -1, .pts = RS_REC_NO_TIMESTAMP, .dts = RS_REC_NO_TIMESTAMP,
};

/* Removes slot `i` of `h` from our belief, without deciding its fate. */
void
_rs_handle_drop_ref (RsHandle *h,
                     size_t    i)
{
  h->refs[i].buf->visible--;
  memmove (&h->refs[i], &h->refs[i + 1], (h->n_refs - i - 1) * sizeof *h->refs);
  h->n_refs--;
  h->dirty = true;
}

RsHandle *
_rs_handle_new (void        *ptr,
                RsHandleKind kind,
                bool         allocated)
{
  RsHandle *h = rs_alloc (sizeof *h);

  if (h == NULL)
    return NULL;
  if (!rs_map_insert (&rs_state.handles, (uintptr_t) ptr, h))
    {
      free (h);
      rs_stop ();
      return NULL;
    }
  h->id = ++rs_state.last_handle_id;
  h->ptr = ptr;
  h->kind = kind;
  h->allocated = allocated;
  h->born_step = rs_state.n_steps;
  h->born_site = rs_state.site;
  h->born_call = rs_state.call ? rs_state.call->id : RS_CALL_exit;
  h->cur = _rs_default_fields;
  h->dirty = true;
  h->prev = rs_state.last;
  if (rs_state.last)
    rs_state.last->next = h;
  else
    rs_state.first = h;
  rs_state.last = h;
  return h;
}

/* Ends a handle: its references are released, or lost when its struct went
 * away without an unref. */
void
_rs_handle_remove (RsHandle *h,
                   bool      lose_refs)
{
  for (size_t i = 0; i < h->n_refs; i++)
    {
      Ref *r = &h->refs[i];

      r->buf->visible--;
      rs_map_remove (&rs_state.refs, (uintptr_t) r->ref);
      if (lose_refs)
        _rs_ref_lose (h, r);
    }
  rs_map_remove (&rs_state.handles, (uintptr_t) h->ptr);
  if (h->prev) h->prev->next = h->next; else rs_state.first = h->next;
  if (h->next) h->next->prev = h->prev; else rs_state.last = h->prev;
  if (h->sent)
    _rs_push_id (&rs_state.removed_handles, &rs_state.n_removed_handles, &rs_state.capacity_removed_handles, h->id);
  free (h->refs);
  free (h->was_refs);
  free (h);
}

void
_rs_handle_forget_buf (Buf *buf)
{
  for (RsHandle *h = rs_state.first; h != NULL && buf->visible > 0; h = h->next)
    for (size_t i = h->n_refs; i-- > 0;)
      if (h->refs[i].buf == buf)
        {
          rs_map_remove (&rs_state.refs, (uintptr_t) h->refs[i].ref);
          _rs_handle_drop_ref (h, i);
        }
}

static bool
reading_add (Reading     *reading,
             AVBufferRef *ref,
             RsSlot       slot,
             int          index)
{
  Ref *refs;

  if (ref == NULL)
    return true;
  refs = rs_grow (reading->refs, &reading->capacity, reading->n_refs + 1, sizeof *refs);
  if (refs == NULL)
    return false;
  reading->refs = refs;
  refs[reading->n_refs++] = (Ref) { .ref = ref, .slot = slot, .index = index };
  return true;
}

/* Reads a packet or frame the program holds valid right now. */
void
_rs_handle_read (void        *ptr,
                 RsHandleKind kind,
                 Reading     *reading)
{
  Fields *f = &reading->fields;

  reading->n_refs = 0;
  *f = _rs_default_fields;
  if (kind == RS_HANDLE_PACKET)
    {
      const AVPacket *p = ptr;

      f->stream = p->stream_index;
      f->pts = p->pts;
      f->dts = p->dts;
      f->size = p->size;
      f->key = (p->flags & AV_PKT_FLAG_KEY) != 0;
      reading_add (reading, p->buf, RS_SLOT_PKT_BUF, 0);
      reading_add (reading, p->opaque_ref, RS_SLOT_PKT_OPAQUE, 0);
      return;
    }

  {
    const AVFrame *fr = ptr;

    f->pts = fr->pts;
    f->dts = fr->pkt_dts;
    f->key = fr->key_frame != 0;
    f->pict_type = fr->pict_type != AV_PICTURE_TYPE_NONE ? av_get_picture_type_char (fr->pict_type) : 0;
    f->width = fr->width;
    f->height = fr->height;
    f->nb_samples = fr->nb_samples;
    f->sample_rate = fr->sample_rate;
    if (fr->format >= 0 && fr->width > 0)
      f->format = av_get_pix_fmt_name (fr->format);
    else if (fr->format >= 0 && fr->nb_samples > 0)
      f->format = av_get_sample_fmt_name (fr->format);

    for (int i = 0; i < AV_NUM_DATA_POINTERS; i++)
      reading_add (reading, fr->buf[i], RS_SLOT_BUF, i);
    if (fr->extended_buf != NULL)
      for (int i = 0; i < fr->nb_extended_buf && i < 4096; i++)
        reading_add (reading, fr->extended_buf[i], RS_SLOT_EXTENDED, i);
    if (fr->side_data != NULL)
      for (int i = 0; i < fr->nb_side_data && i < 4096; i++)
        if (fr->side_data[i] != NULL)
          reading_add (reading, fr->side_data[i]->buf, RS_SLOT_SIDE_DATA, i);
    reading_add (reading, fr->hw_frames_ctx, RS_SLOT_HW_FRAMES, 0);
    reading_add (reading, fr->opaque_ref, RS_SLOT_OPAQUE, 0);
    reading_add (reading, fr->private_ref, RS_SLOT_PRIVATE, 0);
  }
}

bool
_rs_reading_has (const Reading *reading,
                 AVBufferRef   *ref)
{
  for (size_t i = 0; i < reading->n_refs; i++)
    if (reading->refs[i].ref == ref)
      return true;
  return false;
}

static bool
fields_equal (const Fields *a,
              const Fields *b)
{
  return a->stream == b->stream && a->pts == b->pts && a->dts == b->dts &&
         a->size == b->size && a->key == b->key && a->pict_type == b->pict_type &&
         a->format == b->format && a->width == b->width && a->height == b->height &&
         a->nb_samples == b->nb_samples && a->sample_rate == b->sample_rate;
}

/* Makes `h` hold what `reading` says; references it no longer holds must
 * have been dealt with by the caller. Returns false when it holds none. */
void
_rs_handle_set (RsHandle *h,
                Reading  *reading)
{
  Ref *refs;
  bool picture = reading->fields.width > 0;

  /* Resolve the buffers first: a claim may change h->refs. */
  for (size_t i = 0; i < reading->n_refs; i++)
    {
      Ref *r = &reading->refs[i];

      r->buf = _rs_buf_for (r->ref, r->slot, picture);
      if (r->buf == NULL)
        {
          reading->n_refs = i;
          break;
        }
    }
  for (size_t i = 0; i < h->n_refs; i++)
    h->refs[i].buf->visible--;
  for (size_t i = 0; i < reading->n_refs; i++)
    {
      _rs_ref_claim (h, reading->refs[i].ref);
      reading->refs[i].buf->visible++;
    }

  refs = rs_grow (h->refs, &h->capacity_refs, reading->n_refs, sizeof *refs);
  if (refs == NULL)
    {
      for (size_t i = 0; i < reading->n_refs; i++)
        reading->refs[i].buf->visible--;
      h->n_refs = 0;
      return;
    }
  h->refs = refs;
  if (reading->n_refs > 0)
    memcpy (h->refs, reading->refs, reading->n_refs * sizeof *refs);
  h->n_refs = reading->n_refs;
  if (!fields_equal (&h->cur, &reading->fields))
    h->cur = reading->fields;
  h->dirty = true;
}

/* Reads a handle the program holds valid now, before the call: claims its
 * references; ones we believed it held and it does not were let go. */
RsHandle *
_rs_handle_claim_before (RsArg *arg)
{
  Reading *reading = &rs_state.readings[RS_MAX_ARGS];
  RsHandle *h = rs_map_lookup (&rs_state.handles, (uintptr_t) arg->ptr);
  int stream;

  _rs_handle_read (arg->ptr, arg->kind, reading);
  if (h == NULL)
    {
      if (reading->n_refs == 0)
        return NULL;
      if ((h = _rs_handle_new (arg->ptr, arg->kind, false)) == NULL)
        return NULL;
    }
  stream = h->cur.stream;
  for (size_t i = h->n_refs; i-- > 0;)
    if (!_rs_reading_has (reading, h->refs[i].ref))
      {
        rs_map_remove (&rs_state.refs, (uintptr_t) h->refs[i].ref);
        _rs_handle_drop_ref (h, i);
      }
  if (arg->kind == RS_HANDLE_FRAME)
    reading->fields.stream = reading->n_refs > 0 ? stream : -1;
  _rs_handle_set (h, reading);
  return h;
}
