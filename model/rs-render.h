/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-render.h: lays out an RsGraph in process (places of our own, see
 * rs-graph-place.h, given to graphviz's neato -n2; edges drawn as curves
 * along the grid, not routed by graphviz), and draws it with cairo.
 *
 * An RsRender keeps the last laid-out graph. Given the next step's graph, it
 * compares topology keys: when nodes, edges, ports and clusters are the same
 * (a refcount change, a new diff mark, the next step's title), it keeps the
 * layout and only replaces labels and colours, so nothing moves on screen.
 * Otherwise it lays the new graph out. rs_render_get_n_layouts() counts the
 * layouts actually done.
 *
 * Drawing happens once per update, into a cairo recording surface; painting
 * it (rs_render_draw) is a cheap vector replay, crisp at any zoom.
 *
 * Coordinates ("drawing coordinates"): points, origin at the top-left corner
 * of the drawing, y going down; the drawing is rs_render_get_size() large.
 *
 * Not thread-safe: use one RsRender from one thread at a time (an update may
 * run on a worker thread). The recording surface and the RsGraph it returns
 * do not change until the next update.
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "rs-graph.h"

G_BEGIN_DECLS

typedef struct _RsRender RsRender;

/* Owned by the caller: free with rs_render_free(). */
RsRender          *rs_render_new            (void);
void               rs_render_free           (RsRender             *render);

/* Shows `graph` (the render takes ownership): reuses the current layout if
 * the topology keys match and every new label fits its laid-out box, else
 * lays `graph` out. On failure (a graphviz error, reported in `error`) the
 * previous graph stays shown. */
gboolean           rs_render_set_graph      (RsRender             *render,
                                             RsGraph              *graph,
                                             GError              **error);
/* rs_graph_build() + rs_render_set_graph(). `diff` and `options` are nullable. */
gboolean           rs_render_update         (RsRender             *render,
                                             RsSnapshot           *snapshot,
                                             RsDiff               *diff,
                                             const RsGraphOptions *options,
                                             GError              **error);

/* The graph shown (laid out; its nodes have their boxes), or NULL before the
 * first update. Borrowed: valid until the next update. */
RsGraph           *rs_render_get_graph      (RsRender             *render);
/* The drawing's size in points (0 × 0 before the first update). */
void               rs_render_get_size       (RsRender             *render,
                                             double               *width,
                                             double               *height);
/* Paints the graph with its top-left corner at the user-space origin of
 * `cr`, one unit per point; scale `cr` to zoom. Transparent background. */
void               rs_render_draw           (RsRender             *render,
                                             cairo_t              *cr);
/* The recording surface rs_render_draw() paints, or NULL. Borrowed. */
cairo_surface_t   *rs_render_get_surface    (RsRender             *render);

/* The node at a point in drawing coordinates, or NULL. Borrowed, valid
 * until the next update. */
const RsGraphNode *rs_render_hit_test       (RsRender             *render,
                                             double                x,
                                             double                y);

/* Node places are remembered between layouts (rs-graph-place.h), so a node
 * that persists keeps its place. Makes `render` use, from now on, the
 * memory of `other`: two renders showing the same session in turn (the
 * window prepares the next step in a spare one) place nodes alike. */
void               rs_render_share_layout   (RsRender             *render,
                                             RsRender             *other);
/* Forgets the remembered places (sizes, rows kept for nodes that come and
 * go): the next update lays its graph out afresh, topology changed or not,
 * as compact as a new render would. For a relayout the user asked for.
 * Shared memories are forgotten for every render sharing them (the others
 * start afresh at their next layout). */
void               rs_render_forget_layout  (RsRender             *render);

/* How many times this render laid a graph out. */
guint              rs_render_get_n_layouts  (RsRender             *render);

/* The shown graph as a file's contents: "png", "svg", "pdf" (with the
 * theme's background) or "dot" (the DOT source, without coordinates). */
GBytes            *rs_render_to_bytes       (RsRender             *render,
                                             const char           *format,
                                             GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsRender, rs_render_free)

G_END_DECLS
