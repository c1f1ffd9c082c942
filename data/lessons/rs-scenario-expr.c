/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-scenario-expr.c: the scenario parser's tables of functions and fields,
 * its names, and integer expressions (folded when constant).
 */
#define G_LOG_DOMAIN "rs-scenario"

#include <stdarg.h>

#include "rs-scenario-parser-private.h"

#define A RS_SCENARIO_ARG_INT
#define P RS_SCENARIO_ARG_PACKET
#define PP RS_SCENARIO_ARG_PACKET_REF
#define F RS_SCENARIO_ARG_FRAME
#define FF RS_SCENARIO_ARG_FRAME_REF
static const RsScenarioSignature signatures[RS_SCENARIO_N_FUNCTIONS] = {
  [RS_SCENARIO_PACKET_ALLOC]         = { "av_packet_alloc",         RS_SCENARIO_TYPE_PACKET, 0, { 0 } },
  [RS_SCENARIO_PACKET_FREE]          = { "av_packet_free",          RS_SCENARIO_TYPE_VOID,   1, { PP } },
  [RS_SCENARIO_NEW_PACKET]           = { "av_new_packet",           RS_SCENARIO_TYPE_INT,    2, { P, A } },
  [RS_SCENARIO_PACKET_REF]           = { "av_packet_ref",           RS_SCENARIO_TYPE_INT,    2, { P, P } },
  [RS_SCENARIO_PACKET_UNREF]         = { "av_packet_unref",         RS_SCENARIO_TYPE_VOID,   1, { P } },
  [RS_SCENARIO_PACKET_MOVE_REF]      = { "av_packet_move_ref",      RS_SCENARIO_TYPE_VOID,   2, { P, P } },
  [RS_SCENARIO_PACKET_CLONE]         = { "av_packet_clone",         RS_SCENARIO_TYPE_PACKET, 1, { P } },
  [RS_SCENARIO_PACKET_MAKE_WRITABLE] = { "av_packet_make_writable", RS_SCENARIO_TYPE_INT,    1, { P } },
  [RS_SCENARIO_INIT_PACKET]          = { "av_init_packet",          RS_SCENARIO_TYPE_VOID,   1, { P } },
  [RS_SCENARIO_GROW_PACKET]          = { "av_grow_packet",          RS_SCENARIO_TYPE_INT,    2, { P, A } },
  [RS_SCENARIO_SHRINK_PACKET]        = { "av_shrink_packet",        RS_SCENARIO_TYPE_VOID,   2, { P, A } },
  [RS_SCENARIO_FRAME_ALLOC]          = { "av_frame_alloc",          RS_SCENARIO_TYPE_FRAME,  0, { 0 } },
  [RS_SCENARIO_FRAME_FREE]           = { "av_frame_free",           RS_SCENARIO_TYPE_VOID,   1, { FF } },
  [RS_SCENARIO_FRAME_GET_BUFFER]     = { "av_frame_get_buffer",     RS_SCENARIO_TYPE_INT,    2, { F, A } },
  [RS_SCENARIO_FRAME_REF]            = { "av_frame_ref",            RS_SCENARIO_TYPE_INT,    2, { F, F } },
  [RS_SCENARIO_FRAME_UNREF]          = { "av_frame_unref",          RS_SCENARIO_TYPE_VOID,   1, { F } },
  [RS_SCENARIO_FRAME_MOVE_REF]       = { "av_frame_move_ref",       RS_SCENARIO_TYPE_VOID,   2, { F, F } },
  [RS_SCENARIO_FRAME_CLONE]          = { "av_frame_clone",          RS_SCENARIO_TYPE_FRAME,  1, { F } },
  [RS_SCENARIO_FRAME_MAKE_WRITABLE]  = { "av_frame_make_writable",  RS_SCENARIO_TYPE_INT,    1, { F } },
  /* Checked by _rs_parser_parse_write(): destination, skipped, length. */
  [RS_SCENARIO_MEMSET]               = { "memset",                  RS_SCENARIO_TYPE_VOID,   3, { 0 } },
  [RS_SCENARIO_MEMCPY]               = { "memcpy",                  RS_SCENARIO_TYPE_VOID,   3, { 0 } },
  [RS_SCENARIO_MEMCCPY]              = { "memccpy",                 RS_SCENARIO_TYPE_VOID,   4, { 0 } },
};
#undef A
#undef P
#undef PP
#undef F
#undef FF

static const RsScenarioField fields[] = {
  { RS_SCENARIO_TYPE_PACKET, "size",                  FALSE, FALSE, 0 },
  { RS_SCENARIO_TYPE_PACKET, "pts",                   TRUE,  FALSE, 0 },
  { RS_SCENARIO_TYPE_PACKET, "dts",                   TRUE,  FALSE, 0 },
  { RS_SCENARIO_TYPE_PACKET, "duration",              TRUE,  FALSE, 0 },
  { RS_SCENARIO_TYPE_PACKET, "pos",                   TRUE,  FALSE, 0 },
  { RS_SCENARIO_TYPE_PACKET, "stream_index",          TRUE,  FALSE, G_MAXINT },
  { RS_SCENARIO_TYPE_PACKET, "flags",                 TRUE,  FALSE, G_MAXINT },
  { RS_SCENARIO_TYPE_FRAME,  "format",                TRUE,  FALSE, G_MAXINT },
  { RS_SCENARIO_TYPE_FRAME,  "width",                 TRUE,  FALSE, RS_SCENARIO_MAX_DIMENSION },
  { RS_SCENARIO_TYPE_FRAME,  "height",                TRUE,  FALSE, RS_SCENARIO_MAX_DIMENSION },
  { RS_SCENARIO_TYPE_FRAME,  "nb_samples",            TRUE,  FALSE, RS_SCENARIO_MAX_DIMENSION },
  { RS_SCENARIO_TYPE_FRAME,  "sample_rate",           TRUE,  FALSE, G_MAXINT },
  { RS_SCENARIO_TYPE_FRAME,  "channels",              TRUE,  FALSE, 64 },
  { RS_SCENARIO_TYPE_FRAME,  "ch_layout.nb_channels", TRUE,  FALSE, 64 },
  { RS_SCENARIO_TYPE_FRAME,  "channel_layout",        TRUE,  FALSE, 0 },
  { RS_SCENARIO_TYPE_FRAME,  "pts",                   TRUE,  FALSE, 0 },
  { RS_SCENARIO_TYPE_FRAME,  "key_frame",             TRUE,  FALSE, G_MAXINT },
  { RS_SCENARIO_TYPE_FRAME,  "linesize",              FALSE, TRUE,  0 },
};

/* Names that start a declaration. */
static const struct {
  const char     *name;
  RsScenarioType  type;
} type_names[] = {
  { "AVPacket", RS_SCENARIO_TYPE_PACKET }, { "AVFrame", RS_SCENARIO_TYPE_FRAME },
  { "void", RS_SCENARIO_TYPE_VOID }, { "int", RS_SCENARIO_TYPE_INT },
  { "long", RS_SCENARIO_TYPE_INT }, { "short", RS_SCENARIO_TYPE_INT },
  { "unsigned", RS_SCENARIO_TYPE_INT }, { "signed", RS_SCENARIO_TYPE_INT },
  { "size_t", RS_SCENARIO_TYPE_INT }, { "int64_t", RS_SCENARIO_TYPE_INT },
  { "int32_t", RS_SCENARIO_TYPE_INT }, { "uint32_t", RS_SCENARIO_TYPE_INT },
  { "uint64_t", RS_SCENARIO_TYPE_INT },
};

static const char *const qualifiers[] = {
  "const", "static", "volatile", "register", "inline", "extern", "struct",
};

/* Expressions nest at most this deep (the parser recurses). */
#define MAX_DEPTH 64

const RsScenarioSignature *
rs_scenario_function_get_signature (RsScenarioFunction function)
{
  g_return_val_if_fail (function < RS_SCENARIO_N_FUNCTIONS, NULL);
  return &signatures[function];
}

gboolean
rs_scenario_apply_operator (char         op,
                            gint64       a,
                            gint64       b,
                            gint64      *result,
                            const char **problem)
{
  gboolean overflow = FALSE;

  *problem = NULL;
  switch (op)
    {
    case '+': overflow = __builtin_add_overflow (a, b, result); break;
    case '-': overflow = __builtin_sub_overflow (a, b, result); break;
    case '*': overflow = __builtin_mul_overflow (a, b, result); break;
    case '/':
    case '%':
      if (b == 0)
        *problem = "division by zero";
      else if (a == G_MININT64 && b == -1)
        overflow = TRUE;
      else
        *result = op == '/' ? a / b : a % b;
      break;
    case '<':
    case '>':
      if (b < 0 || b > 62)
        *problem = "shift count out of range";
      else if (op == '<' && (a < 0 || a > (G_MAXINT64 >> b)))
        overflow = TRUE;
      else
        *result = op == '<' ? a << b : a >> b;
      break;
    case '&': *result = a & b; break;
    case '|': *result = a | b; break;
    case '^': *result = a ^ b; break;
    default:  *problem = "unknown operator"; break;
    }
  if (overflow)
    *problem = "integer overflow";
  return *problem == NULL;
}

void
_rs_parser_set_end (Parser *p,
                    guint   end)
{
  p->end = end;
  p->limit = g_array_index (p->tokens, Token, MIN (end, p->tokens->len - 1));
  p->limit.type = TOKEN_END;
}

void
_rs_parser_error (Parser      *p,
                  const Token *token,
                  const char  *format,
                  ...)
{
  g_autofree char *message = NULL;
  va_list args;

  p->failed = TRUE;
  if (p->quiet > 0 || g_hash_table_contains (p->lexical_lines, GINT_TO_POINTER (token->line)))
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  _rs_scenario_program_add_error (p->program, token->line, token->column, "%s", message);
}

void
_rs_parser_expected (Parser     *p,
                     const char *what)
{
  const Token *token = parser_peek (p);

  if (token->length == 0 || token->type == TOKEN_DIRECTIVE_END)
    _rs_parser_error (p, token, "expected %s at end of %s", what,
                      token->offset >= p->program->length ? "input" : "line");
  else
    _rs_parser_error (p, token, "expected %s before '%.*s'", what, (int) MIN (token->length, 32),
                      p->program->source + token->offset);
}

gboolean
_rs_parser_expect (Parser     *p,
                   const char *punct)
{
  g_autofree char *what = NULL;

  if (parser_is_punct (parser_peek (p), punct))
    {
      parser_next (p);
      return TRUE;
    }
  what = g_strdup_printf ("'%s'", punct);
  _rs_parser_expected (p, what);
  return FALSE;
}

const char *
_rs_parser_source_text (Parser *p,
                        guint   first,
                        guint   last)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (first <= last && last < p->tokens->len)
    {
      const Token *a = &g_array_index (p->tokens, Token, first);
      const Token *b = &g_array_index (p->tokens, Token, last);

      for (gsize k = a->offset; k < b->offset + b->length && k < p->program->length; k++)
        {
          char c = p->program->source[k];

          if (!g_ascii_isspace (c))
            g_string_append_c (text, c);
          else if (text->len > 0 && text->str[text->len - 1] != ' ')
            g_string_append_c (text, ' ');
        }
    }
  /* Kept for the whole lesson, several a statement: in a block of its
   * length, not the GString's room to grow. */
  return parser_keep (p, g_strndup (text->str, text->len));
}

char *
_rs_parser_token_text (Parser      *p,
                       const Token *token)
{
  return g_strndup (p->program->source + token->offset, token->length);
}

int
_rs_parser_lookup_variable (Parser      *p,
                            const Token *token)
{
  g_autofree char *name = _rs_parser_token_text (p, token);

  for (guint i = p->scopes->len; i > 0; i--)
    {
      gpointer index = g_hash_table_lookup (g_ptr_array_index (p->scopes, i - 1), name);

      if (index != NULL)
        return GPOINTER_TO_INT (index) - 1;
    }
  return -1;
}

const char *
_rs_parser_type_name (RsScenarioType type)
{
  switch (type)
    {
    case RS_SCENARIO_TYPE_PACKET: return "AVPacket *";
    case RS_SCENARIO_TYPE_FRAME:  return "AVFrame *";
    case RS_SCENARIO_TYPE_INT:    return "int";
    case RS_SCENARIO_TYPE_VOID:
    default:                      return "void";
    }
}

int
_rs_parser_declaration_type (Parser      *p,
                             const Token *token)
{
  for (guint i = 0; i < G_N_ELEMENTS (type_names); i++)
    if (parser_is_ident (p, token, type_names[i].name))
      return type_names[i].type;
  return -1;
}

gboolean
_rs_parser_is_qualifier (Parser      *p,
                         const Token *token)
{
  for (guint i = 0; i < G_N_ELEMENTS (qualifiers); i++)
    if (parser_is_ident (p, token, qualifiers[i]))
      return TRUE;
  return FALSE;
}

int
_rs_parser_find_function (Parser      *p,
                          const Token *token)
{
  for (int i = 0; i < RS_SCENARIO_N_FUNCTIONS; i++)
    if (token->type == TOKEN_IDENT && parser_text_is (p, token, signatures[i].name))
      return i;
  return -1;
}

const RsScenarioField *
_rs_parser_find_field (RsScenarioType  type,
                       const char     *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (fields[i].type == type && strcmp (fields[i].name, name) == 0)
      return &fields[i];
  return NULL;
}

gboolean
_rs_parser_skip_parens (Parser *p)
{
  const Token *open = parser_peek (p);
  guint resume = 0, i;
  int depth = 0;

  if (!parser_is_punct (open, "("))
    {
      _rs_parser_expected (p, "'('");
      return FALSE;
    }
  for (i = p->pos; i < p->end; i++)
    {
      const Token *token = &g_array_index (p->tokens, Token, i);

      /* If it is not closed, the parse resumes at the next line. */
      if (resume == 0 && token->line > open->line)
        resume = i;

      if (token->type != TOKEN_PUNCT)
        {
          if (token->type == TOKEN_END || token->type == TOKEN_DIRECTIVE ||
              token->type == TOKEN_DIRECTIVE_END)
            break;
          continue;
        }
      if (parser_is_punct (token, "(") || parser_is_punct (token, "["))
        depth++;
      else if (parser_is_punct (token, ")") || parser_is_punct (token, "]"))
        {
          if (--depth == 0)
            {
              p->pos = i + 1;
              return TRUE;
            }
        }
      else if (parser_is_punct (token, ";") || parser_is_punct (token, "{") || parser_is_punct (token, "}"))
        break;
    }
  _rs_parser_error (p, open, "expected ')' to close this '('");
  p->pos = resume != 0 ? resume : i;
  return FALSE;
}

void
_rs_parser_skip_cast (Parser *p)
{
  const Token *type = parser_peek_at (p, 1);

  if (parser_is_punct (parser_peek (p), "(") &&
      (_rs_parser_declaration_type (p, type) >= 0 || _rs_parser_is_qualifier (p, type) ||
       parser_is_ident (p, type, "uint8_t") || parser_is_ident (p, type, "char")))
    _rs_parser_skip_parens (p);
}

/* Expressions */

static RsScenarioExpr *
new_expr (Parser             *p,
          RsScenarioExprKind  kind,
          const Token        *at)
{
  RsScenarioExpr *expr = parser_keep (p, g_new0 (RsScenarioExpr, 1));

  expr->kind = kind;
  expr->line = at->line;
  expr->column = at->column;
  expr->variable = -1;
  return expr;
}

RsScenarioExpr *
_rs_parser_make_binary (Parser         *p,
                        const Token    *at,
                        char            op,
                        RsScenarioExpr *left,
                        RsScenarioExpr *right)
{
  RsScenarioExpr *expr;

  if (left->kind == RS_SCENARIO_EXPR_NUMBER && right->kind == RS_SCENARIO_EXPR_NUMBER)
    {
      const char *problem = NULL;
      gint64 value = 0;

      if (!rs_scenario_apply_operator (op, left->value, right->value, &value, &problem))
        {
          _rs_parser_error (p, at, "%s in constant expression", problem);
          return NULL;
        }
      left->value = value;
      return left;
    }
  expr = new_expr (p, RS_SCENARIO_EXPR_BINARY, at);
  expr->op = op;
  expr->left = left;
  expr->right = right;
  return expr;
}

/* variable->field, or variable->field[index]: at the variable. */
static RsScenarioExpr *
parse_field_read (Parser *p,
                  int     index)
{
  const Token *name = parser_peek (p);
  const RsScenarioVariable *var = parser_variable (p, index);
  const RsScenarioField *field;
  RsScenarioExpr *expr = new_expr (p, RS_SCENARIO_EXPR_FIELD, name);
  g_autofree char *field_name = NULL;

  parser_next (p);
  parser_next (p); /* -> */
  if (parser_peek (p)->type != TOKEN_IDENT)
    {
      _rs_parser_expected (p, "a field name");
      return NULL;
    }
  field_name = _rs_parser_token_text (p, parser_peek (p));
  if (g_str_equal (field_name, "ch_layout") && parser_is_punct (parser_peek_at (p, 1), ".") &&
      parser_is_ident (p, parser_peek_at (p, 2), "nb_channels"))
    {
      g_free (field_name);
      field_name = g_strdup ("ch_layout.nb_channels");
      parser_next (p);
      parser_next (p);
    }
  field = _rs_parser_find_field (var->type, field_name);
  if (field == NULL)
    {
      _rs_parser_error (p, parser_peek (p), "'%s' has no field '%s' a scenario can read%s",
                        _rs_parser_type_name (var->type), field_name,
                        g_str_equal (field_name, "data") ? ": only memset, memcpy and memccpy use data" : "");
      return NULL;
    }
  parser_next (p);
  expr->variable = index;
  expr->field = field->name;
  if (field->indexed)
    {
      if (!_rs_parser_expect (p, "[") || (expr->left = _rs_parser_parse_expr (p)) == NULL ||
          !_rs_parser_expect (p, "]"))
        return NULL;
    }
  return expr;
}

static RsScenarioExpr *
parse_identifier (Parser *p)
{
  const Token *token = parser_peek (p);
  g_autofree char *name = _rs_parser_token_text (p, token);
  gint64 *define = g_hash_table_lookup (p->defines, name);
  int index = _rs_parser_lookup_variable (p, token);
  RsScenarioExpr *expr;
  gint64 value = 0;

  if (define != NULL)
    {
      expr = new_expr (p, RS_SCENARIO_EXPR_NUMBER, token);
      expr->value = *define;
      parser_next (p);
      return expr;
    }
  if (index >= 0 && parser_variable (p, index)->type == RS_SCENARIO_TYPE_INT)
    {
      expr = new_expr (p, RS_SCENARIO_EXPR_VARIABLE, token);
      expr->variable = index;
      parser_next (p);
      return expr;
    }
  if (index >= 0)
    {
      if (parser_is_punct (parser_peek_at (p, 1), "->"))
        return parse_field_read (p, index);
      _rs_parser_error (p, token, "'%s' is a pointer (%s), not a number", name,
                        _rs_parser_type_name (parser_variable (p, index)->type));
      return NULL;
    }
  if (g_str_equal (name, "NULL"))
    _rs_parser_error (p, token, "NULL is a pointer, not a number");
  else if (g_str_equal (name, "sizeof"))
    _rs_parser_error (p, token, "sizeof is not supported");
  else if (_rs_parser_find_function (p, token) >= 0)
    _rs_parser_error (p, token, "'%s' can only be called as a statement of its own or on the "
                      "right of '='", name);
  else if (p->resolve != NULL && p->resolve (name, &value, p->user_data))
    {
      expr = new_expr (p, RS_SCENARIO_EXPR_NUMBER, token);
      expr->value = value;
      parser_next (p);
      return expr;
    }
  else
    _rs_parser_error (p, token, "'%s' undeclared", name);
  return NULL;
}

static RsScenarioExpr *
parse_primary (Parser *p)
{
  const Token *token = parser_peek (p);
  RsScenarioExpr *expr = NULL;

  switch (token->type)
    {
    case TOKEN_NUMBER:
      expr = new_expr (p, RS_SCENARIO_EXPR_NUMBER, token);
      expr->value = token->value;
      parser_next (p);
      return expr;
    case TOKEN_IDENT:
      return parse_identifier (p);
    case TOKEN_STRING:
      _rs_parser_error (p, token, "strings are not supported here");
      return NULL;
    default:
      break;
    }
  if (parser_is_punct (token, "("))
    {
      parser_next (p);
      if ((expr = _rs_parser_parse_expr (p)) != NULL && !_rs_parser_expect (p, ")"))
        return NULL;
      return expr;
    }
  _rs_parser_expected (p, "expression");
  return NULL;
}

static RsScenarioExpr *
parse_unary (Parser *p)
{
  const Token *token = parser_peek (p);
  RsScenarioExpr *operand, *expr;
  char op;

  if (++p->depth > MAX_DEPTH)
    {
      _rs_parser_error (p, token, "expression nested too deeply");
      return NULL;
    }
  _rs_parser_skip_cast (p);
  token = parser_peek (p);
  if (!parser_is_punct (token, "-") && !parser_is_punct (token, "+") && !parser_is_punct (token, "~"))
    {
      expr = parse_primary (p);
      p->depth--;
      return expr;
    }

  op = token->punct[0];
  parser_next (p);
  if ((operand = parse_unary (p)) == NULL)
    return NULL;
  p->depth--;
  if (op == '+')
    return operand;
  if (operand->kind == RS_SCENARIO_EXPR_NUMBER)
    {
      if (op == '-' && operand->value == G_MININT64)
        {
          _rs_parser_error (p, token, "integer overflow in constant expression");
          return NULL;
        }
      operand->value = op == '-' ? -operand->value : ~operand->value;
      return operand;
    }
  expr = new_expr (p, RS_SCENARIO_EXPR_UNARY, token);
  expr->op = op;
  expr->left = operand;
  return expr;
}

int
_rs_parser_binary_precedence (const Token *token,
                              char        *op)
{
  static const struct { const char *punct; char op; int precedence; } table[] = {
    { "|", '|', 1 }, { "^", '^', 2 }, { "&", '&', 3 }, { "<<", '<', 4 }, { ">>", '>', 4 },
    { "+", '+', 5 }, { "-", '-', 5 }, { "*", '*', 6 }, { "/", '/', 6 }, { "%", '%', 6 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (parser_is_punct (token, table[i].punct))
      {
        *op = table[i].op;
        return table[i].precedence;
      }
  return 0;
}

static RsScenarioExpr *
parse_binary (Parser *p,
              int     min_precedence)
{
  RsScenarioExpr *left = parse_unary (p);
  char op = 0;
  int precedence;

  while (left != NULL && (precedence = _rs_parser_binary_precedence (parser_peek (p), &op)) >= min_precedence &&
         precedence > 0)
    {
      const Token *at = parser_peek (p);
      RsScenarioExpr *right;

      parser_next (p);
      if ((right = parse_binary (p, precedence + 1)) == NULL)
        return NULL;
      left = _rs_parser_make_binary (p, at, op, left, right);
    }
  return left;
}

RsScenarioExpr *
_rs_parser_parse_expr (Parser *p)
{
  RsScenarioExpr *expr;

  if (++p->depth > MAX_DEPTH)
    {
      _rs_parser_error (p, parser_peek (p), "expression nested too deeply");
      return NULL;
    }
  expr = parse_binary (p, 1);
  p->depth--;
  return expr;
}
