/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "ui-test.h"

#include <glib/gstdio.h>
#include <string.h>

void
ui_test_spin_a_little (void)
{
  for (int i = 0; i < 50; i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (2000);
    }
}

void
ui_test_spin_until (gboolean (*done) (gpointer data),
                    gpointer  data,
                    guint     seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!done (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

gboolean
ui_test_is_idle (gpointer window)
{
  return !rs_player_get_busy (rs_window_get_player (window));
}

void
ui_test_close_window (RsWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_spin_a_little ();
  g_assert_finalize_object (window);
}

int
ui_test_find_recent (RsWindow   *window,
                     const char *path)
{
  GMenuModel *menu = rs_window_get_recent_menu (window);

  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autoptr(GVariant) target = g_menu_model_get_item_attribute_value (menu, i, G_MENU_ATTRIBUTE_TARGET,
                                                                          G_VARIANT_TYPE_BYTESTRING);

      if (target != NULL && strcmp (g_variant_get_bytestring (target), path) == 0)
        return i;
    }
  return -1;
}

void
ui_test_check_exported (RsWindow   *window,
                        const char *dir,
                        const char *extension,
                        const char *mark)
{
  guint n_steps = rs_player_get_length (rs_window_get_player (window));
  g_autofree char *said = g_strdup_printf ("Exported %u steps", n_steps);
  g_autofree char *suffix = g_strconcat (".", extension, NULL);
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;
  guint files = 0;
  guint64 number;

  g_assert_true (g_str_has_prefix (rs_window_get_last_message (window), said));
  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;

      g_assert_true (g_str_has_prefix (name, "step-") && g_str_has_suffix (name, suffix));
      /* Numbered as the window counts steps, from 1 (DESIGN §6). */
      number = g_ascii_strtoull (name + strlen ("step-"), NULL, 10);
      g_assert_cmpuint (number, >=, 1);
      g_assert_cmpuint (number, <=, n_steps);
      g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
      g_assert_nonnull (strstr (contents, mark));
      g_assert_cmpint (g_unlink (path), ==, 0);
      files++;
    }
  g_assert_cmpuint (files, ==, n_steps);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

gboolean
ui_test_line_has_tag (RsLessonView *view,
                      int           line,
                      const char   *tag_name)
{
  GtkTextBuffer *buffer = rs_lesson_view_get_buffer (view);
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), tag_name);
  GtkTextIter iter;

  g_assert_nonnull (tag);
  gtk_text_buffer_get_iter_at_line (buffer, &iter, line - 1);
  do
    if (gtk_text_iter_has_tag (&iter, tag))
      return TRUE;
  while (gtk_text_iter_forward_char (&iter) && !gtk_text_iter_starts_line (&iter));
  return FALSE;
}
