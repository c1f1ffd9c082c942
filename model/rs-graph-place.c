/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-graph-place.c: the grid the graph is drawn on (see rs-graph-place.h).
 * The builder gives every node a place (lane, station, row); this file
 * turns places and sizes into coordinates, remembering what it decided so
 * the next layout keeps it.
 */
#define G_LOG_DOMAIN "rs-graph"

#include "rs-graph-place.h"
#include "rs-intern.h"
#include "rs-graph-private.h"

#include <graphviz/gvc.h>
#include <stdlib.h>
#include <string.h>

/* Points. */
#define GAP_ITEMS    12.0   /* between a row's head and its buffers: room for the arrows */
#define GAP_STATION  12.0   /* between one station's buffers and the next station */
#define GAP_ROW       4.0
#define GAP_ITEM      3.0
#define GAP_LANE     14.0
#define CLUSTER_PAD   5.0
#define CLUSTER_LABEL 28.0   /* a queue's label: two lines of 10 pt (rs-graph-label.c) */
#define FIRST_SLOT  100     /* rows given a slot come after the fixed ones */
/* The widths columns start with: a handle's (HANDLE_MIN_WIDTH in
 * rs-graph-label.c and its border) and about a buffer's (its three cells'
 * minimum widths), so a station's buffer column is as wide before its
 * first buffer as after. */
#define HEAD_WIDTH  152.0
#define ITEM_WIDTH  180.0

struct _RsLayoutMemory {
  gatomicrefcount ref_count;
  GMutex          lock;
  GHashTable     *extents;  /* owned key -> owned double: sizes and positions only grow */
  GHashTable     *slots;    /* owned group key -> GHashTable (owned node name -> slot + 1) */
  gboolean        streams;  /* a layout had a stream's lane: a decode session's */
};

RsLayoutMemory *
rs_layout_memory_new (void)
{
  RsLayoutMemory *self = g_new0 (RsLayoutMemory, 1);

  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->lock);
  self->extents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->slots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_hash_table_unref);
  return self;
}

RsLayoutMemory *
rs_layout_memory_ref (RsLayoutMemory *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
rs_layout_memory_unref (RsLayoutMemory *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_hash_table_unref (self->extents);
  g_hash_table_unref (self->slots);
  g_mutex_clear (&self->lock);
  g_free (self);
}

void
rs_layout_memory_clear (RsLayoutMemory *self)
{
  g_return_if_fail (self != NULL);
  g_mutex_lock (&self->lock);
  g_hash_table_remove_all (self->extents);
  g_hash_table_remove_all (self->slots);
  self->streams = FALSE;
  g_mutex_unlock (&self->lock);
}

/* The larger of `value` and what `key` had; remembered. */
static double
grow (RsLayoutMemory *self,
      const char     *key,
      double          value)
{
  double *known = g_hash_table_lookup (self->extents, key);

  if (known == NULL)
    {
      known = g_new (double, 1);
      *known = value;
      g_hash_table_insert (self->extents, g_strdup (key), known);
    }
  else if (value > *known)
    *known = value;
  return *known;
}

/* What `key` had, or 0 if it had nothing. */
static double
known (RsLayoutMemory *self,
       const char     *key)
{
  double *value = g_hash_table_lookup (self->extents, key);

  return value != NULL ? *value : 0;
}

/* What `key` had, or `value` if it had nothing: decided once. */
static double
settle (RsLayoutMemory *self,
        const char     *key,
        double          value)
{
  double *known = g_hash_table_lookup (self->extents, key);

  return known != NULL ? *known : grow (self, key, value);
}

/* ---- rows ---- */

/* What no stream owns in a decode session (libav parts, lost references,
 * loose buffers; not the legend) goes in the strip on top, right of the
 * reader, one slot beside the other, in lines as wide as the lanes: the
 * strip is empty there, and a column of its own would widen the drawing. */
#define IS_STRIP(row) ((row)->lane == RS_LANE_SIDE && (row)->order < 1000)

/* Where what no stream owns goes (RS_LANE_LOOSE): in a decode session the
 * strip on top, as a lane of its own would push the streams' lanes down
 * when it appears; in a lesson or a recorded program, which have no stream
 * lanes (a program's packets have a stream, but are drawn as its
 * variables), the column right of the variables (RS_STATION_OTHER of
 * RS_LANE_OTHER), where a leaked buffer and the lost node stay to the end.
 * A session is a decode session once a layout of it had a stream's lane,
 * as its first steps do: its last steps, every handle gone, keep the
 * strip. The memory says so; a snapshot does not (an empty one is both). */
static void
settle_loose (RsLayoutMemory *memory,
              RsGraph        *graph)
{
  for (guint i = 0; i < graph->places->len && !memory->streams; i++)
    {
      int lane = g_array_index (graph->places, RsGraphPlace, i).lane;

      memory->streams = lane >= 0 && lane != RS_LANE_SIDE;
    }
  for (guint i = 0; i < graph->places->len; i++)
    {
      RsGraphPlace *place = &g_array_index (graph->places, RsGraphPlace, i);

      if (place->lane == RS_LANE_LOOSE)
        place->lane = memory->streams ? RS_LANE_SIDE : RS_LANE_OTHER;
    }
}

typedef struct {
  int         lane;
  RsStation   station;
  int         order;
  const char *cluster;
  RsRowKind   kind;
  guint       head;        /* index + 1, or 0 */
  GArray     *items;       /* guint node indexes, in creation order */
  double      head_w, head_h, items_w, items_h;
  double      height;
  double      y;           /* top, from its lane's top */
  double      x, width;    /* a strip row's slot (IS_STRIP) */
} Row;

static void
row_free (gpointer data)
{
  Row *row = data;

  g_array_unref (row->items);
  g_free (row);
}

static int
compare_rows (gconstpointer a,
              gconstpointer b)
{
  const Row *x = *(const Row **) a, *y = *(const Row **) b;

  if (x->lane != y->lane)
    return x->lane < y->lane ? -1 : 1;
  if (x->station != y->station)
    return x->station < y->station ? -1 : 1;
  return (x->order > y->order) - (x->order < y->order);
}

static char *
row_key (int       lane,
         RsStation station,
         int       order)
{
  return g_strdup_printf ("%d|%d|%d", lane, station, order);
}

/* Gives the nodes placed in a slot (rows that come and go) their slot:
 * the one they had, else the lowest free one. Slots of nodes gone are freed. */
static void
give_slots (RsLayoutMemory *memory,
            RsGraph        *graph)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);   /* group table -> present names */
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);

  /* First the nodes that keep their slot, so a new one cannot take it. */
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < graph->places->len; i++)
      {
        RsGraphPlace *place = &g_array_index (graph->places, RsGraphPlace, i);
        const RsGraphNode *node = &g_array_index (graph->nodes, RsGraphNode, i);
        g_autofree char *group_key = NULL;
        GHashTable *group, *present;
        guint slot;

        if (place->order != RS_ORDER_SLOT || place->row_head != 0)
          continue;
        group_key = g_strdup_printf ("%d|%d", place->lane, place->station);
        group = g_hash_table_lookup (memory->slots, group_key);
        if (group == NULL)
          {
            group = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
            g_hash_table_insert (memory->slots, g_steal_pointer (&group_key), group);
          }
        present = g_hash_table_lookup (seen, group);
        if (present == NULL)
          {
            present = g_hash_table_new (NULL, NULL);
            g_hash_table_insert (seen, group, present);
            g_ptr_array_add (groups, present);
          }
        slot = GPOINTER_TO_UINT (g_hash_table_lookup (group, node->name));
        if (pass == 0)
          {
            if (slot != 0)
              g_hash_table_add (present, GUINT_TO_POINTER (slot));
            continue;
          }
        if (slot == 0)
          {
            /* The lowest slot no present node has. */
            for (slot = 1; g_hash_table_contains (present, GUINT_TO_POINTER (slot)); slot++)
              ;
            g_hash_table_add (present, GUINT_TO_POINTER (slot));
            g_hash_table_insert (group, g_strdup (node->name), GUINT_TO_POINTER (slot));
          }
        place->order = FIRST_SLOT + (int) slot - 1;
      }

  /* Forget the slots of nodes gone, and of nodes whose slot another took. */
  {
    GHashTableIter groups_iter;
    gpointer group_key, group;

    g_hash_table_iter_init (&groups_iter, memory->slots);
    while (g_hash_table_iter_next (&groups_iter, &group_key, &group))
      {
        GHashTableIter iter;
        gpointer name, slot;

        g_hash_table_iter_init (&iter, group);
        while (g_hash_table_iter_next (&iter, &name, &slot))
          {
            guint index = GPOINTER_TO_UINT (g_hash_table_lookup (graph->by_name, rs_intern_lookup (name)));

            if (index == 0)
              g_hash_table_iter_remove (&iter);
          }
      }
  }
}

/* The strip's rows (IS_STRIP, in `sorted`): one node a slot, in slot
 * order from `x0`, each slot as wide and as tall as the largest node it
 * held (remembered: an emptied slot keeps its room while a later one is
 * taken, so nothing moves), in lines that end at `x1` (a slot wider than
 * that has a line of its own). Sets each row's x, width and y; returns the
 * strip's height, and widens `width` to a slot that runs past it. */
static double
place_strip (RsLayoutMemory *memory,
             GPtrArray      *sorted,
             double          x0,
             double          x1,
             double         *width)
{
  g_autoptr(GArray) xs = g_array_new (FALSE, TRUE, sizeof (double));
  g_autoptr(GArray) ys = g_array_new (FALSE, TRUE, sizeof (double));
  double x = 0, top = 0, line_h = 0;
  guint line = 0;

  for (guint r = 0; r < sorted->len; r++)
    {
      Row *row = g_ptr_array_index (sorted, r);
      g_autofree char *w_key = NULL, *h_key = NULL;

      if (!IS_STRIP (row))
        continue;
      w_key = g_strdup_printf ("sw|%d", row->order);
      h_key = g_strdup_printf ("sh|%d", row->order);
      row->width = grow (memory, w_key, MAX (row->head_w, row->items_w));
      row->height = grow (memory, h_key, row->head_h + (row->head != 0 && row->items->len > 0 ? GAP_ITEM : 0) +
                                         row->items_h);
      g_array_set_size (xs, MAX (xs->len, (guint) (row->order - FIRST_SLOT + 1)));
    }
  g_array_set_size (ys, xs->len);
  for (guint k = 0; k < xs->len; k++)
    {
      g_autofree char *w_key = g_strdup_printf ("sw|%d", FIRST_SLOT + (int) k);
      g_autofree char *h_key = g_strdup_printf ("sh|%d", FIRST_SLOT + (int) k);
      double w = known (memory, w_key);

      if (x > 0 && w > 0 && x0 + x + w > x1)
        {
          g_autofree char *top_key = g_strdup_printf ("sy|%u", ++line);

          top = grow (memory, top_key, top + line_h + GAP_ROW);
          x = line_h = 0;
        }
      g_array_index (xs, double, k) = x0 + x;
      g_array_index (ys, double, k) = top;
      if (w <= 0)
        continue;
      line_h = MAX (line_h, known (memory, h_key));
      *width = MAX (*width, x0 + x + w);
      x += w + GAP_STATION;
    }
  for (guint r = 0; r < sorted->len; r++)
    {
      Row *row = g_ptr_array_index (sorted, r);

      if (!IS_STRIP (row))
        continue;
      row->x = g_array_index (xs, double, row->order - FIRST_SLOT);
      row->y = g_array_index (ys, double, row->order - FIRST_SLOT);
    }
  return xs->len > 0 ? top + line_h : 0;
}

static void
set_pos (Agnode_t *n,
         double    x,
         double    y)
{
  char xs[G_ASCII_DTOSTR_BUF_SIZE], ys[G_ASCII_DTOSTR_BUF_SIZE];
  char pos[2 * G_ASCII_DTOSTR_BUF_SIZE + 2];

  /* Graphviz's y goes up; the C locale's decimal point. */
  g_ascii_formatd (xs, sizeof xs, "%.2f", x);
  g_ascii_formatd (ys, sizeof ys, "%.2f", -y);
  g_snprintf (pos, sizeof pos, "%s,%s", xs, ys);
  agsafeset (n, (char *) "pos", pos, (char *) "");
}

void
_rs_graph_place (RsGraph        *graph,
                 RsLayoutMemory *memory,
                 const double    widest_heads[RS_N_STATIONS][RS_N_ROW_KINDS],
                 const double    widest_items[RS_N_STATIONS][RS_N_ROW_KINDS])
{
  Agraph_t *g = graph->agraph;
  g_autoptr(GHashTable) rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, row_free);
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  g_autoptr(GArray) node_rows = g_array_sized_new (FALSE, TRUE, sizeof (Row *), graph->nodes->len);
  double head_w[RS_N_STATIONS] = { 0 }, items_w[RS_N_STATIONS] = { 0 }, station_x[RS_N_STATIONS] = { 0 };
  double head_col[RS_N_STATIONS][RS_N_ROW_KINDS] = { { 0 } }, head_axis[RS_N_STATIONS] = { 0 };
  double station_w[RS_N_STATIONS] = { 0 };
  int last_station = -1;
  double width = 0, height = 0, lane_y = 0, strip_h, strip_x, strip_end;
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&memory->lock);
  settle_loose (memory, graph);
  give_slots (memory, graph);
  g_array_set_size (node_rows, graph->nodes->len);

  /* Rows: heads first, then the items of each. */
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < graph->nodes->len; i++)
      {
        const RsGraphNode *node = &g_array_index (graph->nodes, RsGraphNode, i);
        const RsGraphPlace *place = &g_array_index (graph->places, RsGraphPlace, i);
        Agnode_t *n = agnode (g, (char *) node->name, FALSE);
        double w = n != NULL ? ND_width (n) * 72.0 : 0, h = n != NULL ? ND_height (n) * 72.0 : 0;
        gboolean is_head = place->row_head == 0 && node->kind != RS_GRAPH_NODE_BUFFER &&
                           node->kind != RS_GRAPH_NODE_GHOST;
        Row *row;

        if (n == NULL || (pass == 0) != is_head)
          continue;
        if (place->row_head != 0 && g_array_index (node_rows, Row *, place->row_head - 1) != NULL)
          row = g_array_index (node_rows, Row *, place->row_head - 1);
        else
          {
            g_autofree char *key = row_key (place->lane, place->station, place->order);

            row = g_hash_table_lookup (rows, key);
            if (row == NULL)
              {
                row = g_new0 (Row, 1);
                row->lane = place->lane;
                row->station = place->station;
                row->order = place->order;
                row->kind = place->packet ? RS_ROW_PACKET : RS_ROW_OTHER;
                row->items = g_array_new (FALSE, FALSE, sizeof (guint));
                g_hash_table_insert (rows, g_steal_pointer (&key), row);
                g_ptr_array_add (sorted, row);
              }
          }
        g_array_index (node_rows, Row *, i) = row;
        if (is_head && row->head == 0)
          {
            row->head = i + 1;
            row->cluster = place->cluster;
            row->head_w = w;
            row->head_h = h;
          }
        else
          {
            g_array_append_val (row->items, i);
            row->items_w = MAX (row->items_w, w);
            row->items_h += (row->items->len > 1 ? GAP_ITEM : 0) + h;
          }
      }
  g_ptr_array_sort (sorted, compare_rows);

  /* Row heights and column widths, which only grow. */
  for (guint r = 0; r < sorted->len; r++)
    {
      Row *row = g_ptr_array_index (sorted, r);
      g_autofree char *key = g_strdup_printf ("h|%d|%d|%d", row->lane, row->station, row->order);

      if (IS_STRIP (row))
        continue;   /* sized by place_strip() */
      row->height = grow (memory, key, MAX (row->head_h, row->items_h));
      /* One width for every station's heads, one for their buffers: a
       * station's columns are as wide before its first buffer as after. */
      head_w[row->station] = MAX (head_w[row->station], row->head_w);
      items_w[row->station] = MAX (items_w[row->station], row->items_w);
      if (row->station != RS_STATION_OTHER)
        {
          head_w[0] = MAX (head_w[0], row->head_w);
          items_w[0] = MAX (items_w[0], row->items_w);
        }
    }
  for (guint s = 0; s < RS_N_STATIONS; s++)
    {
      g_autofree char *head_key = g_strdup_printf ("hw|%u", s);
      g_autofree char *items_key = g_strdup_printf ("iw|%u", s);

      /* A station is drawn once it had a row. A decode session's columns
       * are as wide as its first layout and the probe make them; a
       * lesson's or a program's variables (no stream lanes) can be of any
       * kind, so their columns widen to the widest node they had (a
       * frame's side data after its planes), moving the column of loose
       * nodes on their right rather than running under it. */
      double (*fix) (RsLayoutMemory *, const char *, double) = memory->streams ? settle : grow;

      head_w[s] = grow (memory, head_key, head_w[s]) > 0 ? fix (memory, "hw", MAX (head_w[0], HEAD_WIDTH)) : 0;
      items_w[s] = head_w[s] > 0 || grow (memory, items_key, items_w[s]) > 0
                   ? fix (memory, "iw", MAX (items_w[0], ITEM_WIDTH)) : 0;
      if (head_w[s] > 0 || items_w[s] > 0)
        last_station = s;
    }
  for (guint s = 0; s < RS_N_STATIONS; s++)
    {
      if (s == RS_STATION_OTHER && head_w[s] > 0)
        {
          /* Odd parts and loose buffers, one column: heads over their items. */
          items_w[s] = MAX (items_w[s], head_w[s]);
          head_w[s] = 0;
        }
      /* Columns are as wide as the widest node the station can have, so
       * none drawn later covers the next station and no column widens in
       * mid-session (only a station drawn for the first time, on the
       * right, moves what is right of it). Heads are centred on one axis,
       * the middle of the widest head column; each kind of row has its
       * own head column around it, and its buffers start after it: a
       * packet's row is sized for its handle and its buffer, not for a
       * frame's side data too. A kind the station has no widest node of
       * gets the station's widest. Buffers in the first layout's width,
       * a wider one starting at its left; the last station's run past
       * the drawing's edge. */
      for (guint k = 0; k < RS_N_ROW_KINDS; k++)
        {
          gboolean probed = widest_heads[s][k] > 0 || widest_items[s][k] > 0;
          double head = 0;

          for (guint j = 0; j < RS_N_ROW_KINDS; j++)
            if (j == k || !probed)
              head = MAX (head, widest_heads[s][j]);
          head_col[s][k] = head_w[s] > 0 ? MAX (head_w[s], head) : 0;
          head_axis[s] = MAX (head_axis[s], head_col[s][k]);
        }
      for (guint k = 0; k < RS_N_ROW_KINDS; k++)
        {
          gboolean probed = widest_heads[s][k] > 0 || widest_items[s][k] > 0;
          double items = 0, items_col, heads = (head_axis[s] + head_col[s][k]) / 2;

          for (guint j = 0; j < RS_N_ROW_KINDS; j++)
            if (j == k || !probed)
              items = MAX (items, widest_items[s][j]);
          items_col = items_w[s] > 0 && (int) s < last_station ? MAX (items_w[s], items) : items_w[s];
          station_w[s] = MAX (station_w[s], heads + (heads > 0 && items_col > 0 ? GAP_ITEMS : 0) + items_col);
        }
      station_x[s] = width;
      if (station_w[s] > 0)
        width += station_w[s] + GAP_STATION;
    }
  width -= GAP_STATION;

  /* The strip, right of the reader, up to the lanes' right edge, or to the
   * legend's column, which is beside it from the top. */
  strip_x = station_x[RS_STATION_DECODER] > 0 ? station_x[RS_STATION_DECODER]
            : station_w[RS_STATION_PACKETS] + GAP_STATION;
  strip_end = width;
  for (guint r = 0; r < sorted->len; r++)
    {
      Row *row = g_ptr_array_index (sorted, r);

      if (row->lane == RS_LANE_SIDE && !IS_STRIP (row))
        strip_end = MIN (strip_end, station_x[row->station] - GAP_STATION);
    }
  strip_h = place_strip (memory, sorted, strip_x, strip_end, &width);

  /* Rows top to bottom in each station of each lane; lanes one under the
   * other (the side column beside them all, from the top). */
  for (guint r = 0; r < sorted->len;)
    {
      int lane = ((Row *) g_ptr_array_index (sorted, r))->lane;
      double lane_height = 0;
      g_autofree char *lane_key = g_strdup_printf ("lane|%d", lane);
      g_autofree char *top_key = g_strdup_printf ("top|%d", lane);
      /* A lane keeps its top when a lane above it goes (the reader at the
       * end of the file); the lanes are under the strip. */
      double top = lane == RS_LANE_SIDE || lane == RS_LANE_SOURCE ? 0
                   : grow (memory, top_key, MAX (lane_y, strip_h > 0 ? strip_h + GAP_LANE : 0));

      while (r < sorted->len && ((Row *) g_ptr_array_index (sorted, r))->lane == lane)
        {
          RsStation station = ((Row *) g_ptr_array_index (sorted, r))->station;
          double cursor = 0;
          gboolean clustered = FALSE;

          for (; r < sorted->len && ((Row *) g_ptr_array_index (sorted, r))->lane == lane &&
                 ((Row *) g_ptr_array_index (sorted, r))->station == station; r++)
            {
              Row *row = g_ptr_array_index (sorted, r);
              g_autofree char *key = g_strdup_printf ("y|%d|%d|%d", row->lane, row->station, row->order);

              if (IS_STRIP (row))
                continue;
              if (row->cluster != NULL && !clustered)
                {
                  clustered = TRUE;
                  cursor += CLUSTER_LABEL + CLUSTER_PAD;
                }
              row->y = grow (memory, key, cursor);
              cursor = row->y + row->height + GAP_ROW;
            }
          lane_height = MAX (lane_height, cursor - GAP_ROW + (clustered ? CLUSTER_PAD : 0));
        }
      if (lane == RS_LANE_SOURCE)
        lane_height = MAX (lane_height, strip_h);
      lane_height = grow (memory, lane_key, lane_height);
      if (lane == RS_LANE_SIDE)
        {
          height = MAX (height, lane_height);
          continue;
        }
      /* Rows store their lane's top from here on. */
      for (guint k = 0; k < sorted->len; k++)
        {
          Row *row = g_ptr_array_index (sorted, k);

          if (row->lane == lane)
            row->y += top;
        }
      lane_y = top + lane_height + GAP_LANE;
      height = MAX (height, top + lane_height);
      if (lane == RS_LANE_SOURCE && strip_h > lane_height)
        lane_y = strip_h + GAP_LANE;
    }
  height = MAX (height, strip_h);

  /* Positions: heads on the left of their station, items in the column
   * right of the heads, stacked from the top of their row. */
  g_hash_table_iter_init (&iter, rows);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Row *row = value;
      /* A strip's slot: its node centred in it (under its head, if any). */
      double x = IS_STRIP (row) ? row->x : station_x[row->station];
      double axis = IS_STRIP (row) ? row->width : head_axis[row->station];
      double centre = x + MAX (axis, row->head_w) / 2;
      double items_x = axis > 0 && !IS_STRIP (row)
                       ? centre + MAX (head_col[row->station][row->kind], row->head_w) / 2 + GAP_ITEMS : x;
      double y = IS_STRIP (row) && row->head != 0 ? row->y + row->head_h + GAP_ITEM : row->y;

      if (axis > 0 && !IS_STRIP (row))
        {
          g_autofree char *key = g_strdup_printf ("ix|%d|%d|%d", row->lane, row->station, row->order);

          /* Kept when a head wider than its column goes (its buffer's ghost). */
          items_x = grow (memory, key, items_x);
        }

      /* Centred in their columns (heads on their station's axis): a node
       * whose label widens (a slot that fills, a packet with a dts, a
       * buffer freed and drawn as a ghost) keeps its centre. A head wider
       * than its column starts at the column's left: the drawing's left
       * edge must not move. */
      if (row->head != 0)
        {
          const RsGraphNode *node = &g_array_index (graph->nodes, RsGraphNode, row->head - 1);
          Agnode_t *n = agnode (g, (char *) node->name, FALSE);

          set_pos (n, centre, row->y + row->head_h / 2);
        }
      for (guint k = 0; k < row->items->len; k++)
        {
          const RsGraphNode *node = &g_array_index (graph->nodes, RsGraphNode, g_array_index (row->items, guint, k));
          Agnode_t *n = agnode (g, (char *) node->name, FALSE);
          double w = ND_width (n) * 72.0, h = ND_height (n) * 72.0;
          /* A node wider than its column starts at the column's left and
           * spills out on the right, into the gap after the station, not
           * over the heads on its left (a side-data buffer under a frame
           * queue's planes). */
          double column = IS_STRIP (row) ? row->width : items_w[row->station] > 0 ? items_w[row->station] : w;

          set_pos (n, items_x + MAX (column, w) / 2, y + h / 2);
          y += h + GAP_ITEM;
        }
    }

  /* Queue clusters around their slots. */
  for (guint c = 0; c < graph->clusters->len; c++)
    {
      const char *name = g_ptr_array_index (graph->clusters, c);
      Agraph_t *cluster = agsubg (g, (char *) name, FALSE);
      double x0 = G_MAXDOUBLE, x1 = -G_MAXDOUBLE, y0 = G_MAXDOUBLE, y1 = -G_MAXDOUBLE;
      char bb[128];

      for (guint r = 0; r < sorted->len; r++)
        {
          Row *row = g_ptr_array_index (sorted, r);

          if (row->cluster != name)
            continue;
          x0 = MIN (x0, station_x[row->station]);
          x1 = MAX (x1, station_x[row->station] + (head_axis[row->station] + head_col[row->station][row->kind]) / 2);
          y0 = MIN (y0, row->y);
          y1 = MAX (y1, row->y + row->height);
        }
      if (cluster == NULL || x0 > x1)
        continue;
      {
        double corners[4] = { x0 - CLUSTER_PAD, -(y1 + CLUSTER_PAD), x1 + CLUSTER_PAD,
                              -(y0 - CLUSTER_LABEL - CLUSTER_PAD) };

        bb[0] = '\0';
        for (guint k = 0; k < 4; k++)
          {
            char number[G_ASCII_DTOSTR_BUF_SIZE];

            g_ascii_formatd (number, sizeof number, "%.2f", corners[k]);
            g_strlcat (bb, k > 0 ? "," : "", sizeof bb);
            g_strlcat (bb, number, sizeof bb);
          }
      }
      agsafeset (cluster, (char *) "bb", bb, (char *) "");
    }

  /* The corners: the drawing keeps the largest size it had. */
  width = grow (memory, "width", width);
  height = grow (memory, "height", height);
  g_mutex_unlock (&memory->lock);
  set_pos (agnode (g, (char *) "corner_top", FALSE), -CLUSTER_PAD, -CLUSTER_PAD);
  set_pos (agnode (g, (char *) "corner_end", FALSE), width + CLUSTER_PAD, height + CLUSTER_PAD);
}
