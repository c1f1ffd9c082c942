/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-trace"
/* sync_file_range() */
#define _GNU_SOURCE

#include "rs-trace.h"

#include <fcntl.h>
#include <string.h>

/* Snapshots queued for the writer's thread at most: the session waits
 * beyond. */
#define MAX_QUEUED 128
/* The thread is woken when this many wait (or on a flush): one wake-up, a
 * few system calls (tens of microseconds on a virtual machine), for many
 * lines rather than for each. */
#define BATCH 32
/* Lines are handed to the stream in pieces of about this size. */
#define WRITE_SIZE (64 * 1024)
/* With a writeback file, the disk is asked to start writing after every
 * this many bytes. */
#define WRITEBACK_SIZE (1024 * 1024)

/* Where one side of the queue (the session or the thread) waits for the
 * other. It is signalled only while it waits: a GCond signal is a system
 * call. Under the writer's lock. */
typedef struct {
  GCond    cond;
  gboolean waiting;
} Waiter;

static void
waiter_wait (Waiter *waiter,
             GMutex *lock)
{
  waiter->waiting = TRUE;
  g_cond_wait (&waiter->cond, lock);
  waiter->waiting = FALSE;
}

static void
waiter_signal (Waiter *waiter)
{
  if (waiter->waiting)
    g_cond_signal (&waiter->cond);
}

struct _RsTraceWriter {
  GOutputStream *stream;
  JsonGenerator *generator;   /* made once, for every line and node */
  GString       *lines;       /* the lines not yet handed to the stream */
  GString       *scratch;     /* a node's text being made */
  int            writeback_fd; /* -1: none */
  gsize          unsynced;    /* bytes written since the last writeback */

  /* Threaded writers: the thread makes and writes the lines of the
   * snapshots queued. Everything below is under `lock`. */
  GThread       *thread;
  GMutex         lock;
  Waiter         wake;        /* the thread waits here for snapshots */
  Waiter         room;        /* the session waits here for room or a flush */
  GQueue         queue;       /* RsSnapshot*, owned */
  gboolean       busy;        /* the thread is writing lines it took */
  gboolean       stopping;    /* the thread ends once the queue is empty */
  gboolean       discard;     /* lines still queued are dropped, not written */
  GError        *error;       /* the first failure; nothing is written after it */
};

static void
set_timestamp (JsonObject *object,
               const char *name,
               gint64      value)
{
  if (value == RS_NO_TIMESTAMP)
    json_object_set_null_member (object, name);
  else
    json_object_set_int_member (object, name, value);
}

static void
set_string (JsonObject *object,
            const char *name,
            const char *value)
{
  if (value == NULL)
    json_object_set_null_member (object, name);
  else
    json_object_set_string_member (object, name, value);
}

/* "site": {"function": ..., "file": ..., "line": ..., "column": ..., "module": ...};
 * NULL when unknown. */
static JsonObject *
site_object (const RsSite *site)
{
  JsonObject *object;

  if (!rs_site_is_known (site))
    return NULL;
  object = json_object_new ();
  set_string (object, "function", site->function);
  set_string (object, "file", site->file);
  json_object_set_int_member (object, "line", site->line);
  if (site->column > 0)
    json_object_set_int_member (object, "column", site->column);
  /* No line info there: where in the binary, "player+0x1a2b". */
  if (site->module != NULL)
    json_object_set_string_member (object, "module", site->module);
  return object;
}

static void
set_site (JsonObject   *object,
          const RsSite *site)
{
  JsonObject *member = site_object (site);

  if (member != NULL)
    json_object_set_object_member (object, "site", member);
}

/* Objects are made member by member, without a JsonBuilder: the same tree
 * for a fraction of the work, and nodes are made for every step of a
 * session. */
static JsonNode *
handle_to_json (const RsHandle *handle)
{
  JsonObject *object = json_object_new ();
  JsonArray *refs;
  JsonNode *node;

  set_string (object, "id", handle->id);
  set_string (object, "kind", rs_handle_kind_to_string (handle->kind));
  set_string (object, "holder", handle->holder);
  if (handle->slot >= 0)
    json_object_set_int_member (object, "slot", handle->slot);
  if (handle->stream >= 0)
    json_object_set_int_member (object, "stream", handle->stream);

  if (handle->kind == RS_HANDLE_PACKET)
    {
      set_timestamp (object, "pts", handle->pts);
      set_timestamp (object, "dts", handle->dts);
      json_object_set_int_member (object, "size", handle->size);
      json_object_set_boolean_member (object, "key", handle->key);
    }
  else
    {
      set_timestamp (object, "pts", handle->pts);
      if (handle->pict_type != 0)
        {
          char type[2] = { handle->pict_type, 0 };
          json_object_set_string_member (object, "pict_type", type);
        }
      if (handle->format != NULL)
        json_object_set_string_member (object, "format", handle->format);
      if (handle->width > 0)
        {
          json_object_set_int_member (object, "width", handle->width);
          json_object_set_int_member (object, "height", handle->height);
        }
      if (handle->nb_samples > 0)
        {
          json_object_set_int_member (object, "nb_samples", handle->nb_samples);
          json_object_set_int_member (object, "sample_rate", handle->sample_rate);
        }
      if (handle->kind == RS_HANDLE_SUBTITLE && handle->format != NULL)
        {
          json_object_set_int_member (object, "num_rects", handle->n_rects);
          json_object_set_int_member (object, "start_display_time", handle->start_display);
          json_object_set_int_member (object, "end_display_time", handle->end_display);
        }
      if (handle->group != NULL && g_str_has_suffix (handle->group, "frameq"))
        json_object_set_boolean_member (object, "shown", handle->shown);
    }
  if (handle->origin != NULL)
    {
      json_object_set_string_member (object, "origin", handle->origin);
      json_object_set_int_member (object, "born", handle->born);
    }
  set_site (object, handle->site);
  if (handle->leaked)
    json_object_set_boolean_member (object, "leaked", TRUE);

  refs = json_array_sized_new (handle->n_refs);
  for (guint i = 0; i < handle->n_refs; i++)
    {
      JsonObject *ref = json_object_new ();

      set_string (ref, "field", handle->refs[i].field);
      json_object_set_int_member (ref, "buffer", handle->refs[i].buffer);
      json_array_add_object_element (refs, ref);
    }
  json_object_set_array_member (object, "refs", refs);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, object);
  return node;
}

static JsonNode *
buffer_to_json (const RsBuffer *buffer)
{
  JsonObject *object = json_object_new ();
  JsonNode *node;

  json_object_set_int_member (object, "id", buffer->id);
  set_string (object, "kind", rs_buffer_kind_to_string (buffer->kind));
  json_object_set_int_member (object, "size", buffer->size);
  json_object_set_int_member (object, "refcount", buffer->refcount);
  json_object_set_int_member (object, "visible", buffer->visible);
  json_object_set_int_member (object, "hidden", buffer->hidden);
  json_object_set_int_member (object, "lost", buffer->lost);
  set_string (object, "holder", buffer->holder);
  json_object_set_boolean_member (object, "tracked", buffer->tracked);
  json_object_set_boolean_member (object, "writable", buffer->writable);
  set_string (object, "origin", buffer->origin);
  json_object_set_int_member (object, "born", buffer->born);
  set_site (object, buffer->site);
  if (buffer->leaked)
    json_object_set_boolean_member (object, "leaked", TRUE);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, object);
  return node;
}

/* The step's own members: step, call, args, ret, exact, out. */
static JsonObject *
step_header (const RsSnapshot *snapshot)
{
  JsonObject *object = json_object_new ();
  JsonObject *site = site_object (rs_snapshot_get_site (snapshot));
  const char *out;

  json_object_set_int_member (object, "step", rs_snapshot_get_step (snapshot));
  json_object_set_string_member (object, "call", rs_snapshot_get_call (snapshot));
  if (rs_snapshot_get_args (snapshot) != NULL)
    json_object_set_string_member (object, "args", rs_snapshot_get_args (snapshot));
  json_object_set_int_member (object, "ret", rs_snapshot_get_ret (snapshot));
  json_object_set_boolean_member (object, "exact", rs_snapshot_is_exact (snapshot));
  out = rs_snapshot_get_out (snapshot);
  if (out != NULL)
    json_object_set_string_member (object, "out", out);
  else
    json_object_set_null_member (object, "out");
  if (rs_snapshot_get_thread (snapshot) > 0)
    json_object_set_int_member (object, "thread", rs_snapshot_get_thread (snapshot));
  if (site != NULL)
    json_object_set_object_member (object, "site", site);
  return object;
}

static JsonArray *
step_events (const RsSnapshot *snapshot)
{
  JsonArray *events = json_array_new ();

  for (guint i = 0; i < rs_snapshot_get_n_events (snapshot); i++)
    {
      const RsEvent *event = rs_snapshot_get_event (snapshot, i);
      JsonObject *e = json_object_new ();
      JsonObject *site;

      if (event->buffer != 0)
        json_object_set_int_member (e, "buffer", event->buffer);
      json_object_set_string_member (e, "event", rs_event_kind_to_string (event->kind));
      if (event->handle != NULL)
        json_object_set_string_member (e, "handle", event->handle);
      if (event->call != NULL)
        json_object_set_string_member (e, "call", event->call);
      if (event->reason != RS_LOSS_NONE)
        json_object_set_string_member (e, "reason", rs_loss_reason_to_string (event->reason));
      if (event->count > 0)
        json_object_set_int_member (e, "count", event->count);
      if (event->fault != RS_FAULT_NONE)
        {
          JsonArray *values = json_array_sized_new (G_N_ELEMENTS (event->value));

          json_object_set_string_member (e, "fault", rs_fault_to_string (event->fault));
          for (guint v = 0; v < G_N_ELEMENTS (event->value); v++)
            json_array_add_int_element (values, event->value[v]);
          json_object_set_array_member (e, "values", values);
        }
      if (event->field != NULL)
        json_object_set_string_member (e, "field", event->field);
      if ((site = site_object (&event->site)) != NULL)
        json_object_set_object_member (e, "site", site);
      if (event->message != NULL)
        json_object_set_string_member (e, "message", event->message);
      json_array_add_object_element (events, e);
    }
  return events;
}

JsonNode *
rs_snapshot_to_json (const RsSnapshot *snapshot)
{
  g_autoptr(JsonObject) object = NULL;
  JsonArray *handles, *buffers;
  JsonNode *root;

  g_return_val_if_fail (snapshot != NULL, NULL);

  object = step_header (snapshot);
  handles = json_array_sized_new (rs_snapshot_get_n_handles (snapshot));
  for (guint i = 0; i < rs_snapshot_get_n_handles (snapshot); i++)
    json_array_add_element (handles, handle_to_json (rs_snapshot_get_handle (snapshot, i)));
  json_object_set_array_member (object, "handles", handles);

  buffers = json_array_sized_new (rs_snapshot_get_n_buffers (snapshot));
  for (guint i = 0; i < rs_snapshot_get_n_buffers (snapshot); i++)
    json_array_add_element (buffers, buffer_to_json (rs_snapshot_get_buffer (snapshot, i)));
  json_object_set_array_member (object, "buffers", buffers);

  json_object_set_array_member (object, "events", step_events (snapshot));

  root = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (root, object);
  return root;
}

RsTraceWriter *
rs_trace_writer_new (GOutputStream *stream)
{
  RsTraceWriter *self;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), NULL);

  self = g_new0 (RsTraceWriter, 1);
  self->stream = g_object_ref (stream);
  self->generator = json_generator_new ();
  self->lines = g_string_sized_new (WRITE_SIZE + 16 * 1024);
  self->scratch = g_string_sized_new (1024);
  self->writeback_fd = -1;
  return self;
}

static void
append_generated (JsonGenerator *generator,
                  JsonNode      *root,
                  GString       *line)
{
  json_generator_set_root (generator, root);
  json_generator_to_gstring (generator, line);
  json_node_unref (root);
}

/* A node's JSON text, with its length (it is copied into every line that
 * shows the node). */
typedef struct {
  gsize len;
  char  str[];
} NodeText;

static NodeText *
node_text_new (RsTraceWriter *self,
               JsonNode      *root)
{
  NodeText *text;

  g_string_truncate (self->scratch, 0);
  append_generated (self->generator, root, self->scratch);
  text = g_malloc (sizeof (NodeText) + self->scratch->len + 1);
  text->len = self->scratch->len;
  memcpy (text->str, self->scratch->str, self->scratch->len + 1);
  return text;
}

/* A node's JSON text, generated by json-glib once per node and reused in
 * every step that shares the node. */
static void
append_handle (RsTraceWriter  *self,
               const RsHandle *handle)
{
  const NodeText *text = rs_handle_get_cache (handle, RS_NODE_CACHE_JSON);

  if (text == NULL)
    text = rs_handle_set_cache (handle, RS_NODE_CACHE_JSON,
                                node_text_new (self, handle_to_json (handle)), g_free);
  g_string_append_len (self->lines, text->str, text->len);
}

static void
append_buffer (RsTraceWriter  *self,
               const RsBuffer *buffer)
{
  const NodeText *text = rs_buffer_get_cache (buffer, RS_NODE_CACHE_JSON);

  if (text == NULL)
    text = rs_buffer_set_cache (buffer, RS_NODE_CACHE_JSON,
                                node_text_new (self, buffer_to_json (buffer)), g_free);
  g_string_append_len (self->lines, text->str, text->len);
}

/* Appends to `lines` the same JSON as rs_snapshot_to_json(), but each
 * node's text comes from its cache: only nodes new in this step are
 * serialized. Every fragment is json-glib's output; this only joins them. */
static void
append_line (RsTraceWriter    *self,
             const RsSnapshot *snapshot)
{
  GString *line = self->lines;
  JsonNode *node;

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, step_header (snapshot));
  append_generated (self->generator, node, line);
  g_assert (line->len > 2 && line->str[line->len - 1] == '}');
  g_string_truncate (line, line->len - 1);

  g_string_append (line, ",\"handles\":[");
  for (guint i = 0; i < rs_snapshot_get_n_handles (snapshot); i++)
    {
      if (i > 0)
        g_string_append_c (line, ',');
      append_handle (self, rs_snapshot_get_handle (snapshot, i));
    }
  g_string_append (line, "],\"buffers\":[");
  for (guint i = 0; i < rs_snapshot_get_n_buffers (snapshot); i++)
    {
      if (i > 0)
        g_string_append_c (line, ',');
      append_buffer (self, rs_snapshot_get_buffer (snapshot, i));
    }
  g_string_append (line, "],\"events\":");
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, step_events (snapshot));
  append_generated (self->generator, node, line);
  g_string_append (line, "}\n");
  json_generator_set_root (self->generator, NULL);
}

/* Hands the lines made so far to the stream. */
static gboolean
write_lines (RsTraceWriter  *self,
             GError        **error)
{
  gboolean ok = g_output_stream_write_all (self->stream, self->lines->str, self->lines->len,
                                           NULL, NULL, error);

  self->unsynced += self->lines->len;
  g_string_truncate (self->lines, 0);
#ifdef SYNC_FILE_RANGE_WRITE
  /* Starts writing what the file has so far, without waiting: the disk
   * works while the session goes on, and the final fsync() has little
   * left. A failure here only loses that head start. */
  if (ok && self->writeback_fd >= 0 && self->unsynced >= WRITEBACK_SIZE)
    {
      sync_file_range (self->writeback_fd, 0, 0, SYNC_FILE_RANGE_WRITE);
      self->unsynced = 0;
    }
#endif
  return ok;
}

/* The thread's part: the lines of `batch` (RsSnapshot*, owned, freed), in
 * order. */
static gboolean
write_batch (RsTraceWriter  *self,
             GQueue         *batch,
             gboolean        write,
             GError        **error)
{
  RsSnapshot *snapshot;

  while ((snapshot = g_queue_pop_head (batch)) != NULL)
    {
      if (write)
        {
          append_line (self, snapshot);
          if (self->lines->len >= WRITE_SIZE)
            write = write_lines (self, error);
        }
      rs_snapshot_unref (snapshot);
    }
  return write && write_lines (self, error);
}

static gpointer
writer_thread (gpointer data)
{
  RsTraceWriter *self = data;

  g_mutex_lock (&self->lock);
  for (;;)
    {
      GQueue batch = G_QUEUE_INIT;
      GError *error = NULL;
      gboolean write;

      while (g_queue_is_empty (&self->queue) && !self->stopping)
        waiter_wait (&self->wake, &self->lock);
      if (g_queue_is_empty (&self->queue))
        break;
      /* Everything queued, at once: the session has room again. */
      batch = self->queue;
      g_queue_init (&self->queue);
      self->busy = TRUE;
      write = self->error == NULL && !self->discard;
      waiter_signal (&self->room);
      g_mutex_unlock (&self->lock);

      write_batch (self, &batch, write, &error);

      g_mutex_lock (&self->lock);
      self->busy = FALSE;
      if (error != NULL && self->error == NULL)
        self->error = error;
      else
        g_clear_error (&error);
      waiter_signal (&self->room);
    }
  g_mutex_unlock (&self->lock);
  return NULL;
}

RsTraceWriter *
rs_trace_writer_new_threaded (GOutputStream *stream)
{
  RsTraceWriter *self = rs_trace_writer_new (stream);

  g_return_val_if_fail (self != NULL, NULL);

  g_mutex_init (&self->lock);
  g_cond_init (&self->wake.cond);
  g_cond_init (&self->room.cond);
  self->thread = g_thread_new ("rs-trace-writer", writer_thread, self);
  return self;
}

/* Under the lock: wakes the thread if it waits while there is work, then
 * waits until it has taken the queue or finished writing. */
static void
wait_for_thread (RsTraceWriter *self)
{
  if (!g_queue_is_empty (&self->queue))
    waiter_signal (&self->wake);
  waiter_wait (&self->room, &self->lock);
}

void
rs_trace_writer_set_writeback_fd (RsTraceWriter *self,
                                  int            fd)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->thread == NULL || g_queue_is_empty (&self->queue));

  self->writeback_fd = fd;
}

gboolean
rs_trace_writer_write (RsTraceWriter    *self,
                       const RsSnapshot *snapshot,
                       GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (snapshot != NULL, FALSE);

  if (self->thread == NULL)
    {
      append_line (self, snapshot);
      return write_lines (self, error);
    }

  g_mutex_lock (&self->lock);
  while (self->error == NULL && self->queue.length >= MAX_QUEUED)
    wait_for_thread (self);
  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  /* Snapshots are immutable and their nodes' caches are set atomically:
   * the thread reads this one while the session makes the next. */
  g_queue_push_tail (&self->queue, rs_snapshot_ref ((RsSnapshot *) snapshot));
  if (self->queue.length >= BATCH)
    waiter_signal (&self->wake);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

gboolean
rs_trace_writer_flush (RsTraceWriter  *self,
                       GError        **error)
{
  gboolean ok = TRUE;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->thread == NULL)
    return TRUE;

  g_mutex_lock (&self->lock);
  while (self->error == NULL && (!g_queue_is_empty (&self->queue) || self->busy))
    wait_for_thread (self);
  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      ok = FALSE;
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

gboolean
rs_trace_writer_close (RsTraceWriter *self,
                       GError       **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (!rs_trace_writer_flush (self, error))
    return FALSE;
  return g_output_stream_close (self->stream, NULL, error);
}

void
rs_trace_writer_free (RsTraceWriter *self)
{
  if (self == NULL)
    return;
  if (self->thread != NULL)
    {
      g_mutex_lock (&self->lock);
      self->stopping = TRUE;
      self->discard = TRUE;
      waiter_signal (&self->wake);
      g_mutex_unlock (&self->lock);
      g_thread_join (self->thread);
      g_clear_error (&self->error);
      g_mutex_clear (&self->lock);
      g_cond_clear (&self->wake.cond);
      g_cond_clear (&self->room.cond);
    }
  g_clear_object (&self->stream);
  g_clear_object (&self->generator);
  g_string_free (self->lines, TRUE);
  g_string_free (self->scratch, TRUE);
  g_free (self);
}
