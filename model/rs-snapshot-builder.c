/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-snapshot-builder.c: RsSnapshotBuilder, which makes each step's
 * snapshot as edits of the previous one.
 */
#define G_LOG_DOMAIN "rs-snapshot"

#include "rs-snapshot.h"
#include "rs-snapshot-private.h"
#include "rs-snapshot-internal.h"

#include <string.h>

/* Ranks of keys (a Fenwick tree over them): how many of the nodes a
 * snapshot has come before a key, i.e. where an edit of the previous
 * snapshot's array goes, in O(log n). Its size is a power of two that
 * doubles as keys grow. */
typedef struct {
  guint  *tree;   /* 1-based, size + 1 entries */
  guint64 size;
  guint   total;
} Rank;

static void
rank_add (Rank    *rank,
          guint64  key,
          int      delta)
{
  if (rank->tree == NULL)
    {
      rank->size = 64;
      rank->tree = g_new0 (guint, rank->size + 1);
    }
  /* Doubling: the new upper half is empty, and its last entry covers the
   * whole range (every key so far). */
  while (key >= rank->size)
    {
      rank->tree = g_renew (guint, rank->tree, 2 * rank->size + 1);
      memset (rank->tree + rank->size + 1, 0, rank->size * sizeof (guint));
      rank->size *= 2;
      rank->tree[rank->size] = rank->total;
    }
  for (guint64 i = key + 1; i <= rank->size; i += i & -i)
    rank->tree[i] += delta;
  rank->total += delta;
}

/* How many keys below `key` are present. */
static guint
rank_before (const Rank *rank,
             guint64     key)
{
  guint n = 0;

  for (guint64 i = MIN (key, rank->size); i > 0; i -= i & -i)
    n += rank->tree[i];
  return n;
}

struct _RsSnapshotBuilder {
  GHashTable *handles;        /* key -> RsHandle*, owned: as in `previous` */
  GHashTable *buffers;        /* guint64* (the node's id) -> RsBuffer*, owned: as in `previous` */
  Rank        handle_rank;
  Rank        buffer_rank;
  guint64     live_bytes;
  GHashTable *handle_changes; /* key -> RsHandle* (owned) or NULL to remove: this step's */
  GHashTable *buffer_changes; /* guint64* (owned) -> RsBuffer* (owned) or NULL */
  RsSnapshot *previous;       /* owned: the last snapshot made, or NULL */
};

static void
handle_unref0 (gpointer handle)
{
  if (handle != NULL)
    rs_handle_unref (handle);
}

static void
buffer_unref0 (gpointer buffer)
{
  if (buffer != NULL)
    rs_buffer_unref (buffer);
}

RsSnapshotBuilder *
rs_snapshot_builder_new (void)
{
  RsSnapshotBuilder *self = g_new0 (RsSnapshotBuilder, 1);

  self->handles = g_hash_table_new_full (NULL, NULL, NULL, handle_unref0);
  self->buffers = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, buffer_unref0);
  self->handle_changes = g_hash_table_new_full (NULL, NULL, NULL, handle_unref0);
  self->buffer_changes = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, buffer_unref0);
  return self;
}

void
rs_snapshot_builder_free (RsSnapshotBuilder *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->handle_changes);
  g_hash_table_unref (self->buffer_changes);
  g_hash_table_unref (self->handles);
  g_hash_table_unref (self->buffers);
  g_free (self->handle_rank.tree);
  g_free (self->buffer_rank.tree);
  g_clear_pointer (&self->previous, rs_snapshot_unref);
  g_free (self);
}

void
rs_snapshot_builder_set_handle (RsSnapshotBuilder *self,
                                guint              key,
                                RsHandle          *handle)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (handle != NULL);

  g_hash_table_replace (self->handle_changes, GUINT_TO_POINTER (key), rs_handle_ref (handle));
}

void
rs_snapshot_builder_remove_handle (RsSnapshotBuilder *self,
                                   guint              key)
{
  g_return_if_fail (self != NULL);

  g_hash_table_replace (self->handle_changes, GUINT_TO_POINTER (key), NULL);
}

void
rs_snapshot_builder_set_buffer (RsSnapshotBuilder *self,
                                RsBuffer          *buffer)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (buffer != NULL);

  g_hash_table_replace (self->buffer_changes, g_memdup2 (&buffer->id, sizeof (guint64)), rs_buffer_ref (buffer));
}

void
rs_snapshot_builder_remove_buffer (RsSnapshotBuilder *self,
                                   guint64            id)
{
  g_return_if_fail (self != NULL);

  g_hash_table_replace (self->buffer_changes, g_memdup2 (&id, sizeof id), NULL);
}

const RsHandle *
rs_snapshot_builder_get_handle (RsSnapshotBuilder *self,
                                guint              key)
{
  gpointer handle;

  g_return_val_if_fail (self != NULL, NULL);

  if (g_hash_table_lookup_extended (self->handle_changes, GUINT_TO_POINTER (key), NULL, &handle))
    return handle;
  return g_hash_table_lookup (self->handles, GUINT_TO_POINTER (key));
}

const RsBuffer *
rs_snapshot_builder_get_buffer (RsSnapshotBuilder *self,
                                guint64            id)
{
  gpointer buffer;

  g_return_val_if_fail (self != NULL, NULL);

  if (g_hash_table_lookup_extended (self->buffer_changes, &id, NULL, &buffer))
    return buffer;
  return g_hash_table_lookup (self->buffers, &id);
}

static int
compare_uint (gconstpointer a,
              gconstpointer b)
{
  guint x = GPOINTER_TO_UINT (*(gconstpointer *) a), y = GPOINTER_TO_UINT (*(gconstpointer *) b);

  return x < y ? -1 : x > y;
}

static int
compare_uint64 (gconstpointer a,
                gconstpointer b)
{
  guint64 x = **(const guint64 **) a, y = **(const guint64 **) b;

  return x < y ? -1 : x > y;
}

/* What differs between the builder's handles and its buffers, for
 * take_changes(): handles are keyed by a guint in the pointer, buffers by
 * a guint64* (the node's own id), and only buffers count in live bytes. */
typedef struct {
  GCompareFunc compare;                             /* of two key pointers in an array */
  guint64    (*rank_key)   (gconstpointer key);
  gpointer   (*ref)        (gpointer node);
  gpointer   (*stored_key) (gpointer key, gpointer node);  /* the key `nodes` keeps */
  gsize      (*size_of)    (gconstpointer node);
} NodeKind;

static guint64
handle_rank_key (gconstpointer key)
{
  return GPOINTER_TO_UINT (key);
}

static gpointer
handle_ref (gpointer node)
{
  return rs_handle_ref (node);
}

static gpointer
handle_stored_key (gpointer key,
                   gpointer node)
{
  return key;
}

static gsize
handle_size (gconstpointer node)
{
  return 0;
}

static guint64
buffer_rank_key (gconstpointer key)
{
  return *(const guint64 *) key;
}

static gpointer
buffer_ref (gpointer node)
{
  return rs_buffer_ref (node);
}

/* Keyed by the node's own id, which lives as long as it. */
static gpointer
buffer_stored_key (gpointer key,
                   gpointer node)
{
  return &((RsBuffer *) node)->id;
}

static gsize
buffer_size (gconstpointer node)
{
  return ((const RsBuffer *) node)->size;
}

static const NodeKind handle_kind = {
  compare_uint, handle_rank_key, handle_ref, handle_stored_key, handle_size,
};
static const NodeKind buffer_kind = {
  compare_uint64, buffer_rank_key, buffer_ref, buffer_stored_key, buffer_size,
};

/* The edits this step's `changes` make to the previous arrays (`nodes`),
 * in order: each at its key's rank among the previous keys (all ranks are
 * taken before any change is applied). Then the changes are applied. */
static void
take_changes (RsSnapshotBuilder *self,
              const NodeKind    *kind,
              GHashTable        *nodes,
              GHashTable        *changes,
              Rank              *rank,
              GArray            *ops)
{
  g_autofree gpointer *keys = (gpointer *) g_hash_table_get_keys_as_array (changes, NULL);
  guint n = g_hash_table_size (changes);

  qsort (keys, n, sizeof (gpointer), kind->compare);
  for (guint i = 0; i < n; i++)
    {
      gpointer next = g_hash_table_lookup (changes, keys[i]);
      gpointer old = g_hash_table_lookup (nodes, keys[i]);
      guint position = rank_before (rank, kind->rank_key (keys[i]));

      if (next == old)
        continue;
      _rs_snapshot_add_op (ops, position, old == NULL ? OP_INSERT : next == NULL ? OP_REMOVE : OP_REPLACE,
                           next != NULL ? kind->ref (next) : old);
    }
  for (guint i = 0; i < n; i++)
    {
      gpointer next = g_hash_table_lookup (changes, keys[i]);
      gpointer old = g_hash_table_lookup (nodes, keys[i]);

      if (next == old)
        continue;
      if (old != NULL)
        self->live_bytes -= kind->size_of (old);
      if (old == NULL)
        rank_add (rank, kind->rank_key (keys[i]), 1);
      if (next == NULL)
        {
          rank_add (rank, kind->rank_key (keys[i]), -1);
          g_hash_table_remove (nodes, keys[i]);
        }
      else
        {
          self->live_bytes += kind->size_of (next);
          g_hash_table_replace (nodes, kind->stored_key (keys[i], next), kind->ref (next));
        }
    }
  g_hash_table_remove_all (changes);
}

/* The builder's nodes as arrays, in order (the first snapshot's). */
static gpointer *
builder_nodes (RsSnapshotBuilder *self)
{
  guint n_handles = g_hash_table_size (self->handles), n_buffers = g_hash_table_size (self->buffers);
  g_autofree gpointer *keys = (gpointer *) g_hash_table_get_keys_as_array (self->handles, NULL);
  g_autofree gpointer *ids = (gpointer *) g_hash_table_get_keys_as_array (self->buffers, NULL);
  gpointer *nodes = g_new (gpointer, MAX (n_handles + n_buffers, 1));

  qsort (keys, n_handles, sizeof (gpointer), compare_uint);
  qsort (ids, n_buffers, sizeof (gpointer), compare_uint64);
  for (guint i = 0; i < n_handles; i++)
    nodes[i] = rs_handle_ref (g_hash_table_lookup (self->handles, keys[i]));
  for (guint i = 0; i < n_buffers; i++)
    nodes[n_handles + i] = rs_buffer_ref (g_hash_table_lookup (self->buffers, ids[i]));
  return nodes;
}

/* Steps a chain runs before one keeps its arrays: RS_SNAPSHOT_CHAIN_MAX,
 * longer when many nodes are alive. The arrays cost a pointer a live node
 * every chain (a lesson holding 10,000 packets spent most of its memory
 * on them); a longer chain costs reading a step rebuilt from its edits,
 * at most G_MAXUINT8 steps' worth (a few milliseconds at 10,000 nodes). */
static guint
chain_max (guint n_nodes)
{
  return CLAMP (n_nodes / 16, RS_SNAPSHOT_CHAIN_MAX, G_MAXUINT8);
}

RsSnapshot *
rs_snapshot_builder_finish (RsSnapshotBuilder *self,
                            const RsStepInfo  *info,
                            const RsEvent     *events,
                            guint              n_events)
{
  g_autoptr(GArray) ops = NULL;
  RsSnapshot *snapshot, *previous;
  guint n_handle_ops;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (info != NULL && info->call != NULL, NULL);
  g_return_val_if_fail (n_events == 0 || events != NULL, NULL);

  ops = g_array_new (FALSE, FALSE, sizeof (Op));
  take_changes (self, &handle_kind, self->handles, self->handle_changes, &self->handle_rank, ops);
  n_handle_ops = ops->len;
  take_changes (self, &buffer_kind, self->buffers, self->buffer_changes, &self->buffer_rank, ops);

  snapshot = _rs_snapshot_alloc (info, events, n_events);
  snapshot->n_handles = g_hash_table_size (self->handles);
  snapshot->n_buffers = g_hash_table_size (self->buffers);
  snapshot->live_bytes = self->live_bytes;
  previous = self->previous;
  /* More edits than a step keeps (see OPS_MAX): the arrays, from the
   * builder's own tables. */
  if (previous == NULL || n_handle_ops > OPS_MAX || ops->len - n_handle_ops > OPS_MAX)
    snapshot->nodes = builder_nodes (self);
  else
    {
      guint n_ops = ops->len;

      snapshot->n_handle_ops = n_handle_ops;
      snapshot->n_buffer_ops = n_ops - n_handle_ops;
      snapshot->ops = _rs_snapshot_take_ops (g_steal_pointer (&ops));
      snapshot->base = rs_snapshot_ref (previous);
      snapshot->depth = previous->depth + 1;
      /* As rs_snapshot_chain_private(): a chain ends after
       * chain_max() steps, or where the edits weigh as much as the
       * arrays; that step keeps its arrays (the only step costing what is
       * alive, once a chain), made from the builder's tables: rebuilding
       * them through the chain would cost what is alive at each of its
       * steps. */
      if (snapshot->depth >= chain_max (snapshot->n_handles + snapshot->n_buffers) ||
          n_ops * sizeof (Op) >= (snapshot->n_handles + snapshot->n_buffers) * sizeof (gpointer))
        {
          snapshot->nodes = builder_nodes (self);
          _rs_snapshot_free_ops (snapshot->ops, snapshot->n_handle_ops, snapshot->n_buffer_ops);
          snapshot->ops = NULL;
          snapshot->n_handle_ops = snapshot->n_buffer_ops = 0;
          g_clear_pointer (&snapshot->base, rs_snapshot_unref);
          snapshot->depth = 0;
        }
      else
        previous->is_base = TRUE;
    }
  if (ops != NULL)
    {
      guint n_ops = ops->len;

      _rs_snapshot_free_ops ((Op *) g_array_free (g_steal_pointer (&ops), FALSE), n_handle_ops, n_ops - n_handle_ops);
    }

  g_clear_pointer (&self->previous, rs_snapshot_unref);
  self->previous = rs_snapshot_ref (snapshot);
  return snapshot;
}
