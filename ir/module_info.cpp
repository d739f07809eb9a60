// collect_module: imports, decorators, constants and the host program.
#include "ir/module_info.h"


#include <cmath>
#include <numbers>
#include <set>

namespace nk::ir {
namespace {

bool is_main_guard(const ast::Expr& cond) {
  if (cond.kind != ast::ExprKind::Compare) return false;
  const auto& c = cond.as<ast::CompareExpr>();
  if (c.ops.size() != 1 || c.ops[0] != CompareOp::Eq) return false;
  const ast::Expr& a = *c.operands[0];
  const ast::Expr& b = *c.operands[1];
  auto is_name = [](const ast::Expr& e) { return e.kind == ast::ExprKind::Name && e.as<ast::NameExpr>().id == "__name__"; };
  auto is_main = [](const ast::Expr& e) { return e.kind == ast::ExprKind::StrLit && e.as<ast::StrLitExpr>().value == "__main__"; };
  return (is_name(a) && is_main(b)) || (is_name(b) && is_main(a));
}

void count_assigned_names(const ast::Expr& target, std::map<std::string, int>& counts) {
  if (target.kind == ast::ExprKind::Name) ++counts[target.as<ast::NameExpr>().id];
  else if (target.kind == ast::ExprKind::Tuple)
    for (const auto& e : target.as<ast::TupleExpr>().elements) count_assigned_names(*e, counts);
  else if (target.kind == ast::ExprKind::List)
    for (const auto& e : target.as<ast::ListExpr>().elements) count_assigned_names(*e, counts);
}

void count_assignments(const ast::Block& block, std::map<std::string, int>& counts) {
  for (const ast::StmtPtr& s : block) {
    switch (s->kind) {
      case ast::StmtKind::Assign:
        for (const auto& t : s->as<ast::AssignStmt>().targets) count_assigned_names(*t, counts);
        break;
      case ast::StmtKind::AugAssign: count_assigned_names(*s->as<ast::AugAssignStmt>().target, counts); break;
      case ast::StmtKind::AnnAssign: count_assigned_names(*s->as<ast::AnnAssignStmt>().target, counts); break;
      case ast::StmtKind::For:
        count_assigned_names(*s->as<ast::ForStmt>().target, counts);
        ++counts[""];  // loops make every assignment inside repeatable
        count_assignments(s->as<ast::ForStmt>().body, counts);
        count_assignments(s->as<ast::ForStmt>().body, counts);
        break;
      case ast::StmtKind::While:
        count_assignments(s->as<ast::WhileStmt>().body, counts);
        count_assignments(s->as<ast::WhileStmt>().body, counts);
        break;
      case ast::StmtKind::If:
        count_assignments(s->as<ast::IfStmt>().then_body, counts);
        count_assignments(s->as<ast::IfStmt>().else_body, counts);
        break;
      default: break;
    }
  }
}

class Collector {
 public:
  Collector(const SourceFile& file, Diagnostics& diags, ModuleInfo& info) : file_(file), diags_(diags), info_(info) {}

  void run(const ast::Module& module) {
    // Imports and functions first, so that decorators and constants can refer to any.
    for (const ast::StmtPtr& s : module.body) collect_declarations(*s);
    for (auto& fn : info_.functions) collect_decorators(*fn);
    std::vector<const ast::Stmt*> host;
    for (const ast::StmtPtr& s : module.body) collect_host(*s, host);
    info_.host = host;
    collect_constants(module);
  }

 private:
  void define(const std::string& name, GlobalSymbol symbol) {
    auto it = info_.globals.find(name);
    if (it != info_.globals.end() && it->second.kind == SymbolKind::Function && symbol.kind == SymbolKind::Function) {
      diags_.report(DiagId::RedefinedFunction, symbol.range, {name});
      diags_.note(DiagId::PreviousDefinition, it->second.range);
      return;
    }
    info_.globals[name] = symbol;
  }

  void collect_declarations(const ast::Stmt& s) {
    switch (s.kind) {
      case ast::StmtKind::Import: {
        for (const ast::ImportAlias& a : s.as<ast::ImportStmt>().names) {
          ModuleId m;
          if (!module_by_name(a.name, m)) {
            diags_.report(DiagId::UnknownModule, a.range, {a.name});
            continue;
          }
          std::string bound = a.asname;
          if (bound.empty()) {
            // `import numba.cuda` binds `numba`.
            size_t dot = a.name.find('.');
            bound = a.name.substr(0, dot);
            if (dot != std::string::npos) module_by_name(bound, m);
          }
          GlobalSymbol sym{SymbolKind::Module};
          sym.module = m;
          sym.range = a.range;
          define(bound, sym);
        }
        return;
      }
      case ast::StmtKind::ImportFrom: {
        const auto& f = s.as<ast::ImportFromStmt>();
        ModuleId m;
        if (!module_by_name(f.module, m)) {
          diags_.report(DiagId::UnknownModule, f.module_range, {f.module});
          return;
        }
        for (const ast::ImportAlias& a : f.names) {
          const Member* member = find_member(m, a.name);
          if (!member) {
            diags_.report(DiagId::UnknownImportName, a.range, {a.name, f.module});
            continue;
          }
          GlobalSymbol sym{SymbolKind::Member};
          if (member->kind == MemberKind::Submodule) {
            sym.kind = SymbolKind::Module;
            sym.module = ModuleId::Cuda;
          } else {
            sym.module = m;
            sym.member = member;
          }
          sym.range = a.range;
          define(a.asname.empty() ? a.name : a.asname, sym);
        }
        return;
      }
      case ast::StmtKind::FunctionDef: {
        auto fn = std::make_unique<FunctionInfo>();
        fn->def = &s.as<ast::FunctionDefStmt>();
        GlobalSymbol sym{SymbolKind::Function};
        sym.function = fn.get();
        sym.range = fn->def->name_range;
        info_.functions.push_back(std::move(fn));
        define(info_.functions.back()->def->name, sym);
        return;
      }
      case ast::StmtKind::If: {
        const auto& i = s.as<ast::IfStmt>();
        if (is_main_guard(*i.cond)) {
          for (const ast::StmtPtr& x : i.then_body)
            if (x->kind == ast::StmtKind::Import || x->kind == ast::StmtKind::ImportFrom) collect_declarations(*x);
        }
        return;
      }
      default: return;
    }
  }

  void collect_host(const ast::Stmt& s, std::vector<const ast::Stmt*>& host) {
    switch (s.kind) {
      case ast::StmtKind::Import:
      case ast::StmtKind::ImportFrom:
      case ast::StmtKind::FunctionDef: return;
      case ast::StmtKind::If: {
        const auto& i = s.as<ast::IfStmt>();
        if (is_main_guard(*i.cond)) {
          for (const ast::StmtPtr& x : i.then_body) collect_host(*x, host);
          for (const ast::StmtPtr& x : i.else_body) collect_host(*x, host);
          return;
        }
        host.push_back(&s);
        return;
      }
      case ast::StmtKind::Expr:
        // A module docstring is not a statement to run.
        if (s.as<ast::ExprStmt>().expr->kind == ast::ExprKind::StrLit) return;
        host.push_back(&s);
        return;
      default: host.push_back(&s); return;
    }
  }

  void collect_constants(const ast::Module& module) {
    std::map<std::string, int> counts;
    ast::Block dummy;
    // Count over the host statements (including the __main__ block).
    for (const ast::Stmt* s : info_.host) {
      switch (s->kind) {
        case ast::StmtKind::Assign:
          for (const auto& t : s->as<ast::AssignStmt>().targets) count_assigned_names(*t, counts);
          break;
        case ast::StmtKind::AugAssign: count_assigned_names(*s->as<ast::AugAssignStmt>().target, counts); break;
        case ast::StmtKind::AnnAssign: count_assigned_names(*s->as<ast::AnnAssignStmt>().target, counts); break;
        case ast::StmtKind::For:
          count_assigned_names(*s->as<ast::ForStmt>().target, counts);
          count_assignments(s->as<ast::ForStmt>().body, counts);
          count_assignments(s->as<ast::ForStmt>().body, counts);
          break;
        case ast::StmtKind::While:
          count_assignments(s->as<ast::WhileStmt>().body, counts);
          count_assignments(s->as<ast::WhileStmt>().body, counts);
          break;
        case ast::StmtKind::If:
          count_assignments(s->as<ast::IfStmt>().then_body, counts);
          count_assignments(s->as<ast::IfStmt>().else_body, counts);
          break;
        default: break;
      }
    }
    (void)module;
    for (const ast::Stmt* s : info_.host) {
      if (s->kind != ast::StmtKind::Assign) continue;
      const auto& a = s->as<ast::AssignStmt>();
      for (const auto& t : a.targets) {
        if (t->kind != ast::ExprKind::Name) continue;
        const std::string& name = t->as<ast::NameExpr>().id;
        auto existing = info_.globals.find(name);
        GlobalSymbol sym{SymbolKind::HostVariable};
        sym.range = t->range;
        Constant c;
        if (counts[name] == 1 && fold_constant(*a.value, info_, c)) {
          sym.kind = SymbolKind::Constant;
          sym.constant = c;
        }
        if (existing == info_.globals.end() || existing->second.kind == SymbolKind::Constant ||
            existing->second.kind == SymbolKind::HostVariable)
          info_.globals[name] = sym;
      }
    }
    // Names assigned only inside compound host statements are host variables too.
    for (auto& [name, count] : counts) {
      if (name.empty()) continue;
      if (info_.globals.find(name) == info_.globals.end()) {
        GlobalSymbol sym{SymbolKind::HostVariable};
        info_.globals[name] = sym;
      }
    }
  }

  bool bool_option(const ast::Keyword& k, const std::string& deco, bool& out) {
    if (k.value->kind == ast::ExprKind::BoolLit) {
      out = k.value->as<ast::BoolLitExpr>().value;
      return true;
    }
    diags_.report(DiagId::BadDecoratorOption, k.value->range, {k.name, deco, "True or False"});
    return false;
  }

  // Which decorator an expression names: "njit", "jit", "cuda.jit", or "".
  std::string decorator_name(const ast::Expr& e) {
    if (e.kind == ast::ExprKind::Name) {
      auto it = info_.globals.find(e.as<ast::NameExpr>().id);
      if (it == info_.globals.end() || it->second.kind != SymbolKind::Member) return "";
      if (it->second.member->kind != MemberKind::Decorator) return "";
      return it->second.module == ModuleId::Cuda ? "cuda.jit" : it->second.member->name;
    }
    if (e.kind == ast::ExprKind::Attribute) {
      const auto& a = e.as<ast::AttributeExpr>();
      ModuleId m;
      if (a.value->kind == ast::ExprKind::Name) {
        auto it = info_.globals.find(a.value->as<ast::NameExpr>().id);
        if (it == info_.globals.end() || it->second.kind != SymbolKind::Module) return "";
        m = it->second.module;
      } else if (a.value->kind == ast::ExprKind::Attribute && a.value->as<ast::AttributeExpr>().attr == "cuda") {
        m = ModuleId::Cuda;
      } else {
        return "";
      }
      if (m == ModuleId::Cuda && a.attr == "jit") return "cuda.jit";
      if (m == ModuleId::Nk && (a.attr == "jit" || a.attr == "njit")) return a.attr;
    }
    return "";
  }

  void add_signature(FunctionInfo& fn, const ast::Expr& e) {
    Signature sig;
    if (e.kind == ast::ExprKind::StrLit) {
      if (parse_signature(e, file_, diags_, sig)) fn.signatures.push_back(sig);
    } else if (e.kind == ast::ExprKind::List) {
      for (const auto& x : e.as<ast::ListExpr>().elements) add_signature(fn, *x);
    } else {
      diags_.report(DiagId::BadSignature, e.range, {quote_excerpt(file_.slice(e.range)), "signatures are written as strings"});
    }
  }

  void collect_decorators(FunctionInfo& fn) {
    const ast::FunctionDefStmt& def = *fn.def;
    fn.target = Target::Cpu;
    for (const ast::Decorator& d : def.decorators) {
      const ast::Expr* head = d.expr.get();
      const ast::CallExpr* call = nullptr;
      if (head->kind == ast::ExprKind::Call) {
        call = &head->as<ast::CallExpr>();
        head = call->callee.get();
      }
      std::string name = decorator_name(*head);
      if (name.empty()) {
        diags_.report(DiagId::UnknownDecorator, d.expr->range, {quote_excerpt(file_.slice(d.expr->range))});
        continue;
      }
      fn.target = name == "cuda.jit" ? Target::CudaKernel : Target::Cpu;
      if (name != "cuda.jit") fn.options = FunctionOptions{};
      if (name == "cuda.jit") fn.options.error_model_numpy = true;
      if (!call) continue;
      if (call->args.size() > 1) {
        diags_.report(DiagId::BadDecoratorOption, call->args[1]->range, {"signature", name, "one signature string or list"});
      }
      if (!call->args.empty()) add_signature(fn, *call->args[0]);
      bool error_model_given = false;
      for (const ast::Keyword& k : call->keywords) {
        bool flag = false;
        if (k.name == "nopython" || k.name == "nogil" || k.name == "inline" || k.name == "debug") {
          bool_option(k, name, flag);
        } else if (k.name == "parallel" && name != "cuda.jit") {
          if (bool_option(k, name, flag)) fn.options.parallel = flag;
        } else if (k.name == "fastmath") {
          if (bool_option(k, name, flag)) fn.options.fastmath = flag;
        } else if (k.name == "cache") {
          if (bool_option(k, name, flag)) fn.options.cache = flag;
        } else if (k.name == "boundscheck") {
          if (bool_option(k, name, flag)) fn.options.boundscheck = flag;
        } else if (k.name == "device" && name == "cuda.jit") {
          if (bool_option(k, name, flag) && flag) fn.target = Target::CudaDevice;
        } else if (k.name == "error_model") {
          std::string v = k.value->kind == ast::ExprKind::StrLit ? k.value->as<ast::StrLitExpr>().value : "";
          if (v == "python" || v == "numpy") {
            fn.options.error_model_numpy = v == "numpy";
            error_model_given = true;
          } else {
            diags_.report(DiagId::BadDecoratorOption, k.value->range, {k.name, name, "\"python\" or \"numpy\""});
          }
        } else if (k.name == "target" && name != "cuda.jit") {
          std::string v = k.value->kind == ast::ExprKind::StrLit ? k.value->as<ast::StrLitExpr>().value : "";
          if (v == "cpu") fn.target = Target::Cpu;
          else if (v == "cuda" || v == "gpu") fn.target = Target::CudaAuto;
          else diags_.report(DiagId::BadDecoratorOption, k.value->range, {k.name, name, "\"cpu\" or \"cuda\""});
        } else {
          diags_.report(DiagId::UnknownDecoratorOption, k.name_range, {k.name, name});
        }
      }
      // The GPU's default error model is numpy's (SPEC 2.4).
      if (fn.target == Target::CudaAuto && !error_model_given) fn.options.error_model_numpy = true;
    }
    for (const ast::Param& p : def.params)
      fn.annotated.push_back(p.annotation ? type_from_annotation(*p.annotation, diags_) : nullptr);
    if (def.returns) fn.annotated_return = type_from_annotation(*def.returns, diags_);
    for (const Signature& s : fn.signatures) {
      if (s.params.size() != def.params.size())
        diags_.report(DiagId::SignatureArity, def.name_range,
                      {def.name, std::to_string(s.params.size()), std::to_string(def.params.size())});
    }
  }

  const SourceFile& file_;
  Diagnostics& diags_;
  ModuleInfo& info_;
};

}  // namespace

bool FunctionInfo::fully_annotated() const {
  if (annotated.empty()) return false;
  // An annotation that is not a type was reported; the function is then typed lazily.
  for (const Type* t : annotated)
    if (!t || t->is_error()) return false;
  return true;
}

bool fold_constant(const ast::Expr& e, const ModuleInfo& info, Constant& out) {
  switch (e.kind) {
    case ast::ExprKind::IntLit: out = {int64(), e.as<ast::IntLitExpr>().value, 0}; return true;
    case ast::ExprKind::FloatLit: out = {float64(), 0, e.as<ast::FloatLitExpr>().value}; return true;
    case ast::ExprKind::BoolLit: out = {bool_type(), e.as<ast::BoolLitExpr>().value ? 1 : 0, 0}; return true;
    case ast::ExprKind::Name: {
      auto it = info.globals.find(e.as<ast::NameExpr>().id);
      if (it == info.globals.end() || it->second.kind != SymbolKind::Constant) return false;
      out = it->second.constant;
      return true;
    }
    case ast::ExprKind::Attribute: {
      const auto& a = e.as<ast::AttributeExpr>();
      if (a.value->kind != ast::ExprKind::Name) return false;
      auto it = info.globals.find(a.value->as<ast::NameExpr>().id);
      if (it == info.globals.end() || it->second.kind != SymbolKind::Module) return false;
      if (it->second.module != ModuleId::Math && it->second.module != ModuleId::Numpy) return false;
      const Member* m = find_member(it->second.module, a.attr);
      if (!m || m->kind != MemberKind::Constant) return false;
      double v = constant_value(m->name);
      out = {float64(), 0, v};
      return true;
    }
    case ast::ExprKind::Unary: {
      const auto& u = e.as<ast::UnaryExpr>();
      Constant c;
      if (!fold_constant(*u.operand, info, c)) return false;
      if (u.op == UnaryOp::Pos) {
        out = c;
        if (c.type->is_bool()) out.type = int64();
        return true;
      }
      if (u.op == UnaryOp::Neg) {
        if (c.type->is_float()) out = {float64(), 0, -c.float_value};
        else out = {int64(), static_cast<int64_t>(0ull - static_cast<uint64_t>(c.int_value)), 0};
        return true;
      }
      return false;
    }
    case ast::ExprKind::Binary: {
      const auto& b = e.as<ast::BinaryExpr>();
      Constant x, y;
      if (!fold_constant(*b.lhs, info, x) || !fold_constant(*b.rhs, info, y)) return false;
      bool is_float = x.type->is_float() || y.type->is_float();
      if (is_float || b.op == BinaryOp::TrueDiv) {
        double p = x.type->is_float() ? x.float_value : static_cast<double>(x.int_value);
        double q = y.type->is_float() ? y.float_value : static_cast<double>(y.int_value);
        double r;
        switch (b.op) {
          case BinaryOp::Add: r = p + q; break;
          case BinaryOp::Sub: r = p - q; break;
          case BinaryOp::Mul: r = p * q; break;
          case BinaryOp::TrueDiv: if (q == 0) return false; r = p / q; break;
          case BinaryOp::Pow: r = std::pow(p, q); break;
          default: return false;  // keep the rest for run time
        }
        out = {float64(), 0, r};
        return true;
      }
      uint64_t p = static_cast<uint64_t>(x.int_value), q = static_cast<uint64_t>(y.int_value);
      int64_t r;
      switch (b.op) {
        case BinaryOp::Add: r = static_cast<int64_t>(p + q); break;
        case BinaryOp::Sub: r = static_cast<int64_t>(p - q); break;
        case BinaryOp::Mul: r = static_cast<int64_t>(p * q); break;
        case BinaryOp::Shl: if (q > 63) return false; r = static_cast<int64_t>(p << q); break;
        case BinaryOp::BitAnd: r = static_cast<int64_t>(p & q); break;
        case BinaryOp::BitOr: r = static_cast<int64_t>(p | q); break;
        case BinaryOp::BitXor: r = static_cast<int64_t>(p ^ q); break;
        case BinaryOp::Pow: {
          if (y.int_value < 0 || y.int_value > 64) return false;
          uint64_t acc = 1;
          for (int64_t i = 0; i < y.int_value; ++i) acc *= p;
          r = static_cast<int64_t>(acc);
          break;
        }
        default: return false;
      }
      out = {int64(), r, 0};
      return true;
    }
    default: return false;
  }
}

ModuleInfo collect_module(const ast::Module& module, const SourceFile& file, Diagnostics& diags) {
  ModuleInfo info;
  Collector(file, diags, info).run(module);
  return info;
}

}  // namespace nk::ir
