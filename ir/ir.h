// The typed IR: what type inference produces and codegen consumes. Nodes are
// immutable, shared, and built through the make_* factories, which check that operand
// types agree (a broken invariant is an internal error, not undefined behaviour).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "frontend/operators.h"
#include "frontend/source.h"
#include "ir/builtins.h"
#include "ir/types.h"

namespace nk::ir {

enum class ExprKind {
#define EXPR(kind) kind,
#define STMT(kind)
#include "ir/ir.def"
#undef EXPR
#undef STMT
};

enum class StmtKind {
#define EXPR(kind)
#define STMT(kind) kind,
#include "ir/ir.def"
#undef EXPR
#undef STMT
};

struct Function;

struct Expr {
  Expr(ExprKind k, const Type* t, SourceRange r) : kind(k), type(t), range(r) {}
  virtual ~Expr() = default;
  const ExprKind kind;
  const Type* const type;
  const SourceRange range;
  template <class T> const T& as() const { return static_cast<const T&>(*this); }
};
using ExprRef = std::shared_ptr<const Expr>;

struct Stmt {
  Stmt(StmtKind k, SourceRange r) : kind(k), range(r) {}
  virtual ~Stmt() = default;
  const StmtKind kind;
  const SourceRange range;
  template <class T> const T& as() const { return static_cast<const T&>(*this); }
};
using StmtRef = std::shared_ptr<const Stmt>;

// ---- expressions ----
struct ConstExpr : Expr {
  ConstExpr(const Type* t, SourceRange r, int64_t i, double f) : Expr(ExprKind::Const, t, r), int_value(i), float_value(f) {}
  int64_t int_value;   // bool and integer types (unsigned values bit-cast)
  double float_value;  // float types
};
struct StrConstExpr : Expr {
  StrConstExpr(SourceRange r, std::string v) : Expr(ExprKind::StrConst, string_type(), r), value(std::move(v)) {}
  std::string value;
};
struct LocalExpr : Expr {
  LocalExpr(const Type* t, SourceRange r, int index) : Expr(ExprKind::Local, t, r), index(index) {}
  int index;
};
struct CastExpr : Expr {
  CastExpr(const Type* t, SourceRange r, ExprRef v) : Expr(ExprKind::Cast, t, r), value(std::move(v)) {}
  ExprRef value;
};
struct UnaryExpr : Expr {
  UnaryExpr(const Type* t, SourceRange r, UnaryOp op, ExprRef v) : Expr(ExprKind::Unary, t, r), op(op), operand(std::move(v)) {}
  UnaryOp op;
  ExprRef operand;
};
// Semantics by operator (see operators.def): TrueDiv only on floats (the checker casts
// ints to float64 first); FloorDiv and Mod round toward -inf like Python; Pow on ints
// with a negative exponent raises ValueError; by zero, error_model decides.
struct BinaryExpr : Expr {
  BinaryExpr(const Type* t, SourceRange r, BinaryOp op, ExprRef a, ExprRef b)
      : Expr(ExprKind::Binary, t, r), op(op), lhs(std::move(a)), rhs(std::move(b)) {}
  BinaryOp op;
  ExprRef lhs, rhs;
};
struct CompareExpr : Expr {
  CompareExpr(SourceRange r, CompareOp op, ExprRef a, ExprRef b)
      : Expr(ExprKind::Compare, bool_type(), r), op(op), lhs(std::move(a)), rhs(std::move(b)) {}
  CompareOp op;
  ExprRef lhs, rhs;
};
// `a and b` yields a if a is falsy, else b; `a or b` yields a if a is truthy, else b.
struct LogicalExpr : Expr {
  LogicalExpr(const Type* t, SourceRange r, BoolOpKind op, ExprRef a, ExprRef b)
      : Expr(ExprKind::Logical, t, r), op(op), lhs(std::move(a)), rhs(std::move(b)) {}
  BoolOpKind op;
  ExprRef lhs, rhs;
};
struct SelectExpr : Expr {
  SelectExpr(const Type* t, SourceRange r, ExprRef c, ExprRef a, ExprRef b)
      : Expr(ExprKind::Select, t, r), cond(std::move(c)), then_value(std::move(a)), else_value(std::move(b)) {}
  ExprRef cond, then_value, else_value;
};
struct IntrinsicExpr : Expr {
  IntrinsicExpr(const Type* t, SourceRange r, Intrinsic id, std::vector<ExprRef> args)
      : Expr(ExprKind::Intrinsic, t, r), id(id), args(std::move(args)) {}
  Intrinsic id;
  std::vector<ExprRef> args;
};
// A call; with launch dimensions, the launch of a CUDA kernel from the host,
// kernel[blocks, threads](args): its array arguments may be host arrays (copied to the
// GPU and back) or device arrays, whatever the kernel's (host) parameter types say.
struct CallExpr : Expr {
  CallExpr(const Type* t, SourceRange r, const Function* callee, std::vector<ExprRef> args,
           std::vector<ExprRef> launch = {})
      : Expr(ExprKind::Call, t, r), callee(callee), args(std::move(args)), launch(std::move(launch)) {}
  const Function* callee;
  std::vector<ExprRef> args;
  std::vector<ExprRef> launch;  // empty, or int64 grid x, y, z, then block x, y, z
};
struct LoadExpr : Expr {
  LoadExpr(const Type* t, SourceRange r, ExprRef a, std::vector<ExprRef> idx)
      : Expr(ExprKind::Load, t, r), array(std::move(a)), indices(std::move(idx)) {}
  ExprRef array;
  std::vector<ExprRef> indices;
};
// One entry per indexed dimension of a view: an int64 index (drops the dimension), or
// a slice whose bounds and step may each be absent.
struct ViewIndex {
  bool is_slice = false;
  ExprRef index;
  ExprRef lo, hi, step;
};
struct ViewExpr : Expr {
  ViewExpr(const Type* t, SourceRange r, ExprRef a, std::vector<ViewIndex> dims)
      : Expr(ExprKind::View, t, r), array(std::move(a)), dims(std::move(dims)) {}
  ExprRef array;
  std::vector<ViewIndex> dims;  // leading dimensions; the rest are kept whole
};
struct ArrayDimExpr : Expr {
  ArrayDimExpr(SourceRange r, ExprRef a, int dim) : Expr(ExprKind::ArrayDim, int64(), r), array(std::move(a)), dim(dim) {}
  ExprRef array;
  int dim;  // -1: total size
};
struct MakeTupleExpr : Expr {
  MakeTupleExpr(const Type* t, SourceRange r, std::vector<ExprRef> e) : Expr(ExprKind::MakeTuple, t, r), elements(std::move(e)) {}
  std::vector<ExprRef> elements;
};
struct TupleGetExpr : Expr {
  TupleGetExpr(const Type* t, SourceRange r, ExprRef tuple, int index)
      : Expr(ExprKind::TupleGet, t, r), tuple(std::move(tuple)), index(index) {}
  ExprRef tuple;
  int index;
};
enum class NewArrayKind { Empty, Zeros, Ones, Full, Arange, Linspace };
const char* new_array_name(NewArrayKind k);
// shape: one int64 per dimension. args: Full: fill value; Arange: start, step (int64 or
// float64, the element count is shape[0]); Linspace: start, stop (float64).
struct NewArrayExpr : Expr {
  NewArrayExpr(const Type* t, SourceRange r, NewArrayKind k, std::vector<ExprRef> shape, std::vector<ExprRef> args)
      : Expr(ExprKind::NewArray, t, r), array_kind(k), shape(std::move(shape)), args(std::move(args)) {}
  NewArrayKind array_kind;
  std::vector<ExprRef> shape;
  std::vector<ExprRef> args;
};
struct FormatPart {
  std::string literal;  // when value is null
  ExprRef value;
  std::string spec;     // Python format spec ("" for str())
  char conversion = 0;  // 'r', 's', 'a' or 0
};
struct FormatExpr : Expr {
  FormatExpr(SourceRange r, std::vector<FormatPart> parts) : Expr(ExprKind::Format, string_type(), r), parts(std::move(parts)) {}
  std::vector<FormatPart> parts;
};
struct LetExpr : Expr {
  LetExpr(SourceRange r, int local, ExprRef v, ExprRef body)
      : Expr(ExprKind::Let, body->type, r), local(local), value(std::move(v)), body(std::move(body)) {}
  int local;
  ExprRef value, body;
};

// ---- statements ----
struct BlockStmt : Stmt {
  BlockStmt(SourceRange r, std::vector<StmtRef> s) : Stmt(StmtKind::Block, r), stmts(std::move(s)) {}
  std::vector<StmtRef> stmts;
};
struct AssignStmt : Stmt {
  AssignStmt(SourceRange r, int local, ExprRef v) : Stmt(StmtKind::Assign, r), local(local), value(std::move(v)) {}
  int local;
  ExprRef value;
};
struct StoreStmt : Stmt {
  StoreStmt(SourceRange r, ExprRef a, std::vector<ExprRef> idx, ExprRef v)
      : Stmt(StmtKind::Store, r), array(std::move(a)), indices(std::move(idx)), value(std::move(v)) {}
  ExprRef array;
  std::vector<ExprRef> indices;
  ExprRef value;
};
struct EvalStmt : Stmt {
  EvalStmt(SourceRange r, ExprRef e) : Stmt(StmtKind::Eval, r), expr(std::move(e)) {}
  ExprRef expr;
};
struct IfStmt : Stmt {
  IfStmt(SourceRange r, ExprRef c, StmtRef t, StmtRef e)
      : Stmt(StmtKind::If, r), cond(std::move(c)), then_body(std::move(t)), else_body(std::move(e)) {}
  ExprRef cond;
  StmtRef then_body, else_body;  // else_body may be null
};
struct WhileStmt : Stmt {
  WhileStmt(SourceRange r, ExprRef c, StmtRef b) : Stmt(StmtKind::While, r), cond(std::move(c)), body(std::move(b)) {}
  ExprRef cond;
  StmtRef body;
};
// Python's range semantics: start/stop/step evaluated once; the local takes each value
// in turn and keeps the last one after the loop; assigning it in the body does not
// change the iteration. parallel: a prange loop (see SPEC 2.6).
struct ForRangeStmt : Stmt {
  ForRangeStmt(SourceRange r, int local, ExprRef start, ExprRef stop, ExprRef step, StmtRef body, bool parallel)
      : Stmt(StmtKind::ForRange, r), local(local), start(std::move(start)), stop(std::move(stop)),
        step(std::move(step)), body(std::move(body)), parallel(parallel) {}
  int local;
  ExprRef start, stop, step;
  StmtRef body;
  bool parallel;
};
struct BreakStmt : Stmt {
  explicit BreakStmt(SourceRange r) : Stmt(StmtKind::Break, r) {}
};
struct ContinueStmt : Stmt {
  explicit ContinueStmt(SourceRange r) : Stmt(StmtKind::Continue, r) {}
};
struct ReturnStmt : Stmt {
  ReturnStmt(SourceRange r, ExprRef v) : Stmt(StmtKind::Return, r), value(std::move(v)) {}
  ExprRef value;  // null for a bare return
};
struct RaiseStmt : Stmt {
  RaiseStmt(SourceRange r, std::string exc, ExprRef msg)
      : Stmt(StmtKind::Raise, r), exception(std::move(exc)), message(std::move(msg)) {}
  std::string exception;  // "ValueError", ...
  ExprRef message;        // str, may be null
};
struct AssertStmt : Stmt {
  AssertStmt(SourceRange r, ExprRef c, ExprRef msg) : Stmt(StmtKind::Assert, r), cond(std::move(c)), message(std::move(msg)) {}
  ExprRef cond;
  ExprRef message;  // may be null
};
struct PrintStmt : Stmt {
  PrintStmt(SourceRange r, std::vector<ExprRef> a, ExprRef sep, ExprRef end)
      : Stmt(StmtKind::Print, r), args(std::move(a)), sep(std::move(sep)), end(std::move(end)) {}
  std::vector<ExprRef> args;
  ExprRef sep, end;  // str
};

// ---- functions and programs ----
enum class Target { Host, Cpu, CudaAuto, CudaKernel, CudaDevice };
const char* target_name(Target t);

struct FunctionOptions {
  bool parallel = false;
  bool fastmath = false;
  bool cache = false;
  bool boundscheck = true;
  bool error_model_numpy = false;  // false: "python" (raise on division by zero)
};

struct Local {
  enum Kind { Param, Var, Temp };
  std::string name;
  const Type* type;
  Kind kind;
  SourceRange first_def;
};

// One specialisation of a source function for one signature (or the host program).
struct Function {
  std::string name;
  Target target = Target::Cpu;
  FunctionOptions options;
  std::vector<const Type*> params;
  const Type* return_type = nullptr;
  std::vector<Local> locals;  // parameters first, in order
  StmtRef body;
  SourceRange range;
  std::string signature() const;  // "(array(float64, 1d, C), int64) -> float64"
};

struct Program {
  std::vector<std::unique_ptr<Function>> functions;  // in order of specialisation
  const Function* host = nullptr;
  const Function* requested = nullptr;  // CheckOptions::function's specialisation
};

// ---- factories (check operand types) ----
ExprRef make_const_int(const Type* t, int64_t v, SourceRange r);
ExprRef make_const_float(const Type* t, double v, SourceRange r);
ExprRef make_const_bool(bool v, SourceRange r);
ExprRef make_cast(ExprRef v, const Type* to);  // returns v when already of type `to`
ExprRef make_unary(UnaryOp op, ExprRef v, const Type* result, SourceRange r);
ExprRef make_binary(BinaryOp op, ExprRef a, ExprRef b, SourceRange r);
ExprRef make_compare(CompareOp op, ExprRef a, ExprRef b, SourceRange r);
ExprRef make_logical(BoolOpKind op, ExprRef a, ExprRef b, SourceRange r);
ExprRef make_select(ExprRef c, ExprRef a, ExprRef b, SourceRange r);
ExprRef make_load(ExprRef array, std::vector<ExprRef> indices, SourceRange r);

}  // namespace nk::ir
