/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Creates the file named by its argument: proof that it ran. Built
 * dynamically (a setuid copy is made of it) and statically. */
#include <stdio.h>

int
main (int argc, char **argv)
{
  FILE *file = argc > 1 ? fopen (argv[1], "w") : NULL;

  if (file == NULL)
    return 1;
  fputs ("ran\n", file);
  return fclose (file) == 0 ? 0 : 1;
}
