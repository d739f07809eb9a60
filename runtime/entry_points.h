// The C entry points of codegen/runtime_functions.def, as compiled code calls them,
// and the table that maps their names to addresses for the JIT.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

extern "C" {
#define i1 bool
#define i8 int8_t
#define i32 int32_t
#define i64 int64_t
#define f32 float
#define f64 double
#define ptr void*
#define NK_PARAMS(...) (__VA_ARGS__)
#define RUNTIME_FN(name, ret, args) ret name NK_PARAMS args;
#include "codegen/runtime_functions.def"
#undef RUNTIME_FN
#undef NK_PARAMS
#undef i1
#undef i8
#undef i32
#undef i64
#undef f32
#undef f64
#undef ptr
}

namespace nk::runtime {

// (name, address) of every entry point, for the JIT's symbol table.
const std::vector<std::pair<std::string, void*>>& entry_points();

}  // namespace nk::runtime
