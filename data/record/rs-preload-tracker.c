/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-preload-tracker.c: buffers wrapped at birth, and the decoders whose
 * get_buffer2 we chain to.
 *
 * A wrapped buffer is av_buffer_create (inner->data, inner->size,
 * free_record, record, flags) around a fresh reference (refcount 1): every
 * holder (the program and libav) then holds the wrapper, whose refcount is
 * exactly the one an unobserved program would see, and free_record runs
 * once, when the last holder lets go, on whichever thread that is. It
 * takes only the tracker lock, never the state lock: it may run on a
 * decoder's worker thread while another thread records a step. libav frees
 * the wrapper's AVBuffer only after free_record returns, so a step that
 * holds the tracker lock can read the refcount of every live wrapper.
 */
#include "rs-preload-private.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/pixdesc.h>

typedef struct _Record Record;
struct _Record {
  AVBufferRef *inner;    /* the reference we wrapped; owned */
  AVBuffer    *wrapper;  /* valid until free_record returns */
  uint64_t     id;
  Record      *prev;
  Record      *next;
};

typedef struct _Context Context;
struct _Context {
  Context        *next;
  AVCodecContext *avctx;
  const AVCodec  *codec;
  void           *opaque;
  int           (*chained) (AVCodecContext *, AVFrame *, int);
  const char     *holder;
  bool            frame_threads;
  int             stream;
};

typedef struct _Interned Interned;
struct _Interned {
  Interned *next;
  char      text[];
};

static pthread_mutex_t tracker_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_uint_fast64_t last_buffer_id;
static atomic_long n_wrappers;  /* live: none, and no lookup is needed */
static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;

/* Under tracker_lock. */
static RsMap           by_wrapper;  /* AVBuffer* -> Record* */
static Record         *first, *last;
static RsTrackerEvent *events;
static size_t          n_events, capacity_events;
static Context        *contexts;
static Interned       *interned;  /* under intern_lock */

void
rs_tracker_lock (void)
{
  pthread_mutex_lock (&tracker_lock);
}

void
rs_tracker_unlock (void)
{
  pthread_mutex_unlock (&tracker_lock);
}

uint64_t
rs_buffer_id_next (void)
{
  return atomic_fetch_add (&last_buffer_id, 1) + 1;
}

uint64_t
rs_tracker_find_id (const AVBuffer *buffer)
{
  Record *record = rs_map_lookup (&by_wrapper, (uintptr_t) buffer);

  return record ? record->id : 0;
}

const RsTrackerEvent *
rs_tracker_events (size_t *n)
{
  *n = n_events;
  return events;
}

void
rs_tracker_clear_events (void)
{
  n_events = 0;
}

void
rs_tracker_foreach (void (*fn) (uint64_t id, int refcount, bool writable, void *data),
                    void  *data)
{
  for (Record *r = first; r != NULL; r = r->next)
    {
      AVBufferRef view = { .buffer = r->wrapper };

      /* Reading the count through a view of the AVBuffer takes no reference. */
      fn (r->id, av_buffer_get_ref_count (&view), av_buffer_is_writable (&view), data);
    }
}

static const char *
intern_locked (const char *s)
{
  Interned *i;
  size_t len;

  if (s == NULL)
    return NULL;
  for (i = interned; i != NULL; i = i->next)
    if (strcmp (i->text, s) == 0)
      return i->text;
  len = strlen (s);
  i = malloc (sizeof *i + len + 1);
  if (i == NULL)
    {
      rs_stop ();
      return "?";
    }
  memcpy (i->text, s, len + 1);
  i->next = interned;
  interned = i;
  return i->text;
}

const char *
rs_keep_string (const char *s)
{
  const char *kept;

  /* A lock of its own, taken last: callers may hold any other. */
  pthread_mutex_lock (&intern_lock);
  kept = intern_locked (s);
  pthread_mutex_unlock (&intern_lock);
  return kept;
}

/* Under tracker_lock. */
static void
push_event (const RsTrackerEvent *event)
{
  RsTrackerEvent *grown;

  if (!rs_recording ())
    return;
  grown = rs_grow (events, &capacity_events, n_events + 1, sizeof *events);
  if (grown == NULL)
    return;
  events = grown;
  events[n_events++] = *event;
}

static void
free_record (void    *opaque,
             uint8_t *data)
{
  Record *record = opaque;
  RsTrackerEvent event = { .kind = RS_TRACKER_FREED, .id = record->id };

  rs_tracker_lock ();
  rs_map_remove (&by_wrapper, (uintptr_t) record->wrapper);
  atomic_fetch_sub (&n_wrappers, 1);
  if (record->prev)
    record->prev->next = record->next;
  else
    first = record->next;
  if (record->next)
    record->next->prev = record->prev;
  else
    last = record->prev;
  push_event (&event);
  rs_tracker_unlock ();

  /* Gives the bytes back to their owner (a pool, the demuxer, the program's
   * own free callback, which may call libav: a callback we run for libav). */
  rs_depth++;
  rs_real.av_buffer_unref (&record->inner);
  rs_depth--;
  free (record);
}

bool
rs_wrap (AVBufferRef   **ref,
         RsRecBufferKind kind,
         const char     *origin,
         const char     *holder)
{
  AVBufferRef *inner = *ref;
  AVBufferRef *wrapper;
  Record *record;
  RsTrackerEvent event = { .kind = RS_TRACKER_ALLOCATED, .buf_kind = kind,
                           .origin = origin, .holder = holder };
  bool ours;
  int flags;

  if (inner == NULL || av_buffer_get_ref_count (inner) != 1)
    return false;

  rs_tracker_lock ();
  ours = rs_map_lookup (&by_wrapper, (uintptr_t) inner->buffer) != NULL;
  rs_tracker_unlock ();
  if (ours)
    return false;

  record = calloc (1, sizeof *record);
  if (record == NULL)
    return false;
  /* At refcount 1, writability depends only on the read-only flag: keep it. */
  flags = av_buffer_is_writable (inner) ? 0 : AV_BUFFER_FLAG_READONLY;
  wrapper = rs_real.av_buffer_create (inner->data, inner->size, free_record, record, flags);
  if (wrapper == NULL)
    {
      free (record);
      return false;
    }
  record->inner = inner;
  record->wrapper = wrapper->buffer;
  event.size = inner->size;

  rs_tracker_lock ();
  record->id = event.id = rs_buffer_id_next ();
  if (!rs_map_insert (&by_wrapper, (uintptr_t) record->wrapper, record))
    {
      /* Cannot track it: give the reference back untouched. */
      rs_tracker_unlock ();
      record->inner = NULL;
      rs_real.av_buffer_unref (&wrapper);
      free (record);
      rs_stop ();
      return false;
    }
  atomic_fetch_add (&n_wrappers, 1);
  record->prev = last;
  if (last)
    last->next = record;
  else
    first = record;
  last = record;
  push_event (&event);
  rs_tracker_unlock ();

  *ref = wrapper;
  return true;
}

AVBufferRef *
rs_wrapper_inner (const AVBufferRef *ref)
{
  Record *record;

  if (ref == NULL || atomic_load_explicit (&n_wrappers, memory_order_relaxed) == 0)
    return NULL;
  rs_tracker_lock ();
  record = rs_map_lookup (&by_wrapper, (uintptr_t) ref->buffer);
  rs_tracker_unlock ();
  /* The caller holds `ref`: the record lives at least as long. */
  return record ? record->inner : NULL;
}

void
rs_wrap_frame (AVFrame    *frame,
               const char *origin,
               const char *holder)
{
  RsRecBufferKind kind = frame->width > 0 ? RS_REC_BUFFER_KIND_PICTURE : RS_REC_BUFFER_KIND_AUDIO;

  /* Hardware frames are never wrapped: their buffers belong to the device. */
  if (frame->hw_frames_ctx != NULL)
    return;
  if (frame->width > 0 && frame->format >= 0)
    {
      const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get (frame->format);

      if (desc != NULL && (desc->flags & AV_PIX_FMT_FLAG_HWACCEL))
        return;
    }
  for (int i = 0; i < AV_NUM_DATA_POINTERS; i++)
    if (frame->buf[i] != NULL)
      rs_wrap (&frame->buf[i], kind, origin, holder);
  for (int i = 0; i < frame->nb_extended_buf; i++)
    if (frame->extended_buf[i] != NULL)
      rs_wrap (&frame->extended_buf[i], kind, origin, holder);
}

void
rs_wrap_packet (AVPacket   *packet,
                const char *origin,
                const char *holder)
{
  if (packet->buf != NULL)
    rs_wrap (&packet->buf, RS_REC_BUFFER_KIND_PACKET, origin, holder);
}

/* ------------------------------------------------------------------ */
/* Codec contexts. */

/* Under tracker_lock. Frame-thread workers run get_buffer2 with their own
 * copy of the context: it keeps the codec, and the program's opaque (which
 * the program may change after opening: it only tells apart contexts of
 * the same codec). */
static Context *
find_context (AVCodecContext *avctx,
              bool            copies)
{
  Context *c, *same_codec = NULL;

  for (c = contexts; c != NULL; c = c->next)
    if (c->avctx == avctx)
      return c;
  if (!copies)
    return NULL;
  for (c = contexts; c != NULL; c = c->next)
    if (c->codec == avctx->codec && c->chained != NULL)
      {
        if (c->opaque == avctx->opaque)
          return c;
        if (same_codec == NULL)
          same_codec = c;
      }
  return same_codec;
}

static const char *
holder_name (const AVCodec *codec)
{
  char name[128];

  if (codec == NULL)
    return NULL;
  snprintf (name, sizeof name, "%s %s", codec->name,
            av_codec_is_decoder (codec) ? "decoder" : "encoder");
  return rs_keep_string (name);
}

int
rs_get_buffer2 (AVCodecContext *avctx,
                AVFrame        *frame,
                int             flags)
{
  int (*chained) (AVCodecContext *, AVFrame *, int) = avcodec_default_get_buffer2;
  const char *holder = NULL;
  Context *c;
  int ret;

  rs_tracker_lock ();
  c = find_context (avctx, true);
  if (c != NULL)
    {
      chained = c->chained;
      holder = c->holder;
    }
  rs_tracker_unlock ();

  /* The program's own get_buffer2 is a callback we run for libav: its libav
   * calls are not steps. */
  rs_depth++;
  ret = chained (avctx, frame, flags);
  rs_depth--;

  if (ret >= 0 && rs_recording ())
    rs_wrap_frame (frame, "decoder", holder);
  return ret;
}

void
rs_codec_opening (AVCodecContext *avctx,
                  const AVCodec  *codec)
{
  Context *c;
  bool decoder;

  if (codec == NULL)
    codec = avctx->codec;
  if (codec == NULL)
    return;
  decoder = av_codec_is_decoder (codec);

  rs_tracker_lock ();
  c = find_context (avctx, false);
  if (c == NULL && (c = calloc (1, sizeof *c)) != NULL)
    {
      c->avctx = avctx;
      c->stream = -1;
      c->next = contexts;
      contexts = c;
    }
  if (c != NULL)
    {
      c->codec = codec;
      c->opaque = avctx->opaque;
      c->holder = holder_name (codec);
      if (decoder && avctx->get_buffer2 != rs_get_buffer2)
        c->chained = avctx->get_buffer2 ? avctx->get_buffer2 : avcodec_default_get_buffer2;
    }
  rs_tracker_unlock ();

  if (c == NULL || !decoder || c->chained == NULL)
    return;

  /* With the default allocator libav treats callbacks as thread safe; ours
   * must be too, or frame threads would defer releases (lavc < 60). A
   * program's own get_buffer2 keeps the program's setting. */
#if LIBAVCODEC_VERSION_MAJOR < 60
  if (c->chained == avcodec_default_get_buffer2)
    {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
      avctx->thread_safe_callbacks = 1;
#pragma GCC diagnostic pop
    }
#endif
  avctx->get_buffer2 = rs_get_buffer2;
}

bool
rs_codec_opened (AVCodecContext *avctx,
                 int             ret)
{
  Context *c;
  bool newly = false;

  rs_tracker_lock ();
  c = find_context (avctx, false);
  if (c != NULL && ret >= 0 && !c->frame_threads &&
      (avctx->active_thread_type & FF_THREAD_FRAME))
    newly = c->frame_threads = true;
  rs_tracker_unlock ();
  return newly;
}

/* Forgets the context of `avctx`; true when it ran frame threads. Its
 * chained get_buffer2 in `chained`, NULL if none. */
static bool
forget_context (AVCodecContext *avctx,
                int           (**chained) (AVCodecContext *, AVFrame *, int))
{
  Context **p, *c;
  bool frame_threads = false;

  *chained = NULL;
  rs_tracker_lock ();
  for (p = &contexts; (c = *p) != NULL; p = &c->next)
    if (c->avctx == avctx)
      {
        frame_threads = c->frame_threads;
        *chained = c->chained;
        *p = c->next;
        free (c);
        break;
      }
  rs_tracker_unlock ();
  return frame_threads;
}

bool
rs_codec_freed (AVCodecContext *avctx)
{
  int (*chained) (AVCodecContext *, AVFrame *, int);

  return forget_context (avctx, &chained);
}

bool
rs_codec_closed (AVCodecContext *avctx)
{
  int (*chained) (AVCodecContext *, AVFrame *, int);
  bool frame_threads = forget_context (avctx, &chained);

  /* Closed, its threads are gone: nothing calls get_buffer2 now. The
   * program's comes back, so that an open after this (which 5.1 still
   * allows) chains to it afresh. */
  if (chained != NULL && avctx->get_buffer2 == rs_get_buffer2)
    avctx->get_buffer2 = chained;
  return frame_threads;
}

bool
rs_codec_frame_threads (AVCodecContext *avctx)
{
  Context *c;
  bool frame_threads;

  rs_tracker_lock ();
  c = find_context (avctx, false);
  frame_threads = c != NULL && c->frame_threads;
  rs_tracker_unlock ();
  return frame_threads;
}

const char *
rs_codec_holder (AVCodecContext *avctx)
{
  const char *holder;
  Context *c;

  if (avctx == NULL)
    return NULL;
  rs_tracker_lock ();
  c = find_context (avctx, false);
  holder = c ? c->holder : holder_name (avctx->codec);
  rs_tracker_unlock ();
  return holder;
}

void
rs_codec_set_stream (AVCodecContext *avctx,
                     int             stream)
{
  Context *c;

  rs_tracker_lock ();
  c = find_context (avctx, false);
  if (c != NULL)
    c->stream = stream;
  rs_tracker_unlock ();
}

int
rs_codec_stream (AVCodecContext *avctx)
{
  Context *c;
  int stream;

  rs_tracker_lock ();
  c = find_context (avctx, false);
  stream = c ? c->stream : -1;
  rs_tracker_unlock ();
  return stream;
}

void
rs_tracker_atfork_prepare (void)
{
  rs_tracker_lock ();
}

void
rs_tracker_atfork_release (void)
{
  rs_tracker_unlock ();
}
