// LLJIT setup, the new-pass-manager pipeline at -O0..-O3 for the host CPU (its name and
// features, so loops vectorise with AVX2/AVX-512 where present), and the emitters.
#include "codegen/jit.h"

#include <llvm/Analysis/CGSCCPassManager.h>
#include <llvm/Analysis/LoopAnalysisManager.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Transforms/Scalar/InductiveRangeCheckElimination.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Host.h>

#include <chrono>
#include <mutex>

#include "codegen/optimize.h"
#include "codegen/ptx.h"
#include "frontend/internal_error.h"

namespace nk::codegen {
namespace {

void initialize_llvm() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
}

std::string to_string(llvm::Error e) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << e;
  return s;
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

llvm::orc::JITTargetMachineBuilder host_machine_builder(int opt_level) {
  auto jtmb = llvm::cantFail(llvm::orc::JITTargetMachineBuilder::detectHost());
  jtmb.setCodeGenOptLevel(opt_level == 0 ? llvm::CodeGenOptLevel::None
                          : opt_level == 1 ? llvm::CodeGenOptLevel::Less
                          : opt_level == 2 ? llvm::CodeGenOptLevel::Default
                                           : llvm::CodeGenOptLevel::Aggressive);
  return jtmb;
}

void prepare(llvm::Module& module, llvm::TargetMachine& tm) {
  module.setDataLayout(tm.createDataLayout());
  module.setTargetTriple(tm.getTargetTriple().str());
  // Every function gets the host CPU's name and features, so the vectorisers use them.
  std::string cpu = tm.getTargetCPU().str();
  std::string features = tm.getTargetFeatureString().str();
  for (llvm::Function& f : module) {
    if (f.isDeclaration()) continue;
    f.addFnAttr("target-cpu", cpu);
    if (!features.empty()) f.addFnAttr("target-features", features);
    f.addFnAttr(llvm::Attribute::NoUnwind);
  }
}

bool emit_object(llvm::Module& module, llvm::TargetMachine& tm, std::string& out, std::string& error) {
  llvm::SmallString<0> buffer;
  llvm::raw_svector_ostream bos(buffer);
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, bos, nullptr, llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit object files";
    return false;
  }
  pm.run(module);
  out.assign(buffer.begin(), buffer.end());
  return true;
}

class JitProgram : public CompiledProgram {
 public:
  std::unique_ptr<Engine> engine;
  int32_t (*main_fn)() = nullptr;
  int32_t run_main() override { return main_fn(); }
};

}  // namespace

std::string target_fingerprint(int opt_level) {
  initialize_llvm();
  auto jtmb = host_machine_builder(opt_level);
  std::string s = jtmb.getTargetTriple().str() + ";" + jtmb.getCPU() + ";";
  for (const std::string& f : jtmb.getFeatures().getFeatures()) s += f + ",";
  return s + ";O" + std::to_string(opt_level);
}

namespace {

std::unique_ptr<llvm::TargetMachine> host_target_machine(int opt_level, std::string& error) {
  initialize_llvm();
  auto tm_or = host_machine_builder(opt_level).createTargetMachine();
  if (!tm_or) {
    error = to_string(tm_or.takeError());
    return nullptr;
  }
  return std::move(*tm_or);
}

// Gives the host module its GPU code: the PTX text, which the kGpuModuleRef global
// points to (the runtime loads it on the first launch).
bool embed_ptx(llvm::Module& host, const std::string& ptx) {
  llvm::GlobalVariable* ref = host.getGlobalVariable(kGpuModuleRef, true);
  if (!ref) return true;
  llvm::LLVMContext& ctx = host.getContext();
  auto* text = llvm::ConstantDataArray::getString(ctx, ptx, true);
  auto* g = new llvm::GlobalVariable(host, text->getType(), true, llvm::GlobalValue::PrivateLinkage, text, "nk.gpu.ptx");
  auto* ty = llvm::cast<llvm::StructType>(ref->getValueType());
  ref->setInitializer(llvm::ConstantStruct::get(ty, {g, llvm::ConstantPointerNull::get(llvm::PointerType::getUnqual(ctx))}));
  return true;
}

// Lowers `program` for the host and, unless `optimise` is false, optimises it; its GPU
// code is compiled to PTX and embedded (or, with `gpu_out`, handed over unoptimised).
std::unique_ptr<llvm::Module> build_module(const ir::Program& program, const CompileOptions& options,
                                           llvm::LLVMContext& context, llvm::TargetMachine& tm, bool optimise,
                                           PhaseTimes& times, std::string& error,
                                           std::unique_ptr<llvm::Module>* gpu_out = nullptr) {
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<llvm::Module> gpu;
  std::unique_ptr<llvm::Module> module = lower_program(program, context, options.lower, &gpu);
  times.lower_ms = ms_since(start);
  if (gpu_out) {
    *gpu_out = std::move(gpu);
  } else if (gpu) {
    start = std::chrono::steady_clock::now();
    std::string ptx;
    if (!compile_ptx(std::move(gpu), options.gpu_arch, options.opt_level, ptx, error)) return nullptr;
    embed_ptx(*module, ptx);
    times.ptx_ms = ms_since(start);
  }
  prepare(*module, tm);
  if (optimise) {
    start = std::chrono::steady_clock::now();
    optimize_module(*module, tm, options.opt_level);
    times.optimize_ms = ms_since(start);
  }
  return module;
}

}  // namespace

bool compile_object(const ir::Program& program, const CompileOptions& options, std::string& object,
                    PhaseTimes& times, std::string& error) {
  std::unique_ptr<llvm::TargetMachine> tm = host_target_machine(options.opt_level, error);
  if (!tm) return false;
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> module = build_module(program, options, context, *tm, true, times, error);
  if (!module) return false;
  auto start = std::chrono::steady_clock::now();
  bool ok = emit_object(*module, *tm, object, error);
  times.codegen_ms = ms_since(start);
  return ok;
}

namespace {

class OrcEngine : public Engine {
 public:
  std::unique_ptr<llvm::orc::LLJIT> jit;

  bool add_object(const std::string& object, std::string& error) override {
    if (auto e = jit->addObjectFile(llvm::MemoryBuffer::getMemBufferCopy(object, "nk-object"))) {
      error = to_string(std::move(e));
      return false;
    }
    return true;
  }

  void* lookup(const std::string& symbol, std::string& error) override {
    auto sym = jit->lookup(symbol);
    if (!sym) {
      error = to_string(sym.takeError());
      return nullptr;
    }
    return sym->toPtr<void*>();
  }
};

}  // namespace

std::unique_ptr<Engine> Engine::create(int opt_level, const SymbolTable& runtime, std::string& error) {
  initialize_llvm();
  auto jit_or = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(host_machine_builder(opt_level)).create();
  if (!jit_or) {
    error = to_string(jit_or.takeError());
    return nullptr;
  }
  auto engine = std::make_unique<OrcEngine>();
  engine->jit = std::move(*jit_or);
  llvm::orc::LLJIT& jit = *engine->jit;
  llvm::orc::JITDylib& main = jit.getMainJITDylib();
  llvm::orc::SymbolMap symbols;
  for (const auto& [name, address] : runtime)
    symbols[jit.mangleAndIntern(name)] = {llvm::orc::ExecutorAddr::fromPtr(address), llvm::JITSymbolFlags::Exported};
  if (auto e = main.define(llvm::orc::absoluteSymbols(std::move(symbols)))) {
    error = to_string(std::move(e));
    return nullptr;
  }
  auto generator = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(jit.getDataLayout().getGlobalPrefix());
  if (!generator) {
    error = to_string(generator.takeError());
    return nullptr;
  }
  main.addGenerator(std::move(*generator));
  return engine;
}

std::unique_ptr<CompiledProgram> load_object(const std::string& object, int opt_level, const SymbolTable& runtime,
                                             std::string& error) {
  auto result = std::make_unique<JitProgram>();
  result->engine = Engine::create(opt_level, runtime, error);
  if (!result->engine || !result->engine->add_object(object, error)) return nullptr;
  void* main_fn = result->engine->lookup(kMainSymbol, error);
  if (!main_fn) return nullptr;
  result->main_fn = reinterpret_cast<int32_t (*)()>(main_fn);
  return result;
}

std::unique_ptr<CompiledProgram> jit_program(const ir::Program& program, const CompileOptions& options,
                                             const SymbolTable& runtime, PhaseTimes& times, std::string& error) {
  std::string object;
  if (!compile_object(program, options, object, times, error)) return nullptr;
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<CompiledProgram> result = load_object(object, options.opt_level, runtime, error);
  times.codegen_ms += ms_since(start);
  return result;
}

bool emit_program(const ir::Program& program, const CompileOptions& options, Emit emit, std::string& out,
                  std::string& error) {
  PhaseTimes times;
  if (emit == Emit::Obj) return compile_object(program, options, out, times, error);
  std::unique_ptr<llvm::TargetMachine> tm = host_target_machine(options.opt_level, error);
  if (!tm) return false;
  llvm::LLVMContext context;
  if (emit == Emit::Ptx) {
    std::unique_ptr<llvm::Module> gpu;
    if (!build_module(program, options, context, *tm, false, times, error, &gpu)) return false;
    if (!gpu) {
      error = "the program has no GPU code (no @cuda.jit kernel or @jit(target=\"cuda\") function is reached)";
      return false;
    }
    return compile_ptx(std::move(gpu), options.gpu_arch, options.opt_level, out, error);
  }
  std::unique_ptr<llvm::Module> module = build_module(program, options, context, *tm, emit != Emit::Llvm, times, error);
  if (!module) return false;
  llvm::raw_string_ostream os(out);
  if (emit == Emit::Llvm || emit == Emit::OptLlvm) {
    module->print(os, nullptr);
    return true;
  }
  llvm::SmallString<0> buffer;
  llvm::raw_svector_ostream bos(buffer);
  llvm::legacy::PassManager pm;
  if (tm->addPassesToEmitFile(pm, bos, nullptr, llvm::CodeGenFileType::AssemblyFile)) {
    error = "the target cannot emit assembly";
    return false;
  }
  pm.run(*module);
  out.assign(buffer.begin(), buffer.end());
  return true;
}

}  // namespace nk::codegen
