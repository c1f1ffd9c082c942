/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-timeline.h: the strip under the graph: live buffers and live bytes over
 * every recorded step, the step shown, and ticks where buffers were
 * allocated, freed, or a call failed; for a recording of several threads,
 * which thread called, a lane each. Click or drag to jump.
 */
#pragma once

#include <gtk/gtk.h>

#include "rs-history.h"

G_BEGIN_DECLS

#define RS_TYPE_TIMELINE (rs_timeline_get_type ())
G_DECLARE_FINAL_TYPE (RsTimeline, rs_timeline, RS, TIMELINE, GtkWidget)

GtkWidget *rs_timeline_new          (void);
/* Reads the first `length` steps of `history`, those it has not read yet
 * (all of them when the history is another one). NULL forgets everything.
 * The timeline keeps no reference: call it again whenever the length grew. */
void       rs_timeline_update       (RsTimeline *timeline,
                                     RsHistory  *history,
                                     guint       length);
/* TRUE when no more steps will come: the axis ends at the last step. */
void       rs_timeline_set_complete (RsTimeline *timeline,
                                     gboolean    complete);
int        rs_timeline_get_position (RsTimeline *timeline);
void       rs_timeline_set_position (RsTimeline *timeline,
                                     int         position);
guint      rs_timeline_get_length   (RsTimeline *timeline);
/* A recording: the program threads that called in the steps read (each
 * has its lane under the chart when there are two or more); 0 otherwise. */
guint      rs_timeline_get_n_threads (RsTimeline *timeline);

G_END_DECLS
