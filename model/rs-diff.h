/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-diff.h: what changed between two snapshots.
 */
#pragma once

#include "rs-snapshot.h"

G_BEGIN_DECLS

typedef enum {
  RS_DIFF_SAME           = 0,
  RS_DIFF_ADDED          = 1 << 0, /* not in the earlier snapshot */
  RS_DIFF_REMOVED        = 1 << 1, /* only in the earlier snapshot (a ghost) */
  RS_DIFF_REFCOUNT_UP    = 1 << 2, /* buffers */
  RS_DIFF_REFCOUNT_DOWN  = 1 << 3, /* buffers */
  RS_DIFF_MOVED          = 1 << 4, /* buffers: held by other handle slots than before */
  RS_DIFF_CHANGED        = 1 << 5, /* handles: fields or refs changed */
} RsDiffFlags;

typedef struct _RsDiff RsDiff;

/* `before` may be NULL: then everything in `after` is added. The diff keeps
 * references on both snapshots. */
RsDiff         *rs_diff_new                   (RsSnapshot *before,
                                               RsSnapshot *after);
void            rs_diff_free                  (RsDiff     *diff);

RsDiffFlags     rs_diff_get_buffer_flags      (const RsDiff *diff,
                                               guint64       buffer_id);
/* The refcount in `before`, or 0 if the buffer was not live there. */
int             rs_diff_get_old_refcount      (const RsDiff *diff,
                                               guint64       buffer_id);
RsDiffFlags     rs_diff_get_handle_flags      (const RsDiff *diff,
                                               const char   *handle_id);

/* Buffers and handles of `before` that are gone from `after`. Borrowed. */
guint           rs_diff_get_n_removed_buffers (const RsDiff *diff);
const RsBuffer *rs_diff_get_removed_buffer    (const RsDiff *diff,
                                               guint         index);
guint           rs_diff_get_n_removed_handles (const RsDiff *diff);
const RsHandle *rs_diff_get_removed_handle    (const RsDiff *diff,
                                               guint         index);

/* TRUE when nodes or edges differ (so a layout must be redone); FALSE when
 * only counts or labels changed. */
gboolean        rs_diff_topology_changed      (const RsDiff *diff);

/* The two snapshots compared. Borrowed: valid while the diff lives;
 * get_before returns NULL for a diff against nothing. */
RsSnapshot     *rs_diff_get_before            (const RsDiff *diff);
RsSnapshot     *rs_diff_get_after             (const RsDiff *diff);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsDiff, rs_diff_free)

G_END_DECLS
