// The pool of host compilers, and what each does: module preparation (CPU name and
// features on every function, so the vectorisers use AVX2/AVX-512 where present), the
// optimisation pipeline, and object/assembly emission through the legacy codegen pass
// manager. The object emitter's pass manager is bound to one output stream and kept:
// LLVM's codegen passes reset their per-module state in doInitialization/doFinalization
// (the machine module info its MC context, the asm printer its streamer), so one pass
// manager runs any number of modules in turn, and the stream's buffer is emptied
// between them. Assembly (nk compile --emit=asm only) gets a pass manager per module.
#include "codegen/host_compiler.h"

#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ADT/SmallString.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/PassTimingInfo.h>
#include <llvm/Pass.h>
#include <llvm/Support/CommandLine.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include <cstdlib>
#include <mutex>
#include <vector>

#include "codegen/optimize.h"

namespace nk::codegen {

void initialize_llvm() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
    // For nk's developers: LLVM's own options (e.g. NK_LLVM_ARGS="-print-after-all").
    if (std::getenv("NK_LLVM_ARGS")) {
      const char* argv[] = {"nk"};
      llvm::cl::ParseCommandLineOptions(1, argv, "", nullptr, "NK_LLVM_ARGS");
    }
  });
}

llvm::orc::JITTargetMachineBuilder host_machine_builder(int opt_level) {
  initialize_llvm();
  auto jtmb = llvm::cantFail(llvm::orc::JITTargetMachineBuilder::detectHost());
  jtmb.setCodeGenOptLevel(opt_level == 0 ? llvm::CodeGenOptLevel::None
                          : opt_level == 1 ? llvm::CodeGenOptLevel::Less
                          : opt_level == 2 ? llvm::CodeGenOptLevel::Default
                                           : llvm::CodeGenOptLevel::Aggressive);
  return jtmb;
}

struct HostCompiler::ObjectEmitter {
  llvm::SmallString<0> buffer;
  llvm::raw_svector_ostream stream{buffer};
  llvm::legacy::PassManager passes;
};

HostCompiler::HostCompiler(std::unique_ptr<llvm::TargetMachine> tm, int opt_level)
    : tm_(std::move(tm)), opt_level_(opt_level), optimizer_(std::make_unique<Optimizer>(*tm_, opt_level)) {}

HostCompiler::~HostCompiler() = default;

void HostCompiler::prepare(llvm::Module& module) {
  module.setDataLayout(tm_->createDataLayout());
  module.setTargetTriple(tm_->getTargetTriple().str());
  std::string cpu = tm_->getTargetCPU().str();
  std::string features = tm_->getTargetFeatureString().str();
  for (llvm::Function& f : module) {
    if (f.isDeclaration()) continue;
    f.addFnAttr("target-cpu", cpu);
    if (!features.empty()) f.addFnAttr("target-features", features);
    f.addFnAttr(llvm::Attribute::NoUnwind);
  }
}

void HostCompiler::optimize(llvm::Module& module) { optimizer_->run(module); }
bool HostCompiler::optimize_early(llvm::Module& module) { return optimizer_->run_early(module); }
void HostCompiler::optimize_late(llvm::Module& module) { optimizer_->run_late(module); }

bool HostCompiler::emit(llvm::Module& module, bool assembly, std::string& out, std::string& error) {
  if (!assembly) {
    if (!object_emitter_) {
      auto e = std::make_unique<ObjectEmitter>();
      if (tm_->addPassesToEmitFile(e->passes, e->stream, nullptr, llvm::CodeGenFileType::ObjectFile)) {
        error = "the target cannot emit object files";
        return false;
      }
      object_emitter_ = std::move(e);
    }
    object_emitter_->buffer.clear();
    object_emitter_->passes.run(module);
    // NK_LLVM_ARGS=-time-passes: code generation's pass times, after each module's.
    if (llvm::TimePassesIsEnabled) llvm::reportAndResetTimings();
    out.assign(object_emitter_->buffer.begin(), object_emitter_->buffer.end());
    object_emitter_->buffer.clear();
    return true;
  }
  llvm::SmallString<0> buffer;
  llvm::raw_svector_ostream os(buffer);
  llvm::legacy::PassManager pm;
  if (tm_->addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::AssemblyFile)) {
    error = "the target cannot emit assembly";
    return false;
  }
  pm.run(module);
  out.assign(buffer.begin(), buffer.end());
  return true;
}

namespace {

struct Pool {
  std::mutex mutex;
  std::vector<std::unique_ptr<HostCompiler>> idle[4];  // by -O level
};

Pool& pool() {
  // Never destroyed: compilers may be handed back while static destructors run.
  static Pool* p = new Pool;
  return *p;
}

}  // namespace

HostCompilerLease::~HostCompilerLease() {
  if (!compiler_) return;
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  p.idle[compiler_->opt_level()].push_back(std::move(compiler_));
}

HostCompilerLease acquire_host_compiler(int opt_level, std::string& error) {
  opt_level = opt_level < 0 ? 0 : opt_level > 3 ? 3 : opt_level;
  {
    Pool& p = pool();
    std::lock_guard<std::mutex> lock(p.mutex);
    auto& idle = p.idle[opt_level];
    if (!idle.empty()) {
      std::unique_ptr<HostCompiler> c = std::move(idle.back());
      idle.pop_back();
      return HostCompilerLease(std::move(c));
    }
  }
  auto tm = host_machine_builder(opt_level).createTargetMachine();
  if (!tm) {
    error = llvm::toString(tm.takeError());
    return HostCompilerLease(nullptr);
  }
  return HostCompilerLease(std::make_unique<HostCompiler>(std::move(*tm), opt_level));
}

}  // namespace nk::codegen
