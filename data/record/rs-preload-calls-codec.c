/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-preload-calls-codec.c: the interposed functions of demuxing, muxing,
 * codecs, bitstream filters, filter graphs, hardware contexts, scaling and
 * resampling (see rs-preload-calls.c).
 */
#include "rs-preload-private.h"

#include <stdio.h>

/* ------------------------------------------------------------------ */
/* Demuxing and muxing. */

RS_EXPORT int
av_read_frame (AVFormatContext *s,
               AVPacket        *pkt)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_read_frame, RS_CALLER))
    {
      /* It starts with av_init_packet: whatever the packet held is lost. */
      rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_OUT, RS_LOSE_ALL);
      call.wrap = RS_WRAP_OUT;
      /* The demuxer keeps no reference to a packet it returns. */
      call.origin = "demuxer";
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_read_frame) (s, pkt));
}

/* Opening, probing, seeking, a muxer's header and trailer: steps with no
 * packet of the program's, but the program's calls all the same (the
 * source view shows them; a failed open is the step's error); the packets
 * the demuxer or muxer buffers or drops meanwhile are its own (the
 * trailer's buffers go in its step). The body of such an interposer: */
#define RS_STEP_WITHOUT_HANDLES(name, ...) \
  RsCall call; \
  if (rs_call_begin (&call, RS_CALL_##name, RS_CALLER)) \
    rs_call_enter (&call); \
  return rs_call_return (&call, RS_REAL (name) (__VA_ARGS__))

RS_EXPORT int
avformat_open_input (AVFormatContext    **ps,
                     const char          *url,
                     const AVInputFormat *fmt,
                     AVDictionary       **options)
{
  RS_STEP_WITHOUT_HANDLES (avformat_open_input, ps, url, fmt, options);
}

RS_EXPORT int
avformat_find_stream_info (AVFormatContext *ic,
                           AVDictionary   **options)
{
  RS_STEP_WITHOUT_HANDLES (avformat_find_stream_info, ic, options);
}

RS_EXPORT int
av_seek_frame (AVFormatContext *s,
               int              stream_index,
               int64_t          timestamp,
               int              flags)
{
  RS_STEP_WITHOUT_HANDLES (av_seek_frame, s, stream_index, timestamp, flags);
}

RS_EXPORT int
avformat_seek_file (AVFormatContext *s,
                    int              stream_index,
                    int64_t          min_ts,
                    int64_t          ts,
                    int64_t          max_ts,
                    int              flags)
{
  RS_STEP_WITHOUT_HANDLES (avformat_seek_file, s, stream_index, min_ts, ts, max_ts, flags);
}

RS_EXPORT int
avformat_write_header (AVFormatContext *s,
                       AVDictionary   **options)
{
  RS_STEP_WITHOUT_HANDLES (avformat_write_header, s, options);
}

RS_EXPORT int
av_write_trailer (AVFormatContext *s)
{
  RS_STEP_WITHOUT_HANDLES (av_write_trailer, s);
}

RS_EXPORT void
avformat_close_input (AVFormatContext **s)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_avformat_close_input, RS_CALLER))
    rs_call_enter (&call);
  RS_REAL (avformat_close_input) (s);
  rs_call_leave (&call, 0);
}

RS_EXPORT int
av_interleaved_write_frame (AVFormatContext *s,
                            AVPacket        *pkt)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_interleaved_write_frame, RS_CALLER))
    {
      rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
      call.given_to = "muxer";
      /* It takes the packet's references (av_write_frame does not). */
      call.moves = RS_MOVES_IN;
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_interleaved_write_frame) (s, pkt));
}

RS_EXPORT int
av_write_frame (AVFormatContext *s,
                AVPacket        *pkt)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_write_frame, RS_CALLER))
    {
      rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
      call.given_to = "muxer";
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_write_frame) (s, pkt));
}

/* A payload read from an AVIOContext: reallocated as it grows, so observed. */
RS_EXPORT int
av_get_packet (AVIOContext *s,
               AVPacket    *pkt,
               int          size)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_get_packet, RS_CALLER))
    {
      /* It starts with av_init_packet: whatever the packet held is lost. */
      rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_OUT, RS_LOSE_ALL);
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_get_packet) (s, pkt, size));
}

RS_EXPORT int
av_append_packet (AVIOContext *s,
                  AVPacket    *pkt,
                  int          size)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_append_packet, RS_CALLER))
    {
      /* An empty packet is read afresh, as av_get_packet does. */
      rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_VALID | RS_ARG_OUT,
                   pkt != NULL && pkt->size == 0 ? RS_LOSE_ALL : 0);
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_append_packet) (s, pkt, size));
}

/* ------------------------------------------------------------------ */
/* Codecs. */

RS_EXPORT int
avcodec_open2 (AVCodecContext *avctx,
               const AVCodec  *codec,
               AVDictionary  **options)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_avcodec_open2, RS_CALLER) && avctx != NULL)
    {
      /* Before the real open: get_buffer2 is read when the decoder starts. */
      rs_codec_opening (avctx, codec);
      call.avctx = avctx;
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (avcodec_open2) (avctx, codec, options));
}

RS_EXPORT int
avcodec_send_packet (AVCodecContext *avctx,
                     const AVPacket *pkt)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_avcodec_send_packet, RS_CALLER) && avctx != NULL)
    {
      if (pkt != NULL)
        rs_codec_set_stream (avctx, pkt->stream_index);
      rs_call_add (&call, (AVPacket *) pkt, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
      call.avctx = avctx;
      call.given_to = rs_codec_holder (avctx);
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (avcodec_send_packet) (avctx, pkt));
}

RS_EXPORT int
avcodec_receive_frame (AVCodecContext *avctx,
                       AVFrame        *frame)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_avcodec_receive_frame, RS_CALLER) && avctx != NULL)
    {
      rs_call_add (&call, frame, RS_HANDLE_FRAME, RS_ARG_VALID | RS_ARG_OUT, 0);
      call.avctx = avctx;
      /* Our get_buffer2 wrapped the decoder's buffers at birth; this catches a
       * decoder opened without it. */
      call.wrap = RS_WRAP_OUT;
      call.origin = "decoder";
      call.holder = rs_codec_holder (avctx);
      /* Frame threads hand out their output frame (av_frame_move_ref); a
       * decoder without them may give a new reference of a picture it
       * keeps. */
      if (rs_codec_frame_threads (avctx))
        call.moves = RS_MOVES_OUT;
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (avcodec_receive_frame) (avctx, frame));
}

RS_EXPORT int
avcodec_send_frame (AVCodecContext *avctx,
                    const AVFrame  *frame)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_avcodec_send_frame, RS_CALLER) && avctx != NULL)
    {
      rs_call_add (&call, (AVFrame *) frame, RS_HANDLE_FRAME, RS_ARG_VALID, 0);
      call.avctx = avctx;
      call.given_to = rs_codec_holder (avctx);
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (avcodec_send_frame) (avctx, frame));
}

RS_EXPORT int
avcodec_receive_packet (AVCodecContext *avctx,
                        AVPacket       *pkt)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_avcodec_receive_packet, RS_CALLER) && avctx != NULL)
    {
      rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_VALID | RS_ARG_OUT, 0);
      call.avctx = avctx;
      call.wrap = RS_WRAP_OUT;
      call.origin = "encoder";
      call.holder = rs_codec_holder (avctx);
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (avcodec_receive_packet) (avctx, pkt));
}

/* A call that runs in the codec of `avctx` with no packet or frame of the
 * program's: what falls is the codec letting go. The codec is named before
 * the real call, which may close it. */
static void
codec_step (RsCall         *call,
            RsCallId        id,
            const void     *caller,
            AVCodecContext *avctx)
{
  if (rs_call_begin (call, id, caller))
    {
      call->avctx = avctx;
      call->holder = rs_codec_holder (avctx);
      rs_call_enter (call);
    }
}

RS_EXPORT void
avcodec_flush_buffers (AVCodecContext *avctx)
{
  RsCall call;

  codec_step (&call, RS_CALL_avcodec_flush_buffers, RS_CALLER, avctx);
  RS_REAL (avcodec_flush_buffers) (avctx);
  rs_call_leave (&call, 0);
}

/* The codec lets go of everything; its address is only a key once freed. */
RS_EXPORT void
avcodec_free_context (AVCodecContext **avctx)
{
  RsCall call;

  codec_step (&call, RS_CALL_avcodec_free_context, RS_CALLER, avctx != NULL ? *avctx : NULL);
  RS_REAL (avcodec_free_context) (avctx);
  rs_call_leave (&call, 0);
}

/* Older code closes a codec before freeing it: the codec lets go of
 * everything here, and the context stays (closed, no codec) until it is
 * freed. */
RS_EXPORT int
avcodec_close (AVCodecContext *avctx)
{
  RsCall call;

  codec_step (&call, RS_CALL_avcodec_close, RS_CALLER, avctx);
  return rs_call_return (&call, RS_REAL (avcodec_close) (avctx));
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
  return rs_keep_string (name);
}

RS_EXPORT int
av_bsf_send_packet (AVBSFContext *ctx,
                    AVPacket     *pkt)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_bsf_send_packet, RS_CALLER))
    {
      rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_VALID, 0);
      call.given_to = bsf_holder (ctx);
      /* On success the packet is blank: its references are the filter's. */
      call.moves = RS_MOVES_IN;
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_bsf_send_packet) (ctx, pkt));
}

RS_EXPORT int
av_bsf_receive_packet (AVBSFContext *ctx,
                       AVPacket     *pkt)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_bsf_receive_packet, RS_CALLER))
    {
      /* The output is moved in: whatever the packet held is lost. */
      rs_call_add (&call, pkt, RS_HANDLE_PACKET, RS_ARG_OUT, RS_LOSE_ALL);
      call.wrap = RS_WRAP_OUT;
      call.origin = "bsf";
      call.holder = bsf_holder (ctx);
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_bsf_receive_packet) (ctx, pkt));
}

/* ------------------------------------------------------------------ */
/* Filter graphs (libavfilter is not linked: found when the program has it). */

/* The program's frame goes to the graph, which keeps references to it. */
static void
buffersrc_step (RsCall        *call,
                const AVFrame *frame,
                bool           keep_ref)
{
  rs_call_add (call, (AVFrame *) frame, RS_HANDLE_FRAME, RS_ARG_VALID, 0);
  call->given_to = "filter graph";
  /* Without AV_BUFFERSRC_FLAG_KEEP_REF the frame's references move in. */
  if (!keep_ref)
    call->moves = RS_MOVES_IN;
}

RS_EXPORT int
av_buffersrc_add_frame (AVFilterContext *ctx,
                        AVFrame         *frame)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_buffersrc_add_frame, RS_CALLER))
    {
      buffersrc_step (&call, frame, false);
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_buffersrc_add_frame) (ctx, frame));
}

RS_EXPORT int
av_buffersrc_add_frame_flags (AVFilterContext *ctx,
                              AVFrame         *frame,
                              int              flags)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_buffersrc_add_frame_flags, RS_CALLER))
    {
      buffersrc_step (&call, frame, (flags & AV_BUFFERSRC_FLAG_KEEP_REF) != 0);
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_buffersrc_add_frame_flags) (ctx, frame, flags));
}

RS_EXPORT int
av_buffersrc_write_frame (AVFilterContext *ctx,
                          const AVFrame   *frame)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_buffersrc_write_frame, RS_CALLER))
    {
      buffersrc_step (&call, frame, true);
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_buffersrc_write_frame) (ctx, frame));
}

/* The output is moved in (referenced with AV_BUFFERSINK_FLAG_PEEK). */
static void
buffersink_step (RsCall  *call,
                 AVFrame *frame,
                 bool     peek)
{
  rs_call_add (call, frame, RS_HANDLE_FRAME, RS_ARG_OUT, peek ? RS_LOSE_FRAME_DATA : RS_LOSE_ALL);
  call->wrap = RS_WRAP_OUT;
  call->origin = "filter graph";
  call->holder = "filter graph";
  /* With AV_BUFFERSINK_FLAG_PEEK the graph keeps its references. */
  if (!peek)
    call->moves = RS_MOVES_OUT;
}

RS_EXPORT int
av_buffersink_get_frame (AVFilterContext *ctx,
                         AVFrame         *frame)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_buffersink_get_frame, RS_CALLER))
    {
      buffersink_step (&call, frame, false);
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_buffersink_get_frame) (ctx, frame));
}

RS_EXPORT int
av_buffersink_get_frame_flags (AVFilterContext *ctx,
                               AVFrame         *frame,
                               int              flags)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_buffersink_get_frame_flags, RS_CALLER))
    {
      buffersink_step (&call, frame, (flags & AV_BUFFERSINK_FLAG_PEEK) != 0);
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_buffersink_get_frame_flags) (ctx, frame, flags));
}

RS_EXPORT int
av_buffersink_get_samples (AVFilterContext *ctx,
                           AVFrame         *frame,
                           int              nb_samples)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_buffersink_get_samples, RS_CALLER))
    {
      buffersink_step (&call, frame, false);
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_buffersink_get_samples) (ctx, frame, nb_samples));
}

/* ------------------------------------------------------------------ */
/* Hardware contexts: observed, never wrapped (they belong to the device). */

RS_EXPORT AVBufferRef *
av_hwframe_ctx_alloc (AVBufferRef *device_ctx)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_hwframe_ctx_alloc, RS_CALLER))
    rs_call_enter (&call);
  return rs_call_return_pointer (&call, RS_REAL (av_hwframe_ctx_alloc) (device_ctx));
}

RS_EXPORT int
av_hwdevice_ctx_create (AVBufferRef      **device_ctx,
                        enum AVHWDeviceType type,
                        const char        *device,
                        AVDictionary      *opts,
                        int                flags)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_hwdevice_ctx_create, RS_CALLER))
    rs_call_enter (&call);
  return rs_call_return (&call, RS_REAL (av_hwdevice_ctx_create) (device_ctx, type, device, opts, flags));
}

RS_EXPORT int
av_hwframe_get_buffer (AVBufferRef *hwframe_ctx,
                       AVFrame     *frame,
                       int          flags)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_hwframe_get_buffer, RS_CALLER))
    {
      rs_call_add (&call, frame, RS_HANDLE_FRAME, RS_ARG_VALID | RS_ARG_OUT, RS_LOSE_FRAME_DATA);
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_hwframe_get_buffer) (hwframe_ctx, frame, flags));
}

RS_EXPORT int
av_hwframe_transfer_data (AVFrame       *dst,
                          const AVFrame *src,
                          int            flags)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_av_hwframe_transfer_data, RS_CALLER))
    {
      rs_call_add (&call, dst, RS_HANDLE_FRAME, RS_ARG_VALID | RS_ARG_OUT, 0);
      rs_call_add (&call, (AVFrame *) src, RS_HANDLE_FRAME, RS_ARG_VALID, 0);
      call.wrap = RS_WRAP_OUT;
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (av_hwframe_transfer_data) (dst, src, flags));
}

/* ------------------------------------------------------------------ */
/* Scaling and resampling: they give an output frame without buffers new
 * ones (wrapped: fresh, not reallocated in place). */

RS_EXPORT int
sws_scale_frame (struct SwsContext *c,
                 AVFrame           *dst,
                 const AVFrame     *src)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_sws_scale_frame, RS_CALLER))
    {
      rs_call_add (&call, dst, RS_HANDLE_FRAME, RS_ARG_VALID | RS_ARG_OUT, 0);
      rs_call_add (&call, (AVFrame *) src, RS_HANDLE_FRAME, RS_ARG_VALID, 0);
      call.wrap = RS_WRAP_OUT;
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (sws_scale_frame) (c, dst, src));
}

RS_EXPORT int
swr_convert_frame (struct SwrContext *s,
                   AVFrame           *output,
                   const AVFrame     *input)
{
  RsCall call;

  if (rs_call_begin (&call, RS_CALL_swr_convert_frame, RS_CALLER))
    {
      rs_call_add (&call, output, RS_HANDLE_FRAME, RS_ARG_VALID | RS_ARG_OUT, 0);
      rs_call_add (&call, (AVFrame *) input, RS_HANDLE_FRAME, RS_ARG_VALID, 0);
      call.wrap = RS_WRAP_OUT;
      rs_call_enter (&call);
    }
  return rs_call_return (&call, RS_REAL (swr_convert_frame) (s, output, input));
}
