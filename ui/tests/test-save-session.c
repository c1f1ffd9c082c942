/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-save-session: Save Session… in a real window (under Xvfb). A lesson
 * and the bundled sample, stepped, saved as a recording and opened again in
 * the window: the same steps, snapshot for snapshot (their traces).
 */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include <adwaita.h>

#include "rs-trace.h"
#include "rs-ui.h"
#include "ui-test.h"

static gboolean
is_drawn (gpointer data)
{
  GtkWidget *view = GTK_WIDGET (rs_window_get_graph_view (data));

  return gtk_widget_get_mapped (view) && gtk_widget_get_width (view) > 0;
}

static GPtrArray *
history_json (RsWindow *window)
{
  RsPlayer *player = rs_window_get_player (window);
  RsHistory *history = rs_player_get_history (player);
  GPtrArray *steps = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < rs_player_get_length (player); i++)
    {
      g_autoptr(JsonNode) node = rs_snapshot_to_json (rs_history_get_snapshot (history, i));

      g_ptr_array_add (steps, json_to_string (node, FALSE));
    }
  return steps;
}

static void
check_save (const char *path,
            guint       steps)
{
  RsWindow *window = g_object_ref (rs_window_new (NULL));
  g_autofree char *dir = g_dir_make_tmp ("refscope-save-XXXXXX", NULL);
  g_autofree char *saved = g_build_filename (dir, "session.rstrace", NULL);
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GError) error = NULL;
  RsPlayer *player = rs_window_get_player (window);

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (rs_window_open (window, path, NULL));
  ui_test_spin_until (is_drawn, window, 20);
  for (guint i = 0; i < steps; i++)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL);
  before = history_json (window);
  g_assert_cmpuint (before->len, >, 1);

  g_assert_true (rs_window_save_session (window, saved, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (rs_window_get_last_message (window), "Saved "));

  /* Opened again: every step at once, the same ones. */
  g_assert_true (rs_window_open (window, saved, NULL));
  ui_test_spin_a_little ();
  g_assert_cmpuint (rs_player_get_length (player), ==, before->len);
  g_assert_cmpint (rs_player_get_position (player), ==, 0);
  after = history_json (window);
  for (guint i = 0; i < before->len; i++)
    g_assert_cmpstr (g_ptr_array_index (after, i), ==, g_ptr_array_index (before, i));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.last", NULL));
  g_assert_cmpint (rs_player_get_position (player), ==, (int) before->len - 1);

  /* A folder that is not there: the error names the file. */
  g_assert_cmpint (g_unlink (saved), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_assert_false (rs_window_save_session (window, saved, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, saved));
  ui_test_close_window (window);
}

static void
test_save_lesson (void)
{
  g_autofree char *lesson = g_build_filename (RS_SCENARIO_DIR, "02-init-packet-leak.c", NULL);

  /* Past its end: every statement. */
  check_save (lesson, 40);
}

static void
test_save_media (void)
{
  g_autofree char *sample = g_build_filename (RS_MEDIA_DIR, "sample.mp4", NULL);

  check_save (sample, 60);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  rs_ui_init ();
  g_test_add_func ("/save-session/lesson", test_save_lesson);
  g_test_add_func ("/save-session/media", test_save_media);
  return g_test_run ();
}
