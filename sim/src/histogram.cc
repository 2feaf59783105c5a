#include "omnikernel/sim/histogram.h"

#include <algorithm>
#include <cmath>

namespace omni::sim {

uint64_t Histogram::bucket_low(size_t bucket) noexcept {
  if (bucket < kSub) return bucket;
  const int exponent = static_cast<int>(bucket / kSub) + kSubBits - 1;
  const uint64_t sub = bucket % kSub;
  return (kSub + sub) << (exponent - kSubBits);
}

uint64_t Histogram::bucket_high(size_t bucket) noexcept {
  if (bucket < kSub) return bucket;
  const int exponent = static_cast<int>(bucket / kSub) + kSubBits - 1;
  return bucket_low(bucket) + ((uint64_t{1} << (exponent - kSubBits)) - 1);
}

void Histogram::merge(const Histogram& other) noexcept {
  for (size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

uint64_t Histogram::quantile(double q) const noexcept {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // Rank of the wanted value among 1..count (nearest-rank definition).
  const uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const uint64_t mid = bucket_low(i) + (bucket_high(i) - bucket_low(i)) / 2;
      return std::clamp(mid, min(), max_);
    }
  }
  return max_;
}

}  // namespace omni::sim
