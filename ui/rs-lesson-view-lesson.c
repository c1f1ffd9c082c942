/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The source pane of a lesson: its title (the first comment line), the
 * compile errors of one that does not compile, and the leaks of its end.
 */
#define G_LOG_DOMAIN "rs-lesson-view"

#include "rs-lesson-view-private.h"

#include <glib/gi18n.h>
#include <string.h>

/* Compile errors listed under the source; the rest are marked in it. (The
 * list is not scrolled: a scrolled window's natural height does not follow
 * the rows' wrapping.) */
#define MAX_LISTED_ERRORS 4

/* ---- reading a lesson ---- */

/* The first comment line: "Lesson 2: ..." from a leading block or line
 * comment; NULL if the source does not start with one. */
static char *
title_from_source (const char *source)
{
  const char *p = source;
  const char *end;
  g_autofree char *line = NULL;

  while (g_ascii_isspace (*p))
    p++;
  if (g_str_has_prefix (p, "//"))
    p += 2;
  else if (g_str_has_prefix (p, "/*"))
    {
      p += 2;
      /* The first line of the comment with words on it. */
      for (;;)
        {
          while (*p == '*' || *p == ' ' || *p == '\t')
            p++;
          if (*p == '/' && p[-1] == '*')
            return NULL;
          if (*p != '\n' && *p != '\r')
            break;
          p++;
        }
    }
  else
    return NULL;

  end = p + strcspn (p, "\r\n");
  line = g_strndup (p, end - p);
  if (strstr (line, "*/") != NULL)
    *strstr (line, "*/") = '\0';
  g_strstrip (line);
  /* A title, not a sentence. */
  if (g_str_has_suffix (line, ".") && !g_str_has_suffix (line, ".."))
    line[strlen (line) - 1] = '\0';
  if (*line == '\0' || !g_utf8_validate (line, -1, NULL))
    return NULL;
  return g_steal_pointer (&line);
}

char *
rs_lesson_read_title (const char *path)
{
  g_autofree char *contents = NULL;
  char *title;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  title = title_from_source (contents);
  return title != NULL ? title : g_filename_display_basename (path);
}

/* ---- the pane ---- */

void
_rs_lesson_view_set_lesson_source (RsLessonView *self,
                                   const char   *filename,
                                   const char   *source)
{
  g_autofree char *title = title_from_source (source != NULL ? source : "");
  g_autofree char *display = filename != NULL ? g_filename_display_basename (filename) : g_strdup ("");

  _rs_lesson_view_set_text (self, filename, source);
  gtk_label_set_text (self->title_label, title != NULL ? title : display);
  gtk_label_set_text (self->file_label, title != NULL ? display : "");
  gtk_widget_set_visible (GTK_WIDGET (self->file_label), title != NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), NULL);
}

void
_rs_lesson_view_add_lesson_end (RsLessonView *self,
                                RsSnapshot   *last)
{
  g_autoptr(GArray) leaks = rs_history_query_leaks (rs_session_get_history (self->session));

  for (guint i = 0; i < leaks->len; i++)
    {
      const RsLeak *leak = &g_array_index (leaks, RsLeak, i);

      _rs_lesson_view_add_leak_message (self, leak, last, leak->orphaned ? &leak->lost_site : NULL);
    }
  if (leaks->len == 0)
    _rs_lesson_view_add_message (self, RS_LESSON_MESSAGE_NO_LEAK, _("Nothing leaked"),
                                 _("Every buffer, packet and frame was freed"), 0, 0);
}

void
rs_lesson_view_show_errors (RsLessonView      *self,
                            RsScenarioProgram *program)
{
  guint n;
  g_autofree char *heading = NULL;

  g_return_if_fail (RS_IS_LESSON_VIEW (self));
  g_return_if_fail (program != NULL);

  g_clear_object (&self->session);
  _rs_lesson_view_clear_messages (self);
  _rs_lesson_view_clear_record (self);
  _rs_lesson_view_set_lesson_source (self, rs_scenario_program_get_filename (program),
                                     rs_scenario_program_get_source (program));

  n = rs_scenario_program_get_n_diagnostics (program);
  for (guint i = 0; i < n; i++)
    {
      const RsScenarioDiagnostic *diagnostic = rs_scenario_program_get_diagnostic (program, i);
      g_autofree char *details = g_strdup_printf (_("Line %d, column %d"), diagnostic->line, diagnostic->column);
      GtkTextIter start, end;

      _rs_lesson_view_get_span (self, diagnostic->line, diagnostic->column, FALSE, &start, &end);
      gtk_text_buffer_apply_tag (GTK_TEXT_BUFFER (self->buffer), self->error_tag, &start, &end);
      _rs_lesson_view_add_mark (self, RS_LESSON_MARK_ERROR, diagnostic->line);
      if (i < MAX_LISTED_ERRORS || n == MAX_LISTED_ERRORS + 1)
        _rs_lesson_view_add_message (self, RS_LESSON_MESSAGE_COMPILE_ERROR, diagnostic->message, details,
                                     diagnostic->line, diagnostic->column);
    }
  if (n > MAX_LISTED_ERRORS + 1)
    {
      g_autofree char *more = g_strdup_printf (g_dngettext (NULL, "%u more error", "%u more errors",
                                                            n - MAX_LISTED_ERRORS), n - MAX_LISTED_ERRORS);

      _rs_lesson_view_add_message (self, RS_LESSON_MESSAGE_COMPILE_ERROR, more, _("Marked in the source"),
                                   rs_scenario_program_get_diagnostic (program, MAX_LISTED_ERRORS)->line, 0);
    }
  heading = g_strdup_printf (g_dngettext (NULL, "%u error: nothing runs", "%u errors: nothing runs", n), n);
  gtk_label_set_text (self->messages_heading, heading);
  if (n > 0)
    _rs_lesson_view_scroll_to_line (self, rs_scenario_program_get_diagnostic (program, 0)->line);
}

