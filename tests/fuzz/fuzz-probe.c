/* SPDX-License-Identifier: GPL-3.0-or-later
 * Does this clang link libFuzzer? (tests/fuzz/meson.build) */
#include <stddef.h>
#include <stdint.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  return 0;
}
