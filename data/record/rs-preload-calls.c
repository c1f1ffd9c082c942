/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-preload-calls.c: the interposed functions of packets, frames and
 * buffers (rs-preload-calls-codec.c has the others).
 *
 * Each one calls the real function; when the program called it (not libav
 * itself, not a nested call, not a callback we run), it is a step: its
 * packet/frame arguments are declared with what the call does to them
 * (RS_ARG_*, the slots it overwrites without an unref), then the state code
 * reads them before and after. They all have the shape written above
 * rs_call_begin (rs-preload-private.h). These are the only exported
 * symbols.
 */
#include "rs-preload-private.h"

/* ------------------------------------------------------------------ */
/* Packets. */

RS_EXPORT AVPacket *
av_packet_alloc (void)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_packet_alloc, RS_CALLER))
    rs_call_enter (&call);
  return rs_call_return_created (&call, RS_HANDLE_PACKET, RS_REAL (av_packet_alloc) ());
}

RS_EXPORT void
av_packet_free (AVPacket **pkt)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_packet_free, RS_CALLER))
    {
      if (pkt != NULL)
        rs_call_add (&call, *pkt, RS_HANDLE_PACKET, RS_ARG_VALID | RS_ARG_FREED, 0);
      rs_call_enter (&call);
    }
  RS_REAL (av_packet_free) (pkt);
  rs_call_leave (&call, 0);
}

RS_EXPORT int
av_packet_ref (AVPacket       *dst,
               const AVPacket *src)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_packet_ref, RS_CALLER))
    {
      /* dst->buf is overwritten; its opaque_ref is replaced with an unref. */
      rs_call_add (&call, dst, RS_HANDLE_PACKET, RS_ARG_OUT, RS_LOSE (RS_SLOT_PKT_BUF));
      rs_call_add (&call, (AVPacket *) src, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_packet_ref) (dst, src));
}

RS_EXPORT void
av_packet_unref (AVPacket *pkt)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_packet_unref, RS_CALLER))
    {
      rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
      rs_call_enter (&call);
    }
  RS_REAL (av_packet_unref) (pkt);
  rs_call_leave (&call, 0);
}

RS_EXPORT void
av_packet_move_ref (AVPacket *dst,
                    AVPacket *src)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_packet_move_ref, RS_CALLER))
    {
      rs_call_add (&call, dst, RS_HANDLE_PACKET, RS_ARG_OUT, RS_LOSE_ALL);
      rs_call_add (&call, src, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
      rs_call_enter (&call);
    }
  RS_REAL (av_packet_move_ref) (dst, src);
  rs_call_leave (&call, 0);
}

RS_EXPORT AVPacket *
av_packet_clone (const AVPacket *src)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_packet_clone, RS_CALLER))
    {
      rs_call_add (&call, (AVPacket *) src, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
      rs_call_enter (&call);
    }
  return rs_call_return_created (&call, RS_HANDLE_PACKET, RS_REAL (av_packet_clone) (src));
}

RS_EXPORT int
av_packet_make_refcounted (AVPacket *pkt)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_packet_make_refcounted, RS_CALLER))
    {
      rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_packet_make_refcounted) (pkt));
}

RS_EXPORT int
av_packet_make_writable (AVPacket *pkt)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_packet_make_writable, RS_CALLER))
    {
      rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_packet_make_writable) (pkt));
}

RS_EXPORT int
av_grow_packet (AVPacket *pkt,
                int       grow_by)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_grow_packet, RS_CALLER))
    {
      rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_grow_packet) (pkt, grow_by));
}

RS_EXPORT int
av_packet_add_side_data (AVPacket                 *pkt,
                         enum AVPacketSideDataType type,
                         uint8_t                  *data,
                         size_t                    size)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_packet_add_side_data, RS_CALLER))
    {
      rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_packet_add_side_data) (pkt, type, data, size));
}

/* av_new_packet resets every field (its old refs are lost). */
RS_EXPORT int
av_new_packet (AVPacket *pkt,
               int       size)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_new_packet, RS_CALLER))
    {
      rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_OUT, RS_LOSE_ALL);
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_new_packet) (pkt, size));
}

RS_EXPORT int
av_packet_copy_props (AVPacket       *dst,
                      const AVPacket *src)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_packet_copy_props, RS_CALLER))
    {
      rs_call_add (&call, dst, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
      rs_call_add (&call, (AVPacket *) src, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_packet_copy_props) (dst, src));
}

RS_EXPORT int
av_packet_from_data (AVPacket *pkt,
                     uint8_t  *data,
                     int       size)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_packet_from_data, RS_CALLER))
    {
      rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_OUT, RS_LOSE (RS_SLOT_PKT_BUF));
      call.wrap = RS_WRAP_OUT;
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_packet_from_data) (pkt, data, size));
}

RS_EXPORT uint8_t *
av_packet_new_side_data (AVPacket                 *pkt,
                         enum AVPacketSideDataType type,
                         size_t                    size)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_packet_new_side_data, RS_CALLER))
    {
      rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
      rs_call_enter (&call);
    }
  return rs_call_return_pointer (&call, RS_REAL (av_packet_new_side_data) (pkt, type, size));
}

RS_EXPORT void
av_shrink_packet (AVPacket *pkt,
                  int       size)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_shrink_packet, RS_CALLER))
    {
      rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
      rs_call_enter (&call);
    }
  RS_REAL (av_shrink_packet) (pkt, size);
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

  if (rs_call_begin (&call, RS_CALL_av_init_packet, RS_CALLER))
    {
      rs_call_add (&call, pkt, RS_HANDLE_PACKET, 0, RS_LOSE_ALL);
      rs_call_enter (&call);
    }
  RS_REAL (av_init_packet) (pkt);
  rs_call_leave (&call, 0);
}
#pragma GCC diagnostic pop

/* ------------------------------------------------------------------ */
/* Frames. */

RS_EXPORT AVFrame *
av_frame_alloc (void)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_frame_alloc, RS_CALLER))
    rs_call_enter (&call);
  return rs_call_return_created (&call, RS_HANDLE_FRAME, RS_REAL (av_frame_alloc) ());
}

RS_EXPORT void
av_frame_free (AVFrame **frame)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_frame_free, RS_CALLER))
    {
      if (frame != NULL)
        rs_call_add (&call, *frame, RS_HANDLE_FRAME, RS_ARG_VALID | RS_ARG_FREED, 0);
      rs_call_enter (&call);
    }
  RS_REAL (av_frame_free) (frame);
  rs_call_leave (&call, 0);
}

RS_EXPORT int
av_frame_ref (AVFrame       *dst,
              const AVFrame *src)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_frame_ref, RS_CALLER))
    {
      /* buf[], extended_buf[] and hw_frames_ctx are overwritten; side data is
       * appended; opaque_ref and private_ref are replaced with an unref. */
      rs_call_add (&call, dst, RS_HANDLE_FRAME, RS_ARG_VALID | RS_ARG_OUT, RS_LOSE_FRAME_DATA);
      rs_call_add (&call, (AVFrame *) src, RS_HANDLE_FRAME, RS_ARG_VALID, 0);
      call.wrap = RS_WRAP_OUT;  /* a copy, when src is not refcounted */
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_frame_ref) (dst, src));
}

RS_EXPORT void
av_frame_unref (AVFrame *frame)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_frame_unref, RS_CALLER))
    {
      rs_call_add (&call, frame, RS_HANDLE_FRAME, RS_ARG_VALID, 0);
      rs_call_enter (&call);
    }
  RS_REAL (av_frame_unref) (frame);
  rs_call_leave (&call, 0);
}

RS_EXPORT void
av_frame_move_ref (AVFrame *dst,
                   AVFrame *src)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_frame_move_ref, RS_CALLER))
    {
      rs_call_add (&call, dst, RS_HANDLE_FRAME, RS_ARG_OUT, RS_LOSE_ALL);
      rs_call_add (&call, src, RS_HANDLE_FRAME, RS_ARG_VALID, 0);
      rs_call_enter (&call);
    }
  RS_REAL (av_frame_move_ref) (dst, src);
  rs_call_leave (&call, 0);
}

RS_EXPORT AVFrame *
av_frame_clone (const AVFrame *src)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_frame_clone, RS_CALLER))
    {
      rs_call_add (&call, (AVFrame *) src, RS_HANDLE_FRAME, RS_ARG_VALID, 0);
      call.wrap = RS_WRAP_OUT;
      rs_call_enter (&call);
    }
  return rs_call_return_created (&call, RS_HANDLE_FRAME, RS_REAL (av_frame_clone) (src));
}

RS_EXPORT int
av_frame_get_buffer (AVFrame *frame,
                     int      align)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_frame_get_buffer, RS_CALLER))
    {
      rs_call_add (&call, frame, RS_HANDLE_FRAME, RS_ARG_VALID | RS_ARG_OUT, RS_LOSE_FRAME_DATA);
      call.wrap = RS_WRAP_OUT;
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_frame_get_buffer) (frame, align));
}

RS_EXPORT int
av_frame_make_writable (AVFrame *frame)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_frame_make_writable, RS_CALLER))
    {
      rs_call_add (&call, frame, RS_HANDLE_FRAME, RS_ARG_VALID | RS_ARG_OUT, 0);
      call.wrap = RS_WRAP_OUT;
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_frame_make_writable) (frame));
}

RS_EXPORT void
av_frame_remove_side_data (AVFrame                   *frame,
                           enum AVFrameSideDataType   type)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_frame_remove_side_data, RS_CALLER))
    {
      rs_call_add (&call, frame, RS_HANDLE_FRAME, RS_ARG_VALID, 0);
      rs_call_enter (&call);
    }
  RS_REAL (av_frame_remove_side_data) (frame, type);
  rs_call_leave (&call, 0);
}

RS_EXPORT int
av_frame_copy_props (AVFrame       *dst,
                     const AVFrame *src)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_frame_copy_props, RS_CALLER))
    {
      rs_call_add (&call, dst, RS_HANDLE_FRAME, RS_ARG_VALID, 0);
      rs_call_add (&call, (AVFrame *) src, RS_HANDLE_FRAME, RS_ARG_VALID, 0);
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_frame_copy_props) (dst, src));
}

RS_EXPORT AVFrameSideData *
av_frame_new_side_data (AVFrame                 *frame,
                        enum AVFrameSideDataType type,
                        size_t                   size)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_frame_new_side_data, RS_CALLER))
    {
      rs_call_add (&call, frame, RS_HANDLE_FRAME, RS_ARG_VALID, 0);
      rs_call_enter (&call);
    }
  return rs_call_return_pointer (&call, RS_REAL (av_frame_new_side_data) (frame, type, size));
}

/* Takes the program's reference `buf` into the frame's side data. */
RS_EXPORT AVFrameSideData *
av_frame_new_side_data_from_buf (AVFrame                 *frame,
                                 enum AVFrameSideDataType type,
                                 AVBufferRef             *buf)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_frame_new_side_data_from_buf, RS_CALLER))
    {
      rs_call_add (&call, frame, RS_HANDLE_FRAME, RS_ARG_VALID, 0);
      rs_call_enter (&call);
    }
  return rs_call_return_pointer (&call, RS_REAL (av_frame_new_side_data_from_buf) (frame, type, buf));
}

/* ------------------------------------------------------------------ */
/* Buffers. Fresh buffers the program makes are wrapped (their lifetime is
 * then known); av_buffer_realloc's may be reallocated in place, so they
 * are only observed. */

/* In a step, wraps `ref`, the program's new reference, and leaves the
 * step. Returns the program's reference (the wrapper, when wrapped), or
 * NULL when the call failed. */
static AVBufferRef *
new_buffer_step (RsCall      *call,
                 AVBufferRef *ref)
{
  if (call->entered && ref != NULL)
    rs_wrap (&ref, RS_REC_BUFFER_KIND_OTHER, rs_call_name (call->id), NULL);
  call->raw_result = ref;
  return rs_call_return_pointer (call, ref);
}

RS_EXPORT AVBufferRef *
av_buffer_alloc (size_t size)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_buffer_alloc, RS_CALLER))
    rs_call_enter (&call);
  return new_buffer_step (&call, RS_REAL (av_buffer_alloc) (size));
}

RS_EXPORT AVBufferRef *
av_buffer_allocz (size_t size)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_buffer_allocz, RS_CALLER))
    rs_call_enter (&call);
  return new_buffer_step (&call, RS_REAL (av_buffer_allocz) (size));
}

RS_EXPORT AVBufferRef *
av_buffer_create (uint8_t  *data,
                  size_t    size,
                  void    (*free_fn) (void *opaque, uint8_t *data),
                  void     *opaque,
                  int       flags)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_buffer_create, RS_CALLER))
    rs_call_enter (&call);
  return new_buffer_step (&call, RS_REAL (av_buffer_create) (data, size, free_fn, opaque, flags));
}

RS_EXPORT AVBufferPool *
av_buffer_pool_init (size_t        size,
                     AVBufferRef *(*alloc) (size_t size))
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_buffer_pool_init, RS_CALLER))
    rs_call_enter (&call);
  return rs_call_return_pointer (&call, RS_REAL (av_buffer_pool_init) (size, alloc));
}

RS_EXPORT AVBufferPool *
av_buffer_pool_init2 (size_t        size,
                      void         *opaque,
                      AVBufferRef *(*alloc) (void *opaque, size_t size),
                      void        (*pool_free) (void *opaque))
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_buffer_pool_init2, RS_CALLER))
    rs_call_enter (&call);
  return rs_call_return_pointer (&call, RS_REAL (av_buffer_pool_init2) (size, opaque, alloc, pool_free));
}

RS_EXPORT AVBufferRef *
av_buffer_pool_get (AVBufferPool *pool)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_buffer_pool_get, RS_CALLER))
    rs_call_enter (&call);
  return new_buffer_step (&call, RS_REAL (av_buffer_pool_get) (pool));
}

RS_EXPORT void
av_buffer_pool_uninit (AVBufferPool **pool)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_buffer_pool_uninit, RS_CALLER))
    rs_call_enter (&call);
  RS_REAL (av_buffer_pool_uninit) (pool);
  rs_call_leave (&call, 0);
}

RS_EXPORT AVBufferRef *
av_buffer_ref (const AVBufferRef *buf)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_buffer_ref, RS_CALLER))
    rs_call_enter (&call);
  call.raw_result = RS_REAL (av_buffer_ref) (buf);
  return rs_call_return_pointer (&call, call.raw_result);
}

RS_EXPORT void
av_buffer_unref (AVBufferRef **slot)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_buffer_unref, RS_CALLER) && slot != NULL)
    {
      rs_call_set_slot (&call, slot);
      rs_call_enter (&call);
    }
  RS_REAL (av_buffer_unref) (slot);
  rs_call_leave (&call, 0);
}

RS_EXPORT int
av_buffer_realloc (AVBufferRef **slot,
                   size_t        size)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_buffer_realloc, RS_CALLER) && slot != NULL)
    {
      rs_call_set_slot (&call, slot);
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_buffer_realloc) (slot, size));
}

RS_EXPORT int
av_buffer_make_writable (AVBufferRef **slot)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_buffer_make_writable, RS_CALLER) && slot != NULL)
    {
      rs_call_set_slot (&call, slot);
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_buffer_make_writable) (slot));
}

RS_EXPORT int
av_buffer_replace (AVBufferRef      **slot,
                   const AVBufferRef *src)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_buffer_replace, RS_CALLER) && slot != NULL)
    {
      rs_call_set_slot (&call, slot);
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_buffer_replace) (slot, src));
}

/* Our wrapper's opaque is our record: everyone, the program and libav,
 * gets the answer for the buffer we wrapped, as without us. Not a step. */
RS_EXPORT void *
av_buffer_get_opaque (const AVBufferRef *buf)
{
  AVBufferRef *inner = rs_wrapper_inner (buf);

  return RS_REAL (av_buffer_get_opaque) (inner ? inner : buf);
}

RS_EXPORT void *
av_buffer_pool_buffer_get_opaque (const AVBufferRef *ref)
{
  AVBufferRef *inner = rs_wrapper_inner (ref);

  return RS_REAL (av_buffer_pool_buffer_get_opaque) (inner ? inner : ref);
}
