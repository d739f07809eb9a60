// A fixed pool of workers fed through one condition variable per job: simple, and the
// same thread always runs the same chunk index.
#include "runtime/thread_pool.h"

#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runtime/entry_points.h"
#include "runtime/errors.h"

namespace nk::runtime {
namespace {

thread_local bool in_parallel_region = false;

class Pool {
 public:
  explicit Pool(int threads) : threads_(threads), errors_(static_cast<size_t>(threads)), status_(static_cast<size_t>(threads)) {
    for (int t = 1; t < threads_; ++t) workers_.emplace_back([this, t] { work(t); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
      ++generation_;
    }
    wake_.notify_all();
    for (std::thread& w : workers_) w.join();
  }

  int threads() const { return threads_; }

  int32_t run(ChunkFn body, void* context, int64_t count, int64_t chunks) {
    std::lock_guard<std::mutex> one_job(job_mutex_);  // one parallel loop at a time
    {
      std::lock_guard<std::mutex> lock(mutex_);
      body_ = body;
      context_ = context;
      count_ = count;
      chunks_ = chunks;
      pending_ = static_cast<int>(chunks - 1);
      ++generation_;
    }
    wake_.notify_all();
    run_chunk(0);  // the calling thread runs chunk 0
    {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, [this] { return pending_ == 0; });
    }
    for (int64_t c = 0; c < chunks; ++c) {
      if (status_[static_cast<size_t>(c)] == 0) continue;
      // The exception of the first failing chunk moves to the calling thread.
      if (c != 0) pending_error() = errors_[static_cast<size_t>(c)];
      return 1;
    }
    return 0;
  }

 private:
  void run_chunk(int64_t c) {
    int64_t begin = count_ * c / chunks_, end = count_ * (c + 1) / chunks_;
    in_parallel_region = true;
    int32_t s = body_(context_, begin, end, c);
    in_parallel_region = false;
    status_[static_cast<size_t>(c)] = s;
    if (s != 0 && c != 0) {
      errors_[static_cast<size_t>(c)] = pending_error();
      clear_error();
    }
  }

  void work(int t) {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (stop_) return;
        if (t >= chunks_) continue;
      }
      run_chunk(t);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (--pending_ == 0) done_.notify_one();
      }
    }
  }

  int threads_;
  std::vector<std::thread> workers_;
  std::mutex job_mutex_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  uint64_t generation_ = 0;
  bool stop_ = false;
  ChunkFn body_ = nullptr;
  void* context_ = nullptr;
  int64_t count_ = 0, chunks_ = 0;
  int pending_ = 0;
  std::vector<PendingError> errors_;
  std::vector<int32_t> status_;
};

int configured_threads() {
  if (const char* s = std::getenv("NK_NUM_THREADS")) {
    int n = std::atoi(s);
    if (n >= 1 && n <= 1024) return n;
  }
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

Pool& pool() {
  static Pool* p = new Pool(configured_threads());  // lives until exit; workers are detached by exit
  return *p;
}

}  // namespace

int num_threads() { return in_parallel_region ? 1 : pool().threads(); }

int32_t parallel_for(ChunkFn body, void* context, int64_t count, int64_t chunks) {
  if (count <= 0) return 0;
  if (chunks > count) chunks = count;
  if (in_parallel_region || chunks <= 1) {
    // Serial: chunk by chunk on this thread, in order (nested prange runs serially).
    for (int64_t c = 0; c < chunks; ++c)
      if (int32_t s = body(context, count * c / chunks, count * (c + 1) / chunks, c)) return s;
    return 0;
  }
  return pool().run(body, context, count, chunks);
}

}  // namespace nk::runtime

extern "C" int64_t nk_num_threads() { return nk::runtime::num_threads(); }

extern "C" int32_t nk_parallel_for(void* body, void* context, int64_t count, int64_t chunks) {
  return nk::runtime::parallel_for(reinterpret_cast<nk::runtime::ChunkFn>(body), context, count, chunks);
}
