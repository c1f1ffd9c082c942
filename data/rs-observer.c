/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-observer"

#include "rs-observer-private.h"
#include "rs-intern.h"

#include <libavutil/pixdesc.h>
#include <libavutil/samplefmt.h>
#include <pthread.h>

/* An untracked buffer some handle holds. */
typedef struct {
  guint64       id;
  guint         last_step;  /* last step a handle held it */
  guint         born;
  RsBufferKind  kind;
  gsize         size;
  int           refcount;
  gboolean      writable;
} Observed;

/* References to a buffer, counted in a step: an array of these is
 * appended to, then sorted once and searched (no allocation per
 * reference: a session adds dozens every step). */
typedef struct {
  guint64 id;
  int     n;
} Count;

typedef struct {
  GArray   *counts;  /* Count, an id may come more than once */
  gboolean  sorted;
} Counts;

struct _RsObserver {
  RsTracker  *tracker;
  guint       step;
  GPtrArray  *handles;       /* RsHandle*, owned: the step being built */
  Counts      visible;       /* refs held by handles */
  Counts      lost;          /* refs nobody holds */
  GHashTable *observed;      /* const AVBuffer* -> Observed*, owned */
  GArray     *events;        /* RsEvent of this step, from the session */
  /* finish_step()'s working arrays, kept from step to step */
  GArray     *live;          /* RsTrackedBuffer */
  GArray     *step_events;   /* RsEvent */
  GPtrArray  *buffers;       /* RsBuffer*, owned */
  GArray     *gone;          /* guint64 */
  RsSnapshot *previous;      /* owned, nullable */
  GHashTable *previous_handles; /* interned id -> RsHandle* of `previous`, made
                                 * when a handle is not where it was */
  gboolean    previous_indexed;
  GPtrArray  *previous_of;   /* RsHandle* of `previous` (borrowed) or NULL, for
                              * each of `handles` */
  GHashTable *older_handles; /* interned id -> RsHandle*, owned: the node the id had
                              * before its node in `previous` */
  GHashTable *oldest_handles; /* interned id -> RsHandle*, owned: the one before that */
};

RsObserver *
rs_observer_new (void)
{
  RsObserver *self = g_new0 (RsObserver, 1);

  self->tracker = rs_tracker_new ();
  self->handles = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_handle_unref);
  self->visible.counts = g_array_new (FALSE, FALSE, sizeof (Count));
  self->lost.counts = g_array_new (FALSE, FALSE, sizeof (Count));
  self->observed = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->events = g_array_new (FALSE, FALSE, sizeof (RsEvent));
  self->live = g_array_new (FALSE, FALSE, sizeof (RsTrackedBuffer));
  self->step_events = g_array_new (FALSE, FALSE, sizeof (RsEvent));
  self->buffers = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_buffer_unref);
  self->gone = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->previous_handles = g_hash_table_new (NULL, NULL);
  self->previous_of = g_ptr_array_new ();
  self->older_handles = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) rs_handle_unref);
  self->oldest_handles = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) rs_handle_unref);
  return self;
}

void
rs_observer_free (RsObserver *self)
{
  if (self == NULL)
    return;

  g_ptr_array_unref (self->handles);
  g_array_unref (self->visible.counts);
  g_array_unref (self->lost.counts);
  g_hash_table_unref (self->observed);
  for (guint i = 0; i < self->events->len; i++)
    g_free ((char *) g_array_index (self->events, RsEvent, i).message);
  g_array_unref (self->events);
  g_array_unref (self->live);
  g_array_unref (self->step_events);
  g_ptr_array_unref (self->buffers);
  g_array_unref (self->gone);
  g_hash_table_unref (self->previous_handles);
  g_ptr_array_unref (self->previous_of);
  g_hash_table_unref (self->older_handles);
  g_hash_table_unref (self->oldest_handles);
  g_clear_pointer (&self->previous, rs_snapshot_unref);
  rs_tracker_unref (self->tracker);
  g_free (self);
}

RsTracker *
rs_observer_get_tracker (RsObserver *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->tracker;
}

guint64
rs_observer_lookup (RsObserver     *self,
                    const AVBuffer *buffer)
{
  guint64 id;
  Observed *observed;

  g_return_val_if_fail (self != NULL, 0);

  if ((id = rs_tracker_lookup (self->tracker, buffer)) != 0)
    return id;
  observed = g_hash_table_lookup (self->observed, buffer);
  return observed != NULL ? observed->id : 0;
}

void
rs_observer_begin_step (RsObserver *self,
                        guint       step)
{
  g_return_if_fail (self != NULL);

  self->step = step;
  rs_tracker_set_step (self->tracker, step);
}

void
rs_observer_add_event (RsObserver    *self,
                       const RsEvent *event)
{
  RsEvent copy;

  g_return_if_fail (self != NULL);
  g_return_if_fail (event != NULL);

  /* The message is owned by the observer until the snapshot has copied it. */
  copy = *event;
  copy.message = g_strdup (event->message);
  g_array_append_val (self->events, copy);
}

static void
add_count (Counts  *counts,
           guint64  id,
           int      n)
{
  Count count = { id, n };

  g_array_append_val (counts->counts, count);
  counts->sorted = FALSE;
}

static int
compare_count (gconstpointer a,
               gconstpointer b)
{
  guint64 x = ((const Count *) a)->id, y = ((const Count *) b)->id;

  return x < y ? -1 : x > y;
}

static int
count_of (Counts  *counts,
          guint64  id)
{
  const Count *all = (const Count *) counts->counts->data;
  guint lo = 0, hi = counts->counts->len;
  int n = 0;

  if (hi == 0)
    return 0;
  if (!counts->sorted)
    {
      g_array_sort (counts->counts, compare_count);
      counts->sorted = TRUE;
    }
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (all[mid].id < id)
        lo = mid + 1;
      else
        hi = mid;
    }
  for (; lo < counts->counts->len && all[lo].id == id; lo++)
    n += all[lo].n;
  return n;
}

static void
clear_counts (Counts *counts)
{
  g_array_set_size (counts->counts, 0);
  counts->sorted = TRUE;
}

static void
count_visible (RsObserver *self,
               guint64     id)
{
  add_count (&self->visible, id, 1);
}

void
rs_observer_add_lost (RsObserver *self,
                      guint64     id,
                      int         count)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (count > 0);

  add_count (&self->lost, id, count);
}

/* The id of the buffer behind `ref` (an RsObserverResolve); reads, never
 * references. Counts the reference as a handle's. */
static guint64
resolve_buffer (gpointer           observer,
                const AVBufferRef *ref,
                RsBufferKind       kind)
{
  RsObserver *self = observer;
  guint64 id = rs_tracker_lookup (self->tracker, ref->buffer);
  Observed *observed;

  if (id == 0)
    {
      /* Entries leave the table in the first step no handle holds them, so
       * an address that comes back after a gap starts a new generation. */
      observed = g_hash_table_lookup (self->observed, ref->buffer);
      if (observed == NULL)
        {
          observed = g_new0 (Observed, 1);
          observed->id = rs_tracker_next_id (self->tracker);
          observed->born = self->step;
          g_hash_table_insert (self->observed, ref->buffer, observed);
          rs_observer_add_event (self, &(RsEvent) { .kind = RS_EVENT_OBSERVED, .buffer = observed->id });
        }
      observed->last_step = self->step;
      observed->kind = kind;
      observed->size = ref->size;
      observed->refcount = av_buffer_get_ref_count (ref);
      observed->writable = av_buffer_is_writable (ref);
      id = observed->id;
    }

  count_visible (self, id);
  return id;
}

/* The names of the fields refs are read from, interned once for the
 * process (both observers, every step, read them). */
enum { FIELD_BUF, FIELD_EXTENDED_BUF, FIELD_SIDE_DATA, N_INDEXED_FIELDS };

static struct {
  const char *buf, *opaque_ref, *hw_frames_ctx, *private_ref;
  const char *indexed[N_INDEXED_FIELDS][RS_OBSERVER_MAX_REFS]; /* "buf[3]", ... */
} field_names;

/* pthread_once, not g_once: ThreadSanitizer sees it. */
static pthread_once_t field_names_once = PTHREAD_ONCE_INIT;

static const char *
intern_indexed (guint field,
                guint index)
{
  static const char *names[N_INDEXED_FIELDS] = { "buf", "extended_buf", "side_data" };
  char name[64];

  g_snprintf (name, sizeof name, "%s[%u]", names[field], index);
  return rs_intern (name);
}

static void
make_field_names (void)
{
  field_names.buf = rs_intern_static ("buf");
  field_names.opaque_ref = rs_intern_static ("opaque_ref");
  field_names.hw_frames_ctx = rs_intern_static ("hw_frames_ctx");
  field_names.private_ref = rs_intern_static ("private_ref");
  for (guint field = 0; field < N_INDEXED_FIELDS; field++)
    for (guint i = 0; i < RS_OBSERVER_MAX_REFS; i++)
      field_names.indexed[field][i] = intern_indexed (field, i);
}

static const char *
indexed_field (guint field,
               guint index)
{
  return index < RS_OBSERVER_MAX_REFS ? field_names.indexed[field][index] : intern_indexed (field, index);
}

static void
add_ref (RsRef             *refs,
         guint             *n_refs,
         const char        *field,
         const AVBufferRef *ref,
         RsBufferKind       kind,
         RsObserverResolve  resolve,
         gpointer           observer)
{
  if (ref == NULL)
    return;
  g_return_if_fail (*n_refs < RS_OBSERVER_MAX_REFS);

  refs[*n_refs].field = field;
  refs[*n_refs].buffer = resolve (observer, ref, kind);
  (*n_refs)++;
}

void
_rs_observer_read_packet (RsHandle          *handle,
                          RsRef             *refs,
                          guint             *n_refs,
                          const AVPacket    *packet,
                          RsObserverResolve  resolve,
                          gpointer           observer)
{
  pthread_once (&field_names_once, make_field_names);

  handle->kind = RS_HANDLE_PACKET;
  handle->pts = handle->dts = RS_NO_TIMESTAMP;
  if (packet == NULL)
    return;
  if (packet->buf != NULL || packet->data != NULL)
    {
      handle->stream = packet->stream_index;
      handle->pts = packet->pts;
      handle->dts = packet->dts;
      handle->size = packet->size;
      handle->key = (packet->flags & AV_PKT_FLAG_KEY) != 0;
    }
  add_ref (refs, n_refs, field_names.buf, packet->buf, RS_BUFFER_KIND_PACKET, resolve, observer);
  add_ref (refs, n_refs, field_names.opaque_ref, packet->opaque_ref, RS_BUFFER_KIND_SIDE_DATA, resolve, observer);
}

void
_rs_observer_read_frame (RsHandle          *handle,
                         RsRef             *refs,
                         guint             *n_refs,
                         const AVFrame     *frame,
                         RsObserverResolve  resolve,
                         gpointer           observer)
{
  RsBufferKind plane_kind = RS_BUFFER_KIND_PICTURE;

  pthread_once (&field_names_once, make_field_names);

  handle->kind = RS_HANDLE_FRAME;
  handle->pts = handle->dts = RS_NO_TIMESTAMP;
  if (frame == NULL)
    return;
  if (frame->buf[0] != NULL || frame->data[0] != NULL)
    {
      handle->pts = frame->pts;
      handle->key = frame->key_frame != 0;
      if (frame->width > 0)
        {
          handle->pict_type = av_get_picture_type_char (frame->pict_type);
          handle->format = rs_intern (av_get_pix_fmt_name (frame->format));
          handle->width = frame->width;
          handle->height = frame->height;
        }
      else if (frame->nb_samples > 0)
        {
          plane_kind = RS_BUFFER_KIND_AUDIO;
          handle->format = rs_intern (av_get_sample_fmt_name (frame->format));
          handle->nb_samples = frame->nb_samples;
          handle->sample_rate = frame->sample_rate;
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (frame->buf); i++)
    add_ref (refs, n_refs, indexed_field (FIELD_BUF, i), frame->buf[i], plane_kind, resolve, observer);
  for (int i = 0; i < frame->nb_extended_buf && *n_refs < RS_OBSERVER_MAX_REFS; i++)
    add_ref (refs, n_refs, indexed_field (FIELD_EXTENDED_BUF, i), frame->extended_buf[i], plane_kind,
             resolve, observer);
  for (int i = 0; i < frame->nb_side_data && *n_refs < RS_OBSERVER_MAX_REFS; i++)
    add_ref (refs, n_refs, indexed_field (FIELD_SIDE_DATA, i), frame->side_data[i]->buf,
             RS_BUFFER_KIND_SIDE_DATA, resolve, observer);
  add_ref (refs, n_refs, field_names.hw_frames_ctx, frame->hw_frames_ctx, RS_BUFFER_KIND_OTHER, resolve, observer);
  add_ref (refs, n_refs, field_names.opaque_ref, frame->opaque_ref, RS_BUFFER_KIND_SIDE_DATA, resolve, observer);
  add_ref (refs, n_refs, field_names.private_ref, frame->private_ref, RS_BUFFER_KIND_OTHER, resolve, observer);
}

/* The previous step's handle at `index` if its id is `id`: a session lists
 * its handles in the same order every step. */
static RsHandle *
previous_at (RsObserver *self,
             guint       index,
             const char *id)
{
  RsHandle *previous;

  if (self->previous == NULL || index >= rs_snapshot_get_n_handles (self->previous))
    return NULL;
  previous = (RsHandle *) rs_snapshot_get_handle (self->previous, index);
  return previous->id == id ? previous : NULL;
}

/* The node `id` (interned) had in the previous step, or NULL: at the same
 * place first, else from a table of them made on first use in a step. */
static RsHandle *
find_previous (RsObserver *self,
               guint       index,
               const char *id)
{
  RsHandle *previous;

  if (self->previous == NULL)
    return NULL;
  if ((previous = previous_at (self, index, id)) != NULL)
    return previous;
  if (!self->previous_indexed)
    {
      for (guint i = 0; i < rs_snapshot_get_n_handles (self->previous); i++)
        {
          const RsHandle *handle = rs_snapshot_get_handle (self->previous, i);
          g_hash_table_insert (self->previous_handles, (gpointer) handle->id, (gpointer) handle);
        }
      self->previous_indexed = TRUE;
    }
  return g_hash_table_lookup (self->previous_handles, id);
}

/* Keeps the previous step's node when nothing changed, so snapshots share
 * it; and one of the two before when the handle went back to it (a packet
 * handle is empty, then full, then empty again; a frame queue's slot is
 * empty, full, shown, then empty: one empty node serves them all). */
static void
push_handle (RsObserver     *self,
             const RsHandle *fields,
             const RsRef    *refs,
             guint           n_refs)
{
  RsHandle candidate = *fields;
  RsHandle *previous, *older;

  /* An id found where it was is interned already (its own interned
   * string): the common case needs no look-up in the interned set. */
  if ((previous = previous_at (self, self->handles->len, fields->id)) != NULL)
    candidate.id = previous->id;
  else
    {
      candidate.id = rs_intern (fields->id);
      previous = find_previous (self, self->handles->len, candidate.id);
    }
  candidate.refs = (RsRef *) refs;
  candidate.n_refs = n_refs;
  g_ptr_array_add (self->previous_of, previous);
  if (previous != NULL && rs_handle_equal (previous, &candidate))
    g_ptr_array_add (self->handles, rs_handle_ref (previous));
  else if ((older = g_hash_table_lookup (self->older_handles, candidate.id)) != NULL &&
           rs_handle_equal (older, &candidate))
    g_ptr_array_add (self->handles, rs_handle_ref (older));
  else if ((older = g_hash_table_lookup (self->oldest_handles, candidate.id)) != NULL &&
           rs_handle_equal (older, &candidate))
    g_ptr_array_add (self->handles, rs_handle_ref (older));
  else
    g_ptr_array_add (self->handles, rs_handle_new (&candidate, refs, n_refs));
}

void
rs_observer_add_packet (RsObserver     *self,
                        const RsHandle *fields,
                        const AVPacket *packet)
{
  RsHandle handle = *fields;
  RsRef refs[RS_OBSERVER_MAX_REFS];
  guint n_refs = 0;

  g_return_if_fail (self != NULL);
  g_return_if_fail (fields != NULL);

  _rs_observer_read_packet (&handle, refs, &n_refs, packet, resolve_buffer, self);
  push_handle (self, &handle, refs, n_refs);
}

void
rs_observer_add_subtitle (RsObserver       *self,
                          const RsHandle   *fields,
                          const AVSubtitle *subtitle)
{
  RsHandle handle = *fields;

  g_return_if_fail (self != NULL);
  g_return_if_fail (fields != NULL);

  handle.kind = RS_HANDLE_SUBTITLE;
  handle.pts = handle.dts = RS_NO_TIMESTAMP;
  if (subtitle != NULL)
    {
      handle.pts = subtitle->pts;
      /* Format 0 is graphics, 1 text (AVSubtitle.format). */
      handle.format = rs_intern_static (subtitle->format == 0 ? "bitmap" : "text");
      handle.n_rects = (int) subtitle->num_rects;
      handle.start_display = subtitle->start_display_time;
      handle.end_display = subtitle->end_display_time;
    }
  push_handle (self, &handle, NULL, 0);
}

void
rs_observer_add_frame (RsObserver     *self,
                       const RsHandle *fields,
                       const AVFrame  *frame)
{
  RsHandle handle = *fields;
  RsRef refs[RS_OBSERVER_MAX_REFS];
  guint n_refs = 0;

  g_return_if_fail (self != NULL);
  g_return_if_fail (fields != NULL);

  _rs_observer_read_frame (&handle, refs, &n_refs, frame, resolve_buffer, self);
  push_handle (self, &handle, refs, n_refs);
}

static void
push_buffer (RsObserver     *self,
             GPtrArray      *buffers,
             const RsBuffer *candidate)
{
  const RsBuffer *previous = NULL;

  if (self->previous != NULL)
    previous = rs_snapshot_find_buffer (self->previous, candidate->id);
  if (previous != NULL && rs_buffer_equal (previous, candidate))
    g_ptr_array_add (buffers, rs_buffer_ref ((RsBuffer *) previous));
  else
    g_ptr_array_add (buffers, rs_buffer_new (candidate));
}

/* The buffer's references split between handles, libav and nobody. Under
 * frame threads a count read a moment after another can disagree: then
 * libav is given nothing rather than a negative count. */
static void
split_refcount (RsObserver *self,
                RsBuffer   *buffer,
                const char *holder)
{
  buffer->visible = count_of (&self->visible, buffer->id);
  buffer->lost = count_of (&self->lost, buffer->id);
  buffer->hidden = MAX (buffer->refcount - buffer->visible - buffer->lost, 0);
  buffer->holder = buffer->hidden > 0 ? holder : NULL;
}

static int
compare_buffer_id (gconstpointer a,
                   gconstpointer b)
{
  const RsBuffer *x = *(RsBuffer **) a;
  const RsBuffer *y = *(RsBuffer **) b;

  return x->id < y->id ? -1 : x->id > y->id;
}

static int
compare_id (gconstpointer a,
            gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

RsSnapshot *
rs_observer_finish_step (RsObserver       *self,
                         const RsStepInfo *info,
                         gboolean          final)
{
  GArray *live, *events, *gone;
  GPtrArray *buffers;
  GHashTableIter iter;
  gpointer value;
  RsSnapshot *snapshot;
  gboolean observed_added = FALSE;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (info != NULL && info->step == self->step, NULL);

  /* Kept from step to step, emptied at the end. */
  live = self->live;
  events = self->step_events;
  buffers = self->buffers;
  gone = self->gone;

  rs_tracker_collect (self->tracker, live, events);
  g_array_append_vals (events, self->events->data, self->events->len);
  g_array_set_size (self->events, 0);

  for (guint i = 0; i < live->len; i++)
    {
      const RsTrackedBuffer *tracked = &g_array_index (live, RsTrackedBuffer, i);
      RsBuffer buffer = {
        .id = tracked->id, .kind = tracked->kind, .size = tracked->size,
        .refcount = tracked->refcount, .origin = tracked->origin, .born = tracked->born,
        .tracked = TRUE, .writable = tracked->writable,
      };

      /* Refcount 0: its free callback is waiting for the lock right now. */
      if (tracked->refcount == 0)
        continue;
      split_refcount (self, &buffer, tracked->holder);
      if (final && buffer.visible == 0)
        {
          RsEvent leaked = { .kind = RS_EVENT_LEAKED, .buffer = tracked->id };

          buffer.leaked = TRUE;
          g_array_append_val (events, leaked);
        }
      push_buffer (self, buffers, &buffer);
    }

  g_hash_table_iter_init (&iter, self->observed);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Observed *observed = value;
      RsBuffer buffer;

      if (observed->last_step != self->step)
        {
          g_array_append_val (gone, observed->id);
          g_hash_table_iter_remove (&iter);
          continue;
        }

      buffer = (RsBuffer) {
        .id = observed->id, .kind = observed->kind, .size = observed->size,
        .refcount = observed->refcount, .origin = rs_intern_static ("observed"),
        .born = observed->born, .writable = observed->writable,
      };
      split_refcount (self, &buffer, rs_intern_static ("libav"));
      push_buffer (self, buffers, &buffer);
      observed_added = TRUE;
    }
  if (observed_added)
    g_ptr_array_sort (buffers, compare_buffer_id);
  /* Hash order is not deterministic; the trace must be. */
  g_array_sort (gone, compare_id);
  for (guint i = 0; i < gone->len; i++)
    {
      RsEvent event = { .kind = RS_EVENT_UNOBSERVED, .buffer = g_array_index (gone, guint64, i) };
      g_array_append_val (events, event);
    }

  snapshot = rs_snapshot_new_step (info, self->handles, buffers,
                                   (const RsEvent *) events->data, events->len);
  for (guint i = 0; i < events->len; i++)
    g_free ((char *) g_array_index (events, RsEvent, i).message);

  for (guint i = 0; i < rs_snapshot_get_n_handles (snapshot); i++)
    {
      const RsHandle *handle = rs_snapshot_get_handle (snapshot, i);
      RsHandle *previous = g_ptr_array_index (self->previous_of, i);

      if (previous != NULL && previous != handle)
        {
          RsHandle *older = NULL;

          /* A frame queue's slot is empty, full, then full and shown, then
           * empty again: the empty node is two changes back. */
          if (g_hash_table_steal_extended (self->older_handles, handle->id, NULL, (gpointer *) &older))
            {
              if (older != handle)
                g_hash_table_replace (self->oldest_handles, (gpointer) handle->id, older);
              else
                rs_handle_unref (older);
            }
          g_hash_table_replace (self->older_handles, (gpointer) handle->id, rs_handle_ref (previous));
        }
    }
  g_clear_pointer (&self->previous, rs_snapshot_unref);
  self->previous = rs_snapshot_ref (snapshot);
  if (self->previous_indexed)
    g_hash_table_remove_all (self->previous_handles);
  self->previous_indexed = FALSE;
  g_ptr_array_set_size (self->previous_of, 0);
  g_ptr_array_set_size (self->handles, 0);
  clear_counts (&self->visible);
  clear_counts (&self->lost);
  g_array_set_size (live, 0);
  g_array_set_size (events, 0);
  g_ptr_array_set_size (buffers, 0);
  g_array_set_size (gone, 0);

  return snapshot;
}
