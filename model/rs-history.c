/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-history"

#include "rs-history.h"
#include "rs-snapshot-private.h"

/* A snapshot's own node arrays are dropped this many steps after it was
 * appended (the session and the window read the newest ones), and only once
 * nobody else holds it: snapshots still referenced wait in `pending`, at
 * most PENDING_MAX of them (beyond that the oldest keep their arrays). */
#define COMPACT_DELAY 4
#define PENDING_MAX 256

struct _RsHistory {
  gatomicrefcount rc;
  GPtrArray      *snapshots;  /* RsSnapshot*, owned */
  GArray         *pending;    /* guint steps to compact */
};

RsHistory *
rs_history_new (void)
{
  RsHistory *self = g_new0 (RsHistory, 1);

  g_atomic_ref_count_init (&self->rc);
  self->snapshots = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_snapshot_unref);
  self->pending = g_array_new (FALSE, FALSE, sizeof (guint));
  return self;
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
      g_free (self);
    }
}

void
rs_history_append (RsHistory  *self,
                   RsSnapshot *snapshot)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (snapshot != NULL);
  g_return_if_fail (rs_snapshot_get_step (snapshot) == self->snapshots->len);

  if (self->snapshots->len > 0)
    rs_snapshot_chain_private (snapshot, rs_history_get_last (self));
  g_ptr_array_add (self->snapshots, rs_snapshot_ref (snapshot));

  if (self->snapshots->len > COMPACT_DELAY)
    {
      guint step = self->snapshots->len - 1 - COMPACT_DELAY;

      g_array_append_val (self->pending, step);
    }
  for (guint i = 0; i < self->pending->len;)
    {
      guint step = g_array_index (self->pending, guint, i);

      if (rs_snapshot_compact_private (g_ptr_array_index (self->snapshots, step)))
        g_array_remove_index (self->pending, i);
      else
        i++;
    }
  if (self->pending->len > PENDING_MAX)
    g_array_remove_index (self->pending, 0);
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
  return g_ptr_array_index (self->snapshots, step);
}

RsSnapshot *
rs_history_get_last (RsHistory *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->snapshots->len == 0)
    return NULL;
  return g_ptr_array_index (self->snapshots, self->snapshots->len - 1);
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
      const RsBuffer *buffer = rs_snapshot_find_buffer (g_ptr_array_index (self->snapshots, i), buffer_id);
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
      RsSnapshot *snapshot = g_ptr_array_index (self->snapshots, i);

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
