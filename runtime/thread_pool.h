// The thread pool behind prange (SPEC 2.6): NK_NUM_THREADS threads (default: the
// number of cores), started on first use and reused. A parallel loop's iteration space
// is split into one contiguous chunk per thread; chunk t always runs on thread t, so
// reductions combine in the same order for a given thread count.
#pragma once

#include <cstdint>

namespace nk::runtime {

int num_threads();

// The body of a parallel loop: runs iterations [begin, end) as chunk `chunk`; returns a
// status (non-zero: an exception is pending on the calling thread).
using ChunkFn = int32_t (*)(void* context, int64_t begin, int64_t end, int64_t chunk);

// Runs [0, count) in `chunks` chunks (chunks <= num_threads()). Returns 0, or 1 with the
// exception of the lowest failing chunk pending on the calling thread. Inside a parallel
// region (a nested prange, or a function called from one) it runs the chunks serially.
int32_t parallel_for(ChunkFn body, void* context, int64_t count, int64_t chunks);

}  // namespace nk::runtime
