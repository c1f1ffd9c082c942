/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window on the bundled sample: stepping, the prepared next step, the
 * inspector, recent files, a bad file, exporting, running to the end,
 * finding, going to a step, keys, the summary at the end, the inspector's
 * room; and the window does not leak.
 */
#define G_LOG_DOMAIN "test-window"

#include <gdk/x11/gdkx.h>
#include <glib/gstdio.h>
#include <string.h>

#include "rs-graph.h"
#include "rs-query.h"
#include "rs-ui.h"
#include "rs-window.h"
#include "ui-test.h"

static char *sample;

static gboolean
is_drawn (gpointer data)
{
  GtkWidget *view = GTK_WIDGET (rs_window_get_graph_view (data));

  return gtk_widget_get_mapped (view) && gtk_widget_get_width (view) > 0;
}

static gboolean
is_player_idle (gpointer data)
{
  return !rs_player_get_busy (data);
}

static RsWindow *
new_window_on_sample (void)
{
  RsWindow *window = g_object_ref (rs_window_new (NULL));

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (rs_window_open (window, sample, NULL));
  ui_test_spin_until (is_drawn, window, 20);
  return window;
}

static void
activate (RsWindow   *window,
          const char *action,
          guint       times)
{
  for (guint i = 0; i < times; i++)
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), action, NULL));
}

/* Step 20 times, back 5: the window shows step 15 of the history, and the
 * inspector shows a buffer as the history has it. */
static void
test_window_step_and_back (void)
{
  RsWindow *window = new_window_on_sample ();
  RsPlayer *player = rs_window_get_player (window);
  RsInspector *inspector = rs_window_get_inspector (window);
  RsGraphView *view = rs_window_get_graph_view (window);
  RsHistory *history;
  RsSnapshot *snapshot;
  const RsBuffer *buffer;
  const RsGraphNode *node;
  g_autofree char *prefix = NULL;
  g_autofree char *refcount = NULL;
  g_autoptr(GArray) retainers = NULL;
  double x, y;

  g_assert_cmpint (rs_player_get_position (player), ==, 0);
  activate (window, "win.step", 20);
  g_assert_cmpint (rs_player_get_position (player), ==, 20);
  activate (window, "win.back", 5);
  g_assert_cmpint (rs_player_get_position (player), ==, 15);
  g_assert_cmpuint (rs_player_get_length (player), ==, 21);

  history = rs_player_get_history (player);
  snapshot = rs_history_get_snapshot (history, 15);
  g_assert_true (rs_graph_view_get_snapshot (view) == snapshot);
  prefix = g_strdup_printf ("step 16 · %s(", rs_snapshot_get_call (snapshot));
  g_assert_true (g_str_has_prefix (rs_window_get_subtitle (window), prefix));
  g_assert_cmpint (rs_timeline_get_position (rs_window_get_timeline (window)), ==, 15);
  g_assert_cmpuint (rs_timeline_get_length (rs_window_get_timeline (window)), ==, 21);

  /* Click the newest buffer's node. */
  g_assert_cmpuint (rs_snapshot_get_n_buffers (snapshot), >, 0);
  buffer = rs_snapshot_get_buffer (snapshot, rs_snapshot_get_n_buffers (snapshot) - 1);
  node = rs_graph_find_buffer (rs_render_get_graph (rs_graph_view_get_render (view)), buffer->id);
  g_assert_nonnull (node);
  rs_graph_view_to_widget (view, node->x + node->width / 2, node->y + node->height / 2, &x, &y);
  rs_graph_view_select_at (view, x, y);
  g_assert_cmpint (rs_graph_view_get_selection (view)->kind, ==, RS_SELECTION_BUFFER);
  g_assert_cmpuint (rs_graph_view_get_selection (view)->buffer_id, ==, buffer->id);

  {
    g_autofree char *title = g_strdup_printf ("#%" G_GUINT64_FORMAT, buffer->id);
    g_assert_cmpstr (rs_inspector_get_title (inspector), ==, title);
  }
  refcount = g_strdup_printf ("%d (app %d + libav %d)", buffer->refcount, buffer->visible, buffer->hidden);
  g_assert_cmpstr (rs_inspector_get_field (inspector, "Refcount"), ==, refcount);
  /* Sizes in one unit system, GLib's, with the count of bytes. */
  {
    g_autofree char *size = g_format_size_full (buffer->size, G_FORMAT_SIZE_LONG_FORMAT);

    g_assert_cmpstr (rs_inspector_get_field (inspector, "Size"), ==, size);
  }
  /* The legend is over the canvas, never a node of the graph. */
  rs_graph_view_set_legend (view, TRUE);
  g_assert_null (rs_graph_find_node (rs_render_get_graph (rs_graph_view_get_render (view)), "legend"));
  activate (window, "win.legend", 1);
  g_assert_false (rs_graph_view_get_legend (view));
  retainers = rs_snapshot_get_retainers (snapshot, buffer->id);
  g_assert_cmpuint (retainers->len, >, 0);

  /* The selection follows the buffer when stepping back. */
  activate (window, "win.back", 1);
  snapshot = rs_history_get_snapshot (history, 14);
  g_assert_cmpstr (rs_inspector_get_title (inspector), !=, NULL);
  if (rs_snapshot_find_buffer (snapshot, buffer->id) != NULL)
    {
      const RsBuffer *before = rs_snapshot_find_buffer (snapshot, buffer->id);
      g_autofree char *expected = g_strdup_printf ("%d (app %d + libav %d)", before->refcount, before->visible, before->hidden);

      g_assert_cmpstr (rs_inspector_get_field (inspector, "Refcount"), ==, expected);
    }

  /* A click on the refcount plot goes to that step. */
  g_signal_emit_by_name (inspector, "seek", 12u);
  g_assert_cmpint (rs_player_get_position (player), ==, 12);
  g_assert_cmpuint (rs_graph_view_get_selection (view)->buffer_id, ==, buffer->id);
  snapshot = rs_history_get_snapshot (history, 12);

  /* The dark style reaches the graph. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (rs_graph_view_get_dark (view));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
  g_assert_false (rs_graph_view_get_dark (view));

  /* A handle. */
  {
    const RsHandle *handle = rs_snapshot_get_handle (snapshot, 0);
    RsSelection selection = { RS_SELECTION_HANDLE, 0, handle->id };

    rs_graph_view_set_selection (view, &selection);
    g_assert_cmpstr (rs_inspector_get_title (inspector), ==, handle->id);
    g_assert_nonnull (rs_inspector_get_field (inspector, "pts"));
  }

  ui_test_close_window (window);
}

static gboolean
is_run_ahead (gpointer data)
{
  RsPlayer *player = data;

  return rs_history_get_length (rs_player_get_history (player)) == (guint) rs_player_get_position (player) + 2 ||
         rs_player_is_complete (player);
}

/* A laid-out graph's DOT, less the bounding box the layout added. */
static char *
without_bb (char *dot)
{
  g_autoptr(GRegex) bb = g_regex_new ("bb=\"[^\"]*\",\\s*", 0, 0, NULL);
  char *text = g_regex_replace_literal (bb, dot, -1, 0, "", 0, NULL);

  g_free (dot);
  return text;
}

/* The graph of `snapshot` as a view with `view`'s options draws it. */
static char *
dot_of (RsGraphView *view,
        RsSnapshot  *snapshot,
        RsSnapshot  *previous)
{
  g_autoptr(RsDiff) diff = rs_diff_new (previous, snapshot);
  g_autoptr(RsGraph) graph = NULL;
  g_autoptr(GError) error = NULL;
  RsGraphOptions options;
  char *dot;

  rs_graph_options_init (&options);
  options.dark = rs_graph_view_get_dark (view);
  /* The legend is a widget over the canvas, never a node. */
  options.legend = FALSE;
  options.no_title = TRUE;
  graph = rs_graph_build (snapshot, diff, &options);
  dot = rs_graph_to_dot (graph, NULL, &error);
  g_assert_no_error (error);
  return dot;
}

/* Given time between steps, the window runs the next call ahead and lays
 * out its graph on a worker thread. The step stays hidden until reached,
 * and the graph then shown is the graph of the snapshot shown. */
static void
test_window_prepared_steps (void)
{
  RsWindow *window = new_window_on_sample ();
  RsPlayer *player = rs_window_get_player (window);
  RsGraphView *view = rs_window_get_graph_view (window);

  for (int i = 1; i <= 40; i++)
    {
      g_autofree char *shown = NULL;
      g_autofree char *expected = NULL;

      ui_test_spin_until (is_run_ahead, player, 20);
      ui_test_spin_a_little ();
      g_assert_cmpuint (rs_player_get_length (player), ==, (guint) rs_player_get_position (player) + 1);
      g_assert_cmpuint (rs_timeline_get_length (rs_window_get_timeline (window)), ==, rs_player_get_length (player));
      activate (window, i % 10 == 0 ? "win.back" : "win.step", 1);

      g_assert_true (rs_graph_view_get_snapshot (view) == rs_player_get_snapshot (player));
      shown = without_bb (rs_graph_to_dot (rs_render_get_graph (rs_graph_view_get_render (view)), NULL, NULL));
      expected = dot_of (view, rs_player_get_snapshot (player), rs_player_get_previous (player));
      g_assert_cmpstr (shown, ==, expected);
      if (i % 10 == 0)
        activate (window, "win.step", 1);
    }

  /* Going back, the step before is prepared. */
  for (int i = 0; i < 6; i++)
    {
      g_autofree char *shown = NULL;
      g_autofree char *expected = NULL;

      ui_test_spin_a_little ();
      activate (window, "win.back", 1);
      shown = without_bb (rs_graph_to_dot (rs_render_get_graph (rs_graph_view_get_render (view)), NULL, NULL));
      expected = dot_of (view, rs_player_get_snapshot (player), rs_player_get_previous (player));
      g_assert_cmpstr (shown, ==, expected);
    }
  ui_test_close_window (window);
}

/* The drawing of `render`: its size, then each node's name and box. */
static char *
describe_layout (RsRender *render)
{
  RsGraph *graph = rs_render_get_graph (render);
  GString *text = g_string_new (NULL);
  double width = 0, height = 0;

  rs_render_get_size (render, &width, &height);
  g_string_append_printf (text, "%.1f×%.1f\n", width, height);
  for (guint i = 0; graph != NULL && i < rs_graph_get_n_nodes (graph); i++)
    {
      const RsGraphNode *node = rs_graph_get_node (graph, i);

      g_string_append_printf (text, "%s %.1f,%.1f %.1f×%.1f\n", node->name, node->x, node->y, node->width, node->height);
    }
  return g_string_free (text, FALSE);
}

/* The layout a render that remembers nothing gives the step shown, with
 * the view's options. The render is freed at once, as an export's is: the
 * window's next drawing must not depend on it. */
static char *
fresh_layout (RsGraphView *view,
              RsPlayer    *player)
{
  g_autoptr(RsRender) render = rs_render_new ();
  g_autoptr(RsDiff) diff = rs_diff_new (rs_player_get_previous (player), rs_player_get_snapshot (player));
  g_autoptr(GError) error = NULL;
  RsGraphOptions options;

  rs_graph_options_init (&options);
  options.dark = rs_graph_view_get_dark (view);
  options.legend = FALSE;
  options.no_title = TRUE;
  g_assert_true (rs_render_update (render, rs_player_get_snapshot (player), diff, &options, &error));
  g_assert_no_error (error);
  return describe_layout (render);
}

/* Does `menu` (or a section or submenu of it) have an item for `action`? */
static gboolean
menu_has_action (GMenuModel *menu,
                 const char *action)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *name = NULL;
      g_autoptr(GMenuLinkIter) links = g_menu_model_iterate_item_links (menu, i);

      if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &name) &&
          g_str_equal (name, action))
        return TRUE;
      while (g_menu_link_iter_next (links))
        {
          g_autoptr(GMenuModel) link = g_menu_link_iter_get_value (links);

          if (menu_has_action (link, action))
            return TRUE;
        }
    }
  return FALSE;
}

/* Relayout (R, in the main menu): nodes keep their places while the graph
 * grows and shrinks; after a relayout the step shown is laid out as a
 * render that remembers nothing lays it out, and the next steps are laid
 * out from there. */
static void
test_window_relayout (void)
{
  RsWindow *window = new_window_on_sample ();
  RsPlayer *player = rs_window_get_player (window);
  RsGraphView *view = rs_window_get_graph_view (window);
  GMenuModel *menu = G_MENU_MODEL (gtk_widget_get_template_child (GTK_WIDGET (window), RS_TYPE_WINDOW, "primary_menu"));
  g_autofree char *before = NULL;
  g_autofree char *fresh = NULL;
  g_autofree char *after = NULL;
  double width_before = 0, height_before = 0, width = 0, height = 0;
  guint steps = 0;

  g_assert_true (menu_has_action (menu, "win.relayout"));
  /* Step until the places remembered give another drawing than a fresh
   * layout would (the graph grew and shrank around nodes that stayed). */
  for (steps = 0; steps < 600; steps++)
    {
      g_clear_pointer (&before, g_free);
      g_clear_pointer (&fresh, g_free);
      activate (window, "win.step", 1);
      before = describe_layout (rs_graph_view_get_render (view));
      fresh = fresh_layout (view, player);
      if (g_strcmp0 (before, fresh) != 0)
        break;
    }
  g_test_message ("step %d: the remembered layout differs from a fresh one", rs_player_get_position (player) + 1);
  g_assert_cmpstr (before, !=, fresh);
  rs_render_get_size (rs_graph_view_get_render (view), &width_before, &height_before);

  activate (window, "win.relayout", 1);
  after = describe_layout (rs_graph_view_get_render (view));
  g_assert_cmpstr (after, ==, fresh);
  rs_render_get_size (rs_graph_view_get_render (view), &width, &height);
  g_test_message ("drawing %.0f×%.0f before, %.0f×%.0f after", width_before, height_before, width, height);
  g_assert_true (rs_graph_view_get_snapshot (view) == rs_player_get_snapshot (player));

  /* Going on, the graph shown is still the graph of the step shown. */
  for (int i = 0; i < 10; i++)
    {
      g_autofree char *shown = NULL;
      g_autofree char *expected = NULL;

      ui_test_spin_a_little ();
      activate (window, "win.step", 1);
      shown = without_bb (rs_graph_to_dot (rs_render_get_graph (rs_graph_view_get_render (view)), NULL, NULL));
      expected = dot_of (view, rs_player_get_snapshot (player), rs_player_get_previous (player));
      g_assert_cmpstr (shown, ==, expected);
    }

  ui_test_close_window (window);

  /* Nothing open: nothing to lay out, nothing happens. */
  window = g_object_ref (rs_window_new (NULL));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.relayout", NULL);
  g_assert_null (rs_render_get_graph (rs_graph_view_get_render (rs_window_get_graph_view (window))));
  ui_test_close_window (window);
}

static gboolean
is_recent (gpointer data)
{
  return ui_test_find_recent (data, sample) >= 0;
}

/* A file opened is listed under Open Recent, and its item opens it again. */
static void
test_window_recent (void)
{
  RsWindow *window = new_window_on_sample ();
  g_autofree char *other = g_build_filename (g_getenv ("RS_MEDIA_DIR"), "sample.webm", NULL);
  GMenuModel *menu = rs_window_get_recent_menu (window);
  g_autoptr(GVariant) target = NULL;
  int index;

  ui_test_spin_until (is_recent, window, 20);
  g_assert_true (rs_window_open (window, other, NULL));
  g_assert_cmpstr (rs_player_get_path (rs_window_get_player (window)), ==, other);

  index = ui_test_find_recent (window, sample);
  target = g_menu_model_get_item_attribute_value (menu, index, G_MENU_ATTRIBUTE_TARGET, NULL);
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (window), "win.open-file", target));
  g_assert_cmpstr (rs_player_get_path (rs_window_get_player (window)), ==, sample);
  ui_test_close_window (window);
}

/* Export Every Step, which runs the session to the end first, is tested on
 * a short clip in test-window-streams.c. */

/* What the window's drop target does with `value`, as if it was dropped. */
static gboolean
drop (RsWindow     *window,
      const GValue *value)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  gboolean accepted = FALSE;
  guint drop_targets = 0;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        {
          g_signal_emit_by_name (controller, "drop", value, 10.0, 10.0, &accepted);
          drop_targets++;
        }
    }
  g_assert_cmpuint (drop_targets, ==, 1);
  return accepted;
}

/* Files dropped on the window open; a non-local one is refused, named. */
static void
test_window_drop (void)
{
  RsWindow *window = new_window_on_sample ();
  g_autofree char *webm = g_build_filename (g_getenv ("RS_MEDIA_DIR"), "sample.webm", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (webm);
  g_autoptr(GFile) remote = g_file_new_for_uri ("http://example.invalid/clip.mp4");
  g_auto(GValue) value = G_VALUE_INIT;
  GSList files = { file, NULL };

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_set_boxed (&value, &files);
  g_assert_true (drop (window, &value));
  g_assert_cmpstr (rs_player_get_path (rs_window_get_player (window)), ==, webm);

  g_value_unset (&value);
  g_value_init (&value, G_TYPE_FILE);
  g_value_set_object (&value, remote);
  g_assert_false (drop (window, &value));
  g_assert_cmpstr (rs_player_get_path (rs_window_get_player (window)), ==, webm);
  g_assert_nonnull (strstr (rs_window_get_last_message (window), "http://example.invalid/clip.mp4"));
  ui_test_close_window (window);
}

static void
test_window_bad_file (void)
{
  RsWindow *window = new_window_on_sample ();
  RsPlayer *player = rs_window_get_player (window);
  g_autofree char *bad = NULL;
  GError *error = NULL;
  int fd;

  activate (window, "win.step", 3);
  fd = g_file_open_tmp ("refscope-bad-XXXXXX.mp4", &bad, &error);
  g_assert_no_error (error);
  g_assert_true (write (fd, "not a video at all\n", 19) == 19);
  close (fd);

  g_assert_false (rs_window_open (window, bad, NULL));
  g_assert_nonnull (rs_window_get_last_message (window));
  g_assert_nonnull (strstr (rs_window_get_last_message (window), bad));
  /* The previous session stays, and works. */
  g_assert_cmpstr (rs_player_get_path (player), ==, sample);
  g_assert_cmpint (rs_player_get_position (player), ==, 3);
  activate (window, "win.step", 1);
  g_assert_cmpint (rs_player_get_position (player), ==, 4);

  g_assert_false (rs_window_open (window, "http://example.com/clip.mp4", NULL));
  g_assert_nonnull (strstr (rs_window_get_last_message (window), "http://example.com/clip.mp4"));
  g_assert_cmpstr (rs_player_get_path (player), ==, sample);

  g_assert_false (rs_window_open (window, "/nonexistent/clip.mp4", NULL));
  g_assert_nonnull (strstr (rs_window_get_last_message (window), "/nonexistent/clip.mp4"));

  g_unlink (bad);
  ui_test_close_window (window);
}

static void
check_file_starts_with (const char *path,
                        const char *magic,
                        gsize       length)
{
  g_autofree char *contents = NULL;
  gsize size = 0;
  GError *error = NULL;

  g_file_get_contents (path, &contents, &size, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (size, >, length);
  g_assert_cmpmem (contents, length, magic, length);
}

static void
test_window_export (void)
{
  RsWindow *window = new_window_on_sample ();
  g_autofree char *dir = NULL;
  g_autofree char *png = NULL;
  g_autofree char *svg = NULL;
  g_autofree char *odd = NULL;
  g_autofree char *missing = NULL;
  GError *error = NULL;

  activate (window, "win.next-frame", 1);
  dir = g_dir_make_tmp ("refscope-export-XXXXXX", &error);
  g_assert_no_error (error);

  png = g_build_filename (dir, "step.png", NULL);
  g_assert_true (rs_window_export (window, png, &error));
  g_assert_no_error (error);
  check_file_starts_with (png, "\x89PNG\r\n\x1a\n", 8);

  svg = g_build_filename (dir, "step.svg", NULL);
  g_assert_true (rs_window_export (window, svg, &error));
  g_assert_no_error (error);

  odd = g_build_filename (dir, "step.jpeg", NULL);
  g_assert_false (rs_window_export (window, odd, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (g_file_test (odd, G_FILE_TEST_EXISTS));

  missing = g_build_filename (dir, "no", "such", "dir.png", NULL);
  g_assert_false (rs_window_export (window, missing, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_unlink (png);
  g_unlink (svg);
  g_rmdir (dir);
  ui_test_close_window (window);
}

static void
test_window_run_to_end (void)
{
  RsWindow *window = new_window_on_sample ();
  RsPlayer *player = rs_window_get_player (window);

  activate (window, "win.run-to-end", 1);
  g_assert_true (rs_player_get_busy (player));
  /* Stepping is off while the worker runs. */
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL) &&
                  rs_player_get_position (player) != 0);
  ui_test_spin_until (ui_test_is_idle, window, 120);
  g_assert_true (rs_player_is_complete (player));
  g_assert_true (rs_player_is_at_end (player));
  g_assert_cmpint (rs_player_get_position (player), ==, (int) rs_player_get_length (player) - 1);
  g_assert_cmpuint (rs_timeline_get_length (rs_window_get_timeline (window)), ==, rs_player_get_length (player));

  /* Jump back on the timeline, as a click does. */
  g_signal_emit_by_name (rs_window_get_timeline (window), "seek", 100u);
  g_assert_cmpint (rs_player_get_position (player), ==, 100);

  ui_test_close_window (window);
}

static void
test_window_cancel_run (void)
{
  RsWindow *window = new_window_on_sample ();
  RsPlayer *player = rs_window_get_player (window);

  activate (window, "win.run-to-end", 1);
  activate (window, "win.cancel-run", 1);
  ui_test_spin_until (ui_test_is_idle, window, 60);
  /* Whatever ran is kept, and the last step recorded is shown. */
  g_assert_cmpint (rs_player_get_position (player), ==, (int) rs_player_get_length (player) - 1);
  activate (window, "win.back", 1);
  ui_test_close_window (window);
}

/* Closing the window while the worker runs cancels it, and nothing leaks. */
static void
test_window_close_while_running (void)
{
  RsWindow *window = new_window_on_sample ();
  g_autoptr(RsPlayer) player = g_object_ref (rs_window_get_player (window));

  activate (window, "win.run-to-end", 1);
  g_assert_true (rs_player_get_busy (player));
  gtk_window_destroy (GTK_WINDOW (window));
  /* The worker stops at its next step; then the task lets go. */
  ui_test_spin_until (is_player_idle, player, 60);
  ui_test_spin_a_little ();
  g_assert_finalize_object (window);
}

static gboolean
is_past_step_5 (gpointer data)
{
  return rs_player_get_position (rs_window_get_player (data)) >= 5;
}

/* win.play steps on its own at the chosen speed; stepping by hand pauses. */
static void
test_window_play (void)
{
  RsWindow *window = new_window_on_sample ();
  RsPlayer *player = rs_window_get_player (window);
  g_autoptr(GVariant) state = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.speed", "u", 60));
  g_assert_cmpuint (rs_player_get_speed (player), ==, 60);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.play", NULL));
  g_assert_true (rs_player_get_playing (player));
  ui_test_spin_until (is_past_step_5, window, 20);
  activate (window, "win.back", 1);
  g_assert_false (rs_player_get_playing (player));
  ui_test_close_window (window);
}

/* Applying pipeline settings restarts the session with them; a failure to
 * restart keeps the session. */
static void
test_window_pipeline (void)
{
  RsWindow *window = new_window_on_sample ();
  RsPlayer *player = rs_window_get_player (window);
  RsDecodeSettings settings;

  activate (window, "win.step", 10);
  rs_decode_settings_init (&settings);
  settings.packet_queue = 2;
  settings.copy = RS_COPY_REF;
  settings.streams = RS_STREAMS_VIDEO;
  g_assert_true (rs_window_open (window, sample, &settings));
  g_assert_cmpint (rs_player_get_position (player), ==, 0);
  g_assert_cmpint (rs_player_get_settings (player)->packet_queue, ==, 2);
  g_assert_cmpint (rs_player_get_settings (player)->copy, ==, RS_COPY_REF);
  g_assert_cmpint (rs_player_get_settings (player)->streams, ==, RS_STREAMS_VIDEO);
  activate (window, "win.next-frame", 1);
  g_assert_cmpstr (rs_snapshot_get_call (rs_player_get_snapshot (player)), ==, "avcodec_receive_frame");

  /* The restart action keeps the settings. */
  activate (window, "win.restart", 1);
  g_assert_cmpint (rs_player_get_position (player), ==, 0);
  g_assert_cmpint (rs_player_get_settings (player)->packet_queue, ==, 2);
  ui_test_close_window (window);
}


static GtkWidget *
child (RsWindow   *window,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (window), RS_TYPE_WINDOW, name);

  g_assert_nonnull (object);
  return GTK_WIDGET (object);
}

/* The selected node is on screen, inside the view. */
static void
assert_selection_in_view (RsWindow *window)
{
  RsGraphView *view = rs_window_get_graph_view (window);
  const RsSelection *selection = rs_graph_view_get_selection (view);
  RsGraph *graph = rs_render_get_graph (rs_graph_view_get_render (view));
  const RsGraphNode *node = selection->kind == RS_SELECTION_BUFFER
    ? rs_graph_find_buffer (graph, selection->buffer_id) : rs_graph_find_handle (graph, selection->id);
  double x0, y0, x1, y1;

  g_assert_nonnull (node);
  rs_graph_view_to_widget (view, node->x, node->y, &x0, &y0);
  rs_graph_view_to_widget (view, node->x + node->width, node->y + node->height, &x1, &y1);
  g_assert_cmpfloat (x0, >=, 0);
  g_assert_cmpfloat (y0, >=, 0);
  g_assert_cmpfloat (x1, <=, gtk_widget_get_width (GTK_WIDGET (view)));
  g_assert_cmpfloat (y1, <=, gtk_widget_get_height (GTK_WIDGET (view)));
}

/* Ctrl+F: a buffer by number goes to a step where it lives and selects it,
 * in view even zoomed in; a packet or frame by name; a call, the next one
 * each time; nothing for nonsense, saying so. */
static void
test_window_find (void)
{
  RsWindow *window = new_window_on_sample ();
  RsPlayer *player = rs_window_get_player (window);
  RsGraphView *view = rs_window_get_graph_view (window);
  RsHistory *history;
  RsSnapshot *snapshot;
  const RsBuffer *early = NULL;
  g_autofree char *query = NULL;
  int first_call;

  activate (window, "win.step", 60);
  history = rs_player_get_history (player);
  /* A buffer alive at step 3 and gone by step 60. */
  snapshot = rs_history_get_snapshot (history, 3);
  for (guint i = 0; i < rs_snapshot_get_n_buffers (snapshot) && early == NULL; i++)
    if (rs_snapshot_find_buffer (rs_history_get_snapshot (history, 60), rs_snapshot_get_buffer (snapshot, i)->id) == NULL)
      early = rs_snapshot_get_buffer (snapshot, i);
  g_assert_nonnull (early);

  /* Zoomed in, so that most of the graph is off screen. */
  for (int i = 0; i < 6; i++)
    activate (window, "win.zoom-in", 1);
  activate (window, "win.find", 1);
  g_assert_true (gtk_search_bar_get_search_mode (GTK_SEARCH_BAR (child (window, "search_bar"))));
  query = g_strdup_printf ("#%" G_GUINT64_FORMAT, early->id);
  g_assert_true (rs_window_find (window, query));
  g_assert_nonnull (rs_snapshot_find_buffer (rs_player_get_snapshot (player), early->id));
  g_assert_cmpint (rs_player_get_position (player), <, 60);
  g_assert_cmpint (rs_graph_view_get_selection (view)->kind, ==, RS_SELECTION_BUFFER);
  g_assert_cmpuint (rs_graph_view_get_selection (view)->buffer_id, ==, early->id);
  assert_selection_in_view (window);
  g_assert_nonnull (strstr (rs_window_get_search_message (window), query));

  /* A frame by its name. */
  g_assert_true (rs_window_find (window, "video.frame"));
  g_assert_cmpint (rs_graph_view_get_selection (view)->kind, ==, RS_SELECTION_HANDLE);
  g_assert_cmpstr (rs_graph_view_get_selection (view)->id, ==, "video.frame");
  assert_selection_in_view (window);

  /* A call: the next step making it, then the one after. */
  g_assert_true (rs_window_find (window, "avcodec_send_packet"));
  g_assert_cmpstr (rs_snapshot_get_call (rs_player_get_snapshot (player)), ==, "avcodec_send_packet");
  first_call = rs_player_get_position (player);
  g_assert_true (rs_window_find (window, "avcodec_send_packet"));
  g_assert_cmpstr (rs_snapshot_get_call (rs_player_get_snapshot (player)), ==, "avcodec_send_packet");
  g_assert_cmpint (rs_player_get_position (player), >, first_call);
  for (int step = first_call + 1; step < rs_player_get_position (player); step++)
    g_assert_cmpstr (rs_snapshot_get_call (rs_history_get_snapshot (history, step)), !=, "avcodec_send_packet");

  /* Nothing: said, and the step shown stays. */
  first_call = rs_player_get_position (player);
  g_assert_false (rs_window_find (window, "no-such-thing"));
  g_assert_false (rs_window_find (window, "#999999"));
  g_assert_nonnull (strstr (rs_window_get_search_message (window), "#999999"));
  g_assert_cmpint (rs_player_get_position (player), ==, first_call);

  /* A jump on the timeline keeps the selection in view too. */
  g_assert_true (rs_window_find (window, "reader"));
  g_signal_emit_by_name (rs_window_get_timeline (window), "seek", 2u);
  g_assert_cmpint (rs_player_get_position (player), ==, 2);
  assert_selection_in_view (window);
  ui_test_close_window (window);
}

/* Ctrl+G: the popover goes to a step counted from 1, as the window shows
 * them; a step not recorded is refused, said. */
static void
test_window_go_to_step (void)
{
  RsWindow *window = new_window_on_sample ();
  RsPlayer *player = rs_window_get_player (window);
  GtkWidget *entry = child (window, "goto_entry");

  activate (window, "win.step", 40);
  g_assert_true (rs_window_go_to_step (window, 10));
  g_assert_cmpint (rs_player_get_position (player), ==, 9);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (child (window, "position_label"))), ==, "Step 10 · 41 recorded");
  g_assert_true (g_str_has_prefix (rs_window_get_subtitle (window), "step 10 · "));

  activate (window, "win.go-to-step", 1);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (child (window, "goto_button"))))));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "10");
  gtk_editable_set_text (GTK_EDITABLE (entry), "33");
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpint (rs_player_get_position (player), ==, 32);
  ui_test_spin_a_little ();
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (child (window, "goto_button"))))));

  g_assert_false (rs_window_go_to_step (window, 500));
  g_assert_cmpint (rs_player_get_position (player), ==, 32);
  g_assert_cmpstr (rs_window_get_last_message (window), ==,
                   "Step 500 is not recorded yet: 41 steps so far. Run to the End (Ctrl+End) records them all");
  ui_test_close_window (window);

  /* A new window has recorded one step: "1 step", not "1 steps". */
  window = new_window_on_sample ();
  g_assert_false (rs_window_go_to_step (window, 3));
  g_assert_cmpstr (rs_window_get_last_message (window), ==,
                   "Step 3 is not recorded yet: 1 step so far. Run to the End (Ctrl+End) records them all");
  ui_test_close_window (window);
}

static gboolean
has_focus (gpointer data)
{
  return gtk_widget_has_focus (data) && gtk_window_is_active (GTK_WINDOW (gtk_widget_get_root (data)));
}

static gboolean
has_focus_within (gpointer data)
{
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (data));

  return focus != NULL && gtk_widget_is_ancestor (focus, data);
}

static int wanted_position;

static gboolean
is_at_wanted_position (gpointer data)
{
  return rs_player_get_position (rs_window_get_player (data)) == wanted_position;
}

/* Presses `key` (an xdotool key name) in the window, as the X server sends it. */
static void
press (RsWindow   *window,
       const char *key)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  g_autofree char *command = g_strdup_printf ("xdotool key --clearmodifiers %s", key);
  GError *error = NULL;
  int status = 0;

  g_assert_true (GDK_IS_X11_SURFACE (surface));
  g_spawn_command_line_sync (command, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* Space steps and Backspace steps back whatever has the focus: a toggle
 * button reached with Tab does not take Space for itself. The first-run
 * hint shows until the first step. Real key presses, through X. */
static void
test_window_space_on_toggle (void)
{
  RsWindow *window;
  RsPlayer *player;
  GtkWidget *toggle;
  GdkSurface *surface;
  gboolean active;
  g_autofree char *focus = NULL;
  g_autofree char *xdotool = g_find_program_in_path ("xdotool");

  if (xdotool == NULL)
    {
      g_test_skip ("xdotool is not installed: no real key presses (apt install xdotool)");
      return;
    }
  window = new_window_on_sample ();
  player = rs_window_get_player (window);
  toggle = child (window, "inspector_button");
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (child (window, "hint_revealer"))));

  surface = gtk_native_get_surface (GTK_NATIVE (window));
  focus = g_strdup_printf ("xdotool windowfocus --sync %lu", (gulong) gdk_x11_surface_get_xid (surface));
  g_assert_true (g_spawn_command_line_sync (focus, NULL, NULL, NULL, NULL));
  gtk_widget_grab_focus (toggle);
  ui_test_spin_until (has_focus, toggle, 20);
  active = gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (toggle));

  wanted_position = 1;
  press (window, "space");
  ui_test_spin_until (is_at_wanted_position, window, 20);
  g_assert_cmpint (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (toggle)), ==, active);
  g_assert_true (gtk_widget_has_focus (toggle));
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (child (window, "hint_revealer"))));

  wanted_position = 2;
  press (window, "space");
  ui_test_spin_until (is_at_wanted_position, window, 20);
  wanted_position = 1;
  press (window, "BackSpace");
  ui_test_spin_until (is_at_wanted_position, window, 20);
  g_assert_cmpint (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (toggle)), ==, active);

  /* In the search field Space is typed, not a step. */
  activate (window, "win.find", 1);
  ui_test_spin_until (has_focus_within, child (window, "search_entry"), 20);
  ui_test_spin_a_little ();
  press (window, "a space b");
  ui_test_spin_a_little ();
  g_assert_cmpint (rs_player_get_position (player), ==, 1);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (window, "search_entry"))), ==, "a b");
  ui_test_close_window (window);
}

static gboolean
is_summary_hidden (gpointer data)
{
  return rs_window_get_summary (data) == NULL;
}

/* At the end: "Step N of N", and a summary of the session (steps, peak
 * buffers and bytes, leaks) computed here from the history; it goes when
 * stepping back, and the timeline zooms in to single steps. */
static void
test_window_summary (void)
{
  RsWindow *window = new_window_on_sample ();
  RsPlayer *player = rs_window_get_player (window);
  RsTimeline *timeline = rs_window_get_timeline (window);
  RsHistory *history;
  guint length, peak_buffers = 0;
  guint64 peak_bytes = 0;
  g_autofree char *position = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *bytes = NULL;
  double first, steps;
  GtkWidget *close;
  g_autofree char *xdotool = g_find_program_in_path ("xdotool");

  g_assert_null (rs_window_get_summary (window));
  activate (window, "win.run-to-end", 1);
  ui_test_spin_until (ui_test_is_idle, window, 120);
  g_assert_true (rs_player_is_at_end (player));
  history = rs_player_get_history (player);
  length = rs_history_get_length (history);
  for (guint i = 0; i < length; i++)
    {
      RsSnapshot *snapshot = rs_history_get_snapshot (history, i);

      peak_buffers = MAX (peak_buffers, rs_snapshot_get_n_buffers (snapshot));
      peak_bytes = MAX (peak_bytes, rs_snapshot_get_live_bytes (snapshot));
    }
  position = g_strdup_printf ("Step %u of %u", length, length);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (child (window, "position_label"))), ==, position);

  bytes = g_format_size (peak_bytes);
  expected = g_strdup_printf ("%u steps · peak %u buffers, %s live at once · leaks: none", length, peak_buffers, bytes);
  g_assert_cmpstr (rs_window_get_summary (window), ==, expected);
  g_assert_cmpuint (peak_buffers, >, 0);

  activate (window, "win.back", 1);
  g_assert_null (rs_window_get_summary (window));
  activate (window, "win.last", 1);
  g_assert_cmpstr (rs_window_get_summary (window), ==, expected);
  /* Escape closes it (win.hide-summary), only while it is shown. */
  close = gtk_widget_get_next_sibling (child (window, "summary_title"));
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (close)), ==, "win.hide-summary");
  g_assert_true (gtk_widget_get_sensitive (close));
  if (xdotool != NULL)
    {
      /* A real Escape: the banner's and the run's actions are off, so it
       * reaches the summary's. */
      g_autofree char *focus = g_strdup_printf ("xdotool windowfocus --sync %lu",
                                                (gulong) gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (window))));

      g_assert_true (g_spawn_command_line_sync (focus, NULL, NULL, NULL, NULL));
      ui_test_spin_a_little ();
      press (window, "Escape");
      ui_test_spin_until (is_summary_hidden, window, 20);
    }
  else
    activate (window, "win.hide-summary", 1);
  g_assert_null (rs_window_get_summary (window));
  g_assert_false (gtk_widget_get_sensitive (close));

  /* The timeline: zoomed in to a few steps; a jump far away brings the
   * view along; 0 shows all again. */
  g_assert_cmpuint (length, >, 500);
  for (int i = 0; i < 12; i++)
    activate (window, "win.timeline-zoom-in", 1);
  rs_timeline_get_view (timeline, &first, &steps);
  g_assert_cmpfloat (steps, <=, 16);
  g_assert_true (rs_window_go_to_step (window, 100));
  rs_timeline_get_view (timeline, &first, &steps);
  g_assert_cmpfloat (first, <=, 99);
  g_assert_cmpfloat (first + steps, >=, 100);
  activate (window, "win.timeline-zoom-all", 1);
  rs_timeline_get_view (timeline, &first, &steps);
  g_assert_cmpfloat (first, ==, 0);
  g_assert_cmpfloat (steps, >=, length);
  ui_test_close_window (window);
}

/* A lesson that leaks: the summary counts and lists its leaks, and a leak's
 * button selects what leaked. */
static void
test_window_summary_leaks (void)
{
  RsWindow *window = g_object_ref (rs_window_new (NULL));
  g_autofree char *lesson = g_build_filename (g_getenv ("RS_SCENARIO_DIR") != NULL ? g_getenv ("RS_SCENARIO_DIR") : RS_SCENARIO_DIR,
                                              "02-init-packet-leak.c", NULL);
  RsPlayer *player = rs_window_get_player (window);
  g_autoptr(GArray) leaks = NULL;
  g_autofree char *count = NULL;
  GtkWidget *button;

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (rs_window_open (window, lesson, NULL));
  ui_test_spin_until (is_drawn, window, 20);
  while (!rs_player_is_at_end (player))
    activate (window, "win.step", 1);
  leaks = rs_history_query_leaks (rs_player_get_history (player));
  g_assert_cmpuint (leaks->len, >, 0);
  count = g_strdup_printf ("leaks: %u, listed below", leaks->len);
  g_assert_nonnull (rs_window_get_summary (window));
  g_assert_nonnull (strstr (rs_window_get_summary (window), count));

  button = gtk_widget_get_first_child (child (window, "summary_leaks"));
  g_assert_true (GTK_IS_BUTTON (button));
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpint (rs_graph_view_get_selection (rs_window_get_graph_view (window))->kind, !=, RS_SELECTION_NONE);
  ui_test_close_window (window);
}

/* A file that cannot be opened: the whole reason, in a banner that wraps
 * (no toast cut short), until dismissed; with nothing open, on the page
 * where the graph would be. */
static void
test_window_error_banner (void)
{
  RsWindow *window = new_window_on_sample ();
  RsWindow *empty;
  GtkWidget *label = child (window, "error_label");
  g_autofree char *missing = g_build_filename (g_get_tmp_dir (), "refscope-no-such-dir", "a clip with a long name that would not fit in a toast.mp4", NULL);

  g_assert_null (rs_window_get_error (window));
  g_assert_false (rs_window_open (window, missing, NULL));
  g_assert_nonnull (rs_window_get_error (window));
  g_assert_cmpstr (rs_window_get_error (window), ==, rs_window_get_last_message (window));
  g_assert_nonnull (strstr (rs_window_get_error (window), missing));
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (child (window, "error_revealer"))));
  g_assert_true (gtk_label_get_wrap (GTK_LABEL (label)));
  g_assert_cmpint (gtk_label_get_ellipsize (GTK_LABEL (label)), ==, PANGO_ELLIPSIZE_NONE);
  activate (window, "win.dismiss-error", 1);
  g_assert_null (rs_window_get_error (window));
  /* A file that opens takes a banner away too. */
  g_assert_false (rs_window_open (window, missing, NULL));
  g_assert_true (rs_window_open (window, sample, NULL));
  g_assert_null (rs_window_get_error (window));
  ui_test_close_window (window);

  empty = g_object_ref (rs_window_new (NULL));
  gtk_window_present (GTK_WINDOW (empty));
  g_assert_false (rs_window_open (empty, missing, NULL));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (empty, "content_stack"))), ==, "empty");
  g_assert_nonnull (strstr (rs_window_get_error (empty), missing));
  g_assert_cmpstr (adw_status_page_get_description (ADW_STATUS_PAGE (child (empty, "empty_page"))), ==,
                   rs_window_get_error (empty));
  ui_test_close_window (empty);
}

static gboolean
is_flap_still (gpointer data)
{
  AdwFlap *flap = ADW_FLAP (child (data, "flap"));
  double progress = adw_flap_get_reveal_progress (flap);

  return progress == (adw_flap_get_reveal_flap (flap) ? 1.0 : 0.0);
}

/* Ctrl+0 once the flap has finished moving and the canvas has its size:
 * the zoom the window shows then. */
static double
fit_zoom (RsWindow *window)
{
  ui_test_spin_until (is_flap_still, window, 10);
  ui_test_spin_a_little ();
  activate (window, "win.zoom-fit", 1);
  ui_test_spin_a_little ();
  return rs_graph_view_get_zoom (rs_window_get_graph_view (window));
}

/* Selects the node at the middle of the newest buffer's, as a click does. */
static void
click_newest_buffer (RsWindow *window)
{
  RsGraphView *view = rs_window_get_graph_view (window);
  RsSnapshot *snapshot = rs_graph_view_get_snapshot (view);
  const RsBuffer *buffer = rs_snapshot_get_buffer (snapshot, rs_snapshot_get_n_buffers (snapshot) - 1);
  const RsGraphNode *node = rs_graph_find_buffer (rs_render_get_graph (rs_graph_view_get_render (view)), buffer->id);
  double x, y;

  g_assert_nonnull (node);
  rs_graph_view_to_widget (view, node->x + node->width / 2, node->y + node->height / 2, &x, &y);
  rs_graph_view_select_at (view, x, y);
  g_assert_cmpuint (rs_graph_view_get_selection (view)->buffer_id, ==, buffer->id);
}

/* Where the graph is drawn in the view. */
static void
get_drawn (RsGraphView     *view,
           graphene_rect_t *drawn)
{
  double dw = 0, dh = 0, x0, y0, x1, y1;

  rs_render_get_size (rs_graph_view_get_render (view), &dw, &dh);
  rs_graph_view_to_widget (view, 0, 0, &x0, &y0);
  rs_graph_view_to_widget (view, dw, dh, &x1, &y1);
  graphene_rect_init (drawn, x0, y0, x1 - x0, y1 - y0);
}

/* The fitted graph is all in the view, and clear of `widget`. */
static void
assert_fitted_clear_of (RsGraphView *view,
                        GtkWidget   *widget)
{
  graphene_rect_t drawn, card;

  get_drawn (view, &drawn);
  g_assert_true (gtk_widget_compute_bounds (widget, GTK_WIDGET (view), &card));
  g_assert_false (graphene_rect_intersection (&drawn, &card, NULL));
  g_assert_cmpfloat (drawn.origin.x, >=, 0);
  g_assert_cmpfloat (drawn.origin.y, >=, 0);
  g_assert_cmpfloat (drawn.origin.x + drawn.size.width, <=, gtk_widget_get_width (GTK_WIDGET (view)));
  g_assert_cmpfloat (drawn.origin.y + drawn.size.height, <=, gtk_widget_get_height (GTK_WIDGET (view)));
}

/* The button under `widget` whose tooltip starts with `tooltip`, drawn. */
static GtkWidget *
find_button (GtkWidget  *widget,
             const char *tooltip)
{
  const char *text = gtk_widget_get_tooltip_text (widget);

  if (GTK_IS_BUTTON (widget) && gtk_widget_is_drawable (widget) && text != NULL && g_str_has_prefix (text, tooltip))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *button = find_button (child, tooltip);

      if (button != NULL)
        return button;
    }
  return NULL;
}

typedef struct {
  double hidden;
  double folded;
  double unfolded;
} LegendFits;

/* Fits the graph with the legend hidden, folded and unfolded (L); each
 * time the graph is clear of the legend and of the zoom controls. */
static void
fit_with_legend (RsWindow   *window,
                 LegendFits *fits)
{
  RsGraphView *view = rs_window_get_graph_view (window);
  GtkWidget *legend = gtk_widget_get_first_child (GTK_WIDGET (view));
  GtkWidget *controls = gtk_widget_get_parent (gtk_widget_get_parent (child (window, "zoom_label")));
  graphene_rect_t strip, card;

  rs_graph_view_set_legend (view, FALSE);
  fits->hidden = fit_zoom (window);
  assert_fitted_clear_of (view, controls);
  rs_graph_view_set_legend (view, TRUE);
  fits->folded = fit_zoom (window);
  g_assert_true (gtk_widget_get_child_visible (legend));
  assert_fitted_clear_of (view, legend);
  assert_fitted_clear_of (view, controls);
  g_assert_true (gtk_widget_compute_bounds (legend, GTK_WIDGET (view), &strip));
  /* The strip's button unfolds it. */
  g_assert_null (find_button (legend, "Fold"));
  g_signal_emit_by_name (find_button (legend, "Unfold"), "clicked");
  g_assert_true (rs_graph_view_get_legend_expanded (view));
  fits->unfolded = fit_zoom (window);
  g_assert_true (gtk_widget_get_child_visible (legend));
  assert_fitted_clear_of (view, legend);
  assert_fitted_clear_of (view, controls);
  g_assert_true (gtk_widget_compute_bounds (legend, GTK_WIDGET (view), &card));
  g_test_message ("legend strip %.0f×%.0f, card %.0f×%.0f", strip.size.width, strip.size.height,
                  card.size.width, card.size.height);
  g_assert_cmpfloat (strip.size.height, <, card.size.height);
  /* The card's button folds it. */
  ui_test_spin_a_little ();
  g_assert_null (find_button (legend, "Unfold"));
  g_signal_emit_by_name (find_button (legend, "Fold"), "clicked");
  g_assert_false (rs_graph_view_get_legend_expanded (view));
}

/* With nothing selected the inspector takes no room: hidden at start, it
 * opens on a selection, so a fitted graph is larger before; once hidden
 * with F9 it stays hidden. The legend, unfolded over the first steps,
 * folds to a strip that leaves the fitted graph as large as with no
 * legend; unfolded, the graph is fitted clear of its card. */
static void
test_window_inspector_room (void)
{
  RsWindow *window = g_object_ref (rs_window_new (NULL));
  RsGraphView *view = rs_window_get_graph_view (window);
  AdwFlap *flap = ADW_FLAP (child (window, "flap"));
  RsSelection none = { RS_SELECTION_NONE };
  double closed, open, width_closed, zoom;
  LegendFits at50, at117;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (rs_window_open (window, sample, NULL));
  ui_test_spin_until (is_drawn, window, 20);

  /* The legend unfolded over the first five steps, folded from the sixth,
   * and the fitted graph larger as it folds. */
  rs_graph_view_set_legend (view, TRUE);
  activate (window, "win.step", 4);
  ui_test_spin_until (ui_test_is_idle, window, 20);
  g_assert_true (rs_graph_view_get_legend_expanded (view));
  fit_zoom (window);
  activate (window, "win.step", 1);
  ui_test_spin_until (ui_test_is_idle, window, 20);
  g_assert_false (rs_graph_view_get_legend_expanded (view));
  zoom = rs_graph_view_get_zoom (view);
  g_assert_cmpfloat_with_epsilon (fit_zoom (window), zoom, 1e-9);
  /* L unfolds it, and the choice stays. */
  activate (window, "win.toggle-legend", 1);
  activate (window, "win.step", 1);
  g_assert_true (rs_graph_view_get_legend_expanded (view));
  /* A hidden legend shows unfolded with L. */
  activate (window, "win.legend", 1);
  g_assert_false (rs_graph_view_get_legend (view));
  rs_graph_view_set_legend_expanded (view, FALSE);
  activate (window, "win.toggle-legend", 1);
  g_assert_true (rs_graph_view_get_legend (view));
  g_assert_true (rs_graph_view_get_legend_expanded (view));
  rs_graph_view_set_legend_expanded (view, FALSE);

  /* Steps 50 and 117 ("Step 50"): the fit with the legend folded is the
   * fit without it, large enough to read. Stepped here from the first
   * step, both fit at 82% (with the card it was 68% and 72%); the
   * program opened with --steps=117 lays the graph out at once, and
   * fits it at 88% (it was 74% with the card). */
  activate (window, "win.step", 43);
  ui_test_spin_until (ui_test_is_idle, window, 20);
  g_assert_cmpint (rs_player_get_position (rs_window_get_player (window)), ==, 49);
  fit_with_legend (window, &at50);
  activate (window, "win.step", 67);
  ui_test_spin_until (ui_test_is_idle, window, 20);
  fit_with_legend (window, &at117);
  g_test_message ("fit at 1280×800, legend hidden / folded / unfolded: step 50 %.1f%% / %.1f%% / %.1f%%, "
                  "step 117 %.1f%% / %.1f%% / %.1f%%", at50.hidden * 100, at50.folded * 100, at50.unfolded * 100,
                  at117.hidden * 100, at117.folded * 100, at117.unfolded * 100);
  g_assert_cmpfloat_with_epsilon (at50.folded, at50.hidden, 1e-9);
  g_assert_cmpfloat_with_epsilon (at117.folded, at117.hidden, 1e-9);
  g_assert_cmpfloat (at50.folded, >=, 0.78);
  g_assert_cmpfloat (at117.folded, >=, 0.78);
  g_assert_cmpfloat (at50.unfolded, <=, at50.hidden);
  g_assert_cmpfloat (at117.unfolded, <=, at117.hidden);
  rs_graph_view_set_legend (view, FALSE);

  g_assert_false (adw_flap_get_folded (flap));
  g_assert_false (adw_flap_get_reveal_flap (flap));
  g_assert_cmpint (rs_graph_view_get_selection (view)->kind, ==, RS_SELECTION_NONE);
  closed = fit_zoom (window);
  width_closed = gtk_widget_get_width (GTK_WIDGET (view));
  /* Clear of the zoom controls in the bottom-right corner. */
  assert_fitted_clear_of (view, gtk_widget_get_parent (gtk_widget_get_parent (child (window, "zoom_label"))));

  click_newest_buffer (window);
  g_assert_true (adw_flap_get_reveal_flap (flap));
  open = fit_zoom (window);
  g_test_message ("fit at 1280×800: %.0f%% (canvas %.0f px) without the inspector, %.0f%% (%d px) with it",
                  closed * 100, width_closed, open * 100, gtk_widget_get_width (GTK_WIDGET (view)));
  g_assert_cmpfloat (gtk_widget_get_width (GTK_WIDGET (view)), <, width_closed);
  g_assert_cmpfloat (closed, >, open);

  /* Nothing selected again: it stays, the graph does not jump. */
  rs_graph_view_set_selection (view, &none);
  g_assert_true (adw_flap_get_reveal_flap (flap));

  /* Hidden with F9: a selection (a click, Find) leaves it hidden. */
  click_newest_buffer (window);
  g_assert_true (adw_flap_get_reveal_flap (flap));
  activate (window, "win.toggle-inspector", 1);
  g_assert_false (adw_flap_get_reveal_flap (flap));
  rs_graph_view_set_selection (view, &none);
  click_newest_buffer (window);
  g_assert_false (adw_flap_get_reveal_flap (flap));
  /* Shown with F9, it stays with nothing selected. */
  activate (window, "win.toggle-inspector", 1);
  g_assert_true (adw_flap_get_reveal_flap (flap));
  rs_graph_view_set_selection (view, &none);
  g_assert_true (adw_flap_get_reveal_flap (flap));
  activate (window, "win.toggle-inspector", 1);

  ui_test_close_window (window);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  rs_ui_init ();
  sample = g_build_filename (g_getenv ("RS_MEDIA_DIR") != NULL ? g_getenv ("RS_MEDIA_DIR") : RS_MEDIA_DIR,
                             "sample.mp4", NULL);

  g_test_add_func ("/window/step-and-back", test_window_step_and_back);
  g_test_add_func ("/window/prepared-steps", test_window_prepared_steps);
  g_test_add_func ("/window/relayout", test_window_relayout);
  g_test_add_func ("/window/recent", test_window_recent);
  g_test_add_func ("/window/drop", test_window_drop);
  g_test_add_func ("/window/bad-file", test_window_bad_file);
  g_test_add_func ("/window/export", test_window_export);
  g_test_add_func ("/window/run-to-end", test_window_run_to_end);
  g_test_add_func ("/window/cancel-run", test_window_cancel_run);
  g_test_add_func ("/window/close-while-running", test_window_close_while_running);
  g_test_add_func ("/window/play", test_window_play);
  g_test_add_func ("/window/pipeline", test_window_pipeline);
  g_test_add_func ("/window/find", test_window_find);
  g_test_add_func ("/window/go-to-step", test_window_go_to_step);
  g_test_add_func ("/window/space-on-toggle", test_window_space_on_toggle);
  g_test_add_func ("/window/summary", test_window_summary);
  g_test_add_func ("/window/summary-leaks", test_window_summary_leaks);
  g_test_add_func ("/window/error-banner", test_window_error_banner);
  g_test_add_func ("/window/inspector-room", test_window_inspector_room);
  status = g_test_run ();
  g_free (sample);
  return status;
}
