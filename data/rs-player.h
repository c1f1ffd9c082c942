/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-player.h: the session a window shows, and where it stands in it.
 *
 * A player owns one session (a decode session, or a lesson's scenario
 * session for a `.c` file: see rs_player_is_lesson) and its cursor. It opens files (keeping
 * the previous session when a file cannot be opened), steps with the cursor,
 * plays at a speed, and runs to the end on a worker thread. It knows nothing
 * of GTK, so it can be tested without a display.
 *
 * While a run to the end is under way (`busy`), the worker thread owns the
 * session and its history: the player refuses every other call, and viewers
 * must keep their own references to what they show (see rs_player_get_snapshot).
 */
#pragma once

#include <gio/gio.h>

#include "rs-cursor.h"
#include "rs-decode-session.h"
#include "rs-scenario-parser.h"

G_BEGIN_DECLS

#define RS_TYPE_PLAYER (rs_player_get_type ())
G_DECLARE_FINAL_TYPE (RsPlayer, rs_player, RS, PLAYER, GObject)

RsPlayer               *rs_player_new            (void);

/* Opens `path` with `settings` (unused for a lesson) and runs its first
 * step. On failure the previous session stays, and the error names the file
 * and the reason (a lesson's compile errors, one a line); a lesson that
 * does not compile is also handed to `rejected` (nullable), with its
 * diagnostics, owned by the caller. */
gboolean                rs_player_open           (RsPlayer               *player,
                                                  const char             *path,
                                                  const RsDecodeSettings *settings,
                                                  RsScenarioProgram     **rejected,
                                                  GError                **error);
/* Drops the session: nothing is open, and "session-changed" is emitted. */
void                    rs_player_close          (RsPlayer               *player);
/* TRUE if `path` is opened as a lesson (a scenario, DESIGN.md section 8):
 * a `.c` file. Pipeline settings do not apply to lessons. */
gboolean                rs_player_is_lesson      (const char             *path);
/* Opens the same file again, from step 0, with `settings` (NULL: the same). */
gboolean                rs_player_restart        (RsPlayer               *player,
                                                  const RsDecodeSettings *settings,
                                                  GError                **error);

/* The open file, or NULL. Owned by the player. */
const char             *rs_player_get_path       (RsPlayer               *player);
/* The open file's name for display (a recording: the program's), or NULL. Owned
 * by the player. */
const char             *rs_player_get_title      (RsPlayer               *player);
const RsDecodeSettings *rs_player_get_settings   (RsPlayer               *player);
/* The streams of the open media file and what became of each (see
 * rs_decode_session_get_streams), owned by the player until another file
 * is opened; NULL with `n_streams` 0 for a lesson, a recording, or nothing. */
const RsStreamInfo     *rs_player_get_streams    (RsPlayer               *player,
                                                  guint                  *n_streams);
/* Borrowed; NULL before a file was opened. */
RsCursor               *rs_player_get_cursor     (RsPlayer               *player);
/* The session's history (borrowed), or NULL before a file was opened or
 * while busy (the worker thread is appending to it). */
RsHistory              *rs_player_get_history    (RsPlayer               *player);
/* The snapshot shown and the one before it (borrowed; NULL if none). Valid
 * until the position changes or another file is opened. */
RsSnapshot             *rs_player_get_snapshot   (RsPlayer               *player);
RsSnapshot             *rs_player_get_previous   (RsPlayer               *player);
/* The step shown, -1 if none. */
int                     rs_player_get_position   (RsPlayer               *player);
/* Steps recorded so far. */
guint                   rs_player_get_length     (RsPlayer               *player);
/* TRUE when the session has finished and its last step is shown. */
gboolean                rs_player_is_at_end      (RsPlayer               *player);
/* TRUE when every step is recorded (the session has finished). */
gboolean                rs_player_is_complete    (RsPlayer               *player);

gboolean                rs_player_forward        (RsPlayer               *player,
                                                  RsStepGranularity       granularity,
                                                  GError                **error);
/* Runs the next call of a decode session now, when the cursor stands at the
 * live edge, so that the next step forward only shows it (rs_cursor_run_ahead).
 * Lessons run a statement only when asked. FALSE if nothing was run. */
gboolean                rs_player_run_ahead      (RsPlayer               *player);
gboolean                rs_player_back           (RsPlayer               *player);
void                    rs_player_seek           (RsPlayer               *player,
                                                  guint                   step);

/* Playing steps `speed` calls a second until the end, a failure ("failed"
 * is emitted) or rs_player_set_playing (FALSE). */
gboolean                rs_player_get_playing    (RsPlayer               *player);
void                    rs_player_set_playing    (RsPlayer               *player,
                                                  gboolean                playing);
guint                   rs_player_get_speed      (RsPlayer               *player);
void                    rs_player_set_speed      (RsPlayer               *player,
                                                  guint                   speed);

/* Runs every remaining step on a worker thread, then shows the last one.
 * `progress` (notified from the main thread) counts the steps recorded. */
void                    rs_player_run_to_end_async  (RsPlayer            *player,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
/* FALSE with the session's error, or G_IO_ERROR_CANCELLED (the steps run so
 * far are kept and the last one is shown). */
gboolean                rs_player_run_to_end_finish (RsPlayer            *player,
                                                     GAsyncResult        *result,
                                                     GError             **error);
gboolean                rs_player_get_busy       (RsPlayer               *player);
guint                   rs_player_get_progress   (RsPlayer               *player);

G_END_DECLS
