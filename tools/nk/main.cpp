// The `nk` command-line driver (SPEC §3): reads the command line, runs the stages
// (lex, parse, check) one call per line, and prints what the requested stage produced.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <memory>
#include <new>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codegen/jit.h"
#include "codegen/llvm_info.h"
#include "frontend/ast.h"
#include "frontend/ast_printer.h"
#include "frontend/diagnostics.h"
#include "frontend/internal_error.h"
#include "frontend/lexer.h"
#include "frontend/parser.h"
#include "frontend/source.h"
#include "frontend/token.h"
#include "ir/call_graph.h"
#include "ir/check.h"
#include "ir/ir.h"
#include "ir/ir_printer.h"
#include "nk/version.h"
#include "runtime/cache.h"
#include "runtime/cuda_driver.h"
#include "runtime/entry_points.h"
#include "runtime/errors.h"

namespace nk {
namespace {

// Exit codes; README.md documents them.
constexpr int kExitSuccess = 0;
constexpr int kExitCompileError = 1;    // diagnostics were printed
constexpr int kExitUsage = 2;           // bad command line, unreadable file
constexpr int kExitRuntimeError = 3;   // `nk run`: the program raised an exception
constexpr int kExitInternalError = 70;  // a compiler bug (EX_SOFTWARE)

constexpr const char* kUsage = R"usage(usage: nk COMMAND FILE.nk [OPTIONS]

Commands:
  check FILE.nk              parse and type-check; print diagnostics only
  types FILE.nk              print each compiled function's signature and the
                             types of its locals (like Numba's inspect_types)
  compile FILE.nk --emit=K   print one stage's output; K is one of
                               tokens, ast, ir, llvm, opt-llvm, asm, obj, ptx
  run FILE.nk [ARGS...]      compile and run the host program; ARGS go to sys.argv
  cache info|clear           show or empty the compilation cache

Options for check, types and compile:
  --function NAME            print only NAME's specialisations (code: with the
                             functions they call)
  --sig SIG                  also compile NAME for SIG, e.g. "float64(float64[:], int64)"
  --no-host                  do not type the host program (module-level code)
  -o OUT                     compile: write the output to OUT instead of stdout

Options for all commands:
  -O0 -O1 -O2 -O3            optimisation level (default -O3)
  --target=cpu|cuda          default target for functions without @jit(target=...)
  --no-boundscheck           do not check array indices
  --fastmath                 allow floating-point reassociation
  --no-cache                 do not read or write the compilation cache (nk run)
  --cache-dir DIR            cache directory (default $XDG_CACHE_HOME/nk, else
                             ~/.cache/nk)
  --time                     print each phase's time to stderr
  --gpu-arch sm_XX           CUDA architecture (default: the GPU's own)

  nk --help                  this text
  nk --version               nk's and LLVM's versions, and the host CPU

Exit codes:
  0   success
  1   compile errors (diagnostics were printed)
  2   usage error or unreadable file
  3   runtime error (nk run)
  70  internal compiler error (a bug in nk; please report it)
)usage";

// A mistake on the command line: printed as "nk: error: ..." with exit code 2.
struct UsageError {
  std::string message;
};

enum class Command { Check, Types, Compile, Run, Cache };
enum class Emit { None, Tokens, Ast, Ir, Llvm, OptLlvm, Asm, Obj, Ptx };
enum class Target { Cpu, Cuda };

// Everything the command line says. Options that only later stages use (optimisation
// level, target, cache, GPU architecture) are validated and stored now.
struct Options {
  Command command = Command::Check;
  std::string file;
  std::vector<std::string> run_args;  // `nk run FILE ARGS...`: sys.argv[1:]
  Emit emit = Emit::None;
  std::string emit_name;  // as given, for messages
  std::string output;     // -o; empty: stdout
  std::string function;
  std::string signature;
  bool host = true;
  int opt_level = 3;
  Target target = Target::Cpu;
  bool target_given = false;  // --target=cpu also runs @jit(target="cuda") functions here
  bool boundscheck = true;
  bool fastmath = false;
  bool cache = true;
  std::string cache_dir;
  bool time = false;
  std::string gpu_arch;
};

const char* command_name(Command c) {
  switch (c) {
    case Command::Check: return "check";
    case Command::Types: return "types";
    case Command::Compile: return "compile";
    case Command::Run: return "run";
    case Command::Cache: return "cache";
  }
  return "?";
}

bool parse_emit(std::string_view name, Emit& emit) {
  static constexpr std::pair<std::string_view, Emit> kEmits[] = {
      {"tokens", Emit::Tokens}, {"ast", Emit::Ast},         {"ir", Emit::Ir},
      {"llvm", Emit::Llvm},     {"opt-llvm", Emit::OptLlvm}, {"asm", Emit::Asm},
      {"obj", Emit::Obj},       {"ptx", Emit::Ptx},
  };
  for (const auto& [spelling, kind] : kEmits) {
    if (name == spelling) {
      emit = kind;
      return true;
    }
  }
  return false;
}

// "sm_" followed by two or three digits and an optional feature letter ("sm_90a").
bool valid_gpu_arch(std::string_view arch) {
  if (arch.substr(0, 3) != "sm_") return false;
  std::string_view rest = arch.substr(3);
  if (!rest.empty() && rest.back() >= 'a' && rest.back() <= 'z') rest.remove_suffix(1);
  if (rest.size() < 2 || rest.size() > 3) return false;
  return std::all_of(rest.begin(), rest.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Reads the command line. Every option is checked here, so later code can trust it.
class CommandLine {
 public:
  explicit CommandLine(std::vector<std::string> args) : args_(std::move(args)) {}

  Options parse() {
    Options o;
    if (args_.empty()) throw UsageError{"no command given (see 'nk --help')"};
    const std::string& command = args_[0];
    if (command == "check") o.command = Command::Check;
    else if (command == "types") o.command = Command::Types;
    else if (command == "compile") o.command = Command::Compile;
    else if (command == "run") o.command = Command::Run;
    else if (command == "cache") o.command = Command::Cache;
    else if (!command.empty() && command[0] == '-')
      throw UsageError{"expected a command (check, types, compile, run) before '" + command + "' (see 'nk --help')"};
    else
      throw UsageError{"unknown command '" + command + "' (see 'nk --help')"};

    bool options_done = false;  // after "--", everything is a file name
    for (pos_ = 1; pos_ < args_.size(); ++pos_) {
      const std::string& arg = args_[pos_];
      if (options_done || arg.empty() || arg[0] != '-' || arg == "-") {
        positional(o, arg);
        // `nk run FILE ARGS...`: what follows FILE belongs to the program.
        if (o.command == Command::Run && !o.file.empty()) {
          o.run_args.assign(args_.begin() + static_cast<std::ptrdiff_t>(pos_) + 1, args_.end());
          break;
        }
        continue;
      }
      if (arg == "--") {
        options_done = true;
        continue;
      }
      option(o, arg);
    }
    validate(o);
    return o;
  }

 private:
  void positional(Options& o, const std::string& arg) {
    if (!o.file.empty()) throw UsageError{"unexpected argument '" + arg + "' (one FILE.nk per command)"};
    o.file = arg;
  }

  void option(Options& o, const std::string& arg) {
    std::string value;
    if (arg.size() == 3 && arg[0] == '-' && arg[1] == 'O') {
      if (arg[2] < '0' || arg[2] > '3') throw UsageError{"invalid optimisation level '" + arg + "' (expected -O0, -O1, -O2 or -O3)"};
      o.opt_level = arg[2] - '0';
    } else if (arg == "--no-boundscheck") {
      o.boundscheck = false;
    } else if (arg == "--fastmath") {
      o.fastmath = true;
    } else if (arg == "--no-cache") {
      o.cache = false;
    } else if (arg == "--time") {
      o.time = true;
    } else if (take_value(arg, "--target", value)) {
      o.target_given = true;
      if (value == "cpu") o.target = Target::Cpu;
      else if (value == "cuda") o.target = Target::Cuda;
      else throw UsageError{"invalid value '" + value + "' for '--target' (expected cpu or cuda)"};
    } else if (take_value(arg, "--cache-dir", value)) {
      o.cache_dir = value;
    } else if (take_value(arg, "--gpu-arch", value)) {
      if (!valid_gpu_arch(value))
        throw UsageError{"invalid value '" + value + "' for '--gpu-arch' (expected sm_XX, e.g. sm_80)"};
      o.gpu_arch = value;
    } else if (take_value(arg, "--function", value)) {
      only_for(o, "--function", {Command::Check, Command::Types, Command::Compile});
      o.function = value;
    } else if (take_value(arg, "--sig", value)) {
      only_for(o, "--sig", {Command::Check, Command::Types, Command::Compile});
      o.signature = value;
    } else if (arg == "--no-host") {
      only_for(o, "--no-host", {Command::Check, Command::Types, Command::Compile});
      o.host = false;
    } else if (take_value(arg, "--emit", value)) {
      only_for(o, "--emit", {Command::Compile});
      if (!parse_emit(value, o.emit))
        throw UsageError{"invalid value '" + value + "' for '--emit' (expected tokens, ast, ir, llvm, opt-llvm, asm, obj or ptx)"};
      o.emit_name = value;
    } else if (o.command == Command::Compile && arg.size() > 2 && arg.compare(0, 2, "-o") == 0) {  // -oOUT
      o.output = arg.substr(2);
    } else if (take_value(arg, "-o", value)) {
      only_for(o, "-o", {Command::Compile});
      o.output = value;
    } else {
      throw UsageError{"unknown option '" + arg + "' (see 'nk --help')"};
    }
  }

  // Matches "NAME=VALUE" or "NAME VALUE" (the value is the next argument).
  bool take_value(const std::string& arg, std::string_view name, std::string& value) {
    if (arg == name) {
      if (pos_ + 1 >= args_.size()) throw UsageError{"option '" + std::string(name) + "' needs a value"};
      value = args_[++pos_];
    } else if (arg.size() > name.size() && arg.compare(0, name.size(), name) == 0 && arg[name.size()] == '=') {
      value = arg.substr(name.size() + 1);
    } else {
      return false;
    }
    if (value.empty()) throw UsageError{"option '" + std::string(name) + "' needs a non-empty value"};
    return true;
  }

  void only_for(const Options& o, const char* option, std::initializer_list<Command> commands) {
    if (std::find(commands.begin(), commands.end(), o.command) != commands.end()) return;
    throw UsageError{std::string("option '") + option + "' is not valid for 'nk " + command_name(o.command) + "'"};
  }

  void validate(const Options& o) {
    if (o.command == Command::Cache) {
      if (o.file != "info" && o.file != "clear") throw UsageError{"'nk cache' needs 'info' or 'clear'"};
      return;
    }
    if (o.file.empty()) throw UsageError{std::string("'nk ") + command_name(o.command) + "' needs a FILE.nk"};
    if (o.command == Command::Compile && o.emit == Emit::None)
      throw UsageError{"'nk compile' needs --emit=tokens|ast|ir|llvm|opt-llvm|asm|obj|ptx"};
    if (!o.signature.empty() && o.function.empty()) throw UsageError{"'--sig' needs '--function NAME'"};
  }

  std::vector<std::string> args_;
  size_t pos_ = 0;
};

// Reads FILE whole. Refuses directories, and stops reading past the lexer's size
// limit, so `nk check /dev/zero` fails at once instead of filling memory.
bool read_source(const std::string& path, std::string& contents, std::string& error) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    error = "cannot read '" + path + "': it is a directory";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  contents.clear();
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    contents.append(buffer, static_cast<size_t>(in.gcount()));
    if (contents.size() > kMaxSourceBytes) {
      error = "cannot read '" + path + "': it is larger than the limit of " + std::to_string(kMaxSourceBytes) +
              " bytes";
      return false;
    }
  }
  if (in.bad()) {
    error = "cannot read '" + path + "': " + std::strerror(errno);
    return false;
  }
  return true;
}

// `--time`: "nk: time: parse 0.123 ms" on stderr after each phase.
class PhaseTimer {
 public:
  explicit PhaseTimer(bool enabled) : enabled_(enabled) {}

  template <class F>
  auto measure(const char* phase, F&& run_phase) {
    auto start = std::chrono::steady_clock::now();
    auto result = run_phase();
    if (enabled_) {
      std::chrono::duration<double, std::milli> ms = std::chrono::steady_clock::now() - start;
      char text[32];
      std::snprintf(text, sizeof text, "%.3f", ms.count());
      std::cerr << "nk: time: " << phase << ' ' << text << " ms\n";
    }
    return result;
  }
  void report(const char* phase, double ms) {
    if (!enabled_) return;
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", ms);
    std::cerr << "nk: time: " << phase << ' ' << text << " ms\n";
  }

 private:
  bool enabled_;
};

// A token's source text with control characters escaped, so each token is one line.
std::string escape_spelling(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\x%02x", c);
          out += hex;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

// `--emit=tokens`: "KIND 'spelling' LINE:COL", and " = VALUE" for numbers.
void print_tokens(std::ostream& out, const SourceFile& file, const std::vector<Token>& tokens) {
  for (const Token& t : tokens) {
    LineColumn lc = file.line_column(t.range.begin);
    out << tok_name(t.kind) << " '" << escape_spelling(file.slice(t.range)) << "' " << lc.line << ':' << lc.column;
    if (t.kind == Tok::IntLiteral) {
      // Literals are never negative; 2**63 (allowed before unary minus) prints as such.
      out << " = " << static_cast<uint64_t>(t.int_value);
    } else if (t.kind == Tok::FloatLiteral) {
      char value[40];
      std::snprintf(value, sizeof value, "%.17g", t.float_value);
      out << " = " << value;
    }
    out << '\n';
  }
}

bool defines_function(const ast::Module& module, const std::string& name) {
  return std::any_of(module.body.begin(), module.body.end(), [&](const ast::StmtPtr& s) {
    return s->kind == ast::StmtKind::FunctionDef && s->as<ast::FunctionDefStmt>().name == name;
  });
}

// Moves the specialisations of functions other than `name` from `program` into
// `others`, which must outlive `program`: the kept ones may point at them (callees).
// With `with_callees` (code generation) the functions they call, directly or not, stay
// too: their code is compiled (and printed) with them.
void keep_only(ir::Program& program, const std::string& name, bool with_callees,
               std::vector<std::unique_ptr<ir::Function>>& others) {
  std::set<const ir::Function*> wanted;
  std::vector<const ir::Function*> work;
  for (const std::unique_ptr<ir::Function>& fn : program.functions)
    if (fn->name == name && wanted.insert(fn.get()).second) work.push_back(fn.get());
  while (with_callees && !work.empty()) {
    const ir::Function* fn = work.back();
    work.pop_back();
    for (const ir::Function* callee : ir::direct_callees(*fn))
      if (callee && wanted.insert(callee).second) work.push_back(callee);
  }
  std::vector<std::unique_ptr<ir::Function>> kept;
  for (std::unique_ptr<ir::Function>& fn : program.functions)
    (wanted.count(fn.get()) ? kept : others).push_back(std::move(fn));
  program.functions = std::move(kept);
}

// Writes a command's result to -o OUT, or to stdout.
bool write_output(const Options& o, const std::string& text) {
  if (o.output.empty() || o.output == "-") {
    std::cout << text << std::flush;
    return true;
  }
  std::ofstream out(o.output, std::ios::binary | std::ios::trunc);
  if (out) out << text;
  if (out) out.close();
  if (!out) {
    std::cerr << "nk: error: cannot write '" << o.output << "': " << std::strerror(errno) << '\n';
    return false;
  }
  return true;
}

// GPU code's architecture: --gpu-arch, else the GPU's own when the program may have GPU
// code (asking the driver costs its start-up, so only then), else sm_80.
std::string gpu_arch(const Options& o, const std::string& source) {
  if (!o.gpu_arch.empty()) return o.gpu_arch;
  if ((o.target == Target::Cpu && o.target_given) || source.find("cuda") == std::string::npos) return "sm_80";
  int major = 0, minor = 0;
  std::string why;
  if (runtime::cuda_device_arch(major, minor, why)) return "sm_" + std::to_string(major * 10 + minor);
  return "sm_80";
}

codegen::CompileOptions compile_options(const Options& o, const SourceFile& file) {
  codegen::CompileOptions c;
  c.gpu_arch = gpu_arch(o, file.text());
  c.opt_level = o.opt_level;
  c.lower.source = &file;
  c.lower.no_boundscheck = !o.boundscheck;
  c.lower.fastmath = o.fastmath;
  c.lower.cuda_on_cpu = o.target == Target::Cpu && o.target_given;
  return c;
}

// Machine code: `nk run` JIT-compiles and runs the host program; `nk compile
// --emit=llvm|opt-llvm|asm|obj` prints what the code generator made.
std::string cache_dir(const Options& o);
std::string cache_key(const Options& o, const std::string& source);
int run_object(const Options& o, const std::string& object, PhaseTimer& timer);

int generate(const Options& o, const SourceFile& file, const ir::Program& program, PhaseTimer& timer,
             std::ostringstream& out) {
  codegen::CompileOptions options = compile_options(o, file);
  std::string error;
  if (o.command == Command::Compile) {
    codegen::Emit emit = o.emit == Emit::Llvm      ? codegen::Emit::Llvm
                         : o.emit == Emit::OptLlvm ? codegen::Emit::OptLlvm
                         : o.emit == Emit::Asm     ? codegen::Emit::Asm
                         : o.emit == Emit::Ptx     ? codegen::Emit::Ptx
                                                   : codegen::Emit::Obj;
    std::string text;
    bool ok = timer.measure("codegen", [&] { return codegen::emit_program(program, options, emit, text, error); });
    if (!ok) {
      std::cerr << "nk: error: " << error << '\n';
      return emit == codegen::Emit::Ptx ? kExitCompileError : kExitInternalError;
    }
    return write_output(o, text) ? kExitSuccess : kExitUsage;
  }
  codegen::PhaseTimes times;
  std::string object;
  options.split_host_program = true;
  if (!codegen::compile_object(program, options, object, times, error)) {
    // What fails here is the GPU half (no libdevice, code the GPU cannot run) or LLVM.
    std::cerr << "nk: error: code generation failed: " << error << '\n';
    return kExitCompileError;
  }
  timer.report("lower", times.lower_ms);
  if (times.second_part_ms > 0) timer.report("split", times.split_ms);
  timer.report("optimize", times.optimize_ms);
  timer.report("machine code", times.codegen_ms);
  if (times.ptx_ms > 0) timer.report("PTX", times.ptx_ms);
  // The host program is compiled on a second thread meanwhile (one module otherwise).
  if (times.host_program_ms > 0) timer.report("host program (in parallel)", times.host_program_ms);
  // A module with loop nests side by side: its second part on a thread of its own.
  if (times.second_part_ms > 0) timer.report("second part (in parallel)", times.second_part_ms);
  timer.report("compile", times.wall_ms);
  if (o.cache) {
    // A cache that cannot be written is not an error: the program still runs.
    std::string cache_error;
    if (!runtime::DiskCache(cache_dir(o)).store(cache_key(o, file.text()), object, cache_error) && o.time)
      std::cerr << "nk: note: " << cache_error << '\n';
  }
  return run_object(o, object, timer);
}

std::string cache_dir(const Options& o) { return o.cache_dir.empty() ? runtime::DiskCache::default_dir() : o.cache_dir; }

// Everything the object code of `nk run` depends on: nk's and LLVM's versions, the
// host CPU and its features, the options that change code, and the source.
std::string cache_key(const Options& o, const std::string& source) {
  std::string key = std::string("nk ") + kVersion + " build " + runtime::build_fingerprint() + "\nllvm " +
                    codegen::llvm_version() + "\ntarget " +
                    codegen::target_fingerprint(o.opt_level) + "\noptions boundscheck=" + (o.boundscheck ? "1" : "0") +
                    " fastmath=" + (o.fastmath ? "1" : "0") + " cuda_on_cpu=" +
                    (o.target == Target::Cpu && o.target_given ? "1" : "0") + " gpu_arch=" + gpu_arch(o, source) +
                    "\nsource " + runtime::hash_hex(source) + "\n";
  return key + source;
}

// Links the object code into this process and runs the host program.
int run_object(const Options& o, const std::string& object, PhaseTimer& timer) {
  std::string error;
  std::unique_ptr<codegen::CompiledProgram> compiled = timer.measure(
      "link", [&] { return codegen::load_object(object, o.opt_level, runtime::entry_points(), error); });
  if (!compiled) {
    std::cerr << "nk: internal error: JIT linking failed: " << error << '\n';
    return kExitInternalError;
  }
  std::vector<std::string> argv{o.file};
  argv.insert(argv.end(), o.run_args.begin(), o.run_args.end());
  runtime::set_argv(std::move(argv));
  int32_t status = timer.measure("run", [&] { return compiled->run_main(); });
  runtime::flush_output();
  if (double load = runtime::cuda_module_load_seconds(); load > 0) timer.report("PTX load (in run)", load * 1000);
  if (double ms = compiled->checked_copies_ms(); ms > 0) timer.report("checked copies (in run)", ms);
  if (status != 0) {
    runtime::print_error(std::cerr, o.file);
    runtime::clear_error();
    return kExitRuntimeError;
  }
  return kExitSuccess;
}

int cache_command(const Options& o) {
  runtime::DiskCache cache(cache_dir(o));
  if (o.file == "clear") {
    std::cout << "removed " << cache.clear() << " entries from " << cache.dir() << '\n';
    return kExitSuccess;
  }
  runtime::DiskCache::Info info = cache.info();
  std::cout << "cache directory: " << cache.dir() << '\n'
            << "entries: " << info.entries << '\n'
            << "size: " << info.bytes << " bytes\n";
  return kExitSuccess;
}

int run_command(const Options& o) {
  if (o.command == Command::Cache) return cache_command(o);

  std::string text;
  std::string error;
  if (!read_source(o.file, text, error)) {
    std::cerr << "nk: error: " << error << '\n';
    return kExitUsage;
  }
  PhaseTimer timer(o.time);
  if (o.command == Command::Run && o.cache) {
    // A program compiled before runs from its cached object code: no parsing at all.
    std::string object;
    bool hit = timer.measure("cache lookup",
                             [&] { return runtime::DiskCache(cache_dir(o)).load(cache_key(o, text), object); });
    if (hit) return run_object(o, object, timer);
  }
  SourceFile file(o.file, std::move(text));
  Diagnostics diags(file);
  std::ostringstream out;

  if (o.emit == Emit::Tokens) {
    std::vector<Token> tokens = timer.measure("lex", [&] { return lex(file, diags); });
    diags.render(std::cerr);
    print_tokens(out, file, tokens);
    if (!write_output(o, out.str())) return kExitUsage;
    return diags.has_errors() ? kExitCompileError : kExitSuccess;
  }

  // The tokens are kept alive next to the AST built from them.
  std::vector<Token> tokens;
  ast::Module module = timer.measure("parse", [&] {
    tokens = lex(file, diags);
    return parse(tokens, file, diags);
  });
  if (o.emit == Emit::Ast) {
    // Printed even after errors: parse tests read how the parser recovered.
    diags.render(std::cerr);
    ast::print(out, module);
    if (!write_output(o, out.str())) return kExitUsage;
    return diags.has_errors() ? kExitCompileError : kExitSuccess;
  }
  // After syntax errors the module is still type-checked, so that independent errors
  // are reported in one run; names that the skipped statements might have defined are
  // not reported as undefined.
  bool parse_errors = diags.has_errors();
  if (!o.function.empty() && !defines_function(module, o.function)) {
    std::cerr << "nk: error: '" << o.file << "' defines no function named '" << o.function << "'\n";
    return kExitUsage;
  }

  ir::CheckOptions check_options;
  if (!o.signature.empty()) {
    check_options.function = o.function;
    check_options.signature = o.signature;
  }
  check_options.host = o.host;
  check_options.after_syntax_errors = parse_errors;
  ir::Program program;
  try {
    program = timer.measure("types", [&] { return ir::check(module, file, diags, check_options); });
  } catch (...) {
    diags.render(std::cerr);  // what was found before the internal error
    throw;
  }
  diags.render(std::cerr);
  if (diags.has_errors()) return kExitCompileError;
  if (o.command == Command::Check) return kExitSuccess;

  std::vector<std::unique_ptr<ir::Function>> others;  // outlives `program`'s use below
  if (!o.function.empty()) {
    bool generating = o.command == Command::Compile && o.emit != Emit::Ir;
    keep_only(program, o.function, generating, others);
    if (program.functions.empty()) {
      std::cerr << "nk: error: no specialisation of '" << o.function
                << "' was compiled (nothing calls it); give its signature with --sig\n";
      return kExitUsage;
    }
  }
  if (o.command == Command::Types) {
    ir::print_types(out, program);
  } else if (o.emit == Emit::Ir) {
    ir::print_program(out, program);
  } else {
    return generate(o, file, program, timer, out);
  }
  return write_output(o, out.str()) ? kExitSuccess : kExitUsage;
}

int main_with_args(std::vector<std::string> args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h" || args[0] == "help")) {
    std::cout << kUsage;
    return kExitSuccess;
  }
  if (!args.empty() && args[0] == "--version") {
    std::cout << "nk " << kVersion << " (LLVM " << codegen::llvm_version() << ", host CPU "
              << codegen::host_cpu_name() << ")\n";
    return kExitSuccess;
  }
  // `nk COMMAND ... --help` asks for help too (but not among `nk run`'s program ARGS).
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--") break;
    if (args[i] == "--help" || args[i] == "-h") {
      std::cout << kUsage;
      return kExitSuccess;
    }
    if (args[0] == "run" && !args[i].empty() && args[i][0] != '-') break;  // FILE: ARGS follow
  }
  Options options;
  try {
    options = CommandLine(std::move(args)).parse();
  } catch (const UsageError& e) {
    std::cerr << "nk: error: " << e.message << '\n';
    return kExitUsage;
  }
  return run_command(options);
}

}  // namespace
}  // namespace nk

int main(int argc, char** argv) {
  try {
    return nk::main_with_args(std::vector<std::string>(argv + (argc > 0 ? 1 : 0), argv + argc));
  } catch (const nk::InternalError& e) {
    std::cerr << "nk: internal error: " << e.what() << '\n';
  } catch (const std::bad_alloc&) {
    std::cerr << "nk: internal error: out of memory\n";
  } catch (const std::exception& e) {
    std::cerr << "nk: internal error: " << e.what() << '\n';
  } catch (...) {
    std::cerr << "nk: internal error: unknown exception\n";
  }
  return nk::kExitInternalError;
}
