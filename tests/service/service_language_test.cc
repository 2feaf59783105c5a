// Routing by language (service.routes[].language): web chat carries the customer's language (the
// session's `language`, or a message's own), a rule's BCP 47 range matches it, a message without
// one never matches a rule that names one, and every bad tag — in the configuration or in a
// payload — is an error naming where it is.
#include <gtest/gtest.h>

#include "recording_peer.h"
#include "service_fixture.h"

namespace omni::service::testing {
namespace {

// Spanish web chats to wa_es (a queue alice serves; the kernel does not mind its channel name),
// the rest of web chat to web.
Json language_routes() {
  return {{"routes",
           {{{"channel", "webchat"}, {"language", "es"}, {"queue", "wa_es"}},
            {{"channel", "webchat"}, {"queue", "web"}},
            {{"channel", "whatsapp"}, {"queue", "wa"}}}}};
}

// A web-chat payload; `session_language` / `message_language` are left out when empty.
std::string chat(const std::string& visitor, const std::string& session_language,
                 const std::string& message_language = {}) {
  Json message{{"id", "m-" + visitor}, {"timestamp", now_ms()}, {"text", "hello"}};
  if (!message_language.empty()) message["language"] = message_language;
  Json payload{{"object", "webchat"}, {"site", "acme-web"}, {"visitor", visitor}, {"session", "s-" + visitor},
               {"messages", Json::array({message})}};
  if (!session_language.empty()) payload["language"] = session_language;
  return payload.dump();
}

// The queue the first offer to alice names, on a fresh service (alice's capacity is small).
std::string queue_offered(const std::string& channel, const std::string& body) {
  ServiceUnderTest sut = make_service(language_routes());
  sut.service->start();
  auto peer = std::make_shared<RecordingPeer>();
  Upgrade u = sut.service->upgrade(get("/v1/agents/ws?agent=alice&token=" + sut.service->token_of("alice")), peer);
  EXPECT_TRUE(u.handler);
  const HttpResponse r =
      channel == "webchat"
          ? sut.service->handle(post("/webhooks/webchat", body, {{"x-omni-site-key", kSiteKey}}))
          : sut.service->handle(signed_whatsapp(body));
  EXPECT_EQ(r.status, 200) << r.body;
  auto offer = peer->wait_for("offer");
  sut.service->stop();
  return offer ? (*offer)["queue"].get<std::string>() : std::string("(no offer)");
}

TEST(LanguageRouting, TheSessionsLanguageMatchesTheRulesRangeAndItsSubtags) {
  EXPECT_EQ(queue_offered("webchat", chat("v-es", "es")), "wa_es");
  EXPECT_EQ(queue_offered("webchat", chat("v-mx", "ES-mx")), "wa_es");  // case-insensitive, region subtag
  EXPECT_EQ(queue_offered("webchat", chat("v-en", "en-GB")), "web");
  EXPECT_EQ(queue_offered("webchat", chat("v-est", "est")), "web");  // a prefix that is not a subtag
}

TEST(LanguageRouting, AMessagesOwnLanguageWinsOverTheSessions) {
  EXPECT_EQ(queue_offered("webchat", chat("v-1", "en", "es")), "wa_es");
  EXPECT_EQ(queue_offered("webchat", chat("v-2", "es", "en")), "web");
}

TEST(LanguageRouting, WithoutALanguageARuleThatNamesOneDoesNotMatch) {
  EXPECT_EQ(queue_offered("webchat", chat("v-none", "")), "web");
  // Meta's webhooks carry none: a WhatsApp message goes by the other rules.
  EXPECT_EQ(queue_offered("whatsapp", whatsapp_payload("15550042", "wamid.lang", "hola")), "wa");
}

TEST(LanguageRouting, ABadLanguageInAPayloadIsReportedByJsonPath) {
  ServiceUnderTest sut = make_service(language_routes());
  // The session's: the whole payload is refused (every message would carry it).
  HttpResponse whole = sut.service->handle(post("/webhooks/webchat", chat("v-3", "not a tag"), {{"x-omni-site-key", kSiteKey}}));
  EXPECT_EQ(whole.status, 400);
  EXPECT_NE(whole.body.find("language"), std::string::npos) << whole.body;
  // A message's: that message is rejected, with its path.
  HttpResponse part = sut.service->handle(post("/webhooks/webchat", chat("v-4", "es", "-x"), {{"x-omni-site-key", kSiteKey}}));
  ASSERT_EQ(part.status, 200) << part.body;
  const Json rejected = Json::parse(part.body)["rejected"];
  ASSERT_EQ(rejected.size(), 1u) << part.body;
  EXPECT_EQ(rejected[0]["path"], "messages[0].language");
  // Not a string.
  Json payload = Json::parse(chat("v-5", ""));
  payload["language"] = 7;
  EXPECT_EQ(sut.service->handle(post("/webhooks/webchat", payload.dump(), {{"x-omni-site-key", kSiteKey}})).status, 400);
}

TEST(LanguageRouting, ConfigurationErrorsNameTheField) {
  auto bad_tag = load_serve_config_text(test_config({{"routes", {{{"language", "español"}, {"queue", "web"}}}}}), "t");
  ASSERT_FALSE(bad_tag);
  EXPECT_EQ(bad_tag.error().field, "service.routes[0].language");
  auto not_string = load_serve_config_text(test_config({{"routes", {{{"language", 12}, {"queue", "web"}}}}}), "t");
  ASSERT_FALSE(not_string);
  EXPECT_EQ(not_string.error().field, "service.routes[0].language");
  // WhatsApp and Instagram give no language: such a rule could never match.
  auto never = load_serve_config_text(
      test_config({{"routes", {{{"channel", "instagram"}, {"language", "pt"}, {"queue", "ig"}}}}}), "t");
  ASSERT_FALSE(never);
  EXPECT_EQ(never.error().field, "service.routes[0].language");
  EXPECT_NE(never.error().message().find("carry no language"), std::string::npos) << never.error().message();
  EXPECT_TRUE(load_serve_config_text(test_config(language_routes()), "t"));
}

TEST(LanguageRouting, RangesMatchWholeSubtags) {
  EXPECT_TRUE(language_matches("pt", "pt-BR"));
  EXPECT_TRUE(language_matches("pt-BR", "pt-br"));
  EXPECT_FALSE(language_matches("pt-BR", "pt"));
  EXPECT_FALSE(language_matches("pt", "ptx"));
  EXPECT_FALSE(language_matches("pt", ""));
  EXPECT_TRUE(is_language_tag("zh-Hant-TW"));
  EXPECT_FALSE(is_language_tag("1en"));
  EXPECT_FALSE(is_language_tag("en--GB"));
  EXPECT_FALSE(is_language_tag("en-"));
  EXPECT_FALSE(is_language_tag("en-abcdefghi"));
}

}  // namespace
}  // namespace omni::service::testing
