/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-history.h: every snapshot of a session, in step order. Snapshots share
 * their unchanged nodes, and a snapshot the history alone holds keeps its
 * node arrays as the edits of the step before (rebuilt when read), so a long
 * history costs what its steps changed. Older steps nobody else holds are
 * packed into compact bytes, their snapshots made again when read (a few
 * thousand steps at a time).
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

/* Makes snapshot `step` (< the length) for a lazy history: a new reference,
 * never NULL. Called with the history's lock held, from whichever thread
 * asks for the snapshot. */
typedef RsSnapshot *(*RsHistoryLoadFunc) (guint    step,
                                          gpointer user_data);

/* A history of `length` steps known in advance (a recording) whose snapshots
 * are made by `load` when asked for, and kept only while recently used: its
 * memory stays bounded however long it is. Nothing can be appended to it.
 * `destroy` frees `user_data` with the history. */
RsHistory  *rs_history_new_lazy       (guint              length,
                                       RsHistoryLoadFunc  load,
                                       gpointer           user_data,
                                       GDestroyNotify     destroy);
RsHistory  *rs_history_ref            (RsHistory  *history);
void        rs_history_unref          (RsHistory  *history);

/* Takes a reference on `snapshot`, whose step must be the history's length. */
void        rs_history_append         (RsHistory  *history,
                                       RsSnapshot *snapshot);
guint       rs_history_get_length     (RsHistory  *history);
/* Borrowed: in a lazy history, valid until RS_HISTORY_LAZY_KEEP other
 * steps have been asked for (the last step stays while the history lives);
 * in another, until 8,192 other steps of its packed ones (those 512 steps
 * and more behind its last that nobody else held) have been asked for.
 * Take a reference to keep one longer. */
#define RS_HISTORY_LAZY_KEEP 512

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
