// Operator enums generated from operators.def, with their spellings.
#pragma once

namespace nk {

enum class BinaryOp {
#define BINARY(kind, spelling, dunder) kind,
#define UNARY(kind, spelling)
#define COMPARE(kind, spelling)
#include "frontend/operators.def"
#undef BINARY
#undef UNARY
#undef COMPARE
};

enum class UnaryOp {
#define BINARY(kind, spelling, dunder)
#define UNARY(kind, spelling) kind,
#define COMPARE(kind, spelling)
#include "frontend/operators.def"
#undef BINARY
#undef UNARY
#undef COMPARE
};

enum class CompareOp {
#define BINARY(kind, spelling, dunder)
#define UNARY(kind, spelling)
#define COMPARE(kind, spelling) kind,
#include "frontend/operators.def"
#undef BINARY
#undef UNARY
#undef COMPARE
};

enum class BoolOpKind { And, Or };

const char* spelling(BinaryOp op);
const char* spelling(UnaryOp op);
const char* spelling(CompareOp op);
const char* spelling(BoolOpKind op);
const char* name(BinaryOp op);  // e.g. "Add", for printers
const char* name(UnaryOp op);
const char* name(CompareOp op);

}  // namespace nk
