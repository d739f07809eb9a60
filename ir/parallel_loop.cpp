// Finds a prange body's assigned locals and its reductions: a local is a reduction when
// every assignment to it has the form `s = s OP e` (or min/max) with one OP class, and
// it is read nowhere else in the body.
#include "ir/parallel_loop.h"

#include <functional>
#include <optional>

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
    visit(e, [&](const Expr& x) {
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
    switch (s.kind) {
      case StmtKind::Block:
        for (const StmtRef& x : s.as<BlockStmt>().stmts) stmt(*x);
        return;
      case StmtKind::Assign: assign(s.as<AssignStmt>().local, *s.as<AssignStmt>().value); return;
      case StmtKind::Store: {
        const auto& st = s.as<StoreStmt>();
        reads(*st.array);
        for (const ExprRef& i : st.indices) reads(*i);
        reads(*st.value);
        return;
      }
      case StmtKind::Eval: reads(*s.as<EvalStmt>().expr); return;
      case StmtKind::If:
        reads(*s.as<IfStmt>().cond);
        stmt(*s.as<IfStmt>().then_body);
        if (s.as<IfStmt>().else_body) stmt(*s.as<IfStmt>().else_body);
        return;
      case StmtKind::While:
        reads(*s.as<WhileStmt>().cond);
        stmt(*s.as<WhileStmt>().body);
        return;
      case StmtKind::ForRange: {
        const auto& f = s.as<ForRangeStmt>();
        reads(*f.start);
        reads(*f.stop);
        reads(*f.step);
        result_.assigned.insert(f.local);
        ops_[f.local] = std::nullopt;
        stmt(*f.body);
        return;
      }
      case StmtKind::Break:
      case StmtKind::Continue: return;
      case StmtKind::Return:
        if (s.as<ReturnStmt>().value) reads(*s.as<ReturnStmt>().value);
        return;
      case StmtKind::Raise:
        if (s.as<RaiseStmt>().message) reads(*s.as<RaiseStmt>().message);
        return;
      case StmtKind::Assert:
        reads(*s.as<AssertStmt>().cond);
        if (s.as<AssertStmt>().message) reads(*s.as<AssertStmt>().message);
        return;
      case StmtKind::Print:
        for (const ExprRef& a : s.as<PrintStmt>().args) reads(*a);
        reads(*s.as<PrintStmt>().sep);
        reads(*s.as<PrintStmt>().end);
        return;
    }
  }

  static void visit(const Expr& e, const std::function<void(const Expr&)>& f) {
    f(e);
    auto sub = [&](const ExprRef& x) {
      if (x) visit(*x, f);
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
      case ExprKind::Intrinsic: for (const ExprRef& a : e.as<IntrinsicExpr>().args) sub(a); return;
      case ExprKind::Call: for (const ExprRef& a : e.as<CallExpr>().args) sub(a); return;
      case ExprKind::Load:
        sub(e.as<LoadExpr>().array);
        for (const ExprRef& i : e.as<LoadExpr>().indices) sub(i);
        return;
      case ExprKind::View:
        sub(e.as<ViewExpr>().array);
        for (const ViewIndex& d : e.as<ViewExpr>().dims) {
          sub(d.index);
          sub(d.lo);
          sub(d.hi);
          sub(d.step);
        }
        return;
      case ExprKind::ArrayDim: sub(e.as<ArrayDimExpr>().array); return;
      case ExprKind::MakeTuple: for (const ExprRef& x : e.as<MakeTupleExpr>().elements) sub(x); return;
      case ExprKind::TupleGet: sub(e.as<TupleGetExpr>().tuple); return;
      case ExprKind::NewArray:
        for (const ExprRef& x : e.as<NewArrayExpr>().shape) sub(x);
        for (const ExprRef& x : e.as<NewArrayExpr>().args) sub(x);
        return;
      case ExprKind::Format: for (const FormatPart& p : e.as<FormatExpr>().parts) sub(p.value); return;
      case ExprKind::Let: sub(e.as<LetExpr>().value); sub(e.as<LetExpr>().body); return;
    }
  }

  ParallelLoop result_;
  std::map<int, std::optional<ReductionOp>> ops_;
  std::set<int> other_reads_;
};

}  // namespace

ParallelLoop analyze_parallel_loop(const ForRangeStmt& loop) { return Analysis().run(loop); }

}  // namespace nk::ir
