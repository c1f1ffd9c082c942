/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "ui-test.h"

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
