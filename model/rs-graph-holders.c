/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-graph-holders.c: what holds references no handle of the snapshot
 * shows: the libav parts (a decoder's reference pictures, its copy of the
 * input), drawn dashed on the far side, and the lost node (references
 * nobody holds, red), never merged with them; and the ghosts of buffers
 * freed in the step, tied to what held them.
 */
#define G_LOG_DOMAIN "rs-graph"

#include "rs-graph-build-private.h"
#include "rs-intern.h"


/* The holder node `key` (a libav part, or the lost node), made on first use. */
static Agnode_t *
holder_node (Builder    *b,
             const char *key,
             gboolean    lost)
{
  Agnode_t *hn = g_hash_table_lookup (b->holder_nodes, key);
  g_autofree char *name = NULL;

  if (hn != NULL)
    return hn;
  name = g_strconcat ("x_", key, NULL);
  hn = _rs_graph_builder_add_node (b, b->holder_rank, RS_GRAPH_NODE_HOLDER, name, NULL, lost ? NULL : key, NULL, 0, 'x');
  {
    /* A stream's decoder between its input packet and its output frame;
     * other parts, and the lost node, at the lane's end. */
    RsGraphPlace *place = _rs_graph_last_place (b->graph);
    int lane = lost ? RS_LANE_OTHER : _rs_graph_builder_holder_lane (b, key);

    _rs_graph_builder_place_loose (place, lane);
    place->station = place->station == RS_STATION_DECODER ? RS_STATION_OTHER : place->station;
    if (lane != RS_LANE_OTHER && !g_hash_table_contains (b->decoder_rows, GINT_TO_POINTER (lane)))
      {
        g_hash_table_add (b->decoder_rows, GINT_TO_POINTER (lane));
        place->station = RS_STATION_DECODER;
        place->order = 1;
      }
  }
  SET (hn, b->n_shape, "box");
  SET (hn, b->n_style, "rounded,dashed");
  SET (hn, b->n_color, lost ? b->pal->bad : b->pal->holder);
  SET (hn, b->n_margin, "0.1,0.05");
  g_hash_table_insert (b->holder_nodes, (gpointer) key, hn);
  return hn;
}

/* A dashed edge from the buffer node to the part holding `count` refs. */
static void
link_holder (Builder           *b,
             const RsGraphNode *node,
             Agnode_t          *hn,
             int                count,
             const char        *color)
{
  g_autofree char *text = g_strdup_printf ("×%d", count);
  Agedge_t *e = _rs_graph_builder_add_edge (b, agnode (b->g, (char *) node->name, FALSE), NULL, hn, TRUE);

  SET (e, b->e_dir, "back");
  SET (e, b->e_style, "dashed");
  SET (e, b->e_color, color);
  SET (e, b->e_fontcolor, color);
  SET (e, b->e_label, text);
}

void
_rs_graph_builder_add_holders (Builder *b)
{
  const char *lost_key = rs_intern_static (" lost");
  GHashTableIter iter;
  gpointer key, value;

  /* Holder nodes first, in the order their buffers appear. */
  for (guint i = 0; i < b->graph->nodes->len; i++)
    {
      /* A copy: adding a holder node below may move the array. */
      const RsGraphNode copy = g_array_index (b->graph->nodes, RsGraphNode, i);
      const RsGraphNode *node = &copy;
      const RsBuffer *buffer;
      int hidden = 0, lost = 0;

      if (node->kind != RS_GRAPH_NODE_BUFFER)
        continue;
      buffer = rs_snapshot_find_buffer (b->snapshot, node->buffer_id);
      if (buffer == NULL)
        continue;
      for (guint k = 0; k < node->n_buffers; k++)
        {
          const RsBuffer *member = k == 0 ? buffer : rs_snapshot_find_buffer (b->snapshot, node->buffer_ids[k]);

          hidden += member != NULL ? member->hidden : 0;
          lost += member != NULL ? member->lost : 0;
        }
      /* libav's refs and lost ones are never drawn as one. */
      if (hidden > 0 && !buffer->leaked)
        link_holder (b, node, holder_node (b, buffer->holder != NULL ? buffer->holder
                                                                     : rs_intern_static ("libav"), FALSE),
                     hidden, b->pal->holder);
      if (lost > 0)
        link_holder (b, node, holder_node (b, lost_key, TRUE), lost, b->pal->bad);
    }

  g_hash_table_iter_init (&iter, b->holder_nodes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      int count = GPOINTER_TO_INT (g_hash_table_lookup (b->holder_counts, key));
      g_autofree char *label = key == lost_key ? _rs_graph_lost_label (b->pal, count)
                                               : _rs_graph_holder_label (b->pal, key, count);
      _rs_graph_builder_set_html (b, value, b->n_label, label);
    }
}

/* Buffers freed since the step before, drawn once more as ghosts, tied to
 * the handle slots or libav part that held them. */
void
_rs_graph_builder_add_ghosts (Builder *b)
{
  guint n_removed = rs_diff_get_n_removed_buffers (b->diff);

  for (guint i = 0; i < n_removed; i++)
    {
      const RsBuffer *buffer = rs_diff_get_removed_buffer (b->diff, i);
      g_autofree char *name = g_strdup_printf ("b_%" G_GUINT64_FORMAT, buffer->id);
      g_autofree char *label = _rs_graph_ghost_label (buffer);
      Agnode_t *n;

      if (agnode (b->g, name, FALSE) != NULL)
        continue;   /* folded into a live group; cannot happen with unique ids */
      const char *row = NULL;

      n = _rs_graph_builder_add_node (b, b->buffer_rank, RS_GRAPH_NODE_GHOST, name, NULL, NULL, &buffer->id, 1, 'z');
      _rs_graph_builder_place_loose (_rs_graph_last_place (b->graph),
                                     buffer->hidden > 0 ? _rs_graph_builder_holder_lane (b, buffer->holder)
                                                        : RS_LANE_OTHER);
      SET (n, b->n_shape, "box");
      SET (n, b->n_style, "rounded,dashed");
      SET (n, b->n_color, b->pal->bad);
      SET (n, b->n_fontcolor, b->pal->bad);
      SET (n, b->n_fontsize, "9");
      SET (n, b->n_margin, "0.08,0.03");
      /* As tall as the buffer's node was: its centre stays put. */
      SET (n, b->n_height, "0.2778");
      SET (n, b->n_label, label);

      for (guint h = 0; b->before != NULL && h < rs_snapshot_get_n_handles (b->before); h++)
        {
          const RsHandle *old = rs_snapshot_get_handle (b->before, h);
          const RsHandle *now = rs_snapshot_find_handle (b->snapshot, old->id);
          g_autofree char *handle_name = g_strconcat ("h_", old->id, NULL);
          Agnode_t *hn = agnode (b->g, handle_name, FALSE);

          if (now == NULL && row == NULL)
            for (guint r = 0; r < old->n_refs; r++)
              if (old->refs[r].buffer == buffer->id)
                {
                  /* Freed with its handle: drawn once more where the two were. */
                  _rs_graph_builder_handle_place (old, NULL, _rs_graph_last_place (b->graph));
                  _rs_graph_last_place (b->graph)->row_head = 0;
                  row = "";
                  break;
                }
          if (now == NULL || hn == NULL)
            continue;
          for (guint r = 0; r < old->n_refs; r++)
            {
              const char *port = NULL;
              Agedge_t *e;

              if (old->refs[r].buffer != buffer->id)
                continue;
              for (guint k = 0; k < now->n_refs; k++)
                if (now->refs[k].field == old->refs[r].field)
                  port = old->refs[r].field;
              if (row == NULL || row[0] == '\0')
                {
                  /* Drawn where it was: on the row of what held it. */
                  row = agnameof (hn);
                  _rs_graph_builder_place_item (b, row);
                }
              e = _rs_graph_builder_add_edge (b, hn, port, n, FALSE);
              SET (e, b->e_style, "dotted");
              SET (e, b->e_color, b->pal->bad);
            }
        }

      if (buffer->hidden > 0)
        {
          const char *holder = buffer->holder != NULL ? buffer->holder : rs_intern_static ("libav");
          Agnode_t *hn = g_hash_table_lookup (b->holder_nodes, holder);

          if (hn != NULL)
            {
              Agedge_t *e = _rs_graph_builder_add_edge (b, n, NULL, hn, FALSE);

              SET (e, b->e_dir, "back");
              SET (e, b->e_style, "dotted");
              SET (e, b->e_color, b->pal->bad);
            }
        }
    }
}

