/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Lessons in the window: the Lessons menu lists the bundled scenarios; each
 * runs to its end with the line of every step highlighted beside the graph;
 * leaks are listed at the end and select their buffer; a lesson that does
 * not compile shows its errors and runs nothing; runtime errors and unsafe
 * writes are shown with their step. No window leaks.
 */
#define G_LOG_DOMAIN "test-lessons"

#include <glib/gstdio.h>
#include <string.h>

#include "rs-inspector.h"
#include "rs-query.h"
#include "rs-ui.h"
#include "rs-window.h"
#include "ui-test.h"

static char *scenario_dir;
static char *sample;

static RsWindow *
new_window (void)
{
  RsWindow *window = g_object_ref (rs_window_new (NULL));

  rs_window_set_lesson_dir (window, scenario_dir);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_spin_a_little ();
  return window;
}

static char *
write_lesson (const char *name,
              const char *source)
{
  g_autofree char *dir = NULL;
  GError *error = NULL;
  char *path;

  dir = g_dir_make_tmp ("refscope-lesson-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, name, NULL);
  g_file_set_contents (path, source, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
remove_lesson (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  g_unlink (path);
  g_rmdir (dir);
}

static RsScenarioSession *
get_scenario_session (RsWindow *window)
{
  RsCursor *cursor = rs_player_get_cursor (rs_window_get_player (window));

  g_assert_nonnull (cursor);
  g_assert_true (RS_IS_SCENARIO_SESSION (rs_cursor_get_session (cursor)));
  return RS_SCENARIO_SESSION (rs_cursor_get_session (cursor));
}

/* The line highlighted is the line of the step shown. */
static void
check_current_line (RsWindow *window)
{
  RsScenarioSession *session = get_scenario_session (window);
  int position = rs_player_get_position (rs_window_get_player (window));
  int line = 0, column = 0;

  g_assert_cmpint (position, >=, 0);
  g_assert_true (rs_scenario_session_get_step_location (session, (guint) position, &line, &column));
  g_assert_cmpint (line, >, 0);
  g_assert_cmpint (rs_lesson_view_get_current_line (rs_window_get_lesson_view (window)), ==, line);
}

static gboolean
has_message (RsLessonView        *view,
             RsLessonMessageKind  kind,
             const char          *words,
             guint               *index)
{
  for (guint i = 0; i < rs_lesson_view_get_n_messages (view); i++)
    if (rs_lesson_view_get_message_kind (view, i) == kind &&
        strstr (rs_lesson_view_get_message (view, i), words) != NULL)
      {
        if (index != NULL)
          *index = i;
        return TRUE;
      }
  return FALSE;
}

/* The Lessons menu: every bundled lesson, in file order, titled by its
 * first comment line, opening it. */
static void
test_lessons_menu (void)
{
  RsWindow *window = new_window ();
  GMenuModel *menu = rs_window_get_lessons_menu (window);
  g_autoptr(GMenuModel) lessons = NULL;
  g_autoptr(GDir) dir = g_dir_open (scenario_dir, 0, NULL);
  g_autoptr(GVariant) target = NULL;
  g_autofree char *label = NULL;
  guint n = 0;
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    n += g_str_has_suffix (name, ".c");
  g_assert_cmpuint (n, >=, 7);

  g_assert_cmpint (g_menu_model_get_n_items (menu), ==, 2);
  lessons = g_menu_model_get_item_link (menu, 0, G_MENU_LINK_SECTION);
  g_assert_cmpint (g_menu_model_get_n_items (lessons), ==, (int) n);
  g_assert_true (g_menu_model_get_item_attribute (lessons, 1, G_MENU_ATTRIBUTE_LABEL, "s", &label));
  /* Underscores doubled: they are not mnemonics. */
  g_assert_cmpstr (label, ==, "Lesson 2: av__init__packet before av__packet__free leaks the buffer");
  target = g_menu_model_get_item_attribute_value (lessons, 1, G_MENU_ATTRIBUTE_TARGET, G_VARIANT_TYPE_BYTESTRING);
  g_assert_true (g_str_has_suffix (g_variant_get_bytestring (target), "/02-init-packet-leak.c"));

  /* Choosing it opens the lesson. */
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (window), "win.open-file", target));
  g_assert_cmpstr (rs_player_get_path (rs_window_get_player (window)), ==, g_variant_get_bytestring (target));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (rs_window_get_lesson_view (window))));
  check_current_line (window);
  ui_test_close_window (window);
}

/* Every bundled lesson, stepped to its end: each step's line highlighted;
 * back, the same; the end reports leaks or says nothing leaked. */
static void
test_lessons_run_each (void)
{
  RsWindow *window = new_window ();
  RsPlayer *player = rs_window_get_player (window);
  RsLessonView *view = rs_window_get_lesson_view (window);
  g_autoptr(GDir) dir = g_dir_open (scenario_dir, 0, NULL);
  const char *name;
  guint lessons = 0;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (scenario_dir, name, NULL);
      RsScenarioSession *session;
      g_autoptr(GArray) leaks = NULL;
      guint n_leaks, listed = 0;

      if (!g_str_has_suffix (name, ".c"))
        continue;
      g_test_message ("lesson %s", name);
      lessons++;
      g_assert_true (rs_window_open (window, path, NULL));
      g_assert_true (gtk_widget_get_visible (GTK_WIDGET (view)));
      g_assert_cmpint (rs_player_get_position (player), ==, 0);
      check_current_line (window);

      while (!rs_player_is_at_end (player))
        {
          g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL));
          check_current_line (window);
        }
      session = get_scenario_session (window);
      leaks = rs_history_query_leaks (rs_session_get_history (RS_SESSION (session)));
      n_leaks = leaks->len;
      for (guint i = 0; i < rs_lesson_view_get_n_messages (view); i++)
        listed += rs_lesson_view_get_message_kind (view, i) == RS_LESSON_MESSAGE_LEAK;
      if (n_leaks == 0)
        g_assert_true (has_message (view, RS_LESSON_MESSAGE_NO_LEAK, "", NULL));
      else
        g_assert_cmpuint (listed, >=, n_leaks);

      /* Back: the lines follow, and the end's report goes. */
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.back", NULL));
      check_current_line (window);
      g_assert_false (has_message (view, RS_LESSON_MESSAGE_NO_LEAK, "", NULL));
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.first", NULL));
      check_current_line (window);
    }
  g_assert_cmpuint (lessons, >=, 7);
  ui_test_close_window (window);
}

/* Lesson 2: at the step of av_init_packet, and at the end, the leak is
 * named; its row selects the buffer in the graph. Running to the end and
 * exporting work as for a decode session. */
static void
test_lessons_leak_report (void)
{
  RsWindow *window = new_window ();
  RsPlayer *player = rs_window_get_player (window);
  RsLessonView *view = rs_window_get_lesson_view (window);
  RsGraphView *graph = rs_window_get_graph_view (window);
  g_autofree char *path = g_build_filename (scenario_dir, "02-init-packet-leak.c", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *png = NULL;
  GError *error = NULL;
  guint index = 0;

  g_assert_true (rs_window_open (window, path, NULL));
  while (!has_message (view, RS_LESSON_MESSAGE_LEAK, "av_init_packet", NULL))
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL));
  /* The step that orphans the buffer: line 19, the av_init_packet call. */
  check_current_line (window);
  g_assert_cmpint (rs_lesson_view_get_current_line (view), ==, 19);
  g_assert_true (ui_test_line_has_tag (view, 19, "rs-current-error"));

  /* To the end on the worker thread. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run-to-end", NULL));
  ui_test_spin_until (ui_test_is_idle, window, 60);
  g_assert_true (rs_player_is_at_end (player));
  check_current_line (window);
  g_assert_true (has_message (view, RS_LESSON_MESSAGE_LEAK, "Buffer 1", &index));
  g_assert_nonnull (strstr (rs_lesson_view_get_message (view, index), "av_init_packet"));
  g_assert_nonnull (strstr (rs_lesson_view_get_message (view, index), "line 19"));
  /* The statement that orphaned it is underlined. */
  g_assert_true (ui_test_line_has_tag (view, 19, "rs-leak"));

  rs_lesson_view_activate_message (view, index);
  g_assert_cmpint (rs_graph_view_get_selection (graph)->kind, ==, RS_SELECTION_BUFFER);
  g_assert_cmpuint (rs_graph_view_get_selection (graph)->buffer_id, ==, 1);
  g_assert_cmpstr (rs_inspector_get_title (rs_window_get_inspector (window)), ==, "#1");
  /* The leaked buffer's reference is lost, nobody's: never "inside libav". */
  {
    RsInspector *inspector = rs_window_get_inspector (window);
    g_autofree char *holders = rs_inspector_describe_holders (inspector);

    g_test_message ("status: %s; holders: %s", rs_inspector_get_status (inspector), holders);
    g_assert_cmpstr (rs_inspector_get_field (inspector, "Refcount"), ==, "1 (app 0 + libav 0 + lost 1)");
    g_assert_nonnull (strstr (holders, "lost: nobody holds 1 reference"));
    g_assert_nonnull (strstr (holders, "lost at step 6, line 19: av_init_packet reset pkt"));
    g_assert_null (strstr (holders, "inside libav"));
    g_assert_null (rs_inspector_get_field (inspector, "Inside libav"));
    g_assert_nonnull (strstr (rs_inspector_get_status (inspector), "lost at step 6, line 19"));
  }

  dir = g_dir_make_tmp ("refscope-lesson-export-XXXXXX", &error);
  g_assert_no_error (error);
  png = g_build_filename (dir, "end.png", NULL);
  g_assert_true (rs_window_export (window, png, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
  g_unlink (png);
  g_rmdir (dir);

  /* Restarting runs it again from step 0. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.restart", NULL));
  g_assert_cmpint (rs_player_get_position (player), ==, 0);
  check_current_line (window);
  ui_test_close_window (window);
}

/* A lesson that does not compile: its source with each error underlined
 * and listed; nothing runs, the session before is closed; another lesson
 * opens as usual after it. */
static void
test_lessons_compile_errors (void)
{
  RsWindow *window = new_window ();
  RsPlayer *player = rs_window_get_player (window);
  RsLessonView *view = rs_window_get_lesson_view (window);
  GtkTextBuffer *buffer = rs_lesson_view_get_buffer (view);
  g_autofree char *good = g_build_filename (scenario_dir, "01-packet-alloc-free.c", NULL);
  g_autofree char *bad = write_lesson ("bad-lesson.c",
    "/* A lesson with mistakes. */\n"
    "void test() {\n"
    "    AVPacket pkt = NULL;\n"
    "    av_packet_free();\n"
    "    av_packet_frobnicate(pkt);\n"
    "}\n");
  g_autofree char *video = NULL;
  g_autofree char *movie = NULL;
  g_autofree char *message_start = NULL;
  gsize length;

  g_assert_true (rs_window_open (window, sample, NULL));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (view)));

  g_assert_false (rs_window_open (window, bad, NULL));
  g_assert_null (rs_player_get_path (player));
  g_assert_cmpint (rs_player_get_position (player), ==, -1);
  g_assert_null (rs_graph_view_get_snapshot (rs_window_get_graph_view (window)));
  g_assert_nonnull (strstr (rs_window_get_last_message (window), "does not compile"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (view)));
  g_assert_null (rs_lesson_view_get_session (view));
  g_assert_cmpint (rs_lesson_view_get_current_line (view), ==, 0);

  g_assert_cmpuint (rs_lesson_view_get_n_messages (view), ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (rs_lesson_view_get_message_kind (view, i), ==, RS_LESSON_MESSAGE_COMPILE_ERROR);
  g_assert_true (has_message (view, RS_LESSON_MESSAGE_COMPILE_ERROR, "Line 3, column", NULL));
  g_assert_true (has_message (view, RS_LESSON_MESSAGE_COMPILE_ERROR, "av_packet_free", NULL));
  g_assert_true (has_message (view, RS_LESSON_MESSAGE_COMPILE_ERROR, "av_packet_frobnicate", NULL));
  g_assert_true (ui_test_line_has_tag (view, 3, "rs-error"));
  g_assert_true (ui_test_line_has_tag (view, 4, "rs-error"));
  g_assert_true (ui_test_line_has_tag (view, 5, "rs-error"));
  g_assert_false (ui_test_line_has_tag (view, 1, "rs-error"));
  g_assert_false (ui_test_line_has_tag (view, 2, "rs-error"));
  /* A click on an error shows its place. */
  rs_lesson_view_activate_message (view, 2);
  g_assert_true (gtk_text_buffer_get_has_selection (buffer));

  /* Nothing to step. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL);
  g_assert_cmpint (rs_player_get_position (player), ==, -1);

  /* Another lesson opens as usual. */
  g_assert_true (rs_window_open (window, good, NULL));
  g_assert_cmpint (rs_player_get_position (player), ==, 0);
  check_current_line (window);
  g_assert_false (has_message (view, RS_LESSON_MESSAGE_COMPILE_ERROR, "", NULL));

  /* And a media file hides the pane. */
  g_assert_true (rs_window_open (window, sample, NULL));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (view)));
  g_assert_null (rs_lesson_view_get_session (view));

  /* A video named as a lesson: one message naming it; the video shown stays. */
  g_assert_true (g_file_get_contents (sample, &video, &length, NULL));
  movie = write_lesson ("movie.c", "");
  g_assert_true (g_file_set_contents (movie, video, length, NULL));
  message_start = g_strdup_printf ("%s: not a lesson: binary data at byte ", movie);
  g_assert_false (rs_window_open (window, movie, NULL));
  g_assert_true (g_str_has_prefix (rs_window_get_last_message (window), message_start));
  g_assert_null (strchr (rs_window_get_last_message (window), '\n'));
  g_assert_cmpstr (rs_player_get_path (player), ==, sample);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (view)));

  remove_lesson (movie);
  remove_lesson (bad);
  ui_test_close_window (window);
}

/* Runtime errors and unsafe writes are listed with the step that made
 * them, its line tinted. */
static void
test_lessons_runtime_errors (void)
{
  RsWindow *window = new_window ();
  RsPlayer *player = rs_window_get_player (window);
  RsLessonView *view = rs_window_get_lesson_view (window);
  g_autofree char *unsafe = g_build_filename (scenario_dir, "03-copy-packet.c", NULL);
  g_autofree char *lesson = write_lesson ("runtime.c",
    "/* Runtime mistakes. */\n"
    "void test() {\n"
    "    AVPacket *pkt = av_packet_alloc();\n"
    "    av_new_packet(pkt, 16);\n"
    "    memset(pkt->data, 0, 64);\n"
    "    av_packet_free(&pkt);\n"
    "    av_packet_unref(pkt);\n"
    "}\n");
  gboolean seen_unsafe = FALSE;

  g_assert_true (rs_window_open (window, lesson, NULL));
  while (rs_lesson_view_get_current_line (view) != 5)
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL));
  g_assert_true (has_message (view, RS_LESSON_MESSAGE_ERROR, "out of bounds", NULL));
  g_assert_true (has_message (view, RS_LESSON_MESSAGE_ERROR, "Line 5", NULL));
  g_assert_true (ui_test_line_has_tag (view, 5, "rs-current-error"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL));
  g_assert_cmpuint (rs_lesson_view_get_n_messages (view), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL));
  g_assert_true (has_message (view, RS_LESSON_MESSAGE_ERROR, "is NULL", NULL));

  g_assert_true (rs_window_open (window, unsafe, NULL));
  while (!rs_player_is_at_end (player))
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL));
      if (has_message (view, RS_LESSON_MESSAGE_UNSAFE_WRITE, "not writable", NULL))
        {
          seen_unsafe = TRUE;
          g_assert_true (ui_test_line_has_tag (view, rs_lesson_view_get_current_line (view),
                                       "rs-current-warning"));
        }
    }
  g_assert_true (seen_unsafe);

  remove_lesson (lesson);
  ui_test_close_window (window);
}

/* A click on a line goes to its step: recorded, or run until it runs; a
 * comment does nothing. */
static void
test_lessons_click_line (void)
{
  RsWindow *window = new_window ();
  RsPlayer *player = rs_window_get_player (window);
  RsLessonView *view = rs_window_get_lesson_view (window);
  g_autofree char *lesson = write_lesson ("lines.c",
    "/* Lines. */\n"
    "void test() {\n"
    "    AVPacket *pkt = av_packet_alloc();\n"
    "    av_new_packet(pkt, 16);\n"
    "    // a comment\n"
    "    av_packet_unref(pkt);\n"
    "    av_packet_free(&pkt);\n"
    "}\n");

  g_assert_true (rs_window_open (window, lesson, NULL));
  g_assert_cmpint (rs_lesson_view_get_current_line (view), ==, 3);
  rs_lesson_view_activate_line (view, 7);
  g_assert_cmpint (rs_lesson_view_get_current_line (view), ==, 7);
  check_current_line (window);
  rs_lesson_view_activate_line (view, 4);
  g_assert_cmpint (rs_lesson_view_get_current_line (view), ==, 4);
  g_assert_cmpint (rs_player_get_position (player), ==, 1);
  rs_lesson_view_activate_line (view, 5);
  g_assert_cmpint (rs_player_get_position (player), ==, 1);

  remove_lesson (lesson);
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
  scenario_dir = g_strdup (g_getenv ("RS_SCENARIO_DIR") != NULL ? g_getenv ("RS_SCENARIO_DIR") : RS_SCENARIO_DIR);
  sample = g_build_filename (g_getenv ("RS_MEDIA_DIR") != NULL ? g_getenv ("RS_MEDIA_DIR") : RS_MEDIA_DIR,
                             "sample.mp4", NULL);

  g_test_add_func ("/lessons/menu", test_lessons_menu);
  g_test_add_func ("/lessons/run-each", test_lessons_run_each);
  g_test_add_func ("/lessons/leak-report", test_lessons_leak_report);
  g_test_add_func ("/lessons/compile-errors", test_lessons_compile_errors);
  g_test_add_func ("/lessons/runtime-errors", test_lessons_runtime_errors);
  g_test_add_func ("/lessons/click-line", test_lessons_click_line);

  status = g_test_run ();
  g_free (scenario_dir);
  g_free (sample);
  return status;
}
