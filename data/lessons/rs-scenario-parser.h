/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-scenario-parser.h: the scenario language (DESIGN.md section 8), a
 * C-like snippet that a blog post's code can be pasted into nearly verbatim,
 * parsed into a flat list of statements. No libav here: names such as
 * AV_PIX_FMT_YUV420P are resolved by a callback the caller passes.
 *
 * What parses:
 *   #define NAME <integer expression>      (#include and #pragma are ignored)
 *   [static] void name (...) { statements }  (functions run in file order)
 *   AVPacket *pkt = NULL;  AVFrame *f = av_frame_alloc ();  int ret = 0;
 *   x = av_packet_alloc ();  ret = av_new_packet (pkt, SIZE);  q = p;
 *   av_packet_free (&pkt);   (or `pkt` for an AVPacket ** argument)
 *   frame->width = 320;  frame->format = AV_PIX_FMT_YUV420P;
 *   memset / memcpy / memccpy (x->data [+ offset] or x->data[i], ...);
 *   return;   // and comments, and `;` at the end of a line may be omitted
 *
 * Errors read like a compiler's ("file:line:column: error: ..."); parsing
 * goes on after an error so that every error is reported.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The largest buffer a scenario may ask for: bigger sizes are refused with a
 * message, not attempted. */
#define RS_SCENARIO_MAX_BYTES      (64 * 1024 * 1024)
/* The largest frame width, height, or audio sample count. */
#define RS_SCENARIO_MAX_DIMENSION  16384
/* The most steps a lesson may take: a longer one is refused when it is
 * compiled, so that running it to its end is bounded (no loops: a lesson
 * takes at most a step a statement). */
#define RS_SCENARIO_MAX_STEPS      100000
/* Parsing stops after this many errors. */
#define RS_SCENARIO_MAX_ERRORS     64

typedef enum {
  RS_SCENARIO_TYPE_VOID,
  RS_SCENARIO_TYPE_INT,
  RS_SCENARIO_TYPE_PACKET,   /* AVPacket * */
  RS_SCENARIO_TYPE_FRAME,    /* AVFrame * */
} RsScenarioType;

/* The functions a scenario can call. */
typedef enum {
  RS_SCENARIO_PACKET_ALLOC,
  RS_SCENARIO_PACKET_FREE,
  RS_SCENARIO_NEW_PACKET,
  RS_SCENARIO_PACKET_REF,
  RS_SCENARIO_PACKET_UNREF,
  RS_SCENARIO_PACKET_MOVE_REF,
  RS_SCENARIO_PACKET_CLONE,
  RS_SCENARIO_PACKET_MAKE_WRITABLE,
  RS_SCENARIO_INIT_PACKET,
  RS_SCENARIO_GROW_PACKET,
  RS_SCENARIO_SHRINK_PACKET,
  RS_SCENARIO_FRAME_ALLOC,
  RS_SCENARIO_FRAME_FREE,
  RS_SCENARIO_FRAME_GET_BUFFER,
  RS_SCENARIO_FRAME_REF,
  RS_SCENARIO_FRAME_UNREF,
  RS_SCENARIO_FRAME_MOVE_REF,
  RS_SCENARIO_FRAME_CLONE,
  RS_SCENARIO_FRAME_MAKE_WRITABLE,
  RS_SCENARIO_MEMSET,
  RS_SCENARIO_MEMCPY,
  RS_SCENARIO_MEMCCPY,
  RS_SCENARIO_N_FUNCTIONS,
} RsScenarioFunction;

/* What an argument must be. */
typedef enum {
  RS_SCENARIO_ARG_INT,
  RS_SCENARIO_ARG_PACKET,        /* AVPacket *: a variable or NULL */
  RS_SCENARIO_ARG_PACKET_REF,    /* AVPacket **: &x or x */
  RS_SCENARIO_ARG_FRAME,
  RS_SCENARIO_ARG_FRAME_REF,
} RsScenarioArgKind;

/* A function's signature. Strings are static. */
typedef struct {
  const char        *name;
  RsScenarioType     returns;
  guint              n_args;
  RsScenarioArgKind  args[3];
} RsScenarioSignature;

const RsScenarioSignature *rs_scenario_function_get_signature (RsScenarioFunction function);

typedef enum {
  RS_SCENARIO_EXPR_NUMBER,     /* value */
  RS_SCENARIO_EXPR_VARIABLE,   /* an int variable */
  RS_SCENARIO_EXPR_FIELD,      /* variable->field, or variable->field[left] */
  RS_SCENARIO_EXPR_UNARY,      /* op left: '-', '~' */
  RS_SCENARIO_EXPR_BINARY,     /* left op right: + - * / % & | ^ and '<' '>' for << >> */
} RsScenarioExprKind;

typedef struct _RsScenarioExpr RsScenarioExpr;
struct _RsScenarioExpr {
  RsScenarioExprKind  kind;
  int                 line;
  int                 column;
  gint64              value;
  int                 variable;  /* index into the program's variables */
  const char         *field;     /* static string: "size", "linesize", ... */
  char                op;
  RsScenarioExpr     *left;
  RsScenarioExpr     *right;
};

/* left op right for the operators of RsScenarioExpr, as C computes it on
 * 64-bit integers. FALSE with a message (static) when C would overflow,
 * divide by zero or shift out of range. */
gboolean rs_scenario_apply_operator (char         op,
                                     gint64       left,
                                     gint64       right,
                                     gint64      *result,
                                     const char **problem);

typedef enum {
  RS_SCENARIO_VALUE_NONE,      /* a declaration without initializer */
  RS_SCENARIO_VALUE_NULL,      /* NULL (or 0 for a pointer) */
  RS_SCENARIO_VALUE_VARIABLE,  /* x (a pointer copied, or x for an AVPacket ** argument) */
  RS_SCENARIO_VALUE_ADDRESS,   /* &x */
  RS_SCENARIO_VALUE_EXPR,      /* an integer expression */
  RS_SCENARIO_VALUE_CALL,      /* the result of a call */
} RsScenarioValueKind;

typedef struct _RsScenarioCall RsScenarioCall;

typedef struct {
  RsScenarioValueKind  kind;
  int                  line;
  int                  column;
  int                  variable;  /* VARIABLE, ADDRESS */
  RsScenarioExpr      *expr;      /* EXPR */
  RsScenarioCall      *call;      /* CALL */
} RsScenarioValue;

struct _RsScenarioCall {
  RsScenarioFunction  function;
  int                 line;
  int                 column;
  const char         *args_text;  /* the arguments as written, on one line */
  guint               n_args;
  RsScenarioValue     args[3];
};

/* memset/memcpy/memccpy: where the bytes go and how many. The source (or
 * memset's value, unless it is a constant) is not evaluated. */
typedef struct {
  RsScenarioFunction  function;
  const char         *args_text;
  int                 variable;   /* the packet or frame written into */
  RsScenarioExpr     *plane;      /* x->data[plane] of a frame; NULL: x->data */
  RsScenarioExpr     *offset;     /* + offset; NULL: none */
  RsScenarioExpr     *fill;       /* memset's constant value; NULL: unknown */
  RsScenarioExpr     *length;
} RsScenarioWrite;

typedef enum {
  RS_SCENARIO_DECLARE,     /* variable [= value] */
  RS_SCENARIO_ASSIGN,      /* variable = value */
  RS_SCENARIO_CALL,        /* value.call, result ignored */
  RS_SCENARIO_SET_FIELD,   /* variable->field = value.expr */
  RS_SCENARIO_WRITE,       /* write */
  RS_SCENARIO_RETURN,      /* jumps to statement `target` (its function's end) */
  RS_SCENARIO_BEGIN,       /* a function starts; not a step */
  RS_SCENARIO_END,         /* a scope ends: `dying` variables go out of scope */
} RsScenarioStatementKind;

typedef struct {
  RsScenarioStatementKind  kind;
  int                      line;
  int                      column;
  const char              *text;      /* the statement as written, on one line */
  gboolean                 joined;    /* runs in the step of the statement before
                                       * (`AVPacket *a = NULL, *b = NULL;`) */
  int                      variable;
  const char              *field;     /* SET_FIELD: static string */
  RsScenarioValue          value;
  RsScenarioWrite          write;
  guint                    target;    /* RETURN */
  const char              *function;  /* BEGIN, END: the function's name; NULL at file end */
  const int               *dying;     /* END: variable indexes, -1 terminated */
} RsScenarioStatement;

typedef struct {
  const char     *name;
  RsScenarioType  type;
  int             line;
  int             column;
} RsScenarioVariable;

typedef struct {
  int         line;
  int         column;
  const char *message;
} RsScenarioDiagnostic;

/* Resolves a name the scenario uses but does not define (AV_PIX_FMT_YUV420P,
 * AV_SAMPLE_FMT_FLTP, AV_CH_LAYOUT_STEREO...): TRUE and *value when known. */
typedef gboolean (*RsScenarioResolveFunc) (const char *name,
                                           gint64     *value,
                                           gpointer    user_data);

typedef struct _RsScenarioProgram RsScenarioProgram;

/* FALSE with an RS_ERROR_INVALID_INPUT, one line "FILE: not a lesson: ...",
 * if `source` (`length` bytes) is no text: binary data (named by the offset
 * of its first byte that no text has, from 0), or text that is not UTF-8.
 * A text with a few stray bytes passes: the parser reports each where it
 * is. `filename` names the file in the message. */
gboolean rs_scenario_source_check_text (const char  *filename,
                                        const char  *source,
                                        gsize        length,
                                        GError     **error);

/* Parses `source` (`length` bytes, or NUL-terminated if -1). `filename`
 * names it in messages. Always returns a program (owned by the caller), which
 * holds diagnostics if the source has errors; check with
 * rs_scenario_program_check() before running it. `resolve` may be NULL. */
RsScenarioProgram *rs_scenario_program_parse (const char            *filename,
                                              const char            *source,
                                              gssize                 length,
                                              RsScenarioResolveFunc  resolve,
                                              gpointer               user_data);
void               rs_scenario_program_free  (RsScenarioProgram     *program);

/* FALSE with an RS_ERROR_INVALID_INPUT listing every diagnostic, one
 * "file:line:column: error: message" a line, if the program has errors. */
gboolean           rs_scenario_program_check (RsScenarioProgram     *program,
                                              GError               **error);

/* Borrowed. */
const char        *rs_scenario_program_get_filename (RsScenarioProgram *program);
const char        *rs_scenario_program_get_source   (RsScenarioProgram *program);

/* All borrowed, valid while the program lives. */
guint                       rs_scenario_program_get_n_statements  (RsScenarioProgram *program);
const RsScenarioStatement  *rs_scenario_program_get_statement     (RsScenarioProgram *program,
                                                                    guint              index);
guint                       rs_scenario_program_get_n_variables   (RsScenarioProgram *program);
const RsScenarioVariable   *rs_scenario_program_get_variable      (RsScenarioProgram *program,
                                                                    guint              index);
guint                       rs_scenario_program_get_n_diagnostics (RsScenarioProgram *program);
const RsScenarioDiagnostic *rs_scenario_program_get_diagnostic    (RsScenarioProgram *program,
                                                                    guint              index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsScenarioProgram, rs_scenario_program_free)

G_END_DECLS
