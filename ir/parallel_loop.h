// Analysis of a prange loop (SPEC 2.6): which locals its body assigns (each thread gets
// its own copy), and which of those are scalar reductions (`s += e`, `s -= e`,
// `s *= e`, `s = min(s, e)`, `s = max(s, e)`, `|= &= ^=`) that are combined across
// threads afterwards.
#pragma once

#include <map>
#include <set>

#include "ir/ir.h"

namespace nk::ir {

enum class ReductionOp { Add, Mul, Min, Max, BitOr, BitAnd, BitXor };

struct ParallelLoop {
  std::set<int> assigned;                 // locals the body assigns (the loop variable too)
  std::map<int, ReductionOp> reductions;  // a subset of `assigned`
};

ParallelLoop analyze_parallel_loop(const ForRangeStmt& loop);

}  // namespace nk::ir
