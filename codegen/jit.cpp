// LLJIT setup, the compile of a program to an object (with a pooled host compiler,
// codegen/host_compiler.h), and the emitters.
#include "codegen/jit.h"

#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Host.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <thread>

#include "codegen/host_compiler.h"
#include "codegen/ptx.h"
#include "frontend/internal_error.h"

namespace nk::codegen {
namespace {

std::string to_string(llvm::Error e) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << e;
  return s;
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

class JitProgram : public CompiledProgram {
 public:
  std::unique_ptr<Engine> engine;
  int32_t (*main_fn)() = nullptr;
  int32_t run_main() override { return main_fn(); }
};

}  // namespace

std::string target_fingerprint(int opt_level) {
  // The host does not change while the process runs: computed once (every cache key has it).
  static const std::string host = [] {
    auto jtmb = host_machine_builder(3);
    std::string s = jtmb.getTargetTriple().str() + ";" + jtmb.getCPU() + ";";
    for (const std::string& f : jtmb.getFeatures().getFeatures()) s += f + ",";
    return s;
  }();
  return host + ";O" + std::to_string(opt_level);
}

namespace {

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
                                           llvm::LLVMContext& context, HostCompiler& compiler, bool optimise,
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
  compiler.prepare(*module);
  if (optimise) {
    start = std::chrono::steady_clock::now();
    compiler.optimize(*module);
    times.optimize_ms = ms_since(start);
  }
  return module;
}

}  // namespace

namespace {

bool compile_module_object(const ir::Program& program, const CompileOptions& options, std::string& object,
                           PhaseTimes& times, std::string& error) {
  auto setup = std::chrono::steady_clock::now();
  HostCompilerLease compiler = acquire_host_compiler(options.opt_level, error);
  if (!compiler) return false;
  times.setup_ms = ms_since(setup);
  llvm::LLVMContext context;
  // Nobody reads this module's local names (the emitters of IR text keep theirs), and
  // naming every value and block costs time in the lowering and in every pass after it.
  context.setDiscardValueNames(true);
  std::unique_ptr<llvm::Module> module = build_module(program, options, context, *compiler, true, times, error);
  if (!module) return false;
  auto start = std::chrono::steady_clock::now();
  bool ok = compiler->emit(*module, false, object, error);
  times.codegen_ms = ms_since(start);
  return ok;
}

bool splittable(const ir::Program& program) {
  bool host = false, functions = false;
  for (const auto& f : program.functions) {
    if (f->target == ir::Target::CudaKernel || f->target == ir::Target::CudaDevice || f->target == ir::Target::CudaAuto)
      return false;
    (f->target == ir::Target::Host ? host : functions) = true;
  }
  return host && functions;
}

// A bundle of object files: the magic line, then each object as its size in decimal,
// a newline and its bytes.
constexpr const char* kBundleMagic = "!<nk-objects>\n";

std::string bundle(const std::vector<std::string>& objects) {
  std::string out = kBundleMagic;
  for (const std::string& o : objects) out += std::to_string(o.size()) + "\n" + o;
  return out;
}

bool unbundle(const std::string& data, std::vector<std::string>& objects) {
  size_t magic = std::char_traits<char>::length(kBundleMagic);
  if (data.compare(0, magic, kBundleMagic) != 0) {
    objects = {data};
    return true;
  }
  for (size_t at = magic; at < data.size();) {
    size_t nl = data.find('\n', at);
    if (nl == std::string::npos || nl == at || nl - at > 19) return false;
    uint64_t size = 0;
    for (size_t i = at; i < nl; ++i) {
      if (data[i] < '0' || data[i] > '9') return false;
      size = size * 10 + static_cast<uint64_t>(data[i] - '0');
    }
    if (size > data.size() - nl - 1) return false;
    objects.push_back(data.substr(nl + 1, size));
    at = nl + 1 + size;
  }
  return !objects.empty();
}

}  // namespace

bool compile_object(const ir::Program& program, const CompileOptions& options, std::string& object,
                    PhaseTimes& times, std::string& error) {
  auto start = std::chrono::steady_clock::now();
  if (!options.split_host_program || options.opt_level < 2 || !splittable(program)) {
    bool ok = compile_module_object(program, options, object, times, error);
    times.wall_ms = ms_since(start);
    return ok;
  }
  struct Half {
    CompileOptions options;
    std::string object, error;
    PhaseTimes times;
    bool ok = false;
    std::exception_ptr failure;  // an internal error of the lowering
    void compile(const ir::Program& p) {
      try {
        ok = compile_module_object(p, options, object, times, error);
      } catch (...) {
        failure = std::current_exception();
      }
    }
  };
  Half functions{options}, host{options};
  functions.options.lower.part = LowerOptions::Part::Functions;
  host.options.lower.part = LowerOptions::Part::HostProgram;
  host.options.opt_level = 0;
  std::thread worker([&] { functions.compile(program); });
  auto host_start = std::chrono::steady_clock::now();
  host.compile(program);
  double host_ms = ms_since(host_start);
  worker.join();
  for (Half* h : {&host, &functions}) {
    if (h->failure) std::rethrow_exception(h->failure);
    if (!h->ok) {
      error = h->error;
      return false;
    }
  }
  object = bundle({host.object, functions.object});
  times = functions.times;
  times.setup_ms = std::max(host.times.setup_ms, functions.times.setup_ms);
  times.host_program_ms = host_ms;
  times.wall_ms = ms_since(start);
  return true;
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
  if (!result->engine) return nullptr;
  std::vector<std::string> objects;
  if (!unbundle(object, objects)) {
    error = "malformed object bundle";
    return nullptr;
  }
  for (const std::string& o : objects)
    if (!result->engine->add_object(o, error)) return nullptr;
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
  HostCompilerLease compiler = acquire_host_compiler(options.opt_level, error);
  if (!compiler) return false;
  llvm::LLVMContext context;
  if (emit == Emit::Ptx) {
    std::unique_ptr<llvm::Module> gpu;
    if (!build_module(program, options, context, *compiler, false, times, error, &gpu)) return false;
    if (!gpu) {
      error = "the program has no GPU code (no @cuda.jit kernel or @jit(target=\"cuda\") function is reached)";
      return false;
    }
    return compile_ptx(std::move(gpu), options.gpu_arch, options.opt_level, out, error);
  }
  std::unique_ptr<llvm::Module> module =
      build_module(program, options, context, *compiler, emit != Emit::Llvm, times, error);
  if (!module) return false;
  if (emit == Emit::Llvm || emit == Emit::OptLlvm) {
    llvm::raw_string_ostream os(out);
    module->print(os, nullptr);
    return true;
  }
  return compiler->emit(*module, true, out, error);
}

}  // namespace nk::codegen
