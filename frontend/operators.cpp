// Spellings of the operators in operators.def.
#include "frontend/operators.h"

namespace nk {

const char* spelling(BinaryOp op) {
  switch (op) {
#define BINARY(kind, s, dunder) case BinaryOp::kind: return s;
#define UNARY(kind, s)
#define COMPARE(kind, s)
#include "frontend/operators.def"
#undef BINARY
#undef UNARY
#undef COMPARE
  }
  return "?";
}

const char* spelling(UnaryOp op) {
  switch (op) {
#define BINARY(kind, s, dunder)
#define UNARY(kind, s) case UnaryOp::kind: return s;
#define COMPARE(kind, s)
#include "frontend/operators.def"
#undef BINARY
#undef UNARY
#undef COMPARE
  }
  return "?";
}

const char* spelling(CompareOp op) {
  switch (op) {
#define BINARY(kind, s, dunder)
#define UNARY(kind, s)
#define COMPARE(kind, s) case CompareOp::kind: return s;
#include "frontend/operators.def"
#undef BINARY
#undef UNARY
#undef COMPARE
  }
  return "?";
}

const char* spelling(BoolOpKind op) { return op == BoolOpKind::And ? "and" : "or"; }

const char* name(BinaryOp op) {
  switch (op) {
#define BINARY(kind, s, dunder) case BinaryOp::kind: return #kind;
#define UNARY(kind, s)
#define COMPARE(kind, s)
#include "frontend/operators.def"
#undef BINARY
#undef UNARY
#undef COMPARE
  }
  return "?";
}

const char* name(UnaryOp op) {
  switch (op) {
#define BINARY(kind, s, dunder)
#define UNARY(kind, s) case UnaryOp::kind: return #kind;
#define COMPARE(kind, s)
#include "frontend/operators.def"
#undef BINARY
#undef UNARY
#undef COMPARE
  }
  return "?";
}

const char* name(CompareOp op) {
  switch (op) {
#define BINARY(kind, s, dunder)
#define UNARY(kind, s)
#define COMPARE(kind, s) case CompareOp::kind: return #kind;
#include "frontend/operators.def"
#undef BINARY
#undef UNARY
#undef COMPARE
  }
  return "?";
}

}  // namespace nk
