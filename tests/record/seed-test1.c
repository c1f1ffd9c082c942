/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The seed notes' test 1 (../shared/seeds/000_482edc4a479ed0b1.txt) as a
 * real program: allocate a packet, give it a 2 MB buffer with
 * av_new_packet (reference count 1), fill it, unref it, free the packet.
 * av_packet_test1 is the notes' code; only the comments are translated, and
 * the prints were added, to show what the notes watched in a debugger: `buf`
 * is NULL after av_packet_alloc, set (count 1) after av_new_packet, NULL
 * again after av_packet_unref. No leak: the notes' point is that this is
 * the correct pairing.
 *
 * usage: seed-test1
 * prints: the three states of pkt->buf, then "done". */

#include <stdio.h>
#include <string.h>

#include <libavcodec/avcodec.h>

/* The notes use MEM_ITEM_SIZE without giving its value; any size works. */
#define MEM_ITEM_SIZE (20 * 1024 * 102)

static void
print_buf (const char *when, const AVPacket *pkt)
{
  if (pkt->buf == NULL)
    printf ("%s: buf=NULL\n", when);
  else
    printf ("%s: buf refcount=%d size=%d\n", when, av_buffer_get_ref_count (pkt->buf), pkt->size);
}

void av_packet_test1()
{
    AVPacket * pkt = NULL;
    int ret = 0;

    // Allocate an AVPacket
    pkt = av_packet_alloc();
    print_buf ("after av_packet_alloc", pkt);
    // Give the AVPacket memory: the reference count becomes 1
//    int av_new_packet(AVPacket *pkt, int size);
    ret = av_new_packet(pkt,MEM_ITEM_SIZE);  // initialises the fields and allocates data; 0 on success
    print_buf ("after av_new_packet", pkt);
    /*
         void * memccpy(void *dest, const void * src, int c, size_t n);
        memccpy() copies the first n bytes of src to dest (stopping after a byte c).
     * */
    memccpy(pkt->data,(void *)&av_packet_test1,1,MEM_ITEM_SIZE);

    // Drop the reference: data is freed only when the count reaches 0.
    av_packet_unref(pkt);
    print_buf ("after av_packet_unref", pkt);
    // Free the packet; if it still held a reference, that is dropped first.
    av_packet_free(&pkt);
    (void) ret;
}

int
main (void)
{
  av_packet_test1 ();
  printf ("done\n");
  return 0;
}
