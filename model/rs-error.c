/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "rs-error.h"

G_DEFINE_QUARK (rs-error-quark, rs_error)

/* FFmpeg's error codes are negated errnos or negated tags
 * (libavutil/error.h); the model does not include libav, so they are
 * spelled here, and data/tests/test-decode-session.c (/decode-session/ret-names)
 * checks them against libav's own. */
#define TAG(a, b, c, d) ((int) ((unsigned) (a) | ((unsigned) (b) << 8) | ((unsigned) (c) << 16) | ((unsigned) (d) << 24)))

const char *
rs_ret_name (int ret)
{
  static const struct { int code; const char *name; } names[] = {
    { -1, "AVERROR(EPERM)" },
    { -2, "AVERROR(ENOENT)" },
    { -5, "AVERROR(EIO)" },
    { -11, "AVERROR(EAGAIN)" },
    { -12, "AVERROR(ENOMEM)" },
    { -13, "AVERROR(EACCES)" },
    { -14, "AVERROR(EFAULT)" },
    { -22, "AVERROR(EINVAL)" },
    { -28, "AVERROR(ENOSPC)" },
    { -32, "AVERROR(EPIPE)" },
    { -34, "AVERROR(ERANGE)" },
    { -38, "AVERROR(ENOSYS)" },
    { -TAG ('E', 'O', 'F', ' '), "AVERROR_EOF" },
    { -TAG ('I', 'N', 'D', 'A'), "AVERROR_INVALIDDATA" },
    { -TAG ('P', 'A', 'W', 'E'), "AVERROR_PATCHWELCOME" },
    { -TAG ('B', 'U', 'G', '!'), "AVERROR_BUG" },
    { -TAG ('E', 'X', 'I', 'T'), "AVERROR_EXIT" },
    { -TAG ('E', 'X', 'T', ' '), "AVERROR_EXTERNAL" },
    { -TAG ('U', 'N', 'K', 'N'), "AVERROR_UNKNOWN" },
    { -TAG ('B', 'U', 'F', 'S'), "AVERROR_BUFFER_TOO_SMALL" },
    { -TAG (0xF8, 'B', 'S', 'F'), "AVERROR_BSF_NOT_FOUND" },
    { -TAG (0xF8, 'D', 'E', 'C'), "AVERROR_DECODER_NOT_FOUND" },
    { -TAG (0xF8, 'D', 'E', 'M'), "AVERROR_DEMUXER_NOT_FOUND" },
    { -TAG (0xF8, 'E', 'N', 'C'), "AVERROR_ENCODER_NOT_FOUND" },
    { -TAG (0xF8, 'F', 'I', 'L'), "AVERROR_FILTER_NOT_FOUND" },
    { -TAG (0xF8, 'M', 'U', 'X'), "AVERROR_MUXER_NOT_FOUND" },
    { -TAG (0xF8, 'O', 'P', 'T'), "AVERROR_OPTION_NOT_FOUND" },
    { -TAG (0xF8, 'P', 'R', 'O'), "AVERROR_PROTOCOL_NOT_FOUND" },
    { -TAG (0xF8, 'S', 'T', 'R'), "AVERROR_STREAM_NOT_FOUND" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (names[i].code == ret)
      return names[i].name;
  return NULL;
}
