/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-findings.h: findings (leaks, lost references, unsafe writes, faults)
 * in words, for people. The model and data/ carry them as fields; this is
 * the one place that makes sentences of them, translatable, for the window
 * and the command line alike. Needs GLib only.
 */
#pragma once

#include "rs-query.h"

G_BEGIN_DECLS

/* Where `site` is: "line 8" when it is in `here` (the file shown beside the
 * graph, or NULL), else "player.c:42"; NULL when unknown. Owned by the caller. */
char *rs_findings_format_site  (const RsSite  *site,
                                const char    *here);
/* How references were lost, with the step (its number as people see it,
 * RS_STEP_NUMBER): "lost at step 6, line 8: av_init_packet reset pkt, which
 * held it". Owned by the caller. */
char *rs_findings_describe_loss (const RsEvent *loss,
                                 guint          step,
                                 const char    *here);
/* An event of step `step` (its number as people see it, RS_STEP_NUMBER) in
 * words, without its place (errors, warnings, unsafe writes, losses); NULL
 * for the events that need none (allocated, freed). Owned by the caller. */
char *rs_findings_describe_event (const RsEvent *event,
                                  guint          step,
                                  const char    *here);
/* A leak at the end of a session, as the command line says it: "buffer 3
 * (packet payload, 64 bytes, created by av_new_packet at line 17, step 4)
 * leaked: 1 reference lost at step 6, line 19: av_init_packet reset pkt,
 * which held it". Steps numbered as the window numbers them. Owned by the
 * caller. */
char *rs_findings_describe_leak (const RsLeak  *leak,
                                 const char    *here);
/* The same, as the window says it: the size in GLib's units ("2.1 MB").
 * Owned by the caller. */
char *rs_findings_describe_leak_for_window (const RsLeak *leak,
                                            const char   *here);

G_END_DECLS
