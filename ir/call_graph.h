// The call graph of a typed program: which specialisations a function calls, and which
// functions can recurse (directly or through others).
#pragma once

#include <set>
#include <vector>

#include "ir/ir.h"

namespace nk::ir {

// The specialisations `fn` calls, each once, in order of first appearance.
std::vector<const Function*> direct_callees(const Function& fn);
// The functions that can reach themselves through calls.
std::set<const Function*> recursive_functions(const Program& program);

}  // namespace nk::ir
