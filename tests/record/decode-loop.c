/* SPDX-License-Identifier: GPL-3.0-or-later */
/* decode-loop: the plainest complete FFmpeg program there is, as a test of
 * `refscope record`. It demuxes MEDIA and decodes every audio and video
 * stream it has a decoder for, flushes the decoders at the end and frees
 * everything.
 *
 * usage: decode-loop MEDIA [--sigkill-after=K | --sigsegv-after=K]
 *
 * It prints one line per frame received,
 *     frame stream=S pts=P refcount=N
 * where N is the reference count of the frame's buf[0] right after
 * avcodec_receive_frame returned it (the program's own reference plus the
 * ones the decoder keeps), and `end frames=N` at the end. The test compares
 * N with the count the recording shows at that step, so nothing here may
 * take a reference just to look. The options make the program kill itself
 * (SIGKILL) or crash (SIGSEGV) after K frames, to test recordings of runs
 * that end without exit. Exit status: 0, or 1 when MEDIA cannot be read. */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

static int raise_signal;       /* 0, SIGKILL or SIGSEGV */
static long raise_after = -1;  /* ... after this many frames */
static long frames;

static void
fail (const char *what, const char *path, int err)
{
  fprintf (stderr, "decode-loop: %s: %s: %s\n", path, what, av_err2str (err));
  exit (1);
}

/* Prints the frame just received, then lets go of it (the decoder keeps
 * its own references). */
static void
print_frame (AVFrame *frame, int stream)
{
  if (frame->pts == AV_NOPTS_VALUE)
    printf ("frame stream=%d pts=none refcount=%d\n", stream,
            av_buffer_get_ref_count (frame->buf[0]));
  else
    printf ("frame stream=%d pts=%lld refcount=%d\n", stream, (long long) frame->pts,
            av_buffer_get_ref_count (frame->buf[0]));
  av_frame_unref (frame);

  if (++frames == raise_after)
    {
      /* What the program printed must survive the signal: stdout is a pipe
       * in the tests, so it is fully buffered. */
      fflush (stdout);
      raise (raise_signal);
    }
}

/* Receives every frame the decoder has ready. Returns 0, or AVERROR_EOF
 * once a flushed decoder is drained. */
static int
receive_frames (AVCodecContext *decoder, AVFrame *frame, int stream)
{
  int ret;

  while ((ret = avcodec_receive_frame (decoder, frame)) == 0)
    print_frame (frame, stream);
  return ret == AVERROR (EAGAIN) ? 0 : ret;
}

/* A decoder for the stream, or NULL when it is neither audio nor video or
 * FFmpeg has no decoder for it. Owned by the caller. */
static AVCodecContext *
open_decoder (AVStream *stream, const char *path)
{
  enum AVMediaType type = stream->codecpar->codec_type;
  const AVCodec *codec;
  AVCodecContext *decoder;
  int ret;

  if (type != AVMEDIA_TYPE_VIDEO && type != AVMEDIA_TYPE_AUDIO)
    return NULL;
  codec = avcodec_find_decoder (stream->codecpar->codec_id);
  if (codec == NULL)
    return NULL;

  decoder = avcodec_alloc_context3 (codec);
  if (decoder == NULL)
    fail ("cannot allocate a decoder", path, AVERROR (ENOMEM));
  if ((ret = avcodec_parameters_to_context (decoder, stream->codecpar)) < 0)
    fail ("bad codec parameters", path, ret);
  /* Frame timestamps in the stream's time base, as ffprobe gives them. */
  decoder->pkt_timebase = stream->time_base;
  /* One thread: the counts are then exact and the same on every run. */
  decoder->thread_count = 1;
  if ((ret = avcodec_open2 (decoder, codec, NULL)) < 0)
    fail ("cannot open the decoder", path, ret);
  return decoder;
}

int
main (int argc, char **argv)
{
  AVFormatContext *format = NULL;
  AVCodecContext **decoders;
  AVPacket *packet;
  AVFrame *frame;
  const char *path;
  int ret;

  if (argc < 2 || argc > 3)
    {
      fprintf (stderr, "usage: decode-loop MEDIA [--sigkill-after=K | --sigsegv-after=K]\n");
      return 2;
    }
  path = argv[1];
  if (argc == 3)
    {
      if (strncmp (argv[2], "--sigkill-after=", 16) == 0)
        raise_signal = SIGKILL;
      else if (strncmp (argv[2], "--sigsegv-after=", 16) == 0)
        raise_signal = SIGSEGV;
      else
        {
          fprintf (stderr, "decode-loop: unknown option %s\n", argv[2]);
          return 2;
        }
      raise_after = atol (argv[2] + 16);
    }

  if ((ret = avformat_open_input (&format, path, NULL, NULL)) < 0)
    fail ("cannot open", path, ret);
  if ((ret = avformat_find_stream_info (format, NULL)) < 0)
    fail ("cannot find the streams", path, ret);

  decoders = calloc (format->nb_streams, sizeof *decoders);
  for (unsigned i = 0; i < format->nb_streams; i++)
    decoders[i] = open_decoder (format->streams[i], path);

  packet = av_packet_alloc ();
  frame = av_frame_alloc ();

  /* Every packet of the file, in order; the demuxer's reference moves into
   * the decoder's input (avcodec_send_packet takes its own), so the packet
   * is unreffed right after. */
  while ((ret = av_read_frame (format, packet)) >= 0)
    {
      AVCodecContext *decoder = decoders[packet->stream_index];

      if (decoder != NULL)
        {
          /* Every frame is received before the next packet is sent, so
           * sending cannot return EAGAIN. A damaged packet is an error of
           * that packet only: go on, as ffmpeg does. */
          ret = avcodec_send_packet (decoder, packet);
          if (ret < 0)
            fprintf (stderr, "decode-loop: %s: stream %d: %s\n", path,
                     packet->stream_index, av_err2str (ret));
          else if ((ret = receive_frames (decoder, frame, packet->stream_index)) < 0)
            fprintf (stderr, "decode-loop: %s: stream %d: %s\n", path,
                     packet->stream_index, av_err2str (ret));
        }
      av_packet_unref (packet);
    }
  if (ret != AVERROR_EOF)
    fprintf (stderr, "decode-loop: %s: reading stopped: %s\n", path, av_err2str (ret));

  /* Flush: a NULL packet asks each decoder for the frames it still holds
   * (B-frame reordering, audio delay), until it says AVERROR_EOF. */
  for (unsigned i = 0; i < format->nb_streams; i++)
    if (decoders[i] != NULL)
      {
        avcodec_send_packet (decoders[i], NULL);
        receive_frames (decoders[i], frame, (int) i);
      }

  printf ("end frames=%ld\n", frames);

  av_frame_free (&frame);
  av_packet_free (&packet);
  for (unsigned i = 0; i < format->nb_streams; i++)
    avcodec_free_context (&decoders[i]);
  free (decoders);
  avformat_close_input (&format);
  return 0;
}
