// Lookup over the tables of builtins.def.
#include "ir/builtins.h"

#include <cmath>
#include <cstring>
#include <numbers>

namespace nk::ir {
namespace {

struct ModuleMember {
  ModuleId module;
  Member member;
};

const ModuleMember kMembers[] = {
#define INTRINSIC(id, name)
#define MEMBER(module, name, kind, intrinsic, rule) \
  {ModuleId::module, {name, MemberKind::kind, Intrinsic::intrinsic, TypingRule::rule}},
#define BUILTIN(name, kind, intrinsic, rule)
#include "ir/builtins.def"
#undef INTRINSIC
#undef MEMBER
#undef BUILTIN
};

const Member kBuiltins[] = {
#define INTRINSIC(id, name)
#define MEMBER(module, name, kind, intrinsic, rule)
#define BUILTIN(name, kind, intrinsic, rule) {#name, MemberKind::kind, Intrinsic::intrinsic, TypingRule::rule},
#include "ir/builtins.def"
#undef INTRINSIC
#undef MEMBER
#undef BUILTIN
};

}  // namespace

const char* intrinsic_name(Intrinsic id) {
  switch (id) {
#define INTRINSIC(id, name) case Intrinsic::id: return name;
#define MEMBER(module, name, kind, intrinsic, rule)
#define BUILTIN(name, kind, intrinsic, rule)
#include "ir/builtins.def"
#undef INTRINSIC
#undef MEMBER
#undef BUILTIN
    case Intrinsic::None: return "none";
  }
  return "?";
}

const char* module_name(ModuleId m) {
  switch (m) {
    case ModuleId::Math: return "math";
    case ModuleId::Numpy: return "numpy";
    case ModuleId::Nk: return "nk";
    case ModuleId::Cuda: return "nk.cuda";
    case ModuleId::Time: return "time";
    case ModuleId::Timeit: return "timeit";
    case ModuleId::Sys: return "sys";
  }
  return "?";
}

bool module_by_name(const std::string& name, ModuleId& out) {
  if (name == "math") out = ModuleId::Math;
  else if (name == "numpy") out = ModuleId::Numpy;
  else if (name == "nk" || name == "numba") out = ModuleId::Nk;
  else if (name == "nk.cuda" || name == "numba.cuda") out = ModuleId::Cuda;
  else if (name == "time") out = ModuleId::Time;
  else if (name == "timeit") out = ModuleId::Timeit;
  else if (name == "sys") out = ModuleId::Sys;
  else return false;
  return true;
}

const Member* find_member(ModuleId module, const std::string& name) {
  for (const ModuleMember& m : kMembers)
    if (m.module == module && name == m.member.name) return &m.member;
  return nullptr;
}

double constant_value(const std::string& name) {
  if (name == "pi") return std::numbers::pi;
  if (name == "e") return std::numbers::e;
  if (name == "tau") return 2 * std::numbers::pi;
  if (name == "inf") return INFINITY;
  return NAN;
}

const Member* find_builtin(const std::string& name) {
  for (const Member& m : kBuiltins)
    if (name == m.name) return &m;
  return nullptr;
}

}  // namespace nk::ir
