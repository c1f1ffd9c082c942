/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-ui-private.h: small helpers shared by the widgets of ui/.
 */
#pragma once

#include <gtk/gtk.h>

#include "rs-snapshot.h"

G_BEGIN_DECLS

/* The widget's text colour and the style's accent, success and error
 * colours (libadwaita's named colours, with fallbacks). */
void  _rs_ui_get_colors     (GtkWidget        *widget,
                             GdkRGBA          *fg,
                             GdkRGBA          *accent,
                             GdkRGBA          *good,
                             GdkRGBA          *bad);
/* Paints with `rgba`, its alpha times `alpha` (0 to 1). */
void  _rs_ui_set_source     (cairo_t          *cr,
                             const GdkRGBA    *rgba,
                             double            alpha);

/* A libav return value in words: "0", "AVERROR(EAGAIN)", "AVERROR_EOF",
 * "-22". Owned by the caller. */
char *_rs_ui_format_ret     (int               ret);
/* "avcodec_receive_frame(video decoder, video.frame) = 0". Owned by the caller. */
char *_rs_ui_format_call    (const RsSnapshot *snapshot);
/* Where a step's call is: "decode() at player.c:42", "decode() at
 * player+0x1234" without line info; NULL when unknown. Owned by the caller. */
char *_rs_ui_format_site    (const RsSite     *site);
/* The colour of a recorded program's thread (1, 2, ...), "#rrggbb": its
 * lane in the timeline, its name in the source pane. Static. */
const char *_rs_ui_get_thread_color (int thread);
/* A timestamp, or "none". Owned by the caller. */
char *_rs_ui_format_ts      (gint64            ts);
/* A menu label showing `text` as it is (`_` is a mnemonic: doubled, it
 * shows). Owned by the caller. */
char *_rs_ui_escape_mnemonics (const char     *text);

G_END_DECLS
