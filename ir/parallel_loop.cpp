// Finds a prange body's assigned locals and its reductions: a local is a reduction when
// every assignment to it has the form `s = s OP e` (or min/max) with one OP class, and
// it is read nowhere else in the body.
#include "ir/parallel_loop.h"

#include <optional>

#include "ir/walk.h"

namespace nk::ir {
namespace {

class Analysis {
 public:
  ParallelLoop run(const ForRangeStmt& loop) {
    result_.assigned.insert(loop.local);
    stmt(*loop.body);
    for (int v : result_.assigned) {
      auto it = ops_.find(v);
      if (it == ops_.end() || !it->second || other_reads_.count(v)) continue;
      result_.reductions[v] = *it->second;
    }
    return result_;
  }

 private:
  void reads(const Expr& e) {
    walk_expr(e, [&](const Expr& x) {
      if (x.kind == ExprKind::Local) other_reads_.insert(x.as<LocalExpr>().index);
      if (x.kind == ExprKind::Let) result_.assigned.insert(x.as<LetExpr>().local);
    });
  }

  // The reduction an assignment `v = value` performs, if it has that shape.
  std::optional<ReductionOp> reduction_of(int v, const Expr& value) {
    auto is_v = [&](const ExprRef& e) { return e->kind == ExprKind::Local && e->as<LocalExpr>().index == v; };
    if (value.kind == ExprKind::Binary) {
      const auto& b = value.as<BinaryExpr>();
      if (!is_v(b.lhs)) return std::nullopt;
      reads(*b.rhs);
      switch (b.op) {
        case BinaryOp::Add:
        case BinaryOp::Sub: return ReductionOp::Add;  // partial sums start at 0 either way
        case BinaryOp::Mul: return ReductionOp::Mul;
        case BinaryOp::BitOr: return ReductionOp::BitOr;
        case BinaryOp::BitAnd: return ReductionOp::BitAnd;
        case BinaryOp::BitXor: return ReductionOp::BitXor;
        default: return std::nullopt;
      }
    }
    if (value.kind == ExprKind::Intrinsic) {
      const auto& in = value.as<IntrinsicExpr>();
      if ((in.id != Intrinsic::Min && in.id != Intrinsic::Max) || in.args.size() != 2) return std::nullopt;
      const ExprRef& other = is_v(in.args[0]) ? in.args[1] : is_v(in.args[1]) ? in.args[0] : nullptr;
      if (!other) return std::nullopt;
      reads(*other);
      return in.id == Intrinsic::Min ? ReductionOp::Min : ReductionOp::Max;
    }
    return std::nullopt;
  }

  void assign(int v, const Expr& value) {
    result_.assigned.insert(v);
    std::optional<ReductionOp> op = reduction_of(v, value);
    if (!op) {
      reads(value);
      ops_[v] = std::nullopt;
      return;
    }
    auto it = ops_.find(v);
    if (it == ops_.end()) ops_[v] = op;
    else if (it->second != op) it->second = std::nullopt;
  }

  void stmt(const Stmt& s) {
    if (s.kind == StmtKind::Assign) {
      assign(s.as<AssignStmt>().local, *s.as<AssignStmt>().value);
      return;
    }
    if (s.kind == StmtKind::ForRange) {
      // An inner loop's variable is assigned (and never a reduction).
      int v = s.as<ForRangeStmt>().local;
      result_.assigned.insert(v);
      ops_[v] = std::nullopt;
    }
    for_each_child(s, [&](const Expr& e) { reads(e); }, [&](const Stmt& x) { stmt(x); });
  }

  ParallelLoop result_;
  std::map<int, std::optional<ReductionOp>> ops_;
  std::set<int> other_reads_;
};

}  // namespace

ParallelLoop analyze_parallel_loop(const ForRangeStmt& loop) { return Analysis().run(loop); }

}  // namespace nk::ir
