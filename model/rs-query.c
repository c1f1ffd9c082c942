/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-query"

#include "rs-query.h"
#include "rs-intern.h"

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
      RsRetainer retainer = { NULL, NULL, buffer->holder, buffer->hidden, FALSE };
      g_array_append_val (retainers, retainer);
    }
  if (buffer->lost > 0)
    {
      RsRetainer retainer = { NULL, NULL, NULL, buffer->lost, TRUE };
      g_array_append_val (retainers, retainer);
    }
  return retainers;
}

const RsEvent *
rs_history_find_loss (RsHistory *history,
                      guint64    buffer_id,
                      guint      until,
                      guint     *step)
{
  g_return_val_if_fail (history != NULL, NULL);

  for (guint s = 0; s < rs_history_get_length (history) && s <= until; s++)
    {
      RsSnapshot *snapshot = rs_history_get_snapshot (history, s);

      for (guint k = 0; k < rs_snapshot_get_n_events (snapshot); k++)
        {
          const RsEvent *event = rs_snapshot_get_event (snapshot, k);

          if (event->kind == RS_EVENT_LOST && event->buffer == buffer_id)
            {
              if (step != NULL)
                *step = s;
              return event;
            }
        }
    }
  return NULL;
}

/* The leaked handles of `last` by the buffers they hold (buffer id to handle
 * id, the first such handle in snapshot order): one look at each leaked
 * handle, however many buffers leaked. */
static GHashTable *
leaked_holders (RsSnapshot *last)
{
  GHashTable *holders = g_hash_table_new (g_int64_hash, g_int64_equal);

  for (guint i = 0; i < rs_snapshot_get_n_handles (last); i++)
    {
      const RsHandle *handle = rs_snapshot_get_handle (last, i);

      for (guint r = 0; handle->leaked && r < handle->n_refs; r++)
        if (!g_hash_table_contains (holders, &handle->refs[r].buffer))
          g_hash_table_insert (holders, (gpointer) &handle->refs[r].buffer, (gpointer) handle->id);
    }
  return holders;
}

/* The leaked buffers of `last`, in its order, without where they were lost
 * (filled by the pass over the history). */
static GArray *
leaked_buffers (RsHistory  *history,
                RsSnapshot *last)
{
  g_autoptr(GHashTable) holders = leaked_holders (last);
  GArray *leaks = g_array_new (FALSE, TRUE, sizeof (RsLeak));

  for (guint i = 0; i < rs_snapshot_get_n_buffers (last); i++)
    {
      const RsBuffer *buffer = rs_snapshot_get_buffer (last, i);
      RsLeak leak;

      if (!buffer->leaked && buffer->lost == 0)
        continue;
      leak = (RsLeak) {
        .kind = RS_LEAK_BUFFER, .buffer = buffer->id, .handle = g_hash_table_lookup (holders, &buffer->id),
        .buffer_kind = buffer->kind, .size = buffer->size, .refcount = buffer->refcount,
        .lost = buffer->lost, .origin = buffer->origin, .born = buffer->born, .born_site = *buffer->site,
      };
      if (buffer->born < rs_history_get_length (history))
        leak.born_call = rs_intern (rs_snapshot_get_call (rs_history_get_snapshot (history, buffer->born)));
      g_array_append_val (leaks, leak);
    }
  return leaks;
}

GArray *
rs_history_query_leaks (RsHistory *history)
{
  g_autoptr(GArray) buffer_leaks = NULL;
  g_autoptr(GHashTable) by_id = NULL;
  GArray *leaks;
  RsSnapshot *last;

  g_return_val_if_fail (history != NULL, NULL);

  leaks = g_array_new (FALSE, TRUE, sizeof (RsLeak));
  if ((last = rs_history_get_last (history)) == NULL)
    return leaks;

  for (guint i = 0; i < rs_snapshot_get_n_handles (last); i++)
    {
      const RsHandle *handle = rs_snapshot_get_handle (last, i);
      RsLeak leak = { .kind = RS_LEAK_HANDLE, .handle = handle->id, .handle_kind = handle->kind,
                      .origin = handle->origin, .born = handle->born, .born_call = handle->origin,
                      .born_site = *handle->site };

      if (handle->leaked)
        g_array_append_val (leaks, leak);
    }

  /* Where each leaked buffer was first lost, as rs_history_find_loss()
   * says, but for all of them in the one pass that finds the orphaned
   * packets and frames: a leak report costs the history's events once,
   * not once a leak. */
  buffer_leaks = leaked_buffers (history, last);
  by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < buffer_leaks->len; i++)
    {
      RsLeak *leak = &g_array_index (buffer_leaks, RsLeak, i);

      g_hash_table_insert (by_id, &leak->buffer, leak);
    }
  for (guint s = 0; s < rs_history_get_length (history); s++)
    {
      RsSnapshot *snapshot = rs_history_get_snapshot (history, s);

      for (guint k = 0; k < rs_snapshot_get_n_events (snapshot); k++)
        {
          const RsEvent *event = rs_snapshot_get_event (snapshot, k);
          RsLeak *lost;

          /* Lessons: packets and frames no variable reaches any more, holding nothing. */
          if (event->kind == RS_EVENT_LEAKED && event->buffer == 0 && event->reason != RS_LOSS_NONE)
            {
              RsLeak leak = { .kind = RS_LEAK_HANDLE, .orphaned = TRUE, .lost_step = s, .lost_call = event->call,
                              .lost_handle = event->handle, .lost_reason = event->reason, .lost_site = event->site };

              g_array_append_val (leaks, leak);
            }
          else if (event->kind == RS_EVENT_LOST &&
                   (lost = g_hash_table_lookup (by_id, &event->buffer)) != NULL && !lost->orphaned)
            {
              lost->orphaned = TRUE;
              lost->lost_step = s;
              lost->lost_call = event->call;
              lost->lost_handle = event->handle;
              lost->lost_reason = event->reason;
              lost->lost_site = event->site;
            }
        }
    }

  g_array_append_vals (leaks, buffer_leaks->data, buffer_leaks->len);
  return leaks;
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

      if (buffer->leaked || buffer->lost > 0 ||
          (buffer->tracked && buffer->visible == 0 && buffer->holder == NULL))
        g_ptr_array_add (leaks, (gpointer) buffer);
    }
  return leaks;
}
