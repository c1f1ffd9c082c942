/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-lesson-view.h: a program's source beside the graph: a lesson's, or a
 * recorded program's (DESIGN.md section 12). A read-only C view
 * (GtkSourceView, line numbers) with the line of the step shown highlighted
 * and scrolled into view, and under it what the reader should read now:
 * the compile errors (underlined in the source; nothing runs), the runtime
 * errors, lost references and unsafe writes of the step shown, and the
 * leaks at the end. A recording shows the file of the step's call site, read
 * from disk (a placeholder saying so when it cannot be read), under the
 * program's name, the function and the thread.
 *
 * The view shows; the window steps. It never steps the session it shows,
 * and reads it only while the window does (not while running to the end).
 */
#pragma once

#include <gtk/gtk.h>

#include "rs-scenario-session.h"
#include "rs-snapshot.h"

G_BEGIN_DECLS

#define RS_TYPE_LESSON_VIEW (rs_lesson_view_get_type ())
G_DECLARE_FINAL_TYPE (RsLessonView, rs_lesson_view, RS, LESSON_VIEW, GtkWidget)

typedef enum {
  RS_LESSON_MESSAGE_COMPILE_ERROR,  /* the source does not parse */
  RS_LESSON_MESSAGE_ERROR,          /* the step shown: a call stopped (RS_EVENT_ERROR) */
  RS_LESSON_MESSAGE_UNSAFE_WRITE,   /* the step shown: RS_EVENT_UNSAFE_WRITE */
  RS_LESSON_MESSAGE_LEAK,           /* at the end: a line of the leak report */
  RS_LESSON_MESSAGE_NO_LEAK,        /* at the end: nothing leaked */
  RS_LESSON_MESSAGE_CUT_SHORT,      /* at the end of a recording cut short: why (leaks unknown) */
  RS_LESSON_MESSAGE_EXIT_STATUS,    /* at the end of a recording: the program exited with a status not 0 */
} RsLessonMessageKind;

GtkWidget          *rs_lesson_view_new              (void);

/* The lesson's title: its first comment line ("Lesson 2: ..."), else its
 * file name. Owned by the caller; NULL if `path` cannot be read. */
char               *rs_lesson_read_title            (const char         *path);

/* Shows `session`'s source: an RsScenarioSession (a lesson) or an
 * RsRecordSession (a recording); NULL: nothing. The view keeps a
 * reference. Nothing is highlighted until rs_lesson_view_show_step(). */
void                rs_lesson_view_set_session      (RsLessonView       *view,
                                                     RsSession          *session);
/* Borrowed. */
RsSession          *rs_lesson_view_get_session      (RsLessonView       *view);
/* Shows step `step` (its snapshot, nullable): its line highlighted and
 * scrolled to, its errors and unsafe writes; with `at_end`, the session's
 * leak report. */
void                rs_lesson_view_show_step        (RsLessonView       *view,
                                                     int                 step,
                                                     RsSnapshot         *snapshot,
                                                     gboolean            at_end);
/* Shows a program that does not compile: its source, each error
 * underlined and listed. Drops the session shown. */
void                rs_lesson_view_show_errors      (RsLessonView       *view,
                                                     RsScenarioProgram  *program);

/* A recording's sources not where its debug info says: a folder to look
 * in (by the path's last components: src/player.c, then player.c), kept
 * for the next recordings; NULL forgets it. The step shown is shown again.
 * Notifies "source-dir" (the window saves it for the recording shown). */
void                rs_lesson_view_set_source_dir   (RsLessonView       *view,
                                                     const char         *dir);
const char         *rs_lesson_view_get_source_dir   (RsLessonView       *view);
/* The path of the file shown (a lesson's as it was opened; a recording's
 * as its debug info names it), or NULL. Borrowed. */
const char         *rs_lesson_view_get_file         (RsLessonView       *view);
/* FALSE while a placeholder says the file of the step cannot be shown. */
gboolean            rs_lesson_view_get_source_available (RsLessonView   *view);
/* The line (1-based) highlighted as the step shown, 0 if none. */
int                 rs_lesson_view_get_current_line (RsLessonView       *view);
/* The text shown. Borrowed. */
GtkTextBuffer      *rs_lesson_view_get_buffer       (RsLessonView       *view);
/* The messages listed under the source, in order. */
guint               rs_lesson_view_get_n_messages   (RsLessonView       *view);
RsLessonMessageKind rs_lesson_view_get_message_kind (RsLessonView       *view,
                                                     guint               index);
/* "title — details". Borrowed. */
const char         *rs_lesson_view_get_message      (RsLessonView       *view,
                                                     guint               index);
/* As a click on the message: a compile error moves to its place, a leak
 * emits "select-buffer" (or, a recording's leaked packet or frame,
 * "select-handle"). */
void                rs_lesson_view_activate_message (RsLessonView       *view,
                                                     guint               index);
/* As a click on line `line` (1-based): emits "activate-line". */
void                rs_lesson_view_activate_line    (RsLessonView       *view,
                                                     int                 line);

G_END_DECLS
