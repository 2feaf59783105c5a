// The service's small parts on their own: HMAC and constant-time checks (RFC 4231 vectors), the
// de-duplication window's bound, query decoding, the configuration's errors, Graph API bodies.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <nlohmann/json.hpp>

#include "omnikernel/service/hmac.h"
#include "omnikernel/service/http_message.h"
#include "omnikernel/service/outbound.h"
#include "omnikernel/service/recent_ids.h"
#include "omnikernel/service/service_config.h"
#include "service_fixture.h"

namespace omni::service {
namespace {

TEST(Hmac, MatchesRfc4231TestCase2) {
  EXPECT_EQ(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// hmac_sha256 keeps keyed contexts per thread in four slots (hmac.cc): more keys than slots,
// used in turn and again, from two threads at once, must each give RFC 4231's digest every time
// (a slot re-keyed wrongly, or a key found in another key's slot, would not).
TEST(Hmac, KeyedContextsGiveRfc4231DigestsForMoreKeysThanSlotsOnEveryThread) {
  struct Case {
    std::string key, data, digest;
  };
  std::string tc4_key;
  for (char c = 1; c <= 25; ++c) tc4_key += c;
  const std::vector<Case> cases = {
      {std::string(20, '\x0b'), "Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"Jefe", "what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {std::string(20, '\xaa'), std::string(50, '\xdd'), "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {tc4_key, std::string(50, '\xcd'), "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
  };
  auto check_all = [&](std::atomic<int>& wrong) {
    for (int round = 0; round < 50; ++round) {
      for (size_t i = 0; i < cases.size(); ++i) {
        // Forward then backward, so that slots are both hit and recycled.
        const Case& c = cases[round % 2 == 0 ? i : cases.size() - 1 - i];
        if (to_hex(hmac_sha256(c.key, c.data)) != c.digest) wrong.fetch_add(1);
      }
    }
  };
  std::atomic<int> wrong{0};
  std::thread other([&] { check_all(wrong); });
  check_all(wrong);
  other.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(Hmac, HubSignatureAcceptsOnlyTheExactDigest) {
  const std::string body = R"({"object":"whatsapp_business_account"})";
  const std::string good = "sha256=" + to_hex(hmac_sha256("s3cret", body));
  EXPECT_EQ(check_hub_signature(good, body, "s3cret"), SignatureCheck::ok);
  std::string upper = good;
  for (size_t i = 7; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  EXPECT_EQ(check_hub_signature(upper, body, "s3cret"), SignatureCheck::ok);  // hex case does not matter
  EXPECT_EQ(check_hub_signature("", body, "s3cret"), SignatureCheck::missing);
  EXPECT_EQ(check_hub_signature("sha1=" + good.substr(7), body, "s3cret"), SignatureCheck::malformed);
  EXPECT_EQ(check_hub_signature(good.substr(0, good.size() - 1), body, "s3cret"), SignatureCheck::malformed);
  EXPECT_EQ(check_hub_signature(good, body, "other"), SignatureCheck::mismatch);
  EXPECT_EQ(check_hub_signature(good, body + "\n", "s3cret"), SignatureCheck::mismatch);
}

TEST(Hmac, ConstantTimeEqualComparesWholeStrings) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_NE(agent_token("k", "alice"), agent_token("k", "bob"));
  EXPECT_EQ(random_secret().size(), 64u);
  EXPECT_NE(random_secret(), random_secret());
}

TEST(RecentIds, RemembersAtMostItsCapacityOldestForgottenFirst) {
  RecentIds ids(3);
  EXPECT_TRUE(ids.claim("a"));
  EXPECT_FALSE(ids.claim("a"));
  EXPECT_TRUE(ids.claim("b"));
  EXPECT_TRUE(ids.claim("c"));
  EXPECT_TRUE(ids.claim("d"));  // evicts "a"
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_TRUE(ids.claim("a"));
  EXPECT_FALSE(ids.claim("d"));
  ids.release("d");  // a failed delivery: the retry must get through
  EXPECT_TRUE(ids.claim("d"));
  // A re-claimed id is not forgotten early by the entry of its released claim.
  RecentIds window(2);
  EXPECT_TRUE(window.claim("p"));
  window.release("p");
  EXPECT_TRUE(window.claim("q"));
  EXPECT_TRUE(window.claim("p"));   // window: q, p
  EXPECT_FALSE(window.claim("p"));
  EXPECT_FALSE(window.claim("q"));
  for (int i = 0; i < 1000; ++i) (void)ids.claim(std::to_string(i) + "x");  // (GCC 12 -Wrestrict on "x" + …)
  EXPECT_EQ(ids.size(), 3u);
}

TEST(HttpMessage, QueryParametersArePercentDecoded) {
  HttpRequest r{"GET", "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=a%2Bb+c&hub.challenge=12&empty", {}, {}};
  EXPECT_EQ(r.path(), "/webhooks/whatsapp");
  EXPECT_EQ(r.query("hub.verify_token"), "a+b c");
  EXPECT_EQ(r.query("hub.challenge"), "12");
  EXPECT_EQ(r.query("empty"), "");
  EXPECT_EQ(r.query("absent"), std::nullopt);
  EXPECT_EQ(percent_decode("%zz%4"), "%zz%4");
}

TEST(ServiceConfig, ErrorsNameTheField) {
  using testing::test_config;
  auto bad_queue = load_serve_config_text(test_config({{"routes", {{{"channel", "whatsapp"}, {"queue", "nope"}}}}}), "t");
  ASSERT_FALSE(bad_queue);
  EXPECT_EQ(bad_queue.error().field, "service.routes[0].queue");
  auto bad_channel = load_serve_config_text(test_config({{"routes", {{{"channel", "sms"}, {"queue", "wa"}}}}}), "t");
  ASSERT_FALSE(bad_channel);
  EXPECT_EQ(bad_channel.error().field, "service.routes[0].channel");
  auto typo = load_serve_config_text(test_config({{"limts", nlohmann::json::object()}}), "t");
  ASSERT_FALSE(typo);
  EXPECT_EQ(typo.error().field, "service.limts");
  auto bad_skill = load_serve_config_text(
      test_config({{"routes", {{{"queue", "wa"}, {"skills", {{{"skill", "Klingon"}}}}}}}}), "t");
  ASSERT_FALSE(bad_skill);
  EXPECT_EQ(bad_skill.error().field, "service.routes[0].skills[0].skill");
  EXPECT_TRUE(load_serve_config_text(demo_config_json(), "demo"));
}

TEST(ServiceConfig, WebSocketIdleTimeOutIsADurationAboveZero) {
  using testing::test_config;
  for (const char* bad : {"0s", "-5s", "soon"}) {
    auto c = load_serve_config_text(test_config({{"limits", {{"ws_idle_timeout", bad}}}}), "t");
    ASSERT_FALSE(c) << bad;
    EXPECT_EQ(c.error().field, "service.limits.ws_idle_timeout") << bad;
  }
  auto good = load_serve_config_text(test_config({{"limits", {{"ws_idle_timeout", "90s"}}}}), "t");
  ASSERT_TRUE(good);
  EXPECT_EQ(good->service.limits.ws_idle_timeout, std::chrono::seconds(90));
  EXPECT_EQ(load_serve_config_text(test_config(), "t")->service.limits.ws_idle_timeout, std::chrono::seconds(60));
}

TEST(ServiceConfig, ListenAddresses) {
  EXPECT_EQ(parse_listen("127.0.0.1:8080")->port, 8080);
  EXPECT_EQ(parse_listen("[::1]:0")->host, "::1");
  EXPECT_FALSE(parse_listen("localhost"));
  EXPECT_FALSE(parse_listen("127.0.0.1:70000"));
}

TEST(GraphRequests, WhatsAppTextTemplateAndInstagram) {
  auto wa = nlohmann::json::parse(graph_request_body({"whatsapp", "106", "1555", "Hi", false}));
  EXPECT_EQ(wa["messaging_product"], "whatsapp");
  EXPECT_EQ(wa["to"], "1555");
  EXPECT_EQ(wa["text"]["body"], "Hi");
  auto tpl = nlohmann::json::parse(graph_request_body({"whatsapp", "106", "1555", "order_update", true, "pt_BR"}));
  EXPECT_EQ(tpl["type"], "template");
  EXPECT_EQ(tpl["template"]["name"], "order_update");
  EXPECT_EQ(tpl["template"]["language"]["code"], "pt_BR");
  auto ig = nlohmann::json::parse(graph_request_body({"instagram", "178", "678", "Hello", false}));
  EXPECT_EQ(ig["recipient"]["id"], "678");
  EXPECT_EQ(ig["message"]["text"], "Hello");
}

}  // namespace
}  // namespace omni::service
