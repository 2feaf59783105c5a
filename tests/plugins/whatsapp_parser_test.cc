#include "whatsapp_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "payload_files.h"

namespace omni::adapters {
namespace {

using test::read_payload;

struct Owned {  // a copy that outlives the parser's buffers
  std::string channel, customer, account, conversation, message_id, kind, text;
  int64_t timestamp_ms;
  MessageEvent event;
};

std::vector<Owned> parse_ok(WhatsAppParser& parser, const std::string& payload) {
  auto result = parser.parse(payload);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message());
  std::vector<Owned> out;
  if (!result) return out;
  for (const auto& m : *result) {
    out.push_back({std::string(m.channel), std::string(m.customer), std::string(m.account),
                   std::string(m.conversation), std::string(m.message_id),
                   std::string(to_string(m.kind)), std::string(m.text), m.timestamp_ms, m.event});
  }
  return out;
}

// A payload nothing of which can be read: refused whole.
std::string with_message(const std::string& message_json);

ParseError parse_error(const std::string& payload) {
  WhatsAppParser parser;
  auto result = parser.parse(payload);
  EXPECT_FALSE(result.has_value()) << "payload unexpectedly accepted";
  return result ? ParseError{} : result.error();
}

// A payload with one bad part: it is accepted, `kept` messages survive, and the one rejection
// is returned.
ParseError rejected_once(const std::string& payload, size_t kept = 1) {
  WhatsAppParser parser;
  auto result = parser.parse(payload);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message());
  if (!result) return {};
  EXPECT_EQ(result->size(), kept) << "the good messages beside the bad part are kept";
  EXPECT_EQ(parser.rejections().size(), 1u);
  return parser.rejections().empty() ? ParseError{} : parser.rejections()[0].error;
}

TEST(WhatsAppParser, TextMessageMapsEveryField) {
  WhatsAppParser parser;
  auto messages = parse_ok(parser, read_payload("whatsapp_text.json"));
  ASSERT_EQ(messages.size(), 1u);
  const auto& m = messages[0];
  EXPECT_EQ(m.channel, "whatsapp");
  EXPECT_EQ(m.customer, "16505551234");
  EXPECT_EQ(m.account, "106540352242922");
  EXPECT_EQ(m.conversation, "106540352242922:16505551234");
  EXPECT_EQ(m.message_id, "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=");
  EXPECT_EQ(m.kind, "text");
  EXPECT_EQ(m.text, "Does it come in another color?");
  EXPECT_EQ(m.timestamp_ms, 1749416383000);
}

TEST(WhatsAppParser, EveryMessageTypeHasItsKindAndText) {
  WhatsAppParser parser;
  auto messages = parse_ok(parser, read_payload("whatsapp_all_types.json"));
  struct Expected {
    const char* kind;
    const char* text;
  };
  const std::vector<Expected> expected = {
      {"text", "Ol\u00e1, \"quoted\" \\ back\nslash \U0001F600"},
      {"image", "my receipt"},
      {"audio", ""},
      {"video", ""},
      {"document", "invoice.pdf"},
      {"location", "Philz Coffee (38.9806263495,-131.9428612257)"},
      {"interactive", "Yes, please"},
      {"interactive", "Billing"},
      {"button", "Talk to an agent"},
      {"sticker", ""},
      {"reaction", "\U0001F44D"},
      {"contacts", "Barbara Johnson"},
      {"unknown", ""},
      {"location", "-33.5,151.25"},
  };
  ASSERT_EQ(messages.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE("message " + std::to_string(i));
    EXPECT_EQ(messages[i].kind, expected[i].kind);
    EXPECT_EQ(messages[i].text, expected[i].text);
    EXPECT_EQ(messages[i].message_id, "wamid." + std::to_string(i + 1));
    EXPECT_EQ(messages[i].timestamp_ms, (1700000001 + static_cast<int64_t>(i)) * 1000);
    EXPECT_EQ(messages[i].conversation, "106540352242922:16315551181");
  }
}

TEST(WhatsAppParser, StatusesAndOtherFieldsAreNotCustomerMessages) {
  WhatsAppParser parser;
  EXPECT_TRUE(parse_ok(parser, read_payload("whatsapp_statuses.json")).empty());
}

TEST(WhatsAppParser, SeveralEntriesAndChangesKeepPayloadOrder) {
  WhatsAppParser parser;
  auto messages = parse_ok(parser, read_payload("whatsapp_multi_entry.json"));
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0].text, "first");
  EXPECT_EQ(messages[1].text, "second");
  EXPECT_EQ(messages[2].text, "third");
  EXPECT_EQ(messages[0].conversation, "900000000000001:447700900001");
  EXPECT_EQ(messages[2].conversation, "900000000000002:5511999990000");
  EXPECT_EQ(messages[2].account, "900000000000002");
}

TEST(WhatsAppParser, ParserIsReusableAndResultsDoNotLeakBetweenPayloads) {
  WhatsAppParser parser;
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(parse_ok(parser, read_payload("whatsapp_all_types.json")).size(), 14u);
    EXPECT_EQ(parse_ok(parser, read_payload("whatsapp_statuses.json")).size(), 0u);
    EXPECT_EQ(parse_ok(parser, read_payload("whatsapp_text.json")).size(), 1u);
    EXPECT_FALSE(parser.parse("{").has_value());
  }
}

TEST(WhatsAppParser, HugeIdsStayExactStrings) {
  const std::string payload = R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[
    {"field":"messages","value":{"metadata":{"phone_number_id":"340282366920938463463374607431768211456"},
     "messages":[{"from":"99999999999999999999999999999999","id":"wamid.x","timestamp":"1700000000",
                  "type":"text","text":{"body":"hi"}}]}}]}]})";
  WhatsAppParser parser;
  auto messages = parse_ok(parser, payload);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].customer, "99999999999999999999999999999999");
  EXPECT_EQ(messages[0].account, "340282366920938463463374607431768211456");
}

TEST(WhatsAppParser, IntegerTimestampIsAcceptedToo) {
  const std::string payload = R"({"object":"whatsapp_business_account","entry":[{"changes":[
    {"field":"messages","value":{"metadata":{"phone_number_id":"1"},
     "messages":[{"from":"2","id":"3","timestamp":1700000000,"type":"text","text":{"body":"x"}}]}}]}]})";
  WhatsAppParser parser;
  auto messages = parse_ok(parser, payload);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].timestamp_ms, 1700000000000);
}

TEST(WhatsAppParser, InteractiveReplyOfANewKindHasNoTitle) {
  const std::string payload = R"({"object":"whatsapp_business_account","entry":[{"changes":[
    {"field":"messages","value":{"metadata":{"phone_number_id":"1"},
     "messages":[{"from":"2","id":"3","timestamp":"4","type":"interactive",
                  "interactive":{"type":"nfm_reply","nfm_reply":{"response_json":"{}","body":"Sent"}}}]}}]}]})";
  WhatsAppParser parser;
  auto messages = parse_ok(parser, payload);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].kind, "interactive");
  EXPECT_EQ(messages[0].text, "");
}

TEST(WhatsAppParser, NullOptionalFieldsCountAsAbsent) {
  const std::string payload = R"({"object":"whatsapp_business_account","entry":[{"changes":[
    {"field":"messages","value":{"metadata":{"phone_number_id":"1"},"statuses":null,
     "messages":[{"from":"2","id":"3","timestamp":"4","type":"image","image":{"caption":null,"id":"m"}}]}}]}]})";
  WhatsAppParser parser;
  auto messages = parse_ok(parser, payload);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].kind, "image");
  EXPECT_EQ(messages[0].text, "");
}

// ---- usernames: the business-scoped user id (BSUID) is the customer --------------------------

TEST(WhatsAppParser, UsernameUsersAreKeyedByTheirBusinessScopedUserId) {
  WhatsAppParser parser;
  auto messages = parse_ok(parser, read_payload("whatsapp_username_users.json"));
  ASSERT_EQ(messages.size(), 3u);
  // Only from_user_id (the user hides the phone number behind a username): accepted.
  EXPECT_EQ(messages[0].customer, "US.13491208655302741918");
  EXPECT_EQ(messages[0].conversation, "106540352242922:US.13491208655302741918");
  EXPECT_EQ(messages[0].message_id, "wamid.username-only");
  EXPECT_EQ(messages[0].text, "Hi, I only show my username");
  EXPECT_EQ(messages[0].timestamp_ms, 1749416383000);
  EXPECT_EQ(messages[0].event, MessageEvent::message);
  // Both: the BSUID, which Meta sends in every message, while the phone number may come and go.
  EXPECT_EQ(messages[1].customer, "US.8476283452837465");
  EXPECT_EQ(messages[1].conversation, "106540352242922:US.8476283452837465");
  // Only from (a webhook from before BSUIDs): the phone number, as before.
  EXPECT_EQ(messages[2].customer, "447700900001");
  EXPECT_EQ(messages[2].conversation, "106540352242922:447700900001");
  EXPECT_TRUE(parser.rejections().empty());
}

TEST(WhatsAppParserErrors, BadFromUserIdIsRejectedNotReplacedByFrom) {
  auto wrong_type = rejected_once(with_message(
      R"({"from":"1","from_user_id":17,"id":"x","timestamp":"1","type":"text","text":{"body":"b"}})"));
  EXPECT_EQ(wrong_type.code, ParseErrc::wrong_type);
  EXPECT_EQ(wrong_type.message(),
            "entry[0].changes[1].value.messages[1].from_user_id: expected string, got number");
  auto empty = rejected_once(with_message(
      R"({"from_user_id":"","id":"x","timestamp":"1","type":"text","text":{"body":"b"}})"));
  EXPECT_EQ(empty.code, ParseErrc::bad_value);
  EXPECT_EQ(empty.message(), "entry[0].changes[1].value.messages[1].from_user_id: empty id");
}

// ---- one bad part of a batch does not take the others down ------------------------------------

TEST(WhatsAppParser, BadMessageChangeAndEntryAreRejectedAndEverythingElseKept) {
  WhatsAppParser parser;
  auto messages = parse_ok(parser, read_payload("whatsapp_partial_batch.json"));
  ASSERT_EQ(messages.size(), 5u);
  const char* texts[] = {"zero", "one", "two", "four", "five"};
  const char* ids[] = {"wamid.0", "wamid.1", "wamid.2", "wamid.4", "wamid.5"};
  for (size_t i = 0; i < messages.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(messages[i].text, texts[i]);
    EXPECT_EQ(messages[i].message_id, ids[i]);
  }
  EXPECT_EQ(messages[3].timestamp_ms, 1749416384000);
  EXPECT_EQ(messages[4].conversation, "106540352242923:5511999990000");

  const auto rejections = parser.rejections();
  ASSERT_EQ(rejections.size(), 3u);
  EXPECT_EQ(rejections[0].error.code, ParseErrc::wrong_type);
  EXPECT_EQ(rejections[0].error.path, "entry[0].changes[0].value.messages[3].type");
  EXPECT_EQ(rejections[0].error.detail, "expected string, got number");
  EXPECT_EQ(rejections[0].message_id, "wamid.3");
  // A change without metadata: none of its messages has an account, so the change is rejected.
  EXPECT_EQ(rejections[1].error.code, ParseErrc::missing_field);
  EXPECT_EQ(rejections[1].error.path, "entry[0].changes[1].value.metadata");
  EXPECT_EQ(rejections[1].message_id, "");
  EXPECT_EQ(rejections[2].error.message(), "entry[1].changes: expected array, got object");
}

TEST(WhatsAppParser, RejectionsDoNotLeakIntoTheNextPayload) {
  WhatsAppParser parser;
  EXPECT_EQ(parse_ok(parser, read_payload("whatsapp_partial_batch.json")).size(), 5u);
  EXPECT_EQ(parser.rejections().size(), 3u);
  EXPECT_EQ(parse_ok(parser, read_payload("whatsapp_text.json")).size(), 1u);
  EXPECT_TRUE(parser.rejections().empty());
}

// ---- system notices and orders ------------------------------------------------------------------

TEST(WhatsAppParser, SystemNoticeIsANoticeAndAnOrderKeepsItsText) {
  WhatsAppParser parser;
  auto messages = parse_ok(parser, read_payload("whatsapp_system_and_order.json"));
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0].kind, "order");
  EXPECT_EQ(messages[0].text, "Please gift-wrap the blue one");
  EXPECT_EQ(messages[0].event, MessageEvent::message);
  EXPECT_EQ(messages[0].message_id, "wamid.order");
  // Meta's notice that the number changed: reported (kind notice, Meta's sentence), but not a
  // customer message.
  EXPECT_EQ(messages[1].kind, "notice");
  EXPECT_EQ(messages[1].event, MessageEvent::notice);
  EXPECT_EQ(messages[1].text, "User Sheena Nelson changed from 16505551234 to 12195555358");
  EXPECT_EQ(messages[1].customer, "16505551234");
  EXPECT_EQ(messages[1].conversation, "106540352242922:16505551234");
  EXPECT_EQ(messages[1].message_id, "wamid.system");
  EXPECT_EQ(messages[1].timestamp_ms, 1749416400000);
  EXPECT_EQ(messages[2].kind, "order");
  EXPECT_EQ(messages[2].text, "");  // an order without a note
  EXPECT_EQ(messages[2].customer, "12195555358");
}

TEST(WhatsAppParser, VoiceIsNotAMetaTypeButAnAudioIsAudio) {
  // Meta sends a voice note as type "audio" with audio.voice = true; "voice" would be new.
  WhatsAppParser parser;
  auto messages = parse_ok(parser, with_message(
      R"({"from":"1","id":"v","timestamp":"1","type":"audio","audio":{"id":"m","voice":true}},)"
      R"({"from":"1","id":"w","timestamp":"1","type":"voice","voice":{"id":"m"}})"));
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[1].kind, "audio");
  EXPECT_EQ(messages[2].kind, "unknown");
}

// ---- malformed payloads: each error names the path -------------------------------------------

std::string with_message(const std::string& message_json) {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages",
    "value":{"metadata":{"phone_number_id":"1"},"statuses":[]}},{"field":"messages",
    "value":{"metadata":{"phone_number_id":"1"},"messages":[{"from":"2","id":"ok","timestamp":"1",
    "type":"text","text":{"body":"fine"}},)" +
         message_json + "]}}]}]}";
}

TEST(WhatsAppParserErrors, InvalidJson) {
  auto error = parse_error(R"({"object": "whatsapp_business_account", "entry": [)");
  EXPECT_EQ(error.code, ParseErrc::invalid_json);
  EXPECT_NE(error.message().find("invalid JSON"), std::string::npos) << error.message();
}

TEST(WhatsAppParserErrors, EmptyPayload) {
  EXPECT_EQ(parse_error("").code, ParseErrc::invalid_json);
}

TEST(WhatsAppParserErrors, NotAnObject) {
  auto error = parse_error("[1,2,3]");
  EXPECT_EQ(error.code, ParseErrc::wrong_type);
  EXPECT_EQ(error.message(), "payload: expected object, got array");
}

TEST(WhatsAppParserErrors, WrongObjectNamesTheChannelSeen) {
  auto error = parse_error(read_payload("instagram_messages.json"));
  EXPECT_EQ(error.code, ParseErrc::wrong_object);
  EXPECT_EQ(error.message(), "object: expected \"whatsapp_business_account\", got \"instagram\"");
}

TEST(WhatsAppParserErrors, MissingEntry) {
  auto error = parse_error(R"({"object":"whatsapp_business_account"})");
  EXPECT_EQ(error.code, ParseErrc::missing_field);
  EXPECT_EQ(error.message(), "entry: missing");
}

TEST(WhatsAppParserErrors, NeitherFromNorFromUserIdNamesFullPath) {
  auto error = rejected_once(with_message(R"({"id":"x","timestamp":"1","type":"text","text":{"body":"b"}})"));
  EXPECT_EQ(error.code, ParseErrc::missing_field);
  EXPECT_EQ(error.message(),
            "entry[0].changes[1].value.messages[1].from_user_id: missing, and so is from (a "
            "message names its customer by one of them)");
}

TEST(WhatsAppParserErrors, WrongTypeOfFrom) {
  auto error = rejected_once(with_message(R"({"from":16505551234,"id":"x","timestamp":"1","type":"text","text":{"body":"b"}})"));
  EXPECT_EQ(error.code, ParseErrc::wrong_type);
  EXPECT_EQ(error.message(), "entry[0].changes[1].value.messages[1].from: expected string, got number");
}

TEST(WhatsAppParserErrors, EmptyId) {
  auto error = rejected_once(with_message(R"({"from":"1","id":"","timestamp":"1","type":"text","text":{"body":"b"}})"));
  EXPECT_EQ(error.code, ParseErrc::bad_value);
  EXPECT_EQ(error.path, "entry[0].changes[1].value.messages[1].id");
}

TEST(WhatsAppParserErrors, TextWithoutBody) {
  auto error = rejected_once(with_message(R"({"from":"1","id":"x","timestamp":"1","type":"text","text":{}})"));
  EXPECT_EQ(error.message(), "entry[0].changes[1].value.messages[1].text.body: missing");
}

TEST(WhatsAppParserErrors, BadTimestamps) {
  for (const char* timestamp : {R"("17e9")", R"("-1")", R"("")", R"("99999999999999999999")",
                                R"(1.5)", R"(-3)", R"("253402300800")", R"(true)"}) {
    SCOPED_TRACE(timestamp);
    auto error = rejected_once(with_message(std::string(R"({"from":"1","id":"x","timestamp":)") +
                                            timestamp + R"(,"type":"text","text":{"body":"b"}})"));
    EXPECT_TRUE(error.code == ParseErrc::bad_value || error.code == ParseErrc::wrong_type);
    EXPECT_EQ(error.path, "entry[0].changes[1].value.messages[1].timestamp");
  }
}

TEST(WhatsAppParserErrors, MessagesWithoutMetadataRejectTheirChange) {
  auto error = rejected_once(R"({"object":"whatsapp_business_account","entry":[{"changes":[
    {"field":"messages","value":{"messages":[{"from":"1","id":"2","timestamp":"3","type":"text","text":{"body":"b"}}]}}]}]})", 0);
  EXPECT_EQ(error.message(), "entry[0].changes[0].value.metadata: missing");
}

TEST(WhatsAppParserErrors, LocationWithoutCoordinates) {
  auto error = rejected_once(with_message(R"({"from":"1","id":"x","timestamp":"1","type":"location","location":{"latitude":"north"}})"));
  EXPECT_EQ(error.message(),
            "entry[0].changes[1].value.messages[1].location.latitude: expected number, got string");
}

TEST(WhatsAppParserErrors, HugeNumberAnywhereIsInvalidJsonNotACrash) {
  auto error = parse_error(with_message(R"({"from":"1","id":"x","timestamp":123456789012345678901234567890,"type":"text","text":{"body":"b"}})"));
  EXPECT_EQ(error.code, ParseErrc::invalid_json);
}

TEST(WhatsAppParserErrors, BrokenJsonInAPartWeDoNotReadIsStillRefused) {
  // The statuses are never read, but the whole document is validated (why DOM, not On-Demand).
  auto error = parse_error(R"({"object":"whatsapp_business_account","entry":[{"changes":[
    {"field":"messages","value":{"metadata":{"phone_number_id":"1"},"statuses":[1 2 ,,]}}]}]})");
  EXPECT_EQ(error.code, ParseErrc::invalid_json);
}

TEST(WhatsAppParserErrors, OneBadMessageIsRejectedAndItsNeighbourKept) {
  WhatsAppParser parser;
  auto result = parser.parse(with_message(R"({"from":"1","id":"bad-one"})"));
  ASSERT_TRUE(result.has_value()) << result.error().message();
  ASSERT_EQ(result->size(), 1u);
  EXPECT_EQ((*result)[0].message_id, "ok");
  EXPECT_EQ((*result)[0].text, "fine");
  ASSERT_EQ(parser.rejections().size(), 1u);
  EXPECT_EQ(parser.rejections()[0].error.path, "entry[0].changes[1].value.messages[1].timestamp");
  EXPECT_EQ(parser.rejections()[0].error.code, ParseErrc::missing_field);
  EXPECT_EQ(parser.rejections()[0].message_id, "bad-one");
}

TEST(WhatsAppParserErrors, PayloadOverTheLimitIsRefusedBeforeParsing) {
  WhatsAppParser parser(/*max_payload_bytes=*/64);
  auto result = parser.parse(read_payload("whatsapp_text.json"));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ParseErrc::too_large);
}

}  // namespace
}  // namespace omni::adapters
