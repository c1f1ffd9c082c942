/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-preload-buffers.c: the buffers the recorder knows, the owner of every
 * reference it knows (a handle slot, a lost entry, a raw entry), and the
 * refcounts of live buffers, read without taking a reference (the parts
 * of libav holding them: rs-preload-holders.c).
 */
#include "rs-preload-state-private.h"

#include <stdlib.h>

/* Puts an entry for `ref` of `buf` at the head of `list`. Returns it
 * (owned by the list), or NULL when out of memory. */
static Held *
held_push (Held       **list,
           AVBufferRef *ref,
           Buf         *buf)
{
  Held *e = rs_alloc (sizeof *e);

  if (e == NULL)
    return NULL;
  e->ref = ref;
  e->buf = buf;
  e->next = *list;
  if (*list)
    (*list)->prev = e;
  *list = e;
  return e;
}

static void
held_remove (Held **list,
             Held  *e)
{
  if (e->prev) e->prev->next = e->next; else *list = e->next;
  if (e->next) e->next->prev = e->prev;
  free (e);
}

/* Removes the entries of `list` that refer to `buf`, a buffer that is gone. */
static void
held_forget_buf (Held **list,
                 Buf   *buf)
{
  for (Held *e = *list, *next; e != NULL; e = next)
    {
      next = e->next;
      if (e->buf == buf)
        {
          rs_map_remove (&rs_state.refs, (uintptr_t) e->ref);
          held_remove (list, e);
        }
    }
}

static Buf *
buf_new (uint64_t        id,
         RsRecBufferKind kind,
         bool            tracked,
         const char     *origin,
         const char     *part)
{
  Buf *buf = rs_alloc (sizeof *buf);
  Buf *after;

  if (buf == NULL)
    return NULL;
  if (!rs_map_insert (&rs_state.bufs, id, buf))
    {
      free (buf);
      rs_stop ();
      return NULL;
    }
  buf->id = id;
  buf->kind = kind;
  buf->kind_known = kind != RS_REC_BUFFER_KIND_OTHER;
  buf->tracked = tracked;
  buf->origin = origin;
  buf->born_part = part;
  buf->born_step = rs_state.n_steps;
  buf->born_site = rs_state.site;

  /* Ids come from one counter on several threads: nearly always the last. */
  for (after = rs_state.buf_last; after != NULL && after->id > id; after = after->prev)
    ;
  buf->prev = after;
  buf->next = after ? after->next : rs_state.buf_first;
  if (buf->next)
    buf->next->prev = buf;
  else
    rs_state.buf_last = buf;
  if (after)
    after->next = buf;
  else
    rs_state.buf_first = buf;
  return buf;
}

void
_rs_buf_remove (Buf *buf)
{
  /* Nothing may point at it any more: a handle, lost or raw reference to a
   * buffer that is gone was a stale belief. */
  if (buf->visible > 0)
    _rs_handle_forget_buf (buf);
  held_forget_buf (&rs_state.lost, buf);
  /* No raw entry refers to a buffer the program holds no raw reference to:
   * the list is long, the test is cheap. */
  if (buf->program_refs > 0)
    held_forget_buf (&rs_state.raw, buf);

  if (!buf->tracked)
    rs_map_remove (&rs_state.observed, (uintptr_t) buf->addr);
  rs_map_remove (&rs_state.bufs, buf->id);
  if (buf->prev) buf->prev->next = buf->next; else rs_state.buf_first = buf->next;
  if (buf->next) buf->next->prev = buf->prev; else rs_state.buf_last = buf->prev;
  if (buf->sent)
    _rs_push_id (&rs_state.removed_bufs, &rs_state.n_removed_bufs, &rs_state.capacity_removed_bufs, buf->id);
  free (buf);
}

/* Takes the tracker's news: wrappers born and freed since the last time. */
void
_rs_buf_drain_tracker (void)
{
  const RsTrackerEvent *events;
  size_t n;

  rs_tracker_lock ();
  events = rs_tracker_events (&n);
  for (size_t i = 0; i < n; i++)
    {
      const RsTrackerEvent *e = &events[i];
      Buf *buf = rs_map_lookup (&rs_state.bufs, e->id);

      if (e->kind == RS_TRACKER_ALLOCATED)
        {
          _rs_event_push (RS_REC_EVENT_ALLOCATED, e->id, 0, NULL);
          if (buf == NULL && (buf = buf_new (e->id, e->buf_kind, true, e->origin, e->holder)) != NULL)
            buf->size = e->size;
        }
      else
        {
          _rs_event_push (RS_REC_EVENT_FREED, e->id, 0, NULL);
          if (buf != NULL)
            _rs_buf_remove (buf);
        }
    }
  rs_tracker_clear_events ();
  rs_tracker_unlock ();
}

static RsRecBufferKind
slot_kind (RsSlot slot,
           bool   picture)
{
  switch (slot)
    {
    case RS_SLOT_PKT_BUF:
      return RS_REC_BUFFER_KIND_PACKET;
    case RS_SLOT_BUF:
    case RS_SLOT_EXTENDED:
      return picture ? RS_REC_BUFFER_KIND_PICTURE : RS_REC_BUFFER_KIND_AUDIO;
    default:
      return RS_REC_BUFFER_KIND_SIDE_DATA;
    }
}

/* The buffer a reference points at: ours, observed, or newly observed. */
Buf *
_rs_buf_for (AVBufferRef *ref,
             RsSlot       slot,
             bool         picture)
{
  AVBuffer *b = ref->buffer;
  uint64_t id;
  Buf *buf;

  rs_tracker_lock ();
  id = rs_tracker_find_id (b);
  rs_tracker_unlock ();

  if (id != 0)
    {
      buf = rs_map_lookup (&rs_state.bufs, id);
      if (buf == NULL)
        {
          _rs_buf_drain_tracker ();
          buf = rs_map_lookup (&rs_state.bufs, id);
        }
      if (buf == NULL)
        buf = buf_new (id, slot_kind (slot, picture), true, _rs_call_origin (), NULL);
    }
  else if ((buf = rs_map_lookup (&rs_state.observed, (uintptr_t) b)) == NULL)
    {
      /* Born inside libav (side data of a decoded frame): the part that
       * made it may keep references. */
      buf = buf_new (rs_buffer_id_next (), slot_kind (slot, picture), false, _rs_call_origin (),
                     rs_state.call ? rs_state.call->holder : NULL);
      if (buf == NULL)
        return NULL;
      buf->addr = b;
      buf->size = ref->size;
      if (!rs_map_insert (&rs_state.observed, (uintptr_t) b, buf))
        {
          rs_stop ();
          return buf;
        }
      _rs_event_push (RS_REC_EVENT_OBSERVED, buf->id, 0, NULL);
    }

  if (buf != NULL && !buf->kind_known && slot != RS_SLOT_N)
    {
      buf->kind = slot_kind (slot, picture);
      buf->kind_known = true;
    }
  return buf;
}

/* When `owner` (of a reference, in rs_state.refs) is a lost or a raw
 * entry, takes it off its list and its buffer's count; false when it is a
 * handle. */
static bool
drop_held_owner (void *owner)
{
  Held *e = OWNER_PTR (owner);

  switch (OWNER_TAG (owner))
    {
    case OWNER_LOST:
      e->buf->lost--;
      held_remove (&rs_state.lost, e);
      return true;
    case OWNER_RAW:
      e->buf->program_refs--;
      held_remove (&rs_state.raw, e);
      return true;
    default:
      return false;
    }
}

/* `ref` was released (unreffed, or its holder freed it). */
void
_rs_ref_forget (AVBufferRef *ref)
{
  void *owner = rs_map_remove (&rs_state.refs, (uintptr_t) ref);

  if (owner != NULL)
    drop_held_owner (owner);
}

/* `ref` now belongs to handle `h`: whoever held it before does not. */
void
_rs_ref_claim (RsHandle    *h,
               AVBufferRef *ref)
{
  void *owner = rs_map_lookup (&rs_state.refs, (uintptr_t) ref);

  if (owner != NULL && owner != (void *) h && !drop_held_owner (owner))
    {
      RsHandle *other = owner;

      for (size_t i = 0; i < other->n_refs; i++)
        if (other->refs[i].ref == ref)
          {
            _rs_handle_drop_ref (other, i);
            break;
          }
      if (!other->allocated && other->n_refs == 0 && other->busy == 0)
        _rs_handle_remove (other, false);
    }
  if (!rs_map_insert (&rs_state.refs, (uintptr_t) ref, h))
    rs_stop ();
}

/* A call dropped `r` (held by `h`) without an unref: the reference is
 * leaked, so it stays valid and keeps the buffer alive. */
void
_rs_ref_lose (RsHandle  *h,
              const Ref *r)
{
  Held *l = held_push (&rs_state.lost, r->ref, r->buf);

  if (l == NULL)
    return;
  r->buf->lost++;
  r->buf->lost_step = rs_state.n_steps;
  if (!rs_map_insert (&rs_state.refs, (uintptr_t) r->ref, (void *) ((uintptr_t) l | OWNER_LOST)))
    rs_stop ();
  _rs_event_push (RS_REC_EVENT_LOST, r->buf->id, h->id, NULL);
}

/* The program got `ref` from an av_buffer_* call, in a variable of its own.
 * Only references to our wrappers are counted: others are never read. */
void
_rs_ref_raw (AVBufferRef *ref)
{
  Held *r;
  Buf *buf;

  if (ref == NULL)
    return;
  buf = _rs_buf_for (ref, RS_SLOT_N, false);
  if (buf == NULL || !buf->tracked)
    return;
  if ((r = held_push (&rs_state.raw, ref, buf)) == NULL)
    return;
  buf->program_refs++;
  if (!rs_map_insert (&rs_state.refs, (uintptr_t) ref, (void *) ((uintptr_t) r | OWNER_RAW)))
    rs_stop ();
}

static void
update_tracked (uint64_t id,
                int      refcount,
                bool     writable,
                void    *data)
{
  Buf *buf = rs_map_lookup (&rs_state.bufs, id);

  if (buf == NULL)
    return;
  /* 0: the last holder is letting go on another thread right now. */
  buf->refcount = refcount > 0 ? refcount : 1;
  buf->writable = writable;
}

static void
read_observed (Buf         *buf,
               AVBufferRef *ref)
{
  buf->refcount = av_buffer_get_ref_count (ref);
  buf->writable = av_buffer_is_writable (ref);
  buf->read = true;
}

/* Whether slot `r` of an allocated handle still holds what we believe
 * (its struct is alive until av_*_free; fields off the struct are not
 * checked). */
static bool
still_holds (const RsHandle *h,
             const Ref      *r)
{
  if (h->kind == RS_HANDLE_PACKET)
    {
      const AVPacket *p = h->ptr;

      return r->slot == RS_SLOT_PKT_BUF ? p->buf == r->ref : p->opaque_ref == r->ref;
    }
  else
    {
      const AVFrame *f = h->ptr;

      switch (r->slot)
        {
        case RS_SLOT_BUF:       return r->index < AV_NUM_DATA_POINTERS && f->buf[r->index] == r->ref;
        case RS_SLOT_HW_FRAMES: return f->hw_frames_ctx == r->ref;
        case RS_SLOT_OPAQUE:    return f->opaque_ref == r->ref;
        case RS_SLOT_PRIVATE:   return f->private_ref == r->ref;
        default:                return true;
        }
    }
}

void
_rs_buf_refresh (void)
{
  _rs_buf_drain_tracker ();
  rs_tracker_lock ();
  rs_tracker_foreach (update_tracked, NULL);
  rs_tracker_unlock ();

  for (Buf *b = rs_state.buf_first; b != NULL; b = b->next)
    b->read = b->tracked;
  for (Held *l = rs_state.lost; l != NULL; l = l->next)
    if (!l->buf->read)
      read_observed (l->buf, l->ref);
  for (RsHandle *h = rs_state.first; h != NULL; h = h->next)
    {
      /* Never through a handle a call is changing, nor, at exit, through a
       * struct that may be a dead stack frame. */
      if (h->busy > 0 || (rs_state.exiting && !h->allocated))
        continue;
      for (size_t i = 0; i < h->n_refs; i++)
        if (!h->refs[i].buf->read && (!h->allocated || still_holds (h, &h->refs[i])))
          read_observed (h->refs[i].buf, h->refs[i].ref);
    }

  /* Observed buffers nobody holds any more leave view. */
  for (Buf *b = rs_state.buf_first, *next; b != NULL; b = next)
    {
      next = b->next;
      if (!b->tracked && b->visible == 0 && b->lost == 0)
        {
          _rs_event_push (RS_REC_EVENT_UNOBSERVED, b->id, 0, NULL);
          _rs_buf_remove (b);
        }
    }
}
