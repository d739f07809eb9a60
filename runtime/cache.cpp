// The disk cache. Entry layout: "NKC1", u32 format version, u64 key length, key,
// u64 payload length, u64 payload checksum, payload.
#include "runtime/cache.h"

#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace nk::runtime {
namespace {

constexpr char kMagic[4] = {'N', 'K', 'C', '1'};
constexpr uint32_t kFormat = 1;
constexpr const char* kSuffix = ".nkc";

uint64_t fnv1a(const std::string& data, uint64_t seed) {
  uint64_t h = seed;
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

bool get_u64(const std::string& in, size_t& pos, uint64_t& v) {
  if (pos + 8 > in.size()) return false;
  v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(in[pos + i])) << (8 * i);
  pos += 8;
  return true;
}

}  // namespace

std::string build_fingerprint() {
  static const std::string fingerprint = [] {
    Dl_info info{};
    struct stat st{};
    if (dladdr(reinterpret_cast<void*>(&build_fingerprint), &info) == 0 || !info.dli_fname ||
        stat(info.dli_fname, &st) != 0)
      return std::string("unknown-build");
    return std::to_string(st.st_size) + "-" + std::to_string(st.st_mtim.tv_sec) + "." +
           std::to_string(st.st_mtim.tv_nsec) + "-" + std::to_string(st.st_ino);
  }();
  return fingerprint;
}

std::string hash_hex(const std::string& data) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(fnv1a(data, 0xcbf29ce484222325ull)),
                static_cast<unsigned long long>(fnv1a(data, 0x84222325cbf29ce4ull)));
  return buf;
}

DiskCache::DiskCache(std::string dir) : dir_(std::move(dir)) {}

std::string DiskCache::default_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::string(xdg) + "/nk";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.cache/nk";
  return ".nk-cache";
}

std::string DiskCache::path_for(const std::string& key) const { return dir_ + "/" + hash_hex(key) + kSuffix; }

bool DiskCache::load(const std::string& key, std::string& payload) const {
  std::ifstream f(path_for(key), std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  std::string data = ss.str();
  size_t pos = 0;
  if (data.size() < 8 || std::memcmp(data.data(), kMagic, 4) != 0) return false;
  uint32_t format = 0;
  std::memcpy(&format, data.data() + 4, 4);
  if (format != kFormat) return false;
  pos = 8;
  uint64_t key_len = 0, payload_len = 0, checksum = 0;
  if (!get_u64(data, pos, key_len) || key_len > data.size() - pos) return false;
  if (data.compare(pos, key_len, key) != 0 || key_len != key.size()) return false;
  pos += key_len;
  if (!get_u64(data, pos, payload_len) || !get_u64(data, pos, checksum)) return false;
  if (payload_len != data.size() - pos) return false;  // truncated or padded
  payload = data.substr(pos);
  return fnv1a(payload, 0xcbf29ce484222325ull) == checksum;
}

bool DiskCache::store(const std::string& key, const std::string& payload, std::string& error) const {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) {
    error = "cannot create cache directory '" + dir_ + "': " + ec.message();
    return false;
  }
  std::string data(kMagic, 4);
  uint32_t format = kFormat;
  data.append(reinterpret_cast<const char*>(&format), 4);
  put_u64(data, key.size());
  data += key;
  put_u64(data, payload.size());
  put_u64(data, fnv1a(payload, 0xcbf29ce484222325ull));
  data += payload;
  // Write a private temporary file, then rename it over the entry: readers see the old
  // entry or the new one, never a partial file.
  static std::atomic<uint64_t> counter{0};
  std::string final_path = path_for(key);
  std::string tmp = final_path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(data.data(), static_cast<std::streamsize>(data.size()));
    f.close();
    if (!f) {
      std::filesystem::remove(tmp, ec);
      error = "cannot write cache entry in '" + dir_ + "'";
      return false;
    }
  }
  std::filesystem::rename(tmp, final_path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    error = "cannot write cache entry in '" + dir_ + "'";
    return false;
  }
  return true;
}

DiskCache::Info DiskCache::info() const {
  Info info;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    if (entry.path().extension() != kSuffix) continue;
    ++info.entries;
    info.bytes += entry.file_size(ec);
  }
  return info;
}

uint64_t DiskCache::clear() const {
  uint64_t removed = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    std::string name = entry.path().filename().string();
    if (entry.path().extension() == kSuffix || name.find(".nkc.tmp.") != std::string::npos) {
      std::error_code rm;
      if (std::filesystem::remove(entry.path(), rm)) ++removed;
    }
  }
  return removed;
}

}  // namespace nk::runtime
