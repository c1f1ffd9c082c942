/* SPDX-License-Identifier: GPL-3.0-or-later */
/* planted-leaks: a small player core (a packet queue, a decoder, a frame
 * queue) with exactly three planted leaks, the ones people chase in real
 * players. Everything else is freed correctly.
 *
 *   1. a packet never freed: the empty packet that asks the decoder to
 *      flush at the end of the file (the old idiom, before NULL did);
 *   2. an av_packet_move_ref into an occupied queue slot: the first packet
 *      is sent to the decoder straight from its slot, and that path forgets
 *      to unref the slot; when the ring comes round, queue_put moves the
 *      next packet into the slot over it, and the first packet's buffer has
 *      no holder any more (orphaned);
 *   3. a cloned frame never freed: `thumbnail`, an av_frame_clone of the
 *      first picture.
 *
 * Each planted line ends with a tag that tests/record/test-record.py reads
 * (it never hard-codes line numbers):
 *   LEAK: created             a leaked packet or frame is born here
 *   LEAK: created (orphaned)  the orphaned buffer is born here
 *   LEAK: orphaned            the call that drops its last holder
 *
 * usage: planted-leaks MEDIA      (decodes MEDIA's best video stream)
 * prints: one line per frame shown, `shown pts=P`, then
 * `end packets=N frames=N`. */

#include <stdio.h>
#include <stdlib.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#define PACKET_QUEUE_SIZE 4
#define FRAME_QUEUE_SIZE 2

/* A ring of packets allocated once; put and take move references in and
 * out, so a packet's buffer is never copied. */
typedef struct
{
  AVPacket *slots[PACKET_QUEUE_SIZE];
  int head;
  int count;
} PacketQueue;

/* The same for decoded frames. */
typedef struct
{
  AVFrame *slots[FRAME_QUEUE_SIZE];
  int head;
  int count;
} FrameQueue;

typedef struct
{
  AVCodecContext *decoder;
  PacketQueue packets;
  FrameQueue frames;
  AVFrame *frame;       /* the frame avcodec_receive_frame fills */
  AVFrame *thumbnail;   /* a reference to the first picture */
  long n_packets;
  long n_shown;
  int first_sent;
} Player;

static void
fail (const char *what, const char *path, int err)
{
  fprintf (stderr, "planted-leaks: %s: %s: %s\n", path, what, av_err2str (err));
  exit (1);
}

/* Moves pkt's reference into the next free slot; pkt is left blank. The
 * caller makes room first. It trusts a free slot to be empty: see
 * decode_one for the path that breaks that trust. */
static void
queue_put (PacketQueue *q, AVPacket *pkt)
{
  AVPacket *slot = q->slots[(q->head + q->count) % PACKET_QUEUE_SIZE];

  av_packet_move_ref (slot, pkt); /* LEAK: orphaned */
  q->count++;
}

/* The oldest packet, still in its slot (owned by the queue). */
static AVPacket *
queue_peek (PacketQueue *q)
{
  return q->slots[q->head];
}

/* Forgets the oldest packet. Correct only when the slot was emptied first
 * (av_packet_move_ref out of it, or av_packet_unref). */
static void
queue_drop (PacketQueue *q)
{
  q->head = (q->head + 1) % PACKET_QUEUE_SIZE;
  q->count--;
}

/* Shows (prints) and releases the oldest decoded frame. */
static void
show_frame (Player *p)
{
  AVFrame *slot = p->frames.slots[p->frames.head];

  printf ("shown pts=%lld\n", (long long) slot->pts);
  p->n_shown++;
  av_frame_unref (slot);
  p->frames.head = (p->frames.head + 1) % FRAME_QUEUE_SIZE;
  p->frames.count--;
}

/* Moves every frame the decoder has ready into the frame queue, showing
 * the oldest one whenever the queue is full. */
static void
receive_frames (Player *p)
{
  AVFrame *slot;

  while (avcodec_receive_frame (p->decoder, p->frame) == 0)
    {
      if (p->thumbnail == NULL)
        p->thumbnail = av_frame_clone (p->frame); /* LEAK: created */
      if (p->frames.count == FRAME_QUEUE_SIZE)
        show_frame (p);
      slot = p->frames.slots[(p->frames.head + p->frames.count) % FRAME_QUEUE_SIZE];
      av_frame_move_ref (slot, p->frame);
      p->frames.count++;
    }
}

/* Decodes the oldest queued packet. */
static void
decode_one (Player *p, AVPacket *scratch)
{
  if (!p->first_sent)
    {
      /* Fast start: the first packet goes to the decoder straight from its
       * slot. The planted bug: the slot is dropped without av_packet_unref,
       * so it still holds the packet's reference when queue_put reuses it. */
      avcodec_send_packet (p->decoder, queue_peek (&p->packets));
      queue_drop (&p->packets);
      p->first_sent = 1;
    }
  else
    {
      av_packet_move_ref (scratch, queue_peek (&p->packets));
      queue_drop (&p->packets);
      avcodec_send_packet (p->decoder, scratch);
      av_packet_unref (scratch);
    }
  receive_frames (p);
}

int
main (int argc, char **argv)
{
  AVFormatContext *format = NULL;
  const AVCodec *codec = NULL;
  AVPacket *pkt, *scratch, *flush;
  Player p = { 0 };
  int video, ret;

  if (argc != 2)
    {
      fprintf (stderr, "usage: planted-leaks MEDIA\n");
      return 2;
    }
  /* No avformat_find_stream_info: the headers of the usual containers say
   * what the decoder needs, and this way every packet is born in the
   * av_read_frame below (find_stream_info would read the first ones ahead
   * and keep them until then). */
  if ((ret = avformat_open_input (&format, argv[1], NULL, NULL)) < 0)
    fail ("cannot open", argv[1], ret);
  if ((video = av_find_best_stream (format, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0)) < 0)
    fail ("no video stream", argv[1], video);

  p.decoder = avcodec_alloc_context3 (codec);
  avcodec_parameters_to_context (p.decoder, format->streams[video]->codecpar);
  p.decoder->pkt_timebase = format->streams[video]->time_base;
  p.decoder->thread_count = 1;  /* exact counts */
  if ((ret = avcodec_open2 (p.decoder, codec, NULL)) < 0)
    fail ("cannot open the decoder", argv[1], ret);

  for (int i = 0; i < PACKET_QUEUE_SIZE; i++)
    p.packets.slots[i] = av_packet_alloc ();
  for (int i = 0; i < FRAME_QUEUE_SIZE; i++)
    p.frames.slots[i] = av_frame_alloc ();
  p.frame = av_frame_alloc ();
  pkt = av_packet_alloc ();
  scratch = av_packet_alloc ();

  /* The reader: video packets go through the queue, the others are
   * dropped; when the queue is full, the decoder takes one first. */
  while (av_read_frame (format, pkt) >= 0) /* LEAK: created (orphaned) */
    {
      if (pkt->stream_index != video)
        {
          av_packet_unref (pkt);
          continue;
        }
      p.n_packets++;
      if (p.packets.count == PACKET_QUEUE_SIZE)
        decode_one (&p, scratch);
      queue_put (&p.packets, pkt);
    }

  /* End of file: decode what is queued, flush the decoder (an empty packet
   * asks for that as NULL does), show the rest. */
  while (p.packets.count > 0)
    decode_one (&p, scratch);
  flush = av_packet_alloc (); /* LEAK: created */
  avcodec_send_packet (p.decoder, flush);
  receive_frames (&p);
  while (p.frames.count > 0)
    show_frame (&p);
  printf ("end packets=%ld frames=%ld\n", p.n_packets, p.n_shown);

  /* Everything is freed here but `flush` and `thumbnail` (leaks 1 and 3);
   * the slot orphaned by leak 2 was overwritten long ago. */
  av_packet_free (&scratch);
  av_packet_free (&pkt);
  av_frame_free (&p.frame);
  for (int i = 0; i < FRAME_QUEUE_SIZE; i++)
    av_frame_free (&p.frames.slots[i]);
  for (int i = 0; i < PACKET_QUEUE_SIZE; i++)
    av_packet_free (&p.packets.slots[i]);
  avcodec_free_context (&p.decoder);
  avformat_close_input (&format);
  return 0;
}
