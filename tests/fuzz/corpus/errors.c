void av_packet_test2() {
    AVPacket pkt = NULL;
    int ret = 0;
    pkt = av_packet_alloc();
    ret = av_new_packet(pkt,MEM_ITEM_SIZE);
    av_packet_free();
}
}
av_packet_rf(p, p
/* unterminated
