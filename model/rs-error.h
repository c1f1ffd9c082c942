/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RS_ERROR (rs_error_quark ())

typedef enum {
  RS_ERROR_FAILED,        /* anything else */
  RS_ERROR_NOT_FOUND,     /* the file does not exist */
  RS_ERROR_INVALID_INPUT, /* not media, empty, corrupt, no usable stream */
  RS_ERROR_REFUSED,       /* a network URL or playlist: only local files */
  RS_ERROR_UNSUPPORTED,   /* no decoder for the codec */
  RS_ERROR_IO,            /* reading or writing failed */
} RsError;

GQuark      rs_error_quark (void);

/* The name of one of libav's return codes ("AVERROR(EAGAIN)",
 * "AVERROR_EOF"), or NULL for 0, a count, or a code not in the table. The
 * one table of them: the model, the UI and the command line all use it. */
const char *rs_ret_name    (int ret);

G_END_DECLS
