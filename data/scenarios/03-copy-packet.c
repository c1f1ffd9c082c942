/* Lesson 3: two ways to copy a packet.
 *
 * 1. Share the buffer: av_packet_ref (or av_packet_clone, which is
 *    av_packet_alloc + av_packet_ref) adds a reference: both packets point at
 *    one buffer with refcount 2. It is not writable any more: a memset
 *    through one packet changes what the other sees (flagged unsafe_write).
 *    The buffer is freed only when the last reference goes.
 * 2. Own copy: av_new_packet + memcpy gives the copy its own buffer, and
 *    av_packet_make_writable turns a shared reference into an own copy.
 */
#define SIZE 4096

void copy_packet() {
    AVPacket *src = av_packet_alloc();
    AVPacket *shared = av_packet_alloc();
    AVPacket *copy = av_packet_alloc();
    AVPacket *clone = NULL;
    int ret = 0;

    ret = av_new_packet(src, SIZE);
    memset(src->data, 0, SIZE);

    /* 1. shared buffer: refcount 2, then 3 */
    ret = av_packet_ref(shared, src);
    clone = av_packet_clone(src);
    memset(shared->data, 1, 16);          // unsafe: src and clone see it too

    /* 2. own copy */
    ret = av_new_packet(copy, src->size);
    memcpy(copy->data, src->data, src->size);
    ret = av_packet_make_writable(shared); // shared gets its own buffer
    memset(shared->data, 2, 16);          // safe now

    av_packet_free(&clone);
    av_packet_unref(src);                 // the first buffer is freed here
    av_packet_free(&src);
    av_packet_free(&shared);
    av_packet_free(&copy);
}
