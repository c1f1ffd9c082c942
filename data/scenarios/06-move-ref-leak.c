/* Lesson 6: av_packet_move_ref does not unref its destination.
 *
 * av_packet_move_ref(dst, src) copies src into dst and resets src; whatever
 * dst held is overwritten without av_buffer_unref. Moving into a packet that
 * still holds a buffer leaks that buffer. (av_frame_move_ref is the same.)
 * The fix: av_packet_unref(dst) first, as done for the second move.
 */
void move_ref_leak() {
    AVPacket *dst = av_packet_alloc();
    AVPacket *src = av_packet_alloc();
    int ret = 0;

    ret = av_new_packet(dst, 100);
    ret = av_new_packet(src, 200);
    av_packet_move_ref(dst, src);     // dst's 100-byte buffer leaks here

    ret = av_new_packet(src, 300);
    av_packet_unref(dst);             // the right way: release first
    av_packet_move_ref(dst, src);

    av_packet_free(&src);
    av_packet_free(&dst);
}
