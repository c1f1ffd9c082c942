/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ui-test.h: what the window tests share: running the main loop for a while
 * or until something holds, closing a window that must not leak, finding
 * an Open Recent item, checking an export of every step, the tags on a line
 * of the source pane.
 */
#pragma once

#include "rs-window.h"

G_BEGIN_DECLS

/* Runs the main loop for about 100 ms. */
void     ui_test_spin_a_little (void);
/* Runs the main loop until `done (data)`, or fails after `seconds`. */
void     ui_test_spin_until    (gboolean (*done) (gpointer data),
                                gpointer  data,
                                guint     seconds);
/* TRUE when the window's player is not running to the end. */
gboolean ui_test_is_idle       (gpointer  window);
/* Destroys the window and asserts it is finalized. */
void     ui_test_close_window  (RsWindow *window);
/* The index of the Open Recent item that opens `path`, or -1. */
int      ui_test_find_recent   (RsWindow   *window,
                                const char *path);
/* After an export of every step into `dir`: the window said so with the
 * number of steps, and `dir` holds one step-N.`extension` file per step
 * (N counted from 1, as the window counts),
 * each with `mark` in it. Removes them, then `dir`. */
void     ui_test_check_exported (RsWindow   *window,
                                 const char *dir,
                                 const char *extension,
                                 const char *mark);
/* TRUE when a character of line `line` (from 1) of the source `view`
 * shows has the tag `tag_name`, which must exist. */
gboolean ui_test_line_has_tag   (RsLessonView *view,
                                 int           line,
                                 const char   *tag_name);

G_END_DECLS
