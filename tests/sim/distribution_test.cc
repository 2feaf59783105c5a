#include "omnikernel/sim/distribution.h"

#include <gtest/gtest.h>

#include <cmath>

namespace omni::sim {
namespace {

using namespace std::chrono_literals;
using config::Json;

double sample_mean(const Distribution& d, int n = 200000) {
  Rng rng(3);
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += std::chrono::duration<double>(d.sample(rng)).count();
  return sum / n;
}

TEST(Distribution, MeansMatchTheirParameters) {
  // 200k samples: the standard error of each mean is < 0.3 % of it; 2 % is far outside noise.
  EXPECT_NEAR(sample_mean(Distribution::exponential(180s)), 180, 180 * 0.02);
  EXPECT_NEAR(sample_mean(read_distribution(Json::parse(R"({"type":"uniform","min":"10s","max":"30s"})"), "d")), 20,
              0.4);
  EXPECT_NEAR(sample_mean(read_distribution(Json::parse(R"({"type":"lognormal","mean":"5m","stddev":"3m"})"), "d")),
              300, 6);
  EXPECT_NEAR(sample_mean(read_distribution(Json::parse(R"({"type":"erlang","mean":"2m","k":4})"), "d")), 120, 2.4);
  EXPECT_EQ(sample_mean(Distribution::constant(7s), 10), 7);
}

TEST(Distribution, SameSeedSameSamples) {
  Rng a(11), b(11);
  const Distribution d = Distribution::exponential(1s);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(d.sample(a), d.sample(b));
}

TEST(Distribution, ReadsDurationsAsConstants) {
  const Distribution d = read_distribution(Json("30s"), "x");
  EXPECT_EQ(d.kind, Distribution::Kind::constant);
  EXPECT_EQ(d.mean, Duration(30s));
  EXPECT_EQ(read_distribution(Json(1.5), "x").mean, Duration(1500ms));
}

std::string error_of(const char* json) {
  try {
    (void)read_distribution(Json::parse(json), "agent_behaviour.handle_time");
    return "ok";
  } catch (const config::FieldError& e) {
    return e.field + ": " + e.reason;
  }
}

TEST(Distribution, BadInputNamesTheField) {
  EXPECT_EQ(error_of(R"({"type":"gamma","mean":"1m"})"),
            "agent_behaviour.handle_time.type: unknown distribution \"gamma\" (one of: constant, exponential, "
            "uniform, lognormal, erlang)");
  EXPECT_EQ(error_of(R"({"type":"exponential"})"), "agent_behaviour.handle_time.mean: missing (required)");
  EXPECT_EQ(error_of(R"({"type":"uniform","min":"1m","max":"10s"})"), "agent_behaviour.handle_time.max: must be >= min");
  EXPECT_EQ(error_of(R"({"type":"exponential","mean":"1m","sd":"1s"})"),
            "agent_behaviour.handle_time.sd: unknown key");
  EXPECT_EQ(error_of(R"({"type":"erlang","mean":"1m","k":0})"), "agent_behaviour.handle_time.k: must be >= 1");
  EXPECT_EQ(error_of(R"(true)"),
            "agent_behaviour.handle_time: expected a duration (seconds, or a string such as \"30s\"), got boolean");
}

}  // namespace
}  // namespace omni::sim
