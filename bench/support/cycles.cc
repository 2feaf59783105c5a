#include "support/cycles.h"

#include <x86intrin.h>

#include <chrono>
#include <thread>

namespace omni::bench {

// rdtscp waits until every earlier instruction has executed, so an operation cannot overlap the
// stamp that ends it (plain rdtsc can, and then reads ~0 for short operations).
uint64_t ticks() noexcept {
  unsigned aux;
  return __rdtscp(&aux);
}

static double calibrate() noexcept {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  const uint64_t c0 = __rdtsc();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto t1 = clock::now();
  const uint64_t c1 = __rdtsc();
  const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
  return ns / static_cast<double>(c1 - c0);
}

double ns_per_tick() noexcept {
  static const double factor = calibrate();
  return factor;
}

}  // namespace omni::bench
