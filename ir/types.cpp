// Type interning, printing and NumPy promotion.
#include "ir/types.h"

#include <map>
#include <memory>
#include <mutex>
#include <tuple>

namespace nk::ir {

struct TypeInterner {
  std::mutex mutex;
  std::map<std::tuple<int, unsigned, bool, const Type*, int, int, std::vector<const Type*>>, std::unique_ptr<Type>> types;

  const Type* get(TypeKind kind, unsigned bits = 0, bool is_signed = false, const Type* elem = nullptr, int ndim = 0,
                  Layout layout = Layout::A, const std::vector<const Type*>& elements = {}) {
    std::lock_guard<std::mutex> lock(mutex);
    auto key = std::make_tuple(static_cast<int>(kind), bits, is_signed, elem, ndim, static_cast<int>(layout), elements);
    auto it = types.find(key);
    if (it != types.end()) return it->second.get();
    auto t = std::make_unique<Type>();
    t->kind_ = kind;
    t->bits_ = bits;
    t->signed_ = is_signed;
    t->elem_ = elem;
    t->ndim_ = ndim;
    t->layout_ = layout;
    t->elements_ = elements;
    const Type* result = t.get();
    types.emplace(std::move(key), std::move(t));
    return result;
  }
};

static TypeInterner& interner() {
  static TypeInterner* instance = new TypeInterner();  // never destroyed: types outlive everything
  return *instance;
}

const Type* error_type() { return interner().get(TypeKind::Error); }
const Type* unknown_type() { return interner().get(TypeKind::Unknown); }
const Type* none_type() { return interner().get(TypeKind::None); }
const Type* bool_type() { return interner().get(TypeKind::Bool, 8); }
const Type* int_type(unsigned bits, bool is_signed) { return interner().get(TypeKind::Int, bits, is_signed); }
const Type* float_type(unsigned bits) { return interner().get(TypeKind::Float, bits); }
const Type* string_type() { return interner().get(TypeKind::String); }
const Type* arglist_type() { return interner().get(TypeKind::ArgList); }
const Type* int64() { return int_type(64, true); }
const Type* float64() { return float_type(64); }
const Type* array_type(const Type* elem, int ndim, Layout layout, bool device) {
  // An array's bits hold its device flag.
  return interner().get(TypeKind::Array, device ? 1 : 0, false, elem, ndim, layout);
}

const Type* host_array(const Type* t) {
  return t->is_device() ? array_type(t->elem(), t->ndim(), t->layout()) : t;
}
const Type* tuple_type(const std::vector<const Type*>& elements) {
  return interner().get(TypeKind::Tuple, 0, false, nullptr, 0, Layout::A, elements);
}
const Type* dtype_type(const Type* scalar) { return interner().get(TypeKind::DType, 0, false, scalar); }

const Type* scalar_by_name(const std::string& name) {
  if (name == "bool" || name == "boolean" || name == "bool_") return bool_type();
  if (name == "int8") return int_type(8, true);
  if (name == "int16") return int_type(16, true);
  if (name == "int32") return int_type(32, true);
  if (name == "int64" || name == "intp" || name == "int_") return int_type(64, true);
  if (name == "uint8") return int_type(8, false);
  if (name == "uint16") return int_type(16, false);
  if (name == "uint32") return int_type(32, false);
  if (name == "uint64" || name == "uintp") return int_type(64, false);
  if (name == "float32") return float_type(32);
  if (name == "float64" || name == "double") return float_type(64);
  return nullptr;
}

std::string Type::str() const {
  switch (kind_) {
    case TypeKind::Error: return "<error>";
    case TypeKind::Unknown: return "<unknown>";
    case TypeKind::None: return "none";
    case TypeKind::Bool: return "bool";
    case TypeKind::Int: return (signed_ ? "int" : "uint") + std::to_string(bits_);
    case TypeKind::Float: return "float" + std::to_string(bits_);
    case TypeKind::Array:
      return std::string(bits_ == 1 ? "device " : "") + "array(" + elem_->str() + ", " + std::to_string(ndim_) + "d, " + (layout_ == Layout::C ? "C" : "A") + ")";
    case TypeKind::Tuple: {
      if (elements_.empty()) return "Tuple()";
      bool uniform = true;
      for (const Type* e : elements_) uniform = uniform && e == elements_[0];
      if (uniform) return "UniTuple(" + elements_[0]->str() + " x " + std::to_string(elements_.size()) + ")";
      std::string s = "Tuple(";
      for (size_t i = 0; i < elements_.size(); ++i) s += (i ? ", " : "") + elements_[i]->str();
      return s + ")";
    }
    case TypeKind::String: return "str";
    case TypeKind::ArgList: return "list(str)";
    case TypeKind::DType: return "dtype(" + elem_->str() + ")";
  }
  return "?";
}

const Type* promote(const Type* a, const Type* b) {
  if (a == b) return a;
  if (a->is_bool()) return b;
  if (b->is_bool()) return a;
  if (a->is_float() && b->is_float()) return a->bits() >= b->bits() ? a : b;
  if (a->is_float() || b->is_float()) {
    const Type* f = a->is_float() ? a : b;
    const Type* i = a->is_float() ? b : a;
    // float32 holds int8/16 and uint8/16 exactly; wider ints need float64.
    if (f->bits() == 32 && i->bits() >= 32) return float64();
    return f;
  }
  // Both integers.
  if (a->is_signed() == b->is_signed()) return a->bits() >= b->bits() ? a : b;
  const Type* s = a->is_signed() ? a : b;
  const Type* u = a->is_signed() ? b : a;
  if (s->bits() > u->bits()) return s;
  if (u->bits() == 64) return float64();
  return int_type(u->bits() * 2, true);
}

Operand promote_operands(Operand a, Operand b) {
  if (a.weak != Weak::No && b.weak != Weak::No) {
    Weak w = (a.weak == Weak::Float || b.weak == Weak::Float) ? Weak::Float : Weak::Int;
    return {w == Weak::Float ? float64() : int64(), w};
  }
  if (a.weak == Weak::No && b.weak == Weak::No) return {promote(a.type, b.type), Weak::No};
  const Operand& strong = a.weak == Weak::No ? a : b;
  const Operand& weak = a.weak == Weak::No ? b : a;
  const Type* t = strong.type;
  if (weak.weak == Weak::Int) return {t->is_bool() ? int64() : t, Weak::No};
  return {t->is_float() ? t : float64(), Weak::No};
}

const Type* unify(const Type* a, const Type* b) {
  if (a == b) return a;
  if (a->kind() == TypeKind::Unknown) return b;
  if (b->kind() == TypeKind::Unknown) return a;
  if (a->is_error() || b->is_error()) return error_type();
  if (a->is_numeric() && b->is_numeric()) return promote(a, b);
  if (a->is_array() && b->is_array()) {
    if (a->elem() != b->elem() || a->ndim() != b->ndim() || a->is_device() != b->is_device()) return nullptr;
    return array_type(a->elem(), a->ndim(), Layout::A, a->is_device());
  }
  if (a->is_tuple() && b->is_tuple() && a->elements().size() == b->elements().size()) {
    std::vector<const Type*> elements;
    for (size_t i = 0; i < a->elements().size(); ++i) {
      const Type* e = unify(a->elements()[i], b->elements()[i]);
      if (!e) return nullptr;
      elements.push_back(e);
    }
    return tuple_type(elements);
  }
  return nullptr;
}

}  // namespace nk::ir
