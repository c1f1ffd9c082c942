/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-decode-session"

#include "rs-decode-session.h"
#include "rs-intern.h"

#include <glib/gi18n.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <stdarg.h>
#include <string.h>

#include "rs-av-private.h"
#include "rs-decode-session-private.h"
#include "rs-error.h"
#include "rs-media-private.h"

G_DEFINE_FINAL_TYPE_WITH_CODE (RsDecodeSession, rs_decode_session, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (RS_TYPE_SESSION, _rs_decode_session_iface_init))

void
rs_decode_settings_init (RsDecodeSettings *settings)
{
  g_return_if_fail (settings != NULL);

  *settings = (RsDecodeSettings) {
    .threads = 1, .packet_queue = 8, .frame_queue = 3,
    .copy = RS_COPY_MOVE, .streams = RS_STREAMS_BEST, .observe = TRUE,
  };
}

gboolean
rs_copy_policy_from_string (const char   *string,
                            RsCopyPolicy *policy)
{
  static const char *names[] = { "move", "ref", "clone", "copy" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (string, names[i]) == 0)
      {
        *policy = (RsCopyPolicy) i;
        return TRUE;
      }
  return FALSE;
}

static const char *selection_names[] = { "best", "video", "audio", "all" };

gboolean
rs_stream_selection_from_string (const char        *string,
                                 RsStreamSelection *selection)
{
  for (guint i = 0; i < G_N_ELEMENTS (selection_names); i++)
    if (g_strcmp0 (string, selection_names[i]) == 0)
      {
        *selection = (RsStreamSelection) i;
        return TRUE;
      }
  return FALSE;
}

const char *
rs_stream_selection_to_string (RsStreamSelection selection)
{
  g_return_val_if_fail (selection <= RS_STREAMS_ALL, NULL);
  return selection_names[selection];
}

const char *
rs_stream_status_to_words (RsStreamStatus status)
{
  switch (status)
    {
    case RS_STREAM_DECODED:      return N_("decoded");
    case RS_STREAM_NOT_SELECTED: return N_("not selected");
    case RS_STREAM_NO_DECODER:   return N_("this FFmpeg has no decoder for it");
    case RS_STREAM_OPEN_FAILED:  return N_("its decoder did not open");
    case RS_STREAM_NOT_MEDIA:    return N_("not audio, video or subtitles: nothing to decode");
    default:                     return NULL;
    }
}

gboolean
rs_stream_status_is_skipped (RsStreamStatus status)
{
  return status == RS_STREAM_NO_DECODER || status == RS_STREAM_OPEN_FAILED ||
         status == RS_STREAM_NOT_MEDIA;
}

static gboolean
wrap_all (RsTracker     *tracker,
          AVBufferRef  **refs,
          int            n_refs,
          RsBufferKind   kind,
          const char    *holder)
{
  for (int i = 0; i < n_refs; i++)
    if (refs[i] != NULL && rs_tracker_wrap (tracker, &refs[i], kind, "decoder", holder) == 0)
      return FALSE;
  return TRUE;
}

/* The decoder's get_buffer2: libav's own allocation, then every plane buffer
 * is wrapped so its lifetime is exact (see rs-tracker-private.h). */
static int
tracked_get_buffer2 (AVCodecContext *context,
                     AVFrame        *frame,
                     int             flags)
{
  /* Frame threads call this with their own copy of the context: its
   * opaque is the same. */
  Stream *stream = context->opaque;
  RsTracker *tracker = rs_observer_get_tracker (stream->session->observer);
  RsBufferKind kind = context->codec_type == AVMEDIA_TYPE_AUDIO ? RS_BUFFER_KIND_AUDIO
                                                                : RS_BUFFER_KIND_PICTURE;
  int ret;

  ret = avcodec_default_get_buffer2 (context, frame, flags);
  if (ret < 0)
    return ret;

  if (!wrap_all (tracker, frame->buf, G_N_ELEMENTS (frame->buf), kind, stream->holder) ||
      !wrap_all (tracker, frame->extended_buf, frame->nb_extended_buf, kind, stream->holder))
    {
      av_frame_unref (frame);
      return AVERROR (ENOMEM);
    }
  return 0;
}

static void
init_handle (RsHandle   *handle,
             const char *id,
             const char *holder,
             const char *group,
             int         slot,
             int         capacity,
             int         stream)
{
  *handle = (RsHandle) {
    .id = rs_intern (id), .holder = rs_intern_static (holder),
    .group = rs_intern (group), .slot = slot, .capacity = capacity,
    .stream = stream, .pts = RS_NO_TIMESTAMP, .dts = RS_NO_TIMESTAMP,
  };
}

G_GNUC_PRINTF (1, 2)
static const char *
intern_printf (const char *format,
               ...)
{
  g_autofree char *string = NULL;
  va_list args;

  va_start (args, format);
  string = g_strdup_vprintf (format, args);
  va_end (args);
  return rs_intern (string);
}

static Stream *
stream_new (RsDecodeSession *self,
            int              index,
            const char      *name,
            gboolean         subtitle)
{
  const RsDecodeSettings *settings = &self->settings;
  Stream *stream = g_new0 (Stream, 1);
  const char *packet_group = intern_printf ("%s.pktq", name);
  const char *frame_group = intern_printf ("%s.frameq", name);

  stream->session = self;
  stream->index = index;
  stream->subtitle = subtitle;
  stream->name = rs_intern (name);
  stream->free_slot = -1;
  stream->input_holder = intern_printf ("%s decoder input", name);
  stream->holder = intern_printf ("%s decoder", name);

  stream->packets = g_new0 (AVPacket *, settings->packet_queue);
  stream->packet_slots = g_new0 (RsHandle, settings->packet_queue);
  for (int i = 0; i < settings->packet_queue; i++)
    init_handle (&stream->packet_slots[i], intern_printf ("%s[%d]", packet_group, i),
                 "packet_queue", packet_group, i, settings->packet_queue, index);
  init_handle (&stream->input_handle, intern_printf ("%s.decoder_input", name),
               "decoder_input", NULL, -1, 0, index);
  init_handle (&stream->frame_handle, intern_printf ("%s.frame", name),
               "decoder_output", NULL, -1, 0, index);
  init_handle (&stream->subtitle_handle, intern_printf ("%s.sub", name),
               "decoder_output", NULL, -1, 0, index);

  /* A subtitle stream has no frames: its frame structs stay NULL. */
  stream->frames = g_new0 (AVFrame *, settings->frame_queue);
  stream->frame_slots = g_new0 (RsHandle, settings->frame_queue);
  for (int i = 0; i < settings->frame_queue; i++)
    init_handle (&stream->frame_slots[i], intern_printf ("%s[%d]", frame_group, i),
                 "frame_queue", frame_group, i, settings->frame_queue, index);
  return stream;
}

/* Frees whatever the closing steps did not (a session dropped early). */
static void
stream_free (Stream *stream,
             int     packet_queue,
             int     frame_queue)
{
  avcodec_free_context (&stream->decoder);
  for (int i = 0; i < packet_queue; i++)
    av_packet_free (&stream->packets[i]);
  av_packet_free (&stream->input);
  av_frame_free (&stream->frame);
  for (int i = 0; i < frame_queue; i++)
    av_frame_free (&stream->frames[i]);
  if (stream->subtitle_full)
    avsubtitle_free (&stream->sub);
  g_free (stream->packets);
  g_free (stream->packet_slots);
  g_free (stream->frames);
  g_free (stream->frame_slots);
  g_free (stream);
}

static RsStreamInfo *
stream_info (RsDecodeSession *self,
             int              index)
{
  return &g_array_index (self->stream_infos, RsStreamInfo, index);
}

/* Opens the decoder of stream `index` and adds it to the session. Returns
 * the stream's status: DECODED, or why not. */
static RsStreamStatus
open_stream (RsDecodeSession *self,
             int              index)
{
  AVStream *st = self->input->streams[index];
  enum AVMediaType type = st->codecpar->codec_type;
  const AVCodec *codec = avcodec_find_decoder (st->codecpar->codec_id);
  RsStreamInfo *info = stream_info (self, index);
  const char *type_name = av_get_media_type_string (type);
  guint same_type = 0;
  Stream *stream;
  int ret;

  if (type != AVMEDIA_TYPE_VIDEO && type != AVMEDIA_TYPE_AUDIO && type != AVMEDIA_TYPE_SUBTITLE)
    return info->status = RS_STREAM_NOT_MEDIA;
  if (codec == NULL)
    return info->status = RS_STREAM_NO_DECODER;

  /* The first stream of a type keeps the plain name ("audio.pktq[0]"), so
   * one-stream-per-type sessions read as before; others add their index. */
  for (guint i = 0; i < self->n_streams; i++)
    same_type += self->streams[i]->type == type;
  stream = stream_new (self, index, same_type == 0 ? type_name : intern_printf ("%s%d", type_name, index),
                       type == AVMEDIA_TYPE_SUBTITLE);
  stream->type = type;
  stream->decoder = avcodec_alloc_context3 (codec);
  ret = stream->decoder != NULL ? avcodec_parameters_to_context (stream->decoder, st->codecpar)
                                : AVERROR (ENOMEM);
  if (ret >= 0)
    {
      stream->decoder->pkt_timebase = st->time_base;
      stream->decoder->thread_count = self->settings.threads;
      if (self->observer != NULL && type != AVMEDIA_TYPE_SUBTITLE)
        {
          stream->decoder->opaque = stream;
          stream->decoder->get_buffer2 = tracked_get_buffer2;
#if LIBAVCODEC_VERSION_MAJOR < 60
          /* Without it, frame threads postpone releases from a custom
           * get_buffer2, which would change what we watch. */
          G_GNUC_BEGIN_IGNORE_DEPRECATIONS
          stream->decoder->thread_safe_callbacks = 1;
          G_GNUC_END_IGNORE_DEPRECATIONS
#endif
        }
      ret = avcodec_open2 (stream->decoder, codec, NULL);
    }
  if (ret < 0)
    {
      g_autofree char *reason = rs_av_error_string (ret);

      info->reason = intern_printf ("%s: %s", codec->name, reason);
      stream_free (stream, self->settings.packet_queue, self->settings.frame_queue);
      return info->status = RS_STREAM_OPEN_FAILED;
    }

  if (stream->decoder->active_thread_type & FF_THREAD_FRAME)
    self->exact = FALSE;

  for (int i = 0; i < self->settings.packet_queue; i++)
    if (self->settings.copy != RS_COPY_CLONE)
      stream->packets[i] = av_packet_alloc ();
  stream->input = av_packet_alloc ();
  if (!stream->subtitle)
    {
      stream->frame = av_frame_alloc ();
      for (int i = 0; i < self->settings.frame_queue; i++)
        stream->frames[i] = av_frame_alloc ();
    }
  g_ptr_array_add (self->stream_array, stream);
  self->streams = (Stream **) self->stream_array->pdata;
  self->n_streams = self->stream_array->len;
  self->by_index[index] = stream;
  info->name = stream->name;
  return info->status = RS_STREAM_DECODED;
}

/* The best stream of `type`, as ffplay picks it; when the best has no
 * decoder, another of the type that has one, and the best is skipped. */
static void
open_best_stream (RsDecodeSession *self,
                  enum AVMediaType type,
                  int              related)
{
  const AVCodec *codec = NULL;
  int best = av_find_best_stream (self->input, type, -1, related, NULL, 0);
  int index;

  if (best < 0)
    return;
  index = av_find_best_stream (self->input, type, -1, related, &codec, 0);
  if (index >= 0 && index != best)
    stream_info (self, best)->status = RS_STREAM_NO_DECODER;
  open_stream (self, index >= 0 ? index : best);
}

/* Why nothing can be decoded, naming the file, the first stream that was
 * wanted and could not be, or what the selection found missing. */
static void
set_nothing_to_decode (RsDecodeSession *self,
                       GError         **error)
{
  for (guint i = 0; i < self->stream_infos->len; i++)
    {
      const RsStreamInfo *info = stream_info (self, i);

      if (info->status == RS_STREAM_NO_DECODER)
        {
          g_set_error (error, RS_ERROR, RS_ERROR_UNSUPPORTED, "%s: no decoder for the %s codec '%s' (stream %u)",
                       self->path, info->type, info->codec, i);
          return;
        }
      if (info->status == RS_STREAM_OPEN_FAILED)
        {
          g_set_error (error, RS_ERROR, RS_ERROR_UNSUPPORTED, "%s: cannot open the %s decoder %s (stream %u)",
                       self->path, info->type, info->reason, i);
          return;
        }
    }
  if (self->settings.streams == RS_STREAMS_VIDEO || self->settings.streams == RS_STREAMS_AUDIO)
    g_set_error (error, RS_ERROR, RS_ERROR_INVALID_INPUT, "%s: no %s stream", self->path,
                 self->settings.streams == RS_STREAMS_VIDEO ? "video" : "audio");
  else
    g_set_error (error, RS_ERROR, RS_ERROR_INVALID_INPUT, "%s: no audio or video stream to decode",
                 self->path);
}

static void
select_streams (RsDecodeSession *self)
{
  RsStreamSelection selection = self->settings.streams;

  if (selection == RS_STREAMS_ALL)
    {
      for (guint i = 0; i < self->input->nb_streams; i++)
        open_stream (self, i);
      return;
    }
  if (selection != RS_STREAMS_AUDIO)
    open_best_stream (self, AVMEDIA_TYPE_VIDEO, -1);
  if (selection != RS_STREAMS_VIDEO)
    open_best_stream (self, AVMEDIA_TYPE_AUDIO, self->n_streams > 0 ? self->streams[0]->index : -1);
}

static void
rs_decode_session_finalize (GObject *object)
{
  RsDecodeSession *self = RS_DECODE_SESSION (object);

  for (guint i = 0; i < self->n_streams; i++)
    stream_free (self->streams[i], self->settings.packet_queue, self->settings.frame_queue);
  av_packet_free (&self->reader);
  avformat_close_input (&self->input);
  /* Last: the tracker must see the frees above. */
  g_clear_pointer (&self->observer, rs_observer_free);
  g_clear_pointer (&self->history, rs_history_unref);
  g_clear_pointer (&self->close_ops, g_array_unref);
  g_clear_pointer (&self->stream_array, g_ptr_array_unref);
  g_clear_pointer (&self->stream_infos, g_array_unref);
  g_free (self->by_index);
  g_free (self->path);
  g_free (self->name);

  G_OBJECT_CLASS (rs_decode_session_parent_class)->finalize (object);
}

static void
rs_decode_session_class_init (RsDecodeSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rs_decode_session_finalize;
}

static void
rs_decode_session_init (RsDecodeSession *self)
{
  self->history = rs_history_new ();
  self->stream_array = g_ptr_array_new ();
  self->exact = TRUE;
}

RsDecodeSession *
rs_decode_session_new (const char             *path,
                       const RsDecodeSettings *settings,
                       GError                **error)
{
  g_autoptr(RsDecodeSession) self = NULL;
  RsDecodeSettings defaults;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (settings == NULL)
    {
      rs_decode_settings_init (&defaults);
      settings = &defaults;
    }
  g_return_val_if_fail (settings->threads >= 0 && settings->packet_queue >= 1 &&
                        settings->frame_queue >= 1, NULL);

  self = g_object_new (RS_TYPE_DECODE_SESSION, NULL);
  self->path = g_strdup (path);
  self->name = g_path_get_basename (path);
  self->settings = *settings;
  if (settings->observe)
    self->observer = rs_observer_new ();

  self->input = rs_media_open (path, error);
  if (self->input == NULL)
    return NULL;
  self->by_index = g_new0 (Stream *, self->input->nb_streams);
  self->stream_infos = g_array_sized_new (FALSE, TRUE, sizeof (RsStreamInfo), self->input->nb_streams);
  for (guint i = 0; i < self->input->nb_streams; i++)
    {
      const AVCodecParameters *par = self->input->streams[i]->codecpar;
      const char *type = av_get_media_type_string (par->codec_type);
      /* ffprobe's words for a codec id FFmpeg does not know. */
      const char *codec = par->codec_id == AV_CODEC_ID_NONE ? "unknown" : avcodec_get_name (par->codec_id);
      RsStreamInfo info = {
        .index = (int) i, .type = rs_intern (type != NULL ? type : "unknown"),
        .codec = rs_intern (codec), .status = RS_STREAM_NOT_SELECTED,
      };

      g_array_append_val (self->stream_infos, info);
    }

  select_streams (self);
  if (self->n_streams == 0)
    {
      set_nothing_to_decode (self, error);
      return NULL;
    }

  self->reader = av_packet_alloc ();
  init_handle (&self->reader_handle, "reader", "reader", NULL, -1, 0, -1);
  return g_steal_pointer (&self);
}

const RsStreamInfo *
rs_decode_session_get_streams (RsDecodeSession *self,
                               guint           *n_streams)
{
  g_return_val_if_fail (RS_IS_DECODE_SESSION (self), NULL);
  g_return_val_if_fail (n_streams != NULL, NULL);

  *n_streams = self->stream_infos != NULL ? self->stream_infos->len : 0;
  return self->stream_infos != NULL ? (const RsStreamInfo *) self->stream_infos->data : NULL;
}

static gboolean
stream_drained (Stream *stream)
{
  return stream->state == DECODER_DONE && !stream->frame_full && !stream->input_full &&
         stream->packet_count == 0;
}

/* The display moves on when a frame is waiting for a full queue, or, once
 * the decoder is done, until only the shown frame is left. */
static gboolean
display_moves_on (RsDecodeSession *self,
                  Stream          *stream)
{
  if (stream->frame_count == 0)
    return FALSE;
  if (stream->frame_full && stream->frame_count == self->settings.frame_queue)
    return TRUE;
  return stream_drained (stream) && stream->frame_count >= 2;
}

/* The decoder's next call, if it can make progress. */
static Action
decoder_action (RsDecodeSession *self,
                Stream          *stream)
{
  if (stream->subtitle)
    {
      /* avcodec_decode_subtitle2 takes a packet and gives at most one
       * subtitle; the subtitle is freed before the next one. Decoders
       * with delay are drained with an empty packet, as ffplay does. */
      if (stream->subtitle_full)
        return ACTION_FREE_SUBTITLE;
      if (stream->input_full)
        return ACTION_DECODE_SUBTITLE;
      if (stream->packet_count > 0)
        return ACTION_DEQUEUE;
      if (self->end_of_file && !stream->flush_sent &&
          (stream->decoder->codec->capabilities & AV_CODEC_CAP_DELAY) != 0)
        return ACTION_DECODE_SUBTITLE;
      return ACTION_NONE;
    }
  if (stream->frame_full)
    return stream->frame_count < self->settings.frame_queue ? ACTION_QUEUE_FRAME : ACTION_NONE;

  switch (stream->state)
    {
    case DECODER_RECEIVE:
      return ACTION_RECEIVE;
    case DECODER_SEND:
      if (stream->input_full)
        return ACTION_SEND;
      if (stream->packet_count > 0)
        return ACTION_DEQUEUE;
      if (self->end_of_file && !stream->flush_sent)
        return ACTION_SEND_FLUSH;
      return ACTION_NONE;
    case DECODER_DONE:
    default:
      return ACTION_NONE;
    }
}

/* The fixed schedule: finish what a call started, then upstream first. */
Action
_rs_decode_session_pick_action (RsDecodeSession *self,
             Stream         **out_stream)
{
  *out_stream = NULL;

  if (self->close_ops != NULL)
    return ACTION_CLOSE;

  if (self->reader_pending == READER_COPY_PROPS)
    return ACTION_COPY_PROPS;
  if (self->reader_pending == READER_UNREF)
    return ACTION_UNREF_READER;
  for (guint i = 0; i < self->n_streams; i++)
    {
      *out_stream = self->streams[i];
      if (self->streams[i]->free_slot >= 0)
        return ACTION_FREE_SLOT;
      if (self->streams[i]->unref_input)
        return ACTION_UNREF_INPUT;
    }

  if (self->reader_full)
    {
      Stream *target = self->by_index[self->reader->stream_index];

      *out_stream = target;
      if (target == NULL)
        return ACTION_DISCARD;
      if (target->packet_count < self->settings.packet_queue)
        return ACTION_ENQUEUE;
    }
  else if (!self->end_of_file)
    return ACTION_READ;

  for (guint i = 0; i < self->n_streams; i++)
    {
      Action action = decoder_action (self, self->streams[i]);

      *out_stream = self->streams[i];
      if (action != ACTION_NONE)
        return action;
    }
  for (guint i = 0; i < self->n_streams; i++)
    {
      *out_stream = self->streams[i];
      if (display_moves_on (self, self->streams[i]))
        return ACTION_NEXT_FRAME;
    }

  *out_stream = NULL;
  return ACTION_NONE;
}
