// LLJIT setup, the compile of a program to an object (with a pooled host compiler,
// codegen/host_compiler.h), and the emitters.
#include "codegen/jit.h"

#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/Bitcode/BitcodeWriter.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/Module.h>
#include <llvm/Pass.h>
#include <llvm/Transforms/Utils/Cloning.h>
#include <llvm/Transforms/Utils/ValueMapper.h>
#include <llvm/IR/Verifier.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Host.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include "codegen/checked_copies.h"
#include "codegen/host_compiler.h"
#include "codegen/module_split.h"
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
  double checked_copies_ms() const override { return engine->checked_copies_ms(); }
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
// With `lazy_out` (and lazy_checked_copies above -O0), the checked copies of versioned
// loops are moved into a lazy entry there (codegen/checked_copies.h).
std::unique_ptr<llvm::Module> build_module(const ir::Program& program, const CompileOptions& options,
                                           llvm::LLVMContext& context, HostCompiler& compiler, bool optimise,
                                           PhaseTimes& times, std::string& error,
                                           std::unique_ptr<llvm::Module>* gpu_out = nullptr,
                                           std::string* lazy_out = nullptr) {
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<llvm::Module> gpu;
  std::unique_ptr<llvm::Module> module = lower_program(program, context, options.lower, &gpu);
  if (lazy_out && options.lazy_checked_copies && options.opt_level > 0) *lazy_out = split_checked_copies(*module);
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

// NK_COMPILE_THREADS=1 compiles every module on one thread (module_split.h).
int compile_threads() {
  static const int n = [] {
    const char* v = std::getenv("NK_COMPILE_THREADS");
    return v && *v ? std::max(1, std::atoi(v)) : 2;
  }();
  return n;
}

// The second part of a split module, compiled on a thread of its own from bitcode.
struct SecondPart {
  std::string object, error;
  bool ok = false;
  double ms = 0;
  std::exception_ptr failure;
  void compile(const std::string& bitcode, const ModuleSplit& split, int opt_level) {
    auto start = std::chrono::steady_clock::now();
    try {
      HostCompilerLease compiler = acquire_host_compiler(opt_level, error);
      if (!compiler) return;
      llvm::LLVMContext context;
      context.setDiscardValueNames(true);
      auto module = llvm::parseBitcodeFile(llvm::MemoryBufferRef(bitcode, "nk-part"), context);
      if (!module) {
        error = to_string(module.takeError());
        return;
      }
      keep_module_part(**module, split, true);
      compiler->optimize_late(**module);
      ok = compiler->emit(**module, false, object, error);
    } catch (...) {
      failure = std::current_exception();
    }
    ms = ms_since(start);
  }
};

// The module's object file (two with a split, module_split.h), then its lazy entry if
// it has one.
bool compile_module_object(const ir::Program& program, const CompileOptions& options,
                           std::vector<std::string>& entries, PhaseTimes& times, std::string& error) {
  auto setup = std::chrono::steady_clock::now();
  HostCompilerLease compiler = acquire_host_compiler(options.opt_level, error);
  if (!compiler) return false;
  times.setup_ms = ms_since(setup);
  llvm::LLVMContext context;
  // Nobody reads this module's local names (the emitters of IR text keep theirs), and
  // naming every value and block costs time in the lowering and in every pass after it.
  context.setDiscardValueNames(true);
  std::string lazy;
  std::unique_ptr<llvm::Module> module =
      build_module(program, options, context, *compiler, false, times, error, nullptr, &lazy);
  if (!module) return false;
  auto start = std::chrono::steady_clock::now();
  ModuleSplit split;
  std::string second_bitcode;
  SecondPart second;
  std::thread worker;
  struct Joiner {  // whatever happens on this thread, the worker is joined before its data go
    std::thread& t;
    ~Joiner() {
      if (t.joinable()) t.join();
    }
  } joiner{worker};
  if (options.split_module && options.opt_level >= 2 && compile_threads() > 1 && !llvm::TimePassesIsEnabled &&
      compiler->optimize_early(*module)) {
    times.optimize_ms = ms_since(start);
    auto split_start = std::chrono::steady_clock::now();
    if (plan_module_split(*module, split)) {
      // Only what the second part needs goes through bitcode: its functions, the
      // functions they call, the globals (writing and reading bitcode cost per byte).
      std::set<std::string> keep = second_part_functions(*module, split);
      llvm::ValueToValueMapTy map;
      std::unique_ptr<llvm::Module> part = llvm::CloneModule(*module, map, [&](const llvm::GlobalValue* g) {
        return !llvm::isa<llvm::Function>(g) || keep.count(g->getName().str());
      });
      llvm::raw_string_ostream os(second_bitcode);
      llvm::WriteBitcodeToFile(*part, os);
      os.flush();
      worker = std::thread([&] { second.compile(second_bitcode, split, options.opt_level); });
      keep_module_part(*module, split, false);
    }
    times.split_ms = ms_since(split_start);
    start = std::chrono::steady_clock::now();
    compiler->optimize_late(*module);
    times.optimize_ms += ms_since(start);
  } else {
    compiler->optimize(*module);
    times.optimize_ms = ms_since(start);
  }
  start = std::chrono::steady_clock::now();
  std::string object;
  bool ok = compiler->emit(*module, false, object, error);
  times.codegen_ms = ms_since(start);
  entries.push_back(std::move(object));
  if (worker.joinable()) {
    worker.join();
    if (second.failure) std::rethrow_exception(second.failure);
    if (ok && !second.ok) {
      error = second.error;
      ok = false;
    }
    entries.push_back(std::move(second.object));
    times.second_part_ms = second.ms;
  }
  if (!lazy.empty()) entries.push_back(std::move(lazy));
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
    std::vector<std::string> entries;
    bool ok = compile_module_object(program, options, entries, times, error);
    object = entries.size() == 1 ? std::move(entries[0]) : bundle(entries);
    times.wall_ms = ms_since(start);
    return ok;
  }
  struct Half {
    CompileOptions options;
    std::vector<std::string> entries;
    std::string error;
    PhaseTimes times;
    bool ok = false;
    std::exception_ptr failure;  // an internal error of the lowering
    void compile(const ir::Program& p) {
      try {
        ok = compile_module_object(p, options, entries, times, error);
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
  std::vector<std::string> entries = host.entries;
  entries.insert(entries.end(), functions.entries.begin(), functions.entries.end());
  object = bundle(entries);
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
  int opt_level = 3;

  bool add_object(const std::string& object, std::string& error) override {
    std::vector<std::string> entries;
    if (!unbundle(object, entries)) {
      error = "malformed object bundle";
      return false;
    }
    for (std::string& entry : entries) {
      if (is_lazy_entry(entry)) {
        if (!add_lazy(std::move(entry), error)) return false;
        continue;
      }
      if (!add_object_file(entry, error)) return false;
    }
    return true;
  }

  double checked_copies_ms() const override {
    std::lock_guard<std::mutex> lock(lazy_mutex_);
    return lazy_ms_;
  }

  // The address of checked copy `name`, compiling its lazy entry on the first call.
  void* resolve_checked(const char* name) {
    std::string error;
    {
      std::lock_guard<std::mutex> lock(lazy_mutex_);
      auto it = lazy_by_name_.find(name);
      if (it != lazy_by_name_.end() && !compile_lazy(it->second, error)) {
        std::fprintf(stderr, "nk: compiling the checked copy %s failed: %s\n", name, error.c_str());
        return nullptr;
      }
    }
    return lookup(name, error);
  }

  void* lookup(const std::string& symbol, std::string& error) override {
    auto sym = jit->lookup(symbol);
    if (!sym) {
      error = to_string(sym.takeError());
      return nullptr;
    }
    return sym->toPtr<void*>();
  }

 private:
  struct Lazy {
    std::string bitcode;  // emptied once compiled
  };
  mutable std::mutex lazy_mutex_;
  std::vector<Lazy> lazy_;
  double lazy_ms_ = 0;
  std::map<std::string, size_t> lazy_by_name_;

  bool add_object_file(const std::string& object, std::string& error) {
    if (auto e = jit->addObjectFile(llvm::MemoryBuffer::getMemBufferCopy(object, "nk-object"))) {
      error = to_string(std::move(e));
      return false;
    }
    return true;
  }

  bool add_lazy(std::string entry, std::string& error) {
    std::vector<std::string> names;
    std::string bitcode;
    if (!parse_lazy_entry(entry, names, bitcode)) {
      error = "malformed lazy entry in an object bundle";
      return false;
    }
    std::lock_guard<std::mutex> lock(lazy_mutex_);
    lazy_.push_back({std::move(bitcode)});
    for (const std::string& n : names) lazy_by_name_[n] = lazy_.size() - 1;
    return true;
  }

  // Optimises and compiles lazy entry `k` (once) and links it. Called with the lock held.
  bool compile_lazy(size_t k, std::string& error) {
    if (lazy_[k].bitcode.empty()) return true;
    auto start = std::chrono::steady_clock::now();
    llvm::LLVMContext context;
    context.setDiscardValueNames(true);
    auto buffer = llvm::MemoryBuffer::getMemBuffer(lazy_[k].bitcode, "nk-lazy", false);
    auto module = llvm::parseBitcodeFile(buffer->getMemBufferRef(), context);
    if (!module) {
      error = to_string(module.takeError());
      return false;
    }
    HostCompilerLease compiler = acquire_host_compiler(opt_level, error);
    if (!compiler) return false;
    compiler->prepare(**module);
    compiler->optimize(**module);
    std::string object;
    if (!compiler->emit(**module, false, object, error) || !add_object_file(object, error)) return false;
    lazy_[k].bitcode.clear();
    lazy_ms_ += ms_since(start);
    return true;
  }
};

// Compiled code calls this for the address of a checked copy whose slot still holds
// its first-call stub (lower.cpp): the engine compiles the copy and fills the slot;
// null if it cannot (the stub then raises).
extern "C" void* nk_resolve_checked_entry(void* engine, const char* name, void** slot) {
  void* f = static_cast<OrcEngine*>(engine)->resolve_checked(name);
  if (f) __atomic_store_n(slot, f, __ATOMIC_RELEASE);
  return f;
}

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
  engine->opt_level = opt_level;
  llvm::orc::LLJIT& jit = *engine->jit;
  llvm::orc::JITDylib& main = jit.getMainJITDylib();
  llvm::orc::SymbolMap symbols;
  for (const auto& [name, address] : runtime)
    symbols[jit.mangleAndIntern(name)] = {llvm::orc::ExecutorAddr::fromPtr(address), llvm::JITSymbolFlags::Exported};
  // Checked copies find their way back to this engine (codegen/checked_copies.h).
  symbols[jit.mangleAndIntern(kEngineSymbol)] = {llvm::orc::ExecutorAddr::fromPtr(engine.get()),
                                                 llvm::JITSymbolFlags::Exported};
  symbols[jit.mangleAndIntern(kResolveCheckedSymbol)] = {
      llvm::orc::ExecutorAddr::fromPtr(&nk_resolve_checked_entry), llvm::JITSymbolFlags::Exported};
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
  if (!result->engine->add_object(object, error)) return nullptr;
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
  if (emit == Emit::Obj) {
    CompileOptions plain = options;  // one object file: checked copies compiled with the rest
    plain.lazy_checked_copies = false;
    plain.split_host_program = false;
    plain.split_module = false;
    return compile_object(program, plain, out, times, error);
  }
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
