/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-preload-calls.c: the libav functions the recorder interposes.
 *
 * Each one calls the real function; when the program called it (not libav
 * itself, not a nested call, not a callback we run), it is a step: its
 * packet/frame arguments are declared with what the call does to them
 * (RS_ARG_*, the slots it overwrites without an unref), then the state code
 * reads them before and after. These are the only exported symbols.
 */
#include "rs-preload-private.h"

#include <dlfcn.h>
#include <stdio.h>

/* A real function; libavfilter's may only be found once the program has
 * loaded it. */
#define REAL(name) \
  (__builtin_expect (rs_real.name != NULL, 1) ? rs_real.name : real_late (#name, (void **) &rs_real.name, rs_real.name))

static void *
real_late_any (const char *name,
               void      **slot)
{
  rs_real_init ();
  if (*slot == NULL)
    *slot = dlsym (RTLD_NEXT, name);
  return *slot;
}

#define real_late(name, slot, type) ((__typeof__ (type)) real_late_any (name, slot))

#define CALLER __builtin_return_address (0)

static int
ptr_ret (const void *p)
{
  return p != NULL ? 0 : AVERROR (ENOMEM);
}

/* ------------------------------------------------------------------ */
/* Packets. */

RS_EXPORT AVPacket *
av_packet_alloc (void)
{
  RsCall call;
  AVPacket *pkt;

  if (!rs_call_begin (&call, RS_CALL_av_packet_alloc, CALLER))
    return REAL (av_packet_alloc) ();
  rs_call_enter (&call);
  pkt = REAL (av_packet_alloc) ();
  call.created = pkt;
  call.created_kind = RS_HANDLE_PACKET;
  rs_call_leave (&call, ptr_ret (pkt));
  return pkt;
}

RS_EXPORT void
av_packet_free (AVPacket **pkt)
{
  RsCall call;

  if (!rs_call_begin (&call, RS_CALL_av_packet_free, CALLER))
    {
      REAL (av_packet_free) (pkt);
      return;
    }
  if (pkt != NULL)
    rs_call_add (&call, *pkt, RS_HANDLE_PACKET, RS_ARG_VALID | RS_ARG_FREED, 0);
  rs_call_enter (&call);
  REAL (av_packet_free) (pkt);
  rs_call_leave (&call, 0);
}

RS_EXPORT int
av_packet_ref (AVPacket       *dst,
               const AVPacket *src)
{
  RsCall call;
  int ret;

  if (!rs_call_begin (&call, RS_CALL_av_packet_ref, CALLER))
    return REAL (av_packet_ref) (dst, src);
  /* dst->buf is overwritten; its opaque_ref is replaced with an unref. */
  rs_call_add (&call, dst, RS_HANDLE_PACKET, RS_ARG_OUT, RS_LOSE (RS_SLOT_PKT_BUF));
  rs_call_add (&call, (AVPacket *) src, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
  rs_call_enter (&call);
  ret = REAL (av_packet_ref) (dst, src);
  rs_call_leave (&call, ret);
  return ret;
}

RS_EXPORT void
av_packet_unref (AVPacket *pkt)
{
  RsCall call;

  if (!rs_call_begin (&call, RS_CALL_av_packet_unref, CALLER))
    {
      REAL (av_packet_unref) (pkt);
      return;
    }
  rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
  rs_call_enter (&call);
  REAL (av_packet_unref) (pkt);
  rs_call_leave (&call, 0);
}

RS_EXPORT void
av_packet_move_ref (AVPacket *dst,
                    AVPacket *src)
{
  RsCall call;

  if (!rs_call_begin (&call, RS_CALL_av_packet_move_ref, CALLER))
    {
      REAL (av_packet_move_ref) (dst, src);
      return;
    }
  rs_call_add (&call, dst, RS_HANDLE_PACKET, RS_ARG_OUT, RS_LOSE_ALL);
  rs_call_add (&call, src, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
  rs_call_enter (&call);
  REAL (av_packet_move_ref) (dst, src);
  rs_call_leave (&call, 0);
}

RS_EXPORT AVPacket *
av_packet_clone (const AVPacket *src)
{
  RsCall call;
  AVPacket *pkt;

  if (!rs_call_begin (&call, RS_CALL_av_packet_clone, CALLER))
    return REAL (av_packet_clone) (src);
  rs_call_add (&call, (AVPacket *) src, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
  rs_call_enter (&call);
  pkt = REAL (av_packet_clone) (src);
  call.created = pkt;
  call.created_kind = RS_HANDLE_PACKET;
  rs_call_leave (&call, ptr_ret (pkt));
  return pkt;
}

/* The calls that take one packet the program holds valid. */
#define PACKET_CALL(name, flags, lose, ...)                         \
  {                                                                \
    RsCall call;                                                   \
    int ret;                                                       \
                                                                   \
    if (!rs_call_begin (&call, RS_CALL_##name, CALLER))            \
      return REAL (name) (__VA_ARGS__);                            \
    rs_call_add (&call, pkt, RS_HANDLE_PACKET, flags, lose);       \
    rs_call_enter (&call);                                         \
    ret = REAL (name) (__VA_ARGS__);                               \
    rs_call_leave (&call, ret);                                    \
    return ret;                                                    \
  }

RS_EXPORT int
av_packet_make_refcounted (AVPacket *pkt)
PACKET_CALL (av_packet_make_refcounted, RS_ARG_VALID, 0, pkt)

RS_EXPORT int
av_packet_make_writable (AVPacket *pkt)
PACKET_CALL (av_packet_make_writable, RS_ARG_VALID, 0, pkt)

RS_EXPORT int
av_grow_packet (AVPacket *pkt,
                int       grow_by)
PACKET_CALL (av_grow_packet, RS_ARG_VALID, 0, pkt, grow_by)

RS_EXPORT int
av_packet_add_side_data (AVPacket                 *pkt,
                         enum AVPacketSideDataType type,
                         uint8_t                  *data,
                         size_t                    size)
PACKET_CALL (av_packet_add_side_data, RS_ARG_VALID, 0, pkt, type, data, size)

/* av_new_packet resets every field (its old refs are lost). */
RS_EXPORT int
av_new_packet (AVPacket *pkt,
               int       size)
PACKET_CALL (av_new_packet, RS_ARG_OUT, RS_LOSE_ALL, pkt, size)

RS_EXPORT int
av_packet_copy_props (AVPacket       *dst,
                      const AVPacket *src)
{
  RsCall call;
  int ret;

  if (!rs_call_begin (&call, RS_CALL_av_packet_copy_props, CALLER))
    return REAL (av_packet_copy_props) (dst, src);
  rs_call_add (&call, dst, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
  rs_call_add (&call, (AVPacket *) src, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
  rs_call_enter (&call);
  ret = REAL (av_packet_copy_props) (dst, src);
  rs_call_leave (&call, ret);
  return ret;
}

RS_EXPORT int
av_packet_from_data (AVPacket *pkt,
                     uint8_t  *data,
                     int       size)
{
  RsCall call;
  int ret;

  if (!rs_call_begin (&call, RS_CALL_av_packet_from_data, CALLER))
    return REAL (av_packet_from_data) (pkt, data, size);
  rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_OUT, RS_LOSE (RS_SLOT_PKT_BUF));
  call.wrap = RS_WRAP_OUT;
  rs_call_enter (&call);
  ret = REAL (av_packet_from_data) (pkt, data, size);
  rs_call_leave (&call, ret);
  return ret;
}

RS_EXPORT uint8_t *
av_packet_new_side_data (AVPacket                 *pkt,
                         enum AVPacketSideDataType type,
                         size_t                    size)
{
  RsCall call;
  uint8_t *data;

  if (!rs_call_begin (&call, RS_CALL_av_packet_new_side_data, CALLER))
    return REAL (av_packet_new_side_data) (pkt, type, size);
  rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
  rs_call_enter (&call);
  data = REAL (av_packet_new_side_data) (pkt, type, size);
  rs_call_leave (&call, ptr_ret (data));
  return data;
}

RS_EXPORT void
av_shrink_packet (AVPacket *pkt,
                  int       size)
{
  RsCall call;

  if (!rs_call_begin (&call, RS_CALL_av_shrink_packet, CALLER))
    {
      REAL (av_shrink_packet) (pkt, size);
      return;
    }
  rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
  rs_call_enter (&call);
  REAL (av_shrink_packet) (pkt, size);
  rs_call_leave (&call, 0);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
/* Sets buf, opaque_ref and side_data to NULL without an unref: whatever
 * the packet held is lost. */
RS_EXPORT void
av_init_packet (AVPacket *pkt)
{
  RsCall call;

  if (!rs_call_begin (&call, RS_CALL_av_init_packet, CALLER))
    {
      REAL (av_init_packet) (pkt);
      return;
    }
  rs_call_add (&call, pkt, RS_HANDLE_PACKET, 0, RS_LOSE_ALL);
  rs_call_enter (&call);
  REAL (av_init_packet) (pkt);
  rs_call_leave (&call, 0);
}
#pragma GCC diagnostic pop

/* ------------------------------------------------------------------ */
/* Frames. */

RS_EXPORT AVFrame *
av_frame_alloc (void)
{
  RsCall call;
  AVFrame *frame;

  if (!rs_call_begin (&call, RS_CALL_av_frame_alloc, CALLER))
    return REAL (av_frame_alloc) ();
  rs_call_enter (&call);
  frame = REAL (av_frame_alloc) ();
  call.created = frame;
  call.created_kind = RS_HANDLE_FRAME;
  rs_call_leave (&call, ptr_ret (frame));
  return frame;
}

RS_EXPORT void
av_frame_free (AVFrame **frame)
{
  RsCall call;

  if (!rs_call_begin (&call, RS_CALL_av_frame_free, CALLER))
    {
      REAL (av_frame_free) (frame);
      return;
    }
  if (frame != NULL)
    rs_call_add (&call, *frame, RS_HANDLE_FRAME, RS_ARG_VALID | RS_ARG_FREED, 0);
  rs_call_enter (&call);
  REAL (av_frame_free) (frame);
  rs_call_leave (&call, 0);
}

RS_EXPORT int
av_frame_ref (AVFrame       *dst,
              const AVFrame *src)
{
  RsCall call;
  int ret;

  if (!rs_call_begin (&call, RS_CALL_av_frame_ref, CALLER))
    return REAL (av_frame_ref) (dst, src);
  /* buf[], extended_buf[] and hw_frames_ctx are overwritten; side data is
   * appended; opaque_ref and private_ref are replaced with an unref. */
  rs_call_add (&call, dst, RS_HANDLE_FRAME, RS_ARG_VALID | RS_ARG_OUT, RS_LOSE_FRAME_DATA);
  rs_call_add (&call, (AVFrame *) src, RS_HANDLE_FRAME, RS_ARG_VALID, 0);
  call.wrap = RS_WRAP_OUT;  /* a copy, when src is not refcounted */
  rs_call_enter (&call);
  ret = REAL (av_frame_ref) (dst, src);
  rs_call_leave (&call, ret);
  return ret;
}

RS_EXPORT void
av_frame_unref (AVFrame *frame)
{
  RsCall call;

  if (!rs_call_begin (&call, RS_CALL_av_frame_unref, CALLER))
    {
      REAL (av_frame_unref) (frame);
      return;
    }
  rs_call_add (&call, frame, RS_HANDLE_FRAME, RS_ARG_VALID, 0);
  rs_call_enter (&call);
  REAL (av_frame_unref) (frame);
  rs_call_leave (&call, 0);
}

RS_EXPORT void
av_frame_move_ref (AVFrame *dst,
                   AVFrame *src)
{
  RsCall call;

  if (!rs_call_begin (&call, RS_CALL_av_frame_move_ref, CALLER))
    {
      REAL (av_frame_move_ref) (dst, src);
      return;
    }
  rs_call_add (&call, dst, RS_HANDLE_FRAME, RS_ARG_OUT, RS_LOSE_ALL);
  rs_call_add (&call, src, RS_HANDLE_FRAME, RS_ARG_VALID, 0);
  rs_call_enter (&call);
  REAL (av_frame_move_ref) (dst, src);
  rs_call_leave (&call, 0);
}

RS_EXPORT AVFrame *
av_frame_clone (const AVFrame *src)
{
  RsCall call;
  AVFrame *frame;

  if (!rs_call_begin (&call, RS_CALL_av_frame_clone, CALLER))
    return REAL (av_frame_clone) (src);
  rs_call_add (&call, (AVFrame *) src, RS_HANDLE_FRAME, RS_ARG_VALID, 0);
  call.wrap = RS_WRAP_OUT;
  rs_call_enter (&call);
  frame = REAL (av_frame_clone) (src);
  call.created = frame;
  call.created_kind = RS_HANDLE_FRAME;
  rs_call_leave (&call, ptr_ret (frame));
  return frame;
}

/* The calls that take one frame the program holds valid. */
#define FRAME_CALL(name, flags, lose, wrap_out, ...)                \
  {                                                                \
    RsCall call;                                                   \
    int ret;                                                       \
                                                                   \
    if (!rs_call_begin (&call, RS_CALL_##name, CALLER))            \
      return REAL (name) (__VA_ARGS__);                            \
    rs_call_add (&call, frame, RS_HANDLE_FRAME, flags, lose);      \
    call.wrap = wrap_out;                                          \
    rs_call_enter (&call);                                         \
    ret = REAL (name) (__VA_ARGS__);                               \
    rs_call_leave (&call, ret);                                    \
    return ret;                                                    \
  }

RS_EXPORT int
av_frame_get_buffer (AVFrame *frame,
                     int      align)
FRAME_CALL (av_frame_get_buffer, RS_ARG_VALID | RS_ARG_OUT, RS_LOSE_FRAME_DATA, RS_WRAP_OUT, frame, align)

RS_EXPORT int
av_frame_make_writable (AVFrame *frame)
FRAME_CALL (av_frame_make_writable, RS_ARG_VALID | RS_ARG_OUT, 0, RS_WRAP_OUT, frame)

RS_EXPORT void
av_frame_remove_side_data (AVFrame                   *frame,
                           enum AVFrameSideDataType   type)
{
  RsCall call;

  if (!rs_call_begin (&call, RS_CALL_av_frame_remove_side_data, CALLER))
    {
      REAL (av_frame_remove_side_data) (frame, type);
      return;
    }
  rs_call_add (&call, frame, RS_HANDLE_FRAME, RS_ARG_VALID, 0);
  rs_call_enter (&call);
  REAL (av_frame_remove_side_data) (frame, type);
  rs_call_leave (&call, 0);
}

RS_EXPORT int
av_frame_copy_props (AVFrame       *dst,
                     const AVFrame *src)
{
  RsCall call;
  int ret;

  if (!rs_call_begin (&call, RS_CALL_av_frame_copy_props, CALLER))
    return REAL (av_frame_copy_props) (dst, src);
  rs_call_add (&call, dst, RS_HANDLE_FRAME, RS_ARG_VALID, 0);
  rs_call_add (&call, (AVFrame *) src, RS_HANDLE_FRAME, RS_ARG_VALID, 0);
  rs_call_enter (&call);
  ret = REAL (av_frame_copy_props) (dst, src);
  rs_call_leave (&call, ret);
  return ret;
}

RS_EXPORT AVFrameSideData *
av_frame_new_side_data (AVFrame                 *frame,
                        enum AVFrameSideDataType type,
                        size_t                   size)
{
  RsCall call;
  AVFrameSideData *sd;

  if (!rs_call_begin (&call, RS_CALL_av_frame_new_side_data, CALLER))
    return REAL (av_frame_new_side_data) (frame, type, size);
  rs_call_add (&call, frame, RS_HANDLE_FRAME, RS_ARG_VALID, 0);
  rs_call_enter (&call);
  sd = REAL (av_frame_new_side_data) (frame, type, size);
  rs_call_leave (&call, ptr_ret (sd));
  return sd;
}

/* Takes the program's reference `buf` into the frame's side data. */
RS_EXPORT AVFrameSideData *
av_frame_new_side_data_from_buf (AVFrame                 *frame,
                                 enum AVFrameSideDataType type,
                                 AVBufferRef             *buf)
{
  RsCall call;
  AVFrameSideData *sd;

  if (!rs_call_begin (&call, RS_CALL_av_frame_new_side_data_from_buf, CALLER))
    return REAL (av_frame_new_side_data_from_buf) (frame, type, buf);
  rs_call_add (&call, frame, RS_HANDLE_FRAME, RS_ARG_VALID, 0);
  rs_call_enter (&call);
  sd = REAL (av_frame_new_side_data_from_buf) (frame, type, buf);
  rs_call_leave (&call, ptr_ret (sd));
  return sd;
}

/* ------------------------------------------------------------------ */
/* Buffers. Fresh buffers the program makes are wrapped (their lifetime is
 * then known); av_buffer_realloc's may be reallocated in place, so they
 * are only observed. */

static AVBufferRef *
new_buffer_step (RsCall      *call,
                 AVBufferRef *ref)
{
  if (ref != NULL)
    rs_wrap (&ref, RS_REC_BUFFER_KIND_OTHER, rs_call_name (call->id), NULL);
  call->raw_result = ref;
  rs_call_leave (call, ptr_ret (ref));
  return ref;
}

RS_EXPORT AVBufferRef *
av_buffer_alloc (size_t size)
{
  RsCall call;

  if (!rs_call_begin (&call, RS_CALL_av_buffer_alloc, CALLER))
    return REAL (av_buffer_alloc) (size);
  rs_call_enter (&call);
  return new_buffer_step (&call, REAL (av_buffer_alloc) (size));
}

RS_EXPORT AVBufferRef *
av_buffer_allocz (size_t size)
{
  RsCall call;

  if (!rs_call_begin (&call, RS_CALL_av_buffer_allocz, CALLER))
    return REAL (av_buffer_allocz) (size);
  rs_call_enter (&call);
  return new_buffer_step (&call, REAL (av_buffer_allocz) (size));
}

RS_EXPORT AVBufferRef *
av_buffer_create (uint8_t  *data,
                  size_t    size,
                  void    (*free_fn) (void *opaque, uint8_t *data),
                  void     *opaque,
                  int       flags)
{
  RsCall call;

  if (!rs_call_begin (&call, RS_CALL_av_buffer_create, CALLER))
    return REAL (av_buffer_create) (data, size, free_fn, opaque, flags);
  rs_call_enter (&call);
  return new_buffer_step (&call, REAL (av_buffer_create) (data, size, free_fn, opaque, flags));
}

RS_EXPORT AVBufferPool *
av_buffer_pool_init (size_t        size,
                     AVBufferRef *(*alloc) (size_t size))
{
  RsCall call;
  AVBufferPool *pool;

  if (!rs_call_begin (&call, RS_CALL_av_buffer_pool_init, CALLER))
    return REAL (av_buffer_pool_init) (size, alloc);
  rs_call_enter (&call);
  pool = REAL (av_buffer_pool_init) (size, alloc);
  rs_call_leave (&call, ptr_ret (pool));
  return pool;
}

RS_EXPORT AVBufferPool *
av_buffer_pool_init2 (size_t        size,
                      void         *opaque,
                      AVBufferRef *(*alloc) (void *opaque, size_t size),
                      void        (*pool_free) (void *opaque))
{
  RsCall call;
  AVBufferPool *pool;

  if (!rs_call_begin (&call, RS_CALL_av_buffer_pool_init2, CALLER))
    return REAL (av_buffer_pool_init2) (size, opaque, alloc, pool_free);
  rs_call_enter (&call);
  pool = REAL (av_buffer_pool_init2) (size, opaque, alloc, pool_free);
  rs_call_leave (&call, ptr_ret (pool));
  return pool;
}

RS_EXPORT AVBufferRef *
av_buffer_pool_get (AVBufferPool *pool)
{
  RsCall call;

  if (!rs_call_begin (&call, RS_CALL_av_buffer_pool_get, CALLER))
    return REAL (av_buffer_pool_get) (pool);
  rs_call_enter (&call);
  return new_buffer_step (&call, REAL (av_buffer_pool_get) (pool));
}

RS_EXPORT void
av_buffer_pool_uninit (AVBufferPool **pool)
{
  RsCall call;

  if (!rs_call_begin (&call, RS_CALL_av_buffer_pool_uninit, CALLER))
    {
      REAL (av_buffer_pool_uninit) (pool);
      return;
    }
  rs_call_enter (&call);
  REAL (av_buffer_pool_uninit) (pool);
  rs_call_leave (&call, 0);
}

RS_EXPORT AVBufferRef *
av_buffer_ref (const AVBufferRef *buf)
{
  RsCall call;
  AVBufferRef *ref;

  if (!rs_call_begin (&call, RS_CALL_av_buffer_ref, CALLER))
    return REAL (av_buffer_ref) (buf);
  rs_call_enter (&call);
  ref = REAL (av_buffer_ref) (buf);
  call.raw_result = ref;
  rs_call_leave (&call, ptr_ret (ref));
  return ref;
}

/* The calls that change an AVBufferRef* slot: the program's variable, or a
 * slot of a handle (then the handle is an argument). */
#define SLOT_CALL(name, ...)                                        \
  {                                                                \
    RsCall call;                                                   \
    int ret;                                                       \
                                                                   \
    if (!rs_call_begin (&call, RS_CALL_##name, CALLER) || slot == NULL) \
      return REAL (name) (__VA_ARGS__);                            \
    call.slot = slot;                                              \
    call.slot_before = *slot;                                      \
    rs_call_enter (&call);                                         \
    ret = REAL (name) (__VA_ARGS__);                               \
    rs_call_leave (&call, ret);                                    \
    return ret;                                                    \
  }

RS_EXPORT void
av_buffer_unref (AVBufferRef **slot)
{
  RsCall call;

  if (!rs_call_begin (&call, RS_CALL_av_buffer_unref, CALLER) || slot == NULL)
    {
      REAL (av_buffer_unref) (slot);
      return;
    }
  call.slot = slot;
  call.slot_before = *slot;
  rs_call_enter (&call);
  REAL (av_buffer_unref) (slot);
  rs_call_leave (&call, 0);
}

RS_EXPORT int
av_buffer_realloc (AVBufferRef **slot,
                   size_t        size)
SLOT_CALL (av_buffer_realloc, slot, size)

RS_EXPORT int
av_buffer_make_writable (AVBufferRef **slot)
SLOT_CALL (av_buffer_make_writable, slot)

RS_EXPORT int
av_buffer_replace (AVBufferRef      **slot,
                   const AVBufferRef *src)
SLOT_CALL (av_buffer_replace, slot, src)

/* Our wrapper's opaque is our record: everyone, the program and libav,
 * gets the answer for the buffer we wrapped, as without us. Not a step. */
RS_EXPORT void *
av_buffer_get_opaque (const AVBufferRef *buf)
{
  AVBufferRef *inner = rs_wrapper_inner (buf);

  return REAL (av_buffer_get_opaque) (inner ? inner : buf);
}

RS_EXPORT void *
av_buffer_pool_buffer_get_opaque (const AVBufferRef *ref)
{
  AVBufferRef *inner = rs_wrapper_inner (ref);

  return REAL (av_buffer_pool_buffer_get_opaque) (inner ? inner : ref);
}

/* ------------------------------------------------------------------ */
/* Demuxing and muxing. */

RS_EXPORT int
av_read_frame (AVFormatContext *s,
               AVPacket        *pkt)
{
  RsCall call;
  int ret;

  if (!rs_call_begin (&call, RS_CALL_av_read_frame, CALLER))
    return REAL (av_read_frame) (s, pkt);
  /* It starts with av_init_packet: whatever the packet held is lost. */
  rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_OUT, RS_LOSE_ALL);
  call.wrap = RS_WRAP_OUT;
  call.origin = "demuxer";
  call.holder = "demuxer";
  rs_call_enter (&call);
  ret = REAL (av_read_frame) (s, pkt);
  rs_call_leave (&call, ret);
  return ret;
}

RS_EXPORT void
avformat_close_input (AVFormatContext **s)
{
  RsCall call;

  if (!rs_call_begin (&call, RS_CALL_avformat_close_input, CALLER))
    {
      REAL (avformat_close_input) (s);
      return;
    }
  rs_call_enter (&call);
  REAL (avformat_close_input) (s);
  rs_call_leave (&call, 0);
}

RS_EXPORT int
av_interleaved_write_frame (AVFormatContext *s,
                            AVPacket        *pkt)
{
  RsCall call;
  int ret;

  if (!rs_call_begin (&call, RS_CALL_av_interleaved_write_frame, CALLER))
    return REAL (av_interleaved_write_frame) (s, pkt);
  rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
  call.given_to = "muxer";
  rs_call_enter (&call);
  ret = REAL (av_interleaved_write_frame) (s, pkt);
  rs_call_leave (&call, ret);
  return ret;
}

RS_EXPORT int
av_write_frame (AVFormatContext *s,
                AVPacket        *pkt)
{
  RsCall call;
  int ret;

  if (!rs_call_begin (&call, RS_CALL_av_write_frame, CALLER))
    return REAL (av_write_frame) (s, pkt);
  rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
  call.given_to = "muxer";
  rs_call_enter (&call);
  ret = REAL (av_write_frame) (s, pkt);
  rs_call_leave (&call, ret);
  return ret;
}

/* ------------------------------------------------------------------ */
/* Codecs. */

RS_EXPORT int
avcodec_open2 (AVCodecContext *avctx,
               const AVCodec  *codec,
               AVDictionary  **options)
{
  RsCall call;
  int ret;

  if (!rs_call_begin (&call, RS_CALL_avcodec_open2, CALLER) || avctx == NULL)
    return REAL (avcodec_open2) (avctx, codec, options);
  /* Before the real open: get_buffer2 is read when the decoder starts. */
  rs_codec_opening (avctx, codec);
  call.avctx = avctx;
  rs_call_enter (&call);
  ret = REAL (avcodec_open2) (avctx, codec, options);
  rs_call_leave (&call, ret);
  return ret;
}

RS_EXPORT int
avcodec_send_packet (AVCodecContext *avctx,
                     const AVPacket *pkt)
{
  RsCall call;
  int ret;

  if (!rs_call_begin (&call, RS_CALL_avcodec_send_packet, CALLER) || avctx == NULL)
    return REAL (avcodec_send_packet) (avctx, pkt);
  if (pkt != NULL)
    rs_codec_set_stream (avctx, pkt->stream_index);
  rs_call_add (&call, (AVPacket *) pkt, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
  call.avctx = avctx;
  call.given_to = rs_codec_holder (avctx);
  rs_call_enter (&call);
  ret = REAL (avcodec_send_packet) (avctx, pkt);
  rs_call_leave (&call, ret);
  return ret;
}

RS_EXPORT int
avcodec_receive_frame (AVCodecContext *avctx,
                       AVFrame        *frame)
{
  RsCall call;
  int ret;

  if (!rs_call_begin (&call, RS_CALL_avcodec_receive_frame, CALLER) || avctx == NULL)
    return REAL (avcodec_receive_frame) (avctx, frame);
  rs_call_add (&call, frame, RS_HANDLE_FRAME, RS_ARG_VALID | RS_ARG_OUT, 0);
  call.avctx = avctx;
  /* Our get_buffer2 wrapped the decoder's buffers at birth; this catches a
   * decoder opened without it. */
  call.wrap = RS_WRAP_OUT;
  call.origin = "decoder";
  call.holder = rs_codec_holder (avctx);
  rs_call_enter (&call);
  ret = REAL (avcodec_receive_frame) (avctx, frame);
  rs_call_leave (&call, ret);
  return ret;
}

RS_EXPORT int
avcodec_send_frame (AVCodecContext *avctx,
                    const AVFrame  *frame)
{
  RsCall call;
  int ret;

  if (!rs_call_begin (&call, RS_CALL_avcodec_send_frame, CALLER) || avctx == NULL)
    return REAL (avcodec_send_frame) (avctx, frame);
  rs_call_add (&call, (AVFrame *) frame, RS_HANDLE_FRAME, RS_ARG_VALID, 0);
  call.avctx = avctx;
  call.given_to = rs_codec_holder (avctx);
  rs_call_enter (&call);
  ret = REAL (avcodec_send_frame) (avctx, frame);
  rs_call_leave (&call, ret);
  return ret;
}

RS_EXPORT int
avcodec_receive_packet (AVCodecContext *avctx,
                        AVPacket       *pkt)
{
  RsCall call;
  int ret;

  if (!rs_call_begin (&call, RS_CALL_avcodec_receive_packet, CALLER) || avctx == NULL)
    return REAL (avcodec_receive_packet) (avctx, pkt);
  rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_VALID | RS_ARG_OUT, 0);
  call.avctx = avctx;
  call.wrap = RS_WRAP_OUT;
  call.origin = "encoder";
  call.holder = rs_codec_holder (avctx);
  rs_call_enter (&call);
  ret = REAL (avcodec_receive_packet) (avctx, pkt);
  rs_call_leave (&call, ret);
  return ret;
}

RS_EXPORT void
avcodec_flush_buffers (AVCodecContext *avctx)
{
  RsCall call;

  if (!rs_call_begin (&call, RS_CALL_avcodec_flush_buffers, CALLER))
    {
      REAL (avcodec_flush_buffers) (avctx);
      return;
    }
  call.avctx = avctx;
  rs_call_enter (&call);
  REAL (avcodec_flush_buffers) (avctx);
  rs_call_leave (&call, 0);
}

RS_EXPORT void
avcodec_free_context (AVCodecContext **avctx)
{
  RsCall call;

  if (!rs_call_begin (&call, RS_CALL_avcodec_free_context, CALLER))
    {
      REAL (avcodec_free_context) (avctx);
      return;
    }
  /* Only its address, as a key, once freed. */
  call.avctx = avctx != NULL ? *avctx : NULL;
  rs_call_enter (&call);
  REAL (avcodec_free_context) (avctx);
  rs_call_leave (&call, 0);
}

/* ------------------------------------------------------------------ */
/* Bitstream filters. */

static const char *
bsf_holder (const AVBSFContext *ctx)
{
  char name[128];

  if (ctx == NULL || ctx->filter == NULL)
    return "bsf";
  snprintf (name, sizeof name, "%s bsf", ctx->filter->name);
  return rs_intern (name);
}

RS_EXPORT int
av_bsf_send_packet (AVBSFContext *ctx,
                    AVPacket     *pkt)
{
  RsCall call;
  int ret;

  if (!rs_call_begin (&call, RS_CALL_av_bsf_send_packet, CALLER))
    return REAL (av_bsf_send_packet) (ctx, pkt);
  rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
  call.given_to = bsf_holder (ctx);
  rs_call_enter (&call);
  ret = REAL (av_bsf_send_packet) (ctx, pkt);
  rs_call_leave (&call, ret);
  return ret;
}

RS_EXPORT int
av_bsf_receive_packet (AVBSFContext *ctx,
                       AVPacket     *pkt)
{
  RsCall call;
  int ret;

  if (!rs_call_begin (&call, RS_CALL_av_bsf_receive_packet, CALLER))
    return REAL (av_bsf_receive_packet) (ctx, pkt);
  /* The output is moved in: whatever the packet held is lost. */
  rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_OUT, RS_LOSE_ALL);
  call.wrap = RS_WRAP_OUT;
  call.origin = "bsf";
  call.holder = bsf_holder (ctx);
  rs_call_enter (&call);
  ret = REAL (av_bsf_receive_packet) (ctx, pkt);
  rs_call_leave (&call, ret);
  return ret;
}

/* ------------------------------------------------------------------ */
/* Filter graphs (libavfilter is not linked: found when the program has it). */

#define BUFFERSRC_CALL(name, ...)                                   \
  {                                                                \
    RsCall call;                                                   \
    int ret;                                                       \
                                                                   \
    if (!rs_call_begin (&call, RS_CALL_##name, CALLER))            \
      return REAL (name) (__VA_ARGS__);                            \
    rs_call_add (&call, (void *) frame, RS_HANDLE_FRAME, RS_ARG_VALID, 0); \
    call.given_to = "filter graph";                                \
    rs_call_enter (&call);                                         \
    ret = REAL (name) (__VA_ARGS__);                               \
    rs_call_leave (&call, ret);                                    \
    return ret;                                                    \
  }

RS_EXPORT int
av_buffersrc_add_frame (AVFilterContext *ctx,
                        AVFrame         *frame)
BUFFERSRC_CALL (av_buffersrc_add_frame, ctx, frame)

RS_EXPORT int
av_buffersrc_add_frame_flags (AVFilterContext *ctx,
                              AVFrame         *frame,
                              int              flags)
BUFFERSRC_CALL (av_buffersrc_add_frame_flags, ctx, frame, flags)

RS_EXPORT int
av_buffersrc_write_frame (AVFilterContext *ctx,
                          const AVFrame   *frame)
BUFFERSRC_CALL (av_buffersrc_write_frame, ctx, frame)

/* The output is moved in (referenced with AV_BUFFERSINK_FLAG_PEEK). */
#define BUFFERSINK_CALL(name, peek, ...)                            \
  {                                                                \
    RsCall call;                                                   \
    int ret;                                                       \
                                                                   \
    if (!rs_call_begin (&call, RS_CALL_##name, CALLER))            \
      return REAL (name) (__VA_ARGS__);                            \
    rs_call_add (&call, frame, RS_HANDLE_FRAME, RS_ARG_OUT,        \
                 (peek) ? RS_LOSE_FRAME_DATA : RS_LOSE_ALL);       \
    call.wrap = RS_WRAP_OUT;                                       \
    call.origin = "filter graph";                                  \
    call.holder = "filter graph";                                  \
    rs_call_enter (&call);                                         \
    ret = REAL (name) (__VA_ARGS__);                               \
    rs_call_leave (&call, ret);                                    \
    return ret;                                                    \
  }

RS_EXPORT int
av_buffersink_get_frame (AVFilterContext *ctx,
                         AVFrame         *frame)
BUFFERSINK_CALL (av_buffersink_get_frame, false, ctx, frame)

RS_EXPORT int
av_buffersink_get_frame_flags (AVFilterContext *ctx,
                               AVFrame         *frame,
                               int              flags)
BUFFERSINK_CALL (av_buffersink_get_frame_flags, flags & AV_BUFFERSINK_FLAG_PEEK, ctx, frame, flags)

RS_EXPORT int
av_buffersink_get_samples (AVFilterContext *ctx,
                           AVFrame         *frame,
                           int              nb_samples)
BUFFERSINK_CALL (av_buffersink_get_samples, false, ctx, frame, nb_samples)

/* ------------------------------------------------------------------ */
/* Hardware contexts: observed, never wrapped (they belong to the device). */

RS_EXPORT AVBufferRef *
av_hwframe_ctx_alloc (AVBufferRef *device_ctx)
{
  RsCall call;
  AVBufferRef *ref;

  if (!rs_call_begin (&call, RS_CALL_av_hwframe_ctx_alloc, CALLER))
    return REAL (av_hwframe_ctx_alloc) (device_ctx);
  rs_call_enter (&call);
  ref = REAL (av_hwframe_ctx_alloc) (device_ctx);
  rs_call_leave (&call, ptr_ret (ref));
  return ref;
}

RS_EXPORT int
av_hwdevice_ctx_create (AVBufferRef      **device_ctx,
                        enum AVHWDeviceType type,
                        const char        *device,
                        AVDictionary      *opts,
                        int                flags)
{
  RsCall call;
  int ret;

  if (!rs_call_begin (&call, RS_CALL_av_hwdevice_ctx_create, CALLER))
    return REAL (av_hwdevice_ctx_create) (device_ctx, type, device, opts, flags);
  rs_call_enter (&call);
  ret = REAL (av_hwdevice_ctx_create) (device_ctx, type, device, opts, flags);
  rs_call_leave (&call, ret);
  return ret;
}

RS_EXPORT int
av_hwframe_get_buffer (AVBufferRef *hwframe_ctx,
                       AVFrame     *frame,
                       int          flags)
FRAME_CALL (av_hwframe_get_buffer, RS_ARG_VALID | RS_ARG_OUT, RS_LOSE_FRAME_DATA, RS_WRAP_NONE,
            hwframe_ctx, frame, flags)

RS_EXPORT int
av_hwframe_transfer_data (AVFrame       *dst,
                          const AVFrame *src,
                          int            flags)
{
  RsCall call;
  int ret;

  if (!rs_call_begin (&call, RS_CALL_av_hwframe_transfer_data, CALLER))
    return REAL (av_hwframe_transfer_data) (dst, src, flags);
  rs_call_add (&call, dst, RS_HANDLE_FRAME, RS_ARG_VALID | RS_ARG_OUT, 0);
  rs_call_add (&call, (AVFrame *) src, RS_HANDLE_FRAME, RS_ARG_VALID, 0);
  call.wrap = RS_WRAP_OUT;
  rs_call_enter (&call);
  ret = REAL (av_hwframe_transfer_data) (dst, src, flags);
  rs_call_leave (&call, ret);
  return ret;
}
