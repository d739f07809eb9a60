// Prints the typed IR (`nk compile --emit=ir`) and the per-function type summary
// (`nk types`, like Numba's inspect_types).
#pragma once

#include <ostream>

#include "ir/ir.h"

namespace nk::ir {

void print_function(std::ostream& out, const Function& fn);
void print_program(std::ostream& out, const Program& program);
// Signature and the type of every named local, one specialisation after another.
void print_types(std::ostream& out, const Program& program);

}  // namespace nk::ir
