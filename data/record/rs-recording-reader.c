/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-recording-reader"

#include "rs-recording-reader-private.h"

#include <string.h>

G_DEFINE_QUARK (rs-recording-error-quark, rs_recording_error)

/* ------------------------------------------------------------------ */
/* Opening. */

static gboolean
read_header (RsRecording  *self,
             Cursor       *c,
             GError      **error)
{
  guint64 major = get_varint (c);
  guint64 minor = get_varint (c);
  guint64 pid, len;

  if (c->ok && major != RS_REC_VERSION_MAJOR)
    {
      g_set_error (error, RS_RECORDING_ERROR, RS_RECORDING_ERROR_VERSION,
                   "%s: recording format version %" G_GUINT64_FORMAT ".%" G_GUINT64_FORMAT
                   " is not supported (this Refscope reads version %d)",
                   self->path, major, minor, RS_REC_VERSION_MAJOR);
      return FALSE;
    }
  pid = get_varint (c);
  get_varint (c);  /* the full state interval: steps say which are full */
  len = get_varint (c);
  if (!c->ok || len > (guint64) (c->end - c->p) || pid > G_MAXUINT)
    {
      g_set_error (error, RS_RECORDING_ERROR, RS_RECORDING_ERROR_CORRUPT,
                   "%s: the recording's header is damaged", self->path);
      return FALSE;
    }
  self->pid = (guint) pid;
  self->program = g_strndup ((const char *) c->p, len);
  return TRUE;
}

static gboolean
read_strings (RsRecording *self,
              Cursor      *c)
{
  guint64 first = get_varint (c);
  guint n = get_n (c);

  if (!c->ok || first != self->strings->len + 1)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      guint64 len = get_varint (c);

      if (!c->ok || len > (guint64) (c->end - c->p))
        return FALSE;
      g_ptr_array_add (self->strings, g_strndup ((const char *) c->p, len));
      c->p += len;
    }
  return TRUE;
}

static gboolean
read_module (RsRecording *self,
             Cursor      *c)
{
  guint64 id = get_varint (c);
  const char *path = get_string (c, self);

  if (!c->ok || id != self->modules->len + 1 || path == NULL)
    return FALSE;
  g_ptr_array_add (self->modules, (gpointer) path);
  return TRUE;
}

/* Why the history stops early, in words. Steps are numbered there as the
 * window numbers them, from 1 (RS_STEP_NUMBER in model/rs-snapshot.h; the
 * reader links no model): step `self->steps->len` (an index) is "step
 * len + 1". */
static void
stop_reading (RsRecording *self,
              const char  *format,
              ...) G_GNUC_PRINTF (2, 3);

static void
stop_reading (RsRecording *self,
              const char  *format,
              ...)
{
  va_list args;

  va_start (args, format);
  self->end_reason = g_strdup_vprintf (format, args);
  va_end (args);
}

/* Reads the chunks, checking each step by applying it. Returns FALSE only
 * for a file that is no recording at all; a damaged or cut one ends early
 * with end_reason set. */
static gboolean
read_chunks (RsRecording  *self,
             GError      **error)
{
  gsize offset = RS_REC_MAGIC_LEN;
  gboolean header = FALSE;

  while (offset < self->len)
    {
      Cursor c = { self->data + offset, self->data + self->len, TRUE };
      guint8 type = *c.p++;
      guint64 len = get_varint (&c);
      gsize payload, end;
      guint32 crc;
      const guint8 *le;

      if (!c.ok || len > RS_REC_MAX_CHUNK || len + 4 > (guint64) (c.end - c.p))
        {
          if (!header)
            {
              g_set_error (error, RS_RECORDING_ERROR, RS_RECORDING_ERROR_TRUNCATED,
                           "%s: the recording is cut before the end of its header", self->path);
              return FALSE;
            }
          stop_reading (self, "the recording stops in the middle of step %u: "
                        "the program was killed or crashed", self->steps->len + 1);
          return TRUE;
        }
      payload = c.p - self->data;
      end = payload + len + 4;
      le = self->data + payload + len;
      crc = le[0] | (guint32) le[1] << 8 | (guint32) le[2] << 16 | (guint32) le[3] << 24;
      if (crc != rs_rec_crc32_update (0, self->data + offset, payload + len - offset))
        {
          if (!header)
            {
              g_set_error (error, RS_RECORDING_ERROR, RS_RECORDING_ERROR_CORRUPT,
                           "%s: the recording's header is damaged", self->path);
              return FALSE;
            }
          stop_reading (self, "the recording is damaged at byte %" G_GSIZE_FORMAT
                        " (step %u and after are lost)", offset, self->steps->len + 1);
          return TRUE;
        }

      c.end = c.p + len;
      if (!header)
        {
          if (type != RS_REC_CHUNK_HEADER)
            {
              g_set_error (error, RS_RECORDING_ERROR, RS_RECORDING_ERROR_CORRUPT,
                           "%s: the recording's header is missing", self->path);
              return FALSE;
            }
          if (!read_header (self, &c, error))
            return FALSE;
          header = TRUE;
        }
      else if (type == RS_REC_CHUNK_STRINGS || type == RS_REC_CHUNK_MODULE)
        {
          if (!(type == RS_REC_CHUNK_STRINGS ? read_strings (self, &c) : read_module (self, &c)))
            {
              stop_reading (self, "the recording is damaged at byte %" G_GSIZE_FORMAT
                            " (step %u and after are lost)", offset, self->steps->len + 1);
              return TRUE;
            }
        }
      else if (type == RS_REC_CHUNK_STEP || type == RS_REC_CHUNK_FULL)
        {
          StepChunk chunk = { payload, len, type == RS_REC_CHUNK_FULL || self->steps->len == 0 };
          guint step = self->steps->len;

          if (step == G_MAXUINT - 1 || !_rs_recording_apply_step (self, &self->state, step, &chunk))
            {
              self->state_step = G_MAXUINT;
              stop_reading (self, "step %u of the recording is damaged: %s (it and the "
                            "steps after it are lost)", step + 1,
                            self->state.damage ? self->state.damage : "it is too long");
              return TRUE;
            }
          g_array_append_val (self->steps, chunk);
          self->max_thread = MAX (self->max_thread, self->state.saved ? self->state.model_thread
                                                                      : self->state.thread + 1);
          if (chunk.full)
            g_array_append_val (self->full, step);
          self->state_step = step;
        }
      else if (type == RS_REC_CHUNK_END)
        {
          guint64 n_steps = get_varint (&c);

          if (!c.ok || n_steps != self->steps->len)
            {
              stop_reading (self, "the recording's end does not match its %u steps",
                            self->steps->len);
              return TRUE;
            }
          self->complete = TRUE;
          return TRUE;
        }
      /* Other types: chunks of a later minor version, skipped. */
      offset = end;
    }

  if (!header)
    {
      g_set_error (error, RS_RECORDING_ERROR, RS_RECORDING_ERROR_TRUNCATED,
                   "%s: the recording is cut before the end of its header", self->path);
      return FALSE;
    }
  /* The last step read is step `len` (0: none was). */
  stop_reading (self, "the recording stops after step %u: the program was killed or crashed",
                self->steps->len);
  return TRUE;
}

RsRecording *
rs_recording_open (const char  *path,
                   GError     **error)
{
  g_autoptr(RsRecording) self = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (RsRecording, 1);
  self->path = g_strdup (path);
  self->strings = g_ptr_array_new_with_free_func (g_free);
  self->modules = g_ptr_array_new ();
  self->steps = g_array_new (FALSE, FALSE, sizeof (StepChunk));
  self->full = g_array_new (FALSE, FALSE, sizeof (guint));
  self->births = g_array_new (FALSE, FALSE, sizeof (RsRecBirth));
  self->state_step = G_MAXUINT;
  _rs_recording_state_init (&self->state);

  self->file = g_mapped_file_new (path, FALSE, &local_error);
  if (self->file == NULL)
    {
      g_set_error (error, RS_RECORDING_ERROR, RS_RECORDING_ERROR_IO,
                   "%s: %s", path, local_error->message);
      return NULL;
    }
  self->data = (const guint8 *) g_mapped_file_get_contents (self->file);
  self->len = g_mapped_file_get_length (self->file);

  if (self->len < RS_REC_MAGIC_LEN || memcmp (self->data, RS_REC_MAGIC, RS_REC_MAGIC_LEN) != 0)
    {
      g_set_error (error, RS_RECORDING_ERROR, RS_RECORDING_ERROR_NOT_RECORDING,
                   "%s: not a Refscope recording", path);
      return NULL;
    }
  if (!read_chunks (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

void
rs_recording_free (RsRecording *self)
{
  if (self == NULL)
    return;
  _rs_recording_state_destroy (&self->state);
  g_clear_pointer (&self->file, g_mapped_file_unref);
  g_clear_pointer (&self->strings, g_ptr_array_unref);
  g_clear_pointer (&self->modules, g_ptr_array_unref);
  g_clear_pointer (&self->steps, g_array_unref);
  g_clear_pointer (&self->full, g_array_unref);
  g_clear_pointer (&self->births, g_array_unref);
  g_free (self->program);
  g_free (self->end_reason);
  g_free (self->path);
  g_free (self);
}

guint
rs_recording_get_n_steps (RsRecording *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->steps->len;
}

int
rs_recording_get_max_thread (RsRecording *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->max_thread;
}

gboolean
rs_recording_is_complete (RsRecording *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->complete;
}

const char *
rs_recording_get_end_reason (RsRecording *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->complete ? NULL : self->end_reason;
}

const char *
rs_recording_get_program (RsRecording *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->program;
}

guint
rs_recording_get_pid (RsRecording *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->pid;
}

const char * const *
rs_recording_get_modules (RsRecording *self,
                          guint       *n_modules)
{
  g_return_val_if_fail (self != NULL, NULL);
  if (n_modules != NULL)
    *n_modules = self->modules->len;
  return (const char * const *) self->modules->pdata;
}

const RsRecBirth *
rs_recording_get_births (RsRecording *self,
                         guint       *n_births)
{
  g_return_val_if_fail (self != NULL, NULL);
  if (n_births != NULL)
    *n_births = self->births->len;
  return (const RsRecBirth *) self->births->data;
}

/* Moves the state to `step`: the next steps cost their changes; any other
 * starts again from the last full state at or before it. */
static void
seek (RsRecording *self,
      guint        step)
{
  guint base = 0, from;

  for (guint i = self->full->len; i-- > 0;)
    if (g_array_index (self->full, guint, i) <= step)
      {
        base = g_array_index (self->full, guint, i);
        break;
      }
  if (self->state_step != G_MAXUINT && self->state_step < step && self->state_step >= base)
    from = self->state_step + 1;
  else
    from = base;  /* a full step: applying it starts from an empty state */

  for (guint i = from; i <= step; i++)
    {
      /* Every step was checked when the file was opened. */
      gboolean ok = _rs_recording_apply_step (self, &self->state, i, &g_array_index (self->steps, StepChunk, i));

      g_assert (ok);
    }
  self->state_step = step;
}

static int
compare_handles (gconstpointer a,
                 gconstpointer b)
{
  const RsRecHandle *x = *(RsRecHandle * const *) a, *y = *(RsRecHandle * const *) b;

  return x->id < y->id ? -1 : x->id > y->id;
}

static int
compare_buffers (gconstpointer a,
                 gconstpointer b)
{
  const RsRecBuffer *x = *(RsRecBuffer * const *) a, *y = *(RsRecBuffer * const *) b;

  return x->id < y->id ? -1 : x->id > y->id;
}

RsRecStep *
rs_recording_get_step (RsRecording *self,
                       guint        step)
{
  RsRecStep *result;
  GHashTableIter iter;
  gpointer node;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (step < self->steps->len, NULL);

  if (self->state_step != step)
    seek (self, step);

  result = g_new0 (RsRecStep, 1);
  result->step = step;
  result->call = self->state.call;
  result->ret = self->state.ret;
  result->thread = self->state.thread;
  result->exact = self->state.exact;
  result->site = self->state.site;
  result->out_handle = self->state.out_handle;
  result->handles = g_ptr_array_new_full (g_hash_table_size (self->state.handles), _rs_recording_release_handle);
  result->buffers = g_ptr_array_new_full (g_hash_table_size (self->state.buffers), _rs_recording_release_buffer);
  result->events = g_array_copy (self->state.events);
  result->saved = self->state.saved;
  if (result->saved)
    {
      result->args = self->state.args;
      result->out_name = self->state.out_name;
      result->model_thread = self->state.model_thread;
      result->place = self->state.place;
      result->order = self->state.order->len > 0 ? g_array_copy (self->state.order) : NULL;
      result->model_events = g_array_copy (self->state.model_events);
    }

  g_hash_table_iter_init (&iter, self->state.handles);
  while (g_hash_table_iter_next (&iter, NULL, &node))
    g_ptr_array_add (result->handles, g_rc_box_acquire (node));
  g_hash_table_iter_init (&iter, self->state.buffers);
  while (g_hash_table_iter_next (&iter, NULL, &node))
    g_ptr_array_add (result->buffers, g_rc_box_acquire (node));
  g_ptr_array_sort (result->handles, compare_handles);
  g_ptr_array_sort (result->buffers, compare_buffers);
  return result;
}

void
rs_rec_step_free (RsRecStep *step)
{
  if (step == NULL)
    return;
  g_ptr_array_unref (step->handles);
  g_ptr_array_unref (step->buffers);
  g_array_unref (step->events);
  g_clear_pointer (&step->order, g_array_unref);
  g_clear_pointer (&step->model_events, g_array_unref);
  g_free (step);
}

static gpointer
find_by_id (GPtrArray *nodes,
            guint64    id)
{
  guint lo = 0, hi = nodes->len;

  /* Both node types start with their id. */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      guint64 mid_id = *(const guint64 *) g_ptr_array_index (nodes, mid);

      if (mid_id == id)
        return g_ptr_array_index (nodes, mid);
      if (mid_id < id)
        lo = mid + 1;
      else
        hi = mid;
    }
  return NULL;
}

const RsRecHandle *
rs_rec_step_find_handle (const RsRecStep *step,
                         guint64          id)
{
  g_return_val_if_fail (step != NULL, NULL);
  return find_by_id (step->handles, id);
}

const RsRecBuffer *
rs_rec_step_find_buffer (const RsRecStep *step,
                         guint64          id)
{
  g_return_val_if_fail (step != NULL, NULL);
  return find_by_id (step->buffers, id);
}

