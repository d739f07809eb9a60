// The NVPTX half of the code generator: a GPU module from lower_program, linked with
// nk's device runtime (runtime/device/nk_device.c) and, for math functions, CUDA's
// libdevice, optimised for one GPU architecture and printed as PTX text, which the
// CUDA driver compiles for the GPU at load time.
#pragma once

#include <memory>
#include <string>

namespace llvm {
class Module;
}  // namespace llvm

namespace nk::codegen {

// "sm_XX" as given, or clamped to the newest architecture LLVM 19 knows (PTX runs on
// later GPUs: the driver compiles it for them).
std::string normalize_gpu_arch(const std::string& arch);

// Compiles `module` (consumed) to PTX for `arch` at -O`opt_level`. Returns false with a
// message naming what GPU code cannot do, or what is missing (libdevice).
bool compile_ptx(std::unique_ptr<llvm::Module> module, const std::string& arch, int opt_level, std::string& ptx,
                 std::string& error);

// Where libdevice.10.bc was found ("" if nowhere): $NK_LIBDEVICE, $CUDA_HOME or
// /usr/local/cuda's nvvm/libdevice, Debian's nvidia-cuda-toolkit.
std::string libdevice_path();

}  // namespace nk::codegen
