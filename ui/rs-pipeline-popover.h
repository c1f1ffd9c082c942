/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-pipeline-popover.h: the pipeline's settings (decoder threads, queue
 * sizes, how packets enter the queue, which streams). Applying them restarts
 * the session.
 */
#pragma once

#include <gtk/gtk.h>

#include "rs-decode-session.h"

G_BEGIN_DECLS

#define RS_TYPE_PIPELINE_POPOVER (rs_pipeline_popover_get_type ())
G_DECLARE_FINAL_TYPE (RsPipelinePopover, rs_pipeline_popover, RS, PIPELINE_POPOVER, GtkPopover)

GtkWidget *rs_pipeline_popover_new          (void);
/* Shows `settings` in the controls. */
void       rs_pipeline_popover_set_settings (RsPipelinePopover      *popover,
                                             const RsDecodeSettings *settings);
/* Lists the file's streams and what became of each (n_streams 0: no
 * media file, the list is hidden). Copies what it shows. */
void       rs_pipeline_popover_set_streams  (RsPipelinePopover      *popover,
                                             const RsStreamInfo     *streams,
                                             guint                   n_streams);
/* What the controls say. */
void       rs_pipeline_popover_get_settings (RsPipelinePopover      *popover,
                                             RsDecodeSettings       *settings);

G_END_DECLS
