/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Export Snapshot…: the step shown, as PNG, SVG, PDF or DOT.
 *
 * Export session…: every step's graph into a folder, with progress and
 * Cancel. The whole session, not only the steps seen so far: an unfinished
 * session is first run to the end the way "Run to End" does it (the
 * player's worker), then every step is rendered on a worker thread that
 * holds its own references to the snapshots and its own RsRender, so the
 * window can go on stepping meanwhile.
 *
 * Save session…: every recorded step into one recording file
 * (rs_recording_save), which opens again as the same session.
 */
#define G_LOG_DOMAIN "rs-window"

#include "rs-ui-private.h"
#include "rs-window-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "rs-diff.h"
#include "rs-error.h"
#include "rs-export.h"
#include "rs-recording-writer.h"

typedef struct {
  GPtrArray *snapshots;   /* RsSnapshot, owned; empty while the session runs to the end */
  char      *directory;
  char      *format;
  int        done;        /* steps written (atomic) */
} Job;

static void
job_free (Job *job)
{
  g_ptr_array_unref (job->snapshots);
  g_free (job->directory);
  g_free (job->format);
  g_free (job);
}

static void
export_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(RsRender) render = rs_render_new ();
  const char *formats[] = { job->format, NULL };

  for (guint i = 0; i < job->snapshots->len; i++)
    {
      RsSnapshot *snapshot = g_ptr_array_index (job->snapshots, i);
      g_autoptr(RsDiff) diff = NULL;
      GError *error = NULL;

      if (g_task_return_error_if_cancelled (task))
        return;
      diff = rs_diff_new (i > 0 ? g_ptr_array_index (job->snapshots, i - 1) : NULL, snapshot);
      if (!rs_export_step (render, snapshot, diff, NULL, job->directory,
                           RS_STEP_NUMBER (rs_snapshot_get_step (snapshot)), formats, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      g_atomic_int_set (&job->done, (int) i + 1);
    }
  g_task_return_boolean (task, TRUE);
}

char *
_rs_window_get_export_progress (RsWindow *self)
{
  Job *job;

  if (self->export_task == NULL)
    return NULL;
  job = g_task_get_task_data (self->export_task);
  if (job->snapshots->len == 0)
    return g_strdup_printf (_("Exporting: running the session to the end… %u steps"),
                            rs_player_get_progress (self->player));
  return g_strdup_printf (_("Exporting… %d of %u steps"), g_atomic_int_get (&job->done), job->snapshots->len);
}

static gboolean
on_export_tick (gpointer data)
{
  _rs_window_update_progress (data);
  return G_SOURCE_CONTINUE;
}

static void
export_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  RsWindow *self = RS_WINDOW (object);
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  g_clear_handle_id (&self->export_tick_id, g_source_remove);
  g_clear_object (&self->export_cancellable);
  _rs_window_release_application (&self->export_application);
  g_clear_object (&self->export_task);
  /* The window may have been closed meanwhile. */
  if (self->player == NULL)
    return;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *name = g_filename_display_basename (job->directory);
      g_autofree char *message = g_strdup_printf (g_dngettext (NULL, "Exported %u step to %s", "Exported %u steps to %s",
                                                               job->snapshots->len),
                                                  job->snapshots->len, name);

      rs_window_show_message (self, message);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    _rs_window_show_error (self, error);
  _rs_window_update_progress (self);
  _rs_window_update_actions (self);
}

/* Every step is recorded: take them, and render them on a worker. */
static void
start_rendering (RsWindow *self,
                 GTask    *task)
{
  Job *job = g_task_get_task_data (task);
  RsHistory *history = rs_player_get_history (self->player);

  g_assert (rs_player_is_complete (self->player));
  for (guint i = 0; i < rs_player_get_length (self->player); i++)
    g_ptr_array_add (job->snapshots, rs_snapshot_ref (rs_history_get_snapshot (history, i)));
  g_task_run_in_thread (task, export_in_thread);
  _rs_window_update_progress (self);
}

static void
run_to_end_done (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RsWindow *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!rs_player_run_to_end_finish (RS_PLAYER (object), result, &error))
    {
      /* export_done says what failed (nothing, if cancelled). */
      g_task_return_error (task, error);
      return;
    }
  if (self->player == NULL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "the window closed");
  else if (!g_task_return_error_if_cancelled (task))
    {
      _rs_window_show_step (self);
      start_rendering (self, task);
    }
}

gboolean
rs_window_export_session (RsWindow   *self,
                          const char *directory,
                          const char *format)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_val_if_fail (RS_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (directory != NULL, FALSE);
  g_return_val_if_fail (rs_export_format_is_valid (format), FALSE);

  if (rs_player_get_history (self->player) == NULL || self->export_task != NULL ||
      rs_player_get_busy (self->player) || rs_player_get_length (self->player) == 0)
    return FALSE;

  job = g_new0 (Job, 1);
  job->snapshots = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_snapshot_unref);
  job->directory = g_strdup (directory);
  job->format = g_ascii_strdown (format, -1);

  self->export_application = _rs_window_hold_application (self);
  self->export_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->export_cancellable, export_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  self->export_task = g_object_ref (task);
  self->export_tick_id = g_timeout_add (100, on_export_tick, self);
  if (rs_player_is_complete (self->player))
    start_rendering (self, task);
  else
    rs_player_run_to_end_async (self->player, self->export_cancellable, run_to_end_done, g_object_ref (task));
  _rs_window_update_progress (self);
  _rs_window_update_actions (self);
  return TRUE;
}

static void
on_export_session_response (GtkNativeDialog *dialog,
                            int              response,
                            RsWindow        *self)
{
  g_autofree char *format = g_strdup (gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "format"));
  g_autofree char *path = _rs_window_take_chosen_path (self, dialog, response);

  if (path == NULL)
    return;
  rs_window_export_session (self, path, rs_export_format_is_valid (format) ? format : "svg");
}

static void
export_session_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);
  GtkFileChooserNative *chooser;
  const char *ids[] = { "svg", "png", "pdf", "dot", NULL };
  const char *labels[] = { "SVG", "PNG", "PDF", "DOT", NULL };

  _rs_window_forget_chooser (self);
  chooser = gtk_file_chooser_native_new (_("Export Every Step to a Folder"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Export"), _("_Cancel"));
  gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (chooser), "format", _("Format"), ids, labels);
  gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (chooser), "format", "svg");
  _rs_window_show_chooser (self, chooser, G_CALLBACK (on_export_session_response));
}

gboolean
rs_window_save_session (RsWindow    *self,
                        const char  *path,
                        GError     **error)
{
  RsHistory *history;
  g_autofree char *name = NULL;
  g_autofree char *message = NULL;

  g_return_val_if_fail (RS_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  history = rs_player_get_history (self->player);
  if (history == NULL || rs_player_get_length (self->player) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("%s: no session to save"), path);
      return FALSE;
    }
  /* The steps run so far: a session is saved as far as it got. */
  if (!rs_recording_save (history, rs_player_get_path (self->player), path, error))
    return FALSE;
  name = g_filename_display_basename (path);
  message = g_strdup_printf (g_dngettext (NULL, "Saved %u step to %s", "Saved %u steps to %s",
                                          rs_history_get_length (history)),
                             rs_history_get_length (history), name);
  rs_window_show_message (self, message);
  return TRUE;
}

static void
on_save_session_response (GtkNativeDialog *dialog,
                          int              response,
                          RsWindow        *self)
{
  g_autofree char *path = _rs_window_take_chosen_path (self, dialog, response);
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    return;
  if (!rs_window_save_session (self, path, &error))
    _rs_window_show_error (self, error);
}

static void
save_session_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) recordings = gtk_file_filter_new ();
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;

  _rs_window_forget_chooser (self);
  chooser = gtk_file_chooser_native_new (_("Save the Session as a Recording"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_filter_set_name (recordings, _("Recordings"));
  gtk_file_filter_add_pattern (recordings, "*.rstrace");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), recordings);
  /* "sample.mp4" saves as "sample.mp4.rstrace": the source stays in the name. */
  base = rs_player_get_path (self->player) != NULL ? g_path_get_basename (rs_player_get_path (self->player))
                                                   : g_strdup ("session");
  name = g_str_has_suffix (base, ".rstrace") ? g_strdup (base) : g_strconcat (base, ".rstrace", NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  _rs_window_show_chooser (self, chooser, G_CALLBACK (on_save_session_response));
}

gboolean
rs_window_export (RsWindow    *self,
                  const char  *path,
                  GError     **error)
{
  RsSnapshot *snapshot;
  g_autoptr(RsDiff) diff = NULL;
  g_autofree char *extension = NULL;
  const char *dot;

  g_return_val_if_fail (RS_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  snapshot = rs_graph_view_get_snapshot (self->graph_view);
  if (snapshot == NULL)
    {
      g_set_error (error, RS_ERROR, RS_ERROR_FAILED, _("%s: there is no step to export yet"), path);
      return FALSE;
    }
  dot = strrchr (path, '.');
  extension = dot != NULL && strchr (dot, G_DIR_SEPARATOR) == NULL ? g_ascii_strdown (dot + 1, -1) : NULL;
  if (extension == NULL || !rs_export_format_is_valid (extension))
    {
      g_set_error (error, RS_ERROR, RS_ERROR_FAILED,
                   _("%s: cannot tell the format: name the file .png, .svg, .pdf or .dot"), path);
      return FALSE;
    }
  /* The previous step of the history, not the one shown before: the marks
   * say what this step changed. */
  diff = rs_diff_new (rs_player_get_previous (self->player), snapshot);
  return rs_export_snapshot (snapshot, diff, path, extension, error);
}

static void
on_export_response (GtkNativeDialog *dialog,
                    int              response,
                    RsWindow        *self)
{
  g_autofree char *path = _rs_window_take_chosen_path (self, dialog, response);
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    return;
  if (!rs_window_export (self, path, &error))
    _rs_window_show_error (self, error);
  else
    {
      g_autofree char *name = g_filename_display_basename (path);
      g_autofree char *message = g_strdup_printf (_("Exported to %s"), name);

      rs_window_show_message (self, message);
    }
}

/* Choosing another format renames the file to match. */
static void
on_export_filter_changed (GtkFileChooser *chooser)
{
  GtkFileFilter *filter = gtk_file_chooser_get_filter (chooser);
  const char *extension = filter != NULL ? g_object_get_data (G_OBJECT (filter), "rs-extension") : NULL;
  g_autofree char *name = gtk_file_chooser_get_current_name (chooser);
  char *dot;

  if (extension == NULL || name == NULL)
    return;
  if ((dot = strrchr (name, '.')) != NULL && dot != name)
    *dot = '\0';
  {
    g_autofree char *renamed = g_strconcat (name, ".", extension, NULL);

    gtk_file_chooser_set_current_name (chooser, renamed);
  }
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);
  GtkFileChooserNative *chooser;
  g_autofree char *stem = NULL;
  g_autofree char *name = NULL;
  const char *title = rs_player_get_title (self->player);
  const char *dot;

  if (rs_player_get_position (self->player) < 0)
    return;
  _rs_window_forget_chooser (self);
  chooser = gtk_file_chooser_native_new (_("Export Snapshot"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  stem = g_strdup (title != NULL ? title : "refscope");
  if ((dot = strrchr (stem, '.')) != NULL && dot != stem)
    stem[dot - stem] = '\0';
  name = g_strdup_printf ("%s-step-%06u.png", stem, RS_STEP_NUMBER (rs_player_get_position (self->player)));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  {
    static const struct { const char *name; const char *extension; } formats[] = {
      { N_("PNG image"), "png" },
      { N_("SVG drawing"), "svg" },
      { N_("PDF document"), "pdf" },
      { N_("Graphviz DOT source"), "dot" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
      {
        g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
        g_autofree char *pattern = g_strconcat ("*.", formats[i].extension, NULL);

        gtk_file_filter_set_name (filter, _(formats[i].name));
        gtk_file_filter_add_pattern (filter, pattern);
        g_object_set_data (G_OBJECT (filter), "rs-extension", (gpointer) formats[i].extension);
        gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
      }
  }
  g_signal_connect (chooser, "notify::filter", G_CALLBACK (on_export_filter_changed), NULL);
  _rs_window_show_chooser (self, chooser, G_CALLBACK (on_export_response));
}

void
_rs_window_cancel_export (RsWindow *self)
{
  if (self->export_cancellable != NULL)
    g_cancellable_cancel (self->export_cancellable);
  g_clear_handle_id (&self->export_tick_id, g_source_remove);
}

void
_rs_window_class_init_export (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.export-session", NULL, export_session_action);
  gtk_widget_class_install_action (widget_class, "win.save-session", NULL, save_session_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "win.save-session", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.export-session", NULL);
}
