/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-recording-writer.h: a session's history saved as a recording (the
 * format of `refscope record`, FORMAT.md), so that a lesson or a media
 * session is one file to share: opened again (RsRecordSession) it shows
 * the same snapshots. GLib only: no libav, no GTK.
 */
#pragma once

#include "rs-history.h"

G_BEGIN_DECLS

/* Writes every step of `history` to `path` (replaced whole, or left as it
 * was on failure). `program` names what the steps come from (the media
 * file or lesson). FALSE with a G_FILE_ERROR naming `path` and the reason. */
gboolean rs_recording_save (RsHistory   *history,
                            const char  *program,
                            const char  *path,
                            GError     **error);

G_END_DECLS
