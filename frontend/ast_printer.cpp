// The AST printer.
#include "frontend/ast_printer.h"

#include <cstdio>
#include <sstream>

namespace nk::ast {

const char* kind_name(ExprKind k) {
  switch (k) {
#define EXPR(kind) case ExprKind::kind: return #kind;
#define STMT(kind)
#include "frontend/ast.def"
#undef EXPR
#undef STMT
  }
  return "?";
}

const char* kind_name(StmtKind k) {
  switch (k) {
#define EXPR(kind)
#define STMT(kind) case StmtKind::kind: return #kind;
#include "frontend/ast.def"
#undef EXPR
#undef STMT
  }
  return "?";
}

namespace {

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string float_text(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

class Printer {
 public:
  explicit Printer(std::ostream& out) : out_(out) {}

  void expr(const Expr& e) {
    switch (e.kind) {
      case ExprKind::Name: out_ << "(name " << e.as<NameExpr>().id << ')'; return;
      case ExprKind::IntLit: out_ << "(int " << e.as<IntLitExpr>().value << ')'; return;
      case ExprKind::FloatLit: out_ << "(float " << float_text(e.as<FloatLitExpr>().value) << ')'; return;
      case ExprKind::BoolLit: out_ << (e.as<BoolLitExpr>().value ? "(bool True)" : "(bool False)"); return;
      case ExprKind::NoneLit: out_ << "(none)"; return;
      case ExprKind::StrLit: out_ << "(str " << quote(e.as<StrLitExpr>().value) << ')'; return;
      case ExprKind::FString: {
        out_ << "(fstring";
        for (const FStringPart& p : e.as<FStringExpr>().parts) {
          out_ << ' ';
          if (!p.value) {
            out_ << quote(p.literal);
            continue;
          }
          out_ << "{";
          expr(*p.value);
          if (p.conversion) out_ << " !" << p.conversion;
          if (!p.spec.empty()) out_ << " :" << quote(p.spec);
          out_ << "}";
        }
        out_ << ')';
        return;
      }
      case ExprKind::Unary: {
        const auto& u = e.as<UnaryExpr>();
        out_ << '(' << spelling(u.op) << ' ';
        expr(*u.operand);
        out_ << ')';
        return;
      }
      case ExprKind::Binary: {
        const auto& b = e.as<BinaryExpr>();
        out_ << '(' << spelling(b.op) << ' ';
        expr(*b.lhs);
        out_ << ' ';
        expr(*b.rhs);
        out_ << ')';
        return;
      }
      case ExprKind::BoolOp: {
        const auto& b = e.as<BoolOpExpr>();
        out_ << '(' << spelling(b.op) << ' ';
        expr(*b.lhs);
        out_ << ' ';
        expr(*b.rhs);
        out_ << ')';
        return;
      }
      case ExprKind::Compare: {
        const auto& c = e.as<CompareExpr>();
        out_ << "(compare ";
        expr(*c.operands[0]);
        for (size_t i = 0; i < c.ops.size(); ++i) {
          out_ << ' ' << spelling(c.ops[i]) << ' ';
          expr(*c.operands[i + 1]);
        }
        out_ << ')';
        return;
      }
      case ExprKind::IfExp: {
        const auto& c = e.as<IfExpExpr>();
        out_ << "(ifexp ";
        expr(*c.cond);
        out_ << ' ';
        expr(*c.then_value);
        out_ << ' ';
        expr(*c.else_value);
        out_ << ')';
        return;
      }
      case ExprKind::Call: {
        const auto& c = e.as<CallExpr>();
        out_ << "(call ";
        expr(*c.callee);
        for (const ExprPtr& a : c.args) {
          out_ << ' ';
          expr(*a);
        }
        for (const Keyword& k : c.keywords) {
          out_ << ' ' << k.name << '=';
          expr(*k.value);
        }
        out_ << ')';
        return;
      }
      case ExprKind::Attribute: {
        const auto& a = e.as<AttributeExpr>();
        out_ << "(attr ";
        expr(*a.value);
        out_ << ' ' << a.attr << ')';
        return;
      }
      case ExprKind::Subscript: {
        const auto& s = e.as<SubscriptExpr>();
        out_ << "(index ";
        expr(*s.value);
        for (const ExprPtr& i : s.indices) {
          out_ << ' ';
          expr(*i);
        }
        out_ << ')';
        return;
      }
      case ExprKind::Slice: {
        const auto& s = e.as<SliceExpr>();
        out_ << "(slice ";
        optional(s.lo.get());
        out_ << ' ';
        optional(s.hi.get());
        out_ << ' ';
        optional(s.step.get());
        out_ << ')';
        return;
      }
      case ExprKind::Tuple:
        sequence("tuple", e.as<TupleExpr>().elements);
        return;
      case ExprKind::List:
        sequence("list", e.as<ListExpr>().elements);
        return;
      case ExprKind::Error: out_ << "(error)"; return;
    }
  }

  void block(const Block& b, int depth) {
    for (const StmtPtr& s : b) stmt(*s, depth);
  }

  void stmt(const Stmt& s, int depth) {
    std::string pad(static_cast<size_t>(depth) * 2, ' ');
    out_ << pad;
    switch (s.kind) {
      case StmtKind::Expr:
        out_ << "expr ";
        expr(*s.as<ExprStmt>().expr);
        out_ << '\n';
        return;
      case StmtKind::Assign: {
        const auto& a = s.as<AssignStmt>();
        out_ << "assign";
        for (const ExprPtr& t : a.targets) {
          out_ << ' ';
          expr(*t);
        }
        out_ << " = ";
        expr(*a.value);
        out_ << '\n';
        return;
      }
      case StmtKind::AugAssign: {
        const auto& a = s.as<AugAssignStmt>();
        out_ << "augassign ";
        expr(*a.target);
        out_ << ' ' << spelling(a.op) << "= ";
        expr(*a.value);
        out_ << '\n';
        return;
      }
      case StmtKind::AnnAssign: {
        const auto& a = s.as<AnnAssignStmt>();
        out_ << "annassign ";
        expr(*a.target);
        out_ << " : ";
        expr(*a.annotation);
        if (a.value) {
          out_ << " = ";
          expr(*a.value);
        }
        out_ << '\n';
        return;
      }
      case StmtKind::Return: {
        const auto& r = s.as<ReturnStmt>();
        out_ << "return";
        if (r.value) {
          out_ << ' ';
          expr(*r.value);
        }
        out_ << '\n';
        return;
      }
      case StmtKind::Pass: out_ << "pass\n"; return;
      case StmtKind::Break: out_ << "break\n"; return;
      case StmtKind::Continue: out_ << "continue\n"; return;
      case StmtKind::If: {
        const auto& i = s.as<IfStmt>();
        out_ << "if ";
        expr(*i.cond);
        out_ << '\n';
        block(i.then_body, depth + 1);
        if (!i.else_body.empty()) {
          out_ << pad << "else\n";
          block(i.else_body, depth + 1);
        }
        return;
      }
      case StmtKind::While: {
        const auto& w = s.as<WhileStmt>();
        out_ << "while ";
        expr(*w.cond);
        out_ << '\n';
        block(w.body, depth + 1);
        return;
      }
      case StmtKind::For: {
        const auto& f = s.as<ForStmt>();
        out_ << "for ";
        expr(*f.target);
        out_ << " in ";
        expr(*f.iter);
        out_ << '\n';
        block(f.body, depth + 1);
        return;
      }
      case StmtKind::Raise: {
        const auto& r = s.as<RaiseStmt>();
        out_ << "raise";
        if (r.exception) {
          out_ << ' ';
          expr(*r.exception);
        }
        out_ << '\n';
        return;
      }
      case StmtKind::Assert: {
        const auto& a = s.as<AssertStmt>();
        out_ << "assert ";
        expr(*a.cond);
        if (a.message) {
          out_ << ' ';
          expr(*a.message);
        }
        out_ << '\n';
        return;
      }
      case StmtKind::FunctionDef: {
        const auto& f = s.as<FunctionDefStmt>();
        for (const Decorator& d : f.decorators) {
          out_ << '@';
          expr(*d.expr);
          out_ << '\n' << pad;
        }
        out_ << "def " << f.name << '(';
        for (size_t i = 0; i < f.params.size(); ++i) {
          if (i) out_ << ", ";
          out_ << f.params[i].name;
          if (f.params[i].annotation) {
            out_ << ": ";
            expr(*f.params[i].annotation);
          }
        }
        out_ << ')';
        if (f.returns) {
          out_ << " -> ";
          expr(*f.returns);
        }
        out_ << '\n';
        block(f.body, depth + 1);
        return;
      }
      case StmtKind::Import: {
        out_ << "import";
        for (const ImportAlias& a : s.as<ImportStmt>().names) {
          out_ << ' ' << a.name;
          if (!a.asname.empty()) out_ << " as " << a.asname;
        }
        out_ << '\n';
        return;
      }
      case StmtKind::ImportFrom: {
        const auto& f = s.as<ImportFromStmt>();
        out_ << "from " << f.module << " import";
        for (const ImportAlias& a : f.names) {
          out_ << ' ' << a.name;
          if (!a.asname.empty()) out_ << " as " << a.asname;
        }
        out_ << '\n';
        return;
      }
      case StmtKind::Error: out_ << "error\n"; return;
    }
  }

 private:
  void optional(const Expr* e) {
    if (e) expr(*e);
    else out_ << '_';
  }
  void sequence(const char* head, const std::vector<ExprPtr>& elements) {
    out_ << '(' << head;
    for (const ExprPtr& x : elements) {
      out_ << ' ';
      expr(*x);
    }
    out_ << ')';
  }
  std::ostream& out_;
};

}  // namespace

void print(std::ostream& out, const Module& module) {
  out << "module\n";
  Printer(out).block(module.body, 1);
}

std::string to_string(const Expr& expr) {
  std::ostringstream ss;
  Printer(ss).expr(expr);
  return ss.str();
}

}  // namespace nk::ast
