// JsonWriter (service/src/json_writer.h): what it writes is the JSON the DOM would have written —
// every push must parse, whatever bytes a customer sent.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "json_writer.h"

namespace omni::service::testing {
namespace {

using Json = nlohmann::json;

TEST(JsonWriter, WritesNestedObjectsAndArraysThatParseBack) {
  JsonWriter w;
  w.begin_object().member("type", "offer").member("n", int64_t{-5}).member("big", uint64_t{1} << 63).member("ok", true);
  w.key("messages").begin_array();
  for (int i = 0; i < 2; ++i) w.begin_object().member("i", i).end_object();
  w.end_array().key("empty").begin_array().end_array().member("id", Json{{"x", 1}}).end_object();
  const Json back = Json::parse(w.take());
  EXPECT_EQ(back["type"], "offer");
  EXPECT_EQ(back["n"], -5);
  EXPECT_EQ(back["big"], uint64_t{1} << 63);
  EXPECT_EQ(back["ok"], true);
  EXPECT_EQ(back["messages"], Json::parse(R"([{"i":0},{"i":1}])"));
  EXPECT_TRUE(back["empty"].empty());
  EXPECT_EQ(back["id"]["x"], 1);
}

TEST(JsonWriter, EscapesAndReplacesInvalidUtf8LikeTheDom) {
  const std::string text = std::string("quote\" back\\ nl\n tab\t nul") + '\0' + "\x01 é 😀 bad\xff\xc3 end \xed\xa0\x80";
  const std::string written = JsonWriter().begin_object().member("text", text).end_object().take();
  const Json back = Json::parse(written);  // throws on invalid JSON or UTF-8
  const Json dom{{"text", text}};
  EXPECT_EQ(written, dom.dump(-1, ' ', false, Json::error_handler_t::replace));
  EXPECT_EQ(back["text"].get<std::string>().substr(0, 6), "quote\"");
}

}  // namespace
}  // namespace omni::service::testing
