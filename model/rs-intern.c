/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-intern"

#include "rs-intern.h"

#include <pthread.h>

/* A pthread mutex, not a GMutex, so that ThreadSanitizer sees it (GLib is
 * not built for it). The decode session's threads and the trace writer
 * intern at the same time as the window. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static GHashTable *strings;      /* the interned strings, a set (g_str_hash) */
static GStringChunk *storage;    /* the copies, in blocks that never move */

#define BLOCK_SIZE 4096

static const char *
intern_locked (const char *string,
               gboolean    copy)
{
  const char *interned = g_hash_table_lookup (strings, string);

  if (interned != NULL)
    return interned;
  interned = copy ? g_string_chunk_insert (storage, string) : string;
  g_hash_table_add (strings, (gpointer) interned);
  return interned;
}

static const char *
intern (const char *string,
        gboolean    copy)
{
  const char *interned;

  if (string == NULL)
    return NULL;
  pthread_mutex_lock (&lock);
  if (strings == NULL)
    {
      strings = g_hash_table_new (g_str_hash, g_str_equal);
      storage = g_string_chunk_new (BLOCK_SIZE);
    }
  interned = intern_locked (string, copy);
  pthread_mutex_unlock (&lock);
  return interned;
}

const char *
rs_intern (const char *string)
{
  return intern (string, TRUE);
}

const char *
rs_intern_static (const char *string)
{
  return intern (string, FALSE);
}

const char *
rs_intern_lookup (const char *string)
{
  const char *interned = NULL;

  if (string == NULL)
    return NULL;
  pthread_mutex_lock (&lock);
  if (strings != NULL)
    interned = g_hash_table_lookup (strings, string);
  pthread_mutex_unlock (&lock);
  return interned;
}
