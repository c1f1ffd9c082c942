/* Lesson 7: av_grow_packet and av_shrink_packet.
 *
 * av_new_packet's buffer can be reallocated in place: while it is writable,
 * av_grow_packet keeps the same AVBuffer (the bytes may move in memory). A
 * shared buffer cannot be: av_grow_packet then gives the packet a new,
 * bigger buffer with a copy of the data, and the other packet keeps the old
 * one. av_shrink_packet only lowers the size. Refscope observes these
 * payloads without wrapping them, so the reallocation happens exactly as it
 * would without Refscope.
 */
void grow_packet() {
    AVPacket *pkt = av_packet_alloc();
    AVPacket *other = av_packet_alloc();
    int ret = 0;

    ret = av_new_packet(pkt, 100);
    ret = av_grow_packet(pkt, 1000);      // same buffer, reallocated in place
    av_shrink_packet(pkt, 500);

    ret = av_packet_ref(other, pkt);      // shared: refcount 2
    ret = av_grow_packet(pkt, 1000);      // a new buffer for pkt; other keeps the old
    memset(pkt->data, 0, pkt->size);

    av_packet_free(&other);
    av_packet_free(&pkt);
}
