/* SPDX-License-Identifier: GPL-3.0-or-later */
/* filter-graph: decoded pictures through a filter graph, buffersrc ->
 * scale -> hflip -> buffersink, as players and transcoders do. Frames enter
 * with av_buffersrc_add_frame_flags(KEEP_REF): the source takes a reference
 * of its own and the program still unrefs its frame; frames come out of the
 * sink with av_buffersink_get_frame. The graph is flushed at the end of the
 * stream and everything is freed.
 *
 * usage: filter-graph MEDIA     (filters MEDIA's best video stream)
 * prints: per filtered picture `filtered pts=P size=WxH sum=S` (S: a checksum
 * of the first plane), then `end decoded=N filtered=N`. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavformat/avformat.h>

#define FILTERS "scale=160:120,hflip"

typedef struct
{
  AVFilterGraph *graph;
  AVFilterContext *source;
  AVFilterContext *sink;
  long decoded;
  long filtered;
} Filters;

static void
fail (const char *what, const char *path, int err)
{
  fprintf (stderr, "filter-graph: %s: %s: %s\n", path, what, av_err2str (err));
  exit (1);
}

/* buffersrc (fed the decoder's pictures) -> FILTERS -> buffersink. */
static void
build_graph (Filters *f, AVCodecContext *decoder, AVStream *stream, const char *path)
{
  AVFilterInOut *outputs = avfilter_inout_alloc ();
  AVFilterInOut *inputs = avfilter_inout_alloc ();
  char args[256];
  int ret;

  f->graph = avfilter_graph_alloc ();
  f->graph->nb_threads = 1;  /* the same counts on every run */
  /* What the source is fed: the decoder's pictures, in the stream's time
   * base (0/1: unknown pixel aspect). */
  snprintf (args, sizeof args,
            "video_size=%dx%d:pix_fmt=%d:time_base=%d/%d:pixel_aspect=%d/%d",
            decoder->width, decoder->height, decoder->pix_fmt,
            stream->time_base.num, stream->time_base.den,
            decoder->sample_aspect_ratio.num, FFMAX (decoder->sample_aspect_ratio.den, 1));
  if ((ret = avfilter_graph_create_filter (&f->source, avfilter_get_by_name ("buffer"), "in",
                                           args, NULL, f->graph)) < 0)
    fail ("cannot make the buffer source", path, ret);
  if ((ret = avfilter_graph_create_filter (&f->sink, avfilter_get_by_name ("buffersink"), "out",
                                           NULL, NULL, f->graph)) < 0)
    fail ("cannot make the buffer sink", path, ret);

  /* The graph description's open ends: its input is fed by our source,
   * its output feeds our sink. */
  outputs->name = av_strdup ("in");
  outputs->filter_ctx = f->source;
  inputs->name = av_strdup ("out");
  inputs->filter_ctx = f->sink;
  if ((ret = avfilter_graph_parse_ptr (f->graph, FILTERS, &inputs, &outputs, NULL)) < 0)
    fail ("cannot parse " FILTERS, path, ret);
  if ((ret = avfilter_graph_config (f->graph, NULL)) < 0)
    fail ("cannot configure the graph", path, ret);
  avfilter_inout_free (&inputs);
  avfilter_inout_free (&outputs);
}

/* A checksum of the visible picture (first plane, 8 bits a sample). */
static uint32_t
picture_sum (const AVFrame *frame)
{
  uint32_t sum = 0;

  for (int y = 0; y < frame->height; y++)
    for (int x = 0; x < frame->width; x++)
      sum = sum * 31 + frame->data[0][y * frame->linesize[0] + x];
  return sum;
}

/* Takes every picture the sink has ready. */
static void
drain_sink (Filters *f, AVFrame *filtered)
{
  while (av_buffersink_get_frame (f->sink, filtered) >= 0)
    {
      printf ("filtered pts=%lld size=%dx%d sum=%08x\n", (long long) filtered->pts,
              filtered->width, filtered->height, picture_sum (filtered));
      f->filtered++;
      av_frame_unref (filtered);
    }
}

/* Pushes every picture the decoder has ready through the graph. */
static void
receive_frames (Filters *f, AVCodecContext *decoder, AVFrame *frame, AVFrame *filtered)
{
  while (avcodec_receive_frame (decoder, frame) == 0)
    {
      f->decoded++;
      frame->pts = frame->best_effort_timestamp;
      /* KEEP_REF: the source refs the picture; the program still owns
       * (and unrefs) its frame. */
      if (av_buffersrc_add_frame_flags (f->source, frame, AV_BUFFERSRC_FLAG_KEEP_REF) < 0)
        fprintf (stderr, "filter-graph: a picture was refused by the graph\n");
      av_frame_unref (frame);
      drain_sink (f, filtered);
    }
}

int
main (int argc, char **argv)
{
  AVFormatContext *format = NULL;
  const AVCodec *codec = NULL;
  AVCodecContext *decoder;
  AVPacket *packet;
  AVFrame *frame, *filtered;
  Filters f = { 0 };
  int video, ret;

  if (argc != 2)
    {
      fprintf (stderr, "usage: filter-graph MEDIA\n");
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
  decoder->thread_count = 1;
  if ((ret = avcodec_open2 (decoder, codec, NULL)) < 0)
    fail ("cannot open the decoder", argv[1], ret);
  build_graph (&f, decoder, format->streams[video], argv[1]);

  packet = av_packet_alloc ();
  frame = av_frame_alloc ();
  filtered = av_frame_alloc ();
  while (av_read_frame (format, packet) >= 0)
    {
      if (packet->stream_index == video && avcodec_send_packet (decoder, packet) == 0)
        receive_frames (&f, decoder, frame, filtered);
      av_packet_unref (packet);
    }
  /* Flush the decoder, then the graph (a NULL frame is its end of stream). */
  avcodec_send_packet (decoder, NULL);
  receive_frames (&f, decoder, frame, filtered);
  if (av_buffersrc_add_frame_flags (f.source, NULL, 0) < 0)
    fprintf (stderr, "filter-graph: the graph refused its end of stream\n");
  drain_sink (&f, filtered);
  printf ("end decoded=%ld filtered=%ld\n", f.decoded, f.filtered);

  av_frame_free (&filtered);
  av_frame_free (&frame);
  av_packet_free (&packet);
  avfilter_graph_free (&f.graph);
  avcodec_free_context (&decoder);
  avformat_close_input (&format);
  return 0;
}
