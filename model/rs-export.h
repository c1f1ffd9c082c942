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

/* DIRECTORY/step-NNNNNN.FORMAT (six digits at least). `number` counts steps
 * from 1, as the window does (DESIGN §6: step-000001 is the first step, the
 * trace's "step": 0). Owned by the caller. */
char     *rs_export_step_filename    (const char           *directory,
                                      guint                 number,
                                      const char           *format);

/* A file written atomically, streamed: into a temporary file beside `path`
 * (".NAME.XXXXXX.partial", so one left by a killed process says what it
 * is), renamed over `path` by rs_atomic_file_commit(). Freed uncommitted,
 * or after a failure, the temporary file is removed and `path` is as it
 * was. Errors name `path`, as rs_export_write_file()'s do. */
typedef struct _RsAtomicFile RsAtomicFile;

/* Owned by the caller (rs_atomic_file_free). */
RsAtomicFile *rs_atomic_file_new           (const char    *path,
                                            GError       **error);
/* Borrowed: the temporary file's descriptor, -1 once committed or failed. */
int           rs_atomic_file_get_fd        (RsAtomicFile  *file);
/* The temporary file's path, NULL once renamed or removed. Borrowed. */
const char   *rs_atomic_file_get_temp_path (RsAtomicFile  *file);
gboolean      rs_atomic_file_write         (RsAtomicFile  *file,
                                            const void    *data,
                                            gsize          length,
                                            GError       **error);
/* Syncs, closes and renames; on failure the temporary file is removed. */
gboolean      rs_atomic_file_commit        (RsAtomicFile  *file,
                                            GError       **error);
void          rs_atomic_file_free          (RsAtomicFile  *file);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsAtomicFile, rs_atomic_file_free)

/* Writes `bytes` to `path` atomically (an RsAtomicFile). */
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

/* One step of a session export: DIRECTORY/step-NNNNNN.FORMAT (`number`
 * from 1, see rs_export_step_filename()) for each of
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
