/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-decode-session-private.h: the decode session's state, shared by its
 * scheduler (rs-decode-session.c) and its steps (rs-decode-session-steps.c).
 */
#pragma once

#include "rs-av-private.h"
#include "rs-decode-session.h"
#include "rs-observer-private.h"

G_BEGIN_DECLS

/* Consecutive failures of one call after which the session stops retrying
 * it, so a broken file cannot make a session run forever. */
#define MAX_CONSECUTIVE_ERRORS 16

typedef enum {
  DECODER_RECEIVE,   /* call avcodec_receive_frame until EAGAIN, like ffplay */
  DECODER_SEND,      /* feed one packet (or the NULL packet at end of file) */
  DECODER_DONE,      /* receive_frame said AVERROR_EOF */
} DecoderState;

typedef enum {
  ACTION_NONE,
  ACTION_READ,            /* av_read_frame(input, reader) */
  ACTION_DISCARD,         /* av_packet_unref(reader): a stream nobody decodes */
  ACTION_ENQUEUE,         /* reader -> packet queue tail, by the copy policy */
  ACTION_COPY_PROPS,      /* av_packet_copy_props(tail, reader), copy policy */
  ACTION_UNREF_READER,    /* av_packet_unref(reader) after ref, clone or copy */
  ACTION_DEQUEUE,         /* av_packet_move_ref(decoder_input, head) */
  ACTION_FREE_SLOT,       /* av_packet_free(&slot): clone policy */
  ACTION_SEND,            /* avcodec_send_packet(decoder, decoder_input) */
  ACTION_SEND_FLUSH,      /* avcodec_send_packet(decoder, NULL) */
  ACTION_UNREF_INPUT,     /* av_packet_unref(decoder_input) after send */
  ACTION_RECEIVE,         /* avcodec_receive_frame(decoder, frame) */
  ACTION_QUEUE_FRAME,     /* av_frame_move_ref(frame queue tail, frame) */
  ACTION_NEXT_FRAME,      /* av_frame_unref(shown): the display moves on */
  ACTION_DECODE_SUBTITLE, /* avcodec_decode_subtitle2(decoder, sub, &got, decoder_input) */
  ACTION_FREE_SUBTITLE,   /* avsubtitle_free(sub) */
  ACTION_CLOSE,           /* one of the closing calls */
} Action;

typedef enum {
  READER_IDLE,
  READER_COPY_PROPS,
  READER_UNREF,
} ReaderPending;

typedef struct {
  RsDecodeSession *session;      /* the session owning the stream */
  int              index;        /* stream index in the file */
  const char      *name;         /* interned: "video", "audio", "audio2", "subtitle" */
  enum AVMediaType type;
  gboolean         subtitle;     /* decoded by avcodec_decode_subtitle2, no frames */
  const char      *input_holder; /* interned: "video decoder input" */
  const char      *holder;       /* interned: "video decoder" */
  AVCodecContext  *decoder;
  DecoderState     state;
  gboolean         flush_sent;   /* the NULL packet went in */
  int              errors;       /* consecutive decoder errors */

  AVPacket       **packets;      /* ring of packet_queue slots; NULL: no struct */
  int              packet_head;
  int              packet_count;
  int              free_slot;    /* slot to av_packet_free next (clone), or -1 */
  AVPacket        *input;        /* decoder input; holds a packet when input_full */
  gboolean         input_full;
  gboolean         unref_input;  /* send succeeded: unref the input next */

  AVFrame         *frame;        /* what avcodec_receive_frame fills */
  gboolean         frame_full;
  AVFrame        **frames;       /* ring of frame_queue slots; the head is shown */
  int              frame_head;
  int              frame_count;

  AVSubtitle       sub;          /* subtitle streams: what avcodec_decode_subtitle2 fills */
  gboolean         subtitle_full;

  /* Handle descriptions, built once. */
  RsHandle        *packet_slots;
  RsHandle         input_handle;
  RsHandle         frame_handle;
  RsHandle        *frame_slots;
  RsHandle         subtitle_handle;
} Stream;

typedef enum {
  CLOSE_DECODER,
  CLOSE_READER,
  CLOSE_INPUT,
  CLOSE_PACKET_SLOT,
  CLOSE_FRAME,
  CLOSE_FRAME_SLOT,
  CLOSE_INPUT_FILE,
} CloseKind;

typedef struct {
  CloseKind kind;
  Stream   *stream;
  int       slot;
} CloseOp;

struct _RsDecodeSession {
  GObject           parent_instance;

  char             *path;
  char             *name;
  RsDecodeSettings  settings;
  gboolean          exact;

  AVFormatContext  *input;
  AVPacket         *reader;
  RsHandle          reader_handle;
  gboolean          reader_full;
  ReaderPending     reader_pending;
  Stream           *reader_target;  /* queue the reader's packet goes to */
  int               reader_slot;
  gboolean          end_of_file;
  int               read_errors;

  GPtrArray        *stream_array;   /* Stream, owned; freed in finalize */
  Stream          **streams;        /* stream_array's items */
  guint             n_streams;
  GArray           *stream_infos;   /* RsStreamInfo, one per stream of the file */
  Stream          **by_index;       /* stream index -> Stream*, or NULL */

  GArray           *close_ops;      /* CloseOp, built when closing starts */
  guint             close_next;
  gboolean          finished;

  RsObserver       *observer;       /* NULL when unobserved */
  RsHistory        *history;
  guint             step;
};

Action  _rs_decode_session_pick_action (RsDecodeSession    *self,
                                        Stream            **out_stream);
void    _rs_decode_session_iface_init  (RsSessionInterface *iface);

G_END_DECLS
