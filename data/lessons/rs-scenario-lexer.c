/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-scenario-lexer.c: scenario source to tokens. Comments disappear,
 * preprocessor lines become TOKEN_DIRECTIVE ... TOKEN_DIRECTIVE_END, and
 * columns count characters (UTF-8 sequences count as one), like a compiler.
 */
#define G_LOG_DOMAIN "rs-scenario"

#include <string.h>

#include "rs-error.h"
#include "rs-scenario-parser-private.h"

typedef struct {
  RsScenarioProgram *program;
  const char        *source;
  gsize              length;
  gsize              i;
  int                line;
  int                column;
  gboolean           line_start;   /* only blanks so far on this line */
  gboolean           in_directive;
  GArray            *tokens;
} Lexer;

static gboolean
is_continuation_byte (char c)
{
  return ((guchar) c & 0xC0) == 0x80;
}

static char
at (Lexer *lx,
    gsize  k)
{
  return lx->i + k < lx->length ? lx->source[lx->i + k] : '\0';
}

/* Moves over `n` bytes of one line. */
static void
advance (Lexer *lx,
         gsize  n)
{
  for (gsize k = 0; k < n && lx->i < lx->length; k++, lx->i++)
    if (!is_continuation_byte (lx->source[lx->i]))
      lx->column++;
}

static void
newline (Lexer *lx)
{
  lx->i++;
  lx->line++;
  lx->column = 1;
  lx->line_start = TRUE;
}

static Token *
push (Lexer     *lx,
      TokenType  type,
      int        line,
      int        column,
      gsize      offset)
{
  Token token = { type, line, column, offset, lx->i - offset, 0, "" };

  g_array_append_val (lx->tokens, token);
  return &g_array_index (lx->tokens, Token, lx->tokens->len - 1);
}

static void
end_directive (Lexer *lx)
{
  if (lx->in_directive)
    push (lx, TOKEN_DIRECTIVE_END, lx->line, lx->column, lx->i);
  lx->in_directive = FALSE;
}

static void
skip_block_comment (Lexer *lx)
{
  int line = lx->line, column = lx->column;

  advance (lx, 2);
  while (lx->i < lx->length)
    {
      if (at (lx, 0) == '*' && at (lx, 1) == '/')
        {
          advance (lx, 2);
          return;
        }
      if (at (lx, 0) == '\n')
        newline (lx);
      else
        advance (lx, 1);
    }
  _rs_scenario_program_add_error (lx->program, line, column, "unterminated comment: '/*' has no matching '*/'");
}

static int
digit_value (char c)
{
  if (g_ascii_isdigit (c))
    return c - '0';
  if (g_ascii_isxdigit (c))
    return g_ascii_tolower (c) - 'a' + 10;
  return 99;
}

/* An integer constant: decimal, 0x hex or 0 octal, with u/l suffixes. */
static void
lex_number (Lexer *lx)
{
  int line = lx->line, column = lx->column;
  gsize start = lx->i, end = lx->i, digits = 0;
  guint64 value = 0;
  int base = 10;
  gboolean overflow = FALSE, bad = FALSE;
  Token *token;

  while (end < lx->length && (g_ascii_isalnum (lx->source[end]) || lx->source[end] == '_' ||
                              lx->source[end] == '.'))
    end++;
  if (end - start > 1 && lx->source[start] == '0' && g_ascii_tolower (lx->source[start + 1]) == 'x')
    {
      base = 16;
      digits = 2;
    }
  else if (lx->source[start] == '0')
    base = 8;

  for (gsize k = start + digits; k < end; k++)
    {
      int d = digit_value (lx->source[k]);

      if (d >= base)
        {
          /* Only suffixes may follow the digits. */
          for (; k < end; k++)
            if (strchr ("uUlL", lx->source[k]) == NULL)
              bad = TRUE;
          break;
        }
      if (value > (guint64) (G_MAXINT64 - d) / base)
        overflow = TRUE;
      else
        value = value * base + d;
    }
  if (base == 16 && end - start == 2)
    bad = TRUE;

  advance (lx, end - start);
  token = push (lx, TOKEN_NUMBER, line, column, start);
  token->value = (gint64) value;
  if (memchr (lx->source + start, '.', end - start) != NULL ||
      (base == 10 && memchr (lx->source + start, 'e', end - start) != NULL))
    _rs_scenario_program_add_error (lx->program, line, column,
                                    "floating-point constants are not supported");
  else if (bad)
    _rs_scenario_program_add_error (lx->program, line, column, "invalid integer constant '%.*s'",
                                    (int) MIN (end - start, 40), lx->source + start);
  else if (overflow)
    _rs_scenario_program_add_error (lx->program, line, column, "integer constant is too large");
}

/* A string or character constant; a character's value is its first byte. */
static void
lex_quoted (Lexer *lx)
{
  int line = lx->line, column = lx->column;
  gsize start = lx->i;
  char quote = at (lx, 0);
  gint64 value = 0;
  gboolean first = TRUE;
  Token *token;

  advance (lx, 1);
  while (lx->i < lx->length && at (lx, 0) != quote && at (lx, 0) != '\n')
    {
      char c = at (lx, 0);

      if (c == '\\' && at (lx, 1) != '\0' && at (lx, 1) != '\n')
        {
          c = at (lx, 1) == 'n' ? '\n' : at (lx, 1) == '0' ? '\0' : at (lx, 1);
          advance (lx, 1);
        }
      if (first)
        value = (guchar) c;
      first = FALSE;
      advance (lx, 1);
    }
  if (at (lx, 0) != quote)
    {
      _rs_scenario_program_add_error (lx->program, line, column, "missing terminating %c character", quote);
      return;
    }
  advance (lx, 1);
  token = push (lx, quote == '"' ? TOKEN_STRING : TOKEN_NUMBER, line, column, start);
  token->value = value;
  if (quote == '\'' && first)
    _rs_scenario_program_add_error (lx->program, line, column, "empty character constant");
}

static void
lex_directive (Lexer *lx)
{
  int line = lx->line, column = lx->column;
  gsize start;

  advance (lx, 1);
  while (at (lx, 0) == ' ' || at (lx, 0) == '\t')
    advance (lx, 1);
  start = lx->i;
  while (g_ascii_isalnum (at (lx, 0)) || at (lx, 0) == '_')
    advance (lx, 1);
  push (lx, TOKEN_DIRECTIVE, line, column, start);
  lx->in_directive = TRUE;
}

static const char *const puncts[] = {
  "<<=", ">>=", "...",
  "->", "<<", ">>", "++", "--", "&&", "||", "==", "!=", "<=", ">=",
  "+=", "-=", "*=", "/=", "%=", "|=", "&=", "^=", "::",
};

static void
lex_punct (Lexer *lx)
{
  int line = lx->line, column = lx->column;
  gsize start = lx->i, n = 0;
  Token *token;

  for (guint k = 0; k < G_N_ELEMENTS (puncts) && n == 0; k++)
    if (strncmp (lx->source + lx->i, puncts[k], MIN (strlen (puncts[k]), lx->length - lx->i)) == 0 &&
        lx->length - lx->i >= strlen (puncts[k]))
      n = strlen (puncts[k]);
  /* strchr finds the terminating NUL too: a NUL byte is no punctuator. */
  if (n == 0 && at (lx, 0) != '\0' && strchr ("()[]{};,*&=+-/%<>!~^|?:.", at (lx, 0)) != NULL)
    n = 1;

  if (n == 0)
    {
      guchar c = at (lx, 0);

      if (g_ascii_isprint (c))
        _rs_scenario_program_add_error (lx->program, line, column, "stray '%c' in program", c);
      else if (c == '\0')
        _rs_scenario_program_add_error (lx->program, line, column, "stray NUL byte in program");
      else
        _rs_scenario_program_add_error (lx->program, line, column, "stray byte \\%03o in program", c);
      /* One error per character, however many bytes it has. */
      advance (lx, 1);
      while (lx->i < lx->length && is_continuation_byte (at (lx, 0)))
        lx->i++;
      return;
    }

  advance (lx, n);
  token = push (lx, TOKEN_PUNCT, line, column, start);
  memcpy (token->punct, lx->source + start, n);
}

GArray *
_rs_scenario_lex (RsScenarioProgram *program)
{
  Lexer lx = {
    .program = program, .source = program->source, .length = program->length,
    .line = 1, .column = 1, .line_start = TRUE,
    .tokens = g_array_new (FALSE, TRUE, sizeof (Token)),
  };

  while (lx.i < lx.length)
    {
      char c = at (&lx, 0);

      if (c == '\n')
        {
          end_directive (&lx);
          newline (&lx);
        }
      else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v')
        advance (&lx, 1);
      else if (c == '\\' && (at (&lx, 1) == '\n' || (at (&lx, 1) == '\r' && at (&lx, 2) == '\n')))
        {
          /* A line continuation: the directive goes on. */
          advance (&lx, at (&lx, 1) == '\r' ? 2 : 1);
          newline (&lx);
          lx.line_start = FALSE;
        }
      else if (c == '/' && at (&lx, 1) == '/')
        {
          while (lx.i < lx.length && at (&lx, 0) != '\n')
            advance (&lx, 1);
        }
      else if (c == '/' && at (&lx, 1) == '*')
        skip_block_comment (&lx);
      else if (c == '*' && at (&lx, 1) == '/')
        {
          _rs_scenario_program_add_error (program, lx.line, lx.column, "'*/' without a matching '/*'");
          advance (&lx, 2);
        }
      else if (c == '#' && lx.line_start && !lx.in_directive)
        lex_directive (&lx);
      else
        {
          lx.line_start = FALSE;
          if (g_ascii_isalpha (c) || c == '_')
            {
              int line = lx.line, column = lx.column;
              gsize start = lx.i;

              while (g_ascii_isalnum (at (&lx, 0)) || at (&lx, 0) == '_')
                advance (&lx, 1);
              push (&lx, TOKEN_IDENT, line, column, start);
            }
          else if (g_ascii_isdigit (c) || (c == '.' && g_ascii_isdigit (at (&lx, 1))))
            lex_number (&lx);
          else if (c == '"' || c == '\'')
            lex_quoted (&lx);
          else
            lex_punct (&lx);
        }
    }
  end_directive (&lx);
  push (&lx, TOKEN_END, lx.line, lx.column, lx.length);
  return lx.tokens;
}

/* A text has at most a few bytes that are no text, each an error where it
 * is; a file with more of them in its first TEXT_CHECKED bytes (more than
 * MAX_STRAY_BYTES, or over a quarter of those read) is not a lesson at all. */
#define TEXT_CHECKED     4096
#define MAX_STRAY_BYTES  8

gboolean
rs_scenario_source_check_text (const char  *filename,
                               const char  *source,
                               gsize        length,
                               GError     **error)
{
  gsize checked = MIN (length, TEXT_CHECKED);
  gsize first_binary = G_MAXSIZE, first_invalid = G_MAXSIZE;
  guint stray = 0;

  g_return_val_if_fail (source != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (gsize i = 0; i < checked;)
    {
      guchar c = source[i];
      gunichar u;

      if (c == '\0' || c == 0x7f || (c < 0x20 && strchr ("\t\n\r\f\v", c) == NULL))
        {
          first_binary = MIN (first_binary, i);
          stray++;
          i++;
          continue;
        }
      if (c < 0x80)
        {
          i++;
          continue;
        }
      u = g_utf8_get_char_validated (source + i, checked - i);
      if (u == (gunichar) -2 && checked < length)
        break;  /* a character cut by the end of what is checked */
      if (u == (gunichar) -1 || u == (gunichar) -2)
        {
          first_invalid = MIN (first_invalid, i);
          stray++;
          i++;
          continue;
        }
      i += g_utf8_skip[c];
    }

  if (stray <= MAX_STRAY_BYTES && stray * 4 <= checked)
    return TRUE;
  if (filename == NULL)
    filename = "<scenario>";
  if (first_binary != G_MAXSIZE)
    g_set_error (error, RS_ERROR, RS_ERROR_INVALID_INPUT, "%s: not a lesson: binary data at byte %" G_GSIZE_FORMAT,
                 filename, first_binary);
  else
    {
      const char *line_end = source;
      int line = 1;

      while ((line_end = memchr (line_end, '\n', source + first_invalid - line_end)) != NULL)
        line++, line_end++;
      g_set_error (error, RS_ERROR, RS_ERROR_INVALID_INPUT,
                   "%s: not a lesson: not UTF-8 text (byte %" G_GSIZE_FORMAT ", line %d)",
                   filename, first_invalid, line);
    }
  return FALSE;
}
