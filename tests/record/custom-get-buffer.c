/* SPDX-License-Identifier: GPL-3.0-or-later */
/* custom-get-buffer: a video decoder with the program's own get_buffer2 and
 * opaque, as players that manage frame memory themselves have. A recorder
 * must not change what such a program sees: its get_buffer2 is called with
 * its avctx->opaque, the buffers it creates carry its opaque and come back
 * to its free callback, and the reference counts are the same.
 *
 * The program checks all of that itself and prints the results, so its
 * output is the same recorded or not exactly when nothing changed.
 *
 * usage: custom-get-buffer MEDIA     (decodes MEDIA's best video stream)
 * prints: per frame `frame pts=P refcount=N own-opaque=yes sum=S` (S: a
 * checksum of the picture), then the get_buffer2 and free callback counts. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>

/* What the program's callbacks saw; avctx->opaque points here, and so does
 * every buffer's opaque. */
static struct
{
  long get_buffer_calls;
  long saw_own_context_opaque;  /* calls where avctx->opaque was ours */
  long buffers_created;
  long buffers_freed;
  long freed_with_own_opaque;
} allocator;

static void
fail (const char *what, const char *path, int err)
{
  fprintf (stderr, "custom-get-buffer: %s: %s: %s\n", path, what, av_err2str (err));
  exit (1);
}

/* The free callback of every buffer my_get_buffer2 creates: runs when the
 * last reference goes, wherever that is (the program, or the decoder). */
static void
my_free (void *opaque, uint8_t *data)
{
  allocator.buffers_freed++;
  if (opaque == &allocator)
    allocator.freed_with_own_opaque++;
  av_free (data);
}

/* One buffer for all planes of a video frame, laid out as FFmpeg's default
 * get_buffer2 would (dimensions and line sizes aligned for the decoder's
 * SIMD, padding after the end). */
static int
my_get_buffer2 (AVCodecContext *context, AVFrame *frame, int flags)
{
  int linesize_align[AV_NUM_DATA_POINTERS];
  int linesizes[4];
  ptrdiff_t linesizes_p[4];
  size_t plane_sizes[4];
  size_t total = 0;
  int width = frame->width, height = frame->height;
  uint8_t *data;
  int ret;

  allocator.get_buffer_calls++;
  if (context->opaque == &allocator)
    allocator.saw_own_context_opaque++;

  avcodec_align_dimensions2 (context, &width, &height, linesize_align);
  if ((ret = av_image_fill_linesizes (linesizes, frame->format, width)) < 0)
    return ret;
  for (int i = 0; i < 4; i++)
    {
      linesizes[i] = FFALIGN (linesizes[i], 64);
      linesizes_p[i] = linesizes[i];
    }
  if ((ret = av_image_fill_plane_sizes (plane_sizes, frame->format, height, linesizes_p)) < 0)
    return ret;
  for (int i = 0; i < 4; i++)
    total += FFALIGN (plane_sizes[i], 64);

  data = av_mallocz (total + AV_INPUT_BUFFER_PADDING_SIZE);
  if (data == NULL)
    return AVERROR (ENOMEM);
  frame->buf[0] = av_buffer_create (data, total, my_free, &allocator, 0);
  if (frame->buf[0] == NULL)
    {
      av_free (data);
      return AVERROR (ENOMEM);
    }
  allocator.buffers_created++;

  for (int i = 0, offset = 0; i < 4 && plane_sizes[i] > 0; i++)
    {
      frame->data[i] = data + offset;
      frame->linesize[i] = linesizes[i];
      offset += FFALIGN (plane_sizes[i], 64);
    }
  frame->extended_data = frame->data;
  return 0;
}

/* A checksum of the visible picture (the first plane, 8 bits a sample):
 * proof that decoding into the program's buffers gave the same pixels. */
static uint32_t
picture_sum (const AVFrame *frame)
{
  uint32_t sum = 0;

  for (int y = 0; y < frame->height; y++)
    for (int x = 0; x < frame->width; x++)
      sum = sum * 31 + frame->data[0][y * frame->linesize[0] + x];
  return sum;
}

static void
receive_frames (AVCodecContext *decoder, AVFrame *frame)
{
  while (avcodec_receive_frame (decoder, frame) == 0)
    {
      printf ("frame pts=%lld refcount=%d own-opaque=%s sum=%08x\n",
              (long long) frame->pts, av_buffer_get_ref_count (frame->buf[0]),
              av_buffer_get_opaque (frame->buf[0]) == &allocator ? "yes" : "no",
              picture_sum (frame));
      av_frame_unref (frame);
    }
}

int
main (int argc, char **argv)
{
  AVFormatContext *format = NULL;
  const AVCodec *codec = NULL;
  AVCodecContext *decoder;
  AVPacket *packet;
  AVFrame *frame;
  int video, ret;

  if (argc != 2)
    {
      fprintf (stderr, "usage: custom-get-buffer MEDIA\n");
      return 2;
    }
  if ((ret = avformat_open_input (&format, argv[1], NULL, NULL)) < 0)
    fail ("cannot open", argv[1], ret);
  if ((ret = avformat_find_stream_info (format, NULL)) < 0)
    fail ("cannot find the streams", argv[1], ret);
  if ((video = av_find_best_stream (format, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0)) < 0)
    fail ("no video stream", argv[1], video);

  decoder = avcodec_alloc_context3 (codec);
  avcodec_parameters_to_context (decoder, format->streams[video]->codecpar);
  decoder->pkt_timebase = format->streams[video]->time_base;
  /* One thread, and no frame threads asked for (the default asks): libav
   * warns about a get_buffer2 not marked thread-safe otherwise. */
  decoder->thread_count = 1;
  decoder->thread_type = FF_THREAD_SLICE;
  /* The program's allocator, and the state it reaches through opaque. */
  decoder->get_buffer2 = my_get_buffer2;
  decoder->opaque = &allocator;
  if ((ret = avcodec_open2 (decoder, codec, NULL)) < 0)
    fail ("cannot open the decoder", argv[1], ret);

  packet = av_packet_alloc ();
  frame = av_frame_alloc ();
  while (av_read_frame (format, packet) >= 0)
    {
      if (packet->stream_index == video && avcodec_send_packet (decoder, packet) == 0)
        receive_frames (decoder, frame);
      av_packet_unref (packet);
    }
  avcodec_send_packet (decoder, NULL);
  receive_frames (decoder, frame);

  /* The decoder holds buffers until it is freed: count after that. */
  av_frame_free (&frame);
  av_packet_free (&packet);
  avcodec_free_context (&decoder);
  avformat_close_input (&format);

  printf ("get_buffer2 calls=%ld with own avctx->opaque=%ld\n",
          allocator.get_buffer_calls, allocator.saw_own_context_opaque);
  printf ("buffers created=%ld freed=%ld freed with own opaque=%ld\n",
          allocator.buffers_created, allocator.buffers_freed, allocator.freed_with_own_opaque);
  printf ("every buffer came back to the free callback: %s\n",
          allocator.buffers_created > 0 && allocator.buffers_freed == allocator.buffers_created &&
          allocator.freed_with_own_opaque == allocator.buffers_freed ? "yes" : "no");
  return 0;
}
