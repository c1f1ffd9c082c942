/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-player"

#include "rs-player.h"

#include <glib/gi18n.h>

#include "rs-record-session.h"
#include "rs-scenario-session.h"

#define DEFAULT_SPEED 5
#define MAX_SPEED 120

struct _RsPlayer {
  GObject           parent_instance;

  char             *path;
  char             *title;
  RsDecodeSettings  settings;
  RsSession        *session;   /* owned: a decode session or a lesson */
  RsCursor         *cursor;    /* owned */

  guint             speed;
  guint             play_id;

  gboolean          busy;
  guint             progress;
  int               worker_steps;  /* atomic: steps the worker has recorded */
  guint             progress_id;
};

enum {
  PROP_0,
  PROP_PATH,
  PROP_TITLE,
  PROP_POSITION,
  PROP_LENGTH,
  PROP_COMPLETE,
  PROP_PLAYING,
  PROP_SPEED,
  PROP_BUSY,
  PROP_PROGRESS,
  N_PROPS
};

enum {
  SESSION_CHANGED,
  FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (RsPlayer, rs_player, G_TYPE_OBJECT)

static void stop_playing (RsPlayer *self);

static void
rs_player_dispose (GObject *object)
{
  RsPlayer *self = RS_PLAYER (object);

  /* A running GTask holds a reference on the player, so no worker thread
   * uses the session any more when we get here. */
  g_clear_handle_id (&self->play_id, g_source_remove);
  g_clear_handle_id (&self->progress_id, g_source_remove);
  g_clear_object (&self->cursor);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (rs_player_parent_class)->dispose (object);
}

static void
rs_player_finalize (GObject *object)
{
  RsPlayer *self = RS_PLAYER (object);

  g_free (self->path);
  g_free (self->title);
  G_OBJECT_CLASS (rs_player_parent_class)->finalize (object);
}

static void
rs_player_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  RsPlayer *self = RS_PLAYER (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_POSITION:
      g_value_set_int (value, rs_player_get_position (self));
      break;
    case PROP_LENGTH:
      g_value_set_uint (value, rs_player_get_length (self));
      break;
    case PROP_COMPLETE:
      g_value_set_boolean (value, rs_player_is_complete (self));
      break;
    case PROP_PLAYING:
      g_value_set_boolean (value, self->play_id != 0);
      break;
    case PROP_SPEED:
      g_value_set_uint (value, self->speed);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_PROGRESS:
      g_value_set_uint (value, self->progress);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rs_player_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  RsPlayer *self = RS_PLAYER (object);

  switch (prop_id)
    {
    case PROP_PLAYING:
      rs_player_set_playing (self, g_value_get_boolean (value));
      break;
    case PROP_SPEED:
      rs_player_set_speed (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rs_player_class_init (RsPlayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rs_player_dispose;
  object_class->finalize = rs_player_finalize;
  object_class->get_property = rs_player_get_property;
  object_class->set_property = rs_player_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POSITION] =
    g_param_spec_int ("position", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LENGTH] =
    g_param_spec_uint ("length", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PLAYING] =
    g_param_spec_boolean ("playing", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SPEED] =
    g_param_spec_uint ("speed", NULL, NULL, 1, MAX_SPEED, DEFAULT_SPEED,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROGRESS] =
    g_param_spec_uint ("progress", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Another file, or the same file restarted: everything shown is stale. */
  signals[SESSION_CHANGED] =
    g_signal_new ("session-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* A step taken while playing failed; playing stopped. */
  signals[FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
rs_player_init (RsPlayer *self)
{
  self->speed = DEFAULT_SPEED;
  rs_decode_settings_init (&self->settings);
}

RsPlayer *
rs_player_new (void)
{
  return g_object_new (RS_TYPE_PLAYER, NULL);
}

static void
on_cursor_position (RsPlayer *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
}

static void
notify_length (RsPlayer *self,
               guint     old_length,
               gboolean  old_complete)
{
  if (rs_player_get_length (self) != old_length)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LENGTH]);
  if (rs_player_is_complete (self) != old_complete)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
}

/* Everything shown is stale: says so once, after every property. */
static void
session_changed (RsPlayer *self,
                 gboolean  path_changed)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (path_changed)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATH]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LENGTH]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
  g_signal_emit (self, signals[SESSION_CHANGED], 0);
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
rs_player_open (RsPlayer               *self,
                const char             *path,
                const RsDecodeSettings *settings,
                RsScenarioProgram     **rejected,
                GError                **error)
{
  g_autoptr(RsSession) session = NULL;
  g_autoptr(RsCursor) cursor = NULL;
  g_autoptr(GError) step_error = NULL;
  g_autofree char *title = NULL;
  gboolean path_changed;

  g_return_val_if_fail (RS_IS_PLAYER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (settings != NULL, FALSE);
  g_return_val_if_fail (!self->busy, FALSE);

  if (rs_player_is_lesson (path))
    session = RS_SESSION (rs_scenario_session_new_from_file (path, rejected, error));
  else if (rs_record_session_is_recording (path))
    session = RS_SESSION (rs_record_session_new (path, error));
  else
    session = RS_SESSION (rs_decode_session_new (path, settings, error));
  if (session == NULL)
    return FALSE;
  cursor = rs_cursor_new (session);
  /* Show step 0 at once; a file whose first call already fails is as bad
   * as one that does not open. */
  if (!rs_cursor_forward (cursor, RS_STEP_CALL, &step_error) && step_error != NULL)
    {
      g_set_error (error, step_error->domain, step_error->code,
                   "%s: %s", path, step_error->message);
      return FALSE;
    }

  stop_playing (self);
  if (self->cursor != NULL)
    g_signal_handlers_disconnect_by_func (self->cursor, on_cursor_position, self);
  g_set_object (&self->session, session);
  g_set_object (&self->cursor, cursor);
  g_signal_connect_object (self->cursor, "notify::position",
                           G_CALLBACK (on_cursor_position), self, G_CONNECT_SWAPPED);
  self->settings = *settings;

  path_changed = g_strcmp0 (self->path, path) != 0;
  g_free (self->path);
  self->path = g_strdup (path);
  /* A recording is named by the program it recorded. */
  if (RS_IS_RECORD_SESSION (session) && rs_record_session_get_program (RS_RECORD_SESSION (session)) != NULL)
    title = g_filename_display_basename (rs_record_session_get_program (RS_RECORD_SESSION (session)));
  else
    title = g_filename_display_basename (path);
  g_free (self->title);
  self->title = g_steal_pointer (&title);

  session_changed (self, path_changed);
  return TRUE;
}

void
rs_player_close (RsPlayer *self)
{
  g_return_if_fail (RS_IS_PLAYER (self));
  g_return_if_fail (!self->busy);

  if (self->session == NULL)
    return;
  stop_playing (self);
  g_signal_handlers_disconnect_by_func (self->cursor, on_cursor_position, self);
  g_clear_object (&self->cursor);
  g_clear_object (&self->session);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->title, g_free);

  session_changed (self, TRUE);
}

gboolean
rs_player_is_lesson (const char *path)
{
  g_return_val_if_fail (path != NULL, FALSE);
  return g_str_has_suffix (path, ".c");
}

gboolean
rs_player_restart (RsPlayer               *self,
                   const RsDecodeSettings *settings,
                   GError                **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (RS_IS_PLAYER (self), FALSE);
  g_return_val_if_fail (self->path != NULL, FALSE);

  path = g_strdup (self->path);
  return rs_player_open (self, path, settings != NULL ? settings : &self->settings, NULL, error);
}

const char *
rs_player_get_path (RsPlayer *self)
{
  g_return_val_if_fail (RS_IS_PLAYER (self), NULL);
  return self->path;
}

const char *
rs_player_get_title (RsPlayer *self)
{
  g_return_val_if_fail (RS_IS_PLAYER (self), NULL);
  return self->title;
}

const RsDecodeSettings *
rs_player_get_settings (RsPlayer *self)
{
  g_return_val_if_fail (RS_IS_PLAYER (self), NULL);
  return &self->settings;
}

const RsStreamInfo *
rs_player_get_streams (RsPlayer *self,
                       guint    *n_streams)
{
  g_return_val_if_fail (RS_IS_PLAYER (self), NULL);
  g_return_val_if_fail (n_streams != NULL, NULL);

  *n_streams = 0;
  if (!RS_IS_DECODE_SESSION (self->session))
    return NULL;
  /* Fixed when the session opened, so readable while a worker runs it. */
  return rs_decode_session_get_streams (RS_DECODE_SESSION (self->session), n_streams);
}

RsCursor *
rs_player_get_cursor (RsPlayer *self)
{
  g_return_val_if_fail (RS_IS_PLAYER (self), NULL);
  return self->cursor;
}

RsHistory *
rs_player_get_history (RsPlayer *self)
{
  g_return_val_if_fail (RS_IS_PLAYER (self), NULL);

  if (self->session == NULL || self->busy)
    return NULL;
  return rs_session_get_history (RS_SESSION (self->session));
}

RsSnapshot *
rs_player_get_snapshot (RsPlayer *self)
{
  g_return_val_if_fail (RS_IS_PLAYER (self), NULL);

  if (self->cursor == NULL || self->busy)
    return NULL;
  return rs_cursor_get_snapshot (self->cursor);
}

RsSnapshot *
rs_player_get_previous (RsPlayer *self)
{
  g_return_val_if_fail (RS_IS_PLAYER (self), NULL);

  if (self->cursor == NULL || self->busy)
    return NULL;
  return rs_cursor_get_previous (self->cursor);
}

int
rs_player_get_position (RsPlayer *self)
{
  g_return_val_if_fail (RS_IS_PLAYER (self), -1);
  return self->cursor != NULL ? rs_cursor_get_position (self->cursor) : -1;
}

guint
rs_player_get_length (RsPlayer *self)
{
  g_return_val_if_fail (RS_IS_PLAYER (self), 0);

  if (self->cursor == NULL)
    return 0;
  if (self->busy)
    return (guint) g_atomic_int_get (&self->worker_steps);
  return rs_cursor_get_length (self->cursor);
}

gboolean
rs_player_is_at_end (RsPlayer *self)
{
  g_return_val_if_fail (RS_IS_PLAYER (self), FALSE);
  return self->cursor != NULL && !self->busy && rs_cursor_is_at_end (self->cursor);
}

gboolean
rs_player_is_complete (RsPlayer *self)
{
  g_return_val_if_fail (RS_IS_PLAYER (self), FALSE);
  return self->session != NULL && !self->busy &&
         rs_session_is_finished (RS_SESSION (self->session)) &&
         rs_cursor_get_length (self->cursor) == rs_history_get_length (rs_player_get_history (self));
}

gboolean
rs_player_run_ahead (RsPlayer *self)
{
  g_return_val_if_fail (RS_IS_PLAYER (self), FALSE);

  if (self->cursor == NULL || self->busy || rs_player_is_lesson (self->path))
    return FALSE;
  return rs_cursor_run_ahead (self->cursor);
}

gboolean
rs_player_forward (RsPlayer           *self,
                   RsStepGranularity   granularity,
                   GError            **error)
{
  guint old_length;
  gboolean old_complete;
  gboolean moved;

  g_return_val_if_fail (RS_IS_PLAYER (self), FALSE);

  if (self->cursor == NULL || self->busy)
    return FALSE;
  old_length = rs_player_get_length (self);
  old_complete = rs_player_is_complete (self);
  moved = rs_cursor_forward (self->cursor, granularity, error);
  notify_length (self, old_length, old_complete);
  return moved;
}

gboolean
rs_player_back (RsPlayer *self)
{
  g_return_val_if_fail (RS_IS_PLAYER (self), FALSE);

  if (self->cursor == NULL || self->busy)
    return FALSE;
  return rs_cursor_back (self->cursor);
}

void
rs_player_seek (RsPlayer *self,
                guint     step)
{
  g_return_if_fail (RS_IS_PLAYER (self));

  if (self->cursor == NULL || self->busy)
    return;
  rs_cursor_seek (self->cursor, step);
}

/* ---- playing ---- */

gboolean
rs_player_get_playing (RsPlayer *self)
{
  g_return_val_if_fail (RS_IS_PLAYER (self), FALSE);
  return self->play_id != 0;
}

static void
stop_playing (RsPlayer *self)
{
  if (self->play_id == 0)
    return;
  g_clear_handle_id (&self->play_id, g_source_remove);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
}

static gboolean
play_tick (gpointer data)
{
  RsPlayer *self = data;
  g_autoptr(GError) error = NULL;

  if (rs_player_forward (self, RS_STEP_CALL, &error) && !rs_player_is_at_end (self))
    return G_SOURCE_CONTINUE;

  self->play_id = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
  if (error != NULL)
    g_signal_emit (self, signals[FAILED], 0, error);
  return G_SOURCE_REMOVE;
}

static void
start_timer (RsPlayer *self)
{
  g_clear_handle_id (&self->play_id, g_source_remove);
  self->play_id = g_timeout_add_full (G_PRIORITY_DEFAULT, 1000 / self->speed, play_tick, self, NULL);
  g_source_set_name_by_id (self->play_id, "[refscope] play");
}

void
rs_player_set_playing (RsPlayer *self,
                       gboolean  playing)
{
  g_return_if_fail (RS_IS_PLAYER (self));

  playing = !!playing;
  if (playing == (self->play_id != 0))
    return;
  if (!playing)
    {
      stop_playing (self);
      return;
    }
  if (self->cursor == NULL || self->busy)
    return;
  /* Playing from the end starts over from the first step. */
  if (rs_player_is_at_end (self))
    rs_player_seek (self, 0);
  start_timer (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
}

guint
rs_player_get_speed (RsPlayer *self)
{
  g_return_val_if_fail (RS_IS_PLAYER (self), DEFAULT_SPEED);
  return self->speed;
}

void
rs_player_set_speed (RsPlayer *self,
                     guint     speed)
{
  g_return_if_fail (RS_IS_PLAYER (self));

  speed = CLAMP (speed, 1, MAX_SPEED);
  if (speed == self->speed)
    return;
  self->speed = speed;
  if (self->play_id != 0)
    start_timer (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPEED]);
}

/* ---- running to the end ---- */

gboolean
rs_player_get_busy (RsPlayer *self)
{
  g_return_val_if_fail (RS_IS_PLAYER (self), FALSE);
  return self->busy;
}

guint
rs_player_get_progress (RsPlayer *self)
{
  g_return_val_if_fail (RS_IS_PLAYER (self), 0);
  return self->progress;
}

static void
set_busy (RsPlayer *self,
          gboolean  busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static gboolean
progress_tick (gpointer data)
{
  RsPlayer *self = data;
  guint steps = (guint) g_atomic_int_get (&self->worker_steps);

  if (steps != self->progress)
    {
      self->progress = steps;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
    }
  return G_SOURCE_CONTINUE;
}

/* The worker thread: the only user of the session until it returns. */
static void
run_to_end_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  RsPlayer *self = source_object;
  RsSession *session = task_data;
  g_autoptr(GError) error = NULL;

  while (!g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      if (rs_session_step (session, &error) == NULL)
        break;
      g_atomic_int_inc (&self->worker_steps);
    }
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Back on the main thread: the session is ours again. Shows the last step
 * recorded, then completes the caller's task. */
static void
run_to_end_done (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  RsPlayer *self = RS_PLAYER (object);
  g_autoptr(GTask) outer = user_data;
  g_autoptr(GError) error = NULL;
  guint old_length = self->progress;

  g_clear_handle_id (&self->progress_id, g_source_remove);
  progress_tick (self);
  set_busy (self, FALSE);
  rs_cursor_seek (self->cursor, G_MAXUINT);
  notify_length (self, old_length, FALSE);

  if (g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_boolean (outer, TRUE);
  else
    g_task_return_error (outer, g_steal_pointer (&error));
}

void
rs_player_run_to_end_async (RsPlayer            *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) worker = NULL;

  g_return_if_fail (RS_IS_PLAYER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rs_player_run_to_end_async);

  if (self->session == NULL || self->busy)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, _("A session is already running"));
      return;
    }

  stop_playing (self);
  g_atomic_int_set (&self->worker_steps, (int) rs_cursor_get_length (self->cursor));
  self->progress = (guint) g_atomic_int_get (&self->worker_steps);
  self->progress_id = g_timeout_add (100, progress_tick, self);
  g_source_set_name_by_id (self->progress_id, "[refscope] run progress");
  set_busy (self, TRUE);

  worker = g_task_new (self, cancellable, run_to_end_done, g_steal_pointer (&task));
  g_task_set_source_tag (worker, run_to_end_thread);
  g_task_set_name (worker, "[refscope] run to end");
  g_task_set_task_data (worker, g_object_ref (self->session), g_object_unref);
  g_task_set_return_on_cancel (worker, FALSE);
  g_task_run_in_thread (worker, run_to_end_thread);
}

gboolean
rs_player_run_to_end_finish (RsPlayer      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (RS_IS_PLAYER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
