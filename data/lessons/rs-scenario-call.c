/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-scenario-call.c: the scenario parser's calls: arguments checked against
 * each function's signature, memset/memcpy/memccpy destinations, and the
 * values on the right of '='.
 */
#define G_LOG_DOMAIN "rs-scenario"

#include "rs-scenario-parser-private.h"

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
      guint distance = edit_distance (name, rs_scenario_function_get_signature (i)->name);

      if (distance < best_distance)
        {
          best = rs_scenario_function_get_signature (i)->name;
          best_distance = distance;
        }
    }
  if (best != NULL)
    _rs_parser_error (p, token, "unknown function '%s'; did you mean '%s'?", name, best);
  else
    _rs_parser_error (p, token, "unknown function '%s': a scenario calls av_packet_*, av_frame_*, "
                      "memset, memcpy and memccpy", name);
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
  const RsScenarioSignature *signature = rs_scenario_function_get_signature (call->function);
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
  const RsScenarioSignature *signature;
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
  signature = rs_scenario_function_get_signature (found);
  if (n_args != signature->n_args)
    {
      _rs_parser_error (p, name, "too %s arguments to function '%s' (expected %u, have %u)",
                        n_args < signature->n_args ? "few" : "many", signature->name,
                        signature->n_args, n_args);
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
      _rs_parser_error (p, name, "the result of '%s' cannot be used",
                        rs_scenario_function_get_signature (call->function)->name);
      return NULL;
    }

  after = p->pos;
  call->n_args = rs_scenario_function_get_signature (call->function)->n_args;
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

  _rs_parser_skip_cast (p);
  address = parser_is_punct (parser_peek (p), "&");
  if (address)
    parser_next (p);
  token = parser_peek (p);
  index = token->type == TOKEN_IDENT ? _rs_parser_lookup_variable (p, token) : -1;
  if (index < 0 || parser_variable (p, index)->type < RS_SCENARIO_TYPE_PACKET ||
      !parser_is_punct (parser_peek_at (p, 1), "->") || !parser_is_ident (p, parser_peek_at (p, 2), "data"))
    {
      _rs_parser_error (p, token, "the destination of '%s' must be x->data or x->data[i] of an "
                        "AVPacket * or AVFrame * variable",
                        rs_scenario_function_get_signature (write->function)->name);
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
      write->offset = write->offset != NULL
                      ? _rs_parser_make_binary (p, plus, '+', write->offset, offset) : offset;
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
  last = rs_scenario_function_get_signature (write->function)->n_args - 1;
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

  _rs_parser_skip_cast (p);
  token = parser_peek (p);
  value->line = token->line;
  value->column = token->column;

  if (parser_is_ident (p, token, "NULL") || parser_is_ident (p, token, "nullptr") ||
      (pointer && token->type == TOKEN_NUMBER && token->value == 0 &&
       _rs_parser_binary_precedence (parser_peek_at (p, 1), &(char) { 0 }) == 0))
    {
      parser_next (p);
      value->kind = RS_SCENARIO_VALUE_NULL;
      if (!pointer)
        _rs_parser_error (p, token, "NULL is a pointer, not an int");
      return pointer;
    }

  if (token->type == TOKEN_IDENT && parser_is_punct (parser_peek_at (p, 1), "("))
    {
      const RsScenarioSignature *signature;

      value->kind = RS_SCENARIO_VALUE_CALL;
      if ((value->call = _rs_parser_parse_call (p)) == NULL)
        return FALSE;
      signature = rs_scenario_function_get_signature (value->call->function);
      if (signature->returns == RS_SCENARIO_TYPE_VOID)
        _rs_parser_error (p, token, "'%s' returns nothing (void): its value cannot be assigned",
                          signature->name);
      else if (signature->returns != target)
        _rs_parser_error (p, token, "'%s' returns '%s', which cannot be assigned to '%s'",
                          signature->name, _rs_parser_type_name (signature->returns),
                          _rs_parser_type_name (target));
      return signature->returns == target;
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
