#include "ir/dimension_locals.h"

#include <functional>
#include <set>

#include "ir/walk.h"

namespace nk::ir {

std::vector<bool> unchanged_array_params(const Function& f) {
  std::set<int> defined = f.body ? defined_locals(*f.body) : std::set<int>{};
  std::vector<bool> out(f.locals.size());
  for (size_t i = 0; i < f.params.size(); ++i)
    out[i] = f.params[i]->is_array() && f.locals[i].type == f.params[i] && !defined.count(static_cast<int>(i));
  return out;
}

std::map<int, std::pair<int, int>> dimension_locals(const Function& f) {
  std::map<int, std::pair<int, int>> dims;
  std::set<int> other;    // locals defined by anything but one array dimension
  std::function<void(const Stmt&)> scan = [&](const Stmt& s) {
    if (s.kind == StmtKind::Assign) {
      const auto& a = s.as<AssignStmt>();
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
      other.insert(s.as<ForRangeStmt>().local);
    }
    for_each_child(s, [](const Expr&) {}, scan);
  };
  if (!f.body) return {};
  scan(*f.body);
  walk_exprs(*f.body, [&](const Expr& e) {
    if (e.kind == ExprKind::Let) other.insert(e.as<LetExpr>().local);
  });
  std::vector<bool> unchanged = unchanged_array_params(f);
  std::map<int, std::pair<int, int>> out;
  for (const auto& [local, d] : dims) {
    bool unchanged_param = unchanged[static_cast<size_t>(d.first)];
    bool param = static_cast<size_t>(local) < f.params.size();  // callers pass any value
    if (unchanged_param && !param && !other.count(local) && f.locals[static_cast<size_t>(local)].type == int64())
      out[local] = d;
  }
  return out;
}

}  // namespace nk::ir
