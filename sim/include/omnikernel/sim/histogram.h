// Latency histogram: log-linear buckets (64 per power of two), so every recorded value is kept
// within 1/64 ≈ 1.6 % relative error from 1 ns to hours, in fixed memory, with O(1) record.
// Single writer; merge() combines histograms of several writers.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

namespace omni::sim {

class Histogram {
 public:
  static constexpr int kSubBits = 6;
  static constexpr uint64_t kSub = uint64_t{1} << kSubBits;
  static constexpr size_t kBuckets = (64 - kSubBits + 1) * kSub;

  void record(uint64_t value) noexcept {
    ++counts_[bucket_of(value)];
    ++count_;
    sum_ += static_cast<double>(value);
    if (value < min_) min_ = value;
    if (value > max_) max_ = value;
  }
  void merge(const Histogram& other) noexcept;

  [[nodiscard]] uint64_t count() const noexcept { return count_; }
  [[nodiscard]] uint64_t min() const noexcept { return count_ ? min_ : 0; }
  [[nodiscard]] uint64_t max() const noexcept { return max_; }
  [[nodiscard]] double mean() const noexcept { return count_ ? sum_ / static_cast<double>(count_) : 0; }
  // The value at quantile q in [0, 1] (0.99 = p99): the midpoint of its bucket, clamped to the
  // observed min/max. 0 when empty.
  [[nodiscard]] uint64_t quantile(double q) const noexcept;

  [[nodiscard]] static size_t bucket_of(uint64_t value) noexcept {
    if (value < kSub) return static_cast<size_t>(value);
    const int exponent = 63 - __builtin_clzll(value);  // ≥ kSubBits
    const uint64_t sub = (value >> (exponent - kSubBits)) & (kSub - 1);
    return static_cast<size_t>((exponent - kSubBits + 1) * kSub + sub);
  }
  [[nodiscard]] static uint64_t bucket_low(size_t bucket) noexcept;
  [[nodiscard]] static uint64_t bucket_high(size_t bucket) noexcept;  // inclusive

 private:
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  double sum_ = 0;
};

}  // namespace omni::sim
