/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Turns a recorded call site (a module's path and an offset in it) into a
 * function, source file and line, from the module's debug info, after the
 * recorded program has ended (DESIGN.md section 12). Knows no libav, no GTK;
 * not thread-safe: one resolver per thread. */
typedef struct _RsSiteResolver RsSiteResolver;

/* Owned by the caller: free with rs_site_resolver_free(). */
RsSiteResolver *rs_site_resolver_new          (void);
void            rs_site_resolver_free         (RsSiteResolver *resolver);

/* Resolves `offset` in the module at the path `module`. `offset` is the
 * address relative to the module's load bias, which is the ELF virtual
 * address for a shared object, a PIE and a non-PIE executable alike; it
 * points INTO the call instruction (a return address minus one), not after
 * it. The debug info is the module's own DWARF, or a separate debug file
 * found by build-id or .gnu_debuglink (as elfutils finds them).
 *
 * TRUE: *function (the innermost function, inlined or not, or NULL when the
 * DWARF names none), *file (the source file as the DWARF names it, made
 * absolute with the compilation's directory when the DWARF names it
 * relative to that), *line and *column (0 when unknown) are set.
 * FALSE when there is no line info for the address: *function is the
 * symbol-table name of the function containing it, or NULL; *file is NULL,
 * *line and *column are 0.
 *
 * Strings are interned (rs_intern): never free them. Each module is
 * read once and each site resolved once; any out pointer may be NULL. */
gboolean        rs_site_resolver_lookup       (RsSiteResolver *resolver,
                                               const char     *module,
                                               guint64         offset,
                                               const char    **function,
                                               const char    **file,
                                               int            *line,
                                               int            *column);

/* "libfoo.so+0x1234" (the module's base name): the text for a site nothing
 * resolves. Owned by the caller. */
char           *rs_site_format_module_offset  (const char     *module,
                                               guint64         offset);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsSiteResolver, rs_site_resolver_free)

G_END_DECLS
