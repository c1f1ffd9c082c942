/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-av-private.h: libav helpers shared by the data layer: automatic cleanup for
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
char      *rs_av_error_string   (int errnum);

/* FFmpeg's log, captured instead of printed: warnings and errors are kept
 * ("h264: no frame!", no addresses, so traces stay reproducible) until
 * taken. Installs the log callback on first use; thread-safe, since libav
 * logs from decoder threads too. */
void       rs_av_log_capture    (void);
/* The messages since the last call, oldest first; NULL if none. A GPtrArray
 * of strings owned by the caller. */
GPtrArray *rs_av_log_take       (void);
/* Drops the messages so far. */
void       rs_av_log_clear      (void);
/* The last message since the last take, or NULL; the others are dropped.
 * Owned by the caller. */
char      *rs_av_log_take_last  (void);

G_END_DECLS
