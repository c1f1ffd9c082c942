/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-inspector.h: the side panel that explains the selected node: a
 * buffer's fields, who holds it, its refcount over time; a handle's fields
 * and references; what a part of libav holds.
 */
#pragma once

#include <gtk/gtk.h>

#include "rs-history.h"
#include "rs-selection.h"

G_BEGIN_DECLS

#define RS_TYPE_INSPECTOR (rs_inspector_get_type ())
G_DECLARE_FINAL_TYPE (RsInspector, rs_inspector, RS, INSPECTOR, GtkWidget)

GtkWidget         *rs_inspector_new           (void);
/* Shows `selection` as it is in `snapshot` (step `snapshot`'s step).
 * `history` (nullable: the series stays as it was), read up to its first
 * `length` steps, gives the refcount over time and where a buffer that is
 * not alive in `snapshot` lived. Nothing is kept but the refcount series. */
void               rs_inspector_show          (RsInspector       *inspector,
                                               const RsSelection *selection,
                                               RsSnapshot        *snapshot,
                                               RsHistory         *history,
                                               guint              length);
const RsSelection *rs_inspector_get_selection (RsInspector       *inspector);
/* The title shown ("#40", "video.frameq[1]"), for tests. Owned by the inspector. */
const char        *rs_inspector_get_title     (RsInspector       *inspector);
/* A field's value as shown ("Refcount", "pts" ...), or NULL. For tests. */
const char        *rs_inspector_get_field     (RsInspector       *inspector,
                                               const char        *name);
/* The status line shown, or NULL. For tests. Owned by the inspector. */
const char        *rs_inspector_get_status    (RsInspector       *inspector);
/* The "who holds it" rows, one "title: subtitle" a line. For tests. Owned
 * by the caller. */
char              *rs_inspector_describe_holders (RsInspector    *inspector);

G_END_DECLS
