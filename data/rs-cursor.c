/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-cursor"

#include "rs-cursor.h"

struct _RsCursor {
  GObject    parent_instance;
  RsSession *session;
  int        position;
  /* A step run ahead (rs_cursor_run_ahead) and not reached yet: the history's
   * length right after it, else 0. */
  guint      ahead_length;
  GError    *ahead_error;   /* its failure */
  /* What is shown and the step before, held: a history that makes its
   * snapshots when asked for (a recording's) lets go of old ones. */
  RsSnapshot *shown;
  RsSnapshot *shown_previous;
};

enum {
  PROP_0,
  PROP_SESSION,
  PROP_POSITION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (RsCursor, rs_cursor, G_TYPE_OBJECT)

static void
rs_cursor_dispose (GObject *object)
{
  RsCursor *self = RS_CURSOR (object);

  g_clear_pointer (&self->shown, rs_snapshot_unref);
  g_clear_pointer (&self->shown_previous, rs_snapshot_unref);
  g_clear_object (&self->session);
  g_clear_error (&self->ahead_error);
  G_OBJECT_CLASS (rs_cursor_parent_class)->dispose (object);
}

static void
rs_cursor_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  RsCursor *self = RS_CURSOR (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_POSITION:
      g_value_set_int (value, self->position);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rs_cursor_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  RsCursor *self = RS_CURSOR (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rs_cursor_class_init (RsCursorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rs_cursor_dispose;
  object_class->get_property = rs_cursor_get_property;
  object_class->set_property = rs_cursor_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, RS_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POSITION] =
    g_param_spec_int ("position", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rs_cursor_init (RsCursor *self)
{
  self->position = -1;
}

RsCursor *
rs_cursor_new (RsSession *session)
{
  g_return_val_if_fail (RS_IS_SESSION (session), NULL);
  return g_object_new (RS_TYPE_CURSOR, "session", session, NULL);
}

RsSession *
rs_cursor_get_session (RsCursor *self)
{
  g_return_val_if_fail (RS_IS_CURSOR (self), NULL);
  return self->session;
}

int
rs_cursor_get_position (RsCursor *self)
{
  g_return_val_if_fail (RS_IS_CURSOR (self), -1);
  return self->position;
}

RsSnapshot *
rs_cursor_get_snapshot (RsCursor *self)
{
  g_return_val_if_fail (RS_IS_CURSOR (self), NULL);

  return self->shown;
}

RsSnapshot *
rs_cursor_get_previous (RsCursor *self)
{
  g_return_val_if_fail (RS_IS_CURSOR (self), NULL);

  return self->shown_previous;
}

static guint
recorded (RsCursor *self)
{
  return rs_history_get_length (rs_session_get_history (self->session));
}

/* TRUE while the last recorded step was run ahead and is not reached. Only
 * the cursor steps its session, but a run to the end on a worker thread
 * steps it directly: then the history has grown past it. */
static gboolean
is_ahead (RsCursor *self)
{
  return self->ahead_length != 0 && self->ahead_length == recorded (self);
}

guint
rs_cursor_get_length (RsCursor *self)
{
  g_return_val_if_fail (RS_IS_CURSOR (self), 0);
  return recorded (self) - (is_ahead (self) && self->position + 1 < (int) recorded (self) ? 1 : 0);
}

gboolean
rs_cursor_is_at_end (RsCursor *self)
{
  g_return_val_if_fail (RS_IS_CURSOR (self), TRUE);
  return rs_session_is_finished (self->session) &&
         self->position + 1 == (int) recorded (self);
}

static void
set_position (RsCursor *self,
              int       position)
{
  if (position + 1 >= (int) recorded (self))
    {
      self->ahead_length = 0;
      g_clear_error (&self->ahead_error);
    }
  if (self->position == position)
    return;
  self->position = position;
  g_clear_pointer (&self->shown, rs_snapshot_unref);
  g_clear_pointer (&self->shown_previous, rs_snapshot_unref);
  if (position >= 0)
    self->shown = rs_snapshot_ref (rs_history_get_snapshot (rs_session_get_history (self->session), position));
  if (position >= 1)
    self->shown_previous = rs_snapshot_ref (rs_history_get_snapshot (rs_session_get_history (self->session),
                                                                     position - 1));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
}

gboolean
rs_cursor_forward (RsCursor           *self,
                   RsStepGranularity   granularity,
                   GError            **error)
{
  RsHistory *history;
  RsSnapshot *snapshot;

  g_return_val_if_fail (RS_IS_CURSOR (self), FALSE);

  history = rs_session_get_history (self->session);
  /* A step run ahead failed: fail as it would have failed now. */
  if (is_ahead (self) && self->ahead_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->ahead_error));
      set_position (self, (int) recorded (self) - 1);
      return FALSE;
    }

  /* Replay what is recorded. */
  for (int next = self->position + 1; next < (int) rs_history_get_length (history); next++)
    if (rs_session_step_completes (rs_history_get_snapshot (history, next), granularity))
      {
        set_position (self, next);
        return TRUE;
      }

  /* Then go live. */
  snapshot = rs_session_advance (self->session, granularity, error);
  if (snapshot == NULL)
    {
      set_position (self, (int) rs_history_get_length (history) - 1);
      return FALSE;
    }
  set_position (self, rs_snapshot_get_step (snapshot));
  return TRUE;
}

gboolean
rs_cursor_run_ahead (RsCursor *self)
{
  guint length;

  g_return_val_if_fail (RS_IS_CURSOR (self), FALSE);

  length = recorded (self);
  if (is_ahead (self) || self->position + 1 != (int) length || rs_session_is_finished (self->session))
    return FALSE;
  g_clear_error (&self->ahead_error);
  if (rs_session_step (self->session, &self->ahead_error) == NULL && self->ahead_error == NULL)
    return FALSE;
  /* A failed step may have recorded nothing: its failure still waits. */
  self->ahead_length = recorded (self);
  return TRUE;
}

gboolean
rs_cursor_back (RsCursor *self)
{
  g_return_val_if_fail (RS_IS_CURSOR (self), FALSE);

  if (self->position <= 0)
    return FALSE;
  set_position (self, self->position - 1);
  return TRUE;
}

void
rs_cursor_seek (RsCursor *self,
                guint     step)
{
  guint length;

  g_return_if_fail (RS_IS_CURSOR (self));

  length = rs_cursor_get_length (self);
  if (length == 0)
    return;
  set_position (self, MIN (step, length - 1));
}
