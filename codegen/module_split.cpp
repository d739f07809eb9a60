// Planning a module's split over two threads (see module_split.h): find the sibling
// loop nests of each function, deal them and the prange chunks into two parts, extract
// the second part's nests as functions; and cutting a copy down to one part.
#include "codegen/module_split.h"

#include <llvm/Analysis/AssumptionCache.h>
#include <llvm/Analysis/LoopInfo.h>
#include <llvm/IR/ConstantRange.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Module.h>
#include <llvm/Transforms/Utils/CodeExtractor.h>
#include <llvm/Transforms/Utils/LoopSimplify.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "codegen/lower.h"

namespace nk::codegen {
namespace {

// Sizes are instructions when planned (before the loops are rotated, vectorised and
// unrolled: an inner loop of 12 instructions is a vector loop, its remainder and its
// checks by the time it is compiled). A nest smaller than kMinNest stays where it is.
// A module is split when the lighter part weighs at least kMinPart and a quarter of the
// whole: a thread, a bitcode copy and a second module's fixed costs are about 1 ms.
constexpr size_t kMinNest = 10;
constexpr double kMinShare = 0.25;
constexpr size_t kMinPart = 20;

size_t size_of(const llvm::Function& f) {
  size_t n = 0;
  for (const llvm::BasicBlock& b : f) n += b.size();
  return n;
}

size_t size_of(const llvm::Loop& loop) {
  size_t n = 0;
  for (const llvm::BasicBlock* b : loop.blocks()) n += b->size();
  return n;
}

// The loop nests of a function worth compiling apart: going down from the top level
// while one nest holds all the weight (a time-step loop around the sweeps, or an outer
// loop around two inner ones), the first level with two nests of kMinNest or more.
std::vector<llvm::Loop*> sibling_nests(llvm::LoopInfo& li) {
  std::vector<llvm::Loop*> level(li.begin(), li.end());
  while (true) {
    std::vector<llvm::Loop*> heavy;
    for (llvm::Loop* l : level)
      if (size_of(*l) >= kMinNest) heavy.push_back(l);
    if (heavy.size() >= 2) return heavy;
    if (heavy.size() != 1) return {};
    level.assign(heavy[0]->begin(), heavy[0]->end());
  }
}

// One function's analyses, kept while its nests are extracted.
struct FunctionLoops {
  llvm::Function* function;
  std::unique_ptr<llvm::DominatorTree> dt;
  std::unique_ptr<llvm::AssumptionCache> ac;
  std::unique_ptr<llvm::LoopInfo> li;
  std::vector<llvm::Loop*> nests;
};

// What can move to the second part: a sibling nest, or a prange chunk function (never
// inlined: the thread pool calls it).
struct Item {
  size_t size;
  FunctionLoops* owner;  // null: a chunk function
  llvm::Loop* nest;
  llvm::Function* chunk;
};

bool is_chunk(const llvm::Function& f) { return f.hasFnAttribute(kChunkAttribute); }

void make_shared(llvm::GlobalValue& g) {
  if (!g.hasLocalLinkage()) return;
  g.setLinkage(llvm::GlobalValue::ExternalLinkage);
  g.setVisibility(llvm::GlobalValue::HiddenVisibility);
}

// What the lowering knew of a value the nest now receives as an argument: an array's
// shape or stride, loaded with its range (non-negative), is an argument of that range,
// so that the nest's loop bounds keep their facts.
void keep_argument_facts(llvm::Function& f) {
  if (!f.hasOneUse()) return;
  auto* call = llvm::dyn_cast<llvm::CallBase>(f.user_back());
  if (!call) return;
  for (unsigned i = 0; i < call->arg_size(); ++i) {
    auto* load = llvm::dyn_cast<llvm::LoadInst>(call->getArgOperand(i));
    if (!load) continue;
    if (llvm::MDNode* range = load->getMetadata(llvm::LLVMContext::MD_range))
      f.addParamAttr(i, llvm::Attribute::get(f.getContext(), llvm::Attribute::Range,
                                             llvm::getConstantRangeFromMetadata(*range)));
    if (load->hasMetadata(llvm::LLVMContext::MD_noundef)) f.addParamAttr(i, llvm::Attribute::NoUndef);
  }
}

}  // namespace

bool plan_module_split(llvm::Module& module, ModuleSplit& split) {
  if (module.getGlobalVariable(kGpuModuleRef, true)) return false;
  size_t total = 0;
  for (const llvm::Function& f : module)
    if (!f.isDeclaration()) total += size_of(f);
  if (total < 2 * kMinPart) return false;  // (instructions: a bound on the weight below)

  // The work of compiling a function is mostly its loops' (vectorised, unrolled): a
  // function weighs its loops' instructions and a quarter of the rest.
  std::vector<std::unique_ptr<FunctionLoops>> functions;
  std::vector<Item> items;
  size_t weight = 0;
  for (llvm::Function& f : module) {
    if (f.isDeclaration()) continue;
    if (f.hasOptNone()) {
      weight += size_of(f) / 4;
      continue;
    }
    auto fl = std::make_unique<FunctionLoops>();
    fl->function = &f;
    fl->dt = std::make_unique<llvm::DominatorTree>(f);
    fl->ac = std::make_unique<llvm::AssumptionCache>(f);
    fl->li = std::make_unique<llvm::LoopInfo>(*fl->dt);
    size_t in_loops = 0;
    for (llvm::Loop* l : *fl->li) in_loops += size_of(*l);
    size_t w = in_loops + (size_of(f) - in_loops) / 4;
    weight += w;
    if (is_chunk(f)) {
      items.push_back({w, nullptr, nullptr, &f});
      continue;
    }
    if (fl->li->empty()) continue;
    fl->nests = sibling_nests(*fl->li);
    for (llvm::Loop* l : fl->nests) items.push_back({size_of(*l), fl.get(), l, nullptr});
    functions.push_back(std::move(fl));
  }
  if (items.empty()) return false;

  // Largest first into the lighter part; the first part starts with what cannot move.
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.size > b.size; });
  size_t movable = 0;
  for (const Item& it : items) movable += it.size;
  total = weight;
  size_t parts[2] = {total - movable, 0};
  std::vector<const Item*> second;
  for (const Item& it : items) {
    int p = parts[1] < parts[0] ? 1 : 0;
    parts[p] += it.size;
    if (p == 1) second.push_back(&it);
  }
  if (parts[1] < kMinPart || parts[0] < kMinPart || std::min(parts[0], parts[1]) < kMinShare * total) return false;

  // Extract the second part's nests, function by function.
  std::map<FunctionLoops*, std::vector<llvm::Loop*>> by_function;
  std::set<const llvm::Loop*> to_second;
  for (const Item* it : second) {
    if (it->chunk) split.second.push_back(it->chunk->getName().str());
    else to_second.insert(it->nest);
  }
  for (const Item& it : items)
    if (it.nest && to_second.count(it.nest)) by_function[it.owner].push_back(it.nest);
  for (auto& [fl, nests] : by_function) {
    for (llvm::Loop* top : *fl->li) llvm::simplifyLoop(top, fl->dt.get(), fl->li.get(), nullptr, fl->ac.get(), nullptr, false);
    int k = 0;
    for (llvm::Loop* nest : nests) {
      llvm::CodeExtractorAnalysisCache cache(*fl->function);
      llvm::CodeExtractor extractor(*fl->dt, *nest, false, nullptr, nullptr, fl->ac.get(), "nest" + std::to_string(k++));
      llvm::Function* f = extractor.isEligible() ? extractor.extractCodeRegion(cache) : nullptr;
      if (!f) continue;  // stays where it was, in the first part
      fl->li->erase(nest);
      keep_argument_facts(*f);
      f->addFnAttr(llvm::Attribute::NoInline);
      if (to_second.count(nest)) split.second.push_back(f->getName().str());
    }
  }
  if (split.second.empty()) return false;
  // Each part may refer to any function of the other (the extracted nests, chunks,
  // the checked copies' first-call stubs), and they share the module's mutable globals
  // (the checked copies' slots: defined in the first part, declared in the second).
  for (llvm::Function& f : module)
    if (!f.isDeclaration()) make_shared(f);
  for (llvm::GlobalVariable& g : module.globals())
    if (!g.isConstant()) make_shared(g);
  split.first_weight = parts[0];
  split.second_weight = parts[1];
  return true;
}

std::set<std::string> second_part_functions(llvm::Module& module, const ModuleSplit& split) {
  std::set<std::string> out(split.second.begin(), split.second.end());
  std::vector<llvm::Function*> work;
  for (const std::string& name : split.second)
    if (llvm::Function* f = module.getFunction(name)) work.push_back(f);
  while (!work.empty()) {
    llvm::Function* f = work.back();
    work.pop_back();
    for (llvm::BasicBlock& b : *f)
      for (llvm::Instruction& inst : b)
        if (auto* call = llvm::dyn_cast<llvm::CallBase>(&inst))
          if (llvm::Function* callee = call->getCalledFunction())
            if (!callee->isDeclaration() && out.insert(callee->getName().str()).second) work.push_back(callee);
  }
  return out;
}

void keep_module_part(llvm::Module& module, const ModuleSplit& split, bool second) {
  std::set<std::string> in_second(split.second.begin(), split.second.end());
  if (!second) {
    for (llvm::Function& f : module)
      if (!f.isDeclaration() && in_second.count(f.getName().str())) f.deleteBody();
    return;
  }
  // The second part's functions and, as private copies to inline, the functions they call.
  std::set<std::string> keep = second_part_functions(module, split);
  for (llvm::Function& f : module) {
    if (f.isDeclaration()) continue;
    if (!keep.count(f.getName().str())) f.deleteBody();
    else if (!in_second.count(f.getName().str())) f.setLinkage(llvm::GlobalValue::InternalLinkage);
  }
  for (llvm::GlobalVariable& g : module.globals())
    if (!g.isConstant() && g.hasInitializer()) {
      g.setInitializer(nullptr);
      g.setLinkage(llvm::GlobalValue::ExternalLinkage);
    }
}

}  // namespace nk::codegen
