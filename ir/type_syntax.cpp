// Annotation and signature parsing.
#include "ir/type_syntax.h"

#include "frontend/parser.h"

namespace nk::ir {
namespace {

// float64, np.float64, numpy.float64, nk.float64, int, float, bool, void
const Type* named_scalar(const ast::Expr& e, bool allow_void) {
  std::string name;
  if (e.kind == ast::ExprKind::Name) {
    name = e.as<ast::NameExpr>().id;
    if (name == "int") return int64();
    if (name == "float") return float64();
    if (name == "bool") return bool_type();
    if (allow_void && (name == "void" || name == "none")) return none_type();
  } else if (e.kind == ast::ExprKind::Attribute) {
    const auto& a = e.as<ast::AttributeExpr>();
    if (a.value->kind != ast::ExprKind::Name) return nullptr;
    name = a.attr;
  } else if (e.kind == ast::ExprKind::StrLit) {
    name = e.as<ast::StrLitExpr>().value;
  } else if (e.kind == ast::ExprKind::NoneLit && allow_void) {
    return none_type();
  } else {
    return nullptr;
  }
  return scalar_by_name(name);
}

bool is_empty_slice(const ast::Expr& e) {
  if (e.kind != ast::ExprKind::Slice) return false;
  const auto& s = e.as<ast::SliceExpr>();
  return !s.lo && !s.hi && !s.step;
}

bool is_unit_step_slice(const ast::Expr& e) {
  if (e.kind != ast::ExprKind::Slice) return false;
  const auto& s = e.as<ast::SliceExpr>();
  return !s.lo && !s.hi && s.step && s.step->kind == ast::ExprKind::IntLit && s.step->as<ast::IntLitExpr>().value == 1;
}

const Type* annotation_type(const ast::Expr& e, bool allow_void) {
  if (const Type* t = named_scalar(e, allow_void)) return t;
  if (e.kind == ast::ExprKind::Subscript) {
    const auto& s = e.as<ast::SubscriptExpr>();
    const Type* elem = named_scalar(*s.value, false);
    if (!elem || s.indices.empty() || s.indices.size() > 32) return nullptr;
    size_t n = s.indices.size();
    for (size_t i = 0; i + 1 < n; ++i)
      if (!is_empty_slice(*s.indices[i])) return nullptr;
    if (is_empty_slice(*s.indices[n - 1])) return array_type(elem, static_cast<int>(n), Layout::A);
    if (is_unit_step_slice(*s.indices[n - 1])) return array_type(elem, static_cast<int>(n), Layout::C);
    return nullptr;
  }
  return nullptr;
}

bool signature_from_expr(const ast::Expr& e, SourceRange where, const std::string& text, uint32_t base,
                         Diagnostics& diags, Signature& out) {
  // The part of the signature text an AST node came from.
  auto piece = [&](SourceRange r) -> std::string {
    if (r.begin < base || r.end < r.begin || r.end - base > text.size()) return text;
    return text.substr(r.begin - base, r.end - r.begin);
  };
  const ast::Expr* args_holder = &e;
  if (e.kind == ast::ExprKind::Call) {
    const auto& c = e.as<ast::CallExpr>();
    out.return_type = annotation_type(*c.callee, true);
    if (!out.return_type) {
      diags.report(DiagId::BadSignature, where, {text, "'" + piece(c.callee->range) + "' is not a type"});
      return false;
    }
    for (const ast::ExprPtr& a : c.args) {
      const Type* t = annotation_type(*a, false);
      if (!t) {
        diags.report(DiagId::BadSignature, where, {text, "'" + piece(a->range) + "' is not a type"});
        return false;
      }
      out.params.push_back(t);
    }
    return true;
  }
  if (e.kind == ast::ExprKind::Tuple) {
    for (const ast::ExprPtr& a : args_holder->as<ast::TupleExpr>().elements) {
      const Type* t = annotation_type(*a, false);
      if (!t) {
        diags.report(DiagId::BadSignature, where, {text, "'" + piece(a->range) + "' is not a type"});
        return false;
      }
      out.params.push_back(t);
    }
    return true;
  }
  diags.report(DiagId::BadSignature, where, {text, "expected 'ret(arg, ...)'"});
  return false;
}

}  // namespace

const Type* type_from_annotation(const ast::Expr& annotation, Diagnostics& diags) {
  if (const Type* t = annotation_type(annotation, true)) return t;
  diags.report(DiagId::BadTypeSyntax, annotation.range, {std::string(diags.file().slice(annotation.range))});
  return error_type();
}

const Type* scalar_from_dtype_expr(const ast::Expr& e) { return named_scalar(e, false); }

bool parse_signature(const ast::Expr& literal, const SourceFile& file, Diagnostics& diags, Signature& out) {
  const std::string& text = literal.as<ast::StrLitExpr>().value;
  // Parse quietly; a malformed signature gets one diagnostic at the literal.
  Diagnostics scratch(file);
  ast::ExprPtr e = parse_expression_text(text, literal.range.begin + 1, file, scratch);
  if (scratch.has_errors() || !e) {
    diags.report(DiagId::BadSignature, literal.range, {text, "it does not parse"});
    return false;
  }
  return signature_from_expr(*e, literal.range, text, literal.range.begin + 1, diags, out);
}

bool parse_signature_text(const std::string& text, const SourceFile& file, Diagnostics& diags, Signature& out) {
  Diagnostics scratch(file);
  ast::ExprPtr e = parse_expression_text(text, 0, file, scratch);
  if (scratch.has_errors() || !e) {
    diags.report(DiagId::BadSignature, {0, 0}, {text, "it does not parse"});
    return false;
  }
  return signature_from_expr(*e, {0, 0}, text, 0, diags, out);
}

}  // namespace nk::ir
