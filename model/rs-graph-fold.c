/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-graph-fold.c: which buffers a large graph draws as one node.
 */
#define G_LOG_DOMAIN "rs-graph"

#include "rs-graph-private.h"

void
_rs_graph_group_free (gpointer data)
{
  RsGraphGroup *group = data;

  g_array_unref (group->ids);
  g_free (group);
}

void
_rs_graph_add_group (GHashTable *groups,
                     GPtrArray  *group_list,
                     GArray     *ids)
{
  RsGraphGroup *group = g_new0 (RsGraphGroup, 1);

  group->ids = g_array_ref (ids);
  g_ptr_array_add (group_list, group);
  for (guint i = 0; i < ids->len; i++)
    g_hash_table_insert (groups, &g_array_index (ids, guint64, i), group);
}

/* Runs of full queue slots folded into one node: each run keeps its first
 * and last RS_GRAPH_RUN_KEEP slots and hides at least RS_GRAPH_RUN_MIN. */
void
_rs_graph_find_full_runs (GPtrArray *queue,
                          GArray    *runs)
{
  g_array_set_size (runs, 0);
  for (guint i = 0; i < queue->len; i++)
    {
      guint last = i;

      if (((const RsHandle *) g_ptr_array_index (queue, i))->n_refs == 0)
        continue;
      while (last + 1 < queue->len && ((const RsHandle *) g_ptr_array_index (queue, last + 1))->n_refs > 0)
        last++;
      if (last - i + 1 >= 2 * RS_GRAPH_RUN_KEEP + RS_GRAPH_RUN_MIN)
        {
          RsGraphRun run = { i + RS_GRAPH_RUN_KEEP, last - RS_GRAPH_RUN_KEEP };
          g_array_append_val (runs, run);
        }
      i = last;
    }
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return (x > y) - (x < y);
}

/* The buffers a run of full slots points at, as one group (buffers already
 * in a group stay there). */
void
_rs_graph_group_run (GPtrArray  *queue,
                     RsGraphRun *run,
                     GHashTable *groups,
                     GPtrArray  *group_list)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);

  for (guint i = run->first; i <= run->last; i++)
    {
      const RsHandle *h = g_ptr_array_index (queue, i);

      for (guint r = 0; r < h->n_refs; r++)
        if (!g_hash_table_contains (groups, &h->refs[r].buffer) &&
            g_hash_table_add (seen, (gpointer) &h->refs[r].buffer))
          g_array_append_val (ids, h->refs[r].buffer);
    }
  /* Drawing order: by id, like the snapshot's buffers. */
  g_array_sort (ids, compare_ids);
  if (ids->len > 1)
    _rs_graph_add_group (groups, group_list, ids);
}

/* Fold each frame's planes (buffers held by exactly the same handles and the
 * same libav part) and runs of buffers only libav holds (a reference
 * picture's planes: same kind, birth, holder and count). */
void
_rs_graph_compute_groups (RsSnapshot *s,
                          GHashTable *groups,
                          GPtrArray  *group_list)
{
  g_autoptr(GHashTable) holders = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);

  for (guint i = 0; i < rs_snapshot_get_n_handles (s); i++)
    {
      const RsHandle *h = rs_snapshot_get_handle (s, i);

      for (guint r = 0; r < h->n_refs; r++)
        {
          char *old = g_hash_table_lookup (holders, &h->refs[r].buffer);
          g_hash_table_replace (holders, g_memdup2 (&h->refs[r].buffer, sizeof (guint64)),
                                g_strconcat (old != NULL ? old : "", h->id, "\n", NULL));
        }
    }

  for (guint i = 0; i < rs_snapshot_get_n_handles (s); i++)
    {
      const RsHandle *h = rs_snapshot_get_handle (s, i);

      if (h->kind != RS_HANDLE_FRAME)
        continue;
      for (guint r = 0; r < h->n_refs; r++)
        {
          g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint64));
          const RsBuffer *first = rs_snapshot_find_buffer (s, h->refs[r].buffer);
          const char *signature = g_hash_table_lookup (holders, &h->refs[r].buffer);
          guint last = r;

          if (first == NULL || g_hash_table_contains (groups, &first->id) ||
              !g_str_has_prefix (h->refs[r].field, "buf["))
            continue;
          g_array_append_val (ids, first->id);
          while (last + 1 < h->n_refs)
            {
              const RsBuffer *next = rs_snapshot_find_buffer (s, h->refs[last + 1].buffer);

              if (next == NULL || g_hash_table_contains (groups, &next->id) ||
                  !g_str_has_prefix (h->refs[last + 1].field, "buf[") ||
                  next->kind != first->kind || next->holder != first->holder ||
                  (next->hidden > 0) != (first->hidden > 0) || next->leaked != first->leaked ||
                  g_strcmp0 (g_hash_table_lookup (holders, &next->id), signature) != 0)
                break;
              g_array_append_val (ids, next->id);
              last++;
            }
          if (ids->len > 1)
            _rs_graph_add_group (groups, group_list, ids);
          r = last;
        }
    }
  _rs_graph_group_libav_runs (s, groups, group_list, FALSE);
}

void
_rs_graph_group_libav_runs (RsSnapshot *s,
                            GHashTable *groups,
                            GPtrArray  *group_list,
                            gboolean    pictures_only)
{
  guint n_buffers = rs_snapshot_get_n_buffers (s);

  for (guint i = 0; i < n_buffers; i++)
    {
      const RsBuffer *first = rs_snapshot_get_buffer (s, i);
      g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint64));
      guint last = i;

      if (first->visible > 0 || g_hash_table_contains (groups, &first->id) ||
          (pictures_only && first->kind != RS_BUFFER_KIND_PICTURE))
        continue;
      g_array_append_val (ids, first->id);
      while (last + 1 < n_buffers)
        {
          const RsBuffer *next = rs_snapshot_get_buffer (s, last + 1);

          if (next->visible > 0 || next->kind != first->kind || next->born != first->born ||
              next->holder != first->holder || next->refcount != first->refcount ||
              next->leaked != first->leaked || g_hash_table_contains (groups, &next->id))
            break;
          g_array_append_val (ids, next->id);
          last++;
        }
      if (ids->len > 1)
        _rs_graph_add_group (groups, group_list, ids);
      i = last;
    }
}
