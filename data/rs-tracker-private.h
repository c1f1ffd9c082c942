/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-tracker-private.h: exact buffer lifetimes without taking a reference to look.
 *
 * rs_tracker_wrap() replaces an AVBufferRef that is the only reference to its
 * buffer by a wrapper buffer over the same bytes (av_buffer_create with our
 * free callback). Every later holder, in the application or inside libav,
 * then holds the wrapper: its refcount is the one to show, its writability is
 * unchanged, and the callback fires exactly once when the last holder lets go.
 * The callback may run on a decoder thread inside any libav call: it records
 * the event under the tracker's mutex, and the event belongs to the step in
 * progress.
 */
#pragma once

#include <glib.h>
#include <libavutil/buffer.h>

#include "rs-snapshot.h"

G_BEGIN_DECLS

typedef struct _RsTracker RsTracker;

/* What the tracker knows of one live wrapped buffer, read under its lock. */
typedef struct {
  guint64       id;
  RsBufferKind  kind;
  const char   *origin;    /* interned */
  const char   *holder;    /* interned: the libav part that holds hidden refs */
  guint         born;
  gsize         size;
  int           refcount;  /* 0: being freed right now on another thread */
  gboolean      writable;
} RsTrackedBuffer;

RsTracker *rs_tracker_new           (void);
RsTracker *rs_tracker_ref           (RsTracker      *tracker);
/* Wrappers keep the tracker alive until their last reference goes. */
void       rs_tracker_unref         (RsTracker      *tracker);

/* The step events are attributed to from now on. */
void       rs_tracker_set_step      (RsTracker      *tracker,
                                     guint           step);
/* A new id for a buffer that is only observed; ids are shared with wrapped
 * buffers and never reused. */
guint64    rs_tracker_next_id       (RsTracker      *tracker);

/* Wraps *ref (whose refcount must be 1) and replaces it by the wrapper; the
 * wrapper owns the old reference. Returns the new id, or 0 when out of
 * memory (then *ref is unchanged). */
guint64    rs_tracker_wrap          (RsTracker      *tracker,
                                     AVBufferRef   **ref,
                                     RsBufferKind    kind,
                                     const char     *origin,
                                     const char     *holder);

/* The same for a buffer first seen unwrapped as `id` (from
 * rs_tracker_next_id): it keeps its id, and no "allocated" event is
 * recorded, since it is not new. 0 gives a new id, as rs_tracker_wrap(). */
guint64    rs_tracker_wrap_as       (RsTracker      *tracker,
                                     AVBufferRef   **ref,
                                     RsBufferKind    kind,
                                     const char     *origin,
                                     const char     *holder,
                                     guint64         id);

/* The id of a wrapped, live buffer, or 0 if `buffer` is not one of ours. */
guint64    rs_tracker_lookup        (RsTracker      *tracker,
                                     const AVBuffer *buffer);

/* Under the lock: every live wrapped buffer (sorted by id) with its current
 * refcount, and the events since the last call (moved into `events`, an
 * array of RsEvent). */
void       rs_tracker_collect       (RsTracker      *tracker,
                                     GArray         *live,
                                     GArray         *events);

/* What rs_tracker_collect() gives, for one buffer and for the events
 * alone: a session that knows which buffers a step touched reads only
 * those. rs_tracker_get() is FALSE when `id` is not a live wrapped buffer. */
gboolean   rs_tracker_get           (RsTracker       *tracker,
                                     guint64          id,
                                     RsTrackedBuffer *tracked);
void       rs_tracker_take_events   (RsTracker       *tracker,
                                     GArray          *events);

guint      rs_tracker_get_n_live    (RsTracker      *tracker);

G_END_DECLS
