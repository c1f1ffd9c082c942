/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-snapshot-internal.h: what the files of RsSnapshot share: the snapshot
 * struct and the edits (ops) a chained snapshot keeps. rs-snapshot.c (the
 * snapshot and its step), rs-snapshot-chain.c (arrays as edits),
 * rs-snapshot-builder.c (the builder), rs-snapshot-node.c (nodes),
 * rs-snapshot-pack.c (a history's older steps in compact bytes).
 */
#pragma once

#include "rs-snapshot.h"

G_BEGIN_DECLS

/* One edit of a predecessor's node array (handles or buffers), in the order
 * they apply: at `position` of the predecessor's array, insert `node`,
 * remove the element there (`node` is then that element, borrowed), or
 * replace it by `node` (same id). Inserted nodes are owned. */
typedef enum {
  OP_INSERT,
  OP_REMOVE,
  OP_REPLACE,
} OpKind;

/* 12 bytes, not 16: a history keeps a few for every step. */
typedef struct __attribute__ ((packed)) {
  guint32  position : 30;
  guint32  kind : 2;      /* OpKind */
  gpointer node;
} Op;

G_STATIC_ASSERT (sizeof (Op) == 12);

typedef struct _StepText StepText;
typedef struct _RingSet RingSet;
typedef struct _StepKey StepKey;
typedef struct _SnapshotExtra SnapshotExtra;

/* What only some steps have: a lesson's or a recording's (a site, a
 * thread), or a step whose short events were read. Kept out of the
 * snapshot, which a decode session makes hundreds of thousands of. */
struct _SnapshotExtra {
  RsSite          site;          /* all unset when unknown (a decode session's steps) */
  int             thread;
  RsEvent        *expanded;      /* atomic: the ShortEvents as RsEvents, made when first read */
};

/* Most events of a decode are a kind and a buffer (allocated, freed):
 * kept as that, in 8 bytes (a fifteenth of an RsEvent), until someone
 * reads them. */
typedef guint64 ShortEvent;

#define SHORT_KIND_BITS 4
#define SHORT_EVENT(buffer, kind) (((guint64) (buffer) << SHORT_KIND_BITS) | (guint64) (kind))
#define SHORT_EVENT_BUFFER(e) ((e) >> SHORT_KIND_BITS)
#define SHORT_EVENT_KIND(e) ((RsEventKind) ((e) & ((1u << SHORT_KIND_BITS) - 1)))

/* Ops of one kind a step keeps at most: more, and the step keeps its
 * arrays instead (it would save nothing). */
#define OPS_MAX G_MAXUINT16

/* A history's snapshots keep their node arrays as edits of the previous
 * step's (rs_snapshot_chain_private): a step costs what it changed, not a
 * pointer per live node. The arrays are rebuilt on first use, from the
 * nearest ancestor that has them (at most RS_SNAPSHOT_CHAIN_MAX steps back).
 * 80 bytes: with one short event (8 bytes), a 96-byte block of malloc's. */
struct _RsSnapshot {
  gatomicrefcount rc;
  guint           step;
  int             ret;
  guint8          depth;         /* steps back to an ancestor whose arrays are kept */
  guint8          short_events;  /* `events` holds ShortEvents (see snapshot_alloc) */
  guint8          exact;
  guint8          is_base;       /* a successor's ops edit this snapshot's arrays; set by
                                  * the history's thread while others may read the rest
                                  * (a byte of its own, not a bit field) */
  guint           n_handles;
  guint           n_buffers;
  guint           n_events;
  guint16         n_handle_ops;  /* at most OPS_MAX */
  guint16         n_buffer_ops;
  StepKey        *key;           /* owned count: the call, its arguments, its out, and
                                  * the queues' ring ends */
  SnapshotExtra  *extra;         /* atomic, owned; NULL when the step has none */
  gpointer        nodes;         /* atomic: RsHandle*[n_handles] then RsBuffer*[n_buffers],
                                  * owned references; NULL while only the ops are kept */
  RsSnapshot     *base;          /* owned: the snapshot `ops` edit, or NULL */
  Op             *ops;           /* handle ops, then buffer ops */
  guint64         live_bytes;
  RsEvent         events[];      /* n_events RsEvents, or ShortEvents */
};

G_STATIC_ASSERT (sizeof (RsSnapshot) == 80);

void      _rs_snapshot_free_nodes   (gpointer   *nodes,
                                     guint       n_handles,
                                     guint       n_buffers);
void      _rs_snapshot_free_ops     (Op         *ops,
                                     guint       n_handle_ops,
                                     guint       n_buffer_ops);
/* The arrays if the snapshot has them, or NULL. */
gpointer *_rs_snapshot_peek_nodes   (const RsSnapshot *self);
gpointer *_rs_snapshot_materialize  (RsSnapshot *self);
RsHandle **_rs_snapshot_handles_of  (const RsSnapshot *self);
RsBuffer **_rs_snapshot_buffers_of  (const RsSnapshot *self);
void      _rs_snapshot_add_op       (GArray     *ops,
                                     guint       position,
                                     OpKind      kind,
                                     gpointer    node);
Op       *_rs_snapshot_take_ops     (GArray     *ops);
/* The interned call, arguments, out and ring ends of a step: another
 * count, and its release. */
StepKey  *_rs_step_key_ref          (StepKey    *key);
void      _rs_step_key_release      (StepKey    *key);
/* A snapshot of `info` and `events` without nodes yet. */
RsSnapshot *_rs_snapshot_alloc      (const RsStepInfo *info,
                                     const RsEvent    *events,
                                     guint             n_events);

G_END_DECLS
