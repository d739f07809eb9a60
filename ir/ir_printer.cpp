// The typed IR printer: statements one per line, expressions as typed s-expressions,
// e.g. (Add:float32 (load:float32 x i) 1.0:float32).
#include "ir/ir_printer.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace nk::ir {
namespace {

// Python's repr of a float: the shortest digits that round-trip, positional between
// 1e-4 and 1e16, with '.0' on whole numbers.
std::string float_repr(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char digits[32];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, v, std::chars_format::scientific);
  (void)ec;
  std::string sci(digits, end);
  size_t e = sci.find('e');
  int exponent = std::stoi(sci.substr(e + 1));
  if (exponent < -4 || exponent >= 16) {
    std::string mantissa = sci.substr(0, e);
    char buf[16];
    std::snprintf(buf, sizeof buf, "e%c%02d", exponent < 0 ? '-' : '+', exponent < 0 ? -exponent : exponent);
    return mantissa + buf;
  }
  auto [fend, fec] = std::to_chars(digits, digits + sizeof digits, v, std::chars_format::fixed);
  (void)fec;
  std::string s(digits, fend);
  if (s.find('.') == std::string::npos) s += ".0";
  return s;
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

class Printer {
 public:
  Printer(std::ostream& out, const Function& fn) : out_(out), fn_(fn) {}

  void expr(const Expr& e) {
    switch (e.kind) {
      case ExprKind::Const: {
        const auto& c = e.as<ConstExpr>();
        if (e.type->is_float()) out_ << float_repr(c.float_value);
        else if (e.type->is_bool()) out_ << (c.int_value ? "True" : "False");
        else if (!e.type->is_signed()) out_ << static_cast<uint64_t>(c.int_value);
        else out_ << c.int_value;
        out_ << ':' << e.type->str();
        return;
      }
      case ExprKind::StrConst: out_ << quote(e.as<StrConstExpr>().value); return;
      case ExprKind::Local: out_ << local_name(e.as<LocalExpr>().index); return;
      case ExprKind::Cast: open("cast", e); sub(*e.as<CastExpr>().value); close(); return;
      case ExprKind::Unary: {
        const auto& u = e.as<UnaryExpr>();
        open(name(u.op), e);
        sub(*u.operand);
        close();
        return;
      }
      case ExprKind::Binary: {
        const auto& b = e.as<BinaryExpr>();
        open(name(b.op), e);
        sub(*b.lhs);
        sub(*b.rhs);
        close();
        return;
      }
      case ExprKind::Compare: {
        const auto& c = e.as<CompareExpr>();
        open(name(c.op), e);
        sub(*c.lhs);
        sub(*c.rhs);
        close();
        return;
      }
      case ExprKind::Logical: {
        const auto& l = e.as<LogicalExpr>();
        open(l.op == BoolOpKind::And ? "and" : "or", e);
        sub(*l.lhs);
        sub(*l.rhs);
        close();
        return;
      }
      case ExprKind::Select: {
        const auto& s = e.as<SelectExpr>();
        open("select", e);
        sub(*s.cond);
        sub(*s.then_value);
        sub(*s.else_value);
        close();
        return;
      }
      case ExprKind::Intrinsic: {
        const auto& i = e.as<IntrinsicExpr>();
        open(intrinsic_name(i.id), e);
        for (const ExprRef& a : i.args) sub(*a);
        close();
        return;
      }
      case ExprKind::Call: {
        const auto& c = e.as<CallExpr>();
        out_ << (c.launch.empty() ? "(call:" : "(launch:") << e.type->str() << ' ' << c.callee->name;
        for (const ExprRef& d : c.launch) sub(*d);
        for (const ExprRef& a : c.args) sub(*a);
        close();
        return;
      }
      case ExprKind::Load: {
        const auto& l = e.as<LoadExpr>();
        open("load", e);
        sub(*l.array);
        for (const ExprRef& i : l.indices) sub(*i);
        close();
        return;
      }
      case ExprKind::View: {
        const auto& v = e.as<ViewExpr>();
        open("view", e);
        sub(*v.array);
        for (const ViewIndex& d : v.dims) {
          out_ << ' ';
          if (!d.is_slice) {
            expr(*d.index);
            continue;
          }
          out_ << '[';
          optional(d.lo.get());
          out_ << ':';
          optional(d.hi.get());
          out_ << ':';
          optional(d.step.get());
          out_ << ']';
        }
        close();
        return;
      }
      case ExprKind::ArrayDim: {
        const auto& d = e.as<ArrayDimExpr>();
        out_ << (d.dim < 0 ? std::string("(size") : "(dim" + std::to_string(d.dim));
        sub(*d.array);
        close();
        return;
      }
      case ExprKind::MakeTuple: {
        open("tuple", e);
        for (const ExprRef& x : e.as<MakeTupleExpr>().elements) sub(*x);
        close();
        return;
      }
      case ExprKind::TupleGet: {
        const auto& t = e.as<TupleGetExpr>();
        open("get", e);
        sub(*t.tuple);
        out_ << ' ' << t.index;
        close();
        return;
      }
      case ExprKind::NewArray: {
        const auto& n = e.as<NewArrayExpr>();
        open(new_array_name(n.array_kind), e);
        out_ << " (shape";
        for (const ExprRef& s : n.shape) sub(*s);
        out_ << ')';
        for (const ExprRef& a : n.args) sub(*a);
        close();
        return;
      }
      case ExprKind::Format: {
        out_ << "(format";
        for (const FormatPart& p : e.as<FormatExpr>().parts) {
          out_ << ' ';
          if (!p.value) {
            out_ << quote(p.literal);
            continue;
          }
          out_ << '{';
          expr(*p.value);
          if (p.conversion) out_ << " !" << p.conversion;
          if (!p.spec.empty()) out_ << " :" << quote(p.spec);
          out_ << '}';
        }
        out_ << ')';
        return;
      }
      case ExprKind::Let: {
        const auto& l = e.as<LetExpr>();
        out_ << "(let " << local_name(l.local);
        sub(*l.value);
        sub(*l.body);
        close();
        return;
      }
    }
  }

  void stmt(const Stmt& s, int depth) {
    std::string pad(static_cast<size_t>(depth) * 2, ' ');
    if (s.kind == StmtKind::Block) {
      for (const StmtRef& x : s.as<BlockStmt>().stmts) stmt(*x, depth);
      return;
    }
    out_ << pad;
    switch (s.kind) {
      case StmtKind::Block: return;
      case StmtKind::Assign: {
        const auto& a = s.as<AssignStmt>();
        out_ << local_name(a.local) << " = ";
        expr(*a.value);
        break;
      }
      case StmtKind::Store: {
        const auto& st = s.as<StoreStmt>();
        out_ << "store ";
        expr(*st.array);
        out_ << '[';
        for (size_t i = 0; i < st.indices.size(); ++i) {
          if (i) out_ << ", ";
          expr(*st.indices[i]);
        }
        out_ << "] = ";
        expr(*st.value);
        break;
      }
      case StmtKind::Eval: expr(*s.as<EvalStmt>().expr); break;
      case StmtKind::If: {
        const auto& i = s.as<IfStmt>();
        out_ << "if ";
        expr(*i.cond);
        out_ << '\n';
        stmt(*i.then_body, depth + 1);
        if (i.else_body) {
          out_ << pad << "else\n";
          stmt(*i.else_body, depth + 1);
        }
        return;
      }
      case StmtKind::While: {
        const auto& w = s.as<WhileStmt>();
        out_ << "while ";
        expr(*w.cond);
        out_ << '\n';
        stmt(*w.body, depth + 1);
        return;
      }
      case StmtKind::ForRange: {
        const auto& f = s.as<ForRangeStmt>();
        out_ << "for " << local_name(f.local) << " in " << (f.parallel ? "prange" : "range") << '(';
        expr(*f.start);
        out_ << ", ";
        expr(*f.stop);
        out_ << ", ";
        expr(*f.step);
        out_ << ")\n";
        stmt(*f.body, depth + 1);
        return;
      }
      case StmtKind::Break: out_ << "break"; break;
      case StmtKind::Continue: out_ << "continue"; break;
      case StmtKind::Return: {
        out_ << "return";
        if (const ExprRef& v = s.as<ReturnStmt>().value) {
          out_ << ' ';
          expr(*v);
        }
        break;
      }
      case StmtKind::Raise: {
        const auto& r = s.as<RaiseStmt>();
        out_ << "raise " << r.exception;
        if (r.message) {
          out_ << ' ';
          expr(*r.message);
        }
        break;
      }
      case StmtKind::Assert: {
        const auto& a = s.as<AssertStmt>();
        out_ << "assert ";
        expr(*a.cond);
        if (a.message) {
          out_ << ' ';
          expr(*a.message);
        }
        break;
      }
      case StmtKind::Print: {
        const auto& p = s.as<PrintStmt>();
        out_ << "print";
        for (const ExprRef& a : p.args) sub(*a);
        out_ << " sep=";
        expr(*p.sep);
        out_ << " end=";
        expr(*p.end);
        break;
      }
    }
    out_ << '\n';
  }

 private:
  std::string local_name(int index) const {
    if (index < 0 || static_cast<size_t>(index) >= fn_.locals.size()) return "<bad local>";
    return fn_.locals[static_cast<size_t>(index)].name;
  }
  void open(const char* head, const Expr& e) { out_ << '(' << head << ':' << e.type->str(); }
  void sub(const Expr& e) {
    out_ << ' ';
    expr(e);
  }
  void close() { out_ << ')'; }
  void optional(const Expr* e) {
    if (e) expr(*e);
  }
  std::ostream& out_;
  const Function& fn_;
};

void print_header(std::ostream& out, const Function& fn) {
  if (fn.target == Target::Host) {
    out << "host program";
  } else {
    out << "def " << fn.name << '(';
    for (size_t i = 0; i < fn.params.size(); ++i) {
      if (i) out << ", ";
      out << fn.locals[i].name << ": " << fn.params[i]->str();
    }
    out << ") -> " << (fn.return_type ? fn.return_type->str() : "?") << "  [" << target_name(fn.target) << ']';
  }
  out << '\n';
}

}  // namespace

void print_function(std::ostream& out, const Function& fn) {
  print_header(out, fn);
  out << "  locals:";
  bool any = false;
  for (size_t i = fn.params.size(); i < fn.locals.size(); ++i) {
    out << (any ? ", " : " ") << fn.locals[i].name << ": " << fn.locals[i].type->str();
    any = true;
  }
  if (!any) out << " (none)";
  out << '\n';
  if (fn.body) Printer(out, fn).stmt(*fn.body, 1);
}

void print_program(std::ostream& out, const Program& program) {
  bool first = true;
  for (const auto& fn : program.functions) {
    if (!first) out << '\n';
    first = false;
    print_function(out, *fn);
  }
}

void print_types(std::ostream& out, const Program& program) {
  bool first = true;
  for (const auto& fn : program.functions) {
    if (!first) out << '\n';
    first = false;
    print_header(out, *fn);
    for (size_t i = fn->params.size(); i < fn->locals.size(); ++i) {
      const Local& l = fn->locals[i];
      if (l.kind == Local::Temp) continue;
      out << "    " << l.name << ": " << l.type->str() << '\n';
    }
  }
}

}  // namespace nk::ir
