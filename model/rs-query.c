/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-query"

#include "rs-query.h"

GArray *
rs_snapshot_get_retainers (const RsSnapshot *snapshot,
                           guint64           buffer_id)
{
  GArray *retainers;
  const RsBuffer *buffer;

  g_return_val_if_fail (snapshot != NULL, NULL);

  retainers = g_array_new (FALSE, TRUE, sizeof (RsRetainer));
  buffer = rs_snapshot_find_buffer (snapshot, buffer_id);
  if (buffer == NULL)
    return retainers;

  for (guint i = 0; i < rs_snapshot_get_n_handles (snapshot); i++)
    {
      const RsHandle *handle = rs_snapshot_get_handle (snapshot, i);

      for (guint r = 0; r < handle->n_refs; r++)
        if (handle->refs[r].buffer == buffer_id)
          {
            RsRetainer retainer = { handle->id, handle->refs[r].field, handle->holder, 1 };
            g_array_append_val (retainers, retainer);
          }
    }

  if (buffer->hidden > 0)
    {
      RsRetainer retainer = { NULL, NULL, buffer->holder, buffer->hidden };
      g_array_append_val (retainers, retainer);
    }
  return retainers;
}

GPtrArray *
rs_snapshot_get_leaks (const RsSnapshot *snapshot)
{
  GPtrArray *leaks;

  g_return_val_if_fail (snapshot != NULL, NULL);

  leaks = g_ptr_array_new ();
  for (guint i = 0; i < rs_snapshot_get_n_buffers (snapshot); i++)
    {
      const RsBuffer *buffer = rs_snapshot_get_buffer (snapshot, i);

      if (buffer->leaked || (buffer->tracked && buffer->visible == 0 && buffer->holder == NULL))
        g_ptr_array_add (leaks, (gpointer) buffer);
    }
  return leaks;
}
