/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-application.h: Refscope as a desktop application: one window per file,
 * the app actions (about, quit), saved settings.
 */
#pragma once

#include <adwaita.h>

#include "rs-decode-session.h"

G_BEGIN_DECLS

#define RS_APPLICATION_ID "io.github.refscope.Refscope"

/* Which pipeline settings the command line gave; the others come from the
 * saved settings. */
typedef enum {
  RS_SETTING_THREADS      = 1 << 0,
  RS_SETTING_PACKET_QUEUE = 1 << 1,
  RS_SETTING_FRAME_QUEUE  = 1 << 2,
  RS_SETTING_COPY         = 1 << 3,
  RS_SETTING_STREAMS      = 1 << 4,
} RsSettingFlags;

#define RS_TYPE_APPLICATION (rs_application_get_type ())
G_DECLARE_FINAL_TYPE (RsApplication, rs_application, RS, APPLICATION, AdwApplication)

/* `media`: the file the first window opens. `settings`: the pipeline
 * settings the command line gave, `given` says which. `steps`: steps to
 * run before showing (0: show the first step). */
RsApplication *rs_application_new (const char             *media,
                                   const RsDecodeSettings *settings,
                                   RsSettingFlags          given,
                                   guint                   steps);

G_END_DECLS
