/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-timeline-private.h: shared by rs-timeline.c (the steps read, the
 * position, clicks and the tooltip), rs-timeline-draw.c (the picture) and
 * rs-timeline-zoom.c (which steps are shown: zoom, scrolling along).
 */
#pragma once

#include "rs-timeline.h"

G_BEGIN_DECLS

/* Event marks per step. */
enum {
  MARK_ALLOCATED = 1 << 0,
  MARK_FREED     = 1 << 1,
  MARK_ERROR     = 1 << 2,
  MARK_LOST      = 1 << 3,  /* references lost: a triangle over the chart */
};

#define PAD_X     8.0     /* px at each end of the axis */

/* What the chart's picture depends on, besides the steps. */
typedef struct {
  double  widget_width, widget_height;
  double  top, height;    /* of the chart area */
  int     columns;
  guint   axis;
  double  view_first, view_steps;  /* the steps shown: zoomed in, part of the axis */
  guint64 max_buffers, max_bytes;
  guint   lanes;          /* thread lanes: 0 unless more than one thread calls */
  GdkRGBA fg, accent, good, bad;
} Chart;

struct _RsTimeline {
  GtkWidget   parent_instance;

  gconstpointer history;   /* identity only, never dereferenced */
  GArray     *buffers;     /* guint64 per step */
  GArray     *bytes;       /* guint64 per step */
  GByteArray *marks;       /* MARK_* per step */
  GByteArray *threads;     /* the program thread that called, per step (0: none, capped at 255) */
  guint       max_thread;
  guint64     max_buffers;
  guint64     max_bytes;
  gboolean    complete;
  guint       axis;        /* steps the x axis spans: the length when complete,
                            * room to grow otherwise */
  int         position;
  /* Zoomed in: the steps shown are [view_first, view_first + view_span);
   * view_span 0 shows the whole axis. */
  double      view_first;
  double      view_span;
  gboolean    has_pointer;
  double      pointer_x;
  /* Steps left to read, a chunk each time the main loop is idle. */
  RsHistory  *reading;     /* owned while some are left */
  guint       reading_to;
  guint       reading_id;

  /* The picture, kept between frames (see _rs_timeline_snapshot in rs-timeline-draw.c). */
  Chart          chart;          /* what the strips were drawn for */
  GPtrArray     *strips;         /* GskRenderNode (nullable) per STRIP columns */
  GArray        *strip_lengths;  /* guint per strip: the steps known when drawn */
  GskRenderNode *legend;
};

/* The view (rs-timeline-zoom.c). */
/* Steps the x axis spans, at least 1. */
guint          _rs_timeline_axis_steps     (RsTimeline *timeline);
/* The first step shown, and how many: the whole axis unless zoomed in. */
double         _rs_timeline_view_first     (RsTimeline *timeline);
double         _rs_timeline_view_steps     (RsTimeline *timeline);
/* The step under `x` in a timeline `width` wide, or -1 when none is read. */
int            _rs_timeline_x_to_step      (RsTimeline *timeline,
                                            double      width,
                                            double      x);
/* Keeps the view inside the axis. */
void           _rs_timeline_clamp_view     (RsTimeline *timeline);
/* Adds the controllers of the wheel and the pointer. */
void           _rs_timeline_init_zoom      (RsTimeline *timeline);

/* The picture (rs-timeline-draw.c). */
void           _rs_timeline_snapshot       (GtkWidget      *widget,
                                            GtkSnapshot    *snapshot);
void           _rs_timeline_measure        (GtkWidget      *widget,
                                            GtkOrientation  orientation,
                                            int             for_size,
                                            int            *minimum,
                                            int            *natural,
                                            int            *minimum_baseline,
                                            int            *natural_baseline);
/* Forgets the picture kept between frames: it is drawn again. */
void           _rs_timeline_clear_strips   (RsTimeline *timeline);

G_END_DECLS
