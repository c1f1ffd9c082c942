/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-trace"

#include "rs-trace.h"

/* Lines queued for the writer's thread at most: the session waits beyond. */
#define MAX_QUEUED 32

struct _RsTraceWriter {
  GOutputStream *stream;
  JsonGenerator *generator;

  /* Threaded writers: the thread makes and writes the lines of the
   * snapshots queued. Everything below is under `lock`. */
  GThread       *thread;
  GMutex         lock;
  GCond          cond;
  GQueue         queue;       /* RsSnapshot*, owned */
  gboolean       busy;        /* the thread is writing a line */
  gboolean       stopping;    /* the thread ends once the queue is empty */
  gboolean       discard;     /* lines still queued are dropped, not written */
  GError        *error;       /* the first failure; nothing is written after it */
};

static void
add_timestamp (JsonBuilder *builder,
               const char  *name,
               gint64       value)
{
  json_builder_set_member_name (builder, name);
  if (value == RS_NO_TIMESTAMP)
    json_builder_add_null_value (builder);
  else
    json_builder_add_int_value (builder, value);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value == NULL)
    json_builder_add_null_value (builder);
  else
    json_builder_add_string_value (builder, value);
}

static void
add_bool (JsonBuilder *builder,
          const char  *name,
          gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

/* "site": {"function": ..., "file": ..., "line": ..., "column": ..., "module": ...}; nothing
 * when unknown. */
static void
add_site (JsonBuilder  *builder,
          const RsSite *site)
{
  if (!rs_site_is_known (site))
    return;
  json_builder_set_member_name (builder, "site");
  json_builder_begin_object (builder);
  add_string (builder, "function", site->function);
  add_string (builder, "file", site->file);
  add_int (builder, "line", site->line);
  if (site->column > 0)
    add_int (builder, "column", site->column);
  if (site->module != NULL)
    add_string (builder, "module", site->module);
  json_builder_end_object (builder);
}

/* The same as an object member, for the step's own members; NULL when unknown. */
static JsonObject *
site_object (const RsSite *site)
{
  JsonObject *object;

  if (!rs_site_is_known (site))
    return NULL;
  object = json_object_new ();
  if (site->function != NULL)
    json_object_set_string_member (object, "function", site->function);
  else
    json_object_set_null_member (object, "function");
  if (site->file != NULL)
    json_object_set_string_member (object, "file", site->file);
  else
    json_object_set_null_member (object, "file");
  json_object_set_int_member (object, "line", site->line);
  if (site->column > 0)
    json_object_set_int_member (object, "column", site->column);
  /* No line info there: where in the binary, "player+0x1a2b". */
  if (site->module != NULL)
    json_object_set_string_member (object, "module", site->module);
  return object;
}

static JsonNode *
handle_to_json (const RsHandle *handle)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  add_string (builder, "id", handle->id);
  add_string (builder, "kind", rs_handle_kind_to_string (handle->kind));
  add_string (builder, "holder", handle->holder);
  if (handle->slot >= 0)
    add_int (builder, "slot", handle->slot);
  if (handle->stream >= 0)
    add_int (builder, "stream", handle->stream);

  if (handle->kind == RS_HANDLE_PACKET)
    {
      add_timestamp (builder, "pts", handle->pts);
      add_timestamp (builder, "dts", handle->dts);
      add_int (builder, "size", handle->size);
      add_bool (builder, "key", handle->key);
    }
  else
    {
      add_timestamp (builder, "pts", handle->pts);
      if (handle->pict_type != 0)
        {
          char type[2] = { handle->pict_type, 0 };
          add_string (builder, "pict_type", type);
        }
      if (handle->format != NULL)
        add_string (builder, "format", handle->format);
      if (handle->width > 0)
        {
          add_int (builder, "width", handle->width);
          add_int (builder, "height", handle->height);
        }
      if (handle->nb_samples > 0)
        {
          add_int (builder, "nb_samples", handle->nb_samples);
          add_int (builder, "sample_rate", handle->sample_rate);
        }
      if (handle->kind == RS_HANDLE_SUBTITLE && handle->format != NULL)
        {
          add_int (builder, "num_rects", handle->n_rects);
          add_int (builder, "start_display_time", handle->start_display);
          add_int (builder, "end_display_time", handle->end_display);
        }
      if (handle->group != NULL && g_str_has_suffix (handle->group, "frameq"))
        add_bool (builder, "shown", handle->shown);
    }
  if (handle->origin != NULL)
    {
      add_string (builder, "origin", handle->origin);
      add_int (builder, "born", handle->born);
    }
  add_site (builder, &handle->site);
  if (handle->leaked)
    add_bool (builder, "leaked", TRUE);

  json_builder_set_member_name (builder, "refs");
  json_builder_begin_array (builder);
  for (guint i = 0; i < handle->n_refs; i++)
    {
      json_builder_begin_object (builder);
      add_string (builder, "field", handle->refs[i].field);
      add_int (builder, "buffer", handle->refs[i].buffer);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static JsonNode *
buffer_to_json (const RsBuffer *buffer)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  add_int (builder, "id", buffer->id);
  add_string (builder, "kind", rs_buffer_kind_to_string (buffer->kind));
  add_int (builder, "size", buffer->size);
  add_int (builder, "refcount", buffer->refcount);
  add_int (builder, "visible", buffer->visible);
  add_int (builder, "hidden", buffer->hidden);
  add_int (builder, "lost", buffer->lost);
  add_string (builder, "holder", buffer->holder);
  add_bool (builder, "tracked", buffer->tracked);
  add_bool (builder, "writable", buffer->writable);
  add_string (builder, "origin", buffer->origin);
  add_int (builder, "born", buffer->born);
  add_site (builder, &buffer->site);
  if (buffer->leaked)
    add_bool (builder, "leaked", TRUE);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static char *
node_to_text (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  json_node_unref (node);
  return json_generator_to_data (generator, NULL);
}

/* A node's JSON text, generated by json-glib once per node and reused in
 * every step that shares the node. */
static const char *
cached_handle_text (const RsHandle *handle)
{
  const char *text = rs_handle_get_cache (handle, RS_NODE_CACHE_JSON);

  if (text == NULL)
    text = rs_handle_set_cache (handle, RS_NODE_CACHE_JSON, node_to_text (handle_to_json (handle)), g_free);
  return text;
}

static const char *
cached_buffer_text (const RsBuffer *buffer)
{
  const char *text = rs_buffer_get_cache (buffer, RS_NODE_CACHE_JSON);

  if (text == NULL)
    text = rs_buffer_set_cache (buffer, RS_NODE_CACHE_JSON, node_to_text (buffer_to_json (buffer)), g_free);
  return text;
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

/* The same JSON as rs_snapshot_to_json(), but each node's text comes from
 * its cache: only nodes new in this step are serialized. Every fragment is
 * json-glib's output; this only joins them. */
static gboolean
write_line (RsTraceWriter    *self,
            const RsSnapshot *snapshot,
            GError          **error)
{
  g_autoptr(GString) line = NULL;
  JsonNode *node;

  line = g_string_sized_new (8192);
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
      g_string_append (line, cached_handle_text (rs_snapshot_get_handle (snapshot, i)));
    }
  g_string_append (line, "],\"buffers\":[");
  for (guint i = 0; i < rs_snapshot_get_n_buffers (snapshot); i++)
    {
      if (i > 0)
        g_string_append_c (line, ',');
      g_string_append (line, cached_buffer_text (rs_snapshot_get_buffer (snapshot, i)));
    }
  g_string_append (line, "],\"events\":");
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, step_events (snapshot));
  append_generated (self->generator, node, line);
  g_string_append (line, "}\n");
  json_generator_set_root (self->generator, NULL);

  return g_output_stream_write_all (self->stream, line->str, line->len, NULL, NULL, error);
}

static gpointer
writer_thread (gpointer data)
{
  RsTraceWriter *self = data;

  g_mutex_lock (&self->lock);
  for (;;)
    {
      RsSnapshot *snapshot;
      GError *error = NULL;

      while (g_queue_is_empty (&self->queue) && !self->stopping)
        g_cond_wait (&self->cond, &self->lock);
      if ((snapshot = g_queue_pop_head (&self->queue)) == NULL)
        break;
      /* A slot is free: a session waiting for one goes on. */
      g_cond_broadcast (&self->cond);
      if (self->error == NULL && !self->discard)
        {
          self->busy = TRUE;
          g_mutex_unlock (&self->lock);
          write_line (self, snapshot, &error);
          g_mutex_lock (&self->lock);
          self->busy = FALSE;
          if (error != NULL && self->error == NULL)
            self->error = error;
          else
            g_clear_error (&error);
        }
      g_mutex_unlock (&self->lock);
      rs_snapshot_unref (snapshot);
      g_mutex_lock (&self->lock);
      g_cond_broadcast (&self->cond);
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
  g_cond_init (&self->cond);
  self->thread = g_thread_new ("rs-trace-writer", writer_thread, self);
  return self;
}

gboolean
rs_trace_writer_write (RsTraceWriter    *self,
                       const RsSnapshot *snapshot,
                       GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (snapshot != NULL, FALSE);

  if (self->thread == NULL)
    return write_line (self, snapshot, error);

  g_mutex_lock (&self->lock);
  while (self->error == NULL && self->queue.length >= MAX_QUEUED)
    g_cond_wait (&self->cond, &self->lock);
  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  /* Snapshots are immutable and their nodes' caches are set atomically:
   * the thread reads this one while the session makes the next. */
  g_queue_push_tail (&self->queue, rs_snapshot_ref ((RsSnapshot *) snapshot));
  g_cond_broadcast (&self->cond);
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
    g_cond_wait (&self->cond, &self->lock);
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
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
      g_thread_join (self->thread);
      g_clear_error (&self->error);
      g_mutex_clear (&self->lock);
      g_cond_clear (&self->cond);
    }
  g_clear_object (&self->stream);
  g_clear_object (&self->generator);
  g_free (self);
}
