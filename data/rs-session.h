/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-session.h: what every session offers (a decode session, a scenario):
 * steps, each one libav call, each producing an RsSnapshot recorded in the
 * session's history.
 */
#pragma once

#include <glib-object.h>

#include "rs-history.h"

G_BEGIN_DECLS

#define RS_TYPE_SESSION (rs_session_get_type ())
G_DECLARE_INTERFACE (RsSession, rs_session, RS, SESSION, GObject)

typedef enum {
  RS_STEP_CALL,    /* one libav call */
  RS_STEP_PACKET,  /* until a packet has been read */
  RS_STEP_FRAME,   /* until a frame has been received */
} RsStepGranularity;

struct _RsSessionInterface {
  GTypeInterface parent_iface;

  RsSnapshot *(*step)        (RsSession  *session,
                              GError    **error);
  gboolean    (*is_finished) (RsSession  *session);
  RsHistory  *(*get_history) (RsSession  *session);
  const char *(*get_name)    (RsSession  *session);
};

/* Runs one step and returns its snapshot (borrowed from the history), or
 * NULL when the session has finished (then `error` is not set) or failed. */
RsSnapshot *rs_session_step        (RsSession          *session,
                                    GError            **error);
/* Steps until a step of `granularity` completes or the session ends. */
RsSnapshot *rs_session_advance     (RsSession          *session,
                                    RsStepGranularity   granularity,
                                    GError            **error);
gboolean    rs_session_is_finished (RsSession          *session);
/* TRUE when `snapshot` ends a step of `granularity` (a packet read, a frame
 * received; every step for RS_STEP_CALL). */
gboolean    rs_session_step_completes (RsSnapshot        *snapshot,
                                       RsStepGranularity  granularity);
/* Every step so far. Borrowed. */
RsHistory  *rs_session_get_history (RsSession          *session);
/* What the session runs, in words (a file name). Borrowed. */
const char *rs_session_get_name    (RsSession          *session);

G_END_DECLS
