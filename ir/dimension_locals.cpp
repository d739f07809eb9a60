#include "ir/dimension_locals.h"

#include <functional>
#include <set>

#include "ir/walk.h"

namespace nk::ir {

std::map<int, std::pair<int, int>> dimension_locals(const Function& f) {
  std::map<int, std::pair<int, int>> dims;
  std::set<int> defined;  // every local some statement or let defines
  std::set<int> other;    // locals defined by anything but one array dimension
  std::function<void(const Stmt&)> scan = [&](const Stmt& s) {
    if (s.kind == StmtKind::Assign) {
      const auto& a = s.as<AssignStmt>();
      defined.insert(a.local);
      const Expr& v = *a.value;
      bool dim = v.kind == ExprKind::ArrayDim && v.as<ArrayDimExpr>().dim >= 0 &&
                 v.as<ArrayDimExpr>().array->kind == ExprKind::Local;
      if (!dim) {
        other.insert(a.local);
      } else {
        std::pair<int, int> d{v.as<ArrayDimExpr>().array->as<LocalExpr>().index, v.as<ArrayDimExpr>().dim};
        auto [it, fresh] = dims.insert({a.local, d});
        if (!fresh && it->second != d) other.insert(a.local);
      }
    } else if (s.kind == StmtKind::ForRange) {
      defined.insert(s.as<ForRangeStmt>().local);
      other.insert(s.as<ForRangeStmt>().local);
    }
    for_each_child(s, [](const Expr&) {}, scan);
  };
  if (!f.body) return {};
  scan(*f.body);
  walk_exprs(*f.body, [&](const Expr& e) {
    if (e.kind != ExprKind::Let) return;
    defined.insert(e.as<LetExpr>().local);
    other.insert(e.as<LetExpr>().local);
  });
  std::map<int, std::pair<int, int>> out;
  for (const auto& [local, d] : dims) {
    auto array = static_cast<size_t>(d.first);
    bool unchanged_param = array < f.params.size() && f.params[array]->is_array() &&
                           f.locals[array].type == f.params[array] && !defined.count(d.first);
    bool param = static_cast<size_t>(local) < f.params.size();  // callers pass any value
    if (unchanged_param && !param && !other.count(local) && f.locals[static_cast<size_t>(local)].type == int64())
      out[local] = d;
  }
  return out;
}

}  // namespace nk::ir
