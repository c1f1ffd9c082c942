/* SPDX-License-Identifier: GPL-3.0-or-later */
/* not-recordable: a tiny program linked statically (meson builds it with
 * -static), so the loader never reads LD_PRELOAD for it: `refscope record`
 * must refuse it, with the reason, before it runs. Proof that it ran: it
 * creates the file it is given.
 *
 * usage: not-recordable FILE
 * prints: `ran`; exit status 0, or 1 when FILE cannot be created. */

#include <stdio.h>

int
main (int argc, char **argv)
{
  FILE *proof;

  if (argc != 2 || (proof = fopen (argv[1], "w")) == NULL)
    return 1;
  fputs ("ran\n", proof);
  fclose (proof);
  puts ("ran");
  return 0;
}
