/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs saved inputs through the fuzz target of tests/fuzz-session (open →
 * every step → trace → DOT) without libFuzzer, so each input that once
 * crashed it stays a test in every build, sanitizer builds included.
 * Prints TAP, one test per input.
 *
 *   replay-session FILE|DIR...
 */
#include <glib.h>
#include <stdint.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
add_inputs (GPtrArray  *inputs,
            const char *path)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return;
  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (inputs, g_strdup (path));
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  g_assert_nonnull (dir);
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  /* Sorted by name, so the numbering is stable. */
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (inputs, g_strdup (g_ptr_array_index (names, i)));
}


int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func (g_free);

  for (int i = 1; i < argc; i++)
    add_inputs (inputs, argv[i]);
  LLVMFuzzerInitialize (&argc, &argv);

  g_print ("1..%u\n", inputs->len);
  for (guint i = 0; i < inputs->len; i++)
    {
      const char *path = g_ptr_array_index (inputs, i);
      g_autofree char *data = NULL;
      g_autoptr(GError) error = NULL;
      gsize length = 0;

      /* A crash ends the run: TAP then reports the plan as unfinished. */
      g_print ("# %s\n", path);
      if (!g_file_get_contents (path, &data, &length, &error))
        {
          g_print ("not ok %u - %s: %s\n", i + 1, path, error->message);
          continue;
        }
      LLVMFuzzerTestOneInput ((const uint8_t *) data, length);
      g_print ("ok %u - %s\n", i + 1, path);
    }
  return 0;
}
