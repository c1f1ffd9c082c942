/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-headless.h: `refscope --headless`: run a session without a display,
 * writing its trace and graph snapshots.
 */
#pragma once

#include <glib.h>

#include "rs-decode-session.h"

G_BEGIN_DECLS

typedef struct {
  char             *media;      /* the file to open */
  char             *scenario;   /* a scenario to run instead, or NULL */
  guint             max_steps;  /* 0: until the session ends */
  char             *trace;      /* JSON Lines path, "-" for stdout, or NULL */
  char             *export_dir; /* graph snapshots, or NULL */
  char            **formats;    /* export formats */
  RsDecodeSettings  settings;
} RsHeadlessOptions;

/* Runs the session; returns the exit status (0, or 1 with the message on
 * stderr). */
int rs_headless_run (const RsHeadlessOptions *options);

G_END_DECLS
