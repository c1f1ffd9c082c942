/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The shared library of the resolver test's helper: finds its caller's
 * call site as the recorder does (dladdr1 on the return address). */
#define _GNU_SOURCE
#include "site-mark.h"

#include <dlfcn.h>
#include <limits.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) void
rs_site_mark (int         line,
              const char *function,
              const char *symbol)
{
  void *return_address = __builtin_extract_return_addr (__builtin_return_address (0));
  struct link_map *map = NULL;
  char path[PATH_MAX];
  Dl_info info;

  if (dladdr1 (return_address, &info, (void **) &map, RTLD_DL_LINKMAP) == 0 || map == NULL)
    {
      fprintf (stderr, "site-helper: dladdr1 found no module\n");
      exit (1);
    }
  /* The executable's link map has no name: its file is /proc/self/exe. */
  if (map->l_name[0] == '\0')
    {
      if (realpath ("/proc/self/exe", path) == NULL)
        exit (1);
    }
  else if (realpath (map->l_name, path) == NULL)
    exit (1);
  printf ("site %s 0x%jx %d %s %s\n", path,
          (uintmax_t) ((uintptr_t) return_address - 1 - map->l_addr),
          line, function, symbol);
}

void
rs_site_mark_in_library (void)
{
  rs_site_mark (__LINE__, __func__, __func__);
  fflush (stdout);
}
