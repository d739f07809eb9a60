// The generic walks of walk.h: one switch per node family, here only.
#include "ir/walk.h"

namespace nk::ir {

void for_each_operand(const Expr& e, const ExprVisitor& f) {
  auto sub = [&](const ExprRef& x) {
    if (x) f(*x);
  };
  switch (e.kind) {
    case ExprKind::Const:
    case ExprKind::StrConst:
    case ExprKind::Local: return;
    case ExprKind::Cast: sub(e.as<CastExpr>().value); return;
    case ExprKind::Unary: sub(e.as<UnaryExpr>().operand); return;
    case ExprKind::Binary: sub(e.as<BinaryExpr>().lhs); sub(e.as<BinaryExpr>().rhs); return;
    case ExprKind::Compare: sub(e.as<CompareExpr>().lhs); sub(e.as<CompareExpr>().rhs); return;
    case ExprKind::Logical: sub(e.as<LogicalExpr>().lhs); sub(e.as<LogicalExpr>().rhs); return;
    case ExprKind::Select:
      sub(e.as<SelectExpr>().cond);
      sub(e.as<SelectExpr>().then_value);
      sub(e.as<SelectExpr>().else_value);
      return;
    case ExprKind::Intrinsic: for (const auto& a : e.as<IntrinsicExpr>().args) sub(a); return;
    case ExprKind::Call:
      for (const auto& d : e.as<CallExpr>().launch) sub(d);
      for (const auto& a : e.as<CallExpr>().args) sub(a);
      return;
    case ExprKind::Load:
      sub(e.as<LoadExpr>().array);
      for (const auto& i : e.as<LoadExpr>().indices) sub(i);
      return;
    case ExprKind::View:
      sub(e.as<ViewExpr>().array);
      for (const auto& d : e.as<ViewExpr>().dims) {
        sub(d.index);
        sub(d.lo);
        sub(d.hi);
        sub(d.step);
      }
      return;
    case ExprKind::ArrayDim: sub(e.as<ArrayDimExpr>().array); return;
    case ExprKind::MakeTuple: for (const auto& x : e.as<MakeTupleExpr>().elements) sub(x); return;
    case ExprKind::TupleGet: sub(e.as<TupleGetExpr>().tuple); return;
    case ExprKind::NewArray:
      for (const auto& x : e.as<NewArrayExpr>().shape) sub(x);
      for (const auto& x : e.as<NewArrayExpr>().args) sub(x);
      return;
    case ExprKind::Format: for (const auto& p : e.as<FormatExpr>().parts) sub(p.value); return;
    case ExprKind::Let: sub(e.as<LetExpr>().value); sub(e.as<LetExpr>().body); return;
  }
}

void for_each_child(const Stmt& s, const ExprVisitor& on_expr, const StmtVisitor& on_stmt) {
  auto e = [&](const ExprRef& x) {
    if (x) on_expr(*x);
  };
  auto st = [&](const StmtRef& x) {
    if (x) on_stmt(*x);
  };
  switch (s.kind) {
    case StmtKind::Block: for (const auto& x : s.as<BlockStmt>().stmts) st(x); return;
    case StmtKind::Assign: e(s.as<AssignStmt>().value); return;
    case StmtKind::Store:
      e(s.as<StoreStmt>().array);
      for (const auto& i : s.as<StoreStmt>().indices) e(i);
      e(s.as<StoreStmt>().value);
      return;
    case StmtKind::Eval: e(s.as<EvalStmt>().expr); return;
    case StmtKind::If: e(s.as<IfStmt>().cond); st(s.as<IfStmt>().then_body); st(s.as<IfStmt>().else_body); return;
    case StmtKind::While: e(s.as<WhileStmt>().cond); st(s.as<WhileStmt>().body); return;
    case StmtKind::ForRange: {
      const auto& r = s.as<ForRangeStmt>();
      e(r.start);
      e(r.stop);
      e(r.step);
      st(r.body);
      return;
    }
    case StmtKind::Break:
    case StmtKind::Continue: return;
    case StmtKind::Return: e(s.as<ReturnStmt>().value); return;
    case StmtKind::Raise: e(s.as<RaiseStmt>().message); return;
    case StmtKind::Assert: e(s.as<AssertStmt>().cond); e(s.as<AssertStmt>().message); return;
    case StmtKind::Print:
      for (const auto& a : s.as<PrintStmt>().args) e(a);
      e(s.as<PrintStmt>().sep);
      e(s.as<PrintStmt>().end);
      return;
  }
}

void walk_expr(const Expr& e, const ExprVisitor& f) {
  f(e);
  for_each_operand(e, [&](const Expr& x) { walk_expr(x, f); });
}

void walk_exprs(const Stmt& s, const ExprVisitor& f) {
  for_each_child(s, [&](const Expr& x) { walk_expr(x, f); }, [&](const Stmt& x) { walk_exprs(x, f); });
}

std::set<int> defined_locals(const Stmt& s) {
  std::set<int> defined;
  std::function<void(const Stmt&)> scan = [&](const Stmt& x) {
    if (x.kind == StmtKind::Assign) defined.insert(x.as<AssignStmt>().local);
    if (x.kind == StmtKind::ForRange) defined.insert(x.as<ForRangeStmt>().local);
    for_each_child(x, [](const Expr&) {}, scan);
  };
  scan(s);
  walk_exprs(s, [&](const Expr& e) {
    if (e.kind == ExprKind::Let) defined.insert(e.as<LetExpr>().local);
  });
  return defined;
}

bool contains_loop(const Stmt& s) {
  bool found = false;
  std::function<void(const Stmt&)> scan = [&](const Stmt& x) {
    if (x.kind == StmtKind::ForRange || x.kind == StmtKind::While) found = true;
    for_each_child(x, [](const Expr&) {}, scan);
  };
  for_each_child(s, [](const Expr&) {}, scan);
  return found;
}

void for_each_element_access(const Stmt& s, const AccessVisitor& f) {
  walk_exprs(s, [&](const Expr& e) {
    if (e.kind == ExprKind::Load) f(*e.as<LoadExpr>().array, e.as<LoadExpr>().indices, false);
  });
  std::function<void(const Stmt&)> stores = [&](const Stmt& x) {
    if (x.kind == StmtKind::Store) f(*x.as<StoreStmt>().array, x.as<StoreStmt>().indices, true);
    for_each_child(x, [](const Expr&) {}, stores);
  };
  stores(s);
}

}  // namespace nk::ir
