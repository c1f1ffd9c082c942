/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-scenario"

#include "rs-scenario-observer-private.h"
#include "rs-intern.h"
#include "rs-observer-private.h"

/* An untracked buffer some handle holds: it keeps its id while a handle
 * holds it from one step to the next, and leaves at the end of the first
 * step none does (an address that comes back later is a new buffer). */
typedef struct {
  guint64         id;
  const AVBuffer *buffer;  /* alive while a handle holds it */
  guint           born;
  RsBufferKind    kind;
  gsize           size;
} Observed;

struct _RsScenarioObserver {
  RsTracker         *tracker;
  RsSnapshotBuilder *builder;
  guint              step;
  GHashTable        *observed;    /* const AVBuffer* -> Observed*, owned */
  GHashTable        *observed_ids; /* guint64* (its id) -> Observed* */
  GHashTable        *visible;     /* guint64* (owned) -> refs the handles hold, every buffer they hold */
  GHashTable        *lost;        /* guint64* (owned) -> refs nobody holds: this step's */
  GHashTable        *lost_before; /* the same, the step before's */
  GHashTable        *lost_for_good; /* guint64* (owned) -> refs nobody holds, from a step on for good */
  GHashTable        *touched;     /* guint64* (owned): buffers to read again at the end of the step */
  GHashTable        *unsettled;   /* guint64* (owned): buffers with refs no handle holds (libav's
                                   * or lost), read again every step */
  GArray            *events;      /* RsEvent of this step, messages owned */
};

static guint64 *
id_key (guint64 id)
{
  return g_memdup2 (&id, sizeof id);
}

RsScenarioObserver *
_rs_scenario_observer_new (void)
{
  RsScenarioObserver *self = g_new0 (RsScenarioObserver, 1);

  self->tracker = rs_tracker_new ();
  self->builder = rs_snapshot_builder_new ();
  self->observed = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->observed_ids = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->visible = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->lost = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->lost_before = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->lost_for_good = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->touched = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->unsettled = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->events = g_array_new (FALSE, FALSE, sizeof (RsEvent));
  return self;
}

static void
clear_events (GArray *events)
{
  for (guint i = 0; i < events->len; i++)
    g_free ((char *) g_array_index (events, RsEvent, i).message);
  g_array_set_size (events, 0);
}

void
_rs_scenario_observer_free (RsScenarioObserver *self)
{
  if (self == NULL)
    return;

  rs_snapshot_builder_free (self->builder);
  g_hash_table_unref (self->observed_ids);
  g_hash_table_unref (self->observed);
  g_hash_table_unref (self->visible);
  g_hash_table_unref (self->lost);
  g_hash_table_unref (self->lost_before);
  g_hash_table_unref (self->lost_for_good);
  g_hash_table_unref (self->touched);
  g_hash_table_unref (self->unsettled);
  clear_events (self->events);
  g_array_unref (self->events);
  rs_tracker_unref (self->tracker);
  g_free (self);
}

RsTracker *
_rs_scenario_observer_get_tracker (RsScenarioObserver *self)
{
  return self->tracker;
}

guint64
_rs_scenario_observer_lookup (RsScenarioObserver *self,
                              const AVBuffer     *buffer)
{
  guint64 id;
  Observed *observed;

  if ((id = rs_tracker_lookup (self->tracker, buffer)) != 0)
    return id;
  observed = g_hash_table_lookup (self->observed, buffer);
  return observed != NULL ? observed->id : 0;
}

void
_rs_scenario_observer_begin_step (RsScenarioObserver *self,
                                  guint               step)
{
  self->step = step;
  rs_tracker_set_step (self->tracker, step);
}

void
_rs_scenario_observer_add_event (RsScenarioObserver *self,
                                 const RsEvent      *event)
{
  RsEvent copy = *event;

  copy.message = g_strdup (event->message);
  g_array_append_val (self->events, copy);
}

void
_rs_scenario_observer_touch_buffer (RsScenarioObserver *self,
                                    guint64             id)
{
  if (id != 0)
    g_hash_table_add (self->touched, id_key (id));
}

static int
count_of (GHashTable *counts,
          guint64     id)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (counts, &id));
}

static void
add_count (GHashTable *counts,
           guint64     id,
           int         n)
{
  g_hash_table_replace (counts, id_key (id), GINT_TO_POINTER (count_of (counts, id) + n));
}

void
_rs_scenario_observer_add_lost (RsScenarioObserver *self,
                                guint64             id,
                                int                 count)
{
  g_return_if_fail (count > 0);
  add_count (self->lost, id, count);
}

void
_rs_scenario_observer_add_lost_for_good (RsScenarioObserver *self,
                                         guint64             id,
                                         int                 count)
{
  g_return_if_fail (count > 0);
  add_count (self->lost_for_good, id, count);
  _rs_scenario_observer_touch_buffer (self, id);
}

/* A handle no longer holds (-1) or now holds (+1) its refs. */
static void
count_refs (RsScenarioObserver *self,
            const RsHandle     *handle,
            int                 n)
{
  for (guint i = 0; handle != NULL && i < handle->n_refs; i++)
    {
      add_count (self->visible, handle->refs[i].buffer, n);
      _rs_scenario_observer_touch_buffer (self, handle->refs[i].buffer);
    }
}

void
_rs_scenario_observer_remove_handle (RsScenarioObserver *self,
                                     guint               key)
{
  count_refs (self, rs_snapshot_builder_get_handle (self->builder, key), -1);
  rs_snapshot_builder_remove_handle (self->builder, key);
}

/* The id of the buffer behind `ref`, named as the decode observer names it
 * (an RsObserverResolve); reads, never references. */
static guint64
resolve_buffer (gpointer           observer,
                const AVBufferRef *ref,
                RsBufferKind       kind)
{
  RsScenarioObserver *self = observer;
  guint64 id = rs_tracker_lookup (self->tracker, ref->buffer);
  Observed *observed;
  RsEvent event = { .kind = RS_EVENT_OBSERVED };

  if (id != 0)
    return id;
  observed = g_hash_table_lookup (self->observed, ref->buffer);
  if (observed == NULL)
    {
      observed = g_new0 (Observed, 1);
      observed->id = rs_tracker_next_id (self->tracker);
      observed->buffer = ref->buffer;
      observed->born = self->step;
      g_hash_table_insert (self->observed, ref->buffer, observed);
      g_hash_table_insert (self->observed_ids, &observed->id, observed);
      event.buffer = observed->id;
      _rs_scenario_observer_add_event (self, &event);
    }
  observed->kind = kind;
  observed->size = ref->size;
  return observed->id;
}

void
_rs_scenario_observer_set_handle (RsScenarioObserver *self,
                                  guint               key,
                                  const char         *id,
                                  const AVPacket     *packet,
                                  const AVFrame      *frame)
{
  RsHandle handle = { .id = id, .holder = rs_intern_static ("scenario"), .slot = -1, .stream = -1 };
  const RsHandle *old = rs_snapshot_builder_get_handle (self->builder, key);
  g_autoptr(RsHandle) node = NULL;
  RsRef refs[RS_OBSERVER_MAX_REFS];
  guint n_refs = 0;

  g_return_if_fail ((packet != NULL) != (frame != NULL));

  if (packet != NULL)
    _rs_observer_read_packet (&handle, refs, &n_refs, packet, resolve_buffer, self);
  else
    _rs_observer_read_frame (&handle, refs, &n_refs, frame, resolve_buffer, self);
  handle.refs = refs;
  handle.n_refs = n_refs;

  /* A struct the step only read keeps its node; the refcounts of what it
   * holds are read again all the same (another struct may have shared or
   * dropped them). */
  for (guint i = 0; i < n_refs; i++)
    _rs_scenario_observer_touch_buffer (self, refs[i].buffer);
  if (old != NULL && rs_handle_equal (old, &handle))
    return;
  node = rs_handle_new (&handle, refs, n_refs);
  count_refs (self, old, -1);
  count_refs (self, node, 1);
  rs_snapshot_builder_set_handle (self->builder, key, node);
}

/* The buffer's references split between handles, libav and nobody. */
static void
split_refcount (RsScenarioObserver *self,
                RsBuffer           *buffer,
                const char         *holder)
{
  buffer->visible = count_of (self->visible, buffer->id);
  buffer->lost = count_of (self->lost, buffer->id) + count_of (self->lost_for_good, buffer->id);
  buffer->hidden = MAX (buffer->refcount - buffer->visible - buffer->lost, 0);
  buffer->holder = buffer->hidden > 0 ? holder : NULL;
}

static int
compare_id (gconstpointer a,
            gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

static void
touch_all (RsScenarioObserver *self,
           GHashTable         *ids)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, ids);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    _rs_scenario_observer_touch_buffer (self, *(guint64 *) key);
}

/* Buffer `id` as it is now, into the builder. An untracked one no handle
 * holds any more leaves view (its id goes to `gone`); a tracked one no
 * handle holds at the end is leaked (its id goes to `leaked`). */
static void
update_buffer (RsScenarioObserver *self,
               guint64             id,
               gboolean            final,
               GArray             *gone,
               GArray             *leaked)
{
  Observed *observed = g_hash_table_lookup (self->observed_ids, &id);
  RsTrackedBuffer tracked;
  RsBuffer buffer;
  const RsBuffer *old;

  if (count_of (self->visible, id) == 0)
    g_hash_table_remove (self->visible, &id);
  if (observed != NULL && count_of (self->visible, id) == 0)
    {
      g_array_append_val (gone, id);
      g_hash_table_remove (self->observed_ids, &id);
      g_hash_table_remove (self->observed, observed->buffer);
      observed = NULL;
    }

  /* Refcount 0: its free callback is waiting for the lock right now. */
  if (rs_tracker_get (self->tracker, id, &tracked) && tracked.refcount != 0)
    {
      buffer = (RsBuffer) {
        .id = tracked.id, .kind = tracked.kind, .size = tracked.size,
        .refcount = tracked.refcount, .origin = tracked.origin, .born = tracked.born,
        .tracked = TRUE, .writable = tracked.writable,
      };
      split_refcount (self, &buffer, tracked.holder);
      if (final && buffer.visible == 0)
        {
          buffer.leaked = TRUE;
          g_array_append_val (leaked, id);
        }
    }
  else if (observed != NULL)
    {
      /* Read through a stack ref: a handle holds it, so it is alive. */
      AVBufferRef view = { .buffer = (AVBuffer *) observed->buffer };

      buffer = (RsBuffer) {
        .id = observed->id, .kind = observed->kind, .size = observed->size,
        .refcount = av_buffer_get_ref_count (&view), .origin = rs_intern_static ("observed"),
        .born = observed->born, .writable = av_buffer_is_writable (&view),
      };
      split_refcount (self, &buffer, rs_intern_static ("libav"));
    }
  else
    {
      if (rs_snapshot_builder_get_buffer (self->builder, id) != NULL)
        rs_snapshot_builder_remove_buffer (self->builder, id);
      g_hash_table_remove (self->unsettled, &id);
      return;
    }

  /* References lost for good change only with a step that touches the
   * buffer (it adds more, or a handle sharing it changes): not read again. */
  if (buffer.hidden > 0 || count_of (self->lost, id) > 0)
    g_hash_table_add (self->unsettled, id_key (id));
  else
    g_hash_table_remove (self->unsettled, &id);
  old = rs_snapshot_builder_get_buffer (self->builder, id);
  if (old == NULL || !rs_buffer_equal (old, &buffer))
    {
      g_autoptr(RsBuffer) node = rs_buffer_new (&buffer);

      rs_snapshot_builder_set_buffer (self->builder, node);
    }
}

RsSnapshot *
_rs_scenario_observer_finish_step (RsScenarioObserver *self,
                                   const RsStepInfo   *info,
                                   gboolean            final)
{
  g_autoptr(GArray) events = g_array_new (FALSE, FALSE, sizeof (RsEvent));
  g_autoptr(GArray) gone = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr(GArray) leaked = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autofree gpointer *ids = NULL;
  guint n_ids = 0;
  RsSnapshot *snapshot;
  GHashTable *swap;

  g_return_val_if_fail (info != NULL && info->step == self->step, NULL);

  /* The order of the decode observer's: the tracker's events, the
   * session's, then leaks and buffers gone from view, by id. */
  rs_tracker_take_events (self->tracker, events);
  for (guint i = 0; i < events->len; i++)
    _rs_scenario_observer_touch_buffer (self, g_array_index (events, RsEvent, i).buffer);
  g_array_append_vals (events, self->events->data, self->events->len);
  g_array_set_size (self->events, 0);

  /* What may have changed though no handle did. */
  touch_all (self, self->lost);
  touch_all (self, self->lost_before);
  touch_all (self, self->unsettled);
  if (final)
    {
      g_autoptr(GArray) live = g_array_new (FALSE, FALSE, sizeof (RsTrackedBuffer));
      g_autoptr(GArray) none = g_array_new (FALSE, FALSE, sizeof (RsEvent));

      rs_tracker_collect (self->tracker, live, none);
      for (guint i = 0; i < live->len; i++)
        _rs_scenario_observer_touch_buffer (self, g_array_index (live, RsTrackedBuffer, i).id);
    }

  ids = g_hash_table_get_keys_as_array (self->touched, &n_ids);
  for (guint i = 0; i < n_ids; i++)
    update_buffer (self, *(guint64 *) ids[i], final, gone, leaked);
  g_hash_table_remove_all (self->touched);

  g_array_sort (leaked, compare_id);
  for (guint i = 0; i < leaked->len; i++)
    {
      RsEvent event = { .kind = RS_EVENT_LEAKED, .buffer = g_array_index (leaked, guint64, i) };
      g_array_append_val (events, event);
    }
  g_array_sort (gone, compare_id);
  for (guint i = 0; i < gone->len; i++)
    {
      RsEvent event = { .kind = RS_EVENT_UNOBSERVED, .buffer = g_array_index (gone, guint64, i) };
      g_array_append_val (events, event);
    }

  snapshot = rs_snapshot_builder_finish (self->builder, info, (const RsEvent *) events->data, events->len);
  clear_events (events);

  swap = self->lost_before;
  self->lost_before = self->lost;
  self->lost = swap;
  g_hash_table_remove_all (self->lost);
  return snapshot;
}
