#include "timer_wheel.h"

#include <gtest/gtest.h>

#include <vector>

namespace omni::internal {
namespace {

using namespace std::chrono_literals;

Time at(Duration d) { return Time{d}; }

TEST(TimerWheel, FiresOnlyWhatIsDueInDeadlineOrderWithinABucket) {
  TimerWheel wheel(16, 10ms, at(0ms));
  ASSERT_TRUE(wheel.schedule({TimerKind::push_timeout, 1, 0, at(25ms)}));
  ASSERT_TRUE(wheel.schedule({TimerKind::push_timeout, 2, 0, at(95ms)}));
  std::vector<uint32_t> fired;
  wheel.advance(at(50ms), [&](const TimerFire& t) { fired.push_back(t.target); });
  EXPECT_EQ(fired, std::vector<uint32_t>{1});
  wheel.advance(at(100ms), [&](const TimerFire& t) { fired.push_back(t.target); });
  EXPECT_EQ(fired, (std::vector<uint32_t>{1, 2}));
}

TEST(TimerWheel, DeadlinesBeyondOneLapWaitForTheirLap) {
  TimerWheel wheel(4, 1ms, at(0ms));
  const Duration lap = TimerWheel::kBuckets * 1ms;
  ASSERT_TRUE(wheel.schedule({TimerKind::wrap_up_end, 7, 0, at(lap + 5ms)}));
  int fired = 0;
  wheel.advance(at(10ms), [&](const TimerFire&) { ++fired; });
  EXPECT_EQ(fired, 0);
  wheel.advance(at(lap + 4ms), [&](const TimerFire&) { ++fired; });
  EXPECT_EQ(fired, 0);
  wheel.advance(at(lap + 6ms), [&](const TimerFire&) { ++fired; });
  EXPECT_EQ(fired, 1);
}

TEST(TimerWheel, AJumpFarAheadFiresEverythingOnce) {
  TimerWheel wheel(64, 1ms, at(0ms));
  for (uint32_t i = 0; i < 50; ++i) ASSERT_TRUE(wheel.schedule({TimerKind::missed_end, i, 0, at(i * 37ms)}));
  std::vector<int> fired(50, 0);
  wheel.advance(at(1h), [&](const TimerFire& t) { ++fired[t.target]; });
  for (int f : fired) EXPECT_EQ(f, 1);
}

TEST(TimerWheel, PoolExhaustionIsAnOutcomeAndNodesComeBack) {
  TimerWheel wheel(2, 1ms, at(0ms));
  EXPECT_TRUE(wheel.schedule({TimerKind::push_timeout, 0, 0, at(1ms)}));
  EXPECT_TRUE(wheel.schedule({TimerKind::push_timeout, 1, 0, at(1ms)}));
  EXPECT_FALSE(wheel.schedule({TimerKind::push_timeout, 2, 0, at(1ms)}));
  wheel.advance(at(2ms), [](const TimerFire&) {});
  EXPECT_TRUE(wheel.schedule({TimerKind::push_timeout, 3, 0, at(3ms)}));
}

TEST(TimerWheel, ATimerInThePastFiresOnTheNextAdvance) {
  TimerWheel wheel(4, 10ms, at(0ms));
  wheel.advance(at(100ms), [](const TimerFire&) {});
  ASSERT_TRUE(wheel.schedule({TimerKind::push_timeout, 9, 0, at(50ms)}));
  int fired = 0;
  wheel.advance(at(110ms), [&](const TimerFire&) { ++fired; });
  EXPECT_EQ(fired, 1);
}

}  // namespace
}  // namespace omni::internal
