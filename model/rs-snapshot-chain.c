/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-snapshot-chain.c: a snapshot's node arrays kept as edits of its
 * predecessor's (rs-snapshot-private.h), and rebuilt when read.
 */
#define G_LOG_DOMAIN "rs-snapshot"

#include "rs-snapshot.h"
#include "rs-snapshot-private.h"
#include "rs-snapshot-internal.h"

#include <pthread.h>
#include <string.h>

void
_rs_snapshot_free_nodes (gpointer *nodes,
                         guint     n_handles,
                         guint     n_buffers)
{
  if (nodes == NULL)
    return;
  for (guint i = 0; i < n_handles; i++)
    rs_handle_unref (nodes[i]);
  for (guint i = 0; i < n_buffers; i++)
    rs_buffer_unref (nodes[n_handles + i]);
  g_free (nodes);
}

void
_rs_snapshot_free_ops (Op    *ops,
                       guint  n_handle_ops,
                       guint  n_buffer_ops)
{
  for (guint i = 0; i < n_handle_ops + n_buffer_ops; i++)
    if (ops[i].kind != OP_REMOVE)
      {
        if (i < n_handle_ops)
          rs_handle_unref (ops[i].node);
        else
          rs_buffer_unref (ops[i].node);
      }
  g_free (ops);
}

/* The arrays if the snapshot has them, or NULL. */
gpointer *
_rs_snapshot_peek_nodes (const RsSnapshot *self)
{
  return g_atomic_pointer_get (&((RsSnapshot *) self)->nodes);
}

/* `to` = `from` (n_from entries) edited by `ops`; returns its length. */
static guint
apply_ops (gpointer const *from,
           guint           n_from,
           const Op       *ops,
           guint           n_ops,
           gpointer       *to)
{
  guint i = 0, n = 0;

  for (guint k = 0; k < n_ops; k++)
    {
      while (i < ops[k].position)
        to[n++] = from[i++];
      if (ops[k].kind != OP_INSERT)
        i++;
      if (ops[k].kind != OP_REMOVE)
        to[n++] = ops[k].node;
    }
  while (i < n_from)
    to[n++] = from[i++];
  return n;
}

/* Rebuilding arrays reads an ancestor's, which its history may drop at the
 * same time on another thread (a trace writer reads the steps a session
 * appends): both hold this lock. A pthread mutex, not a GMutex, so that
 * ThreadSanitizer sees it (tests/threads). */
static pthread_mutex_t arrays_lock = PTHREAD_MUTEX_INITIALIZER;

static gpointer *materialize_locked (RsSnapshot *self);

/* The node arrays of a snapshot that keeps only its ops: rebuilt from the
 * nearest ancestor that has them, forward through the ops, and kept (the
 * first thread to finish stores them; another's copy is dropped). */
gpointer *
_rs_snapshot_materialize (RsSnapshot *self)
{
  gpointer *nodes;

  pthread_mutex_lock (&arrays_lock);
  nodes = materialize_locked (self);
  pthread_mutex_unlock (&arrays_lock);
  return nodes;
}

static gpointer *
materialize_locked (RsSnapshot *self)
{
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();
  RsSnapshot *ancestor = self;
  gpointer *arrays, *nodes, *from;
  guint cap = 0;

  while (_rs_snapshot_peek_nodes (ancestor) == NULL)
    {
      g_ptr_array_add (chain, ancestor);
      ancestor = ancestor->base;
    }
  from = _rs_snapshot_peek_nodes (ancestor);

  /* Two arrays for each kind, swapped at each step: sized for the largest. */
  cap = ancestor->n_handles + ancestor->n_buffers;
  for (guint k = 0; k < chain->len; k++)
    {
      RsSnapshot *s = g_ptr_array_index (chain, k);
      cap = MAX (cap, s->n_handles + s->n_buffers);
    }
  arrays = g_new (gpointer, 2 * MAX (cap, 1));
  {
    gpointer *current = from;
    guint n_handles = ancestor->n_handles, n_buffers = ancestor->n_buffers;
    guint which = 0;

    for (guint k = chain->len; k > 0; k--)
      {
        RsSnapshot *s = g_ptr_array_index (chain, k - 1);
        gpointer *next = arrays + which * MAX (cap, 1);
        guint nh, nb;

        nh = apply_ops (current, n_handles, s->ops, s->n_handle_ops, next);
        nb = apply_ops (current + n_handles, n_buffers, s->ops + s->n_handle_ops, s->n_buffer_ops, next + nh);
        g_assert (nh == s->n_handles && nb == s->n_buffers);
        current = next;
        n_handles = nh;
        n_buffers = nb;
        which ^= 1;
      }

    nodes = g_new (gpointer, MAX (n_handles + n_buffers, 1));
    for (guint i = 0; i < n_handles; i++)
      nodes[i] = rs_handle_ref (current[i]);
    for (guint i = 0; i < n_buffers; i++)
      nodes[n_handles + i] = rs_buffer_ref (current[n_handles + i]);
  }
  g_free (arrays);

  if (!g_atomic_pointer_compare_and_exchange (&self->nodes, NULL, nodes))
    {
      _rs_snapshot_free_nodes (nodes, self->n_handles, self->n_buffers);
      nodes = g_atomic_pointer_get (&self->nodes);
    }
  return nodes;
}

RsHandle **
_rs_snapshot_handles_of (const RsSnapshot *self)
{
  gpointer *nodes = _rs_snapshot_peek_nodes (self);

  if (nodes == NULL)
    nodes = _rs_snapshot_materialize ((RsSnapshot *) self);
  return (RsHandle **) nodes;
}

RsBuffer **
_rs_snapshot_buffers_of (const RsSnapshot *self)
{
  return (RsBuffer **) _rs_snapshot_handles_of (self) + self->n_handles;
}

void
_rs_snapshot_add_op (GArray   *ops,
                     guint     position,
                     OpKind    kind,
                     gpointer  node)
{
  Op op = { position, kind, node };

  g_assert (position < (1u << 30));

  g_array_append_val (ops, op);
}

/* The ops of `ops` in a block of their size (a GArray keeps room to grow:
 * up to twice what a step's ops take, kept for every step). */
Op *
_rs_snapshot_take_ops (GArray *ops)
{
  Op *taken = g_memdup2 (ops->data, ops->len * sizeof (Op));

  g_array_unref (ops);
  return taken;
}

/* Handles are in display order, ids unique: edits by id, in one pass. */
static void
diff_handles (RsHandle **from,
              guint      n_from,
              RsHandle **to,
              guint      n_to,
              GArray    *ops)
{
  g_autoptr(GHashTable) in_from = NULL;
  guint i = 0, j = 0;

  while (i < n_from || j < n_to)
    {
      if (i < n_from && j < n_to && from[i] == to[j])
        i++, j++;
      else if (i < n_from && j < n_to && from[i]->id == to[j]->id)
        _rs_snapshot_add_op (ops, i++, OP_REPLACE, rs_handle_ref (to[j++]));
      else
        {
          if (in_from == NULL)
            {
              in_from = g_hash_table_new (NULL, NULL);
              for (guint k = 0; k < n_from; k++)
                g_hash_table_add (in_from, (gpointer) from[k]->id);
            }
          /* A new id is inserted here; otherwise the old element goes (an
           * id that moved is inserted again where it now is). */
          if (j < n_to && (i == n_from || !g_hash_table_contains (in_from, to[j]->id)))
            _rs_snapshot_add_op (ops, i, OP_INSERT, rs_handle_ref (to[j++]));
          else
            _rs_snapshot_add_op (ops, i, OP_REMOVE, from[i]), i++;
        }
    }
}

/* Buffers are sorted by id: a merge. */
static void
diff_buffers (RsBuffer **from,
              guint      n_from,
              RsBuffer **to,
              guint      n_to,
              GArray    *ops)
{
  guint i = 0, j = 0;

  while (i < n_from || j < n_to)
    {
      if (i < n_from && j < n_to && from[i] == to[j])
        i++, j++;
      else if (i < n_from && j < n_to && from[i]->id == to[j]->id)
        _rs_snapshot_add_op (ops, i++, OP_REPLACE, rs_buffer_ref (to[j++]));
      else if (j < n_to && (i == n_from || to[j]->id < from[i]->id))
        _rs_snapshot_add_op (ops, i, OP_INSERT, rs_buffer_ref (to[j++]));
      else
        _rs_snapshot_add_op (ops, i, OP_REMOVE, from[i]), i++;
    }
}

gboolean
rs_snapshot_chain_private (RsSnapshot *self,
                           RsSnapshot *previous)
{
  g_autoptr(GArray) ops = NULL;
  guint n_handle_ops;

  g_return_val_if_fail (self != NULL && previous != NULL, FALSE);

  /* A snapshot is chained once, to one successor (a builder's are
   * chained already). */
  if (self->base != NULL || previous->is_base || self == previous ||
      previous->depth + 1 >= RS_SNAPSHOT_CHAIN_MAX)
    return self->base != NULL && self->base == previous;

  ops = g_array_new (FALSE, FALSE, sizeof (Op));
  diff_handles (_rs_snapshot_handles_of (previous), previous->n_handles, _rs_snapshot_handles_of (self), self->n_handles, ops);
  n_handle_ops = ops->len;
  diff_buffers (_rs_snapshot_buffers_of (previous), previous->n_buffers, _rs_snapshot_buffers_of (self), self->n_buffers, ops);

  /* Ops as large as the arrays save nothing: this step keeps its arrays
   * and starts a new chain. */
  if (ops->len * sizeof (Op) >= (self->n_handles + self->n_buffers) * sizeof (gpointer) ||
      n_handle_ops > OPS_MAX || ops->len - n_handle_ops > OPS_MAX)
    {
      guint n_ops = ops->len;

      _rs_snapshot_free_ops ((Op *) g_array_free (g_steal_pointer (&ops), FALSE), n_handle_ops, n_ops - n_handle_ops);
      return FALSE;
    }

  self->n_handle_ops = n_handle_ops;
  self->n_buffer_ops = ops->len - n_handle_ops;
  self->ops = _rs_snapshot_take_ops (g_steal_pointer (&ops));
  self->base = rs_snapshot_ref (previous);
  self->depth = previous->depth + 1;
  previous->is_base = TRUE;
  return TRUE;
}

gboolean
rs_snapshot_compact_private (RsSnapshot *self)
{
  gpointer nodes;

  g_return_val_if_fail (self != NULL, FALSE);

  /* Only a snapshot nobody but its history (and its successor's chain)
   * holds: a reader elsewhere has a reference, and keeps the arrays. */
  if (self->base == NULL)
    return TRUE;
  if (g_atomic_int_get ((gint *) &self->rc) != 1 + (self->is_base ? 1 : 0))
    return FALSE;
  pthread_mutex_lock (&arrays_lock);
  nodes = g_atomic_pointer_get (&self->nodes);
  if (nodes != NULL && g_atomic_pointer_compare_and_exchange (&self->nodes, nodes, NULL))
    _rs_snapshot_free_nodes (nodes, self->n_handles, self->n_buffers);
  pthread_mutex_unlock (&arrays_lock);
  return TRUE;
}


static const RsBuffer *
find_buffer (const RsSnapshot *self,
             guint64           id)
{
  RsBuffer **buffers;
  guint lo = 0, hi;

  /* Without rebuilding the arrays: the newest edit of `id` back to an
   * ancestor that has them. Queries over a whole history (the refcount
   * series of a buffer) read every step this way. */
  while (_rs_snapshot_peek_nodes (self) == NULL)
    {
      const Op *ops = self->ops + self->n_handle_ops;

      for (guint i = 0; i < self->n_buffer_ops; i++)
        if (((const RsBuffer *) ops[i].node)->id == id)
          return ops[i].kind == OP_REMOVE ? NULL : ops[i].node;
      self = self->base;
    }

  buffers = (RsBuffer **) _rs_snapshot_peek_nodes (self) + self->n_handles;
  hi = self->n_buffers;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      guint64 mid_id = buffers[mid]->id;

      if (mid_id == id)
        return buffers[mid];
      if (mid_id < id)
        lo = mid + 1;
      else
        hi = mid;
    }
  return NULL;
}

const RsBuffer *
rs_snapshot_find_buffer (const RsSnapshot *self,
                         guint64           id)
{
  const RsBuffer *buffer;

  g_return_val_if_fail (self != NULL, NULL);

  /* The caller holds `self`, not its ancestors: their arrays are read
   * under the lock their history drops them with. */
  if (_rs_snapshot_peek_nodes (self) != NULL)
    return find_buffer (self, id);
  pthread_mutex_lock (&arrays_lock);
  buffer = find_buffer (self, id);
  pthread_mutex_unlock (&arrays_lock);
  return buffer;
}
