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

/* Writes to `stream` (a reference is taken). */
RsTraceWriter *rs_trace_writer_new     (GOutputStream    *stream);
/* One line for `snapshot`. */
gboolean       rs_trace_writer_write   (RsTraceWriter    *writer,
                                        const RsSnapshot *snapshot,
                                        GError          **error);
gboolean       rs_trace_writer_close   (RsTraceWriter    *writer,
                                        GError          **error);
void           rs_trace_writer_free    (RsTraceWriter    *writer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsTraceWriter, rs_trace_writer_free)

G_END_DECLS
