/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-graph-private.h: shared by rs-graph.c (the object, queries, the
 * graphviz lock), rs-graph-build.c (snapshot to cgraph) and rs-graph-label.c
 * (colours and HTML-like labels).
 */
#pragma once

#include "rs-graph.h"

G_BEGIN_DECLS

/* Where a node goes (rs-graph-place.c): a lane (a stream), a station along
 * it, a row of that station. A row's head is a handle or a libav part; the
 * buffers it holds are the row's items, drawn right of it. */
#define RS_LANE_SOURCE G_MININT   /* the reader's strip, above every lane */
#define RS_LANE_SIDE   G_MAXINT   /* what no handle holds and no stream owns: in
                                   * the reader's strip (rs-graph-place.c); the
                                   * legend (order 1000) right of every lane */
#define RS_LANE_OTHER  (-1)       /* handles of no stream: a lesson's variables */
#define RS_LANE_LOOSE  (-2)       /* what no handle holds and no stream owns:
                                   * rs-graph-place.c makes it RS_LANE_SIDE in a
                                   * session with stream lanes, else RS_LANE_OTHER */
#define RS_ORDER_SLOT  (-1)       /* a row that comes and goes: given a free slot */

typedef enum {
  RS_STATION_PACKETS,   /* a packet queue; a lesson's variables */
  RS_STATION_DECODER,   /* input packet, the decoder, output frame, pictures only it holds */
  RS_STATION_FRAMES,    /* a frame queue */
  RS_STATION_OTHER,     /* other libav parts, lost references, anything else */
  RS_N_STATIONS
} RsStation;

typedef struct {
  int         lane;
  RsStation   station;
  int         order;     /* the row's rank in its station, or RS_ORDER_SLOT */
  guint       row_head;  /* an item: index + 1 of its row's head node; 0: a head, or
                          * an item making a row of its own */
  const char *cluster;   /* the queue cluster the row is drawn in, or NULL */
  gboolean    packet;    /* the row's head is a packet's handle (RsRowKind) */
} RsGraphPlace;

/* The kinds of row a station's columns are sized for, each on its own: a
 * packet's row (its handle, its one buffer) and any other (a frame and its
 * planes and side data, the decoder and the pictures only it holds). */
typedef enum {
  RS_ROW_PACKET,
  RS_ROW_OTHER,
  RS_N_ROW_KINDS
} RsRowKind;

struct _RsGraph {
  Agraph_t   *agraph;        /* owned */
  guint       step;
  gboolean    folded;
  char       *topology_key;  /* owned */
  GArray     *nodes;         /* RsGraphNode, in creation order */
  GHashTable *by_name;       /* interned name -> index + 1 */
  GHashTable *by_handle;     /* interned handle id -> index + 1 */
  GHashTable *by_buffer;     /* guint64 * (owned) -> index + 1 */
  GPtrArray  *id_lists;      /* owned guint64 arrays of folded nodes */
  GArray     *places;        /* RsGraphPlace, one per node */
  GPtrArray  *clusters;      /* interned names of the queue clusters */
  double      width;
  double      height;
};

/* The place of the node made last (default: a slot of the "other" station). */
RsGraphPlace *_rs_graph_last_place (RsGraph        *graph);
/* Decides where every node goes, from their sizes in the laid-out `agraph`
 * (any layout; only ND_width/ND_height are read), and writes it as `pos`
 * of nodes and `bb` of queue clusters, for graphviz's neato -n2. Call with
 * the graphviz lock held. */
/* `widest_heads` and `widest_items`: each station's widest head and item
 * of each kind of row (_rs_graph_widest_nodes()), the least its columns
 * are given for that kind. */
struct _RsLayoutMemory;
void          _rs_graph_place      (RsGraph                *graph,
                                    struct _RsLayoutMemory *memory,
                                    const double            widest_heads[RS_N_STATIONS][RS_N_ROW_KINDS],
                                    const double            widest_items[RS_N_STATIONS][RS_N_ROW_KINDS]);
/* The width (points) of the widest head and item a row of each kind of
 * each station can have in a decode session (rs-graph-probe.c), 0 where it
 * has none, sized in `gvc` (the context the graph is laid out in).
 * Graphviz lock held. */
struct GVC_s;
void          _rs_graph_widest_nodes (struct GVC_s *gvc,
                                      double        head_w[RS_N_STATIONS][RS_N_ROW_KINDS],
                                      double        items_w[RS_N_STATIONS][RS_N_ROW_KINDS]);

RsGraph *_rs_graph_new          (void);
/* agopen() with ids given in creation order (deterministic subgraph order). */
Agraph_t *_rs_graph_open        (const char      *name);
guint    _rs_graph_add_node     (RsGraph         *graph,
                                 RsGraphNodeKind  kind,
                                 const char      *name,
                                 const char      *handle_id,
                                 const char      *holder,
                                 const guint64   *buffer_ids,
                                 guint            n_buffers);
void     _rs_graph_finish_nodes (RsGraph         *graph);

/* Buffers drawn as one node when the graph is folded (rs-graph-fold.c). */
typedef struct {
  GArray   *ids;    /* guint64, in drawing order */
  Agnode_t *node;   /* set once drawn */
} RsGraphGroup;

void _rs_graph_group_free     (gpointer    group);
/* Adds a group of `ids` (a guint64 array, referenced) to both tables. */
void _rs_graph_add_group      (GHashTable *groups,
                               GPtrArray  *group_list,
                               GArray     *ids);
/* Fills `groups` (guint64 * buffer id -> RsGraphGroup *, borrowed from
 * `group_list`) and `group_list` (owned groups) for `snapshot`. */
void _rs_graph_compute_groups (RsSnapshot *snapshot,
                               GHashTable *groups,
                               GPtrArray  *group_list);

/* Adds to `groups` the runs of buffers only libav holds (a reference
 * picture's planes: same kind, birth, holder and count), pictures only if
 * `pictures_only`. */
void _rs_graph_group_libav_runs (RsSnapshot *snapshot,
                                 GHashTable *groups,
                                 GPtrArray  *group_list,
                                 gboolean    pictures_only);

/* A run of full queue slots drawn as one node: indexes into the queue's
 * slot-ordered handles. */
#define RS_GRAPH_RUN_KEEP 2   /* full slots kept at each end of a run */
#define RS_GRAPH_RUN_MIN  4   /* fold only runs that hide this many slots or more */

typedef struct {
  guint first, last;
} RsGraphRun;

/* Fills `runs` (RsGraphRun) with the foldable runs of `queue` (const
 * RsHandle *, in slot order). */
void _rs_graph_find_full_runs (GPtrArray  *queue,
                               GArray     *runs);
/* Groups the buffers of the run's slots into one node. */
void _rs_graph_group_run      (GPtrArray  *queue,
                               RsGraphRun *run,
                               GHashTable *groups,
                               GPtrArray  *group_list);

/* Colours, as graphviz colour strings. */
typedef struct {
  const char *background, *text, *faint, *border, *edge, *cluster, *body;
  const char *packet_header, *frame_header, *changed_header;
  const char *fill[RS_BUFFER_KIND_OTHER + 1];
  const char *good, *bad, *holder, *warn;
} RsPalette;

const RsPalette *_rs_graph_palette (gboolean dark);

/* The parts of a handle's label that depend on the handle alone, built once
 * and cached on the node (RS_NODE_CACHE_DOT). HTML-escaped. */
typedef struct {
  char  *name;     /* "[0]" for a queue slot, else the handle id */
  char  *detail;   /* "pts 2560 · 782 bytes · key", may be empty */
  char **rows;     /* one per ref: "buf → #31" */
} RsHandleFragment;

/* One drawn row of a handle: a ref, or consecutive refs into one folded node. */
typedef struct {
  const char *port;   /* interned field name of the first ref */
  char       *text;   /* HTML */
  gboolean    is_new;
} RsGraphRow;

const RsHandleFragment *_rs_graph_handle_fragment (const RsHandle *handle);
void        _rs_graph_row_free          (RsGraphRow       *row);
char       *_rs_graph_folded_row_text   (const RsHandle   *handle,
                                         guint             first,
                                         guint             last);
/* "Y", "U", "ch 1" ... for a frame's buf[i], or NULL. Static. */
const char *_rs_graph_plane_name        (const RsHandle   *handle,
                                         const RsRef      *ref);

/* Labels, owned by the caller. HTML-like unless said otherwise. */
/* `min_rows`: rows to reserve for refs (blank ones if the handle has fewer).
 * `mark`: a queue slot's ring mark ("head", "tail"), or NULL. */
char *_rs_graph_handle_label (const RsPalette        *palette,
                              const RsHandle         *handle,
                              const RsHandleFragment *fragment,
                              GPtrArray              *rows,
                              guint                   min_rows,
                              RsDiffFlags             flags,
                              gboolean                is_out,
                              const char             *mark);
/* A run of full queue slots `first`..`last` as one node: their count, and
 * the buffers they point at. */
char *_rs_graph_run_label        (const RsPalette *palette,
                                  const RsHandle  *first,
                                  const RsHandle  *last,
                                  guint            n_slots,
                                  guint64          first_buffer,
                                  guint64          last_buffer,
                                  guint            n_buffers,
                                  guint64          bytes);
/* An empty queue slot, as large as a full one with `min_rows` refs. */
char *_rs_graph_empty_slot_label (const RsPalette *palette,
                                  const RsHandle  *handle,
                                  guint            min_rows,
                                  const char      *mark);
/* Plain text: "video packet queue · AVPacket ring · 2/8 · head [3] · tail [5]";
 * `head` and `tail` (nullable) are the slots read and written next. */
char *_rs_graph_queue_label  (const RsHandle  *first,
                              guint            used,
                              guint            capacity,
                              const RsHandle  *head,
                              const RsHandle  *tail);
/* A buffer's node from its parts: what _rs_graph_buffer_label() draws, and
 * the widest labels a column is sized for (rs-graph-probe.c). HTML. */
typedef struct {
  RsBufferKind kind;
  gboolean     many;          /* a folded group: wider first cells */
  const char  *border;
  const char  *title;         /* HTML: "<b>#42</b> Y" */
  const char  *size;          /* "230.4 kB" */
  gboolean     leaked;
  const char  *split;         /* "app 1 + libav 2" */
  gboolean     writable;      /* ✎ */
  gboolean     unsafe;        /* written while not writable */
  const char  *change;        /* HTML: the old count ("2→"), or NULL */
  const char  *count_color;
  int          min_count, max_count;
  const char  *change_arrow;  /* HTML: " ▲", or NULL */
} RsBufferCells;

char *_rs_graph_buffer_table (const RsPalette     *palette,
                              const RsBufferCells *cells);
/* A handle's detail line ("pts 2560 · 782 B · key"), HTML-escaped. */
char *_rs_graph_handle_detail (const RsHandle *handle);
/* "344 B", "1.2 kB": sizes as every label writes them. */
char *_rs_graph_format_size   (guint64 size);
/* `members`: the const RsBuffer* drawn by one node (more than one: folded). */
char *_rs_graph_buffer_label (const RsPalette *palette,
                              RsSnapshot      *snapshot,
                              RsDiff          *diff,
                              GPtrArray       *members,
                              const char      *plane);
/* The "lost" node: references nobody holds any more. */
char *_rs_graph_lost_label   (const RsPalette *palette,
                              int              lost_refs);
char *_rs_graph_holder_label (const RsPalette *palette,
                              const char      *holder,
                              int              hidden_refs);
/* Plain text. */
char *_rs_graph_ghost_label  (const RsBuffer  *buffer);
char *_rs_graph_legend_label (const RsPalette *palette);
char *_rs_graph_title_label  (const RsPalette *palette,
                              RsSnapshot      *snapshot);

G_END_DECLS
