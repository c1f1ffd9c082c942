/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-scenario-program.c: a parsed scenario: its statements, variables and
 * diagnostics (rs-scenario-parser.c builds it).
 */
#define G_LOG_DOMAIN "rs-scenario"

#include <stdarg.h>

#include "rs-error.h"
#include "rs-scenario-parser-private.h"

gboolean
_rs_scenario_program_add_error (RsScenarioProgram *program,
                                int                line,
                                int                column,
                                const char        *format,
                                ...)
{
  RsScenarioDiagnostic diagnostic = { line, column, NULL };
  va_list args;

  if (program->diagnostics->len >= RS_SCENARIO_MAX_ERRORS)
    return FALSE;
  if (program->diagnostics->len == RS_SCENARIO_MAX_ERRORS - 1)
    diagnostic.message = "too many errors; stopping";
  else
    {
      va_start (args, format);
      diagnostic.message = g_strdup_vprintf (format, args);
      va_end (args);
      g_ptr_array_add (program->allocations, (gpointer) diagnostic.message);
    }
  g_array_append_val (program->diagnostics, diagnostic);
  return TRUE;
}

static int
compare_diagnostics (gconstpointer a,
                     gconstpointer b)
{
  const RsScenarioDiagnostic *x = a, *y = b;

  if (x->line != y->line)
    return x->line < y->line ? -1 : 1;
  return (x->column > y->column) - (x->column < y->column);
}

void
_rs_scenario_program_sort_diagnostics (RsScenarioProgram *program)
{
  g_array_sort (program->diagnostics, compare_diagnostics);
}

void
rs_scenario_program_free (RsScenarioProgram *program)
{
  if (program == NULL)
    return;
  g_array_unref (program->statements);
  g_array_unref (program->variables);
  g_array_unref (program->diagnostics);
  g_ptr_array_unref (program->allocations);
  g_free (program->source);
  g_free (program->filename);
  g_free (program);
}

gboolean
rs_scenario_program_check (RsScenarioProgram  *program,
                           GError            **error)
{
  g_autoptr(GString) message = NULL;

  g_return_val_if_fail (program != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (program->diagnostics->len == 0)
    return TRUE;
  message = g_string_new (NULL);
  for (guint i = 0; i < program->diagnostics->len; i++)
    {
      const RsScenarioDiagnostic *diagnostic = &g_array_index (program->diagnostics, RsScenarioDiagnostic, i);

      g_string_append_printf (message, "%s%s:%d:%d: error: %s", i > 0 ? "\n" : "", program->filename,
                              diagnostic->line, diagnostic->column, diagnostic->message);
    }
  g_set_error_literal (error, RS_ERROR, RS_ERROR_INVALID_INPUT, message->str);
  return FALSE;
}

const char *
rs_scenario_program_get_filename (RsScenarioProgram *program)
{
  g_return_val_if_fail (program != NULL, NULL);
  return program->filename;
}

const char *
rs_scenario_program_get_source (RsScenarioProgram *program)
{
  g_return_val_if_fail (program != NULL, NULL);
  return program->source;
}

guint
rs_scenario_program_get_n_statements (RsScenarioProgram *program)
{
  g_return_val_if_fail (program != NULL, 0);
  return program->statements->len;
}

const RsScenarioStatement *
rs_scenario_program_get_statement (RsScenarioProgram *program,
                                   guint              index)
{
  g_return_val_if_fail (program != NULL, NULL);
  g_return_val_if_fail (index < program->statements->len, NULL);
  return &g_array_index (program->statements, RsScenarioStatement, index);
}

guint
rs_scenario_program_get_n_variables (RsScenarioProgram *program)
{
  g_return_val_if_fail (program != NULL, 0);
  return program->variables->len;
}

const RsScenarioVariable *
rs_scenario_program_get_variable (RsScenarioProgram *program,
                                  guint              index)
{
  g_return_val_if_fail (program != NULL, NULL);
  g_return_val_if_fail (index < program->variables->len, NULL);
  return &g_array_index (program->variables, RsScenarioVariable, index);
}

guint
rs_scenario_program_get_n_diagnostics (RsScenarioProgram *program)
{
  g_return_val_if_fail (program != NULL, 0);
  return program->diagnostics->len;
}

const RsScenarioDiagnostic *
rs_scenario_program_get_diagnostic (RsScenarioProgram *program,
                                    guint              index)
{
  g_return_val_if_fail (program != NULL, NULL);
  g_return_val_if_fail (index < program->diagnostics->len, NULL);
  return &g_array_index (program->diagnostics, RsScenarioDiagnostic, index);
}
