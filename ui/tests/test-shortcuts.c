/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every action a user triggers is reachable by keyboard and listed in the
 * shortcuts window: the application's own window (RsApplication, as
 * `refscope` makes it), its actions enumerated, their key bindings read
 * from the window's shortcut controllers and the application's accels,
 * and the shortcuts window it shows (Ctrl+?) searched for each.
 */
#define G_LOG_DOMAIN "test-shortcuts"

#include <string.h>

#include "rs-application.h"
#include "rs-ui.h"
#include "rs-window.h"
#include "ui-test.h"

/* Actions with no key of their own, and why. */
static const struct {
  const char *action;
  const char *reason;
} exempt[] = {
  { "win.open-file", "an item of Open Recent: its parameter is the file; Ctrl+O opens any file" },
  { "win.find-text", "the search field's own action: its parameter is the text typed; Ctrl+F finds" },
  { "win.speed", "an item of the speed menu: its parameter is the speed; [ and ] change it by key" },
  { "win.apply-pipeline", "the Apply button of the pipeline settings, which Ctrl+, opens" },
  { "app.about", "in the main menu (F10); GNOME applications give About no key" },
  { "window.minimize", "GtkWindow's: the window manager's keys" },
  { "window.toggle-maximized", "GtkWindow's: the window manager's keys, or a double click on the header bar" },
  { "default.activate", "GtkWindow's: Enter on a dialog's default button, not a command" },
};

static const char *
exempt_reason (const char *action)
{
  for (guint i = 0; i < G_N_ELEMENTS (exempt); i++)
    if (g_str_equal (exempt[i].action, action))
      return exempt[i].reason;
  return NULL;
}

typedef struct {
  guint           keyval;
  GdkModifierType modifiers;
} Key;

static Key
key_new (guint           keyval,
         GdkModifierType modifiers)
{
  /* "<Shift>t" and Shift+T are one key. */
  return (Key) { gdk_keyval_to_lower (keyval), modifiers & gtk_accelerator_get_default_mod_mask () };
}

static void
add_accelerator (GArray     *keys,
                 const char *accelerator)
{
  guint keyval = 0;
  GdkModifierType modifiers = 0;
  Key key;

  g_assert_true (gtk_accelerator_parse (accelerator, &keyval, &modifiers));
  key = key_new (keyval, modifiers);
  g_array_append_val (keys, key);
}

/* The keys a trigger stands for (alternatives included). */
static void
add_trigger (GArray             *keys,
             GtkShortcutTrigger *trigger)
{
  if (GTK_IS_KEYVAL_TRIGGER (trigger))
    {
      Key key = key_new (gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)),
                         gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)));

      g_array_append_val (keys, key);
    }
  else if (GTK_IS_ALTERNATIVE_TRIGGER (trigger))
    {
      add_trigger (keys, gtk_alternative_trigger_get_first (GTK_ALTERNATIVE_TRIGGER (trigger)));
      add_trigger (keys, gtk_alternative_trigger_get_second (GTK_ALTERNATIVE_TRIGGER (trigger)));
    }
}

/* The keys bound to `action` in the window: the class's bindings and any
 * shortcut controller of the window naming it, and the application's
 * accels. */
static GArray *
keys_of (GtkApplication *application,
         RsWindow       *window,
         const char     *action)
{
  GArray *keys = g_array_new (FALSE, TRUE, sizeof (Key));
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (application, action);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutAction *named = gtk_shortcut_get_action (shortcut);

          if (GTK_IS_NAMED_ACTION (named) &&
              g_str_equal (gtk_named_action_get_action_name (GTK_NAMED_ACTION (named)), action))
            add_trigger (keys, gtk_shortcut_get_trigger (shortcut));
        }
    }
  for (guint i = 0; accels[i] != NULL; i++)
    add_accelerator (keys, accels[i]);
  return keys;
}

/* Every key the shortcuts window lists, each with its title. */
static void
collect_listed (GtkWidget  *widget,
                GHashTable *listed)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      g_autofree char *accelerator = NULL;
      g_autofree char *title = NULL;
      g_auto(GStrv) parts = NULL;

      g_object_get (widget, "accelerator", &accelerator, "title", &title, NULL);
      parts = g_strsplit (accelerator != NULL ? accelerator : "", " ", -1);
      for (guint i = 0; parts[i] != NULL; i++)
        {
          guint keyval = 0;
          GdkModifierType modifiers = 0;
          Key key;

          if (parts[i][0] == '\0')
            continue;
          g_assert_true (gtk_accelerator_parse (parts[i], &keyval, &modifiers));
          key = key_new (keyval, modifiers);
          /* A key may do several things (Escape): every title, once (the
           * window's search page has its own copy of each entry). */
          if (g_hash_table_contains (listed, &key) &&
              strstr (g_hash_table_lookup (listed, &key), title) == NULL)
            {
              g_autofree char *both = g_strdup_printf ("%s” or “%s", (char *) g_hash_table_lookup (listed, &key), title);

              g_hash_table_insert (listed, g_memdup2 (&key, sizeof key), g_steal_pointer (&both));
            }
          else if (!g_hash_table_contains (listed, &key))
            g_hash_table_insert (listed, g_memdup2 (&key, sizeof key), g_strdup (title));
        }
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_listed (child, listed);
}

static guint
key_hash (gconstpointer data)
{
  const Key *key = data;

  return key->keyval * 31 + key->modifiers;
}

static gboolean
key_equal (gconstpointer a,
           gconstpointer b)
{
  const Key *first = a, *second = b;

  return first->keyval == second->keyval && first->modifiers == second->modifiers;
}

/* The actions of the window and the application: the window's class
 * actions (its own and GtkWindow's), the application window's action map
 * (win.show-help-overlay) and the application's. */
static GPtrArray *
list_actions (GtkApplication *application,
              RsWindow       *window)
{
  GPtrArray *actions = g_ptr_array_new_with_free_func (g_free);
  GtkWidgetClass *klass = GTK_WIDGET_GET_CLASS (window);
  GType owner;
  const char *name, *property;
  const GVariantType *parameter;
  g_auto(GStrv) window_actions = g_action_group_list_actions (G_ACTION_GROUP (window));
  g_auto(GStrv) app_actions = g_action_group_list_actions (G_ACTION_GROUP (application));

  for (guint i = 0; gtk_widget_class_query_action (klass, i, &owner, &name, &parameter, &property); i++)
    g_ptr_array_add (actions, g_strdup (name));
  for (guint i = 0; window_actions[i] != NULL; i++)
    g_ptr_array_add (actions, g_strconcat ("win.", window_actions[i], NULL));
  for (guint i = 0; app_actions[i] != NULL; i++)
    g_ptr_array_add (actions, g_strconcat ("app.", app_actions[i], NULL));
  return actions;
}

static void
test_shortcuts_every_action (void)
{
  g_autoptr(RsApplication) application = NULL;
  g_autofree char *sample = g_build_filename (g_getenv ("RS_MEDIA_DIR"), "sample.mp4", NULL);
  g_autoptr(GHashTable) listed = g_hash_table_new_full (key_hash, key_equal, g_free, g_free);
  g_autoptr(GPtrArray) actions = NULL;
  g_autoptr(GString) missing = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  GtkShortcutsWindow *overlay;
  RsWindow *window;
  guint checked = 0;

  application = rs_application_new (sample, NULL, 0, 0);
  g_assert_true (g_application_register (G_APPLICATION (application), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (application));
  window = RS_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (application)));
  g_assert_nonnull (window);
  g_object_ref (window);
  ui_test_spin_a_little ();

  overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));
  g_assert_nonnull (overlay);
  collect_listed (GTK_WIDGET (overlay), listed);
  g_assert_cmpuint (g_hash_table_size (listed), >, 20);

  actions = list_actions (GTK_APPLICATION (application), window);
  for (guint i = 0; i < actions->len; i++)
    {
      const char *action = g_ptr_array_index (actions, i);
      const char *reason = exempt_reason (action);
      g_autoptr(GArray) keys = NULL;
      gboolean shown = FALSE;

      if (reason != NULL)
        {
          g_test_message ("%s: no key of its own: %s", action, reason);
          continue;
        }
      keys = keys_of (GTK_APPLICATION (application), window, action);
      for (guint k = 0; k < keys->len; k++)
        {
          const char *title = g_hash_table_lookup (listed, &g_array_index (keys, Key, k));

          if (title != NULL)
            {
              g_autofree char *name = gtk_accelerator_name (g_array_index (keys, Key, k).keyval,
                                                            g_array_index (keys, Key, k).modifiers);

              g_test_message ("%s: %s, listed as “%s”", action, name, title);
              shown = TRUE;
              break;
            }
        }
      if (keys->len == 0)
        g_string_append_printf (missing, "%s has no key; ", action);
      else if (!shown)
        g_string_append_printf (missing, "%s's keys are not in the shortcuts window; ", action);
      checked++;
    }
  g_assert_cmpstr (missing->str, ==, "");
  /* The window's own actions were found, not only GTK's. */
  g_assert_cmpuint (checked, >, 30);

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_spin_a_little ();
  g_object_unref (window);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  rs_ui_init ();

  g_test_add_func ("/shortcuts/every-action", test_shortcuts_every_action);
  return g_test_run ();
}
