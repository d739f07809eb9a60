// The tables of builtins.def: intrinsic operations, and the names that Python's
// builtins and the supported modules bring.
#pragma once

#include <string>

namespace nk::ir {

enum class Intrinsic {
#define INTRINSIC(id, name) id,
#define MEMBER(module, name, kind, intrinsic, rule)
#define BUILTIN(name, kind, intrinsic, rule)
#include "ir/builtins.def"
#undef INTRINSIC
#undef MEMBER
#undef BUILTIN
  None,
};

enum class ModuleId { Math, Numpy, Nk, Cuda, Time, Timeit, Sys };
enum class MemberKind { MathFn, Constant, DType, ArrayNew, HostFn, Decorator, Prange, Submodule, Exception, TypeName, Builtin, CudaApi };
enum class TypingRule { FloatUnary, FloatToInt, FloatBinary, Predicate, Abs, MinMax, Log, Round, None };

struct Member {
  const char* name;
  MemberKind kind;
  Intrinsic intrinsic;
  TypingRule rule;
};

const char* intrinsic_name(Intrinsic id);
const char* module_name(ModuleId m);  // "math", "numpy", ...
// A module by its import name ("numba" is an alias of "nk"); false when unsupported.
bool module_by_name(const std::string& name, ModuleId& out);
// The member `name` of `module`, or null.
const Member* find_member(ModuleId module, const std::string& name);
// The value of a Constant member (pi, e, tau, inf, nan).
double constant_value(const std::string& name);
// A Python builtin (range, len, ValueError, ...), or null.
const Member* find_builtin(const std::string& name);

}  // namespace nk::ir
