// The C++ API behind include/nk/jit.h: a Jit owns one JIT engine; each Module keeps
// its parsed source and compiles a function once per signature (type-check with that
// signature as the root, lower with a C-callable entry point, link into the engine).
#include "nk/jit.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <sstream>

#include "codegen/jit.h"
#include "codegen/llvm_info.h"
#include "frontend/internal_error.h"
#include "frontend/lexer.h"
#include "frontend/parser.h"
#include "ir/check.h"
#include "nk/version.h"
#include "runtime/cache.h"
#include "runtime/cuda_driver.h"
#include "runtime/entry_points.h"
#include "runtime/errors.h"

namespace nk {

namespace detail {

struct JitState {
  Options options;
  std::unique_ptr<codegen::Engine> engine;
  std::mutex link_mutex;  // objects with the same symbols are linked once
  std::map<std::string, detail::Resolved> linked;  // by symbol prefix
  std::atomic<uint64_t> modules{0};
};

class ModuleState {
 public:
  ModuleState(std::shared_ptr<JitState> jit, std::string name, std::string source)
      : jit(std::move(jit)), file(std::move(name), std::move(source)) {}

  std::shared_ptr<JitState> jit;
  SourceFile file;
  std::vector<Token> tokens;
  ast::Module module;
  std::mutex mutex;  // guards specs
  std::map<std::string, Resolved> specs;  // "name(types)"
};

std::string dtype_name(DType t) {
  static const char* names[] = {"bool",   "int8",   "int16",  "int32",   "int64",  "uint8",
                                "uint16", "uint32", "uint64", "float32", "float64"};
  return names[static_cast<int>(t)];
}

std::string type_name(DType t, int ndim, bool contiguous, bool is_array) {
  std::string s = dtype_name(t);
  if (!is_array) return s;
  s += "[";
  for (int k = 0; k < ndim; ++k) s += k == 0 ? ":" : ", :";
  if (contiguous) s += ":1";  // the last ':' becomes '::1' (C layout)
  return s + "]";
}

namespace {

std::vector<CompileDiagnostic> structured(const Diagnostics& diags) {
  std::vector<CompileDiagnostic> out;
  for (const nk::Diagnostic& d : diags.all()) {
    LineColumn lc = diags.file().line_column(d.range.begin);
    out.push_back({severity_name(d.severity), d.message, diags.file().name(), static_cast<int>(lc.line), static_cast<int>(lc.column)});
  }
  return out;
}

[[noreturn]] void throw_compile_error(const Diagnostics& diags) {
  std::ostringstream rendered;
  diags.render(rendered);
  throw CompileError(structured(diags), rendered.str());
}

// GPU code's architecture under Target::Cuda: the GPU's own, else sm_80.
std::string gpu_arch(const Options& o) {
  int major = 0, minor = 0;
  std::string why;
  if (o.target == Target::Cuda && runtime::cuda_device_arch(major, minor, why)) return "sm_" + std::to_string(major * 10 + minor);
  return "sm_80";
}

// Everything the object code of one specialisation depends on.
std::string spec_key(const Options& o, const std::string& source, const std::string& name, const std::string& sig) {
  return std::string("nk ") + kVersion + " build " + runtime::build_fingerprint() + "\nllvm " +
         codegen::llvm_version() + "\ntarget " +
         codegen::target_fingerprint(o.opt_level) + "\noptions boundscheck=" + (o.boundscheck ? "1" : "0") +
         " fastmath=" + (o.fastmath ? "1" : "0") + " cuda=" + (o.target == Target::Cuda ? gpu_arch(o) : "cpu") + "\nfunction " + name + sig + "\nsource " + runtime::hash_hex(source) +
         "\n" + source;
}

// Links an object (once per prefix) and resolves its entry point.
Resolved link(JitState& jit, const std::string& prefix, const std::string& object, size_t index,
              const std::string& return_type) {
  std::lock_guard<std::mutex> lock(jit.link_mutex);
  auto it = jit.linked.find(prefix);
  if (it != jit.linked.end()) return it->second;
  std::string error;
  if (!jit.engine->add_object(object, error)) throw Error("nk: linking compiled code failed: " + error);
  void* entry = jit.engine->lookup(codegen::entry_symbol(prefix, index), error);
  if (!entry) throw Error("nk: compiled code has no entry point: " + error);
  Resolved r{reinterpret_cast<EntryFn>(entry), return_type};
  jit.linked[prefix] = r;
  return r;
}

}  // namespace

Resolved resolve(ModuleState& m, const std::string& name, const std::vector<std::string>& param_types) {
  std::string sig = "(";
  for (size_t i = 0; i < param_types.size(); ++i) sig += (i ? ", " : "") + param_types[i];
  sig += param_types.size() == 1 ? ",)" : ")";
  std::lock_guard<std::mutex> lock(m.mutex);
  auto found = m.specs.find(name + sig);
  if (found != m.specs.end()) return found->second;

  const Options& o = m.jit->options;
  std::string key = spec_key(o, m.file.text(), name, sig);
  std::string prefix = "nk" + runtime::hash_hex(key).substr(0, 20) + ".";
  runtime::DiskCache cache(o.cache_dir.empty() ? runtime::DiskCache::default_dir() : o.cache_dir);
  std::string payload;
  Resolved r;
  if (o.cache && cache.load(key, payload)) {
    // Payload: entry index, newline, return type, newline, object code.
    size_t a = payload.find('\n'), b = payload.find('\n', a + 1);
    if (a != std::string::npos && b != std::string::npos) {
      size_t index = std::stoull(payload.substr(0, a));
      r = link(*m.jit, prefix, payload.substr(b + 1), index, payload.substr(a + 1, b - a - 1));
      m.specs[name + sig] = r;
      return r;
    }
  }

  Diagnostics diags(m.file);
  ir::CheckOptions options;
  options.function = name;
  options.signature = sig;
  options.host = false;
  auto check_start = std::chrono::steady_clock::now();
  ir::Program program = ir::check(m.module, m.file, diags, options);
  double check_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - check_start).count();
  if (diags.has_errors()) throw_compile_error(diags);
  size_t index = 0;
  while (index < program.functions.size() && program.functions[index].get() != program.requested) ++index;
  NK_CHECK(program.requested && index < program.functions.size()) << "no specialisation of " << name;
  if (program.requested->target == ir::Target::CudaKernel || program.requested->target == ir::Target::CudaDevice)
    throw Error("nk: '" + name + "' is a @cuda.jit " + (program.requested->target == ir::Target::CudaKernel ? "kernel" : "device function") +
                ": the C++ API calls functions; launch kernels from a .nk host program");

  codegen::CompileOptions copts;
  copts.opt_level = o.opt_level;
  copts.lower.source = &m.file;
  copts.lower.no_boundscheck = !o.boundscheck;
  copts.lower.fastmath = o.fastmath;
  copts.lower.symbol_prefix = prefix;
  copts.lower.entry_points = true;
  // Target::Cpu runs @jit(target="cuda") functions on the CPU, Target::Cuda on the GPU.
  copts.lower.cuda_on_cpu = o.target != Target::Cuda;
  copts.gpu_arch = gpu_arch(o);
  std::string object, error;
  codegen::PhaseTimes times;
  if (!codegen::compile_object(program, copts, object, times, error)) throw Error("nk: code generation failed: " + error);
  std::string return_type = program.requested->return_type->str();
  if (o.cache) {
    std::string cache_error;
    cache.store(key, std::to_string(index) + "\n" + return_type + "\n" + object, cache_error);
  }
  auto link_start = std::chrono::steady_clock::now();
  r = link(*m.jit, prefix, object, index, return_type);
  if (std::getenv("NK_TIME")) {
    double link_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - link_start).count();
    std::fprintf(stderr, "nk: time: %s%s: types %.3f setup %.3f lower %.3f split %.3f optimize %.3f machine code %.3f "
                 "second part (in parallel) %.3f link %.3f ms\n",
                 name.c_str(), sig.c_str(), check_ms, times.setup_ms, times.lower_ms, times.split_ms, times.optimize_ms,
                 times.codegen_ms, times.second_part_ms, link_ms);
  }
  m.specs[name + sig] = r;
  return r;
}

void throw_pending(ModuleState& m) {
  runtime::PendingError e = runtime::pending_error();
  std::string chain = runtime::caller_chain(m.file.name());
  runtime::clear_error();
  std::string message = e.message;
  if (!chain.empty()) message += "\n" + chain.substr(0, chain.size() - 1);
  throw RuntimeError(e.kind, message, m.file.name(), e.line);
}

}  // namespace detail

const std::string& Module::name() const { return state_->file.name(); }

Jit::Jit(Options options) : state_(std::make_shared<detail::JitState>()) {
  if (options.opt_level < 0 || options.opt_level > 3) throw Error("nk: opt_level must be 0..3");
  state_->options = std::move(options);
  std::string error;
  state_->engine = codegen::Engine::create(state_->options.opt_level, runtime::entry_points(), error);
  if (!state_->engine) throw Error("nk: cannot create the JIT: " + error);
}

Jit::~Jit() = default;

const Options& Jit::options() const { return state_->options; }

Module Jit::load_source(const std::string& source, const std::string& name) {
  auto m = std::make_shared<detail::ModuleState>(state_, name, source);
  Diagnostics diags(m->file);
  m->tokens = lex(m->file, diags);
  m->module = parse(m->tokens, m->file, diags);
  if (diags.has_errors()) detail::throw_compile_error(diags);
  return Module(std::move(m));
}

Module Jit::load_file(const std::string& path) {
  std::string text, error;
  if (!read_file(path, text, error)) throw Error("nk: " + error);
  return load_source(text, path);
}

}  // namespace nk
