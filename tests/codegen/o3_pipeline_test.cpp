// nk's -O3 pass list (codegen/o3_pipeline.h) must parse in the LLVM nk is built with:
// otherwise the optimizer silently falls back to LLVM's own O3 pipeline.
#include <gtest/gtest.h>

#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/Target/TargetMachine.h>

#include <cctype>
#include <string>

#include "codegen/host_compiler.h"
#include "codegen/o3_pipeline.h"
#include "codegen/optimize.h"

namespace {

std::string without_whitespace(const char* text) {
  std::string out;
  for (const char* c = text; *c; ++c)
    if (!std::isspace(static_cast<unsigned char>(*c))) out += *c;
  return out;
}

TEST(O3Pipeline, IsNksOwnPassList) {
  auto tm = llvm::cantFail(nk::codegen::host_machine_builder(3).createTargetMachine());
  nk::codegen::Optimizer o3(*tm, 3);
  EXPECT_EQ(o3.pipeline(), without_whitespace(nk::codegen::kO3Pipeline));
  // What it leaves out of LLVM's O3 (see codegen/o3_pipeline.h).
  for (const char* absent : {"ipsccp", "openmp-opt", "coro-", "sccp,", "bdce", "adce", "<nontrivial"})
    EXPECT_EQ(o3.pipeline().find(absent), std::string::npos) << absent;
  for (const char* present : {"loop-vectorize", "slp-vectorizer", "loop-unroll<O3>", "gvn", "instcombine"})
    EXPECT_NE(o3.pipeline().find(present), std::string::npos) << present;
}

TEST(O3Pipeline, LowerLevelsAreLlvmsDefaults) {
  auto tm = llvm::cantFail(nk::codegen::host_machine_builder(2).createTargetMachine());
  nk::codegen::Optimizer o2(*tm, 2);
  EXPECT_TRUE(o2.pipeline().empty());
}

}  // namespace
