/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-graph-build.c: a snapshot (and what changed since the step before) as a
 * cgraph graph. Labels are HTML-like tables; the parts of a label that depend
 * only on the node are built once per node and cached on it
 * (RS_NODE_CACHE_DOT), the marks that depend on the diff are added per step.
 */
#define G_LOG_DOMAIN "rs-graph"

#include "rs-graph-build-private.h"
#include "rs-intern.h"

#include <string.h>

/* ---- handles ---- */

/* Where a handle's row goes: by its role in the pipeline and its stream. */
static void
place_handle (Builder        *b,
              const RsHandle *handle,
              const char     *cluster)
{
  RsGraphPlace *place = _rs_graph_last_place (b->graph);

  _rs_graph_builder_handle_place (handle, cluster, place);
  /* The buffers made while drawing its refs are its row's items. */
  b->row = *place;
  b->row.row_head = b->graph->nodes->len;
  b->in_row = TRUE;
}

static int
compare_slots (gconstpointer a,
               gconstpointer b)
{
  const RsHandle *ha = *(const RsHandle **) a;
  const RsHandle *hb = *(const RsHandle **) b;

  return (ha->slot > hb->slot) - (ha->slot < hb->slot);
}

/* The handles in drawing order: readers first, then the snapshot's order,
 * queue slots together (in slot order) where the queue's first slot is.
 * A GPtrArray of GPtrArray (one per top-level item) of const RsHandle*. */
static GPtrArray *
order_handles (RsSnapshot *snapshot)
{
  g_autoptr(GHashTable) queues = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  GPtrArray *items = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  guint n = rs_snapshot_get_n_handles (snapshot);

  for (guint i = 0; i < n; i++)
    {
      const RsHandle *h = rs_snapshot_get_handle (snapshot, i);
      GPtrArray *queue;

      if (h->group == NULL)
        continue;
      queue = g_hash_table_lookup (queues, h->group);
      if (queue == NULL)
        g_hash_table_insert (queues, (gpointer) h->group, queue = g_ptr_array_new ());
      g_ptr_array_add (queue, (gpointer) h);
    }

  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < n; i++)
      {
        const RsHandle *h = rs_snapshot_get_handle (snapshot, i);
        GPtrArray *item;

        if (is_reader (h) != (pass == 0))
          continue;
        if (h->group != NULL)
          {
            if (!g_hash_table_steal_extended (queues, h->group, NULL, (gpointer *) &item))
              continue;   /* already placed */
            g_ptr_array_sort (item, compare_slots);
          }
        else
          {
            item = g_ptr_array_new ();
            g_ptr_array_add (item, (gpointer) h);
          }
        g_ptr_array_add (items, item);
      }
  return items;
}

static Agnode_t *
buffer_node (Builder *b,
             guint64  id);

static gboolean
ref_is_new (Builder        *b,
            const RsHandle *handle,
            const RsRef    *ref)
{
  const RsHandle *old;

  if (b->diff == NULL)
    return FALSE;
  if (b->before_handles == NULL)
    return TRUE;
  old = g_hash_table_lookup (b->before_handles, handle->id);
  if (old == handle)
    return FALSE;   /* the same, shared node */
  /* Field names are interned. */
  for (guint r = 0; old != NULL && r < old->n_refs; r++)
    if (old->refs[r].field == ref->field && old->refs[r].buffer == ref->buffer)
      return FALSE;
  return TRUE;
}

static void
style_ref_edge (Builder  *b,
                Agedge_t *e,
                gboolean  is_new)
{
  if (is_new)
    {
      SET (e, b->e_color, b->pal->good);
      SET (e, b->e_penwidth, "1.6");
    }
}

/* The last ref drawn on the row of ref `first`: consecutive refs into the
 * same folded group share a row. */
static guint
row_end (Builder        *b,
         const RsHandle *handle,
         guint           first)
{
  RsGraphGroup *group = g_hash_table_lookup (b->groups, &handle->refs[first].buffer);
  guint last = first;

  while (group != NULL && last + 1 < handle->n_refs &&
         g_hash_table_lookup (b->groups, &handle->refs[last + 1].buffer) == group)
    last++;
  return last;
}

/* How many rows the frames of each stream draw at most: a frame handle,
 * full or empty, reserves that many. */
static void
count_frame_rows (Builder *b)
{
  for (guint i = 0; i < rs_snapshot_get_n_handles (b->snapshot); i++)
    {
      const RsHandle *h = rs_snapshot_get_handle (b->snapshot, i);
      guint rows = 0;

      if (h->kind != RS_HANDLE_FRAME)
        continue;
      for (guint r = 0; r < h->n_refs; r = row_end (b, h, r) + 1)
        rows++;
      if (rows > GPOINTER_TO_UINT (g_hash_table_lookup (b->frame_rows, GINT_TO_POINTER (h->stream))))
        g_hash_table_insert (b->frame_rows, GINT_TO_POINTER (h->stream), GUINT_TO_POINTER (rows));
    }
}

static Agnode_t *
add_handle (Builder        *b,
            Agraph_t       *parent,
            const RsHandle *handle)
{
  const RsHandleFragment *fragment = _rs_graph_handle_fragment (handle);
  g_autofree char *name = g_strconcat ("h_", handle->id, NULL);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) _rs_graph_row_free);
  g_autoptr(GPtrArray) targets = g_ptr_array_new ();
  g_autofree char *label = NULL;
  RsDiffFlags flags = b->diff != NULL ? rs_diff_get_handle_flags (b->diff, handle->id) : RS_DIFF_SAME;
  gboolean is_out = g_strcmp0 (rs_snapshot_get_out (b->snapshot), handle->id) == 0;
  guint min_rows = 0;
  const char *mark = NULL;
  Agnode_t *n;

  /* The rows the handle's kind takes: a queue slot keeps its size full or
   * empty, and so does a handle outside queues. */
  min_rows = handle->kind == RS_HANDLE_PACKET ? 1
             : MAX (1, GPOINTER_TO_UINT (g_hash_table_lookup (b->frame_rows, GINT_TO_POINTER (handle->stream))));

  if (handle->group != NULL)
    mark = handle == b->ring_head && handle == b->ring_tail ? "head tail"
           : handle == b->ring_head ? "head" : handle == b->ring_tail ? "tail" : NULL;
  if (handle->n_refs == 0 && handle->group != NULL)
    {
      /* An empty queue slot: drawn faintly, so the fill level shows. */
      label = _rs_graph_empty_slot_label (b->pal, handle, min_rows, mark);
      n = _rs_graph_builder_add_node (b, parent, RS_GRAPH_NODE_HANDLE, name, handle->id, NULL, NULL, 0, 'e');
      place_handle (b, handle, parent != b->g ? agnameof (parent) : NULL);
      b->in_row = FALSE;
      SET (n, b->n_style, "dashed");
      _rs_graph_builder_set_html (b, n, b->n_label, label);
      return n;
    }

  n = _rs_graph_builder_add_node (b, parent, RS_GRAPH_NODE_HANDLE, name, handle->id, NULL, NULL, 0, 'h');
  place_handle (b, handle, handle->group != NULL ? agnameof (parent) : NULL);

  /* One row per ref; consecutive refs into the same folded group share a row. */
  for (guint i = 0; i < handle->n_refs; i++)
    {
      const RsRef *ref = &handle->refs[i];
      Agnode_t *target = buffer_node (b, ref->buffer);
      guint last = row_end (b, handle, i);
      gboolean is_new = FALSE;
      RsGraphRow *row;

      for (guint k = i; k <= last; k++)
        is_new |= ref_is_new (b, handle, &handle->refs[k]);

      row = g_new0 (RsGraphRow, 1);
      row->port = ref->field;
      row->is_new = is_new;
      if (last == i)
        row->text = g_strdup (fragment->rows[i]);
      else
        row->text = _rs_graph_folded_row_text (handle, i, last);
      g_ptr_array_add (rows, row);
      g_ptr_array_add (targets, target);
      i = last;
    }
  b->in_row = FALSE;

  label = _rs_graph_handle_label (b->pal, handle, fragment, rows, min_rows, flags, is_out, mark);
  _rs_graph_builder_set_html (b, n, b->n_label, label);

  for (guint r = 0; r < rows->len; r++)
    {
      RsGraphRow *row = g_ptr_array_index (rows, r);
      Agedge_t *e = _rs_graph_builder_add_edge (b, n, row->port, g_ptr_array_index (targets, r), FALSE);

      style_ref_edge (b, e, row->is_new);
    }
  return n;
}

/* A run of at least two empty slots, folded into one faint node. */
static Agnode_t *
add_empty_run (Builder   *b,
               Agraph_t  *parent,
               GPtrArray *queue,
               guint      first,
               guint      last)
{
  const RsHandle *h0 = g_ptr_array_index (queue, first);
  const RsHandle *h1 = g_ptr_array_index (queue, last);
  g_autofree char *name = g_strconcat ("e_", h0->id, NULL);
  /* The slot written next (and read next, in an empty ring) is the run's
   * first: runs break before a marked slot. */
  g_autofree char *text = g_strdup_printf ("%s[%d–%d] empty",
                                           h0 == b->ring_tail && h0 == b->ring_head ? "head tail ▸ "
                                           : h0 == b->ring_tail ? "tail ▸ " : "",
                                           h0->slot, h1->slot);
  Agnode_t *n;
  guint index;

  n = _rs_graph_builder_add_node (b, parent, RS_GRAPH_NODE_EMPTY_SLOTS, name, h0->id, NULL, NULL, 0, 'e');
  place_handle (b, h0, agnameof (parent));
  b->in_row = FALSE;
  index = b->graph->nodes->len - 1;
  g_array_index (b->graph->nodes, RsGraphNode, index).n_buffers = last - first + 1;
  for (guint i = first + 1; i <= last; i++)
    {
      const RsHandle *h = g_ptr_array_index (queue, i);
      g_hash_table_insert (b->graph->by_handle, (gpointer) h->id, GUINT_TO_POINTER (index + 1));
    }
  SET (n, b->n_shape, "box");
  SET (n, b->n_style, "rounded,dashed");
  SET (n, b->n_color, b->pal->faint);
  SET (n, b->n_fontcolor, b->pal->faint);
  SET (n, b->n_fontsize, "8");
  SET (n, b->n_height, "0.2");
  SET (n, b->n_margin, "0.06,0.01");
  SET (n, b->n_label, text);
  return n;
}

/* A run of full slots folded into one node, with one edge to each node
 * drawing their buffers (normally the run's one group). */
static Agnode_t *
add_full_run (Builder   *b,
              Agraph_t  *parent,
              GPtrArray *queue,
              guint      first,
              guint      last)
{
  const RsHandle *h0 = g_ptr_array_index (queue, first);
  const RsHandle *h1 = g_ptr_array_index (queue, last);
  g_autofree char *name = g_strconcat ("r_", h0->id, NULL);
  g_autofree char *label = NULL;
  g_autoptr(GPtrArray) targets = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  guint64 first_buffer = G_MAXUINT64, last_buffer = 0, bytes = 0;
  guint n_buffers = 0;
  Agnode_t *n;
  guint index;

  n = _rs_graph_builder_add_node (b, parent, RS_GRAPH_NODE_HANDLE, name, h0->id, NULL, NULL, 0, 'r');
  place_handle (b, h0, agnameof (parent));
  index = b->graph->nodes->len - 1;
  g_array_index (b->graph->nodes, RsGraphNode, index).n_buffers = last - first + 1;
  for (guint i = first; i <= last; i++)
    {
      const RsHandle *h = g_ptr_array_index (queue, i);

      if (i > first)
        g_hash_table_insert (b->graph->by_handle, (gpointer) h->id, GUINT_TO_POINTER (index + 1));
      for (guint r = 0; r < h->n_refs; r++)
        {
          const RsBuffer *buffer = rs_snapshot_find_buffer (b->snapshot, h->refs[r].buffer);
          Agnode_t *target;

          if (!g_hash_table_add (seen, (gpointer) &h->refs[r].buffer))
            continue;
          n_buffers++;
          first_buffer = MIN (first_buffer, h->refs[r].buffer);
          last_buffer = MAX (last_buffer, h->refs[r].buffer);
          bytes += buffer != NULL ? buffer->size : 0;
          target = buffer_node (b, h->refs[r].buffer);
          if (g_ptr_array_find (targets, target, NULL))
            continue;
          g_ptr_array_add (targets, target);
        }
    }

  b->in_row = FALSE;
  label = _rs_graph_run_label (b->pal, h0, h1, last - first + 1, first_buffer, last_buffer, n_buffers, bytes);
  _rs_graph_builder_set_html (b, n, b->n_label, label);
  for (guint i = 0; i < targets->len; i++)
    _rs_graph_builder_add_edge (b, n, "refs", g_ptr_array_index (targets, i), FALSE);
  return n;
}

/* The ends of a queue drawn as the ring buffer it is: the slot read next
 * and the slot written next. The player marks them from its ring indices
 * (rs_snapshot_get_ring_end()), which is the only way an empty ring's
 * ends, or a full ring's tail, can show: both meet on one slot. A queue
 * none of whose slots is marked (a recording, or a player ring whose
 * marked slots are freed packets, absent here) has its ends derived from
 * its contents (data/session: the full slots are head, head + 1, ...
 * modulo the capacity): the first full slot after an empty one (in a full
 * queue the frame on display, or the packet first in decode order) and
 * the first empty slot after the full ones. Then an empty queue's ends are
 * not marked, nor a full queue's tail, nor the ends of a queue whose full
 * slots are not one run. `queue` is in slot order. */
static void
find_ring_ends (const RsSnapshot *snapshot,
                GPtrArray        *queue,
                const RsHandle  **head,
                const RsHandle  **tail)
{
  guint n = queue->len, used = 0, runs = 0, start = 0;

  *head = *tail = NULL;
  for (guint i = 0; i < n; i++)
    {
      const RsHandle *h = g_ptr_array_index (queue, i);
      RsRingEnd end = rs_snapshot_get_ring_end (snapshot, h);

      used += h->n_refs > 0;
      if (end & RS_RING_HEAD)
        *head = h;
      if (end & RS_RING_TAIL)
        *tail = h;
    }
  if (*head != NULL || *tail != NULL)
    return;
  if (used == 0)
    return;
  if (used == n)
    {
      for (guint i = 0; i < n; i++)
        {
          const RsHandle *h = g_ptr_array_index (queue, i);
          const RsHandle *best = *head;
          gint64 order = h->dts != RS_NO_TIMESTAMP ? h->dts : h->pts;

          if (h->kind != RS_HANDLE_PACKET)
            {
              if (h->shown)
                *head = h;
              continue;
            }
          if (order != RS_NO_TIMESTAMP &&
              (best == NULL || order < (best->dts != RS_NO_TIMESTAMP ? best->dts : best->pts)))
            *head = h;
        }
      return;
    }
  /* Slots absent from the snapshot (freed packets) count as empty. */
  for (guint i = 0; i < n; i++)
    {
      const RsHandle *h = g_ptr_array_index (queue, i);
      const RsHandle *before = g_ptr_array_index (queue, (i + n - 1) % n);

      if (h->n_refs > 0 && (before->n_refs == 0 || (before->slot + 1) % MAX (before->capacity, 1) != h->slot % MAX (h->capacity, 1)))
        {
          runs++;
          start = i;
        }
    }
  if (runs != 1)
    return;
  *head = g_ptr_array_index (queue, start);
  for (guint i = start; ((const RsHandle *) g_ptr_array_index (queue, i % n))->n_refs > 0; i++)
    *tail = g_ptr_array_index (queue, (i + 1) % n);
  /* The next slot written must follow the last full one. */
  if (*tail != NULL && (*tail)->slot != ((*head)->slot + (int) used) % MAX ((*head)->capacity, (int) n))
    *tail = NULL;
}

static void
add_queue (Builder   *b,
           GPtrArray *queue,
           gboolean   folded)
{
  const RsHandle *first = g_ptr_array_index (queue, 0);
  g_autofree char *cluster_name = g_strconcat ("cluster_", first->group, NULL);
  g_autofree char *label = NULL;
  Agraph_t *cluster = agsubg (b->g, cluster_name, TRUE);
  g_autoptr(GArray) runs = g_array_new (FALSE, FALSE, sizeof (RsGraphRun));
  guint used = 0;

  for (guint i = 0; i < queue->len; i++)
    used += ((const RsHandle *) g_ptr_array_index (queue, i))->n_refs > 0;
  find_ring_ends (b->snapshot, queue, &b->ring_head, &b->ring_tail);
  label = _rs_graph_queue_label (first, used, MAX ((guint) first->capacity, queue->len),
                                 b->ring_head, b->ring_tail);
  SET (cluster, b->g_label, label);
  SET (cluster, b->g_style, "rounded");
  g_string_append_printf (b->key, "C %s\n", cluster_name);
  g_ptr_array_add (b->graph->clusters, (gpointer) agnameof (cluster));

  if (folded)
    _rs_graph_find_full_runs (queue, runs);
  for (guint i = 0, next_run = 0; i < queue->len; i++)
    {
      const RsHandle *h = g_ptr_array_index (queue, i);
      guint last = i;

      if (next_run < runs->len && g_array_index (runs, RsGraphRun, next_run).first == i)
        {
          last = g_array_index (runs, RsGraphRun, next_run++).last;
          add_full_run (b, cluster, queue, i, last);
          i = last;
          continue;
        }
      /* A marked empty slot starts its own run, so its mark shows. */
      while (folded && h->n_refs == 0 && last + 1 < queue->len &&
             ((const RsHandle *) g_ptr_array_index (queue, last + 1))->n_refs == 0 &&
             g_ptr_array_index (queue, last + 1) != b->ring_head &&
             g_ptr_array_index (queue, last + 1) != b->ring_tail)
        last++;
      if (last > i)
        add_empty_run (b, cluster, queue, i, last);
      else
        add_handle (b, cluster, h);
      i = last;
    }
  b->ring_head = b->ring_tail = NULL;
}

/* ---- buffers ---- */

static Agnode_t *
buffer_node (Builder *b,
             guint64  id)
{
  Agnode_t *n = g_hash_table_lookup (b->buffer_nodes, &id);
  RsGraphGroup *group;
  g_autofree char *name = NULL;
  g_autofree char *label = NULL;
  g_autoptr(GPtrArray) members = NULL;
  const RsBuffer *buffer;

  if (n != NULL)
    return n;

  group = g_hash_table_lookup (b->groups, &id);
  members = g_ptr_array_new ();
  if (group != NULL)
    for (guint i = 0; i < group->ids->len; i++)
      g_ptr_array_add (members, (gpointer) rs_snapshot_find_buffer (b->snapshot,
                                                                    g_array_index (group->ids, guint64, i)));
  else if ((buffer = rs_snapshot_find_buffer (b->snapshot, id)) != NULL)
    g_ptr_array_add (members, (gpointer) buffer);

  buffer = members->len > 0 ? g_ptr_array_index (members, 0) : NULL;
  name = g_strdup_printf ("b_%" G_GUINT64_FORMAT, buffer != NULL ? buffer->id : id);

  if (buffer == NULL)
    {
      /* A ref to a buffer the snapshot does not list: draw what we know. */
      n = _rs_graph_builder_add_node (b, b->buffer_rank, RS_GRAPH_NODE_BUFFER, name, NULL, NULL, &id, 1, 'u');
      if (b->in_row)
        *_rs_graph_last_place (b->graph) = b->row;
      label = g_strdup_printf ("#%" G_GUINT64_FORMAT " (unknown)", id);
      SET (n, b->n_shape, "box");
      SET (n, b->n_style, "dashed");
      SET (n, b->n_label, label);
      g_hash_table_insert (b->buffer_nodes, g_memdup2 (&id, sizeof id), n);
      return n;
    }

  {
    g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint64));

    for (guint i = 0; i < members->len; i++)
      g_array_append_val (ids, ((const RsBuffer *) g_ptr_array_index (members, i))->id);
    n = _rs_graph_builder_add_node (b, b->buffer_rank, RS_GRAPH_NODE_BUFFER, name, NULL, NULL,
                  (const guint64 *) (gpointer) ids->data, ids->len, group != NULL ? 'g' : 'b');
    if (b->in_row)
      *_rs_graph_last_place (b->graph) = b->row;
    else if (buffer->hidden > 0)
      {
        /* Only libav holds it: a picture the decoder keeps, under the decoder. */
        _rs_graph_builder_place_loose (_rs_graph_last_place (b->graph),
                                       _rs_graph_builder_holder_lane (b, buffer->holder));
      }
    else
      _rs_graph_builder_place_loose (_rs_graph_last_place (b->graph), RS_LANE_OTHER);
    for (guint i = 0; i < ids->len; i++)
      g_hash_table_insert (b->buffer_nodes, g_memdup2 (&g_array_index (ids, guint64, i), sizeof (guint64)), n);
  }

  label = _rs_graph_buffer_label (b->pal, b->snapshot, b->diff, members,
                                 g_hash_table_lookup (b->plane_names, &buffer->id));
  _rs_graph_builder_set_html (b, n, b->n_label, label);
  if (group != NULL)
    group->node = n;
  return n;
}

/* ---- the whole graph ---- */

static void
collect_facts (Builder *b)
{
  RsSnapshot *s = b->snapshot;

  for (guint i = 0; i < rs_snapshot_get_n_buffers (s); i++)
    {
      const RsBuffer *buffer = rs_snapshot_get_buffer (s, i);
      const char *holder = buffer->holder != NULL ? buffer->holder : rs_intern_static ("libav");

      if (buffer->hidden > 0 && !buffer->leaked)
        g_hash_table_insert (b->holder_counts, (gpointer) holder,
                             GINT_TO_POINTER (GPOINTER_TO_INT (g_hash_table_lookup (b->holder_counts, holder)) +
                                              buffer->hidden));
      if (buffer->lost > 0)
        g_hash_table_insert (b->holder_counts, (gpointer) rs_intern_static (" lost"),
                             GINT_TO_POINTER (GPOINTER_TO_INT (g_hash_table_lookup (b->holder_counts,
                                                                                    rs_intern_static (" lost"))) +
                                              buffer->lost));
    }

  for (guint i = 0; i < rs_snapshot_get_n_handles (s); i++)
    {
      const RsHandle *h = rs_snapshot_get_handle (s, i);
      const char *dot = strchr (h->id, '.');
      RsGraphPlace place;

      /* Only the handles drawn in a stream's lane name it ("video.pktq[0]"):
       * a recorded program's packets have a stream and a dot in their names
       * ("pkt@planted-leaks.c:185") but are its variables, in no lane. */
      _rs_graph_builder_handle_place (h, NULL, &place);
      if (place.lane != RS_LANE_OTHER && place.lane != RS_LANE_SOURCE && dot != NULL)
        {
          g_autofree char *lane = g_strndup (h->id, dot - h->id);

          if (!g_hash_table_contains (b->lane_names, lane))
            g_hash_table_insert (b->lane_names, (gpointer) rs_intern (lane), GINT_TO_POINTER (stream_lane (h) + 1));
        }
      for (guint r = 0; r < h->n_refs; r++)
        {
          const char *plane = _rs_graph_plane_name (h, &h->refs[r]);

          if (plane != NULL && !g_hash_table_contains (b->plane_names, &h->refs[r].buffer))
            g_hash_table_insert (b->plane_names, (gpointer) &h->refs[r].buffer, (gpointer) plane);
        }
    }

  if (b->before != NULL)
    {
      /* Handle ids are interned: pointers are keys. */
      b->before_handles = g_hash_table_new (NULL, NULL);
      for (guint i = 0; i < rs_snapshot_get_n_handles (b->before); i++)
        {
          const RsHandle *h = rs_snapshot_get_handle (b->before, i);

          g_hash_table_insert (b->before_handles, (gpointer) h->id, (gpointer) h);
        }
    }
}

RsGraph *
rs_graph_build (RsSnapshot           *snapshot,
                RsDiff               *diff,
                const RsGraphOptions *options)
{
  RsGraphOptions opts;
  Builder b = { 0 };
  g_autoptr(GPtrArray) items = NULL;
  guint n_nodes, threshold;
  RsGraph *graph;

  g_return_val_if_fail (snapshot != NULL, NULL);
  g_return_val_if_fail (diff == NULL || rs_diff_get_after (diff) == snapshot, NULL);

  if (options != NULL)
    opts = *options;
  else
    rs_graph_options_init (&opts);
  threshold = opts.fold_threshold != 0 ? opts.fold_threshold : RS_GRAPH_DEFAULT_FOLD_THRESHOLD;

  graph = _rs_graph_new ();
  graph->step = rs_snapshot_get_step (snapshot);

  b.graph = graph;
  b.snapshot = snapshot;
  b.diff = diff;
  b.before = diff != NULL ? rs_diff_get_before (diff) : NULL;
  b.pal = _rs_graph_palette (opts.dark);
  b.key = g_string_new (NULL);
  b.buffer_nodes = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  b.groups = g_hash_table_new (g_int64_hash, g_int64_equal);
  b.group_list = g_ptr_array_new_with_free_func (_rs_graph_group_free);
  b.holder_nodes = g_hash_table_new (NULL, NULL);
  b.holder_counts = g_hash_table_new (NULL, NULL);
  b.plane_names = g_hash_table_new (g_int64_hash, g_int64_equal);
  b.frame_rows = g_hash_table_new (NULL, NULL);
  b.lane_names = g_hash_table_new (g_str_hash, g_str_equal);
  b.decoder_rows = g_hash_table_new (NULL, NULL);

  collect_facts (&b);
  n_nodes = rs_snapshot_get_n_handles (snapshot) + rs_snapshot_get_n_buffers (snapshot) +
            (diff != NULL ? rs_diff_get_n_removed_buffers (diff) : 0) +
            g_hash_table_size (b.holder_counts);
  graph->folded = threshold != G_MAXUINT && n_nodes > threshold;
  g_string_append_printf (b.key, "folded=%d title=%d legend=%d dark=%d\n", graph->folded,
                          !opts.no_title, opts.legend, opts.dark);

  rs_graphviz_lock ();
  b.g = graph->agraph = _rs_graph_open ("refscope");
  _rs_graph_builder_declare_attributes (&b);
  items = order_handles (snapshot);
  if (graph->folded)
    {
      g_autoptr(GArray) runs = g_array_new (FALSE, FALSE, sizeof (RsGraphRun));

      /* Long runs of full queue slots first: their buffers become one node. */
      for (guint i = 0; i < items->len; i++)
        {
          GPtrArray *item = g_ptr_array_index (items, i);

          if (((const RsHandle *) g_ptr_array_index (item, 0))->group == NULL)
            continue;
          _rs_graph_find_full_runs (item, runs);
          for (guint r = 0; r < runs->len; r++)
            _rs_graph_group_run (item, &g_array_index (runs, RsGraphRun, r), b.groups, b.group_list);
        }
      _rs_graph_compute_groups (snapshot, b.groups, b.group_list);
    }
  else
    {
      /* A reference picture only the decoder holds is one node, not one
       * per plane: the decoder's column stays short. */
      _rs_graph_group_libav_runs (snapshot, b.groups, b.group_list, TRUE);
    }
  count_frame_rows (&b);

  b.buffer_rank = agsubg (b.g, "buffers", TRUE);
  SET (b.buffer_rank, b.g_rank, "same");
  b.holder_rank = agsubg (b.g, "holders", TRUE);
  SET (b.holder_rank, b.g_rank, "same");

  for (guint i = 0; i < items->len; i++)
    {
      GPtrArray *item = g_ptr_array_index (items, i);
      const RsHandle *h = g_ptr_array_index (item, 0);

      if (h->group != NULL)
        add_queue (&b, item, graph->folded);
      else
        add_handle (&b, b.g, h);
    }

  /* Buffers no handle holds: the decoder's reference pictures, leaks. */
  for (guint i = 0; i < rs_snapshot_get_n_buffers (snapshot); i++)
    buffer_node (&b, rs_snapshot_get_buffer (snapshot, i)->id);

  _rs_graph_builder_add_holders (&b);
  if (diff != NULL)
    _rs_graph_builder_add_ghosts (&b);

  if (opts.legend)
    {
      g_autofree char *legend = _rs_graph_legend_label (b.pal);
      Agnode_t *n = _rs_graph_builder_add_node (&b, b.g, RS_GRAPH_NODE_LEGEND, "legend",
                              NULL, NULL, NULL, 0, 'l');

      _rs_graph_builder_set_html (&b, n, b.n_label, legend);
      *_rs_graph_last_place (graph) = (RsGraphPlace) { RS_LANE_SIDE, RS_STATION_OTHER, 1000, 0, NULL };
    }

  /* The drawing's corners, placed where the layout remembers its extent:
   * a drawing that keeps its size keeps every node where it was. */
  for (guint i = 0; i < 2; i++)
    {
      Agnode_t *n = _rs_graph_builder_add_node (&b, b.g, (RsGraphNodeKind) -1, i == 0 ? "corner_top" : "corner_end",
                                                NULL, NULL, NULL, 0, 'c');
      SET (n, b.n_shape, "point");
      SET (n, b.n_style, "invis");
      SET (n, b.n_width, "0.01");
    }

  /* Last: a root graph's value is also the default of subgraphs made later. */
  SET (b.g, b.g_bgcolor, b.pal->background);
  if (!opts.no_title)
    {
      g_autofree char *title = _rs_graph_title_label (b.pal, snapshot);
      _rs_graph_builder_set_html (&b, b.g, b.g_label, title);
    }
  rs_graphviz_unlock ();

  _rs_graph_finish_nodes (graph);
  graph->topology_key = g_compute_checksum_for_string (G_CHECKSUM_SHA256, b.key->str, b.key->len);

  g_string_free (b.key, TRUE);
  g_hash_table_unref (b.buffer_nodes);
  g_hash_table_unref (b.groups);
  g_ptr_array_unref (b.group_list);
  g_hash_table_unref (b.holder_nodes);
  g_hash_table_unref (b.holder_counts);
  g_hash_table_unref (b.plane_names);
  g_hash_table_unref (b.frame_rows);
  g_hash_table_unref (b.lane_names);
  g_hash_table_unref (b.decoder_rows);
  g_clear_pointer (&b.before_handles, g_hash_table_unref);
  return graph;
}
