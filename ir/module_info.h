// What a module declares, before any type is inferred: its imports (as global
// symbols), its functions with their decorators, its compile-time constants, and the
// statements that form the host program.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "frontend/ast.h"
#include "frontend/diagnostics.h"
#include "ir/builtins.h"
#include "ir/ir.h"
#include "ir/type_syntax.h"

namespace nk::ir {

struct FunctionInfo {
  const ast::FunctionDefStmt* def = nullptr;
  Target target = Target::Cpu;
  FunctionOptions options;
  std::vector<Signature> signatures;      // eager signatures from the decorator
  std::vector<const Type*> annotated;     // parameter annotations (null where absent)
  const Type* annotated_return = nullptr; // return annotation, or null
  bool fully_annotated() const;
};

struct Constant {
  const Type* type;  // int64, float64 or bool
  int64_t int_value = 0;
  double float_value = 0;
};

enum class SymbolKind { Module, Member, Function, Constant, HostVariable };

struct GlobalSymbol {
  SymbolKind kind;
  ModuleId module = ModuleId::Math;  // Module, Member
  const Member* member = nullptr;    // Member
  FunctionInfo* function = nullptr;  // Function
  Constant constant{};               // Constant
  SourceRange range;                 // where it was defined or imported
};

struct ModuleInfo {
  std::map<std::string, GlobalSymbol> globals;
  std::vector<std::unique_ptr<FunctionInfo>> functions;  // in source order
  std::vector<const ast::Stmt*> host;                    // the host program, in order
};

ModuleInfo collect_module(const ast::Module& module, const SourceFile& file, Diagnostics& diags);

// Folds a constant expression (literals, arithmetic, math.pi, other constants); false
// when `e` is not one.
bool fold_constant(const ast::Expr& e, const ModuleInfo& info, Constant& out);

}  // namespace nk::ir
