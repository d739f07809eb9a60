// The name -> address table of the runtime's entry points, from runtime_functions.def.
#include "runtime/entry_points.h"

namespace nk::runtime {

const std::vector<std::pair<std::string, void*>>& entry_points() {
  static const std::vector<std::pair<std::string, void*>> table = {
#define RUNTIME_FN(name, ret, args) {#name, reinterpret_cast<void*>(&name)},
#include "codegen/runtime_functions.def"
#undef RUNTIME_FN
  };
  return table;
}

}  // namespace nk::runtime
