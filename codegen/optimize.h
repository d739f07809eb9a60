// LLVM's optimisation pipeline for a module, at -O0..-O3, for a target machine. An
// Optimizer builds the pipeline once and runs it on any number of modules (one at a
// time: it is not shared between threads).
#pragma once

#include <memory>
#include <string>

namespace llvm {
class Module;
class TargetMachine;
}  // namespace llvm

namespace nk::codegen {

class Optimizer {
 public:
  // `tm` must outlive the optimizer.
  Optimizer(llvm::TargetMachine& tm, int opt_level);
  ~Optimizer();
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;
  void run(llvm::Module& module);
  // run() in two halves, with a module split between them (codegen/module_split.h):
  // run_early runs the inliner and function simplification and returns true, or, where
  // the pipeline cannot be cut (not nk's -O3, or NK_PASSES), does nothing and returns
  // false; run_late then runs the rest on each part.
  bool run_early(llvm::Module& module);
  void run_late(llvm::Module& module);
  // The pass list it runs, in opt's -passes syntax (empty: LLVM's default pipeline for
  // the level). NK_PASSES, when set, replaces it at run time.
  const std::string& pipeline() const;

 private:
  struct Pipeline;
  std::unique_ptr<Pipeline> pipeline_;
};

// One-off: builds the pipeline and runs it once.
void optimize_module(llvm::Module& module, llvm::TargetMachine& tm, int opt_level);

}  // namespace nk::codegen
