/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-recording-reader"

#include "rs-recording-reader.h"

#include <string.h>

G_DEFINE_QUARK (rs-recording-error-quark, rs_recording_error)

/* Nodes are RC boxes; `serial` says which application of a step made them:
 * a node made by the step being applied may still be changed in place. */
typedef struct {
  RsRecHandle pub;
  guint       serial;
} HandleNode;

typedef struct {
  RsRecBuffer pub;
  guint       serial;
} BufferNode;

typedef struct {
  guint64 id;
  int     count;
} Visible;

typedef struct {
  gsize    offset;   /* of the payload */
  gsize    len;
  gboolean full;
} StepChunk;

typedef struct {
  GHashTable *handles;   /* &id -> HandleNode*, strong */
  GHashTable *buffers;   /* &id -> BufferNode*, strong */
  GHashTable *visible;   /* &id -> Visible*, owned */
  GHashTable *affected;  /* &id -> id of buffers whose visible count may have changed */
  GArray     *events;    /* RsRecEvent of the last step applied */
  const char *call;
  int         ret;
  int         thread;
  gboolean    exact;
  RsRecSite   site;
  guint64     out_handle;
  const char *damage;    /* what was wrong with the last step that failed */
} State;

/* Fails the step being applied, saying why. */
#define DAMAGED(s, why) ((s)->damage = (why), FALSE)

struct _RsRecording {
  char        *path;
  GMappedFile *file;
  const guint8 *data;
  gsize        len;
  GPtrArray   *strings;   /* id - 1 -> char*, owned */
  GPtrArray   *modules;   /* id - 1 -> const char* (a string) */
  GArray      *steps;     /* StepChunk */
  GArray      *full;      /* guint: steps that start from an empty state */
  char        *program;
  guint        pid;
  gboolean     complete;
  char        *end_reason;
  State        state;
  guint        state_step;  /* the step `state` is at; G_MAXUINT: none */
  guint        serial;
};

typedef struct {
  const guint8 *p;
  const guint8 *end;
  gboolean      ok;
} Cursor;

static guint64
get_varint (Cursor *c)
{
  guint64 value = 0;

  if (c->ok && !rs_rec_get_varint (&c->p, c->end, &value))
    c->ok = FALSE;
  return c->ok ? value : 0;
}

static gint64
get_zigzag (Cursor *c)
{
  return rs_rec_unzigzag (get_varint (c));
}

/* An int-sized value; anything else is damage. */
static int
get_int (Cursor *c)
{
  gint64 value = get_zigzag (c);

  if (value < G_MININT || value > G_MAXINT)
    c->ok = FALSE;
  return c->ok ? (int) value : 0;
}

static int
get_count (Cursor *c)
{
  guint64 value = get_varint (c);

  if (value > G_MAXINT)
    c->ok = FALSE;
  return c->ok ? (int) value : 0;
}

/* A number of items that follow, each at least one byte long. */
static guint
get_n (Cursor *c)
{
  guint64 n = get_varint (c);

  if (n > (guint64) (c->end - c->p))
    c->ok = FALSE;
  return c->ok ? (guint) n : 0;
}

static const char *
get_string (Cursor      *c,
            RsRecording *self)
{
  guint64 id = get_varint (c);

  if (id == 0)
    return NULL;
  if (id > self->strings->len)
    {
      c->ok = FALSE;
      return NULL;
    }
  return g_ptr_array_index (self->strings, id - 1);
}

static RsRecSite
get_site (Cursor      *c,
          RsRecording *self)
{
  RsRecSite site = { NULL, 0 };
  guint64 module = get_varint (c);
  guint64 offset = get_varint (c);

  if (module > self->modules->len)
    c->ok = FALSE;
  else if (module > 0)
    {
      site.module = g_ptr_array_index (self->modules, module - 1);
      site.offset = offset;
    }
  return site;
}

/* ------------------------------------------------------------------ */
/* Nodes. */

static void
clear_handle (gpointer data)
{
  HandleNode *node = data;

  g_free (node->pub.refs);
}

static void
release_handle (gpointer data)
{
  g_rc_box_release_full (data, clear_handle);
}

static void
release_buffer (gpointer data)
{
  g_rc_box_release (data);
}

static HandleNode *
handle_copy (const HandleNode *from,
             guint             serial)
{
  HandleNode *node = g_rc_box_new0 (HandleNode);

  node->pub = from->pub;
  node->pub.refs = g_memdup2 (from->pub.refs, from->pub.n_refs * sizeof (RsRecRef));
  node->serial = serial;
  return node;
}

static BufferNode *
buffer_copy (const BufferNode *from,
             guint             serial)
{
  BufferNode *node = g_rc_box_new0 (BufferNode);

  node->pub = from->pub;
  node->serial = serial;
  return node;
}

/* ------------------------------------------------------------------ */
/* State. */

static void
state_init (State *s)
{
  s->handles = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, release_handle);
  s->buffers = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, release_buffer);
  s->visible = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_free);
  s->affected = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  s->events = g_array_new (FALSE, FALSE, sizeof (RsRecEvent));
}

static void
state_clear (State *s)
{
  g_hash_table_remove_all (s->handles);
  g_hash_table_remove_all (s->buffers);
  g_hash_table_remove_all (s->visible);
  g_hash_table_remove_all (s->affected);
  g_array_set_size (s->events, 0);
}

static void
state_destroy (State *s)
{
  g_clear_pointer (&s->handles, g_hash_table_unref);
  g_clear_pointer (&s->buffers, g_hash_table_unref);
  g_clear_pointer (&s->visible, g_hash_table_unref);
  g_clear_pointer (&s->affected, g_hash_table_unref);
  g_clear_pointer (&s->events, g_array_unref);
}

static void
count_refs (State             *s,
            const RsRecHandle *h,
            int                delta)
{
  for (guint i = 0; i < h->n_refs; i++)
    {
      guint64 id = h->refs[i].buffer;
      Visible *v = g_hash_table_lookup (s->visible, &id);

      if (v == NULL)
        {
          v = g_new0 (Visible, 1);
          v->id = id;
          g_hash_table_insert (s->visible, &v->id, v);
        }
      v->count += delta;
      if (!g_hash_table_contains (s->affected, &id))
        g_hash_table_add (s->affected, g_memdup2 (&id, sizeof id));
    }
}

static gboolean
apply_handle (RsRecording *self,
              State       *s,
              Cursor      *c,
              guint64      id,
              guint        step,
              gboolean     full)
{
  guint64 mask = get_varint (c);
  HandleNode *old = g_hash_table_lookup (s->handles, &id);
  HandleNode *node;
  RsRecHandle *h;

  if (!c->ok || id == 0)
    return DAMAGED (s, "a handle's id is missing");
  if (mask & RS_REC_HANDLE_NEW)
    {
      guint64 kind, back;

      /* A delta step never makes a handle twice. */
      if (old != NULL && !full)
        return DAMAGED (s, "a handle is born twice");
      node = g_rc_box_new0 (HandleNode);
      node->serial = self->serial;
      h = &node->pub;
      h->id = id;
      h->stream = -1;
      h->pts = h->dts = RS_REC_NO_TIMESTAMP;
      kind = get_varint (c);
      back = get_varint (c);
      h->born_call = get_string (c, self);
      h->born_site = get_site (c, self);
      if (kind > 3 || back > step)
        c->ok = FALSE;
      h->kind = (kind & 1) ? RS_REC_HANDLE_FRAME : RS_REC_HANDLE_PACKET;
      h->allocated = (kind & 2) != 0;
      h->born_step = step - (guint) back;
    }
  else
    {
      if (old == NULL)
        return DAMAGED (s, "a handle it changes is unknown");
      node = handle_copy (old, self->serial);
      h = &node->pub;
    }

  if (mask & RS_REC_HANDLE_STREAM) h->stream = get_int (c);
  if (mask & RS_REC_HANDLE_PTS) h->pts = rs_rec_timestamp_value (get_varint (c));
  if (mask & RS_REC_HANDLE_DTS) h->dts = rs_rec_timestamp_value (get_varint (c));
  if (mask & RS_REC_HANDLE_SIZE) h->size = get_int (c);
  if (mask & RS_REC_HANDLE_KEY) h->key = get_varint (c) != 0;
  if (mask & RS_REC_HANDLE_PICT_TYPE)
    {
      guint64 letter = get_varint (c);

      if (letter > 127)
        c->ok = FALSE;
      h->pict_type = (char) letter;
    }
  if (mask & RS_REC_HANDLE_FORMAT) h->format = get_string (c, self);
  if (mask & RS_REC_HANDLE_DIMENSIONS)
    {
      h->width = get_int (c);
      h->height = get_int (c);
    }
  if (mask & RS_REC_HANDLE_NB_SAMPLES) h->nb_samples = get_int (c);
  if (mask & RS_REC_HANDLE_SAMPLE_RATE) h->sample_rate = get_int (c);
  if (mask & RS_REC_HANDLE_REFS)
    {
      guint n = get_n (c);
      guint64 previous = 0;

      g_free (h->refs);
      h->refs = n > 0 ? g_new0 (RsRecRef, n) : NULL;
      h->n_refs = n;
      for (guint i = 0; i < n && c->ok; i++)
        {
          h->refs[i].field = get_string (c, self);
          h->refs[i].buffer = previous + (guint64) get_zigzag (c);
          previous = h->refs[i].buffer;
          if (h->refs[i].field == NULL || h->refs[i].buffer == 0)
            c->ok = FALSE;
        }
    }

  if (!c->ok)
    {
      release_handle (node);
      return DAMAGED (s, "a handle's fields are damaged");
    }
  if (old != NULL)
    count_refs (s, &old->pub, -1);
  count_refs (s, h, +1);
  g_hash_table_replace (s->handles, &h->id, node);
  return TRUE;
}

static gboolean
apply_buffer (RsRecording *self,
              State       *s,
              Cursor      *c,
              guint64      id,
              guint        step,
              gboolean     full)
{
  guint64 mask = get_varint (c);
  BufferNode *old = g_hash_table_lookup (s->buffers, &id);
  BufferNode *node;
  RsRecBuffer *b;

  if (!c->ok || id == 0)
    return DAMAGED (s, "a buffer's id is missing");
  if (mask & RS_REC_BUFFER_NEW)
    {
      guint64 kind, back;

      if (old != NULL && !full)
        return DAMAGED (s, "a buffer is born twice");
      node = g_rc_box_new0 (BufferNode);
      node->serial = self->serial;
      b = &node->pub;
      b->id = id;
      kind = get_varint (c);
      b->origin = get_string (c, self);
      back = get_varint (c);
      b->born_site = get_site (c, self);
      if ((kind & 7) >= RS_REC_BUFFER_KIND_N || kind > 15 || back > step)
        c->ok = FALSE;
      b->kind = kind & 7;
      b->tracked = (kind & 8) != 0;
      b->born_step = step - (guint) back;
    }
  else
    {
      if (old == NULL)
        return DAMAGED (s, "a buffer it changes is unknown");
      node = buffer_copy (old, self->serial);
      b = &node->pub;
    }

  if (mask & RS_REC_BUFFER_SIZE) b->size = get_varint (c);
  if (mask & RS_REC_BUFFER_REFCOUNT) b->refcount = get_count (c);
  if (mask & RS_REC_BUFFER_LOST) b->lost = get_count (c);
  if (mask & RS_REC_BUFFER_WRITABLE) b->writable = get_varint (c) != 0;
  if (mask & RS_REC_BUFFER_HOLDER) b->holder = get_string (c, self);
  if (mask & RS_REC_BUFFER_PROGRAM_REFS) b->program_refs = get_count (c);
  if (mask & RS_REC_BUFFER_KIND)
    {
      guint64 kind = get_varint (c);

      if (kind >= RS_REC_BUFFER_KIND_N)
        c->ok = FALSE;
      b->kind = kind;
    }

  if (!c->ok)
    {
      release_buffer (node);
      return DAMAGED (s, "a buffer's fields are damaged");
    }
  g_hash_table_replace (s->buffers, &b->id, node);
  if (!g_hash_table_contains (s->affected, &id))
    g_hash_table_add (s->affected, g_memdup2 (&id, sizeof id));
  return TRUE;
}

/* Ids of a list: deltas from the previous one, strictly increasing. */
static guint64
get_id (Cursor  *c,
        guint64 *previous)
{
  guint64 delta = get_varint (c);

  if (delta == 0 && *previous != 0)
    c->ok = FALSE;
  *previous += delta;
  return *previous;
}

/* Sets the counts that depend on the handles: visible, hidden. */
static gboolean
settle_buffers (RsRecording *self,
                State       *s)
{
  GHashTableIter iter;
  guint64 *id;

  g_hash_table_iter_init (&iter, s->affected);
  while (g_hash_table_iter_next (&iter, (gpointer *) &id, NULL))
    {
      Visible *v = g_hash_table_lookup (s->visible, id);
      BufferNode *node = g_hash_table_lookup (s->buffers, id);
      int visible = v ? v->count : 0;
      int hidden;

      if (v != NULL && v->count == 0)
        g_hash_table_remove (s->visible, id);
      if (node == NULL)
        {
          /* A reference to a buffer the step does not list. */
          if (visible > 0)
            return DAMAGED (s, "a handle refers to a buffer the step does not list");
          continue;
        }
      hidden = node->pub.refcount - visible - node->pub.lost - node->pub.program_refs;
      if (hidden < 0)
        hidden = 0;
      if (node->pub.visible == visible && node->pub.hidden == hidden)
        continue;
      if (node->serial != self->serial)
        {
          node = buffer_copy (node, self->serial);
          g_hash_table_replace (s->buffers, &node->pub.id, node);
        }
      node->pub.visible = visible;
      node->pub.hidden = hidden;
    }
  g_hash_table_remove_all (s->affected);
  return TRUE;
}

/* Applies one step's chunk to `s`. FALSE: the step is damaged (then `s` is
 * not a state of the recording any more). */
static gboolean
apply_step (RsRecording *self,
            State       *s,
            guint        step,
            const StepChunk *chunk)
{
  Cursor c = { self->data + chunk->offset, self->data + chunk->offset + chunk->len, TRUE };
  guint64 flags, previous;
  guint n;

  self->serial++;
  if (chunk->full)
    state_clear (s);
  g_array_set_size (s->events, 0);
  g_hash_table_remove_all (s->affected);

  flags = get_varint (&c);
  s->exact = (flags & RS_REC_STEP_EXACT) != 0;
  s->call = get_string (&c, self);
  s->ret = get_int (&c);
  s->thread = get_count (&c);
  s->site = (flags & RS_REC_STEP_HAS_SITE) ? get_site (&c, self) : (RsRecSite) { NULL, 0 };
  s->out_handle = get_varint (&c);
  if (!c.ok || s->call == NULL || s->thread < 0)
    return DAMAGED (s, "its call is damaged");

  n = get_n (&c);
  previous = 0;
  for (guint i = 0; i < n; i++)
    if (!apply_handle (self, s, &c, get_id (&c, &previous), step, chunk->full))
      return FALSE;
  n = get_n (&c);
  if (chunk->full && n > 0)
    return DAMAGED (s, "a full state removes something");
  previous = 0;
  for (guint i = 0; i < n; i++)
    {
      guint64 id = get_id (&c, &previous);
      HandleNode *node = g_hash_table_lookup (s->handles, &id);

      if (!c.ok || node == NULL)
        return DAMAGED (s, "a handle it removes is unknown");
      count_refs (s, &node->pub, -1);
      g_hash_table_remove (s->handles, &id);
    }

  n = get_n (&c);
  previous = 0;
  for (guint i = 0; i < n; i++)
    if (!apply_buffer (self, s, &c, get_id (&c, &previous), step, chunk->full))
      return FALSE;
  n = get_n (&c);
  if (chunk->full && n > 0)
    return DAMAGED (s, "a full state removes something");
  previous = 0;
  for (guint i = 0; i < n; i++)
    {
      guint64 id = get_id (&c, &previous);

      if (!c.ok || !g_hash_table_remove (s->buffers, &id))
        return DAMAGED (s, "a buffer it removes is unknown");
      if (!g_hash_table_contains (s->affected, &id))
        g_hash_table_add (s->affected, g_memdup2 (&id, sizeof id));
    }

  n = get_n (&c);
  for (guint i = 0; i < n && c.ok; i++)
    {
      RsRecEvent event;
      guint64 kind = get_varint (&c);

      event.kind = kind;
      event.buffer = get_varint (&c);
      event.handle = get_varint (&c);
      event.message = get_string (&c, self);
      if (kind >= RS_REC_EVENT_N)
        c.ok = FALSE;
      g_array_append_val (s->events, event);
    }

  /* Trailing bytes are fields of a later minor version. */
  if (!c.ok)
    return DAMAGED (s, "its events are damaged");
  if (s->out_handle != 0 && !g_hash_table_contains (s->handles, &s->out_handle))
    return DAMAGED (s, "its output handle is unknown");
  return settle_buffers (self, s);
}

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
                        "the program was killed or crashed", self->steps->len);
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
                        " (step %u and after are lost)", offset, self->steps->len);
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
                            " (step %u and after are lost)", offset, self->steps->len);
              return TRUE;
            }
        }
      else if (type == RS_REC_CHUNK_STEP || type == RS_REC_CHUNK_FULL)
        {
          StepChunk chunk = { payload, len, type == RS_REC_CHUNK_FULL || self->steps->len == 0 };
          guint step = self->steps->len;

          if (step == G_MAXUINT - 1 || !apply_step (self, &self->state, step, &chunk))
            {
              self->state_step = G_MAXUINT;
              stop_reading (self, "step %u of the recording is damaged: %s (it and the "
                            "steps after it are lost)", step,
                            self->state.damage ? self->state.damage : "it is too long");
              return TRUE;
            }
          g_array_append_val (self->steps, chunk);
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
  stop_reading (self, "the recording stops after step %u: the program was killed or crashed",
                self->steps->len > 0 ? self->steps->len - 1 : 0);
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
  self->state_step = G_MAXUINT;
  state_init (&self->state);

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
  state_destroy (&self->state);
  g_clear_pointer (&self->file, g_mapped_file_unref);
  g_clear_pointer (&self->strings, g_ptr_array_unref);
  g_clear_pointer (&self->modules, g_ptr_array_unref);
  g_clear_pointer (&self->steps, g_array_unref);
  g_clear_pointer (&self->full, g_array_unref);
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
      gboolean ok = apply_step (self, &self->state, i, &g_array_index (self->steps, StepChunk, i));

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
  result->handles = g_ptr_array_new_full (g_hash_table_size (self->state.handles), release_handle);
  result->buffers = g_ptr_array_new_full (g_hash_table_size (self->state.buffers), release_buffer);
  result->events = g_array_copy (self->state.events);

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
