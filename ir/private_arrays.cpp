#include "ir/private_arrays.h"

#include <functional>

#include "ir/walk.h"

namespace nk::ir {

std::vector<bool> private_arrays(const Function& f) {
  std::vector<bool> out(f.locals.size(), false);
  if (!f.body) return out;
  for (size_t l = 0; l < f.locals.size(); ++l)
    out[l] = f.locals[l].kind != Local::Param && f.locals[l].type->is_array();
  std::vector<bool> defined(f.locals.size(), false);
  // Definitions: only `x = np.empty(...)` and the like.
  std::function<void(const Stmt&)> scan = [&](const Stmt& s) {
    if (s.kind == StmtKind::Assign) {
      const auto& a = s.as<AssignStmt>();
      auto l = static_cast<size_t>(a.local);
      defined[l] = true;
      if (a.value->kind != ExprKind::NewArray) out[l] = false;
    } else if (s.kind == StmtKind::ForRange) {
      out[static_cast<size_t>(s.as<ForRangeStmt>().local)] = false;
    }
    for_each_child(s, [](const Expr&) {}, scan);
  };
  scan(*f.body);
  // Uses: the array operand of an element access or a shape query, nothing else.
  // Counted per visit: the IR may share one operand node between two places.
  std::vector<int> uses(f.locals.size(), 0), indexed(f.locals.size(), 0);
  auto note = [&](const ExprRef& array) {
    if (array->kind == ExprKind::Local) ++indexed[static_cast<size_t>(array->as<LocalExpr>().index)];
  };
  std::function<void(const Stmt&)> stores = [&](const Stmt& s) {
    if (s.kind == StmtKind::Store) note(s.as<StoreStmt>().array);
    for_each_child(s, [](const Expr&) {}, stores);
  };
  stores(*f.body);
  walk_exprs(*f.body, [&](const Expr& e) {
    if (e.kind == ExprKind::Load) note(e.as<LoadExpr>().array);
    if (e.kind == ExprKind::ArrayDim) note(e.as<ArrayDimExpr>().array);
    if (e.kind == ExprKind::Local) ++uses[static_cast<size_t>(e.as<LocalExpr>().index)];
    if (e.kind == ExprKind::Let) out[static_cast<size_t>(e.as<LetExpr>().local)] = false;
  });
  for (size_t l = 0; l < out.size(); ++l)
    if (uses[l] != indexed[l]) out[l] = false;
  for (size_t l = 0; l < out.size(); ++l) out[l] = out[l] && defined[l];
  return out;
}

}  // namespace nk::ir
