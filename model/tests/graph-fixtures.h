/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * graph-fixtures.h: hand-built snapshots for the graph, render and export
 * tests: two consecutive steps of a video decode in the shape of DESIGN.md
 * section 3.1.
 */
#pragma once

#include "rs-diff.h"
#include "rs-intern.h"
#include "rs-snapshot.h"

#define FIX_Y_SIZE 81920
#define FIX_C_SIZE 20480

static inline RsHandle *
fix_packet (const char *id,
            const char *holder,
            const char *group,
            int         slot,
            int         capacity,
            gint64      pts,
            int         size,
            gboolean    key,
            guint64     buffer)
{
  RsHandle fields = {
    .id = rs_intern (id), .kind = RS_HANDLE_PACKET, .holder = rs_intern (holder),
    .group = group != NULL ? rs_intern (group) : NULL, .slot = slot, .capacity = capacity,
    .stream = 0, .pts = buffer != 0 ? pts : RS_NO_TIMESTAMP, .dts = buffer != 0 ? pts : RS_NO_TIMESTAMP,
    .size = buffer != 0 ? size : 0, .key = key,
  };
  RsRef ref = { rs_intern_static ("buf"), buffer };

  return rs_handle_new (&fields, &ref, buffer != 0 ? 1 : 0);
}

/* A video frame whose planes buf[0..2] are buffers first, first+1, first+2
 * (none when first is 0). */
static inline RsHandle *
fix_frame (const char *id,
           const char *holder,
           const char *group,
           int         slot,
           int         capacity,
           gint64      pts,
           char        pict_type,
           gboolean    shown,
           guint64     first)
{
  RsHandle fields = {
    .id = rs_intern (id), .kind = RS_HANDLE_FRAME, .holder = rs_intern (holder),
    .group = group != NULL ? rs_intern (group) : NULL, .slot = slot, .capacity = capacity,
    .stream = 0, .pts = first != 0 ? pts : RS_NO_TIMESTAMP, .dts = RS_NO_TIMESTAMP,
    .pict_type = first != 0 ? pict_type : 0,
    .format = first != 0 ? rs_intern_static ("yuv420p") : NULL,
    .width = first != 0 ? 320 : 0, .height = first != 0 ? 240 : 0, .shown = shown,
  };
  RsRef refs[3] = {
    { rs_intern_static ("buf[0]"), first },
    { rs_intern_static ("buf[1]"), first + 1 },
    { rs_intern_static ("buf[2]"), first + 2 },
  };

  return rs_handle_new (&fields, refs, first != 0 ? 3 : 0);
}

static inline RsBuffer *
fix_buffer (guint64       id,
            RsBufferKind  kind,
            gsize         size,
            int           visible,
            int           hidden,
            const char   *holder,
            guint         born)
{
  RsBuffer fields = {
    .id = id, .kind = kind, .size = size, .refcount = visible + hidden, .visible = visible,
    .hidden = hidden, .holder = hidden > 0 && holder != NULL ? rs_intern (holder) : NULL,
    .origin = rs_intern_static (kind == RS_BUFFER_KIND_PACKET ? "demuxer" : "decoder"),
    .born = born, .tracked = TRUE, .writable = visible + hidden == 1,
  };
  return rs_buffer_new (&fields);
}

static inline void
fix_planes (GPtrArray  *buffers,
            guint64     first,
            int         visible,
            int         hidden,
            guint       born)
{
  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (buffers, fix_buffer (first + i, RS_BUFFER_KIND_PICTURE, i == 0 ? FIX_Y_SIZE : FIX_C_SIZE,
                                          visible, hidden, "video decoder", born));
}

static int
fix_compare_buffers (gconstpointer a,
                     gconstpointer b)
{
  const RsBuffer *x = *(const RsBuffer **) a;
  const RsBuffer *y = *(const RsBuffer **) b;

  return (x->id > y->id) - (x->id < y->id);
}

/* Step 56 and step 57 (avcodec_receive_frame(video) = 0, a new frame in
 * video.frame): the decoder released packet #9 (a ghost in step 57), took a
 * reference on frame #40–42 (▲) and dropped one on the I picture #27–29 (▼). */
static inline void
fix_make_steps (RsSnapshot **step56,
                RsSnapshot **step57)
{
  for (int step = 56; step <= 57; step++)
    {
      g_autoptr(GPtrArray) handles = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_handle_unref);
      g_autoptr(GPtrArray) buffers = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_buffer_unref);
      gboolean after = step == 57;
      RsEvent freed = { RS_EVENT_FREED, 9, NULL };
      RsEvent allocated = { RS_EVENT_ALLOCATED, 46, NULL };

      g_ptr_array_add (handles, fix_packet ("reader", "reader", NULL, -1, 0, 4608, 1210, FALSE, 61));
      for (int i = 0; i < 8; i++)
        {
          g_autofree char *id = g_strdup_printf ("video.pktq[%d]", i);
          guint64 buffer = i == 0 ? 31 : i == 1 ? 33 : 0;

          g_ptr_array_add (handles, fix_packet (id, "packet_queue", "video.pktq", i, 8,
                                                i == 0 ? 2560 : 4096, i == 0 ? 782 : 1618, i == 1, buffer));
        }
      g_ptr_array_add (handles, fix_packet ("video.decoder_input", "decoder_input", NULL, -1, 0, 0, 0, FALSE, 0));
      g_ptr_array_add (handles, fix_frame ("video.frame", "decoder_output", NULL, -1, 0, 2048, 'P', FALSE,
                                           after ? 46 : 0));
      g_ptr_array_add (handles, fix_frame ("video.frameq[0]", "frame_queue", "video.frameq", 0, 3, 1024, 'B', TRUE, 20));
      g_ptr_array_add (handles, fix_frame ("video.frameq[1]", "frame_queue", "video.frameq", 1, 3, 1536, 'B', FALSE, 40));
      g_ptr_array_add (handles, fix_frame ("video.frameq[2]", "frame_queue", "video.frameq", 2, 3, 0, 0, FALSE, 0));

      if (!after)
        g_ptr_array_add (buffers, fix_buffer (9, RS_BUFFER_KIND_PACKET, 1310, 0, 1, "video decoder input", 50));
      fix_planes (buffers, 12, 0, 1, 30);
      fix_planes (buffers, 20, 1, 1, 44);
      fix_planes (buffers, 27, 0, after ? 1 : 2, 20);
      g_ptr_array_add (buffers, fix_buffer (31, RS_BUFFER_KIND_PACKET, 846, 1, 0, NULL, 52));
      g_ptr_array_add (buffers, fix_buffer (33, RS_BUFFER_KIND_PACKET, 1682, 1, 0, NULL, 54));
      g_ptr_array_add (buffers, fix_buffer (35, RS_BUFFER_KIND_PACKET, 1520, 0, 1, "video decoder input", 55));
      fix_planes (buffers, 40, 1, after ? 1 : 0, 48);
      if (after)
        fix_planes (buffers, 46, 1, 1, 57);
      g_ptr_array_add (buffers, fix_buffer (61, RS_BUFFER_KIND_PACKET, 1274, 1, 0, NULL, 56));
      g_ptr_array_sort (buffers, fix_compare_buffers);

      if (after)
        *step57 = rs_snapshot_new (57, "avcodec_receive_frame(video)", 0, TRUE, "video.frame",
                                   handles, buffers, (RsEvent[]) { freed, allocated }, 2);
      else
        *step56 = rs_snapshot_new (56, "av_packet_unref(video.decoder_input)", 0, TRUE, NULL,
                                   handles, buffers, NULL, 0);
    }
}

/* Steps 56 and 57 and their diff: the fixture of the graph and render
 * tests (g_test_add (path, FixSteps, NULL, fix_steps_set_up, test,
 * fix_steps_tear_down)). */
typedef struct {
  RsSnapshot *s56;
  RsSnapshot *s57;
  RsDiff     *diff;   /* 56 -> 57 */
} FixSteps;

static inline void
fix_steps_set_up (FixSteps     *f,
                  gconstpointer data)
{
  fix_make_steps (&f->s56, &f->s57);
  f->diff = rs_diff_new (f->s56, f->s57);
}

static inline void
fix_steps_tear_down (FixSteps     *f,
                     gconstpointer data)
{
  rs_diff_free (f->diff);
  rs_snapshot_unref (f->s56);
  rs_snapshot_unref (f->s57);
}

/* The step after `prev` in which only counts changed: the decoder took
 * `extra_hidden` more refs on the planes #40–42. Shares every other node. */
static inline RsSnapshot *
fix_make_refcount_step (RsSnapshot    *prev,
                        int            extra_hidden,
                        const RsEvent *events,
                        guint          n_events)
{
  g_autoptr(GPtrArray) handles = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_handle_unref);
  g_autoptr(GPtrArray) buffers = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_buffer_unref);

  for (guint i = 0; i < rs_snapshot_get_n_handles (prev); i++)
    g_ptr_array_add (handles, rs_handle_ref ((RsHandle *) rs_snapshot_get_handle (prev, i)));
  for (guint i = 0; i < rs_snapshot_get_n_buffers (prev); i++)
    {
      const RsBuffer *b = rs_snapshot_get_buffer (prev, i);

      if (b->id >= 40 && b->id <= 42)
        {
          RsBuffer fields = *b;

          fields.hidden += extra_hidden;
          fields.refcount += extra_hidden;
          fields.writable = fields.refcount == 1;
          g_ptr_array_add (buffers, rs_buffer_new (&fields));
        }
      else
        g_ptr_array_add (buffers, rs_buffer_ref ((RsBuffer *) b));
    }
  return rs_snapshot_new (rs_snapshot_get_step (prev) + 1, "avcodec_send_packet(video)", -11,
                          rs_snapshot_is_exact (prev), NULL, handles, buffers, events, n_events);
}

