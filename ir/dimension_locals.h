// Which int64 locals of a function always hold one dimension of an array parameter
// the function never assigns (`n = X.shape[0]`, `m = len(X)`): every assignment of the
// local is that same dimension, and nothing else defines it. Such a local equals the
// dimension wherever it is read, so code that gets the local's value from elsewhere
// (a prange chunk, from its context) may read the array's descriptor instead, and
// LLVM then sees the bounds checks the relation makes redundant (j in range(n)
// indexing X's first axis).
#pragma once

#include <map>
#include <utility>

#include "ir/ir.h"

namespace nk::ir {

// local -> (array parameter's local, axis).
std::map<int, std::pair<int, int>> dimension_locals(const Function& f);

}  // namespace nk::ir
