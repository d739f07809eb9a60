// Generic walks over the typed IR: the immediate sub-expressions of an expression, and
// the immediate expressions and sub-statements of a statement. Analyses recurse with
// these instead of each switching over every node kind.
#pragma once

#include <functional>

#include "ir/ir.h"

namespace nk::ir {

using ExprVisitor = std::function<void(const Expr&)>;
using StmtVisitor = std::function<void(const Stmt&)>;

// Calls `f` on each direct operand of `e` (not on `e` itself).
void for_each_operand(const Expr& e, const ExprVisitor& f);
// Calls `on_expr` on each expression held directly by `s` and `on_stmt` on each direct
// sub-statement (the bodies of if/while/for, the statements of a block).
void for_each_child(const Stmt& s, const ExprVisitor& on_expr, const StmtVisitor& on_stmt);
// Calls `f` on `e` and on every expression below it.
void walk_expr(const Expr& e, const ExprVisitor& f);
// Calls `f` on every expression in `s` and in the statements below it.
void walk_exprs(const Stmt& s, const ExprVisitor& f);

}  // namespace nk::ir
