/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rec-dump: prints a recording step by step, one line per step, handle and
 * buffer (no sites' module paths: two runs of one program print the same).
 * For tests and for looking at a recording by hand.
 *
 *   rec-dump RECORDING
 */
#include "rs-recording-reader.h"

#include <stdio.h>

int
main (int   argc,
      char *argv[])
{
  g_autoptr(RsRecording) recording = NULL;
  g_autoptr(GError) error = NULL;
  guint n;

  if (argc != 2)
    {
      g_printerr ("usage: rec-dump RECORDING\n");
      return 2;
    }
  recording = rs_recording_open (argv[1], &error);
  if (recording == NULL)
    {
      g_printerr ("rec-dump: %s\n", error->message);
      return 1;
    }

  n = rs_recording_get_n_steps (recording);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RsRecStep) step = rs_recording_get_step (recording, i);

      g_print ("step %u %s ret=%d thread=%d exact=%d site=+%#" G_GINT64_MODIFIER "x out=%" G_GUINT64_FORMAT "\n",
               step->step, step->call, step->ret, step->thread, step->exact,
               step->site.offset, step->out_handle);
      for (guint j = 0; j < step->handles->len; j++)
        {
          const RsRecHandle *h = g_ptr_array_index (step->handles, j);

          g_print ("  handle %" G_GUINT64_FORMAT " %s%s born=%u/%s stream=%d pts=%" G_GINT64_FORMAT
                   " size=%d pict=%c fmt=%s refs=",
                   h->id, h->kind == RS_REC_HANDLE_PACKET ? "packet" : "frame",
                   h->allocated ? "+alloc" : "", h->born_step, h->born_call, h->stream,
                   h->pts, h->size, h->pict_type ? h->pict_type : '-', h->format ? h->format : "-");
          for (guint k = 0; k < h->n_refs; k++)
            g_print ("%s%s:%" G_GUINT64_FORMAT, k ? "," : "", h->refs[k].field, h->refs[k].buffer);
          g_print ("\n");
        }
      for (guint j = 0; j < step->buffers->len; j++)
        {
          const RsRecBuffer *b = g_ptr_array_index (step->buffers, j);

          g_print ("  buffer %" G_GUINT64_FORMAT " kind=%d %s size=%" G_GSIZE_FORMAT
                   " rc=%d vis=%d hid=%d lost=%d prog=%d w=%d origin=%s holder=%s born=%u\n",
                   b->id, b->kind, b->tracked ? "tracked" : "observed", b->size, b->refcount,
                   b->visible, b->hidden, b->lost, b->program_refs, b->writable, b->origin,
                   b->holder ? b->holder : "-", b->born_step);
        }
      for (guint j = 0; j < step->events->len; j++)
        {
          const RsRecEvent *e = &g_array_index (step->events, RsRecEvent, j);

          g_print ("  event %d buffer=%" G_GUINT64_FORMAT " handle=%" G_GUINT64_FORMAT "%s%s\n",
                   e->kind, e->buffer, e->handle, e->message ? " " : "", e->message ? e->message : "");
        }
    }
  g_print ("%s\n", rs_recording_is_complete (recording) ? "complete"
                                                        : rs_recording_get_end_reason (recording));
  return 0;
}
