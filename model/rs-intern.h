/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-intern.h: the project's interned strings. Handle ids, holders, field
 * names, calls, sites ... are interned, so that two of them are equal when
 * their pointers are: snapshots, diffs, graphs and the window compare and
 * hash them by pointer. Every part interns here, never with GLib's
 * g_intern_string() or quarks: a string interned by both would be two
 * pointers.
 *
 * Why not GLib's: its quark table keeps its old arrays each time it grows
 * past 2048 strings (they are unreachable: a lesson of 10,000 variables
 * leaked 737 KB for LeakSanitizer). Here the set is one hash table and the
 * strings are packed in blocks, all reachable from a static.
 *
 * Interned strings live as long as the process and never move, so what
 * is interned only grows: each distinct string costs its length + 1 in a
 * block plus its place in the table (12 bytes a bucket, 1 to 4 buckets a
 * string): 100,000 names "p0".."p99999" take 23 bytes each. Thread safe.
 *
 * (The preload library, which runs without GLib in the recorded program,
 * has its own rs_intern(): data/record/rs-preload-tracker.c.)
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The interned copy of `string`, or NULL for NULL. */
const char *rs_intern        (const char *string);
/* The same for a string that lives as long as the process (a literal): it
 * is not copied when it is the first of its text. */
const char *rs_intern_static (const char *string);
/* The interned copy of `string` if there is one, else NULL; interns
 * nothing (for look-ups: a string never interned is no interned key). */
const char *rs_intern_lookup (const char *string);

G_END_DECLS
