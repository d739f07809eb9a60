// Moving checked copies out of a module into a lazy entry (see checked_copies.h).
#include "codegen/checked_copies.h"

#include <llvm/Bitcode/BitcodeWriter.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/InstIterator.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Transforms/Utils/ValueMapper.h>

#include <set>

#include "codegen/lower.h"

namespace nk::codegen {
namespace {

constexpr const char* kLazyMagic = "!<nk-lazy>\n";

// The globals `f` refers to, through constant expressions too, in the order of their
// first use (so that the lazy entry's bytes do not depend on addresses).
void referenced_globals(const llvm::Function& f, std::vector<llvm::GlobalValue*>& out,
                        std::set<const llvm::GlobalValue*>& seen_globals) {
  std::vector<const llvm::Constant*> work;
  std::set<const llvm::Constant*> seen;
  for (const llvm::Instruction& inst : llvm::instructions(f)) {
    for (const llvm::Use& u : inst.operands())
      if (auto* c = llvm::dyn_cast<llvm::Constant>(u.get())) work.push_back(c);
    while (!work.empty()) {
      const llvm::Constant* c = work.back();
      work.pop_back();
      if (!seen.insert(c).second) continue;
      if (auto* g = llvm::dyn_cast<llvm::GlobalValue>(c)) {
        if (seen_globals.insert(g).second) out.push_back(const_cast<llvm::GlobalValue*>(g));
        continue;
      }
      for (const llvm::Use& u : c->operands())
        if (auto* op = llvm::dyn_cast<llvm::Constant>(u.get())) work.push_back(op);
    }
  }
}

}  // namespace

std::string split_checked_copies(llvm::Module& module) {
  std::set<const llvm::GlobalValue*> moved, constants;
  std::vector<llvm::Function*> order;  // the moved functions in module order
  for (llvm::Function& f : module) {
    if (f.isDeclaration() || !f.hasFnAttribute(kCheckedCopyAttribute) || !f.use_empty()) continue;
    std::vector<llvm::GlobalValue*> refs;
    std::set<const llvm::GlobalValue*> seen;
    referenced_globals(f, refs, seen);
    bool movable = true;
    std::set<const llvm::GlobalValue*> taken;
    for (const llvm::GlobalValue* g : refs) {
      if (!g->hasLocalLinkage()) continue;  // resolved by the JIT, wherever it is
      auto* v = llvm::dyn_cast<llvm::GlobalVariable>(g);
      if (v && v->isConstant() && v->hasInitializer()) {
        taken.insert(v);  // a private constant (a message, a name): copied along
        continue;
      }
      movable = false;  // internal state of this module (a GPU module's handle, ...)
    }
    if (!movable) continue;
    moved.insert(&f);
    order.push_back(&f);
    constants.insert(taken.begin(), taken.end());
  }
  if (moved.empty()) return std::string();

  // The lazy module: the moved functions' bodies (moved, not copied) and declarations of
  // what they call, with the private constants they read copied along.
  llvm::Module lazy("nk.checked", module.getContext());
  llvm::ValueToValueMapTy map;
  for (llvm::Function* f : order) {
    auto* nf = llvm::Function::Create(f->getFunctionType(), llvm::Function::ExternalLinkage, f->getName(), &lazy);
    nf->copyAttributesFrom(f);
    map[f] = nf;
  }
  std::vector<llvm::GlobalValue*> refs;
  std::set<const llvm::GlobalValue*> seen;
  for (llvm::Function* f : order) referenced_globals(*f, refs, seen);
  for (llvm::GlobalValue* g : refs) {
    if (map.count(g)) continue;
    if (auto* f = llvm::dyn_cast<llvm::Function>(g)) {
      auto* nf = llvm::Function::Create(f->getFunctionType(), llvm::Function::ExternalLinkage, f->getName(), &lazy);
      nf->copyAttributesFrom(f);
      map[g] = nf;
      continue;
    }
    auto* v = llvm::cast<llvm::GlobalVariable>(g);
    bool copy = constants.count(v) != 0;
    auto* nv = new llvm::GlobalVariable(lazy, v->getValueType(), v->isConstant(),
                                        copy ? v->getLinkage() : llvm::GlobalValue::ExternalLinkage,
                                        copy ? v->getInitializer() : nullptr, v->getName());
    if (copy) nv->copyAttributesFrom(v);
    map[g] = nv;
  }
  for (llvm::Function* f : order) {
    auto* nf = llvm::cast<llvm::Function>(map[f]);
    for (size_t k = 0; k < f->arg_size(); ++k) f->getArg(k)->replaceAllUsesWith(nf->getArg(k));
    nf->splice(nf->end(), f);
    llvm::RemapFunction(*nf, map, llvm::RF_IgnoreMissingLocals);
    f->eraseFromParent();
  }

  std::string out = kLazyMagic;
  for (const auto& f : lazy) if (!f.isDeclaration()) out += f.getName().str() + "\n";
  out += "\n";
  llvm::raw_string_ostream os(out);
  llvm::WriteBitcodeToFile(lazy, os);
  os.flush();
  return out;
}

bool is_lazy_entry(const std::string& entry) { return entry.compare(0, std::string(kLazyMagic).size(), kLazyMagic) == 0; }

bool parse_lazy_entry(const std::string& entry, std::vector<std::string>& names, std::string& bitcode) {
  if (!is_lazy_entry(entry)) return false;
  size_t at = std::string(kLazyMagic).size();
  for (;;) {
    size_t nl = entry.find('\n', at);
    if (nl == std::string::npos) return false;
    if (nl == at) {
      bitcode = entry.substr(nl + 1);
      return !names.empty() && !bitcode.empty();
    }
    names.push_back(entry.substr(at, nl - at));
    at = nl + 1;
  }
}

}  // namespace nk::codegen
