// Factories of the typed IR, with the checks that keep it well-typed.
#include "ir/ir.h"

#include "frontend/internal_error.h"

namespace nk::ir {

const char* new_array_name(NewArrayKind k) {
  switch (k) {
    case NewArrayKind::Empty: return "empty";
    case NewArrayKind::Zeros: return "zeros";
    case NewArrayKind::Ones: return "ones";
    case NewArrayKind::Full: return "full";
    case NewArrayKind::Arange: return "arange";
    case NewArrayKind::Linspace: return "linspace";
  }
  return "?";
}

const char* target_name(Target t) {
  switch (t) {
    case Target::Host: return "host";
    case Target::Cpu: return "cpu";
    case Target::CudaAuto: return "cuda";
    case Target::CudaKernel: return "cuda kernel";
    case Target::CudaDevice: return "cuda device";
  }
  return "?";
}

std::string Function::signature() const {
  std::string s = "(";
  for (size_t i = 0; i < params.size(); ++i) s += (i ? ", " : "") + params[i]->str();
  return s + ") -> " + (return_type ? return_type->str() : "?");
}

ExprRef make_const_int(const Type* t, int64_t v, SourceRange r) {
  NK_CHECK(t->is_integral()) << "integer constant of type " << t->str();
  return std::make_shared<ConstExpr>(t, r, v, 0.0);
}

ExprRef make_const_float(const Type* t, double v, SourceRange r) {
  NK_CHECK(t->is_float()) << "float constant of type " << t->str();
  return std::make_shared<ConstExpr>(t, r, 0, v);
}

ExprRef make_const_bool(bool v, SourceRange r) { return std::make_shared<ConstExpr>(bool_type(), r, v ? 1 : 0, 0.0); }

ExprRef make_cast(ExprRef v, const Type* to) {
  if (v->type == to) return v;
  if (v->type->is_array() || v->type->is_tuple()) {
    // Arrays relax their layout (C -> A); tuples convert element by element.
    NK_CHECK(unify(v->type, to) == to) << "cast from " << v->type->str() << " to " << to->str();
    return std::make_shared<CastExpr>(to, v->range, std::move(v));
  }
  NK_CHECK(v->type->is_numeric() && to->is_numeric()) << "cast from " << v->type->str() << " to " << to->str();
  SourceRange r = v->range;
  // Fold casts of constants so printed IR stays readable.
  if (v->kind == ExprKind::Const) {
    const auto& c = v->as<ConstExpr>();
    bool from_float = v->type->is_float();
    if (to->is_float()) {
      double f = from_float ? c.float_value
                            : (v->type->is_int() && !v->type->is_signed() ? static_cast<double>(static_cast<uint64_t>(c.int_value))
                                                                          : static_cast<double>(c.int_value));
      if (to->bits() == 32) f = static_cast<float>(f);
      return make_const_float(to, f, r);
    }
    if (to->is_bool()) return make_const_bool(from_float ? c.float_value != 0 : c.int_value != 0, r);
    if (!from_float) {
      // Integer to integer: wrap to the target width, as the machine will.
      uint64_t bits = static_cast<uint64_t>(c.int_value);
      unsigned w = to->bits();
      if (w < 64) {
        bits &= (uint64_t{1} << w) - 1;
        if (to->is_signed() && (bits >> (w - 1)) & 1) bits |= ~((uint64_t{1} << w) - 1);
      }
      return make_const_int(to, static_cast<int64_t>(bits), r);
    }
  }
  return std::make_shared<CastExpr>(to, r, std::move(v));
}

ExprRef make_unary(UnaryOp op, ExprRef v, const Type* result, SourceRange r) {
  switch (op) {
    case UnaryOp::Not: NK_CHECK(v->type->is_bool() && result->is_bool()) << "not on " << v->type->str(); break;
    case UnaryOp::Invert: NK_CHECK(v->type->is_integral() && result == v->type) << "~ on " << v->type->str(); break;
    case UnaryOp::Neg:
    case UnaryOp::Pos: NK_CHECK(v->type == result && !result->is_bool()) << "unary on " << v->type->str(); break;
  }
  return std::make_shared<UnaryExpr>(result, r, op, std::move(v));
}

ExprRef make_binary(BinaryOp op, ExprRef a, ExprRef b, SourceRange r) {
  NK_CHECK(a->type == b->type) << "binary " << spelling(op) << " on " << a->type->str() << " and " << b->type->str();
  NK_CHECK(a->type->is_numeric()) << "binary " << spelling(op) << " on " << a->type->str();
  switch (op) {
    case BinaryOp::TrueDiv: NK_CHECK(a->type->is_float()) << "true division on " << a->type->str(); break;
    case BinaryOp::Shl:
    case BinaryOp::Shr: NK_CHECK(a->type->is_int()) << "shift on " << a->type->str(); break;
    case BinaryOp::BitAnd:
    case BinaryOp::BitOr:
    case BinaryOp::BitXor: NK_CHECK(a->type->is_integral()) << "bitwise op on " << a->type->str(); break;
    default: NK_CHECK(!a->type->is_bool()) << "arithmetic on bool"; break;
  }
  const Type* t = a->type;
  return std::make_shared<BinaryExpr>(t, r, op, std::move(a), std::move(b));
}

ExprRef make_compare(CompareOp op, ExprRef a, ExprRef b, SourceRange r) {
  NK_CHECK(a->type == b->type && a->type->is_numeric()) << "compare " << a->type->str() << " with " << b->type->str();
  return std::make_shared<CompareExpr>(r, op, std::move(a), std::move(b));
}

ExprRef make_logical(BoolOpKind op, ExprRef a, ExprRef b, SourceRange r) {
  NK_CHECK(a->type == b->type && a->type->is_numeric()) << "logical op on " << a->type->str() << " and " << b->type->str();
  const Type* t = a->type;
  return std::make_shared<LogicalExpr>(t, r, op, std::move(a), std::move(b));
}

ExprRef make_select(ExprRef c, ExprRef a, ExprRef b, SourceRange r) {
  NK_CHECK(c->type->is_bool()) << "select condition of type " << c->type->str();
  NK_CHECK(a->type == b->type) << "select arms " << a->type->str() << " and " << b->type->str();
  const Type* t = a->type;
  return std::make_shared<SelectExpr>(t, r, std::move(c), std::move(a), std::move(b));
}

ExprRef make_load(ExprRef array, std::vector<ExprRef> indices, SourceRange r) {
  NK_CHECK(array->type->is_array()) << "load from " << array->type->str();
  NK_CHECK(static_cast<int>(indices.size()) == array->type->ndim()) << "load with " << indices.size() << " indices";
  for (const ExprRef& i : indices) NK_CHECK(i->type == int64()) << "index of type " << i->type->str();
  const Type* t = array->type->elem();
  return std::make_shared<LoadExpr>(t, r, std::move(array), std::move(indices));
}

}  // namespace nk::ir
