// The abstract syntax tree of a .nk module: what the parser produces and the type
// checker consumes. Nodes own their children; every node has a source range.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "frontend/operators.h"
#include "frontend/source.h"

namespace nk::ast {

enum class ExprKind {
#define EXPR(kind) kind,
#define STMT(kind)
#include "frontend/ast.def"
#undef EXPR
#undef STMT
};

enum class StmtKind {
#define EXPR(kind)
#define STMT(kind) kind,
#include "frontend/ast.def"
#undef EXPR
#undef STMT
};

const char* kind_name(ExprKind k);
const char* kind_name(StmtKind k);

struct Expr {
  Expr(ExprKind k, SourceRange r) : kind(k), range(r) {}
  virtual ~Expr() = default;
  const ExprKind kind;
  SourceRange range;
  uint32_t depth = 1;  // height of this subtree, kept bounded by the parser
  template <class T> const T& as() const { return static_cast<const T&>(*this); }
};
using ExprPtr = std::unique_ptr<Expr>;

struct Stmt {
  Stmt(StmtKind k, SourceRange r) : kind(k), range(r) {}
  virtual ~Stmt() = default;
  const StmtKind kind;
  SourceRange range;
  template <class T> const T& as() const { return static_cast<const T&>(*this); }
};
using StmtPtr = std::unique_ptr<Stmt>;
using Block = std::vector<StmtPtr>;

// ---- expressions ----
struct NameExpr : Expr {
  NameExpr(SourceRange r, std::string id) : Expr(ExprKind::Name, r), id(std::move(id)) {}
  std::string id;
};
struct IntLitExpr : Expr {
  IntLitExpr(SourceRange r, int64_t v) : Expr(ExprKind::IntLit, r), value(v) {}
  int64_t value;
};
struct FloatLitExpr : Expr {
  FloatLitExpr(SourceRange r, double v) : Expr(ExprKind::FloatLit, r), value(v) {}
  double value;
};
struct BoolLitExpr : Expr {
  BoolLitExpr(SourceRange r, bool v) : Expr(ExprKind::BoolLit, r), value(v) {}
  bool value;
};
struct NoneLitExpr : Expr {
  explicit NoneLitExpr(SourceRange r) : Expr(ExprKind::NoneLit, r) {}
};
struct StrLitExpr : Expr {
  StrLitExpr(SourceRange r, std::string v) : Expr(ExprKind::StrLit, r), value(std::move(v)) {}
  std::string value;
};
// One piece of an f-string: literal text, or a formatted value {expr!conv:spec}.
struct FStringPart {
  std::string literal;  // when value is null
  ExprPtr value;
  char conversion = 0;  // 'r', 's', 'a' or 0
  std::string spec;     // the format spec after ':', without nested fields
};
struct FStringExpr : Expr {
  FStringExpr(SourceRange r) : Expr(ExprKind::FString, r) {}
  std::vector<FStringPart> parts;
};
struct UnaryExpr : Expr {
  UnaryExpr(SourceRange r, UnaryOp op, ExprPtr operand)
      : Expr(ExprKind::Unary, r), op(op), operand(std::move(operand)) {}
  UnaryOp op;
  ExprPtr operand;
};
struct BinaryExpr : Expr {
  BinaryExpr(SourceRange r, BinaryOp op, ExprPtr lhs, ExprPtr rhs, SourceRange op_range)
      : Expr(ExprKind::Binary, r), op(op), lhs(std::move(lhs)), rhs(std::move(rhs)), op_range(op_range) {}
  BinaryOp op;
  ExprPtr lhs, rhs;
  SourceRange op_range;
};
struct BoolOpExpr : Expr {
  BoolOpExpr(SourceRange r, BoolOpKind op, ExprPtr lhs, ExprPtr rhs)
      : Expr(ExprKind::BoolOp, r), op(op), lhs(std::move(lhs)), rhs(std::move(rhs)) {}
  BoolOpKind op;
  ExprPtr lhs, rhs;
};
struct CompareExpr : Expr {
  explicit CompareExpr(SourceRange r) : Expr(ExprKind::Compare, r) {}
  std::vector<ExprPtr> operands;  // n + 1 operands for n operators
  std::vector<CompareOp> ops;
  std::vector<SourceRange> op_ranges;
};
struct IfExpExpr : Expr {
  IfExpExpr(SourceRange r, ExprPtr cond, ExprPtr then_value, ExprPtr else_value)
      : Expr(ExprKind::IfExp, r), cond(std::move(cond)), then_value(std::move(then_value)),
        else_value(std::move(else_value)) {}
  ExprPtr cond, then_value, else_value;
};
struct Keyword {
  std::string name;
  SourceRange name_range;
  ExprPtr value;
};
struct CallExpr : Expr {
  CallExpr(SourceRange r, ExprPtr callee) : Expr(ExprKind::Call, r), callee(std::move(callee)) {}
  ExprPtr callee;
  std::vector<ExprPtr> args;
  std::vector<Keyword> keywords;
};
struct AttributeExpr : Expr {
  AttributeExpr(SourceRange r, ExprPtr value, std::string attr, SourceRange attr_range)
      : Expr(ExprKind::Attribute, r), value(std::move(value)), attr(std::move(attr)), attr_range(attr_range) {}
  ExprPtr value;
  std::string attr;
  SourceRange attr_range;
};
struct SubscriptExpr : Expr {
  SubscriptExpr(SourceRange r, ExprPtr value) : Expr(ExprKind::Subscript, r), value(std::move(value)) {}
  ExprPtr value;
  std::vector<ExprPtr> indices;  // a[i, j] has two; a slice is a SliceExpr
};
struct SliceExpr : Expr {
  SliceExpr(SourceRange r, ExprPtr lo, ExprPtr hi, ExprPtr step)
      : Expr(ExprKind::Slice, r), lo(std::move(lo)), hi(std::move(hi)), step(std::move(step)) {}
  ExprPtr lo, hi, step;  // each may be null
};
struct TupleExpr : Expr {
  explicit TupleExpr(SourceRange r) : Expr(ExprKind::Tuple, r) {}
  std::vector<ExprPtr> elements;
};
struct ListExpr : Expr {
  explicit ListExpr(SourceRange r) : Expr(ExprKind::List, r) {}
  std::vector<ExprPtr> elements;
};
struct ErrorExpr : Expr {
  explicit ErrorExpr(SourceRange r) : Expr(ExprKind::Error, r) {}
};

// ---- statements ----
struct ExprStmt : Stmt {
  ExprStmt(SourceRange r, ExprPtr e) : Stmt(StmtKind::Expr, r), expr(std::move(e)) {}
  ExprPtr expr;
};
struct AssignStmt : Stmt {
  explicit AssignStmt(SourceRange r) : Stmt(StmtKind::Assign, r) {}
  std::vector<ExprPtr> targets;  // a = b = v has two targets
  ExprPtr value;
};
struct AugAssignStmt : Stmt {
  AugAssignStmt(SourceRange r, ExprPtr target, BinaryOp op, ExprPtr value, SourceRange op_range)
      : Stmt(StmtKind::AugAssign, r), target(std::move(target)), op(op), value(std::move(value)), op_range(op_range) {}
  ExprPtr target;
  BinaryOp op;
  ExprPtr value;
  SourceRange op_range;
};
struct AnnAssignStmt : Stmt {
  AnnAssignStmt(SourceRange r, ExprPtr target, ExprPtr annotation, ExprPtr value)
      : Stmt(StmtKind::AnnAssign, r), target(std::move(target)), annotation(std::move(annotation)),
        value(std::move(value)) {}
  ExprPtr target, annotation, value;  // value may be null
};
struct ReturnStmt : Stmt {
  ReturnStmt(SourceRange r, ExprPtr v) : Stmt(StmtKind::Return, r), value(std::move(v)) {}
  ExprPtr value;  // may be null
};
struct PassStmt : Stmt {
  explicit PassStmt(SourceRange r) : Stmt(StmtKind::Pass, r) {}
};
struct BreakStmt : Stmt {
  explicit BreakStmt(SourceRange r) : Stmt(StmtKind::Break, r) {}
};
struct ContinueStmt : Stmt {
  explicit ContinueStmt(SourceRange r) : Stmt(StmtKind::Continue, r) {}
};
struct IfStmt : Stmt {
  IfStmt(SourceRange r, ExprPtr cond) : Stmt(StmtKind::If, r), cond(std::move(cond)) {}
  ExprPtr cond;
  Block then_body, else_body;
};
struct WhileStmt : Stmt {
  WhileStmt(SourceRange r, ExprPtr cond) : Stmt(StmtKind::While, r), cond(std::move(cond)) {}
  ExprPtr cond;
  Block body;
};
struct ForStmt : Stmt {
  ForStmt(SourceRange r, ExprPtr target, ExprPtr iter)
      : Stmt(StmtKind::For, r), target(std::move(target)), iter(std::move(iter)) {}
  ExprPtr target, iter;
  Block body;
};
struct RaiseStmt : Stmt {
  RaiseStmt(SourceRange r, ExprPtr e) : Stmt(StmtKind::Raise, r), exception(std::move(e)) {}
  ExprPtr exception;  // may be null (bare raise: rejected by the checker)
};
struct AssertStmt : Stmt {
  AssertStmt(SourceRange r, ExprPtr cond, ExprPtr msg)
      : Stmt(StmtKind::Assert, r), cond(std::move(cond)), message(std::move(msg)) {}
  ExprPtr cond, message;  // message may be null
};
struct Param {
  std::string name;
  SourceRange range;
  ExprPtr annotation;  // may be null
};
struct Decorator {
  SourceRange range;
  ExprPtr expr;  // njit, jit(...), cuda.jit, cuda.jit(device=True)
};
struct FunctionDefStmt : Stmt {
  FunctionDefStmt(SourceRange r, std::string name, SourceRange name_range)
      : Stmt(StmtKind::FunctionDef, r), name(std::move(name)), name_range(name_range) {}
  std::string name;
  SourceRange name_range;
  std::vector<Decorator> decorators;
  std::vector<Param> params;
  ExprPtr returns;  // may be null
  Block body;
  bool has_syntax_errors = false;  // statements of its body were skipped
};
struct ImportAlias {
  std::string name;  // dotted for `import a.b`
  std::string asname;  // empty when absent
  SourceRange range;
};
struct ImportStmt : Stmt {
  explicit ImportStmt(SourceRange r) : Stmt(StmtKind::Import, r) {}
  std::vector<ImportAlias> names;
};
struct ImportFromStmt : Stmt {
  explicit ImportFromStmt(SourceRange r) : Stmt(StmtKind::ImportFrom, r) {}
  std::string module;
  SourceRange module_range;
  std::vector<ImportAlias> names;
};
struct ErrorStmt : Stmt {
  explicit ErrorStmt(SourceRange r) : Stmt(StmtKind::Error, r) {}
};

struct Module {
  Block body;
};

}  // namespace nk::ast
