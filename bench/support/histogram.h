// LatencyHistogram — a log-linear histogram of nanosecond latencies (HdrHistogram's idea in ~100
// lines, since no HdrHistogram package is installed here).
//
// Values below 64 get one bucket each; above, every power of two is split into 32 equal
// sub-buckets, so a recorded value is known to within 1/32 (≈3 %) of itself. Recording is one
// count-leading-zeros and an increment: cheap enough to time every operation of a run.
//
// Not thread-safe: each thread records into its own histogram and the driver merges them after
// the threads have joined.
#pragma once
#include <array>
#include <bit>
#include <cstdint>

namespace omni::bench {

class LatencyHistogram {
 public:
  static constexpr int kSubBits = 5;
  static constexpr uint64_t kSubBuckets = uint64_t{1} << kSubBits;  // per power of two
  // Values below 2^(kSubBits+1) take the first two rows; each higher power of two, one row.
  static constexpr int kBuckets = (65 - kSubBits) * static_cast<int>(kSubBuckets);

  void record(uint64_t value_ns) noexcept {
    ++counts_[bucket_of(value_ns)];
    ++count_;
    if (value_ns > max_) max_ = value_ns;
  }

  void merge(const LatencyHistogram& other) noexcept {
    for (int i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    if (other.max_ > max_) max_ = other.max_;
  }

  void clear() noexcept { *this = LatencyHistogram{}; }

  [[nodiscard]] uint64_t count() const noexcept { return count_; }
  [[nodiscard]] uint64_t max() const noexcept { return max_; }

  // The smallest bucket upper bound below which `quantile` (0..1] of the values lie, capped by
  // the exact maximum: an upper estimate, never an optimistic one.
  [[nodiscard]] uint64_t percentile(double quantile) const noexcept {
    if (count_ == 0) return 0;
    auto rank = static_cast<uint64_t>(quantile * static_cast<double>(count_) + 0.5);
    if (rank < 1) rank = 1;
    if (rank > count_) rank = count_;
    uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) {
        const uint64_t upper = bucket_upper(i);
        return upper < max_ ? upper : max_;
      }
    }
    return max_;
  }

  [[nodiscard]] static int bucket_of(uint64_t v) noexcept {
    if (v < 2 * kSubBuckets) return static_cast<int>(v);
    const int msb = 63 - std::countl_zero(v);
    const int shift = msb - kSubBits;
    return (shift + 1) * static_cast<int>(kSubBuckets) +
           static_cast<int>((v >> shift) - kSubBuckets);
  }

  [[nodiscard]] static uint64_t bucket_lower(int bucket) noexcept {
    if (bucket < static_cast<int>(2 * kSubBuckets)) return static_cast<uint64_t>(bucket);
    const int shift = bucket / static_cast<int>(kSubBuckets) - 1;
    const uint64_t sub = static_cast<uint64_t>(bucket) % kSubBuckets + kSubBuckets;
    return sub << shift;
  }

  [[nodiscard]] static uint64_t bucket_upper(int bucket) noexcept {
    if (bucket + 1 >= kBuckets) return UINT64_MAX;
    return bucket_lower(bucket + 1) - 1;
  }

 private:
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  uint64_t max_ = 0;
};

}  // namespace omni::bench
