/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-window-overlays.c: what the window says over the graph: the first-run
 * hint, the end-of-session summary, an error in full in a banner (or on
 * the empty page), and short messages as toasts.
 */
#define G_LOG_DOMAIN "rs-window"

#include "rs-window-private.h"

#include <glib/gi18n.h>

#include "rs-findings.h"
#include "rs-query.h"

/* ---- the hint, the summary ---- */

/* "2021 steps · peak 26 buffers, 601.3 kB live at once · leaks: none", and the
 * leaks, each a button selecting what leaked. */
static void
update_summary (RsWindow  *self,
                RsHistory *history)
{
  g_autoptr(GArray) buffers = NULL;
  g_autoptr(GArray) bytes = NULL;
  g_autoptr(GArray) leaks = NULL;
  g_autofree char *peak_bytes = NULL;
  g_autofree char *leak_text = NULL;
  guint length = rs_history_get_length (history);
  guint64 peak_buffers = 0, peak_size = 0;
  GtkWidget *child;
  const char *here = rs_player_get_path (self->player);
  RsSnapshot *last;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->summary_leaks))) != NULL)
    gtk_box_remove (self->summary_leaks, child);

  rs_history_get_live_series (history, &buffers, &bytes);
  for (guint i = 0; i < buffers->len; i++)
    {
      peak_buffers = MAX (peak_buffers, g_array_index (buffers, guint64, i));
      peak_size = MAX (peak_size, g_array_index (bytes, guint64, i));
    }
  peak_bytes = g_format_size (peak_size);
  leaks = rs_history_query_leaks (history);
  leak_text = leaks->len == 0
    ? g_strdup (_("leaks: none"))
    : g_strdup_printf (g_dngettext (NULL, "leaks: %u, listed below", "leaks: %u, listed below", leaks->len), leaks->len);

  g_free (self->summary);
  self->summary = g_strdup_printf (g_dngettext (NULL, "%u step · peak %" G_GUINT64_FORMAT " buffers, %s live at once · %s",
                                                "%u steps · peak %" G_GUINT64_FORMAT " buffers, %s live at once · %s", length),
                                   length, peak_buffers, peak_bytes, leak_text);
  last = rs_history_get_last (history);
  if (last != NULL && g_strcmp0 (rs_snapshot_get_call (last), "exit") == 0 && rs_snapshot_get_ret (last) != 0)
    {
      /* A recorded program that failed (its exit step's ret is its status):
       * "cleanly" would not be true even without leaks. */
      g_autofree char *title = g_strdup_printf (_("The Program Exited With Status %d"), rs_snapshot_get_ret (last));

      gtk_label_set_text (self->summary_title, title);
    }
  else
    gtk_label_set_text (self->summary_title, leaks->len == 0 ? _("The Session Ended Cleanly") : _("The Session Ended With Leaks"));
  gtk_label_set_text (self->summary_label, self->summary);

  for (guint i = 0; i < MIN (leaks->len, 5); i++)
    {
      const RsLeak *leak = &g_array_index (leaks, RsLeak, i);
      g_autofree char *text = rs_findings_describe_leak_for_window (leak, here);
      g_autofree char *target = leak->kind == RS_LEAK_BUFFER
        ? g_strdup_printf ("#%" G_GUINT64_FORMAT, leak->buffer) : g_strdup (leak->handle);
      GtkWidget *label = gtk_label_new (text);
      GtkWidget *button = gtk_button_new ();

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 70);
      gtk_button_set_child (GTK_BUTTON (button), label);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, _("Select It"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.find-text");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", target != NULL ? target : "");
      gtk_box_append (self->summary_leaks, button);
    }
  if (leaks->len > 5)
    {
      g_autofree char *more = g_strdup_printf (_("and %u more"), leaks->len - 5);
      GtkWidget *label = gtk_label_new (more);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (self->summary_leaks, label);
    }
}

/* Escape closes the summary only while it is shown. */
static void
reveal_summary (RsWindow *self,
                gboolean  reveal)
{
  gtk_revealer_set_reveal_child (self->summary_revealer, reveal);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.hide-summary", reveal);
}

void
_rs_window_update_overlays (RsWindow *self)
{
  RsHistory *history = rs_player_get_history (self->player);
  int position = rs_player_get_position (self->player);
  gboolean at_end = history != NULL && rs_player_is_at_end (self->player) && !rs_player_get_busy (self->player);

  /* The hint, until the first step forward. */
  if (position > 0 && !self->stepped)
    {
      self->stepped = TRUE;
      if (self->settings != NULL)
        g_settings_set_boolean (self->settings, "stepped", TRUE);
    }
  gtk_revealer_set_reveal_child (self->hint_revealer, position == 0 && !self->stepped);

  /* The summary, at the end, once per session unless closed. */
  if (!at_end)
    {
      reveal_summary (self, FALSE);
      g_clear_pointer (&self->summary, g_free);
      return;
    }
  if (self->summary_history != history)
    {
      self->summary_history = history;
      self->summary_hidden = FALSE;
    }
  if (self->summary_hidden)
    {
      reveal_summary (self, FALSE);
      g_clear_pointer (&self->summary, g_free);
      return;
    }
  if (self->summary == NULL)
    update_summary (self, history);
  reveal_summary (self, TRUE);
}

static void
hide_summary_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);

  self->summary_hidden = TRUE;
  _rs_window_update_overlays (self);
}

/* ---- errors, in full ---- */

void
_rs_window_dismiss_error (RsWindow *self)
{
  gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.dismiss-error", FALSE);
}

static void
dismiss_error_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  _rs_window_dismiss_error (RS_WINDOW (widget));
}

/* ---- messages ---- */

void
rs_window_show_message (RsWindow   *self,
                        const char *message)
{
  g_autofree char *escaped = NULL;
  AdwToast *toast;

  g_return_if_fail (RS_IS_WINDOW (self));
  g_return_if_fail (message != NULL);

  g_free (self->last_message);
  self->last_message = g_strdup (message);
  escaped = g_markup_escape_text (message, -1);
  toast = adw_toast_new (escaped);
  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
_rs_window_show_error (RsWindow     *self,
                       const GError *error)
{
  g_free (self->last_message);
  self->last_message = g_strdup (error->message);
  /* Nothing open: the empty page says why, where the graph would be. */
  if (rs_player_get_path (self->player) == NULL)
    {
      adw_status_page_set_icon_name (self->empty_page, "dialog-error-symbolic");
      adw_status_page_set_title (self->empty_page, _("Cannot Open the File"));
      adw_status_page_set_description (self->empty_page, error->message);
      return;
    }
  gtk_label_set_text (self->error_label, error->message);
  gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.dismiss-error", TRUE);
}

const char *
rs_window_get_error (RsWindow *self)
{
  g_return_val_if_fail (RS_IS_WINDOW (self), NULL);
  if (rs_player_get_path (self->player) == NULL)
    {
      const char *description = adw_status_page_get_description (self->empty_page);

      return description != NULL && g_strcmp0 (adw_status_page_get_icon_name (self->empty_page), "dialog-error-symbolic") == 0
        ? description : NULL;
    }
  return gtk_revealer_get_reveal_child (self->error_revealer) ? gtk_label_get_text (self->error_label) : NULL;
}

const char *
rs_window_get_summary (RsWindow *self)
{
  g_return_val_if_fail (RS_IS_WINDOW (self), NULL);
  return gtk_revealer_get_reveal_child (self->summary_revealer) ? self->summary : NULL;
}

void
_rs_window_class_init_overlays (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.dismiss-error", NULL, dismiss_error_action);
  gtk_widget_class_install_action (widget_class, "win.hide-summary", NULL, hide_summary_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.dismiss-error", NULL);
}
