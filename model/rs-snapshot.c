/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-snapshot"

#include "rs-snapshot.h"
#include "rs-intern.h"
#include "rs-snapshot-private.h"
#include "rs-snapshot-internal.h"

#include <glib/gi18n.h>
#include <string.h>

/* A step's call and arguments in words, and the handle it produced into,
 * interned together: a decode repeats a few dozen of them, and a snapshot
 * keeps one pointer. Counted under `texts_lock`; freed with the last
 * snapshot that has it. */
struct _StepText {
  char       *call;
  char       *args;   /* nullable */
  const char *out;    /* interned; nullable */
  guint       count;
};

/* The ring ends of a step's queues, sorted by group name, interned like
 * StepText: a queue's ends take a few dozen values (capacity squared), and
 * a step that moves them keeps one pointer, not new slot nodes. */
struct _RingSet {
  guint       count;
  guint       n;
  RsRingEnds  ends[];
};

/* A step's text and its ring ends, interned as a pair (holding a count on
 * each): the snapshot keeps one pointer for both. */
struct _StepKey {
  StepText *text;
  RingSet  *rings;  /* nullable */
  guint     count;
};

static GMutex      texts_lock;
static GHashTable *texts;  /* StepText* set */
static GHashTable *ring_sets;  /* RingSet* set */
static GHashTable *step_keys;  /* StepKey* set */

static guint
step_text_hash (gconstpointer p)
{
  const StepText *text = p;

  return (g_str_hash (text->call) * 31 + (text->args != NULL ? g_str_hash (text->args) : 0)) * 31 +
         g_direct_hash (text->out);
}

static gboolean
step_text_equal (gconstpointer a,
                 gconstpointer b)
{
  const StepText *x = a, *y = b;

  return g_str_equal (x->call, y->call) && g_strcmp0 (x->args, y->args) == 0 && x->out == y->out;
}

/* The interned triple (a new count on it); `out` is interned. */
static StepText *
step_text_get (const char *call,
               const char *args,
               const char *out)
{
  StepText key = { (char *) call, (char *) args, out, 0 };
  StepText *text;

  g_mutex_lock (&texts_lock);
  if (texts == NULL)
    texts = g_hash_table_new (step_text_hash, step_text_equal);
  text = g_hash_table_lookup (texts, &key);
  if (text == NULL)
    {
      text = g_new (StepText, 1);
      text->call = g_strdup (call);
      text->args = g_strdup (args);
      text->out = out;
      text->count = 0;
      g_hash_table_add (texts, text);
    }
  text->count++;
  g_mutex_unlock (&texts_lock);
  return text;
}

static void
step_text_release (StepText *text)
{
  g_mutex_lock (&texts_lock);
  if (--text->count == 0)
    {
      g_hash_table_remove (texts, text);
      g_free (text->call);
      g_free (text->args);
      g_free (text);
    }
  g_mutex_unlock (&texts_lock);
}

static guint
ring_set_hash (gconstpointer p)
{
  const RingSet *set = p;
  guint hash = set->n;

  for (guint i = 0; i < set->n; i++)
    hash = ((hash * 31 + g_direct_hash (set->ends[i].group)) * 31 + set->ends[i].head) * 31 +
           set->ends[i].tail;
  return hash;
}

static gboolean
ring_set_equal (gconstpointer a,
                gconstpointer b)
{
  const RingSet *x = a, *y = b;

  return x->n == y->n && memcmp (x->ends, y->ends, x->n * sizeof (RsRingEnds)) == 0;
}

static int
compare_ring_ends (gconstpointer a,
                   gconstpointer b)
{
  return g_strcmp0 (((const RsRingEnds *) a)->group, ((const RsRingEnds *) b)->group);
}

/* The interned set of `ends` (a new count on it), or NULL when there are none. */
static RingSet *
ring_set_get (const RsRingEnds *ends,
              guint             n)
{
  g_autofree RingSet *key = NULL;
  RingSet *set;

  if (n == 0)
    return NULL;
  /* Zeroed: the padding of each entry is compared and hashed with it. */
  key = g_malloc0 (sizeof (RingSet) + n * sizeof (RsRingEnds));
  key->n = n;
  for (guint i = 0; i < n; i++)
    {
      key->ends[i].group = rs_intern (ends[i].group);
      key->ends[i].head = ends[i].head;
      key->ends[i].tail = ends[i].tail;
    }
  qsort (key->ends, n, sizeof (RsRingEnds), compare_ring_ends);

  g_mutex_lock (&texts_lock);
  if (ring_sets == NULL)
    ring_sets = g_hash_table_new (ring_set_hash, ring_set_equal);
  set = g_hash_table_lookup (ring_sets, key);
  if (set == NULL)
    {
      set = g_steal_pointer (&key);
      g_hash_table_add (ring_sets, set);
    }
  set->count++;
  g_mutex_unlock (&texts_lock);
  return set;
}

static void
ring_set_release (RingSet *set)
{
  if (set == NULL)
    return;
  g_mutex_lock (&texts_lock);
  if (--set->count == 0)
    {
      g_hash_table_remove (ring_sets, set);
      g_free (set);
    }
  g_mutex_unlock (&texts_lock);
}

static guint
step_key_hash (gconstpointer p)
{
  const StepKey *key = p;

  return g_direct_hash (key->text) * 31 + g_direct_hash (key->rings);
}

static gboolean
step_key_equal (gconstpointer a,
                gconstpointer b)
{
  const StepKey *x = a, *y = b;

  return x->text == y->text && x->rings == y->rings;
}

/* The interned pair of `text` and `rings` (a new count on it), taking the
 * caller's counts on both. */
static StepKey *
step_key_get (StepText *text,
              RingSet  *rings)
{
  StepKey lookup = { text, rings, 0 };
  StepKey *key;
  gboolean known;

  g_mutex_lock (&texts_lock);
  if (step_keys == NULL)
    step_keys = g_hash_table_new (step_key_hash, step_key_equal);
  key = g_hash_table_lookup (step_keys, &lookup);
  known = key != NULL;
  if (!known)
    {
      key = g_new (StepKey, 1);
      *key = lookup;
      g_hash_table_add (step_keys, key);
    }
  key->count++;
  g_mutex_unlock (&texts_lock);
  /* The pair holds one count on each already. */
  if (known)
    {
      step_text_release (text);
      ring_set_release (rings);
    }
  return key;
}

/* Another count on `key`, for a history that keeps the step packed
 * (rs-snapshot-pack.c). */
StepKey *
_rs_step_key_ref (StepKey *key)
{
  g_mutex_lock (&texts_lock);
  key->count++;
  g_mutex_unlock (&texts_lock);
  return key;
}

void
_rs_step_key_release (StepKey *key)
{
  gboolean last;

  g_mutex_lock (&texts_lock);
  last = --key->count == 0;
  if (last)
    g_hash_table_remove (step_keys, key);
  g_mutex_unlock (&texts_lock);
  if (last)
    {
      step_text_release (key->text);
      ring_set_release (key->rings);
      g_free (key);
    }
}

static gboolean
is_short (const RsEvent *event)
{
  return event->buffer < (G_GUINT64_CONSTANT (1) << (64 - SHORT_KIND_BITS)) &&
         (guint) event->kind < (1u << SHORT_KIND_BITS) && event->handle == NULL && event->call == NULL && event->site.file == NULL &&
         event->site.function == NULL && event->site.line == 0 && event->site.column == 0 &&
         event->site.module == NULL && event->reason == RS_LOSS_NONE && event->count == 0 &&
         event->fault == RS_FAULT_NONE && event->field == NULL && event->value[0] == 0 &&
         event->value[1] == 0 && event->value[2] == 0 && event->message == NULL;
}

static const RsSite unknown_site;


RsSnapshot *
rs_snapshot_new (guint          step,
                 const char    *call,
                 int            ret,
                 gboolean       exact,
                 const char    *out,
                 GPtrArray     *handles,
                 GPtrArray     *buffers,
                 const RsEvent *events,
                 guint          n_events)
{
  RsStepInfo info = { step, call, NULL, ret, exact, out };

  return rs_snapshot_new_step (&info, handles, buffers, events, n_events);
}

/* A snapshot of `info` and `events` without nodes yet. */
RsSnapshot *
_rs_snapshot_alloc (const RsStepInfo *info,
                    const RsEvent    *events,
                    guint             n_events)
{
  RsSnapshot *self;
  gboolean all_short = n_events > 0;

  for (guint i = 0; i < n_events && all_short; i++)
    all_short = is_short (&events[i]);

  /* Events in the same block: a step has one or none, most often. */
  self = g_malloc0 (sizeof (RsSnapshot) + n_events * (all_short ? sizeof (ShortEvent) : sizeof (RsEvent)));
  g_atomic_ref_count_init (&self->rc);
  self->step = info->step;
  self->key = step_key_get (step_text_get (info->call, info->args, rs_intern (info->out)),
                            ring_set_get (info->rings, info->n_rings));
  self->ret = info->ret;
  self->exact = info->exact != FALSE;
  if (info->thread != 0 || rs_site_is_known (&info->site) || info->site.column != 0)
    {
      self->extra = g_new0 (SnapshotExtra, 1);
      self->extra->thread = info->thread;
      if (rs_site_is_known (&info->site) || info->site.column != 0)
        self->extra->site = info->site;
    }
  self->n_events = n_events;
  self->short_events = all_short;
  if (all_short)
    {
      for (guint i = 0; i < n_events; i++)
        ((ShortEvent *) self->events)[i] = SHORT_EVENT (events[i].buffer, events[i].kind);
      return self;
    }
  if (n_events > 0)
    memcpy (self->events, events, n_events * sizeof (RsEvent));
  /* Messages are copied, not interned: a long session of a corrupt file
   * logs many distinct ones, and interned strings live for ever. */
  for (guint i = 0; i < n_events; i++)
    self->events[i].message = g_strdup (events[i].message);
  return self;
}

RsSnapshot *
rs_snapshot_new_step (const RsStepInfo *info,
                      GPtrArray        *handles,
                      GPtrArray        *buffers,
                      const RsEvent    *events,
                      guint             n_events)
{
  RsSnapshot *self;
  gpointer *nodes;
  guint n_handles = handles != NULL ? handles->len : 0;
  guint n_buffers = buffers != NULL ? buffers->len : 0;

  g_return_val_if_fail (info != NULL && info->call != NULL, NULL);
  g_return_val_if_fail (n_events == 0 || events != NULL, NULL);

  self = _rs_snapshot_alloc (info, events, n_events);
  self->n_handles = n_handles;
  self->n_buffers = n_buffers;

  /* One block for both pointer arrays: snapshots are many and small. */
  nodes = g_new (gpointer, MAX (n_handles + n_buffers, 1));
  for (guint i = 0; i < n_handles; i++)
    nodes[i] = rs_handle_ref (g_ptr_array_index (handles, i));
  for (guint i = 0; i < n_buffers; i++)
    {
      const RsBuffer *buffer = g_ptr_array_index (buffers, i);

      nodes[n_handles + i] = rs_buffer_ref ((RsBuffer *) buffer);
      self->live_bytes += buffer->size;
      g_warn_if_fail (i == 0 || ((RsBuffer *) nodes[n_handles + i - 1])->id < buffer->id);
      /* Every reference is someone's: a handle's, libav's, or lost. */
      g_warn_if_fail (buffer->hidden == 0 || buffer->refcount == buffer->visible + buffer->hidden + buffer->lost);
      g_warn_if_fail (buffer->holder == NULL || buffer->hidden > 0);
    }
  self->nodes = nodes;
  return self;
}


RsSnapshot *
rs_snapshot_ref (RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_int_inc (&self->rc);
  return self;
}

void
rs_snapshot_unref (RsSnapshot *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_int_dec_and_test (&self->rc))
    return;

  _rs_snapshot_free_nodes (self->nodes, self->n_handles, self->n_buffers);
  _rs_snapshot_free_ops (self->ops, self->n_handle_ops, self->n_buffer_ops);
  for (guint i = 0; !self->short_events && i < self->n_events; i++)
    g_free ((char *) self->events[i].message);
  if (self->extra != NULL)
    {
      g_free (self->extra->expanded);
      g_free (self->extra);
    }
  _rs_step_key_release (self->key);
  /* The predecessor last: its release may free a chain of them (at most
   * RS_SNAPSHOT_CHAIN_MAX deep). */
  g_clear_pointer (&self->base, rs_snapshot_unref);
  g_free (self);
}

guint
rs_snapshot_get_step (const RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->step;
}

const char *
rs_snapshot_get_call (const RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->key->text->call;
}

const char *
rs_snapshot_get_args (const RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->key->text->args;
}

int
rs_snapshot_get_ret (const RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->ret;
}

gboolean
rs_snapshot_is_exact (const RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->exact;
}

const char *
rs_snapshot_get_out (const RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->key->text->out;
}

RsRingEnd
rs_snapshot_get_ring_end (const RsSnapshot *self,
                          const RsHandle   *handle)
{
  const RingSet *rings;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (handle != NULL, 0);

  rings = self->key->rings;
  if (handle->group == NULL || rings == NULL)
    return 0;
  for (guint i = 0; i < rings->n; i++)
    {
      const RsRingEnds *ends = &rings->ends[i];

      if (ends->group == handle->group)
        return (ends->head >= 0 && handle->slot == ends->head ? RS_RING_HEAD : 0) |
               (ends->tail >= 0 && handle->slot == ends->tail ? RS_RING_TAIL : 0);
    }
  return 0;
}

int
rs_snapshot_get_thread (const RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->extra != NULL ? self->extra->thread : 0;
}

const RsSite *
rs_snapshot_get_site (const RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->extra != NULL ? &self->extra->site : &unknown_site;
}

guint
rs_snapshot_get_n_handles (const RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_handles;
}

const RsHandle *
rs_snapshot_get_handle (const RsSnapshot *self,
                        guint             index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_handles, NULL);
  return _rs_snapshot_handles_of (self)[index];
}

const RsHandle *
rs_snapshot_find_handle (const RsSnapshot *self,
                         const char       *id)
{
  RsHandle **handles;
  const char *interned;

  g_return_val_if_fail (self != NULL, NULL);

  if (id == NULL || (interned = rs_intern_lookup (id)) == NULL)
    return NULL;
  handles = _rs_snapshot_handles_of (self);
  for (guint i = 0; i < self->n_handles; i++)
    if (handles[i]->id == interned)
      return handles[i];
  return NULL;
}

guint
rs_snapshot_get_n_buffers (const RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_buffers;
}

const RsBuffer *
rs_snapshot_get_buffer (const RsSnapshot *self,
                        guint             index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_buffers, NULL);
  return _rs_snapshot_buffers_of (self)[index];
}

guint
rs_snapshot_get_n_events (const RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_events;
}

const RsEvent *
rs_snapshot_get_event (const RsSnapshot *self,
                       guint             index)
{
  SnapshotExtra *extra;
  RsEvent *expanded;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_events, NULL);

  if (!self->short_events)
    return &self->events[index];
  /* Kept while the snapshot lives: callers hold the pointer. The first
   * thread to store them wins; another's copy is dropped. */
  extra = g_atomic_pointer_get (&((RsSnapshot *) self)->extra);
  if (extra == NULL)
    {
      SnapshotExtra *made = g_new0 (SnapshotExtra, 1);

      if (g_atomic_pointer_compare_and_exchange (&((RsSnapshot *) self)->extra, NULL, made))
        extra = made;
      else
        {
          g_free (made);
          extra = g_atomic_pointer_get (&((RsSnapshot *) self)->extra);
        }
    }
  expanded = g_atomic_pointer_get (&extra->expanded);
  if (expanded == NULL)
    {
      RsEvent *made = g_new0 (RsEvent, self->n_events);

      for (guint i = 0; i < self->n_events; i++)
        {
          made[i].kind = SHORT_EVENT_KIND (((const ShortEvent *) self->events)[i]);
          made[i].buffer = SHORT_EVENT_BUFFER (((const ShortEvent *) self->events)[i]);
        }
      if (g_atomic_pointer_compare_and_exchange (&extra->expanded, NULL, made))
        expanded = made;
      else
        {
          g_free (made);
          expanded = g_atomic_pointer_get (&extra->expanded);
        }
    }
  return &expanded[index];
}

guint64
rs_snapshot_get_live_bytes (const RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->live_bytes;
}
