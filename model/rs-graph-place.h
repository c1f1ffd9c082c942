/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-graph-place.h: where each node of an RsGraph is drawn, decided by what
 * it is rather than by dot, so a node that persists from one step to the
 * next keeps its place (DESIGN.md section 4, "Stability").
 *
 * The drawing is a grid. The reader sits in a strip on top; under it one
 * lane per stream, stacked top to bottom (video last: it grows), each
 * flowing left to right: packet queue (slots in index order), decoder (its
 * input packet, the decoder itself, its output frame, then the pictures
 * only it holds), frame queue. A handle's buffers are drawn in the column
 * right of it, on its row. Handles of no stream (a lesson's or a recorded
 * program's variables) have a lane of their own. What no stream owns
 * (other libav parts, lost references, leaked buffers) goes, in a decode
 * session, in the reader's strip, right of the reader, in lines as wide as
 * the lanes under it; in a lesson or a recording, in a column right of the
 * variables. The legend goes in a column right of the lanes. Queue slots
 * are rows in index order (a ring buffer: its head and tail are marked in
 * the labels). Rows that come and go (reference pictures, variables) keep
 * the slot they were first given while they live. Nodes are centred in
 * their columns.
 *
 * Column widths, row heights and row positions only grow, remembered in an
 * RsLayoutMemory: a row that fills or empties, or a label that shrinks,
 * moves nothing else. The memory is what a render keeps between layouts;
 * renders showing the same session share one.
 */
#pragma once

#include "rs-graph.h"

G_BEGIN_DECLS

typedef struct _RsLayoutMemory RsLayoutMemory;

/* Owned by the caller: release with rs_layout_memory_unref(). */
RsLayoutMemory *rs_layout_memory_new   (void);
RsLayoutMemory *rs_layout_memory_ref   (RsLayoutMemory *memory);
void            rs_layout_memory_unref (RsLayoutMemory *memory);
/* Forgets every remembered size and slot: the next layout starts afresh. */
void            rs_layout_memory_clear (RsLayoutMemory *memory);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsLayoutMemory, rs_layout_memory_unref)

G_END_DECLS
