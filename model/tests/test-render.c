/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "rs-error.h"
#include "rs-render.h"
#include "graph-fixtures.h"

typedef FixSteps Fixture;

static void
test_render_layout (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr(RsRender) render = rs_render_new ();
  g_autoptr(GError) error = NULL;
  const RsGraphNode *reader, *node;
  RsGraph *graph;
  double width = 0, height = 0;
  guint messages = rs_graphviz_get_n_messages ();

  g_assert_null (rs_render_get_graph (render));
  g_assert_null (rs_render_hit_test (render, 10, 10));
  g_assert_true (rs_render_update (render, f->s57, f->diff, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rs_render_get_n_layouts (render), ==, 1);
  /* Graphviz had nothing to complain about. */
  g_assert_cmpuint (rs_graphviz_get_n_messages (), ==, messages);

  rs_render_get_size (render, &width, &height);
  g_assert_cmpfloat (width, >, 200);
  g_assert_cmpfloat (height, >, 200);
  graph = rs_render_get_graph (render);
  g_assert_nonnull (graph);

  /* Every node has a box inside the drawing. */
  for (guint i = 0; i < rs_graph_get_n_nodes (graph); i++)
    {
      node = rs_graph_get_node (graph, i);
      g_assert_cmpfloat (node->width, >, 0);
      g_assert_cmpfloat (node->height, >, 0);
      g_assert_cmpfloat (node->x, >=, 0);
      g_assert_cmpfloat (node->y, >=, 0);
      g_assert_cmpfloat (node->x + node->width, <=, width + 0.5);
      g_assert_cmpfloat (node->y + node->height, <=, height + 0.5);
    }

  /* The reader is on top, the stream's lane under it: packet queue,
   * decoder, frame queue, each handle with its buffers right of it; the
   * decoder between its input packet and its output frame. */
  reader = rs_graph_find_handle (graph, "reader");
  for (guint i = 0; i < rs_graph_get_n_nodes (graph); i++)
    {
      node = rs_graph_get_node (graph, i);
      if (node->kind == RS_GRAPH_NODE_HANDLE && node != reader)
        g_assert_cmpfloat (node->y, >, reader->y + reader->height);
      if (node->kind == RS_GRAPH_NODE_BUFFER)
        g_assert_cmpfloat (node->x, >, reader->x + reader->width);
    }
  {
    const RsGraphNode *slot = rs_graph_find_handle (graph, "video.pktq[0]");
    const RsGraphNode *input = rs_graph_find_handle (graph, "video.decoder_input");
    const RsGraphNode *output = rs_graph_find_handle (graph, "video.frame");
    const RsGraphNode *decoder = rs_graph_find_node (graph, "x_video decoder");
    const RsGraphNode *frame = rs_graph_find_handle (graph, "video.frameq[0]");

    g_assert_cmpfloat (slot->x + slot->width, <, input->x);
    g_assert_cmpfloat (input->x + input->width, <, frame->x);
    /* One column, nodes centred in it. */
    g_assert_cmpfloat_with_epsilon (output->x + output->width / 2, input->x + input->width / 2, 0.01);
    g_assert_cmpfloat_with_epsilon (decoder->x + decoder->width / 2, input->x + input->width / 2, 0.01);
    g_assert_cmpfloat (input->y, <, decoder->y);
    g_assert_cmpfloat (decoder->y, <, output->y);
    /* A frame's planes beside it, on its row. */
    node = rs_graph_find_buffer (graph, 20);
    g_assert_cmpfloat (node->x, >, frame->x + frame->width);
    g_assert_cmpfloat (node->y, <, frame->y + frame->height);
  }
  g_assert_cmpfloat (rs_graph_find_handle (graph, "video.pktq[0]")->y, <,
                     rs_graph_find_handle (graph, "video.pktq[1]")->y);
  g_assert_cmpfloat (rs_graph_find_handle (graph, "video.frameq[0]")->y, <,
                     rs_graph_find_handle (graph, "video.frameq[1]")->y);

  /* Hit-testing finds nodes by their snapshot ids. */
  node = rs_graph_find_buffer (graph, 40);
  g_assert_true (rs_render_hit_test (render, node->x + node->width / 2, node->y + node->height / 2) == node);
  g_assert_cmpuint (rs_render_hit_test (render, node->x + 1, node->y + 1)->buffer_id, ==, 40);
  node = rs_graph_find_handle (graph, "video.frameq[1]");
  g_assert_cmpstr (rs_render_hit_test (render, node->x + 2, node->y + node->height - 2)->handle_id, ==,
                   "video.frameq[1]");
  g_assert_null (rs_render_hit_test (render, width - 1, height - 1));
}

static guint32
pixel_at (cairo_surface_t *surface,
          int              x,
          int              y)
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);

  return *(const guint32 *) (data + y * stride + x * 4) & 0xffffff;
}

static void
test_render_draw (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr(RsRender) render = rs_render_new ();
  cairo_surface_t *surface;
  const RsGraphNode *node;
  double width, height;
  cairo_t *cr;

  g_assert_true (rs_render_update (render, f->s57, f->diff, NULL, NULL));
  rs_render_get_size (render, &width, &height);
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) width + 1, (int) height + 1);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  rs_render_draw (render, cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  /* The drawing lines up with the node boxes: just inside a picture
   * buffer's bottom-left corner is its fill colour (#efe3f5). */
  node = rs_graph_find_buffer (rs_render_get_graph (render), 13);
  g_assert_cmphex (pixel_at (surface, node->x + 3, node->y + node->height - 3), ==, 0xefe3f5);
  node = rs_graph_find_buffer (rs_render_get_graph (render), 31);
  g_assert_cmphex (pixel_at (surface, node->x + 3, node->y + node->height - 3), ==, 0xf5efe0);
  /* Outside any node the background stays (the canvas draws its own). */
  g_assert_cmphex (pixel_at (surface, width - 2, height - 2), ==, 0xffffff);
  cairo_surface_destroy (surface);
}

static void
test_render_reuse (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr(RsRender) render = rs_render_new ();
  g_autoptr(RsSnapshot) s58 = fix_make_refcount_step (f->s57, 1, NULL, 0);
  g_autoptr(RsDiff) diff58 = rs_diff_new (f->s57, s58);
  RsEvent unsafe = { RS_EVENT_UNSAFE_WRITE, 41, NULL };
  g_autoptr(RsSnapshot) s59 = fix_make_refcount_step (s58, 0, &unsafe, 1);
  g_autoptr(RsDiff) diff59 = rs_diff_new (s58, s59);
  g_autoptr(GBytes) dot = NULL;
  g_autoptr(GError) error = NULL;
  const RsGraphNode *node;
  double x, y, width, height;

  g_assert_true (rs_render_update (render, f->s57, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rs_render_get_n_layouts (render), ==, 1);
  node = rs_graph_find_buffer (rs_render_get_graph (render), 41);
  x = node->x;
  y = node->y;
  rs_render_get_size (render, &width, &height);

  /* Only counts changed: no new layout, nothing moved, labels updated. */
  g_assert_false (rs_diff_topology_changed (diff58));
  g_assert_true (rs_render_update (render, s58, diff58, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rs_render_get_n_layouts (render), ==, 1);
  g_assert_cmpuint (rs_graph_get_step (rs_render_get_graph (render)), ==, 58);
  node = rs_graph_find_buffer (rs_render_get_graph (render), 41);
  g_assert_cmpfloat (node->x, ==, x);
  g_assert_cmpfloat (node->y, ==, y);
  dot = rs_render_to_bytes (render, "dot", &error);
  g_assert_no_error (error);
  /* "2→3 ▲": the old count, the new one large, the arrow. */
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (dot, NULL), g_bytes_get_size (dot), "2→</font>"));
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (dot, NULL), g_bytes_get_size (dot), "<b>3</b></font>"));
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (dot, NULL), g_bytes_get_size (dot), " ▲"));
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (dot, NULL), g_bytes_get_size (dot), "step 59"));
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (dot, NULL), g_bytes_get_size (dot), "×2"));
  g_clear_pointer (&dot, g_bytes_unref);
  /* Drawing and exporting work on the re-labelled layout. */
  dot = rs_render_to_bytes (render, "png", &error);
  g_assert_no_error (error);
  g_clear_pointer (&dot, g_bytes_unref);

  /* A label that grows (a warning row) gets a new layout. */
  g_assert_true (rs_render_update (render, s59, diff59, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rs_render_get_n_layouts (render), ==, 2);

  /* A new topology (the ghost of a freed buffer) gets a new layout. */
  g_assert_true (rs_render_update (render, f->s57, f->diff, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rs_render_get_n_layouts (render), ==, 3);
  g_assert_nonnull (rs_graph_find_buffer (rs_render_get_graph (render), 9));
}

/* A render freed just after its layout (an export's) leaves graphviz's
 * global attribute pointers on its graph; another render then drawing a
 * step without a new layout must not read them from freed memory (it
 * crashed the window: Export Snapshot, then Step). */
static void
test_render_other_freed (Fixture      *f,
                         gconstpointer data)
{
  g_autoptr(RsRender) render = rs_render_new ();
  g_autoptr(RsSnapshot) s58 = fix_make_refcount_step (f->s57, 1, NULL, 0);
  g_autoptr(RsDiff) diff58 = rs_diff_new (f->s57, s58);
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (rs_render_update (render, f->s57, NULL, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(RsRender) export = rs_render_new ();

      g_assert_true (rs_render_update (export, i == 0 ? f->s56 : f->s57, NULL, NULL, &error));
      g_assert_no_error (error);
    }

  g_assert_true (rs_render_update (render, s58, diff58, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rs_render_get_n_layouts (render), ==, 1);
  png = rs_render_to_bytes (render, "png", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (png), >, 1000);
}

/* Graphviz's cairo renderer writes PNG bytes to stdout when it draws to a
 * caller's context as "png"; the render must not. */
static void
test_render_quiet (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr(RsRender) render = rs_render_new ();
  g_autofree char *path = NULL;
  cairo_surface_t *surface;
  GStatBuf info;
  cairo_t *cr;
  int saved, fd;

  fd = g_file_open_tmp ("refscope-stdout-XXXXXX", &path, NULL);
  g_assert_cmpint (fd, >=, 0);
  fflush (stdout);
  saved = dup (STDOUT_FILENO);
  dup2 (fd, STDOUT_FILENO);
  g_assert_true (rs_render_update (render, f->s57, f->diff, NULL, NULL));
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 8, 8);
  cr = cairo_create (surface);
  rs_render_draw (render, cr);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  fflush (stdout);
  dup2 (saved, STDOUT_FILENO);
  close (saved);
  close (fd);
  g_assert_cmpint (g_stat (path, &info), ==, 0);
  g_assert_cmpint (info.st_size, ==, 0);
  g_unlink (path);
}

static void
test_render_formats (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr(RsRender) render = rs_render_new ();
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GBytes) svg = NULL;
  g_autoptr(GBytes) pdf = NULL;
  g_autoptr(GBytes) bad = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMarkupParseContext) parser = NULL;
  static const GMarkupParser no_callbacks = { 0 };
  gsize length;
  const char *data_svg;

  bad = rs_render_to_bytes (render, "png", &error);
  g_assert_null (bad);
  g_assert_error (error, RS_ERROR, RS_ERROR_FAILED);
  g_clear_error (&error);

  g_assert_true (rs_render_update (render, f->s57, f->diff, NULL, NULL));
  png = rs_render_to_bytes (render, "png", &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (png, NULL), 8, "\x89PNG\r\n\x1a\n", 8);
  pdf = rs_render_to_bytes (render, "PDF", &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (pdf, NULL), 5, "%PDF-", 5);

  /* The SVG is well-formed XML. */
  svg = rs_render_to_bytes (render, "svg", &error);
  g_assert_no_error (error);
  data_svg = g_bytes_get_data (svg, &length);
  parser = g_markup_parse_context_new (&no_callbacks, 0, NULL, NULL);
  g_assert_true (g_markup_parse_context_parse (parser, data_svg, length, &error));
  g_assert_true (g_markup_parse_context_end_parse (parser, &error));
  g_assert_no_error (error);
  g_assert_nonnull (g_strstr_len (data_svg, length, "<svg"));

  bad = rs_render_to_bytes (render, "gif", &error);
  g_assert_null (bad);
  g_assert_error (error, RS_ERROR, RS_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "gif"));
}

/* A relayout the user asked for: the places kept for what is gone are
 * dropped, the graph laid out at once, as compact as a new render's. */
static void
test_render_forget (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr(RsRender) render = rs_render_new ();
  g_autoptr(RsRender) fresh = rs_render_new ();
  g_autoptr(GError) error = NULL;
  double width, height, kept_width, kept_height, fresh_width, fresh_height;
  const RsGraphNode *node, *fresh_node;
  guint layouts;

  /* Step 57 (more nodes), then step 56 in the places 57 left. */
  g_assert_true (rs_render_update (render, f->s57, f->diff, NULL, &error));
  g_assert_true (rs_render_update (render, f->s56, NULL, NULL, &error));
  g_assert_no_error (error);
  rs_render_get_size (render, &kept_width, &kept_height);
  g_assert_true (rs_render_update (fresh, f->s56, NULL, NULL, &error));
  rs_render_get_size (fresh, &fresh_width, &fresh_height);
  /* Kept rows: never smaller than a fresh layout. */
  g_assert_cmpfloat (kept_width * kept_height, >=, fresh_width * fresh_height);

  /* The same step again: same topology, so no layout, until forgotten. */
  layouts = rs_render_get_n_layouts (render);
  g_assert_true (rs_render_update (render, f->s56, NULL, NULL, &error));
  g_assert_cmpuint (rs_render_get_n_layouts (render), ==, layouts);
  rs_render_forget_layout (render);
  g_assert_true (rs_render_update (render, f->s56, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rs_render_get_n_layouts (render), ==, layouts + 1);
  rs_render_get_size (render, &width, &height);
  g_assert_cmpfloat_with_epsilon (width, fresh_width, 0.01);
  g_assert_cmpfloat_with_epsilon (height, fresh_height, 0.01);
  for (guint i = 0; i < rs_graph_get_n_nodes (rs_render_get_graph (render)); i++)
    {
      node = rs_graph_get_node (rs_render_get_graph (render), i);
      fresh_node = rs_graph_find_node (rs_render_get_graph (fresh), node->name);
      g_assert_nonnull (fresh_node);
      g_assert_cmpfloat_with_epsilon (node->x, fresh_node->x, 0.01);
      g_assert_cmpfloat_with_epsilon (node->y, fresh_node->y, 0.01);
    }
  /* And it keeps that layout from then on. */
  g_assert_true (rs_render_update (render, f->s56, NULL, NULL, &error));
  g_assert_cmpuint (rs_render_get_n_layouts (render), ==, layouts + 1);
}

static void
test_render_large (void)
{
  g_autoptr(GPtrArray) handles = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_handle_unref);
  g_autoptr(GPtrArray) buffers = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_buffer_unref);
  g_autoptr(RsSnapshot) snapshot = NULL;
  g_autoptr(RsRender) render = rs_render_new ();
  g_autoptr(GError) error = NULL;
  guint64 next = 1;

  /* A deep frame queue: 100 frames of 3 planes, 100 empty packet slots. */
  for (int i = 0; i < 100; i++)
    {
      g_autofree char *id = g_strdup_printf ("video.frameq[%d]", i);
      g_ptr_array_add (handles, fix_frame (id, "frame_queue", "video.frameq", i, 100, i * 512, 'P', FALSE, next));
      fix_planes (buffers, next, 1, 0, i);
      next += 3;
    }
  for (int i = 0; i < 100; i++)
    {
      g_autofree char *id = g_strdup_printf ("video.pktq[%d]", i);
      g_ptr_array_add (handles, fix_packet (id, "packet_queue", "video.pktq", i, 100, 0, 0, FALSE, 0));
    }
  snapshot = rs_snapshot_new (9, "av_frame_move_ref(video.frameq[99])", 0, TRUE, NULL, handles, buffers, NULL, 0);

  g_assert_true (rs_render_update (render, snapshot, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (rs_graph_is_folded (rs_render_get_graph (render)));
  g_assert_cmpuint (rs_graph_get_n_nodes (rs_render_get_graph (render)), <, 250);
}

/* A layout graphviz cannot make: the message names the step as the window
 * and the drawing's title number it (from 1), not as the trace does. With
 * GVBINDIR at an empty folder graphviz finds none of its plugins, as on a
 * broken install: "nop2" (neato -n2) is not there and gvLayout fails. The
 * context is made once a process, so this runs in a fresh one. */
static void
test_render_failed_step_number (Fixture      *f,
                                gconstpointer data)
{
  if (g_test_subprocess ())
    {
      g_autoptr(RsRender) render = rs_render_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *empty = g_dir_make_tmp ("test-render-XXXXXX", NULL);

      g_assert_nonnull (empty);
      g_setenv ("GVBINDIR", empty, TRUE);
      /* The trace's step 57: the window's "Step 58", the title's "step 58". */
      g_assert_cmpuint (rs_snapshot_get_step (f->s57), ==, 57);
      g_assert_false (rs_render_update (render, f->s57, f->diff, NULL, &error));
      g_assert_error (error, RS_ERROR, RS_ERROR_FAILED);
      g_test_message ("%s", error->message);
      g_assert_true (g_str_has_prefix (error->message, "Could not lay out the graph of step 58: "));
      /* graphviz's message in one piece, as it writes it on stderr. */
      g_assert_nonnull (strstr (error->message, ": Error: Layout type: \"nop2\" not recognized."));
      g_assert_null (rs_render_get_graph (render));
      g_rmdir (empty);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/render/layout", Fixture, NULL, fix_steps_set_up, test_render_layout, fix_steps_tear_down);
  g_test_add ("/render/draw", Fixture, NULL, fix_steps_set_up, test_render_draw, fix_steps_tear_down);
  g_test_add ("/render/reuse", Fixture, NULL, fix_steps_set_up, test_render_reuse, fix_steps_tear_down);
  g_test_add ("/render/other-freed", Fixture, NULL, fix_steps_set_up, test_render_other_freed, fix_steps_tear_down);
  g_test_add ("/render/quiet", Fixture, NULL, fix_steps_set_up, test_render_quiet, fix_steps_tear_down);
  g_test_add ("/render/formats", Fixture, NULL, fix_steps_set_up, test_render_formats, fix_steps_tear_down);
  g_test_add_func ("/render/large", test_render_large);
  g_test_add ("/render/forget", Fixture, NULL, fix_steps_set_up, test_render_forget, fix_steps_tear_down);
  g_test_add ("/render/failed-step-number", Fixture, NULL, fix_steps_set_up, test_render_failed_step_number,
              fix_steps_tear_down);
  return g_test_run ();
}
