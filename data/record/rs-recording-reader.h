/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-recording-reader.h: reads a recording made by `refscope record`
 * (data/record/FORMAT.md) into plain states, one per step. GLib only: no
 * libav, no GTK.
 *
 * Opening reads the whole file once and checks every step; a file cut by a
 * crash or a kill (or damaged) gives the steps before the cut, and says so
 * (rs_recording_is_complete, rs_recording_get_end_reason). Steps are then
 * read by number: the next one costs only its changes, any other starts
 * from the nearest full state before it (one every 256 steps).
 *
 * Strings (calls, fields, formats, origins, holders, module paths,
 * messages) belong to the RsRecording and live as long as it. Nodes
 * (RsRecHandle, RsRecBuffer) are immutable and shared between the steps
 * that did not change them: compare pointers to see what changed.
 */
#pragma once

#include <glib.h>

#include "rs-recording-format.h"

G_BEGIN_DECLS

#define RS_RECORDING_ERROR (rs_recording_error_quark ())

typedef enum {
  RS_RECORDING_ERROR_IO,             /* the file cannot be read */
  RS_RECORDING_ERROR_NOT_RECORDING,  /* it is not a recording */
  RS_RECORDING_ERROR_VERSION,        /* a format version this reader does not read */
  RS_RECORDING_ERROR_TRUNCATED,      /* cut before the end of its header */
  RS_RECORDING_ERROR_CORRUPT,        /* its header is damaged */
} RsRecordingError;

typedef enum {
  RS_REC_HANDLE_PACKET,
  RS_REC_HANDLE_FRAME,
} RsRecHandleKind;

/* A place in the program: `module` is the real path of an ELF object of the
 * process (the program itself or a library), `offset` is from its load
 * bias (the address in the file's virtual addresses), already minus 1 so it
 * points into the call instruction. `module` is NULL when unknown. */
typedef struct {
  const char *module;
  guint64     offset;
} RsRecSite;

/* A place in source code, as a saved session (not a recorded program)
 * knows it: a lesson's line. NULL and 0 when unknown. */
typedef struct {
  const char *file;
  const char *function;
  int         line;
  int         column;
} RsRecPlace;

/* One AVBufferRef slot of a handle: "buf", "buf[1]", "side_data[0].buf",
 * "opaque_ref", "hw_frames_ctx", ... */
typedef struct {
  const char *field;
  guint64     buffer;   /* id of an RsRecBuffer of the same step */
} RsRecRef;

/* An AVPacket or AVFrame the program allocated (allocated: av_*_alloc,
 * *_clone; never freed is a leak) or passed to a call (a struct of its own,
 * on the stack or in its data; listed while it holds references). */
typedef struct {
  guint64          id;          /* never reused */
  RsRecHandleKind  kind;
  gboolean         allocated;
  guint            born_step;
  RsRecSite        born_site;   /* the program's call that allocated it, or first passed it */
  const char      *born_call;   /* that call: "av_packet_alloc", "av_read_frame", ... */
  int              stream;      /* packets: stream_index; frames: the stream of the packets
                                 * their decoder got; -1 if none */
  gint64           pts;         /* RS_REC_NO_TIMESTAMP when unset */
  gint64           dts;         /* frames: pkt_dts */
  int              size;        /* packets: payload size */
  gboolean         key;
  char             pict_type;   /* video frames: 'I', 'P', 'B', ...; 0 otherwise */
  const char      *format;      /* frames: pixel or sample format name; NULL if none */
  int              width;
  int              height;
  int              nb_samples;
  int              sample_rate;
  guint            n_refs;
  RsRecRef        *refs;

  /* A saved session's (FORMAT.md, "Saved sessions"): set when `saved`. */
  gboolean         saved;
  const char      *name;        /* "reader", "video.pktq[2]", a lesson's variable */
  const char      *holder;      /* its role: "reader", "packet_queue", a variable */
  const char      *group;       /* its queue, or NULL */
  int              slot;        /* in its queue; -1 if none */
  int              capacity;    /* of its queue; 0 if none */
  gboolean         shown;       /* the frame on display */
  gboolean         leaked;
  gboolean         ring_head;   /* the queue slot read next (a saved player session) */
  gboolean         ring_tail;   /* the queue slot written next */
  const char      *origin;      /* the call that made it, or NULL */
  RsRecPlace       place;
} RsRecHandle;

/* An AVBuffer, by an id never reused. `tracked`: wrapped at birth, its
 * lifetime is exact (allocated and freed events). Otherwise observed: known
 * while a handle (or a lost reference) holds it, a new id after a gap. */
typedef struct {
  guint64          id;
  RsRecBufferKind  kind;
  gsize            size;
  int              refcount;      /* the AVBuffer's reference count */
  int              visible;       /* refs held by handles of the step */
  int              lost;          /* refs a call dropped without an unref (leaks) */
  guint            lost_step;     /* when lost > 0: the step whose call last lost one (its
                                   * site is where the buffer was orphaned) */
  int              program_refs;  /* refs the program got from av_buffer_* calls and keeps in
                                   * variables of its own (counted for tracked buffers only) */
  int              hidden;        /* refs held inside libav: refcount - visible - lost -
                                   * program_refs, never below 0 (the parts add up when the
                                   * step is exact) */
  gboolean         tracked;
  gboolean         writable;
  const char      *origin;        /* the call or libav part that created it: "demuxer",
                                   * "decoder", "av_new_packet", ... */
  const char      *holder;        /* who may hold the hidden refs: the libav parts it was born
                                   * in or given to, newest last ("h264 decoder", "h264
                                   * decoder, filter graph", "muxer", ...; "libav" when none is
                                   * known), "program" when only program_refs are hidden, NULL
                                   * when nothing is */
  guint            born_step;
  RsRecSite        born_site;

  /* A saved session's: set when `saved`. */
  gboolean         saved;
  gboolean         leaked;
  RsRecPlace       place;       /* where it was made */
} RsRecBuffer;

typedef struct {
  RsRecEventKind  kind;
  guint64         buffer;   /* 0 if none */
  guint64         handle;   /* lost: the handle that dropped the reference; else 0 */
  const char     *message;  /* error and warning: what; else NULL */
} RsRecEvent;

/* An event of a saved session, as the model has it (kind, reason and fault
 * are RsEventKind, RsLossReason and RsFault numbers: check them). */
typedef struct {
  guint           kind;
  guint64         buffer;
  const char     *handle;
  const char     *call;
  RsRecPlace      place;
  guint           reason;
  int             count;
  guint           fault;
  const char     *field;
  gint64          value[3];
  const char     *message;
} RsRecModelEvent;

/* The state at the end of one step. Owned by the caller: rs_rec_step_free. */
typedef struct {
  guint       step;
  const char *call;        /* "av_read_frame", ...; "exit" for the last step of a program
                            * that exited normally */
  int         ret;         /* the call's return value; pointer calls: 0, or AVERROR(ENOMEM) */
  int         thread;      /* 0, 1, ...: program threads in order of their first step */
  gboolean    exact;       /* no other thread or frame-threaded decoder could change counts */
  RsRecSite   site;        /* the program's call */
  guint64     out_handle;  /* the handle the call filled (av_read_frame, receive, clone, ...); 0 if none */
  GPtrArray  *handles;     /* RsRecHandle*, every live handle, by id */
  GPtrArray  *buffers;     /* RsRecBuffer*, every live buffer, by id */
  GArray     *events;      /* RsRecEvent, in the order they happened */

  /* A saved session's step (FORMAT.md, "Saved sessions"), when `saved`. */
  gboolean    saved;
  const char *args;
  const char *out_name;
  int         model_thread;
  RsRecPlace  place;
  GArray     *order;        /* guint64 handle ids in display order, or NULL: by id */
  GArray     *model_events; /* RsRecModelEvent, instead of `events` */
} RsRecStep;

/* A handle's birth: what names it ("pkt@player.c:42"), known for every
 * handle from the moment the recording is open. */
typedef struct {
  guint64          id;
  RsRecHandleKind  kind;
  RsRecSite        site;   /* born_site */
} RsRecBirth;

typedef struct _RsRecording RsRecording;

GQuark        rs_recording_error_quark           (void);

/* Opens and checks `path`. Errors name the file and the reason. Returns a
 * recording owned by the caller (rs_recording_free), or NULL. */
RsRecording  *rs_recording_open                  (const char   *path,
                                                  GError      **error);
void          rs_recording_free                  (RsRecording  *self);

guint         rs_recording_get_n_steps           (RsRecording  *self);
/* The highest thread the steps name, counting the program's threads from 1
 * (`thread` + 1) or, in a saved session, its `model_thread`: 0 with no steps. */
int           rs_recording_get_max_thread        (RsRecording  *self);
/* TRUE when the program exited normally: the last step is its "exit",
 * listing what was still alive. */
gboolean      rs_recording_is_complete           (RsRecording  *self);
/* Why the history stops early ("the recording stops in the middle of step
 * 812: the program was killed or crashed"; steps counted from 1, as the
 * window counts them); NULL when complete. Owned by the recording. */
const char   *rs_recording_get_end_reason        (RsRecording  *self);
/* The recorded program's path and process id. */
const char   *rs_recording_get_program           (RsRecording  *self);
guint         rs_recording_get_pid               (RsRecording  *self);
/* Every module a site names, in the order they appeared. Owned by the
 * recording; `n_modules` may be NULL. */
const char * const *rs_recording_get_modules     (RsRecording  *self,
                                                  guint        *n_modules);
/* Every handle of the recording, in the order they were born (ids
 * increase). Owned by the recording; `n_births` may be NULL. */
const RsRecBirth *rs_recording_get_births        (RsRecording  *self,
                                                  guint        *n_births);
/* The state at the end of `step` (< n_steps), owned by the caller. */
RsRecStep    *rs_recording_get_step              (RsRecording  *self,
                                                  guint         step);

void          rs_rec_step_free                   (RsRecStep    *step);
/* Lookups by id in a step; NULL when not live. Owned by the step. */
const RsRecHandle *rs_rec_step_find_handle       (const RsRecStep *step,
                                                  guint64          id);
const RsRecBuffer *rs_rec_step_find_buffer       (const RsRecStep *step,
                                                  guint64          id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsRecording, rs_recording_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsRecStep, rs_rec_step_free)

G_END_DECLS
