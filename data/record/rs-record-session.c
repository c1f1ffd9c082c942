/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-record-session.c: a recording read back as snapshots. The reader
 * (rs-recording-reader.h) gives each step's state with nodes shared between
 * steps that did not change them; this turns them into the model's nodes,
 * sharing the same way, and names what the program's debug info names.
 *
 * Every step is in the file: the history has them all from the start and
 * makes each snapshot when asked for (rs_history_new_lazy), so a recording
 * of any length opens at once and in bounded memory.
 */
#define G_LOG_DOMAIN "rs-record"

#include "rs-record-session.h"
#include "rs-intern.h"

#include <stdio.h>
#include <string.h>

#include "rs-error.h"
#include "rs-recording-reader.h"
#include "rs-site-resolver.h"

/* What makes the snapshots: owned by the history, which may outlive the
 * session. */
typedef struct {
  RsRecording    *recording;
  RsSiteResolver *resolver;
  GHashTable     *handle_names;   /* guint64* handle id -> interned name, every handle */
  RsRecStep      *previous;       /* the step made last, whose nodes the next one may share */
  GHashTable     *handle_nodes;   /* const RsRecHandle* of `previous` -> RsHandle* (borrowed) */
  GHashTable     *buffer_nodes;   /* const RsRecBuffer* of `previous` -> RsBuffer* */
} Loader;

struct _RsRecordSession {
  GObject      parent_instance;

  char        *name;
  char        *path;
  RsHistory   *history;
  Loader      *loader;   /* owned by the history */
};

static void rs_record_session_iface_init (RsSessionInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RsRecordSession, rs_record_session, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (RS_TYPE_SESSION, rs_record_session_iface_init))

static void
loader_free (Loader *loader)
{
  g_clear_pointer (&loader->handle_nodes, g_hash_table_unref);
  g_clear_pointer (&loader->buffer_nodes, g_hash_table_unref);
  g_clear_pointer (&loader->handle_names, g_hash_table_unref);
  g_clear_pointer (&loader->previous, rs_rec_step_free);
  g_clear_pointer (&loader->resolver, rs_site_resolver_free);
  g_clear_pointer (&loader->recording, rs_recording_free);
  g_free (loader);
}

static void
rs_record_session_finalize (GObject *object)
{
  RsRecordSession *self = RS_RECORD_SESSION (object);

  g_clear_pointer (&self->history, rs_history_unref);
  g_free (self->name);
  g_free (self->path);

  G_OBJECT_CLASS (rs_record_session_parent_class)->finalize (object);
}

static void
rs_record_session_class_init (RsRecordSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rs_record_session_finalize;
}

static void
rs_record_session_init (RsRecordSession *self)
{
}

gboolean
rs_record_session_is_recording (const char *path)
{
  char magic[RS_REC_MAGIC_LEN];
  gboolean is_recording;
  FILE *file;

  g_return_val_if_fail (path != NULL, FALSE);

  /* Only a regular file: reading a FIFO nobody writes to would block. */
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR) || (file = fopen (path, "rb")) == NULL)
    return FALSE;
  is_recording = fread (magic, 1, sizeof magic, file) == sizeof magic &&
                 memcmp (magic, RS_REC_MAGIC, RS_REC_MAGIC_LEN) == 0;
  fclose (file);
  return is_recording;
}

/* Sites */

/* A node's site: rs_site_intern()'s copy of `site`. */
static const RsSite *
intern_site (RsSite site)
{
  return rs_site_intern (&site);
}

static RsSite
resolve_site (Loader          *self,
              const RsRecSite *site)
{
  const char *function = NULL, *file = NULL, *module = NULL;
  int line = 0, column = 0;

  if (site->module == NULL)
    return (RsSite) { 0 };
  rs_site_resolver_lookup (self->resolver, site->module, site->offset, &function, &file, &line, &column);
  if (file == NULL)
    {
      /* No line info: where it is in the binary, as module + offset, with
       * the symbol's function when there is one. */
      g_autofree char *text = rs_site_format_module_offset (site->module, site->offset);

      module = rs_intern (text);
    }
  return (RsSite) { .file = file, .function = function, .line = line, .column = column, .module = module };
}

/* Names every handle where it was born: "pkt@player.c:42",
 * "frame@decode_one", then "#2", "#3" ... for the next ones born at the
 * same place, in the order they were born. Made once, so that a name does
 * not depend on the order steps are read in. */
static void
name_handles (Loader *self)
{
  g_autoptr(GHashTable) uses = g_hash_table_new (NULL, NULL);
  guint n_births;
  const RsRecBirth *births = rs_recording_get_births (self->recording, &n_births);

  for (guint i = 0; i < n_births; i++)
    {
      RsSite born = resolve_site (self, &births[i].site);
      const char *kind = births[i].kind == RS_REC_HANDLE_PACKET ? "pkt" : "frame";
      g_autofree char *base = NULL;
      const char *name;
      guint n;

      if (born.file != NULL)
        {
          g_autofree char *file = g_path_get_basename (born.file);
          base = g_strdup_printf ("%s@%s:%d", kind, file, born.line);
        }
      else
        base = g_strdup_printf ("%s@%s", kind, born.function != NULL ? born.function :
                                               born.module != NULL ? born.module : "?");
      name = rs_intern (base);
      n = GPOINTER_TO_UINT (g_hash_table_lookup (uses, name)) + 1;
      g_hash_table_insert (uses, (gpointer) name, GUINT_TO_POINTER (n));
      if (n > 1)
        {
          g_autofree char *numbered = g_strdup_printf ("%s#%u", base, n);
          name = rs_intern (numbered);
        }
      g_hash_table_insert (self->handle_names, (gpointer) &births[i].id, (gpointer) name);
    }
}

static const char *
handle_name (Loader  *self,
             guint64  id)
{
  const char *name = g_hash_table_lookup (self->handle_names, &id);

  /* Every handle a step lists was born in a step before or in it. */
  return name != NULL ? name : rs_intern_static ("?");
}

/* Nodes */

static RsHandle *
make_handle (Loader            *self,
             const RsRecHandle *rec,
             gboolean           at_exit)
{
  RsSite born = resolve_site (self, &rec->born_site);
  g_autofree RsRef *refs = g_new (RsRef, MAX (rec->n_refs, 1));
  RsHandle fields = {
    .id = handle_name (self, rec->id),
    .kind = rec->kind == RS_REC_HANDLE_PACKET ? RS_HANDLE_PACKET : RS_HANDLE_FRAME,
    .holder = rs_intern_static ("program"), .slot = -1, .stream = rec->stream,
    .pts = rec->pts == RS_REC_NO_TIMESTAMP ? RS_NO_TIMESTAMP : rec->pts,
    .dts = rec->dts == RS_REC_NO_TIMESTAMP ? RS_NO_TIMESTAMP : rec->dts,
    .size = rec->size, .key = rec->key, .pict_type = rec->pict_type,
    .format = rs_intern (rec->format), .width = rec->width, .height = rec->height,
    .nb_samples = rec->nb_samples, .sample_rate = rec->sample_rate,
    .born = rec->born_step, .origin = rs_intern (rec->born_call), .site = rs_site_intern (&born),
    /* At the program's exit, a packet or frame it allocated is a leak. */
    .leaked = at_exit && rec->allocated,
  };

  for (guint i = 0; i < rec->n_refs; i++)
    refs[i] = (RsRef) { rs_intern (rec->refs[i].field), rec->refs[i].buffer };
  return rs_handle_new (&fields, refs, rec->n_refs);
}

static RsBuffer *
make_buffer (Loader            *self,
             const RsRecBuffer *rec,
             gboolean           at_exit)
{
  /* The program's own AVBufferRefs (kept in its variables, not in a packet
   * or frame) are not libav's either; they are counted with libav's under
   * the holder "program", which the reader names. */
  int hidden = MAX (rec->refcount - rec->visible - rec->lost, 0);
  RsBuffer fields = {
    .id = rec->id, .kind = (RsBufferKind) rec->kind, .size = rec->size, .refcount = rec->refcount,
    .visible = rec->visible, .hidden = hidden, .lost = rec->lost,
    .holder = hidden > 0 ? rs_intern (rec->holder != NULL ? rec->holder : "libav") : NULL,
    .origin = rs_intern (rec->origin), .born = rec->born_step, .tracked = rec->tracked,
    .writable = rec->writable, .leaked = at_exit, .site = intern_site (resolve_site (self, &rec->born_site)),
  };

  return rs_buffer_new (&fields);
}

/* A saved session's nodes: the model's fields, as they were. */
static RsSite
place_site (const RsRecPlace *place)
{
  return (RsSite) { .file = rs_intern (place->file), .function = rs_intern (place->function),
                    .line = place->line, .column = place->column };
}

static RsHandle *
make_saved_handle (const RsRecHandle *rec)
{
  g_autofree RsRef *refs = g_new (RsRef, MAX (rec->n_refs, 1));
  RsHandle fields = {
    .id = rs_intern (rec->name),
    .kind = rec->kind == RS_REC_HANDLE_PACKET ? RS_HANDLE_PACKET : RS_HANDLE_FRAME,
    .holder = rs_intern (rec->holder), .group = rs_intern (rec->group),
    .slot = rec->slot, .capacity = rec->capacity, .stream = rec->stream,
    .pts = rec->pts == RS_REC_NO_TIMESTAMP ? RS_NO_TIMESTAMP : rec->pts,
    .dts = rec->dts == RS_REC_NO_TIMESTAMP ? RS_NO_TIMESTAMP : rec->dts,
    .size = rec->size, .key = rec->key, .pict_type = rec->pict_type,
    .format = rs_intern (rec->format), .width = rec->width, .height = rec->height,
    .nb_samples = rec->nb_samples, .sample_rate = rec->sample_rate, .shown = rec->shown,
    .born = rec->born_step, .origin = rs_intern (rec->origin), .site = intern_site (place_site (&rec->place)),
    .leaked = rec->leaked,
  };

  for (guint i = 0; i < rec->n_refs; i++)
    refs[i] = (RsRef) { rs_intern (rec->refs[i].field), rec->refs[i].buffer };
  return rs_handle_new (&fields, refs, rec->n_refs);
}

static RsBuffer *
make_saved_buffer (const RsRecBuffer *rec)
{
  RsBuffer fields = {
    .id = rec->id, .kind = (RsBufferKind) rec->kind, .size = rec->size, .refcount = rec->refcount,
    .visible = rec->visible, .hidden = rec->hidden, .lost = rec->lost,
    .holder = rec->hidden > 0 ? rs_intern (rec->holder) : NULL,
    .origin = rs_intern (rec->origin), .born = rec->born_step, .tracked = rec->tracked,
    .writable = rec->writable, .leaked = rec->leaked, .site = intern_site (place_site (&rec->place)),
  };

  return rs_buffer_new (&fields);
}

static RsEvent
saved_event (const RsRecModelEvent *e)
{
  return (RsEvent) {
    /* Numbers of a later Refscope's enums read as the nearest this one has. */
    .kind = e->kind <= RS_EVENT_LOST ? (RsEventKind) e->kind : RS_EVENT_WARNING,
    .buffer = e->buffer, .handle = rs_intern (e->handle), .call = rs_intern (e->call),
    .site = place_site (&e->place),
    .reason = e->reason <= RS_LOSS_UNREACHABLE ? (RsLossReason) e->reason : RS_LOSS_NONE,
    .count = e->count, .fault = e->fault <= RS_FAULT_ARITHMETIC ? (RsFault) e->fault : RS_FAULT_NONE,
    .field = rs_intern (e->field), .value = { e->value[0], e->value[1], e->value[2] },
    .message = e->message,
  };
}

static RsEventKind
event_kind (RsRecEventKind kind)
{
  switch (kind)
    {
    case RS_REC_EVENT_ALLOCATED:  return RS_EVENT_ALLOCATED;
    case RS_REC_EVENT_FREED:      return RS_EVENT_FREED;
    case RS_REC_EVENT_OBSERVED:   return RS_EVENT_OBSERVED;
    case RS_REC_EVENT_UNOBSERVED: return RS_EVENT_UNOBSERVED;
    case RS_REC_EVENT_LOST:       return RS_EVENT_LOST;
    case RS_REC_EVENT_ERROR:      return RS_EVENT_ERROR;
    case RS_REC_EVENT_WARNING:
    default:                      return RS_EVENT_WARNING;
    }
}

/* Steps */

static gboolean
same_refs (const RsRecHandle *a,
           const RsRecHandle *b)
{
  if (a->n_refs != b->n_refs)
    return FALSE;
  for (guint i = 0; i < a->n_refs; i++)
    if (a->refs[i].buffer != b->refs[i].buffer || g_strcmp0 (a->refs[i].field, b->refs[i].field) != 0)
      return FALSE;
  return TRUE;
}

static void
add_arg (Loader            *self,
         GPtrArray         *args,
         const RsRecHandle *handle)
{
  const char *name = handle_name (self, handle->id);

  if (!g_ptr_array_find (args, name, NULL))
    g_ptr_array_add (args, (gpointer) name);
}

/* A buffer that gained a reference in the step. */
static gboolean
refcount_rose (const RsRecStep *before,
               const RsRecStep *rec,
               guint64          id)
{
  const RsRecBuffer *old = rs_rec_step_find_buffer (before, id);
  const RsRecBuffer *now = rs_rec_step_find_buffer (rec, id);

  return old != NULL && now != NULL && now->refcount > old->refcount;
}

/* The kind of handle a call that hands one to libav, keeping it, takes:
 * avcodec_send_packet, av_bsf_send_packet, avcodec_send_frame,
 * av_buffersrc_add_frame*. -1 for the other calls. */
static int
given_kind (const char *call)
{
  if (g_str_has_suffix (call, "_send_packet"))
    return RS_REC_HANDLE_PACKET;
  if (g_str_has_suffix (call, "_send_frame") || g_str_has_prefix (call, "av_buffersrc_add_frame"))
    return RS_REC_HANDLE_FRAME;
  return -1;
}

/* The call's arguments as far as the recording shows them, or NULL: the
 * packets and frames it filled, changed, freed or dropped a reference of,
 * the one it filled first ("pkt@player.c:40"); the source of an
 * av_*_ref or av_*_clone (which leave it as it was) when exactly one
 * unchanged handle holds what the new one holds; a packet or frame handed
 * to libav (avcodec_send_packet ...) when nothing else is named, nothing
 * but the call changed the counts, and it is the one handle of that kind
 * whose buffer libav took a reference to. Contexts are not recorded: not
 * named. A call that returns what it made (av_packet_alloc, *_clone) has
 * it as its result, not as an argument. "…" when none is known; NULL for
 * an *_alloc or *_clone that names nothing. `before` is the step before
 * (NULL for the first). Owned by the caller. */
static char *
describe_args (Loader            *self,
               const RsRecStep   *rec,
               const RsRecStep   *before,
               const RsRecHandle *out)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  gboolean returns_out = g_str_has_suffix (rec->call, "_alloc") || g_str_has_suffix (rec->call, "_clone");

  if (out != NULL && !returns_out)
    add_arg (self, args, out);
  if (out != NULL && out->n_refs > 0 && before != NULL &&
      (g_str_equal (rec->call, "av_packet_ref") || g_str_equal (rec->call, "av_frame_ref") ||
       g_str_equal (rec->call, "av_packet_clone") || g_str_equal (rec->call, "av_frame_clone")))
    {
      const RsRecHandle *source = NULL;
      guint n_sources = 0;

      for (guint i = 0; i < rec->handles->len; i++)
        {
          const RsRecHandle *handle = g_ptr_array_index (rec->handles, i);
          const RsRecHandle *old = rs_rec_step_find_handle (before, handle->id);

          if (handle != out && old != NULL && same_refs (old, handle) && same_refs (handle, out))
            {
              source = handle;
              n_sources++;
            }
        }
      if (n_sources == 1)
        add_arg (self, args, source);
    }
  for (guint i = 0; i < rec->handles->len; i++)
    {
      const RsRecHandle *handle = g_ptr_array_index (rec->handles, i);
      const RsRecHandle *old = before != NULL ? rs_rec_step_find_handle (before, handle->id) : NULL;

      if ((old == NULL || !same_refs (old, handle)) && !(returns_out && handle == out))
        add_arg (self, args, handle);
    }
  for (guint i = 0; before != NULL && i < before->handles->len; i++)
    {
      const RsRecHandle *old = g_ptr_array_index (before->handles, i);

      if (rs_rec_step_find_handle (rec, old->id) == NULL)
        add_arg (self, args, old);
    }
  for (guint i = 0; i < rec->events->len; i++)
    {
      const RsRecEvent *e = &g_array_index (rec->events, RsRecEvent, i);
      const RsRecHandle *handle = e->kind == RS_REC_EVENT_LOST && e->handle != 0
                                  ? rs_rec_step_find_handle (rec, e->handle) : NULL;

      if (handle != NULL)
        add_arg (self, args, handle);
    }
  if (args->len == 0 && before != NULL && rec->exact && given_kind (rec->call) >= 0)
    {
      const RsRecHandle *given = NULL;
      guint n_given = 0;

      for (guint i = 0; i < rec->handles->len; i++)
        {
          const RsRecHandle *handle = g_ptr_array_index (rec->handles, i);
          gboolean taken = FALSE;

          for (guint r = 0; r < handle->n_refs && !taken && (int) handle->kind == given_kind (rec->call); r++)
            taken = refcount_rose (before, rec, handle->refs[r].buffer);
          if (taken)
            {
              given = handle;
              n_given++;
            }
        }
      if (n_given == 1)
        add_arg (self, args, given);
    }
  if (args->len == 0)
    /* It has arguments, but none the recording shows. */
    return returns_out ? NULL : g_strdup ("…");
  g_ptr_array_add (args, NULL);
  return g_strjoinv (", ", (char **) args->pdata);
}

/* A saved session's ring ends, from the flags of its slots (the ends of
 * a ring none of whose slots is flagged are not known). */
static GArray *
saved_ring_ends (GPtrArray *rec_handles)
{
  GArray *rings = g_array_new (FALSE, FALSE, sizeof (RsRingEnds));

  for (guint i = 0; i < rec_handles->len; i++)
    {
      const RsRecHandle *node = g_ptr_array_index (rec_handles, i);
      const char *group = rs_intern (node->group);
      RsRingEnds *ends = NULL;

      if (!node->saved || group == NULL || !(node->ring_head || node->ring_tail))
        continue;
      for (guint k = 0; k < rings->len && ends == NULL; k++)
        if (g_array_index (rings, RsRingEnds, k).group == group)
          ends = &g_array_index (rings, RsRingEnds, k);
      if (ends == NULL)
        {
          g_array_append_val (rings, ((RsRingEnds) { group, -1, -1 }));
          ends = &g_array_index (rings, RsRingEnds, rings->len - 1);
        }
      if (node->ring_head)
        ends->head = node->slot;
      if (node->ring_tail)
        ends->tail = node->slot;
    }
  return rings;
}

static RsSnapshot *
convert_step (Loader    *self,
              RsRecStep *rec)
{
  /* A saved session says what leaked itself. */
  gboolean at_exit = !rec->saved && rs_recording_is_complete (self->recording) &&
                     rec->step + 1 == rs_recording_get_n_steps (self->recording);
  g_autoptr(GPtrArray) ordered = NULL;
  g_autoptr(GPtrArray) handles = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_handle_unref);
  g_autoptr(GPtrArray) buffers = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_buffer_unref);
  g_autoptr(GArray) events = g_array_new (FALSE, TRUE, sizeof (RsEvent));
  g_autoptr(GHashTable) handle_nodes = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) buffer_nodes = g_hash_table_new (NULL, NULL);
  const RsRecHandle *out = rec->out_handle != 0 ? rs_rec_step_find_handle (rec, rec->out_handle) : NULL;
  RsStepInfo info = {
    .step = rec->step, .call = rec->call, .ret = rec->ret, .exact = rec->exact,
    .thread = rec->saved ? rec->model_thread : rec->thread + 1,
    .site = rec->saved ? place_site (&rec->place) : resolve_site (self, &rec->site),
    .args = rec->saved ? rec->args : NULL,
  };
  g_autofree char *args = NULL;
  g_autoptr(RsRecStep) read_before = NULL;
  g_autoptr(GArray) rings = NULL;
  const RsRecStep *before = NULL;
  GPtrArray *rec_handles = rec->handles;
  RsSnapshot *snapshot;

  /* A saved session's handles in the order it showed them. */
  if (rec->order != NULL && rec->order->len == rec->handles->len)
    {
      ordered = g_ptr_array_sized_new (rec->order->len);
      for (guint i = 0; i < rec->order->len && ordered != NULL; i++)
        {
          const RsRecHandle *node = rs_rec_step_find_handle (rec, g_array_index (rec->order, guint64, i));

          if (node == NULL || g_ptr_array_find (ordered, node, NULL))
            g_clear_pointer (&ordered, g_ptr_array_unref);  /* damaged: by id then */
          else
            g_ptr_array_add (ordered, (gpointer) node);
        }
      if (ordered != NULL)
        rec_handles = ordered;
    }

  /* A node the reader shares with the step before is unchanged: so is ours. */
  for (guint i = 0; i < rec_handles->len; i++)
    {
      const RsRecHandle *node = g_ptr_array_index (rec_handles, i);
      RsHandle *handle = at_exit ? NULL : g_hash_table_lookup (self->handle_nodes, node);

      handle = handle != NULL ? rs_handle_ref (handle)
               : node->saved ? make_saved_handle (node) : make_handle (self, node, at_exit);
      g_hash_table_insert (handle_nodes, (gpointer) node, handle);
      g_ptr_array_add (handles, handle);
    }
  for (guint i = 0; i < rec->buffers->len; i++)
    {
      const RsRecBuffer *node = g_ptr_array_index (rec->buffers, i);
      RsBuffer *buffer = at_exit ? NULL : g_hash_table_lookup (self->buffer_nodes, node);

      buffer = buffer != NULL ? rs_buffer_ref (buffer)
               : node->saved ? make_saved_buffer (node) : make_buffer (self, node, at_exit);
      g_hash_table_insert (buffer_nodes, (gpointer) node, buffer);
      g_ptr_array_add (buffers, buffer);
      if (at_exit)
        g_array_append_val (events, ((RsEvent) { .kind = RS_EVENT_LEAKED, .buffer = node->id }));
    }

  for (guint i = 0; rec->saved && i < rec->model_events->len; i++)
    {
      RsEvent event = saved_event (&g_array_index (rec->model_events, RsRecModelEvent, i));

      g_array_append_val (events, event);
    }
  for (guint i = 0; !rec->saved && i < rec->events->len; i++)
    {
      const RsRecEvent *e = &g_array_index (rec->events, RsRecEvent, i);
      RsEvent event = { .kind = event_kind (e->kind), .buffer = e->buffer, .message = e->message };

      if (event.kind == RS_EVENT_LOST)
        {
          event.handle = e->handle != 0 ? handle_name (self, e->handle) : NULL;
          event.call = rs_intern (rec->call);
          event.site = info.site;
          event.count = 1;
          event.reason = g_str_equal (rec->call, "av_init_packet") ? RS_LOSS_RESET : RS_LOSS_OVERWRITTEN;
        }
      g_array_append_val (events, event);
    }

  if (rec->saved)
    info.out = rs_intern (rec->out_name);
  else if (out != NULL && rec->ret >= 0)
    info.out = handle_name (self, out->id);
  /* The arguments compare the step with the one before: the step made
   * last when steps are read in order, else read again. At the
   * program's exit every handle still alive is listed: no argument. */
  if (!rec->saved && !at_exit)
    {
      if (self->previous != NULL && self->previous->step + 1 == rec->step)
        before = self->previous;
      else if (rec->step > 0)
        before = read_before = rs_recording_get_step (self->recording, rec->step - 1);
      info.args = args = describe_args (self, rec, before, out != NULL && rec->ret >= 0 ? out : NULL);
    }
  rings = saved_ring_ends (rec_handles);
  info.rings = (const RsRingEnds *) rings->data;
  info.n_rings = rings->len;
  snapshot = rs_snapshot_new_step (&info, handles, buffers, (const RsEvent *) events->data, events->len);

  /* The next step compares its nodes with this one's. */
  g_clear_pointer (&self->previous, rs_rec_step_free);
  self->previous = rec;
  g_hash_table_unref (self->handle_nodes);
  self->handle_nodes = g_steal_pointer (&handle_nodes);
  g_hash_table_unref (self->buffer_nodes);
  self->buffer_nodes = g_steal_pointer (&buffer_nodes);
  return snapshot;
}

/* The history's RsHistoryLoadFunc. The recording was checked when it was
 * opened: every step reads. */
static RsSnapshot *
load_step (guint    step,
           gpointer data)
{
  Loader *self = data;

  return convert_step (self, rs_recording_get_step (self->recording, step));
}

RsRecordSession *
rs_record_session_new (const char  *path,
                       GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  RsRecordSession *self;
  RsRecording *recording;
  Loader *loader;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  recording = rs_recording_open (path, &local_error);
  if (recording == NULL)
    {
      /* The reader's message names the file and the reason. */
      g_set_error_literal (error, RS_ERROR,
                           g_error_matches (local_error, RS_RECORDING_ERROR, RS_RECORDING_ERROR_IO)
                             ? RS_ERROR_IO : RS_ERROR_INVALID_INPUT,
                           local_error->message);
      return NULL;
    }
  loader = g_new0 (Loader, 1);
  loader->recording = recording;
  loader->resolver = rs_site_resolver_new ();
  loader->handle_names = g_hash_table_new (g_int64_hash, g_int64_equal);
  loader->handle_nodes = g_hash_table_new (NULL, NULL);
  loader->buffer_nodes = g_hash_table_new (NULL, NULL);
  name_handles (loader);

  self = g_object_new (RS_TYPE_RECORD_SESSION, NULL);
  self->loader = loader;
  self->history = rs_history_new_lazy (rs_recording_get_n_steps (recording), load_step,
                                       loader, (GDestroyNotify) loader_free);
  self->name = g_path_get_basename (path);
  self->path = g_strdup (path);
  return self;
}

const char *
rs_record_session_get_program (RsRecordSession *self)
{
  g_return_val_if_fail (RS_IS_RECORD_SESSION (self), NULL);
  return rs_recording_get_program (self->loader->recording);
}

const char *
rs_record_session_get_path (RsRecordSession *self)
{
  g_return_val_if_fail (RS_IS_RECORD_SESSION (self), NULL);
  return self->path;
}

const char *
rs_record_session_get_end_reason (RsRecordSession *self)
{
  g_return_val_if_fail (RS_IS_RECORD_SESSION (self), NULL);
  return rs_recording_get_end_reason (self->loader->recording);
}

int
rs_record_session_get_max_thread (RsRecordSession *self)
{
  g_return_val_if_fail (RS_IS_RECORD_SESSION (self), 0);
  return rs_recording_get_max_thread (self->loader->recording);
}

/* Every step is in the history already: a recording has nothing to run. */
static RsSnapshot *
rs_record_session_step (RsSession  *session,
                        GError    **error)
{
  return NULL;
}

static gboolean
rs_record_session_is_finished (RsSession *session)
{
  return TRUE;
}

static RsHistory *
rs_record_session_get_history (RsSession *session)
{
  return RS_RECORD_SESSION (session)->history;
}

static const char *
rs_record_session_get_name (RsSession *session)
{
  return RS_RECORD_SESSION (session)->name;
}

static void
rs_record_session_iface_init (RsSessionInterface *iface)
{
  iface->step = rs_record_session_step;
  iface->is_finished = rs_record_session_is_finished;
  iface->get_history = rs_record_session_get_history;
  iface->get_name = rs_record_session_get_name;
}
