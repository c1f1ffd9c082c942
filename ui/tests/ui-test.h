/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ui-test.h: what the window tests share: running the main loop for a while
 * or until something holds, and closing a window that must not leak.
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

G_END_DECLS
