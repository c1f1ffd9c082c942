/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-observer-private.h: turns the handles a session owns into an RsSnapshot after
 * each step, by reading only: the refs the handles hold, and the refcounts
 * of tracked buffers (see rs-tracker-private.h). Unchanged nodes of the previous
 * snapshot are reused, so consecutive snapshots share them.
 *
 * Buffers the tracker did not wrap (side data, opaque_ref, ...) are
 * "observed": shown while a handle holds them, identified by (address,
 * generation): the same id while some handle held them in consecutive steps,
 * a new id when the address comes back after a gap.
 */
#pragma once

#include <libavcodec/avcodec.h>
#include <libavcodec/packet.h>
#include <libavutil/frame.h>

#include "rs-snapshot.h"
#include "rs-tracker-private.h"

G_BEGIN_DECLS

typedef struct _RsObserver RsObserver;

RsObserver *rs_observer_new          (void);
void        rs_observer_free         (RsObserver     *observer);
/* The observer's tracker (borrowed). */
RsTracker  *rs_observer_get_tracker  (RsObserver     *observer);

/* The id of the buffer behind `buffer`, tracked or observed (an untracked
 * buffer some handle held in this step or the one before), or 0. Reads only. */
guint64     rs_observer_lookup       (RsObserver     *observer,
                                      const AVBuffer *buffer);

/* Starts step `step`: events from now on belong to it. */
void        rs_observer_begin_step   (RsObserver     *observer,
                                      guint           step);

/* Adds a handle: `fields` gives id, holder, group, slot, capacity and stream;
 * the rest is read from `packet` / `frame` (NULL: an empty slot). */
void        rs_observer_add_packet   (RsObserver     *observer,
                                      const RsHandle *fields,
                                      const AVPacket *packet);
void        rs_observer_add_frame    (RsObserver     *observer,
                                      const RsHandle *fields,
                                      const AVFrame  *frame);
/* Adds a subtitle handle: an AVSubtitle is not refcounted (its rects are
 * plain allocations that avsubtitle_free releases), so the handle has
 * fields and no refs. `subtitle` NULL: the handle holds no subtitle. */
void        rs_observer_add_subtitle (RsObserver       *observer,
                                      const RsHandle   *fields,
                                      const AVSubtitle *subtitle);
/* An event of this step that the tracker cannot see (errors, writes,
 * losses). Copied, with its message. */
void        rs_observer_add_event    (RsObserver     *observer,
                                      const RsEvent  *event);
/* `count` references to buffer `id` are nobody's in this step: a call
 * dropped them, or the handle holding them became unreachable (see
 * RS_EVENT_LOST). They are not libav's: hidden = refcount - visible - lost. */
void        rs_observer_add_lost     (RsObserver     *observer,
                                      guint64         id,
                                      int             count);

/* Ends the step and returns its snapshot (a new reference). With `final`,
 * tracked buffers still alive that no handle holds are marked leaked. */
RsSnapshot *rs_observer_finish_step  (RsObserver       *observer,
                                      const RsStepInfo *info,
                                      gboolean          final);

/* Reading a packet or a frame, shared with the lesson observer
 * (data/lessons/rs-scenario-observer.c): both read libav's structs alike,
 * and a field read for one is read for the other. */

/* The most refs a handle holds. */
#define RS_OBSERVER_MAX_REFS 64

/* The id of the buffer behind `ref` in `observer`'s tables (tracked, or
 * untracked by address and generation, as above). Reads, never references. */
typedef guint64 (*RsObserverResolve) (gpointer           observer,
                                      const AVBufferRef *ref,
                                      RsBufferKind       kind);

/* Sets `handle`'s kind and the fields read from `packet` / `frame` (NULL:
 * an empty handle: kind and no timestamps), and appends its refs to `refs`
 * (RS_OBSERVER_MAX_REFS long; `*n_refs` used so far), each named by its
 * field ("buf", "buf[1]", "side_data[0]": interned once for the process)
 * and its buffer resolved by `resolve`, in the order they are read. */
void        _rs_observer_read_packet (RsHandle          *handle,
                                      RsRef             *refs,
                                      guint             *n_refs,
                                      const AVPacket    *packet,
                                      RsObserverResolve  resolve,
                                      gpointer           observer);
void        _rs_observer_read_frame  (RsHandle          *handle,
                                      RsRef             *refs,
                                      guint             *n_refs,
                                      const AVFrame     *frame,
                                      RsObserverResolve  resolve,
                                      gpointer           observer);

G_END_DECLS
