/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-scenario-expr.c: the scenario parser's names, expressions (folded when
 * constant), call arguments checked against each function's signature, and
 * memset/memcpy/memccpy destinations.
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
  if (p->quiet > 0)
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
  GString *text = g_string_new (NULL);

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
  return parser_keep (p, g_string_free (text, FALSE));
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

static guint
edit_distance (const char *a,
               const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *row = g_new (guint, lb + 1);

  for (gsize j = 0; j <= lb; j++)
    row[j] = j;
  for (gsize i = 1; i <= la; i++)
    {
      guint diagonal = row[0];

      row[0] = i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint above = row[j];

          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] != b[j - 1]));
          diagonal = above;
        }
    }
  return row[lb];
}

static void
error_unknown_function (Parser      *p,
                        const Token *token)
{
  g_autofree char *name = _rs_parser_token_text (p, token);
  const char *best = NULL;
  guint best_distance = 3;

  for (int i = 0; i < RS_SCENARIO_N_FUNCTIONS && token->length < 64; i++)
    {
      guint distance = edit_distance (name, signatures[i].name);

      if (distance < best_distance)
        {
          best = signatures[i].name;
          best_distance = distance;
        }
    }
  if (best != NULL)
    _rs_parser_error (p, token, "unknown function '%s'; did you mean '%s'?", name, best);
  else
    _rs_parser_error (p, token, "unknown function '%s': a scenario calls av_packet_*, av_frame_*, "
                      "memset, memcpy and memccpy", name);
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

/* Skips a cast such as (void *) or (int). */
static void
skip_cast (Parser *p)
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

static RsScenarioExpr *
make_binary (Parser         *p,
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

static RsScenarioExpr *parse_unary (Parser *p);

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
  skip_cast (p);
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

static int
binary_precedence (const Token *token,
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

  while (left != NULL && (precedence = binary_precedence (parser_peek (p), &op)) >= min_precedence &&
         precedence > 0)
    {
      const Token *at = parser_peek (p);
      RsScenarioExpr *right;

      parser_next (p);
      if ((right = parse_binary (p, precedence + 1)) == NULL)
        return NULL;
      left = make_binary (p, at, op, left, right);
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

/* Arguments */

static gboolean
parse_pointer (Parser            *p,
               RsScenarioArgKind  kind,
               guint              position,
               const char        *function,
               RsScenarioValue   *value)
{
  RsScenarioType wanted = kind == RS_SCENARIO_ARG_PACKET || kind == RS_SCENARIO_ARG_PACKET_REF
                          ? RS_SCENARIO_TYPE_PACKET : RS_SCENARIO_TYPE_FRAME;
  gboolean by_reference = kind == RS_SCENARIO_ARG_PACKET_REF || kind == RS_SCENARIO_ARG_FRAME_REF;
  const Token *token = parser_peek (p);
  gboolean address = FALSE;
  g_autofree char *name = NULL;
  int index;

  value->line = token->line;
  value->column = token->column;
  if (parser_is_ident (p, token, "NULL") || parser_is_ident (p, token, "nullptr"))
    {
      parser_next (p);
      value->kind = RS_SCENARIO_VALUE_NULL;
      return TRUE;
    }
  if (parser_is_punct (token, "&"))
    {
      address = TRUE;
      parser_next (p);
      token = parser_peek (p);
    }
  if (token->type != TOKEN_IDENT)
    {
      _rs_parser_expected (p, "a variable");
      return FALSE;
    }
  name = _rs_parser_token_text (p, token);
  index = _rs_parser_lookup_variable (p, token);
  if (index < 0)
    {
      _rs_parser_error (p, token, "'%s' undeclared", name);
      return FALSE;
    }
  if (parser_variable (p, index)->type != wanted)
    {
      _rs_parser_error (p, token, "argument %u of '%s' must be '%s%s', but '%s' is '%s'", position, function,
                        _rs_parser_type_name (wanted), by_reference ? "*" : "", name,
                        _rs_parser_type_name (parser_variable (p, index)->type));
      return FALSE;
    }
  if (address && !by_reference)
    {
      _rs_parser_error (p, token, "argument %u of '%s' must be '%s', but '&%s' is '%s*'", position,
                        function, _rs_parser_type_name (wanted), name, _rs_parser_type_name (wanted));
      return FALSE;
    }
  parser_next (p);
  value->kind = address ? RS_SCENARIO_VALUE_ADDRESS : RS_SCENARIO_VALUE_VARIABLE;
  value->variable = index;
  return TRUE;
}

/* Refuses a constant size Refscope will not attempt. */
static void
check_size (Parser             *p,
            RsScenarioFunction  function,
            guint               position,
            RsScenarioExpr     *expr)
{
  if (expr == NULL || expr->kind != RS_SCENARIO_EXPR_NUMBER || position != 2)
    return;
  if ((function == RS_SCENARIO_NEW_PACKET || function == RS_SCENARIO_GROW_PACKET) &&
      expr->value > RS_SCENARIO_MAX_BYTES)
    _rs_parser_error (p, &(Token) { .line = expr->line, .column = expr->column },
                      "size %" G_GINT64_FORMAT " is over the limit of %d bytes (64 MiB): "
                      "Refscope refuses it rather than attempt it", expr->value, RS_SCENARIO_MAX_BYTES);
  if (function == RS_SCENARIO_FRAME_GET_BUFFER && (expr->value > 1024 || expr->value < 0))
    _rs_parser_error (p, &(Token) { .line = expr->line, .column = expr->column },
                      "alignment %" G_GINT64_FORMAT " is out of range (0 to 1024)", expr->value);
}

/* At '(': the index of every argument's first token and of the ')', or
 * FALSE if it is not closed. */
static gboolean
split_arguments (Parser *p,
                 GArray *bounds)
{
  guint open = p->pos, close;
  int depth = 0;

  if (!_rs_parser_skip_parens (p))
    return FALSE;
  close = p->pos - 1;
  g_array_append_val (bounds, open);
  for (guint i = open + 1; i < close; i++)
    {
      const Token *token = &g_array_index (p->tokens, Token, i);

      if (parser_is_punct (token, "(") || parser_is_punct (token, "["))
        depth++;
      else if (parser_is_punct (token, ")") || parser_is_punct (token, "]"))
        depth--;
      else if (depth == 0 && parser_is_punct (token, ","))
        g_array_append_val (bounds, i);
    }
  g_array_append_val (bounds, close);
  return TRUE;
}

/* Runs `parse` on argument `k` (between bounds k and k + 1); errors if the
 * argument is empty or has more than it should. */
static gboolean
parse_argument (Parser  *p,
                GArray  *bounds,
                guint    k,
                gboolean (*parse) (Parser *p, gpointer data),
                gpointer data)
{
  guint start = g_array_index (bounds, guint, k) + 1, end = g_array_index (bounds, guint, k + 1);
  guint saved_end = p->end;
  gboolean ok;

  p->pos = start;
  _rs_parser_set_end (p, end);
  if (start == end)
    {
      _rs_parser_expected (p, "expression");
      ok = FALSE;
    }
  else if ((ok = parse (p, data)) && parser_peek (p)->type != TOKEN_END)
    {
      _rs_parser_error (p, parser_peek (p), "unexpected '%.*s' in argument %u",
                        (int) MIN (parser_peek (p)->length, 32),
                        p->program->source + parser_peek (p)->offset, k + 1);
      ok = FALSE;
    }
  _rs_parser_set_end (p, saved_end);
  return ok;
}

typedef struct {
  RsScenarioCall *call;
  guint           position;
} ArgumentData;

static gboolean
parse_call_argument (Parser  *p,
                     gpointer data)
{
  ArgumentData *argument = data;
  RsScenarioCall *call = argument->call;
  const RsScenarioSignature *signature = &signatures[call->function];
  RsScenarioValue *value = &call->args[argument->position - 1];
  RsScenarioArgKind kind = signature->args[argument->position - 1];

  if (kind != RS_SCENARIO_ARG_INT)
    return parse_pointer (p, kind, argument->position, signature->name, value);

  value->kind = RS_SCENARIO_VALUE_EXPR;
  value->line = parser_peek (p)->line;
  value->column = parser_peek (p)->column;
  value->expr = _rs_parser_parse_expr (p);
  check_size (p, call->function, argument->position, value->expr);
  return value->expr != NULL;
}

/* At the function's name: checks it and counts the arguments. */
static gboolean
begin_call (Parser             *p,
            GArray             *bounds,
            RsScenarioFunction *function,
            const char        **args_text)
{
  const Token *name = parser_peek (p);
  int found = _rs_parser_find_function (p, name);
  guint n_args;

  parser_next (p);
  if (found < 0)
    {
      error_unknown_function (p, name);
      if (parser_is_punct (parser_peek (p), "("))
        _rs_parser_skip_parens (p);
      return FALSE;
    }
  if (!split_arguments (p, bounds))
    return FALSE;

  *function = found;
  n_args = bounds->len == 2 && g_array_index (bounds, guint, 1) == g_array_index (bounds, guint, 0) + 1
           ? 0 : bounds->len - 1;
  *args_text = _rs_parser_source_text (p, g_array_index (bounds, guint, 0) + 1,
                                       g_array_index (bounds, guint, bounds->len - 1) - 1);
  if (n_args != signatures[found].n_args)
    {
      _rs_parser_error (p, name, "too %s arguments to function '%s' (expected %u, have %u)",
                        n_args < signatures[found].n_args ? "few" : "many", signatures[found].name,
                        signatures[found].n_args, n_args);
      return FALSE;
    }
  return TRUE;
}

RsScenarioCall *
_rs_parser_parse_call (Parser *p)
{
  g_autoptr(GArray) bounds = g_array_new (FALSE, FALSE, sizeof (guint));
  const Token *name = parser_peek (p);
  RsScenarioCall *call = parser_keep (p, g_new0 (RsScenarioCall, 1));
  guint after;
  gboolean ok = TRUE;

  call->line = name->line;
  call->column = name->column;
  if (!begin_call (p, bounds, &call->function, &call->args_text))
    return NULL;
  if (call->function >= RS_SCENARIO_MEMSET)
    {
      _rs_parser_error (p, name, "the result of '%s' cannot be used", signatures[call->function].name);
      return NULL;
    }

  after = p->pos;
  call->n_args = signatures[call->function].n_args;
  for (guint k = 0; k < call->n_args; k++)
    {
      ArgumentData argument = { call, k + 1 };
      ok = parse_argument (p, bounds, k, parse_call_argument, &argument) && ok;
    }
  p->pos = after;
  return ok ? call : NULL;
}

/* x->data, x->data + n, &x->data[n] (packets), x->data[i] (+ n) (frames). */
static gboolean
parse_destination (Parser  *p,
                   gpointer data)
{
  RsScenarioWrite *write = data;
  const Token *token;
  gboolean address;
  int index;

  skip_cast (p);
  address = parser_is_punct (parser_peek (p), "&");
  if (address)
    parser_next (p);
  token = parser_peek (p);
  index = token->type == TOKEN_IDENT ? _rs_parser_lookup_variable (p, token) : -1;
  if (index < 0 || parser_variable (p, index)->type < RS_SCENARIO_TYPE_PACKET ||
      !parser_is_punct (parser_peek_at (p, 1), "->") || !parser_is_ident (p, parser_peek_at (p, 2), "data"))
    {
      _rs_parser_error (p, token, "the destination of '%s' must be x->data or x->data[i] of an "
                        "AVPacket * or AVFrame * variable", signatures[write->function].name);
      return FALSE;
    }
  write->variable = index;
  p->pos += 3;

  if (parser_is_punct (parser_peek (p), "["))
    {
      RsScenarioExpr *subscript;

      parser_next (p);
      if ((subscript = _rs_parser_parse_expr (p)) == NULL || !_rs_parser_expect (p, "]"))
        return FALSE;
      if (parser_variable (p, index)->type == RS_SCENARIO_TYPE_FRAME)
        {
          if (address)
            {
              _rs_parser_error (p, token, "'&x->data[i]' is the address of a plane pointer; write x->data[i]");
              return FALSE;
            }
          write->plane = subscript;
        }
      else if (!address)
        {
          _rs_parser_error (p, token, "'x->data[i]' of a packet is a byte, not a pointer; write "
                            "&x->data[i] or x->data + i");
          return FALSE;
        }
      else
        write->offset = subscript;
    }
  else if (address)
    {
      _rs_parser_error (p, token, "'&x->data' is the address of the data pointer; write x->data");
      return FALSE;
    }
  else if (parser_variable (p, index)->type == RS_SCENARIO_TYPE_FRAME)
    {
      _rs_parser_error (p, token, "'x->data' of a frame is its array of plane pointers; write x->data[0]");
      return FALSE;
    }

  if (parser_is_punct (parser_peek (p), "+"))
    {
      const Token *plus = parser_peek (p);
      RsScenarioExpr *offset;

      parser_next (p);
      if ((offset = _rs_parser_parse_expr (p)) == NULL)
        return FALSE;
      write->offset = write->offset != NULL ? make_binary (p, plus, '+', write->offset, offset) : offset;
      return write->offset != NULL;
    }
  return TRUE;
}

/* memset's value: kept when it is a constant, else written as 0. */
static gboolean
parse_fill (Parser  *p,
            gpointer data)
{
  RsScenarioWrite *write = data;
  RsScenarioExpr *fill;
  gboolean failed = p->failed;
  int depth = p->depth;

  p->quiet++;
  fill = _rs_parser_parse_expr (p);
  p->quiet--;
  p->failed = failed;
  p->depth = depth;
  if (fill != NULL && fill->kind == RS_SCENARIO_EXPR_NUMBER && parser_peek (p)->type == TOKEN_END)
    write->fill = fill;
  p->pos = p->end;
  return TRUE;
}

static gboolean
skip_argument (Parser  *p,
               gpointer data)
{
  p->pos = p->end;
  return TRUE;
}

static gboolean
parse_length (Parser  *p,
              gpointer data)
{
  RsScenarioWrite *write = data;

  write->length = _rs_parser_parse_expr (p);
  if (write->length != NULL && write->length->kind == RS_SCENARIO_EXPR_NUMBER && write->length->value < 0)
    _rs_parser_error (p, &(Token) { .line = write->length->line, .column = write->length->column },
                      "negative length %" G_GINT64_FORMAT, write->length->value);
  return write->length != NULL;
}

gboolean
_rs_parser_parse_write (Parser          *p,
                        RsScenarioWrite *write)
{
  g_autoptr(GArray) bounds = g_array_new (FALSE, FALSE, sizeof (guint));
  guint after, last;
  gboolean ok;

  write->variable = -1;
  if (!begin_call (p, bounds, &write->function, &write->args_text))
    return FALSE;
  after = p->pos;
  last = signatures[write->function].n_args - 1;
  ok = parse_argument (p, bounds, 0, parse_destination, write);
  ok = parse_argument (p, bounds, 1, write->function == RS_SCENARIO_MEMSET ? parse_fill : skip_argument,
                       write) && ok;
  if (last == 3)
    ok = parse_argument (p, bounds, 2, skip_argument, write) && ok;
  ok = parse_argument (p, bounds, last, parse_length, write) && ok;
  p->pos = after;
  return ok;
}

/* Values: the right of '=' */

gboolean
_rs_parser_parse_value (Parser          *p,
                        RsScenarioType   target,
                        RsScenarioValue *value)
{
  gboolean pointer = target == RS_SCENARIO_TYPE_PACKET || target == RS_SCENARIO_TYPE_FRAME;
  const Token *token;
  int index;

  skip_cast (p);
  token = parser_peek (p);
  value->line = token->line;
  value->column = token->column;

  if (parser_is_ident (p, token, "NULL") || parser_is_ident (p, token, "nullptr") ||
      (pointer && token->type == TOKEN_NUMBER && token->value == 0 &&
       !parser_is_punct (parser_peek_at (p, 1), "+") && binary_precedence (parser_peek_at (p, 1), &(char) { 0 }) == 0))
    {
      parser_next (p);
      value->kind = RS_SCENARIO_VALUE_NULL;
      if (!pointer)
        _rs_parser_error (p, token, "NULL is a pointer, not an int");
      return pointer;
    }

  if (token->type == TOKEN_IDENT && parser_is_punct (parser_peek_at (p, 1), "("))
    {
      RsScenarioType returns;

      value->kind = RS_SCENARIO_VALUE_CALL;
      if ((value->call = _rs_parser_parse_call (p)) == NULL)
        return FALSE;
      returns = signatures[value->call->function].returns;
      if (returns == RS_SCENARIO_TYPE_VOID)
        _rs_parser_error (p, token, "'%s' returns nothing (void): its value cannot be assigned",
                          signatures[value->call->function].name);
      else if (returns != target)
        _rs_parser_error (p, token, "'%s' returns '%s', which cannot be assigned to '%s'",
                          signatures[value->call->function].name, _rs_parser_type_name (returns),
                          _rs_parser_type_name (target));
      return returns == target;
    }

  index = token->type == TOKEN_IDENT ? _rs_parser_lookup_variable (p, token) : -1;
  if (index >= 0 && parser_variable (p, index)->type != RS_SCENARIO_TYPE_INT &&
      !parser_is_punct (parser_peek_at (p, 1), "->"))
    {
      parser_next (p);
      value->kind = RS_SCENARIO_VALUE_VARIABLE;
      value->variable = index;
      if (parser_variable (p, index)->type != target)
        {
          _rs_parser_error (p, token, "incompatible types: assigning '%s' to '%s'",
                            _rs_parser_type_name (parser_variable (p, index)->type),
                            _rs_parser_type_name (target));
          return FALSE;
        }
      return TRUE;
    }

  value->kind = RS_SCENARIO_VALUE_EXPR;
  if ((value->expr = _rs_parser_parse_expr (p)) == NULL)
    return FALSE;
  if (pointer)
    {
      _rs_parser_error (p, token, "assigning an integer to '%s': use NULL, a variable, or "
                        "av_packet_alloc/av_frame_alloc/..._clone", _rs_parser_type_name (target));
      return FALSE;
    }
  return TRUE;
}
