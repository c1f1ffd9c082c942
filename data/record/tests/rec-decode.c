/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rec-decode: a plain demux + decode loop over every audio and video
 * stream of a file, the kind of program `refscope record` is for. It
 * prints, for each received frame, the refcount of its buf[0] as the
 * program sees it (av_buffer_get_ref_count), so a test can compare it with
 * the recording.
 *
 *   rec-decode FILE [THREADS [quiet|kill=N]]
 *
 * kill=N: the program kills itself (SIGKILL) after N frames, as a crash
 * or a kill from outside would end it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <unistd.h>

static int frames_left = -1;

static int
drain (AVCodecContext *ctx,
       AVFrame        *frame,
       int             stream,
       int             quiet)
{
  int ret;

  while ((ret = avcodec_receive_frame (ctx, frame)) >= 0)
    {
      if (!quiet)
        printf ("frame stream=%d pts=%lld refcount=%d\n", stream,
                (long long) frame->pts, av_buffer_get_ref_count (frame->buf[0]));
      av_frame_unref (frame);
      if (frames_left > 0 && --frames_left == 0)
        {
          fflush (stdout);
          kill (getpid (), SIGKILL);
        }
    }
  return ret == AVERROR (EAGAIN) || ret == AVERROR_EOF ? 0 : ret;
}

int
main (int   argc,
      char *argv[])
{
  AVFormatContext *fmt = NULL;
  AVCodecContext **ctxs;
  AVPacket *pkt;
  AVFrame *frame;
  int threads = argc > 2 ? atoi (argv[2]) : 1;
  int quiet = argc > 3 && strcmp (argv[3], "quiet") == 0;

  if (argc > 3 && strncmp (argv[3], "kill=", 5) == 0)
    frames_left = atoi (argv[3] + 5);
  int ret;

  if (argc < 2)
    {
      fprintf (stderr, "usage: rec-decode FILE [THREADS [quiet]]\n");
      return 2;
    }
  if ((ret = avformat_open_input (&fmt, argv[1], NULL, NULL)) < 0 ||
      (ret = avformat_find_stream_info (fmt, NULL)) < 0)
    {
      fprintf (stderr, "rec-decode: %s: %s\n", argv[1], av_err2str (ret));
      return 1;
    }

  ctxs = calloc (fmt->nb_streams, sizeof *ctxs);
  for (unsigned i = 0; i < fmt->nb_streams; i++)
    {
      AVCodecParameters *par = fmt->streams[i]->codecpar;
      const AVCodec *codec;

      if (par->codec_type != AVMEDIA_TYPE_VIDEO && par->codec_type != AVMEDIA_TYPE_AUDIO)
        continue;
      if ((codec = avcodec_find_decoder (par->codec_id)) == NULL)
        continue;
      ctxs[i] = avcodec_alloc_context3 (codec);
      avcodec_parameters_to_context (ctxs[i], par);
      ctxs[i]->thread_count = threads;
      if (avcodec_open2 (ctxs[i], codec, NULL) < 0)
        avcodec_free_context (&ctxs[i]);
    }

  pkt = av_packet_alloc ();
  frame = av_frame_alloc ();
  while ((ret = av_read_frame (fmt, pkt)) >= 0)
    {
      AVCodecContext *ctx = ctxs[pkt->stream_index];
      int stream = pkt->stream_index;

      if (ctx != NULL && avcodec_send_packet (ctx, pkt) >= 0)
        {
          av_packet_unref (pkt);
          if (drain (ctx, frame, stream, quiet) < 0)
            break;
        }
      else
        av_packet_unref (pkt);
    }
  for (unsigned i = 0; i < fmt->nb_streams; i++)
    if (ctxs[i] != NULL)
      {
        avcodec_send_packet (ctxs[i], NULL);
        drain (ctxs[i], frame, (int) i, quiet);
        avcodec_free_context (&ctxs[i]);
      }

  av_frame_free (&frame);
  av_packet_free (&pkt);
  free (ctxs);
  avformat_close_input (&fmt);
  return 0;
}
