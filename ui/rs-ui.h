/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-ui.h: the user interface library (rs-ui). Call rs_ui_init() once,
 * after gtk_init()/adw_init() (an AdwApplication does both), before building
 * any of its widgets.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Registers the UI's resources (templates, style, icons) and types. */
void rs_ui_init (void);

G_END_DECLS
