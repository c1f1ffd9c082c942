/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-graph-build-private.h: the state of one graph being built from a
 * snapshot, shared by the builder's files: rs-graph-build.c (handles,
 * queues, buffers, the whole graph), rs-graph-holders.c (the libav parts
 * and the lost node that hold references no handle shows, and the ghosts
 * of buffers freed in the step) and rs-graph-nodes.c (the tools both use:
 * attributes, nodes and edges, labels, places).
 */
#pragma once

#include "rs-graph-private.h"

G_BEGIN_DECLS

typedef struct {
  RsGraph        *graph;
  Agraph_t       *g;
  RsSnapshot     *snapshot;
  RsDiff         *diff;           /* nullable */
  RsSnapshot     *before;         /* nullable */
  const RsPalette *pal;
  GString        *key;
  Agraph_t       *buffer_rank;
  Agraph_t       *holder_rank;
  GHashTable     *buffer_nodes;   /* guint64 id -> Agnode_t* */
  GHashTable     *groups;         /* guint64 id -> RsGraphGroup* (borrowed from group_list) */
  GPtrArray      *group_list;     /* owned RsGraphGroup* */
  GHashTable     *holder_nodes;   /* interned holder -> Agnode_t* */
  GHashTable     *holder_counts;  /* interned holder -> total hidden refs */
  GHashTable     *plane_names;    /* guint64 id -> static plane name */
  GHashTable     *before_handles; /* interned id -> const RsHandle * of `before` */
  GHashTable     *frame_rows;     /* stream index -> most rows a frame of it draws */
  GHashTable     *lane_names;     /* "video" (a handle id's first part) -> stream + 1 */
  GHashTable     *decoder_rows;   /* lanes whose decoder row is taken */
  const RsHandle *ring_head;      /* the queue being drawn: its slot read next, or NULL */
  const RsHandle *ring_tail;      /* its slot written next, or NULL (full, or not known) */
  RsGraphPlace    row;            /* the place of the buffers made now: items of a row */
  gboolean        in_row;
  Agsym_t        *n_label, *n_shape, *n_style, *n_color, *n_fontcolor, *n_fontsize,
                 *n_width, *n_height, *n_margin, *n_penwidth;
  Agsym_t        *e_label, *e_style, *e_color, *e_fontcolor, *e_dir, *e_tailport,
                 *e_penwidth, *e_weight, *e_arrowhead;
  Agsym_t        *g_label, *g_style, *g_color, *g_fontcolor, *g_rank, *g_peripheries, *g_bgcolor;
} Builder;

#define SET(obj, sym, value) agxset ((obj), (sym), (char *) (value))

static inline gboolean
is_reader (const RsHandle *handle)
{
  return g_strcmp0 (handle->holder, "reader") == 0 || g_strcmp0 (handle->id, "reader") == 0;
}

/* A stream's lane. Video lanes go under the others: a video decoder keeps
 * a changing number of pictures, and its lane growing must not push the
 * other lanes down. */
static inline int
stream_lane (const RsHandle *handle)
{
  return handle->stream + (g_str_has_prefix (handle->id, "video") ? 1000 : 0);
}

/* rs-graph-nodes.c */
/* Declares the attributes of the graph, its nodes and edges: the same ones
 * in the same order for every graph (rs-render.c's release_graph relies on
 * it), their symbols kept in `b`. */
void       _rs_graph_builder_declare_attributes (Builder              *b);
/* Sets an HTML-like label (`html` is copied into the graph). */
void       _rs_graph_builder_set_html (Builder        *b,
                                       void           *obj,
                                       Agsym_t        *sym,
                                       const char     *html);
/* A node, recorded in the graph's node list (unless `kind` is -1) and in
 * the topology key. Owned by the graph. */
Agnode_t  *_rs_graph_builder_add_node (Builder        *b,
                                       Agraph_t       *parent,
                                       RsGraphNodeKind kind,
                                       const char     *name,
                                       const char     *handle_id,
                                       const char     *holder,
                                       const guint64  *ids,
                                       guint           n_ids,
                                       char            shape_tag);
/* An edge, recorded in the topology key. Owned by the graph. */
Agedge_t  *_rs_graph_builder_add_edge (Builder        *b,
                                       Agnode_t       *tail,
                                       const char     *tailport,
                                       Agnode_t       *head,
                                       gboolean        labelled);

/* The lane of a libav part ("video decoder", "video decoder input"): the
 * stream whose handles' ids start with its first word. */
int        _rs_graph_builder_holder_lane (Builder     *b,
                                          const char  *holder);
/* The place of a node no handle holds, near libav part in `lane` (a
 * stream's, or RS_LANE_OTHER: no stream's, RS_LANE_LOOSE). */
void       _rs_graph_builder_place_loose (RsGraphPlace *place,
                                          int           lane);
/* The place of `handle`'s row (in the queue cluster named `cluster`, or NULL). */
void       _rs_graph_builder_handle_place (const RsHandle *handle,
                                           const char     *cluster,
                                           RsGraphPlace   *place);
/* Sets the place of the node made last to an item of the row of node `head`. */
void       _rs_graph_builder_place_item  (Builder     *b,
                                          const char  *head);

/* rs-graph-holders.c */
/* Dashed edges from buffers to the libav parts holding their hidden refs,
 * and to the lost node for refs nobody holds; the parts' labels. */
void       _rs_graph_builder_add_holders (Builder     *b);
/* Buffers freed since the step before, as ghosts tied to what held them. */
void       _rs_graph_builder_add_ghosts  (Builder     *b);

G_END_DECLS
