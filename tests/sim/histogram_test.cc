#include "omnikernel/sim/histogram.h"

#include <gtest/gtest.h>

namespace omni::sim {
namespace {

TEST(Histogram, BucketsCoverEveryValueWithBoundedError) {
  for (uint64_t v : std::initializer_list<uint64_t>{0, 1, 63, 64, 65, 1000, 123456789, uint64_t{1} << 40, UINT64_MAX}) {
    const size_t b = Histogram::bucket_of(v);
    ASSERT_LT(b, Histogram::kBuckets) << v;
    EXPECT_LE(Histogram::bucket_low(b), v) << v;
    EXPECT_GE(Histogram::bucket_high(b), v) << v;
    // Relative width of a bucket is at most 1/64.
    EXPECT_LE(static_cast<double>(Histogram::bucket_high(b) - Histogram::bucket_low(b)),
              static_cast<double>(v) / 64 + 1) << v;
  }
}

TEST(Histogram, Quantiles) {
  Histogram h;
  EXPECT_EQ(h.quantile(0.5), 0u);
  for (uint64_t v = 1; v <= 1000; ++v) h.record(v * 1000);  // 1 µs … 1 ms
  EXPECT_EQ(h.count(), 1000u);
  EXPECT_EQ(h.min(), 1000u);
  EXPECT_EQ(h.max(), 1'000'000u);
  EXPECT_NEAR(static_cast<double>(h.quantile(0.5)), 500'000, 500'000 / 64.0);
  EXPECT_NEAR(static_cast<double>(h.quantile(0.99)), 990'000, 990'000 / 64.0);
  EXPECT_NEAR(static_cast<double>(h.quantile(0.999)), 999'000, 999'000 / 64.0);
  EXPECT_EQ(h.quantile(1.0), 1'000'000u);
  EXPECT_NEAR(static_cast<double>(h.quantile(0.0)), 1000, 1000 / 64.0);
  EXPECT_NEAR(h.mean(), 500'500, 1e-6);
}

TEST(Histogram, MergeAddsCounts) {
  Histogram a, b;
  a.record(10);
  b.record(1'000'000);
  b.record(20);
  a.merge(b);
  EXPECT_EQ(a.count(), 3u);
  EXPECT_EQ(a.min(), 10u);
  EXPECT_EQ(a.max(), 1'000'000u);
  EXPECT_EQ(a.quantile(0.5), 20u);
}

}  // namespace
}  // namespace omni::sim
