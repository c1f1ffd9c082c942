/* SPDX-License-Identifier: GPL-3.0-or-later */
/* encode: an encoder fed the way FFmpeg's own encode example feeds it. One
 * frame gets its picture from av_frame_get_buffer and is reused for every
 * picture; since the encoder may still hold a reference to the previous
 * picture, the program must call av_frame_make_writable first, which copies
 * the buffer exactly when the count is not 1. The program prints whether
 * the buffer was writable before each picture, so a recorder that took a
 * reference to look would change the output. Packets come out with
 * avcodec_receive_packet; the encoder is flushed at the end and everything
 * is freed. Nothing is written to disk.
 *
 * Two encoders built into libavcodec (no external library) show the two
 * behaviours: mpeg4 with B-frames copies each picture and holds packets
 * back (they come out reordered, the last ones at the flush); ffv1 keeps a
 * reference to the last picture, so every picture but the first finds the
 * buffer shared and av_frame_make_writable copies it.
 *
 * usage: encode mpeg4|ffv1 [FRAMES]     (default 25 pictures of 320x240)
 * prints: `frame N writable=0|1` per picture sent, `packet pts=P dts=D
 * size=S key=0|1 refcount=N` per packet received, then totals. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <libavcodec/avcodec.h>

static void
fail (const char *what, int err)
{
  fprintf (stderr, "encode: %s: %s\n", what, av_err2str (err));
  exit (1);
}

/* A moving gradient, different in every picture. */
static void
draw_picture (AVFrame *frame, int n)
{
  for (int y = 0; y < frame->height; y++)
    for (int x = 0; x < frame->width; x++)
      frame->data[0][y * frame->linesize[0] + x] = (uint8_t) (x + y + n * 3);
  for (int y = 0; y < frame->height / 2; y++)
    for (int x = 0; x < frame->width / 2; x++)
      {
        frame->data[1][y * frame->linesize[1] + x] = (uint8_t) (128 + y + n * 2);
        frame->data[2][y * frame->linesize[2] + x] = (uint8_t) (64 + x + n * 5);
      }
}

/* Receives every packet the encoder has ready; frame NULL flushes it. */
static void
encode (AVCodecContext *encoder, AVFrame *frame, AVPacket *packet, long *packets, long *bytes)
{
  int ret;

  if ((ret = avcodec_send_frame (encoder, frame)) < 0)
    fail ("cannot send a frame", ret);
  while ((ret = avcodec_receive_packet (encoder, packet)) == 0)
    {
      printf ("packet pts=%lld dts=%lld size=%d key=%d refcount=%d\n",
              (long long) packet->pts, (long long) packet->dts, packet->size,
              (packet->flags & AV_PKT_FLAG_KEY) != 0, av_buffer_get_ref_count (packet->buf));
      (*packets)++;
      *bytes += packet->size;
      av_packet_unref (packet);
    }
  if (ret != AVERROR (EAGAIN) && ret != AVERROR_EOF)
    fail ("cannot receive a packet", ret);
}

int
main (int argc, char **argv)
{
  int n_frames = argc > 2 ? atoi (argv[2]) : 25;
  const AVCodec *codec;
  AVCodecContext *encoder;
  AVFrame *frame;
  AVPacket *packet;
  long packets = 0, bytes = 0;
  int ret;

  if (argc < 2 || argc > 3)
    {
      fprintf (stderr, "usage: encode mpeg4|ffv1 [FRAMES]\n");
      return 2;
    }
  codec = avcodec_find_encoder_by_name (argv[1]);
  if (codec == NULL)
    fail (argv[1], AVERROR_ENCODER_NOT_FOUND);
  encoder = avcodec_alloc_context3 (codec);
  encoder->width = 320;
  encoder->height = 240;
  encoder->pix_fmt = AV_PIX_FMT_YUV420P;
  encoder->time_base = (AVRational) { 1, 25 };
  encoder->framerate = (AVRational) { 25, 1 };
  encoder->bit_rate = 400000;
  encoder->gop_size = 12;
  encoder->max_b_frames = 2;  /* mpeg4; ffv1 has no B-frames */
  encoder->thread_count = 1;  /* the same packets on every run */
  if ((ret = avcodec_open2 (encoder, codec, NULL)) < 0)
    fail ("cannot open the encoder", ret);

  packet = av_packet_alloc ();
  frame = av_frame_alloc ();
  frame->format = encoder->pix_fmt;
  frame->width = encoder->width;
  frame->height = encoder->height;
  if ((ret = av_frame_get_buffer (frame, 0)) < 0)
    fail ("cannot allocate a picture", ret);

  for (int n = 0; n < n_frames; n++)
    {
      /* The encoder may still reference the last picture: writing into it
       * would change a frame it has not encoded yet. */
      printf ("frame %d writable=%d\n", n, av_buffer_is_writable (frame->buf[0]));
      if ((ret = av_frame_make_writable (frame)) < 0)
        fail ("cannot make the picture writable", ret);
      draw_picture (frame, n);
      frame->pts = n;
      encode (encoder, frame, packet, &packets, &bytes);
    }
  encode (encoder, NULL, packet, &packets, &bytes);
  printf ("end frames=%d packets=%ld bytes=%ld\n", n_frames, packets, bytes);

  av_frame_free (&frame);
  av_packet_free (&packet);
  avcodec_free_context (&encoder);
  return 0;
}
