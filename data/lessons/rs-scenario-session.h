/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-scenario-session.h: a lesson: a scenario (rs-scenario-parser.h) run
 * statement by statement on the real FFmpeg library, each statement one
 * step. Handles are the scenario's AVPacket * / AVFrame * variables (handle
 * id = the variable's name, holder "scenario"), observed like a decode
 * session's without taking a reference.
 *
 * C semantics are kept where they matter: av_packet_move_ref and
 * av_frame_move_ref do not unref the destination, av_init_packet (and
 * av_new_packet, av_packet_ref, av_frame_ref, av_frame_get_buffer on a
 * packet or frame that still holds buffers) drop references without
 * releasing them: those buffers are reported as leaks, with the step that
 * orphaned them. A call through a NULL, uninitialized or freed pointer, a
 * double free, and an out-of-bounds write are stopped before they reach
 * libav and shown as RS_EVENT_ERROR events; a write into a buffer that is
 * not writable is performed (in bounds) and flagged RS_EVENT_UNSAFE_WRITE.
 *
 * The last step is the end of the scenario (the closing brace of its last
 * function, or the end of the file): every variable is gone, what is still
 * allocated is reported leaked, and then freed, so Refscope itself leaks
 * nothing.
 */
#pragma once

#include <glib-object.h>

#include "rs-scenario-parser.h"
#include "rs-session.h"

G_BEGIN_DECLS

#define RS_TYPE_SCENARIO_SESSION (rs_scenario_session_get_type ())
G_DECLARE_FINAL_TYPE (RsScenarioSession, rs_scenario_session, RS, SCENARIO_SESSION, GObject)

/* Parses `source` (`length` bytes, or NUL-terminated if -1); `filename`
 * names it in messages. With `observe` FALSE the same calls run without any
 * observation (step with rs_scenario_session_run_statement()). NULL with an
 * RS_ERROR_INVALID_INPUT listing every error ("file:line:column: error:
 * ...", one a line) if the scenario does not parse: nothing runs. */
RsScenarioSession *rs_scenario_session_new            (const char         *filename,
                                                       const char         *source,
                                                       gssize              length,
                                                       gboolean            observe,
                                                       GError            **error);
/* The same from a file; RS_ERROR_NOT_FOUND or RS_ERROR_IO if it cannot be
 * read. When it does not compile, `rejected` (nullable) receives the parsed
 * program with its diagnostics, owned by the caller: the file is parsed once. */
RsScenarioSession *rs_scenario_session_new_from_file  (const char         *path,
                                                       RsScenarioProgram **rejected,
                                                       GError            **error);

/* The parsed program. Borrowed. */
RsScenarioProgram *rs_scenario_session_get_program    (RsScenarioSession  *session);
/* Where step `step` is in the source: FALSE if no such step has run. */
gboolean           rs_scenario_session_get_step_location (RsScenarioSession *session,
                                                          guint              step,
                                                          int               *line,
                                                          int               *column);

/* Runs the next statement of an unobserved session (observe FALSE): FALSE
 * once the scenario has finished. */
gboolean           rs_scenario_session_run_statement  (RsScenarioSession  *session);

/* The RsScenarioResolveFunc for libav's names: AV_PIX_FMT_*, AV_SAMPLE_FMT_*,
 * AV_CH_LAYOUT_*, AV_PKT_FLAG_*, AV_NOPTS_VALUE, AV_INPUT_BUFFER_PADDING_SIZE. */
gboolean           rs_scenario_resolve_libav_name     (const char         *name,
                                                       gint64             *value,
                                                       gpointer            user_data);

G_END_DECLS
