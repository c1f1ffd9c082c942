/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-snapshot"

#include "rs-snapshot.h"
#include "rs-snapshot-private.h"

#include <glib/gi18n.h>
#include <pthread.h>
#include <string.h>

/* Reference counts are changed with g_atomic_int_*(), which compile inline,
 * rather than g_atomic_ref_count_*(), calls into GLib: a history reads a
 * snapshot's count to know whether another thread still reads it, and
 * ThreadSanitizer (tests/threads) must see the atomics that make that safe.
 *
 * Every node carries a reference count and a small cache in front of its
 * public fields; the public pointer points at `pub`. */
typedef struct {
  gpointer       value;
  GDestroyNotify destroy;
} NodeCacheSlot;

/* The cache is allocated when first used: most nodes of a long history
 * are never serialized or drawn. */
typedef struct {
  gatomicrefcount rc;
  NodeCacheSlot  *cache;  /* atomic: RS_NODE_CACHE_N slots, or NULL */
  RsHandle        pub;
  RsRef           refs[];
} HandleNode;

typedef struct {
  gatomicrefcount rc;
  NodeCacheSlot  *cache;
  RsBuffer        pub;
} BufferNode;

/* One edit of a predecessor's node array (handles or buffers), in the order
 * they apply: at `position` of the predecessor's array, insert `node`,
 * remove the element there (`node` is then that element, borrowed), or
 * replace it by `node` (same id). Inserted nodes are owned. */
typedef enum {
  OP_INSERT,
  OP_REMOVE,
  OP_REPLACE,
} OpKind;

/* 12 bytes, not 16: a history keeps a few for every step. */
typedef struct __attribute__ ((packed)) {
  guint32  position : 30;
  guint32  kind : 2;      /* OpKind */
  gpointer node;
} Op;

G_STATIC_ASSERT (sizeof (Op) == 12);

/* What only some steps have: a lesson's or a recording's (a site, a
 * thread), or a step whose short events were read. Kept out of the
 * snapshot, which a decode session makes hundreds of thousands of. */
typedef struct {
  RsSite          site;          /* all unset when unknown (a decode session's steps) */
  int             thread;
  RsEvent        *expanded;      /* atomic: the ShortEvents as RsEvents, made when first read */
} SnapshotExtra;

/* A step's call and arguments in words, interned as a pair: a decode
 * repeats a few dozen of them, and a snapshot keeps one pointer. Counted
 * under `texts_lock`; freed with the last snapshot that has it. */
typedef struct {
  char *call;
  char *args;   /* nullable */
  guint count;
} StepText;

static GMutex      texts_lock;
static GHashTable *texts;  /* StepText* set */

static guint
step_text_hash (gconstpointer p)
{
  const StepText *text = p;

  return g_str_hash (text->call) * 31 + (text->args != NULL ? g_str_hash (text->args) : 0);
}

static gboolean
step_text_equal (gconstpointer a,
                 gconstpointer b)
{
  const StepText *x = a, *y = b;

  return g_str_equal (x->call, y->call) && g_strcmp0 (x->args, y->args) == 0;
}

/* The interned pair (a new count on it). */
static StepText *
step_text_get (const char *call,
               const char *args)
{
  StepText key = { (char *) call, (char *) args, 0 };
  StepText *text;

  g_mutex_lock (&texts_lock);
  if (texts == NULL)
    texts = g_hash_table_new (step_text_hash, step_text_equal);
  text = g_hash_table_lookup (texts, &key);
  if (text == NULL)
    {
      text = g_new (StepText, 1);
      text->call = g_strdup (call);
      text->args = g_strdup (args);
      text->count = 0;
      g_hash_table_add (texts, text);
    }
  text->count++;
  g_mutex_unlock (&texts_lock);
  return text;
}

static void
step_text_release (StepText *text)
{
  g_mutex_lock (&texts_lock);
  if (--text->count == 0)
    {
      g_hash_table_remove (texts, text);
      g_free (text->call);
      g_free (text->args);
      g_free (text);
    }
  g_mutex_unlock (&texts_lock);
}

/* Ops of one kind a step keeps at most: more, and the step keeps its
 * arrays instead (it would save nothing). */
#define OPS_MAX G_MAXUINT16

/* A history's snapshots keep their node arrays as edits of the previous
 * step's (rs_snapshot_chain_private): a step costs what it changed, not a
 * pointer per live node. The arrays are rebuilt on first use, from the
 * nearest ancestor that has them (at most RS_SNAPSHOT_CHAIN_MAX steps back).
 * 88 bytes: with one short event, a 112-byte block of malloc's. */
struct _RsSnapshot {
  gatomicrefcount rc;
  guint           step;
  int             ret;
  guint8          depth;         /* steps back to an ancestor whose arrays are kept */
  guint8          short_events;  /* `events` holds ShortEvents (see snapshot_alloc) */
  guint8          exact;
  guint8          is_base;       /* a successor's ops edit this snapshot's arrays; set by
                                  * the history's thread while others may read the rest
                                  * (a byte of its own, not a bit field) */
  guint           n_handles;
  guint           n_buffers;
  guint           n_events;
  guint16         n_handle_ops;  /* at most OPS_MAX */
  guint16         n_buffer_ops;
  StepText       *text;          /* owned count: the call and its arguments */
  const char     *out;           /* interned */
  SnapshotExtra  *extra;         /* atomic, owned; NULL when the step has none */
  gpointer        nodes;         /* atomic: RsHandle*[n_handles] then RsBuffer*[n_buffers],
                                  * owned references; NULL while only the ops are kept */
  RsSnapshot     *base;          /* owned: the snapshot `ops` edit, or NULL */
  Op             *ops;           /* handle ops, then buffer ops */
  guint64         live_bytes;
  RsEvent         events[];      /* n_events RsEvents, or ShortEvents */
};

G_STATIC_ASSERT (sizeof (RsSnapshot) == 88);

/* Most events of a decode are a kind and a buffer (allocated, freed):
 * kept as that, a sixth of an RsEvent, until someone reads them. */
typedef struct {
  guint64     buffer;
  RsEventKind kind;
} ShortEvent;

static gboolean
is_short (const RsEvent *event)
{
  return event->handle == NULL && event->call == NULL && event->site.file == NULL &&
         event->site.function == NULL && event->site.line == 0 && event->site.column == 0 &&
         event->site.module == NULL && event->reason == RS_LOSS_NONE && event->count == 0 &&
         event->fault == RS_FAULT_NONE && event->field == NULL && event->value[0] == 0 &&
         event->value[1] == 0 && event->value[2] == 0 && event->message == NULL;
}

static const RsSite unknown_site;

#define HANDLE_NODE(h) ((HandleNode *) ((char *) (h) - G_STRUCT_OFFSET (HandleNode, pub)))
#define BUFFER_NODE(b) ((BufferNode *) ((char *) (b) - G_STRUCT_OFFSET (BufferNode, pub)))

static gpointer
cache_get (NodeCacheSlot **cachep,
           RsNodeCache     slot)
{
  NodeCacheSlot *cache = g_atomic_pointer_get (cachep);

  g_return_val_if_fail (slot < RS_NODE_CACHE_N, NULL);
  return cache != NULL ? g_atomic_pointer_get (&cache[slot].value) : NULL;
}

static gpointer
cache_set (NodeCacheSlot **cachep,
           RsNodeCache     slot,
           gpointer        value,
           GDestroyNotify  destroy)
{
  NodeCacheSlot *cache = g_atomic_pointer_get (cachep);

  g_return_val_if_fail (slot < RS_NODE_CACHE_N, NULL);

  if (cache == NULL)
    {
      cache = g_new0 (NodeCacheSlot, RS_NODE_CACHE_N);
      if (!g_atomic_pointer_compare_and_exchange (cachep, NULL, cache))
        {
          g_free (cache);
          cache = g_atomic_pointer_get (cachep);
        }
    }
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
  if (cache == NULL)
    return;
  for (guint i = 0; i < RS_NODE_CACHE_N; i++)
    if (cache[i].value != NULL && cache[i].destroy != NULL)
      cache[i].destroy (cache[i].value);
  g_free (cache);
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
  g_atomic_int_inc (&HANDLE_NODE (handle)->rc);
  return handle;
}

void
rs_handle_unref (RsHandle *handle)
{
  HandleNode *node;

  g_return_if_fail (handle != NULL);
  node = HANDLE_NODE (handle);
  if (g_atomic_int_dec_and_test (&node->rc))
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
         a->shown == b->shown && a->ring_head == b->ring_head && a->ring_tail == b->ring_tail &&
         a->born == b->born && a->origin == b->origin && rs_site_equal (&a->site, &b->site) &&
         a->leaked == b->leaked && a->n_refs == b->n_refs &&
         (a->n_refs == 0 || memcmp (a->refs, b->refs, a->n_refs * sizeof (RsRef)) == 0);
}

gpointer
rs_handle_get_cache (const RsHandle *handle,
                     RsNodeCache     slot)
{
  g_return_val_if_fail (handle != NULL, NULL);
  return cache_get (&HANDLE_NODE (handle)->cache, slot);
}

gpointer
rs_handle_set_cache (const RsHandle *handle,
                     RsNodeCache     slot,
                     gpointer        value,
                     GDestroyNotify  destroy)
{
  g_return_val_if_fail (handle != NULL, NULL);
  return cache_set (&HANDLE_NODE (handle)->cache, slot, value, destroy);
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
  g_atomic_int_inc (&BUFFER_NODE (buffer)->rc);
  return buffer;
}

void
rs_buffer_unref (RsBuffer *buffer)
{
  BufferNode *node;

  g_return_if_fail (buffer != NULL);
  node = BUFFER_NODE (buffer);
  if (g_atomic_int_dec_and_test (&node->rc))
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
  return cache_get (&BUFFER_NODE (buffer)->cache, slot);
}

gpointer
rs_buffer_set_cache (const RsBuffer *buffer,
                     RsNodeCache     slot,
                     gpointer        value,
                     GDestroyNotify  destroy)
{
  g_return_val_if_fail (buffer != NULL, NULL);
  return cache_set (&BUFFER_NODE (buffer)->cache, slot, value, destroy);
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

static void
free_nodes (gpointer *nodes,
            guint     n_handles,
            guint     n_buffers)
{
  if (nodes == NULL)
    return;
  for (guint i = 0; i < n_handles; i++)
    rs_handle_unref (nodes[i]);
  for (guint i = 0; i < n_buffers; i++)
    rs_buffer_unref (nodes[n_handles + i]);
  g_free (nodes);
}

static void
free_ops (Op    *ops,
          guint  n_handle_ops,
          guint  n_buffer_ops)
{
  for (guint i = 0; i < n_handle_ops + n_buffer_ops; i++)
    if (ops[i].kind != OP_REMOVE)
      {
        if (i < n_handle_ops)
          rs_handle_unref (ops[i].node);
        else
          rs_buffer_unref (ops[i].node);
      }
  g_free (ops);
}

/* The arrays if the snapshot has them, or NULL. */
static gpointer *
peek_nodes (const RsSnapshot *self)
{
  return g_atomic_pointer_get (&((RsSnapshot *) self)->nodes);
}

/* `to` = `from` (n_from entries) edited by `ops`; returns its length. */
static guint
apply_ops (gpointer const *from,
           guint           n_from,
           const Op       *ops,
           guint           n_ops,
           gpointer       *to)
{
  guint i = 0, n = 0;

  for (guint k = 0; k < n_ops; k++)
    {
      while (i < ops[k].position)
        to[n++] = from[i++];
      if (ops[k].kind != OP_INSERT)
        i++;
      if (ops[k].kind != OP_REMOVE)
        to[n++] = ops[k].node;
    }
  while (i < n_from)
    to[n++] = from[i++];
  return n;
}

/* Rebuilding arrays reads an ancestor's, which its history may drop at the
 * same time on another thread (a trace writer reads the steps a session
 * appends): both hold this lock. A pthread mutex, not a GMutex, so that
 * ThreadSanitizer sees it (tests/threads). */
static pthread_mutex_t arrays_lock = PTHREAD_MUTEX_INITIALIZER;

static gpointer *materialize_locked (RsSnapshot *self);

/* The node arrays of a snapshot that keeps only its ops: rebuilt from the
 * nearest ancestor that has them, forward through the ops, and kept (the
 * first thread to finish stores them; another's copy is dropped). */
static gpointer *
materialize (RsSnapshot *self)
{
  gpointer *nodes;

  pthread_mutex_lock (&arrays_lock);
  nodes = materialize_locked (self);
  pthread_mutex_unlock (&arrays_lock);
  return nodes;
}

static gpointer *
materialize_locked (RsSnapshot *self)
{
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();
  RsSnapshot *ancestor = self;
  gpointer *arrays, *nodes, *from;
  guint cap = 0;

  while (peek_nodes (ancestor) == NULL)
    {
      g_ptr_array_add (chain, ancestor);
      ancestor = ancestor->base;
    }
  from = peek_nodes (ancestor);

  /* Two arrays for each kind, swapped at each step: sized for the largest. */
  cap = ancestor->n_handles + ancestor->n_buffers;
  for (guint k = 0; k < chain->len; k++)
    {
      RsSnapshot *s = g_ptr_array_index (chain, k);
      cap = MAX (cap, s->n_handles + s->n_buffers);
    }
  arrays = g_new (gpointer, 2 * MAX (cap, 1));
  {
    gpointer *current = from;
    guint n_handles = ancestor->n_handles, n_buffers = ancestor->n_buffers;
    guint which = 0;

    for (guint k = chain->len; k > 0; k--)
      {
        RsSnapshot *s = g_ptr_array_index (chain, k - 1);
        gpointer *next = arrays + which * MAX (cap, 1);
        guint nh, nb;

        nh = apply_ops (current, n_handles, s->ops, s->n_handle_ops, next);
        nb = apply_ops (current + n_handles, n_buffers, s->ops + s->n_handle_ops, s->n_buffer_ops, next + nh);
        g_assert (nh == s->n_handles && nb == s->n_buffers);
        current = next;
        n_handles = nh;
        n_buffers = nb;
        which ^= 1;
      }

    nodes = g_new (gpointer, MAX (n_handles + n_buffers, 1));
    for (guint i = 0; i < n_handles; i++)
      nodes[i] = rs_handle_ref (current[i]);
    for (guint i = 0; i < n_buffers; i++)
      nodes[n_handles + i] = rs_buffer_ref (current[n_handles + i]);
  }
  g_free (arrays);

  if (!g_atomic_pointer_compare_and_exchange (&self->nodes, NULL, nodes))
    {
      free_nodes (nodes, self->n_handles, self->n_buffers);
      nodes = g_atomic_pointer_get (&self->nodes);
    }
  return nodes;
}

static RsHandle **
handles_of (const RsSnapshot *self)
{
  gpointer *nodes = peek_nodes (self);

  if (nodes == NULL)
    nodes = materialize ((RsSnapshot *) self);
  return (RsHandle **) nodes;
}

static RsBuffer **
buffers_of (const RsSnapshot *self)
{
  return (RsBuffer **) handles_of (self) + self->n_handles;
}

static void
add_op (GArray   *ops,
        guint     position,
        OpKind    kind,
        gpointer  node)
{
  Op op = { position, kind, node };

  g_assert (position < (1u << 30));

  g_array_append_val (ops, op);
}

/* The ops of `ops` in a block of their size (a GArray keeps room to grow:
 * up to twice what a step's ops take, kept for every step). */
static Op *
take_ops (GArray *ops)
{
  Op *taken = g_memdup2 (ops->data, ops->len * sizeof (Op));

  g_array_unref (ops);
  return taken;
}

/* Handles are in display order, ids unique: edits by id, in one pass. */
static void
diff_handles (RsHandle **from,
              guint      n_from,
              RsHandle **to,
              guint      n_to,
              GArray    *ops)
{
  g_autoptr(GHashTable) in_from = NULL;
  guint i = 0, j = 0;

  while (i < n_from || j < n_to)
    {
      if (i < n_from && j < n_to && from[i] == to[j])
        i++, j++;
      else if (i < n_from && j < n_to && from[i]->id == to[j]->id)
        add_op (ops, i++, OP_REPLACE, rs_handle_ref (to[j++]));
      else
        {
          if (in_from == NULL)
            {
              in_from = g_hash_table_new (NULL, NULL);
              for (guint k = 0; k < n_from; k++)
                g_hash_table_add (in_from, (gpointer) from[k]->id);
            }
          /* A new id is inserted here; otherwise the old element goes (an
           * id that moved is inserted again where it now is). */
          if (j < n_to && (i == n_from || !g_hash_table_contains (in_from, to[j]->id)))
            add_op (ops, i, OP_INSERT, rs_handle_ref (to[j++]));
          else
            add_op (ops, i, OP_REMOVE, from[i]), i++;
        }
    }
}

/* Buffers are sorted by id: a merge. */
static void
diff_buffers (RsBuffer **from,
              guint      n_from,
              RsBuffer **to,
              guint      n_to,
              GArray    *ops)
{
  guint i = 0, j = 0;

  while (i < n_from || j < n_to)
    {
      if (i < n_from && j < n_to && from[i] == to[j])
        i++, j++;
      else if (i < n_from && j < n_to && from[i]->id == to[j]->id)
        add_op (ops, i++, OP_REPLACE, rs_buffer_ref (to[j++]));
      else if (j < n_to && (i == n_from || to[j]->id < from[i]->id))
        add_op (ops, i, OP_INSERT, rs_buffer_ref (to[j++]));
      else
        add_op (ops, i, OP_REMOVE, from[i]), i++;
    }
}

void
rs_snapshot_chain_private (RsSnapshot *self,
                           RsSnapshot *previous)
{
  g_autoptr(GArray) ops = NULL;
  guint n_handle_ops;

  g_return_if_fail (self != NULL && previous != NULL);

  /* A snapshot is chained once, to one successor. */
  if (self->base != NULL || previous->is_base || self == previous ||
      previous->depth + 1 >= RS_SNAPSHOT_CHAIN_MAX)
    return;

  ops = g_array_new (FALSE, FALSE, sizeof (Op));
  diff_handles (handles_of (previous), previous->n_handles, handles_of (self), self->n_handles, ops);
  n_handle_ops = ops->len;
  diff_buffers (buffers_of (previous), previous->n_buffers, buffers_of (self), self->n_buffers, ops);

  /* Ops as large as the arrays save nothing: this step keeps its arrays
   * and starts a new chain. */
  if (ops->len * sizeof (Op) >= (self->n_handles + self->n_buffers) * sizeof (gpointer) ||
      n_handle_ops > OPS_MAX || ops->len - n_handle_ops > OPS_MAX)
    {
      guint n_ops = ops->len;

      free_ops ((Op *) g_array_free (g_steal_pointer (&ops), FALSE), n_handle_ops, n_ops - n_handle_ops);
      return;
    }

  self->n_handle_ops = n_handle_ops;
  self->n_buffer_ops = ops->len - n_handle_ops;
  self->ops = take_ops (g_steal_pointer (&ops));
  self->base = rs_snapshot_ref (previous);
  self->depth = previous->depth + 1;
  previous->is_base = TRUE;
}

gboolean
rs_snapshot_compact_private (RsSnapshot *self)
{
  gpointer nodes;

  g_return_val_if_fail (self != NULL, FALSE);

  /* Only a snapshot nobody but its history (and its successor's chain)
   * holds: a reader elsewhere has a reference, and keeps the arrays. */
  if (self->base == NULL)
    return TRUE;
  if (g_atomic_int_get ((gint *) &self->rc) != 1 + (self->is_base ? 1 : 0))
    return FALSE;
  pthread_mutex_lock (&arrays_lock);
  nodes = g_atomic_pointer_get (&self->nodes);
  if (nodes != NULL && g_atomic_pointer_compare_and_exchange (&self->nodes, nodes, NULL))
    free_nodes (nodes, self->n_handles, self->n_buffers);
  pthread_mutex_unlock (&arrays_lock);
  return TRUE;
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

/* A snapshot of `info` and `events` without nodes yet. */
static RsSnapshot *
snapshot_alloc (const RsStepInfo *info,
                const RsEvent    *events,
                guint             n_events)
{
  RsSnapshot *self;
  gboolean all_short = n_events > 0;

  for (guint i = 0; i < n_events && all_short; i++)
    all_short = is_short (&events[i]);

  /* Events in the same block: a step has one or none, most often. */
  self = g_malloc0 (sizeof (RsSnapshot) + n_events * (all_short ? sizeof (ShortEvent) : sizeof (RsEvent)));
  g_atomic_ref_count_init (&self->rc);
  self->step = info->step;
  self->text = step_text_get (info->call, info->args);
  self->ret = info->ret;
  self->exact = info->exact != FALSE;
  self->out = g_intern_string (info->out);
  if (info->thread != 0 || rs_site_is_known (&info->site) || info->site.column != 0)
    {
      self->extra = g_new0 (SnapshotExtra, 1);
      self->extra->thread = info->thread;
      if (rs_site_is_known (&info->site) || info->site.column != 0)
        self->extra->site = info->site;
    }
  self->n_events = n_events;
  self->short_events = all_short;
  if (all_short)
    {
      for (guint i = 0; i < n_events; i++)
        ((ShortEvent *) self->events)[i] = (ShortEvent) { events[i].buffer, events[i].kind };
      return self;
    }
  if (n_events > 0)
    memcpy (self->events, events, n_events * sizeof (RsEvent));
  /* Messages are copied, not interned: a long session of a corrupt file
   * logs many distinct ones, and interned strings live for ever. */
  for (guint i = 0; i < n_events; i++)
    self->events[i].message = g_strdup (events[i].message);
  return self;
}

RsSnapshot *
rs_snapshot_new_step (const RsStepInfo *info,
                      GPtrArray        *handles,
                      GPtrArray        *buffers,
                      const RsEvent    *events,
                      guint             n_events)
{
  RsSnapshot *self;
  gpointer *nodes;
  guint n_handles = handles != NULL ? handles->len : 0;
  guint n_buffers = buffers != NULL ? buffers->len : 0;

  g_return_val_if_fail (info != NULL && info->call != NULL, NULL);
  g_return_val_if_fail (n_events == 0 || events != NULL, NULL);

  self = snapshot_alloc (info, events, n_events);
  self->n_handles = n_handles;
  self->n_buffers = n_buffers;

  /* One block for both pointer arrays: snapshots are many and small. */
  nodes = g_new (gpointer, MAX (n_handles + n_buffers, 1));
  for (guint i = 0; i < n_handles; i++)
    nodes[i] = rs_handle_ref (g_ptr_array_index (handles, i));
  for (guint i = 0; i < n_buffers; i++)
    {
      const RsBuffer *buffer = g_ptr_array_index (buffers, i);

      nodes[n_handles + i] = rs_buffer_ref ((RsBuffer *) buffer);
      self->live_bytes += buffer->size;
      g_warn_if_fail (i == 0 || ((RsBuffer *) nodes[n_handles + i - 1])->id < buffer->id);
      /* Every reference is someone's: a handle's, libav's, or lost. */
      g_warn_if_fail (buffer->hidden == 0 || buffer->refcount == buffer->visible + buffer->hidden + buffer->lost);
      g_warn_if_fail (buffer->holder == NULL || buffer->hidden > 0);
    }
  self->nodes = nodes;
  return self;
}

/* Builder */

/* Ranks of keys (a Fenwick tree over them): how many of the nodes a
 * snapshot has come before a key, i.e. where an edit of the previous
 * snapshot's array goes, in O(log n). Its size is a power of two that
 * doubles as keys grow. */
typedef struct {
  guint  *tree;   /* 1-based, size + 1 entries */
  guint64 size;
  guint   total;
} Rank;

static void
rank_add (Rank    *rank,
          guint64  key,
          int      delta)
{
  if (rank->tree == NULL)
    {
      rank->size = 64;
      rank->tree = g_new0 (guint, rank->size + 1);
    }
  /* Doubling: the new upper half is empty, and its last entry covers the
   * whole range (every key so far). */
  while (key >= rank->size)
    {
      rank->tree = g_renew (guint, rank->tree, 2 * rank->size + 1);
      memset (rank->tree + rank->size + 1, 0, rank->size * sizeof (guint));
      rank->size *= 2;
      rank->tree[rank->size] = rank->total;
    }
  for (guint64 i = key + 1; i <= rank->size; i += i & -i)
    rank->tree[i] += delta;
  rank->total += delta;
}

/* How many keys below `key` are present. */
static guint
rank_before (const Rank *rank,
             guint64     key)
{
  guint n = 0;

  for (guint64 i = MIN (key, rank->size); i > 0; i -= i & -i)
    n += rank->tree[i];
  return n;
}

struct _RsSnapshotBuilder {
  GHashTable *handles;        /* key -> RsHandle*, owned: as in `previous` */
  GHashTable *buffers;        /* guint64* (the node's id) -> RsBuffer*, owned: as in `previous` */
  Rank        handle_rank;
  Rank        buffer_rank;
  guint64     live_bytes;
  GHashTable *handle_changes; /* key -> RsHandle* (owned) or NULL to remove: this step's */
  GHashTable *buffer_changes; /* guint64* (owned) -> RsBuffer* (owned) or NULL */
  RsSnapshot *previous;       /* owned: the last snapshot made, or NULL */
};

static void
handle_unref0 (gpointer handle)
{
  if (handle != NULL)
    rs_handle_unref (handle);
}

static void
buffer_unref0 (gpointer buffer)
{
  if (buffer != NULL)
    rs_buffer_unref (buffer);
}

RsSnapshotBuilder *
rs_snapshot_builder_new (void)
{
  RsSnapshotBuilder *self = g_new0 (RsSnapshotBuilder, 1);

  self->handles = g_hash_table_new_full (NULL, NULL, NULL, handle_unref0);
  self->buffers = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, buffer_unref0);
  self->handle_changes = g_hash_table_new_full (NULL, NULL, NULL, handle_unref0);
  self->buffer_changes = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, buffer_unref0);
  return self;
}

void
rs_snapshot_builder_free (RsSnapshotBuilder *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->handle_changes);
  g_hash_table_unref (self->buffer_changes);
  g_hash_table_unref (self->handles);
  g_hash_table_unref (self->buffers);
  g_free (self->handle_rank.tree);
  g_free (self->buffer_rank.tree);
  g_clear_pointer (&self->previous, rs_snapshot_unref);
  g_free (self);
}

void
rs_snapshot_builder_set_handle (RsSnapshotBuilder *self,
                                guint              key,
                                RsHandle          *handle)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (handle != NULL);

  g_hash_table_replace (self->handle_changes, GUINT_TO_POINTER (key), rs_handle_ref (handle));
}

void
rs_snapshot_builder_remove_handle (RsSnapshotBuilder *self,
                                   guint              key)
{
  g_return_if_fail (self != NULL);

  g_hash_table_replace (self->handle_changes, GUINT_TO_POINTER (key), NULL);
}

void
rs_snapshot_builder_set_buffer (RsSnapshotBuilder *self,
                                RsBuffer          *buffer)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (buffer != NULL);

  g_hash_table_replace (self->buffer_changes, g_memdup2 (&buffer->id, sizeof (guint64)), rs_buffer_ref (buffer));
}

void
rs_snapshot_builder_remove_buffer (RsSnapshotBuilder *self,
                                   guint64            id)
{
  g_return_if_fail (self != NULL);

  g_hash_table_replace (self->buffer_changes, g_memdup2 (&id, sizeof id), NULL);
}

const RsHandle *
rs_snapshot_builder_get_handle (RsSnapshotBuilder *self,
                                guint              key)
{
  gpointer handle;

  g_return_val_if_fail (self != NULL, NULL);

  if (g_hash_table_lookup_extended (self->handle_changes, GUINT_TO_POINTER (key), NULL, &handle))
    return handle;
  return g_hash_table_lookup (self->handles, GUINT_TO_POINTER (key));
}

const RsBuffer *
rs_snapshot_builder_get_buffer (RsSnapshotBuilder *self,
                                guint64            id)
{
  gpointer buffer;

  g_return_val_if_fail (self != NULL, NULL);

  if (g_hash_table_lookup_extended (self->buffer_changes, &id, NULL, &buffer))
    return buffer;
  return g_hash_table_lookup (self->buffers, &id);
}

static int
compare_uint (gconstpointer a,
              gconstpointer b)
{
  guint x = GPOINTER_TO_UINT (*(gconstpointer *) a), y = GPOINTER_TO_UINT (*(gconstpointer *) b);

  return x < y ? -1 : x > y;
}

static int
compare_uint64 (gconstpointer a,
                gconstpointer b)
{
  guint64 x = **(const guint64 **) a, y = **(const guint64 **) b;

  return x < y ? -1 : x > y;
}

/* The edits this step's changes make to the previous arrays, in order:
 * each at its key's rank among the previous keys (all ranks are taken
 * before any change is applied). Then the changes are applied. */
static void
take_handle_changes (RsSnapshotBuilder *self,
                     GArray            *ops)
{
  g_autofree gpointer *keys = (gpointer *) g_hash_table_get_keys_as_array (self->handle_changes, NULL);
  guint n = g_hash_table_size (self->handle_changes);

  qsort (keys, n, sizeof (gpointer), compare_uint);
  for (guint i = 0; i < n; i++)
    {
      RsHandle *next = g_hash_table_lookup (self->handle_changes, keys[i]);
      RsHandle *old = g_hash_table_lookup (self->handles, keys[i]);
      guint position = rank_before (&self->handle_rank, GPOINTER_TO_UINT (keys[i]));

      if (next == old)
        continue;
      add_op (ops, position, old == NULL ? OP_INSERT : next == NULL ? OP_REMOVE : OP_REPLACE,
              next != NULL ? rs_handle_ref (next) : old);
    }
  for (guint i = 0; i < n; i++)
    {
      RsHandle *next = g_hash_table_lookup (self->handle_changes, keys[i]);
      RsHandle *old = g_hash_table_lookup (self->handles, keys[i]);

      if (next == old)
        continue;
      if (old == NULL)
        rank_add (&self->handle_rank, GPOINTER_TO_UINT (keys[i]), 1);
      if (next == NULL)
        {
          rank_add (&self->handle_rank, GPOINTER_TO_UINT (keys[i]), -1);
          g_hash_table_remove (self->handles, keys[i]);
        }
      else
        g_hash_table_replace (self->handles, keys[i], rs_handle_ref (next));
    }
  g_hash_table_remove_all (self->handle_changes);
}

static void
take_buffer_changes (RsSnapshotBuilder *self,
                     GArray            *ops)
{
  g_autofree gpointer *keys = (gpointer *) g_hash_table_get_keys_as_array (self->buffer_changes, NULL);
  guint n = g_hash_table_size (self->buffer_changes);

  qsort (keys, n, sizeof (gpointer), compare_uint64);
  for (guint i = 0; i < n; i++)
    {
      RsBuffer *next = g_hash_table_lookup (self->buffer_changes, keys[i]);
      RsBuffer *old = g_hash_table_lookup (self->buffers, keys[i]);
      guint position = rank_before (&self->buffer_rank, *(guint64 *) keys[i]);

      if (next == old)
        continue;
      add_op (ops, position, old == NULL ? OP_INSERT : next == NULL ? OP_REMOVE : OP_REPLACE,
              next != NULL ? rs_buffer_ref (next) : old);
    }
  for (guint i = 0; i < n; i++)
    {
      RsBuffer *next = g_hash_table_lookup (self->buffer_changes, keys[i]);
      RsBuffer *old = g_hash_table_lookup (self->buffers, keys[i]);

      if (next == old)
        continue;
      if (old != NULL)
        self->live_bytes -= old->size;
      if (old == NULL)
        rank_add (&self->buffer_rank, *(guint64 *) keys[i], 1);
      if (next == NULL)
        {
          rank_add (&self->buffer_rank, *(guint64 *) keys[i], -1);
          g_hash_table_remove (self->buffers, keys[i]);
        }
      else
        {
          self->live_bytes += next->size;
          /* Keyed by the node's own id, which lives as long as it. */
          g_hash_table_replace (self->buffers, &next->id, rs_buffer_ref (next));
        }
    }
  g_hash_table_remove_all (self->buffer_changes);
}

/* The builder's nodes as arrays, in order (the first snapshot's). */
static gpointer *
builder_nodes (RsSnapshotBuilder *self)
{
  guint n_handles = g_hash_table_size (self->handles), n_buffers = g_hash_table_size (self->buffers);
  g_autofree gpointer *keys = (gpointer *) g_hash_table_get_keys_as_array (self->handles, NULL);
  g_autofree gpointer *ids = (gpointer *) g_hash_table_get_keys_as_array (self->buffers, NULL);
  gpointer *nodes = g_new (gpointer, MAX (n_handles + n_buffers, 1));

  qsort (keys, n_handles, sizeof (gpointer), compare_uint);
  qsort (ids, n_buffers, sizeof (gpointer), compare_uint64);
  for (guint i = 0; i < n_handles; i++)
    nodes[i] = rs_handle_ref (g_hash_table_lookup (self->handles, keys[i]));
  for (guint i = 0; i < n_buffers; i++)
    nodes[n_handles + i] = rs_buffer_ref (g_hash_table_lookup (self->buffers, ids[i]));
  return nodes;
}

RsSnapshot *
rs_snapshot_builder_finish (RsSnapshotBuilder *self,
                            const RsStepInfo  *info,
                            const RsEvent     *events,
                            guint              n_events)
{
  g_autoptr(GArray) ops = NULL;
  RsSnapshot *snapshot, *previous;
  guint n_handle_ops;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (info != NULL && info->call != NULL, NULL);
  g_return_val_if_fail (n_events == 0 || events != NULL, NULL);

  ops = g_array_new (FALSE, FALSE, sizeof (Op));
  take_handle_changes (self, ops);
  n_handle_ops = ops->len;
  take_buffer_changes (self, ops);

  snapshot = snapshot_alloc (info, events, n_events);
  snapshot->n_handles = g_hash_table_size (self->handles);
  snapshot->n_buffers = g_hash_table_size (self->buffers);
  snapshot->live_bytes = self->live_bytes;
  previous = self->previous;
  /* More edits than a step keeps (see OPS_MAX): the arrays, from the
   * builder's own tables. */
  if (previous == NULL || n_handle_ops > OPS_MAX || ops->len - n_handle_ops > OPS_MAX)
    snapshot->nodes = builder_nodes (self);
  else
    {
      guint n_ops = ops->len;

      snapshot->n_handle_ops = n_handle_ops;
      snapshot->n_buffer_ops = n_ops - n_handle_ops;
      snapshot->ops = take_ops (g_steal_pointer (&ops));
      snapshot->base = rs_snapshot_ref (previous);
      snapshot->depth = previous->depth + 1;
      /* As rs_snapshot_chain_private(): a chain ends after
       * RS_SNAPSHOT_CHAIN_MAX steps, or where the edits weigh as much as
       * the arrays; that step keeps its arrays (the only step costing
       * what is alive, once every RS_SNAPSHOT_CHAIN_MAX). */
      if (snapshot->depth >= RS_SNAPSHOT_CHAIN_MAX ||
          n_ops * sizeof (Op) >= (snapshot->n_handles + snapshot->n_buffers) * sizeof (gpointer))
        {
          materialize (snapshot);
          free_ops (snapshot->ops, snapshot->n_handle_ops, snapshot->n_buffer_ops);
          snapshot->ops = NULL;
          snapshot->n_handle_ops = snapshot->n_buffer_ops = 0;
          g_clear_pointer (&snapshot->base, rs_snapshot_unref);
          snapshot->depth = 0;
        }
      else
        previous->is_base = TRUE;
    }
  if (ops != NULL)
    {
      guint n_ops = ops->len;

      free_ops ((Op *) g_array_free (g_steal_pointer (&ops), FALSE), n_handle_ops, n_ops - n_handle_ops);
    }

  g_clear_pointer (&self->previous, rs_snapshot_unref);
  self->previous = rs_snapshot_ref (snapshot);
  return snapshot;
}

RsSnapshot *
rs_snapshot_ref (RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_int_inc (&self->rc);
  return self;
}

void
rs_snapshot_unref (RsSnapshot *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_int_dec_and_test (&self->rc))
    return;

  free_nodes (self->nodes, self->n_handles, self->n_buffers);
  free_ops (self->ops, self->n_handle_ops, self->n_buffer_ops);
  for (guint i = 0; !self->short_events && i < self->n_events; i++)
    g_free ((char *) self->events[i].message);
  if (self->extra != NULL)
    {
      g_free (self->extra->expanded);
      g_free (self->extra);
    }
  step_text_release (self->text);
  /* The predecessor last: its release may free a chain of them (at most
   * RS_SNAPSHOT_CHAIN_MAX deep). */
  g_clear_pointer (&self->base, rs_snapshot_unref);
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
  return self->text->call;
}

const char *
rs_snapshot_get_args (const RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->text->args;
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
  return self->extra != NULL ? self->extra->thread : 0;
}

const RsSite *
rs_snapshot_get_site (const RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->extra != NULL ? &self->extra->site : &unknown_site;
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
  return handles_of (self)[index];
}

const RsHandle *
rs_snapshot_find_handle (const RsSnapshot *self,
                         const char       *id)
{
  RsHandle **handles;
  const char *interned;

  g_return_val_if_fail (self != NULL, NULL);

  if (id == NULL || (interned = g_intern_string (id)) == NULL)
    return NULL;
  handles = handles_of (self);
  for (guint i = 0; i < self->n_handles; i++)
    if (handles[i]->id == interned)
      return handles[i];
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
  return buffers_of (self)[index];
}

static const RsBuffer *
find_buffer (const RsSnapshot *self,
             guint64           id)
{
  RsBuffer **buffers;
  guint lo = 0, hi;

  /* Without rebuilding the arrays: the newest edit of `id` back to an
   * ancestor that has them. Queries over a whole history (the refcount
   * series of a buffer) read every step this way. */
  while (peek_nodes (self) == NULL)
    {
      const Op *ops = self->ops + self->n_handle_ops;

      for (guint i = 0; i < self->n_buffer_ops; i++)
        if (((const RsBuffer *) ops[i].node)->id == id)
          return ops[i].kind == OP_REMOVE ? NULL : ops[i].node;
      self = self->base;
    }

  buffers = (RsBuffer **) peek_nodes (self) + self->n_handles;
  hi = self->n_buffers;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      guint64 mid_id = buffers[mid]->id;

      if (mid_id == id)
        return buffers[mid];
      if (mid_id < id)
        lo = mid + 1;
      else
        hi = mid;
    }
  return NULL;
}

const RsBuffer *
rs_snapshot_find_buffer (const RsSnapshot *self,
                         guint64           id)
{
  const RsBuffer *buffer;

  g_return_val_if_fail (self != NULL, NULL);

  /* The caller holds `self`, not its ancestors: their arrays are read
   * under the lock their history drops them with. */
  if (peek_nodes (self) != NULL)
    return find_buffer (self, id);
  pthread_mutex_lock (&arrays_lock);
  buffer = find_buffer (self, id);
  pthread_mutex_unlock (&arrays_lock);
  return buffer;
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
  SnapshotExtra *extra;
  RsEvent *expanded;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_events, NULL);

  if (!self->short_events)
    return &self->events[index];
  /* Kept while the snapshot lives: callers hold the pointer. The first
   * thread to store them wins; another's copy is dropped. */
  extra = g_atomic_pointer_get (&((RsSnapshot *) self)->extra);
  if (extra == NULL)
    {
      SnapshotExtra *made = g_new0 (SnapshotExtra, 1);

      if (g_atomic_pointer_compare_and_exchange (&((RsSnapshot *) self)->extra, NULL, made))
        extra = made;
      else
        {
          g_free (made);
          extra = g_atomic_pointer_get (&((RsSnapshot *) self)->extra);
        }
    }
  expanded = g_atomic_pointer_get (&extra->expanded);
  if (expanded == NULL)
    {
      RsEvent *made = g_new0 (RsEvent, self->n_events);

      for (guint i = 0; i < self->n_events; i++)
        {
          made[i].kind = ((const ShortEvent *) self->events)[i].kind;
          made[i].buffer = ((const ShortEvent *) self->events)[i].buffer;
        }
      if (g_atomic_pointer_compare_and_exchange (&extra->expanded, NULL, made))
        expanded = made;
      else
        {
          g_free (made);
          expanded = g_atomic_pointer_get (&extra->expanded);
        }
    }
  return &expanded[index];
}

guint64
rs_snapshot_get_live_bytes (const RsSnapshot *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->live_bytes;
}
