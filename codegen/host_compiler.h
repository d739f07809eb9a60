// The host CPU's compiler: a target machine for this CPU at one -O level and its
// optimisation pipeline, created once per process and reused for every module (creating
// them costs more than compiling a small kernel). A process-wide pool hands each
// compile its own HostCompiler (a TargetMachine must not be used by two threads at
// once) and takes it back when the compile ends.
#pragma once

#include <memory>
#include <string>

namespace llvm {
class Module;
class TargetMachine;
namespace orc {
class JITTargetMachineBuilder;
}
}  // namespace llvm

namespace nk::codegen {

class Optimizer;

class HostCompiler {
 public:
  HostCompiler(std::unique_ptr<llvm::TargetMachine> tm, int opt_level);
  ~HostCompiler();
  llvm::TargetMachine& target() { return *tm_; }
  int opt_level() const { return opt_level_; }
  // Gives the module this CPU's data layout, triple, name and features.
  void prepare(llvm::Module& module);
  void optimize(llvm::Module& module);
  // optimize() in two halves around a module split (Optimizer::run_early/run_late).
  bool optimize_early(llvm::Module& module);
  void optimize_late(llvm::Module& module);
  bool emit(llvm::Module& module, bool assembly, std::string& out, std::string& error);

 private:
  struct ObjectEmitter;
  std::unique_ptr<llvm::TargetMachine> tm_;
  int opt_level_;
  std::unique_ptr<Optimizer> optimizer_;
  // Object emission's codegen pass manager, built on first use and run on every module
  // after (building it cost as much as the machine code of a small kernel).
  std::unique_ptr<ObjectEmitter> object_emitter_;
};

// Exclusive use of a pooled HostCompiler until destroyed.
class HostCompilerLease {
 public:
  explicit HostCompilerLease(std::unique_ptr<HostCompiler> c) : compiler_(std::move(c)) {}
  HostCompilerLease(HostCompilerLease&&) = default;
  ~HostCompilerLease();
  explicit operator bool() const { return compiler_ != nullptr; }
  HostCompiler* operator->() { return compiler_.get(); }
  HostCompiler& operator*() { return *compiler_; }

 private:
  std::unique_ptr<HostCompiler> compiler_;
};

// A compiler for -O`opt_level` (0..3): a pooled one, or a new one the first time (or
// while all are in use). Empty, with `error` set, when LLVM has no target for this CPU.
HostCompilerLease acquire_host_compiler(int opt_level, std::string& error);

// Initialises LLVM's native target once per process.
void initialize_llvm();

// This CPU (name and features) at -O`opt_level`.
llvm::orc::JITTargetMachineBuilder host_machine_builder(int opt_level);

}  // namespace nk::codegen
