// The simulator on the real kernel against queueing theory: for M/M/c (Poisson arrivals,
// exponential handle times, c agents of capacity 1, one queue, no abandonment, no declines,
// auto-accept, no wrap-up) the simulated probability of waiting and ASA must match Erlang C.
//
// Tolerance, and why: each load level runs R independent replications (seeds 1..R), each with a
// warm-up that is discarded (the system starts empty) and a long measured period. Replication
// means are independent and, over hundreds of thousands of customers each, close to normal, so
//   |mean of replications − Erlang C| ≤ t(0.9995, R−1) · s / √R
// is a two-sided 99.9 % confidence interval. Six such checks run (two metrics × three loads), so
// an unbiased simulator fails with probability ≤ 0.6 % — and never spuriously, since the seeds are
// fixed. A bias (e.g. the kernel routing a free agent late, or serving out of arrival order) of
// more than the half-width fails. To keep the test able to fail, the half-width itself must be
// under 6 % of the predicted value: the runs are long enough for that at 95 % occupancy.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "omnikernel/sim/erlang_c.h"
#include "omnikernel/sim/simulation.h"

namespace omni::sim {
namespace {

constexpr uint32_t kAgents = 10;
constexpr double kHandleSeconds = 180;
constexpr int kReplications = 20;
// Student t quantile 0.9995 for 19 degrees of freedom.
constexpr double kT = 3.883;

struct Replicated {
  double mean = 0;
  double half_width = 0;
};

Replicated summarize(const std::vector<double>& xs) {
  double mean = 0;
  for (double x : xs) mean += x;
  mean /= static_cast<double>(xs.size());
  double ss = 0;
  for (double x : xs) ss += (x - mean) * (x - mean);
  const double sd = std::sqrt(ss / static_cast<double>(xs.size() - 1));
  return {mean, kT * sd / std::sqrt(static_cast<double>(xs.size()))};
}

std::string mmc_scenario(double occupancy, int hours, uint64_t seed) {
  const double per_hour = occupancy * kAgents * 3600 / kHandleSeconds;
  nlohmann::json s = {
      {"name", "mmc"},
      {"seed", seed},
      {"duration", std::to_string(hours + 20) + "h"},
      {"warmup", "20h"},
      {"tick_interval", "1h"},
      {"channels", {{{"name", "calls"}}}},
      {"routing_configs", {{{"name", "fifo"}, {"size", 1}}}},
      {"queues", {{{"name", "mmc"}, {"channel", "calls"}, {"routing", "fifo"}, {"max_waiting", 65536}}}},
      {"presence_configs", {{{"name", "one"}, {"capacity", 1}, {"auto_accept", true}}}},
      {"statuses", {{{"name", "Off"}, {"kind", "offline"}}, {{"name", "Ready"}, {"kind", "online"}, {"channels", {"calls"}}}}},
      {"profiles", {{{"name", "agent"}, {"presence_config", "one"}}}},
      {"agents", {{{"profile", "agent"}, {"count", kAgents}, {"queues", {"mmc"}}, {"status", "Ready"}}}},
      {"arrivals", {{{"queue", "mmc"}, {"rate_per_hour", per_hour}}}},
      {"agent_behaviour", {{"answer_delay", "0s"}, {"handle_time", {{"type", "exponential"}, {"mean", kHandleSeconds}}}}},
  };
  return s.dump();
}

void validate(double occupancy, int hours) {
  const double per_second = occupancy * kAgents / kHandleSeconds;
  const auto theory = erlang_c(kAgents, per_second, kHandleSeconds);
  ASSERT_TRUE(theory.has_value());
  std::vector<double> p_wait, asa, occ;
  uint64_t customers = 0;
  for (int r = 1; r <= kReplications; ++r) {
    auto scenario = load_scenario_text(mmc_scenario(occupancy, hours, static_cast<uint64_t>(r)), "mmc");
    ASSERT_TRUE(scenario.has_value()) << scenario.error().message();
    auto sim = Simulation::create(std::move(*scenario));
    ASSERT_TRUE(sim.has_value()) << sim.error().message();
    const Report report = (*sim)->run();
    ASSERT_EQ(report.total.refused, 0u);
    ASSERT_EQ(report.routing_deferred, 0u);
    p_wait.push_back(report.total.probability_of_waiting());
    asa.push_back(report.total.asa());
    occ.push_back(report.occupancy);
    customers += report.total.answered;
  }
  const Replicated pw = summarize(p_wait), a = summarize(asa), o = summarize(occ);
  std::printf("occupancy %.0f%% (%d × %d h, %llu customers): P(wait) %.4f ± %.4f vs %.4f; ASA %.2f ± %.2f s vs %.2f s; "
              "occupancy %.4f ± %.4f\n",
              occupancy * 100, kReplications, hours, static_cast<unsigned long long>(customers), pw.mean,
              pw.half_width, theory->probability_of_waiting, a.mean, a.half_width, theory->asa_seconds, o.mean,
              o.half_width);
  EXPECT_NEAR(pw.mean, theory->probability_of_waiting, pw.half_width);
  EXPECT_NEAR(a.mean, theory->asa_seconds, a.half_width);
  EXPECT_NEAR(o.mean, occupancy, o.half_width + 1e-3);
  EXPECT_LT(pw.half_width, 0.06 * theory->probability_of_waiting) << "too noisy to test anything";
  EXPECT_LT(a.half_width, 0.06 * theory->asa_seconds) << "too noisy to test anything";
}

// Run lengths grow with the load: near saturation the queue forgets its past slowly (relaxation
// time ~ 1 / (cμ(1 − √ρ)²)), so the same precision needs longer runs.
TEST(ErlangCValidation, Occupancy70) { validate(0.70, 1000); }
TEST(ErlangCValidation, Occupancy85) { validate(0.85, 2000); }
TEST(ErlangCValidation, Occupancy95) { validate(0.95, 3000); }

}  // namespace
}  // namespace omni::sim
