/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-diff"

#include "rs-diff.h"
#include "rs-intern.h"

struct _RsDiff {
  RsSnapshot *before;           /* owned, nullable */
  RsSnapshot *after;            /* owned */
  GHashTable *buffer_flags;     /* guint64 id -> RsDiffFlags, for changed buffers only */
  GHashTable *handle_flags;     /* interned id -> RsDiffFlags, for changed handles only */
  GPtrArray  *removed_buffers;  /* const RsBuffer*, borrowed from before */
  GPtrArray  *removed_handles;  /* const RsHandle*, borrowed from before */
  gboolean    topology_changed;
};

/* Sorted "handle-id/field" strings of the refs pointing at a buffer, so a
 * buffer that changed hands is told from one that did not. */
static GHashTable *
collect_holders (RsSnapshot *snapshot)
{
  GHashTable *holders = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);

  for (guint i = 0; i < rs_snapshot_get_n_handles (snapshot); i++)
    {
      const RsHandle *handle = rs_snapshot_get_handle (snapshot, i);

      for (guint r = 0; r < handle->n_refs; r++)
        {
          guint64 id = handle->refs[r].buffer;
          char *old = g_hash_table_lookup (holders, &id);
          char *entry = g_strdup_printf ("%s%s%s.%s", old ? old : "", old ? "|" : "",
                                         handle->id, handle->refs[r].field);

          g_hash_table_replace (holders, g_memdup2 (&id, sizeof id), entry);
        }
    }
  return holders;
}

static void
add_buffer_flags (RsDiff     *self,
                  guint64     id,
                  RsDiffFlags flags)
{
  guint64 *key = g_memdup2 (&id, sizeof id);
  RsDiffFlags old = GPOINTER_TO_UINT (g_hash_table_lookup (self->buffer_flags, key));

  g_hash_table_replace (self->buffer_flags, key, GUINT_TO_POINTER (old | flags));
}

static void
diff_buffers (RsDiff *self)
{
  g_autoptr(GHashTable) holders_before = NULL;
  g_autoptr(GHashTable) holders_after = NULL;
  RsSnapshot *before = self->before;
  RsSnapshot *after = self->after;
  guint n_before = before != NULL ? rs_snapshot_get_n_buffers (before) : 0;
  guint n_after = rs_snapshot_get_n_buffers (after);
  guint i = 0, j = 0;

  if (before != NULL)
    holders_before = collect_holders (before);
  holders_after = collect_holders (after);

  /* Both lists are sorted by id: merge them. */
  while (i < n_before || j < n_after)
    {
      const RsBuffer *a = i < n_before ? rs_snapshot_get_buffer (before, i) : NULL;
      const RsBuffer *b = j < n_after ? rs_snapshot_get_buffer (after, j) : NULL;

      if (b == NULL || (a != NULL && a->id < b->id))
        {
          g_ptr_array_add (self->removed_buffers, (gpointer) a);
          add_buffer_flags (self, a->id, RS_DIFF_REMOVED);
          self->topology_changed = TRUE;
          i++;
        }
      else if (a == NULL || b->id < a->id)
        {
          add_buffer_flags (self, b->id, RS_DIFF_ADDED);
          self->topology_changed = TRUE;
          j++;
        }
      else
        {
          const char *ha = g_hash_table_lookup (holders_before, &a->id);
          const char *hb = g_hash_table_lookup (holders_after, &b->id);

          if (b->refcount > a->refcount)
            add_buffer_flags (self, b->id, RS_DIFF_REFCOUNT_UP);
          else if (b->refcount < a->refcount)
            add_buffer_flags (self, b->id, RS_DIFF_REFCOUNT_DOWN);
          if (g_strcmp0 (ha, hb) != 0)
            {
              add_buffer_flags (self, b->id, RS_DIFF_MOVED);
              self->topology_changed = TRUE;
            }
          if ((a->hidden > 0) != (b->hidden > 0) || a->holder != b->holder)
            self->topology_changed = TRUE;
          i++;
          j++;
        }
    }
}

/* The ring's ends moving on is no change to a slot that stays as it was
 * (the slot read next after a dequeue holds the same packet): they are
 * the step's (rs_snapshot_get_ring_end()), not the slot's. */
static gboolean
handle_changed (const RsHandle *a,
                const RsHandle *b)
{
  return !rs_handle_equal (a, b);
}

static void
diff_handles (RsDiff *self)
{
  g_autoptr(GHashTable) after_ids = g_hash_table_new (NULL, NULL);
  RsSnapshot *before = self->before;
  RsSnapshot *after = self->after;

  for (guint j = 0; j < rs_snapshot_get_n_handles (after); j++)
    {
      const RsHandle *b = rs_snapshot_get_handle (after, j);
      const RsHandle *a = before != NULL ? rs_snapshot_find_handle (before, b->id) : NULL;
      RsDiffFlags flags = RS_DIFF_SAME;

      g_hash_table_add (after_ids, (gpointer) b->id);
      if (a == NULL)
        flags = RS_DIFF_ADDED;
      else if (handle_changed (a, b))
        flags = RS_DIFF_CHANGED;

      if (flags != RS_DIFF_SAME)
        g_hash_table_insert (self->handle_flags, (gpointer) b->id, GUINT_TO_POINTER (flags));
      if (a == NULL || a->n_refs != b->n_refs)
        self->topology_changed = TRUE;
    }

  if (before == NULL)
    return;
  for (guint i = 0; i < rs_snapshot_get_n_handles (before); i++)
    {
      const RsHandle *a = rs_snapshot_get_handle (before, i);

      if (!g_hash_table_contains (after_ids, a->id))
        {
          g_ptr_array_add (self->removed_handles, (gpointer) a);
          g_hash_table_insert (self->handle_flags, (gpointer) a->id, GUINT_TO_POINTER (RS_DIFF_REMOVED));
          self->topology_changed = TRUE;
        }
    }
}

RsDiff *
rs_diff_new (RsSnapshot *before,
             RsSnapshot *after)
{
  RsDiff *self;

  g_return_val_if_fail (after != NULL, NULL);

  self = g_new0 (RsDiff, 1);
  self->before = before != NULL ? rs_snapshot_ref (before) : NULL;
  self->after = rs_snapshot_ref (after);
  self->buffer_flags = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->handle_flags = g_hash_table_new (NULL, NULL);
  self->removed_buffers = g_ptr_array_new ();
  self->removed_handles = g_ptr_array_new ();

  diff_buffers (self);
  diff_handles (self);
  return self;
}

void
rs_diff_free (RsDiff *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->before, rs_snapshot_unref);
  g_clear_pointer (&self->after, rs_snapshot_unref);
  g_hash_table_unref (self->buffer_flags);
  g_hash_table_unref (self->handle_flags);
  g_ptr_array_unref (self->removed_buffers);
  g_ptr_array_unref (self->removed_handles);
  g_free (self);
}

RsDiffFlags
rs_diff_get_buffer_flags (const RsDiff *self,
                          guint64       buffer_id)
{
  g_return_val_if_fail (self != NULL, RS_DIFF_SAME);
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->buffer_flags, &buffer_id));
}

int
rs_diff_get_old_refcount (const RsDiff *self,
                          guint64       buffer_id)
{
  const RsBuffer *buffer;

  g_return_val_if_fail (self != NULL, 0);

  if (self->before == NULL)
    return 0;
  buffer = rs_snapshot_find_buffer (self->before, buffer_id);
  return buffer != NULL ? buffer->refcount : 0;
}

RsDiffFlags
rs_diff_get_handle_flags (const RsDiff *self,
                          const char   *handle_id)
{
  g_return_val_if_fail (self != NULL, RS_DIFF_SAME);
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->handle_flags, rs_intern_lookup (handle_id)));
}

guint
rs_diff_get_n_removed_buffers (const RsDiff *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->removed_buffers->len;
}

const RsBuffer *
rs_diff_get_removed_buffer (const RsDiff *self,
                            guint         index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->removed_buffers->len, NULL);
  return g_ptr_array_index (self->removed_buffers, index);
}

guint
rs_diff_get_n_removed_handles (const RsDiff *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->removed_handles->len;
}

const RsHandle *
rs_diff_get_removed_handle (const RsDiff *self,
                            guint         index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->removed_handles->len, NULL);
  return g_ptr_array_index (self->removed_handles, index);
}

gboolean
rs_diff_topology_changed (const RsDiff *self)
{
  g_return_val_if_fail (self != NULL, TRUE);
  return self->topology_changed;
}

RsSnapshot *
rs_diff_get_before (const RsDiff *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->before;
}

RsSnapshot *
rs_diff_get_after (const RsDiff *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->after;
}
