/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "rs-av.h"

#include <libavutil/error.h>

char *
rs_av_error_string (int errnum)
{
  char message[AV_ERROR_MAX_STRING_SIZE] = "";

  if (av_strerror (errnum, message, sizeof message) < 0)
    g_snprintf (message, sizeof message, "error %d", errnum);
  return g_strdup (message);
}
