// Which int64 locals of a function never hold a negative value: the variables of
// `for i in range(...)` loops with a non-negative start and a positive step, and locals
// only ever assigned sums of such values, constants >= 0 and array sizes. An index known
// non-negative needs no wrap-around (a[-1]) before its bounds check, and the one
// unsigned compare of that check then covers both ends (SPEC section 6).
#pragma once

#include <vector>

#include "ir/ir.h"

namespace nk::ir {

// Indexed by local; true where every assignment of the local (and every loop over it)
// is proven non-negative. Parameters are never in it (callers pass any value).
std::vector<bool> nonnegative_locals(const Function& f);

// Whether `e` (int64) is non-negative given the locals `nonnegative` says are.
bool is_nonnegative(const Expr& e, const std::vector<bool>& nonnegative);

}  // namespace nk::ir
