/* SPDX-License-Identifier: GPL-3.0-or-later
 * Does this clang build and run ThreadSanitizer programs? (meson.build) */
int
main (void)
{
  return 0;
}
