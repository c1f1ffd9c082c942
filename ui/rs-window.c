/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-window"

#include "rs-window-private.h"

#include <glib/gi18n.h>

#include "rs-error.h"
#include "rs-ui-private.h"

enum {
  PROP_0,
  PROP_PLAYING,
  PROP_SPEED,
  PROP_LEGEND,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (RsWindow, rs_window, ADW_TYPE_APPLICATION_WINDOW)

/* ---- showing the step ---- */

static void
update_title (RsWindow   *self,
              RsSnapshot *snapshot)
{
  const char *title = rs_player_get_title (self->player);
  g_autofree char *call = NULL;

  g_clear_pointer (&self->subtitle, g_free);
  if (snapshot != NULL)
    {
      g_autofree char *site = _rs_ui_format_site (rs_snapshot_get_site (snapshot));

      call = _rs_ui_format_call (snapshot);
      self->subtitle = g_strdup_printf (_("step %u · %s%s%s%s"), RS_STEP_NUMBER (rs_snapshot_get_step (snapshot)), call,
                                        site != NULL ? " · " : "", site != NULL ? site : "",
                                        rs_snapshot_is_exact (snapshot) ? "" : _(" · approximate"));
    }
  adw_window_title_set_title (self->window_title, title != NULL ? title : _("Refscope"));
  adw_window_title_set_subtitle (self->window_title, self->subtitle != NULL ? self->subtitle : "");
  gtk_window_set_title (GTK_WINDOW (self), title != NULL ? title : _("Refscope"));
}

static void
update_position_label (RsWindow *self)
{
  int position = rs_player_get_position (self->player);
  guint length = rs_player_get_length (self->player);
  g_autofree char *text = NULL;

  if (position < 0)
    text = g_strdup ("");
  else if (rs_player_is_complete (self->player))
    text = g_strdup_printf (_("Step %u of %u"), RS_STEP_NUMBER (position), length);
  else
    text = g_strdup_printf (_("Step %u · %u recorded"), RS_STEP_NUMBER (position), length);
  gtk_label_set_text (self->position_label, text);
}

static void
update_events_label (RsWindow   *self,
                     RsSnapshot *snapshot)
{
  guint allocated = 0, freed = 0, other = 0;
  const char *error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  if (snapshot == NULL)
    {
      gtk_label_set_text (self->events_label, "");
      return;
    }
  for (guint i = 0; i < rs_snapshot_get_n_events (snapshot); i++)
    {
      const RsEvent *event = rs_snapshot_get_event (snapshot, i);

      switch (event->kind)
        {
        case RS_EVENT_ALLOCATED: allocated++; break;
        case RS_EVENT_FREED:     freed++; break;
        case RS_EVENT_ERROR:     error = event->message != NULL ? event->message : _("error"); break;
        default:                 other++; break;
        }
    }
  if (allocated > 0)
    g_string_append_printf (text, g_dngettext (NULL, "%u buffer allocated", "%u buffers allocated", allocated), allocated);
  if (freed > 0)
    {
      if (text->len > 0)
        g_string_append (text, " · ");
      g_string_append_printf (text, g_dngettext (NULL, "%u freed", "%u freed", freed), freed);
    }
  if (error != NULL)
    {
      if (text->len > 0)
        g_string_append (text, " · ");
      g_string_append (text, error);
    }
  if (text->len == 0)
    g_string_append (text, _("no buffer allocated or freed"));
  gtk_label_set_text (self->events_label, text->str);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->events_label), text->str);
}

static void
update_inspector (RsWindow *self)
{
  RsSnapshot *snapshot = rs_graph_view_get_snapshot (self->graph_view);

  rs_inspector_show (self->inspector, rs_graph_view_get_selection (self->graph_view),
                     snapshot, rs_player_get_history (self->player), rs_player_get_length (self->player));
}

/* ---- the next step, prepared while this one is looked at ---- */

static gboolean
prepare_next_step (gpointer data)
{
  RsWindow *self = data;
  RsSnapshot *snapshot = rs_player_get_snapshot (self->player);
  RsHistory *history;
  int position = rs_player_get_position (self->player);

  self->ahead_id = 0;
  if (snapshot == NULL || rs_player_get_busy (self->player))
    return G_SOURCE_REMOVE;
  /* Going back, the step before is the likely next one. */
  if (self->backwards && position > 0)
    {
      history = rs_player_get_history (self->player);
      rs_graph_view_prepare (self->graph_view, rs_history_get_snapshot (history, position - 1),
                             position > 1 ? rs_history_get_snapshot (history, position - 2) : NULL);
      return G_SOURCE_REMOVE;
    }
  rs_player_run_ahead (self->player);
  history = rs_player_get_history (self->player);
  if (history != NULL && position + 1 < (int) rs_history_get_length (history))
    rs_graph_view_prepare (self->graph_view, rs_history_get_snapshot (history, position + 1), snapshot);
  return G_SOURCE_REMOVE;
}

static void
on_step_painted (GdkFrameClock *clock,
                 RsWindow      *self)
{
  g_signal_handlers_disconnect_by_func (clock, on_step_painted, self);
  g_clear_object (&self->ahead_clock);
  if (self->ahead_id == 0)
    self->ahead_id = g_idle_add (prepare_next_step, self);
}

/* Once the step shown is on screen, runs the next call and lays out its
 * graph (rs_player_run_ahead, rs_graph_view_prepare): the next Step then
 * only shows them. After a step back, the step before is prepared. */
static void
schedule_next_step (RsWindow *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  if (self->ahead_clock != NULL || self->ahead_id != 0 || self->player == NULL)
    return;
  if (clock == NULL)
    {
      self->ahead_id = g_idle_add (prepare_next_step, self);
      return;
    }
  self->ahead_clock = g_object_ref (clock);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_step_painted), self);
}

static void
cancel_next_step (RsWindow *self)
{
  if (self->ahead_clock != NULL)
    g_signal_handlers_disconnect_by_func (self->ahead_clock, on_step_painted, self);
  g_clear_object (&self->ahead_clock);
  g_clear_handle_id (&self->ahead_id, g_source_remove);
}

void
_rs_window_prepare_ahead (RsWindow *self)
{
  cancel_next_step (self);
  schedule_next_step (self);
}

void
_rs_window_show_step (RsWindow *self)
{
  RsSnapshot *snapshot = rs_player_get_snapshot (self->player);
  g_autoptr(GError) error = NULL;

  /* While running to the end the history is the worker's: keep showing
   * what is shown (the view holds its own references). */
  if (rs_player_get_busy (self->player))
    return;

  if (!rs_graph_view_set_snapshot (self->graph_view, snapshot,
                                   rs_player_get_previous (self->player), &error))
    _rs_window_show_error (self, error);
  gtk_stack_set_visible_child_name (self->content_stack, snapshot != NULL ? "graph" : "empty");
  update_title (self, snapshot);
  update_position_label (self);
  update_events_label (self, snapshot);
  rs_timeline_set_position (self->timeline, rs_player_get_position (self->player));
  update_inspector (self);
  _rs_window_update_lesson (self, snapshot);
  _rs_window_update_actions (self);
  _rs_window_update_overlays (self);
  self->backwards = rs_player_get_position (self->player) < self->shown_position;
  self->shown_position = rs_player_get_position (self->player);
  if (snapshot != NULL)
    schedule_next_step (self);
}

/* ---- the player ---- */

static void
on_position_changed (RsWindow *self)
{
  _rs_window_show_step (self);
}

static void
on_length_changed (RsWindow *self)
{
  if (rs_player_get_busy (self->player))
    return;
  rs_timeline_update (self->timeline, rs_player_get_history (self->player), rs_player_get_length (self->player));
  rs_timeline_set_complete (self->timeline, rs_player_is_complete (self->player));
  update_position_label (self);
  _rs_window_update_actions (self);
}

/* The session opened without the streams it could not decode: say which,
 * once, so a missing track is not a mystery (the pipeline popover lists
 * every stream). */
static void
show_skipped_streams (RsWindow           *self,
                      const RsStreamInfo *streams,
                      guint               n_streams)
{
  g_autoptr(GString) message = NULL;

  for (guint i = 0; i < n_streams; i++)
    {
      if (!rs_stream_status_is_skipped (streams[i].status))
        continue;
      if (message == NULL)
        message = g_string_new (NULL);
      else
        g_string_append (message, "; ");
      g_string_append_printf (message, _("Stream %d (%s, %s) skipped: %s"), streams[i].index, streams[i].type,
                              streams[i].codec, _(rs_stream_status_to_words (streams[i].status)));
    }
  if (message != NULL)
    rs_window_show_message (self, message->str);
}

static void
on_session_changed (RsWindow *self)
{
  guint n_streams = 0;
  const RsStreamInfo *streams = rs_player_get_streams (self->player, &n_streams);

  rs_timeline_update (self->timeline, NULL, 0);
  on_length_changed (self);
  rs_pipeline_popover_set_settings (self->pipeline_popover, rs_player_get_settings (self->player));
  rs_pipeline_popover_set_streams (self->pipeline_popover, streams, n_streams);
  show_skipped_streams (self, streams, n_streams);
  _rs_window_show_step (self);
}

static void
on_playing_changed (RsWindow *self)
{
  gboolean playing = rs_player_get_playing (self->player);

  gtk_button_set_icon_name (GTK_BUTTON (self->play_button),
                            playing ? "media-playback-pause-symbolic" : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->play_button), playing ? _("Pause") : _("Play"));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
}

static void
on_speed_changed (RsWindow *self)
{
  guint speed = rs_player_get_speed (self->player);
  g_autofree char *label = g_strdup_printf (g_dngettext (NULL, "%u step/s", "%u steps/s", speed), speed);

  gtk_menu_button_set_label (self->speed_button, label);
  if (self->settings != NULL && g_settings_get_uint (self->settings, "speed") != speed)
    g_settings_set_uint (self->settings, "speed", speed);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPEED]);
}

void
_rs_window_update_progress (RsWindow *self)
{
  gboolean busy = rs_player_get_busy (self->player);
  g_autofree char *text = NULL;

  /* An export runs the session to the end first: its words win. */
  text = _rs_window_get_export_progress (self);
  if (text == NULL && busy)
    text = g_strdup_printf (_("Running to the end… %u steps"), rs_player_get_progress (self->player));
  gtk_revealer_set_reveal_child (self->run_revealer, text != NULL);
  gtk_spinner_set_spinning (self->run_spinner, text != NULL);
  if (text != NULL)
    gtk_label_set_text (self->run_label, text);
}

static void
on_busy_changed (RsWindow *self)
{
  _rs_window_update_progress (self);
  _rs_window_update_actions (self);
  if (!rs_player_get_busy (self->player))
    on_length_changed (self);
}

static void
on_progress_changed (RsWindow *self)
{
  _rs_window_update_progress (self);
}

static void
on_player_failed (RsWindow     *self,
                  const GError *error)
{
  _rs_window_show_error (self, error);
}

/* ---- the parts ---- */

/* The popover shows the settings in use each time it opens, so what was
 * changed and not applied is forgotten. */
static void
on_pipeline_popover_show (RsWindow *self)
{
  rs_pipeline_popover_set_settings (self->pipeline_popover, rs_player_get_settings (self->player));
}

void
_rs_window_reveal_inspector (RsWindow *self,
                             gboolean  reveal)
{
  self->inspector_auto = TRUE;
  adw_flap_set_reveal_flap (self->flap, reveal);
  self->inspector_auto = FALSE;
}

/* With nothing selected yet the inspector has only a placeholder to show:
 * the graph takes its room (the first-run hint says to click a node). It
 * opens on a selection, unless the user hid it (F9, its button). It does
 * not close on a click in the void: the graph and the source beside it
 * would jump at every click. */
static void
on_graph_selection_changed (RsWindow *self)
{
  update_inspector (self);
  if (!self->inspector_chosen && rs_graph_view_get_selection (self->graph_view)->kind != RS_SELECTION_NONE)
    _rs_window_reveal_inspector (self, TRUE);
}

static void
on_flap_revealed (RsWindow *self)
{
  if (!self->inspector_auto)
    self->inspector_chosen = TRUE;
}

/* The flap is locked (so that unfolding does not open it by itself): a
 * narrow window still folds it away, and a wide one shows it again if
 * something is selected. */
static void
on_flap_folded (RsWindow *self)
{
  if (adw_flap_get_folded (self->flap))
    _rs_window_reveal_inspector (self, FALSE);
  else if (!self->inspector_chosen)
    _rs_window_reveal_inspector (self, rs_graph_view_get_selection (self->graph_view)->kind != RS_SELECTION_NONE);
}

static void
on_inspector_select (RsWindow          *self,
                     const RsSelection *selection)
{
  rs_graph_view_set_selection (self->graph_view, selection);
}

static void
on_seek (RsWindow *self,
         guint     step)
{
  rs_player_set_playing (self->player, FALSE);
  rs_player_seek (self->player, step);
  /* A jump lands anywhere: keep what is selected in view. */
  _rs_window_reveal_selection (self);
}

static void
on_zoom_changed (RsWindow *self)
{
  g_autofree char *text = g_strdup_printf ("%.0f%%", rs_graph_view_get_zoom (self->graph_view) * 100);

  gtk_label_set_text (self->zoom_label, text);
}

static void
on_legend_changed (RsWindow *self)
{
  gboolean legend = rs_graph_view_get_legend (self->graph_view);

  if (self->settings != NULL && g_settings_get_boolean (self->settings, "legend") != legend)
    g_settings_set_boolean (self->settings, "legend", legend);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LEGEND]);
}

/* The user's choice, folded or unfolded, is the legend's next time too;
 * the fold after five steps is no choice. */
static void
on_legend_expanded_changed (RsWindow *self)
{
  g_autofree char *saved = NULL;
  const char *card;

  if (self->settings == NULL || !rs_graph_view_get_legend_chosen (self->graph_view))
    return;
  card = rs_graph_view_get_legend_expanded (self->graph_view) ? "unfolded" : "folded";
  saved = g_settings_get_string (self->settings, "legend-card");
  if (!g_str_equal (saved, card))
    g_settings_set_string (self->settings, "legend-card", card);
}

static void
on_graph_failed (RsWindow     *self,
                 const GError *error)
{
  _rs_window_show_error (self, error);
}

static void
on_dark_changed (RsWindow        *self,
                 GParamSpec      *pspec,
                 AdwStyleManager *style_manager)
{
  rs_graph_view_set_dark (self->graph_view, adw_style_manager_get_dark (style_manager));
}

/* ---- drag and drop ---- */

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         RsWindow      *self)
{
  GFile *file = NULL;
  g_autofree char *path = NULL;

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = g_value_get_boxed (value);

      if (files != NULL)
        file = files->data;
    }
  else if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    file = g_value_get_object (value);
  if (file == NULL)
    return FALSE;

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_autoptr(GError) error = g_error_new (RS_ERROR, RS_ERROR_REFUSED,
                                             _("%s: refused: not a local file; Refscope opens local files only"), uri);

      _rs_window_show_error (self, error);
      return FALSE;
    }
  return rs_window_open (self, path, NULL);
}

/* ---- public ---- */

gboolean
rs_window_open (RsWindow               *self,
                const char             *path,
                const RsDecodeSettings *settings)
{
  g_autoptr(GError) error = NULL;
  RsScenarioProgram *rejected = NULL;

  g_return_val_if_fail (RS_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (rs_player_get_busy (self->player))
    return FALSE;
  if (settings == NULL)
    settings = rs_player_get_settings (self->player);
  /* Another file: nothing selected; the same file restarted keeps the
   * selection, since ids are the same in a replay. */
  if (g_strcmp0 (path, rs_player_get_path (self->player)) != 0)
    {
      RsSelection none = { RS_SELECTION_NONE, 0, NULL };

      rs_graph_view_set_selection (self->graph_view, &none);
      rs_graph_view_reset_zoom (self->graph_view);
    }
  if (!rs_player_open (self->player, path, settings, &rejected, &error))
    {
      if (rejected != NULL)
        _rs_window_show_lesson_errors (self, path, rejected);
      else
        _rs_window_show_error (self, error);
      return FALSE;
    }
  _rs_window_dismiss_error (self);
  _rs_window_add_recent (self, path);
  return TRUE;
}

void
rs_window_set_settings (RsWindow  *self,
                        GSettings *settings)
{
  g_autofree char *card = NULL;

  g_return_if_fail (RS_IS_WINDOW (self));
  g_return_if_fail (settings == NULL || G_IS_SETTINGS (settings));

  if (!g_set_object (&self->settings, settings) || settings == NULL)
    return;
  rs_player_set_speed (self->player, g_settings_get_uint (settings, "speed"));
  rs_graph_view_set_legend (self->graph_view, g_settings_get_boolean (settings, "legend"));
  card = g_settings_get_string (settings, "legend-card");
  if (!g_str_equal (card, "auto"))
    rs_graph_view_set_legend_expanded (self->graph_view, g_str_equal (card, "unfolded"));
  self->stepped = self->stepped || g_settings_get_boolean (settings, "stepped");
  _rs_window_update_overlays (self);
}

RsPlayer *
rs_window_get_player (RsWindow *self)
{
  g_return_val_if_fail (RS_IS_WINDOW (self), NULL);
  return self->player;
}

RsGraphView *
rs_window_get_graph_view (RsWindow *self)
{
  g_return_val_if_fail (RS_IS_WINDOW (self), NULL);
  return self->graph_view;
}

RsInspector *
rs_window_get_inspector (RsWindow *self)
{
  g_return_val_if_fail (RS_IS_WINDOW (self), NULL);
  return self->inspector;
}

RsTimeline *
rs_window_get_timeline (RsWindow *self)
{
  g_return_val_if_fail (RS_IS_WINDOW (self), NULL);
  return self->timeline;
}

const char *
rs_window_get_subtitle (RsWindow *self)
{
  g_return_val_if_fail (RS_IS_WINDOW (self), NULL);
  return self->subtitle;
}

const char *
rs_window_get_last_message (RsWindow *self)
{
  g_return_val_if_fail (RS_IS_WINDOW (self), NULL);
  return self->last_message;
}

/* ---- GObject ---- */

static void
rs_window_dispose (GObject *object)
{
  RsWindow *self = RS_WINDOW (object);

  if (self->run_cancellable != NULL)
    g_cancellable_cancel (self->run_cancellable);
  g_clear_object (&self->run_cancellable);
  _rs_window_cancel_export (self);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  if (self->player != NULL)
    {
      rs_player_set_playing (self->player, FALSE);
      g_signal_handlers_disconnect_by_data (self->player, self);
    }
  g_clear_object (&self->player);
  cancel_next_step (self);
  g_clear_object (&self->settings);
  _rs_window_dispose_lessons (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), RS_TYPE_WINDOW);
  G_OBJECT_CLASS (rs_window_parent_class)->dispose (object);
}

static void
rs_window_finalize (GObject *object)
{
  RsWindow *self = RS_WINDOW (object);

  g_free (self->subtitle);
  g_free (self->last_message);
  g_free (self->summary);
  g_free (self->search_message);
  g_clear_object (&self->recent_menu);
  G_OBJECT_CLASS (rs_window_parent_class)->finalize (object);
}

static void
rs_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  RsWindow *self = RS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PLAYING:
      g_value_set_boolean (value, rs_player_get_playing (self->player));
      break;
    case PROP_SPEED:
      g_value_set_uint (value, rs_player_get_speed (self->player));
      break;
    case PROP_LEGEND:
      /* Asked while the template is built, before the view exists. */
      g_value_set_boolean (value, self->graph_view != NULL && rs_graph_view_get_legend (self->graph_view));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rs_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  RsWindow *self = RS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PLAYING:
      rs_player_set_playing (self->player, g_value_get_boolean (value));
      break;
    case PROP_SPEED:
      rs_player_set_speed (self->player, g_value_get_uint (value));
      break;
    case PROP_LEGEND:
      rs_graph_view_set_legend (self->graph_view, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rs_window_class_init (RsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rs_window_dispose;
  object_class->finalize = rs_window_finalize;
  object_class->get_property = rs_window_get_property;
  object_class->set_property = rs_window_set_property;

  /* Playing, and its speed in steps a second: the state of win.play and
   * win.speed. */
  properties[PROP_PLAYING] =
    g_param_spec_boolean ("playing", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SPEED] =
    g_param_spec_uint ("speed", NULL, NULL, 1, 120, 5,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The graph's legend: the state of win.legend. */
  properties[PROP_LEGEND] =
    g_param_spec_boolean ("legend", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (RS_TYPE_GRAPH_VIEW);
  g_type_ensure (RS_TYPE_INSPECTOR);
  g_type_ensure (RS_TYPE_TIMELINE);
  g_type_ensure (RS_TYPE_PIPELINE_POPOVER);
  g_type_ensure (RS_TYPE_LESSON_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/refscope/Refscope/rs-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, primary_menu);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, graph_view);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, inspector);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, timeline);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, pipeline_popover);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, pipeline_button);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, play_button);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, speed_button);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, position_label);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, events_label);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, zoom_label);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, run_revealer);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, run_spinner);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, run_label);
  /* For tests (gtk_widget_get_template_child). */
  gtk_widget_class_bind_template_child_full (widget_class, "inspector_button", FALSE, 0);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, hint_revealer);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, hint_label);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, summary_revealer);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, summary_title);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, summary_label);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, summary_leaks);
  gtk_widget_class_bind_template_callback (widget_class, on_graph_selection_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_inspector_select);
  gtk_widget_class_bind_template_callback (widget_class, on_flap_revealed);
  gtk_widget_class_bind_template_callback (widget_class, on_flap_folded);
  gtk_widget_class_bind_template_callback (widget_class, on_seek);
  gtk_widget_class_bind_template_callback (widget_class, on_pipeline_popover_show);

  _rs_window_class_init_overlays (widget_class);
  _rs_window_class_init_actions (widget_class);
  _rs_window_class_init_find (widget_class);
  _rs_window_class_init_lessons (widget_class);
  _rs_window_class_init_export (widget_class);
}

static void
rs_window_init (RsWindow *self)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  GtkDropTarget *drop;

  /* Before the template: win.play and win.speed read the player. */
  self->player = rs_player_new ();
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_swapped (self->player, "notify::position", G_CALLBACK (on_position_changed), self);
  g_signal_connect_swapped (self->player, "notify::length", G_CALLBACK (on_length_changed), self);
  g_signal_connect_swapped (self->player, "notify::complete", G_CALLBACK (on_length_changed), self);
  g_signal_connect_swapped (self->player, "notify::playing", G_CALLBACK (on_playing_changed), self);
  g_signal_connect_swapped (self->player, "notify::speed", G_CALLBACK (on_speed_changed), self);
  g_signal_connect_swapped (self->player, "notify::busy", G_CALLBACK (on_busy_changed), self);
  g_signal_connect_swapped (self->player, "notify::progress", G_CALLBACK (on_progress_changed), self);
  g_signal_connect_swapped (self->player, "session-changed", G_CALLBACK (on_session_changed), self);
  g_signal_connect_swapped (self->player, "failed", G_CALLBACK (on_player_failed), self);

  g_signal_connect_object (self->graph_view, "notify::zoom", G_CALLBACK (on_zoom_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->graph_view, "notify::legend", G_CALLBACK (on_legend_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->graph_view, "notify::legend-expanded", G_CALLBACK (on_legend_expanded_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->graph_view, "failed", G_CALLBACK (on_graph_failed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (style_manager, "notify::dark", G_CALLBACK (on_dark_changed), self, G_CONNECT_SWAPPED);
  rs_graph_view_set_dark (self->graph_view, adw_style_manager_get_dark (style_manager));

  _rs_window_add_space_shortcuts (self);
  _rs_window_init_lessons (self);
  _rs_window_init_recent (self);

  drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop, (GType[2]) { GDK_TYPE_FILE_LIST, G_TYPE_FILE }, 2);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  on_speed_changed (self);
  on_zoom_changed (self);
  rs_pipeline_popover_set_settings (self->pipeline_popover, rs_player_get_settings (self->player));
  _rs_window_update_actions (self);
  _rs_window_dismiss_error (self);
  gtk_label_set_markup (self->hint_label,
                        /* Translators: the first-run hint over the graph; keep the <b> marks. */
                        _("<b>Space</b> next call   ·   <b>Backspace</b> back   ·   "
                          "<b>Ctrl+F</b> find   ·   <b>Ctrl+?</b> every key   ·   "
                          "<b>Click</b> a node to inspect it"));
  _rs_window_update_overlays (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->graph_view));
}

RsWindow *
rs_window_new (GtkApplication *application)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  return g_object_new (RS_TYPE_WINDOW, "application", application, NULL);
}
