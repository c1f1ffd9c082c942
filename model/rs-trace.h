/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-trace.h: the JSON Lines trace (DESIGN.md section 7), one object a step,
 * written with json-glib.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "rs-snapshot.h"

G_BEGIN_DECLS

/* The step as a JSON object. Nodes' JSON is built once per node and shared.
 * Owned by the caller. */
JsonNode      *rs_snapshot_to_json     (const RsSnapshot *snapshot);

typedef struct _RsTraceWriter RsTraceWriter;

/* Writes to `stream` (a reference is taken). Owned by the caller. */
RsTraceWriter *rs_trace_writer_new     (GOutputStream    *stream);
/* The same, but lines are made and written on a thread of the writer's, while
 * the session makes its next steps: rs_trace_writer_write() queues the
 * snapshot (a reference is taken; at most 128 wait, then it waits). A
 * failure is returned by the next write, flush or close. The stream must
 * not be used by anyone else until rs_trace_writer_flush() returns. */
RsTraceWriter *rs_trace_writer_new_threaded (GOutputStream *stream);
/* `fd` is the regular file under the writer's stream (-1: none): the
 * writer asks the system to start writing the file to disk as it grows, so
 * that a final fsync() has little left to wait for. Call before the first
 * line. */
void           rs_trace_writer_set_writeback_fd (RsTraceWriter *writer,
                                                 int            fd);
/* One line for `snapshot`. */
gboolean       rs_trace_writer_write   (RsTraceWriter    *writer,
                                        const RsSnapshot *snapshot,
                                        GError          **error);
/* Threaded writers: waits until every line queued is written to the
 * stream (not flushed: the stream's own flush does that). */
gboolean       rs_trace_writer_flush   (RsTraceWriter    *writer,
                                        GError          **error);
/* rs_trace_writer_flush(), then closes the stream. */
gboolean       rs_trace_writer_close   (RsTraceWriter    *writer,
                                        GError          **error);
/* Lines a threaded writer still has queued are dropped. */
void           rs_trace_writer_free    (RsTraceWriter    *writer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsTraceWriter, rs_trace_writer_free)

G_END_DECLS
