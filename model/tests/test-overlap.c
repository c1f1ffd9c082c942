/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-overlap.c: every step of real decodes laid out as the window lays
 * them out; no node box may cover another, nor a queue's label. Column
 * widths are kept between steps for stability, so a node wider than any
 * before (a folded "#14–16 3 planes" buffer, a side-data buffer, a long
 * decoder name) must still find room. Built in data/tests/meson.build:
 * the decode needs data/, which the model's tests cannot link.
 */
#include <graphviz/gvc.h>
#include <libavutil/log.h>

#include "rs-decode-session.h"
#include "rs-diff.h"
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

/* Every step of `data` (a clip's path), every stream, as the window draws
 * it: no title, the default fold threshold, one layout memory. */
static void
test_overlap_session (gconstpointer data)
{
  const char *path = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RsDecodeSession) session = NULL;
  g_autoptr(RsRender) render = rs_render_new ();
  RsSnapshot *previous = NULL, *snapshot;
  RsDecodeSettings settings;
  RsGraphOptions options;
  guint steps = 0, clusters_seen = 0, bad_steps = 0;

  rs_decode_settings_init (&settings);
  settings.streams = RS_STREAMS_ALL;
  session = rs_decode_session_new (path, &settings, &error);
  g_assert_no_error (error);
  rs_graph_options_init (&options);
  options.no_title = TRUE;
  while ((snapshot = rs_session_step (RS_SESSION (session), &error)) != NULL)
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
      overlap = find_overlap (graph);
      /* Each step's first overlap told (the first few), all counted. */
      if (overlap != NULL && bad_steps++ < 10)
        g_test_message ("step %u: %s", rs_snapshot_get_step (snapshot), overlap);
      previous = snapshot;
      steps++;
    }
  g_assert_no_error (error);
  /* A real session: many steps, and queues whose labels were checked. */
  g_assert_cmpuint (steps, >, 100);
  g_assert_cmpuint (clusters_seen, >, 0);
  g_assert_cmpuint (bad_steps, ==, 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  av_log_set_level (AV_LOG_QUIET);
  for (int i = 1; i < argc; i++)
    {
      g_autofree char *base = g_path_get_basename (argv[i]);
      g_autofree char *name = g_strdup_printf ("/overlap/%s", base);

      g_test_add_data_func (name, argv[i], test_overlap_session);
    }
  return g_test_run ();
}
