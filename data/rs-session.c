/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-session"

#include "rs-session.h"

G_DEFINE_INTERFACE (RsSession, rs_session, G_TYPE_OBJECT)

static void
rs_session_default_init (RsSessionInterface *iface)
{
}

RsSnapshot *
rs_session_step (RsSession  *self,
                 GError    **error)
{
  g_return_val_if_fail (RS_IS_SESSION (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return RS_SESSION_GET_IFACE (self)->step (self, error);
}

gboolean
rs_session_step_completes (RsSnapshot        *snapshot,
                           RsStepGranularity  granularity)
{
  const char *call = rs_snapshot_get_call (snapshot);

  switch (granularity)
    {
    case RS_STEP_PACKET:
      return g_str_equal (call, "av_read_frame") && rs_snapshot_get_out (snapshot) != NULL;
    case RS_STEP_FRAME:
      return g_str_equal (call, "avcodec_receive_frame") && rs_snapshot_get_out (snapshot) != NULL;
    case RS_STEP_CALL:
    default:
      return TRUE;
    }
}

RsSnapshot *
rs_session_advance (RsSession          *self,
                    RsStepGranularity   granularity,
                    GError            **error)
{
  RsSnapshot *snapshot;

  g_return_val_if_fail (RS_IS_SESSION (self), NULL);

  while ((snapshot = rs_session_step (self, error)) != NULL)
    if (rs_session_step_completes (snapshot, granularity))
      break;
  return snapshot;
}

gboolean
rs_session_is_finished (RsSession *self)
{
  g_return_val_if_fail (RS_IS_SESSION (self), TRUE);
  return RS_SESSION_GET_IFACE (self)->is_finished (self);
}

RsHistory *
rs_session_get_history (RsSession *self)
{
  g_return_val_if_fail (RS_IS_SESSION (self), NULL);
  return RS_SESSION_GET_IFACE (self)->get_history (self);
}

const char *
rs_session_get_name (RsSession *self)
{
  g_return_val_if_fail (RS_IS_SESSION (self), NULL);
  return RS_SESSION_GET_IFACE (self)->get_name (self);
}
