/* SPDX-License-Identifier: GPL-3.0-or-later */
/* threaded-queue: a reader thread and a decoder thread joined by a packet
 * queue, the shape of ffplay. The reader moves each video packet into a
 * fresh AVPacket (av_packet_move_ref) and queues its pointer; the decoder
 * takes packets out, decodes and frees them. The decoder uses two frame
 * threads of its own, so buffers are also released on libav's worker
 * threads. No leak: everything is freed.
 *
 * A recorder must serialize the calls of both program threads without
 * deadlocking (with free callbacks running on libav's threads meanwhile)
 * and without changing what the program computes.
 *
 * usage: threaded-queue MEDIA      (decodes MEDIA's best video stream)
 * prints: `frames=N checksum=C` at the end (C: a checksum of every decoded
 * picture, in order; the same whatever the threads' timing). */

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#define QUEUE_SIZE 8

/* A bounded queue of packets owned by the queue while they are in it. */
typedef struct
{
  pthread_mutex_t lock;
  pthread_cond_t changed;
  AVPacket *packets[QUEUE_SIZE];
  int head;
  int count;
  int finished;  /* the reader has put its last packet */
} PacketQueue;

typedef struct
{
  AVFormatContext *format;
  AVCodecContext *decoder;
  int video;
  PacketQueue queue;
  long frames;
  uint32_t checksum;
} Player;

static void
fail (const char *what, const char *path, int err)
{
  fprintf (stderr, "threaded-queue: %s: %s: %s\n", path, what, av_err2str (err));
  exit (1);
}

/* Takes ownership of pkt (a packet of its own, not a reference); waits while
 * the queue is full. */
static void
queue_put (PacketQueue *q, AVPacket *pkt)
{
  pthread_mutex_lock (&q->lock);
  while (q->count == QUEUE_SIZE)
    pthread_cond_wait (&q->changed, &q->lock);
  q->packets[(q->head + q->count) % QUEUE_SIZE] = pkt;
  q->count++;
  pthread_cond_broadcast (&q->changed);
  pthread_mutex_unlock (&q->lock);
}

static void
queue_finish (PacketQueue *q)
{
  pthread_mutex_lock (&q->lock);
  q->finished = 1;
  pthread_cond_broadcast (&q->changed);
  pthread_mutex_unlock (&q->lock);
}

/* The oldest packet, owned by the caller from now on; NULL once the reader
 * has finished and the queue is empty. */
static AVPacket *
queue_take (PacketQueue *q)
{
  AVPacket *pkt = NULL;

  pthread_mutex_lock (&q->lock);
  while (q->count == 0 && !q->finished)
    pthread_cond_wait (&q->changed, &q->lock);
  if (q->count > 0)
    {
      pkt = q->packets[q->head];
      q->head = (q->head + 1) % QUEUE_SIZE;
      q->count--;
      pthread_cond_broadcast (&q->changed);
    }
  pthread_mutex_unlock (&q->lock);
  return pkt;
}

/* The reader thread: every packet of the file; video packets move into
 * a packet of their own for the queue, the others are dropped. */
static void *
read_packets (void *data)
{
  Player *player = data;
  AVPacket *pkt = av_packet_alloc ();

  while (av_read_frame (player->format, pkt) >= 0)
    {
      if (pkt->stream_index == player->video)
        {
          AVPacket *queued = av_packet_alloc ();

          av_packet_move_ref (queued, pkt);
          queue_put (&player->queue, queued);
        }
      else
        av_packet_unref (pkt);
    }
  av_packet_free (&pkt);
  queue_finish (&player->queue);
  return NULL;
}

/* Adds the visible picture (first plane, 8 bits a sample) to the checksum. */
static void
add_picture (Player *player, const AVFrame *frame)
{
  for (int y = 0; y < frame->height; y++)
    for (int x = 0; x < frame->width; x++)
      player->checksum = player->checksum * 31 + frame->data[0][y * frame->linesize[0] + x];
  player->frames++;
}

static void
receive_frames (Player *player, AVFrame *frame)
{
  while (avcodec_receive_frame (player->decoder, frame) == 0)
    {
      add_picture (player, frame);
      av_frame_unref (frame);
    }
}

/* The decoder thread: decodes queued packets until the reader is done,
 * then flushes the decoder. */
static void *
decode_packets (void *data)
{
  Player *player = data;
  AVFrame *frame = av_frame_alloc ();
  AVPacket *pkt;

  while ((pkt = queue_take (&player->queue)) != NULL)
    {
      /* Frames are received after every packet, so sending never finds the
       * decoder full (EAGAIN); a damaged packet only loses its frame. */
      if (avcodec_send_packet (player->decoder, pkt) == 0)
        receive_frames (player, frame);
      av_packet_free (&pkt);
    }
  avcodec_send_packet (player->decoder, NULL);
  receive_frames (player, frame);
  av_frame_free (&frame);
  return NULL;
}

int
main (int argc, char **argv)
{
  Player player = { .queue = { .lock = PTHREAD_MUTEX_INITIALIZER,
                               .changed = PTHREAD_COND_INITIALIZER } };
  const AVCodec *codec = NULL;
  pthread_t reader, decoder;
  int ret;

  if (argc != 2)
    {
      fprintf (stderr, "usage: threaded-queue MEDIA\n");
      return 2;
    }
  if ((ret = avformat_open_input (&player.format, argv[1], NULL, NULL)) < 0)
    fail ("cannot open", argv[1], ret);
  if ((ret = avformat_find_stream_info (player.format, NULL)) < 0)
    fail ("cannot find the streams", argv[1], ret);
  player.video = av_find_best_stream (player.format, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  if (player.video < 0)
    fail ("no video stream", argv[1], player.video);

  player.decoder = avcodec_alloc_context3 (codec);
  avcodec_parameters_to_context (player.decoder, player.format->streams[player.video]->codecpar);
  player.decoder->pkt_timebase = player.format->streams[player.video]->time_base;
  /* Two frame threads: the decoder's own workers hold and release buffers
   * while the program's threads run. The pictures are the same as with
   * one thread, in the same order. */
  player.decoder->thread_count = 2;
  player.decoder->thread_type = FF_THREAD_FRAME;
  if ((ret = avcodec_open2 (player.decoder, codec, NULL)) < 0)
    fail ("cannot open the decoder", argv[1], ret);

  pthread_create (&reader, NULL, read_packets, &player);
  pthread_create (&decoder, NULL, decode_packets, &player);
  pthread_join (reader, NULL);
  pthread_join (decoder, NULL);

  printf ("frames=%ld checksum=%08x\n", player.frames, player.checksum);

  avcodec_free_context (&player.decoder);
  avformat_close_input (&player.format);
  pthread_mutex_destroy (&player.queue.lock);
  pthread_cond_destroy (&player.queue.changed);
  return 0;
}
