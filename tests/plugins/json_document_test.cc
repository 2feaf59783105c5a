#include "omnikernel/adapters/json_document.h"

#include <gtest/gtest.h>

#include <string>

namespace omni::adapters {
namespace {

std::string array_of_bytes(size_t bytes) {
  std::string json = "[";
  while (json.size() + 3 < bytes) json += "1,";
  json += "1]";
  return json;
}

TEST(JsonDocument, LargePayloadMemoryIsGivenBackAfterIt) {
  JsonDocument document;
  ASSERT_TRUE(document.load(R"({"a":1})").has_value());
  const size_t ordinary = document.capacity();
  EXPECT_LE(ordinary, kRetainedPayloadBytes);

  const std::string large = array_of_bytes(3 * kRetainedPayloadBytes);
  auto parsed = document.load(large);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message();
  EXPECT_GE(document.capacity(), large.size());

  auto small = document.load(R"({"b":[true,false]})");
  ASSERT_TRUE(small.has_value()) << small.error().message();
  EXPECT_LE(document.capacity(), kRetainedPayloadBytes);
  bool first = false;
  EXPECT_EQ((*small)["b"].at(0).get(first), simdjson::SUCCESS);
  EXPECT_TRUE(first);
}

TEST(JsonDocument, PayloadsUpToTheRetainedSizeDoNotOvergrowTheBuffer) {
  JsonDocument document;
  ASSERT_TRUE(document.load(array_of_bytes(200 << 10)).has_value());
  ASSERT_TRUE(document.load(array_of_bytes(250 << 10)).has_value());
  EXPECT_LE(document.capacity(), kRetainedPayloadBytes);
}

TEST(JsonDocument, LimitIsCheckedBeforeCopying) {
  JsonDocument document(/*max_payload_bytes=*/10);
  auto refused = document.load(R"({"too":"long"})");
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ParseErrc::too_large);
  EXPECT_EQ(document.capacity(), 0u);
}

}  // namespace
}  // namespace omni::adapters
