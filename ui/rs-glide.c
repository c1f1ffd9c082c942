/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-glide"

#include "rs-glide.h"

#include <string.h>

/* A node's box, padded to take in its border. */
typedef struct {
  double x, y, width, height;
} Box;

struct _RsGlide {
  cairo_surface_t *surface;  /* the old drawing */
  GHashTable      *boxes;    /* node name -> Box, in the old drawing */
};

#define BOX_PAD 3.0

static Box
padded (double x, double y, double w, double h)
{
  return (Box) { x - BOX_PAD, y - BOX_PAD, w + 2 * BOX_PAD, h + 2 * BOX_PAD };
}

RsGlide *
rs_glide_new (RsRender *render)
{
  RsGraph *graph;
  cairo_surface_t *surface;
  RsGlide *self;

  g_return_val_if_fail (render != NULL, NULL);

  graph = rs_render_get_graph (render);
  surface = rs_render_get_surface (render);
  if (graph == NULL || surface == NULL)
    return NULL;

  self = g_new0 (RsGlide, 1);
  self->surface = cairo_surface_reference (surface);
  self->boxes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < rs_graph_get_n_nodes (graph); i++)
    {
      const RsGraphNode *node = rs_graph_get_node (graph, i);
      Box box = padded (node->x, node->y, node->width, node->height);

      g_hash_table_insert (self->boxes, g_strdup (node->name), g_memdup2 (&box, sizeof box));
    }
  return self;
}

void
rs_glide_free (RsGlide *self)
{
  if (self == NULL)
    return;
  cairo_surface_destroy (self->surface);
  g_hash_table_unref (self->boxes);
  g_free (self);
}

gboolean
rs_glide_moves (RsGlide  *self,
                RsRender *render)
{
  RsGraph *graph;
  guint n;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (render != NULL, FALSE);

  graph = rs_render_get_graph (render);
  n = graph != NULL ? rs_graph_get_n_nodes (graph) : 0;
  if (n != g_hash_table_size (self->boxes))
    return TRUE;
  for (guint i = 0; i < n; i++)
    {
      const RsGraphNode *node = rs_graph_get_node (graph, i);
      const Box *old = g_hash_table_lookup (self->boxes, node->name);
      Box box = padded (node->x, node->y, node->width, node->height);

      if (old == NULL || memcmp (old, &box, sizeof box) != 0)
        return TRUE;
    }
  return FALSE;
}

double
rs_glide_ease (double t)
{
  double p = CLAMP (t, 0.0, 1.0) - 1;

  return p * p * p + 1;
}

static void
paint_all (cairo_t         *cr,
           cairo_surface_t *surface,
           double           alpha)
{
  if (alpha <= 0.0)
    return;
  cairo_set_source_surface (cr, surface, 0, 0);
  cairo_paint_with_alpha (cr, alpha);
}

/* One node's box of `surface`, painted at `to`. */
static void
paint_box (cairo_t         *cr,
           cairo_surface_t *surface,
           const Box       *from,
           double           to_x,
           double           to_y)
{
  cairo_save (cr);
  cairo_rectangle (cr, to_x, to_y, from->width, from->height);
  cairo_clip (cr);
  cairo_set_source_surface (cr, surface, to_x - from->x, to_y - from->y);
  cairo_paint (cr);
  cairo_restore (cr);
}

void
rs_glide_draw (RsGlide  *self,
               RsRender *render,
               cairo_t  *cr,
               double    t)
{
  RsGraph *graph;
  cairo_surface_t *surface;

  g_return_if_fail (self != NULL);
  g_return_if_fail (render != NULL);

  graph = rs_render_get_graph (render);
  surface = rs_render_get_surface (render);
  if (graph == NULL || surface == NULL)
    return;

  /* The two drawings cross-fade: what stays in place stays, what changed
   * blends, new nodes fade in and gone ones fade out. */
  paint_all (cr, self->surface, 1.0 - t);
  paint_all (cr, surface, t);

  /* Over them, nodes that moved glide from where they were. */
  for (guint i = 0; i < rs_graph_get_n_nodes (graph); i++)
    {
      const RsGraphNode *node = rs_graph_get_node (graph, i);
      const Box *old = g_hash_table_lookup (self->boxes, node->name);
      Box box = padded (node->x, node->y, node->width, node->height);

      if (old != NULL && memcmp (old, &box, sizeof box) != 0)
        paint_box (cr, surface, &box, old->x + (box.x - old->x) * t, old->y + (box.y - old->y) * t);
    }
}
