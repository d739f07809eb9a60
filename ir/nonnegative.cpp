#include "ir/nonnegative.h"

#include <functional>

#include "ir/walk.h"

namespace nk::ir {

bool is_nonnegative(const Expr& e, const std::vector<bool>& nonnegative) {
  if (e.type != int64()) return false;
  switch (e.kind) {
    case ExprKind::Const: return e.as<ConstExpr>().int_value >= 0;
    case ExprKind::ArrayDim: return true;
    case ExprKind::Local: {
      auto l = static_cast<size_t>(e.as<LocalExpr>().index);
      return l < nonnegative.size() && nonnegative[l];
    }
    case ExprKind::Binary: {
      const auto& b = e.as<BinaryExpr>();
      auto positive_const = [](const Expr& x) { return x.kind == ExprKind::Const && x.as<ConstExpr>().int_value > 0; };
      switch (b.op) {
        // A sum of two non-negative int64 values wraps negative only above 2**63: no
        // loop over a range or an array gets there.
        case BinaryOp::Add: return is_nonnegative(*b.lhs, nonnegative) && is_nonnegative(*b.rhs, nonnegative);
        // Python's // by a positive number keeps a dividend's sign; % by a positive
        // number is in [0, d) whatever the dividend.
        case BinaryOp::FloorDiv: return positive_const(*b.rhs) && is_nonnegative(*b.lhs, nonnegative);
        case BinaryOp::Mod: return positive_const(*b.rhs);
        default: return false;
      }
    }
    default: return false;
  }
}

std::vector<bool> nonnegative_locals(const Function& f) {
  // Every definition of each local: the assigned value, or the loop over it.
  struct Def {
    const Expr* value = nullptr;       // an assignment or a let
    const ForRangeStmt* loop = nullptr;
  };
  std::vector<std::vector<Def>> defs(f.locals.size());
  std::function<void(const Stmt&)> scan = [&](const Stmt& s) {
    if (s.kind == StmtKind::Assign) {
      const auto& a = s.as<AssignStmt>();
      defs[static_cast<size_t>(a.local)].push_back({a.value.get(), nullptr});
    } else if (s.kind == StmtKind::ForRange) {
      const auto& l = s.as<ForRangeStmt>();
      defs[static_cast<size_t>(l.local)].push_back({nullptr, &l});
    }
    for_each_child(s, [](const Expr&) {}, scan);
  };
  if (f.body) {
    scan(*f.body);
    walk_exprs(*f.body, [&](const Expr& e) {
      if (e.kind == ExprKind::Let) defs[static_cast<size_t>(e.as<LetExpr>().local)].push_back({e.as<LetExpr>().value.get(), nullptr});
    });
  }
  // Least fixed point: a local joins once all its definitions are proven from locals
  // already in, so a local defined from itself (k = k + 1, which may overflow) never does.
  std::vector<bool> in(f.locals.size(), false);
  auto proven = [&](const Def& d) {
    if (d.value) return is_nonnegative(*d.value, in);
    const Expr& step = *d.loop->step;
    return step.kind == ExprKind::Const && step.as<ConstExpr>().int_value > 0 && is_nonnegative(*d.loop->start, in);
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t l = 0; l < f.locals.size(); ++l) {
      if (in[l] || f.locals[l].kind == Local::Param || f.locals[l].type != int64() || defs[l].empty()) continue;
      bool all = true;
      for (const Def& d : defs[l]) all = all && proven(d);
      if (all) in[l] = changed = true;
    }
  }
  return in;
}

}  // namespace nk::ir
