/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rec-encode: decode the video of a file, pass it through a filter graph
 * (buffersrc -> hflip -> buffersink), encode it with mpeg4, run the packets
 * through a bitstream filter and mux them (the "null" muxer). Prints each
 * encoded packet as it sees it.
 *
 *   rec-encode FILE
 */
#include <stdio.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavcodec/bsf.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavformat/avformat.h>

typedef struct {
  AVCodecContext  *enc;
  AVBSFContext    *bsf;
  AVFormatContext *out;
  AVPacket        *pkt;
  AVPacket        *filtered;
  int              packets;
} Output;

static void
write_packets (Output  *o,
               AVFrame *frame)
{
  if (avcodec_send_frame (o->enc, frame) < 0)
    return;
  while (avcodec_receive_packet (o->enc, o->pkt) >= 0)
    {
      printf ("packet %d pts=%lld size=%d refcount=%d\n", o->packets++, (long long) o->pkt->pts,
              o->pkt->size, av_buffer_get_ref_count (o->pkt->buf));
      if (av_bsf_send_packet (o->bsf, o->pkt) < 0)
        {
          av_packet_unref (o->pkt);
          continue;
        }
      while (av_bsf_receive_packet (o->bsf, o->filtered) >= 0)
        {
          av_packet_rescale_ts (o->filtered, o->enc->time_base, o->out->streams[0]->time_base);
          av_interleaved_write_frame (o->out, o->filtered);
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  AVFormatContext *in = NULL;
  const AVCodec *codec;
  AVCodecContext *dec;
  AVFilterGraph *graph = avfilter_graph_alloc ();
  AVFilterContext *src = NULL, *sink = NULL, *flip = NULL;
  AVPacket *pkt = av_packet_alloc ();
  AVFrame *frame = av_frame_alloc ();
  AVFrame *filtered = av_frame_alloc ();
  Output o = { .pkt = av_packet_alloc (), .filtered = av_packet_alloc () };
  char args[256];
  int stream;

  if (argc != 2 || avformat_open_input (&in, argv[1], NULL, NULL) < 0 ||
      avformat_find_stream_info (in, NULL) < 0)
    {
      fprintf (stderr, "usage: rec-encode FILE\n");
      return 2;
    }
  stream = av_find_best_stream (in, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  dec = avcodec_alloc_context3 (codec);
  avcodec_parameters_to_context (dec, in->streams[stream]->codecpar);
  dec->thread_count = 1;
  avcodec_open2 (dec, codec, NULL);

  snprintf (args, sizeof args, "video_size=%dx%d:pix_fmt=%d:time_base=%d/%d:pixel_aspect=1/1",
            dec->width, dec->height, dec->pix_fmt, in->streams[stream]->time_base.num,
            in->streams[stream]->time_base.den);
  avfilter_graph_create_filter (&src, avfilter_get_by_name ("buffer"), "in", args, NULL, graph);
  avfilter_graph_create_filter (&flip, avfilter_get_by_name ("hflip"), "flip", NULL, NULL, graph);
  avfilter_graph_create_filter (&sink, avfilter_get_by_name ("buffersink"), "out", NULL, NULL, graph);
  avfilter_link (src, 0, flip, 0);
  avfilter_link (flip, 0, sink, 0);
  if (avfilter_graph_config (graph, NULL) < 0)
    return 1;

  o.enc = avcodec_alloc_context3 (avcodec_find_encoder (AV_CODEC_ID_MPEG4));
  o.enc->width = dec->width;
  o.enc->height = dec->height;
  o.enc->pix_fmt = AV_PIX_FMT_YUV420P;
  o.enc->time_base = in->streams[stream]->time_base;
  o.enc->thread_count = 1;
  o.enc->flags |= AV_CODEC_FLAG_BITEXACT;
  avcodec_open2 (o.enc, o.enc->codec, NULL);
  av_bsf_alloc (av_bsf_get_by_name ("dump_extra"), &o.bsf);
  avcodec_parameters_from_context (o.bsf->par_in, o.enc);
  o.bsf->time_base_in = o.enc->time_base;
  av_bsf_init (o.bsf);
  avformat_alloc_output_context2 (&o.out, NULL, "null", NULL);
  avformat_new_stream (o.out, NULL);
  avcodec_parameters_copy (o.out->streams[0]->codecpar, o.bsf->par_out);
  o.out->streams[0]->time_base = o.enc->time_base;
  if (avformat_write_header (o.out, NULL) < 0)
    return 1;

  while (av_read_frame (in, pkt) >= 0)
    {
      if (pkt->stream_index == stream && avcodec_send_packet (dec, pkt) >= 0)
        while (avcodec_receive_frame (dec, frame) >= 0)
          {
            if (av_buffersrc_add_frame_flags (src, frame, 0) < 0)
              break;
            while (av_buffersink_get_frame (sink, filtered) >= 0)
              {
                filtered->pict_type = AV_PICTURE_TYPE_NONE;
                write_packets (&o, filtered);
                av_frame_unref (filtered);
              }
          }
      av_packet_unref (pkt);
    }
  write_packets (&o, NULL);
  av_write_trailer (o.out);

  avformat_free_context (o.out);
  av_bsf_free (&o.bsf);
  avcodec_free_context (&o.enc);
  avcodec_free_context (&dec);
  avfilter_graph_free (&graph);
  av_frame_free (&filtered);
  av_frame_free (&frame);
  av_packet_free (&o.filtered);
  av_packet_free (&o.pkt);
  av_packet_free (&pkt);
  avformat_close_input (&in);
  printf ("%d packets\n", o.packets);
  return 0;
}
