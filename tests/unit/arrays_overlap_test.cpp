// nk_arrays_overlap (runtime/arrays.cpp): whether two of a function's array parameters
// share memory, counting only pairs of which one is stored to. Compiled code asks it on
// entry and runs the loops that assume disjoint parameters only when it says no.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "runtime/entry_points.h"

namespace {

// A descriptor: meminfo, data, then the shape and the strides (bytes), ndim each.
struct Desc2 {
  void* meminfo;
  void* data;
  int64_t dims[4];
};

struct Entry {
  const void* desc;
  int64_t info;
};

int64_t info(int ndim, bool stored) { return (int64_t{8} << 16) | (stored ? 1 << 8 : 0) | ndim; }

// A 1-d view of `base` (doubles): `count` elements from `first`, `step` apart.
Desc2 view(double* base, int64_t first, int64_t count, int64_t step) {
  return {nullptr, base + first, {count, step * 8, 0, 0}};
}

int32_t overlap(std::vector<Entry> entries) {
  return nk_arrays_overlap(entries.data(), static_cast<int32_t>(entries.size()));
}

}  // namespace

TEST(ArraysOverlap, DisjointAndSharedRanges) {
  std::vector<double> buf(100);
  Desc2 lo = view(buf.data(), 0, 50, 1), hi = view(buf.data(), 50, 50, 1), mid = view(buf.data(), 49, 2, 1);
  EXPECT_EQ(overlap({{&lo, info(1, true)}, {&hi, info(1, false)}}), 0);
  EXPECT_EQ(overlap({{&lo, info(1, true)}, {&mid, info(1, false)}}), 1);
  EXPECT_EQ(overlap({{&hi, info(1, false)}, {&mid, info(1, true)}}), 1);
  EXPECT_EQ(overlap({{&lo, info(1, true)}, {&lo, info(1, false)}}), 1);  // f(a, a)
}

TEST(ArraysOverlap, OnlyPairsWithAStore) {
  std::vector<double> buf(10);
  Desc2 a = view(buf.data(), 0, 10, 1);
  EXPECT_EQ(overlap({{&a, info(1, false)}, {&a, info(1, false)}}), 0);  // both only read
}

TEST(ArraysOverlap, NegativeStridesAndEmptyArrays) {
  std::vector<double> buf(100);
  // buf[49::-1] covers buf[0..49]; buf[50:] starts right after it.
  Desc2 reversed = view(buf.data(), 49, 50, -1), tail = view(buf.data(), 50, 50, 1);
  Desc2 reversed_long = view(buf.data(), 50, 51, -1);  // buf[50::-1] reaches buf[50]
  Desc2 empty = view(buf.data(), 10, 0, 1);
  EXPECT_EQ(overlap({{&reversed, info(1, true)}, {&tail, info(1, true)}}), 0);
  EXPECT_EQ(overlap({{&reversed_long, info(1, true)}, {&tail, info(1, false)}}), 1);
  EXPECT_EQ(overlap({{&empty, info(1, true)}, {&reversed, info(1, true)}}), 0);
}

TEST(ArraysOverlap, TwoDimensionalRowsAndColumns) {
  std::vector<double> buf(16);  // a 4 x 4 C-order matrix
  Desc2 matrix{nullptr, buf.data(), {4, 4, 32, 8}};
  Desc2 row1 = view(buf.data(), 4, 4, 1), column2 = view(buf.data(), 2, 4, 4);
  Desc2 outside = view(buf.data() + 16, 0, 0, 1);
  std::vector<double> other(4);
  Desc2 elsewhere = view(other.data(), 0, 4, 1);
  EXPECT_EQ(overlap({{&matrix, info(2, false)}, {&row1, info(1, true)}}), 1);
  EXPECT_EQ(overlap({{&matrix, info(2, true)}, {&column2, info(1, false)}}), 1);
  EXPECT_EQ(overlap({{&matrix, info(2, true)}, {&elsewhere, info(1, true)}, {&outside, info(1, true)}}), 0);
}

TEST(ArraysOverlap, InterleavedViewsShareNoByte) {
  std::vector<double> buf(100);
  Desc2 even = view(buf.data(), 0, 50, 2), odd = view(buf.data(), 1, 50, 2);
  Desc2 even_from_2 = view(buf.data(), 2, 49, 2), odd_reversed = view(buf.data(), 99, 50, -2);
  Desc2 every_third = view(buf.data(), 1, 33, 3);
  EXPECT_EQ(overlap({{&even, info(1, true)}, {&odd, info(1, true)}}), 0);
  EXPECT_EQ(overlap({{&odd, info(1, true)}, {&even, info(1, false)}}), 0);  // either order
  EXPECT_EQ(overlap({{&even, info(1, true)}, {&odd_reversed, info(1, false)}}), 0);
  EXPECT_EQ(overlap({{&even, info(1, true)}, {&even_from_2, info(1, false)}}), 1);
  EXPECT_EQ(overlap({{&even, info(1, true)}, {&every_third, info(1, false)}}), 1);  // other stride
  // float32 items halfway into a float64 slot still share bytes with it.
  auto* bytes = reinterpret_cast<char*>(buf.data());
  Desc2 halves{nullptr, bytes + 4, {50, 16, 0, 0}};
  EXPECT_EQ(overlap({{&even, info(1, true)}, {&halves, (int64_t{4} << 16) | 1}}), 1);
}

