/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-snapshot-node.c: the nodes of a snapshot (RsHandle, RsBuffer), their
 * reference counts and caches, and the words for their enums.
 */
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
 * Every node carries a reference count and the number of its cache in
 * front of its public fields (8 bytes); the public pointer points at `pub`. */
typedef struct {
  gpointer       value;
  GDestroyNotify destroy;
} NodeCacheSlot;

/* A cache is allocated when first used: most nodes of a long history are
 * never serialized or drawn. A node keeps its number (in the 4 bytes its
 * count leaves before the 8-byte aligned fields), not a pointer, which
 * would make every node a 16-byte block of malloc's larger. */
typedef struct {
  gatomicrefcount rc;
  guint           cache;  /* atomic: the number of its cache (see cache_at), 0 if none,
                           * CACHE_UNNUMBERED if kept by address (see cache_make) */
  RsHandle        pub;
  RsRef           refs[];
} HandleNode;

typedef struct {
  gatomicrefcount rc;
  guint           cache;
  RsBuffer        pub;
} BufferNode;

G_STATIC_ASSERT (G_STRUCT_OFFSET (HandleNode, pub) == 8);
G_STATIC_ASSERT (G_STRUCT_OFFSET (BufferNode, pub) == 8);

/* With one ref, a handle node is a 160-byte block of malloc's, a buffer
 * node an 80-byte one: a field more costs 16 bytes a node. */
G_STATIC_ASSERT (sizeof (RsHandle) == 128);
G_STATIC_ASSERT (sizeof (RsBuffer) == 64);

static const RsSite unknown_site;
static GMutex       sites_lock;
static GHashTable  *sites;  /* RsSite* set, never freed */

static guint
site_hash (gconstpointer p)
{
  const RsSite *site = p;

  return (((g_direct_hash (site->file) * 31 + g_direct_hash (site->function)) * 31 +
           g_direct_hash (site->module)) * 31 + site->line) * 31 + site->column;
}

static gboolean
site_equal (gconstpointer a,
            gconstpointer b)
{
  return rs_site_equal (a, b);
}

const RsSite *
rs_site_intern (const RsSite *site)
{
  const RsSite *interned;

  if (site == NULL || rs_site_equal (site, &unknown_site))
    return &unknown_site;
  g_mutex_lock (&sites_lock);
  if (sites == NULL)
    sites = g_hash_table_new (site_hash, site_equal);
  interned = g_hash_table_lookup (sites, site);
  if (interned == NULL)
    {
      interned = g_memdup2 (site, sizeof *site);
      g_hash_table_add (sites, (gpointer) interned);
    }
  g_mutex_unlock (&sites_lock);
  return interned;
}

/* A field's site, for comparing: NULL is the unknown site. */
static const RsSite *
site_of (const RsSite *site)
{
  return site != NULL ? site : &unknown_site;
}

#define HANDLE_NODE(h) ((HandleNode *) ((char *) (h) - G_STRUCT_OFFSET (HandleNode, pub)))
#define BUFFER_NODE(b) ((BufferNode *) ((char *) (b) - G_STRUCT_OFFSET (BufferNode, pub)))

/* Caches by number: chunks of CACHE_CHUNK pointers, made as numbers grow
 * and kept (a few hundred kilobytes for a history of a million cached
 * nodes). Reading takes no lock; taking a number and giving it back do. A
 * pthread mutex, not a GMutex, so that ThreadSanitizer sees it.
 *
 * Who owns what:
 * - A node owns its cache (the NodeCacheSlot array) and its number from the
 *   moment cache_set publishes the number in the node until the node's last
 *   unref (cache_clear): the cache never outlives its node, nor goes before.
 * - The cache owns each value stored in it, with the `destroy` given with
 *   it: values go with the cache, never one by one. A value that loses a
 *   race to a slot is the storer's, destroyed at once.
 * - A number belongs to at most one live node; a number given back (the
 *   node died, or lost the race to give itself a cache) is reused.
 * - When every number is taken (CACHE_NUMBERS caches at once), a node's
 *   cache is kept in `unnumbered` by the address of its number field, and
 *   the node's number reads CACHE_UNNUMBERED: slower to read (a lock), but
 *   the value is kept and freed with its node like any other. */
#define CACHE_CHUNK  4096
#define CACHE_CHUNKS 65536
#define CACHE_NUMBERS ((guint) (CACHE_CHUNK * CACHE_CHUNKS))  /* 1 to CACHE_NUMBERS - 1 */
#define CACHE_UNNUMBERED G_MAXUINT

G_STATIC_ASSERT ((guint64) CACHE_CHUNK * CACHE_CHUNKS < CACHE_UNNUMBERED);

static NodeCacheSlot **cache_chunks[CACHE_CHUNKS];  /* atomic */
static pthread_mutex_t caches_lock = PTHREAD_MUTEX_INITIALIZER;
/* Under caches_lock. */
static GArray         *free_caches;                 /* guint numbers given back */
static guint           next_cache = 1;
static guint           numbers_left = G_MAXUINT;     /* tests: numbers still to be had; G_MAXUINT: no limit */
static GHashTable     *unnumbered;                  /* guint *number -> NodeCacheSlot[] */

void
rs_node_cache_limit_private (guint more)
{
  pthread_mutex_lock (&caches_lock);
  numbers_left = more;
  pthread_mutex_unlock (&caches_lock);
}

/* The place of cache `number`'s pointer (atomic). */
static NodeCacheSlot **
cache_at (guint number)
{
  NodeCacheSlot **chunk;

  g_assert (number > 0 && number < CACHE_NUMBERS);
  chunk = g_atomic_pointer_get (&cache_chunks[number / CACHE_CHUNK]);
  g_assert (chunk != NULL);
  return &chunk[number % CACHE_CHUNK];
}

/* A free number, its chunk made: 0 when all are taken. */
static guint
cache_take_number (void)
{
  guint number = 0;

  pthread_mutex_lock (&caches_lock);
  if (numbers_left == 0)
    ;
  else if (free_caches != NULL && free_caches->len > 0)
    {
      number = g_array_index (free_caches, guint, free_caches->len - 1);
      g_array_set_size (free_caches, free_caches->len - 1);
    }
  else if (next_cache < CACHE_NUMBERS)
    {
      number = next_cache++;
      if (cache_chunks[number / CACHE_CHUNK] == NULL)
        g_atomic_pointer_set (&cache_chunks[number / CACHE_CHUNK], g_new0 (NodeCacheSlot *, CACHE_CHUNK));
    }
  if (number != 0 && numbers_left != G_MAXUINT)
    numbers_left--;
  pthread_mutex_unlock (&caches_lock);
  /* No live node has this number: a number given back has no cache. */
  g_assert (number == 0 || g_atomic_pointer_get (cache_at (number)) == NULL);
  return number;
}

static void
cache_give_number (guint number)
{
  g_atomic_pointer_set (cache_at (number), NULL);
  pthread_mutex_lock (&caches_lock);
  if (free_caches == NULL)
    free_caches = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_val (free_caches, number);
  pthread_mutex_unlock (&caches_lock);
}

/* The cache of the node whose number field is `numberp` and reads
 * `number` (not 0). Owned by the node. */
static NodeCacheSlot *
cache_of (guint *numberp,
          guint  number)
{
  NodeCacheSlot *cache;

  if (number != CACHE_UNNUMBERED)
    cache = g_atomic_pointer_get (cache_at (number));
  else
    {
      pthread_mutex_lock (&caches_lock);
      cache = g_hash_table_lookup (unnumbered, numberp);
      pthread_mutex_unlock (&caches_lock);
    }
  /* A node's number is published only once its cache is in place. */
  g_assert (cache != NULL);
  return cache;
}

static gpointer
cache_get (guint       *numberp,
           RsNodeCache  slot)
{
  guint number = g_atomic_int_get (numberp);

  g_return_val_if_fail (slot < RS_NODE_CACHE_N, NULL);
  if (number == 0)
    return NULL;
  return g_atomic_pointer_get (&cache_of (numberp, number)[slot].value);
}

/* Gives the node whose number field is `numberp` a cache, unless another
 * thread did first. Returns the node's number. */
static guint
cache_make (guint *numberp)
{
  NodeCacheSlot *made = g_new0 (NodeCacheSlot, RS_NODE_CACHE_N);
  guint taken = cache_take_number ();

  if (taken == 0)
    {
      /* Out of numbers: kept by the node's address. Published under the
       * lock, so that a reader of CACHE_UNNUMBERED finds it. */
      pthread_mutex_lock (&caches_lock);
      if (g_atomic_int_compare_and_exchange ((gint *) numberp, 0, (gint) CACHE_UNNUMBERED))
        {
          if (unnumbered == NULL)
            unnumbered = g_hash_table_new (NULL, NULL);
          g_hash_table_insert (unnumbered, numberp, g_steal_pointer (&made));
        }
      pthread_mutex_unlock (&caches_lock);
      g_free (made);
      return g_atomic_int_get (numberp);
    }
  g_atomic_pointer_set (cache_at (taken), made);
  if (!g_atomic_int_compare_and_exchange ((gint *) numberp, 0, (gint) taken))
    {
      g_free (made);
      cache_give_number (taken);
    }
  return g_atomic_int_get (numberp);
}

static gpointer
cache_set (guint          *numberp,
           RsNodeCache     slot,
           gpointer        value,
           GDestroyNotify  destroy)
{
  guint number = g_atomic_int_get (numberp);
  NodeCacheSlot *cache;

  g_return_val_if_fail (slot < RS_NODE_CACHE_N, NULL);

  if (number == 0)
    number = cache_make (numberp);
  g_assert (number != 0);
  cache = cache_of (numberp, number);
  if (g_atomic_pointer_compare_and_exchange (&cache[slot].value, NULL, value))
    {
      cache[slot].destroy = destroy;
      return value;
    }
  if (destroy != NULL)
    destroy (value);
  return g_atomic_pointer_get (&cache[slot].value);
}

/* A node's last reference went: its cache goes, with the values in it, and
 * its number is free. */
static void
cache_clear (guint *numberp)
{
  guint number = g_atomic_int_get (numberp);
  NodeCacheSlot *cache = NULL;

  if (number == 0)
    return;
  if (number != CACHE_UNNUMBERED)
    cache = g_atomic_pointer_get (cache_at (number));
  else
    {
      pthread_mutex_lock (&caches_lock);
      g_hash_table_steal_extended (unnumbered, numberp, NULL, (gpointer *) &cache);
      pthread_mutex_unlock (&caches_lock);
    }
  g_assert (cache != NULL);
  for (guint i = 0; i < RS_NODE_CACHE_N; i++)
    if (cache[i].value != NULL && cache[i].destroy != NULL)
      cache[i].destroy (cache[i].value);
  g_free (cache);
  if (number != CACHE_UNNUMBERED)
    cache_give_number (number);
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
  node->pub.site = rs_site_intern (fields->site);
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
      cache_clear (&node->cache);
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
         a->born == b->born && a->origin == b->origin && rs_site_equal (site_of (a->site), site_of (b->site)) &&
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
  node->pub.site = rs_site_intern (fields->site);
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
      cache_clear (&node->cache);
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
         a->leaked == b->leaked && rs_site_equal (site_of (a->site), site_of (b->site));
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
