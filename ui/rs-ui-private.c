/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-ui"

#include "rs-ui-private.h"

#include "rs-error.h"

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

void
_rs_ui_set_source (cairo_t       *cr,
                   const GdkRGBA *rgba,
                   double         alpha)
{
  cairo_set_source_rgba (cr, rgba->red, rgba->green, rgba->blue, rgba->alpha * alpha);
}

char *
_rs_ui_format_ret (int ret)
{
  const char *name = rs_ret_name (ret);

  return name != NULL ? g_strdup (name) : g_strdup_printf ("%d", ret);
}

char *
_rs_ui_format_call (const RsSnapshot *snapshot)
{
  const char *call = rs_snapshot_get_call (snapshot);
  const char *args = rs_snapshot_get_args (snapshot);
  const char *out = rs_snapshot_get_out (snapshot);
  g_autofree char *ret = NULL;

  /* A call that returns the packet or frame it made (av_packet_alloc,
   * av_frame_clone): that is its result. */
  if (out != NULL && rs_snapshot_get_ret (snapshot) == 0 &&
      (g_str_has_suffix (call, "_alloc") || g_str_has_suffix (call, "_clone")))
    ret = g_strdup (out);
  else
    ret = _rs_ui_format_ret (rs_snapshot_get_ret (snapshot));
  return g_strdup_printf ("%s(%s) = %s", call, args != NULL ? args : "", ret);
}

char *
_rs_ui_format_site (const RsSite *site)
{
  g_autofree char *base = NULL;
  g_autofree char *place = NULL;

  if (site->file != NULL)
    {
      base = g_path_get_basename (site->file);
      place = site->line > 0 ? g_strdup_printf ("%s:%d", base, site->line) : g_strdup (base);
    }
  else if (site->module != NULL)
    place = g_strdup (site->module);
  if (site->function != NULL && place != NULL)
    /* TRANSLATORS: a function and where it is: "decode() at player.c:42" */
    return g_strdup_printf (_("%s() at %s"), site->function, place);
  if (site->function != NULL)
    return g_strdup_printf ("%s()", site->function);
  return g_steal_pointer (&place);
}

const char *
_rs_ui_get_thread_color (int thread)
{
  /* Apart from each other, and readable on the light and the dark style. */
  static const char *colors[] = { "#3584e4", "#e66100", "#9141ac", "#26a269" };

  return colors[(guint) MAX (thread - 1, 0) % G_N_ELEMENTS (colors)];
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
