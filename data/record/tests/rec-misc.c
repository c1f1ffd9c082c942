/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rec-misc: programs that must behave the same under the recorder.
 *
 *   rec-misc fork FILE      forks (the child uses libav too) and runs a shell:
 *                           neither is recorded, the environment is clean
 *   rec-misc getbuf FILE [THREADS]
 *                           a decoder with its own get_buffer2 over its own
 *                           pool, reading its buffers' opaques back (with
 *                           frame threads: a thread-safe get_buffer2, and
 *                           only the totals printed, the same every run)
 *   rec-misc threads FILE   a reader thread and a decoder thread with a
 *                           packet queue between them
 *   rec-misc convert FILE   scales video and resamples audio into frames the
 *                           libraries fill; reads packets straight from AVIO
 *   rec-misc queue STEPS    about STEPS libav calls, no file: a packet made
 *                           and referenced into a queue of 16 again and again
 *                           (a long recording for the benchmarks)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>

static int
fork_mode (void)
{
  const char *preload = getenv ("LD_PRELOAD");
  AVPacket *pkt;
  pid_t pid;
  int status = 0;

  printf ("LD_PRELOAD=%s REFSCOPE_RECORD_OUTPUT=%s\n", preload ? preload : "(unset)",
          getenv ("REFSCOPE_RECORD_OUTPUT") ? "set" : "(unset)");
  fflush (stdout);
  pid = fork ();
  if (pid == 0)
    {
      AVPacket *child = av_packet_alloc ();

      av_new_packet (child, 10);
      av_packet_free (&child);
      _exit (system ("echo \"child: LD_PRELOAD=${LD_PRELOAD:-(unset)}\"") == 0 ? 0 : 1);
    }
  waitpid (pid, &status, 0);
  printf ("child exit=%d\n", WIFEXITED (status) ? WEXITSTATUS (status) : -1);
  pkt = av_packet_alloc ();
  av_new_packet (pkt, 20);
  av_packet_free (&pkt);
  return 0;
}

/* ------------------------------------------------------------------ */

static char pool_tag;
static char buffer_tag;
static int  opaque_mismatches;

static void
free_pool_buffer (void    *opaque,
                  uint8_t *data)
{
  if (opaque != &buffer_tag)
    opaque_mismatches++;
  av_free (data);
}

static AVBufferRef *
alloc_pool_buffer (void   *opaque,
                   size_t  size)
{
  if (opaque != &pool_tag)
    opaque_mismatches++;
  return av_buffer_create (av_malloc (size), size, free_pool_buffer, &buffer_tag, 0);
}

typedef struct {
  pthread_mutex_t lock;
  AVBufferPool   *pool;
  size_t          size;
  int             calls;
} Allocator;

static int
own_get_buffer2 (AVCodecContext *ctx,
                 AVFrame        *frame,
                 int             flags)
{
  Allocator *allocator = ctx->opaque;
  int w = frame->width, h = frame->height, align[AV_NUM_DATA_POINTERS];
  int size;

  avcodec_align_dimensions2 (ctx, &w, &h, align);
  size = av_image_get_buffer_size (frame->format, w, h, 64);
  pthread_mutex_lock (&allocator->lock);
  allocator->calls++;
  if (allocator->pool == NULL || allocator->size < (size_t) size)
    {
      av_buffer_pool_uninit (&allocator->pool);
      allocator->pool = av_buffer_pool_init2 (size, &pool_tag, alloc_pool_buffer, NULL);
      allocator->size = size;
    }
  frame->buf[0] = av_buffer_pool_get (allocator->pool);
  pthread_mutex_unlock (&allocator->lock);
  if (frame->buf[0] == NULL)
    return AVERROR (ENOMEM);
  av_image_fill_arrays (frame->data, frame->linesize, frame->buf[0]->data, frame->format, w, h, 64);
  return 0;
}

static int
getbuf_mode (const char *path,
             int         threads)
{
  AVFormatContext *fmt = NULL;
  const AVCodec *codec;
  AVCodecContext *ctx;
  AVPacket *pkt = av_packet_alloc ();
  AVFrame *frame = av_frame_alloc ();
  Allocator allocator = { PTHREAD_MUTEX_INITIALIZER };
  int stream, frames = 0, ret;

  if (avformat_open_input (&fmt, path, NULL, NULL) < 0 || avformat_find_stream_info (fmt, NULL) < 0)
    return 1;
  stream = av_find_best_stream (fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  ctx = avcodec_alloc_context3 (codec);
  avcodec_parameters_to_context (ctx, fmt->streams[stream]->codecpar);
  ctx->thread_count = threads;
  ctx->opaque = &allocator;
  ctx->get_buffer2 = own_get_buffer2;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  ctx->thread_safe_callbacks = threads > 1;
#pragma GCC diagnostic pop
  avcodec_open2 (ctx, codec, NULL);

  while (av_read_frame (fmt, pkt) >= 0)
    {
      if (pkt->stream_index == stream && avcodec_send_packet (ctx, pkt) >= 0)
        while ((ret = avcodec_receive_frame (ctx, frame)) >= 0)
          {
            /* The program reads its own buffers' opaques back. */
            if (av_buffer_pool_buffer_get_opaque (frame->buf[0]) != &buffer_tag ||
                av_buffer_get_opaque (frame->buf[0]) == NULL)
              opaque_mismatches++;
            if (threads == 1)
              printf ("frame %d refcount=%d writable=%d\n", frames,
                      av_buffer_get_ref_count (frame->buf[0]), av_buffer_is_writable (frame->buf[0]));
            frames++;
            av_frame_unref (frame);
          }
      av_packet_unref (pkt);
    }
  avcodec_free_context (&ctx);
  av_buffer_pool_uninit (&allocator.pool);
  av_frame_free (&frame);
  av_packet_free (&pkt);
  avformat_close_input (&fmt);
  printf ("frames=%d get_buffer2 calls=%d opaque mismatches=%d\n", frames, allocator.calls,
          opaque_mismatches);
  return 0;
}

/* ------------------------------------------------------------------ */

#define QUEUE 8

typedef struct {
  pthread_mutex_t  lock;
  pthread_cond_t   changed;
  AVPacket        *slots[QUEUE];
  int              head;
  int              count;
  int              done;
  AVFormatContext *fmt;
} Queue;

static void *
reader (void *data)
{
  Queue *q = data;
  AVPacket *pkt = av_packet_alloc ();

  while (av_read_frame (q->fmt, pkt) >= 0)
    {
      pthread_mutex_lock (&q->lock);
      while (q->count == QUEUE)
        pthread_cond_wait (&q->changed, &q->lock);
      av_packet_move_ref (q->slots[(q->head + q->count) % QUEUE], pkt);
      q->count++;
      pthread_cond_broadcast (&q->changed);
      pthread_mutex_unlock (&q->lock);
    }
  pthread_mutex_lock (&q->lock);
  q->done = 1;
  pthread_cond_broadcast (&q->changed);
  pthread_mutex_unlock (&q->lock);
  av_packet_free (&pkt);
  return NULL;
}

static int
threads_mode (const char *path)
{
  Queue q = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER };
  AVCodecContext *ctxs[16] = { NULL };
  int frames[16] = { 0 };
  AVPacket *pkt = av_packet_alloc ();
  AVFrame *frame = av_frame_alloc ();
  pthread_t thread;

  if (avformat_open_input (&q.fmt, path, NULL, NULL) < 0 || avformat_find_stream_info (q.fmt, NULL) < 0)
    return 1;
  for (unsigned i = 0; i < q.fmt->nb_streams && i < 16; i++)
    {
      const AVCodec *codec = avcodec_find_decoder (q.fmt->streams[i]->codecpar->codec_id);

      ctxs[i] = avcodec_alloc_context3 (codec);
      avcodec_parameters_to_context (ctxs[i], q.fmt->streams[i]->codecpar);
      ctxs[i]->thread_count = 1;
      avcodec_open2 (ctxs[i], codec, NULL);
    }
  for (int i = 0; i < QUEUE; i++)
    q.slots[i] = av_packet_alloc ();

  pthread_create (&thread, NULL, reader, &q);
  for (;;)
    {
      AVCodecContext *ctx;

      pthread_mutex_lock (&q.lock);
      while (q.count == 0 && !q.done)
        pthread_cond_wait (&q.changed, &q.lock);
      if (q.count == 0)
        {
          pthread_mutex_unlock (&q.lock);
          break;
        }
      av_packet_move_ref (pkt, q.slots[q.head]);
      q.head = (q.head + 1) % QUEUE;
      q.count--;
      pthread_cond_broadcast (&q.changed);
      pthread_mutex_unlock (&q.lock);

      ctx = pkt->stream_index < 16 ? ctxs[pkt->stream_index] : NULL;
      if (ctx != NULL && avcodec_send_packet (ctx, pkt) >= 0)
        while (avcodec_receive_frame (ctx, frame) >= 0)
          {
            frames[pkt->stream_index]++;
            av_frame_unref (frame);
          }
      av_packet_unref (pkt);
    }
  pthread_join (thread, NULL);

  for (unsigned i = 0; i < q.fmt->nb_streams && i < 16; i++)
    {
      avcodec_send_packet (ctxs[i], NULL);
      while (avcodec_receive_frame (ctxs[i], frame) >= 0)
        {
          frames[i]++;
          av_frame_unref (frame);
        }
      printf ("stream %u: %d frames\n", i, frames[i]);
      avcodec_free_context (&ctxs[i]);
    }
  for (int i = 0; i < QUEUE; i++)
    av_packet_free (&q.slots[i]);
  av_frame_free (&frame);
  av_packet_free (&pkt);
  avformat_close_input (&q.fmt);
  return 0;
}

/* ------------------------------------------------------------------ */

static int
convert_mode (const char *path)
{
  AVFormatContext *fmt = NULL;
  AVCodecContext *ctxs[2] = { NULL, NULL };
  AVPacket *pkt = av_packet_alloc ();
  AVFrame *frame = av_frame_alloc ();
  AVFrame *out = av_frame_alloc ();
  struct SwsContext *sws = NULL;
  SwrContext *swr = NULL;
  AVIOContext *io = NULL;
  int scaled = 0, resampled = 0;

  if (avformat_open_input (&fmt, path, NULL, NULL) < 0 || avformat_find_stream_info (fmt, NULL) < 0)
    return 1;
  for (unsigned i = 0; i < 2 && i < fmt->nb_streams; i++)
    {
      const AVCodec *codec = avcodec_find_decoder (fmt->streams[i]->codecpar->codec_id);

      ctxs[i] = avcodec_alloc_context3 (codec);
      avcodec_parameters_to_context (ctxs[i], fmt->streams[i]->codecpar);
      ctxs[i]->thread_count = 1;
      avcodec_open2 (ctxs[i], codec, NULL);
    }
  while ((scaled < 5 || resampled < 5) && av_read_frame (fmt, pkt) >= 0)
    {
      AVCodecContext *ctx = pkt->stream_index < 2 ? ctxs[pkt->stream_index] : NULL;

      if (ctx != NULL && avcodec_send_packet (ctx, pkt) >= 0)
        while (avcodec_receive_frame (ctx, frame) >= 0)
          {
            if (ctx->codec_type == AVMEDIA_TYPE_VIDEO && scaled < 5)
              {
                if (sws == NULL)
                  sws = sws_getContext (frame->width, frame->height, frame->format, 64, 48,
                                        AV_PIX_FMT_RGB24, SWS_BILINEAR, NULL, NULL, NULL);
                out->width = 64;
                out->height = 48;
                out->format = AV_PIX_FMT_RGB24;
                if (sws_scale_frame (sws, out, frame) >= 0)
                  printf ("scaled %d: %dx%d refcount=%d\n", scaled++, out->width, out->height,
                          av_buffer_get_ref_count (out->buf[0]));
                av_frame_unref (out);
              }
            else if (ctx->codec_type == AVMEDIA_TYPE_AUDIO && resampled < 5)
              {
                if (swr == NULL)
                  {
                    AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;

                    swr_alloc_set_opts2 (&swr, &mono, AV_SAMPLE_FMT_S16, 22050, &frame->ch_layout,
                                         frame->format, frame->sample_rate, 0, NULL);
                    swr_init (swr);
                  }
                out->ch_layout = (AVChannelLayout) AV_CHANNEL_LAYOUT_MONO;
                out->format = AV_SAMPLE_FMT_S16;
                out->sample_rate = 22050;
                if (swr_convert_frame (swr, out, frame) >= 0)
                  printf ("resampled %d: %d samples refcount=%d\n", resampled++, out->nb_samples,
                          out->buf[0] ? av_buffer_get_ref_count (out->buf[0]) : 0);
                av_frame_unref (out);
              }
            av_frame_unref (frame);
          }
      av_packet_unref (pkt);
    }

  /* Packets read straight from the file. */
  if (avio_open (&io, path, AVIO_FLAG_READ) >= 0)
    {
      int got = av_get_packet (io, pkt, 1000);

      got = got >= 0 ? av_append_packet (io, pkt, 500) : got;
      printf ("avio packet %d size=%d refcount=%d\n", got, pkt->size, av_buffer_get_ref_count (pkt->buf));
      av_packet_unref (pkt);
      avio_closep (&io);
    }

  sws_freeContext (sws);
  swr_free (&swr);
  avcodec_free_context (&ctxs[0]);
  avcodec_free_context (&ctxs[1]);
  av_frame_free (&out);
  av_frame_free (&frame);
  av_packet_free (&pkt);
  avformat_close_input (&fmt);
  return 0;
}

/* ------------------------------------------------------------------ */

static int
queue_mode (long steps)
{
  AVPacket *queue[16] = { NULL };
  AVPacket *pkt = av_packet_alloc ();

  /* Four calls an iteration once the queue is full. */
  for (long i = 0; i < steps / 4; i++)
    {
      AVPacket **slot = &queue[i % 16];

      if (av_new_packet (pkt, 100 + (int) (i % 1000)) < 0)
        return 1;
      if (*slot == NULL)
        *slot = av_packet_alloc ();
      else
        av_packet_unref (*slot);
      av_packet_ref (*slot, pkt);
      av_packet_unref (pkt);
    }
  for (int i = 0; i < 16; i++)
    av_packet_free (&queue[i]);
  av_packet_free (&pkt);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  const char *mode = argc > 1 ? argv[1] : "";

  if (strcmp (mode, "fork") == 0)
    return fork_mode ();
  if (strcmp (mode, "getbuf") == 0 && argc > 2)
    return getbuf_mode (argv[2], argc > 3 ? atoi (argv[3]) : 1);
  if (strcmp (mode, "threads") == 0 && argc > 2)
    return threads_mode (argv[2]);
  if (strcmp (mode, "convert") == 0 && argc > 2)
    return convert_mode (argv[2]);
  if (strcmp (mode, "queue") == 0 && argc > 2)
    return queue_mode (atol (argv[2]));
  fprintf (stderr, "usage: rec-misc fork|getbuf|threads|convert [FILE] | queue STEPS\n");
  return 2;
}
