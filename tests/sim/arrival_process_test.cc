#include "arrival_process.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace omni::sim::internal {
namespace {

using namespace std::chrono_literals;

size_t count_arrivals(const std::vector<RateStep>& steps, Time from, Time to, Time end, uint64_t seed) {
  Rng rng(seed);
  size_t n = 0;
  Time t{};
  while (auto next = next_arrival(steps, t, end, rng)) {
    if (*next >= to) break;
    if (*next >= from) ++n;
    t = *next;
  }
  return n;
}

TEST(NextArrival, HomogeneousRate) {
  // 3600/h for 10 h: 36000 expected, sd 190; ±1000 is > 5 sd.
  const std::vector<RateStep> steps{{Duration{}, 3600}};
  const size_t n = count_arrivals(steps, Time{}, Time{10h}, Time{10h}, 1);
  EXPECT_NEAR(static_cast<double>(n), 36000, 1000);
}

TEST(NextArrival, PiecewiseRateFollowsEachStep) {
  const std::vector<RateStep> steps{{Duration{}, 1000}, {Duration{5h}, 0}, {Duration{10h}, 4000}};
  EXPECT_NEAR(static_cast<double>(count_arrivals(steps, Time{}, Time{5h}, Time{20h}, 2)), 5000, 400);
  EXPECT_EQ(count_arrivals(steps, Time{5h}, Time{10h}, Time{20h}, 2), 0u);
  EXPECT_NEAR(static_cast<double>(count_arrivals(steps, Time{10h}, Time{20h}, Time{20h}, 2)), 40000, 1200);
}

TEST(NextArrival, ZeroRateNeverArrives) {
  Rng rng(1);
  EXPECT_FALSE(next_arrival({{Duration{}, 0}}, Time{}, Time{1h}, rng).has_value());
}

TEST(Payloads, BuiltInTemplatesRenderToValidJson) {
  for (const char* adapter : {"webchat", "whatsapp", "instagram"}) {
    const std::string payload =
        render_payload(builtin_payload_template(adapter), "12345", "7", 1'700'000'000'123, "Hi");
    EXPECT_TRUE(nlohmann::json::accept(payload)) << adapter << ": " << payload;
    EXPECT_NE(payload.find("12345"), std::string::npos);
  }
  EXPECT_TRUE(builtin_payload_template("fax").empty());
}

TEST(Payloads, RenderReplacesOnlyKnownPlaceholders) {
  EXPECT_EQ(render_payload("{customer}/{message_id}/{timestamp_ms}/{timestamp_s}/{text}/{other}", "c", "m", 12345,
                           "t"),
            "c/m/12345/12/t/{other}");
}

TEST(CustomerHash, StableAndNeverZero) {
  EXPECT_EQ(customer_hash("16315551181"), customer_hash("16315551181"));
  EXPECT_NE(customer_hash("a"), customer_hash("b"));
  EXPECT_NE(customer_hash(""), 0u);
}

}  // namespace
}  // namespace omni::sim::internal
