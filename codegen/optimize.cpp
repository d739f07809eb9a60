// The new pass manager's pipelines at -O0..-O3 (LLVM's defaults at -O0..-O2, nk's own
// pass list at -O3), tuned by the target machine (host CPU or NVPTX). Bounds checks are
// nk's business before LLVM sees them (loop versioning in codegen/lower.cpp); LLVM's
// IRCE, once added here for them, made no loop faster after that and cost a third of
// the compile time of loop nests.
// Building a pipeline costs about as much as optimising a small kernel, so an
// Optimizer keeps its pass manager; the analysis managers are fresh for each module
// (their results describe one module).
// -O3 is LLVM's O3 pipeline without non-trivial loop unswitching (O2 has none either)
// and without passes that measured no gain for nk's code (codegen/o3_pipeline.h).
// nk versions its loops itself (codegen/lower.cpp): unswitching then only cloned the
// loops around a versioned loop, and its checked copy with them, on the version's
// precondition. Without it the first call of the benchmark kernels costs a sixth less
// (build/bench/nk_compile_time: geomean 15.8 -> 13.2 ms; gesummv 31 -> 11 ms) and no
// benchmark runs slower (bench/run.py).
// Loop strength reduction runs at the end of each pipeline (-O1..-O3), on innermost
// scalar loops only, instead of in code generation on every loop (see
// InnerLoopStrengthReduce below).
#include "codegen/optimize.h"

#include <llvm/Analysis/CGSCCPassManager.h>
#include <llvm/Analysis/LoopAnalysisManager.h>
#include <llvm/Analysis/LoopInfo.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/PassInstrumentation.h>
#include <llvm/IR/PassTimingInfo.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Passes/StandardInstrumentations.h>
#include <llvm/Support/CommandLine.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Transforms/Scalar/LoopPassManager.h>
#include <llvm/Transforms/Scalar/LoopStrengthReduce.h>
#include <llvm/Transforms/Utils/LoopUtils.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include "codegen/lower.h"
#include "codegen/o3_pipeline.h"

namespace nk::codegen {

namespace {

// Loop strength reduction (rewriting a loop's address arithmetic around new induction
// variables) is code generation's most expensive IR pass, a sixth of the instructions
// of the benchmarks' first calls, nearly all of it building scalar evolution
// expressions. nk runs it at the end of its pipelines, only on the innermost loops that
// LLVM has not vectorised: neither on outer loops, nor on vector loops (whose accesses,
// base + 8 * i + constant, already fit x86's addressing modes), nor on their scalar
// remainders (a few iterations). Code generation's own run over every loop is turned off.
bool reduce_strength(const llvm::Loop& loop) {
  if (!loop.isInnermost() || llvm::getBooleanLoopAttribute(&loop, "llvm.loop.isvectorized")) return false;
  for (const llvm::BasicBlock* block : loop.blocks())
    for (const llvm::Instruction& inst : *block)
      if (inst.getType()->isVectorTy()) return false;
  return true;
}

struct InnerLoopStrengthReduce : llvm::PassInfoMixin<InnerLoopStrengthReduce> {
  llvm::PreservedAnalyses run(llvm::Loop& loop, llvm::LoopAnalysisManager& am, llvm::LoopStandardAnalysisResults& ar,
                              llvm::LPMUpdater& updater) {
    if (!reduce_strength(loop)) return llvm::PreservedAnalyses::all();
    return llvm::LoopStrengthReducePass().run(loop, am, ar, updater);
  }
};

// Once per process, for every target; NK_LLVM_ARGS=-disable-lsr=false turns it back on
// (for comparisons).
void disable_codegen_strength_reduction() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto& options = llvm::cl::getRegisteredOptions();
    auto it = options.find("disable-lsr");
    if (it != options.end() && it->second->getNumOccurrences() == 0)
      static_cast<llvm::cl::opt<bool>*>(it->second)->setValue(true);
  });
}

}  // namespace

struct Optimizer::Pipeline {
  llvm::PipelineTuningOptions tuning;
  // NK_LLVM_ARGS=-time-passes: each module's pass times are printed after its run.
  llvm::PassInstrumentationCallbacks instrumentation;
  llvm::OptNoneInstrumentation optnone{false};
  std::unique_ptr<llvm::TimePassesHandler> timers;
  llvm::PassBuilder builder;
  llvm::OptimizationLevel level;
  int opt_level;
  std::string text;  // the pipeline to parse for each module; empty: LLVM's default
  // nk's -O3 in two halves, for modules split over two threads (codegen/module_split.h):
  // the inliner and function simplification, then the rest (vectorisers, unrolling).
  std::string early, late;

  Pipeline(llvm::TargetMachine& tm, int opt_level)
      : tuning(make_tuning(opt_level)),
        timers(llvm::TimePassesIsEnabled ? make_timers(instrumentation) : nullptr),
        builder(&tm, tuning, std::nullopt, &instrumentation),
        level(level_for(opt_level)),
        opt_level(opt_level),
        text(opt_level == 3 ? o3_pipeline() : std::string()) {
    optnone.registerCallbacks(instrumentation);
    disable_codegen_strength_reduction();
    if (opt_level == 3) split_o3(text, early, late);
  }

  // Cuts a pass list at its top-level `globalopt` (see o3_pipeline.h): both halves
  // empty when it has none.
  static void split_o3(const std::string& text, std::string& early, std::string& late) {
    int depth = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      if (c == '(' || c == '<') ++depth;
      if (c == ')' || c == '>') --depth;
      if (depth == 0 && c == ',' && text.compare(i + 1, std::strlen(kO3LateStart), kO3LateStart) == 0) {
        early = text.substr(0, i);
        late = text.substr(i + 1);
        return;
      }
    }
  }

  // nk's -O3 (codegen/o3_pipeline.h), or, where this LLVM cannot parse it, LLVM's O3
  // with unswitching made trivial-only.
  std::string o3_pipeline() {
    std::string text;
    for (const char* c = kO3Pipeline; *c; ++c)
      if (!std::isspace(static_cast<unsigned char>(*c))) text += *c;
    llvm::ModulePassManager check;
    if (auto e = builder.parsePassPipeline(check, text)) {
      llvm::consumeError(std::move(e));
      return o3_without_nontrivial_unswitching();
    }
    return text;
  }

  // The O3 pipeline in opt's -passes syntax with unswitching made trivial-only; empty
  // when LLVM's printed pipeline has no such pass to change (the default O3 is used).
  std::string o3_without_nontrivial_unswitching() {
    llvm::ModulePassManager o3 = builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
    std::string printed;
    llvm::raw_string_ostream os(printed);
    o3.printPipeline(os, [&](llvm::StringRef name) { return instrumentation.getPassNameForClassName(name); });
    os.flush();
    const std::string from = "simple-loop-unswitch<nontrivial;", to = "simple-loop-unswitch<no-nontrivial;";
    bool changed = false;
    for (size_t at = printed.find(from); at != std::string::npos; at = printed.find(from, at + to.size())) {
      printed.replace(at, from.size(), to);
      changed = true;
    }
    if (!changed) return std::string();
    llvm::ModulePassManager check;
    if (auto e = builder.parsePassPipeline(check, printed)) {
      llvm::consumeError(std::move(e));
      return std::string();
    }
    return printed;
  }

  static std::unique_ptr<llvm::TimePassesHandler> make_timers(llvm::PassInstrumentationCallbacks& pic) {
    auto t = std::make_unique<llvm::TimePassesHandler>(true);
    t->registerCallbacks(pic);
    return t;
  }

  static llvm::OptimizationLevel level_for(int opt_level) {
    return opt_level == 0 ? llvm::OptimizationLevel::O0
           : opt_level == 1 ? llvm::OptimizationLevel::O1
           : opt_level == 2 ? llvm::OptimizationLevel::O2
                            : llvm::OptimizationLevel::O3;
  }

  static llvm::PipelineTuningOptions make_tuning(int opt_level) {
    llvm::PipelineTuningOptions t;
    t.LoopVectorization = opt_level >= 2;
    t.SLPVectorization = opt_level >= 2;
    return t;
  }

  void run(llvm::Module& module) {
    const char* custom = std::getenv("NK_PASSES");  // for nk's developers: opt's -passes syntax
    run_passes(module, custom && *custom ? custom : text, true);
  }

  bool run_early(llvm::Module& module) {
    const char* custom = std::getenv("NK_PASSES");
    if (early.empty() || (custom && *custom)) return false;
    run_passes(module, early, false);
    return true;
  }

  void run_late(llvm::Module& module) { run_passes(module, late, true); }

  // Runs `list` (empty: LLVM's default pipeline for the level); `last`: the pipeline's
  // end, where strength reduction runs and the entry points lose their optnone.
  void run_passes(llvm::Module& module, const std::string& list, bool last) {
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    builder.registerModuleAnalyses(mam);
    builder.registerCGSCCAnalyses(cgam);
    builder.registerFunctionAnalyses(fam);
    builder.registerLoopAnalyses(lam);
    builder.crossRegisterProxies(lam, fam, cgam, mam);
    // The pass list itself is built per module: LLVM 19's inliner wrapper moves its
    // passes out when it runs, so a pipeline runs once.
    llvm::ModulePassManager passes;
    if (!list.empty()) {
      if (auto e = builder.parsePassPipeline(passes, list)) llvm::report_fatal_error(std::move(e));
    } else {
      passes = opt_level == 0 ? builder.buildO0DefaultPipeline(level) : builder.buildPerModuleDefaultPipeline(level);
    }
    if (last && opt_level > 0)
      passes.addPass(llvm::createModuleToFunctionPassAdaptor(
          llvm::createFunctionToLoopPassAdaptor(InnerLoopStrengthReduce(), /*UseMemorySSA=*/false)));
    passes.run(module, mam);
    if (last)
      for (llvm::Function& f : module)
        if (f.hasFnAttribute(kEntryPointAttribute)) f.removeFnAttr(llvm::Attribute::OptimizeNone);
    if (timers) timers->print();
  }
};

Optimizer::Optimizer(llvm::TargetMachine& tm, int opt_level) : pipeline_(std::make_unique<Pipeline>(tm, opt_level)) {}
Optimizer::~Optimizer() = default;
void Optimizer::run(llvm::Module& module) { pipeline_->run(module); }
bool Optimizer::run_early(llvm::Module& module) { return pipeline_->run_early(module); }
void Optimizer::run_late(llvm::Module& module) { pipeline_->run_late(module); }
const std::string& Optimizer::pipeline() const { return pipeline_->text; }

void optimize_module(llvm::Module& module, llvm::TargetMachine& tm, int opt_level) { Optimizer(tm, opt_level).run(module); }

}  // namespace nk::codegen
