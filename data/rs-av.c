/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "rs-av-private.h"

#include <libavutil/error.h>
#include <libavutil/log.h>
#include <stdio.h>
#include <string.h>

char *
rs_av_error_string (int errnum)
{
  char message[AV_ERROR_MAX_STRING_SIZE] = "";

  if (av_strerror (errnum, message, sizeof message) < 0)
    g_snprintf (message, sizeof message, "error %d", errnum);
  return g_strdup (message);
}

/* More than this many messages between two takes are dropped. */
#define MAX_LOG_MESSAGES 256

static GMutex log_lock;
static GPtrArray *log_messages;
/* The start of a line FFmpeg logs in several calls ("Packet corrupt
 * (...)", then "."): it is one message once its newline comes. */
static GString *log_pending;
static const void *log_pending_context;
static gsize log_pending_name_len;  /* "NAME: " at its start */

/* Adds the pending start of a line as a message of its own. Called with
 * log_lock held. */
static void
flush_pending (void)
{
  if (log_pending->len == 0)
    return;
  g_strchomp (log_pending->str);
  /* Nothing but the context's name: an empty line is no message. */
  if (strlen (log_pending->str) > log_pending_name_len && log_messages->len < MAX_LOG_MESSAGES)
    g_ptr_array_add (log_messages, g_strdup (log_pending->str));
  g_string_truncate (log_pending, 0);
}

static void
log_callback (void       *context,
              int         level,
              const char *format,
              va_list     args)
{
  const AVClass *class = context != NULL ? *(const AVClass **) context : NULL;
  const char *name = NULL;
  char message[1024];
  gboolean ended;
  int length;

  if (level > AV_LOG_WARNING)
    return;

  length = vsnprintf (message, sizeof message, format, args);
  if (length <= 0)
    return;
  /* Cut short (longer than the buffer), it counts as a whole line. */
  ended = length >= (int) sizeof message || message[length - 1] == '\n';

  if (class != NULL)
    {
      name = class->item_name (context);
      /* Some contexts have no name of their own yet. */
      if (name == NULL || g_str_equal (name, "NULL"))
        name = class->class_name;
    }

  g_mutex_lock (&log_lock);
  /* A piece of another context's line does not continue this one. */
  if (log_pending->len > 0 && log_pending_context != context)
    flush_pending ();
  if (log_pending->len == 0)
    {
      if (name != NULL)
        g_string_append_printf (log_pending, "%s: ", name);
      log_pending_name_len = log_pending->len;
    }
  g_string_append (log_pending, message);
  log_pending_context = context;
  if (ended)
    flush_pending ();
  g_mutex_unlock (&log_lock);
}

void
rs_av_log_capture (void)
{
  static gsize installed = 0;

  if (g_once_init_enter (&installed))
    {
      log_messages = g_ptr_array_new_with_free_func (g_free);
      log_pending = g_string_new (NULL);
      av_log_set_callback (log_callback);
      g_once_init_leave (&installed, 1);
    }
}

GPtrArray *
rs_av_log_take (void)
{
  GPtrArray *taken = NULL;

  rs_av_log_capture ();
  g_mutex_lock (&log_lock);
  /* A line still unended is taken as it is: its end may never come. */
  flush_pending ();
  if (log_messages->len > 0)
    {
      taken = g_steal_pointer (&log_messages);
      log_messages = g_ptr_array_new_with_free_func (g_free);
    }
  g_mutex_unlock (&log_lock);
  return taken;
}

char *
rs_av_log_take_last (void)
{
  g_autoptr(GPtrArray) taken = rs_av_log_take ();

  if (taken == NULL)
    return NULL;
  return g_strdup (g_ptr_array_index (taken, taken->len - 1));
}

void
rs_av_log_clear (void)
{
  g_autoptr(GPtrArray) stale = rs_av_log_take ();
}
