/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window on files with several streams (tools/make-media.sh multi.mkv:
 * MPEG-4 video, two audio tracks, SubRip subtitles): the stream picker in
 * the pipeline popover lists every stream and what became of it; "every
 * stream" decodes both audio tracks and the subtitles; a file with a
 * stream FFmpeg cannot decode opens with the others and says which was
 * skipped. And "Export Every Step" exports the whole session, running it
 * to the end first.
 */
#define G_LOG_DOMAIN "test-window-streams"
#define _GNU_SOURCE  /* memmem */

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "rs-pipeline-popover.h"
#include "rs-ui.h"
#include "rs-window.h"
#include "ui-test.h"

static const char *multi;
static char *unknown;

static gboolean
is_drawn (gpointer data)
{
  GtkWidget *view = GTK_WIDGET (rs_window_get_graph_view (data));

  return gtk_widget_get_mapped (view) && gtk_widget_get_width (view) > 0;
}

static RsWindow *
new_window_on (const char        *path,
               RsStreamSelection  selection)
{
  RsWindow *window = g_object_ref (rs_window_new (NULL));
  RsDecodeSettings settings;

  rs_decode_settings_init (&settings);
  settings.streams = selection;
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (rs_window_open (window, path, &settings));
  ui_test_spin_until (is_drawn, window, 20);
  return window;
}

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
collect_rows (GtkWidget *widget,
              GPtrArray *rows)
{
  if (ADW_IS_ACTION_ROW (widget) &&
      g_str_has_prefix (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), "Stream "))
    g_ptr_array_add (rows, g_strdup_printf ("%s | %s", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)),
                                            adw_action_row_get_subtitle (ADW_ACTION_ROW (widget))));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_rows (child, rows);
}

/* The picker's rows, as "title | subtitle", in order. */
static GPtrArray *
picker_rows (RsWindow *window)
{
  GtkWidget *popover = find_widget (GTK_WIDGET (window), RS_TYPE_PIPELINE_POPOVER);
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_free);

  g_assert_nonnull (popover);
  collect_rows (popover, rows);
  return rows;
}

static void
assert_row (GPtrArray  *rows,
            guint       index,
            const char *expected)
{
  g_assert_cmpuint (index, <, rows->len);
  g_assert_cmpstr (g_ptr_array_index (rows, index), ==, expected);
}

/* Frames received per stream index over the whole history. */
static void
count_frames (RsPlayer *player,
              guint     frames[4],
              guint    *subtitles)
{
  RsHistory *history = rs_player_get_history (player);

  memset (frames, 0, 4 * sizeof (guint));
  *subtitles = 0;
  for (guint i = 0; i < rs_history_get_length (history); i++)
    {
      RsSnapshot *snapshot = rs_history_get_snapshot (history, i);
      const char *out = rs_snapshot_get_out (snapshot);
      const RsHandle *handle = out != NULL ? rs_snapshot_find_handle (snapshot, out) : NULL;

      if (handle == NULL)
        continue;
      if (g_str_equal (rs_snapshot_get_call (snapshot), "avcodec_receive_frame"))
        frames[handle->stream]++;
      else if (handle->kind == RS_HANDLE_SUBTITLE)
        (*subtitles)++;
    }
}

static gboolean
is_complete (gpointer data)
{
  return rs_player_is_complete (rs_window_get_player (data)) && !rs_player_get_busy (rs_window_get_player (data));
}

static void
test_picker_lists_streams (void)
{
  RsWindow *window = new_window_on (multi, RS_STREAMS_BEST);
  RsPlayer *player = rs_window_get_player (window);
  g_autoptr(GPtrArray) rows = picker_rows (window);
  GtkWidget *popover = find_widget (GTK_WIDGET (window), RS_TYPE_PIPELINE_POPOVER);
  RsDecodeSettings settings;
  guint frames[4], subtitles;

  /* Best video and audio: every stream listed, two of them decoded. */
  g_assert_cmpuint (rows->len, ==, 4);
  assert_row (rows, 0, "Stream 0 · video · mpeg4 | decoded as “video”");
  assert_row (rows, 1, "Stream 1 · audio · mp2 | decoded as “audio”");
  assert_row (rows, 2, "Stream 2 · audio · pcm_s16le | not selected");
  assert_row (rows, 3, "Stream 3 · subtitle · subrip | not selected");
  g_assert_null (rs_window_get_last_message (window));

  /* The user picks every stream and applies: the session restarts with
   * all four, the second audio track under its own name. */
  rs_pipeline_popover_get_settings (RS_PIPELINE_POPOVER (popover), &settings);
  settings.streams = RS_STREAMS_ALL;
  rs_pipeline_popover_set_settings (RS_PIPELINE_POPOVER (popover), &settings);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.apply-pipeline", NULL));
  g_assert_cmpint (rs_player_get_settings (player)->streams, ==, RS_STREAMS_ALL);
  g_assert_cmpint (rs_player_get_position (player), ==, 0);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = picker_rows (window);
  g_assert_cmpuint (rows->len, ==, 4);
  assert_row (rows, 1, "Stream 1 · audio · mp2 | decoded as “audio”");
  assert_row (rows, 2, "Stream 2 · audio · pcm_s16le | decoded as “audio2”");
  assert_row (rows, 3, "Stream 3 · subtitle · subrip | decoded as “subtitle”");

  /* Run to the end: both audio tracks gave frames, the subtitles theirs. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run-to-end", NULL));
  ui_test_spin_until (is_complete, window, 60);
  count_frames (player, frames, &subtitles);
  g_assert_cmpuint (frames[0], ==, 10);
  g_assert_cmpuint (frames[1], >, 0);
  g_assert_cmpuint (frames[2], >, 0);
  g_assert_cmpuint (subtitles, ==, 2);

  /* The selection is remembered as the user's. */
  ui_test_close_window (window);
}

static void
test_undecodable_stream_is_skipped (void)
{
  RsWindow *window = new_window_on (unknown, RS_STREAMS_BEST);
  RsPlayer *player = rs_window_get_player (window);
  g_autoptr(GPtrArray) rows = picker_rows (window);

  /* It opens, on the audio; the window says what it left out. */
  g_assert_cmpstr (rs_player_get_path (player), ==, unknown);
  g_assert_cmpint (rs_player_get_position (player), ==, 0);
  g_assert_cmpstr (rs_window_get_last_message (window), ==,
                   "Stream 0 (video, unknown) skipped: this FFmpeg has no decoder for it");
  g_assert_cmpuint (rows->len, ==, 4);
  assert_row (rows, 0, "Stream 0 · video · unknown | skipped: this FFmpeg has no decoder for it");
  assert_row (rows, 1, "Stream 1 · audio · mp2 | decoded as “audio”");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.next-frame", NULL));
  g_assert_cmpstr (rs_snapshot_get_call (rs_player_get_snapshot (player)), ==, "avcodec_receive_frame");
  g_assert_cmpint (rs_snapshot_find_handle (rs_player_get_snapshot (player),
                                            rs_snapshot_get_out (rs_player_get_snapshot (player)))->stream, ==, 1);
  ui_test_close_window (window);
}

static char *previous_message;

/* A toast other than the one before. */
static gboolean
has_new_message (gpointer data)
{
  return g_strcmp0 (rs_window_get_last_message (data), previous_message) != 0;
}

/* "Export Every Step" on a session seen up to step 5: it runs to the end
 * (as Run to End does), then writes every step, numbered by step. */
static void
test_export_runs_to_the_end (void)
{
  RsWindow *window = new_window_on (multi, RS_STREAMS_VIDEO);
  RsPlayer *player = rs_window_get_player (window);
  g_autofree char *dir = g_dir_make_tmp ("refscope-session-XXXXXX", NULL);

  for (guint i = 0; i < 5; i++)
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL));
  g_assert_false (rs_player_is_complete (player));
  g_assert_true (rs_window_export_session (window, dir, "svg"));
  /* One at a time. */
  g_assert_false (rs_window_export_session (window, dir, "svg"));
  ui_test_spin_until (has_new_message, window, 120);

  g_assert_true (rs_player_is_complete (player));
  g_assert_true (rs_player_is_at_end (player));
  g_assert_cmpuint (rs_player_get_length (player), >, 50);
  /* The title of each drawing counts as the window does: the last file
   * is the window's last step. */
  {
    guint length = rs_player_get_length (player);
    g_autofree char *last_name = g_strdup_printf ("step-%06u.svg", length);
    g_autofree char *last = g_build_filename (dir, last_name, NULL);
    g_autofree char *title = g_strdup_printf (">step %u<", length);
    g_autofree char *position = g_strdup_printf ("Step %u of %u", length, length);
    g_autofree char *contents = NULL;

    g_assert_true (g_file_get_contents (last, &contents, NULL, NULL));
    g_assert_nonnull (strstr (contents, title));
    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (window), RS_TYPE_WINDOW,
                                                                                   "position_label"))), ==, position);
  }
  ui_test_check_exported (window, dir, "svg", "<svg");

  /* A folder that is not there: the error names it, the window goes on. */
  previous_message = g_strdup (rs_window_get_last_message (window));
  g_assert_true (rs_window_export_session (window, dir, "png"));
  ui_test_spin_until (has_new_message, window, 60);
  g_clear_pointer (&previous_message, g_free);
  g_assert_nonnull (strstr (rs_window_get_last_message (window), dir));
  g_assert_nonnull (strstr (rs_window_get_last_message (window), "does not exist"));
  ui_test_close_window (window);
}

/* A copy of multi.mkv whose video codec id names no codec FFmpeg knows. */
static char *
make_unknown (const char *tmp)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize length;
  char *id;
  char *path = g_build_filename (tmp, "unknown-video.mkv", NULL);

  g_assert_true (g_file_get_contents (multi, &data, &length, &error));
  id = memmem (data, length, "V_MPEG4/ISO/ASP", 15);
  g_assert_nonnull (id);
  memcpy (id, "V_QQQQQ", 7);
  g_assert_true (g_file_set_contents (path, data, length, &error));
  return path;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *tmp = NULL;
  int status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  rs_ui_init ();
  if (argc < 2)
    g_error ("usage: test-window-streams MULTI.MKV");
  multi = argv[1];
  tmp = g_dir_make_tmp ("refscope-window-streams-XXXXXX", NULL);
  unknown = make_unknown (tmp);

  g_test_add_func ("/window-streams/picker-lists-streams", test_picker_lists_streams);
  g_test_add_func ("/window-streams/undecodable-stream-is-skipped", test_undecodable_stream_is_skipped);
  g_test_add_func ("/window-streams/export-runs-to-the-end", test_export_runs_to_the_end);
  status = g_test_run ();

  g_unlink (unknown);
  g_rmdir (tmp);
  g_free (unknown);
  return status;
}
