/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-graph-view-private.h: shared by rs-graph-view.c (drawing, the glide,
 * the public API) and rs-graph-view-input.c (pointer, touchpad and keys).
 */
#pragma once

#include "rs-glide.h"
#include "rs-graph-view.h"

G_BEGIN_DECLS

#define MIN_ZOOM       0.1
#define MAX_ZOOM       4.0
#define ZOOM_STEP      1.25
#define FIT_MAX_ZOOM   1.25
#define READABLE_ZOOM  0.8
#define MARGIN         24.0   /* px around a fitted graph */
#define BOTTOM_MARGIN  76.0   /* px kept clear over the zoom controls */
#define GLIDE_USEC     (200 * G_TIME_SPAN_MILLISECOND)
#define CLICK_SLOP     4.0    /* px a press may move and still be a click */
#define LEGEND_FOLD_STEP 5    /* the first step (from 0) the legend shows folded */

/* The legend (rs-graph-legend.c), a child of the view in its bottom-left
 * corner, in the graph's colours: a card, or folded, a strip. */
#define RS_TYPE_GRAPH_LEGEND (rs_graph_legend_get_type ())
G_DECLARE_FINAL_TYPE (RsGraphLegend, rs_graph_legend, RS, GRAPH_LEGEND, GtkWidget)

typedef struct _Preparation Preparation;

struct _RsGraphView {
  GtkWidget        parent_instance;

  RsRender        *render;
  /* A second render, for rs_graph_view_prepare: the worker thread's while a
   * preparation runs (then NULL here), swapped with `render` when what it
   * prepared is shown. */
  RsRender        *spare;
  Preparation     *preparation;
  GThreadPool     *workers;
  RsSnapshot      *snapshot;   /* owned */
  RsSnapshot      *previous;   /* owned */
  gboolean         dark;
  gboolean         legend;
  gboolean         legend_expanded;
  gboolean         legend_chosen; /* folded or unfolded by the user: it stays so */
  RsGraphLegend   *legend_box;    /* a child pinned in a corner */
  RsSelection      selection;
  const RsGraphNode *hover;    /* borrowed from the render's graph */

  /* Screen = offset + zoom × drawing. */
  double           zoom;
  double           offset_x;
  double           offset_y;
  gboolean         fitting;    /* keep fitting until the user zooms or pans */
  gboolean         readable;   /* fit the width if the whole is too small to read */

  /* Panning. */
  double           drag_offset_x;
  double           drag_offset_y;
  gboolean         dragged;
  GtkGesture      *drag;       /* owned by the widget */
  double           zoom_start; /* pinch */
  gboolean         has_pointer;
  double           pointer_x;
  double           pointer_y;

  /* The glide after a new layout: what the last layout looked like. */
  guint            glide_id;
  gint64           glide_start;  /* frame time of its first frame; 0 before */
  double           glide_t;
  RsGlide         *glide;      /* owned */
  double           old_zoom;
  double           old_offset_x;
  double           old_offset_y;
};

/* Screen = offset + zoom × drawing. */
void               _rs_graph_view_set_transform      (RsGraphView *view,
                                                      double       zoom,
                                                      double       offset_x,
                                                      double       offset_y);
void               _rs_graph_view_to_drawing         (RsGraphView *view,
                                                      double       x,
                                                      double       y,
                                                      double      *drawing_x,
                                                      double      *drawing_y);
/* Zooms by `factor` keeping the point (x, y) of the widget in place. */
void               _rs_graph_view_zoom_at            (RsGraphView *view,
                                                      double       factor,
                                                      double       x,
                                                      double       y);
/* The node drawing the selection, or NULL. Borrowed from the render. */
const RsGraphNode *_rs_graph_view_find_selected_node (RsGraphView *view);
/* Adds the event controllers. */
void               _rs_graph_view_init_input         (RsGraphView *view);
void               _rs_graph_legend_set_dark         (RsGraphLegend *legend,
                                                      gboolean       dark);
void               _rs_graph_legend_set_expanded     (RsGraphLegend *legend,
                                                      gboolean       expanded);
/* Moves a fit (the graph `dw` × `dh` at `zoom`, its top-left corner at
 * x, y) beside or above the legend if the legend covers it. */
void               _rs_graph_legend_keep_clear       (RsGraphView   *view,
                                                      double         dw,
                                                      double         dh,
                                                      double        *zoom,
                                                      double        *x,
                                                      double        *y);
/* Allocates the legend in the view's bottom-left corner, if it has room. */
void               _rs_graph_legend_allocate         (RsGraphView   *view,
                                                      int            width,
                                                      int            height);
/* Folds the legend at step LEGEND_FOLD_STEP (from 0) unless the user chose. */
void               _rs_graph_legend_follow_step      (RsGraphView   *view,
                                                      guint          step);

G_END_DECLS
