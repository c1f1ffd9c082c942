/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-recording-steps.c: the state at a step, made by applying each step's
 * changes to the state before it (a full step starts from nothing). Nodes
 * are immutable once a step is applied; a step copies those it changes.
 */
#define G_LOG_DOMAIN "rs-recording-reader"

#include "rs-recording-reader-private.h"

/* ------------------------------------------------------------------ */
/* Nodes. */

static void
clear_handle (gpointer data)
{
  HandleNode *node = data;

  g_free (node->pub.refs);
}

void
_rs_recording_release_handle (gpointer data)
{
  g_rc_box_release_full (data, clear_handle);
}

void
_rs_recording_release_buffer (gpointer data)
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

void
_rs_recording_state_init (State *s)
{
  s->handles = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, _rs_recording_release_handle);
  s->buffers = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, _rs_recording_release_buffer);
  s->visible = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_free);
  s->affected = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  s->events = g_array_new (FALSE, FALSE, sizeof (RsRecEvent));
  s->order = g_array_new (FALSE, FALSE, sizeof (guint64));
  s->model_events = g_array_new (FALSE, FALSE, sizeof (RsRecModelEvent));
}

void
_rs_recording_state_clear (State *s)
{
  g_hash_table_remove_all (s->handles);
  g_hash_table_remove_all (s->buffers);
  g_hash_table_remove_all (s->visible);
  g_hash_table_remove_all (s->affected);
  g_array_set_size (s->events, 0);
}

void
_rs_recording_state_destroy (State *s)
{
  g_clear_pointer (&s->handles, g_hash_table_unref);
  g_clear_pointer (&s->buffers, g_hash_table_unref);
  g_clear_pointer (&s->visible, g_hash_table_unref);
  g_clear_pointer (&s->affected, g_hash_table_unref);
  g_clear_pointer (&s->events, g_array_unref);
  g_clear_pointer (&s->order, g_array_unref);
  g_clear_pointer (&s->model_events, g_array_unref);
}

/* `id`'s counts are settled at the end of the step. */
static void
mark_affected (State   *s,
               guint64  id)
{
  if (!g_hash_table_contains (s->affected, &id))
    g_hash_table_add (s->affected, g_memdup2 (&id, sizeof id));
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
      mark_affected (s, id);
    }
}

/* Why a record of a handle or a buffer is damaged. */
typedef struct {
  const char *no_id;
  const char *born_twice;
  const char *unknown;
} Damage;

static const Damage handle_damage = {
  "a handle's id is missing", "a handle is born twice", "a handle it changes is unknown",
};
static const Damage buffer_damage = {
  "a buffer's id is missing", "a buffer is born twice", "a buffer it changes is unknown",
};

/* Whether a record may make (`born`) or change the handle or buffer `id`,
 * which the state holds (`held`) or not. */
static gboolean
check_record (State        *s,
              const Cursor *c,
              guint64       id,
              gboolean      born,
              gboolean      held,
              gboolean      full,
              const Damage *damage)
{
  if (!c->ok || id == 0)
    return DAMAGED (s, damage->no_id);
  /* A delta step never makes one twice (a full step makes all anew). */
  if (born && held && !full)
    return DAMAGED (s, damage->born_twice);
  if (!born && !held)
    return DAMAGED (s, damage->unknown);
  return TRUE;
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

  if (!check_record (s, c, id, (mask & RS_REC_HANDLE_NEW) != 0, old != NULL, full, &handle_damage))
    return FALSE;
  if (mask & RS_REC_HANDLE_NEW)
    {
      guint64 kind, back;

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
      _rs_recording_release_handle (node);
      return DAMAGED (s, "a handle's fields are damaged");
    }
  /* Ids grow: a greater one is a handle seen for the first time (when the
   * file is opened; seeking later applies steps again). */
  if ((mask & RS_REC_HANDLE_NEW) &&
      (self->births->len == 0 || id > g_array_index (self->births, RsRecBirth, self->births->len - 1).id))
    g_array_append_val (self->births, ((RsRecBirth) { id, h->kind, h->born_site }));
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

  if (!check_record (s, c, id, (mask & RS_REC_BUFFER_NEW) != 0, old != NULL, full, &buffer_damage))
    return FALSE;
  if (mask & RS_REC_BUFFER_NEW)
    {
      guint64 kind, back;

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
      node = buffer_copy (old, self->serial);
      b = &node->pub;
    }

  if (mask & RS_REC_BUFFER_SIZE) b->size = get_varint (c);
  if (mask & RS_REC_BUFFER_REFCOUNT) b->refcount = get_count (c);
  if (mask & RS_REC_BUFFER_LOST)
    {
      guint64 back;

      b->lost = get_count (c);
      back = get_varint (c);
      if (back > step)
        c->ok = FALSE;
      b->lost_step = b->lost > 0 ? step - (guint) back : 0;
    }
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
      _rs_recording_release_buffer (node);
      return DAMAGED (s, "a buffer's fields are damaged");
    }
  g_hash_table_replace (s->buffers, &b->id, node);
  mark_affected (s, id);
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

/* A handle or a buffer a step makes or changes: apply_handle, apply_buffer. */
typedef gboolean (*ApplyFunc) (RsRecording *self,
                               State       *s,
                               Cursor      *c,
                               guint64      id,
                               guint        step,
                               gboolean     full);

/* A list of records a step upserts; their ids are appended to `ids` when
 * it is not NULL (a saved session's fields follow in the same order). */
static gboolean
apply_upserts (RsRecording *self,
               State       *s,
               Cursor      *c,
               guint        step,
               gboolean     full,
               ApplyFunc    apply,
               GArray      *ids)
{
  guint n = get_n (c);
  guint64 previous = 0;

  for (guint i = 0; i < n; i++)
    {
      if (!apply (self, s, c, get_id (c, &previous), step, full))
        return FALSE;
      if (ids != NULL)
        g_array_append_val (ids, previous);
    }
  return TRUE;
}

static gboolean
remove_handle (State   *s,
               Cursor  *c,
               guint64  id)
{
  HandleNode *node = g_hash_table_lookup (s->handles, &id);

  if (!c->ok || node == NULL)
    return DAMAGED (s, "a handle it removes is unknown");
  count_refs (s, &node->pub, -1);
  g_hash_table_remove (s->handles, &id);
  return TRUE;
}

static gboolean
remove_buffer (State   *s,
               Cursor  *c,
               guint64  id)
{
  if (!c->ok || !g_hash_table_remove (s->buffers, &id))
    return DAMAGED (s, "a buffer it removes is unknown");
  mark_affected (s, id);
  return TRUE;
}

/* A handle or a buffer a step removes: remove_handle, remove_buffer. */
typedef gboolean (*RemoveFunc) (State   *s,
                                Cursor  *c,
                                guint64  id);

/* A list of ids a step removes. */
static gboolean
apply_removals (State      *s,
                Cursor     *c,
                gboolean    full,
                RemoveFunc  remove)
{
  guint n = get_n (c);
  guint64 previous = 0;

  if (full && n > 0)
    return DAMAGED (s, "a full state removes something");
  for (guint i = 0; i < n; i++)
    if (!remove (s, c, get_id (c, &previous)))
      return FALSE;
  return TRUE;
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

/* A saved session's fields at the end of a step (FORMAT.md, "Saved
 * sessions"): the step's, then one record per handle and buffer the step
 * upserted (in the same order), then its events. */
static gboolean
apply_model (RsRecording  *self,
             State        *s,
             Cursor       *c,
             const GArray *handle_ids,
             const GArray *buffer_ids)
{
  guint n;
  guint64 previous = 0;

  s->saved = TRUE;
  s->args = get_string (c, self);
  s->out_name = get_string (c, self);
  s->place = get_place (c, self);
  s->model_thread = get_count (c);
  n = get_n (c);
  for (guint i = 0; i < n && c->ok; i++)
    {
      guint64 id = previous + (guint64) get_zigzag (c);

      if (!g_hash_table_contains (s->handles, &id))
        c->ok = FALSE;
      g_array_append_val (s->order, id);
      previous = id;
    }
  if (c->ok && n > 0 && n != g_hash_table_size (s->handles))
    c->ok = FALSE;

  for (guint i = 0; i < handle_ids->len && c->ok; i++)
    {
      /* Made or copied by this step: still ours to fill. */
      HandleNode *node = g_hash_table_lookup (s->handles, &g_array_index (handle_ids, guint64, i));
      RsRecHandle *h;
      guint64 flags;

      if (node == NULL)  /* removed by the step that made it */
        return FALSE;
      h = &node->pub;
      h->saved = TRUE;
      h->name = get_string (c, self);
      h->holder = get_string (c, self);
      h->group = get_string (c, self);
      h->slot = get_int (c);
      h->capacity = get_count (c);
      flags = get_varint (c);
      h->shown = (flags & 1) != 0;
      h->leaked = (flags & 2) != 0;
      h->ring_head = (flags & 4) != 0;
      h->ring_tail = (flags & 8) != 0;
      h->origin = get_string (c, self);
      h->place = get_place (c, self);
      if (h->name == NULL)
        c->ok = FALSE;
    }
  for (guint i = 0; i < buffer_ids->len && c->ok; i++)
    {
      BufferNode *node = g_hash_table_lookup (s->buffers, &g_array_index (buffer_ids, guint64, i));
      RsRecBuffer *b;

      if (node == NULL)
        return FALSE;
      b = &node->pub;
      b->saved = TRUE;
      b->leaked = (get_varint (c) & 1) != 0;
      b->place = get_place (c, self);
    }

  n = get_n (c);
  for (guint i = 0; i < n && c->ok; i++)
    {
      RsRecModelEvent e;

      e.kind = get_count (c);
      e.buffer = get_varint (c);
      e.handle = get_string (c, self);
      e.call = get_string (c, self);
      e.place = get_place (c, self);
      e.reason = get_count (c);
      e.count = get_int (c);
      e.fault = get_count (c);
      e.field = get_string (c, self);
      for (guint v = 0; v < G_N_ELEMENTS (e.value); v++)
        e.value[v] = get_zigzag (c);
      e.message = get_string (c, self);
      g_array_append_val (s->model_events, e);
    }
  return c->ok;
}

gboolean
_rs_recording_apply_step (RsRecording *self,
                          State       *s,
                          guint        step,
                          const StepChunk *chunk)
{
  Cursor c = { self->data + chunk->offset, self->data + chunk->offset + chunk->len, TRUE };
  guint64 flags;
  guint n;

  g_autoptr(GArray) handle_ids = NULL;
  g_autoptr(GArray) buffer_ids = NULL;

  self->serial++;
  if (chunk->full)
    _rs_recording_state_clear (s);
  g_array_set_size (s->events, 0);
  g_array_set_size (s->order, 0);
  g_array_set_size (s->model_events, 0);
  s->saved = FALSE;
  s->args = s->out_name = NULL;
  s->model_thread = 0;
  s->place = (RsRecPlace) { 0 };
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
  if (flags & RS_REC_STEP_MODEL)
    {
      handle_ids = g_array_new (FALSE, FALSE, sizeof (guint64));
      buffer_ids = g_array_new (FALSE, FALSE, sizeof (guint64));
    }

  if (!apply_upserts (self, s, &c, step, chunk->full, apply_handle, handle_ids) ||
      !apply_removals (s, &c, chunk->full, remove_handle) ||
      !apply_upserts (self, s, &c, step, chunk->full, apply_buffer, buffer_ids) ||
      !apply_removals (s, &c, chunk->full, remove_buffer))
    return FALSE;

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

  if (!c.ok)
    return DAMAGED (s, "its events are damaged");
  if (handle_ids != NULL && !apply_model (self, s, &c, handle_ids, buffer_ids))
    return DAMAGED (s, "its saved session's fields are damaged");
  /* Trailing bytes are fields of a later minor version. */
  if (s->out_handle != 0 && !g_hash_table_contains (s->handles, &s->out_handle))
    return DAMAGED (s, "its output handle is unknown");
  return settle_buffers (self, s);
}
