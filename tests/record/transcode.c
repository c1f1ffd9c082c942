/* SPDX-License-Identifier: GPL-3.0-or-later */
/* transcode: the smallest transcoder, as a test of the holders `refscope
 * record` names. It decodes the best video stream of MEDIA and encodes
 * every decoded picture again with mpeg4 with B-frames; the packets are
 * counted and dropped (nothing is muxed, nothing written to disk).
 *
 * A decoded picture is then held inside libav by two parts at once, and
 * by each alone at other times: the decoder keeps it as a reference
 * picture or for reordering, and the encoder, given the very buffer (its
 * planes are laid out as the encoder's own, so it takes a reference rather
 * than a copy), keeps it until the B-frames around it are coded. The
 * program lets go of each frame right after sending it, so the refs left
 * are libav's only.
 *
 * At the end the decoder is drained, then one codec is freed while the
 * other may still hold pictures: with `encoder-first` the encoder is
 * flushed and freed, then the decoder is freed; with `decoder-first` the
 * decoder is freed before the encoder is flushed. Whatever libav still
 * holds right after the first free is the other codec's.
 *
 * usage: transcode MEDIA encoder-first|decoder-first
 * prints: `frame pts=P refcount=N sent=M` per decoded picture (N: buf[0]'s
 * count right after avcodec_receive_frame, M: right after
 * avcodec_send_frame), `packet pts=P size=S` per packet received, then
 * totals. Exit status: 0, 1 when MEDIA cannot be read or coded, 2 for bad
 * usage. */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

static long frames, packets, bytes;

static void
fail (const char *what, int err)
{
  fprintf (stderr, "transcode: %s: %s\n", what, av_err2str (err));
  exit (1);
}

/* Receives every packet the encoder has ready; frame NULL flushes it. */
static void
encode (AVCodecContext *encoder, AVFrame *frame, AVPacket *packet)
{
  int ret;

  if ((ret = avcodec_send_frame (encoder, frame)) < 0)
    fail ("cannot send a frame", ret);
  if (frame != NULL)
    printf (" sent=%d\n", av_buffer_get_ref_count (frame->buf[0]));
  while ((ret = avcodec_receive_packet (encoder, packet)) == 0)
    {
      printf ("packet pts=%lld size=%d\n", (long long) packet->pts, packet->size);
      packets++;
      bytes += packet->size;
      av_packet_unref (packet);
    }
  if (ret != AVERROR (EAGAIN) && ret != AVERROR_EOF)
    fail ("cannot receive a packet", ret);
}

/* The encoder, opened for the decoder's pictures. */
static AVCodecContext *
open_encoder (const AVCodecContext *decoder, AVRational time_base)
{
  const AVCodec *codec = avcodec_find_encoder (AV_CODEC_ID_MPEG4);
  AVCodecContext *encoder;
  int ret;

  if (codec == NULL)
    fail ("mpeg4", AVERROR_ENCODER_NOT_FOUND);
  encoder = avcodec_alloc_context3 (codec);
  encoder->width = decoder->width;
  encoder->height = decoder->height;
  encoder->pix_fmt = decoder->pix_fmt;
  encoder->time_base = time_base;
  encoder->bit_rate = 400000;
  encoder->gop_size = 12;
  encoder->max_b_frames = 2;  /* it keeps pictures until the B-frames are coded */
  encoder->thread_count = 1;  /* the same packets on every run */
  if ((ret = avcodec_open2 (encoder, codec, NULL)) < 0)
    fail ("cannot open the encoder", ret);
  return encoder;
}

/* Receives every picture the decoder has ready and encodes it. Returns 0,
 * or AVERROR_EOF once a flushed decoder is drained. */
static int
decode (AVCodecContext *decoder, AVCodecContext **encoder, AVRational time_base,
        AVFrame *frame, AVPacket *packet)
{
  int ret;

  while ((ret = avcodec_receive_frame (decoder, frame)) == 0)
    {
      /* Opened with the first picture: the decoder knows its format now. */
      if (*encoder == NULL)
        *encoder = open_encoder (decoder, time_base);
      printf ("frame pts=%lld refcount=%d", (long long) frame->best_effort_timestamp,
              av_buffer_get_ref_count (frame->buf[0]));
      frames++;
      frame->pts = frame->best_effort_timestamp;
      frame->pict_type = AV_PICTURE_TYPE_NONE;  /* the encoder chooses */
      encode (*encoder, frame, packet);
      av_frame_unref (frame);
    }
  return ret == AVERROR (EAGAIN) ? 0 : ret;
}

int
main (int argc, char **argv)
{
  AVFormatContext *input = NULL;
  AVCodecContext *decoder, *encoder = NULL;
  const AVCodec *codec;
  AVStream *stream;
  AVPacket *packet, *coded;
  AVFrame *frame;
  int ret, index;
  bool decoder_first;

  if (argc != 3 || (strcmp (argv[2], "encoder-first") != 0 && strcmp (argv[2], "decoder-first") != 0))
    {
      fprintf (stderr, "usage: transcode MEDIA encoder-first|decoder-first\n");
      return 2;
    }
  decoder_first = strcmp (argv[2], "decoder-first") == 0;
  if ((ret = avformat_open_input (&input, argv[1], NULL, NULL)) < 0)
    fail (argv[1], ret);
  if ((ret = avformat_find_stream_info (input, NULL)) < 0)
    fail (argv[1], ret);
  if ((index = av_find_best_stream (input, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0)) < 0)
    fail ("no video stream", index);
  stream = input->streams[index];

  decoder = avcodec_alloc_context3 (codec);
  if ((ret = avcodec_parameters_to_context (decoder, stream->codecpar)) < 0)
    fail ("cannot set up the decoder", ret);
  decoder->thread_count = 1;  /* exact counts: no frame threads */
  if ((ret = avcodec_open2 (decoder, codec, NULL)) < 0)
    fail ("cannot open the decoder", ret);

  packet = av_packet_alloc ();
  coded = av_packet_alloc ();
  frame = av_frame_alloc ();
  while ((ret = av_read_frame (input, packet)) >= 0)
    {
      if (packet->stream_index == index &&
          (ret = avcodec_send_packet (decoder, packet)) < 0)
        fail ("cannot send a packet", ret);
      av_packet_unref (packet);
      if (decode (decoder, &encoder, stream->time_base, frame, coded) < 0)
        fail ("cannot decode", AVERROR_INVALIDDATA);
    }
  if (ret != AVERROR_EOF)
    fail (argv[1], ret);

  /* Drains the decoder; the encoder still holds the pictures its last
   * B-frames need. */
  if ((ret = avcodec_send_packet (decoder, NULL)) < 0)
    fail ("cannot flush the decoder", ret);
  if (decode (decoder, &encoder, stream->time_base, frame, coded) != AVERROR_EOF)
    fail ("cannot drain the decoder", AVERROR_INVALIDDATA);
  if (decoder_first)
    avcodec_free_context (&decoder);
  if (encoder != NULL)
    encode (encoder, NULL, coded);
  avcodec_free_context (&encoder);
  avcodec_free_context (&decoder);  /* NULL by now with decoder-first: does nothing */
  printf ("end frames=%ld packets=%ld bytes=%ld\n", frames, packets, bytes);

  av_frame_free (&frame);
  av_packet_free (&coded);
  av_packet_free (&packet);
  avformat_close_input (&input);
  return 0;
}
