/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-window"

#include "rs-record-session.h"
#include "rs-ui-private.h"
#include "rs-window-private.h"

#include <glib/gi18n.h>

/* ---- stepping ---- */

static void
forward (RsWindow          *self,
         RsStepGranularity  granularity)
{
  g_autoptr(GError) error = NULL;

  rs_player_set_playing (self->player, FALSE);
  if (!rs_player_forward (self->player, granularity, &error) && error != NULL)
    _rs_window_show_error (self, error);
}

static void
step_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  forward (RS_WINDOW (widget), RS_STEP_CALL);
}

static void
next_packet_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  forward (RS_WINDOW (widget), RS_STEP_PACKET);
}

static void
next_frame_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  forward (RS_WINDOW (widget), RS_STEP_FRAME);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);

  rs_player_set_playing (self->player, FALSE);
  rs_player_back (self->player);
}

static void
first_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);

  rs_player_set_playing (self->player, FALSE);
  rs_player_seek (self->player, 0);
}

/* A recording not read to its end yet: its file has every step. */
static gboolean
is_recording_to_read (RsWindow *self)
{
  RsCursor *cursor = rs_player_get_cursor (self->player);

  return cursor != NULL && RS_IS_RECORD_SESSION (rs_cursor_get_session (cursor)) &&
         !rs_player_is_complete (self->player);
}

/* The last step recorded (not running any further); a recording's end,
 * read in the background. */
static void
last_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);

  if (is_recording_to_read (self))
    {
      gtk_widget_activate_action (widget, "win.run-to-end", NULL);
      return;
    }
  rs_player_set_playing (self->player, FALSE);
  rs_player_seek (self->player, G_MAXUINT);
}

static void
restart_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (rs_player_get_path (self->player) == NULL)
    return;
  if (!rs_player_restart (self->player, NULL, &error))
    _rs_window_show_error (self, error);
}

static void
apply_pipeline_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  RsDecodeSettings settings;
  static const char *copy_names[] = { "move", "ref", "clone", "copy" };

  gtk_popover_popdown (GTK_POPOVER (self->pipeline_popover));
  rs_pipeline_popover_get_settings (self->pipeline_popover, &settings);
  if (self->settings != NULL)
    {
      g_settings_delay (self->settings);
      g_settings_set_int (self->settings, "threads", settings.threads);
      g_settings_set_int (self->settings, "packet-queue", settings.packet_queue);
      g_settings_set_int (self->settings, "frame-queue", settings.frame_queue);
      g_settings_set_string (self->settings, "copy", copy_names[settings.copy]);
      g_settings_set_string (self->settings, "streams", rs_stream_selection_to_string (settings.streams));
      g_settings_apply (self->settings);
    }
  if (rs_player_get_path (self->player) != NULL &&
      !rs_player_restart (self->player, &settings, &error))
    _rs_window_show_error (self, error);
}

/* ---- running to the end ---- */

GApplication *
_rs_window_hold_application (RsWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  if (application == NULL)
    return NULL;
  g_application_hold (G_APPLICATION (application));
  return g_object_ref (G_APPLICATION (application));
}

void
_rs_window_release_application (GApplication **application)
{
  if (*application != NULL)
    g_application_release (*application);
  g_clear_object (application);
}

static void
run_to_end_done (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(RsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = rs_player_run_to_end_finish (RS_PLAYER (object), result, &error);

  _rs_window_release_application (&self->run_application);
  g_clear_object (&self->run_cancellable);
  /* The window may have been closed meanwhile. */
  if (self->player == NULL)
    return;
  if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    _rs_window_show_error (self, error);
  _rs_window_show_step (self);
}

static void
run_to_end_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);

  if (rs_player_get_busy (self->player))
    return;
  self->run_application = _rs_window_hold_application (self);
  self->run_cancellable = g_cancellable_new ();
  rs_player_run_to_end_async (self->player, self->run_cancellable,
                              run_to_end_done, g_object_ref (self));
}

static void
cancel_run_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);

  if (self->run_cancellable != NULL)
    g_cancellable_cancel (self->run_cancellable);
  _rs_window_cancel_export (self);
}

/* ---- zoom ---- */

static void
zoom_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  rs_graph_view_zoom_in (RS_WINDOW (widget)->graph_view);
}

static void
zoom_out_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  rs_graph_view_zoom_out (RS_WINDOW (widget)->graph_view);
}

static void
zoom_fit_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  rs_graph_view_zoom_to_fit (RS_WINDOW (widget)->graph_view);
}

/* Forgets where nodes were kept and lays the graph out compactly again. */
static void
relayout_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (!rs_graph_view_relayout (self->graph_view, &error))
    {
      _rs_window_show_error (self, error);
      return;
    }
  _rs_window_reveal_selection (self);
  _rs_window_prepare_ahead (self);
}

/* ---- speed, the timeline, the lessons menu ---- */

static const guint speeds[] = { 1, 2, 5, 10, 25, 60 };  /* the speed menu's */

static void
change_speed_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);
  guint speed = rs_player_get_speed (self->player);
  gboolean faster = g_str_equal (action_name, "win.faster");
  guint next = faster ? speeds[G_N_ELEMENTS (speeds) - 1] : speeds[0];

  for (guint i = 0; i < G_N_ELEMENTS (speeds); i++)
    {
      guint candidate = speeds[faster ? i : G_N_ELEMENTS (speeds) - 1 - i];

      if (faster ? candidate > speed : candidate < speed)
        {
          next = candidate;
          break;
        }
    }
  rs_player_set_speed (self->player, next);
}

static void
timeline_zoom_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);

  if (g_str_equal (action_name, "win.timeline-zoom-in"))
    rs_timeline_zoom (self->timeline, 2.0);
  else if (g_str_equal (action_name, "win.timeline-zoom-out"))
    rs_timeline_zoom (self->timeline, 0.5);
  else
    rs_timeline_zoom (self->timeline, 0.0);
}

static void
lessons_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  gtk_menu_button_popup (RS_WINDOW (widget)->lessons_button);
}

static void
toggle_inspector_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);

  adw_flap_set_reveal_flap (self->flap, !adw_flap_get_reveal_flap (self->flap));
}

/* L: the legend folded or unfolded; shown unfolded if it was hidden. */
static void
toggle_legend_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  RsGraphView *view = RS_WINDOW (widget)->graph_view;

  if (!rs_graph_view_get_legend (view))
    {
      rs_graph_view_set_legend (view, TRUE);
      rs_graph_view_set_legend_expanded (view, TRUE);
    }
  else
    rs_graph_view_set_legend_expanded (view, !rs_graph_view_get_legend_expanded (view));
}

static void
pipeline_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  gtk_menu_button_popup (RS_WINDOW (widget)->pipeline_button);
}

/* ---- files ---- */

static void
add_filter (GtkFileChooser *chooser,
            const char     *name,
            const char     *pattern,
            const char     *mime_type)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  if (pattern != NULL)
    gtk_file_filter_add_pattern (filter, pattern);
  if (mime_type != NULL)
    gtk_file_filter_add_mime_type (filter, mime_type);
  gtk_file_chooser_add_filter (chooser, filter);
}

void
_rs_window_forget_chooser (RsWindow *self)
{
  if (self->chooser == NULL)
    return;
  gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
}

void
_rs_window_show_chooser (RsWindow             *self,
                         GtkFileChooserNative *chooser,
                         GCallback             on_response)
{
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", on_response, self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

static void
on_open_response (GtkNativeDialog *dialog,
                  int              response,
                  RsWindow        *self)
{
  g_autofree char *path = _rs_window_take_chosen_path (self, dialog, response);

  if (path != NULL)
    rs_window_open (self, path, NULL);
}

static void
open_file_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  rs_window_open (RS_WINDOW (widget), g_variant_get_bytestring (parameter), NULL);
}

/* ---- recent files ---- */

#define MAX_RECENT 8
/* The application name recent files are registered under (the process's
 * name differs in tests and benchmarks). */
#define RECENT_APP "Refscope"

static int
compare_recent (gconstpointer a,
                gconstpointer b)
{
  GtkRecentInfo *first = *(GtkRecentInfo **) a;
  GtkRecentInfo *second = *(GtkRecentInfo **) b;

  return g_date_time_compare (gtk_recent_info_get_modified (second), gtk_recent_info_get_modified (first));
}

/* The files Refscope opened, newest first, as items of win.open-file. */
static void
update_recent_menu (RsWindow *self)
{
  GList *items = gtk_recent_manager_get_items (gtk_recent_manager_get_default ());
  g_autoptr(GPtrArray) ours = g_ptr_array_new ();

  for (GList *l = items; l != NULL; l = l->next)
    if (gtk_recent_info_has_application (l->data, RECENT_APP) &&
        gtk_recent_info_is_local (l->data) && gtk_recent_info_exists (l->data))
      g_ptr_array_add (ours, l->data);
  g_ptr_array_sort (ours, compare_recent);

  g_menu_remove_all (self->recent_menu);
  for (guint i = 0; i < MIN (ours->len, MAX_RECENT); i++)
    {
      GtkRecentInfo *info = g_ptr_array_index (ours, i);
      g_autofree char *path = g_filename_from_uri (gtk_recent_info_get_uri (info), NULL, NULL);
      g_autofree char *label = _rs_ui_escape_mnemonics (gtk_recent_info_get_display_name (info));
      g_autoptr(GMenuItem) item = NULL;

      if (path == NULL)
        continue;
      item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target_value (item, "win.open-file", g_variant_new_bytestring (path));
      g_menu_append_item (self->recent_menu, item);
    }
  if (g_menu_model_get_n_items (G_MENU_MODEL (self->recent_menu)) == 0)
    g_menu_append (self->recent_menu, _("No Recent Files"), NULL);
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
}

void
_rs_window_add_recent (RsWindow   *self,
                       const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *uri = g_file_get_uri (file);
  g_autofree char *type = g_content_type_guess (path, NULL, 0, NULL);
  g_autofree char *mime_type = g_content_type_get_mime_type (type);
  GtkRecentData data = {
    .mime_type = mime_type != NULL ? mime_type : (char *) "application/octet-stream",
    .app_name = (char *) RECENT_APP,
    .app_exec = (char *) "refscope %f",
  };

  gtk_recent_manager_add_full (gtk_recent_manager_get_default (), uri, &data);
}

void
_rs_window_init_recent (RsWindow *self)
{
  GMenuModel *files = g_menu_model_get_item_link (G_MENU_MODEL (self->primary_menu), 0, G_MENU_LINK_SECTION);

  self->recent_menu = g_menu_new ();
  g_menu_insert_submenu (G_MENU (files), 1, _("Open _Recent"), G_MENU_MODEL (self->recent_menu));
  g_object_unref (files);
  g_signal_connect_object (gtk_recent_manager_get_default (), "changed",
                           G_CALLBACK (update_recent_menu), self, G_CONNECT_SWAPPED);
  update_recent_menu (self);
}

GMenuModel *
rs_window_get_recent_menu (RsWindow *self)
{
  g_return_val_if_fail (RS_IS_WINDOW (self), NULL);
  return G_MENU_MODEL (self->recent_menu);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);
  GtkFileChooserNative *chooser;

  _rs_window_forget_chooser (self);
  chooser = gtk_file_chooser_native_new (_("Open a Media File, a Lesson or a Recording"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  {
    g_autoptr(GtkFileFilter) media = gtk_file_filter_new ();

    gtk_file_filter_set_name (media, _("Video and audio"));
    gtk_file_filter_add_mime_type (media, "video/*");
    gtk_file_filter_add_mime_type (media, "audio/*");
    gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), media);
  }
  /* A .c file opens as a lesson (rs_player_is_lesson). */
  add_filter (GTK_FILE_CHOOSER (chooser), _("Lessons (C snippets)"), "*.c", NULL);
  /* `refscope record` writes .rstrace files; any recording opens, whatever its name. */
  add_filter (GTK_FILE_CHOOSER (chooser), _("Recordings (refscope record)"), "*.rstrace", NULL);
  add_filter (GTK_FILE_CHOOSER (chooser), _("All files"), "*", NULL);
  _rs_window_show_chooser (self, chooser, G_CALLBACK (on_open_response));
}

char *
_rs_window_take_chosen_path (RsWindow        *self,
                             GtkNativeDialog *dialog,
                             int              response)
{
  g_autoptr(GFile) file = NULL;
  char *path;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  _rs_window_forget_chooser (self);
  if (file == NULL)
    return NULL;
  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_autofree char *message = g_strdup_printf (_("%s: refused: not a local file; Refscope opens and saves local files only"),
                                                  uri);

      rs_window_show_message (self, message);
    }
  return path;
}

/* ---- enabling ---- */

void
_rs_window_update_actions (RsWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean busy = rs_player_get_busy (self->player);
  gboolean open = rs_player_get_path (self->player) != NULL;
  gboolean at_end = rs_player_is_at_end (self->player);
  gboolean can_step = open && !busy && !at_end;

  gtk_widget_action_set_enabled (widget, "win.step", can_step);
  gtk_widget_action_set_enabled (widget, "win.next-packet", can_step);
  gtk_widget_action_set_enabled (widget, "win.next-frame", can_step);
  gtk_widget_action_set_enabled (widget, "win.run-to-end", can_step);
  gtk_widget_action_set_enabled (widget, "win.back", open && !busy && rs_player_get_position (self->player) > 0);
  gtk_widget_action_set_enabled (widget, "win.first", open && !busy && rs_player_get_position (self->player) > 0);
  gtk_widget_action_set_enabled (widget, "win.last", open && !busy &&
                                 (rs_player_get_position (self->player) + 1 < (int) rs_player_get_length (self->player) ||
                                  is_recording_to_read (self)));
  gtk_widget_action_set_enabled (widget, "win.play", open && !busy);
  gtk_widget_action_set_enabled (widget, "win.restart", open && !busy);
  gtk_widget_action_set_enabled (widget, "win.open", !busy);
  gtk_widget_action_set_enabled (widget, "win.export", open && !busy);
  gtk_widget_action_set_enabled (widget, "win.apply-pipeline", !busy);
  gtk_widget_action_set_enabled (widget, "win.export-session", open && !busy && self->export_task == NULL);
  gtk_widget_action_set_enabled (widget, "win.save-session", open && !busy);
  gtk_widget_action_set_enabled (widget, "win.cancel-run", busy || self->export_task != NULL);
  gtk_widget_action_set_enabled (widget, "win.find", open && !busy);
  gtk_widget_action_set_enabled (widget, "win.find-text", open && !busy);
  gtk_widget_action_set_enabled (widget, "win.go-to-step", open && !busy);
  gtk_widget_action_set_enabled (widget, "win.relayout", open && !busy);
}

/* Space steps whatever has the focus (a button or a toggle reached with
 * Tab included: Enter activates those), except where Space is typed or
 * picks something: a text field, a menu or popover. */
static gboolean
on_space (GtkWidget *widget,
          GVariant  *args,
          gpointer   user_data)
{
  RsWindow *self = RS_WINDOW (widget);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  const char *action = user_data;

  if (focus != NULL &&
      (GTK_IS_EDITABLE (focus) || GTK_IS_TEXT (focus) ||
       (GTK_IS_TEXT_VIEW (focus) && gtk_text_view_get_editable (GTK_TEXT_VIEW (focus))) ||
       gtk_widget_get_ancestor (focus, GTK_TYPE_POPOVER) != NULL))
    return FALSE;
  return gtk_widget_activate_action (widget, action, NULL);
}

void
_rs_window_add_space_shortcuts (RsWindow *self)
{
  /* GtkWindow binds Space to activating the focus widget, and a class's
   * bindings come after its parent's: a controller that captures Space
   * goes first. */
  GtkEventController *controller = gtk_shortcut_controller_new ();

  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_space, 0),
                                                          gtk_callback_action_new (on_space, (gpointer) "win.step", NULL)));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_space, GDK_SHIFT_MASK),
                                                          gtk_callback_action_new (on_space, (gpointer) "win.back", NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

void
_rs_window_class_init_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.step", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "win.next-packet", NULL, next_packet_action);
  gtk_widget_class_install_action (widget_class, "win.next-frame", NULL, next_frame_action);
  gtk_widget_class_install_property_action (widget_class, "win.play", "playing");
  gtk_widget_class_install_property_action (widget_class, "win.speed", "speed");
  gtk_widget_class_install_property_action (widget_class, "win.legend", "legend");
  gtk_widget_class_install_action (widget_class, "win.first", NULL, first_action);
  gtk_widget_class_install_action (widget_class, "win.last", NULL, last_action);
  gtk_widget_class_install_action (widget_class, "win.run-to-end", NULL, run_to_end_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-run", NULL, cancel_run_action);
  gtk_widget_class_install_action (widget_class, "win.restart", NULL, restart_action);
  gtk_widget_class_install_action (widget_class, "win.apply-pipeline", NULL, apply_pipeline_action);
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-file", "ay", open_file_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, zoom_in_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, zoom_out_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-fit", NULL, zoom_fit_action);
  gtk_widget_class_install_action (widget_class, "win.relayout", NULL, relayout_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-inspector", NULL, toggle_inspector_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-legend", NULL, toggle_legend_action);
  gtk_widget_class_install_action (widget_class, "win.pipeline", NULL, pipeline_action);
  gtk_widget_class_install_action (widget_class, "win.slower", NULL, change_speed_action);
  gtk_widget_class_install_action (widget_class, "win.faster", NULL, change_speed_action);
  gtk_widget_class_install_action (widget_class, "win.timeline-zoom-in", NULL, timeline_zoom_action);
  gtk_widget_class_install_action (widget_class, "win.timeline-zoom-out", NULL, timeline_zoom_action);
  gtk_widget_class_install_action (widget_class, "win.timeline-zoom-all", NULL, timeline_zoom_action);
  gtk_widget_class_install_action (widget_class, "win.lessons", NULL, lessons_action);

  /* Space and Shift+Space: see _rs_window_add_space_shortcuts(). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_ALT_MASK, "win.step", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_BackSpace, 0, "win.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Home, 0, "win.first", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_End, 0, "win.last", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, 0, "win.toggle-legend", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_SHIFT_MASK, "win.legend", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, 0, "win.next-packet", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, 0, "win.next-frame", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, 0, "win.play", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_End, GDK_CONTROL_MASK, "win.run-to-end", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel-run", NULL);
  /* Escape takes the first of these enabled: a banner, a run, the summary. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.hide-summary", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.restart", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "win.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "win.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK, "win.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "win.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "win.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "win.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_0, GDK_CONTROL_MASK, "win.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, 0, "win.relayout", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.toggle-inspector", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_comma, GDK_CONTROL_MASK, "win.pipeline", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_bracketleft, 0, "win.slower", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_bracketright, 0, "win.faster", NULL);
  /* The timeline's zoom: + and − without Ctrl (with Ctrl: the graph's). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, 0, "win.timeline-zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, 0, "win.timeline-zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, 0, "win.timeline-zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, 0, "win.timeline-zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, 0, "win.timeline-zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, 0, "win.timeline-zoom-all", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "win.lessons", NULL);
}
