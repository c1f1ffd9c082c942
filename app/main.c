/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "refscope"

#include <glib.h>
#include <glib/gi18n.h>
#include <locale.h>

#include "rs-application.h"
#include "rs-export.h"
#include "rs-headless.h"
#include "rs-player.h"
#include "rs-record.h"

#ifndef RS_MEDIA_DIR
#error "RS_MEDIA_DIR must name the folder of the bundled samples"
#endif

static gboolean
parse_count (const char *name,
             const char *value,
             int         min,
             int        *out)
{
  gint64 n;

  if (value == NULL)
    return TRUE;
  if (!g_ascii_string_to_signed (value, 10, min, 4096, &n, NULL))
    {
      g_printerr ("refscope: --%s takes a whole number from %d to 4096, not '%s'\n", name, min, value);
      return FALSE;
    }
  *out = (int) n;
  return TRUE;
}

/* The window on `file` (NULL: the bundled sample). */
static int
run_window (const char             *file,
            const RsDecodeSettings *settings,
            RsSettingFlags          given,
            guint                   steps,
            char                   *program)
{
  g_autofree char *media = file != NULL ? g_strdup (file)
                                        : g_build_filename (RS_MEDIA_DIR, "sample.mp4", NULL);
  g_autoptr(RsApplication) application = rs_application_new (media, settings, given, steps);
  char *args[] = { program, NULL };

  /* The command line is parsed already: the application sees none of it. */
  return g_application_run (G_APPLICATION (application), 1, args);
}

/* "svg,png" -> { "svg", "png" }; the default is svg. */
static gboolean
parse_formats (const char  *list,
               char      ***out)
{
  g_auto(GStrv) formats = g_strsplit (list != NULL ? list : "svg", ",", -1);

  for (guint i = 0; formats[i] != NULL; i++)
    if (!rs_export_format_is_valid (formats[i]))
      {
        g_printerr ("refscope: --format takes svg, png, pdf and dot, not '%s'\n", formats[i]);
        return FALSE;
      }
  if (formats[0] == NULL)
    {
      g_printerr ("refscope: --format names no format\n");
      return FALSE;
    }
  *out = g_steal_pointer (&formats);
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  gboolean headless = FALSE;
  char *steps = NULL, *threads = NULL, *packet_queue = NULL, *frame_queue = NULL;
  char *copy = NULL, *streams = NULL, *trace = NULL, *export_dir = NULL;
  char *formats = NULL, *scenario = NULL;
  char **files = NULL;
  GOptionEntry entries[] = {
    { "headless", 0, 0, G_OPTION_ARG_NONE, &headless, "Run without a window", NULL },
    { "steps", 0, 0, G_OPTION_ARG_STRING, &steps, "Stop after N steps", "N" },
    { "threads", 0, 0, G_OPTION_ARG_STRING, &threads, "Decoder threads (default 1: exact counts)", "N" },
    { "packet-queue", 0, 0, G_OPTION_ARG_STRING, &packet_queue, "Packet queue capacity per stream (default 8)", "N" },
    { "frame-queue", 0, 0, G_OPTION_ARG_STRING, &frame_queue, "Frame queue capacity per stream (default 3)", "N" },
    { "copy", 0, 0, G_OPTION_ARG_STRING, &copy, "How packets enter the queue: move|ref|clone|copy", "POLICY" },
    { "streams", 0, 0, G_OPTION_ARG_STRING, &streams, "Streams to decode: best|video|audio|all (default best)", "WHICH" },
    { "trace", 0, 0, G_OPTION_ARG_FILENAME, &trace, "JSON Lines trace, one object per step (- for stdout)", "PATH" },
    { "export", 0, 0, G_OPTION_ARG_FILENAME, &export_dir, "Graph snapshots, one per step", "DIR" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &formats, "Export formats: svg,png,pdf,dot", "LIST" },
    { "scenario", 0, 0, G_OPTION_ARG_FILENAME, &scenario, "Run a scenario script instead of a decode session", "FILE" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, "[FILE]" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  RsHeadlessOptions options = { 0 };
  gint64 max_steps = 0;
  int status = 2;

  /* Translations: GtkBuilder takes the templates' strings from this
   * domain too (it uses textdomain() when a template names none). */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* `refscope record ... PROGRAM [ARGS...]` before any option parsing:
   * PROGRAM's options are its own. */
  if (argc >= 2 && g_strcmp0 (argv[1], "record") == 0)
    return rs_record_run (argc, argv);

  context = g_option_context_new ("[FILE] — watch FFmpeg buffers change hands");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "refscope record [--output=FILE] [--leaks=report|error] [--] PROGRAM [ARGS...]\n"
    "  runs PROGRAM, recording its libav calls (refscope record --help)\n");
  rs_decode_settings_init (&options.settings);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_printerr ("refscope: %s\n", error->message);
  else if (files != NULL && g_strv_length (files) > 1)
    g_printerr ("refscope: one FILE at a time\n");
  else if (steps != NULL && !g_ascii_string_to_unsigned (steps, 10, 1, G_MAXUINT, (guint64 *) &max_steps, NULL))
    g_printerr ("refscope: --steps takes a whole number of at least 1, not '%s'\n", steps);
  else if (!parse_count ("threads", threads, 0, &options.settings.threads) ||
           !parse_count ("packet-queue", packet_queue, 1, &options.settings.packet_queue) ||
           !parse_count ("frame-queue", frame_queue, 1, &options.settings.frame_queue))
    ;
  else if (copy != NULL && !rs_copy_policy_from_string (copy, &options.settings.copy))
    g_printerr ("refscope: --copy takes move, ref, clone or copy, not '%s'\n", copy);
  else if (streams != NULL && !rs_stream_selection_from_string (streams, &options.settings.streams))
    g_printerr ("refscope: --streams takes best, video, audio or all, not '%s'\n", streams);
  else if (formats != NULL && export_dir == NULL)
    g_printerr ("refscope: --format goes with --export\n");
  else if (export_dir != NULL && !headless)
    g_printerr ("refscope: --export needs --headless\n");
  else if (export_dir != NULL && !parse_formats (formats, &options.formats))
    ;
  else if (scenario != NULL && !headless)
    g_printerr ("refscope: --scenario needs --headless (for the window, give the lesson as FILE: refscope LESSON.c)\n");
  else if (scenario != NULL && files != NULL)
    g_printerr ("refscope: give a FILE or --scenario, not both\n");
  else if (!headless && trace != NULL)
    g_printerr ("refscope: --trace needs --headless\n");
  else if (!headless)
    status = run_window (files != NULL ? files[0] : NULL, &options.settings,
                         (threads != NULL ? RS_SETTING_THREADS : 0) |
                         (packet_queue != NULL ? RS_SETTING_PACKET_QUEUE : 0) |
                         (frame_queue != NULL ? RS_SETTING_FRAME_QUEUE : 0) |
                         (copy != NULL ? RS_SETTING_COPY : 0) |
                         (streams != NULL ? RS_SETTING_STREAMS : 0),
                         (guint) max_steps, argv[0]);
  else
    {
      options.media = files != NULL ? g_strdup (files[0])
                                    : g_build_filename (RS_MEDIA_DIR, "sample.mp4", NULL);
      /* A lesson given as FILE runs as the window runs it, not as media. */
      options.scenario = scenario != NULL ? scenario
                       : files != NULL && rs_player_is_lesson (files[0]) ? files[0] : NULL;
      options.max_steps = (guint) max_steps;
      options.trace = trace;
      options.export_dir = export_dir;
      status = rs_headless_run (&options);
      g_free (options.media);
    }

  g_free (steps);
  g_free (threads);
  g_free (packet_queue);
  g_free (frame_queue);
  g_free (copy);
  g_free (streams);
  g_free (trace);
  g_free (export_dir);
  g_free (formats);
  g_free (scenario);
  g_strfreev (files);
  g_strfreev (options.formats);
  return status;
}
