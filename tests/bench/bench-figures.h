/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bench-figures.h: what the benchmarks share to turn timings into figures.
 */
#pragma once

#include <glib.h>
#include <time.h>

G_BEGIN_DECLS

/* qsort() order of doubles. */
int     bench_compare_double (const void *a,
                              const void *b);
/* The p-th percentile (0..1) of `values` (doubles), which it sorts:
 * nearest rank. 0 if empty. */
double  bench_percentile     (GArray     *values,
                              double      p);
/* The mean of `values` (doubles), 0 if empty. */
double  bench_mean           (GArray     *values);
/* CPU time of `clock` (CLOCK_THREAD_CPUTIME_ID, CLOCK_PROCESS_CPUTIME_ID)
 * in µs. */
gint64  bench_cpu_usec       (clockid_t   clock);

G_END_DECLS
