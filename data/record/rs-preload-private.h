/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-preload-private.h: the insides of the recorder library that
 * `refscope record` preloads into a program (LD_PRELOAD).
 *
 * It lives in someone else's process: libc, pthread, libdl and libav only,
 * no GLib. Every libav function it calls that it also interposes is called
 * through rs_real (dlsym RTLD_NEXT), never by name: by name it would call
 * itself.
 *
 * Files:
 *   rs-preload.c              start, stop, fork, real functions, modules,
 *                             the life of a call (begin, enter, leave)
 *   rs-preload-calls.c        the interposed functions: packets, frames,
 *                             buffers
 *   rs-preload-calls-codec.c  ... demuxing, muxing, codecs, filters,
 *                             hardware, scaling, resampling
 *   rs-preload-tracker.c      buffers wrapped at birth; decoders' get_buffer2
 *   rs-preload-step.c         what a call does to the state (see
 *   rs-preload-handles.c        rs-preload-state-private.h)
 *   rs-preload-buffers.c
 *   rs-preload-holders.c
 *   rs-preload-writer.c       the encoder of the recording format
 *   rs-preload-map.c          a small hash map, allocation helpers
 *
 * Locks: `state` (rs_state_lock) guards handles, buffers, the writer;
 * `tracker` guards the wrapped buffers' records and the codec contexts,
 * and is the only one a free callback takes (it may run on a libav worker
 * thread inside any call); the interned strings and the module table have
 * a lock each, taken last. Order: state -> tracker -> interned strings.
 * No lock is held while a real libav call runs, nor while program code
 * runs (the program's get_buffer2, a free callback of its buffers).
 */
#pragma once

#define _GNU_SOURCE
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libavcodec/avcodec.h>
#include <libavcodec/bsf.h>
#include <libavformat/avformat.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/buffer.h>
#include <libavutil/frame.h>
#include <libavutil/hwcontext.h>

#include "rs-recording-format.h"

/* From libswscale and libswresample, which are not linked either (their
 * headers are not needed for two prototypes). */
struct SwsContext;
struct SwrContext;
int sws_scale_frame   (struct SwsContext *c,
                       AVFrame           *dst,
                       const AVFrame     *src);
int swr_convert_frame (struct SwrContext *s,
                       AVFrame           *output,
                       const AVFrame     *input);

#define RS_EXPORT __attribute__((visibility ("default")))
#define RS_TLS    __thread __attribute__((tls_model ("initial-exec")))

/* ------------------------------------------------------------------ */
/* The interposed libav functions that record a step, in the order of
 * their RsCallId. */
#define RS_STEP_FUNCTIONS(X) \
  X (av_packet_alloc) X (av_packet_free) X (av_packet_ref) X (av_packet_unref) \
  X (av_packet_move_ref) X (av_packet_clone) X (av_packet_make_refcounted) \
  X (av_packet_make_writable) X (av_packet_copy_props) X (av_packet_from_data) \
  X (av_packet_new_side_data) X (av_packet_add_side_data) X (av_new_packet) \
  X (av_grow_packet) X (av_shrink_packet) X (av_init_packet) \
  X (av_frame_alloc) X (av_frame_free) X (av_frame_ref) X (av_frame_unref) \
  X (av_frame_move_ref) X (av_frame_clone) X (av_frame_get_buffer) \
  X (av_frame_make_writable) X (av_frame_copy_props) X (av_frame_new_side_data) \
  X (av_frame_new_side_data_from_buf) X (av_frame_remove_side_data) \
  X (av_buffer_alloc) X (av_buffer_allocz) X (av_buffer_create) X (av_buffer_ref) \
  X (av_buffer_unref) X (av_buffer_realloc) X (av_buffer_make_writable) \
  X (av_buffer_replace) \
  X (av_buffer_pool_init) X (av_buffer_pool_init2) X (av_buffer_pool_get) \
  X (av_buffer_pool_uninit) \
  X (av_read_frame) X (avformat_close_input) X (av_interleaved_write_frame) \
  X (av_write_frame) X (avformat_open_input) X (avformat_find_stream_info) \
  X (av_seek_frame) X (avformat_seek_file) X (avformat_write_header) \
  X (av_write_trailer) \
  X (avcodec_open2) X (avcodec_send_packet) X (avcodec_receive_frame) \
  X (avcodec_send_frame) X (avcodec_receive_packet) X (avcodec_flush_buffers) \
  X (avcodec_free_context) X (avcodec_close) X (av_bsf_send_packet) X (av_bsf_receive_packet) \
  X (av_buffersrc_add_frame) X (av_buffersrc_add_frame_flags) \
  X (av_buffersrc_write_frame) X (av_buffersink_get_frame) \
  X (av_buffersink_get_frame_flags) X (av_buffersink_get_samples) \
  X (av_hwframe_ctx_alloc) X (av_hwdevice_ctx_create) X (av_hwframe_get_buffer) \
  X (av_hwframe_transfer_data) X (av_get_packet) X (av_append_packet) \
  X (sws_scale_frame) X (swr_convert_frame)

/* Real functions: every interposed libav function (the steps', and two
 * that only answer for our wrappers), found once with dlsym (RTLD_NEXT). libavfilter's are NULL when the program did not load
 * it (then the program cannot call them either). */
#define RS_REAL_FUNCTIONS(X) \
  RS_STEP_FUNCTIONS (X) X (av_buffer_get_opaque) X (av_buffer_pool_buffer_get_opaque)

typedef struct {
#define RS_REAL_FIELD(name) __typeof__ (name) *name;
  RS_REAL_FUNCTIONS (RS_REAL_FIELD)
#undef RS_REAL_FIELD
} RsReal;

extern RsReal rs_real;

/* Resolves rs_real once; safe to call from any interposer, even one that
 * runs before our constructor. */
void rs_real_init (void);

/* ------------------------------------------------------------------ */
/* For the interposers (rs-preload-calls*.c). */

/* A real function; libavfilter's may only be found once the program has
 * loaded it. */
#define RS_REAL(name) \
  (__builtin_expect (rs_real.name != NULL, 1) \
     ? rs_real.name : (__typeof__ (rs_real.name)) rs_real_late (#name, (void **) &rs_real.name))

void *rs_real_late (const char *name,
                    void      **slot);

/* The program's call: the interposer's return address. */
#define RS_CALLER __builtin_return_address (0)

/* ------------------------------------------------------------------ */
/* Modules and sites. */

typedef struct {
  uint32_t module;  /* index in the module table + 1; 0: unknown */
  uint64_t offset;  /* from the module's load bias, minus 1: inside the call instruction */
} RsSite;

/* True when `address` is code of libav (libav*, libsw*, libpostproc) or
 * of this library: calls from there are libav calling itself. */
bool        rs_module_is_internal  (const void *address);
/* The site of a return address. */
RsSite      rs_module_site         (const void *return_address);
/* The real path of module `index` (from RsSite.module); NULL if none. */
const char *rs_module_path         (uint32_t    module);

/* ------------------------------------------------------------------ */
/* Calls: every interposed function names itself with an RsCallId; the
 * program's exit is the last step. */
#define RS_CALL_NAMES(X) RS_STEP_FUNCTIONS (X) X (exit)

typedef enum {
#define RS_CALL_ENUM(name) RS_CALL_##name,
  RS_CALL_NAMES (RS_CALL_ENUM)
#undef RS_CALL_ENUM
  RS_CALL_N
} RsCallId;

const char *rs_call_name (RsCallId id);

/* Reference slots of handles: a class and an index make the field name. */
typedef enum {
  RS_SLOT_PKT_BUF,      /* AVPacket.buf */
  RS_SLOT_PKT_OPAQUE,   /* AVPacket.opaque_ref */
  RS_SLOT_BUF,          /* AVFrame.buf[i] */
  RS_SLOT_EXTENDED,     /* AVFrame.extended_buf[i] */
  RS_SLOT_SIDE_DATA,    /* AVFrame.side_data[i]->buf */
  RS_SLOT_HW_FRAMES,    /* AVFrame.hw_frames_ctx */
  RS_SLOT_OPAQUE,       /* AVFrame.opaque_ref */
  RS_SLOT_PRIVATE,      /* AVFrame.private_ref */
  RS_SLOT_N
} RsSlot;

#define RS_LOSE(slot)   (1u << (slot))
#define RS_LOSE_ALL     ((1u << RS_SLOT_N) - 1)
#define RS_LOSE_FRAME_DATA (RS_LOSE (RS_SLOT_BUF) | RS_LOSE (RS_SLOT_EXTENDED) | RS_LOSE (RS_SLOT_HW_FRAMES))

typedef enum {
  RS_HANDLE_PACKET,
  RS_HANDLE_FRAME,
} RsHandleKind;

/* Arguments of a call that are packets or frames. */
enum {
  RS_ARG_VALID = 1 << 0,  /* holds a valid packet/frame before the call: its refs are claimed at enter */
  RS_ARG_FREED = 1 << 1,  /* the call frees the struct: never read after */
  RS_ARG_OUT   = 1 << 2,  /* on success, the step's out handle */
};

#define RS_MAX_ARGS 3

/* References a call moves between the program's handles and its part
 * (rather than taking new ones): what the args drop goes to the part,
 * what the out arg gains comes from it. */
typedef enum {
  RS_MOVES_NONE,
  RS_MOVES_IN,   /* on success the args' references are call->given_to's */
  RS_MOVES_OUT,  /* the out arg's new references were call->holder's
                  * (av_frame_move_ref from a frame of the part's) */
} RsMoves;

typedef enum {
  RS_WRAP_NONE,
  RS_WRAP_OUT,   /* wrap the fresh buffers (refcount 1, not known) of the OUT arg */
} RsWrap;

typedef struct _RsHandle RsHandle;

typedef struct {
  void      *ptr;
  uint8_t    kind;       /* RsHandleKind */
  uint8_t    flags;      /* RS_ARG_* */
  uint16_t   lose_mask;  /* slots whose old references the call overwrites without unref */
  RsHandle  *handle;     /* the handle, while the state code works on it */
  RsHandle  *busy;       /* the handle marked busy at enter, or NULL */
} RsArg;

typedef struct {
  RsCallId         id;
  const void      *caller;   /* return address in the program */
  int              n_args;
  RsArg            args[RS_MAX_ARGS];
  AVCodecContext  *avctx;    /* the codec context of the call, if any */
  const char      *given_to; /* the libav part the args' buffers go to (holder of hidden refs) */
  const char      *origin;   /* origin of buffers born in this call ("demuxer", ...): default the call name */
  const char      *holder;   /* the libav part the call runs in (which keeps hidden refs of
                              * the buffers born in it), or NULL */
  uint8_t          wrap;     /* RsWrap: fresh buffers of the OUT arg to wrap after the call */
  uint8_t          moves;    /* RsMoves */
  void            *created;  /* a packet/frame the call allocated (alloc, clone) */
  uint8_t          created_kind;
  AVBufferRef    **slot;     /* av_buffer_*: the AVBufferRef* slot the call changes */
  AVBufferRef     *slot_before;
  AVBufferRef     *raw_result;  /* av_buffer_*: a new reference handed to the program */
  int              ret;
  const char      *message;  /* an error or warning for the step, or NULL */
  bool             entered;  /* a step: rs_call_enter ran, rs_call_leave records it */
} RsCall;

/* Every interposer has one shape:
 *
 *   RsCall call;
 *
 *   if (rs_call_begin (&call, RS_CALL_name, RS_CALLER))
 *     {
 *       ...describe the call: rs_call_add, call.wrap, call.origin...
 *       rs_call_enter (&call);
 *     }
 *   return rs_call_return (&call, RS_REAL (name) (args));
 *
 * The real call is an argument of rs_call_return*: it runs between enter
 * and leave. A call returning nothing ends with rs_call_leave (&call, 0).
 * When the call is no step, nothing is entered and the leave does nothing:
 * the program just gets the real function. */

/* True when a call from `caller` is a step (recording on, not nested, the
 * program called); fills `call`. Either way, `call` is not entered. */
bool rs_call_begin (RsCall      *call,
                    RsCallId     id,
                    const void  *caller);
void rs_call_add   (RsCall      *call,
                    void        *ptr,
                    RsHandleKind kind,
                    unsigned     flags,
                    unsigned     lose_mask);
/* Before the real call: claims the args, marks them busy. */
void rs_call_enter (RsCall      *call);
/* After the real call: when `call` was entered, reads the args, records
 * the step. */
void rs_call_leave (RsCall      *call,
                    int          ret);

/* Leaves `call` with `ret`; returns `ret`. */
int   rs_call_return         (RsCall      *call,
                              int          ret);
/* Leaves `call` with the result `p` of a call that returns a pointer (a
 * NULL is ENOMEM); returns `p`, owned as the real call says (by the
 * program). */
void *rs_call_return_pointer (RsCall      *call,
                              void        *p);
/* The same for a call that allocates a packet or frame (alloc, clone):
 * `p` is the program's new handle. */
void *rs_call_return_created (RsCall      *call,
                              RsHandleKind kind,
                              void        *p);
/* For the av_buffer_* calls that change an AVBufferRef* slot (the
 * program's variable, or a slot of a handle): before the call. */
void  rs_call_set_slot       (RsCall      *call,
                              AVBufferRef **slot);

/* Depth of interposed calls and callbacks on this thread: nested calls
 * pass straight through. */
extern RS_TLS int rs_depth;

/* Recording is on (an atomic flag: any thread may turn it off). */
bool rs_recording (void);
/* Stops recording for good (an internal failure): calls pass through. */
void rs_stop (void);
/* Small int of the calling thread, in order of first recorded step. */
int  rs_thread_index (void);
/* More than one program thread has recorded steps (under the state lock). */
bool rs_threads_many (void);

/* ------------------------------------------------------------------ */
/* State (rs-preload-state.c). */

void rs_state_lock    (void);
void rs_state_unlock  (void);
/* Under the state lock. */
void rs_state_enter   (RsCall *call);
void rs_state_leave   (RsCall *call);
/* Records the final "exit" step (handles never freed, buffers alive);
 * status: the program's exit status (0-255) as its parent sees it. */
void rs_state_exit    (int status);
void rs_state_atfork_prepare (void);
void rs_state_atfork_parent  (void);
void rs_state_atfork_child   (void);

/* Wrapping at birth (any thread, no state lock needed): replaces *ref, a
 * reference with refcount 1 that is not ours, by a wrapper around it. */
bool rs_wrap          (AVBufferRef   **ref,
                       RsRecBufferKind kind,
                       const char     *origin,
                       const char     *holder);
/* Wraps a frame's plane buffers (not hw frames) that are fresh: refcount
 * 1, not ours. */
void rs_wrap_frame    (AVFrame        *frame,
                       const char     *origin,
                       const char     *holder);
void rs_wrap_packet   (AVPacket       *packet,
                       const char     *origin,
                       const char     *holder);
/* Our wrapper's inner reference, or NULL when `ref` is not ours. The
 * answer stays valid while the caller holds `ref`. */
AVBufferRef *rs_wrapper_inner (const AVBufferRef *ref);

/* The tracker (rs-preload-tracker.c): records of wrapped buffers, and
 * the codec contexts whose get_buffer2 we chain to. Its lock is the only
 * one a free callback takes. */
typedef enum {
  RS_TRACKER_ALLOCATED,
  RS_TRACKER_FREED,
} RsTrackerEventKind;

typedef struct {
  uint8_t     kind;      /* RsTrackerEventKind */
  uint8_t     buf_kind;  /* RsRecBufferKind */
  uint64_t    id;
  const char *origin;
  const char *holder;
  size_t      size;
} RsTrackerEvent;

void     rs_tracker_lock     (void);
void     rs_tracker_unlock   (void);
/* Next buffer id (tracked and observed share them; never reused). */
uint64_t rs_buffer_id_next   (void);
/* Under the tracker lock: the id of our wrapper `buffer`, or 0. */
uint64_t rs_tracker_find_id  (const AVBuffer *buffer);
/* Under the tracker lock: the events since the last call, oldest first
 * (the array is the tracker's; rs_tracker_clear_events () empties it). */
const RsTrackerEvent *rs_tracker_events (size_t *n);
void     rs_tracker_clear_events (void);
/* Under the tracker lock: calls `fn` on every live wrapper, by id. */
void     rs_tracker_foreach  (void (*fn) (uint64_t id, int refcount, bool writable, void *data),
                              void  *data);
/* A copy of `s` kept for the life of the process, the same one for equal
 * texts (so they compare by pointer); NULL for NULL. Owned by the library:
 * never freed. Not model/rs-intern.h's rs_intern: this library lives in the
 * recorded program and links no GLib. */
const char *rs_keep_string   (const char *s);

/* Codec contexts (any thread). */
int  rs_get_buffer2      (AVCodecContext *avctx,
                          AVFrame        *frame,
                          int             flags);
/* Before the real avcodec_open2: a decoder gets our get_buffer2, chained
 * to the program's (or the default). */
void rs_codec_opening    (AVCodecContext *avctx,
                          const AVCodec  *codec);
/* After it: true when the decoder now runs frame threads. */
bool rs_codec_opened     (AVCodecContext *avctx,
                          int             ret);
/* After avcodec_free_context: true when it ran frame threads. */
bool rs_codec_freed      (AVCodecContext *avctx);
/* After avcodec_close of a context that is still there: the same, and
 * the context gets the program's get_buffer2 back. */
bool rs_codec_closed     (AVCodecContext *avctx);
/* The context runs frame threads (avcodec_open2 left them on). */
bool rs_codec_frame_threads (AVCodecContext *avctx);
/* The holder name of a context ("h264 decoder"), interned; NULL if none. */
const char *rs_codec_holder (AVCodecContext *avctx);
/* The stream of the last packet sent to a decoder (its frames' stream). */
void rs_codec_set_stream (AVCodecContext *avctx,
                          int             stream);
int  rs_codec_stream     (AVCodecContext *avctx);
void rs_tracker_atfork_prepare (void);
void rs_tracker_atfork_release (void);

/* ------------------------------------------------------------------ */
/* Writer (rs-preload-writer.c), under the state lock. */

/* Opens the recording and claims it (flock). With `only_if_unused`, fails
 * (EEXIST) when the file already holds something: another process of the
 * run recorded there. */
bool     rs_writer_open        (const char *path,
                                bool        only_if_unused);
void     rs_writer_close       (void);
/* Returns the id of `string` (interned by content), 0 for NULL. */
uint32_t rs_writer_string      (const char *string);
uint32_t rs_writer_module      (uint32_t    module);
/* A step: begin, then the sections in order, then end (one write). */
void     rs_writer_begin_step  (bool        full);
uint8_t *rs_writer_reserve     (size_t      max);
void     rs_writer_commit      (uint8_t    *end);
void     rs_writer_varint      (uint64_t    value);
void     rs_writer_zigzag      (int64_t     value);
void     rs_writer_site        (RsSite      site);
bool     rs_writer_end_step    (void);
bool     rs_writer_end_file    (uint32_t    n_steps);

/* ------------------------------------------------------------------ */
/* Map (rs-preload-map.c): uintptr_t keys (never 0) to pointers. */

typedef struct {
  uintptr_t *keys;
  void     **values;
  size_t     n;
  size_t     capacity;  /* a power of two, or 0 */
} RsMap;

void *rs_map_lookup (const RsMap *map,
                     uintptr_t    key);
/* False when out of memory. */
bool  rs_map_insert (RsMap       *map,
                     uintptr_t    key,
                     void        *value);
void *rs_map_remove (RsMap       *map,
                     uintptr_t    key);
void  rs_map_clear  (RsMap       *map);

/* Small helpers. */
void *rs_alloc    (size_t size);  /* zeroed; NULL stops recording */
void *rs_grow     (void *array, size_t *capacity, size_t need, size_t item);
char *rs_strdup   (const char *s);
