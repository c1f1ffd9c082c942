/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-site-resolver"

#include <glib.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "rs-site-resolver.h"

/* The command line: the helper built as a PIE, as a non-PIE executable,
 * and objcopy ("" when this machine has none). */
static const char *helper_pie;
static const char *helper_no_pie;
static const char *objcopy;

/* One "site" line of the helper (site-mark.h). */
typedef struct
{
  char    *module;
  guint64  offset;
  int      line;
  char    *function;
  char    *symbol;
} Mark;

static void
mark_free (Mark *mark)
{
  g_free (mark->module);
  g_free (mark->function);
  g_free (mark->symbol);
  g_free (mark);
}

/* ET_DYN (3) or ET_EXEC (2): e_type, at byte 16 of a little-endian ELF. */
static int
elf_type (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 18);
  g_assert_cmpmem (contents, 4, "\177ELF", 4);
  return (guchar) contents[16] | (guchar) contents[17] << 8;
}

/* Runs `helper` and returns its marks, in order. Owned by the caller. */
static GPtrArray *
run_helper (const char *helper)
{
  const char *argv[] = { helper, NULL };
  g_autofree char *output = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *marks = g_ptr_array_new_with_free_func ((GDestroyNotify) mark_free);
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &output, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  lines = g_strsplit (output, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", -1);
      Mark *mark;

      if (lines[i][0] == '\0')
        continue;
      g_assert_cmpuint (g_strv_length (fields), ==, 6);
      g_assert_cmpstr (fields[0], ==, "site");
      mark = g_new0 (Mark, 1);
      mark->module = g_strdup (fields[1]);
      mark->offset = g_ascii_strtoull (fields[2], NULL, 16);
      mark->line = atoi (fields[3]);
      mark->function = g_strdup (fields[4]);
      mark->symbol = g_strdup (fields[5]);
      g_ptr_array_add (marks, mark);
    }
  /* main, static_caller, inlined_caller, the library */
  g_assert_cmpuint (marks->len, ==, 4);
  return marks;
}

static const char *
expected_source (const Mark *mark)
{
  return g_str_has_suffix (mark->module, ".so") ? "site-mark.c" : "site-helper.c";
}

/* Every mark of `helper` resolves to its function, source file and line. */
static void
check_resolves (const char *helper)
{
  g_autoptr(GPtrArray) marks = run_helper (helper);
  g_autoptr(RsSiteResolver) resolver = rs_site_resolver_new ();

  for (guint i = 0; i < marks->len; i++)
    {
      const Mark *mark = marks->pdata[i];
      const char *function = NULL, *file = NULL, *again_function = NULL, *again_file = NULL;
      int line = 0, column = -1, again_line = 0;
      g_autofree char *base = NULL;

      g_test_message ("%s+0x%" G_GINT64_MODIFIER "x: expecting %s:%d in %s",
                      mark->module, mark->offset, expected_source (mark), mark->line, mark->function);
      g_assert_true (rs_site_resolver_lookup (resolver, mark->module, mark->offset,
                                              &function, &file, &line, &column));
      g_assert_cmpstr (function, ==, mark->function);
      g_assert_nonnull (file);
      base = g_path_get_basename (file);
      g_assert_cmpstr (base, ==, expected_source (mark));
      /* Meson names sources relative to the build directory; the site
       * names a file that opens from anywhere, as the source pane does. */
      g_assert_true (g_path_is_absolute (file));
      g_assert_true (g_file_test (file, G_FILE_TEST_IS_REGULAR));
      g_assert_cmpint (line, ==, mark->line);
      g_assert_cmpint (column, >=, 0);

      /* A second look is the cached answer: the same interned strings. */
      g_assert_true (rs_site_resolver_lookup (resolver, mark->module, mark->offset,
                                              &again_function, &again_file, &again_line, NULL));
      g_assert_true (again_function == function);
      g_assert_true (again_file == file);
      g_assert_cmpint (again_line, ==, line);
    }
}

static void
test_pie (void)
{
  g_assert_cmpint (elf_type (helper_pie), ==, 3);
  check_resolves (helper_pie);
}

static void
test_no_pie (void)
{
  g_assert_cmpint (elf_type (helper_no_pie), ==, 2);
  check_resolves (helper_no_pie);
}

static void
run_objcopy (const char * const *arguments)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_strv_builder_add (builder, objcopy);
  g_strv_builder_addv (builder, (const char **) arguments);
  argv = g_strv_builder_end (builder);
  g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* A copy of the PIE helper made by objcopy `how`, in a new folder (owned by
 * the caller, as is the path); NULL (the test skipped) without objcopy. */
static char *
stripped_copy (const char *how,
               char      **folder)
{
  g_autoptr(GError) error = NULL;
  char *copy;

  if (objcopy[0] == '\0')
    {
      g_test_skip ("objcopy is not installed (binutils): no stripped copy to resolve");
      return NULL;
    }
  *folder = g_dir_make_tmp ("test-site-resolver-XXXXXX", &error);
  g_assert_no_error (error);
  copy = g_build_filename (*folder, "site-helper", NULL);
  if (g_strcmp0 (how, "debuglink") == 0)
    {
      /* The DWARF moves to site-helper.debug beside the copy, which
       * names it in its .gnu_debuglink section. */
      g_autofree char *debug = g_build_filename (*folder, "site-helper.debug", NULL);
      g_autofree char *link = g_strconcat ("--add-gnu-debuglink=", debug, NULL);

      run_objcopy ((const char *[]) { "--only-keep-debug", helper_pie, debug, NULL });
      run_objcopy ((const char *[]) { "--strip-debug", link, helper_pie, copy, NULL });
    }
  else
    run_objcopy ((const char *[]) { how, helper_pie, copy, NULL });
  return copy;
}

static void
remove_folder (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (folder), ==, 0);
}

/* The marks of the PIE helper's executable, resolved in a stripped copy:
 * `symbols` says whether .symtab is left to name the functions. */
static void
check_stripped (const char *how,
                gboolean    symbols)
{
  g_autoptr(GPtrArray) marks = run_helper (helper_pie);
  g_autoptr(RsSiteResolver) resolver = rs_site_resolver_new ();
  g_autofree char *folder = NULL;
  g_autofree char *copy = stripped_copy (how, &folder);
  guint checked = 0;

  if (copy == NULL)
    return;
  for (guint i = 0; i < marks->len; i++)
    {
      const Mark *mark = marks->pdata[i];
      const char *function = "unset", *file = "unset";
      int line = -1, column = -1;

      if (g_str_has_suffix (mark->module, ".so"))
        continue;
      g_assert_false (rs_site_resolver_lookup (resolver, copy, mark->offset,
                                               &function, &file, &line, &column));
      if (symbols)
        g_assert_cmpstr (function, ==, mark->symbol);
      else if (function != NULL)
        g_assert_cmpstr (function, ==, mark->symbol);
      g_assert_null (file);
      g_assert_cmpint (line, ==, 0);
      g_assert_cmpint (column, ==, 0);
      checked++;
    }
  g_assert_cmpuint (checked, ==, 3);
  remove_folder (folder);
}

static void
test_strip_debug (void)
{
  check_stripped ("--strip-debug", TRUE);
}

static void
test_strip_all (void)
{
  check_stripped ("--strip-all", FALSE);
}

/* A separate debug file named by .gnu_debuglink resolves as the file did. */
static void
test_debuglink (void)
{
  g_autoptr(GPtrArray) marks = run_helper (helper_pie);
  g_autoptr(RsSiteResolver) resolver = rs_site_resolver_new ();
  g_autofree char *folder = NULL;
  g_autofree char *copy = stripped_copy ("debuglink", &folder);
  guint checked = 0;

  if (copy == NULL)
    return;
  for (guint i = 0; i < marks->len; i++)
    {
      const Mark *mark = marks->pdata[i];
      const char *function = NULL, *file = NULL;
      g_autofree char *base = NULL;
      int line = 0;

      if (g_str_has_suffix (mark->module, ".so"))
        continue;
      g_assert_true (rs_site_resolver_lookup (resolver, copy, mark->offset,
                                              &function, &file, &line, NULL));
      g_assert_cmpstr (function, ==, mark->function);
      base = g_path_get_basename (file);
      g_assert_cmpstr (base, ==, "site-helper.c");
      g_assert_cmpint (line, ==, mark->line);
      checked++;
    }
  g_assert_cmpuint (checked, ==, 3);
  remove_folder (folder);
}

/* A module that is missing or not ELF resolves to nothing, and says so the
 * same way every time; its text is the module's base name + offset. */
static void
test_no_module (void)
{
  g_autoptr(RsSiteResolver) resolver = rs_site_resolver_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text_file = NULL;
  g_autofree char *text = NULL;
  const char *modules[2] = { "/nonexistent/libfoo.so", NULL };
  int fd = g_file_open_tmp ("test-site-resolver-XXXXXX.so", &text_file, &error);

  g_assert_no_error (error);
  g_assert_cmpint (write (fd, "not ELF\n", 8), ==, 8);
  g_close (fd, NULL);
  modules[1] = text_file;

  for (guint i = 0; i < G_N_ELEMENTS (modules); i++)
    for (guint twice = 0; twice < 2; twice++)
      {
        const char *function = "unset", *file = "unset";
        int line = -1, column = -1;

        g_assert_false (rs_site_resolver_lookup (resolver, modules[i], 0x1234,
                                                 &function, &file, &line, &column));
        g_assert_null (function);
        g_assert_null (file);
        g_assert_cmpint (line, ==, 0);
        g_assert_cmpint (column, ==, 0);
      }
  g_assert_cmpint (g_unlink (text_file), ==, 0);

  text = rs_site_format_module_offset ("/usr/lib/x86_64-linux-gnu/libfoo.so", 0x1234);
  g_assert_cmpstr (text, ==, "libfoo.so+0x1234");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  if (argc != 4)
    g_error ("usage: test-site-resolver HELPER-PIE HELPER-NO-PIE OBJCOPY|''");
  helper_pie = argv[1];
  helper_no_pie = argv[2];
  objcopy = argv[3];

  g_test_add_func ("/site-resolver/pie", test_pie);
  g_test_add_func ("/site-resolver/no-pie", test_no_pie);
  g_test_add_func ("/site-resolver/strip-debug", test_strip_debug);
  g_test_add_func ("/site-resolver/strip-all", test_strip_all);
  g_test_add_func ("/site-resolver/debuglink", test_debuglink);
  g_test_add_func ("/site-resolver/no-module", test_no_module);
  return g_test_run ();
}
