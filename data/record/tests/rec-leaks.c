/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rec-leaks: small programs with the ownership mistakes a recording must
 * show (and a few correct uses next to them). Each prints what it sees
 * with av_buffer_get_ref_count, so a test can check the output is the same
 * with and without the recorder.
 *
 *   rec-leaks MODE [FILE]
 *
 *   init-packet   av_new_packet, then av_init_packet: the payload is lost
 *   read-init     av_read_frame, then av_init_packet: the demuxed payload is lost
 *   move-ref      av_packet_move_ref into a packet that holds a payload
 *   ref-over      av_packet_ref into a packet that holds a payload
 *   stack         a stack AVPacket used the old way, correctly
 *   clone-leak    a decoded frame cloned and never freed
 *   buffers       av_buffer_alloc / ref / unref into and out of a packet
 */
#include <stdio.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

static AVFormatContext *
open_file (const char *path)
{
  AVFormatContext *fmt = NULL;

  if (path == NULL || avformat_open_input (&fmt, path, NULL, NULL) < 0)
    {
      fprintf (stderr, "rec-leaks: cannot open %s\n", path ? path : "(no file)");
      return NULL;
    }
  return fmt;
}

static int
init_packet (void)
{
  AVPacket *pkt = av_packet_alloc ();
  AVBufferRef *kept;

  av_new_packet (pkt, 1000);
  kept = pkt->buf;
  av_init_packet (pkt);  /* line of the leak */
  printf ("after init: buf=%s lost refcount=%d\n", pkt->buf ? "set" : "null",
          av_buffer_get_ref_count (kept));
  av_packet_free (&pkt);
  return 0;
}

static int
read_init (const char *path)
{
  AVFormatContext *fmt = open_file (path);
  AVPacket *pkt = av_packet_alloc ();
  AVBufferRef *kept;

  if (fmt == NULL)
    return 1;
  av_read_frame (fmt, pkt);
  kept = pkt->buf;
  av_init_packet (pkt);
  printf ("lost refcount=%d\n", av_buffer_get_ref_count (kept));
  av_packet_free (&pkt);
  avformat_close_input (&fmt);
  return 0;
}

static int
move_ref (const char *path, int use_ref)
{
  AVFormatContext *fmt = open_file (path);
  AVPacket *a = av_packet_alloc ();
  AVPacket *b = av_packet_alloc ();
  AVBufferRef *kept;

  if (fmt == NULL)
    return 1;
  av_read_frame (fmt, a);
  av_read_frame (fmt, b);
  kept = a->buf;
  if (use_ref)
    av_packet_ref (a, b);
  else
    av_packet_move_ref (a, b);
  printf ("lost refcount=%d a=%d b=%s\n", av_buffer_get_ref_count (kept),
          av_buffer_get_ref_count (a->buf), b->buf ? "set" : "null");
  av_packet_free (&a);
  av_packet_free (&b);
  avformat_close_input (&fmt);
  return 0;
}

static int
stack_packet (const char *path)
{
  AVFormatContext *fmt = open_file (path);
  AVPacket pkt;
  int n = 0;

  if (fmt == NULL)
    return 1;
  av_init_packet (&pkt);
  pkt.data = NULL;
  pkt.size = 0;
  while (n < 5 && av_read_frame (fmt, &pkt) >= 0)
    {
      printf ("packet %d refcount=%d\n", n++, av_buffer_get_ref_count (pkt.buf));
      av_packet_unref (&pkt);
    }
  avformat_close_input (&fmt);
  return 0;
}

static int
clone_leak (const char *path)
{
  AVFormatContext *fmt = open_file (path);
  const AVCodec *codec;
  AVCodecContext *ctx;
  AVPacket *pkt = av_packet_alloc ();
  AVFrame *frame = av_frame_alloc ();
  AVFrame *clone = NULL;
  int stream;

  if (fmt == NULL || avformat_find_stream_info (fmt, NULL) < 0)
    return 1;
  stream = av_find_best_stream (fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  ctx = avcodec_alloc_context3 (codec);
  avcodec_parameters_to_context (ctx, fmt->streams[stream]->codecpar);
  ctx->thread_count = 1;
  avcodec_open2 (ctx, codec, NULL);
  while (clone == NULL && av_read_frame (fmt, pkt) >= 0)
    {
      if (pkt->stream_index == stream && avcodec_send_packet (ctx, pkt) >= 0 &&
          avcodec_receive_frame (ctx, frame) >= 0)
        {
          clone = av_frame_clone (frame);  /* never freed */
          printf ("clone refcount=%d\n", av_buffer_get_ref_count (clone->buf[0]));
          av_frame_unref (frame);
        }
      av_packet_unref (pkt);
    }
  avcodec_free_context (&ctx);
  av_frame_free (&frame);
  av_packet_free (&pkt);
  avformat_close_input (&fmt);
  return clone == NULL;
}

static int
buffers (void)
{
  AVBufferRef *buf = av_buffer_alloc (4096);
  AVBufferRef *second = av_buffer_ref (buf);
  AVPacket *pkt = av_packet_alloc ();

  printf ("alloc+ref refcount=%d writable=%d\n", av_buffer_get_ref_count (buf),
          av_buffer_is_writable (buf));
  av_buffer_unref (&second);
  /* Hand the reference to a packet by assignment: the packet owns it now. */
  pkt->buf = buf;
  pkt->data = buf->data;
  pkt->size = 100;
  av_grow_packet (pkt, 100);
  printf ("in packet refcount=%d size=%d\n", av_buffer_get_ref_count (pkt->buf), pkt->size);
  av_buffer_unref (&pkt->buf);
  av_packet_unref (pkt);
  av_packet_free (&pkt);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  const char *mode = argc > 1 ? argv[1] : "";
  const char *file = argc > 2 ? argv[2] : NULL;

  if (strcmp (mode, "init-packet") == 0)
    return init_packet ();
  if (strcmp (mode, "read-init") == 0)
    return read_init (file);
  if (strcmp (mode, "move-ref") == 0)
    return move_ref (file, 0);
  if (strcmp (mode, "ref-over") == 0)
    return move_ref (file, 1);
  if (strcmp (mode, "stack") == 0)
    return stack_packet (file);
  if (strcmp (mode, "clone-leak") == 0)
    return clone_leak (file);
  if (strcmp (mode, "buffers") == 0)
    return buffers ();
  fprintf (stderr, "usage: rec-leaks MODE [FILE]\n");
  return 2;
}
