/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window's lessons: the Lessons menu (the bundled scenarios), opening a
 * `.c` file as a lesson (its compile errors shown, nothing run), and the
 * source pane beside the graph, kept on the step shown: a lesson's, or a
 * recorded program's.
 */
#define G_LOG_DOMAIN "rs-window"

#include "rs-record-session.h"
#include "rs-intern.h"
#include "rs-ui-private.h"
#include "rs-window-private.h"

#include <glib/gi18n.h>
#include <string.h>

/* ---- the Lessons menu ---- */

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}


static void
build_lessons_menu (RsWindow *self)
{
  g_autoptr(GMenu) lessons = g_menu_new ();
  g_autoptr(GMenu) files = g_menu_new ();
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  if (self->lesson_dir != NULL)
    {
      g_autoptr(GDir) dir = g_dir_open (self->lesson_dir, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        if (rs_player_is_lesson (name))
          g_ptr_array_add (paths, g_build_filename (self->lesson_dir, name, NULL));
      g_ptr_array_sort (paths, compare_paths);
    }
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autofree char *title = rs_lesson_read_title (path);
      g_autofree char *label = NULL;
      g_autoptr(GMenuItem) item = NULL;

      if (title == NULL)
        continue;
      label = _rs_ui_escape_mnemonics (title);
      item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target_value (item, "win.open-file", g_variant_new_bytestring (path));
      g_menu_append_item (lessons, item);
    }

  g_menu_remove_all (self->lessons_menu);
  if (g_menu_model_get_n_items (G_MENU_MODEL (lessons)) > 0)
    g_menu_append_section (self->lessons_menu, _("Bundled Lessons"), G_MENU_MODEL (lessons));
  g_menu_append (files, _("Open a Lesson _File…"), "win.open");
  g_menu_append_section (self->lessons_menu, NULL, G_MENU_MODEL (files));
}

/* ---- the source pane ---- */

static void
toggle_lesson_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);

  if (self->lesson_mode)
    gtk_widget_set_visible (GTK_WIDGET (self->lesson_view),
                            !gtk_widget_get_visible (GTK_WIDGET (self->lesson_view)));
}

/* A program's source is shown beside the graph (`source`: a lesson or a
 * recording), where pipeline settings mean nothing: hidden; the next packet
 * and the next frame mean nothing in a lesson (`lesson`): hidden there. */
static void
set_lesson_mode (RsWindow *self,
                 gboolean  source,
                 gboolean  lesson)
{
  gboolean record = source && !lesson;

  gtk_widget_set_visible (self->packet_button, !lesson);
  gtk_widget_set_visible (self->frame_button, !lesson);
  if (record && !self->record_mode)
    {
      int width = gtk_widget_get_width (GTK_WIDGET (self)), height;

      /* A lesson's lines are short; a program's are up to 80 columns or so:
       * more room for them, as much as the graph can spare. */
      if (width <= 0)
        gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
      gtk_paned_set_position (self->lesson_paned,
                              MAX (gtk_paned_get_position (self->lesson_paned), MIN (width * 2 / 5, 720)));
    }
  self->record_mode = record;
  if (self->lesson_mode == source)
    return;
  self->lesson_mode = source;
  /* The code takes the inspector's room until something is selected. */
  if (source)
    {
      gtk_popover_popdown (GTK_POPOVER (self->pipeline_popover));
      if (rs_graph_view_get_selection (self->graph_view)->kind == RS_SELECTION_NONE)
        _rs_window_reveal_inspector (self, FALSE);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->lesson_button), source);
  gtk_widget_set_visible (GTK_WIDGET (self->lesson_view), source);
  gtk_widget_set_visible (GTK_WIDGET (self->pipeline_button), !source);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.pipeline", !source);
}

/* ---- the folder of a recording's sources, saved ---- */

/* Recordings whose source folder is saved: the ones picked last. */
#define MAX_SOURCE_FOLDERS 16

/* The key a recording's folder is saved under: its absolute path. Owned by
 * the caller. */
static char *
recording_key (RsSession *session)
{
  return g_canonicalize_filename (rs_record_session_get_path (RS_RECORD_SESSION (session)), NULL);
}

/* The folder picked for the recording shown is saved, newest first, for
 * when it opens again. */
static void
on_source_dir_changed (RsWindow *self)
{
  RsSession *session = rs_lesson_view_get_session (self->lesson_view);
  const char *dir = rs_lesson_view_get_source_dir (self->lesson_view);
  g_autofree char *recording = NULL;
  g_autoptr(GVariant) saved = NULL;
  GVariantBuilder folders;
  GVariantIter iter;
  const char *key, *value;
  guint n = 1;

  if (self->settings == NULL || !RS_IS_RECORD_SESSION (session) || dir == NULL)
    return;
  recording = recording_key (session);
  saved = g_settings_get_value (self->settings, "source-folders");
  g_variant_builder_init (&folders, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&folders, "{ss}", recording, dir);
  g_variant_iter_init (&iter, saved);
  while (n < MAX_SOURCE_FOLDERS && g_variant_iter_next (&iter, "{&s&s}", &key, &value))
    if (!g_str_equal (key, recording))
      {
        g_variant_builder_add (&folders, "{ss}", key, value);
        n++;
      }
  g_settings_set_value (self->settings, "source-folders", g_variant_builder_end (&folders));
}

/* A recording opened again finds its sources in the folder picked for it. */
static void
restore_source_dir (RsWindow  *self,
                    RsSession *session)
{
  g_autofree char *recording = NULL;
  g_autoptr(GVariant) saved = NULL;
  const char *dir;

  if (self->settings == NULL)
    return;
  recording = recording_key (session);
  saved = g_settings_get_value (self->settings, "source-folders");
  if (g_variant_lookup (saved, recording, "&s", &dir))
    rs_lesson_view_set_source_dir (self->lesson_view, dir);
}

void
_rs_window_update_lesson (RsWindow   *self,
                          RsSnapshot *snapshot)
{
  RsCursor *cursor = rs_player_get_cursor (self->player);
  RsSession *session = cursor != NULL ? rs_cursor_get_session (cursor) : NULL;

  /* Errors are shown until something else opens. */
  if (session != NULL)
    g_clear_pointer (&self->lesson_errors, rs_scenario_program_free);

  if (RS_IS_SCENARIO_SESSION (session) || RS_IS_RECORD_SESSION (session))
    {
      gboolean opened = rs_lesson_view_get_session (self->lesson_view) != session;

      rs_lesson_view_set_session (self->lesson_view, session);
      if (opened && RS_IS_RECORD_SESSION (session))
        restore_source_dir (self, session);
      rs_lesson_view_show_step (self->lesson_view, rs_player_get_position (self->player), snapshot,
                                rs_player_is_at_end (self->player));
    }
  else if (self->lesson_errors == NULL)
    rs_lesson_view_set_session (self->lesson_view, NULL);
  else
    gtk_stack_set_visible_child_name (self->content_stack, "lesson-errors");
  set_lesson_mode (self, RS_IS_SCENARIO_SESSION (session) || RS_IS_RECORD_SESSION (session) ||
                         self->lesson_errors != NULL,
                   RS_IS_SCENARIO_SESSION (session) || self->lesson_errors != NULL);
}

void
_rs_window_show_lesson_errors (RsWindow          *self,
                               const char        *path,
                               RsScenarioProgram *program)
{
  g_autofree char *name = NULL;
  g_autofree char *message = NULL;
  guint n = rs_scenario_program_get_n_diagnostics (program);

  /* Nothing runs: whatever ran before is closed, the errors shown. */
  rs_player_close (self->player);
  g_clear_pointer (&self->lesson_errors, rs_scenario_program_free);
  self->lesson_errors = program;
  rs_lesson_view_show_errors (self->lesson_view, self->lesson_errors);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->lesson_errors_button),
                                          g_variant_new_bytestring (path));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->lesson_errors_button), "win.open-file");
  name = g_filename_display_basename (path);
  adw_window_title_set_title (self->window_title, name);
  gtk_window_set_title (GTK_WINDOW (self), name);
  _rs_window_update_lesson (self, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->lesson_view), TRUE);

  message = g_strdup_printf (g_dngettext (NULL, "%s does not compile: %u error; nothing runs",
                                          "%s does not compile: %u errors; nothing runs", n), name, n);
  rs_window_show_message (self, message);
}

static void
on_lesson_select_buffer (RsWindow *self,
                         guint64   buffer_id)
{
  RsSelection selection = { RS_SELECTION_BUFFER, buffer_id, NULL };

  rs_graph_view_set_selection (self->graph_view, &selection);
}

static void
on_lesson_select_handle (RsWindow   *self,
                         const char *handle_id)
{
  RsSelection selection = { RS_SELECTION_HANDLE, 0, rs_intern (handle_id) };

  rs_graph_view_set_selection (self->graph_view, &selection);
}

static void
on_lesson_seek (RsWindow *self,
                guint     step)
{
  rs_player_set_playing (self->player, FALSE);
  rs_player_seek (self->player, step);
}

static int
get_step_line (RsScenarioSession *session,
               guint              step)
{
  int line = 0;

  rs_scenario_session_get_step_location (session, step, &line, NULL);
  return line;
}

/* Whether a step can stand on `line`: a statement (not a function's start)
 * begins there. */
static gboolean
is_statement_line (RsScenarioSession *session,
                   int                line)
{
  RsScenarioProgram *program = rs_scenario_session_get_program (session);

  for (guint i = 0; i < rs_scenario_program_get_n_statements (program); i++)
    {
      const RsScenarioStatement *statement = rs_scenario_program_get_statement (program, i);

      if (statement->line == line && statement->kind != RS_SCENARIO_BEGIN && !statement->joined)
        return TRUE;
    }
  return FALSE;
}

/* A recording: the next step read whose call is at `line` of the file shown
 * (else the first); none read yet, nothing (a program's line may never run). */
static void
activate_recorded_line (RsWindow *self,
                        int       line)
{
  const char *file = rs_lesson_view_get_file (self->lesson_view);
  RsHistory *history = rs_player_get_history (self->player);
  int position = rs_player_get_position (self->player);
  guint length = rs_player_get_length (self->player);

  if (file == NULL || rs_player_get_busy (self->player) || position < 0)
    return;
  for (guint i = 1; i < length; i++)
    {
      guint step = ((guint) position + i) % length;
      const RsSite *site = rs_snapshot_get_site (rs_history_get_snapshot (history, step));

      if (site->line == line && g_strcmp0 (site->file, file) == 0)
        {
          rs_player_set_playing (self->player, FALSE);
          rs_player_seek (self->player, step);
          return;
        }
    }
}

/* A click on a line: its step, the next one recorded after the step shown
 * (else the first), or, not run yet, stepping until it runs. */
static void
on_lesson_activate_line (RsWindow *self,
                         int       line)
{
  RsSession *shown = rs_lesson_view_get_session (self->lesson_view);
  RsScenarioSession *session = RS_IS_SCENARIO_SESSION (shown) ? RS_SCENARIO_SESSION (shown) : NULL;
  int position = rs_player_get_position (self->player);
  guint length = rs_player_get_length (self->player);
  g_autoptr(GError) error = NULL;

  if (RS_IS_RECORD_SESSION (shown))
    {
      activate_recorded_line (self, line);
      return;
    }
  if (session == NULL || rs_player_get_busy (self->player) || position < 0 ||
      get_step_line (session, (guint) position) == line || !is_statement_line (session, line))
    return;
  rs_player_set_playing (self->player, FALSE);
  for (guint i = 1; i <= length; i++)
    {
      guint step = ((guint) position + i) % length;

      if (get_step_line (session, step) == line)
        {
          rs_player_seek (self->player, step);
          return;
        }
    }
  rs_player_seek (self->player, G_MAXUINT);
  while (rs_player_forward (self->player, RS_STEP_CALL, &error))
    if (get_step_line (session, (guint) rs_player_get_position (self->player)) == line)
      return;
  if (error != NULL)
    _rs_window_show_error (self, error);
}

/* ---- a recorded program's threads ---- */

static int
get_step_thread (RsHistory *history,
                 guint      step)
{
  return rs_snapshot_get_thread (rs_history_get_snapshot (history, step));
}

static void
show_no_call (RsWindow *self,
              int       thread,
              gboolean  forward)
{
  g_autofree char *message = forward ? g_strdup_printf (_("Thread %d makes no further call"), thread)
                                     : g_strdup_printf (_("Thread %d made no call before this one"), thread);

  rs_window_show_message (self, message);
}

/* The next (or previous) call of the thread of the step shown: among the
 * steps read, else reading on until that thread calls again or the
 * recording ends (then the end is shown, and said so). */
static void
thread_call_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);
  gboolean forward = g_str_equal (action_name, "win.next-thread-call");
  RsSnapshot *snapshot = rs_player_get_snapshot (self->player);
  int thread = snapshot != NULL ? rs_snapshot_get_thread (snapshot) : 0;
  int position = rs_player_get_position (self->player);
  g_autoptr(GError) error = NULL;
  RsHistory *history;

  if (thread <= 0 || position < 0 || rs_player_get_busy (self->player))
    return;
  history = rs_player_get_history (self->player);
  rs_player_set_playing (self->player, FALSE);
  if (!forward)
    {
      for (int step = position - 1; step >= 0; step--)
        if (get_step_thread (history, (guint) step) == thread)
          {
            rs_player_seek (self->player, (guint) step);
            return;
          }
      show_no_call (self, thread, FALSE);
      return;
    }
  for (guint step = (guint) position + 1; step < rs_player_get_length (self->player); step++)
    if (get_step_thread (history, step) == thread)
      {
        rs_player_seek (self->player, step);
        return;
      }
  if (!rs_player_is_complete (self->player))
    {
      rs_player_seek (self->player, G_MAXUINT);
      while (rs_player_forward (self->player, RS_STEP_CALL, &error))
        if (rs_snapshot_get_thread (rs_player_get_snapshot (self->player)) == thread)
          return;
    }
  if (error != NULL)
    _rs_window_show_error (self, error);
  else
    show_no_call (self, thread, TRUE);
}

/* ---- public ---- */

void
rs_window_set_lesson_dir (RsWindow   *self,
                          const char *dir)
{
  g_return_if_fail (RS_IS_WINDOW (self));

  g_free (self->lesson_dir);
  self->lesson_dir = g_strdup (dir);
  build_lessons_menu (self);
}

RsLessonView *
rs_window_get_lesson_view (RsWindow *self)
{
  g_return_val_if_fail (RS_IS_WINDOW (self), NULL);
  return self->lesson_view;
}

GMenuModel *
rs_window_get_lessons_menu (RsWindow *self)
{
  g_return_val_if_fail (RS_IS_WINDOW (self), NULL);
  return G_MENU_MODEL (self->lessons_menu);
}

/* ---- set-up ---- */

void
_rs_window_class_init_lessons (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, RsWindow, lesson_paned);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, lesson_view);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, lesson_button);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, lessons_button);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, packet_button);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, frame_button);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, lesson_errors_page);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, lesson_errors_button);
  gtk_widget_class_install_action (widget_class, "win.toggle-lesson", NULL, toggle_lesson_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F8, 0, "win.toggle-lesson", NULL);
  gtk_widget_class_install_action (widget_class, "win.next-thread-call", NULL, thread_call_action);
  gtk_widget_class_install_action (widget_class, "win.previous-thread-call", NULL, thread_call_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, 0, "win.next-thread-call", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_T, GDK_SHIFT_MASK, "win.previous-thread-call", NULL);
}

void
_rs_window_init_lessons (RsWindow *self)
{
  self->lessons_menu = g_menu_new ();
  build_lessons_menu (self);
  gtk_menu_button_set_menu_model (self->lessons_button, G_MENU_MODEL (self->lessons_menu));
  g_signal_connect_object (self->lesson_view, "select-buffer", G_CALLBACK (on_lesson_select_buffer),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->lesson_view, "select-handle", G_CALLBACK (on_lesson_select_handle),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->lesson_view, "seek", G_CALLBACK (on_lesson_seek), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->lesson_view, "activate-line", G_CALLBACK (on_lesson_activate_line),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->lesson_view, "notify::source-dir", G_CALLBACK (on_source_dir_changed),
                           self, G_CONNECT_SWAPPED);
}

void
_rs_window_dispose_lessons (RsWindow *self)
{
  g_clear_object (&self->lessons_menu);
  g_clear_pointer (&self->lesson_errors, rs_scenario_program_free);
  g_clear_pointer (&self->lesson_dir, g_free);
}
