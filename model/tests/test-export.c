/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "rs-error.h"
#include "rs-export.h"
#include "graph-fixtures.h"

typedef struct {
  RsSnapshot *s56;
  RsSnapshot *s57;
  RsDiff     *diff;   /* 56 -> 57 */
  char       *dir;    /* a fresh temporary directory */
} Fixture;

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fix_make_steps (&f->s56, &f->s57);
  f->diff = rs_diff_new (f->s56, f->s57);
  f->dir = g_dir_make_tmp ("refscope-export-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  g_chmod (path, 0755);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  remove_tree (f->dir);
  g_free (f->dir);
  rs_diff_free (f->diff);
  rs_snapshot_unref (f->s56);
  rs_snapshot_unref (f->s57);
}

static guint
count_files (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static GBytes *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

/* `dot -Tcanon` as an independent checker of the DOT we write. */
static void
assert_dot_accepts (const char *path)
{
  g_autofree char *dot = g_find_program_in_path ("dot");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { dot, "-Tcanon", path, NULL };
  int status = -1;

  if (dot == NULL)
    {
      g_test_message ("dot is not installed: not checking %s with it", path);
      return;
    }
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (err, ==, "");
  g_assert_nonnull (strstr (out, "digraph refscope"));
  g_assert_nonnull (strstr (out, "h_reader"));
}

static void
test_export_formats (Fixture      *f,
                     gconstpointer data)
{
  static const struct {
    const char *name;
    const char *magic;
  } cases[] = {
    { "step.png", "\x89PNG\r\n\x1a\n" },
    { "step.pdf", "%PDF-" },
    { "step.svg", "<?xml" },
    { "step.dot", "digraph refscope" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_build_filename (f->dir, cases[i].name, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = NULL;

      /* The format comes from the extension. */
      g_assert_true (rs_export_snapshot (f->s57, f->diff, path, NULL, &error));
      g_assert_no_error (error);
      bytes = read_file (path);
      g_assert_cmpuint (g_bytes_get_size (bytes), >, strlen (cases[i].magic));
      g_assert_cmpmem (g_bytes_get_data (bytes, NULL), strlen (cases[i].magic), cases[i].magic, strlen (cases[i].magic));
    }
  {
    g_autofree char *path = g_build_filename (f->dir, "step.dot", NULL);
    assert_dot_accepts (path);
  }
  /* Nothing but the four files: no temporary left behind. */
  g_assert_cmpuint (count_files (f->dir), ==, 4);
}

/* Texts of <text> elements, as an SVG reader sees them. */
static void
on_svg_text (GMarkupParseContext *context,
             const char          *text,
             gsize                length,
             gpointer             user_data,
             GError             **error)
{
  if (g_strcmp0 (g_markup_parse_context_get_element (context), "text") == 0)
    g_ptr_array_add (user_data, g_strndup (text, length));
}

static void
test_export_svg_xml (Fixture      *f,
                     gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "graph", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GMarkupParseContext) parser = NULL;
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  static const GMarkupParser callbacks = { .text = on_svg_text };
  gboolean reader = FALSE;
  const char *text;
  gsize length;

  g_assert_true (rs_export_snapshot (f->s57, f->diff, path, "svg", &error));
  g_assert_no_error (error);
  bytes = read_file (path);
  text = g_bytes_get_data (bytes, &length);
  parser = g_markup_parse_context_new (&callbacks, 0, texts, NULL);
  g_assert_true (g_markup_parse_context_parse (parser, text, length, &error));
  g_assert_true (g_markup_parse_context_end_parse (parser, &error));
  g_assert_no_error (error);
  g_assert_nonnull (g_strstr_len (text, length, "step 58"));

  /* The reader's label is "AVPacket" then " reader", in two texts: SVG
   * readers keep the space only if the drawing asks them to. */
  for (guint i = 0; i < texts->len; i++)
    reader |= g_str_equal (g_ptr_array_index (texts, i), " reader");
  g_assert_true (reader);
  g_assert_nonnull (g_strstr_len (text, 300, "<svg xml:space=\"preserve\""));
}

static void
test_export_missing_dir (Fixture      *f,
                         gconstpointer data)
{
  g_autofree char *missing = g_build_filename (f->dir, "no-such-dir", NULL);
  g_autofree char *path = g_build_filename (missing, "step.svg", NULL);
  g_autoptr(GError) error = NULL;
  const char *formats[] = { "svg", "dot", NULL };

  g_assert_false (rs_export_snapshot (f->s57, f->diff, path, "svg", &error));
  g_assert_error (error, RS_ERROR, RS_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "does not exist"));
  g_clear_error (&error);

  g_assert_false (rs_export_step (NULL, f->s57, f->diff, NULL, missing, 57, formats, &error));
  g_assert_error (error, RS_ERROR, RS_ERROR_NOT_FOUND);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_files (f->dir), ==, 0);
}

static void
test_export_unwritable_dir (Fixture      *f,
                            gconstpointer data)
{
  g_autofree char *locked = g_build_filename (f->dir, "locked", NULL);
  g_autofree char *path = g_build_filename (locked, "step.png", NULL);
  g_autoptr(GError) error = NULL;

  if (geteuid () == 0)
    {
      g_test_skip ("root writes into read-only directories");
      return;
    }
  g_assert_cmpint (g_mkdir (locked, 0555), ==, 0);
  g_assert_false (rs_export_snapshot (f->s57, f->diff, path, "png", &error));
  g_assert_error (error, RS_ERROR, RS_ERROR_IO);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_cmpuint (count_files (locked), ==, 0);
}

static void
test_export_bad_format (Fixture      *f,
                        gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "step.gif", NULL);
  g_autoptr(GError) error = NULL;
  const char *formats[] = { "svg", "gif", NULL };

  g_assert_false (rs_export_snapshot (f->s57, f->diff, path, NULL, &error));
  g_assert_error (error, RS_ERROR, RS_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "gif"));
  g_clear_error (&error);
  /* A list with a bad format writes nothing at all. */
  g_assert_false (rs_export_step (NULL, f->s57, f->diff, NULL, f->dir, 57, formats, &error));
  g_assert_error (error, RS_ERROR, RS_ERROR_FAILED);
  g_assert_cmpuint (count_files (f->dir), ==, 0);
  g_assert_true (rs_export_format_is_valid ("SVG"));
  g_assert_false (rs_export_format_is_valid ("jpeg"));
  g_assert_false (rs_export_format_is_valid (NULL));
}

static void
test_export_steps (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr(RsRender) render = rs_render_new ();
  g_autoptr(RsSnapshot) s58 = fix_make_refcount_step (f->s57, 1, NULL, 0);
  g_autoptr(RsDiff) diff58 = rs_diff_new (f->s57, s58);
  g_autoptr(RsDiff) first = rs_diff_new (NULL, f->s57);
  g_autoptr(GError) error = NULL;
  g_autofree char *svg = NULL;
  g_autofree char *dot = NULL;
  g_autofree char *old_contents = NULL;
  g_autofree char *new_contents = NULL;
  const char *formats[] = { "svg", "dot", NULL };
  const char *dot_only[] = { "dot", NULL };

  svg = rs_export_step_filename (f->dir, 1, "SVG");
  g_assert_true (g_str_has_suffix (svg, G_DIR_SEPARATOR_S "step-000001.svg"));

  /* Two consecutive steps through one render: the second reuses the layout. */
  g_assert_true (rs_export_step (render, f->s57, first, NULL, f->dir, 1, formats, &error));
  g_assert_no_error (error);
  g_assert_true (rs_export_step (render, s58, diff58, NULL, f->dir, 2, formats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rs_render_get_n_layouts (render), ==, 1);
  g_assert_cmpuint (count_files (f->dir), ==, 4);
  dot = rs_export_step_filename (f->dir, 2, "dot");
  assert_dot_accepts (dot);

  /* Writing again replaces a file whole. */
  g_file_get_contents (dot, &old_contents, NULL, NULL);
  g_assert_true (rs_export_step (NULL, f->s57, NULL, NULL, f->dir, 2, dot_only, &error));
  g_assert_no_error (error);
  g_file_get_contents (dot, &new_contents, NULL, NULL);
  g_assert_cmpstr (old_contents, !=, new_contents);
  g_assert_nonnull (strstr (new_contents, "step 58"));
  g_assert_cmpuint (count_files (f->dir), ==, 4);
}

static void
test_export_render (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr(RsRender) render = rs_render_new ();
  g_autofree char *path = g_build_filename (f->dir, "shown.pdf", NULL);
  g_autoptr(GError) error = NULL;
  RsGraphOptions options;

  rs_graph_options_init (&options);
  options.legend = TRUE;
  options.dark = TRUE;
  g_assert_true (rs_render_update (render, f->s57, f->diff, &options, &error));
  g_assert_true (rs_export_render (render, path, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/export/formats", test_export_formats);
  ADD ("/export/svg-xml", test_export_svg_xml);
  ADD ("/export/missing-dir", test_export_missing_dir);
  ADD ("/export/unwritable-dir", test_export_unwritable_dir);
  ADD ("/export/bad-format", test_export_bad_format);
  ADD ("/export/steps", test_export_steps);
  ADD ("/export/render", test_export_render);
#undef ADD
  return g_test_run ();
}
