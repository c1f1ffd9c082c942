/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-graph-view.h: the canvas. Draws the ownership graph of one snapshot
 * (laid out and drawn by model/rs-render), zooms and pans, follows the
 * light/dark style, and lets the user pick a node.
 */
#pragma once

#include <gtk/gtk.h>

#include "rs-render.h"
#include "rs-selection.h"

G_BEGIN_DECLS

#define RS_TYPE_GRAPH_VIEW (rs_graph_view_get_type ())
G_DECLARE_FINAL_TYPE (RsGraphView, rs_graph_view, RS, GRAPH_VIEW, GtkWidget)

GtkWidget         *rs_graph_view_new           (void);

/* Shows `snapshot` (nullable: nothing), with what changed since `previous`
 * (nullable) marked. The view keeps references to both. The layout is redone
 * only when the topology changed. FALSE with the error (naming the step) if
 * graphviz failed; then the previous drawing stays. */
gboolean           rs_graph_view_set_snapshot  (RsGraphView       *view,
                                                RsSnapshot        *snapshot,
                                                RsSnapshot        *previous,
                                                GError           **error);
/* Lays out the graph of a snapshot likely to be shown next (`snapshot`,
 * after `previous`) on a worker thread, so that showing it with
 * rs_graph_view_set_snapshot() only swaps it in. Replaces any earlier
 * preparation. */
void               rs_graph_view_prepare       (RsGraphView       *view,
                                                RsSnapshot        *snapshot,
                                                RsSnapshot        *previous);
/* Forgets where nodes were (rs_render_forget_layout) and lays the graph
 * shown out afresh now, compactly: nodes that kept their places while the
 * graph grew and shrank may all move. For a relayout the user asked for.
 * FALSE with the error if graphviz failed. */
gboolean           rs_graph_view_relayout      (RsGraphView       *view,
                                                GError           **error);
/* Borrowed. */
RsSnapshot        *rs_graph_view_get_snapshot  (RsGraphView       *view);
/* The render that draws the graph (borrowed), for exports and tests. */
RsRender          *rs_graph_view_get_render    (RsGraphView       *view);

const RsSelection *rs_graph_view_get_selection (RsGraphView       *view);
void               rs_graph_view_set_selection (RsGraphView       *view,
                                                const RsSelection *selection);
/* Pans so that the selected node is in view, centred, if it is not
 * already (after a jump to another step, a search). */
void               rs_graph_view_reveal_selection (RsGraphView    *view);
/* Selects the node at a point in widget coordinates, as a click does. */
void               rs_graph_view_select_at     (RsGraphView       *view,
                                                double             x,
                                                double             y);

/* A point of the drawing (rs-graph coordinates) in widget coordinates. */
void               rs_graph_view_to_widget     (RsGraphView       *view,
                                                double             drawing_x,
                                                double             drawing_y,
                                                double            *x,
                                                double            *y);

gboolean           rs_graph_view_get_dark      (RsGraphView       *view);
void               rs_graph_view_set_dark      (RsGraphView       *view,
                                                gboolean           dark);

/* Whether the canvas shows the legend (what the colours and marks mean),
 * pinned in its bottom-left corner; the graph itself never carries it. */
gboolean           rs_graph_view_get_legend    (RsGraphView       *view);
void               rs_graph_view_set_legend    (RsGraphView       *view,
                                                gboolean           legend);
/* Whether the legend shows unfolded, a card that says it all (the fit keeps
 * the graph beside or above it), or folded, a strip of the colours that
 * costs the fitted graph nothing. It shows unfolded over a session's
 * first five steps and folded from the sixth on, unless set here (the
 * window sets it to the user's last choice, kept in its settings). */
gboolean           rs_graph_view_get_legend_expanded (RsGraphView *view);
void               rs_graph_view_set_legend_expanded (RsGraphView *view,
                                                      gboolean     expanded);
/* Whether legend-expanded was set (the user's choice), rather than
 * following the steps. */
gboolean           rs_graph_view_get_legend_chosen   (RsGraphView *view);

/* 1.0: one point of the drawing per pixel. */
double             rs_graph_view_get_zoom      (RsGraphView       *view);
void               rs_graph_view_zoom_in       (RsGraphView       *view);
void               rs_graph_view_zoom_out      (RsGraphView       *view);
/* Fits the whole graph in the view, and keeps fitting it as it changes
 * until the user zooms or pans. */
void               rs_graph_view_zoom_to_fit   (RsGraphView       *view);
/* Back to the default: the whole graph if it is readable that way, else
 * its full width from the top; kept as the graph changes until the user
 * zooms or pans. */
void               rs_graph_view_reset_zoom    (RsGraphView       *view);

G_END_DECLS
