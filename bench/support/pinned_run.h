// Runs `body(thread_index)` on `threads` pinned threads released together; returns the wall time
// from release to the last thread's end, less the least run-queue wait of the threads (time other
// processes held the CPU; see schedstat.h). For the floor and queue benchmarks, whose threads
// must start at once (Google Benchmark's own threads are neither pinned nor released together).
#pragma once
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "support/pin.h"
#include "support/schedstat.h"

namespace omni::bench {

template <class Body>
double pinned_run(unsigned threads, Body&& body) {
  std::atomic<unsigned> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> pool;
  std::vector<double> waited(threads, 0.0);
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      pin_this_thread(static_cast<int>(t));
      ready.fetch_add(1, std::memory_order_acq_rel);
      while (!go.load(std::memory_order_acquire)) {
      }
      const double wait_start = runqueue_wait_seconds();
      body(t);
      waited[t] = runqueue_wait_seconds() - wait_start;
    });
  }
  while (ready.load(std::memory_order_acquire) != threads) {
  }
  const auto start = std::chrono::steady_clock::now();
  go.store(true, std::memory_order_release);
  for (auto& th : pool) th.join();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double least_wait = waited[0];
  for (double w : waited) least_wait = w < least_wait ? w : least_wait;
  const double adjusted = wall - least_wait;
  return adjusted > wall * 0.05 ? adjusted : wall * 0.05;
}

}  // namespace omni::bench
