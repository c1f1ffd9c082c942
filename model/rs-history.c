/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-history"

#include "rs-history.h"
#include "rs-snapshot-private.h"

#include <pthread.h>

/* A snapshot's own node arrays are dropped this many steps after it was
 * appended (the session and the window read the newest ones), and only once
 * nobody else holds it: snapshots still referenced wait in `pending`, at
 * most PENDING_MAX of them (beyond that the oldest keep their arrays). */
#define COMPACT_DELAY 4
#define PENDING_MAX 256

/* A whole chain of snapshots (rs-snapshot-private.h) is packed into compact
 * bytes once its last step is PACK_DELAY steps old and nobody else holds
 * its snapshots; they are made again, the whole chain at once, when a step
 * of it is asked for, and kept while at most LOADED_MAX steps are. Chains
 * held elsewhere wait in `sealed`, at most SEALED_MAX of them (beyond that
 * the oldest stay as they are). */
#define PACK_DELAY 512
#define LOADED_MAX 8192
#define SEALED_MAX 64

typedef struct {
  guint   first;
  guint   n;
  guint8 *packed;  /* owned, NULL until packed */
} Chain;

struct _RsHistory {
  gatomicrefcount rc;
  GPtrArray      *snapshots;  /* RsSnapshot*, owned; lazy: NULL where not loaded */
  GArray         *pending;    /* guint steps to compact */
  pthread_mutex_t lock;       /* `snapshots`, `packed`, `loaded`; and a lazy history's loading.
                               * pthread, not GMutex, so that TSan sees it (tests/threads) */

  /* Chains (rs_history_append) */
  guint           chain_first;  /* the step of the newest chain's head */
  GArray         *sealed;     /* Chain: complete, not packed yet, oldest first */
  GPtrArray      *packed;     /* Chain*, owned, by first step */
  GQueue          loaded;     /* Chain* made again (borrowed from `packed`), oldest first */
  guint           n_loaded;   /* their steps */

  /* A lazy history (rs_history_new_lazy). */
  RsHistoryLoadFunc load;
  gpointer          load_data;
  GDestroyNotify    load_destroy;
  guint            *kept;     /* RS_HISTORY_LAZY_KEEP steps loaded, oldest replaced first */
  guint             n_kept;
  guint             next_kept;
  RsSnapshot       *last;     /* owned: the last step, loaded once */
};

static void
snapshot_unref0 (gpointer snapshot)
{
  if (snapshot != NULL)
    rs_snapshot_unref (snapshot);
}

static void
chain_free (gpointer data)
{
  Chain *chain = data;

  rs_snapshot_packed_free_private (chain->packed, chain->n);
  g_free (chain);
}

RsHistory *
rs_history_new (void)
{
  RsHistory *self = g_new0 (RsHistory, 1);

  g_atomic_ref_count_init (&self->rc);
  self->snapshots = g_ptr_array_new_with_free_func (snapshot_unref0);
  self->pending = g_array_new (FALSE, FALSE, sizeof (guint));
  pthread_mutex_init (&self->lock, NULL);
  self->sealed = g_array_new (FALSE, FALSE, sizeof (Chain));
  self->packed = g_ptr_array_new_with_free_func (chain_free);
  g_queue_init (&self->loaded);
  return self;
}

RsHistory *
rs_history_new_lazy (guint              length,
                     RsHistoryLoadFunc  load,
                     gpointer           user_data,
                     GDestroyNotify     destroy)
{
  RsHistory *self;

  g_return_val_if_fail (load != NULL, NULL);

  self = rs_history_new ();
  self->load = load;
  self->load_data = user_data;
  self->load_destroy = destroy;
  self->kept = g_new (guint, RS_HISTORY_LAZY_KEEP);
  g_ptr_array_set_size (self->snapshots, length);
  return self;
}

/* The snapshot of a step of a lazy history: loaded when not kept, and kept
 * in place of the step loaded longest ago. Called with the lock held. */
static RsSnapshot *
load_snapshot (RsHistory *self,
               guint      step)
{
  RsSnapshot **slot = (RsSnapshot **) &self->snapshots->pdata[step];

  if (step + 1 == self->snapshots->len)
    {
      if (self->last == NULL)
        self->last = self->load (step, self->load_data);
      return self->last;
    }
  if (*slot != NULL)
    return *slot;

  if (self->n_kept == RS_HISTORY_LAZY_KEEP)
    {
      guint old = self->kept[self->next_kept];

      g_clear_pointer ((RsSnapshot **) &self->snapshots->pdata[old], rs_snapshot_unref);
    }
  else
    self->n_kept++;
  self->kept[self->next_kept] = step;
  self->next_kept = (self->next_kept + 1) % RS_HISTORY_LAZY_KEEP;
  *slot = self->load (step, self->load_data);
  g_assert (*slot != NULL && rs_snapshot_get_step (*slot) == step);
  return *slot;
}

/* Drops the history's snapshots of steps first.. first + n - 1. */
static void
drop_steps (RsHistory *self,
            guint      first,
            guint      n)
{
  for (guint i = 0; i < n; i++)
    g_clear_pointer ((RsSnapshot **) &self->snapshots->pdata[first + i], rs_snapshot_unref);
}

/* How many packed chains start at or before `step`. */
static guint
packed_before (RsHistory *self,
               guint      step)
{
  guint lo = 0, hi = self->packed->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (((Chain *) g_ptr_array_index (self->packed, mid))->first <= step)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* The snapshot of a packed step: its whole chain made again (a reader
 * goes on to the steps beside it), kept in place of the chains made again
 * longest ago. Called with the lock held. */
static RsSnapshot *
unpack_snapshot (RsHistory *self,
                 guint      step)
{
  Chain *chain = g_ptr_array_index (self->packed, packed_before (self, step) - 1);

  rs_snapshot_unpack_private (chain->packed, chain->first, chain->n,
                              (RsSnapshot **) &self->snapshots->pdata[chain->first]);
  g_queue_push_tail (&self->loaded, chain);
  self->n_loaded += chain->n;
  while (self->n_loaded > LOADED_MAX && self->loaded.length > 1)
    {
      Chain *old = g_queue_pop_head (&self->loaded);

      /* Its bytes stay. */
      drop_steps (self, old->first, old->n);
      self->n_loaded -= old->n;
    }
  return g_ptr_array_index (self->snapshots, step);
}

static RsSnapshot *
snapshot_at (RsHistory *self,
             guint      step)
{
  RsSnapshot *snapshot;

  pthread_mutex_lock (&self->lock);
  if (self->load != NULL)
    snapshot = load_snapshot (self, step);
  else if ((snapshot = g_ptr_array_index (self->snapshots, step)) == NULL)
    snapshot = unpack_snapshot (self, step);
  pthread_mutex_unlock (&self->lock);
  return snapshot;
}

/* Packs the sealed chains old enough that nobody else holds. Called with
 * the lock held. */
static void
pack_chains (RsHistory *self)
{
  for (guint k = 0; k < self->sealed->len;)
    {
      Chain *sealed = &g_array_index (self->sealed, Chain, k);
      Chain *chain;
      guint8 *packed;

      if (sealed->first + sealed->n + PACK_DELAY > self->snapshots->len)
        break;
      packed = rs_snapshot_pack_private ((RsSnapshot **) &self->snapshots->pdata[sealed->first], sealed->n);
      if (packed == NULL)
        {
          k++;
          continue;
        }
      chain = g_memdup2 (sealed, sizeof *sealed);
      chain->packed = packed;
      g_array_remove_index (self->sealed, k);
      drop_steps (self, chain->first, chain->n);
      /* In step order: at the end, but for a chain held elsewhere for
       * long, packed after newer ones. */
      g_ptr_array_insert (self->packed, (gint) packed_before (self, chain->first), chain);
    }
  if (self->sealed->len > SEALED_MAX)
    g_array_remove_index (self->sealed, 0);
}

RsHistory *
rs_history_ref (RsHistory *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->rc);
  return self;
}

void
rs_history_unref (RsHistory *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->rc))
    {
      g_ptr_array_unref (self->snapshots);
      g_array_unref (self->pending);
      g_array_unref (self->sealed);
      g_queue_clear (&self->loaded);
      g_ptr_array_unref (self->packed);
      pthread_mutex_destroy (&self->lock);
      if (self->load != NULL)
        {
          g_clear_pointer (&self->last, rs_snapshot_unref);
          g_free (self->kept);
          if (self->load_destroy != NULL)
            self->load_destroy (self->load_data);
        }
      g_free (self);
    }
}

void
rs_history_append (RsHistory  *self,
                   RsSnapshot *snapshot)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (snapshot != NULL);
  g_return_if_fail (self->load == NULL);
  g_return_if_fail (rs_snapshot_get_step (snapshot) == self->snapshots->len);

  pthread_mutex_lock (&self->lock);
  if (self->snapshots->len > 0 &&
      !rs_snapshot_chain_private (snapshot, g_ptr_array_index (self->snapshots, self->snapshots->len - 1)))
    {
      Chain sealed = { self->chain_first, self->snapshots->len - self->chain_first, NULL };

      g_array_append_val (self->sealed, sealed);
      self->chain_first = self->snapshots->len;
    }
  g_ptr_array_add (self->snapshots, rs_snapshot_ref (snapshot));

  if (self->snapshots->len > COMPACT_DELAY)
    {
      guint step = self->snapshots->len - 1 - COMPACT_DELAY;

      g_array_append_val (self->pending, step);
    }
  for (guint i = 0; i < self->pending->len;)
    {
      guint step = g_array_index (self->pending, guint, i);
      RsSnapshot *pending = g_ptr_array_index (self->snapshots, step);

      /* Packed since, or made again from its bytes (without arrays): done. */
      if (pending == NULL || rs_snapshot_compact_private (pending))
        g_array_remove_index (self->pending, i);
      else
        i++;
    }
  if (self->pending->len > PENDING_MAX)
    g_array_remove_index (self->pending, 0);
  pack_chains (self);
  pthread_mutex_unlock (&self->lock);
}

guint
rs_history_get_length (RsHistory *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->snapshots->len;
}

RsSnapshot *
rs_history_get_snapshot (RsHistory *self,
                         guint      step)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (step < self->snapshots->len, NULL);
  return snapshot_at (self, step);
}

RsSnapshot *
rs_history_get_last (RsHistory *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->snapshots->len == 0)
    return NULL;
  return snapshot_at (self, self->snapshots->len - 1);
}

GArray *
rs_history_get_refcount_series (RsHistory *self,
                                guint64    buffer_id)
{
  GArray *series;

  g_return_val_if_fail (self != NULL, NULL);

  series = g_array_sized_new (FALSE, TRUE, sizeof (int), self->snapshots->len);
  for (guint i = 0; i < self->snapshots->len; i++)
    {
      const RsBuffer *buffer = rs_snapshot_find_buffer (snapshot_at (self, i), buffer_id);
      int refcount = buffer != NULL ? buffer->refcount : 0;

      g_array_append_val (series, refcount);
    }
  return series;
}

void
rs_history_get_live_series (RsHistory *self,
                            GArray   **buffers,
                            GArray   **bytes)
{
  g_return_if_fail (self != NULL);

  if (buffers != NULL)
    *buffers = g_array_sized_new (FALSE, TRUE, sizeof (guint64), self->snapshots->len);
  if (bytes != NULL)
    *bytes = g_array_sized_new (FALSE, TRUE, sizeof (guint64), self->snapshots->len);

  for (guint i = 0; i < self->snapshots->len; i++)
    {
      RsSnapshot *snapshot = snapshot_at (self, i);

      if (buffers != NULL)
        {
          guint64 n = rs_snapshot_get_n_buffers (snapshot);
          g_array_append_val (*buffers, n);
        }
      if (bytes != NULL)
        {
          guint64 n = rs_snapshot_get_live_bytes (snapshot);
          g_array_append_val (*bytes, n);
        }
    }
}
