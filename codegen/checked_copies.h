// Checked copies of versioned loops, compiled only when needed. The lowering makes the
// checked copy of each versioned loop a function of its own that the loop's caller
// reaches through a slot (codegen/lower.cpp, "checked copies"). Before a module is
// optimised, split_checked_copies moves those functions out of it into a lazy entry of
// the compiled bundle: their names and their (unoptimised) bitcode. The JIT registers
// the entry when it links the bundle and compiles it the first time one of its
// functions is called (codegen/jit.cpp, nk_resolve_checked); a program whose indices
// stay in bounds never compiles it.
#pragma once

#include <string>
#include <vector>

namespace llvm {
class Module;
}  // namespace llvm

namespace nk::codegen {

// Moves every checked copy that can live in a module of its own out of `module` (one
// that refers to nothing but external symbols and constants, which it takes along;
// any other stays, and is compiled with the module). Returns the lazy entry, or an
// empty string when none moved.
std::string split_checked_copies(llvm::Module& module);

// A lazy entry: "!<nk-lazy>\n", a line per function it defines, an empty line, bitcode.
bool is_lazy_entry(const std::string& entry);
bool parse_lazy_entry(const std::string& entry, std::vector<std::string>& names, std::string& bitcode);

}  // namespace nk::codegen
