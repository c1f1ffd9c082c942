/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "rs-av-private.h"

#include <libavutil/error.h>
#include <libavutil/log.h>
#include <stdio.h>

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

static void
log_callback (void       *context,
              int         level,
              const char *format,
              va_list     args)
{
  const AVClass *class = context != NULL ? *(const AVClass **) context : NULL;
  const char *name = NULL;
  char message[1024];
  int length;

  if (level > AV_LOG_WARNING)
    return;

  length = vsnprintf (message, sizeof message, format, args);
  if (length <= 0)
    return;
  g_strchomp (message);

  if (class != NULL)
    {
      name = class->item_name (context);
      /* Some contexts have no name of their own yet. */
      if (name == NULL || g_str_equal (name, "NULL"))
        name = class->class_name;
    }

  g_mutex_lock (&log_lock);
  if (log_messages->len < MAX_LOG_MESSAGES && message[0] != '\0')
    g_ptr_array_add (log_messages, name != NULL ? g_strdup_printf ("%s: %s", name, message)
                                                : g_strdup (message));
  g_mutex_unlock (&log_lock);
}

void
rs_av_log_capture (void)
{
  static gsize installed = 0;

  if (g_once_init_enter (&installed))
    {
      log_messages = g_ptr_array_new_with_free_func (g_free);
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
