/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "refscope"

#include "rs-application.h"

#include <glib/gi18n.h>

#include "rs-ui.h"
#include "rs-window.h"

#ifndef RS_VERSION
#error "RS_VERSION must be the project's version"
#endif

struct _RsApplication {
  AdwApplication    parent_instance;

  char             *media;
  RsDecodeSettings  settings;   /* from the command line */
  RsSettingFlags    given;
  guint             steps;
  GSettings        *gsettings;  /* nullable: the schema is not installed */
};

G_DEFINE_FINAL_TYPE (RsApplication, rs_application, ADW_TYPE_APPLICATION)

/* The saved settings, from the installed schemas or, when running from the
 * build tree, the schema compiled there. NULL if neither has it. */
static GSettings *
open_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchemaSource) local = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, RS_APPLICATION_ID, TRUE);
#ifdef RS_SCHEMA_DIR
  if (schema == NULL)
    {
      local = g_settings_schema_source_new_from_directory (RS_SCHEMA_DIR, source, FALSE, NULL);
      if (local != NULL)
        schema = g_settings_schema_source_lookup (local, RS_APPLICATION_ID, FALSE);
    }
#endif
  if (schema == NULL)
    {
      g_debug ("settings schema %s not found: settings are not saved", RS_APPLICATION_ID);
      return NULL;
    }
  return g_settings_new_full (schema, NULL, NULL);
}

/* The command line's settings, the saved ones for what it did not give. */
static void
get_decode_settings (RsApplication    *self,
                     RsDecodeSettings *settings)
{
  g_autofree char *copy = NULL;
  g_autofree char *streams = NULL;

  *settings = self->settings;
  if (self->gsettings == NULL)
    return;
  if (!(self->given & RS_SETTING_THREADS))
    settings->threads = g_settings_get_int (self->gsettings, "threads");
  if (!(self->given & RS_SETTING_PACKET_QUEUE))
    settings->packet_queue = g_settings_get_int (self->gsettings, "packet-queue");
  if (!(self->given & RS_SETTING_FRAME_QUEUE))
    settings->frame_queue = g_settings_get_int (self->gsettings, "frame-queue");
  copy = g_settings_get_string (self->gsettings, "copy");
  if (!(self->given & RS_SETTING_COPY))
    rs_copy_policy_from_string (copy, &settings->copy);
  streams = g_settings_get_string (self->gsettings, "streams");
  if (!(self->given & RS_SETTING_STREAMS))
    rs_stream_selection_from_string (streams, &settings->streams);
}

/* The bundled lessons: installed (RS_SCENARIO_DIR), or, when running from
 * the build tree, in the source tree. NULL if neither is there (or the
 * program was built without them). */
static const char *
find_lesson_dir (void)
{
#ifdef RS_SCENARIO_DIR
  if (g_file_test (RS_SCENARIO_DIR, G_FILE_TEST_IS_DIR))
    return RS_SCENARIO_DIR;
#endif
#ifdef RS_SOURCE_SCENARIO_DIR
  if (g_file_test (RS_SOURCE_SCENARIO_DIR, G_FILE_TEST_IS_DIR))
    return RS_SOURCE_SCENARIO_DIR;
#endif
  g_debug ("no bundled lessons found: the Lessons menu lists none");
  return NULL;
}

static RsWindow *
new_window (RsApplication *self)
{
  RsWindow *window = rs_window_new (GTK_APPLICATION (self));

  rs_window_set_lesson_dir (window, find_lesson_dir ());

  if (self->gsettings != NULL)
    {
      rs_window_set_settings (window, self->gsettings);
      g_settings_bind (self->gsettings, "window-width", window, "default-width", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->gsettings, "window-height", window, "default-height", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->gsettings, "window-maximized", window, "maximized", G_SETTINGS_BIND_DEFAULT);
    }
  return window;
}

static void
open_in_window (RsApplication *self,
                const char    *path,
                guint          steps)
{
  RsWindow *window = new_window (self);
  RsDecodeSettings settings;

  get_decode_settings (self, &settings);
  gtk_window_present (GTK_WINDOW (window));
  if (rs_window_open (window, path, &settings))
    {
      RsPlayer *player = rs_window_get_player (window);
      g_autoptr(GError) error = NULL;

      /* --steps=N: N steps have run, so step N - 1 is shown (and only it:
       * the window hears of the steps once they have all run). */
      g_object_freeze_notify (G_OBJECT (player));
      while (rs_player_get_position (player) + 1 < (int) steps &&
             rs_player_forward (player, RS_STEP_CALL, &error))
        ;
      g_object_thaw_notify (G_OBJECT (player));
      if (error != NULL)
        rs_window_show_message (window, error->message);
    }
}

static void
rs_application_activate (GApplication *application)
{
  RsApplication *self = RS_APPLICATION (application);

  open_in_window (self, self->media, self->steps);
}

static void
rs_application_open (GApplication  *application,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  RsApplication *self = RS_APPLICATION (application);

  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *path = g_file_get_path (files[i]);

      if (path != NULL)
        open_in_window (self, path, 0);
      else
        {
          g_autofree char *uri = g_file_get_uri (files[i]);
          RsWindow *window = new_window (self);
          g_autofree char *message = g_strdup_printf (_("%s: refused: not a local file; Refscope opens local files only"), uri);

          gtk_window_present (GTK_WINDOW (window));
          rs_window_show_message (window, message);
        }
    }
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  GtkApplication *application = GTK_APPLICATION (user_data);
  static const char *developers[] = { "The Refscope developers", NULL };

  adw_show_about_window (gtk_application_get_active_window (application),
                         "application-name", _("Refscope"),
                         "application-icon", RS_APPLICATION_ID,
                         "developer-name", _("The Refscope developers"),
                         "version", RS_VERSION,
                         "comments", _("Watch FFmpeg buffers change hands: step through a real decode session one libav call at a time and see every packet, frame and buffer with its reference count."),
                         "website", "https://github.com/refscope/refscope",
                         "issue-url", "https://github.com/refscope/refscope/issues",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "copyright", "© 2026 The Refscope developers",
                         "developers", developers,
                         NULL);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "about", about_action, NULL, NULL, NULL },
  { "quit", quit_action, NULL, NULL, NULL },
};

static void
rs_application_startup (GApplication *application)
{
  RsApplication *self = RS_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };

  G_APPLICATION_CLASS (rs_application_parent_class)->startup (application);

  rs_ui_init ();
  self->gsettings = open_settings ();
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);
}

static void
rs_application_finalize (GObject *object)
{
  RsApplication *self = RS_APPLICATION (object);

  g_clear_object (&self->gsettings);
  g_free (self->media);
  G_OBJECT_CLASS (rs_application_parent_class)->finalize (object);
}

static void
rs_application_class_init (RsApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = rs_application_finalize;
  application_class->startup = rs_application_startup;
  application_class->activate = rs_application_activate;
  application_class->open = rs_application_open;
}

static void
rs_application_init (RsApplication *self)
{
  rs_decode_settings_init (&self->settings);
}

RsApplication *
rs_application_new (const char             *media,
                    const RsDecodeSettings *settings,
                    RsSettingFlags          given,
                    guint                   steps)
{
  RsApplication *self;

  g_return_val_if_fail (media != NULL, NULL);

  /* Not unique: each `refscope FILE` is its own process, so its command
   * line's pipeline settings apply to its own window. */
  self = g_object_new (RS_TYPE_APPLICATION,
                       "application-id", RS_APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", "/io/github/refscope/Refscope",
                       NULL);
  self->media = g_strdup (media);
  if (settings != NULL)
    self->settings = *settings;
  self->given = given;
  self->steps = steps;
  return self;
}
