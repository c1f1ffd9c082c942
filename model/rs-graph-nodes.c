/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-graph-nodes.c: the graph builder's tools, shared by rs-graph-build.c
 * and rs-graph-holders.c: the attributes every graph declares (in the same
 * order: see release_graph in rs-render.c), nodes and edges recorded in the
 * topology key as they are made, HTML labels, and where a node goes (its
 * lane and station, rs-graph-place.c).
 */
#define G_LOG_DOMAIN "rs-graph"

#include "rs-graph-build-private.h"
#include "rs-intern.h"

#include <string.h>

#define FONT "Cantarell,sans"

void
_rs_graph_builder_set_html (Builder    *b,
                            void       *obj,
                            Agsym_t    *sym,
                            const char *html)
{
  char *value = agstrdup_html (b->g, (char *) html);

  agxset (obj, sym, value);
  agstrfree (b->g, value);
}

/* ---- places ---- */

int
_rs_graph_builder_holder_lane (Builder    *b,
                               const char *holder)
{
  const char *space = holder != NULL ? strchr (holder, ' ') : NULL;
  g_autofree char *first = space != NULL ? g_strndup (holder, space - holder) : NULL;
  gpointer lane = first != NULL ? g_hash_table_lookup (b->lane_names, first) : NULL;

  return lane != NULL ? GPOINTER_TO_INT (lane) - 1 : RS_LANE_OTHER;
}

void
_rs_graph_builder_place_loose (RsGraphPlace *place,
                               int           lane)
{
  /* Near no stream: in the strip on top in a decode session, else in the
   * column right of the variables; rs-graph-place.c knows which
   * (RS_LANE_LOOSE). */
  *place = (RsGraphPlace) { lane != RS_LANE_OTHER ? lane : RS_LANE_LOOSE,
                            lane != RS_LANE_OTHER ? RS_STATION_DECODER : RS_STATION_OTHER,
                            RS_ORDER_SLOT, 0, NULL };
}

void
_rs_graph_builder_place_item (Builder    *b,
                              const char *head)
{
  guint index = GPOINTER_TO_UINT (g_hash_table_lookup (b->graph->by_name, rs_intern_lookup (head)));
  RsGraphPlace *place = _rs_graph_last_place (b->graph);

  if (index == 0)
    return;
  *place = g_array_index (b->graph->places, RsGraphPlace, index - 1);
  place->row_head = index;
}

void
_rs_graph_builder_handle_place (const RsHandle *handle,
                                const char     *cluster,
                                RsGraphPlace   *place)
{
  const char *holder = handle->holder != NULL ? handle->holder : "";
  gboolean packet = handle->kind == RS_HANDLE_PACKET;

  *place = (RsGraphPlace) { handle->stream >= 0 ? stream_lane (handle) : RS_LANE_OTHER,
                            RS_STATION_OTHER, RS_ORDER_SLOT, 0, cluster, packet };
  if (is_reader (handle))
    *place = (RsGraphPlace) { RS_LANE_SOURCE, RS_STATION_PACKETS, RS_ORDER_SLOT, 0, NULL, packet };
  else if (handle->stream < 0 ||
           (handle->group == NULL && strcmp (holder, "decoder_input") != 0 &&
            strcmp (holder, "decoder_output") != 0))
    {
      /* Not a part of a decode pipeline: a lesson's or a program's variable. */
      place->lane = RS_LANE_OTHER;
      place->station = RS_STATION_PACKETS;
    }
  else if (handle->group != NULL && handle->kind == RS_HANDLE_PACKET)
    place->station = RS_STATION_PACKETS, place->order = handle->slot;
  else if (handle->group != NULL)
    place->station = RS_STATION_FRAMES, place->order = handle->slot;
  else if (strcmp (holder, "decoder_input") == 0)
    place->station = RS_STATION_DECODER, place->order = 0;
  else if (strcmp (holder, "decoder_output") == 0)
    place->station = RS_STATION_DECODER, place->order = 2;
}

/* ---- nodes and edges, recorded in the topology key as they are made ---- */

Agnode_t *
_rs_graph_builder_add_node (Builder        *b,
                            Agraph_t       *parent,
                            RsGraphNodeKind kind,
                            const char     *name,
                            const char     *handle_id,
                            const char     *holder,
                            const guint64  *ids,
                            guint           n_ids,
                            char            shape_tag)
{
  Agnode_t *n = agnode (parent, (char *) name, TRUE);

  if (kind != (RsGraphNodeKind) -1)
    _rs_graph_add_node (b->graph, kind, name, handle_id, holder, ids, n_ids);
  g_string_append_printf (b->key, "N%c %s %s\n", shape_tag,
                          parent == b->g ? "" : agnameof (parent), name);
  return n;
}

Agedge_t *
_rs_graph_builder_add_edge (Builder    *b,
                            Agnode_t   *tail,
                            const char *tailport,
                            Agnode_t   *head,
                            gboolean    labelled)
{
  Agedge_t *e = agedge (b->g, tail, head, NULL, TRUE);

  if (tailport != NULL)
    SET (e, b->e_tailport, tailport);
  g_string_append_printf (b->key, "E %s:%s>%s%s\n", agnameof (tail),
                          tailport != NULL ? tailport : "", agnameof (head),
                          labelled ? " L" : "");
  return e;
}

/* ---- attributes ---- */

void
_rs_graph_builder_declare_attributes (Builder *b)
{
  const RsPalette *p = b->pal;
  Agraph_t *g = b->g;

  agattr (g, AGRAPH, "rankdir", "LR");
  agattr (g, AGRAPH, "ordering", "out");
  agattr (g, AGRAPH, "nodesep", "0.16");
  agattr (g, AGRAPH, "ranksep", "0.45");
  agattr (g, AGRAPH, "fontname", FONT);
  agattr (g, AGRAPH, "fontsize", "10");
  agattr (g, AGRAPH, "labelloc", "t");
  agattr (g, AGRAPH, "labeljust", "l");
  agattr (g, AGRAPH, "pad", "0.05");
  agattr (g, AGRAPH, "outputorder", "edgesfirst");
  b->g_bgcolor = agattr (g, AGRAPH, "bgcolor", "");
  b->g_label = agattr (g, AGRAPH, "label", "");
  b->g_style = agattr (g, AGRAPH, "style", "");
  b->g_color = agattr (g, AGRAPH, "color", (char *) p->cluster);
  b->g_fontcolor = agattr (g, AGRAPH, "fontcolor", (char *) p->text);
  b->g_rank = agattr (g, AGRAPH, "rank", "");
  b->g_peripheries = agattr (g, AGRAPH, "peripheries", "1");

  agattr (g, AGNODE, "fontname", FONT);
  b->n_fontsize = agattr (g, AGNODE, "fontsize", "10");
  b->n_shape = agattr (g, AGNODE, "shape", "plain");
  b->n_label = agattr (g, AGNODE, "label", "");
  b->n_style = agattr (g, AGNODE, "style", "");
  b->n_color = agattr (g, AGNODE, "color", (char *) p->border);
  b->n_fontcolor = agattr (g, AGNODE, "fontcolor", (char *) p->text);
  b->n_width = agattr (g, AGNODE, "width", "0");
  b->n_height = agattr (g, AGNODE, "height", "0");
  b->n_margin = agattr (g, AGNODE, "margin", "0");
  b->n_penwidth = agattr (g, AGNODE, "penwidth", "1");

  agattr (g, AGEDGE, "fontname", FONT);
  agattr (g, AGEDGE, "fontsize", "8");
  agattr (g, AGEDGE, "arrowsize", "0.6");
  b->e_label = agattr (g, AGEDGE, "label", "");
  b->e_style = agattr (g, AGEDGE, "style", "");
  b->e_color = agattr (g, AGEDGE, "color", (char *) p->edge);
  b->e_fontcolor = agattr (g, AGEDGE, "fontcolor", (char *) p->holder);
  b->e_dir = agattr (g, AGEDGE, "dir", "forward");
  b->e_tailport = agattr (g, AGEDGE, "tailport", "");
  b->e_penwidth = agattr (g, AGEDGE, "penwidth", "1");
  b->e_weight = agattr (g, AGEDGE, "weight", "1");
  b->e_arrowhead = agattr (g, AGEDGE, "arrowhead", "normal");
}
