/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "rs-graph.h"
#include "graph-fixtures.h"

typedef FixSteps Fixture;

/* The graph's DOT, parsed back by cgraph. */
static Agraph_t *
parse_graph (RsGraph *graph,
             char   **dot_out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dot = rs_graph_to_dot (graph, NULL, &error);
  Agraph_t *g;

  g_assert_no_error (error);
  g_assert_nonnull (dot);
  rs_graphviz_lock ();
  g = agmemread (dot);
  rs_graphviz_unlock ();
  g_assert_nonnull (g);
  if (dot_out != NULL)
    *dot_out = g_steal_pointer (&dot);
  return g;
}

static void
close_graph (Agraph_t *g)
{
  rs_graphviz_lock ();
  agclose (g);
  rs_graphviz_unlock ();
}

static Agnode_t *
find_node (Agraph_t   *g,
           const char *format,
           ...)
{
  g_autofree char *name = NULL;
  va_list args;

  va_start (args, format);
  name = g_strdup_vprintf (format, args);
  va_end (args);
  return agnode (g, name, FALSE);
}

static const char *
get (void       *obj,
     const char *attribute)
{
  char *value = agget (obj, (char *) attribute);
  return value != NULL ? value : "";
}

/* Edges from handle `id` to buffer node `buffer` leaving by port `field`. */
static guint
count_ref_edges (Agraph_t   *g,
                 const char *id,
                 const char *field,
                 guint64     buffer)
{
  Agnode_t *tail = find_node (g, "h_%s", id);
  Agnode_t *head = find_node (g, "b_%" G_GUINT64_FORMAT, buffer);
  guint n = 0;

  g_assert_nonnull (tail);
  g_assert_nonnull (head);
  for (Agedge_t *e = agfstout (g, tail); e != NULL; e = agnxtout (g, e))
    if (aghead (e) == head && strcmp (get (e, "tailport"), field) == 0)
      n++;
  return n;
}

static void
test_graph_contents (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr(RsGraph) graph = rs_graph_build (f->s57, f->diff, NULL);
  Agraph_t *g = parse_graph (graph, NULL);
  guint n_handles = rs_snapshot_get_n_handles (f->s57);
  guint n_buffers = rs_snapshot_get_n_buffers (f->s57);
  guint handle_nodes = 0, buffer_nodes = 0, ghost_nodes = 0, holder_nodes = 0, ref_edges = 0, n_refs = 0;

  g_assert_false (rs_graph_is_folded (graph));

  /* Every handle and every buffer a handle holds is one node of the graph,
   * found by id; the planes of a picture only libav holds are one node. */
  for (guint i = 0; i < rs_graph_get_n_nodes (graph); i++)
    {
      const RsGraphNode *node = rs_graph_get_node (graph, i);

      handle_nodes += node->kind == RS_GRAPH_NODE_HANDLE;
      buffer_nodes += node->kind == RS_GRAPH_NODE_BUFFER;
      ghost_nodes += node->kind == RS_GRAPH_NODE_GHOST;
      holder_nodes += node->kind == RS_GRAPH_NODE_HOLDER;
      g_assert_nonnull (agnode (g, (char *) node->name, FALSE));
    }
  g_assert_cmpuint (handle_nodes, ==, n_handles);
  /* #12–14 and #27–29: two reference pictures of three planes. */
  g_assert_cmpuint (buffer_nodes, ==, n_buffers - 4);
  g_assert_cmpuint (ghost_nodes, ==, 1);
  g_assert_cmpuint (holder_nodes, ==, 2);
  /* ... plus the two invisible corners that keep the drawing's extent. */
  g_assert_cmpint (agnnodes (g), ==, n_handles + buffer_nodes + 1 + 2 + 2);

  for (guint i = 0; i < n_handles; i++)
    {
      const RsHandle *h = rs_snapshot_get_handle (f->s57, i);
      const RsGraphNode *node = rs_graph_find_handle (graph, h->id);

      g_assert_nonnull (node);
      g_assert_cmpstr (node->handle_id, ==, h->id);
      g_assert_nonnull (find_node (g, "h_%s", h->id));
      /* Each ref is exactly one edge, from its field's port to its buffer. */
      for (guint r = 0; r < h->n_refs; r++)
        g_assert_cmpuint (count_ref_edges (g, h->id, h->refs[r].field, h->refs[r].buffer), ==, 1);
      n_refs += h->n_refs;
    }
  for (guint i = 0; i < n_buffers; i++)
    {
      const RsBuffer *b = rs_snapshot_get_buffer (f->s57, i);
      const RsGraphNode *node = rs_graph_find_buffer (graph, b->id);

      g_assert_nonnull (node);
      g_assert_cmpint (node->kind, ==, RS_GRAPH_NODE_BUFFER);
      if (b->visible == 0 && b->kind == RS_BUFFER_KIND_PICTURE)
        {
          g_assert_cmpuint (node->n_buffers, ==, 3);
          g_assert_cmpuint (node->buffer_ids[(b->id - node->buffer_id)], ==, b->id);
          continue;
        }
      g_assert_cmpuint (node->buffer_id, ==, b->id);
      g_assert_cmpuint (node->n_buffers, ==, 1);
      g_assert_cmpuint (node->buffer_ids[0], ==, b->id);
    }

  /* No edges but the refs leave the handles (the ghost's comes from a libav part). */
  for (Agnode_t *n = agfstnode (g); n != NULL; n = agnxtnode (g, n))
    if (g_str_has_prefix (agnameof (n), "h_"))
      for (Agedge_t *e = agfstout (g, n); e != NULL; e = agnxtout (g, e))
        ref_edges++;
  g_assert_cmpuint (ref_edges, ==, n_refs);

  /* Hidden refs: one dashed edge to the holding part, labelled ×N. */
  for (guint i = 0; i < n_buffers; i++)
    {
      const RsBuffer *b = rs_snapshot_get_buffer (f->s57, i);
      const RsGraphNode *node = rs_graph_find_buffer (graph, b->id);
      Agnode_t *bn;
      Agnode_t *holder = b->holder != NULL ? find_node (g, "x_%s", b->holder) : NULL;
      guint n_holder_edges = 0;
      int hidden = 0;

      /* A picture's planes drawn as one node: one edge for them all. */
      if (node->buffer_id != b->id)
        continue;
      bn = find_node (g, "b_%" G_GUINT64_FORMAT, b->id);
      for (guint k = 0; k < node->n_buffers; k++)
        hidden += rs_snapshot_find_buffer (f->s57, node->buffer_ids[k])->hidden;
      for (Agedge_t *e = agfstout (g, bn); e != NULL; e = agnxtout (g, e))
        {
          g_autofree char *label = g_strdup_printf ("×%d", hidden);

          g_assert_true (aghead (e) == holder);
          g_assert_cmpstr (get (e, "label"), ==, label);
          g_assert_cmpstr (get (e, "style"), ==, "dashed");
          n_holder_edges++;
        }
      g_assert_cmpuint (n_holder_edges, ==, b->hidden > 0 ? 1 : 0);
    }

  close_graph (g);
}

static void
test_graph_diff_marks (Fixture      *f,
                       gconstpointer data)
{
  g_autoptr(RsGraph) graph = rs_graph_build (f->s57, f->diff, NULL);
  g_autoptr(RsGraph) plain = rs_graph_build (f->s57, NULL, NULL);
  g_autofree char *plain_dot = NULL;
  Agraph_t *g = parse_graph (graph, NULL);
  Agraph_t *p = parse_graph (plain, &plain_dot);
  Agnode_t *ghost = find_node (g, "b_9");
  Agnode_t *input = find_node (g, "x_video decoder input");
  const RsGraphNode *ghost_node = rs_graph_find_buffer (graph, 9);
  gboolean tied = FALSE;

  /* Refcount up and down, with the old value. */
  /* "1→2 ▲", the new count large between the old one and the arrow (#27–29:
   * a reference picture, one node). */
  g_assert_nonnull (strstr (get (find_node (g, "b_40"), "label"), "1→</font>"));
  g_assert_nonnull (strstr (get (find_node (g, "b_40"), "label"), "<b>2</b></font><font point-size=\"8\" color=\"#1a7f37\"> ▲"));
  g_assert_nonnull (strstr (get (find_node (g, "b_27"), "label"), "2→</font>"));
  g_assert_nonnull (strstr (get (find_node (g, "b_27"), "label"), "<b>1</b></font><font point-size=\"8\" color=\"#b42318\"> ▼"));
  g_assert_null (strstr (get (find_node (g, "b_20"), "label"), "▲"));
  g_assert_null (strstr (get (find_node (g, "b_20"), "label"), "▼"));
  /* New buffers and the handle the call produced into are marked. */
  /* A new buffer by its green border. */
  g_assert_nonnull (strstr (get (find_node (g, "b_46"), "label"), "color=\"#1a7f37\" bgcolor"));
  g_assert_null (strstr (get (find_node (g, "b_40"), "label"), "color=\"#1a7f37\" bgcolor"));
  g_assert_nonnull (strstr (get (find_node (g, "h_video.frame"), "label"), ">out<"));

  /* The freed buffer is a ghost, tied to the part of libav that held it. */
  g_assert_nonnull (ghost);
  g_assert_nonnull (ghost_node);
  g_assert_cmpint (ghost_node->kind, ==, RS_GRAPH_NODE_GHOST);
  g_assert_nonnull (strstr (get (ghost, "label"), "freed"));
  g_assert_nonnull (strstr (get (ghost, "style"), "dashed"));
  for (Agedge_t *e = agfstout (g, ghost); e != NULL; e = agnxtout (g, e))
    tied |= aghead (e) == input;
  g_assert_true (tied);

  /* Without a diff: no marks, no ghosts. */
  g_assert_null (find_node (p, "b_9"));
  g_assert_null (strstr (plain_dot, "▲"));
  g_assert_null (strstr (plain_dot, "▼"));
  g_assert_null (strstr (plain_dot, ">new<"));
  g_assert_null (strstr (plain_dot, "color=\"#1a7f37\" bgcolor"));

  close_graph (g);
  close_graph (p);
}

static void
test_graph_ghost_from_handle (void)
{
  g_autoptr(GPtrArray) handles = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_handle_unref);
  g_autoptr(GPtrArray) buffers = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_buffer_unref);
  g_autoptr(RsSnapshot) before = NULL;
  g_autoptr(RsSnapshot) after = NULL;
  g_autoptr(RsDiff) diff = NULL;
  g_autoptr(RsGraph) graph = NULL;
  Agraph_t *g;
  Agedge_t *e;

  /* av_packet_unref(reader): the reader's buffer is freed. */
  g_ptr_array_add (handles, fix_packet ("reader", "reader", NULL, -1, 0, 0, 100, TRUE, 7));
  g_ptr_array_add (buffers, fix_buffer (7, RS_BUFFER_KIND_PACKET, 100, 1, 0, NULL, 0));
  before = rs_snapshot_new (0, "av_read_frame", 0, TRUE, "reader", handles, buffers, NULL, 0);
  g_ptr_array_set_size (handles, 0);
  g_ptr_array_set_size (buffers, 0);
  g_ptr_array_add (handles, fix_packet ("reader", "reader", NULL, -1, 0, 0, 0, FALSE, 0));
  after = rs_snapshot_new (1, "av_packet_unref(reader)", 0, TRUE, NULL, handles, buffers, NULL, 0);
  diff = rs_diff_new (before, after);

  graph = rs_graph_build (after, diff, NULL);
  g = parse_graph (graph, NULL);
  e = agfstout (g, find_node (g, "h_reader"));
  g_assert_nonnull (e);
  g_assert_true (aghead (e) == find_node (g, "b_7"));
  g_assert_cmpstr (get (e, "style"), ==, "dotted");
  /* The reader has no "buf" row left, so the edge leaves the node itself. */
  g_assert_cmpstr (get (e, "tailport"), ==, "");
  g_assert_nonnull (strstr (get (find_node (g, "h_reader"), "label"), "no buffer"));
  close_graph (g);
}

static void
test_graph_title (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr(RsSnapshot) approximate = fix_make_refcount_step (f->s57, 1, NULL, 0);
  g_autoptr(RsGraph) exact = rs_graph_build (f->s57, f->diff, NULL);
  g_autoptr(RsGraph) notitle = NULL;
  g_autoptr(GPtrArray) handles = g_ptr_array_new ();
  g_autoptr(GPtrArray) buffers = g_ptr_array_new ();
  g_autoptr(RsSnapshot) frame_threads = NULL;
  g_autoptr(RsGraph) approx_graph = NULL;
  RsGraphOptions options;
  Agraph_t *g;

  g = parse_graph (exact, NULL);
  /* The title counts from 1, as the window: snapshot 57 is "step 58". */
  g_assert_nonnull (strstr (get (g, "label"), "step 58"));
  g_assert_nonnull (strstr (get (g, "label"), "avcodec_receive_frame(video) = 0"));
  g_assert_nonnull (strstr (get (g, "label"), "exact"));
  g_assert_null (strstr (get (g, "label"), "approximate"));
  close_graph (g);

  /* A frame-threaded snapshot says its counts are approximate; libav's
   * negative returns are named. */
  for (guint i = 0; i < rs_snapshot_get_n_handles (approximate); i++)
    g_ptr_array_add (handles, (gpointer) rs_snapshot_get_handle (approximate, i));
  for (guint i = 0; i < rs_snapshot_get_n_buffers (approximate); i++)
    g_ptr_array_add (buffers, (gpointer) rs_snapshot_get_buffer (approximate, i));
  frame_threads = rs_snapshot_new (58, "avcodec_send_packet(video)", -11, FALSE, NULL, handles, buffers, NULL, 0);
  approx_graph = rs_graph_build (frame_threads, NULL, NULL);
  g = parse_graph (approx_graph, NULL);
  g_assert_nonnull (strstr (get (g, "label"), "approximate"));
  g_assert_nonnull (strstr (get (g, "label"), "= AVERROR(EAGAIN)"));
  close_graph (g);

  rs_graph_options_init (&options);
  options.no_title = TRUE;
  options.legend = TRUE;
  notitle = rs_graph_build (f->s57, NULL, &options);
  g = parse_graph (notitle, NULL);
  g_assert_cmpstr (get (g, "label"), ==, "");
  g_assert_nonnull (find_node (g, "legend"));
  g_assert_cmpint (rs_graph_find_node (notitle, "legend")->kind, ==, RS_GRAPH_NODE_LEGEND);
  close_graph (g);
}

static void
test_graph_stable (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr(RsGraph) a = rs_graph_build (f->s57, f->diff, NULL);
  g_autoptr(RsGraph) b = rs_graph_build (f->s57, f->diff, NULL);
  g_autoptr(RsGraph) earlier = rs_graph_build (f->s56, NULL, NULL);
  g_autoptr(RsSnapshot) s58 = fix_make_refcount_step (f->s57, 1, NULL, 0);
  g_autoptr(RsDiff) diff58 = rs_diff_new (f->s57, s58);
  g_autoptr(RsGraph) counts_only = rs_graph_build (s58, diff58, NULL);
  g_autoptr(RsGraph) no_ghost = rs_graph_build (f->s57, NULL, NULL);
  g_autoptr(RsGraph) dark = NULL;
  g_autofree char *dot_a = rs_graph_to_dot (a, NULL, NULL);
  g_autofree char *dot_b = rs_graph_to_dot (b, NULL, NULL);
  RsGraphOptions options;

  /* Same input, same DOT: names and order are deterministic. */
  g_assert_cmpstr (dot_a, ==, dot_b);
  g_assert_cmpstr (rs_graph_get_topology_key (a), ==, rs_graph_get_topology_key (b));
  g_assert_nonnull (strstr (dot_a, "h_reader"));
  g_assert_nonnull (strstr (dot_a, "b_42"));

  /* A refcount change keeps the topology; a ghost or a new frame does not. */
  g_assert_false (rs_diff_topology_changed (diff58));
  g_assert_cmpstr (rs_graph_get_topology_key (counts_only), ==, rs_graph_get_topology_key (no_ghost));
  g_assert_cmpstr (rs_graph_get_topology_key (a), !=, rs_graph_get_topology_key (no_ghost));
  g_assert_cmpstr (rs_graph_get_topology_key (earlier), !=, rs_graph_get_topology_key (no_ghost));

  rs_graph_options_init (&options);
  options.dark = TRUE;
  dark = rs_graph_build (f->s57, NULL, &options);
  g_assert_cmpstr (rs_graph_get_topology_key (dark), !=, rs_graph_get_topology_key (no_ghost));
}

static void
test_graph_order (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr(RsGraph) graph = rs_graph_build (f->s57, NULL, NULL);
  Agraph_t *g = parse_graph (graph, NULL);

  /* Where nodes go is the layout's (test-render.c); queue slots are a
   * cluster, and the graph lists its nodes reader first, then slots in
   * slot order. */
  g_assert_cmpstr (rs_graph_get_node (graph, 0)->name, ==, "h_reader");
  g_assert_cmpstr (rs_graph_get_node (graph, 2)->name, ==, "h_video.pktq[0]");
  g_assert_nonnull (agsubg (g, (char *) "cluster_video.pktq", FALSE));
  g_assert_nonnull (strstr (get (agsubg (g, (char *) "cluster_video.pktq", FALSE), "label"), "2/8"));
  g_assert_nonnull (agsubnode (agsubg (g, (char *) "cluster_video.frameq", FALSE),
                               find_node (g, "h_video.frameq[2]"), FALSE));
  /* Empty slots are drawn faintly. */
  g_assert_nonnull (strstr (get (find_node (g, "h_video.pktq[5]"), "style"), "dashed"));
  g_assert_nonnull (strstr (get (find_node (g, "h_video.pktq[5]"), "label"), "empty"));
  close_graph (g);
}

/* A packet queue of 8 whose full slots are `first`, first + 1, ... (`used`
 * of them, wrapping round) and a frame queue of 3, full, showing slot 1.
 * `marked`: the packet slots carry the ring's real ends, as the player's
 * do (read next: `first`; written next: first + used). */
static RsSnapshot *
make_ring_marked (int      first,
                  int      used,
                  gboolean marked)
{
  g_autoptr(GPtrArray) handles = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_handle_unref);
  g_autoptr(GPtrArray) buffers = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_buffer_unref);
  RsRingEnds ends = { "video.pktq", first, (first + used) % 8 };

  for (int i = 0; i < 8; i++)
    {
      g_autofree char *id = g_strdup_printf ("video.pktq[%d]", i);
      int age = (i - first + 8) % 8;   /* read order */
      guint64 buffer = age < used ? 100 + i : 0;

      g_ptr_array_add (handles, fix_packet (id, "packet_queue", "video.pktq", i, 8, 512 * age, 300, FALSE, buffer));
      if (buffer != 0)
        g_ptr_array_add (buffers, fix_buffer (buffer, RS_BUFFER_KIND_PACKET, 300, 1, 0, NULL, 1));
    }
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("video.frameq[%d]", i);

      g_ptr_array_add (handles, fix_frame (id, "frame_queue", "video.frameq", i, 3, 1000 * i, 'P', i == 1, 20 + 3 * i));
    }
  fix_planes (buffers, 20, 1, 0, 1);
  fix_planes (buffers, 23, 1, 0, 1);
  fix_planes (buffers, 26, 1, 0, 1);
  g_ptr_array_sort (buffers, fix_compare_buffers);
  return rs_snapshot_new_step (&(RsStepInfo) { .step = 5, .call = "av_read_frame", .exact = TRUE,
                                               .rings = &ends, .n_rings = marked ? 1 : 0 },
                               handles, buffers, NULL, 0);
}

static RsSnapshot *
make_ring (int first,
           int used)
{
  return make_ring_marked (first, used, FALSE);
}

/* The ring mark a slot's label carries ("head", "tail", "head tail"), or "". */
static const char *
ring_mark (Agraph_t   *g,
           const char *slot)
{
  g_autofree char *name = g_strconcat ("h_", slot, NULL);
  const char *label = get (find_node (g, name), "label");

  if (strstr (label, "<b>head<br/>tail</b>") != NULL)
    return "head tail";
  if (strstr (label, "<b>head</b>") != NULL)
    return "head";
  if (strstr (label, "<b>tail</b>") != NULL)
    return "tail";
  return "";
}

static void
test_graph_ring (Fixture      *f,
                 gconstpointer data)
{
  g_autoptr(RsGraph) graph = rs_graph_build (f->s57, NULL, NULL);
  Agraph_t *g = parse_graph (graph, NULL);
  g_autoptr(RsSnapshot) wrapped = make_ring (6, 3);
  g_autoptr(RsSnapshot) full = make_ring (3, 8);
  g_autoptr(RsSnapshot) empty = make_ring (0, 0);

  /* Slots 0 and 1 full: read [0] next, write [2] next. */
  g_assert_cmpstr (ring_mark (g, "video.pktq[0]"), ==, "head");
  g_assert_cmpstr (ring_mark (g, "video.pktq[1]"), ==, "");
  g_assert_cmpstr (ring_mark (g, "video.pktq[2]"), ==, "tail");
  g_assert_nonnull (strstr (get (agsubg (g, (char *) "cluster_video.pktq", FALSE), "label"),
                            "video packet queue · 2/8\\lAVPacket ring · head [0] · tail [2]\\l"));
  /* The frame queue: the shown frame is read next. */
  g_assert_cmpstr (ring_mark (g, "video.frameq[0]"), ==, "head");
  g_assert_cmpstr (ring_mark (g, "video.frameq[2]"), ==, "tail");
  close_graph (g);

  /* Slots 6, 7, 0 full: the ring wraps; slots stay in index order. */
  {
    g_autoptr(RsGraph) ring = rs_graph_build (wrapped, NULL, NULL);

    g = parse_graph (ring, NULL);
    g_assert_cmpstr (ring_mark (g, "video.pktq[6]"), ==, "head");
    g_assert_cmpstr (ring_mark (g, "video.pktq[0]"), ==, "");
    g_assert_cmpstr (ring_mark (g, "video.pktq[1]"), ==, "tail");
    g_assert_cmpstr (rs_graph_get_node (ring, 0)->name, ==, "h_video.pktq[0]");
    g_assert_cmpstr (rs_graph_get_node (ring, 2)->name, ==, "h_video.pktq[1]");
    close_graph (g);
  }
  /* Full: the packet first in decode order is read next, the shown frame;
   * nothing can be written. */
  {
    g_autoptr(RsGraph) ring = rs_graph_build (full, NULL, NULL);

    g = parse_graph (ring, NULL);
    g_assert_cmpstr (ring_mark (g, "video.pktq[3]"), ==, "head");
    g_assert_cmpstr (ring_mark (g, "video.frameq[1]"), ==, "head");
    for (int i = 0; i < 8; i++)
      {
        g_autofree char *slot = g_strdup_printf ("video.pktq[%d]", i);
        g_assert_cmpstr (ring_mark (g, slot), !=, "tail");
      }
    g_assert_nonnull (strstr (get (agsubg (g, (char *) "cluster_video.pktq", FALSE), "label"), "8/8 full\\lAVPacket ring · head [3]\\l"));
    close_graph (g);
  }
  /* Empty: its ends meet at a slot the snapshot does not tell; none marked. */
  {
    g_autoptr(RsGraph) ring = rs_graph_build (empty, NULL, NULL);

    g = parse_graph (ring, NULL);
    for (int i = 0; i < 8; i++)
      {
        g_autofree char *slot = g_strdup_printf ("video.pktq[%d]", i);
        g_assert_cmpstr (ring_mark (g, slot), ==, "");
      }
    g_assert_nonnull (strstr (get (agsubg (g, (char *) "cluster_video.pktq", FALSE), "label"), "0/8 empty"));
    close_graph (g);
  }
  /* The player's real ends: an empty ring's meet on the slot it reads and
   * writes next; a full ring's tail is its head. */
  {
    g_autoptr(RsSnapshot) empty_marked = make_ring_marked (5, 0, TRUE);
    g_autoptr(RsSnapshot) full_marked = make_ring_marked (3, 8, TRUE);
    g_autoptr(RsSnapshot) half_marked = make_ring_marked (6, 3, TRUE);
    g_autoptr(RsGraph) ring = rs_graph_build (empty_marked, NULL, NULL);
    g_autoptr(RsGraph) ring_full = rs_graph_build (full_marked, NULL, NULL);
    g_autoptr(RsGraph) ring_half = rs_graph_build (half_marked, NULL, NULL);
    g_autoptr(RsGraph) ring_folded = NULL;
    RsGraphOptions options;

    g = parse_graph (ring, NULL);
    for (int i = 0; i < 8; i++)
      {
        g_autofree char *slot = g_strdup_printf ("video.pktq[%d]", i);
        g_assert_cmpstr (ring_mark (g, slot), ==, i == 5 ? "head tail" : "");
      }
    g_assert_nonnull (strstr (get (agsubg (g, (char *) "cluster_video.pktq", FALSE), "label"),
                              "0/8 empty\\lAVPacket ring · head [5] · tail [5]\\l"));
    close_graph (g);

    g = parse_graph (ring_full, NULL);
    for (int i = 0; i < 8; i++)
      {
        g_autofree char *slot = g_strdup_printf ("video.pktq[%d]", i);
        g_assert_cmpstr (ring_mark (g, slot), ==, i == 3 ? "head tail" : "");
      }
    g_assert_nonnull (strstr (get (agsubg (g, (char *) "cluster_video.pktq", FALSE), "label"),
                              "8/8 full\\lAVPacket ring · head [3] · tail [3]\\l"));
    close_graph (g);

    /* Marks the contents agree with draw as the derivation did. */
    g = parse_graph (ring_half, NULL);
    g_assert_cmpstr (ring_mark (g, "video.pktq[6]"), ==, "head");
    g_assert_cmpstr (ring_mark (g, "video.pktq[1]"), ==, "tail");
    close_graph (g);

    /* Folded, the empty ring's runs break at its marked slot: [0–4], then
     * [5–7] led by the mark. */
    rs_graph_options_init (&options);
    options.fold_threshold = 1;
    ring_folded = rs_graph_build (empty_marked, NULL, &options);
    g_assert_true (rs_graph_is_folded (ring_folded));
    g = parse_graph (ring_folded, NULL);
    g_assert_nonnull (strstr (get (find_node (g, "e_video.pktq[0]"), "label"), "[0–4] empty"));
    g_assert_nonnull (strstr (get (find_node (g, "e_video.pktq[5]"), "label"), "head tail ▸ [5–7] empty"));
    close_graph (g);
  }
}

static void
test_graph_fold (Fixture      *f,
                 gconstpointer data)
{
  g_autoptr(RsGraph) graph = NULL;
  RsGraphOptions options;
  const RsGraphNode *node;
  Agraph_t *g;

  rs_graph_options_init (&options);
  options.fold_threshold = 10;
  graph = rs_graph_build (f->s57, f->diff, &options);
  g_assert_true (rs_graph_is_folded (graph));
  g = parse_graph (graph, NULL);

  /* A frame's three planes are one node; its rows fold too. */
  node = rs_graph_find_buffer (graph, 21);
  g_assert_nonnull (node);
  g_assert_true (node == rs_graph_find_buffer (graph, 20));
  g_assert_true (node == rs_graph_find_buffer (graph, 22));
  g_assert_cmpuint (node->n_buffers, ==, 3);
  g_assert_cmpuint (node->buffer_ids[2], ==, 22);
  g_assert_cmpuint (count_ref_edges (g, "video.frameq[0]", "buf[0]", 20), ==, 1);
  g_assert_nonnull (strstr (get (find_node (g, "h_video.frameq[0]"), "label"), "buf[0–2]"));
  /* Reference pictures only libav holds fold by birth. */
  g_assert_true (rs_graph_find_buffer (graph, 12) == rs_graph_find_buffer (graph, 14));
  g_assert_true (rs_graph_find_buffer (graph, 27) != rs_graph_find_buffer (graph, 14));
  /* Packets stay alone. */
  g_assert_cmpuint (rs_graph_find_buffer (graph, 31)->n_buffers, ==, 1);

  /* The run of six empty packet slots is one summary node. */
  node = rs_graph_find_handle (graph, "video.pktq[4]");
  g_assert_nonnull (node);
  g_assert_cmpint (node->kind, ==, RS_GRAPH_NODE_EMPTY_SLOTS);
  g_assert_cmpuint (node->n_buffers, ==, 6);
  g_assert_true (node == rs_graph_find_handle (graph, "video.pktq[2]"));
  g_assert_nonnull (strstr (get (find_node (g, "e_video.pktq[2]"), "label"), "[2–7] empty"));
  /* Every buffer is still drawn somewhere. */
  for (guint i = 0; i < rs_snapshot_get_n_buffers (f->s57); i++)
    g_assert_nonnull (rs_graph_find_buffer (graph, rs_snapshot_get_buffer (f->s57, i)->id));
  close_graph (g);
}

static void
test_graph_cache (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr(RsGraph) first = rs_graph_build (f->s57, f->diff, NULL);
  const RsHandle *reader = rs_snapshot_find_handle (f->s57, "reader");
  const RsBuffer *buffer = rs_snapshot_find_buffer (f->s57, 31);
  gpointer handle_fragment = rs_handle_get_cache (reader, RS_NODE_CACHE_DOT);
  gpointer buffer_fragment = rs_buffer_get_cache (buffer, RS_NODE_CACHE_DOT);
  g_autoptr(RsGraph) second = NULL;

  /* Built once per node, reused by every later step sharing the node. */
  g_assert_nonnull (handle_fragment);
  g_assert_nonnull (buffer_fragment);
  second = rs_graph_build (f->s57, NULL, NULL);
  g_assert_true (rs_handle_get_cache (reader, RS_NODE_CACHE_DOT) == handle_fragment);
  g_assert_true (rs_buffer_get_cache (buffer, RS_NODE_CACHE_DOT) == buffer_fragment);

  /* The next step shares the node, and with it the fragment. */
  {
    g_autoptr(RsSnapshot) s58 = fix_make_refcount_step (f->s57, 1, NULL, 0);
    g_autoptr(RsDiff) diff58 = rs_diff_new (f->s57, s58);
    g_autoptr(RsGraph) third = rs_graph_build (s58, diff58, NULL);

    g_assert_true (rs_snapshot_find_handle (s58, "reader") == reader);
    g_assert_true (rs_handle_get_cache (reader, RS_NODE_CACHE_DOT) == handle_fragment);
  }
}

static void
test_graph_leak (void)
{
  g_autoptr(GPtrArray) handles = g_ptr_array_new ();
  g_autoptr(GPtrArray) buffers = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_buffer_unref);
  g_autoptr(RsSnapshot) snapshot = NULL;
  g_autoptr(RsGraph) graph = NULL;
  RsBuffer fields = {
    .id = 5, .kind = RS_BUFFER_KIND_PACKET, .size = 64, .refcount = 1, .visible = 0, .hidden = 1,
    .tracked = TRUE, .leaked = TRUE, .writable = TRUE,
  };
  RsEvent leaked = { RS_EVENT_LEAKED, 5, NULL };
  Agraph_t *g;
  Agnode_t *n;

  g_ptr_array_add (buffers, rs_buffer_new (&fields));
  snapshot = rs_snapshot_new (3, "av_init_packet(pkt)", 0, TRUE, NULL, handles, buffers, &leaked, 1);
  graph = rs_graph_build (snapshot, NULL, NULL);
  g = parse_graph (graph, NULL);
  n = find_node (g, "b_5");
  g_assert_nonnull (n);
  g_assert_nonnull (strstr (get (n, "label"), "leaked"));
  g_assert_nonnull (strstr (get (n, "label"), "#b42318"));
  /* A leak has no holder to point at. */
  g_assert_null (agfstout (g, n));
  close_graph (g);
}

/* Many libav parts: holder nodes are added while the buffers' nodes are
 * walked (a regression: the walk must survive the node list growing). */
static void
test_graph_many_holders (void)
{
  g_autoptr(GPtrArray) handles = g_ptr_array_new ();
  g_autoptr(GPtrArray) buffers = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_buffer_unref);
  g_autoptr(RsSnapshot) snapshot = NULL;
  g_autoptr(RsGraph) graph = NULL;
  Agraph_t *g;

  for (guint i = 1; i <= 100; i++)
    {
      g_autofree char *holder = g_strdup_printf ("part %u", i);
      g_ptr_array_add (buffers, fix_buffer (i, RS_BUFFER_KIND_SIDE_DATA, 16, 0, 1 + i % 3, holder, 0));
    }
  snapshot = rs_snapshot_new (1, "avcodec_flush_buffers(video)", 0, TRUE, NULL, handles, buffers, NULL, 0);
  graph = rs_graph_build (snapshot, NULL, NULL);
  g_assert_cmpuint (rs_graph_get_n_nodes (graph), ==, 200);
  g = parse_graph (graph, NULL);
  for (guint i = 1; i <= 100; i++)
    {
      Agedge_t *e = agfstout (g, find_node (g, "b_%u", i));
      g_autofree char *label = g_strdup_printf ("×%u", 1 + i % 3);

      g_assert_nonnull (e);
      g_assert_true (aghead (e) == find_node (g, "x_part %u", i));
      g_assert_cmpstr (get (e, "label"), ==, label);
      g_assert_cmpuint (rs_graph_find_node (graph, agnameof (aghead (e)))->kind, ==, RS_GRAPH_NODE_HOLDER);
    }
  close_graph (g);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/graph/contents", Fixture, NULL, fix_steps_set_up, test_graph_contents, fix_steps_tear_down);
  g_test_add ("/graph/diff-marks", Fixture, NULL, fix_steps_set_up, test_graph_diff_marks, fix_steps_tear_down);
  g_test_add_func ("/graph/ghost-from-handle", test_graph_ghost_from_handle);
  g_test_add ("/graph/title", Fixture, NULL, fix_steps_set_up, test_graph_title, fix_steps_tear_down);
  g_test_add ("/graph/stable", Fixture, NULL, fix_steps_set_up, test_graph_stable, fix_steps_tear_down);
  g_test_add ("/graph/order", Fixture, NULL, fix_steps_set_up, test_graph_order, fix_steps_tear_down);
  g_test_add ("/graph/fold", Fixture, NULL, fix_steps_set_up, test_graph_fold, fix_steps_tear_down);
  g_test_add ("/graph/cache", Fixture, NULL, fix_steps_set_up, test_graph_cache, fix_steps_tear_down);
  g_test_add_func ("/graph/leak", test_graph_leak);
  g_test_add ("/graph/ring", Fixture, NULL, fix_steps_set_up, test_graph_ring, fix_steps_tear_down);
  g_test_add_func ("/graph/many-holders", test_graph_many_holders);
  return g_test_run ();
}
