/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-scenario-observer-private.h: a lesson's snapshots, made from what each
 * step changed. The session hands the handles it touched (set at their
 * place in display order, or removed); the observer re-reads only the
 * buffers those held before or hold now, the ones the tracker saw born or
 * freed, and the few with references no handle holds (lost or libav's). So
 * a step costs what it changed, however many structs are alive.
 *
 * What it reads and how is the decode observer's (rs-observer-private.h):
 * packets and frames by the same functions (_rs_observer_read_packet and
 * _frame), tracked buffers by the tracker's records, untracked ones by
 * (address, generation), never a reference taken to look; a lesson's
 * traces are the same byte for byte.
 */
#pragma once

#include <libavcodec/packet.h>
#include <libavutil/frame.h>

#include "rs-snapshot.h"
#include "rs-tracker-private.h"

G_BEGIN_DECLS

typedef struct _RsScenarioObserver RsScenarioObserver;

RsScenarioObserver *_rs_scenario_observer_new           (void);
void                _rs_scenario_observer_free          (RsScenarioObserver *observer);
/* Borrowed. */
RsTracker          *_rs_scenario_observer_get_tracker   (RsScenarioObserver *observer);
/* The id of the buffer behind `buffer`: tracked, or untracked and held by
 * a handle in this step or the one before; 0 otherwise. */
guint64             _rs_scenario_observer_lookup        (RsScenarioObserver *observer,
                                                         const AVBuffer     *buffer);
void                _rs_scenario_observer_begin_step    (RsScenarioObserver *observer,
                                                         guint               step);
/* An event of this step; copied with its message. */
void                _rs_scenario_observer_add_event     (RsScenarioObserver *observer,
                                                         const RsEvent      *event);
/* `count` references to `id` are nobody's in this step (asked again each step). */
void                _rs_scenario_observer_add_lost      (RsScenarioObserver *observer,
                                                         guint64             id,
                                                         int                 count);
/* `count` references to `id` are nobody's from this step to the end (a
 * lost struct's or a dropped reference, its buffer tracked: nothing can
 * change them). Not asked again. */
void                _rs_scenario_observer_add_lost_for_good (RsScenarioObserver *observer,
                                                         guint64             id,
                                                         int                 count);
/* Buffer `id` may have changed though no handle's refs did (wrapped under
 * the id it was observed as). */
void                _rs_scenario_observer_touch_buffer  (RsScenarioObserver *observer,
                                                         guint64             id);
/* The handle at `key` (its place: handles are listed by ascending key) is
 * gone. Call for every removed key before setting any in a step. */
void                _rs_scenario_observer_remove_handle (RsScenarioObserver *observer,
                                                         guint               key);
/* The handle at `key` is `id` (interned) showing `packet` or `frame`. Set
 * in ascending key order: untracked buffers are named in that order. */
void                _rs_scenario_observer_set_handle    (RsScenarioObserver *observer,
                                                         guint               key,
                                                         const char         *id,
                                                         const AVPacket     *packet,
                                                         const AVFrame      *frame);
/* The step's snapshot (a new reference). With `final`, tracked buffers no
 * handle holds are marked leaked. */
RsSnapshot         *_rs_scenario_observer_finish_step   (RsScenarioObserver *observer,
                                                         const RsStepInfo   *info,
                                                         gboolean            final);

G_END_DECLS
