/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-preload.c: the recorder library's life (start, exit, fork), the real
 * libav functions, the modules of the process (which code is libav, where
 * a call came from) and the life of one recorded call.
 *
 * Recording happens only when REFSCOPE_RECORD_OUTPUT names a file. A
 * program linked with libav records from the start. A process that is not
 * (a launcher: a shell script, libtool's wrapper, env, time) passes the
 * library on to what it runs, and records only if it loads libav itself
 * and calls it; at its exit, if nothing it ran recorded, it leaves a
 * recording of its exit alone. When recording starts, the library takes
 * itself out of LD_PRELOAD (and the variable out of the environment) so the
 * programs the recorded one runs are not recorded; a child it forks does
 * not record.
 * The last step, "exit", is written by the library's destructor, with the
 * status exit() was given or main returned as its ret. A process that ends
 * without running destructors (_exit, _Exit, quick_exit, a signal) writes
 * no exit step: its recording reads as one that was cut.
 * One process records a file: the first locks it (flock); another that
 * tries while it runs passes through unrecorded.
 *
 * It never exits or aborts: when anything fails inside, recording stops and
 * every call passes straight through.
 */
#include "rs-preload-private.h"

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

RsReal rs_real;
RS_TLS int rs_depth;

static atomic_int recording;
static atomic_int armed;          /* REFSCOPE_RECORD_OUTPUT was given, recording not started */
static char *output_path;
static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;
static RS_TLS int thread_index;
static int n_threads;  /* under the state lock */
static atomic_int exit_status;  /* exit's argument, kept by keep_exit_status */

static const char *const call_names[] = {
#define RS_CALL_STRING(name) #name,
  RS_CALL_NAMES (RS_CALL_STRING)
#undef RS_CALL_STRING
};

const char *
rs_call_name (RsCallId id)
{
  return id < RS_CALL_N ? call_names[id] : "?";
}

static void
resolve_real (void)
{
#define RS_REAL_RESOLVE(name) rs_real.name = (__typeof__ (rs_real.name)) dlsym (RTLD_NEXT, #name);
  RS_REAL_FUNCTIONS (RS_REAL_RESOLVE)
#undef RS_REAL_RESOLVE
}

void
rs_real_init (void)
{
  static pthread_once_t once = PTHREAD_ONCE_INIT;

  pthread_once (&once, resolve_real);
}

void *
rs_real_late (const char *name,
              void      **slot)
{
  rs_real_init ();
  if (*slot == NULL)
    *slot = dlsym (RTLD_NEXT, name);
  return *slot;
}

bool
rs_recording (void)
{
  return atomic_load_explicit (&recording, memory_order_relaxed) != 0;
}

void
rs_stop (void)
{
  atomic_store (&recording, 0);
}

int
rs_thread_index (void)
{
  /* Under the state lock: numbering follows the order of first steps. */
  if (thread_index == 0)
    thread_index = ++n_threads;
  return thread_index - 1;
}

bool
rs_threads_many (void)
{
  return n_threads > 1;
}

/* ------------------------------------------------------------------ */
/* Modules. A table is immutable once published; a new one (after a
 * dlopen) keeps the old modules' indices and adds the new ones. Old tables
 * stay allocated: a reader on another thread may still look at one. */

typedef struct {
  uintptr_t start;
  uintptr_t end;
  uint32_t  module;  /* index + 1 */
} Range;

typedef struct {
  char      *name;      /* as the loader names it */
  char      *path;      /* its real path */
  uintptr_t  bias;
  bool       internal;
} Module;

typedef struct _Table Table;
struct _Table {
  Range             *ranges;
  size_t             n_ranges;
  Module            *modules;
  size_t             n_modules;
  unsigned long long adds;
  unsigned long long subs;
  Table             *older;
};

static _Atomic (Table *) modules_table;
static pthread_mutex_t modules_lock = PTHREAD_MUTEX_INITIALIZER;
static char *self_path;

/* FFmpeg's libraries (not libavahi and the like). */
static bool
is_libav_name (const char *path)
{
  static const char *const names[] = {
    "libavutil", "libavcodec", "libavformat", "libavfilter", "libavdevice",
    "libavresample", "libswscale", "libswresample", "libpostproc",
  };
  const char *base = strrchr (path, '/');

  base = base ? base + 1 : path;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    {
      size_t len = strlen (names[i]);

      if (strncmp (base, names[i], len) == 0 && (base[len] == '.' || base[len] == '-'))
        return true;
    }
  return false;
}

typedef struct {
  Table *table;
  size_t capacity_ranges;
  size_t capacity_modules;
  bool   first;
  bool   failed;
} Build;

static uint32_t
find_or_add_module (Build      *build,
                    const char *path,
                    uintptr_t   bias)
{
  Table *t = build->table;
  Module *m;
  char *real;

  for (size_t i = 0; i < t->n_modules; i++)
    if (t->modules[i].bias == bias && strcmp (t->modules[i].name, path) == 0)
      return (uint32_t) i + 1;

  m = rs_grow (t->modules, &build->capacity_modules, t->n_modules + 1, sizeof *m);
  if (m == NULL)
    {
      build->failed = true;
      return 0;
    }
  t->modules = m;
  real = realpath (path, NULL);
  m = &t->modules[t->n_modules++];
  m->name = rs_strdup (path);
  m->path = real ? real : rs_strdup (path);
  if (m->name == NULL || m->path == NULL)
    {
      build->failed = true;
      return 0;
    }
  m->bias = bias;
  m->internal = is_libav_name (m->path) ||
                (self_path != NULL && strcmp (m->path, self_path) == 0);
  return (uint32_t) t->n_modules;
}

static int
collect_object (struct dl_phdr_info *info,
                size_t               size,
                void                *data)
{
  Build *build = data;
  const char *name = info->dlpi_name;
  bool first = build->first;
  uint32_t module = 0;

  build->first = false;
  build->table->adds = info->dlpi_adds;
  build->table->subs = info->dlpi_subs;
  if (build->failed)
    return 0;

  /* The main program comes first, without a name. */
  if (first && (name == NULL || name[0] == '\0'))
    name = "/proc/self/exe";
  if (name == NULL || name[0] != '/')
    return 0;  /* the vDSO, or an object loaded by a relative name we cannot name */

  for (int i = 0; i < info->dlpi_phnum; i++)
    {
      const ElfW (Phdr) *ph = &info->dlpi_phdr[i];
      Range *r;

      if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
        continue;
      if (module == 0 && (module = find_or_add_module (build, name, info->dlpi_addr)) == 0)
        return 0;
      r = rs_grow (build->table->ranges, &build->capacity_ranges,
                   build->table->n_ranges + 1, sizeof *r);
      if (r == NULL)
        {
          build->failed = true;
          return 0;
        }
      build->table->ranges = r;
      r = &build->table->ranges[build->table->n_ranges++];
      r->start = info->dlpi_addr + ph->p_vaddr;
      r->end = r->start + ph->p_memsz;
      r->module = module;
    }
  return 0;
}

static int
compare_ranges (const void *a,
                const void *b)
{
  const Range *x = a, *y = b;

  return x->start < y->start ? -1 : x->start > y->start;
}

static int
count_loads (struct dl_phdr_info *info,
             size_t               size,
             void                *data)
{
  unsigned long long *counts = data;

  counts[0] = info->dlpi_adds;
  counts[1] = info->dlpi_subs;
  return 1;  /* the counts are the same in every object's info */
}

/* Builds a new table when objects were loaded or unloaded since `seen`. */
static Table *
rebuild_modules (Table *seen)
{
  Table *current;
  Build build = { 0 };
  unsigned long long counts[2] = { 0, 0 };

  pthread_mutex_lock (&modules_lock);
  current = atomic_load (&modules_table);
  if (current != seen)
    {
      pthread_mutex_unlock (&modules_lock);
      return current;  /* another thread just rebuilt it */
    }
  /* An address in no module (code made at run time): nothing new to learn. */
  dl_iterate_phdr (count_loads, counts);
  if (current != NULL && counts[0] == current->adds && counts[1] == current->subs)
    {
      pthread_mutex_unlock (&modules_lock);
      return current;
    }

  build.table = rs_alloc (sizeof (Table));
  if (build.table == NULL)
    {
      pthread_mutex_unlock (&modules_lock);
      return current;
    }
  if (current != NULL && current->n_modules > 0)
    {
      build.table->modules = malloc (current->n_modules * sizeof (Module));
      if (build.table->modules != NULL)
        {
          memcpy (build.table->modules, current->modules, current->n_modules * sizeof (Module));
          build.table->n_modules = build.capacity_modules = current->n_modules;
        }
    }
  build.first = true;
  dl_iterate_phdr (collect_object, &build);

  if (build.failed || (current != NULL && build.table->adds == current->adds &&
                       build.table->subs == current->subs))
    {
      free (build.table->ranges);
      free (build.table->modules);
      free (build.table);
      pthread_mutex_unlock (&modules_lock);
      return current;
    }

  qsort (build.table->ranges, build.table->n_ranges, sizeof (Range), compare_ranges);
  build.table->older = current;
  atomic_store (&modules_table, build.table);
  pthread_mutex_unlock (&modules_lock);
  return build.table;
}

static const Range *
find_range (const Table *t,
            uintptr_t    address)
{
  size_t lo = 0, hi;

  if (t == NULL)
    return NULL;
  hi = t->n_ranges;
  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;

      if (t->ranges[mid].end <= address)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo < t->n_ranges && t->ranges[lo].start <= address && address < t->ranges[lo].end)
    return &t->ranges[lo];
  return NULL;
}

static const Range *
lookup (const void *address,
        Table     **table)
{
  Table *t = atomic_load_explicit (&modules_table, memory_order_acquire);
  const Range *r = find_range (t, (uintptr_t) address);

  if (r == NULL)
    {
      t = rebuild_modules (t);
      r = find_range (t, (uintptr_t) address);
    }
  *table = t;
  return r;
}

bool
rs_module_is_internal (const void *address)
{
  Table *t;
  const Range *r = lookup (address, &t);

  return r != NULL && t->modules[r->module - 1].internal;
}

RsSite
rs_module_site (const void *return_address)
{
  Table *t;
  const Range *r = lookup (return_address, &t);
  RsSite site = { 0, 0 };

  if (r != NULL)
    {
      site.module = r->module;
      site.offset = (uintptr_t) return_address - 1 - t->modules[r->module - 1].bias;
    }
  return site;
}

const char *
rs_module_path (uint32_t module)
{
  Table *t = atomic_load (&modules_table);

  if (t == NULL || module == 0 || module > t->n_modules)
    return NULL;
  return t->modules[module - 1].path;
}

/* ------------------------------------------------------------------ */
/* The life of a call. */

static void remove_self_from_preload (void);

/* Starts the recording, at most once. */
static bool
start_recording (bool only_if_unused)
{
  bool started;

  pthread_mutex_lock (&start_lock);
  if (atomic_load (&armed) && !rs_recording ())
    {
      atomic_store (&armed, 0);
      remove_self_from_preload ();
      unsetenv ("REFSCOPE_RECORD_OUTPUT");
      if (rs_writer_open (output_path, only_if_unused))
        atomic_store (&recording, 1);
      else if (errno != EWOULDBLOCK && errno != EEXIST)
        fprintf (stderr, "refscope: cannot record to %s: %m\n", output_path);
      free (output_path);
      output_path = NULL;
    }
  started = rs_recording ();
  pthread_mutex_unlock (&start_lock);
  return started;
}

bool
rs_call_begin (RsCall     *call,
               RsCallId    id,
               const void *caller)
{
  call->entered = false;
  if (!rs_recording () && !atomic_load_explicit (&armed, memory_order_relaxed))
    return false;
  if (rs_depth > 0 || rs_module_is_internal (caller))
    return false;
  if (!rs_recording () && !start_recording (false))
    return false;

  memset (call, 0, sizeof *call);
  call->id = id;
  call->caller = caller;
  return true;
}

void
rs_call_add (RsCall      *call,
             void        *ptr,
             RsHandleKind kind,
             unsigned     flags,
             unsigned     lose_mask)
{
  RsArg *arg;

  if (ptr == NULL || call->n_args == RS_MAX_ARGS)
    return;
  arg = &call->args[call->n_args++];
  arg->ptr = ptr;
  arg->kind = kind;
  arg->flags = flags;
  arg->lose_mask = lose_mask;
}

void
rs_call_enter (RsCall *call)
{
  call->entered = true;
  rs_depth++;
  rs_state_lock ();
  rs_state_enter (call);
  rs_state_unlock ();
}

void
rs_call_leave (RsCall *call,
               int     ret)
{
  if (!call->entered)
    return;
  call->ret = ret;
  rs_state_lock ();
  rs_state_leave (call);
  rs_state_unlock ();
  rs_depth--;
}

int
rs_call_return (RsCall *call,
                int     ret)
{
  rs_call_leave (call, ret);
  return ret;
}

void *
rs_call_return_pointer (RsCall *call,
                        void   *p)
{
  /* The step's return value: the call's failure is ENOMEM. */
  rs_call_leave (call, p != NULL ? 0 : AVERROR (ENOMEM));
  return p;
}

void *
rs_call_return_created (RsCall      *call,
                        RsHandleKind kind,
                        void        *p)
{
  call->created = p;
  call->created_kind = kind;
  return rs_call_return_pointer (call, p);
}

void
rs_call_set_slot (RsCall       *call,
                  AVBufferRef **slot)
{
  call->slot = slot;
  call->slot_before = *slot;
}

/* ------------------------------------------------------------------ */
/* Start, fork, exit. */

/* Takes our library out of LD_PRELOAD, so the programs it runs are not
 * recorded; leaves the others. */
static void
remove_self_from_preload (void)
{
  const char *preload = getenv ("LD_PRELOAD");
  const char *self_base;
  char *kept, *copy, *token, *save = NULL;
  size_t len;

  if (preload == NULL || self_path == NULL)
    return;
  self_base = strrchr (self_path, '/');
  self_base = self_base ? self_base + 1 : self_path;

  len = strlen (preload);
  kept = calloc (1, len + 1);
  copy = strdup (preload);
  if (kept == NULL || copy == NULL)
    {
      free (kept);
      free (copy);
      return;
    }
  for (token = strtok_r (copy, " :", &save); token != NULL; token = strtok_r (NULL, " :", &save))
    {
      const char *base = strrchr (token, '/');

      base = base ? base + 1 : token;
      if (strcmp (base, self_base) == 0)
        continue;
      if (kept[0] != '\0')
        strcat (kept, ":");
      strcat (kept, token);
    }
  if (kept[0] == '\0')
    unsetenv ("LD_PRELOAD");
  else
    setenv ("LD_PRELOAD", kept, 1);
  free (kept);
  free (copy);
}

static void
atfork_prepare (void)
{
  rs_state_atfork_prepare ();
}

static void
atfork_parent (void)
{
  rs_state_atfork_parent ();
}

static void
atfork_child (void)
{
  rs_state_atfork_child ();
  if (!rs_recording ())
    return;  /* a launcher that has not called libav yet: its child may */

  /* The child of a recorded program is not recorded (the recording is the
   * parent's), nor are the programs it runs. It has one thread: the
   * environment is safe to change. */
  rs_stop ();
  rs_writer_close ();
  remove_self_from_preload ();
  unsetenv ("REFSCOPE_RECORD_OUTPUT");
}

/* A libav library of another major version than the recorder's: its
 * structs are not the ones the recorder reads. Returns its name, or NULL. */
static const char *
foreign_libav (const char *path)
{
  static const struct { const char *prefix; int major; } ours[] = {
    { "libavutil.so.", LIBAVUTIL_VERSION_MAJOR },
    { "libavcodec.so.", LIBAVCODEC_VERSION_MAJOR },
    { "libavformat.so.", LIBAVFORMAT_VERSION_MAJOR },
    { "libavfilter.so.", LIBAVFILTER_VERSION_MAJOR },
  };
  const char *base = strrchr (path, '/');

  base = base ? base + 1 : path;
  for (size_t i = 0; i < sizeof ours / sizeof ours[0]; i++)
    {
      size_t len = strlen (ours[i].prefix);

      if (strncmp (base, ours[i].prefix, len) == 0 && atoi (base + len) != ours[i].major)
        return base;
    }
  return NULL;
}

typedef struct {
  bool        uses_libav;
  const char *foreign;   /* a libav library of another version, or NULL */
} LibavUse;

static bool
is_self (const char *path)
{
  char *real = realpath (path, NULL);
  bool same = real != NULL && self_path != NULL && strcmp (real, self_path) == 0;

  free (real);
  return same;
}

/* Whether an object of the process other than libav's own (and ours) needs
 * a libav library: then the process is a libav program. */
static int
find_libav_user (struct dl_phdr_info *info,
                 size_t               size,
                 void                *data)
{
  LibavUse *use = data;
  const char *name = info->dlpi_name;

  if (name != NULL && is_libav_name (name) && use->foreign == NULL)
    use->foreign = foreign_libav (name);
  if (name != NULL && name[0] != '\0' && (name[0] != '/' || is_libav_name (name) || is_self (name)))
    return 0;
  for (int i = 0; i < info->dlpi_phnum; i++)
    {
      const ElfW (Phdr) *ph = &info->dlpi_phdr[i];
      const ElfW (Dyn) *dyn, *d;
      uintptr_t strtab = 0;

      if (ph->p_type != PT_DYNAMIC)
        continue;
      dyn = (const ElfW (Dyn) *) (info->dlpi_addr + ph->p_vaddr);
      for (d = dyn; d->d_tag != DT_NULL; d++)
        if (d->d_tag == DT_STRTAB)
          strtab = d->d_un.d_ptr;
      if (strtab == 0)
        continue;
      /* The loader relocates it in place on most targets; not on all. */
      if (strtab < info->dlpi_addr)
        strtab += info->dlpi_addr;
      for (d = dyn; d->d_tag != DT_NULL; d++)
        if (d->d_tag == DT_NEEDED && is_libav_name ((const char *) strtab + d->d_un.d_val))
          {
            use->uses_libav = true;
            if (use->foreign == NULL)
              use->foreign = foreign_libav ((const char *) strtab + d->d_un.d_val);
          }
    }
  return 0;
}

/* The status exit() was given, or main returned: glibc's on_exit tells
 * it, a destructor is not told. Kept as the parent sees it, 0-255, so the
 * exit step's ret is the program's exit status, never a negative number
 * that would read as an AVERROR. */
static void
keep_exit_status (int   status,
                  void *data)
{
  atomic_store (&exit_status, status & 0xff);
}

/* main as the C library calls it: with the auxiliary vector as a fourth
 * argument where the platform passes one, which the wrapper hands on, so a
 * main declared with it gets it unchanged (a main of fewer arguments
 * ignores the rest, as it does without the wrapper). */
typedef int (*MainFunc) (int, char **, char **, void *);
static MainFunc program_main;

/* The program's main, once the C library has registered the loader's
 * destructors (them included): the handler registered here runs before
 * them, so before rs_preload_stop writes the exit step. Registered in the
 * constructor it would run after them, too late. */
static int
main_keeping_exit_status (int    argc,
                          char **argv,
                          char **envp,
                          void  *auxv)
{
  if (atomic_load (&armed) || rs_recording ())
    on_exit (keep_exit_status, NULL);
  return program_main (argc, argv, envp, auxv);
}

/* The C library's start, which the program's _start calls: it runs main
 * through main_keeping_exit_status, and is otherwise untouched. */
RS_EXPORT int
__libc_start_main (MainFunc   main,
                   int        argc,
                   char     **argv,
                   void     (*init) (void),
                   void     (*fini) (void),
                   void     (*rtld_fini) (void),
                   void      *stack_end)
{
  __typeof__ (__libc_start_main) *real = dlsym (RTLD_NEXT, "__libc_start_main");

  program_main = main;
  return real (main_keeping_exit_status, argc, argv, init, fini, rtld_fini, stack_end);
}

__attribute__ ((constructor)) static void
rs_preload_start (void)
{
  LibavUse use = { false, NULL };
  Dl_info info;
  const char *env;

  rs_real_init ();
  if (dladdr ((void *) rs_preload_start, &info) && info.dli_fname != NULL)
    self_path = realpath (info.dli_fname, NULL);

  env = getenv ("REFSCOPE_RECORD_OUTPUT");
  if (env == NULL || env[0] == '\0' || (output_path = strdup (env)) == NULL)
    {
      remove_self_from_preload ();
      return;
    }

  dl_iterate_phdr (find_libav_user, &use);
  if (use.foreign != NULL)
    {
      fprintf (stderr, "refscope: cannot record: the program uses %s; the recorder is built "
               "for libavcodec.so.%d\n", use.foreign, LIBAVCODEC_VERSION_MAJOR);
      free (output_path);
      output_path = NULL;
      remove_self_from_preload ();
      unsetenv ("REFSCOPE_RECORD_OUTPUT");
      return;
    }

  /* Learn the modules now, so the first call does not pay for it. */
  rebuild_modules (NULL);
  pthread_atfork (atfork_prepare, atfork_parent, atfork_child);
  atomic_store (&armed, 1);
  if (use.uses_libav)
    start_recording (false);
}

__attribute__ ((destructor)) static void
rs_preload_stop (void)
{
  /* A process that never called libav leaves a recording of its exit
   * alone, unless a program it ran recorded (or records) there. */
  if (!rs_recording () && atomic_load (&armed))
    start_recording (true);
  atomic_store (&armed, 0);
  if (!rs_recording ())
    return;
  rs_state_lock ();
  rs_state_exit (atomic_load (&exit_status));
  rs_state_unlock ();
  rs_stop ();
}
