// Unit tests of the disk cache: hits, misses, corrupt and foreign entries, atomicity.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "runtime/cache.h"

namespace nk::runtime {
namespace {

std::string temp_dir(const char* name) {
  std::string dir = (std::filesystem::temp_directory_path() / ("nk-cache-test-" + std::string(name))).string();
  std::filesystem::remove_all(dir);
  return dir;
}

TEST(DiskCache, StoreThenLoad) {
  DiskCache cache(temp_dir("roundtrip"));
  std::string payload, error;
  EXPECT_FALSE(cache.load("key", payload));
  ASSERT_TRUE(cache.store("key", std::string("object\0code", 11), error)) << error;
  ASSERT_TRUE(cache.load("key", payload));
  EXPECT_EQ(payload, std::string("object\0code", 11));
  EXPECT_FALSE(cache.load("other key", payload));
  EXPECT_EQ(cache.info().entries, 1u);
  EXPECT_EQ(cache.clear(), 1u);
  EXPECT_FALSE(cache.load("key", payload));
}

TEST(DiskCache, CorruptAndTruncatedEntriesAreMisses) {
  std::string dir = temp_dir("corrupt");
  DiskCache cache(dir);
  std::string payload, error;
  ASSERT_TRUE(cache.store("k", std::string(1000, 'x'), error));
  std::string path;
  for (const auto& e : std::filesystem::directory_iterator(dir)) path = e.path().string();
  // Flip one payload byte: the checksum catches it.
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-10, std::ios::end);
    f.put('y');
  }
  EXPECT_FALSE(cache.load("k", payload));
  // Truncate it.
  std::filesystem::resize_file(path, 40);
  EXPECT_FALSE(cache.load("k", payload));
  // Garbage.
  std::ofstream(path, std::ios::binary | std::ios::trunc) << "not a cache entry";
  EXPECT_FALSE(cache.load("k", payload));
  // Rebuilt over the bad entry.
  ASSERT_TRUE(cache.store("k", "fresh", error));
  ASSERT_TRUE(cache.load("k", payload));
  EXPECT_EQ(payload, "fresh");
}

TEST(DiskCache, ConcurrentWritersLeaveOneCompleteEntry) {
  DiskCache cache(temp_dir("race"));
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      std::string error;
      for (int i = 0; i < 50; ++i) cache.store("shared", std::string(4096, static_cast<char>('a' + t)), error);
    });
  for (auto& t : threads) t.join();
  std::string payload;
  ASSERT_TRUE(cache.load("shared", payload));
  EXPECT_EQ(payload.size(), 4096u);
  EXPECT_EQ(payload.find_first_not_of(payload[0]), std::string::npos);
  EXPECT_EQ(cache.info().entries, 1u);
}

TEST(DiskCache, UnwritableDirectoryIsAnError) {
  DiskCache cache("/proc/nk-cannot-write-here");
  std::string error;
  EXPECT_FALSE(cache.store("k", "v", error));
  EXPECT_FALSE(error.empty());
}

TEST(DiskCache, HashIsStable) {
  EXPECT_EQ(hash_hex("abc").size(), 32u);
  EXPECT_EQ(hash_hex("abc"), hash_hex("abc"));
  EXPECT_NE(hash_hex("abc"), hash_hex("abd"));
}

}  // namespace
}  // namespace nk::runtime
