// LLVM version and host facts, from LLVM itself.
#include "codegen/llvm_info.h"

#include <llvm/ADT/StringRef.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/TargetParser/Host.h>

namespace nk::codegen {

std::string llvm_version() { return LLVM_VERSION_STRING; }
std::string host_cpu_name() { return llvm::sys::getHostCPUName().str(); }
std::string default_target_triple() { return llvm::sys::getDefaultTargetTriple(); }

}  // namespace nk::codegen
