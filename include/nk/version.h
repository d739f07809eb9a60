// nk's version, the one place it is written down (CMakeLists.txt's project() repeats
// it for packaging). `nk --version` prints it; the cache keys on it.
#pragma once

#define NK_VERSION_MAJOR 0
#define NK_VERSION_MINOR 1
#define NK_VERSION_PATCH 0

namespace nk {

inline constexpr const char* kVersion = "0.1.0";

}  // namespace nk
