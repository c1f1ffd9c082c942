/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The seed notes' test 2 (../shared/seeds/000_482edc4a479ed0b1.txt) as a
 * real program. The notes' code does not compile; the minimal fixes are:
 *   - `AVPacket pkt = NULL` is `AVPacket *pkt = NULL`;
 *   - `av_packet_free()` and `av_init_packet()` get their argument;
 *   - memccpy copies from av_packet_test2 (the notes copy from
 *     av_packet_test1, which is in the other program: any readable bytes do).
 * The notes leave the av_init_packet call commented out and say what it
 * would do: called before the free, it loses the buffer. Here it is called,
 * because that is the point of the test.
 *
 * The leak (one, planted by the notes' code): av_init_packet sets pkt->buf
 * to NULL without unreffing it, so the buffer av_new_packet created (2 MB,
 * reference count 1) has no holder any more; av_packet_free then frees the
 * packet but cannot free the buffer. The leaking lines are the
 * av_new_packet call (the buffer is created there) and the av_init_packet
 * call (its last holder is dropped there), tagged LEAK for
 * tests/record/test-record.py.
 *
 * usage: seed-test2
 * prints: the states of pkt->buf, then "done". */

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

void av_packet_test2() {
    AVPacket *pkt = NULL;
    int ret = 0;
    pkt = av_packet_alloc();
    ret = av_new_packet(pkt,MEM_ITEM_SIZE); /* LEAK: created (orphaned) */
    print_buf ("after av_new_packet", pkt);
    memccpy(pkt->data, (void *)&av_packet_test2, 1, MEM_ITEM_SIZE);
    av_init_packet(pkt); /* LEAK: orphaned */
    print_buf ("after av_init_packet", pkt);
    av_packet_free(&pkt);
    (void) ret;
}

int
main (void)
{
  av_packet_test2 ();
  printf ("done\n");
  return 0;
}
