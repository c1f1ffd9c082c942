/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-decode-session.h: a real decode session shaped like ffplay, one libav
 * call a step:
 *
 *   av_read_frame -> reader packet -> packet queue[N] per stream
 *     -> decoder input -> avcodec_send_packet -> (decoder)
 *     -> avcodec_receive_frame -> frame -> frame queue[M] (keeps the shown frame)
 *
 * The scheduler is fixed and deterministic: each step runs the first call
 * that can make progress, upstream first, so queues fill until back-pressure
 * stops their producer. At end of file each decoder is drained with a NULL
 * packet, and the last steps close everything.
 */
#pragma once

#include <glib-object.h>

#include "rs-session.h"

G_BEGIN_DECLS

typedef enum {
  RS_COPY_MOVE,   /* av_packet_move_ref into the queue, like ffplay */
  RS_COPY_REF,    /* av_packet_ref: the queue shares the reader's buffer */
  RS_COPY_CLONE,  /* av_packet_clone: a new packet struct sharing the buffer */
  RS_COPY_COPY,   /* av_new_packet + memcpy + av_packet_copy_props: a new buffer */
} RsCopyPolicy;

typedef enum {
  RS_STREAMS_BEST,   /* the best video and the best audio stream */
  RS_STREAMS_VIDEO,  /* the best video stream */
  RS_STREAMS_AUDIO,  /* the best audio stream */
  RS_STREAMS_ALL,    /* every audio, video and subtitle stream FFmpeg can decode */
} RsStreamSelection;

/* What became of one stream of the file. */
typedef enum {
  RS_STREAM_DECODED,       /* the session decodes it */
  RS_STREAM_NOT_SELECTED,  /* the selection leaves it out; its packets are read and dropped */
  RS_STREAM_NO_DECODER,    /* selected, but this FFmpeg has no decoder for its codec */
  RS_STREAM_OPEN_FAILED,   /* selected, but its decoder refused to open: `reason` says why */
  RS_STREAM_NOT_MEDIA,     /* RS_STREAMS_ALL met a data or attachment stream: nothing to decode */
} RsStreamStatus;

typedef struct {
  int             index;   /* in the file */
  const char     *type;    /* interned: "video", "audio", "subtitle", "data", "attachment", "unknown" */
  const char     *codec;   /* interned codec name ("none" when FFmpeg does not know it) */
  const char     *name;    /* interned prefix of its handles ("video", "audio2"); NULL unless decoded */
  RsStreamStatus  status;
  const char     *reason;  /* RS_STREAM_OPEN_FAILED: libav's words, interned; NULL otherwise */
} RsStreamInfo;

/* The status in a few words, marked for translation but not translated: the edge
 * that shows it translates it. */
const char *rs_stream_status_to_words (RsStreamStatus status);
/* TRUE for a stream the selection wanted but that cannot be decoded. */
gboolean    rs_stream_status_is_skipped (RsStreamStatus status);

typedef struct {
  int               threads;       /* decoder threads; 1 gives exact counts */
  int               packet_queue;  /* packet queue capacity per stream */
  int               frame_queue;   /* frame queue capacity per stream */
  RsCopyPolicy      copy;
  RsStreamSelection streams;
  gboolean          observe;       /* FALSE: the same calls, unobserved (benchmarks) */
} RsDecodeSettings;

void        rs_decode_settings_init        (RsDecodeSettings  *settings);
gboolean    rs_copy_policy_from_string     (const char        *string,
                                            RsCopyPolicy      *policy);
gboolean    rs_stream_selection_from_string (const char       *string,
                                             RsStreamSelection *selection);
/* "best", "video", "audio", "all" (static). */
const char *rs_stream_selection_to_string   (RsStreamSelection selection);

#define RS_TYPE_DECODE_SESSION (rs_decode_session_get_type ())
G_DECLARE_FINAL_TYPE (RsDecodeSession, rs_decode_session, RS, DECODE_SESSION, GObject)

/* Opens `path` and the decoders of the selected streams. A selected stream
 * that cannot be decoded is skipped (see rs_decode_session_get_streams);
 * NULL with an RS_ERROR naming the file and the reason when no stream can
 * be decoded. */
RsDecodeSession *rs_decode_session_new          (const char             *path,
                                                 const RsDecodeSettings *settings,
                                                 GError                **error);
/* Runs every step of an unobserved session (settings.observe FALSE) and
 * returns the number of steps run. */
guint            rs_decode_session_run_unobserved (RsDecodeSession *session);
/* Every stream of the file, in file order, with what became of it. Owned by
 * the session, unchanged for its life (safe to read from any thread). */
const RsStreamInfo *rs_decode_session_get_streams (RsDecodeSession *session,
                                                   guint           *n_streams);
/* TRUE when every count is exact (no frame threads). */
gboolean         rs_decode_session_is_exact     (RsDecodeSession        *session);

G_END_DECLS
