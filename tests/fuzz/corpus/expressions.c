#define N (4 * 1024 + (3 << 2) - 1)
int a = N % 7, b = -(~N) / 2;
AVFrame *f = av_frame_alloc();
f->format = AV_PIX_FMT_YUV420P; f->width = 320; f->height = 240
f->ch_layout.nb_channels = 2;
int ret = av_frame_get_buffer(f, 0);
memset((uint8_t *) f->data[1] + f->linesize[1] * 2, 0x80, f->linesize[1]);
AVPacket *p = NULL, *q = av_packet_alloc();
p = av_packet_clone(q);
memcpy(&p->data[3], "abc", 3);
p->flags |= AV_PKT_FLAG_KEY;
(void) av_packet_make_writable(p);
av_packet_free(&p); av_packet_free(q); av_frame_free(&f);
