/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-cursor.h: where a viewer stands in a session. Stepping back reads an
 * older snapshot; stepping forward from the past replays recorded snapshots
 * until the live edge, then runs the session's next call.
 */
#pragma once

#include <glib-object.h>

#include "rs-session.h"

G_BEGIN_DECLS

#define RS_TYPE_CURSOR (rs_cursor_get_type ())
G_DECLARE_FINAL_TYPE (RsCursor, rs_cursor, RS, CURSOR, GObject)

RsCursor   *rs_cursor_new          (RsSession          *session);
/* Borrowed. */
RsSession  *rs_cursor_get_session  (RsCursor           *cursor);
/* The step shown, or -1 before the first step. */
int         rs_cursor_get_position (RsCursor           *cursor);
/* The snapshot shown (borrowed), or NULL before the first step. */
RsSnapshot *rs_cursor_get_snapshot (RsCursor           *cursor);
/* The snapshot before the one shown (borrowed), or NULL. */
RsSnapshot *rs_cursor_get_previous (RsCursor           *cursor);
/* Steps recorded so far, leaving out a step run ahead and not yet reached. */
guint       rs_cursor_get_length   (RsCursor           *cursor);
/* TRUE when the session has finished and the last step is shown. */
gboolean    rs_cursor_is_at_end    (RsCursor           *cursor);

/* Forward by one step of `granularity`; FALSE at the end (error unset) or
 * on failure. */
gboolean    rs_cursor_forward      (RsCursor           *cursor,
                                    RsStepGranularity   granularity,
                                    GError            **error);
/* At the live edge, runs the session's next call now, without showing it:
 * the next rs_cursor_forward() then only has to show it (and reports its
 * failure, if it failed). The step stays out of rs_cursor_get_length() until
 * it is reached. FALSE if there was nothing to run (not at the live edge,
 * finished, already run ahead). */
gboolean    rs_cursor_run_ahead    (RsCursor           *cursor);
/* Back one step; FALSE at step 0. */
gboolean    rs_cursor_back         (RsCursor           *cursor);
/* Shows a recorded step (clamped to what is recorded). */
void        rs_cursor_seek         (RsCursor           *cursor,
                                    guint               step);

G_END_DECLS
