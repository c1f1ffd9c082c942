/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-lesson-view-private.h: shared by rs-lesson-view.c (the source, the
 * messages under it, the step shown), rs-lesson-view-lesson.c (a lesson:
 * its title, its compile errors, its end) and rs-lesson-view-record.c (a
 * recording: the program's files read from disk, its end).
 */
#pragma once

#include <adwaita.h>
#include <gtksourceview/gtksource.h>

#include "rs-lesson-view.h"
#include "rs-query.h"

G_BEGIN_DECLS

/* The gutter marks (GtkSourceMark categories). */
#define RS_LESSON_MARK_CURRENT "rs-current"
#define RS_LESSON_MARK_ERROR   "rs-error"
#define RS_LESSON_MARK_LEAK    "rs-leak"

typedef struct {
  RsLessonMessageKind  kind;
  char                *title;
  char                *details;  /* nullable */
  char                *text;     /* "title — details" */
  int                  line;     /* in the file shown; 0: none */
  int                  column;
  guint64              buffer;   /* leaks: the buffer to select, 0 if none */
  const char          *handle;   /* leaks: the handle to select (interned), or NULL */
  int                  step;     /* leaks without a buffer: the step, or -1 */
  gboolean             jump;     /* recordings' leaks: go to `step` first, select there */
} RsLessonMessage;

struct _RsLessonView {
  GtkWidget           parent_instance;

  /* Template children. */
  GtkLabel           *title_label;
  GtkLabel           *file_label;
  GtkWidget          *thread_box;
  GtkStack           *source_stack;
  AdwStatusPage      *missing_page;
  GtkWidget          *choose_source_button;
  GtkScrolledWindow  *source_scroller;
  GtkSourceView      *source_view;
  GtkWidget          *messages_separator;
  GtkWidget          *messages_box;
  GtkLabel           *messages_heading;
  GtkScrolledWindow  *messages_scroller;
  GtkListBox         *message_list;

  GtkSourceBuffer    *buffer;          /* owned */
  GtkTextTag         *current_tag;     /* owned by the buffer's tag table */
  GtkTextTag         *current_error_tag;
  GtkTextTag         *current_warning_tag;
  GtkTextTag         *error_tag;
  GtkTextTag         *leak_tag;
  GtkTextMark        *current_mark;    /* owned by the buffer; NULL until a step is shown */

  RsSession          *session;         /* owned, nullable: an RsScenarioSession or an RsRecordSession */
  char               *filename;        /* the file shown: a lesson's name as in its messages, a
                                        * recording's source path; NULL if none */
  int                 current_line;
  guint               scroll_id;       /* the current line is scrolled to once laid out */
  int                 messages_height; /* the messages' content height last set */
  GPtrArray          *messages;        /* of RsLessonMessage */
  GHashTable         *sources;         /* recordings: path -> RsSourceFile, the files read so far */
  char               *source_dir;      /* recordings: the folder the user picked for sources, or NULL */
  GtkNativeDialog    *chooser;         /* owned while open */
  int                 shown_step;      /* what rs_lesson_view_show_step() was last given */
  RsSnapshot         *shown_snapshot;  /* owned: the step shown, or NULL */
  gboolean            shown_at_end;
  GArray             *record_leaks;    /* recordings read to their end: their RsLeaks, once */
  int                 end_from;        /* the index of the first message of the end, or -1 */
  double              press_x;
  double              press_y;
};

/* Puts `text` (nullable) in the source, as the file `filename` (nullable);
 * no line highlighted, nothing marked. Does not touch the header. */
void             _rs_lesson_view_set_text          (RsLessonView        *view,
                                                    const char          *filename,
                                                    const char          *text);
/* The text a diagnostic or a statement at line:column is about: the word
 * there, or up to the statement's `;` (`statement`). */
void             _rs_lesson_view_get_span          (RsLessonView        *view,
                                                    int                  line,
                                                    int                  column,
                                                    gboolean             statement,
                                                    GtkTextIter         *start,
                                                    GtkTextIter         *end);
/* Scrolls `line` into view once the lines are laid out, a little clear of
 * the edges. */
void             _rs_lesson_view_scroll_to_line    (RsLessonView        *view,
                                                    int                  line);
/* Whether `site` is a line of the file shown. */
gboolean         _rs_lesson_view_site_is_here      (RsLessonView        *view,
                                                    const RsSite        *site);
void             _rs_lesson_view_add_mark          (RsLessonView        *view,
                                                    const char          *category,
                                                    int                  line);
/* Underlines the statement at line:column as a leak, marked in the gutter. */
void             _rs_lesson_view_mark_leak         (RsLessonView        *view,
                                                    int                  line,
                                                    int                  column);
/* Scrolls to the current line and sizes the messages once the view has
 * its new height (at idle). */
void             _rs_lesson_view_queue_scroll      (RsLessonView        *view);

/* The messages (rs-lesson-view-messages.c). */
void             _rs_lesson_message_free           (gpointer             message);
void             _rs_lesson_view_update_messages_height (RsLessonView   *view);
void             _rs_lesson_view_update_header     (GtkListBoxRow       *row,
                                                    GtkListBoxRow       *before,
                                                    gpointer             view);
/* The messages of step `step`; sets *error / *unsafe when it has such. */
void             _rs_lesson_view_add_step_messages (RsLessonView        *view,
                                                    int                  step,
                                                    RsSnapshot          *snapshot,
                                                    gboolean            *error,
                                                    gboolean            *unsafe);
void             _rs_lesson_view_mark_leak_sources (RsLessonView        *view);
void             _rs_lesson_view_clear_messages    (RsLessonView        *view);
/* Lists a message under the source. Owned by the view. */
RsLessonMessage *_rs_lesson_view_add_message       (RsLessonView        *view,
                                                    RsLessonMessageKind  kind,
                                                    const char          *title,
                                                    const char          *details,
                                                    int                  line,
                                                    int                  column);
/* Lists a leak at the end, its row at `place` (nullable) when that is in
 * the file shown; `last` is the last step, where its buffer is selected.
 * Owned by the view. */
RsLessonMessage *_rs_lesson_view_add_leak_message  (RsLessonView        *view,
                                                    const RsLeak        *leak,
                                                    RsSnapshot          *last,
                                                    const RsSite        *place);

/* Lessons (rs-lesson-view-lesson.c). */
/* The lesson's `source`, titled by its first comment line. */
void             _rs_lesson_view_set_lesson_source (RsLessonView        *view,
                                                    const char          *filename,
                                                    const char          *source);
/* A lesson's end: its leaks, each at the statement that lost it. */
void             _rs_lesson_view_add_lesson_end    (RsLessonView        *view,
                                                    RsSnapshot          *last);

/* Recordings (rs-lesson-view-record.c). */
void             _rs_lesson_view_init_record       (RsLessonView        *view);
/* Forgets the files read (they may have changed since). */
void             _rs_lesson_view_clear_record      (RsLessonView        *view);
void             _rs_lesson_view_dispose_record    (RsLessonView        *view);
/* Asks for the folder of the program's sources (rs_lesson_view_set_source_dir). */
void             _rs_lesson_view_choose_source_dir (RsLessonView        *view);
/* Shows the program's file of step `step` (its site's, else the last one
 * with a file) and the header. Returns the site's line in it, or 0. */
int              _rs_lesson_view_show_record_source (RsLessonView       *view,
                                                     int                 step,
                                                     RsSnapshot         *snapshot);
/* The end of a recording: its leaks, or why it was cut short. Also at
 * the other steps once every step is read, under a header of its own, so
 * that one leak after another can be gone to from the list. */
void             _rs_lesson_view_add_record_end    (RsLessonView        *view,
                                                    RsSnapshot          *last);

G_END_DECLS
