#include "support/histogram.h"

#include <gtest/gtest.h>

namespace omni::bench {
namespace {

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (uint64_t v = 1; v <= 50; ++v) h.record(v);
  EXPECT_EQ(h.count(), 50u);
  EXPECT_EQ(h.percentile(0.5), 25u);
  EXPECT_EQ(h.percentile(1.0), 50u);
  EXPECT_EQ(h.max(), 50u);
}

TEST(LatencyHistogram, BucketsAreContiguousAndWithinThreePercent) {
  for (int b = 0; b + 1 < LatencyHistogram::kBuckets - 1; ++b) {
    ASSERT_EQ(LatencyHistogram::bucket_upper(b) + 1, LatencyHistogram::bucket_lower(b + 1)) << b;
    const uint64_t lo = LatencyHistogram::bucket_lower(b);
    ASSERT_EQ(LatencyHistogram::bucket_of(lo), b);
    ASSERT_EQ(LatencyHistogram::bucket_of(LatencyHistogram::bucket_upper(b)), b);
    if (lo >= 64) ASSERT_LE(LatencyHistogram::bucket_upper(b) - lo, lo / 32) << b;
  }
  EXPECT_EQ(LatencyHistogram::bucket_of(UINT64_MAX), LatencyHistogram::kBuckets - 1);
}

TEST(LatencyHistogram, PercentilesAreUpperEstimatesCappedByMax) {
  LatencyHistogram h;
  for (int i = 0; i < 990; ++i) h.record(100);
  for (int i = 0; i < 9; ++i) h.record(10'000);
  h.record(1'000'000);
  EXPECT_GE(h.percentile(0.5), 100u);
  EXPECT_LE(h.percentile(0.5), 103u);
  EXPECT_GE(h.percentile(0.99), 100u);
  EXPECT_GE(h.percentile(0.999), 10'000u);
  EXPECT_LE(h.percentile(0.999), 10'000u + 10'000u / 32);
  EXPECT_EQ(h.percentile(1.0), 1'000'000u);
}

TEST(LatencyHistogram, MergeAddsCountsAndKeepsTheLargestMax) {
  LatencyHistogram a, b;
  a.record(10);
  b.record(20);
  b.record(5000);
  a.merge(b);
  EXPECT_EQ(a.count(), 3u);
  EXPECT_EQ(a.max(), 5000u);
  EXPECT_EQ(a.percentile(0.5), 20u);
}

TEST(LatencyHistogram, EmptyReportsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.percentile(0.99), 0u);
}

}  // namespace
}  // namespace omni::bench
