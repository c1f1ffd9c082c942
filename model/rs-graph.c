/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-graph"

#include "rs-graph-private.h"
#include "rs-intern.h"

#include "rs-error.h"

#include <errno.h>
#include <graphviz/gvc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the graphviz lock and its messages ---- */

static GRecMutex graphviz_mutex;
static GString *graphviz_messages;   /* guarded by graphviz_mutex */
static guint graphviz_n_messages;

/* graphviz hands each message over in pieces, "Error" (or "Warning"),
 * ": " and the text, which ends with a newline: the pieces are joined as
 * they come, so that a message reads as one line ("Error: Layout type:
 * ..."), not three. */
static int
on_graphviz_message (char *message)
{
  if (graphviz_messages == NULL)
    graphviz_messages = g_string_new (NULL);
  g_string_append (graphviz_messages, message);
  if (g_str_has_suffix (message, "\n"))
    {
      const char *end = graphviz_messages->str + graphviz_messages->len - 1;   /* its newline */
      const char *before = g_strrstr_len (graphviz_messages->str, end - graphviz_messages->str, "\n");
      const char *line = before != NULL ? before + 1 : graphviz_messages->str;

      g_debug ("graphviz: %.*s", (int) (end - line), line);
    }
  g_atomic_int_inc (&graphviz_n_messages);
  return 0;
}

void
rs_graphviz_lock (void)
{
  static gsize installed = 0;

  g_rec_mutex_lock (&graphviz_mutex);
  if (g_once_init_enter (&installed))
    {
      /* Route graphviz's complaints to us instead of stderr. */
      agseterrf (on_graphviz_message);
      g_once_init_leave (&installed, 1);
    }
}

void
rs_graphviz_unlock (void)
{
  g_rec_mutex_unlock (&graphviz_mutex);
}

char *
rs_graphviz_take_messages (void)
{
  char *messages = NULL;

  rs_graphviz_lock ();
  if (graphviz_messages != NULL && graphviz_messages->len > 0)
    messages = g_strstrip (g_strdup (graphviz_messages->str));
  if (messages != NULL && messages[0] == '\0')
    g_clear_pointer (&messages, g_free);
  if (graphviz_messages != NULL)
    g_string_truncate (graphviz_messages, 0);
  rs_graphviz_unlock ();
  return messages;
}

guint
rs_graphviz_get_n_messages (void)
{
  return g_atomic_int_get (&graphviz_n_messages);
}

/* ---- object ids in creation order ---- */

/* cgraph's default discipline uses the address of an object's name as its
 * id, and keeps subgraphs sorted by id: cluster order (and so the DOT text
 * and the layout) would follow malloc. Ids counted in creation order keep
 * both deterministic. Named objects get even ids, anonymous ones odd. */
typedef struct {
  Agraph_t   *g;
  GHashTable *ids;     /* name (a cgraph refstr) -> owned IDTYPE * */
  GPtrArray  *names;   /* refstr names by id / 2 - 1 */
  IDTYPE      anonymous;
} IdState;

static void *
id_open (Agraph_t *g,
         Agdisc_t *disc)
{
  IdState *state = g_new0 (IdState, 1);

  state->g = g;
  state->ids = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  state->names = g_ptr_array_new ();
  state->anonymous = 1;
  return state;
}

static long
id_map (void   *data,
        int     objtype,
        char   *name,
        IDTYPE *id,
        int     create)
{
  IdState *state = data;
  IDTYPE *known;

  if (name == NULL)
    {
      if (!create)
        return FALSE;
      *id = state->anonymous;
      state->anonymous += 2;
      return TRUE;
    }
  known = g_hash_table_lookup (state->ids, name);
  if (known == NULL)
    {
      char *copy;

      if (!create)
        return FALSE;
      /* A cgraph string: agwrite() looks at the header before it. */
      copy = agstrdup (state->g, name);
      known = g_new (IDTYPE, 1);
      *known = 2 * ((IDTYPE) state->names->len + 1);
      g_hash_table_insert (state->ids, copy, known);
      g_ptr_array_add (state->names, copy);
    }
  *id = *known;
  return TRUE;
}

static long
id_alloc (void  *data,
          int    objtype,
          IDTYPE id)
{
  return FALSE;
}

static void
id_free (void  *data,
         int    objtype,
         IDTYPE id)
{
}

static char *
id_print (void  *data,
          int    objtype,
          IDTYPE id)
{
  IdState *state = data;

  if (id % 2 != 0 || id == 0 || id / 2 > state->names->len)
    return NULL;
  return g_ptr_array_index (state->names, id / 2 - 1);
}

static void
id_close (void *data)
{
  IdState *state = data;

  for (guint i = 0; i < state->names->len; i++)
    agstrfree (state->g, g_ptr_array_index (state->names, i));
  g_ptr_array_unref (state->names);
  g_hash_table_unref (state->ids);
  g_free (state);
}

static void
id_register (void *data,
             int   objtype,
             void *obj)
{
}

static Agiddisc_t id_discipline = {
  id_open, id_map, id_alloc, id_free, id_print, id_close, id_register,
};

static Agdisc_t discipline = { &AgMemDisc, &id_discipline, &AgIoDisc };

Agraph_t *
_rs_graph_open (const char *name)
{
  return agopen ((char *) name, Agdirected, &discipline);
}

/* ---- the graph object ---- */

void
rs_graph_options_init (RsGraphOptions *options)
{
  g_return_if_fail (options != NULL);
  *options = (RsGraphOptions) { .fold_threshold = RS_GRAPH_DEFAULT_FOLD_THRESHOLD };
}

void
rs_graph_free (RsGraph *self)
{
  if (self == NULL)
    return;

  rs_graphviz_lock ();
  g_clear_pointer (&self->agraph, agclose);
  rs_graphviz_unlock ();
  g_free (self->topology_key);
  g_array_unref (self->nodes);
  g_hash_table_unref (self->by_name);
  g_hash_table_unref (self->by_handle);
  g_hash_table_unref (self->by_buffer);
  g_ptr_array_unref (self->id_lists);
  g_array_unref (self->places);
  g_ptr_array_unref (self->clusters);
  g_free (self);
}

RsGraph *
_rs_graph_new (void)
{
  RsGraph *self = g_new0 (RsGraph, 1);

  self->nodes = g_array_new (FALSE, TRUE, sizeof (RsGraphNode));
  self->by_name = g_hash_table_new (NULL, NULL);
  self->by_handle = g_hash_table_new (NULL, NULL);
  self->by_buffer = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->id_lists = g_ptr_array_new_with_free_func (g_free);
  self->places = g_array_new (FALSE, TRUE, sizeof (RsGraphPlace));
  self->clusters = g_ptr_array_new ();
  return self;
}

/* Records what a DOT node stands for; returns its index. */
guint
_rs_graph_add_node (RsGraph         *self,
                    RsGraphNodeKind  kind,
                    const char      *name,
                    const char      *handle_id,
                    const char      *holder,
                    const guint64   *buffer_ids,
                    guint            n_buffers)
{
  RsGraphNode node = {
    .kind = kind, .name = rs_intern (name), .handle_id = handle_id,
    .holder = holder, .n_buffers = n_buffers,
    .buffer_id = buffer_ids != NULL && n_buffers > 0 ? buffer_ids[0] : 0,
  };
  guint index = self->nodes->len;

  if (buffer_ids != NULL && n_buffers > 1)
    {
      node.buffer_ids = g_memdup2 (buffer_ids, n_buffers * sizeof (guint64));
      g_ptr_array_add (self->id_lists, (gpointer) node.buffer_ids);
    }
  g_array_append_val (self->nodes, node);
  {
    RsGraphPlace place = { RS_LANE_OTHER, RS_STATION_OTHER, RS_ORDER_SLOT, 0, NULL };
    g_array_append_val (self->places, place);
  }
  g_hash_table_insert (self->by_name, (gpointer) node.name, GUINT_TO_POINTER (index + 1));
  if (handle_id != NULL && !g_hash_table_contains (self->by_handle, handle_id))
    g_hash_table_insert (self->by_handle, (gpointer) handle_id, GUINT_TO_POINTER (index + 1));
  for (guint i = 0; buffer_ids != NULL && i < n_buffers; i++)
    g_hash_table_insert (self->by_buffer, g_memdup2 (&buffer_ids[i], sizeof (guint64)),
                         GUINT_TO_POINTER (index + 1));
  return index;
}

RsGraphPlace *
_rs_graph_last_place (RsGraph *self)
{
  g_assert (self->places->len > 0);
  return &g_array_index (self->places, RsGraphPlace, self->places->len - 1);
}

/* Called once the node list is final: single-buffer nodes point at their own id. */
void
_rs_graph_finish_nodes (RsGraph *self)
{
  for (guint i = 0; i < self->nodes->len; i++)
    {
      RsGraphNode *node = &g_array_index (self->nodes, RsGraphNode, i);

      if (node->n_buffers == 1 && node->buffer_ids == NULL &&
          (node->kind == RS_GRAPH_NODE_BUFFER || node->kind == RS_GRAPH_NODE_GHOST))
        node->buffer_ids = &node->buffer_id;
    }
}

Agraph_t *
rs_graph_get_agraph (RsGraph *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->agraph;
}

const char *
rs_graph_get_topology_key (RsGraph *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->topology_key;
}

gboolean
rs_graph_is_folded (RsGraph *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->folded;
}

guint
rs_graph_get_step (RsGraph *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->step;
}

guint
rs_graph_get_n_nodes (RsGraph *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->nodes->len;
}

const RsGraphNode *
rs_graph_get_node (RsGraph *self,
                   guint    index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->nodes->len, NULL);
  return &g_array_index (self->nodes, RsGraphNode, index);
}

static const RsGraphNode *
node_at (RsGraph *self,
         gpointer index_plus_one)
{
  guint index = GPOINTER_TO_UINT (index_plus_one);

  return index > 0 ? &g_array_index (self->nodes, RsGraphNode, index - 1) : NULL;
}

const RsGraphNode *
rs_graph_find_node (RsGraph    *self,
                    const char *name)
{
  g_return_val_if_fail (self != NULL, NULL);
  if (name == NULL)
    return NULL;
  return node_at (self, g_hash_table_lookup (self->by_name, rs_intern_lookup (name)));
}

const RsGraphNode *
rs_graph_find_handle (RsGraph    *self,
                      const char *handle_id)
{
  g_return_val_if_fail (self != NULL, NULL);
  if (handle_id == NULL)
    return NULL;
  return node_at (self, g_hash_table_lookup (self->by_handle, rs_intern_lookup (handle_id)));
}

const RsGraphNode *
rs_graph_find_buffer (RsGraph *self,
                      guint64  buffer_id)
{
  g_return_val_if_fail (self != NULL, NULL);
  return node_at (self, g_hash_table_lookup (self->by_buffer, &buffer_id));
}

const RsGraphNode *
rs_graph_hit_test (RsGraph *self,
                   double   x,
                   double   y)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = self->nodes->len; i > 0; i--)
    {
      const RsGraphNode *node = &g_array_index (self->nodes, RsGraphNode, i - 1);

      if (node->width > 0 && x >= node->x && x <= node->x + node->width &&
          y >= node->y && y <= node->y + node->height)
        return node;
    }
  return NULL;
}

void
rs_graph_update_geometry (RsGraph *self,
                          double   pad)
{
  boxf bb;

  g_return_if_fail (self != NULL);

  rs_graphviz_lock ();
  bb = GD_bb (self->agraph);
  self->width = bb.UR.x - bb.LL.x + 2 * pad;
  self->height = bb.UR.y - bb.LL.y + 2 * pad;
  for (guint i = 0; i < self->nodes->len; i++)
    {
      RsGraphNode *node = &g_array_index (self->nodes, RsGraphNode, i);
      Agnode_t *n = agnode (self->agraph, (char *) node->name, FALSE);

      if (n == NULL)
        continue;
      /* Graphviz's y goes up from the bounding box's lower left corner. */
      node->width = ND_width (n) * 72.0;
      node->height = ND_height (n) * 72.0;
      node->x = ND_coord (n).x - node->width / 2 - bb.LL.x + pad;
      node->y = bb.UR.y - (ND_coord (n).y + node->height / 2) + pad;
    }
  rs_graphviz_unlock ();
}

void
rs_graph_get_size (RsGraph *self,
                   double  *width,
                   double  *height)
{
  g_return_if_fail (self != NULL);
  if (width != NULL)
    *width = self->width;
  if (height != NULL)
    *height = self->height;
}

char *
rs_graph_to_dot (RsGraph *self,
                 gsize   *length,
                 GError **error)
{
  char *data = NULL;
  size_t size = 0;
  FILE *stream;
  int ret;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stream = open_memstream (&data, &size);
  if (stream == NULL)
    {
      int saved_errno = errno;
      g_set_error (error, RS_ERROR, RS_ERROR_FAILED, "Could not write the graph: %s",
                   g_strerror (saved_errno));
      return NULL;
    }
  rs_graphviz_lock ();
  ret = agwrite (self->agraph, stream);
  rs_graphviz_unlock ();
  if (fclose (stream) != 0 || ret != 0)
    {
      g_set_error (error, RS_ERROR, RS_ERROR_FAILED, "Could not write the graph in the DOT language");
      free (data);
      return NULL;
    }
  if (length != NULL)
    *length = size;
  /* open_memstream allocates with malloc; hand out GLib memory. */
  {
    char *copy = g_strndup (data, size);
    free (data);
    return copy;
  }
}
