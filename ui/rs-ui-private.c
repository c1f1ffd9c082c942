/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-ui"

#include "rs-ui-private.h"

#include <glib/gi18n.h>

static void
lookup (GtkStyleContext *context,
        const char      *name,
        GdkRGBA         *color,
        const char      *fallback)
{
  if (!gtk_style_context_lookup_color (context, name, color))
    gdk_rgba_parse (color, fallback);
}

void
_rs_ui_get_colors (GtkWidget *widget,
                   GdkRGBA   *fg,
                   GdkRGBA   *accent,
                   GdkRGBA   *good,
                   GdkRGBA   *bad)
{
  GtkStyleContext *context = gtk_widget_get_style_context (widget);

  if (fg != NULL)
    gtk_style_context_get_color (context, fg);
  if (accent != NULL)
    lookup (context, "accent_color", accent, "#1c71d8");
  if (good != NULL)
    lookup (context, "success_color", good, "#1b8553");
  if (bad != NULL)
    lookup (context, "error_color", bad, "#c01c28");
}

/* FFmpeg's error codes are negated tags (libavutil/error.h); the UI may not
 * include libav, so the few a session returns are named here. */
#define TAG(a, b, c, d) ((int) ((unsigned) (a) | ((unsigned) (b) << 8) | ((unsigned) (c) << 16) | ((unsigned) (d) << 24)))

char *
_rs_ui_format_ret (int ret)
{
  static const struct { int code; const char *name; } names[] = {
    { -11, "AVERROR(EAGAIN)" },
    { -12, "AVERROR(ENOMEM)" },
    { -22, "AVERROR(EINVAL)" },
    { -5, "AVERROR(EIO)" },
    { -TAG ('E', 'O', 'F', ' '), "AVERROR_EOF" },
    { -TAG (0xF8, 'B', 'S', 'F'), "AVERROR_BSF_NOT_FOUND" },
    { -TAG ('I', 'N', 'D', 'A'), "AVERROR_INVALIDDATA" },
    { -TAG (0xF8, 'D', 'E', 'C'), "AVERROR_DECODER_NOT_FOUND" },
    { -TAG ('P', 'A', 'W', 'E'), "AVERROR_PATCHWELCOME" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (names[i].code == ret)
      return g_strdup (names[i].name);
  return g_strdup_printf ("%d", ret);
}

char *
_rs_ui_format_call (const RsSnapshot *snapshot)
{
  g_autofree char *ret = _rs_ui_format_ret (rs_snapshot_get_ret (snapshot));
  const char *args = rs_snapshot_get_args (snapshot);

  return g_strdup_printf ("%s(%s) = %s", rs_snapshot_get_call (snapshot),
                          args != NULL ? args : "", ret);
}

char *
_rs_ui_format_ts (gint64 ts)
{
  if (ts == RS_NO_TIMESTAMP)
    return g_strdup (_("none"));
  return g_strdup_printf ("%" G_GINT64_FORMAT, ts);
}

char *
_rs_ui_escape_mnemonics (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, "_", -1);

  return g_strjoinv ("__", parts);
}
