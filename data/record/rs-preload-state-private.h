/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-preload-state-private.h: what the recorder knows between calls, shared
 * by the files that keep it:
 *   rs-preload-step.c     a call's step: before it, after it, at exit
 *   rs-preload-handles.c  handles and what they hold
 *   rs-preload-buffers.c  buffers, the owners of references, refcounts
 *   rs-preload-holders.c  the parts of libav holding buffers
 *   rs-preload-writer.c   encoding it (and the format's chunks)
 *
 * Handles are the AVPackets/AVFrames the program allocated (av_*_alloc,
 * clone) or passed to a call. Their fields and references are read only
 * after a call that takes them (and before, when the call needs a valid
 * packet/frame anyway): between calls a stack packet may be dead memory.
 * The program changes a handle's references only through libav calls, so
 * the last state read stays true.
 *
 * Every AVBufferRef* we know has one owner in `refs`: the handle slot that
 * holds it, a lost entry (a call overwrote the slot without an unref: the
 * reference is leaked, so its memory stays valid and keeps the buffer
 * alive), or a raw entry (the program got it from an av_buffer_* call and
 * keeps it in a variable of its own). A reference seen in a second handle
 * (a struct copy) moves there: only one of them may unref it.
 *
 * Buffers are tracked (our wrappers: lifetime and refcount known through
 * the tracker) or observed (anything else a handle holds: identified by
 * the AVBuffer address for as long as some handle or lost reference holds
 * it, a new id after a gap; refcount read through such a reference).
 * Reading never takes a reference.
 *
 * All of it is under the state lock.
 */
#pragma once

#include "rs-preload-private.h"

typedef struct _Buf Buf;
typedef struct _Held Held;

/* Parts of libav one buffer is held by at once, at most (a decoder, a
 * filter graph, an encoder, a muxer...). */
#define RS_BUF_MAX_PARTS 4

/* Frame-threaded codecs open at once whose names the recorder keeps, at
 * most (more: any part may change counts in a step that is not exact). */
#define RS_MAX_ASYNC_PARTS 8

/* References a part of libav holds to a buffer: how many it may hold, and
 * how many it surely holds (see _rs_buf_attribute). */
typedef struct {
  const char *part;  /* interned; NULL: a part the recorder cannot name */
  int         refs;
  int         sure;  /* 0 <= sure <= refs */
} PartRefs;

typedef struct {
  int         stream;
  int64_t     pts;
  int64_t     dts;
  int         size;
  bool        key;
  char        pict_type;
  const char *format;
  int         width;
  int         height;
  int         nb_samples;
  int         sample_rate;
} Fields;

/* A handle's fields before anything is known: no stream, no timestamps. */
extern const Fields _rs_default_fields;

typedef struct {
  AVBufferRef *ref;
  Buf         *buf;
  uint8_t      slot;   /* RsSlot */
  uint16_t     index;
} Ref;

typedef struct {
  uint32_t field;
  uint64_t buffer;
} SentRef;

struct _RsHandle {
  uint64_t   id;
  void      *ptr;
  uint8_t    kind;
  bool       allocated;
  bool       sent;       /* the reader knows it */
  bool       dirty;
  int        busy;       /* calls in progress that take it */
  uint32_t   born_step;
  RsSite     born_site;
  RsCallId   born_call;
  Fields     cur;
  Fields     was;        /* as last written */
  Ref       *refs;
  size_t     n_refs;
  size_t     capacity_refs;
  SentRef   *was_refs;
  size_t     n_was_refs;
  size_t     capacity_was_refs;
  RsHandle  *prev;
  RsHandle  *next;
};

struct _Buf {
  uint64_t     id;
  uint8_t      kind;
  bool         tracked;
  bool         sent;
  bool         kind_known;
  bool         read;       /* refcount read in this refresh */
  const char  *origin;
  /* The parts of libav holding its libav references now, in the order
   * they took them, and how many each (see _rs_buf_attribute). */
  PartRefs     parts[RS_BUF_MAX_PARTS];
  int          libav_refs; /* hidden ones minus the program's raw ones, at the last step */
  const char  *born_part;  /* the part it was born in (interned), or NULL */
  bool         given;      /* the call of this step gave it to call->given_to */
  const char  *giving_to;  /* a call in progress gives it to this part, or NULL */
  const char  *holder;     /* the parts holding, joined (interned); NULL: none known */
  uint32_t     born_step;
  RsSite       born_site;
  AVBuffer    *addr;       /* observed: its AVBuffer */
  size_t       size;
  int          refcount;
  int          visible;    /* handle slots holding it */
  int          visible_was; /* ... at the last step */
  int          lost;
  uint32_t     lost_step;  /* the step that last lost a reference to it */
  int          program_refs;
  bool         writable;
  struct {
    uint8_t     kind;
    size_t      size;
    int         refcount;
    int         lost;
    uint32_t    lost_step;
    int         program_refs;
    bool        writable;
    const char *holder;
  } was;
  Buf         *prev;
  Buf         *next;
};

/* A reference no handle holds: lost (a call overwrote it without an
 * unref) or raw (the program's own variable); a list of each. */
struct _Held {
  Held        *prev;
  Held        *next;
  AVBufferRef *ref;
  Buf         *buf;
};

typedef struct {
  uint8_t   kind;
  uint64_t  buffer;
  uint64_t  handle;
  char     *message;
} Event;

/* Owners in `refs`: a RsHandle*, or a Held* tagged lost or raw. */
#define OWNER_LOST 1
#define OWNER_RAW  2
#define OWNER_TAG(p)   ((uintptr_t) (p) & 3)
#define OWNER_PTR(p)   ((void *) ((uintptr_t) (p) & ~(uintptr_t) 3))

/* What a call's argument held after the call. */
typedef struct {
  Fields  fields;
  Ref    *refs;
  size_t  n_refs;
  size_t  capacity;
} Reading;

typedef struct {
  uint32_t   n_steps;
  uint64_t   last_handle_id;
  RsMap      handles;    /* ptr -> RsHandle* */
  RsHandle  *first;      /* live handles by id */
  RsHandle  *last;
  RsMap      bufs;       /* id -> Buf* */
  Buf       *buf_first;  /* live buffers by id */
  Buf       *buf_last;
  RsMap      observed;   /* AVBuffer* -> Buf*, observed only */
  RsMap      refs;       /* AVBufferRef* -> owner */
  Held      *lost;
  Held      *raw;
  uint64_t  *removed_handles;
  size_t     n_removed_handles;
  size_t     capacity_removed_handles;
  uint64_t  *removed_bufs;
  size_t     n_removed_bufs;
  size_t     capacity_removed_bufs;
  Event     *events;
  size_t     n_events;
  size_t     capacity_events;
  int        n_frame_threaded;
  /* The parts of the open frame-threaded codecs (one name per context,
   * the first RS_MAX_ASYNC_PARTS): their threads change counts between
   * steps. */
  const char *async_parts[RS_MAX_ASYNC_PARTS];
  bool       async_unnamed;  /* more were open: not all names are kept */
  RsCall    *call;       /* the call being recorded */
  RsSite     site;       /* its site */
  bool       exiting;
  Reading    readings[RS_MAX_ARGS + 1];
  void      *scratch;    /* encoder's list of handles or buffers to write */
  size_t     capacity_scratch;
  uint32_t   field_ids[RS_SLOT_N][16];
} RsState;

/* The state: under the state lock (rs_state_lock). */
extern RsState rs_state;

/* rs-preload-step.c */
void        _rs_event_push              (RsRecEventKind kind,
                                         uint64_t       buffer,
                                         uint64_t       handle,
                                         const char    *message);
void        _rs_push_id                 (uint64_t     **array,
                                         size_t        *n,
                                         size_t        *capacity,
                                         uint64_t       id);
/* Where buffers born in the current call come from ("demuxer", the call). */
const char *_rs_call_origin             (void);

/* rs-preload-buffers.c */
/* The buffer a reference points at: ours, observed, or newly observed
 * (then an "observed" event). NULL when out of memory. */
Buf        *_rs_buf_for                 (AVBufferRef   *ref,
                                         RsSlot         slot,
                                         bool           picture);
void        _rs_buf_remove              (Buf           *buf);
/* Takes the tracker's news: wrappers born and freed since the last time. */
void        _rs_buf_drain_tracker       (void);
/* Every live buffer's count, read without taking a reference. */
void        _rs_buf_refresh             (void);
void        _rs_ref_forget              (AVBufferRef   *ref);
void        _rs_ref_claim               (RsHandle      *h,
                                         AVBufferRef   *ref);
void        _rs_ref_lose                (RsHandle      *h,
                                         const Ref     *r);
void        _rs_ref_raw                 (AVBufferRef   *ref);

/* rs-preload-holders.c */
/* The call of this step hands `buf` to its part (call->given_to: "h264
 * decoder", "filter graph", ...), which may keep references to it. */
void        _rs_buf_given               (Buf           *buf);
/* Before the call: `buf` is being given to `part`, which may take
 * references while another thread records a step. */
void        _rs_buf_giving              (Buf           *buf,
                                         const char    *part);
/* After _rs_buf_refresh: which parts hold each buffer's libav references
 * now; `exact` as the step's. */
void        _rs_buf_attribute           (bool           exact);
/* A codec that runs frame threads opened (`part`, its holder name) or
 * closed. */
void        _rs_async_part_open         (const char    *part);
void        _rs_async_part_close        (const char    *part);
/* The references libav holds to `buf`: its hidden ones, less the
 * program's raw ones. */
int         _rs_buf_libav_refs          (const Buf     *buf);

/* rs-preload-handles.c */
RsHandle   *_rs_handle_new              (void          *ptr,
                                         RsHandleKind   kind,
                                         bool           allocated);
void        _rs_handle_remove           (RsHandle      *h,
                                         bool           lose_refs);
void        _rs_handle_drop_ref         (RsHandle      *h,
                                         size_t         i);
void        _rs_handle_forget_buf       (Buf           *buf);
void        _rs_handle_read             (void          *ptr,
                                         RsHandleKind   kind,
                                         Reading       *reading);
bool        _rs_reading_has             (const Reading *reading,
                                         AVBufferRef   *ref);
void        _rs_handle_set              (RsHandle      *h,
                                         Reading       *reading);
RsHandle   *_rs_handle_claim_before     (RsArg         *arg);

/* rs-preload-writer.c */
/* Refreshes the counts and writes the step of call `id`. */
void        _rs_step_write              (RsCallId       id,
                                         int            ret,
                                         uint64_t       out);
