/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-query.h: questions asked of a snapshot: who keeps a buffer alive, which
 * buffers leaked.
 */
#pragma once

#include "rs-snapshot.h"

G_BEGIN_DECLS

/* One holder of a buffer: either a handle's ref slot (`handle` and `field`
 * set, count 1) or a part of libav holding `count` hidden refs (`handle`
 * NULL, `holder` names the part). Strings are interned. */
typedef struct {
  const char *handle;
  const char *field;
  const char *holder;
  int         count;
} RsRetainer;

/* Who keeps `buffer_id` alive in `snapshot`: handle slots in snapshot order,
 * then libav's hidden refs. A GArray of RsRetainer owned by the caller; empty
 * if the buffer is not live. */
GArray    *rs_snapshot_get_retainers (const RsSnapshot *snapshot,
                                      guint64           buffer_id);

/* Buffers of `snapshot` that are leaks: marked leaked, or tracked and alive
 * with neither a visible ref nor a libav part known to hold them. A
 * GPtrArray of borrowed const RsBuffer*, owned by the caller. */
GPtrArray *rs_snapshot_get_leaks     (const RsSnapshot *snapshot);

G_END_DECLS
