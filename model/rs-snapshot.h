/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-snapshot.h: the ownership graph of one step, immutable.
 *
 * A snapshot lists the handles (AVPacket/AVFrame structs) a session owns, the
 * AVBufferRef slots of each handle, and every buffer known at the end of the
 * step with its reference count. Nodes (RsHandle, RsBuffer) are immutable and
 * reference counted, so consecutive snapshots share every node that did not
 * change. Nothing here knows GTK or libav: handles are "packet"/"frame" with
 * plain fields.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A timestamp that is not set (AV_NOPTS_VALUE in libav). */
#define RS_NO_TIMESTAMP G_MININT64

typedef enum {
  RS_HANDLE_PACKET,
  RS_HANDLE_FRAME,
  RS_HANDLE_SUBTITLE,  /* an AVSubtitle: fields only; libav does not refcount its rects */
} RsHandleKind;

typedef enum {
  RS_BUFFER_KIND_PACKET,      /* packet payload */
  RS_BUFFER_KIND_PICTURE,     /* a plane of a video frame */
  RS_BUFFER_KIND_AUDIO,       /* a plane of an audio frame */
  RS_BUFFER_KIND_SIDE_DATA,   /* side data, opaque_ref, hw context ... */
  RS_BUFFER_KIND_OTHER,
} RsBufferKind;

typedef enum {
  RS_EVENT_ALLOCATED,     /* a tracked buffer was created */
  RS_EVENT_FREED,         /* its last reference went; freed or back to a pool */
  RS_EVENT_OBSERVED,      /* an untracked buffer came into view */
  RS_EVENT_UNOBSERVED,    /* an untracked buffer left view (may still live) */
  RS_EVENT_LEAKED,        /* alive with no visible holder at the end */
  RS_EVENT_ERROR,         /* the call failed; message says why */
  RS_EVENT_UNSAFE_WRITE,  /* a write into a buffer that was not writable */
  RS_EVENT_WARNING,       /* libav logged a warning or error; message says what */
  RS_EVENT_LOST,          /* references became nobody's: `call` overwrote or reset the
                           * last handle (`handle`) that held them without an unref */
} RsEventKind;

/* Why references were lost (RS_EVENT_LOST). */
typedef enum {
  RS_LOSS_NONE,
  RS_LOSS_RESET,        /* the call reset the handle's fields (av_init_packet) */
  RS_LOSS_OVERWRITTEN,  /* the call wrote other refs over the handle's (move_ref, ref,
                         * av_new_packet into a handle that still held one) */
  RS_LOSS_UNREACHABLE,  /* the handle itself became unreachable, never freed: its last
                         * pointer was overwritten, or went out of scope */
} RsLossReason;

/* What Refscope stopped a lesson from doing, or refused (RS_EVENT_ERROR).
 * The fields an event of each kind sets are named after it. */
typedef enum {
  RS_FAULT_NONE,             /* libav's own failure, or a recording's: `message` says what */
  RS_FAULT_UNINITIALIZED,    /* `handle` is used uninitialized (by `call`, if set) */
  RS_FAULT_NULL_POINTER,     /* `handle` is NULL: `call` would crash */
  RS_FAULT_USE_AFTER_FREE,   /* `handle` points to the struct (value[1]: RsHandleKind) freed on
                              * line value[0]: `call` would use freed memory */
  RS_FAULT_DOUBLE_FREE,      /* `handle` points to the struct (value[1]) already freed on line value[0] */
  RS_FAULT_NULL_ARGUMENT,    /* argument value[0] of `call` is NULL */
  RS_FAULT_TOO_BIG,          /* `call` would allocate value[0] bytes (0: more than the limit),
                              * over the limit of value[1]: not attempted */
  RS_FAULT_NEGATIVE,         /* `call`'s `field` (size, length, offset) is negative: value[0] */
  RS_FAULT_HOLDS_BUFFERS,    /* setting `handle`->`field` while it holds buffers: not performed */
  RS_FAULT_NOT_A_LAYOUT,     /* `handle`->channel_layout = value[0] is no channel layout */
  RS_FAULT_OUT_OF_RANGE,     /* `handle`->`field` (or its index) value[0] is outside
                              * [value[1], value[2]]: not performed */
  RS_FAULT_NOT_AN_INT,       /* value[0] does not fit in an int */
  RS_FAULT_OUT_OF_BOUNDS,    /* `call` of value[0] bytes at offset value[1] of `handle`, which
                              * has value[2] bytes: not performed */
  RS_FAULT_ARITHMETIC,       /* `field` names the problem: "division by zero", "integer overflow" */
} RsFault;

/* Where in a program something happened: a lesson's line and column, or a
 * recorded program's call site. Strings are interned; NULL and 0 when
 * unknown. */
typedef struct {
  const char *file;
  const char *function;
  int         line;
  int         column;
  const char *module;    /* recordings, where the debug info names no file: the place in
                          * the binary, "libfoo.so+0x1234"; NULL otherwise */
} RsSite;

gboolean    rs_site_is_known         (const RsSite   *site);
/* The one copy of `site` (kept for the program's life, as interned strings
 * are: a program has few call sites); the unknown site for NULL. Nodes
 * keep sites this way: most have none, many share one. */
const RsSite *rs_site_intern         (const RsSite   *site);
gboolean    rs_site_equal            (const RsSite   *a,
                                      const RsSite   *b);

/* One AVBufferRef slot of a handle: `field` names it ("buf", "buf[1]",
 * "side_data[0].buf"), `buffer` is the id of the AVBuffer it points at. */
typedef struct {
  const char *field;   /* interned */
  guint64     buffer;
} RsRef;

/* A handle: an AVPacket or AVFrame struct the session owns. Immutable once
 * built; shared between snapshots (rs_handle_ref/rs_handle_unref). Fields
 * in order of size, flags in bits: a history keeps a node for each change
 * of a handle, hundreds of thousands in a long session (128 bytes). */
typedef struct {
  const char   *id;        /* interned, stable across steps: "reader", "video.pktq[2]" */
  const char   *holder;    /* interned role: "reader", "packet_queue", "decoder_input",
                            * "decoder_output", "frame_queue", or a scenario variable */
  const char   *group;     /* interned container for queues: "video.pktq"; NULL if none */
  const char   *format;    /* frames: pixel or sample format name; subtitles: "bitmap" or
                            * "text"; interned; NULL if none */
  const char   *origin;    /* recordings: the call that created it, interned; NULL otherwise */
  const RsSite *site;      /* recordings: the program's call that created it; a node's is
                            * rs_site_intern()'s, never NULL */
  RsRef        *refs;      /* n_refs */
  gint64        pts;       /* RS_NO_TIMESTAMP when unset; subtitles: AVSubtitle.pts, in
                            * AV_TIME_BASE units (microseconds), as ffprobe shows it */
  gint64        dts;       /* packets only */
  int           slot;      /* slot in its queue; -1 if none */
  int           capacity;  /* slots in its queue; 0 if none */
  int           stream;    /* stream index in the file; -1 if none */
  int           size;      /* packets: payload size */
  int           width;
  int           height;
  int           nb_samples;
  int           sample_rate;
  int           n_rects;   /* subtitles: num_rects */
  guint         start_display; /* subtitles: start_display_time, ms after pts */
  guint         end_display;   /* subtitles: end_display_time, ms after pts */
  guint         born;      /* recordings: the step that created it; 0 otherwise */
  guint         n_refs;
  RsHandleKind  kind : 8;
  char          pict_type; /* video frames: 'I', 'P', 'B', ...; 0 otherwise */
  guint         key : 1;   /* packets: AV_PKT_FLAG_KEY; frames: key_frame */
  guint         shown : 1; /* frame queue: the frame on display (kept, like ffplay's keep_last) */
  guint         leaked : 1; /* recordings: allocated and never freed at the end */
} RsHandle;

/* A buffer: one AVBuffer, by a 64-bit id that is never reused. Packed as
 * RsHandle is (64 bytes). */
typedef struct {
  guint64       id;
  gsize         size;
  const char   *holder;    /* interned: the libav part holding hidden refs; NULL when hidden is 0 */
  const char   *origin;    /* interned: "demuxer", "decoder", "av_new_packet", ... */
  const RsSite *site;      /* lessons and recordings: where it was created; a node's is
                            * rs_site_intern()'s, never NULL */
  int           refcount;  /* the AVBuffer's reference count */
  int           visible;   /* refs held by handles of the snapshot */
  int           hidden;    /* refs held inside libav, by `holder` */
  int           lost;      /* refs nobody holds any more (see RS_EVENT_LOST): leaks;
                            * refcount == visible + hidden + lost */
  guint         born;      /* step in which it was allocated or first seen */
  RsBufferKind  kind : 8;
  guint         tracked : 1;  /* lifetime known exactly (wrapped by the tracker) */
  guint         writable : 1; /* av_buffer_is_writable() */
  guint         leaked : 1;   /* alive at the end with no visible holder */
} RsBuffer;

/* A fact of one step, in fields; the edges that show it make the words. */
typedef struct {
  RsEventKind   kind;
  guint64       buffer;    /* 0 when the event concerns no buffer */
  const char   *handle;    /* interned: the handle concerned (LOST: the one that held the
                            * refs; UNSAFE_WRITE: the writer), or NULL */
  const char   *call;      /* interned: the call that caused it, or NULL */
  RsSite        site;      /* lessons and recordings: where in the program */
  RsLossReason  reason;    /* LOST */
  int           count;     /* LOST: references lost; UNSAFE_WRITE: the refcount written through */
  RsFault       fault;     /* ERROR: what Refscope stopped, with `handle`, `call`, `field`, `value` */
  const char   *field;     /* interned: the field or argument concerned, or NULL */
  gint64        value[3];  /* the numbers of the fault (see RsFault) */
  const char   *message;   /* ERROR, WARNING: libav's own text (or a recording's), without a
                            * location; NULL otherwise. Owned by the snapshot */
} RsEvent;

typedef struct _RsSnapshot RsSnapshot;

/* Nodes: built with _new, filled, then frozen by handing them to a snapshot.
 * rs_handle_new() copies `refs` (n_refs entries). */
RsHandle   *rs_handle_new            (const RsHandle *fields,
                                      const RsRef    *refs,
                                      guint           n_refs);
RsHandle   *rs_handle_ref            (RsHandle       *handle);
void        rs_handle_unref          (RsHandle       *handle);
gboolean    rs_handle_equal          (const RsHandle *a,
                                      const RsHandle *b);
RsBuffer   *rs_buffer_new            (const RsBuffer *fields);
RsBuffer   *rs_buffer_ref            (RsBuffer       *buffer);
void        rs_buffer_unref          (RsBuffer       *buffer);
gboolean    rs_buffer_equal          (const RsBuffer *a,
                                      const RsBuffer *b);

/* Work done once per node and reused while the node lives (its JSON, its
 * DOT fragment). The first value stored wins; a later store frees its value
 * with `destroy` and returns the stored one. */
typedef enum {
  RS_NODE_CACHE_JSON,
  RS_NODE_CACHE_DOT,
  RS_NODE_CACHE_N,
} RsNodeCache;

gpointer    rs_handle_get_cache      (const RsHandle *handle,
                                      RsNodeCache     slot);
gpointer    rs_handle_set_cache      (const RsHandle *handle,
                                      RsNodeCache     slot,
                                      gpointer        value,
                                      GDestroyNotify  destroy);
gpointer    rs_buffer_get_cache      (const RsBuffer *buffer,
                                      RsNodeCache     slot);
gpointer    rs_buffer_set_cache      (const RsBuffer *buffer,
                                      RsNodeCache     slot,
                                      gpointer        value,
                                      GDestroyNotify  destroy);

const char *rs_buffer_kind_to_string (RsBufferKind    kind);
/* "packet payload", "picture plane", ...: the kind for people, in English;
 * marked for translation (N_), so the UI translates it where it shows it. */
const char *rs_buffer_kind_to_words  (RsBufferKind    kind);
const char *rs_event_kind_to_string  (RsEventKind     kind);
const char *rs_handle_kind_to_string (RsHandleKind    kind);
/* The libav struct a handle of `kind` is: "AVPacket", "AVFrame", "AVSubtitle". */
const char *rs_handle_kind_to_struct (RsHandleKind    kind);
/* "null_pointer", "use_after_free", ... (trace words); NULL for RS_FAULT_NONE. */
const char *rs_fault_to_string       (RsFault         fault);
/* "reset", "overwritten", "unreachable" (trace words). */
const char *rs_loss_reason_to_string (RsLossReason    reason);

/* Snapshots. rs_snapshot_new() takes its own references on the nodes in
 * `handles` and `buffers` (arrays of RsHandle* / RsBuffer*, in display order;
 * buffers sorted by id) and copies `events` with their messages. */
RsSnapshot *rs_snapshot_new          (guint           step,
                                      const char     *call,
                                      int             ret,
                                      gboolean        exact,
                                      const char     *out,
                                      GPtrArray      *handles,
                                      GPtrArray      *buffers,
                                      const RsEvent  *events,
                                      guint           n_events);
/* A queue's ring ends in a step, from its producer's ring indices: the
 * slot read next and the slot written next, which meet on one slot when
 * the ring is empty or full. A step's, not its slots': they move at every
 * enqueue and dequeue, and the slots stay as they were. */
typedef struct {
  const char *group;   /* the queue, as its slots' RsHandle.group */
  int         head;    /* the slot read next; -1 if not known */
  int         tail;    /* the slot written next; -1 if not known */
} RsRingEnds;

/* Which end of its queue's ring a slot is. */
typedef enum {
  RS_RING_HEAD = 1 << 0,
  RS_RING_TAIL = 1 << 1,
} RsRingEnd;

/* What a step was, beyond its nodes: for rs_snapshot_new_step(). */
typedef struct {
  guint       step;
  const char *call;     /* required */
  const char *args;     /* nullable */
  int         ret;
  gboolean    exact;
  const char *out;      /* nullable */
  int         thread;   /* recordings: the program thread that called (1, 2, ...); 0 otherwise */
  RsSite      site;     /* lessons and recordings: the statement or call site */
  const RsRingEnds *rings;  /* the queues' ring ends; copied. None are known of a queue
                             * whose producer does not know its ring (recordings) */
  guint       n_rings;
} RsStepInfo;

RsSnapshot *rs_snapshot_new_step     (const RsStepInfo *info,
                                      GPtrArray        *handles,
                                      GPtrArray        *buffers,
                                      const RsEvent    *events,
                                      guint             n_events);
RsSnapshot *rs_snapshot_ref          (RsSnapshot     *snapshot);
void        rs_snapshot_unref        (RsSnapshot     *snapshot);

guint       rs_snapshot_get_step     (const RsSnapshot *snapshot);
/* The number people see for step `step` (an index from 0, as
 * rs_snapshot_get_step gives it): counted from 1, as people count ("Step
 * 2021 of 2021" is the last of 2021 steps). The window, every message,
 * exported files and the drawings' titles count this way (step-000001.svg
 * is "step 1"); only the trace's "step" counts from 0 (DESIGN §7). */
#define RS_STEP_NUMBER(step) ((guint) (step) + 1)
/* The call in words, e.g. "avcodec_receive_frame(video)". Owned by the snapshot. */
const char *rs_snapshot_get_call     (const RsSnapshot *snapshot);
/* The call's arguments in words, or NULL. Owned by the snapshot. */
const char *rs_snapshot_get_args     (const RsSnapshot *snapshot);
int         rs_snapshot_get_ret      (const RsSnapshot *snapshot);
gboolean    rs_snapshot_is_exact     (const RsSnapshot *snapshot);
/* The handle id the call produced into, or NULL. */
const char *rs_snapshot_get_out      (const RsSnapshot *snapshot);
/* Which ends of its queue's ring `handle` (a slot of the snapshot) is:
 * RS_RING_HEAD, RS_RING_TAIL, both (the one slot of an empty or a full
 * ring), or 0: neither, or the ring's ends are not known. */
RsRingEnd   rs_snapshot_get_ring_end (const RsSnapshot *snapshot,
                                      const RsHandle   *handle);
/* Recordings: the program thread that made the call (1, 2, ...); 0 otherwise. */
int         rs_snapshot_get_thread   (const RsSnapshot *snapshot);
/* Where in the program the step's call is (unknown for a decode session). Borrowed. */
const RsSite *rs_snapshot_get_site   (const RsSnapshot *snapshot);

guint           rs_snapshot_get_n_handles (const RsSnapshot *snapshot);
const RsHandle *rs_snapshot_get_handle    (const RsSnapshot *snapshot,
                                           guint             index);
const RsHandle *rs_snapshot_find_handle   (const RsSnapshot *snapshot,
                                           const char       *id);
guint           rs_snapshot_get_n_buffers (const RsSnapshot *snapshot);
const RsBuffer *rs_snapshot_get_buffer    (const RsSnapshot *snapshot,
                                           guint             index);
/* Binary search by id; NULL if the buffer is not live in this step. */
const RsBuffer *rs_snapshot_find_buffer   (const RsSnapshot *snapshot,
                                           guint64           id);
guint           rs_snapshot_get_n_events  (const RsSnapshot *snapshot);
const RsEvent  *rs_snapshot_get_event     (const RsSnapshot *snapshot,
                                           guint             index);

/* Live bytes: the sum of the sizes of the snapshot's buffers. */
guint64     rs_snapshot_get_live_bytes (const RsSnapshot *snapshot);

/* A builder makes each step's snapshot from the one it made before and the
 * changes of the step: set or remove a handle (by a key giving its place in
 * display order, ascending) or a buffer (by id). A step costs what it
 * changed, however many nodes are alive: the snapshot keeps the edits, and
 * its node arrays are made only when someone reads them. */
typedef struct _RsSnapshotBuilder RsSnapshotBuilder;

RsSnapshotBuilder *rs_snapshot_builder_new        (void);
void               rs_snapshot_builder_free       (RsSnapshotBuilder *builder);
/* Sets the handle at `key` (a new one, or in place of the one there) for
 * the next snapshot; takes a reference on `handle`. */
void               rs_snapshot_builder_set_handle (RsSnapshotBuilder *builder,
                                                   guint              key,
                                                   RsHandle          *handle);
void               rs_snapshot_builder_remove_handle (RsSnapshotBuilder *builder,
                                                   guint              key);
/* Sets the buffer of id buffer->id; takes a reference on `buffer`. */
void               rs_snapshot_builder_set_buffer (RsSnapshotBuilder *builder,
                                                   RsBuffer          *buffer);
void               rs_snapshot_builder_remove_buffer (RsSnapshotBuilder *builder,
                                                   guint64            id);
/* The node at `key` / of `id` as the next snapshot will have it (with this
 * step's changes), or NULL. Borrowed, until the next change of that key. */
const RsHandle    *rs_snapshot_builder_get_handle (RsSnapshotBuilder *builder,
                                                   guint              key);
const RsBuffer    *rs_snapshot_builder_get_buffer (RsSnapshotBuilder *builder,
                                                   guint64            id);
/* The step's snapshot (a new reference): the previous one with this step's
 * changes, and `events` (copied with their messages). */
RsSnapshot        *rs_snapshot_builder_finish     (RsSnapshotBuilder *builder,
                                                   const RsStepInfo  *info,
                                                   const RsEvent     *events,
                                                   guint              n_events);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsSnapshot, rs_snapshot_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsHandle, rs_handle_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsBuffer, rs_buffer_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsSnapshotBuilder, rs_snapshot_builder_free)

G_END_DECLS
