/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-window-settings: what a window keeps in the application's settings
 * (GSettings, its schema compiled in the build tree; the memory backend, so
 * nothing of the user's is read or written) for the next window, in real
 * windows on the bundled sample under Xvfb.
 */
#include <adwaita.h>

#include "rs-ui.h"
#include "ui-test.h"

static char *sample;

static gboolean
is_drawn (gpointer data)
{
  GtkWidget *view = GTK_WIDGET (rs_window_get_graph_view (data));

  return gtk_widget_get_mapped (view) && gtk_widget_get_width (view) > 0;
}

static GSettings *
app_settings (void)
{
  g_autoptr(GSettingsSchemaSource) source = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GError) error = NULL;

  source = g_settings_schema_source_new_from_directory (RS_SCHEMA_DIR, NULL, FALSE, &error);
  g_assert_no_error (error);
  schema = g_settings_schema_source_lookup (source, "io.github.refscope.Refscope", FALSE);
  g_assert_nonnull (schema);
  return g_settings_new_full (schema, NULL, NULL);
}

/* A window on the sample with these settings, as the application opens it,
 * stepped `steps` times. */
static RsWindow *
open_window (GSettings *settings,
             guint      steps)
{
  RsWindow *window = g_object_ref (rs_window_new (NULL));

  rs_window_set_settings (window, settings);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (rs_window_open (window, sample, NULL));
  ui_test_spin_until (is_drawn, window, 20);
  for (guint i = 0; i < steps; i++)
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL));
  ui_test_spin_until (ui_test_is_idle, window, 20);
  g_assert_true (rs_graph_view_get_legend (rs_window_get_graph_view (window)));
  return window;
}

static void
assert_saved_card (GSettings  *settings,
                   const char *card)
{
  g_autofree char *saved = g_settings_get_string (settings, "legend-card");

  g_assert_cmpstr (saved, ==, card);
}

/* The legend folds by itself after five steps until the user folds or
 * unfolds it (L, or its buttons); that choice is the next window's too,
 * from its first step and past its fifth. */
static void
test_settings_legend_card (void)
{
  g_autoptr(GSettings) settings = app_settings ();
  RsWindow *window;
  RsGraphView *view;

  /* First launch: unfolded, then folded by itself, which is no choice. */
  window = open_window (settings, 0);
  view = rs_window_get_graph_view (window);
  g_assert_true (rs_graph_view_get_legend_expanded (view));
  for (guint i = 0; i < 6; i++)
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL));
  ui_test_spin_until (ui_test_is_idle, window, 20);
  g_assert_false (rs_graph_view_get_legend_expanded (view));
  assert_saved_card (settings, "auto");
  /* L: the user wants it unfolded. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-legend", NULL));
  g_assert_true (rs_graph_view_get_legend_expanded (view));
  assert_saved_card (settings, "unfolded");
  ui_test_close_window (window);

  /* Next launch: it stays unfolded past the fifth step. */
  window = open_window (settings, 8);
  view = rs_window_get_graph_view (window);
  g_assert_true (rs_graph_view_get_legend_expanded (view));
  /* L again: folded, from now on. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-legend", NULL));
  g_assert_false (rs_graph_view_get_legend_expanded (view));
  assert_saved_card (settings, "folded");
  ui_test_close_window (window);

  /* And the next opens folded, from the first step. */
  window = open_window (settings, 0);
  g_assert_false (rs_graph_view_get_legend_expanded (rs_window_get_graph_view (window)));
  ui_test_close_window (window);
}

/* The page of the legend the window shows ("card" or "strip"), or NULL
 * when it shows none. */
static const char *
legend_shown (RsWindow *window)
{
  GtkWidget *legend = gtk_widget_get_first_child (GTK_WIDGET (rs_window_get_graph_view (window)));

  if (!gtk_widget_get_child_visible (legend))
    return NULL;
  return gtk_stack_get_visible_child_name (GTK_STACK (gtk_widget_get_first_child (legend)));
}

/* Unfolded for good, the legend has no room for its card in a small
 * window: it shows the strip there rather than nothing, and the card in a
 * large window. */
static void
test_settings_legend_card_narrow (void)
{
  g_autoptr(GSettings) settings = app_settings ();
  RsWindow *window;
  RsGraphView *view;

  g_settings_set_string (settings, "legend-card", "unfolded");
  for (guint large = 0; large < 2; large++)
    {
      window = g_object_ref (rs_window_new (NULL));
      rs_window_set_settings (window, settings);
      gtk_window_set_default_size (GTK_WINDOW (window), large ? 1280 : 560, large ? 800 : 480);
      gtk_window_present (GTK_WINDOW (window));
      g_assert_true (rs_window_open (window, sample, NULL));
      ui_test_spin_until (is_drawn, window, 20);
      ui_test_spin_a_little ();
      view = rs_window_get_graph_view (window);
      g_test_message ("canvas %d×%d: legend %s", gtk_widget_get_width (GTK_WIDGET (view)),
                      gtk_widget_get_height (GTK_WIDGET (view)), legend_shown (window));
      g_assert_true (rs_graph_view_get_legend_expanded (view));
      g_assert_cmpstr (legend_shown (window), ==, large ? "card" : "strip");
      ui_test_close_window (window);
    }
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  rs_ui_init ();
  sample = g_build_filename (RS_MEDIA_DIR, "sample.mp4", NULL);
  g_test_add_func ("/window-settings/legend-card", test_settings_legend_card);
  g_test_add_func ("/window-settings/legend-card-narrow", test_settings_legend_card_narrow);
  return g_test_run ();
}
