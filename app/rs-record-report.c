/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-record-report.c: the leaks of a recorded program, one stderr line
 * each, in the stable shape DESIGN.md section 12 gives (scripts and CI read
 * it, so it is not translated):
 *
 *   refscope: leak: AVPacket pkt@queue.c:30 never freed, created at queue.c:30 (av_packet_alloc)
 *   refscope: leak: buffer #17 (packet payload, 4680 bytes), created at player.c:42 (av_read_frame),
 *             orphaned at queue.c:88 (av_packet_move_ref)
 *   refscope: leak: buffer #21 (picture plane, 84480 bytes), held by leaked frame@player.c:90
 */
#define G_LOG_DOMAIN "refscope-record"

#include "rs-record-report.h"

#include "rs-error.h"
#include "rs-query.h"
#include "rs-record-session.h"

/* "player.c:42", or the function, or module+offset: what the resolver knew. */
static char *
site_text (const RsSite *site)
{
  g_autofree char *base = NULL;

  if (site->file == NULL && site->function != NULL && site->module != NULL)
    return g_strdup_printf ("%s (%s)", site->function, site->module);
  if (site->file == NULL)
    return g_strdup (site->function != NULL ? site->function :
                     site->module != NULL ? site->module : "an unknown place");
  base = g_path_get_basename (site->file);
  return g_strdup_printf ("%s:%d", base, site->line);
}

/* "created at X (call)": the program's call in whose step it was born. */
static char *
describe (const RsLeak *leak)
{
  const char *call = leak->born_call;
  g_autofree char *born = site_text (&leak->born_site);
  GString *line = g_string_new ("refscope: leak: ");

  if (leak->kind == RS_LEAK_HANDLE)
    g_string_append_printf (line, "%s %s never freed, created at %s (%s)",
                            leak->handle_kind == RS_HANDLE_PACKET ? "AVPacket" : "AVFrame",
                            leak->handle, born, leak->origin != NULL ? leak->origin : "?");
  else
    {
      g_string_append_printf (line, "buffer #%" G_GUINT64_FORMAT " (%s, %" G_GSIZE_FORMAT " bytes), ",
                              leak->buffer, rs_buffer_kind_to_words (leak->buffer_kind), leak->size);
      /* A consequence of a leaked handle says so, and no more. */
      if (leak->handle != NULL && !leak->orphaned)
        g_string_append_printf (line, "held by leaked %s", leak->handle);
      else
        g_string_append_printf (line, "created at %s (%s)", born, call != NULL ? call : "?");
      if (leak->orphaned)
        {
          g_autofree char *lost = site_text (&leak->lost_site);

          g_string_append_printf (line, ", orphaned at %s (%s)", lost, leak->lost_call);
        }
    }
  return g_string_free (line, FALSE);
}

gboolean
rs_record_report (const char  *recording,
                  RsLeaksMode  leaks,
                  guint       *n_leaks)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RsRecordSession) session = NULL;
  g_autoptr(GArray) found = NULL;
  RsHistory *history;

  g_return_val_if_fail (recording != NULL, FALSE);
  g_return_val_if_fail (n_leaks != NULL, FALSE);

  *n_leaks = 0;
  session = rs_record_session_new (recording, &error);
  if (session == NULL)
    {
      g_printerr ("refscope: %s\n", error->message);
      return FALSE;
    }
  while (rs_session_step (RS_SESSION (session), &error) != NULL)
    ;
  if (error != NULL)
    {
      g_printerr ("refscope: %s\n", error->message);
      return FALSE;
    }
  history = rs_session_get_history (RS_SESSION (session));

  /* What is alive when a program is killed is not leaked: it never ended. */
  if (rs_record_session_get_end_reason (RS_RECORD_SESSION (session)) != NULL)
    {
      g_printerr ("refscope: %s: %s; leaks are not reported\n", recording,
                  rs_record_session_get_end_reason (RS_RECORD_SESSION (session)));
      return TRUE;
    }

  found = rs_history_query_leaks (history);
  for (guint i = 0; i < found->len; i++)
    {
      g_autofree char *line = describe (&g_array_index (found, RsLeak, i));
      g_printerr ("%s\n", line);
    }
  *n_leaks = found->len;
  /* Only the exit: "1 step recorded" alone reads as if something was. */
  if (rs_history_get_length (history) <= 1)
    g_printerr ("refscope: %s: the program made no libav call that Refscope records "
                "(packets, frames, buffers, decoding, encoding, filters, muxing): only its exit\n",
                recording);
  g_printerr ("refscope: %u step%s recorded in %s%s\n", rs_history_get_length (history),
              rs_history_get_length (history) == 1 ? "" : "s", recording,
              leaks == RS_LEAKS_ERROR && found->len > 0 ? "; leaks found: exit status 23" : "");
  return TRUE;
}
