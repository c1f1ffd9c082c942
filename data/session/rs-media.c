/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-media"

#include "rs-media-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rs-av-private.h"
#include "rs-error.h"

/* "scheme://..." where the scheme is letters, digits, + - . (RFC 3986). */
static gboolean
looks_like_url (const char *path)
{
  const char *p = path;

  if (!g_ascii_isalpha (*p))
    return FALSE;
  while (g_ascii_isalnum (*p) || *p == '+' || *p == '-' || *p == '.')
    p++;
  return p - path > 1 && g_str_has_prefix (p, "://");
}

/* Playlists name other resources; refuse those that name the network, so
 * that a downloaded .m3u8 cannot make Refscope connect anywhere. */
static gboolean
check_playlist (const char  *path,
                int          fd,
                GError     **error)
{
  char head[4096];
  ssize_t n = pread (fd, head, sizeof head - 1, 0);

  if (n <= 0)
    return TRUE;
  head[n] = '\0';
  if ((g_str_has_prefix (head, "#EXTM3U") || g_str_has_prefix (head, "[playlist]") ||
       strstr (head, "<MPD") != NULL || g_str_has_prefix (head, "ffconcat")) &&
      strstr (head, "://") != NULL)
    {
      g_set_error (error, RS_ERROR, RS_ERROR_REFUSED,
                   "%s: refused: the playlist points at the network; Refscope opens local files only",
                   path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_file (const char  *path,
            GError     **error)
{
  struct stat st;
  const char *problem = NULL;
  int fd;
  gboolean ok;

  if (looks_like_url (path) && !g_str_has_prefix (path, "file:"))
    {
      g_set_error (error, RS_ERROR, RS_ERROR_REFUSED,
                   "%s: refused: not a local file; Refscope opens local files only", path);
      return FALSE;
    }

  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
  if (fd < 0 || fstat (fd, &st) != 0)
    {
      int saved = errno;
      g_set_error (error, RS_ERROR, saved == ENOENT ? RS_ERROR_NOT_FOUND : RS_ERROR_IO,
                   "%s: cannot open: %s", path, g_strerror (saved));
      if (fd >= 0)
        close (fd);
      return FALSE;
    }

  if (S_ISDIR (st.st_mode))
    problem = "is a directory, not a media file";
  else if (!S_ISREG (st.st_mode))
    problem = "not a regular file";
  else if (st.st_size == 0)
    problem = "the file is empty";
  if (problem != NULL)
    g_set_error (error, RS_ERROR, RS_ERROR_INVALID_INPUT, "%s: %s", path, problem);

  ok = problem == NULL && check_playlist (path, fd, error);
  close (fd);
  return ok;
}

/* "FILE: WHAT: REASON (what FFmpeg logged last)". */
static void
set_open_error (GError    **error,
                const char *path,
                const char *what,
                int         ret)
{
  g_autofree char *reason = rs_av_error_string (ret);
  g_autofree char *detail = rs_av_log_take_last ();

  if (detail != NULL)
    g_set_error (error, RS_ERROR, RS_ERROR_INVALID_INPUT, "%s: %s: %s (%s)", path, what, reason, detail);
  else
    g_set_error (error, RS_ERROR, RS_ERROR_INVALID_INPUT, "%s: %s: %s", path, what, reason);
}

AVFormatContext *
rs_media_open (const char  *path,
               GError     **error)
{
  g_autoptr(AVFormatContext) context = NULL;
  AVDictionary *options = NULL;
  int ret;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_file (path, error))
    return NULL;

  /* FFmpeg's own words go into the message, not onto stderr. */
  rs_av_log_capture ();
  rs_av_log_clear ();

  /* Only the file protocol, for the file and anything it refers to. */
  av_dict_set (&options, "protocol_whitelist", "file", 0);
  ret = avformat_open_input (&context, path, NULL, &options);
  av_dict_free (&options);
  if (ret < 0)
    {
      set_open_error (error, path, "not a media file FFmpeg can read", ret);
      return NULL;
    }

  ret = avformat_find_stream_info (context, NULL);
  if (ret < 0)
    {
      set_open_error (error, path, "cannot read the stream layout", ret);
      return NULL;
    }
  if (context->nb_streams == 0)
    {
      g_set_error (error, RS_ERROR, RS_ERROR_INVALID_INPUT, "%s: the file has no streams", path);
      return NULL;
    }

  /* What FFmpeg said while probing a file it could open is not news. */
  rs_av_log_clear ();
  return g_steal_pointer (&context);
}

