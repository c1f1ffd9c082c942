/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-lesson-view"

#include "rs-lesson-view-private.h"

#include "rs-record-session.h"
#include "rs-scenario-session.h"
#include "rs-ui-private.h"

#include <glib/gi18n.h>

enum {
  SELECT_BUFFER,
  SELECT_HANDLE,
  SEEK,
  ACTIVATE_LINE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_SOURCE_DIR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (RsLessonView, rs_lesson_view, GTK_TYPE_WIDGET)

/* ---- the source ---- */

gboolean
_rs_lesson_view_site_is_here (RsLessonView *self,
                              const RsSite *site)
{
  if (site->line <= 0)
    return FALSE;
  /* A lesson is one file; a recorded program may have many. */
  if (RS_IS_SCENARIO_SESSION (self->session))
    return TRUE;
  return site->file != NULL && g_strcmp0 (site->file, self->filename) == 0;
}

static void
get_line_range (RsLessonView *self,
                int           line,
                GtkTextIter  *start,
                GtkTextIter  *end)
{
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (self->buffer);

  gtk_text_buffer_get_iter_at_line (buffer, start, MAX (line - 1, 0));
  *end = *start;
  if (!gtk_text_iter_ends_line (end))
    gtk_text_iter_forward_to_line_end (end);
}

/* At least one character. */
void
_rs_lesson_view_get_span (RsLessonView *self,
                          int           line,
                          int           column,
                          gboolean      statement,
                          GtkTextIter  *start,
                          GtkTextIter  *end)
{
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (self->buffer);
  GtkTextIter line_end;

  get_line_range (self, line, start, &line_end);
  gtk_text_buffer_get_iter_at_line_offset (buffer, start, MAX (line - 1, 0), MAX (column - 1, 0));
  /* At the end of a line (a `;` expected there): the character before. */
  if (gtk_text_iter_ends_line (start) && !gtk_text_iter_starts_line (start))
    gtk_text_iter_backward_char (start);
  *end = *start;
  if (statement)
    {
      while (!gtk_text_iter_ends_line (end) && gtk_text_iter_get_char (end) != ';')
        gtk_text_iter_forward_char (end);
      if (!gtk_text_iter_ends_line (end))
        gtk_text_iter_forward_char (end);
    }
  else
    {
      while (!gtk_text_iter_ends_line (end) &&
             (g_unichar_isalnum (gtk_text_iter_get_char (end)) || gtk_text_iter_get_char (end) == '_'))
        gtk_text_iter_forward_char (end);
    }
  if (gtk_text_iter_equal (start, end) && !gtk_text_iter_ends_line (end))
    gtk_text_iter_forward_char (end);
}

static void
clear_marks (RsLessonView *self,
             const char   *category)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (GTK_TEXT_BUFFER (self->buffer), &start, &end);
  gtk_source_buffer_remove_source_marks (self->buffer, &start, &end, category);
}

void
_rs_lesson_view_add_mark (RsLessonView *self,
                          const char   *category,
                          int           line)
{
  GtkTextIter start, end;

  get_line_range (self, line, &start, &end);
  gtk_source_buffer_create_source_mark (self->buffer, NULL, category, &start);
}

static void
clear_current (RsLessonView *self)
{
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (self->buffer);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_remove_tag (buffer, self->current_tag, &start, &end);
  gtk_text_buffer_remove_tag (buffer, self->current_error_tag, &start, &end);
  gtk_text_buffer_remove_tag (buffer, self->current_warning_tag, &start, &end);
  gtk_text_buffer_remove_tag (buffer, self->leak_tag, &start, &end);
  clear_marks (self, RS_LESSON_MARK_CURRENT);
  clear_marks (self, RS_LESSON_MARK_LEAK);
  self->current_line = 0;
}

void
_rs_lesson_view_set_text (RsLessonView *self,
                          const char   *filename,
                          const char   *text)
{
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (self->buffer);
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);
  GtkTextIter start, end;

  if (filename != self->filename)
    {
      g_free (self->filename);
      self->filename = g_strdup (filename);
    }
  gtk_text_buffer_set_text (buffer, valid, -1);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_remove_all_tags (buffer, &start, &end);
  clear_marks (self, NULL);
  self->current_line = 0;
  gtk_text_buffer_place_cursor (buffer, &start);
  gtk_stack_set_visible_child (self->source_stack, GTK_WIDGET (self->source_scroller));
}

static gboolean
scroll_now (gpointer data)
{
  RsLessonView *self = data;

  self->scroll_id = 0;
  _rs_lesson_view_update_messages_height (self);
  if (self->current_mark != NULL)
    gtk_text_view_scroll_to_mark (GTK_TEXT_VIEW (self->source_view), self->current_mark, 0.2, FALSE, 0, 0);
  return G_SOURCE_REMOVE;
}

/* Sizes the messages and scrolls to the mark once the view has its new
 * height (the messages under it come and go), and again whenever its
 * height changes: the source's or the messages' (the source view's
 * adjustment can keep a page size the view no longer has, when the
 * messages grew under it). */
void
_rs_lesson_view_queue_scroll (RsLessonView *self)
{
  if (self->scroll_id == 0)
    self->scroll_id = g_idle_add (scroll_now, self);
}

void
_rs_lesson_view_scroll_to_line (RsLessonView *self,
                                int           line)
{
  GtkTextIter start, end;

  get_line_range (self, line, &start, &end);
  if (self->current_mark == NULL)
    self->current_mark = gtk_text_buffer_create_mark (GTK_TEXT_BUFFER (self->buffer), NULL, &start, TRUE);
  else
    gtk_text_buffer_move_mark (GTK_TEXT_BUFFER (self->buffer), self->current_mark, &start);
  _rs_lesson_view_queue_scroll (self);
}

static void
on_page_size_changed (RsLessonView *self)
{
  _rs_lesson_view_queue_scroll (self);
}

/* ---- public ---- */

GtkWidget *
rs_lesson_view_new (void)
{
  return g_object_new (RS_TYPE_LESSON_VIEW, NULL);
}

void
rs_lesson_view_set_session (RsLessonView *self,
                            RsSession    *session)
{
  g_return_if_fail (RS_IS_LESSON_VIEW (self));
  g_return_if_fail (session == NULL || RS_IS_SCENARIO_SESSION (session) || RS_IS_RECORD_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;
  self->shown_step = -1;
  g_clear_pointer (&self->shown_snapshot, rs_snapshot_unref);
  _rs_lesson_view_clear_messages (self);
  _rs_lesson_view_clear_record (self);
  if (RS_IS_SCENARIO_SESSION (session))
    {
      RsScenarioProgram *program = rs_scenario_session_get_program (RS_SCENARIO_SESSION (session));

      _rs_lesson_view_set_lesson_source (self, rs_scenario_program_get_filename (program), rs_scenario_program_get_source (program));
    }
  else
    /* A recording's file follows the step shown. */
    _rs_lesson_view_set_lesson_source (self, NULL, "");
}

RsSession *
rs_lesson_view_get_session (RsLessonView *self)
{
  g_return_val_if_fail (RS_IS_LESSON_VIEW (self), NULL);
  return self->session;
}

void
rs_lesson_view_show_step (RsLessonView *self,
                          int           step,
                          RsSnapshot   *snapshot,
                          gboolean      at_end)
{
  int line = 0;
  gboolean error = FALSE, unsafe = FALSE;

  g_return_if_fail (RS_IS_LESSON_VIEW (self));

  clear_current (self);
  _rs_lesson_view_clear_messages (self);
  self->shown_step = step;
  /* Held: a borrowed step of a long history does not outlive much reading
   * of others (rs-history.h). Taken before the old one goes: it may be it. */
  if (snapshot != NULL)
    rs_snapshot_ref (snapshot);
  g_clear_pointer (&self->shown_snapshot, rs_snapshot_unref);
  self->shown_snapshot = snapshot;
  self->shown_at_end = at_end;
  if (self->session == NULL || step < 0)
    return;

  if (RS_IS_RECORD_SESSION (self->session))
    line = _rs_lesson_view_show_record_source (self, step, snapshot);
  else
    rs_scenario_session_get_step_location (RS_SCENARIO_SESSION (self->session), (guint) step, &line, NULL);
  _rs_lesson_view_add_step_messages (self, step, snapshot, &error, &unsafe);

  if (at_end)
    {
      if (RS_IS_RECORD_SESSION (self->session))
        _rs_lesson_view_add_record_end (self, snapshot);
      else
        _rs_lesson_view_add_lesson_end (self, snapshot);
      _rs_lesson_view_mark_leak_sources (self);
    }
  else if (RS_IS_RECORD_SESSION (self->session) && rs_session_is_finished (self->session) &&
           rs_record_session_get_end_reason (RS_RECORD_SESSION (self->session)) == NULL)
    {
      RsHistory *history = rs_session_get_history (self->session);

      /* Every step read: the leaks stay listed while one after another is
       * looked at. */
      _rs_lesson_view_add_record_end (self, rs_history_get_snapshot (history, rs_history_get_length (history) - 1));
    }

  if (gtk_widget_get_visible (self->messages_box))
    gtk_label_set_text (self->messages_heading, at_end || self->end_from == 0 ? _("At the End") : _("This Step"));
  gtk_list_box_invalidate_headers (self->message_list);

  if (line > 0)
    {
      GtkTextIter start, end;

      get_line_range (self, line, &start, &end);
      gtk_text_iter_forward_line (&end);
      gtk_text_buffer_apply_tag (GTK_TEXT_BUFFER (self->buffer),
                                 error ? self->current_error_tag :
                                 unsafe ? self->current_warning_tag : self->current_tag,
                                 &start, &end);
      _rs_lesson_view_add_mark (self, RS_LESSON_MARK_CURRENT, line);
      self->current_line = line;
      _rs_lesson_view_scroll_to_line (self, line);
    }
  else if (at_end)
    {
      /* A program's exit is no line of its own: its first leak is. */
      for (guint i = 0; i < self->messages->len; i++)
        {
          const RsLessonMessage *message = g_ptr_array_index (self->messages, i);

          if (message->line > 0)
            {
              _rs_lesson_view_scroll_to_line (self, message->line);
              break;
            }
        }
    }
}

int
rs_lesson_view_get_current_line (RsLessonView *self)
{
  g_return_val_if_fail (RS_IS_LESSON_VIEW (self), 0);
  return self->current_line;
}

const char *
rs_lesson_view_get_file (RsLessonView *self)
{
  g_return_val_if_fail (RS_IS_LESSON_VIEW (self), NULL);
  return self->filename;
}

gboolean
rs_lesson_view_get_source_available (RsLessonView *self)
{
  g_return_val_if_fail (RS_IS_LESSON_VIEW (self), FALSE);
  return gtk_stack_get_visible_child (self->source_stack) == GTK_WIDGET (self->source_scroller);
}

GtkTextBuffer *
rs_lesson_view_get_buffer (RsLessonView *self)
{
  g_return_val_if_fail (RS_IS_LESSON_VIEW (self), NULL);
  return GTK_TEXT_BUFFER (self->buffer);
}

void
rs_lesson_view_activate_message (RsLessonView *self,
                                 guint         index)
{
  RsLessonMessage message;

  g_return_if_fail (RS_IS_LESSON_VIEW (self));
  g_return_if_fail (index < self->messages->len);

  /* A copy: what the signals do may show another step, and other messages. */
  message = *(RsLessonMessage *) g_ptr_array_index (self->messages, index);
  if (message.jump && message.step >= 0)
    g_signal_emit (self, signals[SEEK], 0, (guint) message.step);
  if (message.line > 0)
    {
      GtkTextIter start, end;

      /* Selected, so the eye finds it. */
      if (message.column > 0)
        _rs_lesson_view_get_span (self, message.line, message.column,
                  message.kind != RS_LESSON_MESSAGE_COMPILE_ERROR, &start, &end);
      else
        get_line_range (self, message.line, &start, &end);
      gtk_text_buffer_select_range (GTK_TEXT_BUFFER (self->buffer), &start, &end);
      /* By a mark: the lines' heights may not be known yet. */
      _rs_lesson_view_scroll_to_line (self, message.line);
    }
  if (message.kind == RS_LESSON_MESSAGE_LEAK && message.buffer != 0)
    g_signal_emit (self, signals[SELECT_BUFFER], 0, message.buffer);
  else if (message.kind == RS_LESSON_MESSAGE_LEAK && message.handle != NULL)
    g_signal_emit (self, signals[SELECT_HANDLE], 0, message.handle);
  else if (message.kind == RS_LESSON_MESSAGE_LEAK && message.step >= 0 && !message.jump)
    g_signal_emit (self, signals[SEEK], 0, (guint) message.step);
}

void
rs_lesson_view_activate_line (RsLessonView *self,
                              int           line)
{
  g_return_if_fail (RS_IS_LESSON_VIEW (self));
  g_return_if_fail (line > 0);

  g_signal_emit (self, signals[ACTIVATE_LINE], 0, line);
}

/* ---- input ---- */

static void
on_row_activated (RsLessonView  *self,
                  GtkListBoxRow *row)
{
  rs_lesson_view_activate_message (self, (guint) gtk_list_box_row_get_index (row));
}

/* A click on a line (not a drag that selects) goes to its step. The
 * gesture watches in the capture phase and claims nothing, so the text
 * view still selects text as usual. */
static void
on_source_pressed (RsLessonView    *self,
                   int              n_press,
                   double           x,
                   double           y,
                   GtkGestureClick *gesture)
{
  self->press_x = x;
  self->press_y = y;
}

static void
on_source_released (RsLessonView    *self,
                    int              n_press,
                    double           x,
                    double           y,
                    GtkGestureClick *gesture)
{
  GtkTextView *view = GTK_TEXT_VIEW (self->source_view);
  GtkTextIter iter;
  int buffer_x, buffer_y;

  if (n_press != 1 || self->session == NULL ||
      ABS (x - self->press_x) > 4 || ABS (y - self->press_y) > 4)
    return;
  gtk_text_view_window_to_buffer_coords (view, GTK_TEXT_WINDOW_WIDGET, (int) x, (int) y, &buffer_x, &buffer_y);
  gtk_text_view_get_line_at_y (view, &iter, buffer_y, NULL);
  rs_lesson_view_activate_line (self, gtk_text_iter_get_line (&iter) + 1);
}

static void
on_dark_changed (RsLessonView    *self,
                 GParamSpec      *pspec,
                 AdwStyleManager *style_manager)
{
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  const char *id = adw_style_manager_get_dark (style_manager) ? "Adwaita-dark" : "Adwaita";
  GtkSourceStyleScheme *scheme = gtk_source_style_scheme_manager_get_scheme (schemes, id);

  if (scheme != NULL)
    gtk_source_buffer_set_style_scheme (self->buffer, scheme);
}

/* ---- GObject ---- */

static void
set_mark_icon (RsLessonView *self,
               const char   *category,
               const char   *icon_name,
               const char   *tint,
               int           priority)
{
  g_autoptr(GtkSourceMarkAttributes) attributes = gtk_source_mark_attributes_new ();
  GdkRGBA background;

  gtk_source_mark_attributes_set_icon_name (attributes, icon_name);
  /* The whole line, lightly. */
  if (tint != NULL && gdk_rgba_parse (&background, tint))
    gtk_source_mark_attributes_set_background (attributes, &background);
  gtk_source_view_set_mark_attributes (self->source_view, category, attributes, priority);
}

static void
rs_lesson_view_dispose (GObject *object)
{
  RsLessonView *self = RS_LESSON_VIEW (object);
  GtkWidget *child;

  g_clear_object (&self->session);
  g_clear_pointer (&self->shown_snapshot, rs_snapshot_unref);
  _rs_lesson_view_dispose_record (self);
  g_clear_handle_id (&self->scroll_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), RS_TYPE_LESSON_VIEW);
  /* The template's unnamed children too. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->buffer);
  G_OBJECT_CLASS (rs_lesson_view_parent_class)->dispose (object);
}

static void
rs_lesson_view_finalize (GObject *object)
{
  RsLessonView *self = RS_LESSON_VIEW (object);

  g_free (self->filename);
  g_ptr_array_unref (self->messages);
  G_OBJECT_CLASS (rs_lesson_view_parent_class)->finalize (object);
}

static void
rs_lesson_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  RsLessonView *self = RS_LESSON_VIEW (object);

  switch (prop_id)
    {
    case PROP_SOURCE_DIR:
      g_value_set_string (value, self->source_dir);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rs_lesson_view_class_init (RsLessonViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rs_lesson_view_dispose;
  object_class->finalize = rs_lesson_view_finalize;
  object_class->get_property = rs_lesson_view_get_property;

  /* The folder picked for a recording's sources (the window saves it). */
  properties[PROP_SOURCE_DIR] =
    g_param_spec_string ("source-dir", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A leak's row was clicked: select its buffer in the graph. */
  signals[SELECT_BUFFER] =
    g_signal_new ("select-buffer", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT64);
  /* A leaked handle's row was clicked: select it in the graph. */
  signals[SELECT_HANDLE] =
    g_signal_new ("select-handle", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  /* Go to a step. */
  signals[SEEK] =
    g_signal_new ("seek", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  /* A line of the source was clicked (1-based): go to its step. */
  signals[ACTIVATE_LINE] =
    g_signal_new ("activate-line", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);

  gtk_source_init ();
  g_type_ensure (GTK_SOURCE_TYPE_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/refscope/Refscope/rs-lesson-view.ui");
  gtk_widget_class_bind_template_child (widget_class, RsLessonView, title_label);
  gtk_widget_class_bind_template_child (widget_class, RsLessonView, file_label);
  gtk_widget_class_bind_template_child (widget_class, RsLessonView, thread_box);
  gtk_widget_class_bind_template_child (widget_class, RsLessonView, source_stack);
  gtk_widget_class_bind_template_child (widget_class, RsLessonView, missing_page);
  gtk_widget_class_bind_template_child (widget_class, RsLessonView, choose_source_button);
  gtk_widget_class_bind_template_child (widget_class, RsLessonView, source_scroller);
  gtk_widget_class_bind_template_child (widget_class, RsLessonView, source_view);
  gtk_widget_class_bind_template_child (widget_class, RsLessonView, messages_separator);
  gtk_widget_class_bind_template_child (widget_class, RsLessonView, messages_box);
  gtk_widget_class_bind_template_child (widget_class, RsLessonView, messages_heading);
  gtk_widget_class_bind_template_child (widget_class, RsLessonView, messages_scroller);
  gtk_widget_class_bind_template_child (widget_class, RsLessonView, message_list);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, _rs_lesson_view_choose_source_dir);
  gtk_widget_class_bind_template_callback (widget_class, on_source_pressed);
  gtk_widget_class_bind_template_callback (widget_class, on_source_released);
  gtk_widget_class_set_css_name (widget_class, "lessonview");
}

static void
rs_lesson_view_init (RsLessonView *self)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  GtkSourceLanguageManager *languages = gtk_source_language_manager_get_default ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->messages = g_ptr_array_new_with_free_func (_rs_lesson_message_free);
  self->shown_step = -1;
  self->end_from = -1;
  gtk_list_box_set_header_func (self->message_list, _rs_lesson_view_update_header, self, NULL);
  _rs_lesson_view_init_record (self);

  self->buffer = gtk_source_buffer_new (NULL);
  gtk_text_buffer_set_enable_undo (GTK_TEXT_BUFFER (self->buffer), FALSE);
  gtk_source_buffer_set_highlight_matching_brackets (self->buffer, FALSE);
  gtk_source_buffer_set_language (self->buffer, gtk_source_language_manager_get_language (languages, "c"));
  gtk_text_view_set_buffer (GTK_TEXT_VIEW (self->source_view), GTK_TEXT_BUFFER (self->buffer));

  /* Tints that read on the light and the dark scheme alike. */
  self->current_tag = gtk_text_buffer_create_tag (GTK_TEXT_BUFFER (self->buffer), "rs-current",
                                                  "paragraph-background", "rgba(53,132,228,0.22)", NULL);
  self->current_error_tag = gtk_text_buffer_create_tag (GTK_TEXT_BUFFER (self->buffer), "rs-current-error",
                                                        "paragraph-background", "rgba(224,27,36,0.22)", NULL);
  self->current_warning_tag = gtk_text_buffer_create_tag (GTK_TEXT_BUFFER (self->buffer), "rs-current-warning",
                                                          "paragraph-background", "rgba(229,165,10,0.28)", NULL);
  self->error_tag = gtk_text_buffer_create_tag (GTK_TEXT_BUFFER (self->buffer), "rs-error",
                                                "underline", PANGO_UNDERLINE_ERROR,
                                                "underline-rgba", &(GdkRGBA) { 0.88, 0.11, 0.14, 1.0 }, NULL);
  self->leak_tag = gtk_text_buffer_create_tag (GTK_TEXT_BUFFER (self->buffer), "rs-leak",
                                               "underline", PANGO_UNDERLINE_ERROR,
                                               "underline-rgba", &(GdkRGBA) { 0.90, 0.45, 0.05, 1.0 }, NULL);

  set_mark_icon (self, RS_LESSON_MARK_CURRENT, "go-next-symbolic", NULL, 10);
  set_mark_icon (self, RS_LESSON_MARK_ERROR, "dialog-error-symbolic", "rgba(224,27,36,0.10)", 20);
  set_mark_icon (self, RS_LESSON_MARK_LEAK, "dialog-warning-symbolic", "rgba(229,120,10,0.12)", 5);

  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->source_scroller), "notify::page-size",
                           G_CALLBACK (on_page_size_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->messages_scroller), "notify::page-size",
                           G_CALLBACK (on_page_size_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (style_manager, "notify::dark", G_CALLBACK (on_dark_changed), self, G_CONNECT_SWAPPED);
  on_dark_changed (self, NULL, style_manager);
  _rs_lesson_view_set_lesson_source (self, NULL, "");
}
