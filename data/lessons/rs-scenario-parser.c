/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-scenario-parser.c: statements, functions, scopes and #define; the
 * program object. After an error the parser skips to the end of the
 * statement (a ';', a '}' or the next line) and goes on.
 */
#define G_LOG_DOMAIN "rs-scenario"

#include "rs-scenario-parser-private.h"

static const char *const control_keywords[] = {
  "if", "else", "for", "while", "do", "switch", "case", "default", "goto", "break", "continue",
};

static void statement (Parser *p, gboolean in_function);

/* Scopes */

static void
push_scope (Parser *p)
{
  g_ptr_array_add (p->scopes, g_hash_table_new (g_str_hash, g_str_equal));
  g_ptr_array_add (p->scope_vars, g_array_new (FALSE, FALSE, sizeof (int)));
}

/* The variables of the innermost scope as a -1 terminated array (in the
 * program's allocations); the scope is gone. */
static const int *
pop_scope (Parser *p)
{
  GArray *vars = g_ptr_array_steal_index (p->scope_vars, p->scope_vars->len - 1);
  int end = -1;

  g_array_append_val (vars, end);
  g_hash_table_unref (g_ptr_array_steal_index (p->scopes, p->scopes->len - 1));
  return parser_keep (p, g_array_free (vars, FALSE));
}

static int
declare_variable (Parser         *p,
                  const Token    *name,
                  RsScenarioType  type)
{
  GHashTable *scope = g_ptr_array_index (p->scopes, p->scopes->len - 1);
  char *text = parser_keep (p, _rs_parser_token_text (p, name));
  RsScenarioVariable var = { text, type, name->line, name->column };
  gpointer existing = g_hash_table_lookup (scope, text);
  int index = p->program->variables->len;

  if (existing != NULL)
    _rs_parser_error (p, name, "redefinition of '%s' (first declared on line %d)", text,
                      parser_variable (p, GPOINTER_TO_INT (existing) - 1)->line);
  else if (g_hash_table_contains (p->defines, text))
    _rs_parser_error (p, name, "'%s' is a macro (#define)", text);
  else if (_rs_parser_find_function (p, name) >= 0)
    _rs_parser_error (p, name, "'%s' is a function", text);

  g_array_append_val (p->program->variables, var);
  g_hash_table_replace (scope, text, GINT_TO_POINTER (index + 1));
  g_array_append_val ((GArray *) g_ptr_array_index (p->scope_vars, p->scope_vars->len - 1), index);
  return index;
}

static void
add_statement (Parser              *p,
               RsScenarioStatement *statement)
{
  if (!p->failed)
    g_array_append_val (p->program->statements, *statement);
}

/* Recovery */

/* Skips the rest of a statement that has an error: up to a ';' (taken), a
 * '}' or directive (left), or the first token of a new line outside
 * parentheses. */
static void
recover (Parser *p,
         guint   first)
{
  int depth = 0, line = p->pos > first ? parser_previous (p)->line : parser_peek (p)->line;

  while (parser_peek (p)->type != TOKEN_END)
    {
      const Token *token = parser_peek (p);

      if (depth == 0 && parser_is_punct (token, ";"))
        {
          parser_next (p);
          return;
        }
      if (parser_is_punct (token, "}") || token->type == TOKEN_DIRECTIVE)
        return;
      if (depth == 0 && p->pos > first && token->line > line)
        return;
      if (parser_is_punct (token, "(") || parser_is_punct (token, "["))
        depth++;
      else if (parser_is_punct (token, ")") || parser_is_punct (token, "]"))
        depth = MAX (depth - 1, 0);
      line = token->line;
      parser_next (p);
    }
}

static void
skip_braces (Parser *p)
{
  int depth = 0;

  while (parser_peek (p)->type != TOKEN_END)
    {
      if (parser_is_punct (parser_peek (p), "{"))
        depth++;
      else if (parser_is_punct (parser_peek (p), "}") && --depth <= 0)
        {
          parser_next (p);
          return;
        }
      parser_next (p);
    }
}

/* The optional ';': a statement may end at a line's end, a '}' or the end. */
static void
end_statement (Parser *p,
               guint   first)
{
  const Token *token = parser_peek (p);

  if (p->failed)
    recover (p, first);
  else if (parser_is_punct (token, ";"))
    parser_next (p);
  else if (!(token->type == TOKEN_END || parser_is_punct (token, "}") || token->type == TOKEN_DIRECTIVE ||
             (p->pos > first && token->line > parser_previous (p)->line)))
    {
      _rs_parser_expected (p, "';'");
      recover (p, first);
    }
}

static RsScenarioStatement
new_statement (Parser                  *p,
               RsScenarioStatementKind  kind,
               guint                    first)
{
  const Token *token = &g_array_index (p->tokens, Token, first);

  return (RsScenarioStatement) {
    .kind = kind, .line = token->line, .column = token->column, .variable = -1,
  };
}

/* Preprocessor */

static void
define (Parser *p)
{
  const Token *name = parser_peek (p);
  g_autofree char *text = NULL;
  RsScenarioExpr *value;
  gint64 *existing;

  if (name->type != TOKEN_IDENT)
    {
      _rs_parser_error (p, name, "macro names must be identifiers");
      return;
    }
  text = _rs_parser_token_text (p, name);
  parser_next (p);
  if (parser_is_punct (parser_peek (p), "(") && parser_peek (p)->offset == name->offset + name->length)
    {
      _rs_parser_error (p, name, "function-like macros are not supported");
      return;
    }
  if (parser_peek (p)->type == TOKEN_END)
    return; /* #define FLAG: nothing to expand */
  value = _rs_parser_parse_expr (p);
  if (value == NULL)
    return;
  if (value->kind != RS_SCENARIO_EXPR_NUMBER)
    {
      _rs_parser_error (p, name, "'#define %s' must be an integer constant", text);
      return;
    }
  if (parser_peek (p)->type != TOKEN_END)
    {
      _rs_parser_expected (p, "end of line");
      return;
    }
  existing = g_hash_table_lookup (p->defines, text);
  if (existing != NULL && *existing != value->value)
    _rs_parser_error (p, name, "'%s' redefined", text);
  else if (existing == NULL)
    g_hash_table_insert (p->defines, parser_keep (p, g_steal_pointer (&text)),
                         parser_keep (p, g_memdup2 (&value->value, sizeof (gint64))));
}

static void
directive (Parser *p)
{
  const Token *token = parser_peek (p);
  g_autofree char *name = _rs_parser_token_text (p, token);
  guint saved_end = p->end, end = p->pos;

  while (g_array_index (p->tokens, Token, end).type != TOKEN_DIRECTIVE_END)
    end++;
  parser_next (p);
  _rs_parser_set_end (p, end);

  if (g_str_equal (name, "define"))
    define (p);
  else if (g_strv_contains ((const char *const[]) { "if", "ifdef", "ifndef", "elif", "else", "endif",
                                                   "undef", "error", "line", NULL }, name))
    _rs_parser_error (p, token, "'#%s' is not supported", name);
  else if (!g_strv_contains ((const char *const[]) { "include", "pragma", "", NULL }, name))
    _rs_parser_error (p, token, "unknown directive '#%s'", name);

  _rs_parser_set_end (p, saved_end);
  p->pos = end + 1;
}

/* Statements */

static void
declaration (Parser  *p,
             gboolean in_function)
{
  g_autoptr(GArray) declared = g_array_new (FALSE, FALSE, sizeof (RsScenarioStatement));
  guint first = p->pos;
  const Token *token;
  int type;

  while (_rs_parser_is_qualifier (p, parser_peek (p)))
    parser_next (p);
  token = parser_peek (p);
  type = _rs_parser_declaration_type (p, token);
  if (type < 0)
    {
      g_autofree char *name = _rs_parser_token_text (p, token);
      _rs_parser_error (p, token, "unknown type name '%s'", name);
      recover (p, first);
      return;
    }
  parser_next (p);
  while (type == RS_SCENARIO_TYPE_INT && _rs_parser_declaration_type (p, parser_peek (p)) == RS_SCENARIO_TYPE_INT)
    parser_next (p);

  for (;;)
    {
      RsScenarioStatement declare = new_statement (p, RS_SCENARIO_DECLARE, first);
      RsScenarioType var_type = type;
      const Token *name;
      g_autofree char *text = NULL;
      int stars = 0;

      while (parser_is_punct (parser_peek (p), "*"))
        {
          stars++;
          parser_next (p);
        }
      name = parser_peek (p);
      if (name->type != TOKEN_IDENT)
        {
          _rs_parser_expected (p, "a variable name");
          break;
        }
      text = _rs_parser_token_text (p, name);
      if (parser_is_punct (parser_peek_at (p, 1), "["))
        {
          _rs_parser_error (p, name, "arrays are not supported: declare one variable per packet or frame");
          break;
        }
      if (type == RS_SCENARIO_TYPE_PACKET || type == RS_SCENARIO_TYPE_FRAME)
        {
          const char *struct_name = type == RS_SCENARIO_TYPE_PACKET ? "AVPacket" : "AVFrame";

          /* Recovers as the pointer that was surely meant. */
          if (stars == 0)
            _rs_parser_error (p, name, "'%s %s' declares a whole %s struct, not a pointer: write '%s *%s'",
                              struct_name, text, struct_name, struct_name, text);
          else if (stars > 1)
            _rs_parser_error (p, name, "'%s %.*s%s' variables are not supported: declare '%s *%s' and "
                              "pass &%s", struct_name, stars, "**********", text, struct_name, text, text);
        }
      else if (type == RS_SCENARIO_TYPE_VOID || stars > 0)
        {
          _rs_parser_error (p, name, "'%s' must be an AVPacket *, an AVFrame * or an int", text);
          var_type = RS_SCENARIO_TYPE_INT;
        }

      declare.variable = declare_variable (p, name, var_type);
      parser_next (p);
      if (parser_is_punct (parser_peek (p), "="))
        {
          parser_next (p);
          _rs_parser_parse_value (p, var_type, &declare.value);
        }
      declare.joined = declared->len > 0;
      g_array_append_val (declared, declare);
      if (!parser_is_punct (parser_peek (p), ","))
        break;
      parser_next (p);
    }

  if (!p->failed)
    {
      const char *text = _rs_parser_source_text (p, first, p->pos - 1);

      for (guint i = 0; i < declared->len; i++)
        {
          RsScenarioStatement *declare = &g_array_index (declared, RsScenarioStatement, i);

          declare->text = text;
          add_statement (p, declare);
        }
    }
  if (!in_function)
    p->file_code = TRUE;
  end_statement (p, first);
}

static void
assignment (Parser *p,
            guint   first)
{
  RsScenarioStatement assign = new_statement (p, RS_SCENARIO_ASSIGN, first);
  const Token *name = parser_peek (p);

  assign.variable = _rs_parser_lookup_variable (p, name);
  if (assign.variable < 0)
    {
      g_autofree char *text = _rs_parser_token_text (p, name);
      _rs_parser_error (p, name, "'%s' undeclared", text);
      return;
    }
  parser_next (p);
  parser_next (p); /* = */
  _rs_parser_parse_value (p, parser_variable (p, assign.variable)->type, &assign.value);
  assign.text = _rs_parser_source_text (p, first, p->pos - 1);
  add_statement (p, &assign);
}

static void
set_field (Parser *p,
           guint   first)
{
  static const char *const operators[] = { "=", "+=", "-=", "|=", "&=", "^=" };
  RsScenarioStatement set = new_statement (p, RS_SCENARIO_SET_FIELD, first);
  const Token *name = parser_peek (p), *op;
  g_autofree char *var_name = _rs_parser_token_text (p, name);
  g_autofree char *field_name = NULL;
  const RsScenarioField *field;
  RsScenarioType type;
  guint k;

  set.variable = _rs_parser_lookup_variable (p, name);
  if (set.variable < 0 || parser_variable (p, set.variable)->type < RS_SCENARIO_TYPE_PACKET)
    {
      _rs_parser_error (p, name, set.variable < 0 ? "'%s' undeclared" : "'%s' is not a pointer", var_name);
      return;
    }
  type = parser_variable (p, set.variable)->type;
  p->pos += 2;
  if (parser_peek (p)->type != TOKEN_IDENT)
    {
      _rs_parser_expected (p, "a field name");
      return;
    }
  field_name = _rs_parser_token_text (p, parser_peek (p));
  if (g_str_equal (field_name, "ch_layout") && parser_is_punct (parser_peek_at (p, 1), ".") &&
      parser_is_ident (p, parser_peek_at (p, 2), "nb_channels"))
    {
      g_free (field_name);
      field_name = g_strdup ("ch_layout.nb_channels");
      p->pos += 2;
    }
  field = _rs_parser_find_field (type, field_name);
  if (field == NULL || !field->settable)
    {
      _rs_parser_error (p, parser_peek (p), "a scenario cannot set %s->%s%s", var_name, field_name,
                        g_str_equal (field_name, "size") ? ": av_new_packet, av_grow_packet and "
                        "av_shrink_packet change it" : g_str_equal (field_name, "data") ?
                        ": memset, memcpy and memccpy write into it" : "");
      return;
    }
  parser_next (p);

  op = parser_peek (p);
  for (k = 0; k < G_N_ELEMENTS (operators) && !parser_is_punct (op, operators[k]); k++)
    ;
  if (k == G_N_ELEMENTS (operators))
    {
      _rs_parser_expected (p, "'='");
      return;
    }
  parser_next (p);
  set.field = field->name;
  if ((set.value.expr = _rs_parser_parse_expr (p)) == NULL)
    return;
  set.value.kind = RS_SCENARIO_VALUE_EXPR;

  if (set.value.expr->kind == RS_SCENARIO_EXPR_NUMBER && field->limit > 0 &&
      set.value.expr->value > field->limit)
    _rs_parser_error (p, op, "%s->%s = %" G_GINT64_FORMAT " is over the limit of %" G_GINT64_FORMAT,
                      var_name, field->name, set.value.expr->value, field->limit);
  if (k > 0)
    {
      /* x->f op= v is x->f = x->f op v. */
      RsScenarioExpr *read = parser_keep (p, g_new0 (RsScenarioExpr, 1));
      RsScenarioExpr *binary = parser_keep (p, g_new0 (RsScenarioExpr, 1));

      *read = (RsScenarioExpr) { RS_SCENARIO_EXPR_FIELD, op->line, op->column, 0, set.variable, field->name };
      *binary = (RsScenarioExpr) { RS_SCENARIO_EXPR_BINARY, op->line, op->column, 0, -1, NULL,
                                   operators[k][0], read, set.value.expr };
      set.value.expr = binary;
    }
  set.text = _rs_parser_source_text (p, first, p->pos - 1);
  add_statement (p, &set);
}

static void
call_statement (Parser *p,
                guint   first)
{
  RsScenarioStatement call = new_statement (p, RS_SCENARIO_CALL, first);
  int function = _rs_parser_find_function (p, parser_peek (p));

  if (function >= RS_SCENARIO_MEMSET)
    {
      call.kind = RS_SCENARIO_WRITE;
      if (!_rs_parser_parse_write (p, &call.write))
        return;
    }
  else
    {
      call.value.kind = RS_SCENARIO_VALUE_CALL;
      if ((call.value.call = _rs_parser_parse_call (p)) == NULL)
        return;
    }
  call.text = _rs_parser_source_text (p, first, p->pos - 1);
  add_statement (p, &call);
}

static void
return_statement (Parser  *p,
                  gboolean in_function)
{
  RsScenarioStatement ret = new_statement (p, RS_SCENARIO_RETURN, p->pos);
  const Token *keyword = parser_peek (p);
  guint first = p->pos;

  parser_next (p);
  if (!in_function)
    _rs_parser_error (p, keyword, "'return' outside a function");
  if (!(parser_is_punct (parser_peek (p), ";") || parser_is_punct (parser_peek (p), "}") ||
        parser_peek (p)->type == TOKEN_END || parser_peek (p)->line > keyword->line))
    {
      /* The value is not used: `return 0;`, `return ret;`, `return pkt;`. */
      int index = parser_peek (p)->type == TOKEN_IDENT ? _rs_parser_lookup_variable (p, parser_peek (p)) : -1;

      if (index >= 0 && parser_variable (p, index)->type != RS_SCENARIO_TYPE_INT &&
          !parser_is_punct (parser_peek_at (p, 1), "->"))
        parser_next (p);
      else
        _rs_parser_parse_expr (p);
    }
  ret.text = _rs_parser_source_text (p, first, p->pos - 1);
  if (!p->failed)
    {
      guint index = p->program->statements->len;
      g_array_append_val (p->returns, index);
    }
  add_statement (p, &ret);
}

static gboolean
starts_declaration (Parser *p)
{
  const Token *token = parser_peek (p);

  if (_rs_parser_is_qualifier (p, token) || _rs_parser_declaration_type (p, token) >= 0)
    return TRUE;
  /* An unknown type name: `Foo x` or `Foo *x =`. */
  return token->type == TOKEN_IDENT &&
         (parser_peek_at (p, 1)->type == TOKEN_IDENT ||
          (parser_is_punct (parser_peek_at (p, 1), "*") && parser_peek_at (p, 2)->type == TOKEN_IDENT &&
           (parser_is_punct (parser_peek_at (p, 3), "=") || parser_is_punct (parser_peek_at (p, 3), ";"))));
}

static void
statement (Parser  *p,
           gboolean in_function)
{
  guint first = p->pos;
  const Token *token = parser_peek (p), *after;

  p->failed = FALSE;
  p->depth = 0;
  if (token->type == TOKEN_DIRECTIVE)
    {
      directive (p);
      return;
    }
  if (parser_is_punct (token, ";"))
    {
      parser_next (p);
      return;
    }
  if (!in_function)
    p->file_code = TRUE;
  if (parser_is_punct (token, "{"))
    {
      _rs_parser_error (p, token, "blocks are not supported: a scenario runs straight through");
      skip_braces (p);
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (control_keywords); i++)
    if (parser_is_ident (p, token, control_keywords[i]))
      {
        _rs_parser_error (p, token, "'%s' is not supported: a scenario runs straight through, one "
                          "statement a step", control_keywords[i]);
        parser_next (p);
        if (parser_is_punct (parser_peek (p), "("))
          _rs_parser_skip_parens (p);
        if (parser_is_punct (parser_peek (p), "{"))
          skip_braces (p);
        else
          recover (p, first);
        return;
      }
  if (parser_is_ident (p, token, "return"))
    {
      return_statement (p, in_function);
      end_statement (p, first);
      return;
    }
  if (starts_declaration (p))
    {
      declaration (p, in_function);
      return;
    }

  /* (void) av_packet_ref (...); */
  if (parser_is_punct (token, "(") && parser_is_ident (p, parser_peek_at (p, 1), "void") &&
      parser_is_punct (parser_peek_at (p, 2), ")"))
    {
      p->pos += 3;
      token = parser_peek (p);
    }
  after = parser_peek_at (p, 1);
  if (token->type != TOKEN_IDENT)
    _rs_parser_expected (p, "a statement");
  else if (parser_is_punct (after, "("))
    call_statement (p, first);
  else if (parser_is_punct (after, "="))
    assignment (p, first);
  else if (parser_is_punct (after, "->"))
    set_field (p, first);
  else if (after->type == TOKEN_PUNCT && !parser_is_punct (after, ";"))
    _rs_parser_error (p, after, "'%s' is not supported: a statement is a call or an assignment with '='",
                      after->punct);
  else
    {
      g_autofree char *name = _rs_parser_token_text (p, token);
      _rs_parser_error (p, token, "'%s' is not a statement: expected a call or an assignment", name);
    }
  end_statement (p, first);
}

/* `[static] type [*] name (...) {`: a function definition. */
static gboolean
starts_function (Parser *p)
{
  guint k = 0, idents = 0;

  while (_rs_parser_is_qualifier (p, parser_peek_at (p, k)))
    k++;
  for (;; k++)
    {
      const Token *token = parser_peek_at (p, k);

      if (token->type == TOKEN_IDENT)
        idents++;
      else if (!parser_is_punct (token, "*"))
        break;
    }
  return idents >= 2 && parser_peek_at (p, k - 1)->type == TOKEN_IDENT &&
         parser_is_punct (parser_peek_at (p, k), "(");
}

static void
function (Parser *p)
{
  RsScenarioStatement begin, end;
  const Token *name, *open, *close;
  const char *text;
  guint first = p->pos;

  p->failed = FALSE;
  while (!parser_is_punct (parser_peek_at (p, 1), "("))
    parser_next (p);
  name = parser_peek (p);
  text = parser_keep (p, _rs_parser_token_text (p, name));
  parser_next (p);
  if (!_rs_parser_skip_parens (p))
    {
      recover (p, first);
      return;
    }
  if (parser_is_punct (parser_peek (p), ";"))
    {
      parser_next (p); /* a prototype */
      return;
    }
  open = parser_peek (p);
  if (!_rs_parser_expect (p, "{"))
    {
      recover (p, first);
      return;
    }

  p->n_functions++;
  push_scope (p);
  g_array_set_size (p->returns, 0);
  begin = new_statement (p, RS_SCENARIO_BEGIN, first);
  begin.function = text;
  begin.text = _rs_parser_source_text (p, first, p->pos - 1);
  g_array_append_val (p->program->statements, begin);

  while (parser_peek (p)->type != TOKEN_END && !parser_is_punct (parser_peek (p), "}") &&
         p->program->diagnostics->len < RS_SCENARIO_MAX_ERRORS)
    {
      if (starts_function (p))
        {
          _rs_parser_error (p, parser_peek (p), "nested function definitions are not supported");
          recover (p, p->pos);
          continue;
        }
      statement (p, TRUE);
    }

  close = parser_peek (p);
  if (close->type == TOKEN_END)
    _rs_parser_error (p, open, "'{' of function '%s' has no matching '}'", text);
  end = new_statement (p, RS_SCENARIO_END, p->pos);
  end.function = text;
  end.text = close->type == TOKEN_END ? "" : "}";
  end.dying = pop_scope (p);
  for (guint i = 0; i < p->returns->len; i++)
    g_array_index (p->program->statements, RsScenarioStatement,
                   g_array_index (p->returns, guint, i)).target = p->program->statements->len;
  g_array_append_val (p->program->statements, end);
  parser_next (p);
}

/* Statements run in order, each once at most: the steps a lesson can take
 * are its statements that start one. */
static void
check_length (Parser *p)
{
  guint steps = 0;

  for (guint i = 0; i < p->program->statements->len; i++)
    {
      const RsScenarioStatement *statement = &g_array_index (p->program->statements, RsScenarioStatement, i);

      if (statement->kind == RS_SCENARIO_BEGIN || statement->joined || ++steps <= RS_SCENARIO_MAX_STEPS)
        continue;
      _rs_scenario_program_add_error (p->program, statement->line, statement->column,
                                      "the lesson is too long: this statement would be step %u, over the "
                                      "limit of %d steps; split the lesson", steps, RS_SCENARIO_MAX_STEPS);
      return;
    }
}

RsScenarioProgram *
rs_scenario_program_parse (const char            *filename,
                           const char            *source,
                           gssize                 length,
                           RsScenarioResolveFunc  resolve,
                           gpointer               user_data)
{
  RsScenarioProgram *program;
  Parser p = { 0 };

  g_return_val_if_fail (source != NULL || length == 0, NULL);

  program = g_new0 (RsScenarioProgram, 1);
  program->filename = g_strdup (filename != NULL ? filename : "<scenario>");
  program->length = length < 0 ? strlen (source) : (gsize) length;
  program->source = g_malloc (program->length + 1);
  if (program->length > 0)
    memcpy (program->source, source, program->length);
  program->source[program->length] = '\0';
  program->statements = g_array_new (FALSE, TRUE, sizeof (RsScenarioStatement));
  program->variables = g_array_new (FALSE, TRUE, sizeof (RsScenarioVariable));
  program->diagnostics = g_array_new (FALSE, TRUE, sizeof (RsScenarioDiagnostic));
  program->allocations = g_ptr_array_new_with_free_func (g_free);

  p.program = program;
  p.tokens = _rs_scenario_lex (program);
  p.resolve = resolve;
  p.user_data = user_data;
  p.defines = g_hash_table_new (g_str_hash, g_str_equal);
  p.scopes = g_ptr_array_new ();
  p.scope_vars = g_ptr_array_new ();
  p.returns = g_array_new (FALSE, FALSE, sizeof (guint));
  /* A stray byte splits an identifier, a constant too large is cut short:
   * a line with a lexical error gets that error only. */
  p.lexical_lines = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < program->diagnostics->len; i++)
    g_hash_table_add (p.lexical_lines,
                      GINT_TO_POINTER (g_array_index (program->diagnostics, RsScenarioDiagnostic, i).line));
  _rs_parser_set_end (&p, p.tokens->len - 1);
  push_scope (&p);

  while (parser_peek (&p)->type != TOKEN_END && program->diagnostics->len < RS_SCENARIO_MAX_ERRORS)
    {
      if (parser_is_punct (parser_peek (&p), "}"))
        {
          _rs_parser_error (&p, parser_peek (&p), "'}' without a matching '{'");
          parser_next (&p);
        }
      else if (starts_function (&p))
        function (&p);
      else
        statement (&p, FALSE);
    }

  /* The end of the file is a step of its own when code or variables live
   * outside functions (or there is no function): its variables die there. */
  if (p.n_functions == 0 || p.file_code)
    {
      RsScenarioStatement end = new_statement (&p, RS_SCENARIO_END, p.tokens->len - 1);

      end.text = "";
      end.dying = pop_scope (&p);
      g_array_append_val (program->statements, end);
    }
  else
    pop_scope (&p);
  check_length (&p);

  /* Lexical errors were found first: put them in source order. */
  _rs_scenario_program_sort_diagnostics (program);

  g_array_unref (p.tokens);
  g_hash_table_unref (p.defines);
  g_ptr_array_unref (p.scopes);
  g_ptr_array_unref (p.scope_vars);
  g_array_unref (p.returns);
  g_hash_table_unref (p.lexical_lines);
  return program;
}
