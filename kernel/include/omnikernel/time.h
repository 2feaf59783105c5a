// Injected time. The kernel never reads a wall clock: the host (or a test, or the simulator)
// owns a Clock and advances timers with Kernel::tick(now), so runs are deterministic and may
// go faster than real time.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>

namespace omni {

using Duration = std::chrono::nanoseconds;
// Nanoseconds since an epoch the host chooses (the simulator: the start of the run).
using Time = std::chrono::time_point<struct KernelEpoch, Duration>;

class Clock {
 public:
  virtual ~Clock() = default;
  // Called on hot paths (arrival stamps, deadlines): must be cheap and thread-safe.
  [[nodiscard]] virtual Time now() const noexcept = 0;
};

// A clock that only moves when told to. Thread-safe: readers see the last set value.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Time start = Time{}) noexcept : ns_(start.time_since_epoch().count()) {}
  [[nodiscard]] Time now() const noexcept override {
    return Time{Duration{ns_.load(std::memory_order_acquire)}};
  }
  void set(Time t) noexcept { ns_.store(t.time_since_epoch().count(), std::memory_order_release); }
  void advance(Duration d) noexcept { ns_.fetch_add(d.count(), std::memory_order_acq_rel); }

 private:
  std::atomic<int64_t> ns_;
};

// Wall clock for hosts that run in real time; epoch = construction.
class SteadyClock final : public Clock {
 public:
  SteadyClock() noexcept : start_(std::chrono::steady_clock::now()) {}
  [[nodiscard]] Time now() const noexcept override {
    return Time{std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - start_)};
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace omni
