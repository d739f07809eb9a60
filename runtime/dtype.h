// Element types of arrays as the runtime sees them (the typed IR's scalar types).
#pragma once

#include <cstddef>
#include <cstdint>

namespace nk::runtime {

enum class DType : int32_t { Bool, Int8, Int16, Int32, Int64, UInt8, UInt16, UInt32, UInt64, Float32, Float64 };

size_t dtype_size(DType t);
const char* dtype_name(DType t);  // "float64", ... (NumPy's names)

}  // namespace nk::runtime
