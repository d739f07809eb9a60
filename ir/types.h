// nk's types: scalars, n-d arrays, tuples, strings and a few compile-time kinds.
// Types are interned, so two types are equal exactly when their pointers are.
#pragma once

#include <string>
#include <vector>

namespace nk::ir {

enum class TypeKind {
  Error,    // after a reported error; silences follow-on errors
  Unknown,  // not yet inferred (only during inference)
  None,     // a function that returns nothing
  Bool,
  Int,
  Float,
  Array,
  Tuple,
  String,   // literals, f-strings, sys.argv items
  ArgList,  // sys.argv
  DType,    // np.float32 used as a value (dtype= arguments)
};

// Array layout: C-contiguous, or any strides.
enum class Layout { C, A };

class Type {
 public:
  TypeKind kind() const { return kind_; }
  bool is_error() const { return kind_ == TypeKind::Error || kind_ == TypeKind::Unknown; }
  bool is_bool() const { return kind_ == TypeKind::Bool; }
  bool is_int() const { return kind_ == TypeKind::Int; }
  bool is_float() const { return kind_ == TypeKind::Float; }
  bool is_integral() const { return is_int() || is_bool(); }
  bool is_numeric() const { return is_int() || is_float() || is_bool(); }  // scalars
  bool is_array() const { return kind_ == TypeKind::Array; }
  bool is_tuple() const { return kind_ == TypeKind::Tuple; }

  unsigned bits() const { return bits_; }           // Int, Float, Bool (8)
  bool is_signed() const { return signed_; }        // Int
  const Type* elem() const { return elem_; }        // Array element, DType scalar
  int ndim() const { return ndim_; }                // Array
  Layout layout() const { return layout_; }         // Array
  // Array: the data lives in GPU memory (cuda.to_device, cuda.device_array); host code
  // passes such arrays to GPU functions but cannot read their elements.
  bool is_device() const { return kind_ == TypeKind::Array && bits_ == 1; }
  const std::vector<const Type*>& elements() const { return elements_; }  // Tuple

  // Numba's spelling: float64, array(float32, 2d, C), UniTuple(int64 x 2).
  std::string str() const;

 private:
  friend struct TypeInterner;
  TypeKind kind_ = TypeKind::Error;
  unsigned bits_ = 0;
  bool signed_ = false;
  const Type* elem_ = nullptr;
  int ndim_ = 0;
  Layout layout_ = Layout::A;
  std::vector<const Type*> elements_;
};

const Type* error_type();
const Type* unknown_type();
const Type* none_type();
const Type* bool_type();
const Type* int_type(unsigned bits, bool is_signed);
const Type* float_type(unsigned bits);
const Type* string_type();
const Type* arglist_type();
const Type* int64();
const Type* float64();
const Type* array_type(const Type* elem, int ndim, Layout layout, bool device = false);
// The same array type in host memory (GPU code sees every array as an ordinary array).
const Type* host_array(const Type* t);
const Type* tuple_type(const std::vector<const Type*>& elements);
const Type* dtype_type(const Type* scalar);

// The scalar named like a NumPy dtype ("float32", "int64", "bool", "boolean"), or null.
const Type* scalar_by_name(const std::string& name);

// Python literals are "weak" (NEP 50): they take the type of the typed operand.
enum class Weak { No, Int, Float };

struct Operand {
  const Type* type;
  Weak weak = Weak::No;
};

// NumPy's result_type of two typed scalars.
const Type* promote(const Type* a, const Type* b);
// Promotion of two operands of an arithmetic operator, literals weak (NEP 50). The
// result is weak only when both operands are.
Operand promote_operands(Operand a, Operand b);
// The type a variable gets when assigned values of both types (Numba's unification:
// numeric types promote, arrays must agree in dtype and rank); null if incompatible.
const Type* unify(const Type* a, const Type* b);

}  // namespace nk::ir
