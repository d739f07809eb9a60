// The memory behind an array: a descriptor's meminfo points at a 64-byte block header
// whose first word is the reference count compiled code changes; the tag says whether
// the data lives in the same host block (right after the header) or on the GPU.
#pragma once

#include <cstddef>
#include <cstdint>

namespace nk::runtime {

constexpr size_t kBlockHeaderBytes = 64;

enum BlockTag : int64_t {
  kHostBlock = 0,    // malloc(header + bytes); the data starts at meminfo + 64
  kDeviceBlock = 1,  // malloc(header) alone; the data is GPU memory at device_ptr
};

struct BlockHeader {
  int64_t count;        // offset 0: reference count (compiled code reads and writes it)
  int64_t tag;          // offset 8: a BlockTag
  int64_t bytes;        // offset 16: byte count of the data
  uint64_t device_ptr;  // offset 24: the CUdeviceptr of a device block (0 when bytes is 0)
  int64_t unused[4];
};
static_assert(sizeof(BlockHeader) == kBlockHeaderBytes, "compiled code and the runtime agree on 64 bytes");
static_assert(offsetof(BlockHeader, tag) == 8 && offsetof(BlockHeader, bytes) == 16 &&
                  offsetof(BlockHeader, device_ptr) == 24,
              "the header layout is part of the runtime's contract");

inline BlockHeader* block_header(void* meminfo) { return static_cast<BlockHeader*>(meminfo); }
inline bool is_device_block(void* meminfo) { return meminfo && block_header(meminfo)->tag == kDeviceBlock; }
// The data of a host block.
inline char* host_block_data(void* meminfo) { return static_cast<char*>(meminfo) + kBlockHeaderBytes; }

// An array descriptor as compiled code lays it out: {meminfo, data, shape[ndim],
// strides[ndim]} with strides in bytes. meminfo is null for memory nk does not own
// (views borrowed through the C++ API, descriptors handed to kernels).
struct ArrayDesc {
  void* meminfo;
  char* data;
  int64_t* shape() { return reinterpret_cast<int64_t*>(this + 1); }
  int64_t* strides(int ndim) { return shape() + ndim; }
};
static_assert(sizeof(ArrayDesc) == 16, "shape follows data directly");

inline ArrayDesc* array_desc(void* desc) { return static_cast<ArrayDesc*>(desc); }

}  // namespace nk::runtime
