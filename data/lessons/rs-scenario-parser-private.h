/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-scenario-parser-private.h: the scenario parser's tokens, program and
 * state, shared by its lexer (rs-scenario-lexer.c), expression parser
 * (rs-scenario-expr.c), call parser (rs-scenario-call.c) and statement
 * parser (rs-scenario-parser.c).
 */
#pragma once

#include <string.h>

#include "rs-scenario-parser.h"

G_BEGIN_DECLS

typedef enum {
  TOKEN_END,            /* end of input, or of the range being parsed */
  TOKEN_IDENT,
  TOKEN_NUMBER,         /* value; also character constants */
  TOKEN_STRING,
  TOKEN_PUNCT,          /* punct */
  TOKEN_DIRECTIVE,      /* '#' at the start of a line; the name is the text */
  TOKEN_DIRECTIVE_END,  /* the end of the directive's line */
} TokenType;

typedef struct {
  TokenType  type;
  int        line;
  int        column;
  gsize      offset;    /* into the source */
  gsize      length;
  gint64     value;
  char       punct[4];
} Token;

struct _RsScenarioProgram {
  char      *filename;
  char      *source;       /* NUL-terminated copy */
  gsize      length;
  GArray    *statements;   /* RsScenarioStatement */
  GArray    *variables;    /* RsScenarioVariable */
  GArray    *diagnostics;  /* RsScenarioDiagnostic */
  GPtrArray *allocations;  /* everything the above point to; g_free */
};

/* Records an error at line:column (the message is copied); FALSE once the
 * error limit is reached. */
gboolean _rs_scenario_program_add_error (RsScenarioProgram *program,
                                         int                line,
                                         int                column,
                                         const char        *format,
                                         ...) G_GNUC_PRINTF (4, 5);

/* Puts the diagnostics in source order (stable). */
void     _rs_scenario_program_sort_diagnostics (RsScenarioProgram *program);

/* Splits the program's source into tokens (an array of Token ending with a
 * TOKEN_END), recording lexical errors. */
GArray  *_rs_scenario_lex              (RsScenarioProgram *program);

/* Fields a scenario may read (and, where `settable`, assign). */
typedef struct {
  RsScenarioType  type;
  const char     *name;
  gboolean        settable;
  gboolean        indexed;    /* linesize[i] */
  gint64          limit;      /* the largest constant accepted; 0: any */
} RsScenarioField;

typedef struct {
  RsScenarioProgram     *program;
  GArray                *tokens;      /* Token */
  guint                  pos;
  guint                  end;         /* parsing stops here (an argument's end) */
  Token                  limit;       /* what peek() returns at `end` */
  RsScenarioResolveFunc  resolve;
  gpointer               user_data;
  GHashTable            *defines;     /* name -> gint64*, both in allocations */
  GPtrArray             *scopes;      /* GHashTable: name -> variable index + 1 */
  GPtrArray             *scope_vars;  /* GArray of int per scope, parallel to scopes */
  GArray                *returns;     /* RETURN statements of the current function */
  gboolean               failed;      /* the statement being parsed has an error */
  int                    quiet;       /* > 0: errors only set `failed` */
  GHashTable            *lexical_lines; /* lines with a lexical error: the parser's own errors
                                         * there would be about what the lexer made of it */
  int                    depth;       /* expression nesting, bounded */
  guint                  n_functions;
  gboolean               file_code;   /* statements or variables outside functions */
} Parser;

static inline const Token *
parser_peek_at (Parser *p,
                guint   k)
{
  if (p->pos + k >= p->end)
    return &p->limit;
  return &g_array_index (p->tokens, Token, p->pos + k);
}

static inline const Token *
parser_peek (Parser *p)
{
  return parser_peek_at (p, 0);
}

static inline const Token *
parser_previous (Parser *p)
{
  return &g_array_index (p->tokens, Token, p->pos > 0 ? p->pos - 1 : 0);
}

static inline void
parser_next (Parser *p)
{
  if (p->pos < p->end)
    p->pos++;
}

static inline gboolean
parser_text_is (Parser      *p,
                const Token *token,
                const char  *text)
{
  return token->length == strlen (text) &&
         strncmp (p->program->source + token->offset, text, token->length) == 0;
}

static inline gboolean
parser_is_punct (const Token *token,
                 const char  *punct)
{
  return token->type == TOKEN_PUNCT && strcmp (token->punct, punct) == 0;
}

static inline gboolean
parser_is_ident (Parser      *p,
                 const Token *token,
                 const char  *name)
{
  return token->type == TOKEN_IDENT && parser_text_is (p, token, name);
}

static inline gpointer
parser_keep (Parser   *p,
             gpointer  allocation)
{
  g_ptr_array_add (p->program->allocations, allocation);
  return allocation;
}

static inline const RsScenarioVariable *
parser_variable (Parser *p,
                 int     index)
{
  return &g_array_index (p->program->variables, RsScenarioVariable, index);
}

/* rs-scenario-expr.c: names and expressions */
void        _rs_parser_set_end           (Parser      *p,
                                          guint        end);
void        _rs_parser_error             (Parser      *p,
                                          const Token *token,
                                          const char  *format,
                                          ...) G_GNUC_PRINTF (3, 4);
/* "expected WHAT before 'x'" at the next token. */
void        _rs_parser_expected          (Parser      *p,
                                          const char  *what);
gboolean    _rs_parser_expect            (Parser      *p,
                                          const char  *punct);
/* The source of tokens first..last on one line. In allocations. */
const char *_rs_parser_source_text       (Parser      *p,
                                          guint        first,
                                          guint        last);
char       *_rs_parser_token_text        (Parser      *p,
                                          const Token *token);
int         _rs_parser_lookup_variable   (Parser      *p,
                                          const Token *token);
const char *_rs_parser_type_name         (RsScenarioType type);
/* The type a declaration starting with `token` declares, or -1. */
int         _rs_parser_declaration_type  (Parser      *p,
                                          const Token *token);
gboolean    _rs_parser_is_qualifier      (Parser      *p,
                                          const Token *token);
int         _rs_parser_find_function     (Parser      *p,
                                          const Token *token);
const RsScenarioField *_rs_parser_find_field (RsScenarioType type,
                                              const char    *name);
/* Skips a cast such as (void *) or (int). */
void        _rs_parser_skip_cast         (Parser      *p);
/* left op right, folded when both are constants; NULL after an error. */
RsScenarioExpr *_rs_parser_make_binary   (Parser         *p,
                                          const Token    *at,
                                          char            op,
                                          RsScenarioExpr *left,
                                          RsScenarioExpr *right);
/* The precedence of the binary operator `token` (and *op), or 0. */
int         _rs_parser_binary_precedence (const Token *token,
                                          char        *op);
/* Skips from '(' to its matching ')'; FALSE (and an error) if unclosed. */
gboolean    _rs_parser_skip_parens       (Parser      *p);
/* Parse at the current token; NULL or FALSE after an error. */
RsScenarioExpr *_rs_parser_parse_expr    (Parser      *p);

/* rs-scenario-call.c: calls and values */
gboolean    _rs_parser_parse_value       (Parser          *p,
                                          RsScenarioType   target,
                                          RsScenarioValue *value);
/* A call of a scenario function (not memset/memcpy/memccpy). */
RsScenarioCall *_rs_parser_parse_call    (Parser      *p);
/* memset/memcpy/memccpy. */
gboolean    _rs_parser_parse_write       (Parser          *p,
                                          RsScenarioWrite *write);

G_END_DECLS
