/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "refscope-record"

#include "rs-record.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rs-record-report.h"

#if !defined(RS_BUILD_ROOT) || !defined(RS_PRELOAD_BUILD_PATH) || !defined(RS_PRELOAD_INSTALLED_PATH)
#error "RS_BUILD_ROOT, RS_PRELOAD_BUILD_PATH and RS_PRELOAD_INSTALLED_PATH must say where the recorder is"
#endif

#define USAGE "Usage: refscope record [--output=FILE] [--leaks=report|error] [--] PROGRAM [ARGS...]\n"

/* The status of --leaks=error when there are leaks, as LeakSanitizer's. */
#define LEAKS_EXIT_STATUS 23

typedef struct
{
  const char  *output;   /* --output, or NULL: PROGRAM.PID.rstrace */
  RsLeaksMode  leaks;
  char       **program;  /* PROGRAM and its ARGS: the rest of argv */
} RecordOptions;

/* Reads refscope's options up to PROGRAM, which with everything after it is
 * PROGRAM's own. -1 when the command line is good, else the status to exit
 * with (0 after --help). */
static int
parse_command_line (int            argc,
                    char         **argv,
                    RecordOptions *options)
{
  int i;

  for (i = 2; i < argc; i++)
    {
      const char *arg = argv[i];
      const char *value = NULL;

      if (strcmp (arg, "--") == 0)
        {
          i++;
          break;
        }
      if (arg[0] != '-' || arg[1] == '\0')
        break;
      if (strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0)
        {
          g_print (USAGE
                   "Runs PROGRAM with the same arguments, environment, input and output,\n"
                   "recording its libav calls, then prints its leaks on stderr.\n\n"
                   "  --output=FILE         the recording (default: PROGRAM.PID.rstrace here)\n"
                   "  --leaks=report|error  error: leaks make an exit status of 0 into %d\n\n"
                   "The exit status is PROGRAM's; 1 when it cannot be recorded, 2 for a bad\n"
                   "command line.\n", LEAKS_EXIT_STATUS);
          return 0;
        }
      if (g_str_has_prefix (arg, "--output=") || g_str_has_prefix (arg, "--leaks="))
        value = strchr (arg, '=') + 1;
      else if ((strcmp (arg, "--output") == 0 || strcmp (arg, "--leaks") == 0) && i + 1 < argc)
        value = argv[++i];
      else if (strcmp (arg, "--output") == 0 || strcmp (arg, "--leaks") == 0)
        {
          g_printerr ("refscope: record: %s needs a value\n" USAGE, arg);
          return 2;
        }
      else
        {
          g_printerr ("refscope: record: unknown option '%s'\n" USAGE, arg);
          return 2;
        }

      if (g_str_has_prefix (arg, "--output"))
        {
          if (value[0] == '\0')
            {
              g_printerr ("refscope: record: --output names no file\n" USAGE);
              return 2;
            }
          options->output = value;
        }
      else if (strcmp (value, "report") == 0)
        options->leaks = RS_LEAKS_REPORT;
      else if (strcmp (value, "error") == 0)
        options->leaks = RS_LEAKS_ERROR;
      else
        {
          g_printerr ("refscope: record: --leaks takes report or error, not '%s'\n" USAGE, value);
          return 2;
        }
    }

  if (i >= argc)
    {
      g_printerr ("refscope: record: no PROGRAM to run\n" USAGE);
      return 2;
    }
  options->program = argv + i;
  return -1;
}

/* The file execvp would run for `program`: itself when it names a path,
 * else the first executable regular file of that name in PATH. Owned by
 * the caller; NULL with *reason set (static) when there is none. */
static char *
find_program (const char  *program,
              const char **reason)
{
  const char *path = g_getenv ("PATH");
  g_auto(GStrv) dirs = NULL;
  gboolean denied = FALSE;

  if (strchr (program, '/') != NULL)
    return g_strdup (program);

  /* execvp's search path when PATH is unset (glibc: confstr _CS_PATH). */
  dirs = g_strsplit (path != NULL ? path : "/bin:/usr/bin", ":", -1);
  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autofree char *candidate = g_build_filename (dirs[i][0] != '\0' ? dirs[i] : ".", program, NULL);
      GStatBuf info;

      if (g_stat (candidate, &info) != 0 || !S_ISREG (info.st_mode))
        continue;
      if (access (candidate, X_OK) == 0)
        return g_steal_pointer (&candidate);
      denied = TRUE;
    }
  *reason = denied ? "not executable (permission denied)" : "not found in PATH";
  return NULL;
}

/* Whether the dynamic loader will load the recorder into the ELF file at
 * `path`: a static executable has no PT_INTERP, so no loader runs, and a
 * loader skips a library of the other ELF class. A script is fine: its
 * interpreter runs, and that is what is recorded. So is anything else,
 * which execvp hands to /bin/sh. */
static gboolean
loader_reads_preload (const char  *path,
                      const char **reason)
{
  gboolean dynamic = TRUE;
  Elf *elf;
  GElf_Ehdr header;
  size_t n_headers = 0;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    return TRUE;  /* execute-only: the kernel can run it, we cannot look */

  elf_version (EV_CURRENT);
  elf = elf_begin (fd, ELF_C_READ, NULL);
  if (elf != NULL && elf_kind (elf) == ELF_K_ELF && gelf_getehdr (elf, &header) != NULL)
    {
      if (header.e_type != ET_EXEC && header.e_type != ET_DYN)
        {
          *reason = "not an executable (an ELF object or core file)";
          dynamic = FALSE;
        }
      else if (header.e_ident[EI_CLASS] != (sizeof (void *) == 8 ? ELFCLASS64 : ELFCLASS32))
        {
          /* The loader would skip the recorder, built like refscope. */
          *reason = sizeof (void *) == 8 ? "it is a 32-bit program; the recorder is 64-bit"
                                         : "it is a 64-bit program; the recorder is 32-bit";
          dynamic = FALSE;
        }
      else if (elf_getphdrnum (elf, &n_headers) == 0)
        {
          dynamic = FALSE;
          for (size_t i = 0; i < n_headers && !dynamic; i++)
            {
              GElf_Phdr program_header;

              if (gelf_getphdr (elf, i, &program_header) != NULL &&
                  program_header.p_type == PT_INTERP)
                dynamic = TRUE;
            }
          if (!dynamic)
            *reason = "it is statically linked: no dynamic loader runs to load the recorder (LD_PRELOAD)";
        }
    }
  elf_end (elf);
  close (fd);
  return dynamic;
}

/* Why `path` cannot be recorded, or NULL. The loader ignores LD_PRELOAD
 * (from anywhere but the system's folders) in a program whose setuid or
 * setgid bit changes who it runs as, so such a program runs unrecorded. */
static const char *
why_not_recordable (const char *path)
{
  const char *reason = NULL;
  struct statvfs filesystem;
  gboolean nosuid;
  GStatBuf info;

  if (g_stat (path, &info) != 0)
    return g_strerror (errno);
  if (S_ISDIR (info.st_mode))
    return "it is a directory";
  if (!S_ISREG (info.st_mode))
    return "not a regular file";
  if (access (path, X_OK) != 0)
    return "not executable (permission denied)";

  nosuid = statvfs (path, &filesystem) == 0 && (filesystem.f_flag & ST_NOSUID) != 0;
  if (!nosuid && (info.st_mode & S_ISUID) != 0 && info.st_uid != getuid ())
    return "it is setuid: the dynamic loader ignores LD_PRELOAD in setuid programs";
  if (!nosuid && (info.st_mode & S_ISGID) != 0 && info.st_gid != getgid ())
    return "it is setgid: the dynamic loader ignores LD_PRELOAD in setgid programs";

  if (!loader_reads_preload (path, &reason))
    return reason;
  return NULL;
}

/* The recorder: the build tree's when this refscope is the build tree's,
 * else the installed one. Owned by the caller; NULL (said on stderr) when
 * it is missing. */
static char *
find_preload_library (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *root = realpath (RS_BUILD_ROOT, NULL);
  g_autofree char *root_slash = root != NULL ? g_strconcat (root, "/", NULL) : NULL;
  const char *library = RS_PRELOAD_INSTALLED_PATH;

  if (self != NULL && root_slash != NULL && g_str_has_prefix (self, root_slash))
    library = RS_PRELOAD_BUILD_PATH;
  if (!g_file_test (library, G_FILE_TEST_IS_REGULAR))
    {
      g_printerr ("refscope: record: preload library not found: %s\n", library);
      return NULL;
    }
  /* The loader splits LD_PRELOAD at spaces and colons. */
  if (strpbrk (library, " :") != NULL)
    {
      g_printerr ("refscope: record: the preload library's path has a space or a colon, "
                  "which LD_PRELOAD cannot hold: %s\n", library);
      return NULL;
    }
  return g_strdup (library);
}

/* The folder the recording goes to must take a new file; an old recording
 * at that path goes now, so that one the program never wrote is not taken
 * for its own. Anything but a regular file (/dev/null...) is left there. */
static gboolean
prepare_output (const char *output)
{
  g_autofree char *folder = g_path_get_dirname (output);
  GStatBuf info;

  if (access (folder, W_OK | X_OK) != 0)
    {
      g_printerr ("refscope: %s: cannot write the recording: %s\n", output, g_strerror (errno));
      return FALSE;
    }
  if (g_lstat (output, &info) == 0 && S_ISDIR (info.st_mode))
    {
      g_printerr ("refscope: %s: cannot write the recording: it is a directory\n", output);
      return FALSE;
    }
  if (g_lstat (output, &info) == 0 && S_ISREG (info.st_mode) && g_unlink (output) != 0)
    {
      g_printerr ("refscope: %s: cannot write the recording: %s\n", output, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

/* SIGTERM and SIGHUP sent to refscope go to the program, which decides. */
static volatile sig_atomic_t forward_to_pid = 0;

static void
forward_signal (int signum)
{
  int saved_errno = errno;

  if (forward_to_pid > 0)
    kill ((pid_t) forward_to_pid, signum);
  errno = saved_errno;
}

/* The signals refscope handles while PROGRAM runs, and what they did before. */
static const int handled_signals[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP };

typedef struct
{
  struct sigaction old_actions[G_N_ELEMENTS (handled_signals)];
  sigset_t         old_mask;
} SignalState;

/* Like system(): Ctrl+C and Ctrl+\ reach the whole foreground process
 * group, so the program gets them; refscope ignores them and reports once
 * the program has ended. SIGTERM and SIGHUP are forwarded (blocked until
 * the child's pid is known), unless refscope was started ignoring them, as
 * nohup does: then the program inherits that. */
static void
signals_take (SignalState *state)
{
  sigset_t forwarded;

  sigemptyset (&forwarded);
  sigaddset (&forwarded, SIGTERM);
  sigaddset (&forwarded, SIGHUP);
  sigprocmask (SIG_BLOCK, &forwarded, &state->old_mask);

  for (guint i = 0; i < G_N_ELEMENTS (handled_signals); i++)
    {
      struct sigaction action = { 0 };

      sigaction (handled_signals[i], NULL, &state->old_actions[i]);
      if (state->old_actions[i].sa_handler == SIG_IGN)
        continue;
      sigemptyset (&action.sa_mask);
      if (handled_signals[i] == SIGINT || handled_signals[i] == SIGQUIT)
        action.sa_handler = SIG_IGN;
      else
        {
          action.sa_handler = forward_signal;
          action.sa_flags = SA_RESTART;
        }
      sigaction (handled_signals[i], &action, NULL);
    }
}

static void
signals_restore (const SignalState *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (handled_signals); i++)
    sigaction (handled_signals[i], &state->old_actions[i], NULL);
  sigprocmask (SIG_SETMASK, &state->old_mask, NULL);
}

/* The program's environment: refscope's, with the recorder first in
 * LD_PRELOAD and REFSCOPE_RECORD_OUTPUT saying where the recording goes
 * (left out here when it depends on the child's pid). Owned by the caller. */
static GPtrArray *
program_environment (const char *library,
                     const char *output)
{
  g_auto(GStrv) environment = g_get_environ ();
  const char *preload = g_environ_getenv (environment, "LD_PRELOAD");
  g_autofree char *new_preload = preload != NULL && preload[0] != '\0'
                                 ? g_strconcat (library, ":", preload, NULL)
                                 : g_strdup (library);
  GPtrArray *result = g_ptr_array_new_with_free_func (g_free);

  environment = g_environ_setenv (environment, "LD_PRELOAD", new_preload, TRUE);
  environment = g_environ_unsetenv (environment, "REFSCOPE_RECORD_OUTPUT");
  for (guint i = 0; environment[i] != NULL; i++)
    g_ptr_array_add (result, g_strdup (environment[i]));
  if (output != NULL)
    g_ptr_array_add (result, g_strconcat ("REFSCOPE_RECORD_OUTPUT=", output, NULL));
  return result;
}

/* In the child, between fork and exec: only async-signal-safe calls. Runs
 * `path` as execvp would (a file without #! goes to /bin/sh); on failure
 * tells the parent the errno through `error_fd` and exits. */
G_GNUC_NORETURN static void
child_exec (const char        *path,
            char             **argv,
            char             **shell_argv,
            char             **envp,
            int                error_fd,
            const SignalState *signals)
{
  int saved_errno;

  signals_restore (signals);
  execve (path, argv, envp);
  if (errno == ENOEXEC)
    execve ("/bin/sh", shell_argv, envp);
  saved_errno = errno;
  while (write (error_fd, &saved_errno, sizeof saved_errno) < 0 && errno == EINTR)
    ;
  _exit (127);
}

/* Ends refscope the way the program ended (`status` from waitpid), after
 * the report: its exit status, or its death by the same signal, so that a
 * shell sees 128+N. Returns only the exit status. */
static int
end_like (int      status,
          gboolean leaks_fail)
{
  if (WIFSIGNALED (status))
    {
      int signum = WTERMSIG (status);
      struct rlimit no_core = { 0, 0 };
      sigset_t just_this;

      /* The program dumped its own core, if any; refscope's would only
       * mislead. */
      setrlimit (RLIMIT_CORE, &no_core);
      signal (signum, SIG_DFL);
      sigemptyset (&just_this);
      sigaddset (&just_this, signum);
      sigprocmask (SIG_UNBLOCK, &just_this, NULL);
      raise (signum);
      return 128 + signum;  /* a signal that does not kill (none should) */
    }
  if (WEXITSTATUS (status) == 0 && leaks_fail)
    return LEAKS_EXIT_STATUS;
  return WEXITSTATUS (status);
}

int
rs_record_run (int    argc,
               char **argv)
{
  RecordOptions options = { NULL, RS_LEAKS_REPORT, NULL };
  g_autofree char *path = NULL;
  g_autofree char *library = NULL;
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *program_name = NULL;
  g_autofree char *output = NULL;
  g_autofree char *pid_output_env = NULL;
  g_autoptr(GPtrArray) envp = NULL;
  g_autoptr(GPtrArray) shell_argv = NULL;
  const char *reason = NULL;
  SignalState signals;
  gsize pid_output_env_size = 0;
  int error_pipe[2];
  int exec_errno = 0;
  int status = 0;
  guint n_leaks = 0;
  gboolean reported;
  pid_t pid;
  ssize_t n;
  int parsed;

  g_return_val_if_fail (argc >= 2, 2);

  parsed = parse_command_line (argc, argv, &options);
  if (parsed >= 0)
    return parsed;

  path = find_program (options.program[0], &reason);
  if (path != NULL)
    reason = why_not_recordable (path);
  if (reason != NULL)
    {
      g_printerr ("refscope: %s: cannot be recorded: %s\n", options.program[0], reason);
      return 1;
    }

  library = find_preload_library ();
  if (library == NULL)
    return 1;

  program_name = g_path_get_basename (options.program[0]);
  if (options.output != NULL)
    {
      /* Absolute, as the program may change folders; not canonicalized, as
       * ".." after a symbolic link is not the lexical parent. */
      output = g_path_is_absolute (options.output) ? g_strdup (options.output)
                                                   : g_build_filename (cwd, options.output, NULL);
      if (!prepare_output (output))
        return 1;
      envp = program_environment (library, output);
    }
  else
    {
      /* PROGRAM.PID.rstrace: the child writes its pid in, after fork. */
      if (access (cwd, W_OK | X_OK) != 0)
        {
          g_printerr ("refscope: %s: cannot write the recording: %s\n", cwd, g_strerror (errno));
          return 1;
        }
      pid_output_env_size = strlen ("REFSCOPE_RECORD_OUTPUT=") + strlen (cwd) + 1 +
                            strlen (program_name) + strlen (".4294967295.rstrace") + 1;
      pid_output_env = g_malloc (pid_output_env_size);
      envp = program_environment (library, NULL);
      g_ptr_array_add (envp, NULL);  /* the slot of REFSCOPE_RECORD_OUTPUT */
    }
  g_ptr_array_add (envp, NULL);

  /* execvp's fallback for a file the kernel does not run: /bin/sh FILE ARGS. */
  shell_argv = g_ptr_array_new ();
  g_ptr_array_add (shell_argv, (char *) "/bin/sh");
  g_ptr_array_add (shell_argv, path);
  for (guint i = 1; options.program[i] != NULL; i++)
    g_ptr_array_add (shell_argv, options.program[i]);
  g_ptr_array_add (shell_argv, NULL);

  if (!g_unix_open_pipe (error_pipe, FD_CLOEXEC, NULL))
    {
      g_printerr ("refscope: record: cannot create a pipe: %s\n", g_strerror (errno));
      return 1;
    }

  fflush (stdout);
  fflush (stderr);
  signals_take (&signals);
  pid = fork ();
  if (pid == 0)
    {
      close (error_pipe[0]);
      if (pid_output_env != NULL)
        {
          snprintf (pid_output_env, pid_output_env_size, "REFSCOPE_RECORD_OUTPUT=%s/%s.%d.rstrace",
                      cwd, program_name, (int) getpid ());
          envp->pdata[envp->len - 2] = pid_output_env;
        }
      child_exec (path, options.program, (char **) shell_argv->pdata, (char **) envp->pdata,
                  error_pipe[1], &signals);
    }
  close (error_pipe[1]);
  if (pid < 0)
    {
      int saved_errno = errno;

      signals_restore (&signals);
      close (error_pipe[0]);
      g_printerr ("refscope: %s: cannot run: %s\n", options.program[0], g_strerror (saved_errno));
      return 1;
    }
  forward_to_pid = pid;
  sigprocmask (SIG_SETMASK, &signals.old_mask, NULL);

  while ((n = read (error_pipe[0], &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR)
    ;
  close (error_pipe[0]);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  forward_to_pid = 0;
  signals_restore (&signals);

  if (n == sizeof exec_errno)
    {
      g_printerr ("refscope: %s: cannot run: %s\n", options.program[0], g_strerror (exec_errno));
      return 1;
    }

  if (output == NULL)
    output = g_strdup_printf ("%s/%s.%d.rstrace", cwd, program_name, (int) pid);
  reported = rs_record_report (output, options.leaks, &n_leaks);
  fflush (stdout);
  fflush (stderr);

  /* --leaks=error cannot vouch for a run it could not read. */
  if (!reported && options.leaks == RS_LEAKS_ERROR && WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 1;
  return end_like (status, options.leaks == RS_LEAKS_ERROR && n_leaks > 0);
}
