/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-record-report.h: what `refscope record` says once the program has
 * ended: the leaks found in its recording.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  RS_LEAKS_REPORT,  /* leaks are printed; the exit status is the program's */
  RS_LEAKS_ERROR,   /* and a leak turns an exit status of 0 into 23 */
} RsLeaksMode;

/* Reads the recording at `recording` (an absolute path) and prints on
 * stderr one `refscope: leak: ...` line per leak (DESIGN.md section 12);
 * *n_leaks is their number. FALSE, with the reason on stderr, when the
 * recording is missing or cannot be read (*n_leaks is then 0). */
gboolean rs_record_report (const char  *recording,
                           RsLeaksMode  leaks,
                           guint       *n_leaks);

G_END_DECLS
