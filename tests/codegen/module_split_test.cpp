// Splitting a module over two threads (codegen/module_split.h): which loop nests are
// extracted, what each part keeps, and that both parts are valid modules that refer
// to one another by name.
#include <gtest/gtest.h>

#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/Bitcode/BitcodeWriter.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include <memory>
#include <set>
#include <string>

#include "codegen/checked_copies.h"
#include "codegen/host_compiler.h"
#include "codegen/lower.h"
#include "codegen/module_split.h"
#include "codegen/optimize.h"
#include "frontend/lexer.h"
#include "frontend/parser.h"
#include "ir/check.h"

namespace {

// Lowers `function` of `source` for `sig`, moves its checked copies out and runs the
// first half of -O3 on it, as compile_module_object does before planning a split.
std::unique_ptr<llvm::Module> early(llvm::LLVMContext& context, const std::string& source, const std::string& function,
                                    const std::string& sig) {
  nk::SourceFile file("test.nk", source);
  nk::Diagnostics diags(file);
  std::vector<nk::Token> tokens = nk::lex(file, diags);
  nk::ast::Module ast = nk::parse(tokens, file, diags);
  nk::ir::CheckOptions check;
  check.function = function;
  check.signature = sig;
  check.host = false;
  nk::ir::Program program = nk::ir::check(ast, file, diags, check);
  EXPECT_FALSE(diags.has_errors());
  nk::codegen::LowerOptions options;
  options.source = &file;
  std::unique_ptr<llvm::Module> module = nk::codegen::lower_program(program, context, options);
  nk::codegen::split_checked_copies(*module);  // compiled lazily, not with the module
  static std::unique_ptr<llvm::TargetMachine> tm =
      llvm::cantFail(nk::codegen::host_machine_builder(3).createTargetMachine());
  module->setDataLayout(tm->createDataLayout());
  static nk::codegen::Optimizer o3(*tm, 3);
  EXPECT_TRUE(o3.run_early(*module));
  return module;
}

std::set<std::string> defined(const llvm::Module& m) {
  std::set<std::string> out;
  for (const llvm::Function& f : m)
    if (!f.isDeclaration()) out.insert(f.getName().str());
  return out;
}

bool valid(const llvm::Module& m) {
  std::string errors;
  llvm::raw_string_ostream os(errors);
  bool broken = llvm::verifyModule(m, &os);
  EXPECT_FALSE(broken) << errors;
  return !broken;
}

const char* kSweeps = R"(
def helper(v):
    return v * 0.5 + 1.0

def sweeps(A, B, steps):
    n = A.shape[0]
    for t in range(steps):
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                B[i, j] = helper(A[i, j - 1] + A[i, j + 1] + A[i - 1, j] + A[i + 1, j])
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                A[i, j] = 0.2 * (B[i, j] + B[i, j - 1] + B[i, j + 1] + B[i + 1, j] + B[i - 1, j])
)";
const char* kSweepsSig = "(float64[:, ::1], float64[:, ::1], int64)";

TEST(ModuleSplit, ExtractsOneOfTwoSweeps) {
  llvm::LLVMContext context;
  auto module = early(context, kSweeps, "sweeps", kSweepsSig);
  nk::codegen::ModuleSplit split;
  ASSERT_TRUE(nk::codegen::plan_module_split(*module, split));
  ASSERT_TRUE(valid(*module));
  ASSERT_EQ(split.second.size(), 1u);
  llvm::Function* nest = module->getFunction(split.second[0]);
  ASSERT_NE(nest, nullptr);
  EXPECT_NE(split.second[0].find("nk.fn.sweeps.0.nest"), std::string::npos) << split.second[0];
  EXPECT_TRUE(nest->hasFnAttribute(llvm::Attribute::NoInline));  // the first part calls it
  EXPECT_FALSE(nest->hasLocalLinkage());
  EXPECT_GT(split.first_weight, 0u);
  EXPECT_GT(split.second_weight, 0u);
  // Every function is visible to the other part; the checked copies' slots too.
  for (const llvm::Function& f : *module) EXPECT_FALSE(!f.isDeclaration() && f.hasLocalLinkage()) << f.getName().str();
  for (const llvm::GlobalVariable& g : module->globals()) {
    if (!g.isConstant()) {
      EXPECT_FALSE(g.hasLocalLinkage()) << g.getName().str();
    }
  }

  // The second part, as the worker thread gets it: through bitcode, in its own context.
  std::string bitcode;
  llvm::raw_string_ostream os(bitcode);
  llvm::WriteBitcodeToFile(*module, os);
  os.flush();
  llvm::LLVMContext other;
  auto second = llvm::cantFail(llvm::parseBitcodeFile(llvm::MemoryBufferRef(bitcode, "part"), other));
  nk::codegen::keep_module_part(*second, split, true);
  ASSERT_TRUE(valid(*second));
  std::set<std::string> second_defs = defined(*second);
  EXPECT_TRUE(second_defs.count(split.second[0]));
  EXPECT_FALSE(second_defs.count("nk.fn.sweeps.0"));
  for (const llvm::GlobalVariable& g : second->globals()) {
    if (!g.isConstant()) {
      EXPECT_TRUE(g.isDeclaration()) << g.getName().str();  // defined once, in the first
    }
  }

  nk::codegen::keep_module_part(*module, split, false);
  ASSERT_TRUE(valid(*module));
  std::set<std::string> first_defs = defined(*module);
  EXPECT_TRUE(first_defs.count("nk.fn.sweeps.0"));
  EXPECT_FALSE(first_defs.count(split.second[0]));
  // Nothing is defined twice, bar private copies of called functions.
  for (const std::string& name : second_defs) {
    if (!second->getFunction(name)->hasLocalLinkage()) {
      EXPECT_FALSE(first_defs.count(name)) << name;
    }
  }
}

TEST(ModuleSplit, LeavesOneLoopAlone) {
  llvm::LLVMContext context;
  auto module = early(context, R"(
def scale(a, b):
    for i in range(len(a)):
        b[i] = a[i] * 2.0
)", "scale", "(float64[::1], float64[::1])");
  nk::codegen::ModuleSplit split;
  EXPECT_FALSE(nk::codegen::plan_module_split(*module, split));
  EXPECT_TRUE(split.second.empty());
  EXPECT_EQ(module->getFunction("nk.fn.scale.0")->getLinkage(), llvm::GlobalValue::ExternalLinkage);
  valid(*module);
}

TEST(ModuleSplit, MovesAPrangeChunk) {
  llvm::LLVMContext context;
  auto module = early(context, R"(
from numba import njit, prange

@njit(parallel=True)
def rows(A, out):
    for i in prange(A.shape[0]):
        acc = 0.0
        for j in range(A.shape[1]):
            acc += A[i, j] * A[i, j]
        out[i] = acc
    total = 0.0
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            total += A[i, j] - out[i]
    return total
)", "rows", "(float64[:, ::1], float64[::1])");
  nk::codegen::ModuleSplit split;
  ASSERT_TRUE(nk::codegen::plan_module_split(*module, split));
  valid(*module);
  bool chunk = false;
  for (const std::string& name : split.second)
    chunk |= module->getFunction(name)->hasFnAttribute(nk::codegen::kChunkAttribute);
  EXPECT_TRUE(chunk) << "the chunk, the heaviest item, goes to the second part";
}

}  // namespace
