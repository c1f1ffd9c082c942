/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The scenario language: what parses, and the errors a compiler would give,
 * with their line and column, for everything else.
 */
#include <string.h>

#include "rs-error.h"
#include "rs-scenario-parser.h"
#include "rs-scenario-session.h"

static RsScenarioProgram *
parse (const char *source)
{
  return rs_scenario_program_parse ("test.c", source, -1, rs_scenario_resolve_libav_name, NULL);
}

/* The diagnostics as "line:column: message" lines. */
static char *
diagnostics (RsScenarioProgram *program)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < rs_scenario_program_get_n_diagnostics (program); i++)
    {
      const RsScenarioDiagnostic *diagnostic = rs_scenario_program_get_diagnostic (program, i);
      g_string_append_printf (text, "%d:%d: %s\n", diagnostic->line, diagnostic->column, diagnostic->message);
    }
  return g_string_free (text, FALSE);
}

/* Asserts that `source` has exactly one error, at line:column, whose
 * message contains `words`. */
static void
assert_error (const char *source,
              int         line,
              int         column,
              const char *words)
{
  g_autoptr(RsScenarioProgram) program = parse (source);
  g_autofree char *all = diagnostics (program);
  const RsScenarioDiagnostic *diagnostic;

  if (rs_scenario_program_get_n_diagnostics (program) != 1)
    g_error ("expected one error in «%s», got:\n%s", source, all);
  diagnostic = rs_scenario_program_get_diagnostic (program, 0);
  if (diagnostic->line != line || diagnostic->column != column || strstr (diagnostic->message, words) == NULL)
    g_error ("expected %d:%d: …%s… in «%s», got:\n%s", line, column, words, source, all);
}

static void
assert_parses (const char *source)
{
  g_autoptr(RsScenarioProgram) program = parse (source);
  g_autofree char *all = diagnostics (program);

  if (rs_scenario_program_get_n_diagnostics (program) != 0)
    g_error ("«%s» should parse, got:\n%s", source, all);
}

/* The seed note's test 2 as written: an error on the declaration and one
 * on the call without argument, and nothing else (the parser recovers as if
 * the pointer had been declared). */
static void
test_seed_test2 (void)
{
  const char *source =
    "void av_packet_test2() {\n"
    "    AVPacket pkt = NULL;\n"
    "    int ret = 0;\n"
    "    pkt = av_packet_alloc();\n"
    "    ret = av_new_packet(pkt,MEM_ITEM_SIZE);\n"
    "    memccpy(pkt->data, (void *)&av_packet_test1, 1, MEM_ITEM_SIZE);\n"
    "//    av_init_packet();  // 如果在 free 前还调用 av_init_packet 会造成释放为空的 buf\n"
    "    av_packet_free();\n"
    "}\n";
  g_autofree char *with_define = g_strconcat ("#define MEM_ITEM_SIZE (20*1024*102)\n", source, NULL);
  g_autoptr(RsScenarioProgram) program = parse (with_define);
  g_autoptr(GError) error = NULL;
  g_autofree char *all = diagnostics (program);

  g_assert_cmpstr (all, ==,
                   "3:14: 'AVPacket pkt' declares a whole AVPacket struct, not a pointer: write 'AVPacket *pkt'\n"
                   "9:5: too few arguments to function 'av_packet_free' (expected 1, have 0)\n");
  g_assert_false (rs_scenario_program_check (program, &error));
  g_assert_error (error, RS_ERROR, RS_ERROR_INVALID_INPUT);
  g_assert_cmpstr (error->message, ==,
                   "test.c:3:14: error: 'AVPacket pkt' declares a whole AVPacket struct, not a pointer: "
                   "write 'AVPacket *pkt'\n"
                   "test.c:9:5: error: too few arguments to function 'av_packet_free' (expected 1, have 0)");
}

static void
test_truncated (void)
{
  assert_error ("AVPacket *pkt = av_packet_alloc();\nav_packet_free(&pkt\n", 2, 15, "expected ')'");
  assert_error ("AVPacket *pkt = av_packet_alloc(;\n", 1, 32, "expected ')'");
  assert_error ("int ret = 0;\nret = \n", 3, 1, "expected expression at end of input");
  assert_error ("int ret = 0;\nret = 1 +;\n", 2, 10, "expected expression before ';'");
  assert_error ("AVFrame *f = av_frame_alloc();\nf->\n", 3, 1, "expected a field name");
  assert_error ("AVFrame *f = av_frame_alloc();\nf->width\n", 3, 1, "expected '='");
  assert_error ("AVPacket *\n", 2, 1, "expected a variable name");
  /* Columns count characters, not bytes. */
  assert_error ("int ret = 0;\n/* 注释 */ int x = 1 @;\n", 2, 20, "stray '@'");
}

static void
test_unknown_functions (void)
{
  assert_error ("AVPacket *p = av_packet_alloc();\nav_packet_rf(p, p);\n", 2, 1,
                "unknown function 'av_packet_rf'; did you mean 'av_packet_ref'?");
  assert_error ("AVPacket *p = av_packet_alloc();\n  avcodec_send_packet(ctx, p);\n", 2, 3,
                "unknown function 'avcodec_send_packet'");
  assert_error ("int x = sqrt(4);\n", 1, 9, "unknown function 'sqrt'");
}

static void
test_argument_counts_and_types (void)
{
  assert_error ("AVPacket *p = av_packet_alloc();\nav_packet_ref(p);\n", 2, 1,
                "too few arguments to function 'av_packet_ref' (expected 2, have 1)");
  assert_error ("AVPacket *p = av_packet_alloc();\nav_packet_unref(p, p);\n", 2, 1,
                "too many arguments to function 'av_packet_unref' (expected 1, have 2)");
  assert_error ("AVPacket *p = av_packet_alloc(1);\n", 1, 15, "too many arguments");
  assert_error ("AVPacket *p = av_packet_alloc();\nmemset(p->data, 0);\n", 2, 1,
                "too few arguments to function 'memset' (expected 3, have 2)");
  assert_error ("AVPacket *p = av_packet_alloc();\nav_packet_unref(&p);\n", 2, 18,
                "must be 'AVPacket *', but '&p' is 'AVPacket **'");
  assert_error ("AVFrame *f = av_frame_alloc();\nav_packet_unref(f);\n", 2, 17,
                "must be 'AVPacket *', but 'f' is 'AVFrame *'");
  assert_error ("AVPacket *p = av_packet_alloc();\nint ret = av_packet_unref(p);\n", 2, 11, "returns nothing");
  assert_error ("AVFrame *f = av_packet_alloc();\n", 1, 14, "cannot be assigned to 'AVFrame *'");
  assert_error ("AVPacket *p = av_packet_alloc();\nav_packet_unref(q);\n", 2, 17, "'q' undeclared");
  assert_error ("AVPacket *p = 5;\n", 1, 15, "assigning an integer");
  assert_error ("AVPacket *p = av_packet_alloc();\np->size = 3;\n", 2, 4, "cannot set p->size");
  assert_error ("AVPacket *p = av_packet_alloc();\nmemset(p->data[2], 0, 1);\n", 2, 8, "is a byte");
  assert_error ("AVFrame *f = av_frame_alloc();\nmemset(f->data, 0, 1);\n", 2, 8, "plane pointers");
  assert_error ("AVPacket *p = av_packet_alloc();\nAVPacket *p = NULL;\n", 2, 11, "redefinition of 'p'");
  assert_error ("if (1) { }\n", 1, 1, "'if' is not supported");
  assert_error ("AVPacket *p = av_packet_alloc(); p++;\n", 1, 35, "'++' is not supported");
}

static void
test_braces_and_comments (void)
{
  assert_error ("void f() {\n  AVPacket *p = av_packet_alloc();\n", 1, 10, "'{' of function 'f' has no matching '}'");
  assert_error ("void f() {\n}\n}\n", 3, 1, "'}' without a matching '{'");
  assert_error ("int a = 0;\n/* a comment\nthat never ends\n", 2, 1, "unterminated comment");
  assert_error ("int a = 0; */\n", 1, 12, "'*/' without a matching '/*'");
  assert_error ("void f() {\n  {\n  }\n}\n", 2, 3, "blocks are not supported");
  assert_error ("#ifdef X\n", 1, 1, "'#ifdef' is not supported");
  assert_error ("#define F(x) x\n", 1, 9, "function-like macros");
}

static void
test_huge_sizes (void)
{
  assert_error ("AVPacket *p = av_packet_alloc();\nav_new_packet(p, 2000000000);\n", 2, 18,
                "size 2000000000 is over the limit of 67108864 bytes");
  assert_error ("#define BIG (1024*1024*1024)\nAVPacket *p = av_packet_alloc();\nint ret = av_new_packet(p, BIG);\n",
                3, 28, "over the limit");
  assert_error ("AVPacket *p = av_packet_alloc();\nav_grow_packet(p, 100000000);\n", 2, 19, "over the limit");
  assert_error ("AVFrame *f = av_frame_alloc();\nf->width = 100000;\n", 2, 10, "over the limit of 16384");
  assert_error ("int x = 9223372036854775807 + 1;\n", 1, 29, "integer overflow");
  assert_error ("int x = 99999999999999999999;\n", 1, 9, "too large");
  assert_error ("int x = 1 / 0;\n", 1, 11, "division by zero");
  assert_error ("int x = ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1)))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))));\n",
                1, 41, "nested too deeply");
}

static void
test_what_parses (void)
{
  g_autoptr(RsScenarioProgram) program = NULL;
  const RsScenarioStatement *statement;

  assert_parses ("#include <libavcodec/avcodec.h>\n"
                 "#define N 4\n"
                 "static void test (int argc, char **argv)\n"
                 "{\n"
                 "  AVPacket *a = NULL, *b = av_packet_alloc ()\n"
                 "  AVFrame *f = av_frame_alloc ();\n"
                 "  unsigned int size = N * 1024 + (3 << 2);\n"
                 "  int ret;\n"
                 "  a = av_packet_clone (b);\n"
                 "  ret = av_new_packet (a, size);\n"
                 "  memset (a->data + 1, 0xff, a->size - 1);\n"
                 "  memcpy (&a->data[2], \"abc\", 3);\n"
                 "  a->flags |= AV_PKT_FLAG_KEY;\n"
                 "  f->format = AV_PIX_FMT_YUV420P; f->width = 320; f->height = 240;\n"
                 "  f->ch_layout.nb_channels = 2;\n"
                 "  ret = av_frame_get_buffer (f, 0);\n"
                 "  memset ((uint8_t *) f->data[1] + f->linesize[1], 128, f->linesize[1]);\n"
                 "  (void) av_packet_make_writable (a);\n"
                 "  av_packet_free (&a); av_packet_free (b);\n"
                 "  av_frame_free (&f);\n"
                 "  return;\n"
                 "}\n");

  /* Each declarator of one declaration runs in the same step. */
  program = parse ("AVPacket *a = NULL, *b = NULL;\nint x = 2 * 3;\n");
  g_assert_cmpuint (rs_scenario_program_get_n_statements (program), ==, 4);
  statement = rs_scenario_program_get_statement (program, 1);
  g_assert_true (statement->joined);
  g_assert_cmpstr (statement->text, ==, "AVPacket *a = NULL, *b = NULL");
  statement = rs_scenario_program_get_statement (program, 2);
  g_assert_cmpint (statement->value.expr->kind, ==, RS_SCENARIO_EXPR_NUMBER);
  g_assert_cmpint (statement->value.expr->value, ==, 6);
  statement = rs_scenario_program_get_statement (program, 3);
  g_assert_cmpint (statement->kind, ==, RS_SCENARIO_END);
  g_assert_null (statement->function);
}

/* Several errors in one file are all reported, in source order. */
static void
test_reports_every_error (void)
{
  g_autoptr(RsScenarioProgram) program = parse ("foo();\n"
                                                "AVPacket *p = av_packet_alloc();\n"
                                                "av_packet_unref();\n"
                                                "int x = 1.5;\n"
                                                "bar(p)\n");
  g_autofree char *all = diagnostics (program);

  g_assert_cmpuint (rs_scenario_program_get_n_diagnostics (program), ==, 4);
  g_assert_cmpint (rs_scenario_program_get_diagnostic (program, 0)->line, ==, 1);
  g_assert_cmpint (rs_scenario_program_get_diagnostic (program, 1)->line, ==, 3);
  g_assert_cmpint (rs_scenario_program_get_diagnostic (program, 2)->line, ==, 4);
  g_assert_cmpint (rs_scenario_program_get_diagnostic (program, 3)->line, ==, 5);
}

static void
test_bundled_lessons_parse (void)
{
  const char *dir = g_getenv ("RS_SCENARIO_DIR");
  g_autoptr(GDir) listing = NULL;
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  listing = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *source = NULL;
      g_autoptr(RsScenarioProgram) program = NULL;
      g_autoptr(GError) error = NULL;

      if (!g_str_has_suffix (name, ".c"))
        continue;
      g_assert_true (g_file_get_contents (path, &source, NULL, NULL));
      /* Each starts with a comment saying what it shows. */
      g_assert_true (g_str_has_prefix (source, "/* Lesson "));
      program = rs_scenario_program_parse (path, source, -1, rs_scenario_resolve_libav_name, NULL);
      rs_scenario_program_check (program, &error);
      g_assert_no_error (error);
      n++;
    }
  g_assert_cmpuint (n, >=, 6);
}

/* Hostile bytes never crash the parser. */
static void
test_garbage (void)
{
  const char *inputs[] = {
    "", "\n", "#", "#define", "#define X", "#define X X", "/*", "*/", "\"", "'", "''", "(((", ")))",
    "{{{", "}}}", "void f(", "void f() {", "int", "AVPacket", "AVPacket *", "AVPacket **p;", "p->",
    "memset(", "memset(,,)", "\\\n", "0x", "1e5", "int x = -9223372036854775807 - 1;", "x = ;",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(RsScenarioProgram) program = parse (inputs[i]);
      g_assert_nonnull (program);
    }
  {
    const char bytes[] = { 'i', 'n', 't', ' ', 0, (char) 0xff, (char) 0xc3, '(', '\n' };
    g_autoptr(RsScenarioProgram) program = rs_scenario_program_parse (NULL, bytes, sizeof bytes, NULL, NULL);
    g_assert_cmpuint (rs_scenario_program_get_n_diagnostics (program), >, 0);
  }
}

/* A line with a lexical error gets that error only: not the parser's
 * reading of a cut-short constant or of a name a stray byte split. */
static void
test_lexical_errors_alone (void)
{
  static const char nul[] = "int main(void)\n{\n  AVPacket *p = av_packet_alloc();\n  \0 av_packet_free(&p);\n}\n";
  g_autoptr(RsScenarioProgram) program = rs_scenario_program_parse ("test.c", nul, sizeof nul - 1,
                                                                   rs_scenario_resolve_libav_name, NULL);
  g_autofree char *all = diagnostics (program);

  g_assert_cmpstr (all, ==, "4:3: stray NUL byte in program\n");
  assert_error ("AVPacket *p = av_packet_alloc();\nav_new_packet(p, 12345678901234567890123456789012345678901234);\n",
                2, 18, "integer constant is too large");
  assert_error ("void f(void)\n{\n  AVPacket *p = av_packet_alloc();\n  av_packet_\xff" "free(&p);\n}\n",
                4, 13, "stray byte \\377");
}

/* A lesson takes a step a statement at most (its end is one too): one
 * that would take more is refused, at the first statement past the limit. */
static void
test_step_limit (void)
{
  g_autoptr(GString) source = g_string_new ("int a = 0;\n");
  g_autoptr(RsScenarioProgram) program = NULL;

  for (guint i = 2; i < RS_SCENARIO_MAX_STEPS; i++)
    g_string_append (source, "a = 1;\n");
  program = parse (source->str);
  g_assert_cmpuint (rs_scenario_program_get_n_diagnostics (program), ==, 0);
  g_string_append (source, "a = 2;\n");
  assert_error (source->str, RS_SCENARIO_MAX_STEPS + 1, 1, "the lesson is too long");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/scenario-parser/seed-test2", test_seed_test2);
  g_test_add_func ("/scenario-parser/truncated", test_truncated);
  g_test_add_func ("/scenario-parser/unknown-functions", test_unknown_functions);
  g_test_add_func ("/scenario-parser/argument-counts-and-types", test_argument_counts_and_types);
  g_test_add_func ("/scenario-parser/braces-and-comments", test_braces_and_comments);
  g_test_add_func ("/scenario-parser/huge-sizes", test_huge_sizes);
  g_test_add_func ("/scenario-parser/what-parses", test_what_parses);
  g_test_add_func ("/scenario-parser/reports-every-error", test_reports_every_error);
  g_test_add_func ("/scenario-parser/bundled-lessons", test_bundled_lessons_parse);
  g_test_add_func ("/scenario-parser/garbage", test_garbage);
  g_test_add_func ("/scenario-parser/lexical-errors-alone", test_lexical_errors_alone);
  g_test_add_func ("/scenario-parser/step-limit", test_step_limit);
  return g_test_run ();
}
