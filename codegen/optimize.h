// LLVM's optimisation pipeline for a module, at -O0..-O3, for a target machine.
#pragma once

namespace llvm {
class Module;
class TargetMachine;
}  // namespace llvm

namespace nk::codegen {

void optimize_module(llvm::Module& module, llvm::TargetMachine& tm, int opt_level);

}  // namespace nk::codegen
