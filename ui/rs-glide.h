/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-glide.h: the picture between two layouts. When a step changes the
 * graph's topology, the old and new drawings cross-fade (new nodes fade in,
 * gone nodes fade out) and nodes that moved glide over them from where they
 * were to where the new layout puts them; so users can follow a buffer by
 * eye.
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "rs-render.h"

G_BEGIN_DECLS

typedef struct _RsGlide RsGlide;

/* Remembers what `render` shows now (before its next update). NULL if it
 * shows nothing. Owned by the caller. */
RsGlide *rs_glide_new  (RsRender *render);
void     rs_glide_free (RsGlide  *glide);

/* Paints the picture at `t` (0: the old layout, 1: what `render` shows
 * now) in drawing coordinates. */
void     rs_glide_draw (RsGlide  *glide,
                        RsRender *render,
                        cairo_t  *cr,
                        double    t);

/* TRUE if `render` shows other nodes than the remembered ones, or any in
 * another place: then there is something to glide. */
gboolean rs_glide_moves (RsGlide  *glide,
                         RsRender *render);

/* The ease-out curve the glide follows. */
double   rs_glide_ease (double    t);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsGlide, rs_glide_free)

G_END_DECLS
