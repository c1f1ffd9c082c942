/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-overlap.c: every step of real sessions laid out as the window lays
 * them out; no node box may cover another, nor a queue's label. Column
 * widths are kept between steps for stability, so a node wider than any
 * before (a folded "#14–16 3 planes" buffer, a side-data buffer, a long
 * decoder name) must still find room. The sessions: decodes of clips,
 * recordings (`refscope record`, a .rstrace) and lessons (a .c file),
 * whose libav parts, lost references and leaked buffers have no stream
 * to go with. Built in data/tests/meson.build: the sessions need data/,
 * which the model's tests cannot link.
 */
#include <glib/gstdio.h>
#include <graphviz/gvc.h>
#include <libavutil/log.h>

#include "graph-fixtures.h"
#include "rs-decode-session.h"
#include "rs-diff.h"
#include "rs-record-session.h"
#include "rs-scenario-session.h"
#include "rs-render.h"

/* Boxes that merely touch (shared edges, rounding of "%.2f") are apart. */
#define SLACK 0.5

typedef struct {
  double x0, y0, x1, y1;
} Box;

static gboolean
boxes_cross (const Box *a,
             const Box *b)
{
  return a->x0 + SLACK < b->x1 && b->x0 + SLACK < a->x1 &&
         a->y0 + SLACK < b->y1 && b->y0 + SLACK < a->y1;
}

/* The clusters' label bands, in the nodes' coordinates (rs_graph_update_geometry():
 * y down from the drawing's top; `pad` found from a node). */
static GArray *
label_bands (RsGraph *graph)
{
  Agraph_t *g = rs_graph_get_agraph (graph);
  GArray *bands = g_array_new (FALSE, FALSE, sizeof (Box));
  boxf bb = GD_bb (g);
  double pad_x = 0, pad_y = 0;
  gboolean have_pad = FALSE;

  for (guint i = 0; i < rs_graph_get_n_nodes (graph) && !have_pad; i++)
    {
      const RsGraphNode *node = rs_graph_get_node (graph, i);
      Agnode_t *n = agnode (g, (char *) node->name, FALSE);

      if (n == NULL || node->width <= 0)
        continue;
      pad_x = node->x - (ND_coord (n).x - node->width / 2 - bb.LL.x);
      pad_y = node->y - (bb.UR.y - (ND_coord (n).y + node->height / 2));
      have_pad = TRUE;
    }
  for (Agraph_t *sub = agfstsubg (g); sub != NULL; sub = agnxtsubg (sub))
    {
      boxf cb;
      textlabel_t *label;
      Box band;

      /* Only clusters have graphviz's layout record: the rank subgraphs'
       * is smaller, not to be read. */
      if (!g_str_has_prefix (agnameof (sub), "cluster"))
        continue;
      cb = GD_bb (sub);
      label = GD_label (sub);
      if (label == NULL || cb.UR.x <= cb.LL.x)
        continue;
      /* The label's lines, left-justified at the top of the box. */
      band.x0 = cb.LL.x - bb.LL.x + pad_x;
      band.x1 = band.x0 + MIN (label->dimen.x, cb.UR.x - cb.LL.x);
      band.y0 = bb.UR.y - cb.UR.y + pad_y;
      band.y1 = band.y0 + label->dimen.y;
      g_array_append_val (bands, band);
    }
  return bands;
}

/* The first overlap of a step, described; NULL if none. */
static char *
find_overlap (RsGraph *graph)
{
  g_autoptr(GArray) bands = label_bands (graph);
  guint n_nodes = rs_graph_get_n_nodes (graph);

  for (guint i = 0; i < n_nodes; i++)
    {
      const RsGraphNode *a = rs_graph_get_node (graph, i);
      Box ab = { a->x, a->y, a->x + a->width, a->y + a->height };

      if (a->width <= 0)
        continue;
      for (guint j = i + 1; j < n_nodes; j++)
        {
          const RsGraphNode *b = rs_graph_get_node (graph, j);
          Box bbox = { b->x, b->y, b->x + b->width, b->y + b->height };

          if (b->width > 0 && boxes_cross (&ab, &bbox))
            return g_strdup_printf ("%s (%.0f,%.0f %.0f×%.0f) covers %s (%.0f,%.0f %.0f×%.0f)",
                                    a->name, a->x, a->y, a->width, a->height,
                                    b->name, b->x, b->y, b->width, b->height);
        }
      for (guint k = 0; k < bands->len; k++)
        if (boxes_cross (&ab, &g_array_index (bands, Box, k)))
          return g_strdup_printf ("%s (%.0f,%.0f %.0f×%.0f) covers a queue's label (%.0f,%.0f–%.0f,%.0f)",
                                  a->name, a->x, a->y, a->width, a->height,
                                  g_array_index (bands, Box, k).x0, g_array_index (bands, Box, k).y0,
                                  g_array_index (bands, Box, k).x1, g_array_index (bands, Box, k).y1);
    }
  return NULL;
}

/* The session of `path`: a recording, a lesson (a .c file) or a clip
 * decoded, every stream, as `refscope` opens them. */
static RsSession *
open_session (const char *path,
              GError    **error)
{
  RsDecodeSettings settings;

  if (rs_record_session_is_recording (path))
    return RS_SESSION (rs_record_session_new (path, error));
  if (g_str_has_suffix (path, ".c"))
    return RS_SESSION (rs_scenario_session_new_from_file (path, NULL, error));
  rs_decode_settings_init (&settings);
  settings.streams = RS_STREAMS_ALL;
  return RS_SESSION (rs_decode_session_new (path, &settings, error));
}

/* Every step of the session at `path`, as the window draws it: no
 * title, the default fold threshold, one layout memory. */
static void
check_session (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RsSession) session = NULL;
  g_autoptr(RsRender) render = rs_render_new ();
  RsSnapshot *previous = NULL, *snapshot;
  RsGraphOptions options;
  guint steps = 0, clusters_seen = 0, bad_steps = 0, most_nodes = 0;

  session = open_session (path, &error);
  g_assert_no_error (error);
  rs_graph_options_init (&options);
  options.no_title = TRUE;
  /* A recording's steps are in its history from the start. */
  while ((snapshot = steps < rs_history_get_length (rs_session_get_history (session))
                     ? rs_history_get_snapshot (rs_session_get_history (session), steps)
                     : rs_session_step (session, &error)) != NULL)
    {
      g_autoptr(RsDiff) diff = rs_diff_new (previous, snapshot);
      g_autofree char *overlap = NULL;
      RsGraph *graph;

      g_assert_true (rs_render_update (render, snapshot, diff, &options, &error));
      graph = rs_render_get_graph (render);
      {
        g_autoptr(GArray) bands = label_bands (graph);
        clusters_seen = MAX (clusters_seen, bands->len);
      }
      most_nodes = MAX (most_nodes, rs_graph_get_n_nodes (graph));
      overlap = find_overlap (graph);
      /* Each step's first overlap told (the first few), all counted. */
      if (overlap != NULL && bad_steps++ < 10)
        g_test_message ("step %u: %s", rs_snapshot_get_step (snapshot), overlap);
      previous = snapshot;
      steps++;
    }
  g_assert_no_error (error);
  g_test_message ("%u steps, %u with nodes over each other", steps, bad_steps);
  /* A real session: a decode has many steps, and queues whose labels
   * were checked; a recording of tests/record's programs hundreds of
   * steps; a lesson a few, with several nodes to keep apart. */
  if (RS_IS_DECODE_SESSION (session))
    {
      g_assert_cmpuint (steps, >, 100);
      g_assert_cmpuint (clusters_seen, >, 0);
    }
  else if (RS_IS_RECORD_SESSION (session))
    g_assert_cmpuint (steps, >, 100);
  else
    g_assert_cmpuint (steps, >=, 3);
  g_assert_cmpuint (most_nodes, >=, 2);
  /* Failed with the count (run with -k, the other lessons of a folder are
   * checked too). */
  if (bad_steps > 0)
    g_test_fail_printf ("%u of %u steps with nodes over each other", bad_steps, steps);
}

static void
test_overlap_session (gconstpointer data)
{
  check_session (data);
}

/* Records a program on a clip at test time, as a user does (and as
 * ui/tests/test-record-view does), then checks the recording. `data`: the
 * paths of refscope, the program and the clip (a GStrv). */
static void
test_overlap_recording (gconstpointer data)
{
  const char * const *paths = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-overlap-XXXXXX", &error);
  g_autofree char *base = g_path_get_basename (paths[1]);
  g_autofree char *name = g_strconcat (base, ".rstrace", NULL);
  g_autofree char *output = g_build_filename (dir, name, NULL);
  g_autofree char *option = g_strdup_printf ("--output=%s", output);
  g_autofree char *err = NULL;
  const char *argv[] = { paths[0], "record", option, "--", paths[1], paths[2], NULL };
  int status = 0;

  g_assert_no_error (error);
  /* Its output is the program's, not TAP: kept, shown on failure. */
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_test_message ("refscope record -- %s: %s", paths[1], err);
  g_assert_no_error (error);
  check_session (output);
  g_assert_cmpint (g_remove (output), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* A decode session's strip, on top right of the reader (what no stream
 * owns), with more in it than fits beside the reader: the hand-built step
 * 56 of a video decode (graph-fixtures.h) and, one more each step, lost
 * buffers and buffers that libav parts of no stream hold, each living 12
 * steps. They wrap into lines no wider than the lanes, clear of each other
 * and of the lanes, which are pushed down under them. */
static void
test_overlap_strip (void)
{
  g_autoptr(RsRender) render = rs_render_new ();
  g_autoptr(GPtrArray) snapshots = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_snapshot_unref);
  RsSnapshot *s56 = NULL, *s57 = NULL;
  RsGraphOptions options;
  double lanes_width = 0;
  guint most_lines = 0, bad_steps = 0, wide_steps = 0;

  fix_make_steps (&s56, &s57);
  rs_graph_options_init (&options);
  options.no_title = TRUE;
  for (guint step = 0; step < 30; step++)
    {
      g_autoptr(GPtrArray) handles = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_handle_unref);
      g_autoptr(GPtrArray) buffers = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_buffer_unref);
      g_autoptr(GHashTable) tops = g_hash_table_new (g_double_hash, g_double_equal);
      g_autoptr(RsDiff) diff = NULL;
      g_autofree char *overlap = NULL;
      RsSnapshot *snapshot;
      RsGraph *graph;
      double width, height;

      for (guint i = 0; i < rs_snapshot_get_n_handles (s56); i++)
        g_ptr_array_add (handles, rs_handle_ref ((RsHandle *) rs_snapshot_get_handle (s56, i)));
      for (guint i = 0; i < rs_snapshot_get_n_buffers (s56); i++)
        g_ptr_array_add (buffers, rs_buffer_ref ((RsBuffer *) rs_snapshot_get_buffer (s56, i)));
      for (guint k = 0; k < 30; k++)
        {
          g_autofree char *holder = g_strdup_printf ("filter%u graph", k);
          RsBuffer fields = {
            .id = 100 + k, .kind = k % 2 == 0 ? RS_BUFFER_KIND_PACKET : RS_BUFFER_KIND_PICTURE,
            .size = 1000 * (k + 1) * (k + 1), .refcount = 1, .hidden = k % 3 != 0,
            .holder = k % 3 != 0 ? rs_intern (holder) : NULL, .lost = k % 3 == 0,
            .origin = rs_intern_static ("decoder"), .born = k, .tracked = TRUE, .writable = TRUE,
          };

          if (k < step && step <= k + 12)
            g_ptr_array_add (buffers, rs_buffer_new (&fields));
        }
      g_ptr_array_sort (buffers, fix_compare_buffers);
      snapshot = rs_snapshot_new (step, "avcodec_receive_frame(video)", 0, TRUE, NULL, handles, buffers, NULL, 0);
      diff = rs_diff_new (snapshots->len > 0 ? g_ptr_array_index (snapshots, snapshots->len - 1) : NULL, snapshot);
      g_ptr_array_add (snapshots, snapshot);

      g_assert_true (rs_render_update (render, snapshot, diff, &options, NULL));
      graph = rs_render_get_graph (render);
      overlap = find_overlap (graph);
      if (overlap != NULL && bad_steps++ < 5)
        g_test_message ("step %u: %s", step, overlap);
      rs_render_get_size (render, &width, &height);
      /* Step 0 has nothing in the strip: the lanes' width. */
      if (step == 0)
        lanes_width = width;
      if (width > lanes_width + SLACK && wide_steps++ < 5)
        g_test_message ("step %u: %.0f pt wide, the lanes %.0f pt", step, width, lanes_width);
      /* The strip's lines: the tops of its buffers. */
      for (guint i = 0; i < rs_graph_get_n_nodes (graph); i++)
        {
          const RsGraphNode *node = rs_graph_get_node (graph, i);

          if (node->kind == RS_GRAPH_NODE_BUFFER && node->buffer_id >= 100)
            g_hash_table_add (tops, (gpointer) &node->y);
        }
      most_lines = MAX (most_lines, g_hash_table_size (tops));
    }
  g_test_message ("of 30 steps, %u with nodes over each other, %u wider than the lanes; "
                  "the strip in %u lines at most, in the lanes' %.0f pt",
                  bad_steps, wide_steps, most_lines, lanes_width);
  g_assert_cmpuint (bad_steps, ==, 0);
  g_assert_cmpuint (wide_steps, ==, 0);
  g_assert_cmpuint (most_lines, >=, 2);
  rs_snapshot_unref (s56);
  rs_snapshot_unref (s57);
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

static void
add_test (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *name = g_strdup_printf ("/overlap/%s", base);

  g_test_add_data_func_full (name, g_strdup (path), test_overlap_session, g_free);
}

/* Arguments: clips, recordings, lessons, folders of lessons (every .c
 * file in them, in name order), and `--record REFSCOPE PROGRAM MEDIA`: a
 * recording made at test time. None: the hand-built strip. */
int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  av_log_set_level (AV_LOG_QUIET);
  if (argc == 1)
    g_test_add_func ("/overlap/strip", test_overlap_strip);
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GDir) dir = NULL;
      g_autoptr(GPtrArray) lessons = NULL;
      const char *entry;

      if (g_str_equal (argv[i], "--record") && i + 3 < argc)
        {
          g_autofree char *base = g_path_get_basename (argv[i + 2]);
          g_autofree char *name = g_strdup_printf ("/overlap/%s.rstrace", base);
          const char *paths[] = { argv[i + 1], argv[i + 2], argv[i + 3], NULL };

          g_test_add_data_func_full (name, g_strdupv ((char **) paths), test_overlap_recording,
                                     (GDestroyNotify) g_strfreev);
          i += 3;
          continue;
        }
      if (!g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          add_test (argv[i]);
          continue;
        }
      dir = g_dir_open (argv[i], 0, NULL);
      g_assert_nonnull (dir);
      lessons = g_ptr_array_new_with_free_func (g_free);
      while ((entry = g_dir_read_name (dir)) != NULL)
        if (g_str_has_suffix (entry, ".c"))
          g_ptr_array_add (lessons, g_build_filename (argv[i], entry, NULL));
      /* A folder with no lesson is a mistake in the test's arguments. */
      g_assert_cmpuint (lessons->len, >, 0);
      g_ptr_array_sort (lessons, compare_paths);
      for (guint k = 0; k < lessons->len; k++)
        add_test (g_ptr_array_index (lessons, k));
    }
  return g_test_run ();
}
