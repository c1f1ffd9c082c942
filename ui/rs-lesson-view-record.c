/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The source pane of a recording (DESIGN.md section 12): the recorded
 * program's files, read from disk where its debug info says they are (each
 * once a session), the one of the step's call site shown; a header with the
 * program, the function and the thread; at the end, the leaks at their
 * lines, or why the recording stops early.
 */
#define G_LOG_DOMAIN "rs-lesson-view"

#include "rs-lesson-view-private.h"

#include "rs-findings.h"
#include "rs-record-session.h"
#include "rs-ui-private.h"

#include <glib/gi18n.h>

/* A file of the program, as read. */
typedef struct {
  char *text;    /* NULL when it cannot be read */
  char *reason;  /* why not, in words; NULL when read */
  char *found;   /* where it was read: the debug info's path, or a copy elsewhere */
} RsSourceFile;

static void
source_file_free (gpointer data)
{
  RsSourceFile *file = data;

  g_free (file->text);
  g_free (file->reason);
  g_free (file->found);
  g_free (file);
}

void
_rs_lesson_view_init_record (RsLessonView *self)
{
  self->sources = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, source_file_free);
}

void
_rs_lesson_view_clear_record (RsLessonView *self)
{
  if (self->sources != NULL)
    g_hash_table_remove_all (self->sources);
  g_clear_pointer (&self->record_leaks, g_array_unref);
}

void
_rs_lesson_view_dispose_record (RsLessonView *self)
{
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  g_clear_pointer (&self->sources, g_hash_table_unref);
  g_clear_pointer (&self->source_dir, g_free);
  g_clear_pointer (&self->record_leaks, g_array_unref);
}

/* `path`'s file under `dir`, by its last components, the most first
 * (dir/src/player.c before dir/player.c): a checkout elsewhere, or a copy
 * of the file alone. Owned by the caller; NULL when none is there. */
static char *
find_under (const char *dir,
            const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, G_DIR_SEPARATOR_S, -1);
  guint n = g_strv_length (parts);

  for (guint i = 0; dir != NULL && i < n; i++)
    {
      g_autofree char *tail = NULL;
      g_autofree char *candidate = NULL;

      if (parts[i][0] == '\0')
        continue;
      tail = g_strjoinv (G_DIR_SEPARATOR_S, parts + i);
      candidate = g_build_filename (dir, tail, NULL);
      if (g_file_test (candidate, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&candidate);
    }
  return NULL;
}

/* The file the debug info names `path`, read once: there, else beside the
 * recording, else in the folder the user picked. Owned by the view. */
static const RsSourceFile *
read_source (RsLessonView *self,
             const char   *path)
{
  RsSourceFile *file = g_hash_table_lookup (self->sources, path);
  const char *recording = rs_record_session_get_path (RS_RECORD_SESSION (self->session));
  g_autofree char *beside = g_path_get_dirname (recording);
  g_autoptr(GError) error = NULL;

  if (file != NULL)
    return file;
  file = g_new0 (RsSourceFile, 1);
  file->found = g_file_test (path, G_FILE_TEST_IS_REGULAR) ? g_strdup (path) : NULL;
  if (file->found == NULL)
    file->found = find_under (beside, path);
  if (file->found == NULL)
    file->found = find_under (self->source_dir, path);
  if (file->found == NULL)
    /* Usually a program built elsewhere: say so plainly. */
    file->reason = g_strdup (g_file_test (path, G_FILE_TEST_EXISTS) ? _("not a regular file") : _("no such file"));
  else if (!g_file_get_contents (file->found, &file->text, NULL, &error))
    file->reason = g_strdup (error->message);
  g_hash_table_insert (self->sources, g_strdup (path), file);
  return file;
}

/* The site whose file step `step` shows: its own when it is known; when it
 * is not (the program's exit is no call of its own), the last one before it
 * that names a file, so the end shows where the program was. */
static const RsSite *
get_shown_site (RsLessonView *self,
                int           step,
                RsSnapshot   *snapshot)
{
  RsHistory *history = rs_session_get_history (self->session);

  if (snapshot != NULL && rs_site_is_known (rs_snapshot_get_site (snapshot)))
    return rs_snapshot_get_site (snapshot);
  for (int i = MIN (step, (int) rs_history_get_length (history)) - 1; i >= 0; i--)
    {
      const RsSite *site = rs_snapshot_get_site (rs_history_get_snapshot (history, (guint) i));

      if (site->file != NULL)
        return site;
    }
  return NULL;
}

/* "Source of FUNCTION not available: FILE (why)", and where the call is. */
static void
show_missing (RsLessonView       *self,
              const RsSite       *site,
              const RsSourceFile *file)
{
  g_autofree char *what = NULL;
  g_autofree char *where = NULL;
  g_autofree char *text = NULL;
  g_autofree char *markup = NULL;
  const char *function = site != NULL && site->function != NULL ? site->function : _("this call");

  if (site == NULL)
    what = g_strdup (_("No call of the program so far names a source file"));
  else if (site->file == NULL)
    {
      /* No line info there: the function's symbol, and module+offset. */
      what = g_strdup_printf (_("Source of %s not available: the program has no debug information there "
                                "(built with -g, it would show its lines here)"), function);
      where = rs_findings_format_site (site, NULL);
    }
  else
    {
      g_autofree char *dir = self->source_dir != NULL ? g_filename_display_name (self->source_dir) : NULL;

      what = dir != NULL
        ? g_strdup_printf (_("Source of %s not available: %s (%s; not beside the recording nor in %s either)"),
                           function, site->file, file->reason, dir)
        : g_strdup_printf (_("Source of %s not available: %s (%s; not beside the recording either)"),
                           function, site->file, file->reason);
      where = rs_findings_format_site (site, NULL);
    }
  /* Where the sources are, once: a folder the program's files are in. */
  gtk_widget_set_visible (self->choose_source_button, site != NULL && site->file != NULL);
  text = where != NULL ? g_strdup_printf (_("%s\n\nThe call is at %s."), what, where) : g_strdup (what);
  markup = g_markup_escape_text (text, -1);
  adw_status_page_set_description (self->missing_page, markup);
  _rs_lesson_view_set_text (self, NULL, "");
  gtk_stack_set_visible_child (self->source_stack, GTK_WIDGET (self->missing_page));
}

/* The program, and where its call is: "main · thread 1 · player.c". */
static void
show_header (RsLessonView *self,
             RsSnapshot   *snapshot,
             const RsSite *own_site,
             const char   *found)
{
  const char *program = rs_record_session_get_program (RS_RECORD_SESSION (self->session));
  g_autofree char *name = program != NULL ? g_filename_display_basename (program) : g_strdup (_("Recording"));
  g_autoptr(GString) where = g_string_new (NULL);
  int thread = snapshot != NULL ? rs_snapshot_get_thread (snapshot) : 0;
  /* With one thread, no thread is worth naming. Known from the opening of
   * the recording: converting every step for it kept a long recording's
   * window black for seconds. */
  int max_thread = rs_record_session_get_max_thread (RS_RECORD_SESSION (self->session));

  gtk_widget_set_visible (self->thread_box, max_thread > 1);

  if (own_site != NULL && own_site->function != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (own_site->function, -1);

      g_string_append (where, escaped);
    }
  if (thread > 0 && max_thread > 1)
    {
      g_autofree char *text = g_strdup_printf (_("thread %d"), thread);

      /* In its lane's colour, bold: the thread the arrows follow. */
      if (where->len > 0)
        g_string_append (where, " · ");
      g_string_append_printf (where, "<span foreground=\"%s\" weight=\"bold\">%s</span>",
                              _rs_ui_get_thread_color (thread), text);
    }
  if (self->filename != NULL)
    {
      g_autofree char *base = g_filename_display_basename (self->filename);
      g_autofree char *escaped = g_markup_escape_text (base, -1);

      if (where->len > 0)
        g_string_append (where, " · ");
      g_string_append (where, escaped);
    }
  gtk_label_set_text (self->title_label, name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), program);
  gtk_label_set_markup (self->file_label, where->str);
  gtk_widget_set_visible (GTK_WIDGET (self->file_label), where->len > 0);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->file_label), found != NULL ? found : self->filename);
}

int
_rs_lesson_view_show_record_source (RsLessonView *self,
                                    int           step,
                                    RsSnapshot   *snapshot)
{
  const RsSite *site = get_shown_site (self, step, snapshot);
  const RsSourceFile *file = site != NULL && site->file != NULL ? read_source (self, site->file) : NULL;
  gboolean own = snapshot != NULL && site == rs_snapshot_get_site (snapshot);

  g_assert (RS_IS_RECORD_SESSION (self->session));

  if (file == NULL || file->text == NULL)
    show_missing (self, site, file);
  else if (g_strcmp0 (self->filename, site->file) != 0 || !rs_lesson_view_get_source_available (self))
    _rs_lesson_view_set_text (self, site->file, file->text);
  show_header (self, snapshot, own ? site : NULL, file != NULL ? file->found : NULL);
  return own && _rs_lesson_view_site_is_here (self, site) ? site->line : 0;
}

/* A click on a leak goes to the step that orphaned it (else the one that
 * created it) and selects it there. */
static void
set_jump (RsLessonView    *self,
          RsLessonMessage *message,
          const RsLeak    *leak)
{
  RsHistory *history = rs_session_get_history (self->session);
  guint step = leak->orphaned ? leak->lost_step : leak->born;
  RsSnapshot *there = step < rs_history_get_length (history) ? rs_history_get_snapshot (history, step) : NULL;

  message->jump = there != NULL;
  message->step = there != NULL ? (int) MIN (step, G_MAXINT) : -1;
  if (leak->kind == RS_LEAK_HANDLE)
    message->handle = there != NULL && rs_snapshot_find_handle (there, leak->handle) != NULL ? leak->handle : NULL;
  else
    message->buffer = there != NULL && rs_snapshot_find_buffer (there, leak->buffer) != NULL ? leak->buffer : 0;
}

/* A leaked packet or frame, with the buffers that leak because it holds
 * them (told here rather than one row each). */
static void
add_handle_leak (RsLessonView *self,
                 const RsLeak *leak,
                 GArray       *leaks)
{
  g_autofree char *title = rs_findings_describe_leak_for_window (leak, self->filename);
  g_autofree char *details = NULL;
  const RsSite *place = leak->orphaned ? &leak->lost_site : &leak->born_site;
  gboolean here = _rs_lesson_view_site_is_here (self, place);
  RsLessonMessage *message;
  guint64 size = 0;
  guint held = 0;

  for (guint i = 0; i < leaks->len; i++)
    {
      const RsLeak *other = &g_array_index (leaks, RsLeak, i);

      if (other->kind == RS_LEAK_BUFFER && leak->handle != NULL && g_strcmp0 (other->handle, leak->handle) == 0)
        {
          held++;
          size += other->size;
        }
    }
  if (held > 0)
    {
      g_autofree char *bytes = g_format_size (size);

      details = g_strdup_printf (g_dngettext (NULL, "It holds %u buffer that leaks with it (%s)",
                                              "It holds %u buffers that leak with it (%s)", held), held, bytes);
    }
  title[0] = g_ascii_toupper (title[0]);
  message = _rs_lesson_view_add_message (self, RS_LESSON_MESSAGE_LEAK, title, details,
                                         here ? place->line : 0, here ? place->column : 0);
  set_jump (self, message, leak);
  if (here)
    _rs_lesson_view_mark_leak (self, place->line, place->column);
}

void
_rs_lesson_view_add_record_end (RsLessonView *self,
                                RsSnapshot   *last)
{
  const char *reason = rs_record_session_get_end_reason (RS_RECORD_SESSION (self->session));
  GArray *leaks;
  guint listed = 0;

  self->end_from = (int) self->messages->len;

  if (reason != NULL)
    {
      /* What is alive at the last step read may yet have been freed. */
      g_autofree char *details = g_strdup_printf (_("%s. Leaks are known only for a program that ran to its end."),
                                                  reason);

      details[0] = g_ascii_toupper (details[0]);
      _rs_lesson_view_add_message (self, RS_LESSON_MESSAGE_CUT_SHORT, _("The recording stops early"),
                                   details, 0, 0);
      return;
    }

  /* The recorder writes the program's exit status as its last step's ret:
   * a program that failed says so before its leaks. */
  if (g_strcmp0 (rs_snapshot_get_call (last), "exit") == 0 && rs_snapshot_get_ret (last) != 0)
    {
      g_autofree char *title = g_strdup_printf (_("The program exited with status %d"), rs_snapshot_get_ret (last));

      _rs_lesson_view_add_message (self, RS_LESSON_MESSAGE_EXIT_STATUS, title,
                                   _("It ended with an error; what it did until then is recorded"), 0, 0);
    }

  /* Asked once: the history no longer changes. */
  if (self->record_leaks == NULL)
    self->record_leaks = rs_history_query_leaks (rs_session_get_history (self->session));
  leaks = self->record_leaks;
  for (guint i = 0; i < leaks->len; i++)
    {
      const RsLeak *leak = &g_array_index (leaks, RsLeak, i);

      if (leak->kind == RS_LEAK_HANDLE)
        add_handle_leak (self, leak, leaks);
      else if (leak->handle == NULL)
        {
          const RsSite *place = leak->orphaned ? &leak->lost_site : &leak->born_site;
          RsLessonMessage *message = _rs_lesson_view_add_leak_message (self, leak, last, place);

          set_jump (self, message, leak);
          if (message->line > 0)
            _rs_lesson_view_mark_leak (self, message->line, place->column);
        }
      else
        /* Held by a leaked handle: told in its row. */
        continue;
      listed++;
    }
  if (listed == 0)
    _rs_lesson_view_add_message (self, RS_LESSON_MESSAGE_NO_LEAK, _("Nothing leaked"),
                                 _("Every buffer, packet and frame was freed"), 0, 0);
}

/* ---- the folder of the sources ---- */

static void
on_chooser_response (GtkNativeDialog *dialog,
                     int              response,
                     RsLessonView    *self)
{
  g_autoptr(GFile) folder = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  gtk_native_dialog_destroy (dialog);
  g_clear_object (&self->chooser);
  path = folder != NULL ? g_file_get_path (folder) : NULL;
  if (path != NULL)
    rs_lesson_view_set_source_dir (self, path);
}

void
_rs_lesson_view_choose_source_dir (RsLessonView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *chooser;

  if (self->chooser != NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Choose the Folder of the Program's Sources"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

void
rs_lesson_view_set_source_dir (RsLessonView *self,
                               const char   *dir)
{
  GHashTableIter iter;
  RsSourceFile *file;

  g_return_if_fail (RS_IS_LESSON_VIEW (self));

  if (g_strcmp0 (dir, self->source_dir) == 0)
    return;
  g_free (self->source_dir);
  self->source_dir = g_strdup (dir);
  /* What was not found may be there now. */
  g_hash_table_iter_init (&iter, self->sources);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &file))
    if (file->text == NULL)
      g_hash_table_iter_remove (&iter);
  if (RS_IS_RECORD_SESSION (self->session) && self->shown_step >= 0)
    rs_lesson_view_show_step (self, self->shown_step, self->shown_snapshot, self->shown_at_end);
  g_object_notify (G_OBJECT (self), "source-dir");
}

const char *
rs_lesson_view_get_source_dir (RsLessonView *self)
{
  g_return_val_if_fail (RS_IS_LESSON_VIEW (self), NULL);
  return self->source_dir;
}
