/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-history.h: every snapshot of a session, in step order. Snapshots share
 * their unchanged nodes, and a snapshot the history alone holds keeps its
 * node arrays as the edits of the step before (rebuilt when read), so a long
 * history costs what its steps changed.
 *
 * Threads: a snapshot borrowed from a history is read on the thread that
 * appends to it; another thread takes a reference first (rs_snapshot_ref),
 * while the appending thread still holds the snapshot.
 */
#pragma once

#include "rs-snapshot.h"

G_BEGIN_DECLS

typedef struct _RsHistory RsHistory;

RsHistory  *rs_history_new            (void);
RsHistory  *rs_history_ref            (RsHistory  *history);
void        rs_history_unref          (RsHistory  *history);

/* Takes a reference on `snapshot`, whose step must be the history's length. */
void        rs_history_append         (RsHistory  *history,
                                       RsSnapshot *snapshot);
guint       rs_history_get_length     (RsHistory  *history);
/* Borrowed: valid while the history lives. */
RsSnapshot *rs_history_get_snapshot   (RsHistory  *history,
                                       guint       step);
/* The newest snapshot, or NULL while the history is empty. Borrowed. */
RsSnapshot *rs_history_get_last       (RsHistory  *history);

/* The buffer's refcount at every step from 0 to the length (0 where it is not
 * live). Owned by the caller: a GArray of int. */
GArray     *rs_history_get_refcount_series (RsHistory *history,
                                            guint64    buffer_id);
/* The live buffer count and live bytes at every step. Arrays of guint64,
 * owned by the caller; either pointer may be NULL. */
void        rs_history_get_live_series     (RsHistory *history,
                                            GArray   **buffers,
                                            GArray   **bytes);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsHistory, rs_history_unref)

G_END_DECLS
