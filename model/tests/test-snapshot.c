/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "rs-diff.h"
#include "rs-intern.h"
#include "rs-history.h"
#include "rs-query.h"
#include "rs-snapshot-private.h"

static RsHandle *
make_packet (const char *id,
             gint64      pts,
             guint64     buffer)
{
  RsHandle fields = {
    .id = rs_intern (id), .kind = RS_HANDLE_PACKET,
    .holder = rs_intern_static ("reader"), .slot = -1, .stream = 0,
    .pts = pts, .dts = pts, .size = 100,
  };
  RsRef ref = { rs_intern_static ("buf"), buffer };

  return rs_handle_new (&fields, &ref, buffer != 0 ? 1 : 0);
}

static RsBuffer *
make_buffer (guint64 id,
             int     refcount,
             int     visible)
{
  RsBuffer fields = {
    .id = id, .kind = RS_BUFFER_KIND_PACKET, .size = 164, .refcount = refcount,
    .visible = visible, .hidden = refcount - visible, .tracked = TRUE,
    .holder = refcount > visible ? rs_intern_static ("video decoder input") : NULL,
    .origin = rs_intern_static ("demuxer"),
  };
  return rs_buffer_new (&fields);
}

/* Two snapshots: step 0 reader holds buffer 1; step 1 the decoder took a
 * hidden ref on 1 and buffer 2 appeared in a second handle. */
static void
make_pair (RsSnapshot **s0,
           RsSnapshot **s1)
{
  g_autoptr(GPtrArray) handles = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_handle_unref);
  g_autoptr(GPtrArray) buffers = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_buffer_unref);
  RsEvent allocated = { RS_EVENT_ALLOCATED, 1, NULL };
  RsEvent allocated2 = { RS_EVENT_ALLOCATED, 2, NULL };

  g_ptr_array_add (handles, make_packet ("reader", 0, 1));
  g_ptr_array_add (buffers, make_buffer (1, 1, 1));
  *s0 = rs_snapshot_new (0, "av_read_frame", 0, TRUE, "reader", handles, buffers, &allocated, 1);

  /* Share the unchanged handle, replace the changed buffer. */
  g_ptr_array_add (handles, make_packet ("other", 40, 2));
  g_ptr_array_set_size (buffers, 0);
  g_ptr_array_add (buffers, make_buffer (1, 2, 1));
  g_ptr_array_add (buffers, make_buffer (2, 1, 1));
  *s1 = rs_snapshot_new (1, "av_read_frame", 0, TRUE, "other", handles, buffers, &allocated2, 1);
}

static void
test_snapshot_lookup (void)
{
  g_autoptr(RsSnapshot) s0 = NULL;
  g_autoptr(RsSnapshot) s1 = NULL;

  make_pair (&s0, &s1);
  g_assert_cmpuint (rs_snapshot_get_n_handles (s1), ==, 2);
  g_assert_cmpuint (rs_snapshot_get_n_buffers (s1), ==, 2);
  g_assert_nonnull (rs_snapshot_find_buffer (s1, 2));
  g_assert_null (rs_snapshot_find_buffer (s0, 2));
  g_assert_cmpint (rs_snapshot_find_buffer (s1, 1)->hidden, ==, 1);
  g_assert_true (rs_snapshot_find_handle (s0, "reader") == rs_snapshot_find_handle (s1, "reader"));
  g_assert_null (rs_snapshot_find_handle (s1, "nobody"));
  g_assert_cmpuint (rs_snapshot_get_live_bytes (s1), ==, 328);
  g_assert_cmpstr (rs_snapshot_get_out (s1), ==, "other");
  g_assert_cmpint (rs_snapshot_get_event (s1, 0)->kind, ==, RS_EVENT_ALLOCATED);
}

static void
test_node_equality (void)
{
  g_autoptr(RsHandle) a = make_packet ("reader", 0, 1);
  g_autoptr(RsHandle) b = make_packet ("reader", 0, 1);
  g_autoptr(RsHandle) c = make_packet ("reader", 0, 2);
  g_autoptr(RsBuffer) x = make_buffer (1, 2, 1);
  g_autoptr(RsBuffer) y = make_buffer (1, 2, 1);
  g_autoptr(RsBuffer) z = make_buffer (1, 1, 1);

  g_assert_true (rs_handle_equal (a, b));
  g_assert_false (rs_handle_equal (a, c));
  g_assert_true (rs_buffer_equal (x, y));
  g_assert_false (rs_buffer_equal (x, z));
}

static void
test_node_cache (void)
{
  g_autoptr(RsHandle) a = make_packet ("reader", 0, 1);
  char *first = g_strdup ("first");

  g_assert_null (rs_handle_get_cache (a, RS_NODE_CACHE_DOT));
  g_assert_true (rs_handle_set_cache (a, RS_NODE_CACHE_DOT, first, g_free) == first);
  /* The first value stays; the second is freed. */
  g_assert_true (rs_handle_set_cache (a, RS_NODE_CACHE_DOT, g_strdup ("second"), g_free) == first);
  g_assert_cmpstr (rs_handle_get_cache (a, RS_NODE_CACHE_DOT), ==, "first");
}

static void
count_destroy (gpointer data)
{
  (*(guint *) data)++;
}

/* Caches are numbered, and a dead node's number serves another: each node
 * reads its own values, and each value is destroyed once, with its node. */
static void
test_node_cache_numbers (void)
{
  guint destroyed = 0;

  for (guint round = 0; round < 3; round++)
    {
      g_autoptr(GPtrArray) handles = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_handle_unref);
      g_autoptr(GPtrArray) buffers = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_buffer_unref);

      for (guint i = 0; i < 5000; i++)
        {
          RsHandle *h = make_packet ("reader", i, 1);
          RsBuffer *b = make_buffer (i + 1, 1, 1);

          g_ptr_array_add (handles, h);
          g_ptr_array_add (buffers, b);
          g_assert_null (rs_handle_get_cache (h, RS_NODE_CACHE_JSON));
          g_assert_true (rs_handle_set_cache (h, RS_NODE_CACHE_JSON, &destroyed, count_destroy) == &destroyed);
          /* Every other buffer: nodes with and without a cache mix. */
          if (i % 2 == 0)
            rs_buffer_set_cache (b, RS_NODE_CACHE_DOT, GUINT_TO_POINTER (i + 1), NULL);
        }
      for (guint i = 0; i < 5000; i++)
        {
          RsBuffer *b = g_ptr_array_index (buffers, i);

          g_assert_true (rs_handle_get_cache (g_ptr_array_index (handles, i), RS_NODE_CACHE_JSON) == &destroyed);
          g_assert_null (rs_handle_get_cache (g_ptr_array_index (handles, i), RS_NODE_CACHE_DOT));
          g_assert_cmpuint (GPOINTER_TO_UINT (rs_buffer_get_cache (b, RS_NODE_CACHE_DOT)), ==, i % 2 == 0 ? i + 1 : 0);
        }
      g_assert_cmpuint (destroyed, ==, round * 5000);
      /* Freed in an order other than made: numbers come back shuffled. */
      for (guint i = 0; i < 5000; i += 2)
        g_ptr_array_remove_index_fast (handles, i / 2);
    }
  g_assert_cmpuint (destroyed, ==, 3 * 5000);
}

typedef struct {
  GPtrArray *buffers;
  guint      thread;
} CacheRace;

static gpointer
race_for_caches (gpointer data)
{
  CacheRace *race = data;

  for (guint i = 0; i < race->buffers->len; i++)
    {
      char *mine = g_strdup_printf ("thread %u", race->thread);
      const char *kept = rs_buffer_set_cache (g_ptr_array_index (race->buffers, i), RS_NODE_CACHE_JSON, mine, g_free);

      /* The first store wins; a losing value is freed, never kept. */
      g_assert_true (g_str_has_prefix (kept, "thread "));
    }
  return NULL;
}

/* When no cache number is free (every one in use), a node's cache is kept
 * all the same: each value is read back while its node lives and destroyed
 * once, with it. It was returned unkept and never freed, and made again
 * (and lost again) at each use. */
static void
test_node_cache_out_of_numbers (void)
{
  guint destroyed = 0;

  rs_node_cache_limit_private (3);
  {
    g_autoptr(GPtrArray) handles = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_handle_unref);
    g_autoptr(GPtrArray) buffers = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_buffer_unref);
    CacheRace races[4];
    GThread *threads[G_N_ELEMENTS (races)];

    /* Three nodes get a number, the others are kept by address. */
    for (guint i = 0; i < 10; i++)
      {
        RsHandle *h = make_packet ("reader", i, 1);

        g_ptr_array_add (handles, h);
        g_assert_true (rs_handle_set_cache (h, RS_NODE_CACHE_JSON, &destroyed, count_destroy) == &destroyed);
        g_assert_true (rs_handle_set_cache (h, RS_NODE_CACHE_DOT, &destroyed, count_destroy) == &destroyed);
        g_assert_true (rs_handle_set_cache (h, RS_NODE_CACHE_DOT, &destroyed, count_destroy) == &destroyed);
        /* ... the second store of a slot destroyed its value at once. */
        g_assert_cmpuint (destroyed, ==, i + 1);
      }
    for (guint i = 0; i < 10; i++)
      {
        g_assert_true (rs_handle_get_cache (g_ptr_array_index (handles, i), RS_NODE_CACHE_JSON) == &destroyed);
        g_assert_true (rs_handle_get_cache (g_ptr_array_index (handles, i), RS_NODE_CACHE_DOT) == &destroyed);
      }
    /* Dead nodes give their numbers back: later nodes get them again. */
    g_ptr_array_remove_range (handles, 0, 5);
    g_assert_cmpuint (destroyed, ==, 10 + 2 * 5);

    /* Threads race to give the same nodes, all without a number, a cache. */
    rs_node_cache_limit_private (0);
    for (guint i = 0; i < 2000; i++)
      g_ptr_array_add (buffers, make_buffer (i + 1, 1, 1));
    for (guint k = 0; k < G_N_ELEMENTS (races); k++)
      {
        races[k] = (CacheRace) { buffers, k };
        threads[k] = g_thread_new ("cache race", race_for_caches, &races[k]);
      }
    for (guint k = 0; k < G_N_ELEMENTS (races); k++)
      g_thread_join (threads[k]);
    for (guint i = 0; i < buffers->len; i++)
      g_assert_true (g_str_has_prefix (rs_buffer_get_cache (g_ptr_array_index (buffers, i), RS_NODE_CACHE_JSON),
                                       "thread "));
  }
  rs_node_cache_limit_private (G_MAXUINT);
  g_assert_cmpuint (destroyed, ==, 2 * 10 + 10);
}

/* Equal sites share one copy; no site is the unknown one. */
static void
test_site_intern (void)
{
  RsSite a = { rs_intern_static ("a.c"), rs_intern_static ("main"), 3, 5, NULL };
  RsSite b = a;
  RsSite c = { rs_intern_static ("a.c"), rs_intern_static ("main"), 4, 5, NULL };
  g_autoptr(RsBuffer) node = NULL;
  RsBuffer fields = { .id = 7, .site = &b };

  g_assert_true (rs_site_intern (&a) == rs_site_intern (&b));
  g_assert_true (rs_site_intern (&a) != rs_site_intern (&c));
  g_assert_true (rs_site_intern (&a) != &a);
  g_assert_cmpint (rs_site_intern (&c)->line, ==, 4);
  g_assert_false (rs_site_is_known (rs_site_intern (NULL)));
  g_assert_true (rs_site_intern (NULL) == rs_site_intern (&(RsSite) { 0 }));
  node = rs_buffer_new (&fields);
  g_assert_true (node->site == rs_site_intern (&a));
  fields.site = NULL;
  g_assert_false (rs_buffer_equal (node, &fields));
}

/* Ring ends are the step's: whatever order they come in, a slot reads
 * which end it is; a queue without ends, and a handle outside queues, are
 * neither. */
static void
test_ring_ends (void)
{
  RsRingEnds ends[] = { { "video.pktq", 2, 2 }, { "audio.pktq", 0, 1 } };
  RsRingEnds swapped[] = { ends[1], ends[0] };
  g_autoptr(GPtrArray) handles = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_handle_unref);
  g_autoptr(RsSnapshot) s0 = NULL;
  g_autoptr(RsSnapshot) s1 = NULL;
  g_autoptr(RsSnapshot) none = NULL;
  const char *groups[] = { "video.pktq", "audio.pktq", "video.frameq" };

  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    for (int k = 0; k < 3; k++)
      {
        g_autofree char *id = g_strdup_printf ("%s[%d]", groups[g], k);
        RsHandle fields = { .id = rs_intern (id), .holder = rs_intern_static ("packet_queue"),
                            .group = rs_intern (groups[g]), .slot = k, .capacity = 3, .stream = 0 };

        g_ptr_array_add (handles, rs_handle_new (&fields, NULL, 0));
      }
  g_ptr_array_add (handles, make_packet ("reader", 0, 0));
  s0 = rs_snapshot_new_step (&(RsStepInfo) { .step = 0, .call = "x", .rings = ends, .n_rings = 2 },
                             handles, NULL, NULL, 0);
  s1 = rs_snapshot_new_step (&(RsStepInfo) { .step = 1, .call = "x", .rings = swapped, .n_rings = 2 },
                             handles, NULL, NULL, 0);
  none = rs_snapshot_new_step (&(RsStepInfo) { .step = 2, .call = "x" }, handles, NULL, NULL, 0);
  for (guint i = 0; i < handles->len; i++)
    {
      const RsHandle *h = g_ptr_array_index (handles, i);
      RsRingEnd expected = 0;

      if (h->group == rs_intern_static ("video.pktq") && h->slot == 2)
        expected = RS_RING_HEAD | RS_RING_TAIL;
      else if (h->group == rs_intern_static ("audio.pktq"))
        expected = h->slot == 0 ? RS_RING_HEAD : h->slot == 1 ? RS_RING_TAIL : 0;
      g_assert_cmpint (rs_snapshot_get_ring_end (s0, h), ==, expected);
      g_assert_cmpint (rs_snapshot_get_ring_end (s1, h), ==, expected);
      g_assert_cmpint (rs_snapshot_get_ring_end (none, h), ==, 0);
    }
}

static void
test_diff (void)
{
  g_autoptr(RsSnapshot) s0 = NULL;
  g_autoptr(RsSnapshot) s1 = NULL;
  g_autoptr(RsDiff) forward = NULL;
  g_autoptr(RsDiff) backward = NULL;
  g_autoptr(RsDiff) same = NULL;
  g_autoptr(RsDiff) first = NULL;

  make_pair (&s0, &s1);
  forward = rs_diff_new (s0, s1);
  g_assert_cmpuint (rs_diff_get_buffer_flags (forward, 1), ==, RS_DIFF_REFCOUNT_UP);
  g_assert_cmpint (rs_diff_get_old_refcount (forward, 1), ==, 1);
  g_assert_cmpuint (rs_diff_get_buffer_flags (forward, 2), ==, RS_DIFF_ADDED);
  g_assert_cmpuint (rs_diff_get_handle_flags (forward, "reader"), ==, RS_DIFF_SAME);
  g_assert_cmpuint (rs_diff_get_handle_flags (forward, "other"), ==, RS_DIFF_ADDED);
  g_assert_cmpuint (rs_diff_get_n_removed_buffers (forward), ==, 0);
  g_assert_true (rs_diff_topology_changed (forward));

  backward = rs_diff_new (s1, s0);
  g_assert_cmpuint (rs_diff_get_buffer_flags (backward, 1), ==, RS_DIFF_REFCOUNT_DOWN);
  g_assert_cmpuint (rs_diff_get_buffer_flags (backward, 2), ==, RS_DIFF_REMOVED);
  g_assert_cmpuint (rs_diff_get_n_removed_buffers (backward), ==, 1);
  g_assert_cmpuint (rs_diff_get_removed_buffer (backward, 0)->id, ==, 2);
  g_assert_cmpuint (rs_diff_get_n_removed_handles (backward), ==, 1);
  g_assert_cmpstr (rs_diff_get_removed_handle (backward, 0)->id, ==, "other");

  same = rs_diff_new (s1, s1);
  g_assert_false (rs_diff_topology_changed (same));
  g_assert_cmpuint (rs_diff_get_buffer_flags (same, 1), ==, RS_DIFF_SAME);

  first = rs_diff_new (NULL, s0);
  g_assert_cmpuint (rs_diff_get_buffer_flags (first, 1), ==, RS_DIFF_ADDED);
}

static void
test_history_and_queries (void)
{
  g_autoptr(RsSnapshot) s0 = NULL;
  g_autoptr(RsSnapshot) s1 = NULL;
  g_autoptr(RsHistory) history = rs_history_new ();
  g_autoptr(GArray) series = NULL;
  g_autoptr(GArray) live = NULL;
  g_autoptr(GArray) bytes = NULL;
  g_autoptr(GArray) retainers = NULL;
  g_autoptr(GPtrArray) leaks = NULL;
  RsRetainer *r;

  make_pair (&s0, &s1);
  rs_history_append (history, s0);
  rs_history_append (history, s1);
  g_assert_cmpuint (rs_history_get_length (history), ==, 2);
  g_assert_true (rs_history_get_last (history) == s1);

  series = rs_history_get_refcount_series (history, 2);
  g_assert_cmpuint (series->len, ==, 2);
  g_assert_cmpint (g_array_index (series, int, 0), ==, 0);
  g_assert_cmpint (g_array_index (series, int, 1), ==, 1);

  rs_history_get_live_series (history, &live, &bytes);
  g_assert_cmpuint (g_array_index (live, guint64, 1), ==, 2);
  g_assert_cmpuint (g_array_index (bytes, guint64, 0), ==, 164);

  retainers = rs_snapshot_get_retainers (s1, 1);
  g_assert_cmpuint (retainers->len, ==, 2);
  r = &g_array_index (retainers, RsRetainer, 0);
  g_assert_cmpstr (r->handle, ==, "reader");
  g_assert_cmpstr (r->field, ==, "buf");
  r = &g_array_index (retainers, RsRetainer, 1);
  g_assert_null (r->handle);
  g_assert_cmpstr (r->holder, ==, "video decoder input");
  g_assert_cmpint (r->count, ==, 1);

  leaks = rs_snapshot_get_leaks (s1);
  g_assert_cmpuint (leaks->len, ==, 0);
}

/* The same pointers, not owned (a copy keeps the free function). */
static GPtrArray *
borrowed_copy (GPtrArray *array)
{
  GPtrArray *copy = g_ptr_array_copy (array, NULL, NULL);

  g_ptr_array_set_free_func (copy, NULL);
  return copy;
}

/* A history keeps each step's arrays as edits of the step before, and drops
 * the arrays of snapshots nobody else holds: every step must still read as
 * it was built. Random edits (handles inserted, removed, replaced, moved;
 * buffers born, freed, changed) over 300 steps, some snapshots held by
 * another reference while later steps are appended, then read back in
 * random order, by index and by id. */
static void
check_history_chain (guint steps,
                     guint hold_one_in)
{
  g_autoptr(RsHistory) history = rs_history_new ();
  g_autoptr(GPtrArray) expected_handles = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) expected_buffers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_snapshot_unref);
  g_autoptr(GPtrArray) handles = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_handle_unref);
  g_autoptr(GPtrArray) buffers = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_buffer_unref);
  g_autoptr(GRand) rand = g_rand_new_with_seed (14);
  guint64 next_buffer = 1;
  guint next_handle = 0;

  for (guint step = 0; step < steps; step++)
    {
      guint edits = (guint) g_rand_int_range (rand, 0, (step % 50 == 7) ? 40 : 4);
      RsSnapshot *snapshot;
      RsStepInfo info = { .step = step, .call = step % 2 ? "av_read_frame" : "avcodec_send_packet",
                          .args = step % 3 ? "input, reader" : NULL, .ret = (int) (step % 5) - 2,
                          .exact = step % 7 != 0, .thread = step % 11 == 0 ? (int) step : 0,
                          .site = { .line = step % 13 == 0 ? (int) step : 0 } };
      /* Events of both shapes: a kind and a buffer, or with a message. */
      RsEvent events[2] = { { .kind = RS_EVENT_ALLOCATED, .buffer = step + 1 },
                            { .kind = RS_EVENT_WARNING, .message = "a warning" } };
      guint n_events = step % 3 == 0 ? 0 : step % 3 == 1 ? 1 : 2;

      for (guint e = 0; e < edits; e++)
        {
          guint what = g_rand_int_range (rand, 0, 7);

          if (what == 0 || handles->len == 0)
            {
              g_autofree char *id = g_strdup_printf ("h%u", next_handle++);
              g_ptr_array_insert (handles, g_rand_int_range (rand, 0, handles->len + 1),
                                  make_packet (id, step, 0));
            }
          else if (what == 1)
            g_ptr_array_remove_index (handles, g_rand_int_range (rand, 0, handles->len));
          else if (what == 2)
            {
              guint i = g_rand_int_range (rand, 0, handles->len);
              RsHandle *handle = rs_handle_ref (g_ptr_array_index (handles, i));

              g_ptr_array_remove_index (handles, i);
              g_ptr_array_insert (handles, g_rand_int_range (rand, 0, handles->len + 1), handle);
            }
          else if (what == 3)
            {
              guint i = g_rand_int_range (rand, 0, handles->len);
              const RsHandle *old = g_ptr_array_index (handles, i);

              g_ptr_array_index (handles, i) = make_packet (old->id, step, next_buffer - 1);
              rs_handle_unref ((RsHandle *) old);
            }
          else if (what == 4 || buffers->len == 0)
            g_ptr_array_add (buffers, make_buffer (next_buffer++, 1, 1));
          else if (what == 5)
            g_ptr_array_remove_index (buffers, g_rand_int_range (rand, 0, buffers->len));
          else
            {
              guint i = g_rand_int_range (rand, 0, buffers->len);
              const RsBuffer *old = g_ptr_array_index (buffers, i);

              g_ptr_array_index (buffers, i) = make_buffer (old->id, old->refcount + 1, 1);
              rs_buffer_unref ((RsBuffer *) old);
            }
        }

      snapshot = rs_snapshot_new_step (&info, handles, buffers, events, n_events);
      rs_history_append (history, snapshot);
      g_ptr_array_add (expected_handles, borrowed_copy (handles));
      g_ptr_array_add (expected_buffers, borrowed_copy (buffers));
      /* Some held elsewhere while the history goes on (they keep their arrays). */
      if (g_rand_int_range (rand, 0, hold_one_in) == 0)
        g_ptr_array_add (held, snapshot);
      else
        rs_snapshot_unref (snapshot);
    }
  /* The expected arrays borrow nodes the history keeps alive. */
  g_ptr_array_set_size (handles, 0);
  g_ptr_array_set_size (buffers, 0);

  for (guint k = 0; k < 2 * steps; k++)
    {
      guint step = k < steps ? (guint) g_rand_int_range (rand, 0, steps) : k - steps;
      RsSnapshot *snapshot = rs_history_get_snapshot (history, step);
      GPtrArray *want_handles = g_ptr_array_index (expected_handles, step);
      GPtrArray *want_buffers = g_ptr_array_index (expected_buffers, step);
      guint64 bytes = 0;

      /* By id first (without rebuilding the arrays), then by index. */
      for (guint i = 0; i < want_buffers->len; i++)
        {
          const RsBuffer *buffer = g_ptr_array_index (want_buffers, i);

          g_assert_true (rs_snapshot_find_buffer (snapshot, buffer->id) == buffer);
          bytes += buffer->size;
        }
      g_assert_null (rs_snapshot_find_buffer (snapshot, next_buffer));
      g_assert_cmpuint (rs_snapshot_get_live_bytes (snapshot), ==, bytes);
      g_assert_cmpuint (rs_snapshot_get_n_handles (snapshot), ==, want_handles->len);
      g_assert_cmpuint (rs_snapshot_get_n_buffers (snapshot), ==, want_buffers->len);
      for (guint i = 0; i < want_handles->len; i++)
        {
          const RsHandle *handle = g_ptr_array_index (want_handles, i);

          g_assert_true (rs_snapshot_get_handle (snapshot, i) == handle);
          g_assert_true (rs_snapshot_find_handle (snapshot, handle->id) == handle);
        }
      for (guint i = 0; i < want_buffers->len; i++)
        g_assert_true (rs_snapshot_get_buffer (snapshot, i) == g_ptr_array_index (want_buffers, i));
      g_assert_cmpstr (rs_snapshot_get_call (snapshot), ==, step % 2 ? "av_read_frame" : "avcodec_send_packet");
      g_assert_cmpstr (rs_snapshot_get_args (snapshot), ==, step % 3 ? "input, reader" : NULL);
      g_assert_cmpuint (rs_snapshot_get_step (snapshot), ==, step);
      g_assert_cmpint (rs_snapshot_get_ret (snapshot), ==, (int) (step % 5) - 2);
      g_assert_cmpint (rs_snapshot_is_exact (snapshot), ==, step % 7 != 0);
      g_assert_cmpint (rs_snapshot_get_thread (snapshot), ==, step % 11 == 0 ? (int) step : 0);
      g_assert_cmpint (rs_snapshot_get_site (snapshot)->line, ==, step % 13 == 0 ? (int) step : 0);
      g_assert_cmpuint (rs_snapshot_get_n_events (snapshot), ==, step % 3 == 0 ? 0 : step % 3 == 1 ? 1 : 2);
      for (guint i = 0; i < rs_snapshot_get_n_events (snapshot); i++)
        {
          const RsEvent *event = rs_snapshot_get_event (snapshot, i);

          g_assert_cmpint (event->kind, ==, i == 0 ? RS_EVENT_ALLOCATED : RS_EVENT_WARNING);
          g_assert_cmpuint (event->buffer, ==, i == 0 ? step + 1 : 0);
          g_assert_cmpstr (event->message, ==, i == 0 ? NULL : "a warning");
        }
    }
  /* A freed buffer's id is gone in later steps, found in earlier ones. */
  {
    GPtrArray *first = g_ptr_array_index (expected_buffers, 10);
    const RsBuffer *buffer = g_ptr_array_index (first, 0);
    g_autoptr(GArray) series = rs_history_get_refcount_series (history, buffer->id);

    g_assert_cmpint (g_array_index (series, int, 10), ==, buffer->refcount);
    for (guint step = 0; step < steps; step++)
      {
        const RsBuffer *found = rs_snapshot_find_buffer (rs_history_get_snapshot (history, step), buffer->id);
        g_assert_cmpint (g_array_index (series, int, step), ==, found != NULL ? found->refcount : 0);
      }
  }
}

static void
test_history_chain (void)
{
  check_history_chain (300, 10);
}

/* A long history packs its older chains into bytes and makes them again
 * when read, keeping a bounded number of steps made: every step must read
 * as it was built, however often it was packed and made again, and a
 * snapshot made again stays valid while referenced after the history drops
 * it. */
static void
test_history_packed (void)
{
  const guint steps = 12000;
  g_autoptr(RsHistory) history = rs_history_new ();
  g_autoptr(RsSnapshot) early = NULL;
  g_autoptr(GPtrArray) handles = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_handle_unref);

  check_history_chain (steps, 500);
  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *id = g_strdup_printf ("h%u", i);

      g_ptr_array_add (handles, make_packet (id, 0, 0));
    }

  /* The same checks on a history with nothing held elsewhere, read from
   * both ends: a step made again is not the one made before it was
   * dropped (held here, so its address cannot be reused). */
  for (guint step = 0; step < steps; step++)
    {
      g_autoptr(GPtrArray) buffers = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_buffer_unref);
      RsHandle *old = g_ptr_array_index (handles, step % 40);
      g_autoptr(RsSnapshot) snapshot = NULL;

      /* One handle and the one buffer change: chained steps. */
      g_ptr_array_index (handles, step % 40) = make_packet (old->id, step, step + 1);
      rs_handle_unref (old);
      g_ptr_array_add (buffers, make_buffer (step + 1, 1, 1));
      snapshot = rs_snapshot_new (step, "av_read_frame", 0, TRUE, NULL, handles, buffers, NULL, 0);
      rs_history_append (history, snapshot);
    }
  early = rs_snapshot_ref (rs_history_get_snapshot (history, 5));
  for (guint step = steps; step > 0; step--)
    {
      RsSnapshot *snapshot = rs_history_get_snapshot (history, step - 1);

      g_assert_cmpuint (rs_snapshot_get_step (snapshot), ==, step - 1);
      g_assert_cmpuint (rs_snapshot_get_buffer (snapshot, 0)->id, ==, step);
      g_assert_cmpint (rs_snapshot_get_handle (snapshot, (step - 1) % 40)->pts, ==, step - 1);
      g_assert_cmpuint (rs_snapshot_get_handle (snapshot, (step - 1) % 40)->refs[0].buffer, ==, step);
    }
  g_assert_true (rs_history_get_snapshot (history, 5) != early);
  g_assert_cmpuint (rs_snapshot_get_buffer (early, 0)->id, ==, 6);
  g_assert_cmpuint (rs_snapshot_get_buffer (rs_history_get_snapshot (history, 5), 0)->id, ==, 6);
}

/* A lazy history: each step made when asked for, no more than
 * RS_HISTORY_LAZY_KEEP (and the last) kept at once. */
typedef struct {
  guint loads;
  guint freed;
} LazyCounts;

static void
count_free (gpointer data)
{
  ((LazyCounts *) data)->freed++;
}

static RsSnapshot *
load_lazy (guint    step,
           gpointer data)
{
  LazyCounts *counts = data;
  g_autoptr(GPtrArray) handles = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_handle_unref);
  g_autoptr(GPtrArray) buffers = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_buffer_unref);
  RsBuffer *buffer = make_buffer (1, 1 + step % 7, 1);

  /* Counts the snapshot's end through its only node's. */
  rs_buffer_set_cache (buffer, RS_NODE_CACHE_DOT, counts, count_free);
  g_ptr_array_add (handles, make_packet ("reader", step, 1));
  g_ptr_array_add (buffers, buffer);
  counts->loads++;
  return rs_snapshot_new (step, "av_read_frame", 0, TRUE, NULL, handles, buffers, NULL, 0);
}

static void
test_history_lazy (void)
{
  LazyCounts counts = { 0 };
  guint length = RS_HISTORY_LAZY_KEEP * 3;
  RsHistory *history = rs_history_new_lazy (length, load_lazy, &counts, NULL);
  g_autoptr(GArray) series = NULL;
  RsSnapshot *first;

  g_assert_cmpuint (rs_history_get_length (history), ==, length);
  g_assert_cmpuint (counts.loads, ==, 0);

  /* Asked twice, made once. */
  first = rs_history_get_snapshot (history, 0);
  g_assert_cmpuint (rs_snapshot_get_step (first), ==, 0);
  g_assert_true (rs_history_get_snapshot (history, 0) == first);
  g_assert_cmpuint (counts.loads, ==, 1);

  /* Every step, in order: right, and never more than the kept ones alive. */
  series = rs_history_get_refcount_series (history, 1);
  g_assert_cmpuint (series->len, ==, length);
  for (guint i = 0; i < length; i++)
    g_assert_cmpint (g_array_index (series, int, i), ==, 1 + i % 7);
  g_assert_cmpuint (counts.loads, ==, length);
  g_assert_cmpuint (counts.loads - counts.freed, <=, RS_HISTORY_LAZY_KEEP + 1);

  /* The last step stays; step 0 went and comes back the same. */
  g_assert_true (rs_history_get_last (history) == rs_history_get_snapshot (history, length - 1));
  g_assert_cmpuint (counts.loads, ==, length);
  g_assert_cmpuint (rs_snapshot_get_step (rs_history_get_snapshot (history, 0)), ==, 0);
  g_assert_cmpuint (counts.loads, ==, length + 1);

  rs_history_unref (history);
  g_assert_cmpuint (counts.freed, ==, counts.loads);
}

/* A builder's snapshots, each made from the one before and the step's
 * changes, hold exactly what they were told, read back in any order after
 * the history compacted them: `n_steps` steps of random sets and removes
 * over up to `n_keys` handles and as many buffers (up to `burst` changes
 * every 100 steps, a few otherwise), checked against the state kept here. */
static void
check_builder (guint n_steps,
               guint n_keys,
               guint burst)
{
  g_autoptr(RsHistory) history = rs_history_new ();
  g_autoptr(RsSnapshotBuilder) builder = rs_snapshot_builder_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (14);
  g_autofree GPtrArray **expected_handles = g_new0 (GPtrArray *, n_steps);
  g_autofree GPtrArray **expected_buffers = g_new0 (GPtrArray *, n_steps);
  g_autofree RsHandle **handles = g_new0 (RsHandle *, n_keys);
  g_autofree RsBuffer **buffers = g_new0 (RsBuffer *, n_keys);

  for (guint step = 0; step < n_steps; step++)
    {
      RsStepInfo info = { .step = step, .call = "step" };
      RsEvent event = { RS_EVENT_ALLOCATED, step + 1, NULL };
      guint n_changes = g_rand_int_range (rand, 0, step % 100 == 0 ? burst : 4);
      RsSnapshot *snapshot;

      for (guint k = 0; k < n_changes; k++)
        {
          guint key = g_rand_int_range (rand, 0, n_keys);
          gboolean remove = g_rand_int_range (rand, 0, 3) == 0;
          g_autofree char *id = g_strdup_printf ("h%u", key);

          if (g_rand_boolean (rand))
            {
              g_clear_pointer (&handles[key], rs_handle_unref);
              if (remove)
                rs_snapshot_builder_remove_handle (builder, key);
              else
                {
                  handles[key] = make_packet (id, step, key + 1);
                  rs_snapshot_builder_set_handle (builder, key, handles[key]);
                }
              g_assert_true (rs_snapshot_builder_get_handle (builder, key) == handles[key]);
            }
          else
            {
              g_clear_pointer (&buffers[key], rs_buffer_unref);
              if (remove)
                rs_snapshot_builder_remove_buffer (builder, 7 * key + 1);
              else
                {
                  buffers[key] = make_buffer (7 * key + 1, 1 + step % 3, 1);
                  rs_snapshot_builder_set_buffer (builder, buffers[key]);
                }
              g_assert_true (rs_snapshot_builder_get_buffer (builder, 7 * key + 1) == buffers[key]);
            }
        }
      snapshot = rs_snapshot_builder_finish (builder, &info, &event, 1);
      rs_history_append (history, snapshot);
      rs_snapshot_unref (snapshot);

      expected_handles[step] = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_handle_unref);
      expected_buffers[step] = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_buffer_unref);
      for (guint key = 0; key < n_keys; key++)
        {
          if (handles[key] != NULL)
            g_ptr_array_add (expected_handles[step], rs_handle_ref (handles[key]));
          if (buffers[key] != NULL)
            g_ptr_array_add (expected_buffers[step], rs_buffer_ref (buffers[key]));
        }
    }

  /* Backwards, so that most reads rebuild arrays the history dropped. */
  for (guint step = n_steps; step > 0; step--)
    {
      RsSnapshot *snapshot = rs_history_get_snapshot (history, step - 1);
      GPtrArray *want_handles = expected_handles[step - 1], *want_buffers = expected_buffers[step - 1];
      guint64 live_bytes = 0;

      g_assert_cmpuint (rs_snapshot_get_step (snapshot), ==, step - 1);
      g_assert_cmpuint (rs_snapshot_get_n_events (snapshot), ==, 1);
      g_assert_cmpuint (rs_snapshot_get_event (snapshot, 0)->buffer, ==, step);
      g_assert_cmpuint (rs_snapshot_get_n_buffers (snapshot), ==, want_buffers->len);
      for (guint i = 0; i < want_buffers->len; i++)
        {
          const RsBuffer *buffer = g_ptr_array_index (want_buffers, i);

          g_assert_true (rs_snapshot_find_buffer (snapshot, buffer->id) == buffer);
          g_assert_true (rs_snapshot_get_buffer (snapshot, i) == buffer);
          live_bytes += buffer->size;
        }
      g_assert_null (rs_snapshot_find_buffer (snapshot, 7 * n_keys + 1));
      g_assert_cmpuint (rs_snapshot_get_live_bytes (snapshot), ==, live_bytes);
      g_assert_cmpuint (rs_snapshot_get_n_handles (snapshot), ==, want_handles->len);
      for (guint i = 0; i < want_handles->len; i++)
        g_assert_true (rs_snapshot_get_handle (snapshot, i) == g_ptr_array_index (want_handles, i));
      g_ptr_array_unref (want_handles);
      g_ptr_array_unref (want_buffers);
    }
  for (guint key = 0; key < n_keys; key++)
    {
      g_clear_pointer (&handles[key], rs_handle_unref);
      g_clear_pointer (&buffers[key], rs_buffer_unref);
    }
}

static void
test_builder (void)
{
  check_builder (2000, 300, 120);
}

/* Thousands alive: chains of up to 255 steps (rs_snapshot_builder_finish),
 * their ends' arrays made from the builder's tables. */
static void
test_builder_many_alive (void)
{
  check_builder (800, 4000, 3000);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/snapshot/lookup", test_snapshot_lookup);
  g_test_add_func ("/snapshot/equality", test_node_equality);
  g_test_add_func ("/snapshot/cache", test_node_cache);
  g_test_add_func ("/snapshot/cache-numbers", test_node_cache_numbers);
  g_test_add_func ("/snapshot/cache-out-of-numbers", test_node_cache_out_of_numbers);
  g_test_add_func ("/snapshot/site-intern", test_site_intern);
  g_test_add_func ("/snapshot/ring-ends", test_ring_ends);
  g_test_add_func ("/snapshot/diff", test_diff);
  g_test_add_func ("/snapshot/history-and-queries", test_history_and_queries);
  g_test_add_func ("/snapshot/history-chain", test_history_chain);
  g_test_add_func ("/snapshot/history-packed", test_history_packed);
  g_test_add_func ("/snapshot/history-lazy", test_history_lazy);
  g_test_add_func ("/snapshot/builder", test_builder);
  g_test_add_func ("/snapshot/builder-many-alive", test_builder_many_alive);
  return g_test_run ();
}
