/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "rs-intern.h"

/* Equal strings give one pointer; the copy is not the caller's string. */
static void
test_equal (void)
{
  char a[] = "video.pktq[3]", b[] = "video.pktq[3]";
  const char *x = rs_intern (a), *y = rs_intern (b);

  g_assert_true (x == y);
  g_assert_true (x != a && x != b);
  g_assert_cmpstr (x, ==, "video.pktq[3]");
  /* The caller's buffer can change: the interned copy does not. */
  a[0] = 'X';
  g_assert_cmpstr (rs_intern (a), ==, "Xideo.pktq[3]");
  g_assert_cmpstr (x, ==, "video.pktq[3]");
  g_assert_true (rs_intern (NULL) == NULL);
  g_assert_true (rs_intern_static (NULL) == NULL);
  g_assert_true (rs_intern_lookup (NULL) == NULL);
  g_assert_true (rs_intern ("") == rs_intern (""));
}

/* A literal interned first is kept as it is; interned after a copy of its
 * text, the copy is the answer. */
static void
test_static (void)
{
  static const char first[] = "test-intern static first";
  char copy[] = "test-intern static second";

  g_assert_true (rs_intern_static (first) == first);
  g_assert_true (rs_intern (first) == first);
  g_assert_true (rs_intern_static ("test-intern static second") == rs_intern (copy));
}

/* A look-up interns nothing. */
static void
test_lookup (void)
{
  const char *name = "test-intern never interned";

  g_assert_null (rs_intern_lookup (name));
  g_assert_null (rs_intern_lookup (name));
  g_assert_true (rs_intern_lookup (rs_intern (name)) == rs_intern (name));
}

/* Far past GLib's 2048: every pointer stays where it was and equal to a
 * later interning of its text. */
static void
test_many (void)
{
  enum { N = 20000 };
  g_autofree const char **first = g_new (const char *, N);

  for (guint i = 0; i < N; i++)
    {
      g_autofree char *name = g_strdup_printf ("test-intern p%u", i);

      first[i] = rs_intern (name);
      g_assert_cmpstr (first[i], ==, name);
    }
  for (guint i = 0; i < N; i++)
    {
      g_autofree char *name = g_strdup_printf ("test-intern p%u", i);

      g_assert_true (rs_intern (name) == first[i]);
      g_assert_true (rs_intern_lookup (name) == first[i]);
      g_assert_cmpstr (first[i], ==, name);
    }
}

/* Threads interning the same names at once get one pointer a name. */
enum { N_THREADS = 4, N_NAMES = 3000 };

static gpointer
intern_all (gpointer data)
{
  const char **out = data;

  for (guint i = 0; i < N_NAMES; i++)
    {
      g_autofree char *name = g_strdup_printf ("test-intern thread %u", (i * 7919) % N_NAMES);

      out[(i * 7919) % N_NAMES] = rs_intern (name);
    }
  return NULL;
}

static void
test_threads (void)
{
  const char **seen = g_new0 (const char *, N_THREADS * N_NAMES);
  GThread *threads[N_THREADS];

  for (guint t = 0; t < N_THREADS; t++)
    threads[t] = g_thread_new ("intern", intern_all, seen + t * N_NAMES);
  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (threads[t]);
  for (guint i = 0; i < N_NAMES; i++)
    {
      g_autofree char *name = g_strdup_printf ("test-intern thread %u", i);

      for (guint t = 0; t < N_THREADS; t++)
        g_assert_true (seen[t * N_NAMES + i] == rs_intern_lookup (name));
      g_assert_cmpstr (seen[i], ==, name);
    }
  g_free (seen);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/intern/equal", test_equal);
  g_test_add_func ("/intern/static", test_static);
  g_test_add_func ("/intern/lookup", test_lookup);
  g_test_add_func ("/intern/many", test_many);
  g_test_add_func ("/intern/threads", test_threads);
  return g_test_run ();
}
