/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-recording-writer.c: snapshots to recording steps. Each step is written
 * as what changed since the step before (a full state every 256 steps),
 * with the fields a recorded program has, then the model's own fields that
 * a recording lacks (names, roles, queues, lines, faults: FORMAT.md, "Saved
 * sessions"). The bytes come from the encoder the preload library uses.
 */
#define G_LOG_DOMAIN "rs-recording-writer"

#include "rs-recording-writer.h"
#include "rs-intern.h"

#include <errno.h>

#include "rs-export.h"
#include "rs-recording-encoder.h"

typedef struct {
  RsRecBytes  out;          /* the file */
  RsRecBytes  payload;      /* the step being encoded */
  RsRecBytes  model;        /* its model fields, appended to it */
  RsRecBytes  strings;      /* strings new in this step */
  guint       n_strings_new;
  guint       n_strings;
  GHashTable *string_ids;   /* interned string -> id */
  GHashTable *handle_ids;   /* handle name -> guint64 id, live handles */
  guint64     last_handle_id;
} Writer;

typedef struct {
  guint64         id;
  const RsHandle *handle;
  const RsHandle *was;      /* NULL: new */
  RsRingEnd       ring;     /* which ends of its ring it is, in this step */
} HandleUpsert;

static guint
string_id (Writer     *w,
           const char *string)
{
  gpointer id;

  if (string == NULL)
    return 0;
  string = rs_intern (string);
  if ((id = g_hash_table_lookup (w->string_ids, string)) != NULL)
    return GPOINTER_TO_UINT (id);
  g_hash_table_insert (w->string_ids, (gpointer) string, GUINT_TO_POINTER (++w->n_strings));
  w->n_strings_new++;
  rs_rec_bytes_text (&w->strings, string);
  return w->n_strings;
}

static void
put_string (Writer     *w,
            RsRecBytes *bytes,
            const char *string)
{
  rs_rec_bytes_varint (bytes, string_id (w, string));
}

static void
put_place (Writer       *w,
           const RsSite *site)
{
  put_string (w, &w->model, site->file);
  put_string (w, &w->model, site->function);
  rs_rec_bytes_varint (&w->model, MAX (site->line, 0));
  rs_rec_bytes_varint (&w->model, MAX (site->column, 0));
}

static guint
born_back (guint step,
           guint born)
{
  return born <= step ? step - born : 0;
}

static int
compare_upserts (gconstpointer a,
                 gconstpointer b)
{
  guint64 x = ((const HandleUpsert *) a)->id, y = ((const HandleUpsert *) b)->id;

  return x < y ? -1 : x > y;
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

static gboolean
refs_equal (const RsHandle *a,
            const RsHandle *b)
{
  if (a->n_refs != b->n_refs)
    return FALSE;
  for (guint i = 0; i < a->n_refs; i++)
    if (a->refs[i].field != b->refs[i].field || a->refs[i].buffer != b->refs[i].buffer)
      return FALSE;
  return TRUE;
}

static void
put_handle (Writer             *w,
            guint               step,
            const HandleUpsert *u,
            guint64             previous_id)
{
  static const RsHandle fresh = { .stream = -1, .pts = RS_NO_TIMESTAMP, .dts = RS_NO_TIMESTAMP };
  const RsHandle *h = u->handle;
  const RsHandle *was = u->was != NULL ? u->was : &fresh;
  RsRecBytes *p = &w->payload;
  guint mask = u->was == NULL ? RS_REC_HANDLE_NEW : 0;

  if (h->stream != was->stream) mask |= RS_REC_HANDLE_STREAM;
  if (h->pts != was->pts) mask |= RS_REC_HANDLE_PTS;
  if (h->dts != was->dts) mask |= RS_REC_HANDLE_DTS;
  if (h->size != was->size) mask |= RS_REC_HANDLE_SIZE;
  if (h->key != was->key) mask |= RS_REC_HANDLE_KEY;
  if (h->pict_type != was->pict_type) mask |= RS_REC_HANDLE_PICT_TYPE;
  if (h->format != was->format) mask |= RS_REC_HANDLE_FORMAT;
  if (h->width != was->width || h->height != was->height) mask |= RS_REC_HANDLE_DIMENSIONS;
  if (h->nb_samples != was->nb_samples) mask |= RS_REC_HANDLE_NB_SAMPLES;
  if (h->sample_rate != was->sample_rate) mask |= RS_REC_HANDLE_SAMPLE_RATE;
  if (!refs_equal (h, was)) mask |= RS_REC_HANDLE_REFS;

  rs_rec_bytes_varint (p, u->id - previous_id);
  rs_rec_bytes_varint (p, mask);
  if (mask & RS_REC_HANDLE_NEW)
    {
      rs_rec_bytes_varint (p, h->kind == RS_HANDLE_FRAME ? 1 : 0);
      rs_rec_bytes_varint (p, born_back (step, h->born));
      put_string (w, p, h->origin);
      rs_rec_bytes_varint (p, 0);  /* no site in a program: its place is a model field */
      rs_rec_bytes_varint (p, 0);
    }
  if (mask & RS_REC_HANDLE_STREAM) rs_rec_bytes_zigzag (p, h->stream);
  if (mask & RS_REC_HANDLE_PTS) rs_rec_bytes_varint (p, rs_rec_timestamp_code (h->pts));
  if (mask & RS_REC_HANDLE_DTS) rs_rec_bytes_varint (p, rs_rec_timestamp_code (h->dts));
  if (mask & RS_REC_HANDLE_SIZE) rs_rec_bytes_zigzag (p, h->size);
  if (mask & RS_REC_HANDLE_KEY) rs_rec_bytes_varint (p, h->key ? 1 : 0);
  if (mask & RS_REC_HANDLE_PICT_TYPE) rs_rec_bytes_varint (p, (guint8) h->pict_type);
  if (mask & RS_REC_HANDLE_FORMAT) put_string (w, p, h->format);
  if (mask & RS_REC_HANDLE_DIMENSIONS)
    {
      rs_rec_bytes_zigzag (p, h->width);
      rs_rec_bytes_zigzag (p, h->height);
    }
  if (mask & RS_REC_HANDLE_NB_SAMPLES) rs_rec_bytes_zigzag (p, h->nb_samples);
  if (mask & RS_REC_HANDLE_SAMPLE_RATE) rs_rec_bytes_zigzag (p, h->sample_rate);
  if (mask & RS_REC_HANDLE_REFS)
    {
      guint64 previous = 0;

      rs_rec_bytes_varint (p, h->n_refs);
      for (guint i = 0; i < h->n_refs; i++)
        {
          put_string (w, p, h->refs[i].field);
          rs_rec_bytes_zigzag (p, (gint64) (h->refs[i].buffer - previous));
          previous = h->refs[i].buffer;
        }
    }

  /* Its model fields, in the same order as the upserts. */
  put_string (w, &w->model, h->id);
  put_string (w, &w->model, h->holder);
  put_string (w, &w->model, h->group);
  rs_rec_bytes_zigzag (&w->model, h->slot);
  rs_rec_bytes_varint (&w->model, MAX (h->capacity, 0));
  rs_rec_bytes_varint (&w->model, (h->shown ? 1 : 0) | (h->leaked ? 2 : 0) |
                       ((u->ring & RS_RING_HEAD) ? 4 : 0) | ((u->ring & RS_RING_TAIL) ? 8 : 0));
  put_string (w, &w->model, h->origin);
  put_place (w, h->site);
}

static void
put_buffer (Writer         *w,
            guint           step,
            const RsBuffer *b,
            const RsBuffer *was,
            guint64         previous_id)
{
  RsRecBytes *p = &w->payload;
  guint mask;

  if (was == NULL)
    {
      mask = RS_REC_BUFFER_NEW;
      if (b->size != 0) mask |= RS_REC_BUFFER_SIZE;
      if (b->refcount != 0) mask |= RS_REC_BUFFER_REFCOUNT;
      if (b->lost != 0) mask |= RS_REC_BUFFER_LOST;
      if (b->writable) mask |= RS_REC_BUFFER_WRITABLE;
      if (b->holder != NULL) mask |= RS_REC_BUFFER_HOLDER;
    }
  else
    {
      mask = 0;
      if (b->kind != was->kind) mask |= RS_REC_BUFFER_KIND;
      if (b->size != was->size) mask |= RS_REC_BUFFER_SIZE;
      if (b->refcount != was->refcount) mask |= RS_REC_BUFFER_REFCOUNT;
      if (b->lost != was->lost) mask |= RS_REC_BUFFER_LOST;
      if (b->writable != was->writable) mask |= RS_REC_BUFFER_WRITABLE;
      if (b->holder != was->holder) mask |= RS_REC_BUFFER_HOLDER;
    }

  rs_rec_bytes_varint (p, b->id - previous_id);
  rs_rec_bytes_varint (p, mask);
  if (mask & RS_REC_BUFFER_NEW)
    {
      rs_rec_bytes_varint (p, (guint) b->kind | (b->tracked ? 8 : 0));
      put_string (w, p, b->origin);
      rs_rec_bytes_varint (p, born_back (step, b->born));
      rs_rec_bytes_varint (p, 0);
      rs_rec_bytes_varint (p, 0);
    }
  if (mask & RS_REC_BUFFER_SIZE) rs_rec_bytes_varint (p, b->size);
  if (mask & RS_REC_BUFFER_REFCOUNT) rs_rec_bytes_varint (p, MAX (b->refcount, 0));
  if (mask & RS_REC_BUFFER_LOST)
    {
      rs_rec_bytes_varint (p, MAX (b->lost, 0));
      rs_rec_bytes_varint (p, 0);
    }
  if (mask & RS_REC_BUFFER_WRITABLE) rs_rec_bytes_varint (p, b->writable ? 1 : 0);
  if (mask & RS_REC_BUFFER_HOLDER) put_string (w, p, b->holder);
  if (mask & RS_REC_BUFFER_KIND) rs_rec_bytes_varint (p, b->kind);

  rs_rec_bytes_varint (&w->model, b->leaked ? 1 : 0);
  put_place (w, b->site);
}

static int
core_event_kind (RsEventKind kind)
{
  switch (kind)
    {
    case RS_EVENT_ALLOCATED:  return RS_REC_EVENT_ALLOCATED;
    case RS_EVENT_FREED:      return RS_REC_EVENT_FREED;
    case RS_EVENT_OBSERVED:   return RS_REC_EVENT_OBSERVED;
    case RS_EVENT_UNOBSERVED: return RS_REC_EVENT_UNOBSERVED;
    case RS_EVENT_LOST:       return RS_REC_EVENT_LOST;
    case RS_EVENT_ERROR:      return RS_REC_EVENT_ERROR;
    case RS_EVENT_WARNING:    return RS_REC_EVENT_WARNING;
    case RS_EVENT_LEAKED:
    case RS_EVENT_UNSAFE_WRITE:
    default:                  return -1;  /* the model fields carry them */
    }
}

static void
put_events (Writer           *w,
            const RsSnapshot *snapshot)
{
  guint n = rs_snapshot_get_n_events (snapshot), n_core = 0;

  for (guint i = 0; i < n; i++)
    n_core += core_event_kind (rs_snapshot_get_event (snapshot, i)->kind) >= 0;
  rs_rec_bytes_varint (&w->payload, n_core);
  rs_rec_bytes_varint (&w->model, n);
  for (guint i = 0; i < n; i++)
    {
      const RsEvent *e = rs_snapshot_get_event (snapshot, i);
      int kind = core_event_kind (e->kind);

      if (kind >= 0)
        {
          gpointer id = e->handle != NULL ? g_hash_table_lookup (w->handle_ids, e->handle) : NULL;

          rs_rec_bytes_varint (&w->payload, kind);
          rs_rec_bytes_varint (&w->payload, e->buffer);
          rs_rec_bytes_varint (&w->payload, id != NULL ? *(guint64 *) id : 0);
          put_string (w, &w->payload, e->message);
        }
      rs_rec_bytes_varint (&w->model, e->kind);
      rs_rec_bytes_varint (&w->model, e->buffer);
      put_string (w, &w->model, e->handle);
      put_string (w, &w->model, e->call);
      put_place (w, &e->site);
      rs_rec_bytes_varint (&w->model, e->reason);
      rs_rec_bytes_zigzag (&w->model, e->count);
      rs_rec_bytes_varint (&w->model, e->fault);
      put_string (w, &w->model, e->field);
      for (guint v = 0; v < G_N_ELEMENTS (e->value); v++)
        rs_rec_bytes_zigzag (&w->model, e->value[v]);
      put_string (w, &w->model, e->message);
    }
}

static guint64 *
new_id (guint64 id)
{
  return g_memdup2 (&id, sizeof id);
}

/* One step: what changed since `was` (everything when `was` is NULL). */
static gboolean
put_step (Writer      *w,
          RsSnapshot  *snapshot,
          RsSnapshot  *was,
          GError     **error)
{
  guint step = rs_snapshot_get_step (snapshot);
  g_autoptr(GArray) upserts = g_array_new (FALSE, FALSE, sizeof (HandleUpsert));
  g_autoptr(GArray) removed = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr(GHashTable) ids = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  const char *out = rs_snapshot_get_out (snapshot);
  gpointer out_id;
  guint64 previous;
  gboolean sorted = TRUE;
  guint n_upserts = 0;

  w->payload.len = w->model.len = 0;

  /* Handles, by name: a name gets a new id when it comes back. */
  for (guint i = 0; i < rs_snapshot_get_n_handles (snapshot); i++)
    {
      const RsHandle *h = rs_snapshot_get_handle (snapshot, i);
      const RsHandle *before = was != NULL ? rs_snapshot_find_handle (was, h->id) : NULL;
      guint64 *known = g_hash_table_lookup (w->handle_ids, h->id);
      HandleUpsert u = { known != NULL ? *known : 0, h, before, rs_snapshot_get_ring_end (snapshot, h) };

      if (before != NULL && before->kind != h->kind)
        u.was = before = NULL;
      if (before == NULL && known == NULL)
        u.id = ++w->last_handle_id;
      else if (before == NULL && was != NULL)
        u.id = ++w->last_handle_id;  /* gone and back: a new handle */
      if (order->len > 0 && u.id < g_array_index (order, guint64, order->len - 1))
        sorted = FALSE;
      g_array_append_val (order, u.id);
      g_hash_table_insert (ids, (gpointer) h->id, new_id (u.id));
      /* The ring's ends are the step's, saved as the slots' flags: a
       * slot they moved to or from is saved again. */
      if (u.was == NULL || !rs_handle_equal (u.was, h) || u.ring != rs_snapshot_get_ring_end (was, before))
        g_array_append_val (upserts, u);
    }
  if (was != NULL)
    {
      GHashTableIter iter;
      gpointer name, id;

      g_hash_table_iter_init (&iter, w->handle_ids);
      while (g_hash_table_iter_next (&iter, &name, &id))
        {
          guint64 *now = g_hash_table_lookup (ids, name);

          if (now == NULL || *now != *(guint64 *) id)
            g_array_append_val (removed, *(guint64 *) id);
        }
    }
  g_hash_table_unref (w->handle_ids);
  w->handle_ids = g_steal_pointer (&ids);
  g_array_sort (upserts, compare_upserts);
  g_array_sort (removed, compare_ids);

  out_id = out != NULL ? g_hash_table_lookup (w->handle_ids, out) : NULL;
  rs_rec_bytes_varint (&w->payload, (rs_snapshot_is_exact (snapshot) ? RS_REC_STEP_EXACT : 0) | RS_REC_STEP_MODEL);
  put_string (w, &w->payload, rs_snapshot_get_call (snapshot));
  rs_rec_bytes_zigzag (&w->payload, rs_snapshot_get_ret (snapshot));
  rs_rec_bytes_varint (&w->payload, MAX (rs_snapshot_get_thread (snapshot) - 1, 0));
  rs_rec_bytes_varint (&w->payload, out_id != NULL ? *(guint64 *) out_id : 0);

  put_string (w, &w->model, rs_snapshot_get_args (snapshot));
  put_string (w, &w->model, out);
  put_place (w, rs_snapshot_get_site (snapshot));
  rs_rec_bytes_varint (&w->model, MAX (rs_snapshot_get_thread (snapshot), 0));
  rs_rec_bytes_varint (&w->model, sorted ? 0 : order->len);
  previous = 0;
  for (guint i = 0; !sorted && i < order->len; i++)
    {
      rs_rec_bytes_zigzag (&w->model, (gint64) (g_array_index (order, guint64, i) - previous));
      previous = g_array_index (order, guint64, i);
    }

  rs_rec_bytes_varint (&w->payload, upserts->len);
  previous = 0;
  for (guint i = 0; i < upserts->len; i++)
    {
      const HandleUpsert *u = &g_array_index (upserts, HandleUpsert, i);

      put_handle (w, step, u, previous);
      previous = u->id;
    }
  rs_rec_bytes_varint (&w->payload, removed->len);
  previous = 0;
  for (guint i = 0; i < removed->len; i++)
    {
      rs_rec_bytes_varint (&w->payload, g_array_index (removed, guint64, i) - previous);
      previous = g_array_index (removed, guint64, i);
    }

  /* Buffers, by their ids (never reused, never 0). */
  for (guint i = 0; i < rs_snapshot_get_n_buffers (snapshot); i++)
    {
      const RsBuffer *b = rs_snapshot_get_buffer (snapshot, i);
      const RsBuffer *before = was != NULL ? rs_snapshot_find_buffer (was, b->id) : NULL;

      if (b->id == 0)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "step %u has a buffer without an id",
                       RS_STEP_NUMBER (step));
          return FALSE;
        }
      n_upserts += before == NULL || !rs_buffer_equal (before, b);
    }
  rs_rec_bytes_varint (&w->payload, n_upserts);
  previous = 0;
  for (guint i = 0; i < rs_snapshot_get_n_buffers (snapshot); i++)
    {
      const RsBuffer *b = rs_snapshot_get_buffer (snapshot, i);
      const RsBuffer *before = was != NULL ? rs_snapshot_find_buffer (was, b->id) : NULL;

      if (before != NULL && rs_buffer_equal (before, b))
        continue;
      put_buffer (w, step, b, before, previous);
      previous = b->id;
    }
  g_array_set_size (removed, 0);
  for (guint i = 0; was != NULL && i < rs_snapshot_get_n_buffers (was); i++)
    {
      const RsBuffer *b = rs_snapshot_get_buffer (was, i);

      if (rs_snapshot_find_buffer (snapshot, b->id) == NULL)
        g_array_append_val (removed, b->id);
    }
  rs_rec_bytes_varint (&w->payload, removed->len);
  previous = 0;
  for (guint i = 0; i < removed->len; i++)
    {
      rs_rec_bytes_varint (&w->payload, g_array_index (removed, guint64, i) - previous);
      previous = g_array_index (removed, guint64, i);
    }

  put_events (w, snapshot);
  rs_rec_bytes_append (&w->payload, w->model.data, w->model.len);

  /* The strings it introduced, then the step. */
  if (w->n_strings_new > 0)
    {
      RsRecBytes chunk = { 0 };

      rs_rec_bytes_varint (&chunk, w->n_strings - w->n_strings_new + 1);
      rs_rec_bytes_varint (&chunk, w->n_strings_new);
      rs_rec_bytes_append (&chunk, w->strings.data, w->strings.len);
      rs_rec_bytes_chunk (&w->out, RS_REC_CHUNK_STRINGS, chunk.data, chunk.len);
      w->out.failed |= chunk.failed;
      g_free (chunk.data);
      w->strings.len = 0;
      w->n_strings_new = 0;
    }
  rs_rec_bytes_chunk (&w->out, was == NULL ? RS_REC_CHUNK_FULL : RS_REC_CHUNK_STEP,
                      w->payload.data, w->payload.len);
  return TRUE;
}

gboolean
rs_recording_save (RsHistory   *history,
                   const char  *program,
                   const char  *path,
                   GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  Writer w = { 0 };
  RsSnapshot *was = NULL;
  guint n;
  gboolean ok = TRUE;

  g_return_val_if_fail (history != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  w.string_ids = g_hash_table_new (NULL, NULL);
  w.handle_ids = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  n = rs_history_get_length (history);

  /* No process, no libav: a saved session's header says so with zeros. */
  rs_rec_bytes_header (&w.out, 0, program, 0, 0, 0);
  for (guint step = 0; step < n && ok; step++)
    {
      /* A reference: a lazy history may drop it while the next is read. */
      g_autoptr(RsSnapshot) snapshot = rs_snapshot_ref (rs_history_get_snapshot (history, step));

      ok = put_step (&w, snapshot, step % RS_REC_FULL_INTERVAL == 0 ? NULL : was, &local_error);
      g_clear_pointer (&was, rs_snapshot_unref);
      was = g_steal_pointer (&snapshot);
    }
  g_clear_pointer (&was, rs_snapshot_unref);
  if (ok)
    {
      RsRecBytes end = { 0 };

      rs_rec_bytes_varint (&end, n);
      rs_rec_bytes_chunk (&w.out, RS_REC_CHUNK_END, end.data, end.len);
      g_free (end.data);
      if (w.out.failed || w.payload.failed || w.model.failed || w.strings.failed)
        g_set_error_literal (&local_error, G_FILE_ERROR, G_FILE_ERROR_NOMEM, g_strerror (ENOMEM));
      else
        {
          /* Written as traces and exports are (an RsAtomicFile): a killed
           * save leaves at most a ".NAME.XXXXXX.partial"; its errors name
           * `path` already. */
          g_autoptr(GBytes) bytes = g_bytes_new_static (w.out.data, w.out.len);

          ok = rs_export_write_file (path, bytes, error);
        }
    }

  g_free (w.out.data);
  g_free (w.payload.data);
  g_free (w.model.data);
  g_free (w.strings.data);
  g_hash_table_unref (w.string_ids);
  g_hash_table_unref (w.handle_ids);
  ok = ok && local_error == NULL;
  if (local_error != NULL)
    g_set_error (error, G_FILE_ERROR, local_error->domain == G_FILE_ERROR ? local_error->code : G_FILE_ERROR_FAILED,
                 "%s: cannot save the session: %s", path, local_error->message);
  return ok;
}
