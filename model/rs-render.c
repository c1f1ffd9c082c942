/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-render"

#include "rs-render.h"
#include "rs-error.h"
#include "rs-graph-place.h"
#include "rs-graph-private.h"

#include <dlfcn.h>
#include <glib-object.h>
#include <graphviz/gvc.h>
#include <graphviz/gvplugin.h>
#include <graphviz/gvplugin_textlayout.h>
#include <math.h>
#include <string.h>

/* Graphviz's own label constructor and destructor (lib/common/labels.c). They
 * are exported by libgvc but not declared in its public headers; re-making a
 * label in place is what lets a step reuse the previous step's layout. */
extern textlabel_t *make_label (void *obj, char *str, int kind, double fontsize,
                                char *fontname, char *fontcolor);
extern void free_label (textlabel_t *label);
/* The same (lib/common/splines.c): clips a bezier to its end nodes (and
 * ports), makes room for the arrowheads and gives it to the edge. */
extern void clip_and_install (edge_t *fe, node_t *hn, pointf *ps, int pn, splineInfo *info);
/* lib/common/utils.c: the point at `t` of a bezier of `degree`. */
extern pointf Bezier (pointf *points, int degree, double t, pointf *left, pointf *right);
#define RS_LT_NONE 0
#define RS_LT_HTML (1 << 1)

/* Labels may shrink freely, grow by this much (points) at most. */
#define LABEL_SLACK 0.5

struct _RsRender {
  RsGraph         *graph;         /* laid out, owned */
  GHashTable      *label_sizes;   /* textlabel_t ** (slot in graphviz's records) -> pointf * */
  cairo_surface_t *surface;       /* recording, owned */
  RsLayoutMemory  *memory;        /* where nodes were put; maybe shared with other renders */
  double           width;
  double           height;
  guint            n_layouts;
  gboolean         relayout;      /* forget_layout: lay the next graph out afresh */
};

/* ---- text sizes, measured once ----
 *
 * Sizing the text of labels with pango is most of a layout's cost, and
 * consecutive steps show mostly the same text. Graphviz asks its text layout
 * plugin (pango's) for each span of text; a plugin of ours, preferred over
 * pango's, answers from a cache keyed by the span's text and font and asks
 * pango only for text it has not seen. The cached PangoLayout is shared by
 * every span showing that text (each holds a reference), and the cairo
 * renderer draws it as it would pango's own.
 *
 * Graphviz exports gvtextlayout_select() without declaring it; pango's text
 * layout engine is found in its plugin library's public plugin table. */
extern int gvtextlayout_select (GVC_t *gvc);

#define TEXT_CACHE_MAX 8192

typedef struct {
  gpointer layout;                      /* a PangoLayout, one reference */
  void   (*free_layout) (void *layout);
  double   yoffset_layout, yoffset_centerline;
  pointf   size;
  boolean  ok;
} TextSize;

static gvtextlayout_engine_t *pango_engine;   /* guarded by the graphviz lock */
static GHashTable *text_sizes;                /* key -> TextSize *; same */

static void
text_size_free (gpointer data)
{
  TextSize *entry = data;

  if (entry->layout != NULL && entry->free_layout != NULL)
    entry->free_layout (entry->layout);
  g_free (entry);
}

/* "font\037size in 1/1000 pt\037flags\037text", built by hand: this runs for
 * every span of every label of every layout. */
static char *
text_key (const textspan_t *span)
{
  const char *font = span->font->name != NULL ? span->font->name : "";
  gsize font_len = strlen (font), str_len = strlen (span->str);
  char numbers[48];
  int numbers_len = g_snprintf (numbers, sizeof numbers, "\037%ld\037%u\037",
                                (long) (span->font->size * 1000 + 0.5), (unsigned) span->font->flags);
  char *key = g_malloc (font_len + numbers_len + str_len + 1);

  memcpy (key, font, font_len);
  memcpy (key + font_len, numbers, numbers_len);
  memcpy (key + font_len + numbers_len, span->str, str_len + 1);
  return key;
}

static boolean
cached_textlayout (textspan_t *span,
                   char      **fontpath)
{
  g_autofree char *key = NULL;
  TextSize *entry;
  boolean ok;

  /* Verbose runs want the font's path from pango itself. */
  if (fontpath != NULL || span->font == NULL || span->str == NULL)
    return pango_engine->textlayout (span, fontpath);

  key = text_key (span);
  entry = g_hash_table_lookup (text_sizes, key);
  if (entry != NULL)
    {
      span->layout = entry->layout != NULL ? g_object_ref (entry->layout) : NULL;
      span->free_layout = entry->free_layout;
      span->yoffset_layout = entry->yoffset_layout;
      span->yoffset_centerline = entry->yoffset_centerline;
      span->size = entry->size;
      return entry->ok;
    }

  ok = pango_engine->textlayout (span, NULL);
  /* Only what is known to be a GObject can be shared. */
  if (span->layout != NULL && !G_IS_OBJECT (span->layout))
    return ok;
  if (g_hash_table_size (text_sizes) >= TEXT_CACHE_MAX)
    g_hash_table_remove_all (text_sizes);
  entry = g_new0 (TextSize, 1);
  entry->layout = span->layout != NULL ? g_object_ref (span->layout) : NULL;
  entry->free_layout = span->free_layout;
  entry->yoffset_layout = span->yoffset_layout;
  entry->yoffset_centerline = span->yoffset_centerline;
  entry->size = span->size;
  entry->ok = ok;
  g_hash_table_insert (text_sizes, g_steal_pointer (&key), entry);
  return ok;
}

static gvtextlayout_engine_t cached_engine = { cached_textlayout };

static gvplugin_installed_t cached_types[] = {
  { 0, "textlayout", 100, &cached_engine, NULL },
  { 0, NULL, 0, NULL, NULL },
};

static gvplugin_api_t cached_apis[] = {
  { API_textlayout, cached_types },
  { (api_t) 0, NULL },
};

static gvplugin_library_t cached_library = { (char *) "refscope_text", cached_apis };

/* pango's text layout engine, from the plugin graphviz has loaded. */
static gvtextlayout_engine_t *
find_pango_engine (void)
{
  gvtextlayout_engine_t *engine = NULL;
  void *plugin = dlopen ("libgvplugin_pango.so.6", RTLD_LAZY | RTLD_NOLOAD);
  gvplugin_library_t *library = plugin != NULL ? dlsym (plugin, "gvplugin_pango_LTX_library") : NULL;

  for (gvplugin_api_t *api = library != NULL ? library->apis : NULL; api != NULL && api->types != NULL; api++)
    for (gvplugin_installed_t *type = api->types; api->api == API_textlayout && type->type != NULL; type++)
      if (strcmp (type->type, "textlayout") == 0 && engine == NULL)
        engine = type->engine;
  if (plugin != NULL)
    dlclose (plugin);   /* graphviz keeps it loaded */
  return engine;
}

static void
install_text_cache (GVC_t *context)
{
  pango_engine = find_pango_engine ();
  if (pango_engine == NULL || pango_engine->textlayout == NULL)
    {
      g_debug ("pango's text layout plugin not found: text sizes are not cached");
      return;
    }
  text_sizes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, text_size_free);
  gvAddLibrary (context, &cached_library);
  gvtextlayout_select (context);
}

/* One graphviz context for the process: it loads the plugins once. */
static GVC_t *
get_context (void)
{
  static GVC_t *context;

  if (context == NULL)
    {
      context = gvContext ();
      install_text_cache (context);
    }
  return context;
}

/* pad="0.1" (inches) in rs-graph-build.c's graph attributes. */
static double
graph_pad (Agraph_t *g)
{
  const char *pad = agget (g, (char *) "pad");

  return pad != NULL && pad[0] != '\0' ? g_ascii_strtod (pad, NULL) * 72.0 : 4.0;
}

RsRender *
rs_render_new (void)
{
  RsRender *self = g_new0 (RsRender, 1);

  self->label_sizes = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->memory = rs_layout_memory_new ();
  return self;
}

/* graphviz keeps global pointers to the attributes of the graph it laid
 * out last (N_fontname, E_penwidth, …) and reads them when it draws any
 * graph. Every graph rs-graph-build.c makes declares the same attributes
 * in the same order (_rs_graph_builder_declare_attributes, rs-graph-nodes.c),
 * so they serve for all of them, as long as that graph lives: the graph
 * laid out last is kept until another is laid out, even when its render is
 * done with it (an export's render, freed at once, would otherwise leave
 * the window's next drawing reading freed memory).
 * Both under the graphviz lock. */
static Agraph_t *laid_out_last;   /* whose attributes the globals point at */
static RsGraph  *kept_for_graphviz; /* owned: laid out last, its render gone */

/* Before `graph` is laid out: graphviz's globals will point at its
 * attributes, so the graph kept for them can go. */
static void
note_layout (RsGraph *graph)
{
  laid_out_last = rs_graph_get_agraph (graph);
  if (kept_for_graphviz != NULL && kept_for_graphviz != graph)
    g_clear_pointer (&kept_for_graphviz, rs_graph_free);
}

/* Frees `graph` (owned), laid out or not, unless graphviz's globals point
 * at it: then it is kept until the next layout. */
static void
release_graph (RsGraph *graph)
{
  rs_graphviz_lock ();
  gvFreeLayout (get_context (), rs_graph_get_agraph (graph));
  if (rs_graph_get_agraph (graph) == laid_out_last)
    {
      g_assert (kept_for_graphviz == NULL || kept_for_graphviz == graph);
      kept_for_graphviz = graph;
    }
  else
    {
      rs_graph_free (graph);
    }
  rs_graphviz_unlock ();
}

static void
drop_graph (RsRender *self)
{
  if (self->graph == NULL)
    return;
  release_graph (g_steal_pointer (&self->graph));
  g_hash_table_remove_all (self->label_sizes);
}

void
rs_render_free (RsRender *self)
{
  if (self == NULL)
    return;
  drop_graph (self);
  g_hash_table_unref (self->label_sizes);
  g_clear_pointer (&self->surface, cairo_surface_destroy);
  rs_layout_memory_unref (self->memory);
  g_free (self);
}

/* ---- layout reuse ---- */

static void
remember_label (RsRender     *self,
                textlabel_t **slot)
{
  if (*slot != NULL)
    g_hash_table_insert (self->label_sizes, slot, g_memdup2 (&(*slot)->dimen, sizeof (pointf)));
}

static void
remember_graph_labels (RsRender *self,
                       Agraph_t *g)
{
  remember_label (self, &GD_label (g));
  for (Agraph_t *sub = agfstsubg (g); sub != NULL; sub = agnxtsubg (sub))
    remember_graph_labels (self, sub);
}

/* The sizes labels had when the layout was made: later labels must fit. */
static void
remember_labels (RsRender *self,
                 Agraph_t *g)
{
  remember_graph_labels (self, g);
  for (Agnode_t *n = agfstnode (g); n != NULL; n = agnxtnode (g, n))
    {
      remember_label (self, &ND_label (n));
      for (Agedge_t *e = agfstout (g, n); e != NULL; e = agnxtout (g, e))
        {
          remember_label (self, &ED_label (e));
          remember_label (self, &ED_head_label (e));
          remember_label (self, &ED_tail_label (e));
          remember_label (self, &ED_xlabel (e));
        }
    }
}

/* Replaces the laid-out label in `slot` of object `obj` by one made from
 * `text`; FALSE if it would not fit the space the layout gave the old one. */
static gboolean
remake_label (RsRender     *self,
              void         *obj,
              textlabel_t **slot,
              char         *text)
{
  textlabel_t *old = *slot;
  textlabel_t *label;
  pointf *size = g_hash_table_lookup (self->label_sizes, slot);
  pointf room;

  if (old == NULL || size == NULL)
    return text == NULL || text[0] == '\0';

  /* A graph's or cluster's title may use the whole width of its box. */
  room = *size;
  if (AGTYPE (obj) == AGRAPH)
    room.x = MAX (room.x, GD_bb ((Agraph_t *) obj).UR.x - GD_bb ((Agraph_t *) obj).LL.x);

  label = make_label (obj, text, aghtmlstr (text) ? RS_LT_HTML : RS_LT_NONE,
                      old->fontsize, old->fontname, old->fontcolor);
  if (label->dimen.x > room.x + LABEL_SLACK || label->dimen.y > room.y + LABEL_SLACK)
    {
      g_debug ("the label of %s grew from %g×%g to %g×%g", agnameof (obj),
               size->x, size->y, label->dimen.x, label->dimen.y);
      free_label (label);
      return FALSE;
    }
  label->pos = old->pos;
  /* Graph and cluster titles are left-justified (labeljust=l): the new
   * one starts where the old one did. */
  if (AGTYPE (obj) == AGRAPH)
    label->pos.x += (label->dimen.x - old->dimen.x) / 2;
  label->space = old->space;
  label->set = old->set;
  label->valign = old->valign;
  free_label (old);
  *slot = label;
  return TRUE;
}

static textlabel_t **
label_slot (void       *obj,
            const char *name)
{
  switch (AGTYPE (obj))
    {
    case AGRAPH:
      return strcmp (name, "label") == 0 ? &GD_label ((Agraph_t *) obj) : NULL;
    case AGNODE:
      return strcmp (name, "label") == 0 ? &ND_label ((Agnode_t *) obj) : NULL;
    default:
      if (strcmp (name, "label") == 0)
        return &ED_label ((Agedge_t *) obj);
      if (strcmp (name, "taillabel") == 0)
        return &ED_tail_label ((Agedge_t *) obj);
      if (strcmp (name, "headlabel") == 0)
        return &ED_head_label ((Agedge_t *) obj);
      if (strcmp (name, "xlabel") == 0)
        return &ED_xlabel ((Agedge_t *) obj);
      return NULL;
    }
}

/* Copies every attribute of `from` (new graph) that differs onto `to` (laid
 * out), re-making labels. */
static gboolean
transfer_attributes (RsRender *self,
                     Agraph_t *from_root,
                     Agraph_t *to_root,
                     void     *from,
                     void     *to,
                     int       kind)
{
  for (Agsym_t *sym = agnxtattr (from_root, kind, NULL); sym != NULL; sym = agnxtattr (from_root, kind, sym))
    {
      Agsym_t *to_sym = agattr (to_root, kind, sym->name, NULL);
      char *value = agxget (from, sym);
      textlabel_t **slot;

      if (to_sym == NULL)
        return FALSE;
      if (strcmp (value, agxget (to, to_sym)) == 0 && aghtmlstr (value) == aghtmlstr (agxget (to, to_sym)))
        continue;

      if (aghtmlstr (value))
        {
          char *html = agstrdup_html (to_root, value);
          agxset (to, to_sym, html);
          agstrfree (to_root, html);
        }
      else
        agxset (to, to_sym, value);

      slot = label_slot (to, sym->name);
      if (slot != NULL && !remake_label (self, to, slot, agxget (to, to_sym)))
        return FALSE;
    }
  return TRUE;
}

static gboolean
transfer_subgraphs (RsRender *self,
                    Agraph_t *from_root,
                    Agraph_t *to_root,
                    Agraph_t *from,
                    Agraph_t *to)
{
  Agraph_t *a, *b;

  if (!transfer_attributes (self, from_root, to_root, from, to, AGRAPH))
    return FALSE;
  for (a = agfstsubg (from), b = agfstsubg (to); a != NULL && b != NULL; a = agnxtsubg (a), b = agnxtsubg (b))
    if (strcmp (agnameof (a), agnameof (b)) != 0 || !transfer_subgraphs (self, from_root, to_root, a, b))
      return FALSE;
  return a == NULL && b == NULL;
}

/* Moves the labels and colours of `next` onto the laid-out graph. Same
 * topology key, so both graphs have the same objects in the same order. */
static gboolean
transfer_graph (RsRender *self,
                RsGraph  *next)
{
  Agraph_t *from = rs_graph_get_agraph (next);
  Agraph_t *to = rs_graph_get_agraph (self->graph);
  Agnode_t *na, *nb;

  if (!transfer_subgraphs (self, from, to, from, to))
    return FALSE;
  for (na = agfstnode (from), nb = agfstnode (to); na != NULL && nb != NULL;
       na = agnxtnode (from, na), nb = agnxtnode (to, nb))
    {
      Agedge_t *ea, *eb;

      if (strcmp (agnameof (na), agnameof (nb)) != 0 ||
          !transfer_attributes (self, from, to, na, nb, AGNODE))
        return FALSE;
      for (ea = agfstout (from, na), eb = agfstout (to, nb); ea != NULL && eb != NULL;
           ea = agnxtout (from, ea), eb = agnxtout (to, eb))
        if (strcmp (agnameof (aghead (ea)), agnameof (aghead (eb))) != 0 ||
            !transfer_attributes (self, from, to, ea, eb, AGEDGE))
          return FALSE;
      if (ea != NULL || eb != NULL)
        return FALSE;
    }
  return na == NULL && nb == NULL;
}

/* ---- drawing ---- */

static gboolean
record_drawing (RsRender *self,
                GError  **error)
{
  Agraph_t *g = rs_graph_get_agraph (self->graph);
  cairo_rectangle_t extents = { 0, 0, self->width, self->height };
  cairo_surface_t *surface = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, &extents);
  cairo_surface_t *window;
  cairo_t *cr;
  g_autofree char *background = g_strdup (agget (g, (char *) "bgcolor"));
  int ret;

  /* The cairo renderer finishes its target surface when a page ends; a
   * sub-surface takes that in place of the recording surface. The "svg"
   * device is used because it draws to the caller's context and writes
   * nothing out ("png" would encode the surface to stdout). */
  window = cairo_surface_create_for_rectangle (surface, 0, 0, self->width, self->height);
  cr = cairo_create (window);
  agsafeset (g, (char *) "bgcolor", (char *) "transparent", (char *) "");
  ret = gvRenderContext (get_context (), g, "svg:cairo", cr);
  agsafeset (g, (char *) "bgcolor", background != NULL ? background : (char *) "", (char *) "");
  cairo_destroy (cr);
  cairo_surface_destroy (window);

  if (ret != 0 || cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      g_autofree char *messages = rs_graphviz_take_messages ();

      g_set_error (error, RS_ERROR, RS_ERROR_FAILED, "Could not draw the graph of step %u: %s",
                   RS_STEP_NUMBER (rs_graph_get_step (self->graph)), messages != NULL ? messages : "graphviz failed");
      cairo_surface_destroy (surface);
      return FALSE;
    }
  g_clear_pointer (&self->surface, cairo_surface_destroy);
  self->surface = surface;
  return TRUE;
}

static boolean
never (void *object)
{
  return FALSE;
}

/* An edge as one bezier leaving its tail's port sideways and entering its
 * head sideways: the nodes are on a grid of rows and columns
 * (rs-graph-place.c), a ref's buffer right of its row. Graphviz's own
 * routers cost most of a layout, and its triangulation can abort on such
 * aligned boxes. Edge labels (×N) go at the curve's middle. */
static void
route_edge (Agedge_t *e)
{
  static splineInfo info = { (boolean (*) (edge_t *)) never, (boolean (*) (node_t *)) never, TRUE, FALSE };
  Agnode_t *tail = agtail (e), *head = aghead (e);
  pointf p = { ND_coord (tail).x + ED_tail_port (e).p.x, ND_coord (tail).y + ED_tail_port (e).p.y };
  pointf q = { ND_coord (head).x + ED_head_port (e).p.x, ND_coord (head).y + ED_head_port (e).p.y };
  double dx = q.x - p.x;
  double bend = MAX (fabs (dx) / 2, 24.0) * (dx >= 0 ? 1 : -1);
  pointf points[4] = { p, { p.x + bend, p.y }, { q.x - bend, q.y }, q };
  splines *spl;

  if (tail == head)
    return;
  /* Leave a port at the side of the node it faces. */
  if (ED_tail_port (e).defined)
    points[0].x = ND_coord (tail).x + (dx >= 0 ? 1 : -1) * ND_width (tail) * 36.0 - (dx >= 0 ? 1 : -1);
  clip_and_install (e, head, points, 4, &info);
  spl = ED_spl (e);
  if (spl == NULL)
    return;
  /* The box the renderer tests against what it draws. */
  spl->bb = (boxf) { { G_MAXDOUBLE, G_MAXDOUBLE }, { -G_MAXDOUBLE, -G_MAXDOUBLE } };
  for (int i = 0; i < spl->size; i++)
    for (int k = 0; k < spl->list[i].size; k++)
      {
        pointf pt = spl->list[i].list[k];

        spl->bb.LL.x = MIN (spl->bb.LL.x, pt.x);
        spl->bb.LL.y = MIN (spl->bb.LL.y, pt.y);
        spl->bb.UR.x = MAX (spl->bb.UR.x, pt.x);
        spl->bb.UR.y = MAX (spl->bb.UR.y, pt.y);
      }
  if (ED_label (e) != NULL)
    {
      bezier *bz = &spl->list[0];
      pointf mid = bz->size >= 4 ? Bezier (bz->list, 3, 0.5, NULL, NULL) : bz->list[0];

      ED_label (e)->pos = (pointf) { mid.x, mid.y + ED_label (e)->dimen.y / 2 + 1 };
      ED_label (e)->set = TRUE;
    }
}

/* Each station's widest head and item of each kind of row
 * (_rs_graph_widest_nodes()), measured once; guarded by the graphviz lock. */
static gboolean widest_measured;
static double widest_heads[RS_N_STATIONS][RS_N_ROW_KINDS], widest_items[RS_N_STATIONS][RS_N_ROW_KINDS];

/* Lays `g` out in two passes of neato -n2 (node positions as given), no
 * edges routed by graphviz: the first, every node at the origin, only
 * sizes the nodes; rs-graph-place.c then decides where each goes; the
 * second places them and the queue clusters; route_edge() draws the edges. */
static gboolean
place_and_route (RsRender *self,
                 RsGraph  *graph)
{
  Agraph_t *g = rs_graph_get_agraph (graph);
  Agsym_t *splines = agattr (g, AGRAPH, (char *) "splines", (char *) "");
  boxf bb;

  agattr (g, AGNODE, (char *) "pos", (char *) "0,0");
  agattr (g, AGRAPH, (char *) "bb", (char *) "");
  agxset (g, splines, (char *) "none");
  note_layout (graph);
  if (!widest_measured)
    {
      /* The same for every graph: the labels' grammar and fonts. */
      _rs_graph_widest_nodes (get_context (), widest_heads, widest_items);
      widest_measured = TRUE;
    }
  if (gvLayout (get_context (), g, "nop2") != 0)
    return FALSE;
  _rs_graph_place (graph, self->memory, widest_heads, widest_items);
  gvFreeLayout (get_context (), g);
  if (gvLayout (get_context (), g, "nop2") != 0)
    return FALSE;
  /* The drawing is the grid's (its corners): an edge bulging out of it
   * must not move the origin every node is measured from. */
  bb = GD_bb (g);
  for (Agnode_t *n = agfstnode (g); n != NULL; n = agnxtnode (g, n))
    for (Agedge_t *e = agfstout (g, n); e != NULL; e = agnxtout (g, e))
      route_edge (e);
  GD_bb (g) = bb;

  /* The layout is in graphviz's records now; the attributes that asked
   * for it go, so the graph's DOT is the same as before its layout. */
  for (Agnode_t *n = agfstnode (g); n != NULL; n = agnxtnode (g, n))
    agset (n, (char *) "pos", (char *) "");
  for (Agraph_t *sub = agfstsubg (g); sub != NULL; sub = agnxtsubg (sub))
    if (strcmp (agget (sub, (char *) "bb"), "") != 0)
      agset (sub, (char *) "bb", (char *) "");
  agattr (g, AGNODE, (char *) "pos", (char *) "");
  agxset (g, splines, (char *) "");
  return TRUE;
}

static gboolean
layout_graph (RsRender *self,
              RsGraph  *graph,
              GError  **error)
{
  Agraph_t *g = rs_graph_get_agraph (graph);

  g_free (rs_graphviz_take_messages ());
  if (!place_and_route (self, graph))
    {
      g_autofree char *messages = rs_graphviz_take_messages ();

      g_set_error (error, RS_ERROR, RS_ERROR_FAILED, "Could not lay out the graph of step %u: %s",
                   RS_STEP_NUMBER (rs_graph_get_step (graph)), messages != NULL ? messages : "graphviz failed");
      release_graph (graph);
      return FALSE;
    }
  self->n_layouts++;
  drop_graph (self);
  self->graph = graph;
  remember_labels (self, g);
  rs_graph_update_geometry (graph, graph_pad (g));
  rs_graph_get_size (graph, &self->width, &self->height);
  return TRUE;
}

gboolean
rs_render_set_graph (RsRender *self,
                     RsGraph  *graph,
                     GError  **error)
{
  gboolean reused = FALSE;
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (graph != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  rs_graphviz_lock ();
  if (self->graph != NULL && !self->relayout &&
      strcmp (rs_graph_get_topology_key (self->graph), rs_graph_get_topology_key (graph)) == 0)
    {
      reused = transfer_graph (self, graph);
      if (reused)
        {
          self->graph->step = graph->step;
          rs_graph_free (graph);
        }
      else
        {
          /* A label outgrew its box: the half-updated graph is dropped. */
          g_debug ("step %u: labels changed size, laying out again", graph->step);
        }
    }
  ok = reused || layout_graph (self, graph, error);
  if (ok && !reused)
    self->relayout = FALSE;
  if (ok)
    ok = record_drawing (self, error);
  rs_graphviz_unlock ();
  return ok;
}

gboolean
rs_render_update (RsRender             *self,
                  RsSnapshot           *snapshot,
                  RsDiff               *diff,
                  const RsGraphOptions *options,
                  GError              **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (snapshot != NULL, FALSE);

  return rs_render_set_graph (self, rs_graph_build (snapshot, diff, options), error);
}

RsGraph *
rs_render_get_graph (RsRender *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->graph;
}

void
rs_render_get_size (RsRender *self,
                    double   *width,
                    double   *height)
{
  g_return_if_fail (self != NULL);
  if (width != NULL)
    *width = self->width;
  if (height != NULL)
    *height = self->height;
}

void
rs_render_draw (RsRender *self,
                cairo_t  *cr)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (cr != NULL);

  if (self->surface == NULL)
    return;
  cairo_save (cr);
  cairo_set_source_surface (cr, self->surface, 0, 0);
  cairo_paint (cr);
  cairo_restore (cr);
}

cairo_surface_t *
rs_render_get_surface (RsRender *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->surface;
}

const RsGraphNode *
rs_render_hit_test (RsRender *self,
                    double    x,
                    double    y)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->graph != NULL ? rs_graph_hit_test (self->graph, x, y) : NULL;
}

void
rs_render_share_layout (RsRender *self,
                        RsRender *other)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (other != NULL);

  if (self->memory == other->memory)
    return;
  rs_layout_memory_unref (self->memory);
  self->memory = rs_layout_memory_ref (other->memory);
}

void
rs_render_forget_layout (RsRender *self)
{
  g_return_if_fail (self != NULL);
  rs_layout_memory_clear (self->memory);
  self->relayout = TRUE;
}

guint
rs_render_get_n_layouts (RsRender *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_layouts;
}

/* Graphviz writes each span of a label as its own <text>, at its own x,
 * with the space between spans at the start of the next (" reader"). SVG
 * readers drop spaces at the ends of a text unless told to keep them
 * (librsvg and browsers drew "AVPacketreader"): the drawing says so once,
 * on its root element. */
static GBytes *
keep_svg_spaces (const char *svg,
                 gsize       length)
{
  const char *root = g_strstr_len (svg, length, "<svg");
  GString *out;

  if (root == NULL)
    return g_bytes_new (svg, length);
  out = g_string_sized_new (length + 32);
  g_string_append_len (out, svg, root + 4 - svg);
  g_string_append (out, " xml:space=\"preserve\"");
  g_string_append_len (out, root + 4, svg + length - (root + 4));
  return g_string_free_to_bytes (out);
}

GBytes *
rs_render_to_bytes (RsRender   *self,
                    const char *format,
                    GError    **error)
{
  static const char *const devices[][2] = {
    { "png", "png:cairo" }, { "svg", "svg:svg" }, { "pdf", "pdf:cairo" },
  };
  const char *device = NULL;
  char *data = NULL;
  unsigned int length = 0;
  GBytes *bytes;
  int ret;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (format != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->graph == NULL)
    {
      g_set_error (error, RS_ERROR, RS_ERROR_FAILED, "There is no graph to export yet");
      return NULL;
    }
  if (g_ascii_strcasecmp (format, "dot") == 0)
    {
      gsize size = 0;
      char *dot = rs_graph_to_dot (self->graph, &size, error);

      return dot != NULL ? g_bytes_new_take (dot, size) : NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (devices); i++)
    if (g_ascii_strcasecmp (format, devices[i][0]) == 0)
      device = devices[i][1];
  if (device == NULL)
    {
      g_set_error (error, RS_ERROR, RS_ERROR_FAILED,
                   "Unknown export format “%s” (expected png, svg, pdf or dot)", format);
      return NULL;
    }

  rs_graphviz_lock ();
  g_free (rs_graphviz_take_messages ());
  ret = gvRenderData (get_context (), rs_graph_get_agraph (self->graph), device, &data, &length);
  if (ret != 0 || data == NULL)
    {
      g_autofree char *messages = rs_graphviz_take_messages ();

      g_set_error (error, RS_ERROR, RS_ERROR_FAILED, "Could not render the graph as %s: %s",
                   format, messages != NULL ? messages : "graphviz failed");
      if (data != NULL)
        gvFreeRenderData (data);
      rs_graphviz_unlock ();
      return NULL;
    }
  if (g_ascii_strcasecmp (format, "svg") == 0)
    bytes = keep_svg_spaces (data, length);
  else
    bytes = g_bytes_new (data, length);
  gvFreeRenderData (data);
  rs_graphviz_unlock ();
  return bytes;
}
