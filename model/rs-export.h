/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-export.h: graph snapshots as files (PNG, SVG, PDF, DOT).
 *
 * Every file is written atomically: into a temporary file in the same
 * directory, then renamed over the target. On failure no partial file is
 * left, and the error (RS_ERROR) names the path and the reason:
 * RS_ERROR_NOT_FOUND when the directory does not exist, RS_ERROR_IO when it
 * cannot be written (read-only, full disk), RS_ERROR_FAILED for an unknown
 * format or a graphviz failure.
 */
#pragma once

#include <glib.h>

#include "rs-graph.h"
#include "rs-render.h"

G_BEGIN_DECLS

/* TRUE for "png", "svg", "pdf" and "dot" (any case). */
gboolean  rs_export_format_is_valid  (const char           *format);

/* DIRECTORY/step-NNNNNN.FORMAT (six digits at least). Owned by the caller. */
char     *rs_export_step_filename    (const char           *directory,
                                      guint                 number,
                                      const char           *format);

/* Writes `bytes` to `path` atomically. */
gboolean  rs_export_write_file       (const char           *path,
                                      GBytes               *bytes,
                                      GError              **error);

/* The graph of one snapshot (with the diff's marks; `diff` nullable) as
 * `format` at `path`. `format` NULL: taken from the path's extension.
 * Default graph options, with the title. */
gboolean  rs_export_snapshot         (RsSnapshot           *snapshot,
                                      RsDiff               *diff,
                                      const char           *path,
                                      const char           *format,
                                      GError              **error);

/* What `render` shows now, as `format` at `path`. */
gboolean  rs_export_render           (RsRender             *render,
                                      const char           *path,
                                      const char           *format,
                                      GError              **error);

/* One step of a session export: DIRECTORY/step-NNNNNN.FORMAT for each of
 * `formats` (NULL-terminated). `render` (nullable) is updated with the step,
 * so a caller exporting consecutive steps through one render reuses layouts;
 * without it a temporary one is used. Only "dot" needs no layout. Stops at
 * the first failure; files already written stay. */
gboolean  rs_export_step             (RsRender             *render,
                                      RsSnapshot           *snapshot,
                                      RsDiff               *diff,
                                      const RsGraphOptions *options,
                                      const char           *directory,
                                      guint                 number,
                                      const char * const   *formats,
                                      GError              **error);

G_END_DECLS
