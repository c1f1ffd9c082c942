/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A libFuzzer target for the scenario parser: any bytes must parse to a
 * program (maybe with diagnostics) without a crash, an out-of-bounds access,
 * undefined behaviour or a leak. Built by tests/fuzz/meson.build with clang
 * (-fsanitize=fuzzer,address,undefined); the parser has no libav in it.
 */
#include <stdint.h>
#include <string.h>

#include "rs-scenario-parser.h"

/* Like the session's resolver, without libav: AV_* names are constants. */
static gboolean
resolve (const char *name,
         gint64     *value,
         gpointer    user_data)
{
  if (!g_str_has_prefix (name, "AV_"))
    return FALSE;
  *value = (gint64) strlen (name);
  return TRUE;
}

static gsize
walk_expr (const RsScenarioExpr *expr)
{
  if (expr == NULL)
    return 0;
  return 1 + (expr->field != NULL ? strlen (expr->field) : 0) + walk_expr (expr->left) + walk_expr (expr->right);
}

/* Reads everything the program points at, so the sanitizers see it. */
static gsize
walk (RsScenarioProgram *program)
{
  gsize n = strlen (rs_scenario_program_get_filename (program));

  for (guint i = 0; i < rs_scenario_program_get_n_statements (program); i++)
    {
      const RsScenarioStatement *statement = rs_scenario_program_get_statement (program, i);
      const RsScenarioCall *call = statement->value.kind == RS_SCENARIO_VALUE_CALL ? statement->value.call : NULL;

      n += statement->text != NULL ? strlen (statement->text) : 0;
      n += walk_expr (statement->value.kind == RS_SCENARIO_VALUE_EXPR ? statement->value.expr : NULL);
      n += walk_expr (statement->write.length) + walk_expr (statement->write.offset) + walk_expr (statement->write.plane);
      for (const int *dying = statement->dying; dying != NULL && *dying >= 0; dying++)
        n += strlen (rs_scenario_program_get_variable (program, *dying)->name);
      for (guint k = 0; call != NULL && k < call->n_args; k++)
        n += walk_expr (call->args[k].expr) + strlen (call->args_text);
    }
  for (guint i = 0; i < rs_scenario_program_get_n_diagnostics (program); i++)
    n += strlen (rs_scenario_program_get_diagnostic (program, i)->message);
  return n;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  RsScenarioProgram *program = rs_scenario_program_parse ("fuzz.c", (const char *) data, size, resolve, NULL);
  GError *error = NULL;

  walk (program);
  if (!rs_scenario_program_check (program, &error))
    g_error_free (error);
  rs_scenario_program_free (program);
  return 0;
}
