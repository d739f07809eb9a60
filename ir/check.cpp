// Type inference and checking. Each specialisation is inferred by iterating quiet
// passes over the function body until the locals' types stop changing (they only grow
// in the unification lattice), then one final pass reports errors and builds the IR.
#include "ir/check.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>

#include "frontend/internal_error.h"
#include "ir/call_graph.h"
#include "ir/module_info.h"
#include "ir/type_syntax.h"

namespace nk::ir {
namespace {

constexpr int kMaxInferencePasses = 16;
constexpr size_t kMaxSpecialisations = 64;

struct Typed {
  ExprRef e;
  Weak weak = Weak::No;
  const Type* type() const { return e->type; }
};

// Whether a weak integer literal's value fits the integer type it is combined with.
bool literal_fits(const ExprRef& e, const Type* t) {
  if (e->kind != ExprKind::Const || !t->is_int()) return true;
  int64_t v = e->as<ConstExpr>().int_value;
  if (t->is_signed()) {
    if (t->bits() == 64) return true;
    int64_t hi = (int64_t{1} << (t->bits() - 1)) - 1;
    return v >= -hi - 1 && v <= hi;
  }
  if (v < 0) return false;
  return t->bits() == 64 || v <= static_cast<int64_t>((uint64_t{1} << t->bits()) - 1);
}

ExprRef error_value(SourceRange r) { return std::make_shared<ConstExpr>(error_type(), r, 0, 0.0); }
ExprRef unknown_value(SourceRange r) { return std::make_shared<ConstExpr>(unknown_type(), r, 0, 0.0); }

std::string type_list(const std::vector<const Type*>& types) {
  std::string s;
  for (size_t i = 0; i < types.size(); ++i) s += (i ? ", " : "") + types[i]->str();
  return s;
}

bool is_pure_simple(const ExprRef& e) { return e->kind == ExprKind::Local || e->kind == ExprKind::Const; }

// Whether control can reach the end of a block (for "missing return" checks).
bool falls_through(const ast::Block& block);
bool stmt_falls_through(const ast::Stmt& s) {
  switch (s.kind) {
    case ast::StmtKind::Return:
    case ast::StmtKind::Raise: return false;
    case ast::StmtKind::If: {
      const auto& i = s.as<ast::IfStmt>();
      return falls_through(i.then_body) || i.else_body.empty() || falls_through(i.else_body);
    }
    case ast::StmtKind::While: {
      const auto& w = s.as<ast::WhileStmt>();
      // `while True:` without a break never falls through.
      if (w.cond->kind == ast::ExprKind::BoolLit && w.cond->as<ast::BoolLitExpr>().value) {
        std::function<bool(const ast::Block&)> has_break = [&](const ast::Block& b) {
          for (const auto& x : b) {
            if (x->kind == ast::StmtKind::Break) return true;
            if (x->kind == ast::StmtKind::If &&
                (has_break(x->as<ast::IfStmt>().then_body) || has_break(x->as<ast::IfStmt>().else_body)))
              return true;
          }
          return false;
        };
        return has_break(w.body);
      }
      return true;
    }
    default: return true;
  }
}
bool falls_through(const ast::Block& block) {
  for (const auto& s : block)
    if (!stmt_falls_through(*s)) return false;
  return true;
}

void collect_target_names(const ast::Expr& t, std::vector<std::pair<std::string, SourceRange>>& out) {
  if (t.kind == ast::ExprKind::Name) out.push_back({t.as<ast::NameExpr>().id, t.range});
  else if (t.kind == ast::ExprKind::Tuple)
    for (const auto& e : t.as<ast::TupleExpr>().elements) collect_target_names(*e, out);
  else if (t.kind == ast::ExprKind::List)
    for (const auto& e : t.as<ast::ListExpr>().elements) collect_target_names(*e, out);
}

void collect_assigned(const ast::Block& block, std::vector<std::pair<std::string, SourceRange>>& out) {
  for (const auto& s : block) {
    switch (s->kind) {
      case ast::StmtKind::Assign:
        for (const auto& t : s->as<ast::AssignStmt>().targets) collect_target_names(*t, out);
        break;
      case ast::StmtKind::AugAssign: collect_target_names(*s->as<ast::AugAssignStmt>().target, out); break;
      case ast::StmtKind::AnnAssign: collect_target_names(*s->as<ast::AnnAssignStmt>().target, out); break;
      case ast::StmtKind::For:
        collect_target_names(*s->as<ast::ForStmt>().target, out);
        collect_assigned(s->as<ast::ForStmt>().body, out);
        break;
      case ast::StmtKind::While: collect_assigned(s->as<ast::WhileStmt>().body, out); break;
      case ast::StmtKind::If:
        collect_assigned(s->as<ast::IfStmt>().then_body, out);
        collect_assigned(s->as<ast::IfStmt>().else_body, out);
        break;
      default: break;
    }
  }
}

class ProgramChecker;

// Checks one specialisation.
class FunctionChecker {
 public:
  FunctionChecker(ProgramChecker& program, Function& fn, const FunctionInfo* info,
                  const std::vector<const ast::Stmt*>& body);
  void run();
  // Errors were dropped as likely consequences of syntax errors.
  bool dropped_errors() const { return dropped_errors_; }

 private:
  // ---- diagnostics (silent during inference passes) ----
  void report(DiagId id, SourceRange r, std::initializer_list<std::string> args = {});
  void note(DiagId id, SourceRange r, std::initializer_list<std::string> args = {});

  // ---- locals ----
  int local_index(const std::string& name) const {
    auto it = local_map_.find(name);
    return it == local_map_.end() ? -1 : it->second;
  }
  int new_temp(const Type* type, SourceRange r) {
    // Temporaries are created afresh in each pass; they are numbered by creation order
    // so the final pass reuses the same slots.
    std::string name = "$t" + std::to_string(temp_counter_++);
    auto it = local_map_.find(name);
    if (it != local_map_.end()) {
      fn_.locals[static_cast<size_t>(it->second)].type = type;
      return it->second;
    }
    fn_.locals.push_back({name, type, Local::Temp, r});
    int index = static_cast<int>(fn_.locals.size()) - 1;
    local_map_[name] = index;
    return index;
  }
  // Records that local `index` is given a value of type `t` at `r`; returns the local's
  // type after unification (error_type() when incompatible).
  const Type* assign_type(int index, const Type* t, SourceRange r);

  // ---- statements ----
  StmtRef block(const std::vector<const ast::Stmt*>& stmts, SourceRange r);
  StmtRef block(const ast::Block& b, SourceRange r);
  void stmt(const ast::Stmt& s, std::vector<StmtRef>& out);
  void assign_to(const ast::Expr& target, Typed value, std::vector<StmtRef>& out, SourceRange r);
  // After an error in what a target would have been given: later uses of its names are
  // not reported again.
  void poison(const ast::Expr& target);
  void aug_assign(const ast::AugAssignStmt& s, std::vector<StmtRef>& out);
  void for_stmt(const ast::ForStmt& s, std::vector<StmtRef>& out);
  void return_stmt(const ast::ReturnStmt& s, std::vector<StmtRef>& out);
  void raise_stmt(const ast::RaiseStmt& s, std::vector<StmtRef>& out);
  bool print_stmt(const ast::CallExpr& call, std::vector<StmtRef>& out, SourceRange r);

  // ---- expressions ----
  Typed expr(const ast::Expr& e);
  ExprRef value(const ast::Expr& e) { return strong(expr(e)); }
  ExprRef strong(const Typed& t) { return t.e; }
  ExprRef condition(const ast::Expr& e);
  ExprRef truth(ExprRef v, SourceRange r);
  ExprRef message(const ast::Expr& e);
  Typed name(const ast::NameExpr& e);
  Typed attribute(const ast::AttributeExpr& e);
  Typed unary(const ast::UnaryExpr& e);
  Typed binary_op(BinaryOp op, Typed a, Typed b, SourceRange r, SourceRange op_range);
  Typed compare(const ast::CompareExpr& e);
  Typed bool_op(const ast::BoolOpExpr& e);
  Typed if_exp(const ast::IfExpExpr& e);
  Typed call(const ast::CallExpr& e);
  Typed call_member(const Member& m, ModuleId module, const ast::CallExpr& e);
  Typed call_builtin(const std::string& name, const ast::CallExpr& e);
  Typed call_math(const Member& m, const ast::CallExpr& e, const std::string& shown);
  Typed call_new_array(const std::string& fname, const ast::CallExpr& e);
  Typed call_function(FunctionInfo& callee, const ast::CallExpr& e);
  Typed call_array_method(ExprRef array, const std::string& method, const ast::CallExpr& e);
  // ---- CUDA ----
  // GPU code: CUDA kernels and device functions, and the top-level loops of
  // @jit(target="cuda") functions (which become kernels).
  bool gpu_code() const {
    return fn_.target == Target::CudaKernel || fn_.target == Target::CudaDevice || in_gpu_loop_;
  }
  // Reports `what` as unsupported in GPU code (and returns false) when checking GPU code.
  bool not_in_gpu_code(const std::string& what, SourceRange r);
  // Host code may hold device arrays but not touch their elements.
  bool host_elements_ok(const Type* array, SourceRange r);
  Typed cuda_index(const Member& m, const std::string& axis, SourceRange r);  // cuda.threadIdx.x ...
  Typed cuda_call(const std::string& name, const Member* m, const ast::CallExpr& e);
  Typed cuda_atomic(const std::string& op, const ast::CallExpr& e);
  Typed cuda_thread_array(const Member& m, const ast::CallExpr& e);  // cuda.shared.array, cuda.local.array
  Typed launch(const ast::SubscriptExpr& config, const ast::CallExpr& e);
  bool launch_dims(const ast::Expr& e, std::vector<ExprRef>& out);
  bool in_gpu_loop_ = false;
  std::vector<ExprRef> launching_;  // set while call_function checks a kernel launch
  Typed subscript(const ast::SubscriptExpr& e);
  Typed tuple(const ast::TupleExpr& e);
  Typed fstring(const ast::FStringExpr& e);
  const Type* dtype_arg(const ast::Expr& e);
  bool shape_arg(const ast::Expr& e, std::vector<ExprRef>& shape);
  bool check_arity(const ast::CallExpr& e, const std::string& shown, size_t min, size_t max);
  bool require_host(const std::string& what, SourceRange r);
  ExprRef int_index(const ast::Expr& e);
  ExprRef bind_temp(ExprRef v, std::vector<StmtRef>& out);
  Typed cast_numeric(Typed t, const Type* to) { return {make_cast(t.e, to), Weak::No}; }

  // The resolution of a name at module scope (null if it is local or unknown).
  const GlobalSymbol* global(const std::string& name) const;
  std::string text(SourceRange r) const;  // the source text of a range, for messages
  // A module or module member that an expression names (np, np.float32, cuda.jit...).
  bool resolve_member(const ast::Expr& e, ModuleId& module, const Member*& member) const;

  ProgramChecker& program_;
  Function& fn_;
  const FunctionInfo* info_;
  const std::vector<const ast::Stmt*>& body_;
  std::map<std::string, int> local_map_;
  std::vector<bool> declared_;  // locals with an annotation: their type does not widen
  bool quiet_ = true;
  bool suppressed_ = false;  // the last report was dropped: drop its notes too
  bool dropped_errors_ = false;
  bool changed_ = false;
  int temp_counter_ = 0;
  int loop_depth_ = 0;
  // Innermost first: whether each enclosing loop is a prange that runs in parallel.
  std::vector<bool> loops_parallel_;
  const Type* inferred_return_ = nullptr;
  bool saw_unknown_return_ = false;  // a `return value` whose type inference never found
  SourceRange first_return_;
};

class ProgramChecker {
 public:
  ProgramChecker(const ast::Module& module, const SourceFile& file, Diagnostics& diags)
      : file_(file), diags_(diags), info_(collect_module(module, file, diags)) {}

  Program run(const CheckOptions& options);

  // The specialisation of `fn` for `args`, checked (or being checked). Null (after a
  // diagnostic) when it cannot be made.
  Function* specialise(FunctionInfo& fn, const std::vector<const Type*>& args, SourceRange call_site,
                       bool quiet_caller);

  Diagnostics& diags() { return diags_; }
  // Specialisations whose checking reported errors: callers do not report the
  // consequences (a wrong return type) again.
  bool failed(const Function* f) const { return failed_.count(f) != 0; }
  // Where a function was called recursively before its return type was known.
  void note_recursion(const Function* f, SourceRange site) { recursion_sites_.emplace(f, site); }
  const SourceRange* recursion_site(const Function* f) const {
    auto it = recursion_sites_.find(f);
    return it == recursion_sites_.end() ? nullptr : &it->second;
  }
  const SourceFile& file() const { return file_; }
  const ModuleInfo& info() const { return info_; }
  bool after_syntax_errors() const { return after_syntax_errors_; }

 private:
  struct Key {
    const FunctionInfo* fn;
    std::vector<const Type*> args;
    bool operator<(const Key& o) const { return std::tie(fn, args) < std::tie(o.fn, o.args); }
  };
  struct Entry {
    Function* function;
    bool in_progress;
  };

  const SourceFile& file_;
  Diagnostics& diags_;
  ModuleInfo info_;
  Program program_;
  std::map<Key, Entry> specs_;
  std::map<const FunctionInfo*, size_t> spec_counts_;
  int depth_ = 0;
  bool after_syntax_errors_ = false;
  std::set<const Function*> failed_;
  std::map<const Function*, SourceRange> recursion_sites_;
};

// ---------------------------------------------------------------------------------

FunctionChecker::FunctionChecker(ProgramChecker& program, Function& fn, const FunctionInfo* info,
                                 const std::vector<const ast::Stmt*>& body)
    : program_(program), fn_(fn), info_(info), body_(body) {
  // Parameters start with their argument types and, like other locals, widen when
  // assigned wider values (Numba's unification).
  for (size_t i = 0; i < fn_.locals.size(); ++i) {
    local_map_[fn_.locals[i].name] = static_cast<int>(i);
    declared_.push_back(false);
  }
  // Every name assigned anywhere in the body is a local of the whole function (Python).
  std::vector<std::pair<std::string, SourceRange>> names;
  for (const ast::Stmt* s : body_) {
    ast::Block one;
    // collect_assigned works on blocks; wrap the statement pointer without owning it.
    switch (s->kind) {
      case ast::StmtKind::Assign:
        for (const auto& t : s->as<ast::AssignStmt>().targets) collect_target_names(*t, names);
        break;
      case ast::StmtKind::AugAssign: collect_target_names(*s->as<ast::AugAssignStmt>().target, names); break;
      case ast::StmtKind::AnnAssign: collect_target_names(*s->as<ast::AnnAssignStmt>().target, names); break;
      case ast::StmtKind::For:
        collect_target_names(*s->as<ast::ForStmt>().target, names);
        collect_assigned(s->as<ast::ForStmt>().body, names);
        break;
      case ast::StmtKind::While: collect_assigned(s->as<ast::WhileStmt>().body, names); break;
      case ast::StmtKind::If:
        collect_assigned(s->as<ast::IfStmt>().then_body, names);
        collect_assigned(s->as<ast::IfStmt>().else_body, names);
        break;
      default: break;
    }
  }
  for (const auto& [name, range] : names) {
    if (local_map_.count(name)) continue;
    fn_.locals.push_back({name, unknown_type(), Local::Var, range});
    local_map_[name] = static_cast<int>(fn_.locals.size()) - 1;
    declared_.push_back(false);
  }
}

std::string FunctionChecker::text(SourceRange r) const { return quote_excerpt(program_.file().slice(r)); }

void FunctionChecker::report(DiagId id, SourceRange r, std::initializer_list<std::string> args) {
  if (quiet_) return;
  if (program_.after_syntax_errors() && (id == DiagId::UndefinedName || id == DiagId::NoTypeForName)) {
    suppressed_ = true;
    dropped_errors_ = true;
    return;
  }
  suppressed_ = false;
  program_.diags().report(id, r, args);
}

void FunctionChecker::note(DiagId id, SourceRange r, std::initializer_list<std::string> args) {
  if (quiet_ || suppressed_) return;
  program_.diags().note(id, r, args);
}

void FunctionChecker::run() {
  SourceRange whole = fn_.range;
  for (int pass = 0; pass < kMaxInferencePasses; ++pass) {
    changed_ = false;
    temp_counter_ = 0;
    quiet_ = true;
    block(body_, whole);
    if (!changed_) break;
  }
  quiet_ = false;
  temp_counter_ = 0;
  loop_depth_ = 0;
  if (fn_.target != Target::Host && !fn_.return_type) {
    fn_.return_type = inferred_return_ ? inferred_return_ : none_type();
    if (fn_.return_type->kind() == TypeKind::Unknown) fn_.return_type = error_type();
    const SourceRange* site = program_.recursion_site(&fn_);
    if (!inferred_return_ && saw_unknown_return_) {
      // Every return went through a recursive call: nothing gives the type.
      report(DiagId::RecursionNeedsType, site ? *site : info_->def->name_range, {fn_.name});
      fn_.return_type = error_type();
    }
  }
  fn_.body = block(body_, whole);
  // Locals that never got a type were only assigned erroneous values.
  for (Local& l : fn_.locals)
    if (l.type->kind() == TypeKind::Unknown) l.type = error_type();
  if (info_ && !info_->def->has_syntax_errors && fn_.return_type != none_type() && !fn_.return_type->is_error() &&
      falls_through(info_->def->body)) {
    report(DiagId::MissingReturn, info_->def->name_range, {fn_.name, fn_.return_type->str()});
  }
}

const Type* FunctionChecker::assign_type(int index, const Type* t, SourceRange r) {
  Local& l = fn_.locals[static_cast<size_t>(index)];
  if (t->kind() == TypeKind::Unknown) return l.type;
  if (t->is_error()) return l.type->kind() == TypeKind::Unknown ? error_type() : l.type;
  if (t->kind() == TypeKind::None || t->kind() == TypeKind::DType) {
    report(DiagId::IncompatibleAssign, r, {l.name, t->str(), l.type->kind() == TypeKind::Unknown ? t->str() : l.type->str()});
    return error_type();
  }
  if (l.type->kind() == TypeKind::Unknown) {
    l.type = t;
    l.first_def = r;
    changed_ = true;
    return t;
  }
  if (l.type->is_error()) return l.type;
  if (declared_[static_cast<size_t>(index)]) {
    const Type* u = unify(l.type, t);
    if (u && (u == l.type || (l.type->is_numeric() && t->is_numeric()))) return l.type;
    report(DiagId::IncompatibleAssign, r, {l.name, t->str(), l.type->str()});
    return error_type();
  }
  const Type* u = unify(l.type, t);
  if (!u) {
    report(DiagId::IncompatibleAssign, r, {l.name, t->str(), l.type->str()});
    note(DiagId::IncompatibleAssignNote, l.first_def, {l.name, l.type->str()});
    return error_type();
  }
  if (u != l.type) {
    l.type = u;
    changed_ = true;
  }
  return u;
}

// ---- statements ----

StmtRef FunctionChecker::block(const std::vector<const ast::Stmt*>& stmts, SourceRange r) {
  std::vector<StmtRef> out;
  for (const ast::Stmt* s : stmts) stmt(*s, out);
  return std::make_shared<BlockStmt>(r, std::move(out));
}

StmtRef FunctionChecker::block(const ast::Block& b, SourceRange r) {
  std::vector<StmtRef> out;
  for (const auto& s : b) stmt(*s, out);
  return std::make_shared<BlockStmt>(r, std::move(out));
}

void FunctionChecker::stmt(const ast::Stmt& s, std::vector<StmtRef>& out) {
  switch (s.kind) {
    case ast::StmtKind::Expr: {
      const ast::Expr& e = *s.as<ast::ExprStmt>().expr;
      if (e.kind == ast::ExprKind::StrLit) return;  // docstrings
      if (e.kind == ast::ExprKind::Call) {
        const auto& c = e.as<ast::CallExpr>();
        if (c.callee->kind == ast::ExprKind::Name && c.callee->as<ast::NameExpr>().id == "print" &&
            local_index("print") < 0 && !global("print")) {
          print_stmt(c, out, s.range);
          return;
        }
      }
      ExprRef v = value(e);
      if (!v->type->is_error()) out.push_back(std::make_shared<EvalStmt>(s.range, v));
      return;
    }
    case ast::StmtKind::Assign: {
      const auto& a = s.as<ast::AssignStmt>();
      Typed v = expr(*a.value);
      if (a.targets.size() > 1 && !v.type()->is_error()) {
        int t = new_temp(v.type(), a.value->range);
        out.push_back(std::make_shared<AssignStmt>(s.range, t, v.e));
        v = {std::make_shared<LocalExpr>(v.type(), a.value->range, t), Weak::No};
      }
      for (const auto& target : a.targets) assign_to(*target, v, out, s.range);
      return;
    }
    case ast::StmtKind::AugAssign: aug_assign(s.as<ast::AugAssignStmt>(), out); return;
    case ast::StmtKind::AnnAssign: {
      const auto& a = s.as<ast::AnnAssignStmt>();
      const std::string& name = a.target->as<ast::NameExpr>().id;
      int index = local_index(name);
      NK_CHECK(index >= 0) << "annotated name '" << name << "' has no local";
      Diagnostics scratch(program_.file());
      const Type* declared = type_from_annotation(*a.annotation, quiet_ ? scratch : program_.diags());
      Local& l = fn_.locals[static_cast<size_t>(index)];
      if (!declared->is_error()) {
        if (l.type->kind() == TypeKind::Unknown || l.type == declared) {
          if (l.type != declared) changed_ = true;
          l.type = declared;
          l.first_def = a.target->range;
          declared_[static_cast<size_t>(index)] = true;
        } else if (!declared_[static_cast<size_t>(index)]) {
          // Inference already widened it before seeing the annotation: the annotation wins.
          l.type = declared;
          declared_[static_cast<size_t>(index)] = true;
          changed_ = true;
        }
      }
      if (!a.value) return;
      // np.load takes its type from the annotation.
      if (a.value->kind == ast::ExprKind::Call && !declared->is_error() && declared->is_array()) {
        const auto& c = a.value->as<ast::CallExpr>();
        ModuleId m;
        const Member* member = nullptr;
        if (resolve_member(*c.callee, m, member) && member && member->intrinsic == Intrinsic::NpLoad) {
          if (!require_host("np.load()", c.range)) return;
          if (!check_arity(c, "np.load", 1, 1)) return;
          ExprRef path = value(*c.args[0]);
          if (!path->type->is_error() && path->type->kind() != TypeKind::String) {
            report(DiagId::BadArgType, c.args[0]->range, {"np.load", "1", "a str", path->type->str()});
            return;
          }
          ExprRef load = std::make_shared<IntrinsicExpr>(declared, c.range, Intrinsic::NpLoad, std::vector<ExprRef>{path});
          out.push_back(std::make_shared<AssignStmt>(s.range, index, load));
          return;
        }
      }
      assign_to(*a.target, expr(*a.value), out, s.range);
      return;
    }
    case ast::StmtKind::Return: return_stmt(s.as<ast::ReturnStmt>(), out); return;
    case ast::StmtKind::Pass: return;
    case ast::StmtKind::Break:
      // The iterations of a parallel prange run at once: none can stop the others.
      if (!loops_parallel_.empty() && loops_parallel_.back()) {
        report(DiagId::UnsupportedHint, s.range, {fn_.target == Target::CudaAuto ? "'break' in a loop that runs on the GPU" : "'break' in a prange loop of a parallel=True function", fn_.target == Target::CudaAuto ? "nest the loop in another statement to run it serially" : "use range"});
        return;
      }
      out.push_back(std::make_shared<BreakStmt>(s.range));
      return;
    case ast::StmtKind::Continue:
      out.push_back(std::make_shared<ContinueStmt>(s.range));
      return;
    case ast::StmtKind::If: {
      const auto& i = s.as<ast::IfStmt>();
      ExprRef c = condition(*i.cond);
      StmtRef then_body = block(i.then_body, s.range);
      StmtRef else_body = i.else_body.empty() ? nullptr : block(i.else_body, s.range);
      out.push_back(std::make_shared<IfStmt>(s.range, c, then_body, else_body));
      return;
    }
    case ast::StmtKind::While: {
      const auto& w = s.as<ast::WhileStmt>();
      ExprRef c = condition(*w.cond);
      ++loop_depth_;
      loops_parallel_.push_back(false);
      StmtRef body = block(w.body, s.range);
      loops_parallel_.pop_back();
      --loop_depth_;
      out.push_back(std::make_shared<WhileStmt>(s.range, c, body));
      return;
    }
    case ast::StmtKind::For: for_stmt(s.as<ast::ForStmt>(), out); return;
    case ast::StmtKind::Raise: raise_stmt(s.as<ast::RaiseStmt>(), out); return;
    case ast::StmtKind::Assert: {
      const auto& a = s.as<ast::AssertStmt>();
      ExprRef c = condition(*a.cond);
      ExprRef msg = a.message ? message(*a.message) : nullptr;
      out.push_back(std::make_shared<AssertStmt>(s.range, c, msg));
      return;
    }
    case ast::StmtKind::FunctionDef: report(DiagId::NestedFunction, s.range); return;
    case ast::StmtKind::Import:
    case ast::StmtKind::ImportFrom:
      if (fn_.target != Target::Host) report(DiagId::ImportNotAtTop, s.range);
      return;
    case ast::StmtKind::Error: return;
  }
}

ExprRef FunctionChecker::bind_temp(ExprRef v, std::vector<StmtRef>& out) {
  if (is_pure_simple(v) || v->type->is_error()) return v;
  int t = new_temp(v->type, v->range);
  out.push_back(std::make_shared<AssignStmt>(v->range, t, v));
  return std::make_shared<LocalExpr>(v->type, v->range, t);
}

void FunctionChecker::poison(const ast::Expr& target) {
  if (quiet_) return;
  std::vector<std::pair<std::string, SourceRange>> names;
  collect_target_names(target, names);
  for (const auto& [name, range] : names) {
    int index = local_index(name);
    if (index >= 0 && fn_.locals[static_cast<size_t>(index)].type->kind() == TypeKind::Unknown)
      fn_.locals[static_cast<size_t>(index)].type = error_type();
  }
}

void FunctionChecker::assign_to(const ast::Expr& target, Typed v, std::vector<StmtRef>& out, SourceRange r) {
  switch (target.kind) {
    case ast::ExprKind::Name: {
      const std::string& name = target.as<ast::NameExpr>().id;
      int index = local_index(name);
      NK_CHECK(index >= 0) << "assigned name '" << name << "' has no local";
      const Type* vt = v.type();
      if (vt->is_error()) {
        poison(target);
        return;
      }
      if (vt == none_type()) {
        report(DiagId::VoidValue, v.e->range, {v.e->kind == ExprKind::Call ? v.e->as<CallExpr>().callee->name : text(v.e->range)});
        poison(target);
        return;
      }
      if (vt->kind() == TypeKind::String && fn_.target != Target::Host) {
        report(DiagId::StringOperation, target.range, {"assigning a string to a variable inside a compiled function"});
        return;
      }
      const Type* t = assign_type(index, vt, target.range);
      if (quiet_ || t->is_error() || vt->is_error()) return;
      out.push_back(std::make_shared<AssignStmt>(r, index, make_cast(v.e, t)));
      return;
    }
    case ast::ExprKind::Subscript: {
      const auto& s = target.as<ast::SubscriptExpr>();
      ExprRef array = value(*s.value);
      if (array->type->is_error()) return;
      if (!array->type->is_array()) {
        report(DiagId::StoreToNonArray, s.value->range, {array->type->str()});
        return;
      }
      if (!host_elements_ok(array->type, s.value->range)) return;
      std::vector<ExprRef> indices;
      bool ok = true;
      for (const auto& i : s.indices) {
        if (i->kind == ast::ExprKind::Slice) {
          report(DiagId::StoreIntoView, target.range);
          return;
        }
        ExprRef idx = int_index(*i);
        ok = ok && !idx->type->is_error();
        indices.push_back(idx);
      }
      if (static_cast<int>(indices.size()) > array->type->ndim()) {
        report(DiagId::TooManyIndices, target.range, {std::to_string(array->type->ndim()), std::to_string(indices.size())});
        return;
      }
      if (static_cast<int>(indices.size()) < array->type->ndim()) {
        report(DiagId::StoreIntoView, target.range);
        return;
      }
      if (v.type()->is_error() || !ok) return;
      if (!v.type()->is_numeric()) {
        report(DiagId::IncompatibleAssign, r, {text(target.range), v.type()->str(), array->type->elem()->str()});
        return;
      }
      out.push_back(std::make_shared<StoreStmt>(r, array, indices, make_cast(v.e, array->type->elem())));
      return;
    }
    case ast::ExprKind::Tuple:
    case ast::ExprKind::List: {
      const auto& targets = target.kind == ast::ExprKind::Tuple ? target.as<ast::TupleExpr>().elements
                                                                : target.as<ast::ListExpr>().elements;
      if (v.type()->is_error()) {
        if (v.type()->kind() == TypeKind::Unknown)
          for (const auto& t : targets) assign_to(*t, {unknown_value(t->range)}, out, r);
        poison(target);
        return;
      }
      if (!v.type()->is_tuple()) {
        report(DiagId::CannotUnpack, r, {v.type()->str()});
        poison(target);
        return;
      }
      size_t n = v.type()->elements().size();
      if (n != targets.size()) {
        report(DiagId::UnpackMismatch, r, {std::to_string(n), std::to_string(targets.size())});
        poison(target);
        return;
      }
      // Evaluate every element before assigning any (a, b = b, a).
      std::vector<Typed> parts;
      if (v.e->kind == ExprKind::MakeTuple) {
        for (const ExprRef& x : v.e->as<MakeTupleExpr>().elements) {
          // Locals are copied too: a, b = b, a reads both before writing either.
          if (x->kind == ExprKind::Local && !quiet_) {
            int t = new_temp(x->type, x->range);
            out.push_back(std::make_shared<AssignStmt>(x->range, t, x));
            parts.push_back({std::make_shared<LocalExpr>(x->type, x->range, t)});
          } else {
            parts.push_back({bind_temp(x, out)});
          }
        }
      } else {
        ExprRef whole = bind_temp(v.e, out);
        for (size_t i = 0; i < n; ++i)
          parts.push_back({std::make_shared<TupleGetExpr>(v.type()->elements()[i], whole->range, whole, static_cast<int>(i))});
      }
      for (size_t i = 0; i < n; ++i) assign_to(*targets[i], parts[i], out, r);
      return;
    }
    default: report(DiagId::InvalidAssignTarget, target.range, {"expression"}); return;
  }
}

void FunctionChecker::aug_assign(const ast::AugAssignStmt& s, std::vector<StmtRef>& out) {
  if (s.target->kind == ast::ExprKind::Name) {
    Typed current = expr(*s.target);
    Typed rhs = expr(*s.value);
    Typed result = binary_op(s.op, current, rhs, s.range, s.op_range);
    assign_to(*s.target, {result.e}, out, s.range);
    return;
  }
  // a[i] op= v: evaluate the array and indices once.
  const auto& sub = s.target->as<ast::SubscriptExpr>();
  ExprRef array = value(*sub.value);
  if (array->type->is_error()) {
    expr(*s.value);
    return;
  }
  if (!array->type->is_array()) {
    report(DiagId::StoreToNonArray, sub.value->range, {array->type->str()});
    return;
  }
  if (!host_elements_ok(array->type, sub.value->range)) {
    expr(*s.value);
    return;
  }
  std::vector<ExprRef> indices;
  for (const auto& i : sub.indices) {
    if (i->kind == ast::ExprKind::Slice) {
      report(DiagId::StoreIntoView, s.target->range);
      return;
    }
    indices.push_back(int_index(*i));
  }
  if (static_cast<int>(indices.size()) != array->type->ndim()) {
    if (static_cast<int>(indices.size()) > array->type->ndim())
      report(DiagId::TooManyIndices, s.target->range, {std::to_string(array->type->ndim()), std::to_string(indices.size())});
    else
      report(DiagId::StoreIntoView, s.target->range);
    return;
  }
  for (const ExprRef& i : indices)
    if (i->type->is_error()) return;
  array = bind_temp(array, out);
  for (ExprRef& i : indices) i = bind_temp(i, out);
  Typed current{make_load(array, indices, s.target->range)};
  Typed rhs = expr(*s.value);
  Typed result = binary_op(s.op, current, rhs, s.range, s.op_range);
  if (result.type()->is_error()) return;
  out.push_back(std::make_shared<StoreStmt>(s.range, array, indices, make_cast(result.e, array->type->elem())));
}

void FunctionChecker::for_stmt(const ast::ForStmt& s, std::vector<StmtRef>& out) {
  bool parallel = false;
  const ast::CallExpr* call = nullptr;
  if (s.iter->kind == ast::ExprKind::Call) {
    const auto& c = s.iter->as<ast::CallExpr>();
    if (c.callee->kind == ast::ExprKind::Name) {
      const std::string& n = c.callee->as<ast::NameExpr>().id;
      const GlobalSymbol* g = global(n);
      if (n == "range" && local_index(n) < 0 && (!g)) call = &c;
      if (local_index(n) < 0 && g && g->kind == SymbolKind::Member && g->member->kind == MemberKind::Prange) {
        call = &c;
        parallel = true;
      }
    } else if (c.callee->kind == ast::ExprKind::Attribute) {
      ModuleId m;
      const Member* member = nullptr;
      if (resolve_member(*c.callee, m, member) && member && member->kind == MemberKind::Prange) {
        call = &c;
        parallel = true;
      }
    }
  }
  if (!call) {
    ExprRef it = value(*s.iter);
    if (!it->type->is_error())
      report(DiagId::UnsupportedHint, s.iter->range,
             {"iterating over a value of type '" + it->type->str() + "'", "loop over range(...) instead"});
    poison(*s.target);
    ++loop_depth_;
    loops_parallel_.push_back(false);
    block(s.body, s.range);
    loops_parallel_.pop_back();
    --loop_depth_;
    return;
  }
  if (s.target->kind != ast::ExprKind::Name) {
    report(DiagId::UnsupportedSingular, s.target->range, {"unpacking in a for loop target"});
    return;
  }
  const char* fname = parallel ? "prange" : "range";
  if (!call->keywords.empty()) report(DiagId::UnexpectedKeyword, call->keywords[0].name_range, {fname, call->keywords[0].name});
  std::vector<ExprRef> args;
  bool ok = check_arity(*call, fname, 1, 3);
  if (ok) {
    for (size_t i = 0; i < call->args.size(); ++i) {
      ExprRef a = value(*call->args[i]);
      if (a->type->is_error()) {
        ok = false;
        continue;
      }
      if (!a->type->is_integral()) {
        report(DiagId::BadArgType, call->args[i]->range, {fname, std::to_string(i + 1), "an integer", a->type->str()});
        ok = false;
        continue;
      }
      args.push_back(make_cast(a, int64()));
    }
  }
  ExprRef start, stop, step;
  SourceRange r = call->range;
  if (ok) {
    if (args.size() == 1) {
      start = make_const_int(int64(), 0, r);
      stop = args[0];
      step = make_const_int(int64(), 1, r);
    } else {
      start = args[0];
      stop = args[1];
      step = args.size() == 3 ? args[2] : make_const_int(int64(), 1, r);
    }
  }
  int index = local_index(s.target->as<ast::NameExpr>().id);
  const Type* t = assign_type(index, int64(), s.target->range);
  ++loop_depth_;
  // The top-level loops of a @jit(target="cuda") function run on the GPU (SPEC 2.6).
  bool gpu_loop = fn_.target == Target::CudaAuto &&
                  std::find(body_.begin(), body_.end(), static_cast<const ast::Stmt*>(&s)) != body_.end();
  loops_parallel_.push_back((parallel && fn_.options.parallel) || gpu_loop);
  bool outer_gpu = in_gpu_loop_;
  in_gpu_loop_ = in_gpu_loop_ || gpu_loop;
  StmtRef body = block(s.body, s.range);
  in_gpu_loop_ = outer_gpu;
  loops_parallel_.pop_back();
  --loop_depth_;
  if (!ok || quiet_ || t->is_error()) return;
  if (t != int64()) {
    report(DiagId::IncompatibleAssign, s.target->range, {fn_.locals[static_cast<size_t>(index)].name, "int64", t->str()});
    return;
  }
  out.push_back(std::make_shared<ForRangeStmt>(s.range, index, start, stop, step, body, parallel));
}

void FunctionChecker::return_stmt(const ast::ReturnStmt& s, std::vector<StmtRef>& out) {
  if (fn_.target == Target::Host) return;  // reported by the parser
  for (bool parallel : loops_parallel_) {
    if (!parallel) continue;
    report(DiagId::UnsupportedHint, s.range, {fn_.target == Target::CudaAuto ? "'return' in a loop that runs on the GPU" : "'return' in a prange loop of a parallel=True function", fn_.target == Target::CudaAuto ? "nest the loop in another statement to run it serially" : "use range"});
    return;
  }
  ExprRef v;
  const Type* t = none_type();
  if (s.value && s.value->kind != ast::ExprKind::NoneLit) {
    v = value(*s.value);
    t = v->type;
    if (t->kind() == TypeKind::Unknown && quiet_) saw_unknown_return_ = true;
    if (t->is_error()) return;
    if (t->kind() == TypeKind::String || t->kind() == TypeKind::DType || t->kind() == TypeKind::ArgList) {
      report(DiagId::DeclaredReturnMismatch, s.value->range, {t->str(), fn_.name, "a number, array or tuple"});
      return;
    }
  }
  if (fn_.target == Target::CudaKernel && t != none_type()) {
    report(DiagId::DeclaredReturnMismatch, s.range, {t->str(), fn_.name, "none (CUDA kernels return nothing)"});
    return;
  }
  if (quiet_) {
    if (info_ && info_->annotated_return) return;
    if (!inferred_return_) {
      inferred_return_ = t;
      first_return_ = s.range;
      changed_ = true;
      return;
    }
    const Type* u = (t == none_type() || inferred_return_ == none_type()) ? (t == inferred_return_ ? t : nullptr)
                                                                           : unify(inferred_return_, t);
    if (u && u != inferred_return_) {
      inferred_return_ = u;
      changed_ = true;
    }
    return;
  }
  const Type* declared = fn_.return_type;
  if (declared->is_error()) return;
  if (t == declared) {
    out.push_back(std::make_shared<ReturnStmt>(s.range, v));
    return;
  }
  const Type* u = (t == none_type() || declared == none_type()) ? nullptr : unify(declared, t);
  // A declared return type converts numbers; an inferred one must already hold them.
  bool annotated = info_ && (info_->annotated_return || !info_->signatures.empty());
  bool ok = u == declared || (annotated && u && declared->is_numeric() && t->is_numeric());
  if (!ok) {
    if (annotated)
      report(DiagId::DeclaredReturnMismatch, s.range, {t->str(), fn_.name, declared->str()});
    else
      report(DiagId::ReturnTypeMismatch, s.range, {fn_.name, t->str(), declared->str()});
    return;
  }
  out.push_back(std::make_shared<ReturnStmt>(s.range, make_cast(v, declared)));
}

void FunctionChecker::raise_stmt(const ast::RaiseStmt& s, std::vector<StmtRef>& out) {
  if (!s.exception) {
    report(DiagId::UnsupportedSingular, s.range, {"a bare 'raise' (re-raising)"});
    return;
  }
  const ast::Expr* head = s.exception.get();
  const ast::CallExpr* call = nullptr;
  if (head->kind == ast::ExprKind::Call) {
    call = &head->as<ast::CallExpr>();
    head = call->callee.get();
  }
  const Member* b = head->kind == ast::ExprKind::Name ? find_builtin(head->as<ast::NameExpr>().id) : nullptr;
  if (!b || b->kind != MemberKind::Exception || (head->kind == ast::ExprKind::Name && local_index(head->as<ast::NameExpr>().id) >= 0)) {
    report(DiagId::RaiseNotException, head->range, {"'" + text(head->range) + "'"});
    return;
  }
  ExprRef msg;
  if (call) {
    if (!call->keywords.empty()) report(DiagId::UnexpectedKeyword, call->keywords[0].name_range, {b->name, call->keywords[0].name});
    if (call->args.size() > 1) report(DiagId::WrongArgCount, call->range, {b->name, "0 or 1", std::to_string(call->args.size())});
    if (call->args.size() == 1) msg = message(*call->args[0]);
  }
  out.push_back(std::make_shared<RaiseStmt>(s.range, b->name, msg));
}

// print(*args, sep=" ", end="\n")
bool FunctionChecker::print_stmt(const ast::CallExpr& call, std::vector<StmtRef>& out, SourceRange r) {
  if (!not_in_gpu_code("print() in GPU code", call.callee->range)) {
    for (const auto& a : call.args) expr(*a);
    return false;
  }
  std::vector<ExprRef> args;
  bool ok = true;
  for (const auto& a : call.args) {
    ExprRef v = value(*a);
    if (v->type->is_error()) {
      ok = false;
      continue;
    }
    const Type* t = v->type;
    if (!host_elements_ok(t, a->range)) {
      ok = false;
      continue;
    }
    bool printable = t->is_numeric() || t->kind() == TypeKind::String || t->is_tuple() ||
                     (t->is_array() && t->ndim() <= 2) || t->kind() == TypeKind::None;
    if (!printable) {
      report(DiagId::BadArgType, a->range, {"print", std::to_string(args.size() + 1),
                                            "a number, a string, a tuple or a 1-d or 2-d array", t->str()});
      ok = false;
      continue;
    }
    args.push_back(v);
  }
  ExprRef sep = std::make_shared<StrConstExpr>(r, " ");
  ExprRef end = std::make_shared<StrConstExpr>(r, "\n");
  for (const ast::Keyword& k : call.keywords) {
    if (k.name != "sep" && k.name != "end" && k.name != "flush") {
      report(DiagId::UnexpectedKeyword, k.name_range, {"print", k.name});
      ok = false;
      continue;
    }
    if (k.name == "flush") {
      condition(*k.value);
      continue;
    }
    ExprRef v = value(*k.value);
    if (v->type->is_error()) {
      ok = false;
      continue;
    }
    if (v->type->kind() != TypeKind::String) {
      report(DiagId::BadArgType, k.value->range, {"print", k.name, "a str", v->type->str()});
      ok = false;
      continue;
    }
    (k.name == "sep" ? sep : end) = v;
  }
  if (ok) out.push_back(std::make_shared<PrintStmt>(r, std::move(args), sep, end));
  return ok;
}

// ---- expressions ----

const GlobalSymbol* FunctionChecker::global(const std::string& n) const {
  if (local_index(n) >= 0) return nullptr;
  const auto& g = program_.info().globals;
  auto it = g.find(n);
  return it == g.end() ? nullptr : &it->second;
}

bool FunctionChecker::resolve_member(const ast::Expr& e, ModuleId& module, const Member*& member) const {
  if (e.kind == ast::ExprKind::Name) {
    const GlobalSymbol* g = global(e.as<ast::NameExpr>().id);
    if (!g) return false;
    if (g->kind == SymbolKind::Module) {
      module = g->module;
      member = nullptr;
      return true;
    }
    if (g->kind == SymbolKind::Member) {
      module = g->module;
      member = g->member;
      return true;
    }
    return false;
  }
  if (e.kind == ast::ExprKind::Attribute) {
    const auto& a = e.as<ast::AttributeExpr>();
    ModuleId m;
    const Member* inner = nullptr;
    if (!resolve_member(*a.value, m, inner) || inner) return false;
    const Member* found = find_member(m, a.attr);
    if (!found) return false;
    if (found->kind == MemberKind::Submodule) {
      module = ModuleId::Cuda;
      member = nullptr;
      return true;
    }
    module = m;
    member = found;
    return true;
  }
  return false;
}

bool FunctionChecker::require_host(const std::string& what, SourceRange r) {
  if (fn_.target == Target::Host) return true;
  report(DiagId::HostOnly, r, {what});
  return false;
}

bool FunctionChecker::check_arity(const ast::CallExpr& e, const std::string& shown, size_t min, size_t max) {
  size_t n = e.args.size();
  if (n >= min && n <= max) return true;
  std::string expected = min == max ? std::to_string(min) : std::to_string(min) + " to " + std::to_string(max);
  if (max == SIZE_MAX) expected = "at least " + std::to_string(min);
  report(DiagId::WrongArgCount, e.range, {shown, expected, std::to_string(n)});
  for (const auto& a : e.args) expr(*a);
  return false;
}

ExprRef FunctionChecker::truth(ExprRef v, SourceRange r) {
  if (v->type->is_error()) return v;
  if (v->type->is_numeric()) return make_cast(v, bool_type());
  report(DiagId::ConditionType, r, {v->type->str()});
  return error_value(r);
}

ExprRef FunctionChecker::condition(const ast::Expr& e) { return truth(value(e), e.range); }

ExprRef FunctionChecker::message(const ast::Expr& e) {
  ExprRef v = value(e);
  if (v->type->is_error() || v->type->kind() == TypeKind::String) return v;
  if (v->type->is_numeric()) {
    // raise ValueError(n): formatted like str(n).
    return std::make_shared<FormatExpr>(e.range, std::vector<FormatPart>{{"", v, "", 0}});
  }
  report(DiagId::BadArgType, e.range, {"exception message", "1", "a str", v->type->str()});
  return nullptr;
}

ExprRef FunctionChecker::int_index(const ast::Expr& e) {
  ExprRef v = value(e);
  if (v->type->is_error()) return v;
  if (!v->type->is_int()) {
    report(DiagId::BadIndexType, e.range, {v->type->str()});
    return error_value(e.range);
  }
  return make_cast(v, int64());
}

Typed FunctionChecker::expr(const ast::Expr& e) {
  switch (e.kind) {
    case ast::ExprKind::Name: return name(e.as<ast::NameExpr>());
    case ast::ExprKind::IntLit: return {make_const_int(int64(), e.as<ast::IntLitExpr>().value, e.range), Weak::Int};
    case ast::ExprKind::FloatLit: return {make_const_float(float64(), e.as<ast::FloatLitExpr>().value, e.range), Weak::Float};
    case ast::ExprKind::BoolLit: return {make_const_bool(e.as<ast::BoolLitExpr>().value, e.range)};
    case ast::ExprKind::NoneLit:
      report(DiagId::UnsupportedSingular, e.range, {"'None' as a value"});
      return {error_value(e.range)};
    case ast::ExprKind::StrLit: return {std::make_shared<StrConstExpr>(e.range, e.as<ast::StrLitExpr>().value)};
    case ast::ExprKind::FString: return fstring(e.as<ast::FStringExpr>());
    case ast::ExprKind::Unary: return unary(e.as<ast::UnaryExpr>());
    case ast::ExprKind::Binary: {
      const auto& b = e.as<ast::BinaryExpr>();
      Typed lhs = expr(*b.lhs);
      Typed rhs = expr(*b.rhs);
      return binary_op(b.op, lhs, rhs, e.range, b.op_range);
    }
    case ast::ExprKind::BoolOp: return bool_op(e.as<ast::BoolOpExpr>());
    case ast::ExprKind::Compare: return compare(e.as<ast::CompareExpr>());
    case ast::ExprKind::IfExp: return if_exp(e.as<ast::IfExpExpr>());
    case ast::ExprKind::Call: return call(e.as<ast::CallExpr>());
    case ast::ExprKind::Attribute: return attribute(e.as<ast::AttributeExpr>());
    case ast::ExprKind::Subscript: return subscript(e.as<ast::SubscriptExpr>());
    case ast::ExprKind::Slice:
      report(DiagId::UnsupportedSingular, e.range, {"a slice outside of a subscript"});
      return {error_value(e.range)};
    case ast::ExprKind::Tuple: return tuple(e.as<ast::TupleExpr>());
    case ast::ExprKind::List:
      report(DiagId::Unsupported, e.range, {"list literals"});
      return {error_value(e.range)};
    case ast::ExprKind::Error: return {error_value(e.range)};
  }
  return {error_value(e.range)};
}

Typed FunctionChecker::name(const ast::NameExpr& e) {
  int index = local_index(e.id);
  if (index >= 0) {
    const Local& l = fn_.locals[static_cast<size_t>(index)];
    if (l.type->kind() == TypeKind::Unknown) {
      if (quiet_) return {unknown_value(e.range)};
      report(DiagId::NoTypeForName, e.range, {e.id});
      return {error_value(e.range)};
    }
    if (l.type->is_error()) return {error_value(e.range)};
    return {std::make_shared<LocalExpr>(l.type, e.range, index)};
  }
  const GlobalSymbol* g = global(e.id);
  if (g) {
    switch (g->kind) {
      case SymbolKind::Constant: {
        // A module constant is a Python number, weak like a literal (NEP 50), so
        // `x[i] * ALPHA` stays float32 as it does under CPython and NumPy.
        const Constant& c = g->constant;
        if (c.type->is_float()) return {make_const_float(c.type, c.float_value, e.range), Weak::Float};
        if (c.type->is_bool()) return {make_const_bool(c.int_value != 0, e.range)};
        return {make_const_int(c.type, c.int_value, e.range), Weak::Int};
      }
      case SymbolKind::HostVariable:
        report(DiagId::GlobalNotConstant, e.range, {e.id});
        if (g->range.end > g->range.begin) note(DiagId::GlobalDefinedHere, g->range, {e.id});
        return {error_value(e.range)};
      case SymbolKind::Function:
        report(DiagId::UnsupportedHint, e.range, {"using function '" + e.id + "' as a value", "call it"});
        return {error_value(e.range)};
      case SymbolKind::Member:
        if (g->member->kind == MemberKind::DType) return {std::make_shared<ConstExpr>(dtype_type(scalar_by_name(g->member->name)), e.range, 0, 0.0)};
        if (g->member->kind == MemberKind::Constant) break;
        if (g->member->kind == MemberKind::HostFn && std::string(g->member->name) == "argv") {
          if (!require_host("sys.argv", e.range)) return {error_value(e.range)};
          return {std::make_shared<ConstExpr>(arglist_type(), e.range, 0, 0.0)};
        }
        report(DiagId::UnsupportedSingular, e.range, {"using '" + e.id + "' as a value"});
        return {error_value(e.range)};
      case SymbolKind::Module:
        report(DiagId::UnsupportedSingular, e.range, {"using module '" + e.id + "' as a value"});
        return {error_value(e.range)};
    }
    if (g->kind == SymbolKind::Member && g->member->kind == MemberKind::Constant)
      return {make_const_float(float64(), constant_value(g->member->name), e.range), Weak::Float};
  }
  if (e.id == "__name__") {
    report(DiagId::UnsupportedSingular, e.range, {"'__name__' outside 'if __name__ == \"__main__\":'"});
    return {error_value(e.range)};
  }
  const Member* b = find_builtin(e.id);
  if (b) {
    report(DiagId::UnsupportedSingular, e.range, {"using builtin '" + e.id + "' as a value"});
    return {error_value(e.range)};
  }
  report(DiagId::UndefinedName, e.range, {e.id});
  return {error_value(e.range)};
}

Typed FunctionChecker::attribute(const ast::AttributeExpr& e) {
  ModuleId m;
  const Member* member = nullptr;
  if (resolve_member(*e.value, m, member) && member && member->kind == MemberKind::CudaApi)
    return cuda_index(*member, e.attr, e.range);
  if (resolve_member(*e.value, m, member) && !member) {
    // module.attr
    const Member* found = find_member(m, e.attr);
    if (!found) {
      report(DiagId::UnknownAttribute, e.attr_range, {module_name(m), e.attr});
      return {error_value(e.range)};
    }
    switch (found->kind) {
      case MemberKind::Constant: return {make_const_float(float64(), constant_value(found->name), e.range), Weak::Float};
      case MemberKind::DType: return {std::make_shared<ConstExpr>(dtype_type(scalar_by_name(found->name)), e.range, 0, 0.0)};
      case MemberKind::HostFn:
        if (std::string(found->name) == "argv") {
          if (!require_host("sys.argv", e.range)) return {error_value(e.range)};
          return {std::make_shared<ConstExpr>(arglist_type(), e.range, 0, 0.0)};
        }
        [[fallthrough]];
      default:
        report(DiagId::UnsupportedHint, e.range, {"using '" + text(e.range) + "' as a value", "call it"});
        return {error_value(e.range)};
    }
  }
  Typed base = expr(*e.value);
  const Type* t = base.type();
  if (t->is_error()) return {error_value(e.range)};
  if (t->is_array()) {
    if (e.attr == "shape") {
      ExprRef a = base.e;
      std::vector<ExprRef> dims;
      std::vector<const Type*> types;
      for (int k = 0; k < t->ndim(); ++k) {
        dims.push_back(std::make_shared<ArrayDimExpr>(e.range, a, k));
        types.push_back(int64());
      }
      return {std::make_shared<MakeTupleExpr>(tuple_type(types), e.range, dims)};
    }
    if (e.attr == "size") return {std::make_shared<ArrayDimExpr>(e.range, base.e, -1)};
    if (e.attr == "ndim") return {make_const_int(int64(), t->ndim(), e.range)};
  }
  report(DiagId::NoSuchAttribute, e.attr_range, {t->str(), e.attr});
  return {error_value(e.range)};
}

Typed FunctionChecker::unary(const ast::UnaryExpr& e) {
  Typed v = expr(*e.operand);
  const Type* t = v.type();
  if (t->is_error()) return {error_value(e.range)};
  if (e.op == UnaryOp::Not) {
    ExprRef b = truth(v.e, e.operand->range);
    if (b->type->is_error()) return {b};
    return {make_unary(UnaryOp::Not, b, bool_type(), e.range)};
  }
  if (t->is_array()) {
    report(DiagId::WholeArrayExpr, e.range, {spelling(e.op), t->str()});
    return {error_value(e.range)};
  }
  if (!t->is_numeric() || (e.op == UnaryOp::Invert && t->is_float())) {
    report(DiagId::TypeMismatchUnary, e.range, {std::string("unary ") + spelling(e.op), t->str()});
    return {error_value(e.range)};
  }
  ExprRef x = v.e;
  if (t->is_bool()) x = make_cast(x, int64());
  // Fold negated literals so that -1 stays a (weak) constant.
  if (x->kind == ExprKind::Const && e.op == UnaryOp::Neg) {
    const auto& c = x->as<ConstExpr>();
    if (x->type->is_float()) return {make_const_float(x->type, -c.float_value, e.range), v.weak};
    return {make_const_int(x->type, static_cast<int64_t>(0ull - static_cast<uint64_t>(c.int_value)), e.range), v.weak};
  }
  if (e.op == UnaryOp::Pos) return {x, v.weak};
  return {make_unary(e.op, x, x->type, e.range), v.weak};
}

Typed FunctionChecker::binary_op(BinaryOp op, Typed a, Typed b, SourceRange r, SourceRange op_range) {
  const Type* ta = a.type();
  const Type* tb = b.type();
  if (ta->is_error() || tb->is_error()) return {ta->kind() == TypeKind::Unknown || tb->kind() == TypeKind::Unknown ? unknown_value(r) : error_value(r)};
  if (ta->is_array() || tb->is_array()) {
    report(DiagId::WholeArrayExpr, op_range, {spelling(op), (ta->is_array() ? ta : tb)->str()});
    return {error_value(r)};
  }
  if (ta == none_type() || tb == none_type()) {
    const ExprRef& v = ta == none_type() ? a.e : b.e;
    report(DiagId::VoidValue, v->range, {v->kind == ExprKind::Call ? v->as<CallExpr>().callee->name : text(v->range)});
    return {error_value(r)};
  }
  if (ta->kind() == TypeKind::String || tb->kind() == TypeKind::String) {
    report(DiagId::StringOperation, op_range, {std::string("the '") + spelling(op) + "' operator on strings"});
    return {error_value(r)};
  }
  if (!ta->is_numeric() || !tb->is_numeric()) {
    report(DiagId::TypeMismatchBinary, op_range, {spelling(op), ta->str(), tb->str()});
    return {error_value(r)};
  }
  // NEP 50: a Python int that does not fit the other operand's type is an error.
  for (const Typed* x : {&a, &b}) {
    const Typed& other = x == &a ? b : a;
    if (x->weak == Weak::Int && other.weak == Weak::No && !literal_fits(x->e, other.type())) {
      report(DiagId::LiteralOutOfBounds, x->e->range, {std::to_string(x->e->as<ConstExpr>().int_value), other.type()->str()});
      return {error_value(r)};
    }
  }
  Operand p = promote_operands({ta, a.weak}, {tb, b.weak});
  const Type* t = p.type;
  Weak weak = p.weak;
  switch (op) {
    case BinaryOp::TrueDiv:
      if (t->is_integral()) t = float64();
      if (weak != Weak::No) weak = Weak::Float;
      break;
    case BinaryOp::Shl:
    case BinaryOp::Shr:
    case BinaryOp::BitAnd:
    case BinaryOp::BitOr:
    case BinaryOp::BitXor:
      if (t->is_float()) {
        report(DiagId::TypeMismatchBinary, op_range, {spelling(op), ta->str(), tb->str()});
        return {error_value(r)};
      }
      if (t->is_bool() && (op == BinaryOp::Shl || op == BinaryOp::Shr)) t = int64();
      break;
    default:
      if (t->is_bool()) t = int64();
      break;
  }
  ExprRef x = make_cast(a.e, t);
  ExprRef y = make_cast(b.e, t);
  return {make_binary(op, x, y, r), weak};
}

Typed FunctionChecker::compare(const ast::CompareExpr& e) {
  std::vector<Typed> operands;
  bool bad = false;
  for (const auto& o : e.operands) {
    operands.push_back(expr(*o));
    bad = bad || operands.back().type()->is_error();
  }
  if (bad) return {error_value(e.range)};
  for (size_t i = 0; i < operands.size(); ++i) {
    const Type* t = operands[i].type();
    if (t->is_array()) {
      report(DiagId::WholeArrayExpr, e.op_ranges[i == 0 ? 0 : i - 1], {spelling(e.ops[i == 0 ? 0 : i - 1]), t->str()});
      return {error_value(e.range)};
    }
    if (!t->is_numeric()) {
      size_t k = i == 0 ? 0 : i - 1;
      report(DiagId::TypeMismatchBinary, e.op_ranges[k], {spelling(e.ops[k]), operands[k].type()->str(), operands[k + 1].type()->str()});
      return {error_value(e.range)};
    }
  }
  // One comparison of the chain, on the given values of operands i and i + 1.
  auto compare_at = [&](size_t i, ExprRef lhs, ExprRef rhs) {
    Operand p = promote_operands({operands[i].type(), operands[i].weak}, {operands[i + 1].type(), operands[i + 1].weak});
    // Comparing with a Python int outside the other type's range is exact (NumPy 2):
    // compare in int64 instead of wrapping the literal.
    for (size_t k : {i, i + 1}) {
      const Typed& other = operands[k == i ? i + 1 : i];
      if (operands[k].weak == Weak::Int && other.weak == Weak::No && !literal_fits(operands[k].e, other.type()) &&
          other.type()->is_int() && other.type()->bits() < 64)
        p.type = int64();
    }
    return make_compare(e.ops[i], make_cast(lhs, p.type), make_cast(rhs, p.type), e.range);
  };
  // Python's order: x0, x1, compare; only if true x2, compare; ... each operand once.
  // A middle operand is bound to a temporary where it is first evaluated.
  std::function<ExprRef(size_t, ExprRef)> chain = [&](size_t i, ExprRef left) -> ExprRef {
    ExprRef right = operands[i + 1].e;
    if (i + 1 == e.ops.size()) return compare_at(i, left, right);
    if (is_pure_simple(right)) return make_logical(BoolOpKind::And, compare_at(i, left, right), chain(i + 1, right), e.range);
    int t = new_temp(right->type, right->range);
    ExprRef bound = std::make_shared<LocalExpr>(right->type, right->range, t);
    ExprRef rest = make_logical(BoolOpKind::And, compare_at(i, left, bound), chain(i + 1, bound), e.range);
    return std::make_shared<LetExpr>(e.range, t, right, rest);
  };
  ExprRef first = operands[0].e;
  if (e.ops.size() > 1 && !is_pure_simple(first)) {
    // The first operand is evaluated before the second, which a Let would hoist.
    int t = new_temp(first->type, first->range);
    ExprRef bound = std::make_shared<LocalExpr>(first->type, first->range, t);
    return {std::make_shared<LetExpr>(e.range, t, first, chain(0, bound))};
  }
  return {chain(0, first)};
}

Typed FunctionChecker::bool_op(const ast::BoolOpExpr& e) {
  Typed a = expr(*e.lhs);
  Typed b = expr(*e.rhs);
  if (a.type()->is_error() || b.type()->is_error()) return {error_value(e.range)};
  if (!a.type()->is_numeric() || !b.type()->is_numeric()) {
    report(DiagId::TypeMismatchBinary, e.range, {spelling(e.op), a.type()->str(), b.type()->str()});
    return {error_value(e.range)};
  }
  Operand p = promote_operands({a.type(), a.weak}, {b.type(), b.weak});
  return {make_logical(e.op, make_cast(a.e, p.type), make_cast(b.e, p.type), e.range), p.weak};
}

Typed FunctionChecker::if_exp(const ast::IfExpExpr& e) {
  ExprRef c = condition(*e.cond);
  Typed a = expr(*e.then_value);
  Typed b = expr(*e.else_value);
  if (c->type->is_error() || a.type()->is_error() || b.type()->is_error()) return {error_value(e.range)};
  if (a.type()->is_numeric() && b.type()->is_numeric()) {
    Operand p = promote_operands({a.type(), a.weak}, {b.type(), b.weak});
    return {make_select(c, make_cast(a.e, p.type), make_cast(b.e, p.type), e.range), p.weak};
  }
  const Type* u = unify(a.type(), b.type());
  if (!u || u->kind() == TypeKind::String || u->kind() == TypeKind::None) {
    if (u && a.type() == b.type()) return {make_select(c, a.e, b.e, e.range)};
    report(DiagId::TypeMismatchBinary, e.range, {"conditional expression", a.type()->str(), b.type()->str()});
    return {error_value(e.range)};
  }
  return {make_select(c, make_cast(a.e, u), make_cast(b.e, u), e.range)};
}

Typed FunctionChecker::tuple(const ast::TupleExpr& e) {
  std::vector<ExprRef> elements;
  std::vector<const Type*> types;
  bool bad = false;
  for (const auto& x : e.elements) {
    ExprRef v = value(*x);
    if (v->type->is_error()) {
      bad = true;
      continue;
    }
    if (!v->type->is_numeric()) {
      report(DiagId::ArrayInTuple, x->range, {v->type->str()});
      bad = true;
      continue;
    }
    elements.push_back(v);
    types.push_back(v->type);
  }
  if (bad) return {error_value(e.range)};
  return {std::make_shared<MakeTupleExpr>(tuple_type(types), e.range, elements)};
}

Typed FunctionChecker::fstring(const ast::FStringExpr& e) {
  if (!not_in_gpu_code("f-strings in GPU code", e.range)) return {error_value(e.range)};
  std::vector<FormatPart> parts;
  bool bad = false;
  for (const ast::FStringPart& p : e.parts) {
    if (!p.value) {
      parts.push_back({p.literal, nullptr, "", 0});
      continue;
    }
    ExprRef v = value(*p.value);
    const Type* t = v->type;
    if (t->is_error() || !host_elements_ok(t, p.value->range)) {
      bad = true;
      continue;
    }
    if (!t->is_numeric() && t->kind() != TypeKind::String && !t->is_tuple() && !t->is_array()) {
      report(DiagId::FormatSpec, p.value->range, {p.spec, t->str()});
      bad = true;
      continue;
    }
    // The presentation type is the spec's last character when it is a letter or '%'.
    char type_char = p.spec.empty() ? 0 : p.spec.back();
    bool letter = (type_char >= 'a' && type_char <= 'z') || (type_char >= 'A' && type_char <= 'Z') || type_char == '%';
    if (letter && p.conversion == 0) {
      std::string ints = "bcdoxXn", floats = "eEfFgG%n";
      bool ok = t->kind() == TypeKind::String ? type_char == 's'
                : t->is_integral()            ? (ints.find(type_char) != std::string::npos || floats.find(type_char) != std::string::npos)
                : t->is_float()               ? floats.find(type_char) != std::string::npos
                                              : false;
      if (!ok) {
        report(DiagId::FormatSpec, p.value->range, {p.spec, t->str()});
        bad = true;
        continue;
      }
    } else if (!p.spec.empty() && (t->is_tuple() || t->is_array())) {
      report(DiagId::FormatSpec, p.value->range, {p.spec, t->str()});
      bad = true;
      continue;
    }
    parts.push_back({"", v, p.spec, p.conversion});
  }
  if (bad) return {error_value(e.range)};
  return {std::make_shared<FormatExpr>(e.range, std::move(parts))};
}

Typed FunctionChecker::subscript(const ast::SubscriptExpr& e) {
  Typed base = expr(*e.value);
  const Type* t = base.type();
  if (t->is_error()) {
    for (const auto& i : e.indices)
      if (i->kind != ast::ExprKind::Slice) expr(*i);
    return {error_value(e.range)};
  }
  if (t->is_tuple()) {
    if (e.indices.size() != 1 || e.indices[0]->kind == ast::ExprKind::Slice) {
      report(DiagId::TupleIndexNotConstant, e.range);
      return {error_value(e.range)};
    }
    ExprRef idx = value(*e.indices[0]);
    if (idx->type->is_error()) return {error_value(e.range)};
    if (idx->kind != ExprKind::Const || !idx->type->is_int()) {
      report(DiagId::TupleIndexNotConstant, e.indices[0]->range);
      return {error_value(e.range)};
    }
    int64_t k = idx->as<ConstExpr>().int_value;
    int64_t n = static_cast<int64_t>(t->elements().size());
    if (k < -n || k >= n) {
      report(DiagId::TupleIndexOutOfRange, e.indices[0]->range, {std::to_string(k), std::to_string(n)});
      return {error_value(e.range)};
    }
    if (k < 0) k += n;
    if (base.e->kind == ExprKind::MakeTuple) return {base.e->as<MakeTupleExpr>().elements[static_cast<size_t>(k)]};
    return {std::make_shared<TupleGetExpr>(t->elements()[static_cast<size_t>(k)], e.range, base.e, static_cast<int>(k))};
  }
  if (t->kind() == TypeKind::ArgList) {
    if (e.indices.size() != 1 || e.indices[0]->kind == ast::ExprKind::Slice) {
      report(DiagId::UnsupportedSingular, e.range, {"slicing sys.argv"});
      return {error_value(e.range)};
    }
    ExprRef idx = int_index(*e.indices[0]);
    if (idx->type->is_error()) return {error_value(e.range)};
    return {std::make_shared<IntrinsicExpr>(string_type(), e.range, Intrinsic::ArgvItem, std::vector<ExprRef>{idx})};
  }
  if (!t->is_array()) {
    report(DiagId::CannotIndex, e.range, {t->str()});
    for (const auto& i : e.indices)
      if (i->kind != ast::ExprKind::Slice) expr(*i);
    return {error_value(e.range)};
  }
  if (!host_elements_ok(t, e.value->range)) return {error_value(e.range)};
  // Expand a tuple-valued index (a[idx] with idx = (i, j)).
  std::vector<ViewIndex> dims;
  bool any_slice = false, bad = false;
  for (const auto& i : e.indices) {
    if (i->kind == ast::ExprKind::Slice) {
      const auto& s = i->as<ast::SliceExpr>();
      ViewIndex d;
      d.is_slice = true;
      auto part = [&](const ast::ExprPtr& p) -> ExprRef {
        if (!p) return nullptr;
        ExprRef v = int_index(*p);
        bad = bad || v->type->is_error();
        return v;
      };
      d.lo = part(s.lo);
      d.hi = part(s.hi);
      d.step = part(s.step);
      dims.push_back(d);
      any_slice = true;
      continue;
    }
    ExprRef v = value(*i);
    if (v->type->is_error()) {
      bad = true;
      continue;
    }
    if (v->type->is_tuple()) {
      for (size_t k = 0; k < v->type->elements().size(); ++k) {
        const Type* et = v->type->elements()[k];
        if (!et->is_int()) {
          report(DiagId::BadIndexType, i->range, {et->str()});
          bad = true;
          break;
        }
        ExprRef part = v->kind == ExprKind::MakeTuple ? v->as<MakeTupleExpr>().elements[k]
                                                       : std::make_shared<TupleGetExpr>(et, i->range, v, static_cast<int>(k));
        ViewIndex d;
        d.index = make_cast(part, int64());
        dims.push_back(d);
      }
      continue;
    }
    if (!v->type->is_int()) {
      report(DiagId::BadIndexType, i->range, {v->type->str()});
      bad = true;
      continue;
    }
    ViewIndex d;
    d.index = make_cast(v, int64());
    dims.push_back(d);
  }
  if (bad) return {error_value(e.range)};
  int ndim = t->ndim();
  if (static_cast<int>(dims.size()) > ndim) {
    report(DiagId::TooManyIndices, e.range, {std::to_string(ndim), std::to_string(dims.size())});
    return {error_value(e.range)};
  }
  if (!any_slice && static_cast<int>(dims.size()) == ndim) {
    std::vector<ExprRef> indices;
    for (const ViewIndex& d : dims) indices.push_back(d.index);
    return {make_load(base.e, indices, e.range)};
  }
  // A view. It stays C-contiguous when leading dimensions are indexed, then at most one
  // unit-step slice, then whole dimensions.
  int dropped = 0;
  for (const ViewIndex& d : dims) dropped += d.is_slice ? 0 : 1;
  bool contiguous = t->layout() == Layout::C;
  bool seen_slice = false;
  for (size_t k = 0; k < dims.size() && contiguous; ++k) {
    const ViewIndex& d = dims[k];
    if (!d.is_slice) {
      if (seen_slice) contiguous = false;
      continue;
    }
    bool whole = !d.lo && !d.hi && !d.step;
    bool unit = !d.step || (d.step->kind == ExprKind::Const && d.step->as<ConstExpr>().int_value == 1);
    if (seen_slice && !whole) contiguous = false;
    if (!unit) contiguous = false;
    seen_slice = true;
  }
  const Type* vt = array_type(t->elem(), ndim - dropped, contiguous ? Layout::C : Layout::A);
  return {std::make_shared<ViewExpr>(vt, e.range, base.e, std::move(dims))};
}

// ---- calls ----

Typed FunctionChecker::call(const ast::CallExpr& e) {
  const ast::Expr& callee = *e.callee;
  if (callee.kind == ast::ExprKind::Name) {
    const std::string& n = callee.as<ast::NameExpr>().id;
    if (local_index(n) >= 0) {
      ExprRef v = value(callee);
      if (!v->type->is_error()) report(DiagId::NotCallable, callee.range, {v->type->str()});
      return {error_value(e.range)};
    }
    if (const GlobalSymbol* g = global(n)) {
      if (g->kind == SymbolKind::Function) return call_function(*g->function, e);
      if (g->kind == SymbolKind::Member) return call_member(*g->member, g->module, e);
      if (g->kind == SymbolKind::Module) {
        report(DiagId::NotCallable, callee.range, {"module"});
        return {error_value(e.range)};
      }
      ExprRef v = value(callee);
      if (!v->type->is_error()) report(DiagId::NotCallable, callee.range, {v->type->str()});
      return {error_value(e.range)};
    }
    if (find_builtin(n)) return call_builtin(n, e);
    report(DiagId::UndefinedName, callee.range, {n});
    for (const auto& a : e.args) expr(*a);
    return {error_value(e.range)};
  }
  if (callee.kind == ast::ExprKind::Attribute) {
    const auto& a = callee.as<ast::AttributeExpr>();
    ModuleId m;
    const Member* member = nullptr;
    // cuda.shared.array(...), cuda.atomic.add(...)
    if (resolve_member(*a.value, m, member) && member && member->kind == MemberKind::CudaApi)
      return cuda_call(std::string(member->name) + "." + a.attr, member, e);
    if (resolve_member(*a.value, m, member) && !member) {
      const Member* found = find_member(m, a.attr);
      if (!found) {
        report(DiagId::UnknownAttribute, a.attr_range, {module_name(m), a.attr});
        for (const auto& x : e.args) expr(*x);
        return {error_value(e.range)};
      }
      return call_member(*found, m, e);
    }
    Typed base = expr(*a.value);
    if (base.type()->is_error()) return {error_value(e.range)};
    if (base.type()->is_array()) return call_array_method(base.e, a.attr, e);
    report(DiagId::NoSuchAttribute, a.attr_range, {base.type()->str(), a.attr});
    return {error_value(e.range)};
  }
  if (callee.kind == ast::ExprKind::Subscript) return launch(callee.as<ast::SubscriptExpr>(), e);
  ExprRef v = value(callee);
  if (!v->type->is_error()) report(DiagId::NotCallable, callee.range, {v->type->str()});
  return {error_value(e.range)};
}

const Type* FunctionChecker::dtype_arg(const ast::Expr& e) {
  if (const Type* t = scalar_from_dtype_expr(e)) {
    // A bare name must not be a local or an unrelated global.
    if (e.kind != ast::ExprKind::Name || local_index(e.as<ast::NameExpr>().id) < 0) return t;
  }
  ExprRef v = value(e);
  if (v->type->is_error()) return nullptr;
  if (v->type->kind() == TypeKind::DType) return v->type->elem();
  report(DiagId::DTypeArgument, e.range, {text(e.range)});
  return nullptr;
}

bool FunctionChecker::shape_arg(const ast::Expr& e, std::vector<ExprRef>& shape) {
  ExprRef v = value(e);
  if (v->type->is_error()) return false;
  if (v->type->is_integral()) {
    shape.push_back(make_cast(v, int64()));
    return true;
  }
  if (v->type->is_tuple() && !v->type->elements().empty() && v->type->elements().size() <= 32) {
    for (size_t k = 0; k < v->type->elements().size(); ++k) {
      const Type* et = v->type->elements()[k];
      if (!et->is_integral()) {
        report(DiagId::ShapeArgument, e.range, {v->type->str()});
        return false;
      }
      ExprRef part = v->kind == ExprKind::MakeTuple ? v->as<MakeTupleExpr>().elements[k]
                                                     : std::make_shared<TupleGetExpr>(et, e.range, v, static_cast<int>(k));
      shape.push_back(make_cast(part, int64()));
    }
    return true;
  }
  report(DiagId::ShapeArgument, e.range, {v->type->str()});
  return false;
}

Typed FunctionChecker::call_new_array(const std::string& fname, const ast::CallExpr& e) {
  std::string shown = "np." + fname;
  if (gpu_code()) {
    report(DiagId::UnsupportedHint, e.callee->range,
           {"creating arrays (" + shown + ") in GPU code", "use cuda.local.array or cuda.shared.array, or pass the array in"});
    return {error_value(e.range)};
  }
  const ast::Expr* dtype_expr = nullptr;
  for (const ast::Keyword& k : e.keywords) {
    if (k.name == "dtype") dtype_expr = k.value.get();
    else if (fname == "linspace" && k.name == "num") continue;
    else {
      report(DiagId::UnexpectedKeyword, k.name_range, {shown, k.name});
      return {error_value(e.range)};
    }
  }
  auto finish = [&](NewArrayKind kind, const Type* elem, std::vector<ExprRef> shape, std::vector<ExprRef> args) -> Typed {
    const Type* t = array_type(elem, static_cast<int>(std::max<size_t>(1, shape.size())), Layout::C);
    return {std::make_shared<NewArrayExpr>(t, e.range, kind, std::move(shape), std::move(args))};
  };
  if (fname == "empty" || fname == "zeros" || fname == "ones") {
    if (!check_arity(e, shown, 1, 2)) return {error_value(e.range)};
    if (e.args.size() == 2) {
      if (dtype_expr) {
        report(DiagId::WrongArgCount, e.range, {shown, "1 positional", "2"});
        return {error_value(e.range)};
      }
      dtype_expr = e.args[1].get();
    }
    std::vector<ExprRef> shape;
    bool ok = shape_arg(*e.args[0], shape);
    const Type* elem = dtype_expr ? dtype_arg(*dtype_expr) : float64();
    if (!ok || !elem) return {error_value(e.range)};
    NewArrayKind kind = fname == "empty" ? NewArrayKind::Empty : fname == "zeros" ? NewArrayKind::Zeros : NewArrayKind::Ones;
    return finish(kind, elem, std::move(shape), {});
  }
  if (fname == "full") {
    if (!check_arity(e, shown, 2, 3)) return {error_value(e.range)};
    if (e.args.size() == 3) dtype_expr = e.args[2].get();
    std::vector<ExprRef> shape;
    bool ok = shape_arg(*e.args[0], shape);
    ExprRef fill = value(*e.args[1]);
    if (fill->type->is_error() || !ok) return {error_value(e.range)};
    if (!fill->type->is_numeric()) {
      report(DiagId::BadArgType, e.args[1]->range, {shown, "2", "a number", fill->type->str()});
      return {error_value(e.range)};
    }
    const Type* elem = dtype_expr ? dtype_arg(*dtype_expr) : fill->type;
    if (!elem) return {error_value(e.range)};
    return finish(NewArrayKind::Full, elem, std::move(shape), {make_cast(fill, elem)});
  }
  if (fname == "empty_like" || fname == "zeros_like" || fname == "ones_like" || fname == "full_like") {
    bool full = fname == "full_like";
    if (!check_arity(e, shown, full ? 2 : 1, full ? 3 : 2)) return {error_value(e.range)};
    size_t dtype_pos = full ? 2 : 1;
    if (e.args.size() > dtype_pos) dtype_expr = e.args[dtype_pos].get();
    ExprRef src = value(*e.args[0]);
    if (src->type->is_error()) return {error_value(e.range)};
    if (!src->type->is_array()) {
      report(DiagId::BadArgType, e.args[0]->range, {shown, "1", "an array", src->type->str()});
      return {error_value(e.range)};
    }
    const Type* elem = dtype_expr ? dtype_arg(*dtype_expr) : src->type->elem();
    if (!elem) return {error_value(e.range)};
    std::vector<ExprRef> args;
    if (full) {
      ExprRef fill = value(*e.args[1]);
      if (fill->type->is_error()) return {error_value(e.range)};
      if (!fill->type->is_numeric()) {
        report(DiagId::BadArgType, e.args[1]->range, {shown, "2", "a number", fill->type->str()});
        return {error_value(e.range)};
      }
      args.push_back(make_cast(fill, elem));
    }
    // Evaluate the source array once.
    int tmp = is_pure_simple(src) ? -1 : new_temp(src->type, src->range);
    ExprRef a = tmp < 0 ? src : std::make_shared<LocalExpr>(src->type, src->range, tmp);
    std::vector<ExprRef> shape;
    for (int k = 0; k < src->type->ndim(); ++k) shape.push_back(std::make_shared<ArrayDimExpr>(e.range, a, k));
    NewArrayKind kind = fname == "empty_like" ? NewArrayKind::Empty
                        : fname == "zeros_like" ? NewArrayKind::Zeros
                        : fname == "ones_like"  ? NewArrayKind::Ones
                                                : NewArrayKind::Full;
    Typed result = finish(kind, elem, std::move(shape), std::move(args));
    if (tmp >= 0) result.e = std::make_shared<LetExpr>(e.range, tmp, src, result.e);
    return result;
  }
  if (fname == "arange") {
    if (!check_arity(e, shown, 1, 3)) return {error_value(e.range)};
    std::vector<ExprRef> args;
    bool any_float = false, ok = true;
    for (size_t i = 0; i < e.args.size(); ++i) {
      ExprRef v = value(*e.args[i]);
      if (v->type->is_error()) {
        ok = false;
        continue;
      }
      if (!v->type->is_numeric()) {
        report(DiagId::BadArgType, e.args[i]->range, {shown, std::to_string(i + 1), "a number", v->type->str()});
        ok = false;
        continue;
      }
      any_float = any_float || v->type->is_float();
      args.push_back(v);
    }
    const Type* elem = dtype_expr ? dtype_arg(*dtype_expr) : (any_float ? float64() : int64());
    if (!ok || !elem) return {error_value(e.range)};
    const Type* compute = any_float || elem->is_float() ? float64() : int64();
    SourceRange r = e.range;
    ExprRef start = args.size() >= 2 ? args[0] : (compute->is_float() ? make_const_float(compute, 0, r) : make_const_int(compute, 0, r));
    ExprRef stop = args.size() >= 2 ? args[1] : args[0];
    ExprRef step = args.size() == 3 ? args[2] : (compute->is_float() ? make_const_float(compute, 1, r) : make_const_int(compute, 1, r));
    return {std::make_shared<NewArrayExpr>(array_type(elem, 1, Layout::C), r, NewArrayKind::Arange, std::vector<ExprRef>{},
                                           std::vector<ExprRef>{make_cast(start, compute), make_cast(stop, compute), make_cast(step, compute)})};
  }
  if (fname == "linspace") {
    if (!check_arity(e, shown, 2, 3)) return {error_value(e.range)};
    ExprRef start = value(*e.args[0]);
    ExprRef stop = value(*e.args[1]);
    const ast::Expr* num_expr = e.args.size() == 3 ? e.args[2].get() : nullptr;
    for (const ast::Keyword& k : e.keywords)
      if (k.name == "num") num_expr = k.value.get();
    ExprRef num = num_expr ? value(*num_expr) : make_const_int(int64(), 50, e.range);
    if (start->type->is_error() || stop->type->is_error() || num->type->is_error()) return {error_value(e.range)};
    if (!start->type->is_numeric() || !stop->type->is_numeric() || !num->type->is_integral()) {
      report(DiagId::BadArgType, e.range, {shown, "1-3", "numbers (num: an integer)", "..."});
      return {error_value(e.range)};
    }
    const Type* elem = dtype_expr ? dtype_arg(*dtype_expr) : float64();
    if (!elem) return {error_value(e.range)};
    return finish(NewArrayKind::Linspace, elem, {make_cast(num, int64())}, {make_cast(start, float64()), make_cast(stop, float64())});
  }
  report(DiagId::UnknownAttribute, e.callee->range, {"numpy", fname});
  return {error_value(e.range)};
}

Typed FunctionChecker::call_member(const Member& m, ModuleId module, const ast::CallExpr& e) {
  std::string prefix = module == ModuleId::Numpy ? "np." : module == ModuleId::Math ? "math." : std::string(module_name(module)) + ".";
  std::string shown = prefix + m.name;
  switch (m.kind) {
    case MemberKind::MathFn:
      if (m.intrinsic == Intrinsic::ArrayCopy) {
        if (!check_arity(e, shown, 1, 1) || !not_in_gpu_code(shown + "() in GPU code", e.callee->range)) return {error_value(e.range)};
        ExprRef a = value(*e.args[0]);
        if (a->type->is_error() || !host_elements_ok(a->type, e.args[0]->range)) return {error_value(e.range)};
        if (!a->type->is_array()) {
          report(DiagId::BadArgType, e.args[0]->range, {shown, "1", "an array", a->type->str()});
          return {error_value(e.range)};
        }
        return {std::make_shared<IntrinsicExpr>(array_type(a->type->elem(), a->type->ndim(), Layout::C), e.range,
                                                Intrinsic::ArrayCopy, std::vector<ExprRef>{a})};
      }
      return call_math(m, e, shown);
    case MemberKind::ArrayNew: return call_new_array(m.name, e);
    case MemberKind::CudaApi: return cuda_call(m.name, &m, e);
    case MemberKind::DType: {
      // np.float32(x): a cast.
      if (!check_arity(e, shown, 1, 1)) return {error_value(e.range)};
      ExprRef v = value(*e.args[0]);
      if (v->type->is_error()) return {error_value(e.range)};
      if (!v->type->is_numeric()) {
        report(DiagId::BadArgType, e.args[0]->range, {shown, "1", "a number", v->type->str()});
        return {error_value(e.range)};
      }
      return {make_cast(v, scalar_by_name(m.name))};
    }
    case MemberKind::TypeName: {
      const Type* t = scalar_by_name(m.name);
      if (!t || !check_arity(e, m.name, 1, 1)) return {error_value(e.range)};
      ExprRef v = value(*e.args[0]);
      if (v->type->is_error()) return {error_value(e.range)};
      if (!v->type->is_numeric()) {
        report(DiagId::BadArgType, e.args[0]->range, {m.name, "1", "a number", v->type->str()});
        return {error_value(e.range)};
      }
      return {make_cast(v, t)};
    }
    case MemberKind::HostFn: {
      if (!require_host(shown + "()", e.range)) return {error_value(e.range)};
      if (m.intrinsic == Intrinsic::Timer || m.intrinsic == Intrinsic::WallTime) {
        if (!check_arity(e, shown, 0, 0)) return {error_value(e.range)};
        return {std::make_shared<IntrinsicExpr>(float64(), e.range, m.intrinsic, std::vector<ExprRef>{})};
      }
      if (m.intrinsic == Intrinsic::NpSave) {
        if (!check_arity(e, shown, 2, 2)) return {error_value(e.range)};
        ExprRef path = value(*e.args[0]);
        ExprRef a = value(*e.args[1]);
        if (path->type->is_error() || a->type->is_error()) return {error_value(e.range)};
        if (path->type->kind() != TypeKind::String) {
          report(DiagId::BadArgType, e.args[0]->range, {shown, "1", "a str", path->type->str()});
          return {error_value(e.range)};
        }
        if (!a->type->is_array()) {
          report(DiagId::BadArgType, e.args[1]->range, {shown, "2", "an array", a->type->str()});
          return {error_value(e.range)};
        }
        return {std::make_shared<IntrinsicExpr>(none_type(), e.range, Intrinsic::NpSave, std::vector<ExprRef>{path, a})};
      }
      if (m.intrinsic == Intrinsic::NpLoad) {
        report(DiagId::NpLoadType, e.range);
        return {error_value(e.range)};
      }
      report(DiagId::NotCallable, e.callee->range, {shown});
      return {error_value(e.range)};
    }
    case MemberKind::Prange:
      report(DiagId::UnsupportedSingular, e.range, {"prange() outside the header of a for loop"});
      return {error_value(e.range)};
    case MemberKind::Decorator:
    case MemberKind::Submodule:
    case MemberKind::Constant:
    case MemberKind::Exception:
    case MemberKind::Builtin:
      break;
  }
  report(DiagId::NotCallable, e.callee->range, {shown});
  return {error_value(e.range)};
}

Typed FunctionChecker::call_math(const Member& m, const ast::CallExpr& e, const std::string& shown) {
  if (!e.keywords.empty()) {
    report(DiagId::UnexpectedKeyword, e.keywords[0].name_range, {shown, e.keywords[0].name});
    return {error_value(e.range)};
  }
  size_t min = 1, max = 1;
  switch (m.rule) {
    case TypingRule::FloatBinary: min = max = 2; break;
    case TypingRule::MinMax: min = 2; max = shown.rfind("np.", 0) == 0 ? 2 : SIZE_MAX; break;
    case TypingRule::Log: max = 2; break;
    case TypingRule::Round: max = 2; break;
    default: break;
  }
  if (m.rule == TypingRule::MinMax && e.args.size() == 1) {
    ExprRef v = value(*e.args[0]);
    if (!v->type->is_error())
      report(DiagId::UnsupportedHint, e.range, {shown + "() of a single " + (v->type->is_array() ? "array" : "value"), "array reductions come later; write a loop"});
    return {error_value(e.range)};
  }
  if (!check_arity(e, shown, min, max)) return {error_value(e.range)};
  std::vector<Typed> args;
  for (size_t i = 0; i < e.args.size(); ++i) {
    Typed v = expr(*e.args[i]);
    if (v.type()->is_error()) return {error_value(e.range)};
    if (v.type()->is_array() && shown.rfind("np.", 0) == 0) {
      report(DiagId::WholeArrayExpr, e.range, {shown, v.type()->str()});
      return {error_value(e.range)};
    }
    if (!v.type()->is_numeric()) {
      report(DiagId::BadArgType, e.args[i]->range, {shown, std::to_string(i + 1), "a number", v.type()->str()});
      return {error_value(e.range)};
    }
    args.push_back(v);
  }
  SourceRange r = e.range;
  auto float_of = [](const Type* t) { return t->is_float() ? t : float64(); };
  auto call1 = [&](Intrinsic id, const Type* t, ExprRef x) -> ExprRef {
    return std::make_shared<IntrinsicExpr>(t, r, id, std::vector<ExprRef>{make_cast(x, t)});
  };
  switch (m.rule) {
    case TypingRule::FloatUnary: {
      const Type* t = float_of(args[0].type());
      return {call1(m.intrinsic, t, args[0].e), args[0].weak == Weak::No ? Weak::No : Weak::Float};
    }
    case TypingRule::FloatToInt: {
      if (args[0].type()->is_integral()) return {make_cast(args[0].e, int64())};
      return {make_cast(call1(m.intrinsic, args[0].type(), args[0].e), int64())};
    }
    case TypingRule::Predicate: {
      const Type* t = float_of(args[0].type());
      ExprRef x = make_cast(args[0].e, t);
      return {std::make_shared<IntrinsicExpr>(bool_type(), r, m.intrinsic, std::vector<ExprRef>{x})};
    }
    case TypingRule::FloatBinary: {
      Operand p = promote_operands({args[0].type(), args[0].weak}, {args[1].type(), args[1].weak});
      const Type* t = float_of(p.type);
      return {std::make_shared<IntrinsicExpr>(t, r, m.intrinsic, std::vector<ExprRef>{make_cast(args[0].e, t), make_cast(args[1].e, t)}),
              p.weak == Weak::No ? Weak::No : Weak::Float};
    }
    case TypingRule::Log: {
      const Type* t = float_of(args[0].type());
      if (args.size() == 1) return {call1(Intrinsic::Log, t, args[0].e)};
      Operand p = promote_operands({args[0].type(), args[0].weak}, {args[1].type(), args[1].weak});
      t = float_of(p.type);
      return {make_binary(BinaryOp::TrueDiv, call1(Intrinsic::Log, t, args[0].e), call1(Intrinsic::Log, t, args[1].e), r)};
    }
    case TypingRule::Abs: {
      const Type* t = args[0].type()->is_bool() ? int64() : args[0].type();
      return {call1(Intrinsic::Abs, t, args[0].e), args[0].weak};
    }
    case TypingRule::MinMax: {
      Operand p{args[0].type(), args[0].weak};
      for (size_t i = 1; i < args.size(); ++i) p = promote_operands(p, {args[i].type(), args[i].weak});
      std::vector<ExprRef> xs;
      for (const Typed& a : args) xs.push_back(make_cast(a.e, p.type));
      return {std::make_shared<IntrinsicExpr>(p.type, r, m.intrinsic, std::move(xs)), p.weak};
    }
    case TypingRule::Round: {
      const Type* t = args[0].type();
      if (args.size() == 1) {
        if (t->is_integral()) return {make_cast(args[0].e, int64())};
        return {std::make_shared<IntrinsicExpr>(int64(), r, Intrinsic::Round, std::vector<ExprRef>{args[0].e})};
      }
      if (!args[1].type()->is_integral()) {
        report(DiagId::BadArgType, e.args[1]->range, {shown, "2", "an integer", args[1].type()->str()});
        return {error_value(r)};
      }
      if (t->is_integral()) return {make_cast(args[0].e, int64())};
      if (!not_in_gpu_code("round(x, ndigits) in GPU code", e.callee->range)) return {error_value(r)};
      return {std::make_shared<IntrinsicExpr>(t, r, Intrinsic::RoundDigits, std::vector<ExprRef>{args[0].e, make_cast(args[1].e, int64())})};
    }
    case TypingRule::None: break;
  }
  report(DiagId::NotCallable, e.callee->range, {shown});
  return {error_value(r)};
}

Typed FunctionChecker::call_builtin(const std::string& n, const ast::CallExpr& e) {
  const Member* b = find_builtin(n);
  NK_CHECK(b) << "builtin " << n;
  if (b->kind == MemberKind::MathFn) return call_math(*b, e, n);
  if (b->kind == MemberKind::Exception) {
    report(DiagId::UnsupportedSingular, e.range, {"creating an exception outside a 'raise' statement"});
    return {error_value(e.range)};
  }
  if (!e.keywords.empty()) {
    report(DiagId::UnexpectedKeyword, e.keywords[0].name_range, {n, e.keywords[0].name});
    return {error_value(e.range)};
  }
  if (n == "range" || n == "prange") {
    report(DiagId::UnsupportedSingular, e.range, {n + "() outside the header of a for loop"});
    return {error_value(e.range)};
  }
  if (n == "print") {
    report(DiagId::UnsupportedHint, e.range, {"print() inside an expression", "call it as a statement"});
    return {error_value(e.range)};
  }
  if (n == "len") {
    if (!check_arity(e, n, 1, 1)) return {error_value(e.range)};
    ExprRef v = value(*e.args[0]);
    const Type* t = v->type;
    if (t->is_error()) return {error_value(e.range)};
    if (t->is_array()) return {std::make_shared<ArrayDimExpr>(e.range, v, 0)};
    if (t->is_tuple()) return {make_const_int(int64(), static_cast<int64_t>(t->elements().size()), e.range)};
    if (t->kind() == TypeKind::ArgList) return {std::make_shared<IntrinsicExpr>(int64(), e.range, Intrinsic::ArgvLen, std::vector<ExprRef>{})};
    report(DiagId::BadArgType, e.args[0]->range, {n, "1", "an array or a tuple", t->str()});
    return {error_value(e.range)};
  }
  if (n == "int" || n == "float" || n == "bool") {
    if (e.args.empty()) {
      if (n == "float") return {make_const_float(float64(), 0, e.range)};
      if (n == "int") return {make_const_int(int64(), 0, e.range)};
      return {make_const_bool(false, e.range)};
    }
    if (!check_arity(e, n, 0, 1)) return {error_value(e.range)};
    ExprRef v = value(*e.args[0]);
    const Type* t = v->type;
    if (t->is_error()) return {error_value(e.range)};
    if (t->kind() == TypeKind::String && n != "bool") {
      if (!require_host(n + "() of a string", e.range)) return {error_value(e.range)};
      Intrinsic id = n == "int" ? Intrinsic::ParseInt : Intrinsic::ParseFloat;
      return {std::make_shared<IntrinsicExpr>(n == "int" ? int64() : float64(), e.range, id, std::vector<ExprRef>{v})};
    }
    if (!t->is_numeric()) {
      report(DiagId::BadArgType, e.args[0]->range, {n, "1", "a number", t->str()});
      return {error_value(e.range)};
    }
    const Type* to = n == "int" ? int64() : n == "float" ? float64() : bool_type();
    return {make_cast(v, to)};
  }
  report(DiagId::NotCallable, e.callee->range, {n});
  return {error_value(e.range)};
}

Typed FunctionChecker::call_array_method(ExprRef array, const std::string& method, const ast::CallExpr& e) {
  const Type* t = array->type;
  if (method == "copy_to_host") {
    if (!check_arity(e, "copy_to_host", 0, 0) || !require_host("copy_to_host()", e.range)) return {error_value(e.range)};
    if (!t->is_device()) {
      report(DiagId::UnsupportedHint, e.callee->range, {"copy_to_host() on a host array", "it is already in host memory"});
      return {error_value(e.range)};
    }
    return {std::make_shared<IntrinsicExpr>(array_type(t->elem(), t->ndim(), Layout::C), e.range, Intrinsic::CopyToHost,
                                            std::vector<ExprRef>{array})};
  }
  if ((method == "copy" || method == "fill") &&
      (!not_in_gpu_code("a." + method + "() in GPU code", e.callee->range) ||
       !host_elements_ok(t, e.callee->kind == ast::ExprKind::Attribute ? e.callee->as<ast::AttributeExpr>().value->range : e.callee->range)))
    return {error_value(e.range)};
  if (method == "copy") {
    if (e.callee->kind == ast::ExprKind::Attribute && !check_arity(e, "copy", 0, 0)) return {error_value(e.range)};
    return {std::make_shared<IntrinsicExpr>(array_type(t->elem(), t->ndim(), Layout::C), e.range, Intrinsic::ArrayCopy,
                                            std::vector<ExprRef>{array})};
  }
  if (method == "fill") {
    if (!check_arity(e, "fill", 1, 1)) return {error_value(e.range)};
    ExprRef v = value(*e.args[0]);
    if (v->type->is_error()) return {error_value(e.range)};
    if (!v->type->is_numeric()) {
      report(DiagId::BadArgType, e.args[0]->range, {"fill", "1", "a number", v->type->str()});
      return {error_value(e.range)};
    }
    return {std::make_shared<IntrinsicExpr>(none_type(), e.range, Intrinsic::ArrayFill,
                                            std::vector<ExprRef>{array, make_cast(v, t->elem())})};
  }
  if (method == "sum" || method == "min" || method == "max" || method == "mean") {
    report(DiagId::UnsupportedHint, e.range, {"the array reduction '." + method + "()'", "write a loop"});
    return {error_value(e.range)};
  }
  const auto& a = e.callee->as<ast::AttributeExpr>();
  report(DiagId::NoSuchAttribute, a.attr_range, {t->str(), method});
  return {error_value(e.range)};
}

Typed FunctionChecker::call_function(FunctionInfo& callee, const ast::CallExpr& e) {
  const std::string& cname = callee.def->name;
  // A kernel launch's dimensions (see launch()); the arguments may call functions.
  std::vector<ExprRef> launch_dims = std::move(launching_);
  launching_.clear();
  std::vector<ExprRef> args;
  bool bad = false;
  for (const auto& a : e.args) {
    ExprRef v = value(*a);
    if (v->type->is_error()) {
      bad = true;
      continue;
    }
    if (!v->type->is_numeric() && !v->type->is_array() && !v->type->is_tuple()) {
      report(DiagId::BadArgType, a->range, {cname, std::to_string(args.size() + 1), "a number, an array or a tuple", v->type->str()});
      bad = true;
      continue;
    }
    args.push_back(v);
  }
  if (!e.keywords.empty()) {
    bool is_param = false;
    for (const ast::Param& p : callee.def->params) is_param = is_param || p.name == e.keywords[0].name;
    if (is_param) report(DiagId::KeywordArgsToFunction, e.keywords[0].name_range, {e.keywords[0].name});
    else report(DiagId::UnexpectedKeyword, e.keywords[0].name_range, {cname, e.keywords[0].name});
    return {error_value(e.range)};
  }
  if (e.args.size() != callee.def->params.size()) {
    report(DiagId::WrongArgCount, e.range, {cname, std::to_string(callee.def->params.size()), std::to_string(e.args.size())});
    return {error_value(e.range)};
  }
  if (bad) return {quiet_ ? unknown_value(e.range) : error_value(e.range)};
  // Which targets may call which.
  Target from = fn_.target, to = callee.target;
  bool gpu_from = from == Target::CudaAuto || from == Target::CudaKernel || from == Target::CudaDevice;
  bool allowed = (from == Target::Host && (to == Target::Cpu || to == Target::CudaAuto)) ||
                 (from == Target::Cpu && to == Target::Cpu) || (gpu_from && to == Target::CudaDevice);
  if (!launch_dims.empty()) {
    if (to != Target::CudaKernel) {
      report(DiagId::UnsupportedHint, e.callee->range,
             {"launching '" + cname + "' with [blocks, threads]", "only @cuda.jit kernels are launched; call it as " + cname + "(...)"});
      return {error_value(e.range)};
    }
    allowed = from == Target::Host;
  }
  if (!allowed) {
    if (from == Target::Host && to == Target::CudaKernel)
      report(DiagId::KernelNeedsLaunch, e.callee->range, {cname});
    else
      report(DiagId::CallTargetMismatch, e.callee->range, {target_name(from), target_name(to), cname});
    return {error_value(e.range)};
  }
  // With eager signatures, convert the arguments to the first signature that accepts them.
  std::vector<const Type*> types;
  if (!callee.signatures.empty() || callee.fully_annotated()) {
    std::vector<std::vector<const Type*>> candidates;
    for (const Signature& s : callee.signatures) candidates.push_back(s.params);
    if (callee.fully_annotated()) candidates.push_back(callee.annotated);
    // The best signature: exact matches first, then conversions that lose nothing
    // (to a type that holds every value), then any numeric conversion; ties go to the
    // first declared.
    const std::vector<const Type*>* chosen = nullptr;
    int best = 1 << 30;
    for (const auto& c : candidates) {
      if (c.size() != args.size()) continue;
      int cost = 0;
      for (size_t i = 0; i < c.size() && cost < (1 << 20); ++i) {
        const Type* from = to == Target::CudaKernel || to == Target::CudaDevice ? host_array(args[i]->type) : args[i]->type;
        const Type* u = unify(c[i], from);
        if (from == c[i]) continue;
        if (u == c[i]) cost += from->is_numeric() ? 1 : 0;  // promotion (or layout relaxation)
        else if (c[i]->is_numeric() && from->is_numeric()) cost += 100;
        else cost = 1 << 20;
      }
      if (cost < best) {
        best = cost;
        chosen = &c;
      }
    }
    if (best >= (1 << 20)) chosen = nullptr;
    if (!chosen) {
      std::vector<const Type*> given;
      for (const ExprRef& a : args) given.push_back(a->type);
      report(DiagId::BadSignature, e.range, {cname + "(" + type_list(given) + ")", "no declared signature accepts these argument types"});
      return {error_value(e.range)};
    }
    types = *chosen;
    for (size_t i = 0; i < args.size(); ++i)
      if (host_array(args[i]->type) != types[i]) args[i] = make_cast(args[i], types[i]);  // device arrays stay
  } else {
    // GPU code sees every array as an ordinary array: one specialisation serves host and
    // device arrays (a launch copies host arrays to the GPU).
    bool gpu_callee = to == Target::CudaKernel || to == Target::CudaDevice;
    for (const ExprRef& a : args) types.push_back(gpu_callee ? host_array(a->type) : a->type);
  }
  Function* f = program_.specialise(callee, types, e.range, quiet_);
  if (!f) return {quiet_ ? unknown_value(e.range) : error_value(e.range)};
  if (!f->return_type) {
    // Recursion into a specialisation whose return type is not known yet: inference
    // may still find it from the other returns; if not, the function reports it.
    program_.note_recursion(f, e.callee->range);
    if (!quiet_ && f != &fn_) report(DiagId::RecursionNeedsType, e.callee->range, {cname});
    return {quiet_ ? unknown_value(e.range) : error_value(e.range)};
  }
  if (f->return_type->is_error() || (!quiet_ && program_.failed(f))) return {error_value(e.range)};
  return {std::make_shared<CallExpr>(f->return_type, e.range, f, args, launch_dims)};
}

// ---- CUDA ----

bool FunctionChecker::not_in_gpu_code(const std::string& what, SourceRange r) {
  if (!gpu_code()) return true;
  report(DiagId::UnsupportedHint, r, {what, "do it in host code (GPU code can index arrays, compute and call device functions)"});
  return false;
}

bool FunctionChecker::host_elements_ok(const Type* t, SourceRange r) {
  if (!t->is_device() || gpu_code()) return true;
  report(DiagId::DeviceArrayOnHost, r, {text(r)});
  return false;
}

Typed FunctionChecker::cuda_index(const Member& m, const std::string& axis, SourceRange r) {
  std::string shown = std::string("cuda.") + m.name;
  bool index = m.intrinsic == Intrinsic::ThreadIdx || m.intrinsic == Intrinsic::BlockIdx ||
               m.intrinsic == Intrinsic::BlockDim || m.intrinsic == Intrinsic::GridDim;
  if (!index) {
    report(DiagId::UnsupportedHint, r, {"using '" + text(r) + "' as a value", "call it"});
    return {error_value(r)};
  }
  if (axis != "x" && axis != "y" && axis != "z") {
    report(DiagId::UnknownAttribute, r, {shown, axis});
    return {error_value(r)};
  }
  if (fn_.target != Target::CudaKernel && fn_.target != Target::CudaDevice) {
    report(DiagId::KernelOnly, r, {shown + "." + axis});
    return {error_value(r)};
  }
  return {std::make_shared<IntrinsicExpr>(int64(), r, m.intrinsic, std::vector<ExprRef>{make_const_int(int64(), axis[0] - 'x', r)})};
}

Typed FunctionChecker::cuda_call(const std::string& name, const Member* m, const ast::CallExpr& e) {
  std::string shown = "cuda." + name;
  SourceRange r = e.range;
  bool kernel = fn_.target == Target::CudaKernel || fn_.target == Target::CudaDevice;
  auto kernel_only = [&]() {
    if (kernel) return true;
    report(DiagId::KernelOnly, e.callee->range, {shown + "()"});
    for (const auto& a : e.args) expr(*a);
    return false;
  };
  if (name == "grid" || name == "gridsize") {
    if (!kernel_only() || !check_arity(e, shown, 1, 1)) return {error_value(r)};
    ExprRef n = value(*e.args[0]);
    if (n->type->is_error()) return {error_value(r)};
    if (n->kind != ExprKind::Const || !n->type->is_int() || n->as<ConstExpr>().int_value < 1 || n->as<ConstExpr>().int_value > 3) {
      report(DiagId::BadArgType, e.args[0]->range,
             {shown, "1", "the constant 1, 2 or 3", n->kind == ExprKind::Const && n->type->is_int() ? text(e.args[0]->range) : n->type->str()});
      return {error_value(r)};
    }
    auto sreg = [&](Intrinsic id, int axis) {
      return std::make_shared<IntrinsicExpr>(int64(), r, id, std::vector<ExprRef>{make_const_int(int64(), axis, r)});
    };
    std::vector<ExprRef> parts;
    for (int k = 0; k < n->as<ConstExpr>().int_value; ++k) {
      if (name == "grid")
        parts.push_back(make_binary(BinaryOp::Add, sreg(Intrinsic::ThreadIdx, k),
                                    make_binary(BinaryOp::Mul, sreg(Intrinsic::BlockIdx, k), sreg(Intrinsic::BlockDim, k), r), r));
      else
        parts.push_back(make_binary(BinaryOp::Mul, sreg(Intrinsic::BlockDim, k), sreg(Intrinsic::GridDim, k), r));
    }
    if (parts.size() == 1) return {parts[0]};
    return {std::make_shared<MakeTupleExpr>(tuple_type(std::vector<const Type*>(parts.size(), int64())), r, parts)};
  }
  if (name == "syncthreads") {
    if (!kernel_only() || !check_arity(e, shown, 0, 0)) return {error_value(r)};
    return {std::make_shared<IntrinsicExpr>(none_type(), r, Intrinsic::SyncThreads, std::vector<ExprRef>{})};
  }
  if (name == "shared.array" || name == "local.array") {
    if (!kernel_only()) return {error_value(r)};
    return cuda_thread_array(*m, e);
  }
  if (name.rfind("atomic.", 0) == 0) return cuda_atomic(name.substr(7), e);
  // The host side.
  if (name == "to_device" || name == "device_array" || name == "device_array_like" || name == "synchronize" ||
      name == "is_available") {
    if (!require_host(shown + "()", e.range)) return {error_value(r)};
  }
  if (name == "synchronize" || name == "is_available") {
    if (!check_arity(e, shown, 0, 0)) return {error_value(r)};
    bool sync = name == "synchronize";
    return {std::make_shared<IntrinsicExpr>(sync ? none_type() : bool_type(), r,
                                            sync ? Intrinsic::Synchronize : Intrinsic::CudaAvailable, std::vector<ExprRef>{})};
  }
  if (name == "to_device") {
    if (!check_arity(e, shown, 1, 1)) return {error_value(r)};
    ExprRef a = value(*e.args[0]);
    if (a->type->is_error()) return {error_value(r)};
    if (!a->type->is_array() || a->type->is_device()) {
      report(DiagId::BadArgType, e.args[0]->range, {shown, "1", "a host array", a->type->str()});
      return {error_value(r)};
    }
    return {std::make_shared<IntrinsicExpr>(array_type(a->type->elem(), a->type->ndim(), Layout::C, true), r,
                                            Intrinsic::ToDevice, std::vector<ExprRef>{a})};
  }
  if (name == "device_array") {
    const ast::Expr* dtype_expr = nullptr;
    for (const ast::Keyword& k : e.keywords) {
      if (k.name == "dtype") {
        dtype_expr = k.value.get();
      } else {
        report(DiagId::UnexpectedKeyword, k.name_range, {shown, k.name});
        return {error_value(r)};
      }
    }
    if (!check_arity(e, shown, 1, dtype_expr ? 1 : 2)) return {error_value(r)};
    if (e.args.size() == 2) dtype_expr = e.args[1].get();
    std::vector<ExprRef> shape;
    bool ok = shape_arg(*e.args[0], shape);
    const Type* elem = dtype_expr ? dtype_arg(*dtype_expr) : float64();
    if (!ok || !elem) return {error_value(r)};
    return {std::make_shared<IntrinsicExpr>(array_type(elem, static_cast<int>(shape.size()), Layout::C, true), r,
                                            Intrinsic::DeviceArray, shape)};
  }
  if (name == "device_array_like") {
    if (!check_arity(e, shown, 1, 1)) return {error_value(r)};
    ExprRef src = value(*e.args[0]);
    if (src->type->is_error()) return {error_value(r)};
    if (!src->type->is_array()) {
      report(DiagId::BadArgType, e.args[0]->range, {shown, "1", "an array", src->type->str()});
      return {error_value(r)};
    }
    int tmp = is_pure_simple(src) ? -1 : new_temp(src->type, src->range);
    ExprRef a = tmp < 0 ? src : std::make_shared<LocalExpr>(src->type, src->range, tmp);
    std::vector<ExprRef> shape;
    for (int k = 0; k < src->type->ndim(); ++k) shape.push_back(std::make_shared<ArrayDimExpr>(r, a, k));
    ExprRef made = std::make_shared<IntrinsicExpr>(array_type(src->type->elem(), src->type->ndim(), Layout::C, true), r,
                                                   Intrinsic::DeviceArray, shape);
    if (tmp >= 0) made = std::make_shared<LetExpr>(r, tmp, src, made);
    return {made};
  }
  if (m && (m->intrinsic == Intrinsic::ThreadIdx || m->intrinsic == Intrinsic::BlockIdx || m->intrinsic == Intrinsic::BlockDim ||
            m->intrinsic == Intrinsic::GridDim || name == "shared" || name == "local" || name == "atomic")) {
    report(DiagId::NotCallable, e.callee->range, {shown});
    return {error_value(r)};
  }
  report(DiagId::UnknownAttribute, e.callee->range, {"cuda", name});
  return {error_value(r)};
}

Typed FunctionChecker::cuda_thread_array(const Member& m, const ast::CallExpr& e) {
  bool shared = m.intrinsic == Intrinsic::SharedArray;
  std::string shown = shared ? "cuda.shared.array" : "cuda.local.array";
  const ast::Expr* shape_expr = e.args.size() > 0 ? e.args[0].get() : nullptr;
  const ast::Expr* dtype_expr = e.args.size() > 1 ? e.args[1].get() : nullptr;
  for (const ast::Keyword& k : e.keywords) {
    if (k.name == "shape" && !shape_expr) shape_expr = k.value.get();
    else if (k.name == "dtype" && !dtype_expr) dtype_expr = k.value.get();
    else {
      report(DiagId::UnexpectedKeyword, k.name_range, {shown, k.name});
      return {error_value(e.range)};
    }
  }
  if (e.args.size() > 2 || !shape_expr || !dtype_expr) {
    report(DiagId::WrongArgCount, e.range, {shown, "2 (shape, dtype)", std::to_string(e.args.size() + e.keywords.size())});
    return {error_value(e.range)};
  }
  ExprRef sv = value(*shape_expr);
  const Type* elem = dtype_arg(*dtype_expr);
  if (sv->type->is_error() || !elem) return {error_value(e.range)};
  std::vector<ExprRef> dims;
  if (sv->kind == ExprKind::MakeTuple) dims = sv->as<MakeTupleExpr>().elements;
  else dims.push_back(sv);
  std::vector<ExprRef> shape;
  int64_t total = 1;
  for (const ExprRef& d : dims) {
    if (d->kind != ExprKind::Const || !d->type->is_int() || d->as<ConstExpr>().int_value <= 0 || dims.size() > 4) {
      report(DiagId::GpuArrayShape, shape_expr->range, {shown, text(shape_expr->range)});
      return {error_value(e.range)};
    }
    total *= d->as<ConstExpr>().int_value;
    if (total > (int64_t{1} << 24)) {
      report(DiagId::UnsupportedHint, shape_expr->range, {shown + " of more than 2**24 elements", "use a device array"});
      return {error_value(e.range)};
    }
    shape.push_back(make_const_int(int64(), d->as<ConstExpr>().int_value, d->range));
  }
  return {std::make_shared<IntrinsicExpr>(array_type(elem, static_cast<int>(shape.size()), Layout::C), e.range, m.intrinsic, shape)};
}

Typed FunctionChecker::cuda_atomic(const std::string& op, const ast::CallExpr& e) {
  std::string shown = "cuda.atomic." + op;
  Intrinsic id = op == "add" ? Intrinsic::AtomicAdd : op == "sub" ? Intrinsic::AtomicSub : op == "max" ? Intrinsic::AtomicMax
               : op == "min" ? Intrinsic::AtomicMin : op == "exch" ? Intrinsic::AtomicExch : op == "cas" ? Intrinsic::AtomicCas
               : Intrinsic::None;
  if (id == Intrinsic::None) {
    report(DiagId::UnknownAttribute, e.callee->range, {"cuda.atomic", op});
    return {error_value(e.range)};
  }
  if (!gpu_code()) {
    report(DiagId::KernelOnly, e.callee->range, {shown + "()"});
    return {error_value(e.range)};
  }
  size_t n = id == Intrinsic::AtomicCas ? 4 : 3;
  if (!check_arity(e, shown, n, n)) return {error_value(e.range)};
  ExprRef array = value(*e.args[0]);
  ExprRef index = value(*e.args[1]);
  std::vector<ExprRef> values;
  for (size_t k = 2; k < n; ++k) values.push_back(value(*e.args[k]));
  bool bad = array->type->is_error() || index->type->is_error();
  for (const ExprRef& v : values) bad = bad || v->type->is_error();
  if (bad) return {error_value(e.range)};
  const Type* t = array->type;
  if (!t->is_array()) {
    report(DiagId::BadArgType, e.args[0]->range, {shown, "1", "an array", t->str()});
    return {error_value(e.range)};
  }
  const Type* el = t->elem();
  bool ok_type = (el->is_int() && (el->bits() == 32 || el->bits() == 64)) ||
                 (el->is_float() && id != Intrinsic::AtomicCas);
  if (!ok_type) {
    report(DiagId::AtomicType, e.args[0]->range, {shown + "()", id == Intrinsic::AtomicCas ? "" : ", float32, float64", t->str()});
    return {error_value(e.range)};
  }
  std::vector<ExprRef> args{array};
  std::vector<ExprRef> parts;
  if (index->type->is_tuple()) {
    for (size_t k = 0; k < index->type->elements().size(); ++k) {
      const Type* et = index->type->elements()[k];
      ExprRef part = index->kind == ExprKind::MakeTuple ? index->as<MakeTupleExpr>().elements[k]
                                                         : std::make_shared<TupleGetExpr>(et, e.args[1]->range, index, static_cast<int>(k));
      parts.push_back(part);
    }
  } else {
    parts.push_back(index);
  }
  for (const ExprRef& p : parts) {
    if (!p->type->is_int()) {
      report(DiagId::BadIndexType, e.args[1]->range, {p->type->str()});
      return {error_value(e.range)};
    }
    args.push_back(make_cast(p, int64()));
  }
  if (static_cast<int>(parts.size()) != t->ndim()) {
    report(DiagId::BadArgType, e.args[1]->range, {shown, "2", "one index per dimension (" + std::to_string(t->ndim()) + ")", index->type->str()});
    return {error_value(e.range)};
  }
  for (size_t k = 0; k < values.size(); ++k) {
    if (!values[k]->type->is_numeric()) {
      report(DiagId::BadArgType, e.args[k + 2]->range, {shown, std::to_string(k + 3), "a number", values[k]->type->str()});
      return {error_value(e.range)};
    }
    args.push_back(make_cast(values[k], el));
  }
  return {std::make_shared<IntrinsicExpr>(el, e.range, id, args)};
}

bool FunctionChecker::launch_dims(const ast::Expr& e, std::vector<ExprRef>& out) {
  ExprRef v = value(e);
  if (v->type->is_error()) return false;
  std::vector<ExprRef> parts;
  if (v->type->is_integral()) {
    parts.push_back(v);
  } else if (v->type->is_tuple() && !v->type->elements().empty() && v->type->elements().size() <= 3) {
    for (size_t k = 0; k < v->type->elements().size(); ++k) {
      const Type* et = v->type->elements()[k];
      if (!et->is_integral()) {
        report(DiagId::LaunchConfig, e.range, {v->type->str()});
        return false;
      }
      parts.push_back(v->kind == ExprKind::MakeTuple ? v->as<MakeTupleExpr>().elements[k]
                                                     : std::make_shared<TupleGetExpr>(et, e.range, v, static_cast<int>(k)));
    }
  } else {
    report(DiagId::LaunchConfig, e.range, {v->type->str()});
    return false;
  }
  for (size_t k = 0; k < 3; ++k)
    out.push_back(k < parts.size() ? make_cast(parts[k], int64()) : make_const_int(int64(), 1, e.range));
  return true;
}

Typed FunctionChecker::launch(const ast::SubscriptExpr& config, const ast::CallExpr& e) {
  std::string kernel = text(config.value->range);
  const GlobalSymbol* g = config.value->kind == ast::ExprKind::Name ? global(config.value->as<ast::NameExpr>().id) : nullptr;
  if (!g || g->kind != SymbolKind::Function) {
    ExprRef v = value(*config.value);
    if (!v->type->is_error()) report(DiagId::NotCallable, e.callee->range, {text(e.callee->range)});
    return {error_value(e.range)};
  }
  if (fn_.target != Target::Host) {
    report(DiagId::HostOnly, e.callee->range, {"launching a kernel (" + kernel + "[blocks, threads](...))"});
    return {error_value(e.range)};
  }
  if (config.indices.size() != 2) {
    if (config.indices.size() > 2 && config.indices.size() <= 4)
      report(DiagId::UnsupportedHint, e.callee->range, {"the stream and shared-memory arguments of a kernel launch", "give [blocks, threads]"});
    else
      report(DiagId::LaunchConfig, e.callee->range, {text(e.callee->range)});
    return {error_value(e.range)};
  }
  std::vector<ExprRef> dims;
  bool ok = true;
  for (const auto& i : config.indices) {
    if (i->kind == ast::ExprKind::Slice) {
      report(DiagId::LaunchConfig, i->range, {"slice"});
      return {error_value(e.range)};
    }
    ok = launch_dims(*i, dims) && ok;
  }
  if (!ok) return {error_value(e.range)};
  launching_ = dims;
  Typed result = call_function(*g->function, e);
  launching_.clear();
  return result;
}

// ---------------------------------------------------------------------------------

Function* ProgramChecker::specialise(FunctionInfo& info, const std::vector<const Type*>& args, SourceRange call_site,
                                     bool quiet_caller) {
  Key key{&info, args};
  auto it = specs_.find(key);
  if (it != specs_.end()) return it->second.function;
  if (spec_counts_[&info] >= kMaxSpecialisations) {
    if (!quiet_caller) diags_.report(DiagId::InstantiationLimit, call_site, {info.def->name, std::to_string(kMaxSpecialisations)});
    return nullptr;
  }
  if (depth_ > 200) {
    if (!quiet_caller) diags_.report(DiagId::InstantiationLimit, call_site, {info.def->name, "200 nested specialisations"});
    return nullptr;
  }
  ++spec_counts_[&info];
  auto fn = std::make_unique<Function>();
  Function* f = fn.get();
  program_.functions.push_back(std::move(fn));
  f->name = info.def->name;
  f->target = info.target;
  f->options = info.options;
  f->params = args;
  f->range = info.def->range;
  for (size_t i = 0; i < args.size(); ++i)
    f->locals.push_back({info.def->params[i].name, args[i], Local::Param, info.def->params[i].range});
  // A declared return type is known before the body is checked (so recursion works).
  for (const Signature& s : info.signatures)
    if (s.params == args && s.return_type) f->return_type = s.return_type;
  if (!f->return_type && info.annotated_return) f->return_type = info.annotated_return;
  if (!f->return_type && info.target == Target::CudaKernel) f->return_type = none_type();
  specs_[key] = {f, true};
  std::vector<const ast::Stmt*> body;
  for (const auto& s : info.def->body) body.push_back(s.get());
  ++depth_;
  unsigned errors_before = diags_.error_count();
  FunctionChecker checker(*this, *f, &info, body);
  checker.run();
  --depth_;
  // After syntax errors in its body, a function's inferred types are unreliable.
  if (info.def->has_syntax_errors || checker.dropped_errors()) failed_.insert(f);
  if (diags_.error_count() > errors_before) {
    failed_.insert(f);
    if (!diags_.saturated()) diags_.note(DiagId::InSignatureHere, info.def->name_range, {info.def->name, type_list(args)});
  }
  specs_[key].in_progress = false;
  return f;
}

Program ProgramChecker::run(const CheckOptions& options) {
  after_syntax_errors_ = options.after_syntax_errors;
  std::vector<const Function*> roots;
  if (options.host) {
    auto host = std::make_unique<Function>();
    Function* h = host.get();
    program_.functions.push_back(std::move(host));
    h->name = "__main__";
    h->target = Target::Host;
    h->return_type = none_type();
    if (!info_.host.empty()) h->range = SourceRange::merge(info_.host.front()->range, info_.host.back()->range);
    FunctionChecker(*this, *h, nullptr, info_.host).run();
    program_.host = h;
    roots.push_back(h);
  }
  // Eager signatures.
  for (auto& fn : info_.functions) {
    for (const Signature& s : fn->signatures)
      if (s.params.size() == fn->def->params.size())
        if (Function* f = specialise(*fn, s.params, fn->def->name_range, false)) roots.push_back(f);
    if (fn->fully_annotated())
      if (Function* f = specialise(*fn, fn->annotated, fn->def->name_range, false)) roots.push_back(f);
  }
  if (!options.function.empty()) {
    auto it = info_.globals.find(options.function);
    if (it == info_.globals.end() || it->second.kind != SymbolKind::Function) {
      diags_.report(DiagId::NoSuchFunction, {0, 0}, {options.function});
    } else {
      FunctionInfo& fn = *it->second.function;
      Signature sig;
      if (options.signature.empty()) {
        if (!fn.fully_annotated() && fn.def->params.size() > 0)
          diags_.report(DiagId::BadSignature, fn.def->name_range, {"", "give --sig for a function without annotations"});
        else if (Function* f = specialise(fn, fn.fully_annotated() ? fn.annotated : std::vector<const Type*>{}, fn.def->name_range, false)) {
          roots.push_back(f);
          program_.requested = f;
        }
      } else if (parse_signature_text(options.signature, file_, diags_, sig)) {
        if (sig.params.size() != fn.def->params.size()) {
          diags_.report(DiagId::SignatureArity, fn.def->name_range,
                        {fn.def->name, std::to_string(sig.params.size()), std::to_string(fn.def->params.size())});
        } else {
          if (sig.return_type && !fn.annotated_return) fn.annotated_return = sig.return_type;
          if (Function* f = specialise(fn, sig.params, fn.def->name_range, false)) {
            roots.push_back(f);
            program_.requested = f;
          }
        }
      }
    }
  }
  // Keep the specialisations reachable from the roots (inference passes may have made
  // some for argument types that were not final).
  std::set<const Function*> seen(roots.begin(), roots.end());
  std::vector<const Function*> work(roots.begin(), roots.end());
  while (!work.empty()) {
    const Function* f = work.back();
    work.pop_back();
    for (const Function* callee : direct_callees(*f))
      if (seen.insert(callee).second) work.push_back(callee);
  }
  std::vector<std::unique_ptr<Function>> kept;
  for (auto& f : program_.functions)
    if (seen.count(f.get())) kept.push_back(std::move(f));
  program_.functions = std::move(kept);
  return std::move(program_);
}

}  // namespace

Program check(const ast::Module& module, const SourceFile& file, Diagnostics& diags, const CheckOptions& options) {
  return ProgramChecker(module, file, diags).run(options);
}

}  // namespace nk::ir
