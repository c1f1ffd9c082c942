/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-export"

#include "rs-export.h"
#include "rs-error.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static const char *const formats[] = { "png", "svg", "pdf", "dot" };

gboolean
rs_export_format_is_valid (const char *format)
{
  if (format == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (g_ascii_strcasecmp (format, formats[i]) == 0)
      return TRUE;
  return FALSE;
}

char *
rs_export_step_filename (const char *directory,
                         guint       number,
                         const char *format)
{
  g_autofree char *lower = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (directory != NULL, NULL);
  g_return_val_if_fail (format != NULL, NULL);

  lower = g_ascii_strdown (format, -1);
  name = g_strdup_printf ("step-%06u.%s", number, lower);
  return g_build_filename (directory, name, NULL);
}

static void
set_write_error (GError    **error,
                 const char *path,
                 int         saved_errno)
{
  g_autofree char *display = g_filename_display_name (path);
  g_autofree char *directory = g_path_get_dirname (path);

  if (saved_errno == ENOENT && !g_file_test (directory, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *display_dir = g_filename_display_name (directory);

      g_set_error (error, RS_ERROR, RS_ERROR_NOT_FOUND,
                   "Could not write “%s”: the folder “%s” does not exist", display, display_dir);
    }
  else
    g_set_error (error, RS_ERROR, RS_ERROR_IO, "Could not write “%s”: %s", display, g_strerror (saved_errno));
}

struct _RsAtomicFile {
  char *path;
  char *temp;   /* NULL once renamed or removed */
  int   fd;     /* -1 once closed */
};

RsAtomicFile *
rs_atomic_file_new (const char  *path,
                    GError     **error)
{
  g_autofree char *directory = NULL;
  g_autofree char *base = NULL;
  g_autofree char *template = NULL;
  RsAtomicFile *self;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* The temporary file sits beside the target, so rename() is atomic; its
   * name says what it is if a killed process leaves it behind. A name too
   * long for a temporary one is cut: the target's own name is checked by
   * the rename. */
  directory = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  if (strlen (base) > 200)
    base[200] = '\0';
  template = g_strdup_printf (".%s.XXXXXX.partial", base);

  self = g_new0 (RsAtomicFile, 1);
  self->path = g_strdup (path);
  self->temp = g_build_filename (directory, template, NULL);
  self->fd = g_mkstemp_full (self->temp, O_WRONLY | O_CLOEXEC, 0666);
  if (self->fd < 0)
    {
      set_write_error (error, path, errno);
      g_clear_pointer (&self->temp, g_free);
      rs_atomic_file_free (self);
      return NULL;
    }
  return self;
}

int
rs_atomic_file_get_fd (RsAtomicFile *self)
{
  g_return_val_if_fail (self != NULL, -1);
  return self->fd;
}

const char *
rs_atomic_file_get_temp_path (RsAtomicFile *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->temp;
}

/* Closes and removes the temporary file; the error names the target. */
static gboolean
fail (RsAtomicFile *self,
      int           saved_errno,
      GError      **error)
{
  if (self->fd >= 0)
    close (self->fd);
  self->fd = -1;
  if (self->temp != NULL)
    g_unlink (self->temp);
  g_clear_pointer (&self->temp, g_free);
  set_write_error (error, self->path, saved_errno);
  return FALSE;
}

gboolean
rs_atomic_file_write (RsAtomicFile  *self,
                      const void    *data,
                      gsize          length,
                      GError       **error)
{
  gsize done = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->fd >= 0, FALSE);

  while (done < length)
    {
      gssize written = write (self->fd, (const guint8 *) data + done, length - done);

      if (written < 0 && errno == EINTR)
        continue;
      if (written <= 0)
        return fail (self, written < 0 ? errno : ENOSPC, error);
      done += written;
    }
  return TRUE;
}

gboolean
rs_atomic_file_commit (RsAtomicFile  *self,
                       GError       **error)
{
  int fd;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->fd >= 0, FALSE);

  /* A full disk may only show when the data reaches it. */
  if (fsync (self->fd) != 0 && errno != EINVAL)
    return fail (self, errno, error);
  fd = self->fd;
  self->fd = -1;
  if (close (fd) != 0 || g_rename (self->temp, self->path) != 0)
    return fail (self, errno, error);
  g_clear_pointer (&self->temp, g_free);
  return TRUE;
}

void
rs_atomic_file_free (RsAtomicFile *self)
{
  if (self == NULL)
    return;
  if (self->fd >= 0)
    close (self->fd);
  if (self->temp != NULL)
    g_unlink (self->temp);
  g_free (self->temp);
  g_free (self->path);
  g_free (self);
}

gboolean
rs_export_write_file (const char *path,
                      GBytes     *bytes,
                      GError    **error)
{
  g_autoptr(RsAtomicFile) file = NULL;
  gsize length;
  const guint8 *data;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((file = rs_atomic_file_new (path, error)) == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &length);
  return rs_atomic_file_write (file, data, length, error) &&
         rs_atomic_file_commit (file, error);
}

static const char *
format_from_path (const char *path)
{
  const char *dot = strrchr (path, '.');
  const char *slash = strrchr (path, G_DIR_SEPARATOR);

  if (dot == NULL || (slash != NULL && dot < slash))
    return NULL;
  return dot + 1;
}

static gboolean
check_format (const char *format,
              const char *path,
              GError    **error)
{
  if (rs_export_format_is_valid (format))
    return TRUE;

  {
    g_autofree char *display = g_filename_display_name (path);

    g_set_error (error, RS_ERROR, RS_ERROR_FAILED,
                 "Could not write “%s”: unknown format “%s” (expected png, svg, pdf or dot)",
                 display, format != NULL ? format : "");
  }
  return FALSE;
}

/* DOT needs no layout: the graph is written as built. */
static gboolean
export_dot (RsGraph    *graph,
            const char *path,
            GError    **error)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize length = 0;
  char *dot = rs_graph_to_dot (graph, &length, error);

  if (dot == NULL)
    return FALSE;
  bytes = g_bytes_new_take (dot, length);
  return rs_export_write_file (path, bytes, error);
}

gboolean
rs_export_render (RsRender   *render,
                  const char *path,
                  const char *format,
                  GError    **error)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (render != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (format == NULL)
    format = format_from_path (path);
  if (!check_format (format, path, error))
    return FALSE;

  bytes = rs_render_to_bytes (render, format, error);
  if (bytes == NULL)
    {
      g_autofree char *display = g_filename_display_name (path);

      g_prefix_error (error, "Could not write “%s”: ", display);
      return FALSE;
    }
  return rs_export_write_file (path, bytes, error);
}

gboolean
rs_export_snapshot (RsSnapshot *snapshot,
                    RsDiff     *diff,
                    const char *path,
                    const char *format,
                    GError    **error)
{
  g_autoptr(RsRender) render = NULL;

  g_return_val_if_fail (snapshot != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (format == NULL)
    format = format_from_path (path);
  if (!check_format (format, path, error))
    return FALSE;

  if (g_ascii_strcasecmp (format, "dot") == 0)
    {
      g_autoptr(RsGraph) graph = rs_graph_build (snapshot, diff, NULL);
      return export_dot (graph, path, error);
    }

  render = rs_render_new ();
  if (!rs_render_update (render, snapshot, diff, NULL, error))
    return FALSE;
  return rs_export_render (render, path, format, error);
}

gboolean
rs_export_step (RsRender             *render,
                RsSnapshot           *snapshot,
                RsDiff               *diff,
                const RsGraphOptions *options,
                const char           *directory,
                guint                 number,
                const char * const   *formats_wanted,
                GError              **error)
{
  g_autoptr(RsRender) own_render = NULL;
  gboolean needs_layout = FALSE;

  g_return_val_if_fail (snapshot != NULL, FALSE);
  g_return_val_if_fail (directory != NULL, FALSE);
  g_return_val_if_fail (formats_wanted != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; formats_wanted[i] != NULL; i++)
    {
      g_autofree char *path = rs_export_step_filename (directory, number, formats_wanted[i]);

      if (!check_format (formats_wanted[i], path, error))
        return FALSE;
      needs_layout |= g_ascii_strcasecmp (formats_wanted[i], "dot") != 0;
    }

  if (needs_layout)
    {
      if (render == NULL)
        render = own_render = rs_render_new ();
      if (!rs_render_update (render, snapshot, diff, options, error))
        return FALSE;
    }

  for (guint i = 0; formats_wanted[i] != NULL; i++)
    {
      g_autofree char *path = rs_export_step_filename (directory, number, formats_wanted[i]);
      gboolean ok;

      if (needs_layout)
        ok = rs_export_render (render, path, formats_wanted[i], error);
      else
        {
          g_autoptr(RsGraph) graph = rs_graph_build (snapshot, diff, options);
          ok = export_dot (graph, path, error);
        }
      if (!ok)
        return FALSE;
    }
  return TRUE;
}
