/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-query.h: questions asked of a snapshot: who keeps a buffer alive, which
 * buffers leaked.
 */
#pragma once

#include "rs-history.h"
#include "rs-snapshot.h"

G_BEGIN_DECLS

/* One holder of a buffer: a handle's ref slot (`handle` and `field` set,
 * count 1), a part of libav holding `count` hidden refs (`handle` NULL,
 * `holder` names the part), or `count` references nobody holds any more
 * (`lost` TRUE, `holder` NULL). Strings are interned. */
typedef struct {
  const char *handle;
  const char *field;
  const char *holder;
  int         count;
  gboolean    lost;
} RsRetainer;

/* Who keeps `buffer_id` alive in `snapshot`: handle slots in snapshot order,
 * then libav's hidden refs, then lost refs. A GArray of RsRetainer owned by
 * the caller; empty if the buffer is not live. */
GArray    *rs_snapshot_get_retainers (const RsSnapshot *snapshot,
                                      guint64           buffer_id);

/* Where references to a buffer were lost: the first RS_EVENT_LOST for
 * `buffer_id` up to and including step `until` (its step in *step), or NULL.
 * Borrowed from the history. */
const RsEvent *rs_history_find_loss  (RsHistory        *history,
                                      guint64           buffer_id,
                                      guint             until,
                                      guint            *step);

typedef enum {
  RS_LEAK_HANDLE,   /* a packet or frame allocated and never freed */
  RS_LEAK_BUFFER,   /* a buffer still alive at the end with nobody of the program's holding it */
} RsLeakKind;

/* One leak at the end of a session, in fields. Strings are interned. */
typedef struct {
  RsLeakKind    kind;
  guint64       buffer;      /* BUFFER: its id */
  const char   *handle;      /* HANDLE: the handle; BUFFER: the leaked handle that holds it
                              * (the leak is a consequence of that one), or NULL */
  RsHandleKind  handle_kind; /* HANDLE */
  RsBufferKind  buffer_kind; /* BUFFER */
  gsize         size;        /* BUFFER */
  int           refcount;    /* BUFFER */
  int           lost;        /* BUFFER: references nobody holds */
  const char   *origin;      /* what created it: a call, or a libav part ("demuxer", "decoder") */
  guint         born;        /* the step that created it */
  const char   *born_call;   /* the call of that step (the program's, for a recording) */
  RsSite        born_site;
  gboolean      orphaned;    /* BUFFER: a call dropped a reference (the fields below) */
  guint         lost_step;
  const char   *lost_call;
  const char   *lost_handle;
  RsLossReason  lost_reason;
  RsSite        lost_site;
} RsLeak;

/* The leaks of a finished session, from its last step: handles never freed
 * first, then buffers, each by id. A GArray of RsLeak owned by the caller;
 * empty when the history is. */
GArray    *rs_history_query_leaks    (RsHistory        *history);

/* Buffers of `snapshot` that are leaks: marked leaked, or tracked and alive
 * with neither a visible ref nor a libav part known to hold them. A
 * GPtrArray of borrowed const RsBuffer*, owned by the caller. */
GPtrArray *rs_snapshot_get_leaks     (const RsSnapshot *snapshot);

G_END_DECLS
