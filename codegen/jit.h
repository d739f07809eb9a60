// The JIT driver: LLVM's ORC LLJIT for the host CPU, the optimisation pipeline, and
// the emitters behind `nk compile --emit=llvm|opt-llvm|asm|obj`. Its interface has no
// LLVM types, so tools and the public API stay free of LLVM headers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "codegen/lower.h"
#include "ir/ir.h"

namespace nk::codegen {

enum class Emit { Llvm, OptLlvm, Asm, Obj, Ptx };

struct CompileOptions {
  int opt_level = 3;  // 0..3
  LowerOptions lower;
  std::string gpu_arch = "sm_80";  // GPU code's architecture (the caller asks the driver)
  // compile_object at -O2/-O3: compile the host program (at -O0: it is glue that calls
  // the compiled functions, never inlined into it) and the functions (at opt_level) as
  // two modules on two threads, and return both objects in one bundle (load_object
  // takes it). Programs with GPU code are compiled as one module.
  bool split_host_program = false;
  // compile_object above -O0: the checked copies of versioned loops go into the bundle
  // as bitcode, compiled when first called (codegen/checked_copies.h). Off: compiled
  // with the rest (`nk compile --emit=obj` writes one plain object file).
  bool lazy_checked_copies = true;
  // compile_object at -O3: a module with loop nests side by side may be compiled as two
  // parts on two threads, each an object of the bundle (codegen/module_split.h; the
  // environment variable NK_COMPILE_THREADS=1 turns it off). Off: one object file.
  bool split_module = true;
};

// Milliseconds spent in each phase, for `nk run --time`.
// With split_host_program, lower/optimize/codegen are the functions' module's, and
// host_program_ms is the host program's module (all three phases) compiled meanwhile.
struct PhaseTimes {
  double setup_ms = 0;  // the target machine (the first time in a process)
  double lower_ms = 0, optimize_ms = 0, codegen_ms = 0;
  double ptx_ms = 0;  // GPU code: linking, optimisation and PTX emission
  double host_program_ms = 0;
  // A module split over two threads (codegen/module_split.h): planning it, and the
  // second part's compile (all phases) while the first part's ran.
  double split_ms = 0, second_part_ms = 0;
  double wall_ms = 0;  // compile_object from start to end
};

// Names and addresses of the runtime's entry points (runtime/entry_points.h).
using SymbolTable = std::vector<std::pair<std::string, void*>>;

// A program compiled to machine code in this process.
class CompiledProgram {
 public:
  virtual ~CompiledProgram() = default;
  // Runs the host program; returns its status (0, or 1 when an exception is set).
  virtual int32_t run_main() = 0;
  // Milliseconds spent so far compiling checked copies on first use (see Engine).
  virtual double checked_copies_ms() const = 0;
};

// A JIT in this process: object code is linked into it over time, and its symbols
// looked up by name. Safe to use from many threads at once (ORC's own locking).
class Engine {
 public:
  virtual ~Engine() = default;
  // The runtime's entry points and the process's libraries (libm) resolve symbols.
  // Checked copies in lazy entries are compiled at `opt_level` when first called.
  static std::unique_ptr<Engine> create(int opt_level, const SymbolTable& runtime, std::string& error);
  // An object file, or a bundle of them from compile_object (with lazy entries).
  virtual bool add_object(const std::string& object, std::string& error) = 0;
  virtual void* lookup(const std::string& symbol, std::string& error) = 0;
  // Milliseconds spent so far compiling lazy entries (checked copies) on first use.
  virtual double checked_copies_ms() const = 0;
};

// Lowers, optimises and JIT-compiles `program`. Returns null and sets `error` on failure.
std::unique_ptr<CompiledProgram> jit_program(const ir::Program& program, const CompileOptions& options,
                                             const SymbolTable& runtime, PhaseTimes& times, std::string& error);

// The same in two steps, so the object code can be cached: compile to a relocatable
// object for this host (or a bundle of two, see split_host_program), then link it into
// a JIT in this process.
bool compile_object(const ir::Program& program, const CompileOptions& options, std::string& object,
                    PhaseTimes& times, std::string& error);
std::unique_ptr<CompiledProgram> load_object(const std::string& object, int opt_level, const SymbolTable& runtime,
                                             std::string& error);

// What the machine code depends on besides the program: target triple, CPU name and
// features, optimisation level (part of every cache key).
std::string target_fingerprint(int opt_level);

// Lowers (and optimises, for all but Emit::Llvm) `program`, and renders it as text
// (LLVM IR, assembly, the PTX of its GPU code) or bytes (an ELF object file).
bool emit_program(const ir::Program& program, const CompileOptions& options, Emit emit, std::string& out,
                  std::string& error);

}  // namespace nk::codegen
