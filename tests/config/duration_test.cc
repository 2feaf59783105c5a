#include "omnikernel/config/duration.h"

#include <gtest/gtest.h>

namespace omni::config {
namespace {

using namespace std::chrono_literals;

TEST(ParseDuration, AcceptsUnitsAndCompounds) {
  EXPECT_EQ(*parse_duration("30s"), Duration(30s));
  EXPECT_EQ(*parse_duration("500ms"), Duration(500ms));
  EXPECT_EQ(*parse_duration("2m"), Duration(2min));
  EXPECT_EQ(*parse_duration("2min"), Duration(2min));
  EXPECT_EQ(*parse_duration("1h30m"), Duration(90min));
  EXPECT_EQ(*parse_duration("1.5h"), Duration(90min));
  EXPECT_EQ(*parse_duration("1d"), Duration(24h));
  EXPECT_EQ(*parse_duration("250us"), Duration(250us));
  EXPECT_EQ(*parse_duration("7ns"), Duration(7ns));
  EXPECT_EQ(*parse_duration("0s"), Duration::zero());
}

TEST(ParseDuration, RefusesMalformedText) {
  for (const char* bad : {"", "30", "s", "30 s", "30sec", "-5s", "1h-5m", "abc", "1e3s", "5x"}) {
    auto d = parse_duration(bad);
    EXPECT_FALSE(d.has_value()) << bad;
  }
  EXPECT_NE(parse_duration("30sec").error().find("invalid duration \"30sec\""), std::string::npos);
  EXPECT_EQ(parse_duration("-5s").error(), "duration must be >= 0");
  EXPECT_EQ(parse_duration("999999999999d").error(), "duration is too large");
}

TEST(DurationFromSeconds, ChecksRange) {
  EXPECT_EQ(*duration_from_seconds(0.25), Duration(250ms));
  EXPECT_FALSE(duration_from_seconds(-1).has_value());
  EXPECT_FALSE(duration_from_seconds(1e30).has_value());
}

TEST(FormatDuration, IsShortAndReadable) {
  EXPECT_EQ(format_duration(Duration::zero()), "0s");
  EXPECT_EQ(format_duration(250ms), "250ms");
  EXPECT_EQ(format_duration(30s), "30s");
  EXPECT_EQ(format_duration(150s), "2m30s");
  EXPECT_EQ(format_duration(1h), "1h");
  EXPECT_EQ(format_duration(26h + 5min), "26h5m");
}

}  // namespace
}  // namespace omni::config
