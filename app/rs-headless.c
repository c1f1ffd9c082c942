/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "refscope"

#include "rs-headless.h"

#include "rs-findings.h"

#include <gio/gunixoutputstream.h>
#include <unistd.h>

#include "rs-diff.h"
#include "rs-export.h"
#include "rs-record-session.h"
#include "rs-render.h"
#include "rs-scenario-session.h"
#include "rs-trace.h"

static GOutputStream *
open_trace (const char  *path,
            GError     **error)
{
  g_autoptr(GOutputStream) raw = NULL;

  if (g_strcmp0 (path, "-") == 0)
    raw = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  else
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
      GFileType type = g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, NULL);

      /* A regular file is replaced atomically (g_file_replace writes a
       * temporary file and renames it on close); /dev/null or a pipe is
       * written in place. */
      if (type == G_FILE_TYPE_SPECIAL)
        raw = G_OUTPUT_STREAM (g_file_append_to (file, G_FILE_CREATE_NONE, NULL, error));
      else
        raw = G_OUTPUT_STREAM (g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, error));
      if (raw == NULL)
        return NULL;
    }
  return g_buffered_output_stream_new_sized (raw, 64 * 1024);
}

/* A failed run leaves the old trace as it was: closing with a cancelled
 * cancellable makes g_file_replace()'s stream delete its temporary file
 * instead of renaming a partial trace over the target. */
static void
abandon_trace (GOutputStream *stream)
{
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();

  if (stream == NULL)
    return;
  g_cancellable_cancel (cancelled);
  g_output_stream_close (stream, cancelled, NULL);
}

static int
fail_trace (GOutputStream *stream,
            const char    *path,
            const GError  *error)
{
  abandon_trace (stream);
  g_printerr ("refscope: %s: cannot write the trace: %s\n", path, error->message);
  return 1;
}

/* The snapshot of `step`: a recording has every step in its history from
 * the start; the other sessions run theirs now. Borrowed. */
static RsSnapshot *
next_snapshot (RsSession  *session,
               guint       step,
               GError    **error)
{
  RsHistory *history = rs_session_get_history (session);

  if (step < rs_history_get_length (history))
    return rs_history_get_snapshot (history, step);
  return rs_session_step (session, error);
}

int
rs_headless_run (const RsHeadlessOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RsSession) session = NULL;
  g_autoptr(GOutputStream) trace_stream = NULL;
  g_autoptr(RsTraceWriter) trace = NULL;
  g_autoptr(RsRender) render = NULL;
  RsSnapshot *previous = NULL;
  gboolean progress = isatty (STDERR_FILENO);
  RsSnapshot *snapshot;
  guint steps = 0;

  if (options->scenario != NULL)
    session = RS_SESSION (rs_scenario_session_new_from_file (options->scenario, NULL, &error));
  else if (rs_record_session_is_recording (options->media))
    session = RS_SESSION (rs_record_session_new (options->media, &error));
  else
    session = RS_SESSION (rs_decode_session_new (options->media, &options->settings, &error));
  if (session == NULL)
    {
      /* A scenario's compile errors are one a line, each naming the file. */
      g_printerr ("%s%s\n", options->scenario != NULL ? "" : "refscope: ", error->message);
      return 1;
    }

  if (options->trace != NULL)
    {
      trace_stream = open_trace (options->trace, &error);
      if (trace_stream == NULL)
        return fail_trace (NULL, options->trace, error);
      trace = rs_trace_writer_new (trace_stream);
    }

  if (options->export_dir != NULL)
    {
      if (!g_file_test (options->export_dir, G_FILE_TEST_IS_DIR))
        {
          g_printerr ("refscope: %s: cannot export: not an existing directory\n", options->export_dir);
          abandon_trace (trace_stream);
          return 1;
        }
      /* One render for the whole session, so unchanged topologies reuse
       * their layout. */
      render = rs_render_new ();
    }

  while ((options->max_steps == 0 || steps < options->max_steps) &&
         (snapshot = next_snapshot (session, steps, &error)) != NULL)
    {
      steps++;
      if (trace != NULL && !rs_trace_writer_write (trace, snapshot, &error))
        return fail_trace (trace_stream, options->trace, error);
      if (render != NULL)
        {
          g_autoptr(RsDiff) diff = rs_diff_new (previous, snapshot);

          if (!rs_export_step (render, snapshot, diff, NULL, options->export_dir,
                               rs_snapshot_get_step (snapshot),
                               (const char * const *) options->formats, &error))
            {
              g_printerr ("refscope: %s\n", error->message);
              abandon_trace (trace_stream);
              return 1;
            }
        }
      previous = snapshot;
      if (progress && steps % 500 == 0)
        g_printerr ("\rrefscope: %u steps", steps);
    }
  if (progress)
    g_printerr ("\rrefscope: %u steps\n", steps);

  if (error != NULL)
    {
      abandon_trace (trace_stream);
      g_printerr ("refscope: %s: %s\n", rs_session_get_name (session), error->message);
      return 1;
    }
  /* Flushed first: a buffered stream whose last flush fails still closes
   * (and renames) the file it writes. */
  if (trace != NULL &&
      (!g_output_stream_flush (trace_stream, NULL, &error) || !rs_trace_writer_close (trace, &error)))
    return fail_trace (trace_stream, options->trace, error);
  if (RS_IS_SCENARIO_SESSION (session))
    {
      g_autoptr(GArray) leaks = rs_history_query_leaks (rs_session_get_history (session));

      for (guint i = 0; i < leaks->len; i++)
        {
          g_autofree char *leak = rs_findings_describe_leak (&g_array_index (leaks, RsLeak, i), options->scenario);
          g_printerr ("%s: leak: %s\n", options->scenario, leak);
        }
    }
  return 0;
}
