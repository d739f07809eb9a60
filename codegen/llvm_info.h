// Facts about the LLVM that nk is built against (for `nk --version`). The code
// generator proper (typed IR -> LLVM IR) lands here with the CPU JIT.
#pragma once

#include <string>

namespace nk::codegen {

std::string llvm_version();        // "19.1.7"
std::string host_cpu_name();       // "znver3", ...
std::string default_target_triple();

}  // namespace nk::codegen
