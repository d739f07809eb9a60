// Call-graph walks over the typed IR.
#include "ir/call_graph.h"

#include <functional>
#include <map>

namespace nk::ir {
namespace {

void calls_in_expr(const Expr& e, const std::function<void(const Function*)>& f);

void calls_in_stmt(const Stmt& s, const std::function<void(const Function*)>& f) {
  auto e = [&](const ExprRef& x) {
    if (x) calls_in_expr(*x, f);
  };
  auto st = [&](const StmtRef& x) {
    if (x) calls_in_stmt(*x, f);
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

void calls_in_expr(const Expr& e, const std::function<void(const Function*)>& f) {
  auto sub = [&](const ExprRef& x) {
    if (x) calls_in_expr(*x, f);
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
      f(e.as<CallExpr>().callee);
      for (const auto& a : e.as<CallExpr>().args) sub(a);
      return;
    case ExprKind::Load: sub(e.as<LoadExpr>().array); for (const auto& i : e.as<LoadExpr>().indices) sub(i); return;
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

}  // namespace

std::vector<const Function*> direct_callees(const Function& fn) {
  std::vector<const Function*> out;
  if (!fn.body) return out;
  calls_in_stmt(*fn.body, [&](const Function* callee) {
    for (const Function* seen : out)
      if (seen == callee) return;
    out.push_back(callee);
  });
  return out;
}

std::set<const Function*> recursive_functions(const Program& program) {
  std::map<const Function*, std::vector<const Function*>> edges;
  for (const auto& f : program.functions) edges[f.get()] = direct_callees(*f);
  std::set<const Function*> recursive;
  for (const auto& f : program.functions) {
    // Depth-first from f's callees: does any path come back to f?
    std::set<const Function*> seen;
    std::vector<const Function*> work(edges[f.get()].begin(), edges[f.get()].end());
    while (!work.empty()) {
      const Function* g = work.back();
      work.pop_back();
      if (g == f.get()) {
        recursive.insert(g);
        break;
      }
      if (!seen.insert(g).second) continue;
      for (const Function* h : edges[g]) work.push_back(h);
    }
  }
  return recursive;
}

}  // namespace nk::ir
