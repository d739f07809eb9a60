// Generic walks over the typed IR: the immediate sub-expressions of an expression, and
// the immediate expressions and sub-statements of a statement. Analyses recurse with
// these instead of each switching over every node kind.
#pragma once

#include <functional>
#include <set>
#include <vector>

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

// The locals that `s` and the statements below it define: assignments, range-loop
// variables and lets.
std::set<int> defined_locals(const Stmt& s);
// Whether a loop (range or while) is below `s`.
bool contains_loop(const Stmt& s);
// Calls `f` on every element access in and below `s`, array[indices]: the loads (as
// walk_exprs meets them), then the stores.
using AccessVisitor = std::function<void(const Expr& array, const std::vector<ExprRef>& indices, bool store)>;
void for_each_element_access(const Stmt& s, const AccessVisitor& f);

}  // namespace nk::ir
