#include "omnikernel/config/json_fields.h"

#include <gtest/gtest.h>

namespace omni::config {
namespace {

// Runs `read` and returns the FieldError's "field: reason", or "ok".
template <class F>
std::string error_of(F read) {
  try {
    read();
    return "ok";
  } catch (const FieldError& e) {
    return e.field + ": " + e.reason;
  }
}

TEST(JsonFields, TypeErrorsNameTheFieldAndBothTypes) {
  const Json doc = Json::parse(R"({"name": 5, "flag": "yes", "n": "1", "list": ["a", 2]})");
  EXPECT_EQ(error_of([&] { (void)read_string(doc["name"], "x.name"); }),
            "x.name: expected a string, got number");
  EXPECT_EQ(error_of([&] { (void)read_bool(doc["flag"], "x.flag"); }),
            "x.flag: expected true or false, got string");
  EXPECT_EQ(error_of([&] { (void)read_number(doc["n"], "x.n"); }),
            "x.n: expected a number, got string");
  EXPECT_EQ(error_of([&] { (void)read_string_list(doc["list"], "x.list"); }),
            "x.list[1]: expected a string, got number");
}

TEST(JsonFields, IntegersAreWholeAndInRange) {
  EXPECT_EQ(error_of([] { (void)read_integer(Json(1.5), "n", 0, 10); }), "n: must be a whole number");
  EXPECT_EQ(error_of([] { (void)read_integer(Json(-1), "n", 0, 10); }), "n: must be >= 0");
  EXPECT_EQ(error_of([] { (void)read_integer(Json(11), "n", 0, 10); }), "n: must be <= 10");
  EXPECT_EQ(read_integer(Json(4.0), "n", 0, 10), 4);
}

TEST(JsonFields, ChoiceListsTheAlternatives) {
  EXPECT_EQ(error_of([] { (void)read_choice(Json("fastest"), "q.model", "model", {"a", "b"}); }),
            "q.model: unknown model \"fastest\" (one of: a, b)");
  EXPECT_EQ(read_choice(Json("b"), "q.model", "model", {"a", "b"}), 1u);
}

TEST(JsonObject, RefusesUnknownKeysAndSuggestsTheClosest) {
  const Json doc = Json::parse(R"({"name": "a", "capcity": 2})");
  EXPECT_EQ(error_of([&] {
              JsonObject o(doc, "presence_configs[0]");
              std::string name;
              double capacity = 1;
              o.read("name", name);
              o.read("capacity", capacity);
              o.refuse_unknown_keys();
            }),
            "presence_configs[0].capcity: unknown key (did you mean \"capacity\"?)");
}

TEST(JsonObject, DollarKeysAreComments) {
  const Json doc = Json::parse(R"({"$comment": "why", "name": "a"})");
  EXPECT_EQ(error_of([&] {
              JsonObject o(doc, "");
              std::string name;
              o.read("name", name);
              o.refuse_unknown_keys();
            }),
            "ok");
}

TEST(JsonObject, MissingAndNotAnObject) {
  const Json array = Json::array();
  const Json empty = Json::object();
  EXPECT_EQ(error_of([&] { JsonObject o(array, "queues[0]"); }), "queues[0]: expected an object, got array");
  EXPECT_EQ(error_of([&] {
              JsonObject o(empty, "queues[0]");
              (void)o.require("name");
            }),
            "queues[0].name: missing (required)");
}

TEST(DidYouMean, OnlyPlausibleTypos) {
  EXPECT_EQ(did_you_mean("routng", {"routing", "queues"}), "routing");
  EXPECT_EQ(did_you_mean("zzzzzz", {"routing", "queues"}), std::nullopt);
}

}  // namespace
}  // namespace omni::config
