/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-preload-state.c: what the recorder knows between calls, and the step
 * each call makes of it.
 *
 * Handles are the AVPackets/AVFrames the program allocated (av_*_alloc,
 * clone) or passed to a call. Their fields and references are read only
 * after a call that takes them (and before, when the call needs a valid
 * packet/frame anyway): between calls a stack packet may be dead memory.
 * The program changes a handle's references only through libav calls, so
 * the last state read stays true.
 *
 * Every AVBufferRef* we know has one owner in `refs`: the handle slot that
 * holds it, a lost entry (a call overwrote the slot without an unref: the
 * reference is leaked, so its memory stays valid and keeps the buffer
 * alive), or a raw entry (the program got it from an av_buffer_* call and
 * keeps it in a variable of its own). A reference seen in a second handle
 * (a struct copy) moves there: only one of them may unref it.
 *
 * Buffers are tracked (our wrappers: lifetime and refcount known through
 * the tracker) or observed (anything else a handle holds: identified by
 * the AVBuffer address for as long as some handle or lost reference holds
 * it, a new id after a gap; refcount read through such a reference).
 * Reading never takes a reference.
 *
 * All of it is under the state lock.
 */
#include "rs-preload-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/error.h>
#include <libavutil/pixdesc.h>

typedef struct _Buf Buf;
typedef struct _Lost Lost;
typedef struct _Raw Raw;

typedef struct {
  int         stream;
  int64_t     pts;
  int64_t     dts;
  int         size;
  bool        key;
  char        pict_type;
  const char *format;
  int         width;
  int         height;
  int         nb_samples;
  int         sample_rate;
} Fields;

static const Fields default_fields = {
  .stream = -1, .pts = RS_REC_NO_TIMESTAMP, .dts = RS_REC_NO_TIMESTAMP,
};

typedef struct {
  AVBufferRef *ref;
  Buf         *buf;
  uint8_t      slot;   /* RsSlot */
  uint16_t     index;
} Ref;

typedef struct {
  uint32_t field;
  uint64_t buffer;
} SentRef;

struct _RsHandle {
  uint64_t   id;
  void      *ptr;
  uint8_t    kind;
  bool       allocated;
  bool       sent;       /* the reader knows it */
  bool       dirty;
  int        busy;       /* calls in progress that take it */
  uint32_t   born_step;
  RsSite     born_site;
  RsCallId   born_call;
  Fields     cur;
  Fields     was;        /* as last written */
  Ref       *refs;
  size_t     n_refs;
  size_t     capacity_refs;
  SentRef   *was_refs;
  size_t     n_was_refs;
  size_t     capacity_was_refs;
  RsHandle  *prev;
  RsHandle  *next;
};

struct _Buf {
  uint64_t     id;
  uint8_t      kind;
  bool         tracked;
  bool         sent;
  bool         kind_known;
  bool         read;       /* refcount read in this refresh */
  const char  *origin;
  const char  *hint;       /* the libav part it was last given to */
  uint32_t     born_step;
  RsSite       born_site;
  AVBuffer    *addr;       /* observed: its AVBuffer */
  size_t       size;
  int          refcount;
  int          visible;    /* handle slots holding it */
  int          lost;
  int          program_refs;
  bool         writable;
  struct {
    uint8_t     kind;
    size_t      size;
    int         refcount;
    int         lost;
    int         program_refs;
    bool        writable;
    const char *holder;
  } was;
  Buf         *prev;
  Buf         *next;
};

struct _Lost {
  Lost        *prev;
  Lost        *next;
  AVBufferRef *ref;
  Buf         *buf;
};

struct _Raw {
  Raw         *prev;
  Raw         *next;
  AVBufferRef *ref;
  Buf         *buf;
};

typedef struct {
  uint8_t   kind;
  uint64_t  buffer;
  uint64_t  handle;
  char     *message;
} Event;

/* Owners in `refs`: a RsHandle*, or a tagged Lost* / Raw*. */
#define OWNER_LOST 1
#define OWNER_RAW  2
#define OWNER_TAG(p)   ((uintptr_t) (p) & 3)
#define OWNER_PTR(p)   ((void *) ((uintptr_t) (p) & ~(uintptr_t) 3))

/* What a call's argument held after the call. */
typedef struct {
  Fields  fields;
  Ref    *refs;
  size_t  n_refs;
  size_t  capacity;
} Reading;

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;

static struct {
  uint32_t   n_steps;
  uint64_t   last_handle_id;
  RsMap      handles;    /* ptr -> RsHandle* */
  RsHandle  *first;      /* live handles by id */
  RsHandle  *last;
  RsMap      bufs;       /* id -> Buf* */
  Buf       *buf_first;  /* live buffers by id */
  Buf       *buf_last;
  RsMap      observed;   /* AVBuffer* -> Buf*, observed only */
  RsMap      refs;       /* AVBufferRef* -> owner */
  Lost      *lost;
  Raw       *raw;
  uint64_t  *removed_handles;
  size_t     n_removed_handles;
  size_t     capacity_removed_handles;
  uint64_t  *removed_bufs;
  size_t     n_removed_bufs;
  size_t     capacity_removed_bufs;
  Event     *events;
  size_t     n_events;
  size_t     capacity_events;
  int        n_frame_threaded;
  RsCall    *call;       /* the call being recorded */
  RsSite     site;       /* its site */
  bool       exiting;
  Reading    readings[RS_MAX_ARGS + 1];
  void      *scratch;    /* encoder's list of handles or buffers to write */
  size_t     capacity_scratch;
  uint32_t   field_ids[RS_SLOT_N][16];
} st;

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

bool
rs_state_init (void)
{
  return true;
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

/* ------------------------------------------------------------------ */
/* Events and lists. */

static void
push_event (RsRecEventKind kind,
            uint64_t       buffer,
            uint64_t       handle,
            const char    *message)
{
  Event *events = rs_grow (st.events, &st.capacity_events, st.n_events + 1, sizeof *events);

  if (events == NULL)
    return;
  st.events = events;
  st.events[st.n_events++] = (Event) { kind, buffer, handle, message ? rs_strdup (message) : NULL };
}

static void
push_id (uint64_t **array,
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

static const char *
call_origin (void)
{
  if (st.call == NULL)
    return "exit";
  return st.call->origin ? st.call->origin : rs_call_name (st.call->id);
}

/* ------------------------------------------------------------------ */
/* Buffers. */

static Buf *
buf_new (uint64_t        id,
         RsRecBufferKind kind,
         bool            tracked,
         const char     *origin,
         const char     *hint)
{
  Buf *buf = rs_alloc (sizeof *buf);
  Buf *after;

  if (buf == NULL)
    return NULL;
  if (!rs_map_insert (&st.bufs, id, buf))
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
  buf->hint = hint;
  buf->born_step = st.n_steps;
  buf->born_site = st.site;

  /* Ids come from one counter on several threads: nearly always the last. */
  for (after = st.buf_last; after != NULL && after->id > id; after = after->prev)
    ;
  buf->prev = after;
  buf->next = after ? after->next : st.buf_first;
  if (buf->next)
    buf->next->prev = buf;
  else
    st.buf_last = buf;
  if (after)
    after->next = buf;
  else
    st.buf_first = buf;
  return buf;
}

static void handle_forget_buf (Buf *buf);

static void
buf_remove (Buf *buf)
{
  /* Nothing may point at it any more: a handle, lost or raw reference to a
   * buffer that is gone was a stale belief. */
  if (buf->visible > 0)
    handle_forget_buf (buf);
  for (Lost *l = st.lost, *next; l != NULL; l = next)
    {
      next = l->next;
      if (l->buf == buf)
        {
          rs_map_remove (&st.refs, (uintptr_t) l->ref);
          if (l->prev) l->prev->next = l->next; else st.lost = l->next;
          if (l->next) l->next->prev = l->prev;
          free (l);
        }
    }
  for (Raw *r = st.raw, *next; r != NULL && buf->program_refs > 0; r = next)
    {
      next = r->next;
      if (r->buf == buf)
        {
          rs_map_remove (&st.refs, (uintptr_t) r->ref);
          if (r->prev) r->prev->next = r->next; else st.raw = r->next;
          if (r->next) r->next->prev = r->prev;
          free (r);
        }
    }

  if (!buf->tracked)
    rs_map_remove (&st.observed, (uintptr_t) buf->addr);
  rs_map_remove (&st.bufs, buf->id);
  if (buf->prev) buf->prev->next = buf->next; else st.buf_first = buf->next;
  if (buf->next) buf->next->prev = buf->prev; else st.buf_last = buf->prev;
  if (buf->sent)
    push_id (&st.removed_bufs, &st.n_removed_bufs, &st.capacity_removed_bufs, buf->id);
  free (buf);
}

/* Takes the tracker's news: wrappers born and freed since the last time. */
static void
drain_tracker (void)
{
  const RsTrackerEvent *events;
  size_t n;

  rs_tracker_lock ();
  events = rs_tracker_events (&n);
  for (size_t i = 0; i < n; i++)
    {
      const RsTrackerEvent *e = &events[i];
      Buf *buf = rs_map_lookup (&st.bufs, e->id);

      if (e->kind == RS_TRACKER_ALLOCATED)
        {
          push_event (RS_REC_EVENT_ALLOCATED, e->id, 0, NULL);
          if (buf == NULL && (buf = buf_new (e->id, e->buf_kind, true, e->origin, e->holder)) != NULL)
            buf->size = e->size;
        }
      else
        {
          push_event (RS_REC_EVENT_FREED, e->id, 0, NULL);
          if (buf != NULL)
            buf_remove (buf);
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
static Buf *
buf_for (AVBufferRef *ref,
         RsSlot       slot,
         bool         picture)
{
  AVBuffer *b = ref->buffer;
  uint64_t id;
  Buf *buf;

  rs_tracker_lock ();
  id = rs_tracker_lookup (b);
  rs_tracker_unlock ();

  if (id != 0)
    {
      buf = rs_map_lookup (&st.bufs, id);
      if (buf == NULL)
        {
          drain_tracker ();
          buf = rs_map_lookup (&st.bufs, id);
        }
      if (buf == NULL)
        buf = buf_new (id, slot_kind (slot, picture), true, call_origin (), NULL);
    }
  else if ((buf = rs_map_lookup (&st.observed, (uintptr_t) b)) == NULL)
    {
      /* Born inside libav (side data of a decoded frame): the part that
       * made it may keep references. */
      buf = buf_new (rs_buffer_id_next (), slot_kind (slot, picture), false, call_origin (),
                     st.call ? st.call->holder : NULL);
      if (buf == NULL)
        return NULL;
      buf->addr = b;
      buf->size = ref->size;
      if (!rs_map_insert (&st.observed, (uintptr_t) b, buf))
        {
          rs_stop ();
          return buf;
        }
      push_event (RS_REC_EVENT_OBSERVED, buf->id, 0, NULL);
    }

  if (buf != NULL && !buf->kind_known && slot != RS_SLOT_N)
    {
      buf->kind = slot_kind (slot, picture);
      buf->kind_known = true;
    }
  return buf;
}

/* ------------------------------------------------------------------ */
/* References and their owners. */

static void handle_remove (RsHandle *h, bool lose_refs);

static void
lost_unlink (Lost *l)
{
  if (l->prev) l->prev->next = l->next; else st.lost = l->next;
  if (l->next) l->next->prev = l->prev;
  l->buf->lost--;
  free (l);
}

static void
raw_unlink (Raw *r)
{
  if (r->prev) r->prev->next = r->next; else st.raw = r->next;
  if (r->next) r->next->prev = r->prev;
  r->buf->program_refs--;
  free (r);
}

/* Removes slot `i` of `h` from our belief, without deciding its fate. */
static void
handle_drop_ref (RsHandle *h,
                 size_t    i)
{
  h->refs[i].buf->visible--;
  memmove (&h->refs[i], &h->refs[i + 1], (h->n_refs - i - 1) * sizeof *h->refs);
  h->n_refs--;
  h->dirty = true;
}

/* `ref` was released (unreffed, or its holder freed it). */
static void
ref_forget (AVBufferRef *ref)
{
  void *owner = rs_map_remove (&st.refs, (uintptr_t) ref);

  if (owner == NULL)
    return;
  if (OWNER_TAG (owner) == OWNER_LOST)
    lost_unlink (OWNER_PTR (owner));
  else if (OWNER_TAG (owner) == OWNER_RAW)
    raw_unlink (OWNER_PTR (owner));
}

/* `ref` now belongs to handle `h`: whoever held it before does not. */
static void
ref_claim (RsHandle    *h,
           AVBufferRef *ref)
{
  void *owner = rs_map_lookup (&st.refs, (uintptr_t) ref);

  if (owner != NULL && owner != (void *) h)
    {
      if (OWNER_TAG (owner) == OWNER_LOST)
        lost_unlink (OWNER_PTR (owner));
      else if (OWNER_TAG (owner) == OWNER_RAW)
        raw_unlink (OWNER_PTR (owner));
      else
        {
          RsHandle *other = owner;

          for (size_t i = 0; i < other->n_refs; i++)
            if (other->refs[i].ref == ref)
              {
                handle_drop_ref (other, i);
                break;
              }
          if (!other->allocated && other->n_refs == 0 && other->busy == 0)
            handle_remove (other, false);
        }
    }
  if (!rs_map_insert (&st.refs, (uintptr_t) ref, h))
    rs_stop ();
}

/* A call dropped `r` (held by `h`) without an unref: the reference is
 * leaked, so it stays valid and keeps the buffer alive. */
static void
ref_lose (RsHandle  *h,
          const Ref *r)
{
  Lost *l = rs_alloc (sizeof *l);

  if (l == NULL)
    return;
  l->ref = r->ref;
  l->buf = r->buf;
  l->next = st.lost;
  if (st.lost)
    st.lost->prev = l;
  st.lost = l;
  r->buf->lost++;
  if (!rs_map_insert (&st.refs, (uintptr_t) r->ref, (void *) ((uintptr_t) l | OWNER_LOST)))
    rs_stop ();
  push_event (RS_REC_EVENT_LOST, r->buf->id, h->id, NULL);
}

/* The program got `ref` from an av_buffer_* call, in a variable of its own.
 * Only references to our wrappers are counted: others are never read. */
static void
ref_raw (AVBufferRef *ref)
{
  Raw *r;
  Buf *buf;

  if (ref == NULL)
    return;
  buf = buf_for (ref, RS_SLOT_N, false);
  if (buf == NULL || !buf->tracked)
    return;
  if ((r = rs_alloc (sizeof *r)) == NULL)
    return;
  r->ref = ref;
  r->buf = buf;
  r->next = st.raw;
  if (st.raw)
    st.raw->prev = r;
  st.raw = r;
  buf->program_refs++;
  if (!rs_map_insert (&st.refs, (uintptr_t) ref, (void *) ((uintptr_t) r | OWNER_RAW)))
    rs_stop ();
}

/* ------------------------------------------------------------------ */
/* Handles. */

static RsHandle *
handle_new (void        *ptr,
            RsHandleKind kind,
            bool         allocated)
{
  RsHandle *h = rs_alloc (sizeof *h);

  if (h == NULL)
    return NULL;
  if (!rs_map_insert (&st.handles, (uintptr_t) ptr, h))
    {
      free (h);
      rs_stop ();
      return NULL;
    }
  h->id = ++st.last_handle_id;
  h->ptr = ptr;
  h->kind = kind;
  h->allocated = allocated;
  h->born_step = st.n_steps;
  h->born_site = st.site;
  h->born_call = st.call ? st.call->id : RS_CALL_exit;
  h->cur = default_fields;
  h->dirty = true;
  h->prev = st.last;
  if (st.last)
    st.last->next = h;
  else
    st.first = h;
  st.last = h;
  return h;
}

/* Ends a handle: its references are released, or lost when its struct went
 * away without an unref. */
static void
handle_remove (RsHandle *h,
               bool      lose_refs)
{
  for (size_t i = 0; i < h->n_refs; i++)
    {
      Ref *r = &h->refs[i];

      r->buf->visible--;
      rs_map_remove (&st.refs, (uintptr_t) r->ref);
      if (lose_refs)
        ref_lose (h, r);
    }
  rs_map_remove (&st.handles, (uintptr_t) h->ptr);
  if (h->prev) h->prev->next = h->next; else st.first = h->next;
  if (h->next) h->next->prev = h->prev; else st.last = h->prev;
  if (h->sent)
    push_id (&st.removed_handles, &st.n_removed_handles, &st.capacity_removed_handles, h->id);
  free (h->refs);
  free (h->was_refs);
  free (h);
}

static void
handle_forget_buf (Buf *buf)
{
  for (RsHandle *h = st.first; h != NULL && buf->visible > 0; h = h->next)
    for (size_t i = h->n_refs; i-- > 0;)
      if (h->refs[i].buf == buf)
        {
          rs_map_remove (&st.refs, (uintptr_t) h->refs[i].ref);
          handle_drop_ref (h, i);
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
static void
read_struct (void        *ptr,
             RsHandleKind kind,
             Reading     *reading)
{
  Fields *f = &reading->fields;

  reading->n_refs = 0;
  *f = default_fields;
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

static bool
reading_has (const Reading *reading,
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
static void
handle_set (RsHandle *h,
            Reading  *reading)
{
  Ref *refs;
  bool picture = reading->fields.width > 0;

  /* Resolve the buffers first: a claim may change h->refs. */
  for (size_t i = 0; i < reading->n_refs; i++)
    {
      Ref *r = &reading->refs[i];

      r->buf = buf_for (r->ref, r->slot, picture);
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
      ref_claim (h, reading->refs[i].ref);
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
static RsHandle *
claim_before (RsArg *arg)
{
  Reading *reading = &st.readings[RS_MAX_ARGS];
  RsHandle *h = rs_map_lookup (&st.handles, (uintptr_t) arg->ptr);
  int stream;

  read_struct (arg->ptr, arg->kind, reading);
  if (h == NULL)
    {
      if (reading->n_refs == 0)
        return NULL;
      if ((h = handle_new (arg->ptr, arg->kind, false)) == NULL)
        return NULL;
    }
  stream = h->cur.stream;
  for (size_t i = h->n_refs; i-- > 0;)
    if (!reading_has (reading, h->refs[i].ref))
      {
        rs_map_remove (&st.refs, (uintptr_t) h->refs[i].ref);
        handle_drop_ref (h, i);
      }
  if (arg->kind == RS_HANDLE_FRAME)
    reading->fields.stream = reading->n_refs > 0 ? stream : -1;
  handle_set (h, reading);
  return h;
}

/* ------------------------------------------------------------------ */
/* A call. */

void
rs_state_enter (RsCall *call)
{
  st.call = call;
  st.site = rs_module_site (call->caller);

  /* av_buffer_* on a slot of a handle: the handle is an argument. */
  if (call->slot != NULL)
    {
      void *owner = call->slot_before ? rs_map_lookup (&st.refs, (uintptr_t) call->slot_before) : NULL;
      RsHandle *h = NULL;

      if (owner != NULL && OWNER_TAG (owner) == 0)
        h = owner;
      else if (call->slot_before == NULL)
        for (RsHandle *i = st.first; i != NULL && h == NULL; i = i->next)
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

      RsHandle *h = (arg->flags & RS_ARG_VALID) ? claim_before (arg)
                                                : rs_map_lookup (&st.handles, (uintptr_t) arg->ptr);

      arg->busy = h;
      if (h != NULL)
        h->busy++;
    }
  st.call = NULL;
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

      if (p->buf != NULL && rs_map_lookup (&st.observed, (uintptr_t) p->buf->buffer) == NULL)
        rs_wrap_packet (p, origin, call->holder);
    }
  else
    {
      AVFrame *f = arg->ptr;
      bool known = false;

      for (int i = 0; i < AV_NUM_DATA_POINTERS; i++)
        if (f->buf[i] != NULL && rs_map_lookup (&st.observed, (uintptr_t) f->buf[i]->buffer) != NULL)
          known = true;
      if (!known)
        rs_wrap_frame (f, origin, call->holder);
    }
}

static void refresh_and_write (RsCallId id, int ret, uint64_t out);

/* Before anything else in leave: the args are ours again. A busy handle is
 * never removed by another thread's step, so it is still there. */
static void
unbusy (RsCall *call)
{
  for (int i = 0; i < call->n_args; i++)
    {
      RsArg *arg = &call->args[i];

      if (arg->busy != NULL && rs_map_lookup (&st.handles, (uintptr_t) arg->ptr) == arg->busy)
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

  st.call = call;
  st.site = rs_module_site (call->caller);
  /* Wrappers freed during the call go first, so no reading below can
   * resolve to a buffer that is about to be removed. */
  drain_tracker ();

  switch (call->id)
    {
    case RS_CALL_avcodec_open2:
      if (rs_codec_opened (call->avctx, call->ret))
        {
          st.n_frame_threaded++;
          push_event (RS_REC_EVENT_WARNING, 0, 0,
                      "the decoder runs frame threads: its threads change counts while steps are recorded");
        }
      break;
    case RS_CALL_avcodec_free_context:
      if (call->avctx != NULL && rs_codec_freed (call->avctx))
        st.n_frame_threaded--;
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
      RsHandle *stale = rs_map_lookup (&st.handles, (uintptr_t) call->created);
      RsArg created = { .ptr = call->created, .kind = call->created_kind, .flags = RS_ARG_OUT };

      if (stale != NULL && stale->busy == 0)
        handle_remove (stale, true);
      if (rs_map_lookup (&st.handles, (uintptr_t) call->created) == NULL)
        handle_new (call->created, call->created_kind, true);
      if (call->wrap == RS_WRAP_OUT)
        wrap_out (call, &created);
      rs_call_add (call, call->created, call->created_kind, RS_ARG_OUT, 0);
    }

  /* Where the args' buffers go, for the holder of their hidden refs. */
  for (int i = 0; i < call->n_args; i++)
    {
      RsHandle *h = rs_map_lookup (&st.handles, (uintptr_t) call->args[i].ptr);

      call->args[i].handle = h;
      if (h == NULL)
        continue;
      if (call->given_to != NULL)
        for (size_t j = 0; j < h->n_refs; j++)
          h->refs[j].buf->hint = call->given_to;
      if (h->kind == RS_HANDLE_FRAME && !(call->args[i].flags & RS_ARG_OUT))
        src_stream = h->cur.stream;
    }

  /* What each arg holds now. */
  for (int i = 0; i < call->n_args; i++)
    if (!(call->args[i].flags & RS_ARG_FREED))
      read_struct (call->args[i].ptr, call->args[i].kind, &st.readings[i]);
    else
      st.readings[i].n_refs = 0;

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

          if (reading_has (&st.readings[i], r.ref))
            continue;
          for (int k = 0; k < call->n_args; k++)
            if (k != i && reading_has (&st.readings[k], r.ref))
              moved = true;
          if (moved)
            continue;
          handle_drop_ref (h, j);
          rs_map_remove (&st.refs, (uintptr_t) r.ref);
          if (!(arg->flags & RS_ARG_FREED) && (arg->lose_mask & RS_LOSE (r.slot)))
            ref_lose (h, &r);
        }
    }

  for (int i = 0; i < call->n_args; i++)
    {
      RsArg *arg = &call->args[i];
      Reading *reading = &st.readings[i];
      RsHandle *h = rs_map_lookup (&st.handles, (uintptr_t) arg->ptr);

      arg->handle = NULL;
      if (arg->flags & RS_ARG_FREED)
        {
          if (h != NULL)
            handle_remove (h, false);
          continue;
        }
      if (h == NULL && reading->n_refs == 0)
        continue;
      if (h == NULL && (h = handle_new (arg->ptr, arg->kind, false)) == NULL)
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
      handle_set (h, reading);

      if (!h->allocated && h->n_refs == 0 && h->busy == 0)
        {
          handle_remove (h, false);
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
        ref_forget (call->slot_before);
      if (now != NULL && now != call->slot_before &&
          rs_map_lookup (&st.refs, (uintptr_t) now) == NULL)
        ref_raw (now);
    }
  if (call->raw_result != NULL)
    ref_raw (call->raw_result);

  if (call->message != NULL)
    push_event (RS_REC_EVENT_WARNING, 0, 0, call->message);
  if (call->ret < 0 && call->ret != AVERROR (EAGAIN) && call->ret != AVERROR_EOF)
    {
      char message[AV_ERROR_MAX_STRING_SIZE];

      av_strerror (call->ret, message, sizeof message);
      push_event (RS_REC_EVENT_ERROR, 0, 0, message);
    }

  refresh_and_write (call->id, call->ret, out);
  st.call = NULL;
}

void
rs_state_exit (void)
{
  st.call = NULL;
  st.site = (RsSite) { 0, 0 };
  st.exiting = true;
  refresh_and_write (RS_CALL_exit, 0, 0);
  if (rs_recording ())
    rs_writer_end_file (st.n_steps);
  rs_writer_close ();
}

/* ------------------------------------------------------------------ */
/* Refresh: every live buffer's count, read without taking a reference. */

static void
update_tracked (uint64_t id,
                int      refcount,
                bool     writable,
                void    *data)
{
  Buf *buf = rs_map_lookup (&st.bufs, id);

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

static void
refresh (void)
{
  drain_tracker ();
  rs_tracker_lock ();
  rs_tracker_foreach (update_tracked, NULL);
  rs_tracker_unlock ();

  for (Buf *b = st.buf_first; b != NULL; b = b->next)
    b->read = b->tracked;
  for (Lost *l = st.lost; l != NULL; l = l->next)
    if (!l->buf->read)
      read_observed (l->buf, l->ref);
  for (RsHandle *h = st.first; h != NULL; h = h->next)
    {
      /* Never through a handle a call is changing, nor, at exit, through a
       * struct that may be a dead stack frame. */
      if (h->busy > 0 || (st.exiting && !h->allocated))
        continue;
      for (size_t i = 0; i < h->n_refs; i++)
        if (!h->refs[i].buf->read && (!h->allocated || still_holds (h, &h->refs[i])))
          read_observed (h->refs[i].buf, h->refs[i].ref);
    }

  /* Observed buffers nobody holds any more leave view. */
  for (Buf *b = st.buf_first, *next; b != NULL; b = next)
    {
      next = b->next;
      if (!b->tracked && b->visible == 0 && b->lost == 0)
        {
          push_event (RS_REC_EVENT_UNOBSERVED, b->id, 0, NULL);
          buf_remove (b);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Writing a step. */

static uint32_t
field_id (const Ref *r)
{
  static const char *const names[RS_SLOT_N] = {
    "buf", "opaque_ref", "buf[%d]", "extended_buf[%d]", "side_data[%d].buf",
    "hw_frames_ctx", "opaque_ref", "private_ref",
  };
  char name[64];

  if (r->index < 16 && st.field_ids[r->slot][r->index] != 0)
    return st.field_ids[r->slot][r->index];
  snprintf (name, sizeof name, names[r->slot], r->index);
  if (r->index < 16)
    return st.field_ids[r->slot][r->index] = rs_writer_string (name);
  return rs_writer_string (name);
}

static bool
refs_changed (const RsHandle *h)
{
  if (h->n_refs != h->n_was_refs)
    return true;
  for (size_t i = 0; i < h->n_refs; i++)
    if (h->refs[i].buf->id != h->was_refs[i].buffer || field_id (&h->refs[i]) != h->was_refs[i].field)
      return true;
  return false;
}

static unsigned
handle_mask (const RsHandle *h,
             bool            full)
{
  bool new = full || !h->sent;
  const Fields *was = new ? &default_fields : &h->was;
  const Fields *cur = &h->cur;
  unsigned mask = new ? RS_REC_HANDLE_NEW : 0;

  if (!new && !h->dirty)
    return 0;
  if (cur->stream != was->stream) mask |= RS_REC_HANDLE_STREAM;
  if (cur->pts != was->pts) mask |= RS_REC_HANDLE_PTS;
  if (cur->dts != was->dts) mask |= RS_REC_HANDLE_DTS;
  if (cur->size != was->size) mask |= RS_REC_HANDLE_SIZE;
  if (cur->key != was->key) mask |= RS_REC_HANDLE_KEY;
  if (cur->pict_type != was->pict_type) mask |= RS_REC_HANDLE_PICT_TYPE;
  if (cur->format != was->format &&
      (cur->format == NULL || was->format == NULL || strcmp (cur->format, was->format) != 0))
    mask |= RS_REC_HANDLE_FORMAT;
  if (cur->width != was->width || cur->height != was->height) mask |= RS_REC_HANDLE_DIMENSIONS;
  if (cur->nb_samples != was->nb_samples) mask |= RS_REC_HANDLE_NB_SAMPLES;
  if (cur->sample_rate != was->sample_rate) mask |= RS_REC_HANDLE_SAMPLE_RATE;
  if (new ? h->n_refs > 0 : refs_changed (h)) mask |= RS_REC_HANDLE_REFS;
  return mask;
}

static void
write_handle (RsHandle *h,
              unsigned  mask,
              uint64_t  previous_id)
{
  const Fields *f = &h->cur;

  rs_writer_varint (h->id - previous_id);
  rs_writer_varint (mask);
  if (mask & RS_REC_HANDLE_NEW)
    {
      rs_writer_varint (h->kind | (h->allocated ? 2 : 0));
      rs_writer_varint (st.n_steps - h->born_step);
      rs_writer_varint (rs_writer_string (rs_call_name (h->born_call)));
      rs_writer_site (h->born_site);
    }
  if (mask & RS_REC_HANDLE_STREAM) rs_writer_zigzag (f->stream);
  if (mask & RS_REC_HANDLE_PTS) rs_writer_varint (rs_rec_timestamp_code (f->pts));
  if (mask & RS_REC_HANDLE_DTS) rs_writer_varint (rs_rec_timestamp_code (f->dts));
  if (mask & RS_REC_HANDLE_SIZE) rs_writer_zigzag (f->size);
  if (mask & RS_REC_HANDLE_KEY) rs_writer_varint (f->key);
  if (mask & RS_REC_HANDLE_PICT_TYPE) rs_writer_varint ((uint8_t) f->pict_type);
  if (mask & RS_REC_HANDLE_FORMAT) rs_writer_varint (rs_writer_string (f->format));
  if (mask & RS_REC_HANDLE_DIMENSIONS)
    {
      rs_writer_zigzag (f->width);
      rs_writer_zigzag (f->height);
    }
  if (mask & RS_REC_HANDLE_NB_SAMPLES) rs_writer_zigzag (f->nb_samples);
  if (mask & RS_REC_HANDLE_SAMPLE_RATE) rs_writer_zigzag (f->sample_rate);
  if (mask & RS_REC_HANDLE_REFS)
    {
      uint64_t previous = 0;

      rs_writer_varint (h->n_refs);
      for (size_t i = 0; i < h->n_refs; i++)
        {
          rs_writer_varint (field_id (&h->refs[i]));
          rs_writer_zigzag ((int64_t) (h->refs[i].buf->id - previous));
          previous = h->refs[i].buf->id;
        }
    }

  /* What the reader knows now. */
  h->was = h->cur;
  h->sent = true;
  h->dirty = false;
  {
    SentRef *was = rs_grow (h->was_refs, &h->capacity_was_refs, h->n_refs, sizeof *was);

    if (was != NULL)
      {
        h->was_refs = was;
        for (size_t i = 0; i < h->n_refs; i++)
          was[i] = (SentRef) { field_id (&h->refs[i]), h->refs[i].buf->id };
        h->n_was_refs = h->n_refs;
      }
  }
}

static const char *
buf_holder (const Buf *b)
{
  int program = b->program_refs;
  int hidden = b->refcount - b->visible - b->lost;

  if (program > hidden)
    program = hidden > 0 ? hidden : 0;
  if (hidden - program <= 0)
    return program > 0 ? "program" : NULL;
  return b->hint ? b->hint : "libav";
}

static unsigned
buf_mask (const Buf  *b,
          const char *holder,
          bool        full)
{
  bool new = full || !b->sent;
  unsigned mask = new ? RS_REC_BUFFER_NEW : 0;

  if (new)
    {
      if (b->size != 0) mask |= RS_REC_BUFFER_SIZE;
      if (b->refcount != 0) mask |= RS_REC_BUFFER_REFCOUNT;
      if (b->lost != 0) mask |= RS_REC_BUFFER_LOST;
      if (b->writable) mask |= RS_REC_BUFFER_WRITABLE;
      if (holder != NULL) mask |= RS_REC_BUFFER_HOLDER;
      if (b->program_refs != 0) mask |= RS_REC_BUFFER_PROGRAM_REFS;
      return mask;
    }
  if (b->kind != b->was.kind) mask |= RS_REC_BUFFER_KIND;
  if (b->size != b->was.size) mask |= RS_REC_BUFFER_SIZE;
  if (b->refcount != b->was.refcount) mask |= RS_REC_BUFFER_REFCOUNT;
  if (b->lost != b->was.lost) mask |= RS_REC_BUFFER_LOST;
  if (b->writable != b->was.writable) mask |= RS_REC_BUFFER_WRITABLE;
  if (holder != b->was.holder &&
      (holder == NULL || b->was.holder == NULL || strcmp (holder, b->was.holder) != 0))
    mask |= RS_REC_BUFFER_HOLDER;
  if (b->program_refs != b->was.program_refs) mask |= RS_REC_BUFFER_PROGRAM_REFS;
  return mask;
}

static void
write_buf (Buf        *b,
           const char *holder,
           unsigned    mask,
           uint64_t    previous_id)
{
  rs_writer_varint (b->id - previous_id);
  rs_writer_varint (mask);
  if (mask & RS_REC_BUFFER_NEW)
    {
      rs_writer_varint (b->kind | (b->tracked ? 8 : 0));
      rs_writer_varint (rs_writer_string (b->origin));
      rs_writer_varint (st.n_steps - b->born_step);
      rs_writer_site (b->born_site);
    }
  if (mask & RS_REC_BUFFER_SIZE) rs_writer_varint (b->size);
  if (mask & RS_REC_BUFFER_REFCOUNT) rs_writer_varint (b->refcount);
  if (mask & RS_REC_BUFFER_LOST) rs_writer_varint (b->lost);
  if (mask & RS_REC_BUFFER_WRITABLE) rs_writer_varint (b->writable);
  if (mask & RS_REC_BUFFER_HOLDER) rs_writer_varint (rs_writer_string (holder));
  if (mask & RS_REC_BUFFER_PROGRAM_REFS) rs_writer_varint (b->program_refs);
  if (mask & RS_REC_BUFFER_KIND) rs_writer_varint (b->kind);

  b->sent = true;
  b->was.kind = b->kind;
  b->was.size = b->size;
  b->was.refcount = b->refcount;
  b->was.lost = b->lost;
  b->was.writable = b->writable;
  b->was.holder = holder;
  b->was.program_refs = b->program_refs;
}

static int
compare_ids (const void *a,
             const void *b)
{
  uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

  return x < y ? -1 : x > y;
}

static void
write_removed (uint64_t *ids,
               size_t    n)
{
  uint64_t previous = 0;

  qsort (ids, n, sizeof *ids, compare_ids);
  rs_writer_varint (n);
  for (size_t i = 0; i < n; i++)
    {
      rs_writer_varint (ids[i] - previous);
      previous = ids[i];
    }
}

typedef struct {
  void       *node;
  unsigned    mask;
  const char *holder;
} Pending;

static Pending *
pending_reserve (size_t n)
{
  Pending *p = rs_grow (st.scratch, &st.capacity_scratch, n, sizeof *p);

  if (p != NULL)
    st.scratch = p;
  return p;
}

static void
refresh_and_write (RsCallId id,
                   int      ret,
                   uint64_t out)
{
  bool full = st.n_steps % RS_REC_FULL_INTERVAL == 0;
  bool exact;
  int thread;
  size_t n = 0, count = 0;
  Pending *pending;
  uint64_t previous;

  if (!rs_recording ())
    return;

  thread = rs_thread_index ();
  refresh ();
  exact = !rs_threads_many () && st.n_frame_threaded == 0;

  rs_writer_begin_step (full);
  rs_writer_varint ((exact ? RS_REC_STEP_EXACT : 0) | (st.site.module ? RS_REC_STEP_HAS_SITE : 0));
  rs_writer_varint (rs_writer_string (rs_call_name (id)));
  rs_writer_zigzag (ret);
  rs_writer_varint (thread);
  if (st.site.module)
    rs_writer_site (st.site);
  rs_writer_varint (out);

  /* Handles. */
  for (RsHandle *h = st.first; h != NULL; h = h->next)
    count++;
  if ((pending = pending_reserve (count)) == NULL)
    return;
  for (RsHandle *h = st.first; h != NULL; h = h->next)
    {
      unsigned mask = handle_mask (h, full);

      if (mask != 0)
        pending[n++] = (Pending) { h, mask, NULL };
      else
        h->dirty = false;
    }
  rs_writer_varint (n);
  previous = 0;
  for (size_t i = 0; i < n; i++)
    {
      write_handle (pending[i].node, pending[i].mask, previous);
      previous = ((RsHandle *) pending[i].node)->id;
    }
  write_removed (st.removed_handles, full ? 0 : st.n_removed_handles);
  st.n_removed_handles = 0;

  /* Buffers. */
  count = n = 0;
  for (Buf *b = st.buf_first; b != NULL; b = b->next)
    count++;
  if ((pending = pending_reserve (count)) == NULL)
    return;
  for (Buf *b = st.buf_first; b != NULL; b = b->next)
    {
      const char *holder = buf_holder (b);
      unsigned mask = buf_mask (b, holder, full);

      if (mask != 0)
        pending[n++] = (Pending) { b, mask, holder };
    }
  rs_writer_varint (n);
  previous = 0;
  for (size_t i = 0; i < n; i++)
    {
      write_buf (pending[i].node, pending[i].holder, pending[i].mask, previous);
      previous = ((Buf *) pending[i].node)->id;
    }
  write_removed (st.removed_bufs, full ? 0 : st.n_removed_bufs);
  st.n_removed_bufs = 0;

  /* Events. */
  rs_writer_varint (st.n_events);
  for (size_t i = 0; i < st.n_events; i++)
    {
      rs_writer_varint (st.events[i].kind);
      rs_writer_varint (st.events[i].buffer);
      rs_writer_varint (st.events[i].handle);
      rs_writer_varint (rs_writer_string (st.events[i].message));
      free (st.events[i].message);
    }
  st.n_events = 0;

  if (rs_writer_end_step ())
    st.n_steps++;
}
