// Large host arrays are advised onto huge pages (runtime/arrays.cpp), as NumPy's are:
// the kernel marks such a mapping "hg" in /proc/self/smaps. Small arrays are not.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#include "runtime/entry_points.h"

namespace {

struct Desc1 {
  void* meminfo;
  void* data;
  int64_t shape;
  int64_t stride;
};

// The VmFlags of the mapping holding `address`, or "" when /proc/self/smaps has none.
std::string vm_flags_at(const void* address) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  auto at = reinterpret_cast<uintptr_t>(address);
  while (std::getline(smaps, line)) {
    uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> lo >> dash >> hi && dash == '-' && line.find(' ') != std::string::npos &&
        line.find(':') > line.find(' ')) {
      inside = lo <= at && at < hi;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) return line;
  }
  return "";
}

TEST(ArrayPages, LargeArraysAreAdvisedOntoHugePages) {
  std::ifstream probe("/proc/self/smaps");
  if (!probe) GTEST_SKIP() << "no /proc/self/smaps here (not Linux)";
  Desc1 large{nullptr, nullptr, int64_t{1} << 20, 0};  // 8 MiB of float64
  ASSERT_EQ(nk_array_new(&large, 1, 8, 0), 0);
  char* middle = static_cast<char*>(large.data) + (int64_t{4} << 20);
  std::string flags = vm_flags_at(middle);
  ASSERT_FALSE(flags.empty());
  EXPECT_NE(flags.find(" hg"), std::string::npos) << flags;

  Desc1 small{nullptr, nullptr, 1024, 0};  // 8 KiB
  ASSERT_EQ(nk_array_new(&small, 1, 8, 1), 0);
  std::string small_flags = vm_flags_at(small.data);
  EXPECT_EQ(small_flags.find(" hg"), std::string::npos) << small_flags;
  nk_array_free(small.meminfo);
  nk_array_free(large.meminfo);
}

}  // namespace
