/* Lesson 2: av_init_packet before av_packet_free leaks the buffer.
 *
 * The seed notes' test 2, corrected so that it compiles: the note declares
 * `AVPacket pkt = NULL;` (a struct, not a pointer) and calls
 * `av_packet_free();` without its argument. With av_init_packet uncommented,
 * as the note's comment describes: av_init_packet sets pkt->buf to NULL
 * without releasing the reference, so av_packet_free finds nothing to free
 * and the 2 MB buffer is never freed. Refscope reports it leaked, and names
 * the step that orphaned it.
 */
#define MEM_ITEM_SIZE (20*1024*102)

void av_packet_test2() {
    AVPacket *pkt = NULL;
    int ret = 0;
    pkt = av_packet_alloc();
    ret = av_new_packet(pkt,MEM_ITEM_SIZE);
    memccpy(pkt->data, (void *)&av_packet_test1, 1, MEM_ITEM_SIZE);
    av_init_packet(pkt);  // 如果在 free 前还调用 av_init_packet 会造成释放为空的 buf ，存在累内存安全为题
    av_packet_free(&pkt);
}
