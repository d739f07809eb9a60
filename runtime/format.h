// Text as Python and NumPy print it: float reprs, format specs of f-strings and
// format(), and 1-d/2-d arrays as NumPy's print() shows them. Pure C++, no LLVM.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/dtype.h"

namespace nk::runtime {

// Python's repr(float): shortest round-trip digits; '1.0', '1e-05', '0.1', '1e+16',
// 'inf', '-inf', 'nan', '-0.0'.
std::string repr_float64(double v);
// str() of a NumPy float32 scalar, as print() shows it: '0.1', '1e+06', '3.0'.
std::string repr_float32(float v);

// One value formatted with a Python format spec (the part after ':' in an f-string,
// e.g. ".3f", ">8d", ".2e", "08.3f", ",", "+.1%"), as format(value, spec) does for
// Python int/float/bool/str (float32 values are formatted as Python floats, as
// f"{np.float32(x):.3f}" does; an empty spec gives str()). Returns false and sets
// `error` to Python's ValueError message for a spec that does not apply.
bool format_int(std::string& out, int64_t v, bool is_unsigned, std::string_view spec, std::string& error);
bool format_float(std::string& out, double v, bool is_float32, std::string_view spec, std::string& error);
bool format_bool(std::string& out, bool v, std::string_view spec, std::string& error);
bool format_str(std::string& out, std::string_view v, std::string_view spec, std::string& error);

// str(a) of a NumPy array with 1 or 2 dimensions (NumPy's default print options:
// precision 8, line width 75, summarised with '...' above 1000 elements).
// strides are in bytes.
std::string format_array(const void* data, DType dtype, int ndim, const int64_t* shape, const int64_t* strides);

}  // namespace nk::runtime
