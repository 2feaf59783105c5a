#include "timer_wheel.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace omni::internal {
namespace {

using namespace std::chrono_literals;

Time at(Duration d) { return Time{d}; }

std::vector<uint32_t> run_until(TimerWheel& wheel, Duration now) {
  std::vector<uint32_t> fired;
  wheel.advance(at(now), [&](uint32_t n, uint64_t) {
    fired.push_back(n);
    return true;
  });
  return fired;
}

TEST(TimerWheel, FiresOnlyWhatIsDue) {
  TimerWheel wheel(16, 10ms, at(0ms));
  wheel.arm(1, 0, at(25ms));
  wheel.arm(2, 0, at(95ms));
  EXPECT_EQ(run_until(wheel, 50ms), std::vector<uint32_t>{1});
  EXPECT_EQ(run_until(wheel, 100ms), std::vector<uint32_t>{2});
}

TEST(TimerWheel, DeadlinesBeyondOneLapWaitForTheirLap) {
  TimerWheel wheel(8, 1ms, at(0ms));
  const Duration lap = TimerWheel::kBuckets * 1ms;
  wheel.arm(7, 0, at(lap + 5ms));
  EXPECT_TRUE(run_until(wheel, 10ms).empty());
  EXPECT_TRUE(run_until(wheel, lap + 4ms).empty());
  EXPECT_EQ(run_until(wheel, lap + 6ms).size(), 1u);
}

TEST(TimerWheel, AJumpFarAheadFiresEverythingOnce) {
  TimerWheel wheel(64, 1ms, at(0ms));
  for (uint32_t i = 0; i < 50; ++i) wheel.arm(i, 0, at(i * 37ms + 1ms));
  std::vector<int> fired(50, 0);
  for (uint32_t n : run_until(wheel, 1h)) ++fired[n];
  for (int f : fired) EXPECT_EQ(f, 1);
}

// Defect 9 of issue 8: a pool of shared nodes ran dry and offers went without a time-out. Each
// timer now owns its node, so arming can never fail however often it is re-armed.
TEST(TimerWheel, ReArmingReplacesAndNeverRunsOut) {
  TimerWheel wheel(2, 1ms, at(0ms));
  for (int i = 0; i < 10'000; ++i) wheel.arm(0, static_cast<uint64_t>(i), at(5ms + i * 1ms));
  wheel.arm(1, 99, at(3ms));
  std::vector<uint64_t> expects;
  wheel.advance(at(20'000ms), [&](uint32_t, uint64_t e) {
    expects.push_back(e);
    return true;
  });
  EXPECT_EQ(expects, (std::vector<uint64_t>{99, 9'999})) << "the last arming of node 0 wins, once";
}

TEST(TimerWheel, ReArmingEarlierMovesTheNode) {
  TimerWheel wheel(1, 1ms, at(0ms));
  wheel.arm(0, 1, at(100ms));
  EXPECT_TRUE(run_until(wheel, 2ms).empty());
  wheel.arm(0, 2, at(5ms));  // e.g. a wrap-up shorter than the stale push time-out before it
  EXPECT_EQ(run_until(wheel, 6ms), std::vector<uint32_t>{0});
  EXPECT_TRUE(run_until(wheel, 200ms).empty()) << "the replaced deadline does not fire";
}

TEST(TimerWheel, ATimerInThePastFiresOnTheNextAdvance) {
  TimerWheel wheel(16, 10ms, at(0ms));
  (void)run_until(wheel, 100ms);
  wheel.arm(9, 0, at(50ms));
  EXPECT_EQ(run_until(wheel, 110ms), std::vector<uint32_t>{9});
}

TEST(TimerWheel, AFiringThatCannotCompleteStaysDue) {
  TimerWheel wheel(4, 1ms, at(0ms));
  wheel.arm(3, 7, at(2ms));
  int tries = 0;
  wheel.advance(at(5ms), [&](uint32_t, uint64_t) { return ++tries > 1; });
  EXPECT_EQ(tries, 1);
  wheel.advance(at(6ms), [&](uint32_t, uint64_t) { return ++tries > 1; });
  EXPECT_EQ(tries, 2) << "kept for the next advance, then completed";
  EXPECT_TRUE(run_until(wheel, 100ms).empty());
}

TEST(TimerWheel, ArmedFromManyThreadsEachFiresOnce) {
  constexpr uint32_t kNodes = 4'000;
  TimerWheel wheel(kNodes, 1ms, at(0ms));
  std::vector<std::thread> threads;
  for (uint32_t t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (uint32_t n = t; n < kNodes; n += 4) wheel.arm(n, n, at(1ms + (n % 50) * 1ms));
    });
  std::vector<int> fired(kNodes, 0);
  auto fire = [&](uint32_t n, uint64_t e) {
    EXPECT_EQ(e, n);
    ++fired[n];
    return true;
  };
  for (int ms = 1; ms < 20; ++ms) wheel.advance(at(ms * 1ms), fire);  // concurrent with arming
  for (auto& th : threads) th.join();
  wheel.advance(at(1s), fire);
  for (int f : fired) EXPECT_EQ(f, 1);
}

}  // namespace
}  // namespace omni::internal
