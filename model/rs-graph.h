/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-graph.h: the ownership graph of one snapshot as a graphviz (cgraph)
 * graph, in the visual grammar of DESIGN.md section 4.
 *
 * Handles (queues are clusters), their AVBufferRef fields as table rows
 * with ports, the AVBuffers they point at drawn right of their holder, and
 * the parts of libav that hold hidden references. Where each node goes is
 * decided with the graph (rs-graph-place.h: a lane per stream, the reader
 * on top) and applied when rs-render.c lays it out.
 * Node names are stable across steps ("h_reader", "b_42", "x_video decoder"),
 * so the same snapshot content always produces the same graph, and a graph's
 * topology key tells whether an earlier layout can be reused.
 *
 * Graphviz keeps global state and is not thread-safe: every use of cgraph or
 * gvc in Refscope happens between rs_graphviz_lock() and rs_graphviz_unlock()
 * (the functions in rs-graph.h, rs-render.h and rs-export.h take the lock
 * themselves).
 */
#pragma once

#include <glib.h>
#include <graphviz/cgraph.h>

#include "rs-diff.h"
#include "rs-snapshot.h"

G_BEGIN_DECLS

#define RS_GRAPH_DEFAULT_FOLD_THRESHOLD 150

/* Zero-initialised options are the defaults. */
typedef struct {
  guint    fold_threshold; /* more nodes than this: fold each frame's planes into one
                            * node, runs of empty slots into one summary node, and long
                            * runs of full slots (all but the first and last two) into one.
                            * 0: RS_GRAPH_DEFAULT_FOLD_THRESHOLD; G_MAXUINT: never fold */
  gboolean legend;         /* add a legend under the handles */
  gboolean dark;           /* colours for a dark background */
  gboolean no_title;       /* leave out the "step N · call = ret · exact" label */
} RsGraphOptions;

typedef enum {
  RS_GRAPH_NODE_HANDLE,      /* an AVPacket/AVFrame; handle_id set (a folded graph's run of
                              * full queue slots: the first, n_buffers = slots) */
  RS_GRAPH_NODE_EMPTY_SLOTS, /* folded run of empty queue slots; handle_id is the first */
  RS_GRAPH_NODE_BUFFER,      /* an AVBuffer (n_buffers > 1: a folded group); buffer_id set */
  RS_GRAPH_NODE_GHOST,       /* a buffer freed in this step; buffer_id set */
  RS_GRAPH_NODE_HOLDER,      /* a part of libav holding hidden refs; holder set */
  RS_GRAPH_NODE_LEGEND,
} RsGraphNodeKind;

/* One drawn node and what it stands for. Strings are interned. The box is in
 * drawing coordinates (points; origin at the top-left corner of the drawing,
 * y going down, the same space rs_render_draw() paints in); it is all zero
 * until the graph has been laid out (rs_graph_update_geometry()). */
typedef struct {
  RsGraphNodeKind kind;
  const char     *name;       /* the DOT node name */
  const char     *handle_id;
  const char     *holder;
  guint64         buffer_id;  /* the first buffer of a folded group */
  guint           n_buffers;  /* BUFFER: buffers drawn by this node; EMPTY_SLOTS and a
                               * HANDLE folding a run of full slots: slots; else 0 */
  const guint64  *buffer_ids; /* BUFFER: the n_buffers ids; owned by the graph */
  double          x, y, width, height;
} RsGraphNode;

typedef struct _RsGraph RsGraph;

void               rs_graph_options_init     (RsGraphOptions   *options);

/* The colours the graph is drawn in, as "#rrggbb" strings (static), for a
 * legend drawn beside the graph rather than in it. */
typedef struct {
  const char *fill[RS_BUFFER_KIND_OTHER + 1];  /* a buffer's node, by kind */
  const char *good, *bad, *holder, *faint;     /* new / ▲; freed / ▼ / leaked; libav's refs; dim text */
} RsGraphColors;

void               rs_graph_get_colors       (gboolean          dark,
                                              RsGraphColors    *colors);

/* Builds the graph of `snapshot`. `diff` (nullable) marks what changed since
 * the step before (new nodes, ghosts of freed buffers, refcount changes);
 * it should compare the previous step with `snapshot`. `options` may be NULL.
 * Owned by the caller: free with rs_graph_free(). */
RsGraph           *rs_graph_build            (RsSnapshot           *snapshot,
                                              RsDiff               *diff,
                                              const RsGraphOptions *options);
void               rs_graph_free             (RsGraph          *graph);

/* The cgraph graph, owned by `graph` (do not agclose it). Hold the graphviz
 * lock while using it. */
Agraph_t          *rs_graph_get_agraph       (RsGraph          *graph);
/* Equal keys: same nodes, edges, ports and clusters, created in the same
 * order, so one graph's layout serves the other (only labels and colours
 * differ). Owned by the graph. */
const char        *rs_graph_get_topology_key (RsGraph          *graph);
gboolean           rs_graph_is_folded        (RsGraph          *graph);
guint              rs_graph_get_step         (RsGraph          *graph);

guint              rs_graph_get_n_nodes      (RsGraph          *graph);
/* Borrowed, valid while the graph lives. */
const RsGraphNode *rs_graph_get_node         (RsGraph          *graph,
                                              guint             index);
const RsGraphNode *rs_graph_find_node        (RsGraph          *graph,
                                              const char       *name);
/* The node drawing a handle or a buffer (a folded group containing it, a
 * ghost), or NULL. */
const RsGraphNode *rs_graph_find_handle      (RsGraph          *graph,
                                              const char       *handle_id);
const RsGraphNode *rs_graph_find_buffer      (RsGraph          *graph,
                                              guint64           buffer_id);
/* The topmost node whose box contains the point (drawing coordinates). */
const RsGraphNode *rs_graph_hit_test         (RsGraph          *graph,
                                              double            x,
                                              double            y);

/* After a layout of rs_graph_get_agraph(): reads every node's box and the
 * drawing size. `pad` is the margin (points) the renderer adds around the
 * graph's bounding box. */
void               rs_graph_update_geometry  (RsGraph          *graph,
                                              double            pad);
/* The drawing's size in points (0 × 0 before a layout). */
void               rs_graph_get_size         (RsGraph          *graph,
                                              double           *width,
                                              double           *height);

/* The graph in the DOT language (as written by agwrite, without layout
 * coordinates). Owned by the caller. */
char              *rs_graph_to_dot           (RsGraph          *graph,
                                              gsize            *length,
                                              GError          **error);

/* The graphviz lock (recursive). */
void               rs_graphviz_lock          (void);
void               rs_graphviz_unlock        (void);
/* Warnings and errors graphviz reported since the last call, joined by
 * newlines, or NULL if none. Call with the lock held. Owned by the caller. */
char              *rs_graphviz_take_messages (void);
/* How many messages graphviz reported since the process started. */
guint              rs_graphviz_get_n_messages (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsGraph, rs_graph_free)
/* For graphs from agopen()/agmemread(); close them with the lock held. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Agraph_t, agclose)

G_END_DECLS
