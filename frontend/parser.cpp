// The parser. Each parse function has its grammar rule above it (PEG-ish notation from
// Python's grammar, reduced to what nk needs to parse or to name in an error).
#include "frontend/parser.h"

#include <algorithm>

#include "frontend/lexer.h"

namespace nk {
namespace {

using namespace ast;

struct BinaryInfo {
  BinaryOp op;
  int precedence;  // higher binds tighter
};

// The precedence table of binary operators ('**' and unary operators are handled by
// parse_factor/parse_power, which bind tighter than all of these).
bool binary_info(Tok t, BinaryInfo& info) {
  switch (t) {
    case Tok::Pipe: info = {BinaryOp::BitOr, 1}; return true;
    case Tok::Caret: info = {BinaryOp::BitXor, 2}; return true;
    case Tok::Amp: info = {BinaryOp::BitAnd, 3}; return true;
    case Tok::LessLess: info = {BinaryOp::Shl, 4}; return true;
    case Tok::GreaterGreater: info = {BinaryOp::Shr, 4}; return true;
    case Tok::Plus: info = {BinaryOp::Add, 5}; return true;
    case Tok::Minus: info = {BinaryOp::Sub, 5}; return true;
    case Tok::Star: info = {BinaryOp::Mul, 6}; return true;
    case Tok::Slash: info = {BinaryOp::TrueDiv, 6}; return true;
    case Tok::SlashSlash: info = {BinaryOp::FloorDiv, 6}; return true;
    case Tok::Percent: info = {BinaryOp::Mod, 6}; return true;
    default: return false;
  }
}

bool aug_assign_op(Tok t, BinaryOp& op) {
  switch (t) {
    case Tok::PlusEqual: op = BinaryOp::Add; return true;
    case Tok::MinusEqual: op = BinaryOp::Sub; return true;
    case Tok::StarEqual: op = BinaryOp::Mul; return true;
    case Tok::SlashEqual: op = BinaryOp::TrueDiv; return true;
    case Tok::SlashSlashEqual: op = BinaryOp::FloorDiv; return true;
    case Tok::PercentEqual: op = BinaryOp::Mod; return true;
    case Tok::StarStarEqual: op = BinaryOp::Pow; return true;
    case Tok::AmpEqual: op = BinaryOp::BitAnd; return true;
    case Tok::PipeEqual: op = BinaryOp::BitOr; return true;
    case Tok::CaretEqual: op = BinaryOp::BitXor; return true;
    case Tok::LessLessEqual: op = BinaryOp::Shl; return true;
    case Tok::GreaterGreaterEqual: op = BinaryOp::Shr; return true;
    default: return false;
  }
}

bool compare_op(Tok t, CompareOp& op) {
  switch (t) {
    case Tok::EqualEqual: op = CompareOp::Eq; return true;
    case Tok::NotEqual: op = CompareOp::Ne; return true;
    case Tok::Less: op = CompareOp::Lt; return true;
    case Tok::LessEqual: op = CompareOp::Le; return true;
    case Tok::Greater: op = CompareOp::Gt; return true;
    case Tok::GreaterEqual: op = CompareOp::Ge; return true;
    default: return false;
  }
}

uint32_t depth_of(const Expr* e) { return e ? e->depth : 0; }

class Parser {
 public:
  Parser(const std::vector<Token>& tokens, const SourceFile& file, Diagnostics& diags, unsigned nesting = 0)
      : toks_(tokens), file_(file), diags_(diags), nesting_(nesting) {}

  Module parse_module();
  ExprPtr parse_fragment_expression();  // for f-string fields

 private:
  // ---- token helpers ----
  const Token& cur() const { return toks_[pos_]; }
  const Token& peek(size_t n = 1) const { return toks_[std::min(pos_ + n, toks_.size() - 1)]; }
  bool at(Tok k) const { return cur().kind == k; }
  const Token& advance() {
    const Token& t = toks_[pos_];
    if (pos_ + 1 < toks_.size()) ++pos_;
    return t;
  }
  bool accept(Tok k) {
    if (!at(k)) return false;
    advance();
    return true;
  }
  SourceRange prev_range() const { return toks_[pos_ > 0 ? pos_ - 1 : 0].range; }
  bool expect(Tok k, const char* what = nullptr) {
    if (accept(k)) return true;
    error_expected(what ? std::string(what) : tok_description(k));
    return false;
  }
  // Syntax errors after an unclosed bracket are its consequences, and tokens the lexer
  // already reported need no second message.
  bool muted() const { return cur().kind == Tok::Error || cur().range.begin >= mute_after_; }
  void error_expected(const std::string& what) {
    if (panic_) return;
    if (muted()) {
      panic_ = true;
      return;
    }
    diags_.report(DiagId::ExpectedToken, cur().range, {what, describe_token(cur())});
    panic_ = true;
  }
  void error(DiagId id, SourceRange r, std::initializer_list<std::string> args = {}) {
    if (panic_) return;
    if (muted()) {
      panic_ = true;
      return;
    }
    diags_.report(id, r, args);
    panic_ = true;
  }
  // Reports without entering panic mode: the statement is still well-formed.
  void error_soft(DiagId id, SourceRange r, std::initializer_list<std::string> args = {}) {
    diags_.report(id, r, args);
  }

  // Guards recursion; returns false (after reporting once) when nesting is too deep.
  struct NestingGuard {
    Parser& p;
    bool ok;
    explicit NestingGuard(Parser& parser) : p(parser) {
      ok = ++p.nesting_ <= kMaxParseNesting;
      if (!ok && !p.nesting_reported_) {
        p.nesting_reported_ = true;
        p.error(DiagId::NestingTooDeep, p.cur().range, {std::to_string(kMaxParseNesting)});
      }
    }
    ~NestingGuard() { --p.nesting_; }
  };

  template <class T> ExprPtr finish(std::unique_ptr<T> node, std::initializer_list<const Expr*> children) {
    uint32_t d = 0;
    for (const Expr* c : children) d = std::max(d, depth_of(c));
    node->depth = d + 1;
    if (node->depth > kMaxExprDepth) return too_deep(node->range);
    return node;
  }
  ExprPtr too_deep(SourceRange r) {
    if (!depth_reported_) {
      depth_reported_ = true;
      error(DiagId::NestingTooDeep, r, {std::to_string(kMaxExprDepth)});
    }
    panic_ = true;
    return std::make_unique<ErrorExpr>(r);
  }
  ExprPtr error_expr() { return std::make_unique<ErrorExpr>(cur().range); }

  void synchronize();
  // Statements that failed to parse are left out of the tree (never null).
  static void push(Block& out, StmtPtr s) {
    if (s) out.push_back(std::move(s));
  }

  // ---- statements ----
  void parse_statement(Block& out);
  void parse_simple_statements(Block& out);
  StmtPtr parse_simple_statement();
  StmtPtr parse_expression_statement();
  StmtPtr parse_compound(std::vector<Decorator> decorators);
  StmtPtr parse_function_def(std::vector<Decorator> decorators);
  StmtPtr parse_if(SourceRange start);
  StmtPtr parse_while();
  StmtPtr parse_for();
  StmtPtr parse_import();
  StmtPtr parse_import_from();
  Block parse_block(const char* after);
  void reject_compound(const char* what, DiagId id = DiagId::Unsupported);
  bool check_target(const Expr& e, bool augmented);

  // ---- expressions ----
  ExprPtr parse_star_expressions();  // a, b (tuple without parens)
  ExprPtr parse_named_expression();
  ExprPtr parse_expression();        // ternary
  ExprPtr parse_disjunction();
  ExprPtr parse_conjunction();
  ExprPtr parse_inversion();
  ExprPtr parse_comparison();
  ExprPtr parse_binary(int min_precedence);
  ExprPtr parse_factor();
  ExprPtr parse_power();
  ExprPtr parse_primary();
  ExprPtr parse_atom();
  ExprPtr parse_paren();
  ExprPtr parse_list();
  ExprPtr parse_subscript_item();
  void parse_call_arguments(CallExpr& call);
  ExprPtr parse_strings();
  void parse_fstring_body(const Token& tok, FStringExpr& out);
  void reject_comprehension(Tok closer);

  const std::vector<Token>& toks_;
  const SourceFile& file_;
  Diagnostics& diags_;
  size_t pos_ = 0;
  bool panic_ = false;
  unsigned nesting_ = 0;
  bool nesting_reported_ = false;
  bool depth_reported_ = false;
  int function_depth_ = 0;
  int loop_depth_ = 0;

 public:
  uint32_t mute_after_ = UINT32_MAX;
};

// Panic-mode recovery: skip to the end of the current logical line (and past any block
// that hangs off it).
void Parser::synchronize() {
  int depth = 0;
  while (!at(Tok::EndOfFile)) {
    if (at(Tok::Newline)) {
      advance();
      if (at(Tok::Indent)) {
        ++depth;
        advance();
        continue;
      }
      if (depth == 0) break;
      continue;
    }
    if (at(Tok::Indent)) ++depth;
    if (at(Tok::Dedent)) {
      if (depth == 0) break;
      --depth;
      advance();
      if (depth == 0) break;
      continue;
    }
    advance();
  }
  panic_ = false;
}

// file: statement* ENDMARKER
Module Parser::parse_module() {
  Module m;
  while (!at(Tok::EndOfFile) && !diags_.saturated()) {
    if (accept(Tok::Newline)) continue;
    if (at(Tok::Indent)) {
      error(DiagId::UnexpectedIndent, cur().range);
      synchronize();
      continue;
    }
    if (at(Tok::Dedent)) {
      advance();
      continue;
    }
    parse_statement(m.body);
  }
  return m;
}

// statement: compound_stmt | simple_stmts
void Parser::parse_statement(Block& out) {
  size_t start = pos_;
  switch (cur().kind) {
    case Tok::At: {
      // decorators: ('@' named_expression NEWLINE)+
      std::vector<Decorator> decorators;
      while (at(Tok::At)) {
        SourceRange at_range = advance().range;
        ExprPtr e = parse_named_expression();
        SourceRange r = SourceRange::merge(at_range, e->range);
        decorators.push_back({r, std::move(e)});
        if (!panic_) expect(Tok::Newline);
        if (panic_) break;
      }
      if (!panic_) {
        if (at(Tok::kw_Def)) {
          push(out, parse_function_def(std::move(decorators)));
        } else if (at(Tok::kw_Class)) {
          reject_compound("class definitions");
        } else {
          error_expected("'def' after decorators");
        }
      }
      break;
    }
    case Tok::kw_Def: push(out, parse_function_def({})); break;
    case Tok::kw_If: {
      SourceRange r = advance().range;
      push(out, parse_if(r));
      break;
    }
    case Tok::kw_While: push(out, parse_while()); break;
    case Tok::kw_For: push(out, parse_for()); break;
    case Tok::kw_Class: reject_compound("class definitions"); break;
    case Tok::kw_With: reject_compound("'with' statements"); break;
    case Tok::kw_Try: reject_compound("'try' statements"); break;
    case Tok::kw_Async: reject_compound("'async' functions and statements"); break;
    case Tok::Identifier:
      if (cur().text == "match" && (peek().kind == Tok::Identifier || peek().kind == Tok::IntLiteral ||
                                    peek().kind == Tok::StringLiteral)) {
        reject_compound("'match' statements");
        break;
      }
      parse_simple_statements(out);
      break;
    default: parse_simple_statements(out); break;
  }
  if (panic_) synchronize();
  if (pos_ == start) advance();  // always make progress
}

void Parser::reject_compound(const char* what, DiagId id) {
  bool is_try = at(Tok::kw_Try);
  error(id, cur().range, {what});
  synchronize();
  // The clauses of a rejected 'try' go with it.
  while (is_try && (at(Tok::kw_Except) || at(Tok::kw_Finally) || at(Tok::kw_Else))) {
    panic_ = true;
    synchronize();
  }
}

// simple_stmts: simple_stmt (';' simple_stmt)* [';'] NEWLINE
void Parser::parse_simple_statements(Block& out) {
  for (;;) {
    StmtPtr s = parse_simple_statement();
    if (s) out.push_back(std::move(s));
    if (panic_) return;
    if (accept(Tok::Semicolon)) {
      if (at(Tok::Newline) || at(Tok::EndOfFile)) break;
      continue;
    }
    break;
  }
  if (!at(Tok::EndOfFile)) expect(Tok::Newline, "end of line");
}

// simple_stmt: assignment | star_expressions | return_stmt | import_stmt | raise_stmt
//   | 'pass' | 'break' | 'continue' | assert_stmt
//   (del, global, nonlocal, yield are named and rejected)
StmtPtr Parser::parse_simple_statement() {
  const Token& t = cur();
  SourceRange r = t.range;
  switch (t.kind) {
    case Tok::kw_Pass: advance(); return std::make_unique<PassStmt>(r);
    case Tok::kw_Break:
      advance();
      if (loop_depth_ == 0) error_soft(DiagId::LoopControlOutsideLoop, r, {"break"});
      return std::make_unique<BreakStmt>(r);
    case Tok::kw_Continue:
      advance();
      if (loop_depth_ == 0) error_soft(DiagId::LoopControlOutsideLoop, r, {"continue"});
      return std::make_unique<ContinueStmt>(r);
    case Tok::kw_Return: {
      advance();
      ExprPtr value;
      if (!at(Tok::Newline) && !at(Tok::Semicolon) && !at(Tok::EndOfFile)) value = parse_star_expressions();
      SourceRange full = value ? SourceRange::merge(r, value->range) : r;
      if (function_depth_ == 0) error_soft(DiagId::ReturnOutsideFunction, r);
      return std::make_unique<ReturnStmt>(full, std::move(value));
    }
    case Tok::kw_Raise: {
      advance();
      ExprPtr e;
      if (!at(Tok::Newline) && !at(Tok::Semicolon) && !at(Tok::EndOfFile)) e = parse_expression();
      if (!e) {
        error_soft(DiagId::UnsupportedSingular, r, {"a bare 'raise' (re-raising)"});
        return nullptr;
      }
      if (at(Tok::kw_From)) {
        error(DiagId::UnsupportedSingular, cur().range, {"'raise ... from ...'"});
        return nullptr;
      }
      SourceRange full = e ? SourceRange::merge(r, e->range) : r;
      return std::make_unique<RaiseStmt>(full, std::move(e));
    }
    case Tok::kw_Assert: {
      advance();
      ExprPtr cond = parse_expression();
      ExprPtr msg;
      if (accept(Tok::Comma)) msg = parse_expression();
      SourceRange full = SourceRange::merge(r, (msg ? msg : cond)->range);
      return std::make_unique<AssertStmt>(full, std::move(cond), std::move(msg));
    }
    case Tok::kw_Import: return parse_import();
    case Tok::kw_From: return parse_import_from();
    case Tok::kw_Del: error(DiagId::Unsupported, r, {"'del' statements"}); return nullptr;
    case Tok::kw_Global: error(DiagId::Unsupported, r, {"'global' declarations"}); return nullptr;
    case Tok::kw_Nonlocal: error(DiagId::Unsupported, r, {"'nonlocal' declarations"}); return nullptr;
    case Tok::kw_Yield: error(DiagId::Unsupported, r, {"'yield' expressions (generators)"}); return nullptr;
    case Tok::kw_Elif: case Tok::kw_Else: case Tok::kw_Except: case Tok::kw_Finally:
      error(DiagId::ExpectedStatement, r, {describe_token(t)});
      return nullptr;
    default: return parse_expression_statement();
  }
}

// assignment:
//   | NAME ':' expression ['=' star_expressions]
//   | (star_targets '=')+ star_expressions
//   | target augassign star_expressions
// expr_stmt: star_expressions
StmtPtr Parser::parse_expression_statement() {
  ExprPtr first = parse_star_expressions();
  if (panic_) return nullptr;
  SourceRange start = first->range;
  BinaryOp op;
  if (aug_assign_op(cur().kind, op)) {
    SourceRange op_range = advance().range;
    if (!check_target(*first, true)) return nullptr;
    ExprPtr value = parse_star_expressions();
    SourceRange full = SourceRange::merge(start, value->range);
    return std::make_unique<AugAssignStmt>(full, std::move(first), op, std::move(value), op_range);
  }
  if (at(Tok::AtEqual)) {
    error(DiagId::UnsupportedSingular, cur().range, {"the matrix multiplication operator '@='"});
    return nullptr;
  }
  if (at(Tok::Colon)) {
    advance();
    if (first->kind != ExprKind::Name) {
      error(DiagId::UnsupportedSingular, first->range, {"an annotation on a target other than a plain name"});
      return nullptr;
    }
    ExprPtr annotation = parse_expression();
    ExprPtr value;
    if (accept(Tok::Equal)) value = parse_star_expressions();
    SourceRange full = SourceRange::merge(start, (value ? value : annotation)->range);
    return std::make_unique<AnnAssignStmt>(full, std::move(first), std::move(annotation), std::move(value));
  }
  if (at(Tok::Equal)) {
    auto assign = std::make_unique<AssignStmt>(start);
    ExprPtr current = std::move(first);
    while (accept(Tok::Equal)) {
      if (!check_target(*current, false)) return nullptr;
      assign->targets.push_back(std::move(current));
      if (at(Tok::kw_Yield)) {
        error(DiagId::Unsupported, cur().range, {"'yield' expressions (generators)"});
        return nullptr;
      }
      current = parse_star_expressions();
      if (panic_) return nullptr;
    }
    assign->value = std::move(current);
    assign->range = SourceRange::merge(start, assign->value->range);
    return assign;
  }
  return std::make_unique<ExprStmt>(start, std::move(first));
}

// Assignment targets: names, subscripts, and (for '=') tuples/lists of targets.
bool Parser::check_target(const Expr& e, bool augmented) {
  switch (e.kind) {
    case ExprKind::Name: {
      const std::string& id = e.as<NameExpr>().id;
      if (id == "__debug__") {
        error(DiagId::InvalidAssignTarget, e.range, {"__debug__"});
        return false;
      }
      return true;
    }
    case ExprKind::Subscript: return true;
    case ExprKind::Attribute:
      error(DiagId::Unsupported, e.range, {"assignments to attributes"});
      return false;
    case ExprKind::Tuple:
    case ExprKind::List: {
      if (augmented) {
        error(DiagId::InvalidAugAssignTarget, e.range, {e.kind == ExprKind::Tuple ? "tuple" : "list"});
        return false;
      }
      const auto& elements = e.kind == ExprKind::Tuple ? e.as<TupleExpr>().elements : e.as<ListExpr>().elements;
      for (const ExprPtr& x : elements)
        if (!check_target(*x, false)) return false;
      return true;
    }
    case ExprKind::Error: return false;
    case ExprKind::Call: error(DiagId::InvalidAssignTarget, e.range, {"function call"}); return false;
    case ExprKind::IntLit: case ExprKind::FloatLit: case ExprKind::StrLit: case ExprKind::BoolLit:
    case ExprKind::NoneLit: case ExprKind::FString:
      error(DiagId::InvalidAssignTarget, e.range, {"literal"});
      return false;
    default: error(DiagId::InvalidAssignTarget, e.range, {"expression"}); return false;
  }
}

// block: NEWLINE INDENT statements DEDENT | simple_stmts
Block Parser::parse_block(const char* after) {
  Block body;
  if (!expect(Tok::Colon)) return body;
  if (!at(Tok::Newline)) {
    parse_simple_statements(body);
    return body;
  }
  advance();
  if (!at(Tok::Indent)) {
    error(DiagId::ExpectedIndentedBlock, cur().range, {after});
    return body;
  }
  advance();
  NestingGuard guard(*this);
  if (!guard.ok) return body;
  while (!at(Tok::Dedent) && !at(Tok::EndOfFile) && !diags_.saturated()) {
    if (accept(Tok::Newline)) continue;
    if (at(Tok::Indent)) {
      error(DiagId::UnexpectedIndent, cur().range);
      synchronize();
      continue;
    }
    parse_statement(body);
  }
  accept(Tok::Dedent);
  return body;
}

// function_def: decorators? 'def' NAME '(' [params] ')' ['->' expression] ':' block
// params: param (',' param)* [',']
// param: NAME [':' expression]      ('=' default, '*args', '**kw', '/' are rejected)
StmtPtr Parser::parse_function_def(std::vector<Decorator> decorators) {
  SourceRange def_range = advance().range;
  if (function_depth_ > 0) {
    error(DiagId::NestedFunction, def_range);
    return nullptr;
  }
  if (!at(Tok::Identifier)) {
    error_expected("a function name");
    return nullptr;
  }
  const Token& name = advance();
  auto fn = std::make_unique<FunctionDefStmt>(def_range, name.text, name.range);
  fn->decorators = std::move(decorators);
  if (!expect(Tok::LParen)) return nullptr;
  while (!at(Tok::RParen) && !panic_) {
    if (at(Tok::Star) && peek().kind == Tok::Comma) {
      error(DiagId::Unsupported, cur().range, {"keyword-only parameter markers ('*')"});
      return nullptr;
    }
    if (at(Tok::Star) || at(Tok::StarStar)) {
      error(DiagId::Unsupported, cur().range, {at(Tok::Star) ? "'*args' parameters" : "'**kwargs' parameters"});
      return nullptr;
    }
    if (at(Tok::Slash)) {
      error(DiagId::Unsupported, cur().range, {"positional-only parameter markers"});
      return nullptr;
    }
    if (!at(Tok::Identifier)) {
      error_expected("a parameter name");
      return nullptr;
    }
    const Token& p = advance();
    Param param{p.text, p.range, nullptr};
    for (const Param& other : fn->params)
      if (other.name == p.text) error_soft(DiagId::DuplicateParameter, p.range, {p.text});
    if (accept(Tok::Colon)) param.annotation = parse_expression();
    if (at(Tok::Equal)) {
      error(DiagId::DefaultArgument, cur().range);
      return nullptr;
    }
    fn->params.push_back(std::move(param));
    if (!accept(Tok::Comma)) break;
  }
  if (!expect(Tok::RParen)) return nullptr;
  if (accept(Tok::Arrow)) fn->returns = parse_expression();
  fn->range = SourceRange::merge(def_range, prev_range());
  ++function_depth_;
  int saved_loops = loop_depth_;
  loop_depth_ = 0;
  unsigned errors_before = diags_.error_count();
  fn->body = parse_block("function definition");
  fn->has_syntax_errors = diags_.error_count() > errors_before;
  loop_depth_ = saved_loops;
  --function_depth_;
  return fn;
}

// if_stmt: 'if' named_expression ':' block (elif_stmt | else_block)?
// elif_stmt: 'elif' named_expression ':' block (elif_stmt | else_block)?
StmtPtr Parser::parse_if(SourceRange start) {
  ExprPtr cond = parse_named_expression();
  auto stmt = std::make_unique<IfStmt>(SourceRange::merge(start, cond->range), std::move(cond));
  stmt->then_body = parse_block("'if' statement");
  if (panic_) return stmt;
  if (at(Tok::kw_Elif)) {
    SourceRange r = advance().range;
    push(stmt->else_body, parse_if(r));
  } else if (accept(Tok::kw_Else)) {
    stmt->else_body = parse_block("'else'");
  }
  return stmt;
}

// while_stmt: 'while' named_expression ':' block    ('else' is rejected)
StmtPtr Parser::parse_while() {
  SourceRange start = advance().range;
  ExprPtr cond = parse_named_expression();
  auto stmt = std::make_unique<WhileStmt>(SourceRange::merge(start, cond->range), std::move(cond));
  ++loop_depth_;
  stmt->body = parse_block("'while' statement");
  --loop_depth_;
  if (!panic_ && at(Tok::kw_Else)) error(DiagId::Unsupported, cur().range, {"'else' clauses on loops"});
  return stmt;
}

// for_stmt: 'for' star_targets 'in' star_expressions ':' block    ('else' is rejected)
StmtPtr Parser::parse_for() {
  SourceRange start = advance().range;
  ExprPtr target;
  {
    // Targets are parsed below comparisons so that 'in' is not taken as an operator.
    ExprPtr first = parse_binary(1);
    if (at(Tok::Comma)) {
      auto tuple = std::make_unique<TupleExpr>(first->range);
      tuple->elements.push_back(std::move(first));
      while (accept(Tok::Comma) && !at(Tok::kw_In)) tuple->elements.push_back(parse_binary(1));
      tuple->range = SourceRange::merge(tuple->range, tuple->elements.back()->range);
      target = std::move(tuple);
    } else {
      target = std::move(first);
    }
  }
  if (panic_) return nullptr;
  if (!check_target(*target, false)) return nullptr;
  if (!expect(Tok::kw_In)) return nullptr;
  ExprPtr iter = parse_star_expressions();
  auto stmt = std::make_unique<ForStmt>(SourceRange::merge(start, iter->range), std::move(target), std::move(iter));
  ++loop_depth_;
  stmt->body = parse_block("'for' statement");
  --loop_depth_;
  if (!panic_ && at(Tok::kw_Else)) error(DiagId::Unsupported, cur().range, {"'else' clauses on loops"});
  return stmt;
}

// import_name: 'import' dotted_as_names
// dotted_as_name: dotted_name ['as' NAME]
StmtPtr Parser::parse_import() {
  SourceRange start = advance().range;
  auto stmt = std::make_unique<ImportStmt>(start);
  do {
    if (!at(Tok::Identifier)) {
      error_expected("a module name");
      return nullptr;
    }
    ImportAlias alias;
    alias.range = cur().range;
    alias.name = advance().text;
    while (accept(Tok::Dot)) {
      if (!at(Tok::Identifier)) {
        error_expected("a module name");
        return nullptr;
      }
      alias.name += "." + advance().text;
    }
    if (accept(Tok::kw_As)) {
      if (!at(Tok::Identifier)) {
        error_expected("a name after 'as'");
        return nullptr;
      }
      alias.asname = advance().text;
    }
    alias.range = SourceRange::merge(alias.range, prev_range());
    stmt->names.push_back(std::move(alias));
  } while (accept(Tok::Comma));
  stmt->range = SourceRange::merge(start, prev_range());
  return stmt;
}

// import_from: 'from' dotted_name 'import' ('(' import_as_names ')' | import_as_names)
//   (relative imports and '*' are rejected)
StmtPtr Parser::parse_import_from() {
  SourceRange start = advance().range;
  auto stmt = std::make_unique<ImportFromStmt>(start);
  if (at(Tok::Dot) || at(Tok::Ellipsis)) {
    error(DiagId::Unsupported, cur().range, {"relative imports"});
    return nullptr;
  }
  if (!at(Tok::Identifier)) {
    error_expected("a module name");
    return nullptr;
  }
  stmt->module_range = cur().range;
  stmt->module = advance().text;
  while (accept(Tok::Dot)) {
    if (!at(Tok::Identifier)) {
      error_expected("a module name");
      return nullptr;
    }
    stmt->module += "." + advance().text;
  }
  stmt->module_range = SourceRange::merge(stmt->module_range, prev_range());
  if (!expect(Tok::kw_Import)) return nullptr;
  if (at(Tok::Star)) {
    error(DiagId::Unsupported, cur().range, {"wildcard imports ('import *')"});
    return nullptr;
  }
  bool paren = accept(Tok::LParen);
  do {
    if (paren && at(Tok::RParen)) break;
    if (!at(Tok::Identifier)) {
      error_expected("a name to import");
      return nullptr;
    }
    ImportAlias alias;
    alias.range = cur().range;
    alias.name = advance().text;
    if (accept(Tok::kw_As)) {
      if (!at(Tok::Identifier)) {
        error_expected("a name after 'as'");
        return nullptr;
      }
      alias.asname = advance().text;
    }
    alias.range = SourceRange::merge(alias.range, prev_range());
    stmt->names.push_back(std::move(alias));
  } while (accept(Tok::Comma));
  if (paren && !expect(Tok::RParen)) return nullptr;
  stmt->range = SourceRange::merge(start, prev_range());
  return stmt;
}

// ---------------------------------------------------------------------------------
// Expressions

// star_expressions: expression (',' expression)* [',']   -> a tuple when there is a comma
ExprPtr Parser::parse_star_expressions() {
  if (at(Tok::Star)) {
    error(DiagId::Unsupported, cur().range, {"starred expressions"});
    return error_expr();
  }
  ExprPtr first = parse_named_expression();
  if (!at(Tok::Comma)) return first;
  auto tuple = std::make_unique<TupleExpr>(first->range);
  tuple->elements.push_back(std::move(first));
  while (accept(Tok::Comma)) {
    if (at(Tok::Newline) || at(Tok::Equal) || at(Tok::EndOfFile) || at(Tok::Semicolon) || at(Tok::RParen) ||
        at(Tok::Colon))
      break;
    BinaryOp op;
    if (aug_assign_op(cur().kind, op)) break;
    if (at(Tok::Star)) {
      error(DiagId::Unsupported, cur().range, {"starred expressions"});
      return error_expr();
    }
    tuple->elements.push_back(parse_named_expression());
    if (panic_) break;
  }
  tuple->range = SourceRange::merge(tuple->range, prev_range());
  if (tuple->elements.size() > 10000) {
    error(DiagId::NestingTooDeep, tuple->range, {"10000 elements"});
    return error_expr();
  }
  std::vector<const Expr*> kids;
  uint32_t d = 0;
  for (const ExprPtr& e : tuple->elements) d = std::max(d, e->depth);
  tuple->depth = d + 1;
  return tuple;
}

// named_expression: expression   (':=' is rejected)
ExprPtr Parser::parse_named_expression() {
  ExprPtr e = parse_expression();
  if (at(Tok::ColonEqual)) {
    error(DiagId::Unsupported, cur().range, {"assignment expressions (':=')"});
    return error_expr();
  }
  return e;
}

// expression: disjunction ['if' disjunction 'else' expression] | lambda (rejected)
ExprPtr Parser::parse_expression() {
  NestingGuard guard(*this);
  if (!guard.ok) return error_expr();
  if (at(Tok::kw_Lambda)) {
    error(DiagId::Unsupported, cur().range, {"lambda expressions"});
    return error_expr();
  }
  if (at(Tok::kw_Yield)) {
    error(DiagId::Unsupported, cur().range, {"'yield' expressions (generators)"});
    return error_expr();
  }
  ExprPtr value = parse_disjunction();
  if (!at(Tok::kw_If)) return value;
  advance();
  ExprPtr cond = parse_disjunction();
  if (!expect(Tok::kw_Else)) return error_expr();
  ExprPtr other = parse_expression();
  SourceRange r = SourceRange::merge(value->range, other->range);
  const Expr *a = cond.get(), *b = value.get(), *c = other.get();
  return finish(std::make_unique<IfExpExpr>(r, std::move(cond), std::move(value), std::move(other)), {a, b, c});
}

// disjunction: conjunction ('or' conjunction)*
ExprPtr Parser::parse_disjunction() {
  ExprPtr lhs = parse_conjunction();
  while (at(Tok::kw_Or)) {
    advance();
    ExprPtr rhs = parse_conjunction();
    SourceRange r = SourceRange::merge(lhs->range, rhs->range);
    const Expr *a = lhs.get(), *b = rhs.get();
    lhs = finish(std::make_unique<BoolOpExpr>(r, BoolOpKind::Or, std::move(lhs), std::move(rhs)), {a, b});
  }
  return lhs;
}

// conjunction: inversion ('and' inversion)*
ExprPtr Parser::parse_conjunction() {
  ExprPtr lhs = parse_inversion();
  while (at(Tok::kw_And)) {
    advance();
    ExprPtr rhs = parse_inversion();
    SourceRange r = SourceRange::merge(lhs->range, rhs->range);
    const Expr *a = lhs.get(), *b = rhs.get();
    lhs = finish(std::make_unique<BoolOpExpr>(r, BoolOpKind::And, std::move(lhs), std::move(rhs)), {a, b});
  }
  return lhs;
}

// inversion: 'not' inversion | comparison
ExprPtr Parser::parse_inversion() {
  if (!at(Tok::kw_Not)) return parse_comparison();
  NestingGuard guard(*this);
  if (!guard.ok) return error_expr();
  SourceRange start = advance().range;
  ExprPtr operand = parse_inversion();
  SourceRange r = SourceRange::merge(start, operand->range);
  const Expr* a = operand.get();
  return finish(std::make_unique<UnaryExpr>(r, UnaryOp::Not, std::move(operand)), {a});
}

// comparison: bitwise_or (compare_op bitwise_or)*
//   ('in', 'not in', 'is', 'is not' are rejected)
ExprPtr Parser::parse_comparison() {
  ExprPtr first = parse_binary(1);
  CompareOp op;
  auto is_rejected = [&]() {
    return at(Tok::kw_In) || at(Tok::kw_Is) || (at(Tok::kw_Not) && peek().kind == Tok::kw_In);
  };
  if (!compare_op(cur().kind, op) && !is_rejected()) return first;
  auto cmp = std::make_unique<CompareExpr>(first->range);
  uint32_t depth = first->depth;
  cmp->operands.push_back(std::move(first));
  for (;;) {
    if (is_rejected()) {
      const char* what = at(Tok::kw_Is) ? "the 'is' operator" : "the 'in' operator";
      error(DiagId::UnsupportedSingular, cur().range, {what});
      return error_expr();
    }
    if (!compare_op(cur().kind, op)) break;
    cmp->op_ranges.push_back(advance().range);
    cmp->ops.push_back(op);
    ExprPtr rhs = parse_binary(1);
    depth = std::max(depth, rhs->depth);
    cmp->operands.push_back(std::move(rhs));
  }
  cmp->range = SourceRange::merge(cmp->range, cmp->operands.back()->range);
  auto node = std::move(cmp);
  node->depth = depth + 1;
  if (node->depth > kMaxExprDepth || node->ops.size() > kMaxExprDepth) {
    error(DiagId::NestingTooDeep, node->range, {std::to_string(kMaxExprDepth)});
    return error_expr();
  }
  return node;
}

// Binary operators by precedence climbing over the table in binary_info():
//   bitwise_or: bitwise_or '|' bitwise_xor | bitwise_xor   ... down to
//   term: term ('*' | '/' | '//' | '%') factor | factor
ExprPtr Parser::parse_binary(int min_precedence) {
  ExprPtr lhs = parse_factor();
  for (;;) {
    if (at(Tok::At)) {
      error(DiagId::UnsupportedSingular, cur().range, {"the matrix multiplication operator '@'"});
      return error_expr();
    }
    BinaryInfo info;
    if (!binary_info(cur().kind, info) || info.precedence < min_precedence) return lhs;
    SourceRange op_range = advance().range;
    ExprPtr rhs = parse_binary(info.precedence + 1);
    SourceRange r = SourceRange::merge(lhs->range, rhs->range);
    const Expr *a = lhs.get(), *b = rhs.get();
    lhs = finish(std::make_unique<BinaryExpr>(r, info.op, std::move(lhs), std::move(rhs), op_range), {a, b});
    if (lhs->kind == ExprKind::Error) return lhs;
  }
}

// factor: ('+' | '-' | '~') factor | power
ExprPtr Parser::parse_factor() {
  UnaryOp op;
  switch (cur().kind) {
    case Tok::Plus: op = UnaryOp::Pos; break;
    case Tok::Minus: op = UnaryOp::Neg; break;
    case Tok::Tilde: op = UnaryOp::Invert; break;
    default: return parse_power();
  }
  NestingGuard guard(*this);
  if (!guard.ok) return error_expr();
  SourceRange start = advance().range;
  // -9223372036854775808 is the one literal that only fits when negated.
  if (op == UnaryOp::Neg && at(Tok::IntLiteral) && cur().int_value == INT64_MIN && peek().kind != Tok::StarStar) {
    SourceRange r = SourceRange::merge(start, advance().range);
    return std::make_unique<IntLitExpr>(r, INT64_MIN);
  }
  ExprPtr operand = parse_factor();
  SourceRange r = SourceRange::merge(start, operand->range);
  const Expr* a = operand.get();
  return finish(std::make_unique<UnaryExpr>(r, op, std::move(operand)), {a});
}

// power: primary ['**' factor]     (right-associative, binds tighter than unary on its left)
ExprPtr Parser::parse_power() {
  if (at(Tok::kw_Await)) {
    error(DiagId::Unsupported, cur().range, {"'await' expressions"});
    return error_expr();
  }
  ExprPtr base = parse_primary();
  if (!at(Tok::StarStar)) return base;
  SourceRange op_range = advance().range;
  NestingGuard guard(*this);
  if (!guard.ok) return error_expr();
  ExprPtr exponent = parse_factor();
  SourceRange r = SourceRange::merge(base->range, exponent->range);
  const Expr *a = base.get(), *b = exponent.get();
  return finish(std::make_unique<BinaryExpr>(r, BinaryOp::Pow, std::move(base), std::move(exponent), op_range), {a, b});
}

// primary: primary '.' NAME | primary '(' [arguments] ')' | primary '[' slices ']' | atom
ExprPtr Parser::parse_primary() {
  ExprPtr e = parse_atom();
  for (;;) {
    if (panic_) return e;
    if (at(Tok::Dot)) {
      advance();
      if (!at(Tok::Identifier)) {
        error_expected("an attribute name");
        return error_expr();
      }
      const Token& name = advance();
      SourceRange r = SourceRange::merge(e->range, name.range);
      const Expr* a = e.get();
      e = finish(std::make_unique<AttributeExpr>(r, std::move(e), name.text, name.range), {a});
    } else if (at(Tok::LParen)) {
      NestingGuard guard(*this);
      if (!guard.ok) return error_expr();
      advance();
      auto call = std::make_unique<CallExpr>(e->range, std::move(e));
      parse_call_arguments(*call);
      if (!expect(Tok::RParen)) return error_expr();
      call->range = SourceRange::merge(call->range, prev_range());
      uint32_t d = call->callee->depth;
      for (const ExprPtr& x : call->args) d = std::max(d, x->depth);
      for (const Keyword& k : call->keywords) d = std::max(d, k.value->depth);
      call->depth = d + 1;
      if (call->depth > kMaxExprDepth) return too_deep(call->range);
      e = std::move(call);
    } else if (at(Tok::LBracket)) {
      NestingGuard guard(*this);
      if (!guard.ok) return error_expr();
      advance();
      auto sub = std::make_unique<SubscriptExpr>(e->range, std::move(e));
      do {
        if (at(Tok::RBracket)) break;
        sub->indices.push_back(parse_subscript_item());
        if (panic_) return error_expr();
      } while (accept(Tok::Comma));
      if (sub->indices.empty()) {
        error(DiagId::ExpectedExpression, cur().range, {describe_token(cur())});
        return error_expr();
      }
      if (!expect(Tok::RBracket)) return error_expr();
      sub->range = SourceRange::merge(sub->range, prev_range());
      uint32_t d = sub->value->depth;
      for (const ExprPtr& x : sub->indices) d = std::max(d, x->depth);
      sub->depth = d + 1;
      if (sub->depth > kMaxExprDepth) return too_deep(sub->range);
      e = std::move(sub);
    } else {
      return e;
    }
  }
}

// slice: [expression] ':' [expression] [':' [expression]] | named_expression
ExprPtr Parser::parse_subscript_item() {
  SourceRange start = cur().range;
  ExprPtr lo;
  if (!at(Tok::Colon)) {
    if (at(Tok::Star)) {
      error(DiagId::Unsupported, cur().range, {"starred expressions"});
      return error_expr();
    }
    if (at(Tok::Ellipsis)) {
      error(DiagId::UnsupportedSingular, cur().range, {"'...' (Ellipsis)"});
      return error_expr();
    }
    lo = parse_named_expression();
    if (!at(Tok::Colon)) return lo;
  }
  advance();
  ExprPtr hi, step;
  if (!at(Tok::Colon) && !at(Tok::Comma) && !at(Tok::RBracket)) hi = parse_expression();
  if (accept(Tok::Colon)) {
    if (!at(Tok::Comma) && !at(Tok::RBracket)) step = parse_expression();
  }
  SourceRange r = SourceRange::merge(start, prev_range());
  const Expr *a = lo.get(), *b = hi.get(), *c = step.get();
  return finish(std::make_unique<SliceExpr>(r, std::move(lo), std::move(hi), std::move(step)), {a, b, c});
}

// arguments: (expression | NAME '=' expression) (',' ...)* [',']
void Parser::parse_call_arguments(CallExpr& call) {
  while (!at(Tok::RParen) && !panic_) {
    if (at(Tok::Star) || at(Tok::StarStar)) {
      error(DiagId::Unsupported, cur().range, {at(Tok::Star) ? "'*args' arguments" : "'**kwargs' arguments"});
      return;
    }
    if (at(Tok::Identifier) && peek().kind == Tok::Equal) {
      const Token& name = advance();
      advance();
      for (const Keyword& other : call.keywords)
        if (other.name == name.text) error_soft(DiagId::RepeatedKeyword, name.range, {name.text});
      Keyword k{name.text, name.range, parse_expression()};
      call.keywords.push_back(std::move(k));
    } else {
      if (!call.keywords.empty()) {
        error(DiagId::KeywordArgBeforePositional, cur().range);
        return;
      }
      ExprPtr arg = parse_named_expression();
      if (at(Tok::kw_For)) {
        error(DiagId::Unsupported, arg->range, {"generator expressions"});
        return;
      }
      call.args.push_back(std::move(arg));
    }
    if (!accept(Tok::Comma)) break;
  }
}

// atom: NAME | 'True' | 'False' | 'None' | strings | NUMBER | tuple | group | list
//   (dicts, sets, comprehensions and '...' are rejected)
ExprPtr Parser::parse_atom() {
  const Token& t = cur();
  switch (t.kind) {
    case Tok::Identifier: advance(); return std::make_unique<NameExpr>(t.range, t.text);
    case Tok::IntLiteral:
      advance();
      if (t.int_value == INT64_MIN) {
        // Only valid as the operand of unary minus (handled in parse_factor).
        error_soft(DiagId::IntegerTooLarge, t.range, {quote_excerpt(file_.slice(t.range))});
      }
      return std::make_unique<IntLitExpr>(t.range, t.int_value);
    case Tok::FloatLiteral: advance(); return std::make_unique<FloatLitExpr>(t.range, t.float_value);
    case Tok::kw_True: advance(); return std::make_unique<BoolLitExpr>(t.range, true);
    case Tok::kw_False: advance(); return std::make_unique<BoolLitExpr>(t.range, false);
    case Tok::kw_None: advance(); return std::make_unique<NoneLitExpr>(t.range);
    case Tok::StringLiteral:
    case Tok::FStringLiteral: return parse_strings();
    case Tok::LParen: return parse_paren();
    case Tok::LBracket: return parse_list();
    case Tok::LBrace: {
      error(DiagId::Unsupported, t.range, {"dict and set literals"});
      return error_expr();
    }
    case Tok::Ellipsis: error(DiagId::UnsupportedSingular, t.range, {"'...' (Ellipsis)"}); return error_expr();
    case Tok::kw_Lambda: error(DiagId::Unsupported, t.range, {"lambda expressions"}); return error_expr();
    case Tok::kw_Yield:
      error(DiagId::Unsupported, t.range, {"'yield' expressions (generators)"});
      return error_expr();
    case Tok::kw_Await: error(DiagId::Unsupported, t.range, {"'await' expressions"}); return error_expr();
    case Tok::Star: error(DiagId::Unsupported, t.range, {"starred expressions"}); return error_expr();
    case Tok::Error: advance(); panic_ = true; return error_expr();
    case Tok::Indent:
      error(DiagId::UnexpectedIndent, t.range);
      return error_expr();
    default:
      if (!panic_ && !muted()) diags_.report(DiagId::ExpectedExpression, t.range, {describe_token(t)});
      panic_ = true;
      return error_expr();
  }
}

void Parser::reject_comprehension(Tok closer) {
  error(DiagId::Unsupported, cur().range,
        {closer == Tok::RParen ? "generator expressions" : "list comprehensions"});
}

// group: '(' named_expression ')'
// tuple: '(' [expression ',' [expression (',' expression)* [',']]] ')'
ExprPtr Parser::parse_paren() {
  NestingGuard guard(*this);
  if (!guard.ok) return error_expr();
  SourceRange start = advance().range;
  if (at(Tok::RParen)) {
    SourceRange r = SourceRange::merge(start, advance().range);
    return std::make_unique<TupleExpr>(r);
  }
  if (at(Tok::kw_Yield)) {
    error(DiagId::Unsupported, cur().range, {"'yield' expressions (generators)"});
    return error_expr();
  }
  if (at(Tok::Star)) {
    error(DiagId::Unsupported, cur().range, {"starred expressions"});
    return error_expr();
  }
  ExprPtr first = parse_named_expression();
  if (panic_) return error_expr();
  if (at(Tok::kw_For)) {
    reject_comprehension(Tok::RParen);
    return error_expr();
  }
  if (accept(Tok::RParen)) {
    // Parentheses only group: keep the inner node but widen nothing, so diagnostics
    // point at the expression itself.
    return first;
  }
  if (!at(Tok::Comma)) {
    expect(Tok::RParen);
    return error_expr();
  }
  auto tuple = std::make_unique<TupleExpr>(start);
  uint32_t d = first->depth;
  tuple->elements.push_back(std::move(first));
  while (accept(Tok::Comma)) {
    if (at(Tok::RParen)) break;
    ExprPtr e = parse_named_expression();
    if (panic_) return error_expr();
    d = std::max(d, e->depth);
    tuple->elements.push_back(std::move(e));
  }
  if (!expect(Tok::RParen)) return error_expr();
  tuple->range = SourceRange::merge(start, prev_range());
  tuple->depth = d + 1;
  return tuple;
}

// list: '[' [star_named_expressions] ']'     (comprehensions rejected)
ExprPtr Parser::parse_list() {
  NestingGuard guard(*this);
  if (!guard.ok) return error_expr();
  SourceRange start = advance().range;
  auto list = std::make_unique<ListExpr>(start);
  uint32_t d = 0;
  while (!at(Tok::RBracket) && !panic_) {
    ExprPtr e = parse_named_expression();
    if (at(Tok::kw_For)) {
      reject_comprehension(Tok::RBracket);
      return error_expr();
    }
    d = std::max(d, e->depth);
    list->elements.push_back(std::move(e));
    if (!accept(Tok::Comma)) break;
  }
  if (!expect(Tok::RBracket)) return error_expr();
  list->range = SourceRange::merge(start, prev_range());
  list->depth = d + 1;
  return list;
}

// strings: (STRING | FSTRING)+   adjacent literals concatenate
ExprPtr Parser::parse_strings() {
  SourceRange start = cur().range;
  bool any_f = false;
  size_t begin = pos_;
  while (at(Tok::StringLiteral) || at(Tok::FStringLiteral)) {
    any_f = any_f || at(Tok::FStringLiteral);
    advance();
  }
  size_t end = pos_;
  SourceRange r = SourceRange::merge(start, prev_range());
  if (!any_f) {
    std::string value;
    for (size_t i = begin; i < end; ++i) value += toks_[i].text;
    return std::make_unique<StrLitExpr>(r, std::move(value));
  }
  auto f = std::make_unique<FStringExpr>(r);
  for (size_t i = begin; i < end; ++i) {
    const Token& t = toks_[i];
    if (t.kind == Tok::StringLiteral) {
      if (!f->parts.empty() && !f->parts.back().value) f->parts.back().literal += t.text;
      else f->parts.push_back({t.text, nullptr, 0, {}});
    } else {
      parse_fstring_body(t, *f);
    }
  }
  uint32_t d = 0;
  for (const FStringPart& p : f->parts)
    if (p.value) d = std::max(d, p.value->depth);
  f->depth = d + 1;
  return f;
}

// f-string body: (literal | '{{' | '}}' | '{' expression ['!' conv] [':' spec] '}')*
void Parser::parse_fstring_body(const Token& tok, FStringExpr& out) {
  const std::string& body = tok.text;
  uint32_t base = tok.body_offset;
  std::string literal;
  auto flush = [&]() {
    if (literal.empty()) return;
    if (!out.parts.empty() && !out.parts.back().value) out.parts.back().literal += literal;
    else out.parts.push_back({literal, nullptr, 0, {}});
    literal.clear();
  };
  auto fail = [&](size_t at, const std::string& what) {
    diags_.report(DiagId::FStringError, {base + static_cast<uint32_t>(at), base + static_cast<uint32_t>(at) + 1}, {what});
  };
  size_t i = 0;
  size_t literal_begin = 0;
  auto take_literal = [&](size_t end) {
    std::string_view raw = std::string_view(body).substr(literal_begin, end - literal_begin);
    literal += tok.raw ? std::string(raw) : decode_escapes(raw, base + static_cast<uint32_t>(literal_begin), diags_);
  };
  while (i < body.size()) {
    char c = body[i];
    if (c == '\\' && i + 1 < body.size()) {
      i += 2;
      continue;
    }
    if (c == '}' ) {
      if (i + 1 < body.size() && body[i + 1] == '}') {
        take_literal(i + 1);
        i += 2;
        literal_begin = i;
        continue;
      }
      fail(i, "single '}' is not allowed");
      return;
    }
    if (c != '{') {
      ++i;
      continue;
    }
    if (i + 1 < body.size() && body[i + 1] == '{') {
      take_literal(i + 1);
      i += 2;
      literal_begin = i;
      continue;
    }
    take_literal(i);
    flush();
    // Find the end of the expression: a top-level '!', ':', '=' (debug form) or '}'.
    size_t expr_begin = i + 1;
    size_t j = expr_begin;
    int depth = 0;
    char quote = 0;
    while (j < body.size()) {
      char d = body[j];
      if (quote) {
        if (d == quote) quote = 0;
      } else if (d == '\'' || d == '"') {
        quote = d;
      } else if (d == '(' || d == '[' || d == '{') {
        ++depth;
      } else if (d == ')' || d == ']' || d == '}') {
        if (depth == 0) break;
        --depth;
      } else if (depth == 0 && (d == ':' || (d == '!' && j + 1 < body.size() && body[j + 1] != '='))) {
        break;
      }
      ++j;
    }
    if (j >= body.size()) {
      fail(i, "expecting '}'");
      return;
    }
    std::string_view expr_text = std::string_view(body).substr(expr_begin, j - expr_begin);
    if (expr_text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      fail(i, "empty expression not allowed");
      return;
    }
    size_t last = expr_text.find_last_not_of(" \t\r\n");
    if (expr_text[last] == '=' && (last == 0 || std::string_view("=!<>").find(expr_text[last - 1]) == std::string_view::npos)) {
      fail(expr_begin + last, "self-documenting expressions ('{x=}') are not supported");
      return;
    }
    FStringPart part;
    {
      std::vector<Token> sub = lex_fragment(expr_text, base + static_cast<uint32_t>(expr_begin), diags_);
      Parser p(sub, file_, diags_, nesting_ + 1);
      part.value = p.parse_fragment_expression();
    }
    if (body[j] == '!') {
      if (j + 1 >= body.size() || std::string_view("rsa").find(body[j + 1]) == std::string_view::npos) {
        fail(j, "invalid conversion character: expected 's', 'r', or 'a'");
        return;
      }
      part.conversion = body[j + 1];
      j += 2;
    }
    if (j < body.size() && body[j] == ':') {
      size_t spec_begin = j + 1;
      ++j;
      while (j < body.size() && body[j] != '}') {
        if (body[j] == '{') {
          fail(j, "nested replacement fields in format specifications are not supported");
          return;
        }
        ++j;
      }
      part.spec = body.substr(spec_begin, j - spec_begin);
    }
    if (j >= body.size() || body[j] != '}') {
      fail(j < body.size() ? j : body.size() - 1, "expecting '}'");
      return;
    }
    out.parts.push_back(std::move(part));
    i = j + 1;
    literal_begin = i;
  }
  take_literal(body.size());
  flush();
}

ExprPtr Parser::parse_fragment_expression() {
  if (nesting_ > kMaxParseNesting) {
    diags_.report(DiagId::NestingTooDeep, cur().range, {std::to_string(kMaxParseNesting)});
    return error_expr();
  }
  ExprPtr e = parse_star_expressions();
  if (!panic_ && !at(Tok::EndOfFile)) {
    diags_.report(DiagId::FStringError, cur().range, {"unexpected " + describe_token(cur())});
  }
  return e;
}

}  // namespace

ast::Module parse(const std::vector<Token>& tokens, const SourceFile& file, Diagnostics& diags) {
  Parser parser(tokens, file, diags);
  for (const Diagnostic& d : diags.all())
    if (d.id == DiagId::UnclosedBracket) parser.mute_after_ = std::min(parser.mute_after_, d.range.begin);
  return parser.parse_module();
}

ast::ExprPtr parse_expression_text(std::string_view text, uint32_t base, const SourceFile& file, Diagnostics& diags) {
  std::vector<Token> tokens = lex_fragment(text, base, diags);
  return Parser(tokens, file, diags).parse_fragment_expression();
}

ast::Module parse_source(const SourceFile& file, Diagnostics& diags) {
  std::vector<Token> tokens = lex(file, diags);
  return parse(tokens, file, diags);
}

}  // namespace nk
