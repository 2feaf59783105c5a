// Cheap timestamps for per-operation latency: the TSC (constant and non-stop on every x86-64 CPU
// this runs on, see /proc/cpuinfo `constant_tsc nonstop_tsc`), converted to nanoseconds with a
// factor calibrated once against steady_clock. A steady_clock read costs ~20 ns through the
// vDSO, more than some of the operations measured; rdtsc costs a few.
#pragma once
#include <cstdint>

namespace omni::bench {

[[nodiscard]] uint64_t ticks() noexcept;
// Nanoseconds per TSC tick, calibrated on first use (~20 ms, thread-safe).
[[nodiscard]] double ns_per_tick() noexcept;
[[nodiscard]] inline uint64_t ticks_to_ns(uint64_t t) noexcept {
  return static_cast<uint64_t>(static_cast<double>(t) * ns_per_tick());
}

}  // namespace omni::bench
