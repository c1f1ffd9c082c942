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

#include <glib/gi18n.h>

/* A file of the program, as read. */
typedef struct {
  char *text;    /* NULL when it cannot be read */
  char *reason;  /* why not, in words; NULL when read */
} RsSourceFile;

static void
source_file_free (gpointer data)
{
  RsSourceFile *file = data;

  g_free (file->text);
  g_free (file->reason);
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
}

/* The file at `path`, read once. Owned by the view. */
static const RsSourceFile *
read_source (RsLessonView *self,
             const char   *path)
{
  RsSourceFile *file = g_hash_table_lookup (self->sources, path);
  g_autoptr(GError) error = NULL;

  if (file != NULL)
    return file;
  file = g_new0 (RsSourceFile, 1);
  if (!g_file_get_contents (path, &file->text, NULL, &error))
    /* Usually a program built elsewhere: say so plainly. */
    file->reason = g_file_test (path, G_FILE_TEST_EXISTS) ? g_strdup (error->message) : g_strdup (_("no such file"));
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
    /* No line info there: the function is a symbol, or module+offset. */
    what = g_strdup_printf (_("Source of %s not available: the program has no debug information there"), function);
  else
    {
      what = g_strdup_printf (_("Source of %s not available: %s (%s)"), function, site->file, file->reason);
      where = rs_findings_format_site (site, NULL);
    }
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
             const RsSite *own_site)
{
  const char *program = rs_record_session_get_program (RS_RECORD_SESSION (self->session));
  g_autofree char *name = program != NULL ? g_filename_display_basename (program) : g_strdup (_("Recording"));
  g_autoptr(GString) where = g_string_new (NULL);
  int thread = snapshot != NULL ? rs_snapshot_get_thread (snapshot) : 0;

  if (own_site != NULL && own_site->function != NULL)
    g_string_append (where, own_site->function);
  if (thread > 0)
    {
      if (where->len > 0)
        g_string_append (where, " · ");
      g_string_append_printf (where, _("thread %d"), thread);
    }
  if (self->filename != NULL)
    {
      g_autofree char *base = g_filename_display_basename (self->filename);

      if (where->len > 0)
        g_string_append (where, " · ");
      g_string_append (where, base);
    }
  gtk_label_set_text (self->title_label, name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), program);
  gtk_label_set_text (self->file_label, where->str);
  gtk_widget_set_visible (GTK_WIDGET (self->file_label), where->len > 0);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->file_label), self->filename);
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
  show_header (self, snapshot, own ? site : NULL);
  return own && _rs_lesson_view_site_is_here (self, site) ? site->line : 0;
}

/* A leaked packet or frame, with the buffers that leak because it holds
 * them (told here rather than one row each). */
static void
add_handle_leak (RsLessonView *self,
                 const RsLeak *leak,
                 GArray       *leaks,
                 RsSnapshot   *last)
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
  message->handle = last != NULL && leak->handle != NULL && rs_snapshot_find_handle (last, leak->handle) != NULL
                    ? leak->handle : NULL;
  message->step = leak->orphaned ? (int) MIN (leak->lost_step, G_MAXINT) : -1;
  if (here)
    _rs_lesson_view_mark_leak (self, place->line, place->column);
}

void
_rs_lesson_view_add_record_end (RsLessonView *self,
                                RsSnapshot   *last)
{
  const char *reason = rs_record_session_get_end_reason (RS_RECORD_SESSION (self->session));
  g_autoptr(GArray) leaks = NULL;
  guint listed = 0;

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

  leaks = rs_history_query_leaks (rs_session_get_history (self->session));
  for (guint i = 0; i < leaks->len; i++)
    {
      const RsLeak *leak = &g_array_index (leaks, RsLeak, i);

      if (leak->kind == RS_LEAK_HANDLE)
        add_handle_leak (self, leak, leaks, last);
      else if (leak->handle == NULL)
        {
          const RsSite *place = leak->orphaned ? &leak->lost_site : &leak->born_site;
          RsLessonMessage *message = _rs_lesson_view_add_leak_message (self, leak, last, place);

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
