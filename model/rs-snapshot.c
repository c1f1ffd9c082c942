/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-snapshot"

#include "rs-snapshot.h"

#include <glib/gi18n.h>
#include <string.h>

/* Every node carries a reference count and a small cache in front of its
 * public fields; the public pointer points at `pub`. */
typedef struct {
  gpointer       value;
  GDestroyNotify destroy;
} NodeCacheSlot;

typedef struct {
  gatomicrefcount rc;
  NodeCacheSlot   cache[RS_NODE_CACHE_N];
  RsHandle        pub;
  RsRef           refs[];
} HandleNode;

typedef struct {
  gatomicrefcount rc;
  NodeCacheSlot   cache[RS_NODE_CACHE_N];
  RsBuffer        pub;
} BufferNode;

struct _RsSnapshot {
  gatomicrefcount rc;
  guint           step;
  int             ret;
  gboolean        exact;
  int             thread;
  char           *call;
  char           *args;
  const char     *out;      /* interned */
  RsSite          site;
  guint           n_handles;
  guint           n_buffers;
  guint           n_events;
  RsHandle      **handles;  /* owned references, one allocation with buffers */
  RsBuffer      **buffers;
  RsEvent        *events;
};

#define HANDLE_NODE(h) ((HandleNode *) ((char *) (h) - G_STRUCT_OFFSET (HandleNode, pub)))
#define BUFFER_NODE(b) ((BufferNode *) ((char *) (b) - G_STRUCT_OFFSET (BufferNode, pub)))

static gpointer
cache_get (NodeCacheSlot *cache,
           RsNodeCache    slot)
{
  g_return_val_if_fail (slot < RS_NODE_CACHE_N, NULL);
  return g_atomic_pointer_get (&cache[slot].value);
}

static gpointer
cache_set (NodeCacheSlot *cache,
           RsNodeCache    slot,
           gpointer       value,
           GDestroyNotify destroy)
{
  g_return_val_if_fail (slot < RS_NODE_CACHE_N, NULL);

  if (g_atomic_pointer_compare_and_exchange (&cache[slot].value, NULL, value))
    {
      cache[slot].destroy = destroy;
      return value;
    }
  if (destroy != NULL)
    destroy (value);
  return g_atomic_pointer_get (&cache[slot].value);
}

static void
cache_clear (NodeCacheSlot *cache)
{
  for (guint i = 0; i < RS_NODE_CACHE_N; i++)
    if (cache[i].value != NULL && cache[i].destroy != NULL)
      cache[i].destroy (cache[i].value);
}

gboolean
rs_site_is_known (const RsSite *site)
{
  return site != NULL && (site->file != NULL || site->function != NULL || site->line > 0 ||
                          site->module != NULL);
}

gboolean
rs_site_equal (const RsSite *a,
               const RsSite *b)
{
  /* Strings are interned, so pointers compare them. */
  return a->file == b->file && a->function == b->function &&
         a->line == b->line && a->column == b->column && a->module == b->module;
}

RsHandle *
rs_handle_new (const RsHandle *fields,
               const RsRef    *refs,
               guint           n_refs)
{
  HandleNode *node;

  g_return_val_if_fail (fields != NULL, NULL);
  g_return_val_if_fail (fields->id != NULL, NULL);
  g_return_val_if_fail (n_refs == 0 || refs != NULL, NULL);

  node = g_malloc0 (sizeof *node + n_refs * sizeof (RsRef));
  g_atomic_ref_count_init (&node->rc);
  node->pub = *fields;
  node->pub.n_refs = n_refs;
  node->pub.refs = n_refs > 0 ? node->refs : NULL;
  if (n_refs > 0)
    memcpy (node->refs, refs, n_refs * sizeof (RsRef));
  return &node->pub;
}

RsHandle *
rs_handle_ref (RsHandle *handle)
{
  g_return_val_if_fail (handle != NULL, NULL);
  g_atomic_ref_count_inc (&HANDLE_NODE (handle)->rc);
  return handle;
}

void
rs_handle_unref (RsHandle *handle)
{
  HandleNode *node;

  g_return_if_fail (handle != NULL);
  node = HANDLE_NODE (handle);
  if (g_atomic_ref_count_dec (&node->rc))
    {
      cache_clear (node->cache);
      g_free (node);
    }
}

gboolean
rs_handle_equal (const RsHandle *a,
                 const RsHandle *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;

  /* Strings are interned, so pointers compare them. */
  return a->id == b->id && a->kind == b->kind && a->holder == b->holder &&
         a->group == b->group && a->slot == b->slot &&
         a->capacity == b->capacity && a->stream == b->stream &&
         a->pts == b->pts && a->dts == b->dts && a->size == b->size &&
         a->key == b->key && a->pict_type == b->pict_type &&
         a->format == b->format && a->width == b->width &&
         a->height == b->height && a->nb_samples == b->nb_samples &&
         a->sample_rate == b->sample_rate && a->n_rects == b->n_rects &&
         a->start_display == b->start_display && a->end_display == b->end_display &&
         a->shown == b->shown &&
         a->born == b->born && a->origin == b->origin && rs_site_equal (&a->site, &b->site) &&
         a->leaked == b->leaked && a->n_refs == b->n_refs &&
         (a->n_refs == 0 || memcmp (a->refs, b->refs, a->n_refs * sizeof (RsRef)) == 0);
}

gpointer
rs_handle_get_cache (const RsHandle *handle,
                     RsNodeCache     slot)
{
  g_return_val_if_fail (handle != NULL, NULL);
  return cache_get (HANDLE_NODE (handle)->cache, slot);
}

gpointer
rs_handle_set_cache (const RsHandle *handle,
                     RsNodeCache     slot,
                     gpointer        value,
                     GDestroyNotify  destroy)
{
  g_return_val_if_fail (handle != NULL, NULL);
  return cache_set (HANDLE_NODE (handle)->cache, slot, value, destroy);
}

RsBuffer *
rs_buffer_new (const RsBuffer *fields)
{
  BufferNode *node;

  g_return_val_if_fail (fields != NULL, NULL);

  node = g_new0 (BufferNode, 1);
  g_atomic_ref_count_init (&node->rc);
  node->pub = *fields;
  return &node->pub;
}

RsBuffer *
rs_buffer_ref (RsBuffer *buffer)
{
  g_return_val_if_fail (buffer != NULL, NULL);
  g_atomic_ref_count_inc (&BUFFER_NODE (buffer)->rc);
  return buffer;
}

void
rs_buffer_unref (RsBuffer *buffer)
{
  BufferNode *node;

  g_return_if_fail (buffer != NULL);
  node = BUFFER_NODE (buffer);
  if (g_atomic_ref_count_dec (&node->rc))
    {
      cache_clear (node->cache);
      g_free (node);
    }
}

gboolean
rs_buffer_equal (const RsBuffer *a,
                 const RsBuffer *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;

  return a->id == b->id && a->kind == b->kind && a->size == b->size &&
         a->refcount == b->refcount && a->visible == b->visible &&
         a->hidden == b->hidden && a->lost == b->lost &&
         a->holder == b->holder &&
         a->origin == b->origin && a->born == b->born &&
         a->tracked == b->tracked && a->writable == b->writable &&
         a->leaked == b->leaked && rs_site_equal (&a->site, &b->site);
}

gpointer
rs_buffer_get_cache (const RsBuffer *buffer,
                     RsNodeCache     slot)
{
  g_return_val_if_fail (buffer != NULL, NULL);
  return cache_get (BUFFER_NODE (buffer)->cache, slot);
}

gpointer
rs_buffer_set_cache (const RsBuffer *buffer,
                     RsNodeCache     slot,
                     gpointer        value,
                     GDestroyNotify  destroy)
{
  g_return_val_if_fail (buffer != NULL, NULL);
  return cache_set (BUFFER_NODE (buffer)->cache, slot, value, destroy);
}

const char *
rs_buffer_kind_to_string (RsBufferKind kind)
{
  switch (kind)
    {
    case RS_BUFFER_KIND_PACKET:    return "packet";
    case RS_BUFFER_KIND_PICTURE:   return "picture";
    case RS_BUFFER_KIND_AUDIO:     return "audio";
    case RS_BUFFER_KIND_SIDE_DATA: return "side_data";
    case RS_BUFFER_KIND_OTHER:     return "other";
    default:                       g_return_val_if_reached ("other");
    }
}

const char *
rs_buffer_kind_to_words (RsBufferKind kind)
{
  switch (kind)
    {
    case RS_BUFFER_KIND_PACKET:    return N_("packet payload");
    case RS_BUFFER_KIND_PICTURE:   return N_("picture plane");
    case RS_BUFFER_KIND_AUDIO:     return N_("audio plane");
    case RS_BUFFER_KIND_SIDE_DATA: return N_("side data");
    case RS_BUFFER_KIND_OTHER:
    default:                       return N_("other");
    }
}

const char *
rs_event_kind_to_string (RsEventKind kind)
{
  switch (kind)
    {
    case RS_EVENT_ALLOCATED:    return "allocated";
    case RS_EVENT_FREED:        return "freed";
    case RS_EVENT_OBSERVED:     return "observed";
    case RS_EVENT_UNOBSERVED:   return "unobserved";
    case RS_EVENT_LEAKED:       return "leaked";
    case RS_EVENT_ERROR:        return "error";
    case RS_EVENT_UNSAFE_WRITE: return "unsafe_write";
    case RS_EVENT_WARNING:      return "warning";
    case RS_EVENT_LOST:         return "lost";
    default:                    g_return_val_if_reached ("error");
    }
}

const char *
rs_fault_to_string (RsFault fault)
{
  static const char *const names[] = {
    [RS_FAULT_NONE] = NULL, [RS_FAULT_UNINITIALIZED] = "uninitialized", [RS_FAULT_NULL_POINTER] = "null_pointer",
    [RS_FAULT_USE_AFTER_FREE] = "use_after_free", [RS_FAULT_DOUBLE_FREE] = "double_free",
    [RS_FAULT_NULL_ARGUMENT] = "null_argument", [RS_FAULT_TOO_BIG] = "too_big", [RS_FAULT_NEGATIVE] = "negative",
    [RS_FAULT_HOLDS_BUFFERS] = "holds_buffers", [RS_FAULT_NOT_A_LAYOUT] = "not_a_layout",
    [RS_FAULT_OUT_OF_RANGE] = "out_of_range", [RS_FAULT_NOT_AN_INT] = "not_an_int",
    [RS_FAULT_OUT_OF_BOUNDS] = "out_of_bounds", [RS_FAULT_ARITHMETIC] = "arithmetic",
  };

  g_return_val_if_fail ((guint) fault < G_N_ELEMENTS (names), NULL);
  return names[fault];
}

const char *
rs_loss_reason_to_string (RsLossReason reason)
{
  switch (reason)
    {
    case RS_LOSS_RESET:       return "reset";
    case RS_LOSS_OVERWRITTEN: return "overwritten";
    case RS_LOSS_UNREACHABLE: return "unreachable";
    case RS_LOSS_NONE:
    default:                  return NULL;
    }
}

const char *
rs_handle_kind_to_string (RsHandleKind kind)
{
  switch (kind)
    {
    case RS_HANDLE_PACKET:   return "packet";
    case RS_HANDLE_SUBTITLE: return "subtitle";
    case RS_HANDLE_FRAME:
    default:                 return "frame";
    }
}

const char *
rs_handle_kind_to_struct (RsHandleKind kind)
{
  switch (kind)
    {
    case RS_HANDLE_PACKET:   return "AVPacket";
    case RS_HANDLE_SUBTITLE: return "AVSubtitle";
    case RS_HANDLE_FRAME:
    default:                 return "AVFrame";
    }
}

RsSnapshot *
rs_snapshot_new (guint          step,
                 const char    *call,
                 int            ret,
                 gboolean       exact,
                 const char    *out,
                 GPtrArray     *handles,
                 GPtrArray     *buffers,
                 const RsEvent *events,
                 guint          n_events)
{
  RsStepInfo info = { step, call, NULL, ret, exact, out };

  return rs_snapshot_new_step (&info, handles, buffers, events, n_events);
}

RsSnapshot *
rs_snapshot_new_step (const RsStepInfo *info,
                      GPtrArray        *handles,
                      GPtrArray        *buffers,
                      const RsEvent    *events,
                      guint             n_events)
{
  RsSnapshot *self;
  guint n_handles = handles != NULL ? handles->len : 0;
  guint n_buffers = buffers != NULL ? buffers->len : 0;

  g_return_val_if_fail (info != NULL && info->call != NULL, NULL);
  g_return_val_if_fail (n_events == 0 || events != NULL, NULL);

  self = g_new0 (RsSnapshot, 1);
  g_atomic_ref_count_init (&self->rc);
  self->step = info->step;
  self->call = g_strdup (info->call);
  self->args = g_strdup (info->args);
  self->ret = info->ret;
  self->exact = info->exact;
  self->out = g_intern_string (info->out);
  self->thread = info->thread;
  self->site = info->site;
  self->n_handles = n_handles;
  self->n_buffers = n_buffers;
  self->n_events = n_events;

  /* One block for both pointer arrays: snapshots are many and small. */
  self->handles = g_new (RsHandle *, n_handles + n_buffers);
  /* NULL when both are empty: no arithmetic on a null pointer (UB). */
  self->buffers = self->handles != NULL ? (RsBuffer **) self->handles + n_handles : NULL;
  for (guint i = 0; i < n_handles; i++)
    self->handles[i] = rs_handle_ref (g_ptr_array_index (handles, i));
  for (guint i = 0; i < n_buffers; i++)
    {
      const RsBuffer *buffer = g_ptr_array_index (buffers, i);

      self->buffers[i] = rs_buffer_ref ((RsBuffer *) buffer);
      g_warn_if_fail (i == 0 || self->buffers[i - 1]->id < buffer->id);
      /* Every reference is someone's: a handle's, libav's, or lost. */
      g_warn_if_fail (buffer->hidden == 0 || buffer->refcount == buffer->visible + buffer->hidden + buffer->lost);
      g_warn_if_fail (buffer->holder == NULL || buffer->hidden > 0);
    }
  self->events = n_events > 0 ? g_memdup2 (events, n_events * sizeof (RsEvent)) : NULL;
  /* Messages are copied, not interned: a long session of a corrupt file
   * logs many distinct ones, and interned strings live for ever. */
  for (guint i = 0; i < n_events; i++)
    self->events[i].message = g_strdup (events[i].message);

  return self;
}

RsSnapshot *
rs_snapshot_ref (RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->rc);
  return self;
}

void
rs_snapshot_unref (RsSnapshot *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->rc))
    return;

  for (guint i = 0; i < self->n_handles; i++)
    rs_handle_unref (self->handles[i]);
  for (guint i = 0; i < self->n_buffers; i++)
    rs_buffer_unref (self->buffers[i]);
  g_free (self->handles);
  for (guint i = 0; i < self->n_events; i++)
    g_free ((char *) self->events[i].message);
  g_free (self->events);
  g_free (self->call);
  g_free (self->args);
  g_free (self);
}

guint
rs_snapshot_get_step (const RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->step;
}

const char *
rs_snapshot_get_call (const RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->call;
}

const char *
rs_snapshot_get_args (const RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->args;
}

int
rs_snapshot_get_ret (const RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->ret;
}

gboolean
rs_snapshot_is_exact (const RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->exact;
}

const char *
rs_snapshot_get_out (const RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->out;
}

int
rs_snapshot_get_thread (const RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->thread;
}

const RsSite *
rs_snapshot_get_site (const RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return &self->site;
}

guint
rs_snapshot_get_n_handles (const RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_handles;
}

const RsHandle *
rs_snapshot_get_handle (const RsSnapshot *self,
                        guint             index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_handles, NULL);
  return self->handles[index];
}

const RsHandle *
rs_snapshot_find_handle (const RsSnapshot *self,
                         const char       *id)
{
  const char *interned;

  g_return_val_if_fail (self != NULL, NULL);

  if (id == NULL || (interned = g_intern_string (id)) == NULL)
    return NULL;
  for (guint i = 0; i < self->n_handles; i++)
    if (self->handles[i]->id == interned)
      return self->handles[i];
  return NULL;
}

guint
rs_snapshot_get_n_buffers (const RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_buffers;
}

const RsBuffer *
rs_snapshot_get_buffer (const RsSnapshot *self,
                        guint             index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_buffers, NULL);
  return self->buffers[index];
}

const RsBuffer *
rs_snapshot_find_buffer (const RsSnapshot *self,
                         guint64           id)
{
  guint lo = 0, hi;

  g_return_val_if_fail (self != NULL, NULL);

  hi = self->n_buffers;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      guint64 mid_id = self->buffers[mid]->id;

      if (mid_id == id)
        return self->buffers[mid];
      if (mid_id < id)
        lo = mid + 1;
      else
        hi = mid;
    }
  return NULL;
}

guint
rs_snapshot_get_n_events (const RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_events;
}

const RsEvent *
rs_snapshot_get_event (const RsSnapshot *self,
                       guint             index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_events, NULL);
  return &self->events[index];
}

guint64
rs_snapshot_get_live_bytes (const RsSnapshot *self)
{
  guint64 bytes = 0;

  g_return_val_if_fail (self != NULL, 0);

  for (guint i = 0; i < self->n_buffers; i++)
    bytes += self->buffers[i]->size;
  return bytes;
}
