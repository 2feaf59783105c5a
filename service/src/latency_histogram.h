// LatencyHistogram — the routing-latency histogram of /metrics (submit → first offer, kernel
// time). Fixed Prometheus buckets; one writer (the event pump), any number of readers: relaxed
// atomics, a scrape may see a sample in a bucket a moment before it sees it in the sum.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>

namespace omni::service {

class LatencyHistogram {
 public:
  // Upper bounds in seconds ("le"), then +Inf.
  static constexpr std::array<double, 12> kBounds{0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005,
                                                   0.01,    0.05,    0.1,    0.5,    1,     5};
  void observe(double seconds) noexcept {
    // A negative sample (clocks read in the wrong order) would make the cast below undefined.
    if (!(seconds >= 0)) seconds = 0;
    size_t i = 0;
    while (i < kBounds.size() && seconds > kBounds[i]) ++i;
    counts_[i].fetch_add(1, std::memory_order_relaxed);
    sum_micros_.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
  }
  [[nodiscard]] uint64_t bucket(size_t i) const noexcept { return counts_[i].load(std::memory_order_relaxed); }
  [[nodiscard]] double sum_seconds() const noexcept { return sum_micros_.load(std::memory_order_relaxed) / 1e6; }

 private:
  std::array<std::atomic<uint64_t>, kBounds.size() + 1> counts_{};
  std::atomic<uint64_t> sum_micros_{0};
};

}  // namespace omni::service
