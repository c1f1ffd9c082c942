/* Lesson 1: av_packet_alloc / av_new_packet / av_packet_unref / av_packet_free.
 *
 * The seed notes' test 1, as written. Watch the packet's buf: NULL after
 * av_packet_alloc, a buffer with refcount 1 after av_new_packet, NULL again
 * after av_packet_unref (the buffer is freed), and av_packet_free then frees
 * the AVPacket itself and sets pkt to NULL. Nothing leaks.
 *
 * memccpy's source (the address of this function) is not evaluated: the
 * lesson writes MEM_ITEM_SIZE bytes of a fixed pattern into pkt->data.
 * MEM_ITEM_SIZE is the value the note's course uses: about 2 MB.
 */
#define MEM_ITEM_SIZE (20*1024*102)

void av_packet_test1()
{
    AVPacket * pkt = NULL;
    int ret = 0;

    //分配一个AVPacket
    pkt = av_packet_alloc();
    //给AVPacket分配内存，这里引用计数将会+1
//    int av_new_packet(AVPacket *pkt, int size);
    ret = av_new_packet(pkt,MEM_ITEM_SIZE);  //始化字段，还为data分配了存储空间 如果成功就返回0
    /*
         void * memccpy(void *dest, const void * src, int c, size_t n);
        函数说明：memccpy()用来拷贝src 所指的内存内容前n 个字节到dest 所指的地址上。
     * */
    memccpy(pkt->data,(void *)&av_packet_test1,1,MEM_ITEM_SIZE);

    //减少引用计数，只有当引用计数为0时，才调用av_packet_free()时释放data的缓存。
    av_packet_unref(pkt);
    //释放掉packet，如果packet被还引用计数，它将首先被取消引用。
    av_packet_free(&pkt);
}
