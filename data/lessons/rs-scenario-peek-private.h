/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-scenario-peek-private.h: the libav structs behind a lesson's
 * variables, for data/'s tests. Apart from rs-scenario-session.h because
 * data/'s public headers include no libav header.
 */
#pragma once

#include <libavcodec/packet.h>
#include <libavutil/frame.h>

#include "rs-scenario-session.h"

G_BEGIN_DECLS

/* What the in-scope variable `name` points at now, or NULL (NULL, freed,
 * not declared yet). For tests and inspection; never modify it. Borrowed. */
const AVPacket    *rs_scenario_session_peek_packet    (RsScenarioSession  *session,
                                                       const char         *name);
const AVFrame     *rs_scenario_session_peek_frame     (RsScenarioSession  *session,
                                                       const char         *name);

G_END_DECLS
