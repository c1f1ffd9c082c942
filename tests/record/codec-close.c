/* SPDX-License-Identifier: GPL-3.0-or-later */
/* codec-close: older code's way of ending a decoder, as a test of
 * `refscope record`: avcodec_close, then avcodec_free_context.
 *
 * It decodes the first FRAMES pictures of MEDIA's best video stream, keeps
 * the last one, and closes the decoder while the program still holds that
 * picture: the decoder lets go of everything it held inside avcodec_close
 * (its pictures, its input), the kept picture stays the program's alone.
 * Then it lets go of the picture and frees the closed context. No leak.
 *
 * usage: codec-close MEDIA [frame-threads]
 *   frame-threads: the decoder runs two frame threads (else one thread)
 *
 * prints one line per picture received, `frame pts=P` (no count: frame
 * threads make it vary from run to run), then `closed refcount=N` (the kept
 * picture's count right after avcodec_close: 1, the program's own) and
 * `end frames=N`. Exit status 0, or 1 when MEDIA
 * cannot be decoded. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#define FRAMES 30

static void
fail (const char *what, const char *path, int err)
{
  fprintf (stderr, "codec-close: %s: %s: %s\n", path, what, av_err2str (err));
  exit (1);
}

int
main (int argc, char **argv)
{
  AVFormatContext *format = NULL;
  AVCodecContext *decoder;
  const AVCodec *codec;
  AVPacket *packet;
  AVFrame *frame;
  const char *path;
  long frames = 0;
  int video, ret;

  if (argc < 2 || argc > 3 || (argc == 3 && strcmp (argv[2], "frame-threads") != 0))
    {
      fprintf (stderr, "usage: codec-close MEDIA [frame-threads]\n");
      return 2;
    }
  path = argv[1];

  if ((ret = avformat_open_input (&format, path, NULL, NULL)) < 0)
    fail ("cannot open", path, ret);
  if ((ret = avformat_find_stream_info (format, NULL)) < 0)
    fail ("cannot find the streams", path, ret);
  if ((video = av_find_best_stream (format, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0)) < 0)
    fail ("no video stream", path, video);

  decoder = avcodec_alloc_context3 (codec);
  if (decoder == NULL)
    fail ("cannot allocate a decoder", path, AVERROR (ENOMEM));
  if ((ret = avcodec_parameters_to_context (decoder, format->streams[video]->codecpar)) < 0)
    fail ("bad codec parameters", path, ret);
  decoder->pkt_timebase = format->streams[video]->time_base;
  if (argc == 3)
    {
      decoder->thread_count = 2;
      decoder->thread_type = FF_THREAD_FRAME;
    }
  else
    decoder->thread_count = 1;
  if ((ret = avcodec_open2 (decoder, codec, NULL)) < 0)
    fail ("cannot open the decoder", path, ret);

  packet = av_packet_alloc ();
  frame = av_frame_alloc ();

  /* Until FRAMES pictures came out; the last one stays in `frame`. */
  while (frames < FRAMES && av_read_frame (format, packet) >= 0)
    {
      if (packet->stream_index == video && avcodec_send_packet (decoder, packet) == 0)
        while (frames < FRAMES)
          {
            av_frame_unref (frame);
            if (avcodec_receive_frame (decoder, frame) < 0)
              break;
            frames++;
            printf ("frame pts=%lld\n", (long long) frame->pts);
          }
      av_packet_unref (packet);
    }
  if (frames < FRAMES)
    fail ("too few pictures", path, AVERROR_EOF);

  /* The decoder lets go here: what it still held (pictures it kept for
   * reference, pictures not yet received, its input) goes with it. */
  avcodec_close (decoder);
  printf ("closed refcount=%d\n", av_buffer_get_ref_count (frame->buf[0]));
  av_frame_unref (frame);
  /* A closed context is freed as an open one. */
  avcodec_free_context (&decoder);

  printf ("end frames=%ld\n", frames);
  av_frame_free (&frame);
  av_packet_free (&packet);
  avformat_close_input (&format);
  return 0;
}
