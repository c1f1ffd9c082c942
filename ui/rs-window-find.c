/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-window-find.c: finding things in a session. Ctrl+F finds a buffer
 * ("#27" or "27"), a packet or frame by its name ("video.frame"), a part of
 * libav ("video decoder") or a call ("avcodec_send_packet") and selects it,
 * going to a step where it is; Ctrl+G goes to a step. After a jump the
 * selection is panned into view.
 *
 * Only the recorded steps are searched: finding never runs libav calls.
 */
#define G_LOG_DOMAIN "rs-window"

#include "rs-window-private.h"

#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>

#include "rs-ui-private.h"

void
_rs_window_reveal_selection (RsWindow *self)
{
  rs_graph_view_reveal_selection (self->graph_view);
}

static void
set_search_message (RsWindow   *self,
                    const char *message)
{
  g_free (self->search_message);
  self->search_message = g_strdup (message);
  gtk_label_set_text (self->search_label, message != NULL ? message : "");
}

/* Seeks to `step` (if not shown) and selects `selection` there. */
static void
show_found (RsWindow          *self,
            guint              step,
            const RsSelection *selection)
{
  rs_player_set_playing (self->player, FALSE);
  if (rs_player_get_position (self->player) != (int) step)
    rs_player_seek (self->player, step);
  if (selection != NULL)
    rs_graph_view_set_selection (self->graph_view, selection);
  _rs_window_reveal_selection (self);
}

/* The recorded step nearest `from` (itself first, then after, then before)
 * where `match` holds, or -1. */
static int
find_nearest (RsHistory *history,
              guint      length,
              guint      from,
              gboolean (*match) (RsSnapshot *snapshot, gconstpointer data),
              gconstpointer data)
{
  for (guint step = from; step < length; step++)
    if (match (rs_history_get_snapshot (history, step), data))
      return (int) step;
  for (guint step = MIN (from, length); step-- > 0;)
    if (match (rs_history_get_snapshot (history, step), data))
      return (int) step;
  return -1;
}

static gboolean
has_buffer (RsSnapshot    *snapshot,
            gconstpointer  data)
{
  return rs_snapshot_find_buffer (snapshot, *(const guint64 *) data) != NULL;
}

static gboolean
has_handle (RsSnapshot    *snapshot,
            gconstpointer  data)
{
  return rs_snapshot_find_handle (snapshot, data) != NULL;
}

/* "#27", "27": a buffer id; else FALSE. */
static gboolean
parse_buffer_id (const char *text,
                 guint64    *id)
{
  if (text[0] == '#')
    text++;
  return text[0] != '\0' && g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT64, id, NULL);
}

/* A handle of `snapshot` whose id contains `needle` (case-folded), the
 * exact one first; NULL if none. */
static const RsHandle *
match_handle (RsSnapshot *snapshot,
              const char *needle)
{
  const RsHandle *partial = NULL;

  for (guint i = 0; i < rs_snapshot_get_n_handles (snapshot); i++)
    {
      const RsHandle *handle = rs_snapshot_get_handle (snapshot, i);
      g_autofree char *id = g_utf8_casefold (handle->id, -1);

      if (strcmp (id, needle) == 0)
        return handle;
      if (partial == NULL && strstr (id, needle) != NULL)
        partial = handle;
    }
  return partial;
}

/* A part of libav holding references in `snapshot` whose name contains
 * `needle`, or NULL. */
static const char *
match_holder (RsSnapshot *snapshot,
              const char *needle)
{
  for (guint i = 0; i < rs_snapshot_get_n_buffers (snapshot); i++)
    {
      const RsBuffer *buffer = rs_snapshot_get_buffer (snapshot, i);
      g_autofree char *holder = NULL;

      if (buffer->holder == NULL || buffer->hidden <= 0)
        continue;
      holder = g_utf8_casefold (buffer->holder, -1);
      if (strstr (holder, needle) != NULL)
        return buffer->holder;
    }
  return NULL;
}

static gboolean
call_matches (RsSnapshot *snapshot,
              const char *needle)
{
  g_autofree char *call = g_utf8_casefold (rs_snapshot_get_call (snapshot), -1);

  return strstr (call, needle) != NULL;
}

gboolean
rs_window_find (RsWindow   *self,
                const char *text)
{
  RsHistory *history;
  RsSnapshot *snapshot;
  g_autofree char *stripped = NULL;
  g_autofree char *needle = NULL;
  g_autofree char *message = NULL;
  guint length, position;
  guint64 id;
  int step;

  g_return_val_if_fail (RS_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  stripped = g_strstrip (g_strdup (text));
  history = rs_player_get_history (self->player);
  snapshot = rs_player_get_snapshot (self->player);
  if (stripped[0] == '\0' || history == NULL || snapshot == NULL)
    {
      set_search_message (self, NULL);
      return FALSE;
    }
  length = rs_history_get_length (history);
  position = (guint) rs_player_get_position (self->player);
  needle = g_utf8_casefold (stripped, -1);

  /* A buffer: where it lives, the step shown if it does. */
  if (parse_buffer_id (stripped, &id))
    {
      RsSelection selection = { RS_SELECTION_BUFFER, id, NULL };

      step = find_nearest (history, length, position, has_buffer, &id);
      if (step < 0)
        {
          message = g_strdup_printf (_("No buffer #%" G_GUINT64_FORMAT " in the %u steps recorded"), id, length);
          set_search_message (self, message);
          return FALSE;
        }
      show_found (self, step, &selection);
      message = g_strdup_printf (_("Buffer #%" G_GUINT64_FORMAT ", step %u"), id, RS_STEP_NUMBER (step));
      set_search_message (self, message);
      return TRUE;
    }

  /* A packet or frame of the step shown, then one of that name elsewhere. */
  {
    const RsHandle *handle = match_handle (snapshot, needle);
    const char *holder;

    step = (int) position;
    if (handle == NULL && (step = find_nearest (history, length, position, has_handle, stripped)) >= 0)
      handle = rs_snapshot_find_handle (rs_history_get_snapshot (history, step), stripped);
    if (handle != NULL)
      {
        RsSelection selection = { RS_SELECTION_HANDLE, 0, handle->id };

        show_found (self, step, &selection);
        message = g_strdup_printf (_("%s, step %u"), handle->id, RS_STEP_NUMBER (step));
        set_search_message (self, message);
        return TRUE;
      }
    if ((holder = match_holder (snapshot, needle)) != NULL)
      {
        RsSelection selection = { RS_SELECTION_HOLDER, 0, holder };

        show_found (self, position, &selection);
        message = g_strdup_printf (_("%s, step %u"), holder, RS_STEP_NUMBER (position));
        set_search_message (self, message);
        return TRUE;
      }
  }

  /* A call: the next step that makes it, after the one shown (so Enter
   * again finds the one after), going round to the start. */
  for (guint i = 1; i <= length; i++)
    {
      guint candidate = (position + i) % length;
      RsSnapshot *at = rs_history_get_snapshot (history, candidate);

      if (call_matches (at, needle))
        {
          show_found (self, candidate, NULL);
          message = g_strdup_printf (_("%s, step %u (Enter: the next one)"), rs_snapshot_get_call (at),
                                     RS_STEP_NUMBER (candidate));
          set_search_message (self, message);
          return TRUE;
        }
    }

  message = rs_player_is_complete (self->player)
    ? g_strdup_printf (_("No buffer, packet, frame or call matches “%s”"), stripped)
    : g_strdup_printf (_("No buffer, packet, frame or call matches “%s” in the %u steps recorded so far "
                         "(Run to the End records the rest)"), stripped, length);
  set_search_message (self, message);
  return FALSE;
}

const char *
rs_window_get_search_message (RsWindow *self)
{
  g_return_val_if_fail (RS_IS_WINDOW (self), NULL);
  return self->search_message;
}

gboolean
rs_window_go_to_step (RsWindow *self,
                      guint     number)
{
  guint length;
  g_autofree char *message = NULL;

  g_return_val_if_fail (RS_IS_WINDOW (self), FALSE);

  length = rs_player_get_length (self->player);
  if (length == 0 || rs_player_get_busy (self->player) || number == 0)
    return FALSE;
  if (number > length)
    {
      /* Never runs libav calls from here: a long way forward is Run to the End. */
      message = rs_player_is_complete (self->player)
        ? g_strdup_printf (g_dngettext (NULL, "There is no step %u: the session has %u step",
                                        "There is no step %u: the session has %u steps", length),
                           number, length)
        : g_strdup_printf (g_dngettext (NULL, "Step %u is not recorded yet: %u step so far. "
                                        "Run to the End (Ctrl+End) records them all",
                                        "Step %u is not recorded yet: %u steps so far. "
                                        "Run to the End (Ctrl+End) records them all", length),
                           number, length);
      rs_window_show_message (self, message);
      return FALSE;
    }
  show_found (self, number - 1, NULL);
  return TRUE;
}

/* ---- the search bar and the Go to popover ---- */

static void
on_search_activate (RsWindow *self)
{
  rs_window_find (self, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
on_search_changed (RsWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  RsSnapshot *snapshot = rs_player_get_snapshot (self->player);
  g_autofree char *needle = g_utf8_casefold (text, -1);
  guint64 id;

  /* As one types, only what is in the step shown is selected: the session
   * does not leap about on every key. Enter looks further. */
  set_search_message (self, NULL);
  if (snapshot == NULL)
    return;
  if (parse_buffer_id (text, &id) ? rs_snapshot_find_buffer (snapshot, id) != NULL
                                  : strlen (text) >= 3 && match_handle (snapshot, needle) != NULL)
    rs_window_find (self, text);
}

static void
on_search_stop (RsWindow *self)
{
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->graph_view));
}

static void
find_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

static void
on_goto_show (RsWindow *self)
{
  guint length = rs_player_get_length (self->player);
  g_autofree char *of = g_strdup_printf (_("of %u"), length);

  g_autofree char *shown = g_strdup_printf ("%u", RS_STEP_NUMBER (MAX (0, rs_player_get_position (self->player))));

  gtk_editable_set_text (GTK_EDITABLE (self->goto_entry), shown);
  gtk_label_set_text (self->goto_label, of);
  gtk_widget_grab_focus (GTK_WIDGET (self->goto_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->goto_entry), 0, -1);
}

static void
on_goto_activate (RsWindow *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->goto_entry))));
  guint64 number = 0;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT, &number, NULL))
    {
      gtk_widget_error_bell (GTK_WIDGET (self->goto_entry));
      return;
    }
  gtk_menu_button_popdown (self->goto_button);
  rs_window_go_to_step (self, (guint) number);
  gtk_widget_grab_focus (GTK_WIDGET (self->graph_view));
}

static void
go_to_step_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);

  if (rs_player_get_length (self->player) > 0)
    gtk_menu_button_popup (self->goto_button);
}

static void
find_text_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  rs_window_find (RS_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

void
_rs_window_class_init_find (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, RsWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, search_label);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, goto_button);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, goto_entry);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, goto_label);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_stop);
  gtk_widget_class_bind_template_callback (widget_class, on_goto_show);
  gtk_widget_class_bind_template_callback (widget_class, on_goto_activate);

  gtk_widget_class_install_action (widget_class, "win.find", NULL, find_action);
  gtk_widget_class_install_action (widget_class, "win.go-to-step", NULL, go_to_step_action);
  gtk_widget_class_install_action (widget_class, "win.find-text", "s", find_text_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.find", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_g, GDK_CONTROL_MASK, "win.go-to-step", NULL);
}
