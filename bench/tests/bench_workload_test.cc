#include <gtest/gtest.h>

#include <array>

#include "workload/scenario.h"
#include "workload/trace.h"

namespace omni::bench {
namespace {

TEST(Scenario, EveryQueueHasAnAgentAndEveryAgentEveryChannel) {
  for (uint32_t agents : {100u, 1000u}) {
    for (uint32_t queues : {10u, 100u, 1000u}) {
      const Scenario s = make_scenario({.agents = agents, .queues = queues});
      ASSERT_EQ(s.config.agents.size(), agents);
      ASSERT_EQ(s.config.queues.size(), queues);
      for (uint32_t q = 0; q < queues; ++q) EXPECT_FALSE(s.queue_agents[q].empty()) << q;
      for (uint32_t a = 0; a < agents; ++a) {
        std::array<bool, kChannelMix.size()> seen{};
        for (uint32_t q : s.agent_queues[a]) seen[s.queue_channel[q]] = true;
        for (bool b : seen) EXPECT_TRUE(b) << "agent " << a;
      }
    }
  }
}

TEST(Scenario, SizesFollowTheMix) {
  const Scenario s = make_scenario({.agents = 10, .queues = 10});
  EXPECT_EQ(s.queue_size_milli[0], s.agent_capacity_milli);      // voice: exclusive
  EXPECT_EQ(s.queue_size_milli[1] * 3, s.agent_capacity_milli);  // chat: a third
  EXPECT_EQ(s.queue_size_milli[2] * 5, s.agent_capacity_milli);  // WhatsApp: a fifth
  EXPECT_EQ(s.queue_size_milli[3] * 5, s.agent_capacity_milli);  // Instagram: a fifth
  EXPECT_EQ(s.queue_size_milli[4] * 10, s.agent_capacity_milli); // tasks: a tenth
}

TEST(Trace, SameSeedSameTraceOtherSeedOtherTrace) {
  const Scenario s = make_scenario({.agents = 100, .queues = 10});
  const Trace a = make_trace(s, {.seed = 7, .arrivals = 5000});
  const Trace b = make_trace(s, {.seed = 7, .arrivals = 5000});
  const Trace c = make_trace(s, {.seed = 8, .arrivals = 5000});
  ASSERT_EQ(a.arrivals.size(), 5000u);
  int differ = 0;
  for (size_t i = 0; i < a.arrivals.size(); ++i) {
    ASSERT_EQ(a.arrivals[i].queue, b.arrivals[i].queue);
    ASSERT_EQ(a.arrivals[i].hold, b.arrivals[i].hold);
    ASSERT_EQ(a.arrivals[i].customer, b.arrivals[i].customer);
    differ += a.arrivals[i].queue != c.arrivals[i].queue;
  }
  EXPECT_GT(differ, 1000);
}

TEST(Trace, ChannelSharesMatchTheMixWithinOnePercent) {
  const Scenario s = make_scenario({.agents = 100, .queues = 100});
  const Trace t = make_trace(s, {.arrivals = 200'000});
  std::array<double, kChannelMix.size()> count{};
  for (const Arrival& a : t.arrivals) {
    ASSERT_LT(a.queue, 100u);
    ASSERT_GE(a.hold, 1u);
    ASSERT_LE(a.hold, t.max_hold);
    ASSERT_GE(a.customer, 1u);
    ASSERT_LE(a.customer, customer_pool(s));
    count[s.queue_channel[a.queue]] += 1;
  }
  for (size_t c = 0; c < kChannelMix.size(); ++c) {
    EXPECT_NEAR(count[c] / t.arrivals.size(), kChannelMix[c].share, 0.01) << kChannelMix[c].name;
  }
}

TEST(Trace, LoadAlternatesBetweenPhases) {
  const Scenario s = make_scenario({.agents = 100, .queues = 10});
  const Trace t = make_trace(s, {.arrivals = 4 * 2000});
  ASSERT_GT(t.phase_length, 0u);
  double low = 0, high = 0;
  for (uint32_t i = 0; i < 2 * t.phase_length && i < t.arrivals.size(); ++i) {
    (i < t.phase_length ? low : high) += t.arrivals[i].hold;
  }
  EXPECT_GT(high / low, 1.3);  // 1.25 / 0.8 ≈ 1.56 in expectation
}

}  // namespace
}  // namespace omni::bench
