// Lowering: typed IR -> LLVM IR for the host CPU and, for GPU code, for NVPTX. One host
// module per program (plus one GPU module when it has GPU code); each
// specialisation becomes `i32 nk.fn.NAME.K(ptr ret, params...)` returning a status
// (0, or 1 with an exception set in the runtime), and the host program `i32 nk_main()`.
#pragma once

#include <memory>
#include <string>

#include "frontend/source.h"
#include "ir/ir.h"

namespace llvm {
class LLVMContext;
class Module;
}  // namespace llvm

namespace nk::codegen {

struct LowerOptions {
  const SourceFile* source = nullptr;  // for the line numbers of runtime errors
  bool no_boundscheck = false;   // --no-boundscheck: overrides every function's option
  bool fastmath = false;         // --fastmath: as if every function had fastmath=True
  bool cuda_on_cpu = false;      // --target=cpu: @jit(target="cuda") functions run here
  // Prepended to every function's symbol, so modules compiled for one JIT at different
  // times do not clash (the C++ API). The host program stays `nk_main`.
  std::string symbol_prefix;
  // Also emit `i32 PREFIXcall.K(ptr args, ptr result)` for each specialisation K (its
  // index in Program::functions): args[i] points to argument i (a scalar, or an array
  // descriptor or tuple), so C++ can call any signature through one function type.
  bool entry_points = false;
  // Which definitions the module gets: everything, only the host program (nk_main; the
  // functions it calls are declared), or only the functions (no nk_main). The two
  // halves link together; `nk run` compiles them at once on two threads.
  enum class Part { All, HostProgram, Functions };
  Part part = Part::All;
};

// The symbol of specialisation `index`'s entry point (LowerOptions::entry_points).
std::string entry_symbol(const std::string& prefix, size_t index);

// Entry point of the host program in the lowered module.
inline constexpr const char* kMainSymbol = "nk_main";

// The host module; with `gpu`, also the NVPTX module of the program's GPU code (null
// when it has none): kernels `kernel_symbol(K, name)`, GPU loops' kernels, and the
// device functions they call. The host module refers to its PTX through the global
// kGpuModuleRef ({ ptr ptx, ptr loaded }, ptx null until the driver sets it).
std::unique_ptr<llvm::Module> lower_program(const ir::Program& program, llvm::LLVMContext& context,
                                            const LowerOptions& options, std::unique_ptr<llvm::Module>* gpu = nullptr);

// Checked copies of versioned loops (codegen/checked_copies.h): each is an external
// function with this attribute, called through a slot that the JIT fills on first use
// by `ptr nk_resolve_checked(ptr engine, ptr name, ptr slot)`; `engine` is the address
// of the symbol kEngineSymbol, which each JIT defines as its own handle.
inline constexpr const char* kCheckedCopyAttribute = "nk-checked-copy";
inline constexpr const char* kResolveCheckedSymbol = "nk_resolve_checked";
inline constexpr const char* kEngineSymbol = "nk.engine";

// Entry points (LowerOptions::entry_points) are `optnone` while the IR is optimised,
// which then skips them (a few loads and a call, already as simple as they get, which
// cost a hundred passes' fixed overhead per first call); Optimizer::run then removes
// `optnone` from functions with this attribute, so code generation compiles them as
// usual (at O0 a C++ call through one took a nanosecond longer).
inline constexpr const char* kEntryPointAttribute = "nk-entry-point";

// prange chunk functions (called by the thread pool through a pointer, never inlined)
// carry this attribute: codegen/module_split.h may compile them on a thread of their own.
inline constexpr const char* kChunkAttribute = "nk-prange-chunk";

inline constexpr const char* kGpuTriple = "nvptx64-nvidia-cuda";
inline constexpr const char* kGpuDataLayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64";
inline constexpr const char* kGpuModuleRef = "nk.gpu.module";
// The PTX entry of @cuda.jit specialisation `index` (its index in Program::functions).
std::string kernel_symbol(size_t index, const std::string& name);

}  // namespace nk::codegen
