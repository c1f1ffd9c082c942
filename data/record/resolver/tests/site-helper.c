/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The resolver test's program, built as a PIE and as a non-PIE executable:
 * prints its call sites (site-mark.c), which test-site-resolver.c then
 * resolves from the file. Each mark is a call at a known line in a known
 * function: in main, in a function of its own, in a function inlined into
 * it, and in a shared library. */
#include <stdio.h>

#include "site-mark.h"

static inline __attribute__((always_inline)) void
inlined_caller (const char *outer)
{
  rs_site_mark (__LINE__, __func__, outer);
}

static __attribute__((noinline)) void
static_caller (void)
{
  rs_site_mark (__LINE__, __func__, __func__);
  inlined_caller (__func__);
  fflush (stdout);
}

int
main (void)
{
  rs_site_mark (__LINE__, __func__, __func__);
  static_caller ();
  rs_site_mark_in_library ();
  fflush (stdout);
  return 0;
}
