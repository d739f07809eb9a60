// The on-disk compilation cache (SPEC 5): entries of compiled code under
// $XDG_CACHE_HOME/nk (default ~/.cache/nk), named by a hash of everything that
// changes the result. Writes are atomic (write, then rename); a truncated, corrupt or
// foreign entry is detected on load and treated as a miss; processes may share it.
#pragma once

#include <cstdint>
#include <string>

namespace nk::runtime {

// A 128-bit hash, as 32 hex digits (two FNV-1a variants; the key itself is also stored
// in the entry and compared, so a collision is a miss, never a wrong result).
std::string hash_hex(const std::string& data);

// Identifies this build of nk (the binary or library holding this code: its size,
// modification time and inode), so a rebuilt compiler never reuses code cached by
// another build with the same version number.
std::string build_fingerprint();

class DiskCache {
 public:
  explicit DiskCache(std::string dir);
  // $XDG_CACHE_HOME/nk, or $HOME/.cache/nk, or ./.nk-cache as a last resort.
  static std::string default_dir();

  const std::string& dir() const { return dir_; }
  // Loads the entry for `key`; false on a miss (absent, corrupt, or another key).
  bool load(const std::string& key, std::string& payload) const;
  // Stores atomically; false (with `error`) when the directory is not writable.
  bool store(const std::string& key, const std::string& payload, std::string& error) const;

  struct Info {
    uint64_t entries = 0;
    uint64_t bytes = 0;
  };
  Info info() const;
  // Removes every entry; returns how many.
  uint64_t clear() const;

 private:
  std::string path_for(const std::string& key) const;
  std::string dir_;
};

}  // namespace nk::runtime
