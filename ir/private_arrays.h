// Which array locals of a function hold memory no other array of the function can reach:
// every assignment of the local is a new array (np.empty, np.zeros, ...) and the local
// is only ever indexed (a[i] read or written) or asked for its shape, never viewed,
// passed, returned or copied to another variable. Their element accesses get LLVM
// alias scopes (codegen/lower.cpp), so loads and stores through them and through any
// other array (the parameters above all) are known not to overlap: no run-time overlap
// checks before vector loops, and values stay in registers across the other's stores.
#pragma once

#include <vector>

#include "ir/ir.h"

namespace nk::ir {

// Indexed by local; true for the private arrays described above.
std::vector<bool> private_arrays(const Function& f);

}  // namespace nk::ir
