// Call-graph walks over the typed IR.
#include "ir/call_graph.h"

#include <map>

#include "ir/walk.h"

namespace nk::ir {
std::vector<const Function*> direct_callees(const Function& fn) {
  std::vector<const Function*> out;
  if (!fn.body) return out;
  walk_exprs(*fn.body, [&](const Expr& e) {
    if (e.kind != ExprKind::Call) return;
    const Function* callee = e.as<CallExpr>().callee;
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
