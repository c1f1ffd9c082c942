/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "refscope-site-resolver"

#include "rs-site-resolver.h"
#include "rs-intern.h"

#include <dwarf.h>
#include <elfutils/libdwfl.h>

/* One call site, resolved once. */
typedef struct
{
  const char *function;  /* interned, or NULL */
  const char *file;      /* interned, or NULL */
  int         line;
  int         column;
  gboolean    has_line;
} Site;

/* One module: its own Dwfl, so that every module sits at address 0 and an
 * offset is looked up as it is (see module_open), and its resolved sites. */
typedef struct
{
  Dwfl        *dwfl;     /* owned; NULL when the file could not be read */
  Dwfl_Module *module;   /* owned by dwfl */
  GHashTable  *sites;    /* offset (guint64 *) -> Site *, both owned */
} Module;

struct _RsSiteResolver
{
  GHashTable *modules;   /* path (owned) -> Module * (owned) */
};

/* The separate debug files are looked for where elfutils looks by default
 * (next to the file, its .debug/ folder, /usr/lib/debug, by build-id and
 * .gnu_debuglink); a NULL path means that default. */
static char *debuginfo_path = NULL;

static const Dwfl_Callbacks offline_callbacks = {
  .find_elf = dwfl_build_id_find_elf,
  .find_debuginfo = dwfl_standard_find_debuginfo,
  .section_address = dwfl_offline_section_address,
  .debuginfo_path = &debuginfo_path,
};

static void
module_free (Module *module)
{
  g_clear_pointer (&module->dwfl, dwfl_end);
  g_hash_table_unref (module->sites);
  g_free (module);
}

/* Reports the file at `path` alone in its own Dwfl at bias 0, so that a
 * module address is the ELF virtual address, which is what the recorder
 * stores: the run-time address minus the load bias. For an ET_DYN file (a
 * shared object or a PIE) dwfl_report_elf with add_p_vaddr places the first
 * segment at base + p_vaddr, a bias of 0; an ET_EXEC file sits at its own
 * addresses whatever the base, and its load bias is 0 too. Owned by the
 * caller; its dwfl is NULL when the file cannot be read as ELF. */
static Module *
module_open (const char *path)
{
  Module *module = g_new0 (Module, 1);

  module->sites = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  module->dwfl = dwfl_begin (&offline_callbacks);
  if (module->dwfl == NULL)
    return module;

  dwfl_report_begin (module->dwfl);
  module->module = dwfl_report_elf (module->dwfl, path, path, -1, 0, true);
  dwfl_report_end (module->dwfl, NULL, NULL);
  if (module->module == NULL)
    {
      g_debug ("%s: %s", path, dwfl_errmsg (-1));
      g_clear_pointer (&module->dwfl, dwfl_end);
    }
  return module;
}

/* The innermost function around `address`, an inlined one included, named
 * by the DWARF (dwarf_diename follows DW_AT_abstract_origin and
 * DW_AT_specification); NULL when none has a name. */
static const char *
dwarf_function_name (Dwfl_Module *dwfl_module,
                     Dwarf_Addr   address)
{
  Dwarf_Addr bias = 0;
  Dwarf_Die *cu = dwfl_module_addrdie (dwfl_module, address, &bias);
  Dwarf_Die *scopes = NULL;
  const char *name = NULL;
  int n_scopes;

  if (cu == NULL)
    return NULL;
  n_scopes = dwarf_getscopes (cu, address - bias, &scopes);
  for (int i = 0; i < n_scopes && name == NULL; i++)
    {
      int tag = dwarf_tag (&scopes[i]);

      if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine)
        name = dwarf_diename (&scopes[i]);
    }
  free (scopes);
  return name != NULL ? rs_intern (name) : NULL;
}

/* The source file as a path that opens from anywhere: the DWARF names it
 * relative to the compilation's directory when the build did (meson's
 * "../src/player.c"). */
static const char *
intern_absolute_file (const char *file,
                      const char *comp_dir)
{
  g_autofree char *path = NULL;

  if (g_path_is_absolute (file) || comp_dir == NULL || !g_path_is_absolute (comp_dir))
    return rs_intern (file);
  path = g_canonicalize_filename (file, comp_dir);
  return rs_intern (path);
}

static void
site_resolve (Site        *site,
              Dwfl_Module *dwfl_module,
              Dwarf_Addr   address)
{
  Dwfl_Line *line = dwfl_module_getsrc (dwfl_module, address);

  if (line != NULL)
    {
      const char *file = dwfl_lineinfo (line, NULL, &site->line, &site->column, NULL, NULL);

      /* Line 0 is DWARF for "no source line" (code the compiler made). */
      site->has_line = file != NULL && site->line > 0;
      site->file = site->has_line ? intern_absolute_file (file, dwfl_line_comp_dir (line)) : NULL;
      site->function = dwarf_function_name (dwfl_module, address);
    }
  if (!site->has_line)
    {
      site->line = 0;
      site->column = 0;
    }
  if (site->function == NULL)
    {
      /* No DWARF (a stripped file) or no name in it: the symbol table,
       * .symtab or at least .dynsym, may still name the function. */
      GElf_Off symbol_offset;
      GElf_Sym symbol;
      const char *name = dwfl_module_addrinfo (dwfl_module, address, &symbol_offset,
                                               &symbol, NULL, NULL, NULL);

      site->function = name != NULL ? rs_intern (name) : NULL;
    }
}

RsSiteResolver *
rs_site_resolver_new (void)
{
  RsSiteResolver *resolver = g_new0 (RsSiteResolver, 1);

  resolver->modules = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) module_free);
  return resolver;
}

void
rs_site_resolver_free (RsSiteResolver *resolver)
{
  if (resolver == NULL)
    return;
  g_hash_table_unref (resolver->modules);
  g_free (resolver);
}

gboolean
rs_site_resolver_lookup (RsSiteResolver *resolver,
                         const char     *module_path,
                         guint64         offset,
                         const char    **function,
                         const char    **file,
                         int            *line,
                         int            *column)
{
  static const Site unknown = { NULL, NULL, 0, 0, FALSE };
  const Site *site = &unknown;
  Module *module;

  g_return_val_if_fail (resolver != NULL, FALSE);
  g_return_val_if_fail (module_path != NULL, FALSE);

  module = g_hash_table_lookup (resolver->modules, module_path);
  if (module == NULL)
    {
      module = module_open (module_path);
      g_hash_table_insert (resolver->modules, g_strdup (module_path), module);
    }

  if (module->dwfl != NULL)
    {
      Site *found = g_hash_table_lookup (module->sites, &offset);

      if (found == NULL)
        {
          found = g_new0 (Site, 1);
          site_resolve (found, module->module, offset);
          g_hash_table_insert (module->sites, g_memdup2 (&offset, sizeof offset), found);
        }
      site = found;
    }

  if (function != NULL)
    *function = site->function;
  if (file != NULL)
    *file = site->file;
  if (line != NULL)
    *line = site->line;
  if (column != NULL)
    *column = site->column;
  return site->has_line;
}

char *
rs_site_format_module_offset (const char *module,
                              guint64     offset)
{
  g_autofree char *name = g_path_get_basename (module != NULL ? module : "?");

  return g_strdup_printf ("%s+0x%" G_GINT64_MODIFIER "x", name, offset);
}
