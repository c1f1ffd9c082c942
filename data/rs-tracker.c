/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-tracker"

#include "rs-tracker-private.h"
#include "rs-intern.h"

typedef struct {
  RsTracker    *tracker;  /* strong reference */
  AVBufferRef  *inner;    /* the reference we wrapped; owned */
  AVBuffer     *buffer;   /* the wrapper; valid until free_record() returns */
  guint64       id;
  RsBufferKind  kind;
  const char   *origin;
  const char   *holder;
  guint         born;
  gsize         size;
} Record;

struct _RsTracker {
  gatomicrefcount rc;
  GMutex          lock;
  guint64         last_id;
  guint           step;
  GHashTable     *by_buffer;  /* AVBuffer* -> Record*, live wrappers */
  GPtrArray      *live;       /* Record*, sorted by id */
  GArray         *events;     /* RsEvent since the last collect */
};

RsTracker *
rs_tracker_new (void)
{
  RsTracker *self = g_new0 (RsTracker, 1);

  g_atomic_ref_count_init (&self->rc);
  g_mutex_init (&self->lock);
  self->by_buffer = g_hash_table_new (NULL, NULL);
  self->live = g_ptr_array_new ();
  self->events = g_array_new (FALSE, FALSE, sizeof (RsEvent));
  return self;
}

RsTracker *
rs_tracker_ref (RsTracker *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->rc);
  return self;
}

void
rs_tracker_unref (RsTracker *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->rc))
    return;

  /* Every record holds a reference, so nothing is live any more. */
  g_assert (self->live->len == 0);
  g_hash_table_unref (self->by_buffer);
  g_ptr_array_unref (self->live);
  g_array_unref (self->events);
  g_mutex_clear (&self->lock);
  g_free (self);
}

void
rs_tracker_set_step (RsTracker *self,
                     guint      step)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->lock);
  self->step = step;
  g_mutex_unlock (&self->lock);
}

guint64
rs_tracker_next_id (RsTracker *self)
{
  guint64 id;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->lock);
  id = ++self->last_id;
  g_mutex_unlock (&self->lock);
  return id;
}

static guint
find_live_index (RsTracker *self,
                 guint64    id)
{
  guint lo = 0, hi = self->live->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      Record *record = g_ptr_array_index (self->live, mid);

      if (record->id < id)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* The free callback of every wrapper: runs once, on whichever thread drops
 * the last reference, possibly inside a libav call or while a snapshot is
 * taken on another thread (which holds the lock, so it waits). libav frees
 * the wrapper's AVBuffer only after this returns. */
static void
free_record (void    *opaque,
             uint8_t *data)
{
  Record *record = opaque;
  RsTracker *self = record->tracker;
  RsEvent event = { .kind = RS_EVENT_FREED, .buffer = record->id };

  g_mutex_lock (&self->lock);
  g_hash_table_remove (self->by_buffer, record->buffer);
  g_ptr_array_remove_index (self->live, find_live_index (self, record->id));
  g_array_append_val (self->events, event);
  g_mutex_unlock (&self->lock);

  /* Gives the bytes back to their owner (a pool, the demuxer's buffer). */
  av_buffer_unref (&record->inner);
  rs_tracker_unref (record->tracker);
  g_free (record);
}

guint64
rs_tracker_wrap (RsTracker    *self,
                 AVBufferRef **ref,
                 RsBufferKind  kind,
                 const char   *origin,
                 const char   *holder)
{
  return rs_tracker_wrap_as (self, ref, kind, origin, holder, 0);
}

guint64
rs_tracker_wrap_as (RsTracker    *self,
                    AVBufferRef **ref,
                    RsBufferKind  kind,
                    const char   *origin,
                    const char   *holder,
                    guint64       id)
{
  AVBufferRef *inner;
  AVBufferRef *wrapper;
  Record *record;
  RsEvent event = { .kind = RS_EVENT_ALLOCATED };
  int flags;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (ref != NULL && *ref != NULL, 0);

  inner = *ref;
  g_return_val_if_fail (av_buffer_get_ref_count (inner) == 1, 0);

  /* With refcount 1, writability only depends on the read-only flag: keep it. */
  flags = av_buffer_is_writable (inner) ? 0 : AV_BUFFER_FLAG_READONLY;
  record = g_new0 (Record, 1);
  wrapper = av_buffer_create (inner->data, inner->size, free_record, record, flags);
  if (wrapper == NULL)
    {
      g_free (record);
      return 0;
    }

  record->tracker = rs_tracker_ref (self);
  record->inner = inner;
  record->buffer = wrapper->buffer;
  record->kind = kind;
  record->origin = rs_intern (origin);
  record->holder = rs_intern (holder);
  record->size = inner->size;

  g_mutex_lock (&self->lock);
  g_assert (id <= self->last_id);
  record->id = id != 0 ? id : ++self->last_id;
  record->born = self->step;
  g_hash_table_insert (self->by_buffer, record->buffer, record);
  /* `live` stays sorted by id: an id given back goes in its place. */
  g_ptr_array_insert (self->live, find_live_index (self, record->id), record);
  event.buffer = record->id;
  if (id == 0)
    g_array_append_val (self->events, event);
  g_mutex_unlock (&self->lock);

  *ref = wrapper;
  /* Not record->id: once unlocked, the record belongs to the tracker and
   * may be freed on another thread as soon as the wrapper is let go. */
  return event.buffer;
}

guint64
rs_tracker_lookup (RsTracker      *self,
                   const AVBuffer *buffer)
{
  Record *record;
  guint64 id;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->lock);
  record = g_hash_table_lookup (self->by_buffer, buffer);
  id = record != NULL ? record->id : 0;
  g_mutex_unlock (&self->lock);
  return id;
}

/* Read through a stack ref to the wrapper: no reference is taken. A record
 * still in the table has not been freed: its free callback would need the
 * lock the caller holds. */
static void
read_record (const Record    *record,
             RsTrackedBuffer *tracked)
{
  AVBufferRef view = { .buffer = record->buffer };

  *tracked = (RsTrackedBuffer) {
    .id = record->id, .kind = record->kind, .origin = record->origin,
    .holder = record->holder, .born = record->born, .size = record->size,
    .refcount = av_buffer_get_ref_count (&view),
    .writable = av_buffer_is_writable (&view),
  };
}

gboolean
rs_tracker_get (RsTracker       *self,
                guint64          id,
                RsTrackedBuffer *tracked)
{
  gboolean found;
  guint i;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (tracked != NULL, FALSE);

  g_mutex_lock (&self->lock);
  i = find_live_index (self, id);
  found = i < self->live->len && ((Record *) g_ptr_array_index (self->live, i))->id == id;
  if (found)
    read_record (g_ptr_array_index (self->live, i), tracked);
  g_mutex_unlock (&self->lock);
  return found;
}

void
rs_tracker_take_events (RsTracker *self,
                        GArray    *events)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (events != NULL);

  g_mutex_lock (&self->lock);
  g_array_append_vals (events, self->events->data, self->events->len);
  g_array_set_size (self->events, 0);
  g_mutex_unlock (&self->lock);
}

void
rs_tracker_collect (RsTracker *self,
                    GArray    *live,
                    GArray    *events)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (live != NULL);
  g_return_if_fail (events != NULL);

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->live->len; i++)
    {
      RsTrackedBuffer tracked;

      read_record (g_ptr_array_index (self->live, i), &tracked);
      g_array_append_val (live, tracked);
    }
  g_array_append_vals (events, self->events->data, self->events->len);
  g_array_set_size (self->events, 0);
  g_mutex_unlock (&self->lock);
}

guint
rs_tracker_get_n_live (RsTracker *self)
{
  guint n;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->lock);
  n = self->live->len;
  g_mutex_unlock (&self->lock);
  return n;
}
