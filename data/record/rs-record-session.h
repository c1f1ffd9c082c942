/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-record-session.h: a recording of another program (`refscope record`,
 * DESIGN.md section 12) as a session: each step is one libav call the
 * program made, replayed from the file, with the program's call sites
 * resolved to function, file and line from its debug info. Handles are
 * named by where they were born ("pkt@player.c:42"). Knows no libav: the
 * recording was made by the preload library, in the program's process.
 */
#pragma once

#include <glib-object.h>

#include "rs-session.h"

G_BEGIN_DECLS

#define RS_TYPE_RECORD_SESSION (rs_record_session_get_type ())
G_DECLARE_FINAL_TYPE (RsRecordSession, rs_record_session, RS, RECORD_SESSION, GObject)

/* TRUE if the file at `path` starts like a recording. */
gboolean         rs_record_session_is_recording   (const char      *path);

/* Opens a recording. NULL with an RS_ERROR naming the file and the reason
 * (not a recording, a version this Refscope does not read, damaged). */
RsRecordSession *rs_record_session_new            (const char      *path,
                                                   GError         **error);

/* The recorded program's path. Borrowed. */
const char      *rs_record_session_get_program    (RsRecordSession *session);
/* The recording's own path, as opened. Borrowed. */
const char      *rs_record_session_get_path       (RsRecordSession *session);
/* Why the history stops before the program's exit (it was killed or
 * crashed), or NULL when the recording is complete. Borrowed. */
const char      *rs_record_session_get_end_reason (RsRecordSession *session);
/* The highest thread its snapshots name (rs_snapshot_get_thread), known
 * when the recording is opened, without converting a step. */
int              rs_record_session_get_max_thread (RsRecordSession *session);

G_END_DECLS
