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

/* The UTF-8 byte order mark some editors put first. */
#define UTF8_BOM "\xEF\xBB\xBF"

/* Whether `head` (the first `n` bytes of a file, NUL-terminated) starts a
 * playlist: something that names other resources. */
static gboolean
is_playlist (const char *head,
             gsize       n)
{
  if (g_str_has_prefix (head, UTF8_BOM))
    head += strlen (UTF8_BOM);
  return g_str_has_prefix (head, "#EXTM3U") || g_str_has_prefix (head, "[playlist]") ||
         g_str_has_prefix (head, "ffconcat") || g_strstr_len (head, n, "<MPD") != NULL;
}

static gboolean
has_url_mark (const char *data,
              gsize       n)
{
  for (gsize i = 0; i + 3 <= n; i++)
    if (data[i] == ':' && data[i + 1] == '/' && data[i + 2] == '/')
      return TRUE;
  return FALSE;
}

/* Whether "://" appears anywhere in the file, read a block at a time: a
 * playlist's URL may be past its first block. */
static gboolean
names_a_url (int fd)
{
  char block[64 * 1024];
  off_t offset = 0;
  gsize kept = 0;
  ssize_t n;

  while ((n = pread (fd, block + kept, sizeof block - kept, offset)) > 0)
    {
      offset += n;
      n += kept;
      if (has_url_mark (block, n))
        return TRUE;
      /* The last two bytes may start a "://" the next block ends. */
      kept = MIN ((gsize) n, 2);
      memmove (block, block + n - kept, kept);
    }
  return FALSE;
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
  if (is_playlist (head, n) && names_a_url (fd))
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
  g_autofree char *url = NULL;
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
  /* As a file: URL, so that a local name that looks like a protocol
   * ("concat:x.mp4", "pipe:1") is the file it names. */
  url = g_strconcat ("file:", path, NULL);
  ret = avformat_open_input (&context, url, NULL, &options);
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

