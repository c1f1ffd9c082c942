/* SPDX-License-Identifier: GPL-3.0-or-later */
/* "signal-self N": dies of signal N, sent to itself. "signal-self wait":
 * says "ready" and waits for a signal to end it. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  if (argc > 1 && strcmp (argv[1], "wait") == 0)
    {
      printf ("ready\n");
      fflush (stdout);
      for (;;)
        pause ();
    }
  raise (argc > 1 ? atoi (argv[1]) : SIGTERM);
  return 0;
}
