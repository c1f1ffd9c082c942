/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-snapshot-private.h: how a history stores its snapshots compactly
 * (for rs-history.c only).
 *
 * A snapshot appended after another is chained to it: it keeps the edits
 * that turn the previous step's node arrays into its own (a step changes a
 * node or two of ~50). Once no one but the history holds it, its own arrays
 * can be dropped; they are rebuilt, once, when something reads them.
 */
#pragma once

#include "rs-snapshot.h"

G_BEGIN_DECLS

/* Steps between snapshots that keep their arrays for good: a rebuild reads
 * at most this many steps' edits. */
#define RS_SNAPSHOT_CHAIN_MAX 64

/* Records `snapshot`'s arrays as edits of `previous`'s (which it then
 * references), unless the chain is long enough or the edits would be as
 * large as the arrays: then `snapshot` starts a new chain. TRUE when
 * `snapshot` is chained to `previous` (by this call or by its builder).
 * Call once, on a snapshot no other thread reads yet. */
gboolean  rs_snapshot_chain_private   (RsSnapshot *snapshot,
                                       RsSnapshot *previous);
/* Drops the arrays of a chained snapshot that only its history (and its
 * successor's edits) reference; TRUE when done or never to be done (the
 * snapshot keeps its arrays for good), FALSE when someone else holds it:
 * try again later. */
gboolean  rs_snapshot_compact_private (RsSnapshot *snapshot);

/* Tests: after `more` more numbers of node caches are taken, none is free,
 * as when every number is in use (G_MAXUINT: no limit again); then a node's
 * cache is kept by its address (rs-snapshot-node.c). */
void      rs_node_cache_limit_private (guint more);

/* A whole chain in compact bytes: `n` snapshots, the first one that keeps
 * its arrays and each next one chained to the one before (as
 * rs_snapshot_chain_private() left them). The bytes hold references on the
 * nodes and texts the snapshots name, not on the snapshots; NULL when the
 * snapshots are not such a chain, or one of them is held by someone else
 * than its history and its successor (try again later). */
guint8   *rs_snapshot_pack_private    (RsSnapshot   **snapshots,
                                       guint          n);
/* The `n` snapshots again, steps `first`.. on, chained as they were and
 * sharing their nodes: new references in out[0..n-1]. */
void      rs_snapshot_unpack_private  (const guint8  *packed,
                                       guint          first,
                                       guint          n,
                                       RsSnapshot   **out);
void      rs_snapshot_packed_free_private (guint8    *packed,
                                           guint      n);

G_END_DECLS
