// GPU modules to PTX. Math that NVPTX cannot lower by itself (sin, exp, pow, fmod...)
// becomes calls of libdevice's __nv_* functions, linked in from the CUDA toolkit's
// bitcode; nk's device runtime supplies what GPU code calls where CPU code calls the
// runtime (errors, integer power, slices).
#include "codegen/ptx.h"

#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/Linker/Linker.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Target/TargetOptions.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <sys/stat.h>

#include "codegen/lower.h"
#include "codegen/optimize.h"

extern "C" {
void LLVMInitializeNVPTXTargetInfo();
void LLVMInitializeNVPTXTarget();
void LLVMInitializeNVPTXTargetMC();
void LLVMInitializeNVPTXAsmPrinter();
}

namespace nk::codegen {
namespace {

#include "nk_device_bitcode.inc"

void initialize_nvptx() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeNVPTXTargetInfo();
    LLVMInitializeNVPTXTarget();
    LLVMInitializeNVPTXTargetMC();
    LLVMInitializeNVPTXAsmPrinter();
  });
}

bool exists(const std::string& path) {
  struct stat st;
  return !path.empty() && stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// The libm and intrinsic names GPU code may call, and libdevice's for them.
const std::set<std::string>& libm_names() {
  static const std::set<std::string> names = {"expm1", "log1p", "tan",  "asin",  "acos",   "atan",  "sinh",
                                              "cosh",  "tanh",  "asinh", "acosh", "atanh", "erf",   "erfc",
                                              "tgamma", "lgamma", "atan2", "hypot", "fmod", "exp",  "log",
                                              "sin",   "cos",   "pow",  "log2",  "log10", "exp2", "exp10"};
  return names;
}

// Renames libm calls and the math intrinsics NVPTX cannot select to libdevice's
// functions, and turns frem into fmod. Returns whether anything now needs libdevice.
bool use_libdevice(llvm::Module& m) {
  bool needed = false;
  std::vector<llvm::Instruction*> frems;
  for (llvm::Function& f : m)
    for (llvm::BasicBlock& bb : f)
      for (llvm::Instruction& i : bb)
        if (i.getOpcode() == llvm::Instruction::FRem) frems.push_back(&i);
  for (llvm::Instruction* i : frems) {
    llvm::Type* t = i->getType();
    bool f32 = t->isFloatTy();
    llvm::FunctionCallee fmod = m.getOrInsertFunction(f32 ? "__nv_fmodf" : "__nv_fmod", t, t, t);
    llvm::IRBuilder<> b(i);
    i->replaceAllUsesWith(b.CreateCall(fmod, {i->getOperand(0), i->getOperand(1)}));
    i->eraseFromParent();
    needed = true;
  }
  std::vector<llvm::Function*> declarations;
  for (llvm::Function& f : m)
    if (f.isDeclaration()) declarations.push_back(&f);
  for (llvm::Function* f : declarations) {
    std::string name = f->getName().str();
    std::string base;
    bool f32 = f->getReturnType()->isFloatTy();
    if (name.rfind("llvm.", 0) == 0) {
      // llvm.sin.f64 -> sin
      std::string rest = name.substr(5);
      base = rest.substr(0, rest.find('.'));
      if (!libm_names().count(base) || f->getReturnType()->isVectorTy()) continue;
    } else if (libm_names().count(name)) {
      base = name;
    } else if (!name.empty() && name.back() == 'f' && libm_names().count(name.substr(0, name.size() - 1))) {
      base = name.substr(0, name.size() - 1);
      f32 = true;
    } else {
      continue;
    }
    std::string target = "__nv_" + base + (f32 ? "f" : "");
    llvm::FunctionCallee nv = m.getOrInsertFunction(target, f->getFunctionType());
    f->replaceAllUsesWith(nv.getCallee());
    f->eraseFromParent();
    needed = true;
  }
  for (llvm::Function& f : m)
    if (f.isDeclaration() && f.getName().starts_with("__nv_")) needed = true;
  return needed;
}

std::unique_ptr<llvm::Module> parse_bitcode(llvm::MemoryBufferRef buffer, llvm::LLVMContext& ctx, std::string& error) {
  auto parsed = llvm::parseBitcodeFile(buffer, ctx);
  if (!parsed) {
    llvm::raw_string_ostream os(error);
    os << parsed.takeError();
    return nullptr;
  }
  std::unique_ptr<llvm::Module> m = std::move(*parsed);
  m->setTargetTriple(kGpuTriple);
  m->setDataLayout(kGpuDataLayout);
  return m;
}

bool link(llvm::Module& into, std::unique_ptr<llvm::Module> from, std::string& error) {
  if (llvm::Linker::linkModules(into, std::move(from), llvm::Linker::LinkOnlyNeeded)) {
    error = "linking GPU code failed";
    return false;
  }
  return true;
}

}  // namespace

std::string libdevice_path() {
  std::vector<std::string> candidates;
  if (const char* p = std::getenv("NK_LIBDEVICE")) candidates.push_back(p);
  if (const char* home = std::getenv("CUDA_HOME")) candidates.push_back(std::string(home) + "/nvvm/libdevice/libdevice.10.bc");
  if (const char* home = std::getenv("CUDA_PATH")) candidates.push_back(std::string(home) + "/nvvm/libdevice/libdevice.10.bc");
  candidates.push_back("/usr/local/cuda/nvvm/libdevice/libdevice.10.bc");
  candidates.push_back("/usr/lib/nvidia-cuda-toolkit/libdevice/libdevice.10.bc");
  candidates.push_back("/usr/lib/cuda/nvvm/libdevice/libdevice.10.bc");
  for (const std::string& c : candidates)
    if (exists(c)) return c;
  return "";
}

std::string normalize_gpu_arch(const std::string& arch) {
  int n = 0;
  if (arch.rfind("sm_", 0) == 0) n = std::atoi(arch.c_str() + 3);
  if (n <= 0) return "sm_80";
  if (n > 90) return "sm_90";  // the newest LLVM 19 knows; the driver JIT-compiles the PTX for newer GPUs
  return "sm_" + std::to_string(n);
}

bool compile_ptx(std::unique_ptr<llvm::Module> module, const std::string& arch, int opt_level, std::string& ptx,
                 std::string& error) {
  initialize_nvptx();
  llvm::LLVMContext& ctx = module->getContext();
  bool math = use_libdevice(*module);
  // nk's device runtime.
  llvm::MemoryBufferRef runtime_buffer(
      llvm::StringRef(reinterpret_cast<const char*>(kDeviceRuntimeBitcode), sizeof kDeviceRuntimeBitcode), "nk_device.bc");
  std::unique_ptr<llvm::Module> runtime = parse_bitcode(runtime_buffer, ctx, error);
  if (!runtime || !link(*module, std::move(runtime), error)) return false;
  if (math) {
    std::string path = libdevice_path();
    if (path.empty()) {
      error = "math functions on the GPU need CUDA's libdevice (nvvm/libdevice/libdevice.10.bc from the CUDA toolkit); "
              "set NK_LIBDEVICE to its path";
      return false;
    }
    auto file = llvm::MemoryBuffer::getFile(path);
    if (!file) {
      error = "cannot read " + path;
      return false;
    }
    std::unique_ptr<llvm::Module> libdevice = parse_bitcode((*file)->getMemBufferRef(), ctx, error);
    if (!libdevice || !link(*module, std::move(libdevice), error)) return false;
    if (!module->getModuleFlag("nvvm-reflect-ftz")) module->addModuleFlag(llvm::Module::Override, "nvvm-reflect-ftz", static_cast<uint32_t>(0));
  }
  // Only kernels are entry points (and the error record the host reads).
  for (llvm::Function& f : *module) {
    if (f.isDeclaration()) {
      // __nvvm_reflect: libdevice's queries, answered by the NVVMReflect pass.
      if (f.isIntrinsic() || f.getName() == "vprintf" || f.getName() == "__nvvm_reflect") continue;
      error = "GPU code calls '" + f.getName().str() + "', which nk cannot run on the GPU";
      return false;
    }
  }
  std::set<llvm::Function*> kernels;
  if (llvm::NamedMDNode* md = module->getNamedMetadata("nvvm.annotations"))
    for (llvm::MDNode* node : md->operands())
      if (auto* v = llvm::mdconst::dyn_extract_or_null<llvm::Function>(node->getOperand(0))) kernels.insert(v);
  for (llvm::Function& f : *module)
    if (!f.isDeclaration() && !kernels.count(&f)) f.setLinkage(llvm::GlobalValue::InternalLinkage);

  std::string lookup_error;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(kGpuTriple, lookup_error);
  if (!target) {
    error = "LLVM has no NVPTX target: " + lookup_error;
    return false;
  }
  llvm::TargetOptions options;
  auto level = opt_level == 0 ? llvm::CodeGenOptLevel::None : opt_level == 1 ? llvm::CodeGenOptLevel::Less
               : opt_level == 2 ? llvm::CodeGenOptLevel::Default : llvm::CodeGenOptLevel::Aggressive;
  std::unique_ptr<llvm::TargetMachine> tm(
      target->createTargetMachine(kGpuTriple, normalize_gpu_arch(arch), "", options, std::nullopt, std::nullopt, level));
  module->setDataLayout(tm->createDataLayout());
  for (llvm::Function& f : *module)
    if (!f.isDeclaration()) f.addFnAttr(llvm::Attribute::NoUnwind);
  optimize_module(*module, *tm, opt_level);
  llvm::SmallString<0> buffer;
  llvm::raw_svector_ostream os(buffer);
  llvm::legacy::PassManager pm;
  if (tm->addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::AssemblyFile)) {
    error = "the NVPTX target cannot emit PTX";
    return false;
  }
  pm.run(*module);
  ptx.assign(buffer.begin(), buffer.end());
  return true;
}

}  // namespace nk::codegen
