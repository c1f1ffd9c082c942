/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-av.h: libav helpers shared by the data layer: automatic cleanup for
 * libav types and libav error codes in words.
 */
#pragma once

#include <glib.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>

G_BEGIN_DECLS

static inline void
rs_av_packet_free (AVPacket *packet)
{
  av_packet_free (&packet);
}

static inline void
rs_av_frame_free (AVFrame *frame)
{
  av_frame_free (&frame);
}

static inline void
rs_av_format_close (AVFormatContext *context)
{
  avformat_close_input (&context);
}

static inline void
rs_av_codec_free (AVCodecContext *context)
{
  avcodec_free_context (&context);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AVPacket, rs_av_packet_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AVFrame, rs_av_frame_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AVFormatContext, rs_av_format_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AVCodecContext, rs_av_codec_free)

/* av_strerror() in a newly allocated string. */
char *rs_av_error_string (int errnum);

G_END_DECLS
