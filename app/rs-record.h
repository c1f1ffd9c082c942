/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-record.h: `refscope record [--output=FILE] [--leaks=report|error] [--]
 * PROGRAM [ARGS...]` (DESIGN.md sections 6 and 12): runs PROGRAM with the
 * recorder preloaded, then reports its leaks.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `argv` is refscope's whole command line, argv[1] being "record"; nothing
 * after PROGRAM is read. Returns the exit status: PROGRAM's own (23 instead
 * of 0 when --leaks=error found leaks), 1 when PROGRAM cannot be recorded,
 * 2 for a bad command line. When PROGRAM was killed by a signal, refscope
 * kills itself with the same signal and does not return. */
int rs_record_run (int    argc,
                   char **argv);

G_END_DECLS
