// Functions the IR optimiser skips (codegen/lower.h): the stubs that compile a checked
// copy on first use stay `optnone` (they run once), and C++ entry points are `optnone`
// only while the IR is optimised, then compiled as usual, their call a tail call.
#include <gtest/gtest.h>

#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

#include <memory>
#include <string>

#include "codegen/host_compiler.h"
#include "codegen/lower.h"
#include "codegen/optimize.h"
#include "frontend/lexer.h"
#include "frontend/parser.h"
#include "ir/check.h"

namespace {

const char* kShift = R"(
def shift(a, b):
    for i in range(1, len(a) - 1):
        b[i] = a[i - 1] + a[i + 1]
)";

TEST(EntryPoints, OptimiserSkipsStubsAndEntryPoints) {
  nk::SourceFile file("test.nk", kShift);
  nk::Diagnostics diags(file);
  std::vector<nk::Token> tokens = nk::lex(file, diags);
  nk::ast::Module ast = nk::parse(tokens, file, diags);
  nk::ir::CheckOptions check;
  check.function = "shift";
  check.signature = "(float64[::1], float64[::1])";
  check.host = false;
  nk::ir::Program program = nk::ir::check(ast, file, diags, check);
  ASSERT_FALSE(diags.has_errors());
  nk::codegen::LowerOptions options;
  options.source = &file;
  options.entry_points = true;
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> module = nk::codegen::lower_program(program, context, options);
  ASSERT_TRUE(module);

  llvm::Function* entry = module->getFunction(nk::codegen::entry_symbol("", 0));
  ASSERT_NE(entry, nullptr);
  EXPECT_TRUE(entry->hasFnAttribute(nk::codegen::kEntryPointAttribute));
  EXPECT_TRUE(entry->hasOptNone());
  llvm::Function* stub = nullptr;
  for (llvm::Function& f : *module)
    if (f.getName().ends_with(".first")) stub = &f;
  ASSERT_NE(stub, nullptr) << "the versioned loop's checked copy has no stub";
  EXPECT_TRUE(stub->hasOptNone());
  size_t stub_blocks = stub->size();

  auto tm = llvm::cantFail(nk::codegen::host_machine_builder(3).createTargetMachine());
  module->setDataLayout(tm->createDataLayout());
  nk::codegen::Optimizer(*tm, 3).run(*module);

  EXPECT_FALSE(entry->hasOptNone()) << "code generation would compile the entry point at O0";
  bool tail_call = false;
  for (llvm::BasicBlock& bb : *entry)
    for (llvm::Instruction& i : bb)
      if (auto* call = llvm::dyn_cast<llvm::CallInst>(&i)) tail_call = call->isTailCall();
  EXPECT_TRUE(tail_call);
  EXPECT_TRUE(stub->hasOptNone());
  EXPECT_EQ(stub->size(), stub_blocks);  // not simplified: skipped
}

}  // namespace
