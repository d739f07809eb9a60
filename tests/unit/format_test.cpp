// Unit tests for runtime/format: float reprs, format specs and array printing must match
// CPython and NumPy byte for byte. The cases come from real Python/NumPy: regenerate
// tests/unit/format_cases.inc with `python3 tests/unit/gen_format_cases.py` (numpy >= 2).
#include "runtime/format.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace nk::runtime {
namespace {

struct Float64Case {
  uint64_t bits;
  const char* repr;
};

struct Float32Case {
  uint32_t bits;
  const char* str;
};

// Texts of the spec cases are string_views: format(0, 'c') is a NUL character.
struct IntSpecCase {
  int64_t value;  // the bits of a uint64 when is_unsigned
  bool is_unsigned;
  std::string_view spec;
  bool ok;
  std::string_view expected;  // the text, or Python's error message
};

struct FloatSpecCase {
  uint64_t bits;  // the value as a float64 (exact for float32 values)
  bool is_float32;
  std::string_view spec;
  bool ok;
  std::string_view expected;
};

struct BoolSpecCase {
  bool value;
  std::string_view spec;
  bool ok;
  std::string_view expected;
};

struct StrSpecCase {
  std::string_view value;
  std::string_view spec;
  bool ok;
  std::string_view expected;
};

// Big arrays would bloat the case file, so their base buffers are a formula both sides
// compute bit for bit (see gen_base in gen_format_cases.py).
struct ArrayFormula {
  uint64_t mul, add, mod;
  int64_t sub;
  double scale;
  int64_t special_every;  // nan at i % n == 0, -inf at i % n == 1 (floats)
};

struct ArrayCase {
  DType dtype;
  int ndim;
  int64_t shape[2];
  int64_t strides[2];  // bytes
  int64_t offset;      // bytes from the base buffer's start to the view's first element
  int64_t base_elems;
  ArrayFormula gen;
  const char* hex;  // the base buffer; empty: use gen
  const char* expected;
};

using namespace std::string_view_literals;

#include "format_cases.inc"

double f64(uint64_t bits) {
  double v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

float f32(uint32_t bits) {
  float v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

template <typename T>
void store(std::vector<unsigned char>& buf, int64_t i, T v) {
  std::memcpy(buf.data() + i * sizeof(T), &v, sizeof(T));
}

std::vector<unsigned char> base_buffer(const ArrayCase& c) {
  const size_t elem = dtype_size(c.dtype);
  std::vector<unsigned char> buf(static_cast<size_t>(c.base_elems) * elem + 8);
  if (c.hex[0] != '\0') {
    const size_t n = std::strlen(c.hex) / 2;
    for (size_t i = 0; i < n; ++i) buf[i] = static_cast<unsigned char>(std::stoi(std::string(c.hex + 2 * i, 2), nullptr, 16));
    return buf;
  }
  const ArrayFormula& g = c.gen;
  for (int64_t i = 0; i < c.base_elems; ++i) {
    uint64_t k = (static_cast<uint64_t>(i) * g.mul + g.add) % g.mod;
    int64_t v = static_cast<int64_t>(k) - g.sub;
    double d = static_cast<double>(v) * g.scale;
    if (g.special_every > 0 && i % g.special_every == 0) d = std::numeric_limits<double>::quiet_NaN();
    if (g.special_every > 0 && i % g.special_every == 1) d = -std::numeric_limits<double>::infinity();
    switch (c.dtype) {
      case DType::Bool: store<uint8_t>(buf, i, k % 2 == 1 ? 1 : 0); break;
      case DType::Int8: store(buf, i, static_cast<int8_t>(v)); break;
      case DType::Int16: store(buf, i, static_cast<int16_t>(v)); break;
      case DType::Int32: store(buf, i, static_cast<int32_t>(v)); break;
      case DType::Int64: store(buf, i, v); break;
      case DType::UInt8: store(buf, i, static_cast<uint8_t>(v)); break;
      case DType::UInt16: store(buf, i, static_cast<uint16_t>(v)); break;
      case DType::UInt32: store(buf, i, static_cast<uint32_t>(v)); break;
      case DType::UInt64: store(buf, i, static_cast<uint64_t>(v)); break;
      case DType::Float32: store(buf, i, static_cast<float>(d)); break;
      case DType::Float64: store(buf, i, d); break;
    }
  }
  return buf;
}

TEST(DType, SizesAndNames) {
  EXPECT_EQ(dtype_size(DType::Bool), 1u);
  EXPECT_EQ(dtype_size(DType::Int16), 2u);
  EXPECT_EQ(dtype_size(DType::UInt32), 4u);
  EXPECT_EQ(dtype_size(DType::Float32), 4u);
  EXPECT_EQ(dtype_size(DType::UInt64), 8u);
  EXPECT_EQ(dtype_size(DType::Float64), 8u);
  EXPECT_STREQ(dtype_name(DType::Bool), "bool");
  EXPECT_STREQ(dtype_name(DType::Int8), "int8");
  EXPECT_STREQ(dtype_name(DType::UInt64), "uint64");
  EXPECT_STREQ(dtype_name(DType::Float32), "float32");
  EXPECT_STREQ(dtype_name(DType::Float64), "float64");
}

TEST(Format, Float64ReprMatchesPython) {
  EXPECT_GT(std::size(kFloat64Repr), 500u);
  for (const Float64Case& c : kFloat64Repr) {
    EXPECT_EQ(repr_float64(f64(c.bits)), c.repr) << "bits 0x" << std::hex << c.bits;
  }
}

TEST(Format, Float32StrMatchesNumPy) {
  EXPECT_GT(std::size(kFloat32Repr), 500u);
  for (const Float32Case& c : kFloat32Repr) {
    EXPECT_EQ(repr_float32(f32(c.bits)), c.str) << "bits 0x" << std::hex << c.bits;
  }
}

TEST(Format, IntSpecsMatchPython) {
  EXPECT_GT(std::size(kIntSpecs), 500u);
  for (const IntSpecCase& c : kIntSpecs) {
    std::string out, error;
    bool ok = format_int(out, c.value, c.is_unsigned, c.spec, error);
    std::string value = c.is_unsigned ? std::to_string(static_cast<uint64_t>(c.value)) : std::to_string(c.value);
    EXPECT_EQ(ok, c.ok) << "format(" << value << ", '" << c.spec << "'): " << (ok ? out : error);
    EXPECT_EQ(ok ? out : error, c.expected) << "format(" << value << ", '" << c.spec << "')";
  }
}

TEST(Format, FloatSpecsMatchPython) {
  EXPECT_GT(std::size(kFloatSpecs), 500u);
  for (const FloatSpecCase& c : kFloatSpecs) {
    std::string out, error;
    bool ok = format_float(out, f64(c.bits), c.is_float32, c.spec, error);
    EXPECT_EQ(ok, c.ok) << "format(" << repr_float64(f64(c.bits)) << ", '" << c.spec << "'): " << (ok ? out : error);
    EXPECT_EQ(ok ? out : error, c.expected) << "format(" << repr_float64(f64(c.bits)) << ", '" << c.spec << "')";
  }
}

TEST(Format, BoolSpecsMatchPython) {
  for (const BoolSpecCase& c : kBoolSpecs) {
    std::string out, error;
    bool ok = format_bool(out, c.value, c.spec, error);
    EXPECT_EQ(ok, c.ok) << "format(" << c.value << ", '" << c.spec << "'): " << (ok ? out : error);
    EXPECT_EQ(ok ? out : error, c.expected) << "format(" << c.value << ", '" << c.spec << "')";
  }
}

TEST(Format, StrSpecsMatchPython) {
  for (const StrSpecCase& c : kStrSpecs) {
    std::string out, error;
    bool ok = format_str(out, c.value, c.spec, error);
    EXPECT_EQ(ok, c.ok) << "format('" << c.value << "', '" << c.spec << "'): " << (ok ? out : error);
    EXPECT_EQ(ok ? out : error, c.expected) << "format('" << c.value << "', '" << c.spec << "')";
  }
}

TEST(Format, ArraysMatchNumPy) {
  EXPECT_GT(std::size(kArrays), 200u);
  for (const ArrayCase& c : kArrays) {
    std::vector<unsigned char> buf = base_buffer(c);
    std::string got = format_array(buf.data() + c.offset, c.dtype, c.ndim, c.shape, c.strides);
    EXPECT_EQ(got, c.expected) << dtype_name(c.dtype) << " shape (" << c.shape[0] << ", " << c.shape[1]
                               << ") strides (" << c.strides[0] << ", " << c.strides[1] << ")";
  }
}

TEST(Format, ZeroSizeArrays) {
  const int64_t shape1[] = {0};
  const int64_t strides1[] = {8};
  EXPECT_EQ(format_array(nullptr, DType::Float64, 1, shape1, strides1), "[]");
  const int64_t shape2[] = {3, 0};
  const int64_t strides2[] = {0, 4};
  EXPECT_EQ(format_array(nullptr, DType::Int32, 2, shape2, strides2), "[]");
}

}  // namespace
}  // namespace nk::runtime
