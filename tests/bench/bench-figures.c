/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "bench-figures.h"

#include <math.h>
#include <stdlib.h>

int
bench_compare_double (const void *a,
                      const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

double
bench_percentile (GArray *values,
                  double  p)
{
  guint rank;

  if (values->len == 0)
    return 0;
  qsort (values->data, values->len, sizeof (double), bench_compare_double);
  rank = (guint) ceil (p * values->len);
  return g_array_index (values, double, CLAMP (rank, 1, values->len) - 1);
}

double
bench_mean (GArray *values)
{
  double sum = 0;

  for (guint i = 0; i < values->len; i++)
    sum += g_array_index (values, double, i);
  return values->len > 0 ? sum / values->len : 0;
}

gint64
bench_cpu_usec (clockid_t clock)
{
  struct timespec ts;

  clock_gettime (clock, &ts);
  return ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}
