#include "omnikernel/sim/erlang_c.h"

#include <gtest/gtest.h>

#include <cmath>

namespace omni::sim {
namespace {

TEST(ErlangB, KnownValues) {
  EXPECT_DOUBLE_EQ(erlang_b(1, 1.0), 0.5);
  EXPECT_NEAR(erlang_b(2, 1.0), 0.2, 1e-12);          // (1/2) / (1 + 1 + 1/2)
  EXPECT_NEAR(erlang_b(10, 5.0), 0.018384, 1e-6);      // tables
}

TEST(ErlangC, KnownValues) {
  // c = 2, A = 1: C = (A²/2 · 2/(2−1)) / (1 + A + A²/2 · 2) = 1/3; ASA = C·h/(c − A).
  auto r = erlang_c(2, 1.0 / 60, 60);
  ASSERT_TRUE(r.has_value());
  EXPECT_NEAR(r->probability_of_waiting, 1.0 / 3, 1e-12);
  EXPECT_NEAR(r->asa_seconds, 20.0, 1e-9);
  EXPECT_NEAR(r->occupancy, 0.5, 1e-12);
  // M/M/1: P(wait) = ρ, ASA = ρ h / (1 − ρ).
  auto mm1 = erlang_c(1, 0.8 / 100, 100);
  EXPECT_NEAR(mm1->probability_of_waiting, 0.8, 1e-12);
  EXPECT_NEAR(mm1->asa_seconds, 400, 1e-9);
  // The classic call-centre example: 10 agents, 8.5 erlangs (see examples/scenarios/mmc.json).
  auto mmc = erlang_c(10, 170.0 / 3600, 180);
  EXPECT_NEAR(mmc->probability_of_waiting, 0.52986, 1e-5);
  EXPECT_NEAR(mmc->asa_seconds, 63.583, 1e-3);
}

TEST(ErlangC, ServiceLevel) {
  auto r = erlang_c(2, 1.0 / 60, 60);
  EXPECT_NEAR(r->service_level(0), 1 - 1.0 / 3, 1e-12);
  EXPECT_NEAR(r->service_level(60), 1 - std::exp(-1.0) / 3, 1e-12);
}

TEST(ErlangC, StableForLargeTeams) {
  auto r = erlang_c(2000, 1900.0 / 300, 300);
  ASSERT_TRUE(r.has_value());
  EXPECT_GT(r->probability_of_waiting, 0);
  EXPECT_LT(r->probability_of_waiting, 1);
}

TEST(ErlangC, RefusesNoSteadyState) {
  EXPECT_EQ(erlang_c(2, 2.0 / 60, 60).error(), "occupancy >= 100%: the queue grows without bound");
  EXPECT_FALSE(erlang_c(0, 1, 1).has_value());
  EXPECT_FALSE(erlang_c(1, 0, 1).has_value());
}

}  // namespace
}  // namespace omni::sim
