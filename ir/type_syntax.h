// Types written by the user: annotations (`float64[:, ::1]`, `np.float32`, `int`) and
// Numba signature strings ("float64(float64[:], int64)").
#pragma once

#include <string>
#include <vector>

#include "frontend/ast.h"
#include "frontend/diagnostics.h"
#include "ir/types.h"

namespace nk::ir {

// The type an annotation denotes; reports and returns error_type() when it is not one.
const Type* type_from_annotation(const ast::Expr& annotation, Diagnostics& diags);

// The scalar type a dtype expression names without reporting (np.float32, float32,
// float, "float32"), or null.
const Type* scalar_from_dtype_expr(const ast::Expr& e);

struct Signature {
  std::vector<const Type*> params;
  const Type* return_type = nullptr;  // null when the signature gives none
};

// Parses a signature string literal (`literal` is the StrLit node, for locations).
bool parse_signature(const ast::Expr& literal, const SourceFile& file, Diagnostics& diags, Signature& out);
// The same for a signature given on the command line (errors reported at offset 0).
bool parse_signature_text(const std::string& text, const SourceFile& file, Diagnostics& diags, Signature& out);

}  // namespace nk::ir
