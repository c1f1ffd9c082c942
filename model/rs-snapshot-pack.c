/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-snapshot-pack.c: a chain of a history's snapshots (a head that keeps
 * its arrays, then steps that keep their edits) in compact bytes, and the
 * same snapshots made again from them (rs-snapshot-private.h).
 *
 * A step of a decode is an 80-byte snapshot with its events (a 96-byte
 * block of malloc's) and a block of edits: some 130 bytes. Packed, it is
 * its numbers as varints, its events, its edits' positions and their nodes'
 * pointers: some 45. The nodes stay as they are, shared: the bytes hold a
 * reference on each node and text they name, so the snapshots made again
 * read the very nodes the originals did.
 */
#define G_LOG_DOMAIN "rs-snapshot"

#include "rs-snapshot.h"
#include "rs-snapshot-private.h"
#include "rs-snapshot-internal.h"

#include <string.h>

enum {
  PACKED_EXACT   = 1 << 0,
  PACKED_SHORT   = 1 << 1,  /* events are ShortEvents */
  PACKED_EXTRA   = 1 << 2,  /* a site and a thread follow */
  PACKED_IS_BASE = 1 << 3,
};

static void
put_varint (GByteArray *out,
            guint64     value)
{
  guint8 bytes[10];
  guint n = 0;

  do
    {
      bytes[n] = (value & 0x7f) | (value > 0x7f ? 0x80 : 0);
      value >>= 7;
      n++;
    }
  while (value != 0);
  g_byte_array_append (out, bytes, n);
}

static guint64
get_varint (const guint8 **p)
{
  guint64 value = 0;
  guint shift = 0;
  guint8 byte;

  do
    {
      byte = *(*p)++;
      value |= (guint64) (byte & 0x7f) << shift;
      shift += 7;
    }
  while (byte & 0x80);
  return value;
}

/* Small negative numbers (libav's errors) in a byte or two. */
static guint64
zigzag (gint64 value)
{
  return ((guint64) value << 1) ^ (guint64) (value >> 63);
}

static gint64
unzigzag (guint64 value)
{
  return (gint64) (value >> 1) ^ -(gint64) (value & 1);
}

static void
put_bytes (GByteArray   *out,
           gconstpointer data,
           gsize         size)
{
  g_byte_array_append (out, data, size);
}

static void
get_bytes (const guint8 **p,
           gpointer       data,
           gsize          size)
{
  memcpy (data, *p, size);
  *p += size;
}

static void
put_pointer (GByteArray   *out,
             gconstpointer pointer)
{
  put_bytes (out, &pointer, sizeof pointer);
}

static gpointer
get_pointer (const guint8 **p)
{
  gpointer pointer;

  get_bytes (p, &pointer, sizeof pointer);
  return pointer;
}

static void
pack_one (RsSnapshot *self,
          gboolean    head,
          GByteArray *out)
{
  SnapshotExtra *extra = g_atomic_pointer_get (&self->extra);
  gboolean has_extra = extra != NULL && (extra->thread != 0 || rs_site_is_known (&extra->site) ||
                                         extra->site.column != 0);
  guint8 flags = (self->exact ? PACKED_EXACT : 0) | (self->short_events ? PACKED_SHORT : 0) |
                 (has_extra ? PACKED_EXTRA : 0) | (self->is_base ? PACKED_IS_BASE : 0);

  put_bytes (out, &flags, 1);
  put_varint (out, zigzag (self->ret));
  put_pointer (out, _rs_step_key_ref (self->key));
  put_varint (out, self->n_handles);
  put_varint (out, self->n_buffers);
  put_varint (out, self->live_bytes);
  put_varint (out, self->n_events);
  for (guint i = 0; i < self->n_events; i++)
    {
      if (self->short_events)
        put_varint (out, ((const ShortEvent *) self->events)[i]);
      else
        {
          RsEvent event = self->events[i];

          event.message = g_strdup (event.message);
          put_bytes (out, &event, sizeof event);
        }
    }
  if (has_extra)
    {
      put_bytes (out, &extra->site, sizeof extra->site);
      put_varint (out, zigzag (extra->thread));
    }
  if (head)
    {
      gpointer *nodes = _rs_snapshot_peek_nodes (self);

      for (guint i = 0; i < self->n_handles; i++)
        put_pointer (out, rs_handle_ref (nodes[i]));
      for (guint i = 0; i < self->n_buffers; i++)
        put_pointer (out, rs_buffer_ref (nodes[self->n_handles + i]));
      return;
    }
  put_varint (out, self->n_handle_ops);
  put_varint (out, self->n_buffer_ops);
  for (guint i = 0; i < self->n_handle_ops + self->n_buffer_ops; i++)
    {
      const Op *op = &self->ops[i];

      put_varint (out, ((guint64) op->position << 2) | op->kind);
      /* A removed node is the predecessor's, borrowed, as in the op. */
      if (op->kind != OP_REMOVE)
        {
          if (i < self->n_handle_ops)
            rs_handle_ref (op->node);
          else
            rs_buffer_ref (op->node);
        }
      put_pointer (out, op->node);
    }
}

guint8 *
rs_snapshot_pack_private (RsSnapshot **snapshots,
                          guint        n)
{
  GByteArray *out;

  g_return_val_if_fail (snapshots != NULL && n > 0, NULL);

  /* Only a whole chain, as rs_snapshot_chain_private() made it. */
  if (snapshots[0]->base != NULL || _rs_snapshot_peek_nodes (snapshots[0]) == NULL)
    return NULL;
  for (guint i = 1; i < n; i++)
    if (snapshots[i]->base != snapshots[i - 1] || snapshots[i]->depth != i)
      return NULL;
  /* Nobody else holds them: once packed, they are freed. */
  for (guint i = 0; i < n; i++)
    if (g_atomic_int_get ((gint *) &snapshots[i]->rc) != 1 + (i + 1 < n ? 1 : 0) ||
        snapshots[i]->is_base != (i + 1 < n))
      return NULL;

  out = g_byte_array_new ();
  for (guint i = 0; i < n; i++)
    pack_one (snapshots[i], i == 0, out);
  /* In a block of its size: a GByteArray keeps room to grow. */
  {
    guint8 *packed = g_memdup2 (out->data, out->len);

    g_byte_array_unref (out);
    return packed;
  }
}

static RsSnapshot *
unpack_one (const guint8 **p,
            guint          step,
            RsSnapshot    *previous)
{
  RsSnapshot *self;
  guint8 flags;
  int ret;
  StepKey *key;
  guint n_handles, n_buffers, n_events;
  guint64 live_bytes;
  gboolean short_events;

  get_bytes (p, &flags, 1);
  ret = (int) unzigzag (get_varint (p));
  key = get_pointer (p);
  n_handles = get_varint (p);
  n_buffers = get_varint (p);
  live_bytes = get_varint (p);
  n_events = get_varint (p);
  short_events = (flags & PACKED_SHORT) != 0;

  self = g_malloc0 (sizeof (RsSnapshot) + n_events * (short_events ? sizeof (ShortEvent) : sizeof (RsEvent)));
  g_atomic_ref_count_init (&self->rc);
  self->step = step;
  self->ret = ret;
  self->exact = (flags & PACKED_EXACT) != 0;
  self->short_events = short_events;
  self->is_base = (flags & PACKED_IS_BASE) != 0;
  self->key = _rs_step_key_ref (key);
  self->n_handles = n_handles;
  self->n_buffers = n_buffers;
  self->live_bytes = live_bytes;
  self->n_events = n_events;
  for (guint i = 0; i < n_events; i++)
    {
      if (short_events)
        ((ShortEvent *) self->events)[i] = get_varint (p);
      else
        {
          get_bytes (p, &self->events[i], sizeof (RsEvent));
          self->events[i].message = g_strdup (self->events[i].message);
        }
    }
  if (flags & PACKED_EXTRA)
    {
      self->extra = g_new0 (SnapshotExtra, 1);
      get_bytes (p, &self->extra->site, sizeof (RsSite));
      self->extra->thread = (int) unzigzag (get_varint (p));
    }

  if (previous == NULL)
    {
      gpointer *nodes = g_new (gpointer, MAX (n_handles + n_buffers, 1));

      for (guint i = 0; i < n_handles; i++)
        nodes[i] = rs_handle_ref (get_pointer (p));
      for (guint i = 0; i < n_buffers; i++)
        nodes[n_handles + i] = rs_buffer_ref (get_pointer (p));
      self->nodes = nodes;
      return self;
    }

  self->n_handle_ops = get_varint (p);
  self->n_buffer_ops = get_varint (p);
  self->ops = g_new (Op, MAX (self->n_handle_ops + self->n_buffer_ops, 1));
  for (guint i = 0; i < self->n_handle_ops + self->n_buffer_ops; i++)
    {
      guint64 word = get_varint (p);
      Op *op = &self->ops[i];

      op->position = word >> 2;
      op->kind = word & 3;
      op->node = get_pointer (p);
      if (op->kind != OP_REMOVE)
        {
          if (i < self->n_handle_ops)
            rs_handle_ref (op->node);
          else
            rs_buffer_ref (op->node);
        }
    }
  self->base = rs_snapshot_ref (previous);
  self->depth = previous->depth + 1;
  return self;
}

void
rs_snapshot_unpack_private (const guint8  *packed,
                            guint          first,
                            guint          n,
                            RsSnapshot   **out)
{
  const guint8 *p = packed;

  g_return_if_fail (packed != NULL && out != NULL);

  for (guint i = 0; i < n; i++)
    out[i] = unpack_one (&p, first + i, i > 0 ? out[i - 1] : NULL);
}

void
rs_snapshot_packed_free_private (guint8 *packed,
                                 guint   n)
{
  const guint8 *p = packed;

  if (packed == NULL)
    return;
  for (guint i = 0; i < n; i++)
    {
      guint8 flags;
      guint n_handles, n_buffers, n_events;

      get_bytes (&p, &flags, 1);
      get_varint (&p);  /* ret */
      _rs_step_key_release (get_pointer (&p));
      n_handles = get_varint (&p);
      n_buffers = get_varint (&p);
      get_varint (&p);  /* live bytes */
      n_events = get_varint (&p);
      for (guint e = 0; e < n_events; e++)
        {
          if (flags & PACKED_SHORT)
            get_varint (&p);
          else
            {
              RsEvent event;

              get_bytes (&p, &event, sizeof event);
              g_free ((char *) event.message);
            }
        }
      if (flags & PACKED_EXTRA)
        {
          p += sizeof (RsSite);
          get_varint (&p);
        }
      if (i == 0)
        {
          for (guint k = 0; k < n_handles; k++)
            rs_handle_unref (get_pointer (&p));
          for (guint k = 0; k < n_buffers; k++)
            rs_buffer_unref (get_pointer (&p));
        }
      else
        {
          guint n_handle_ops = get_varint (&p);
          guint n_buffer_ops = get_varint (&p);

          for (guint k = 0; k < n_handle_ops + n_buffer_ops; k++)
            {
              OpKind kind = get_varint (&p) & 3;
              gpointer node = get_pointer (&p);

              if (kind == OP_REMOVE)
                continue;
              if (k < n_handle_ops)
                rs_handle_unref (node);
              else
                rs_buffer_unref (node);
            }
        }
    }
  g_free (packed);
}
