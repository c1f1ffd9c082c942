/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Makes GLib's mutexes visible to ThreadSanitizer, for test-threads.
 *
 * On Linux, GLib's GMutex and GCond are built on futexes, not on pthread
 * mutexes, and the system's GLib is not instrumented: ThreadSanitizer
 * cannot see that a GMutex orders the accesses it protects, and reports
 * every access under one (the tracker's lock, for a start) as a race. This
 * file, linked into the test program, interposes GLib's functions and
 * tells ThreadSanitizer what they do with its mutex annotations (which
 * also enable its lock-order checks), then calls GLib's own functions.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <glib.h>
#include <sanitizer/tsan_interface.h>

typedef void     (*MutexFunc)   (GMutex *);
typedef gboolean (*TryLockFunc) (GMutex *);
typedef void     (*WaitFunc)    (GCond *, GMutex *);
typedef gboolean (*WaitUntilFunc) (GCond *, GMutex *, gint64);
typedef void     (*RecMutexFunc) (GRecMutex *);

/* GLib's own function `name`, looked up once (GLib may call the first one
 * before any constructor of ours runs, and from any thread). */
static gpointer
real_function (gpointer   *cache,
               const char *name)
{
  gpointer function = __atomic_load_n (cache, __ATOMIC_ACQUIRE);

  if (function == NULL)
    {
      function = dlsym (RTLD_NEXT, name);
      g_assert (function != NULL);
      __atomic_store_n (cache, function, __ATOMIC_RELEASE);
    }
  return function;
}

#define REAL(name, Type) \
  static gpointer cache_; \
  Type real = (Type) real_function (&cache_, name)

void
g_mutex_lock (GMutex *mutex)
{
  REAL ("g_mutex_lock", MutexFunc);
  __tsan_mutex_pre_lock (mutex, 0);
  real (mutex);
  __tsan_mutex_post_lock (mutex, 0, 0);
}

gboolean
g_mutex_trylock (GMutex *mutex)
{
  gboolean locked;

  REAL ("g_mutex_trylock", TryLockFunc);
  __tsan_mutex_pre_lock (mutex, __tsan_mutex_try_lock);
  locked = real (mutex);
  __tsan_mutex_post_lock (mutex, __tsan_mutex_try_lock | (locked ? 0 : __tsan_mutex_try_lock_failed), 0);
  return locked;
}

void
g_mutex_unlock (GMutex *mutex)
{
  REAL ("g_mutex_unlock", MutexFunc);
  __tsan_mutex_pre_unlock (mutex, 0);
  real (mutex);
  __tsan_mutex_post_unlock (mutex, 0);
}

/* Waiting releases the mutex and takes it again. */
void
g_cond_wait (GCond  *cond,
             GMutex *mutex)
{
  REAL ("g_cond_wait", WaitFunc);
  __tsan_mutex_pre_unlock (mutex, 0);
  __tsan_mutex_post_unlock (mutex, 0);
  real (cond, mutex);
  __tsan_mutex_pre_lock (mutex, 0);
  __tsan_mutex_post_lock (mutex, 0, 0);
}

gboolean
g_cond_wait_until (GCond  *cond,
                   GMutex *mutex,
                   gint64  end_time)
{
  gboolean signalled;

  REAL ("g_cond_wait_until", WaitUntilFunc);
  __tsan_mutex_pre_unlock (mutex, 0);
  __tsan_mutex_post_unlock (mutex, 0);
  signalled = real (cond, mutex, end_time);
  __tsan_mutex_pre_lock (mutex, 0);
  __tsan_mutex_post_lock (mutex, 0, 0);
  return signalled;
}

/* Recursive mutexes (the graphviz lock): only the order they give. */
void
g_rec_mutex_lock (GRecMutex *mutex)
{
  REAL ("g_rec_mutex_lock", RecMutexFunc);
  real (mutex);
  __tsan_acquire (mutex);
}

void
g_rec_mutex_unlock (GRecMutex *mutex)
{
  REAL ("g_rec_mutex_unlock", RecMutexFunc);
  __tsan_release (mutex);
  real (mutex);
}
