/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-lesson-view-messages.c: the messages under the source (a step's
 * errors, lost references and unsafe writes; the leaks at the end), their
 * rows and their share of the view's height.
 */
#define G_LOG_DOMAIN "rs-lesson-view"

#include "rs-lesson-view-private.h"

#include "rs-findings.h"

#include <glib/gi18n.h>
#include <string.h>

void
_rs_lesson_message_free (gpointer data)
{
  RsLessonMessage *message = data;

  g_free (message->title);
  g_free (message->details);
  g_free (message->text);
  g_free (message);
}

/* The messages get at most this part of the view's height and scroll
 * past it: a recording with many leaks, or a step that loses several
 * references, must not squeeze the source (and its current line) away. */
#define MESSAGES_MAX_SHARE 0.4
#define MESSAGES_MIN_HEIGHT 120

/* The messages' height: their rows', up to their share of the view's.
 * Set as the scrolled window's minimum and maximum both, so the source
 * (which expands) takes exactly the rest. From the idle of _rs_lesson_view_queue_scroll,
 * outside a layout: the resize it queues settles at the next one. */
void
_rs_lesson_view_update_messages_height (RsLessonView *self)
{
  int max = MAX ((int) (gtk_widget_get_height (GTK_WIDGET (self)) * MESSAGES_MAX_SHARE), MESSAGES_MIN_HEIGHT);
  int width = gtk_widget_get_width (GTK_WIDGET (self->messages_scroller));
  int natural = 0;
  int height;

  if (width <= 0)
    /* Not laid out yet: the view's width less the messages' margins. */
    width = gtk_widget_get_width (GTK_WIDGET (self)) - gtk_widget_get_margin_start (self->messages_box) -
            gtk_widget_get_margin_end (self->messages_box);
  if (width > 0 && gtk_widget_get_first_child (GTK_WIDGET (self->message_list)) != NULL)
    gtk_widget_measure (GTK_WIDGET (self->message_list), GTK_ORIENTATION_VERTICAL, width, NULL, &natural, NULL, NULL);
  height = MIN (natural, max);
  if (height != self->messages_height)
    {
      self->messages_height = height;
      /* The minimum may not exceed the maximum, on the way either. */
      gtk_scrolled_window_set_max_content_height (self->messages_scroller, -1);
      gtk_scrolled_window_set_min_content_height (self->messages_scroller, height);
      gtk_scrolled_window_set_max_content_height (self->messages_scroller, height);
    }
}

/* ---- the messages ---- */

void
_rs_lesson_view_clear_messages (RsLessonView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->message_list))) != NULL)
    gtk_list_box_remove (self->message_list, child);
  g_ptr_array_set_size (self->messages, 0);
  self->end_from = -1;
  gtk_widget_set_visible (self->messages_box, FALSE);
  gtk_widget_set_visible (self->messages_separator, FALSE);
  _rs_lesson_view_queue_scroll (self);
}

RsLessonMessage *
_rs_lesson_view_add_message (RsLessonView        *self,
                             RsLessonMessageKind  kind,
                             const char          *title,
                             const char          *details,
                             int                  line,
                             int                  column)
{
  RsLessonMessage *message = g_new0 (RsLessonMessage, 1);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon;
  const char *icon_name, *style;

  message->kind = kind;
  message->title = g_strdup (title);
  message->details = g_strdup (details);
  message->text = details != NULL ? g_strdup_printf ("%s — %s", title, details) : g_strdup (title);
  message->line = line;
  message->column = column;
  message->step = -1;
  g_ptr_array_add (self->messages, message);

  switch (kind)
    {
    case RS_LESSON_MESSAGE_COMPILE_ERROR:
    case RS_LESSON_MESSAGE_ERROR:
      icon_name = "dialog-error-symbolic";
      style = "error";
      break;
    case RS_LESSON_MESSAGE_UNSAFE_WRITE:
      icon_name = "dialog-warning-symbolic";
      style = "warning";
      break;
    case RS_LESSON_MESSAGE_LEAK:
      icon_name = "dialog-warning-symbolic";
      style = "error";
      break;
    case RS_LESSON_MESSAGE_CUT_SHORT:
    case RS_LESSON_MESSAGE_EXIT_STATUS:
      icon_name = "dialog-warning-symbolic";
      style = "warning";
      break;
    case RS_LESSON_MESSAGE_NO_LEAK:
    default:
      icon_name = "emblem-ok-symbolic";
      style = "success";
      break;
    }
  icon = gtk_image_new_from_icon_name (icon_name);
  gtk_widget_add_css_class (icon, style);
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  gtk_widget_set_margin_top (icon, 2);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (details != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), details);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row),
                                    kind != RS_LESSON_MESSAGE_NO_LEAK && kind != RS_LESSON_MESSAGE_CUT_SHORT &&
                                    kind != RS_LESSON_MESSAGE_EXIT_STATUS);
  gtk_widget_set_tooltip_text (row, message->text);
  gtk_list_box_append (self->message_list, row);

  gtk_widget_set_visible (self->messages_box, TRUE);
  gtk_widget_set_visible (self->messages_separator, TRUE);
  _rs_lesson_view_queue_scroll (self);
  return message;
}

/* An event of step `step` as a row: its words, and its place. `buffer`:
 * the buffer it is about, named first (a call that drops a frame's three
 * planes loses three references: three rows that must say which), or NULL. */
static RsLessonMessage *
add_event_message (RsLessonView        *self,
                   RsLessonMessageKind  kind,
                   const RsEvent       *event,
                   int                  step,
                   const RsBuffer      *buffer)
{
  g_autofree char *text = rs_findings_describe_event (event, RS_STEP_NUMBER (step), self->filename);
  g_autofree char *title = NULL;
  g_autofree char *details = NULL;
  g_autofree char *elsewhere = NULL;
  gboolean here = _rs_lesson_view_site_is_here (self, &event->site);

  if (text != NULL && buffer != NULL)
    {
      g_autofree char *size = g_format_size (buffer->size);

      title = g_strdup_printf (_("Buffer %" G_GUINT64_FORMAT " (%s, %s) %s"), buffer->id,
                               _(rs_buffer_kind_to_words (buffer->kind)), size, text);
    }
  else
    title = text != NULL ? g_strdup (text) : g_strdup (_("The call failed"));
  if (here)
    details = g_strdup_printf (_("Line %d, step %u"), event->site.line, RS_STEP_NUMBER (step));
  else if ((elsewhere = rs_findings_format_site (&event->site, NULL)) != NULL)
    /* Another file of a recorded program: "queue.c:88, step 40". */
    details = g_strdup_printf (_("%s, step %u"), elsewhere, RS_STEP_NUMBER (step));
  else
    details = g_strdup_printf (_("Step %u"), RS_STEP_NUMBER (step));
  return _rs_lesson_view_add_message (self, kind, title, details,
                                      here ? event->site.line : 0, here ? event->site.column : 0);
}

RsLessonMessage *
_rs_lesson_view_add_leak_message (RsLessonView *self,
                                  const RsLeak *leak,
                                  RsSnapshot   *last,
                                  const RsSite *place)
{
  g_autofree char *text = rs_findings_describe_leak_for_window (leak, self->filename);
  char *cause = strstr (text, ": ");
  g_autofree char *title = NULL;
  g_autofree char *details = NULL;
  RsLessonMessage *message;

  /* "buffer 3 (...) leaked: ... lost at step 5, line 8: why": the buffer
   * first, how it was lost under it. */
  if (leak->kind == RS_LEAK_BUFFER && leak->orphaned && cause != NULL)
    {
      title = g_strndup (text, cause - text);
      details = g_strdup (cause + 2);
      details[0] = g_ascii_toupper (details[0]);
    }
  else
    title = g_strdup (text);
  title[0] = g_ascii_toupper (title[0]);
  message = _rs_lesson_view_add_message (self, RS_LESSON_MESSAGE_LEAK, title, details,
                                         place != NULL && _rs_lesson_view_site_is_here (self, place) ? place->line : 0, 0);
  message->buffer = last != NULL && rs_snapshot_find_buffer (last, leak->buffer) != NULL ? leak->buffer : 0;
  message->step = leak->orphaned ? (int) MIN (leak->lost_step, G_MAXINT) : -1;
  return message;
}

void
_rs_lesson_view_mark_leak (RsLessonView *self,
                           int           line,
                           int           column)
{
  GtkTextIter start, end;

  _rs_lesson_view_get_span (self, line, column, TRUE, &start, &end);
  gtk_text_buffer_apply_tag (GTK_TEXT_BUFFER (self->buffer), self->leak_tag, &start, &end);
  _rs_lesson_view_add_mark (self, RS_LESSON_MARK_LEAK, line);
}

/* The statements whose step lost a reference or a packet, underlined and
 * marked in the gutter (those of the file shown). */
void
_rs_lesson_view_mark_leak_sources (RsLessonView *self)
{
  RsHistory *history = rs_session_get_history (self->session);

  for (guint step = 0; step < rs_history_get_length (history); step++)
    {
      RsSnapshot *snapshot = rs_history_get_snapshot (history, step);

      for (guint i = 0; i < rs_snapshot_get_n_events (snapshot); i++)
        {
          const RsEvent *event = rs_snapshot_get_event (snapshot, i);

          if ((event->kind != RS_EVENT_LOST && event->kind != RS_EVENT_LEAKED) ||
              !_rs_lesson_view_site_is_here (self, &event->site))
            continue;
          _rs_lesson_view_mark_leak (self, event->site.line, event->site.column);
        }
    }
}

/* The messages of the step shown: its errors, lost references and unsafe
 * writes. */
void
_rs_lesson_view_add_step_messages (RsLessonView *self,
                   int           step,
                   RsSnapshot   *snapshot,
                   gboolean     *error,
                   gboolean     *unsafe)
{
  for (guint i = 0; snapshot != NULL && i < rs_snapshot_get_n_events (snapshot); i++)
    {
      const RsEvent *event = rs_snapshot_get_event (snapshot, i);

      if (event->kind == RS_EVENT_ERROR)
        {
          *error = TRUE;
          add_event_message (self, RS_LESSON_MESSAGE_ERROR, event, step, NULL);
        }
      else if (event->kind == RS_EVENT_LOST || (event->kind == RS_EVENT_LEAKED && event->reason != RS_LOSS_NONE))
        {
          /* The step that loses a reference: the lesson's point. */
          const RsBuffer *buffer = rs_snapshot_find_buffer (snapshot, event->buffer);
          RsLessonMessage *message = add_event_message (self, RS_LESSON_MESSAGE_LEAK, event, step,
                                                        event->kind == RS_EVENT_LOST ? buffer : NULL);

          *error = TRUE;
          message->buffer = buffer != NULL ? event->buffer : 0;
        }
      else if (event->kind == RS_EVENT_UNSAFE_WRITE)
        {
          *unsafe = TRUE;
          add_event_message (self, RS_LESSON_MESSAGE_UNSAFE_WRITE, event, step, NULL);
        }
    }
}

guint
rs_lesson_view_get_n_messages (RsLessonView *self)
{
  g_return_val_if_fail (RS_IS_LESSON_VIEW (self), 0);
  return self->messages->len;
}

RsLessonMessageKind
rs_lesson_view_get_message_kind (RsLessonView *self,
                                 guint         index)
{
  g_return_val_if_fail (RS_IS_LESSON_VIEW (self), 0);
  g_return_val_if_fail (index < self->messages->len, 0);
  return ((RsLessonMessage *) g_ptr_array_index (self->messages, index))->kind;
}

const char *
rs_lesson_view_get_message (RsLessonView *self,
                            guint         index)
{
  g_return_val_if_fail (RS_IS_LESSON_VIEW (self), NULL);
  g_return_val_if_fail (index < self->messages->len, NULL);
  return ((RsLessonMessage *) g_ptr_array_index (self->messages, index))->text;
}

/* The end's messages after the step's own: a header of their own. */
void
_rs_lesson_view_update_header (GtkListBoxRow *row,
               GtkListBoxRow *before,
               gpointer       data)
{
  RsLessonView *self = data;
  GtkWidget *header = NULL;

  if (before != NULL && self->end_from > 0 && gtk_list_box_row_get_index (row) == self->end_from)
    {
      header = gtk_label_new (_("At the End"));
      gtk_label_set_xalign (GTK_LABEL (header), 0);
      gtk_widget_add_css_class (header, "heading");
      gtk_widget_set_margin_start (header, 2);
      gtk_widget_set_margin_top (header, 12);
      gtk_widget_set_margin_bottom (header, 6);
    }
  gtk_list_box_row_set_header (row, header);
}
