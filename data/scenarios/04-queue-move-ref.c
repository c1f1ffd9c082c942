/* Lesson 4: putting packets and frames into a queue, the ffplay way.
 *
 * ffplay's packet_queue_put allocates a queue node and av_packet_move_ref's
 * the packet into it: the buffer changes hands, its refcount stays 1, and
 * the reader's packet is empty again, ready for the next av_read_frame.
 * queue_picture does the same for frames with av_frame_move_ref into a
 * pre-allocated slot; frame_queue_next av_frame_unref's the slot when the
 * frame has been shown. Ownership is always moved, never shared.
 */
void queue_packets_and_frames() {
    AVPacket *pkt = av_packet_alloc();      // what av_read_frame fills
    AVPacket *q0 = NULL, *q1 = NULL;        // two queue nodes
    AVFrame *frame = av_frame_alloc();      // what avcodec_receive_frame fills
    AVFrame *slot0 = av_frame_alloc();      // the frame queue's slots
    AVFrame *slot1 = av_frame_alloc();
    int ret = 0;

    /* "av_read_frame": a packet arrives */
    ret = av_new_packet(pkt, 1000);
    q0 = av_packet_alloc();
    av_packet_move_ref(q0, pkt);            // pkt is empty again
    ret = av_new_packet(pkt, 2000);
    q1 = av_packet_alloc();
    av_packet_move_ref(q1, pkt);

    /* the decoder takes the head packet */
    av_packet_move_ref(pkt, q0);
    av_packet_free(&q0);
    av_packet_unref(pkt);                   // "avcodec_send_packet" consumed it

    /* "avcodec_receive_frame": a frame arrives, and goes into the queue */
    frame->format = AV_PIX_FMT_YUV420P;
    frame->width = 320;
    frame->height = 240;
    ret = av_frame_get_buffer(frame, 0);
    av_frame_move_ref(slot0, frame);
    frame->format = AV_PIX_FMT_YUV420P;
    frame->width = 320;
    frame->height = 240;
    ret = av_frame_get_buffer(frame, 0);
    av_frame_move_ref(slot1, frame);

    /* the display moves on */
    av_frame_unref(slot0);

    av_packet_free(&q1);
    av_packet_free(&pkt);
    av_frame_free(&frame);
    av_frame_free(&slot0);
    av_frame_free(&slot1);
}
