/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-selection.h: what the user picked in the graph. A selection names a
 * node by identity (a buffer id, a handle id, a libav part), not by where it
 * is drawn, so it survives stepping: the same buffer stays selected while it
 * lives.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  RS_SELECTION_NONE,
  RS_SELECTION_BUFFER,  /* buffer_id */
  RS_SELECTION_HANDLE,  /* id: the handle id */
  RS_SELECTION_HOLDER,  /* id: the libav part holding hidden refs */
} RsSelectionKind;

typedef struct {
  RsSelectionKind  kind;
  guint64          buffer_id;
  const char      *id;        /* interned, or NULL */
} RsSelection;

static inline gboolean
rs_selection_equal (const RsSelection *a,
                    const RsSelection *b)
{
  return a->kind == b->kind && a->buffer_id == b->buffer_id && a->id == b->id;
}

G_END_DECLS
