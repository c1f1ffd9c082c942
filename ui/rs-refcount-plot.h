/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-refcount-plot.h: one buffer's reference count over its life, as a
 * small step line in the inspector. Click a point to jump to that step.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RS_TYPE_REFCOUNT_PLOT (rs_refcount_plot_get_type ())
G_DECLARE_FINAL_TYPE (RsRefcountPlot, rs_refcount_plot, RS, REFCOUNT_PLOT, GtkWidget)

GtkWidget *rs_refcount_plot_new          (void);
/* `series`: the refcount at every step (GArray of int, as
 * rs_history_get_refcount_series returns; 0 where the buffer is not live).
 * The plot takes a reference; NULL clears it. */
void       rs_refcount_plot_set_series   (RsRefcountPlot *plot,
                                          GArray         *series);
void       rs_refcount_plot_set_position (RsRefcountPlot *plot,
                                          int             position);
/* The steps shown: the buffer's life with a little margin. */
void       rs_refcount_plot_get_range    (RsRefcountPlot *plot,
                                          guint          *first,
                                          guint          *last);

G_END_DECLS
