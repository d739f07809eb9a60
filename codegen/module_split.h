// Splitting one module's compile over two threads. Most of the first call of a loop
// nest kernel is LLVM optimising and compiling its loops, one function on one thread;
// a function with loop nests side by side (sweeps inside a time-step loop, two inner
// loops of one outer loop) or a prange chunk can be compiled on a second thread.
//
// After the first group of -O3's passes (mem2reg, instcombine, simplifycfg: locals in
// registers, array descriptors in scalars), plan_module_split deals the candidates
// into two parts of similar weight and extracts the second part's nests as functions
// of their own (LLVM's CodeExtractor: the nest becomes a call, its inputs arguments,
// its exits a returned index). compile_module_object (codegen/jit.cpp) then writes the
// module as bitcode for a worker thread, which reads it into a context of its own and
// keeps the second part's functions; the first part keeps the rest; each runs the rest
// of the pipeline and code generation with its own host compiler, and the JIT links
// the two objects. A module is split only when the smaller part would hold a fair
// share of the work; otherwise it is compiled as one, as before.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace llvm {
class Module;
}  // namespace llvm

namespace nk::codegen {

struct ModuleSplit {
  // The functions the second part defines (the first defines every other one).
  std::vector<std::string> second;
  // The parts' weights (instructions in loops plus a quarter of the rest).
  size_t first_weight = 0, second_weight = 0;
};

// Decides whether `module` (after the first group of passes, its checked copies moved
// out) is worth compiling as two parts and, if so, extracts the second part's loop
// nests as functions, gives every function and mutable global of the module external
// (hidden) linkage, so that the parts can refer to one another, and fills `split`.
// Returns false when it is not worth it (the module's code is then unchanged, bar
// loops put in their simplified form).
bool plan_module_split(llvm::Module& module, ModuleSplit& split);

// The functions whose definitions the second part keeps: split.second and the
// functions they call, directly or not.
std::set<std::string> second_part_functions(llvm::Module& module, const ModuleSplit& split);

// Reduces a copy of the planned module to one part: the second keeps the definitions
// of `split.second` and private copies of the functions they call (to inline), its
// mutable globals become declarations; the first keeps every other definition.
void keep_module_part(llvm::Module& module, const ModuleSplit& split, bool second);

}  // namespace nk::codegen
