// Array parameters a function never assigns (their local holds the caller's array for
// the whole call), and the int64 locals that always hold one dimension of such a
// parameter (`n = X.shape[0]`, `m = len(X)`): every assignment of the local is that
// same dimension, and nothing else defines it. Such a local equals the dimension
// wherever it is read, so code that gets the local's value from elsewhere (a prange
// chunk, from its context) may read the array's descriptor instead, and LLVM then sees
// the bounds checks the relation makes redundant (j in range(n) indexing X's first axis).
#pragma once

#include <map>
#include <utility>
#include <vector>

#include "ir/ir.h"

namespace nk::ir {

// Indexed by local: true for an array parameter whose local no statement assigns (and
// whose local has the parameter's own type).
std::vector<bool> unchanged_array_params(const Function& f);

// local -> (array parameter's local, axis).
std::map<int, std::pair<int, int>> dimension_locals(const Function& f);

}  // namespace nk::ir
