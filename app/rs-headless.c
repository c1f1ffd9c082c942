/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "refscope"

#include "rs-headless.h"

#include "rs-findings.h"

#include <gio/gunixoutputstream.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "rs-diff.h"
#include "rs-error.h"
#include "rs-export.h"
#include "rs-record-session.h"
#include "rs-render.h"
#include "rs-scenario-session.h"
#include "rs-trace.h"

/* A stream the selection wanted but cannot decode does not stop the
 * session; say which, so the user knows what the trace leaves out. */
static void
print_skipped_streams (RsDecodeSession *session,
                       const char      *media)
{
  guint n_streams;
  const RsStreamInfo *streams = rs_decode_session_get_streams (session, &n_streams);

  for (guint i = 0; i < n_streams; i++)
    if (rs_stream_status_is_skipped (streams[i].status))
      g_printerr ("refscope: %s: stream %d (%s, %s) skipped: %s%s%s\n", media, streams[i].index,
                  streams[i].type, streams[i].codec, rs_stream_status_to_words (streams[i].status),
                  streams[i].reason != NULL ? ": " : "", streams[i].reason != NULL ? streams[i].reason : "");
}

/* Where the trace goes: a regular file is written through an RsAtomicFile,
 * as exports are, so the target is only ever a complete trace or what it
 * was before; /dev/null, a pipe or stdout ("-") is written in place. */
typedef struct {
  RsAtomicFile  *file;    /* NULL when written in place */
  GOutputStream *stream;  /* buffered */
  RsTraceWriter *writer;  /* threaded: lines are made and written beside the session */
} TraceOutput;

/* The temporary trace, for the signal handler: a process stopped by
 * SIGINT, SIGTERM or SIGHUP removes it (SIGKILL leaves it, named
 * .NAME.XXXXXX.partial). */
static char pending_temp[4096];

static void
remove_pending_temp (int signum)
{
  if (pending_temp[0] != '\0')
    unlink (pending_temp);
  signal (signum, SIG_DFL);
  raise (signum);
}

static void
set_pending_temp (const char *path)
{
  static const int signals[] = { SIGINT, SIGTERM, SIGHUP };

  if (path == NULL || strlen (path) >= sizeof pending_temp)
    {
      pending_temp[0] = '\0';
      return;
    }
  memcpy (pending_temp, path, strlen (path) + 1);
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    signal (signals[i], remove_pending_temp);
}

static gboolean
open_trace (TraceOutput *output,
            const char  *path,
            GError     **error)
{
  g_autoptr(GOutputStream) raw = NULL;

  if (g_strcmp0 (path, "-") == 0)
    raw = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  else
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
      g_autofree char *local = g_file_get_path (file);

      if (g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_SPECIAL)
        raw = G_OUTPUT_STREAM (g_file_append_to (file, G_FILE_CREATE_NONE, NULL, error));
      else if (local == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "not a local file");
      /* The path as given, so that messages name what the user typed. */
      else if ((output->file = rs_atomic_file_new (g_uri_peek_scheme (path) == NULL ? path : local,
                                                   error)) != NULL)
        {
          set_pending_temp (rs_atomic_file_get_temp_path (output->file));
          raw = g_unix_output_stream_new (rs_atomic_file_get_fd (output->file), FALSE);
        }
      if (raw == NULL)
        return FALSE;
    }
  output->stream = g_buffered_output_stream_new_sized (raw, 64 * 1024);
  output->writer = rs_trace_writer_new_threaded (output->stream);
  if (output->file != NULL)
    rs_trace_writer_set_writeback_fd (output->writer, rs_atomic_file_get_fd (output->file));
  return TRUE;
}

/* A failed run leaves the target as it was: the temporary file goes. */
static void
abandon_trace (TraceOutput *output)
{
  pending_temp[0] = '\0';
  /* The writer's thread stops first; the stream is closed before the
   * descriptor goes, so nothing buffered is written to a reused fd. */
  g_clear_pointer (&output->writer, rs_trace_writer_free);
  if (output->stream != NULL)
    g_output_stream_close (output->stream, NULL, NULL);
  g_clear_object (&output->stream);
  g_clear_pointer (&output->file, rs_atomic_file_free);
}

static int
fail_trace (TraceOutput  *output,
            const char   *path,
            const GError *error)
{
  abandon_trace (output);
  /* The temporary file's errors name the target already. */
  if (error->domain == RS_ERROR)
    g_printerr ("refscope: cannot write the trace: %s\n", error->message);
  else
    g_printerr ("refscope: %s: cannot write the trace: %s\n", path, error->message);
  return 1;
}

/* What Refscope stopped in a lesson's step (a double free, a use after
 * free, a NULL argument, an out-of-bounds write ...), compiler-style, as
 * its compile errors are. The number printed. */
static guint
report_faults (const RsSnapshot *snapshot,
               const char       *path)
{
  guint n = 0;

  for (guint i = 0; i < rs_snapshot_get_n_events (snapshot); i++)
    {
      const RsEvent *event = rs_snapshot_get_event (snapshot, i);
      g_autofree char *what = NULL;

      if (event->kind != RS_EVENT_ERROR)
        continue;
      what = rs_findings_describe_event (event, RS_STEP_NUMBER (rs_snapshot_get_step (snapshot)), path);
      g_printerr ("%s:%d:%d: error: %s\n", path, event->site.line, event->site.column, what);
      n++;
    }
  return n;
}

/* Flushed first: the whole trace is on disk before it is renamed. */
static gboolean
finish_trace (TraceOutput *output,
              GError     **error)
{
  gboolean ok = rs_trace_writer_flush (output->writer, error) &&
                g_output_stream_flush (output->stream, NULL, error);

  if (output->file == NULL)
    ok = g_output_stream_close (output->stream, NULL, ok ? error : NULL) && ok;
  else if (ok)
    ok = rs_atomic_file_commit (output->file, error);
  pending_temp[0] = '\0';
  return ok;
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
  TraceOutput output = { NULL, NULL, NULL };
  RsTraceWriter *trace = NULL;  /* output's */
  g_autoptr(RsRender) render = NULL;
  RsSnapshot *previous = NULL;
  gboolean progress = isatty (STDERR_FILENO);
  RsSnapshot *snapshot;
  guint steps = 0;
  guint faults = 0;

  if (options->scenario != NULL)
    session = RS_SESSION (rs_scenario_session_new_from_file (options->scenario, NULL, &error));
  else if (rs_record_session_is_recording (options->media))
    session = RS_SESSION (rs_record_session_new (options->media, &error));
  else
    session = RS_SESSION (rs_decode_session_new (options->media, &options->settings, &error));
  if (session == NULL)
    {
      /* A scenario's compile errors are one a line, each naming the file;
       * a scenario that cannot be read is a file that failed, as media. */
      g_printerr ("%s%s\n",
                  options->scenario != NULL && g_error_matches (error, RS_ERROR, RS_ERROR_INVALID_INPUT)
                    ? "" : "refscope: ",
                  error->message);
      return 1;
    }
  if (RS_IS_DECODE_SESSION (session))
    print_skipped_streams (RS_DECODE_SESSION (session), options->media);

  if (options->trace != NULL)
    {
      if (!open_trace (&output, options->trace, &error))
        return fail_trace (&output, options->trace, error);
      trace = output.writer;
    }

  if (options->export_dir != NULL)
    {
      if (!g_file_test (options->export_dir, G_FILE_TEST_IS_DIR))
        {
          g_printerr ("refscope: %s: cannot export: not an existing directory\n", options->export_dir);
          abandon_trace (&output);
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
      if (options->scenario != NULL)
        faults += report_faults (snapshot, options->scenario);
      if (trace != NULL && !rs_trace_writer_write (trace, snapshot, &error))
        return fail_trace (&output, options->trace, error);
      if (render != NULL)
        {
          g_autoptr(RsDiff) diff = rs_diff_new (previous, snapshot);

          /* Files counted from 1, as the window counts steps (DESIGN §6). */
          if (!rs_export_step (render, snapshot, diff, NULL, options->export_dir,
                               RS_STEP_NUMBER (rs_snapshot_get_step (snapshot)),
                               (const char * const *) options->formats, &error))
            {
              g_printerr ("refscope: %s\n", error->message);
              abandon_trace (&output);
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
      abandon_trace (&output);
      g_printerr ("refscope: %s: %s\n", rs_session_get_name (session), error->message);
      return 1;
    }
  if (trace != NULL)
    {
      if (!finish_trace (&output, &error))
        return fail_trace (&output, options->trace, error);
      abandon_trace (&output);
    }
  if (RS_IS_SCENARIO_SESSION (session))
    {
      g_autoptr(GArray) leaks = rs_history_query_leaks (rs_session_get_history (session));

      for (guint i = 0; i < leaks->len; i++)
        {
          g_autofree char *leak = rs_findings_describe_leak (&g_array_index (leaks, RsLeak, i), options->scenario);
          g_printerr ("%s: leak: %s\n", options->scenario, leak);
        }
    }
  /* A lesson that did something C would not survive failed, as one that
   * does not compile does. */
  return faults > 0 ? 1 : 0;
}
