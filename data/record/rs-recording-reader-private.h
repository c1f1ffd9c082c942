/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-recording-reader-private.h: the insides of the reader, shared by
 *   rs-recording-reader.c   opening a file, its chunks, the public calls
 *   rs-recording-steps.c    states: applying a step's changes to them
 */
#pragma once

#include "rs-recording-reader.h"

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
  gboolean    saved;       /* the step carried a saved session's fields: */
  const char *args;
  const char *out_name;
  int         model_thread;
  RsRecPlace  place;
  GArray     *order;        /* guint64 */
  GArray     *model_events; /* RsRecModelEvent */
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
  GArray      *births;    /* RsRecBirth, by id */
  char        *program;
  guint        pid;
  int          max_thread;  /* the highest thread a step read names: see rs_recording_get_max_thread */
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

/* Reading a chunk's payload: each getter fails the cursor (ok = FALSE) on
 * damage and then returns 0/NULL. */
static inline guint64
get_varint (Cursor *c)
{
  guint64 value = 0;

  if (c->ok && !rs_rec_get_varint (&c->p, c->end, &value))
    c->ok = FALSE;
  return c->ok ? value : 0;
}

static inline gint64
get_zigzag (Cursor *c)
{
  return rs_rec_unzigzag (get_varint (c));
}

/* An int-sized value; anything else is damage. */
static inline int
get_int (Cursor *c)
{
  gint64 value = get_zigzag (c);

  if (value < G_MININT || value > G_MAXINT)
    c->ok = FALSE;
  return c->ok ? (int) value : 0;
}

static inline int
get_count (Cursor *c)
{
  guint64 value = get_varint (c);

  if (value > G_MAXINT)
    c->ok = FALSE;
  return c->ok ? (int) value : 0;
}

/* A number of items that follow, each at least one byte long. */
static inline guint
get_n (Cursor *c)
{
  guint64 n = get_varint (c);

  if (n > (guint64) (c->end - c->p))
    c->ok = FALSE;
  return c->ok ? (guint) n : 0;
}

static inline const char *
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

static inline RsRecSite
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

static inline RsRecPlace
get_place (Cursor      *c,
           RsRecording *self)
{
  RsRecPlace place;

  place.file = get_string (c, self);
  place.function = get_string (c, self);
  place.line = get_count (c);
  place.column = get_count (c);
  return place;
}

/* rs-recording-steps.c */
void     _rs_recording_release_handle (gpointer     data);
void     _rs_recording_release_buffer (gpointer     data);
void     _rs_recording_state_init     (State       *s);
void     _rs_recording_state_clear    (State       *s);
void     _rs_recording_state_destroy  (State       *s);
/* Applies one step's chunk to `s`. FALSE: the step is damaged (s->damage
 * says how; then `s` is not a state of the recording any more). */
gboolean _rs_recording_apply_step     (RsRecording     *self,
                                       State           *s,
                                       guint            step,
                                       const StepChunk *chunk);
