/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "rs-error.h"

G_DEFINE_QUARK (rs-error-quark, rs_error)

/* FFmpeg's error codes are negated errnos or negated tags
 * (libavutil/error.h); the model does not include libav, so they are
 * spelled here, and data/tests checks them against libav's own. */
#define TAG(a, b, c, d) ((int) ((unsigned) (a) | ((unsigned) (b) << 8) | ((unsigned) (c) << 16) | ((unsigned) (d) << 24)))

const char *
rs_ret_name (int ret)
{
  static const struct { int code; const char *name; } names[] = {
    { -11, "AVERROR(EAGAIN)" },
    { -12, "AVERROR(ENOMEM)" },
    { -22, "AVERROR(EINVAL)" },
    { -5, "AVERROR(EIO)" },
    { -14, "AVERROR(EFAULT)" },
    { -34, "AVERROR(ERANGE)" },
    { -TAG ('E', 'O', 'F', ' '), "AVERROR_EOF" },
    { -TAG (0xF8, 'B', 'S', 'F'), "AVERROR_BSF_NOT_FOUND" },
    { -TAG ('I', 'N', 'D', 'A'), "AVERROR_INVALIDDATA" },
    { -TAG (0xF8, 'D', 'E', 'C'), "AVERROR_DECODER_NOT_FOUND" },
    { -TAG ('P', 'A', 'W', 'E'), "AVERROR_PATCHWELCOME" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (names[i].code == ret)
      return names[i].name;
  return NULL;
}
