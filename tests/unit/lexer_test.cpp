// Unit tests of the lexer: token kinds, literal values, indentation structure, errors.
#include <gtest/gtest.h>

#include "frontend/lexer.h"

namespace nk {
namespace {

struct Lexed {
  std::vector<Token> tokens;
  std::vector<DiagId> errors;
};

Lexed lex_text(const std::string& text) {
  SourceFile file("t.nk", text);
  Diagnostics diags(file);
  Lexed out;
  out.tokens = lex(file, diags);
  for (const Diagnostic& d : diags.all()) out.errors.push_back(d.id);
  return out;
}

std::vector<Tok> kinds(const std::string& text) {
  std::vector<Tok> k;
  for (const Token& t : lex_text(text).tokens) k.push_back(t.kind);
  return k;
}

TEST(Lexer, IndentDedentNewline) {
  EXPECT_EQ(kinds("if x:\n    y\nz\n"),
            (std::vector<Tok>{Tok::kw_If, Tok::Identifier, Tok::Colon, Tok::Newline, Tok::Indent, Tok::Identifier,
                              Tok::Newline, Tok::Dedent, Tok::Identifier, Tok::Newline, Tok::EndOfFile}));
}

TEST(Lexer, BlankAndCommentLinesDoNotIndent) {
  EXPECT_EQ(kinds("x\n\n      # comment\n   \ny\n"),
            (std::vector<Tok>{Tok::Identifier, Tok::Newline, Tok::Identifier, Tok::Newline, Tok::EndOfFile}));
}

TEST(Lexer, ImplicitJoiningInsideBrackets) {
  EXPECT_EQ(kinds("f(a,\n      b)\n"),
            (std::vector<Tok>{Tok::Identifier, Tok::LParen, Tok::Identifier, Tok::Comma, Tok::Identifier, Tok::RParen,
                              Tok::Newline, Tok::EndOfFile}));
}

TEST(Lexer, BackslashContinuation) {
  EXPECT_EQ(kinds("x = 1 + \\\n    2\n"),
            (std::vector<Tok>{Tok::Identifier, Tok::Equal, Tok::IntLiteral, Tok::Plus, Tok::IntLiteral, Tok::Newline,
                              Tok::EndOfFile}));
}

TEST(Lexer, DedentsAtEndOfFile) {
  EXPECT_EQ(kinds("def f():\n    if x:\n        y"),
            (std::vector<Tok>{Tok::kw_Def, Tok::Identifier, Tok::LParen, Tok::RParen, Tok::Colon, Tok::Newline, Tok::Indent,
                              Tok::kw_If, Tok::Identifier, Tok::Colon, Tok::Newline, Tok::Indent, Tok::Identifier,
                              Tok::Newline, Tok::Dedent, Tok::Dedent, Tok::EndOfFile}));
}

TEST(Lexer, IntegerLiterals) {
  Lexed l = lex_text("0x_ff 0o17 0b101 1_000 0 00 9223372036854775807");
  ASSERT_TRUE(l.errors.empty());
  std::vector<int64_t> values;
  for (const Token& t : l.tokens)
    if (t.kind == Tok::IntLiteral) values.push_back(t.int_value);
  EXPECT_EQ(values, (std::vector<int64_t>{255, 15, 5, 1000, 0, 0, INT64_MAX}));
}

TEST(Lexer, FloatLiterals) {
  Lexed l = lex_text("1. .5 1e-5 1_000.5 2E+3");
  ASSERT_TRUE(l.errors.empty());
  std::vector<double> values;
  for (const Token& t : l.tokens)
    if (t.kind == Tok::FloatLiteral) values.push_back(t.float_value);
  EXPECT_EQ(values, (std::vector<double>{1.0, 0.5, 1e-5, 1000.5, 2000.0}));
}

TEST(Lexer, StringEscapesAndRaw) {
  Lexed l = lex_text(R"(a = "x\ty\x41\u00e9\\" + r'\n')");
  ASSERT_TRUE(l.errors.empty());
  std::vector<std::string> strings;
  for (const Token& t : l.tokens)
    if (t.kind == Tok::StringLiteral) strings.push_back(t.text);
  EXPECT_EQ(strings, (std::vector<std::string>{"x\tyA\xc3\xa9\\", "\\n"}));
}

TEST(Lexer, TripleQuotedStringSpansLines) {
  Lexed l = lex_text("s = \"\"\"a\nb\"\"\"\n");
  ASSERT_TRUE(l.errors.empty());
  EXPECT_EQ(l.tokens[2].kind, Tok::StringLiteral);
  EXPECT_EQ(l.tokens[2].text, "a\nb");
}

TEST(Lexer, FStringKeepsBodyForParser) {
  Lexed l = lex_text("f\"{x:.3f} s\"");
  ASSERT_EQ(l.tokens[0].kind, Tok::FStringLiteral);
  EXPECT_EQ(l.tokens[0].text, "{x:.3f} s");
  EXPECT_EQ(l.tokens[0].body_offset, 2u);
}

TEST(Lexer, MaximalMunch) {
  EXPECT_EQ(kinds("a **= b // c >> d -> e := f"),
            (std::vector<Tok>{Tok::Identifier, Tok::StarStarEqual, Tok::Identifier, Tok::SlashSlash, Tok::Identifier,
                              Tok::GreaterGreater, Tok::Identifier, Tok::Arrow, Tok::Identifier, Tok::ColonEqual,
                              Tok::Identifier, Tok::Newline, Tok::EndOfFile}));
}

TEST(Lexer, Errors) {
  EXPECT_EQ(lex_text("x = 'abc\n").errors, (std::vector<DiagId>{DiagId::UnterminatedString}));
  EXPECT_EQ(lex_text("x = 012\n").errors, (std::vector<DiagId>{DiagId::LeadingZero}));
  EXPECT_EQ(lex_text("x = 1j\n").errors, (std::vector<DiagId>{DiagId::ComplexLiteral}));
  EXPECT_EQ(lex_text("x = 99999999999999999999\n").errors, (std::vector<DiagId>{DiagId::IntegerTooLarge}));
  EXPECT_EQ(lex_text("x = $\n").errors, (std::vector<DiagId>{DiagId::InvalidCharacter}));
  EXPECT_EQ(lex_text(std::string("x = 1\0\n", 7)).errors, (std::vector<DiagId>{DiagId::NullByte}));
  EXPECT_EQ(lex_text("x = \xff\n").errors, (std::vector<DiagId>{DiagId::InvalidUtf8}));
  EXPECT_EQ(lex_text("if x:\n        a\n    b\n").errors, (std::vector<DiagId>{DiagId::UnindentMismatch}));
  EXPECT_EQ(lex_text("if x:\n\ta\n        b\n").errors, (std::vector<DiagId>{DiagId::TabsAndSpaces}));
  EXPECT_EQ(lex_text("f(x\n").errors, (std::vector<DiagId>{DiagId::UnclosedBracket}));
  EXPECT_EQ(lex_text("x)\n").errors, (std::vector<DiagId>{DiagId::UnbalancedBracket}));
}

TEST(Lexer, ConsistentTabsAreFine) {
  EXPECT_TRUE(lex_text("if x:\n\ta\n\tb\n").errors.empty());
}

TEST(Lexer, TooDeepIndentationIsAnError) {
  std::string s;
  for (int i = 0; i < 120; ++i) s += std::string(static_cast<size_t>(i), ' ') + "if x:\n";
  s += std::string(120, ' ') + "pass\n";
  Lexed l = lex_text(s);
  ASSERT_FALSE(l.errors.empty());
  EXPECT_EQ(l.errors[0], DiagId::TooDeepIndent);
}

}  // namespace
}  // namespace nk
