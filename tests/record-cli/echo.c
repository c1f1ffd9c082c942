/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Prints what it was given: each argument (an argument "$NAME" also the
 * value of the environment variable NAME, "@pid" its pid, "@cwd" its
 * folder), then copies stdin to stdout, and says goodbye on stderr. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  char buffer[4096];
  size_t n;

  for (int i = 0; i < argc; i++)
    {
      const char *value = NULL;

      if (argv[i][0] == '$')
        value = getenv (argv[i] + 1) != NULL ? getenv (argv[i] + 1) : "(unset)";
      else if (strcmp (argv[i], "@cwd") == 0)
        value = getcwd (buffer, sizeof buffer);
      if (strcmp (argv[i], "@pid") == 0)
        printf ("argv[%d] = %s = %ld\n", i, argv[i], (long) getpid ());
      else if (value != NULL)
        printf ("argv[%d] = %s = %s\n", i, argv[i], value);
      else
        printf ("argv[%d] = %s\n", i, argv[i]);
    }
  while ((n = fread (buffer, 1, sizeof buffer, stdin)) > 0)
    fwrite (buffer, 1, n, stdout);
  fprintf (stderr, "echo: done\n");
  return 0;
}
