#include "instagram_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "payload_files.h"

namespace omni::adapters {
namespace {

using test::read_payload;

struct Owned {
  std::string customer, account, conversation, message_id, kind, text;
  int64_t timestamp_ms;
  MessageEvent event;
};

std::vector<Owned> parse_ok(const std::string& payload) {
  InstagramParser parser;
  auto result = parser.parse(payload);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message());
  std::vector<Owned> out;
  if (!result) return out;
  for (const auto& m : *result) {
    EXPECT_EQ(m.channel, "instagram");
    out.push_back({std::string(m.customer), std::string(m.account), std::string(m.conversation),
                   std::string(m.message_id), std::string(to_string(m.kind)), std::string(m.text),
                   m.timestamp_ms, m.event});
  }
  return out;
}

// A payload nothing of which can be read: refused whole.
ParseError parse_error(const std::string& payload) {
  InstagramParser parser;
  auto result = parser.parse(payload);
  EXPECT_FALSE(result.has_value()) << "payload unexpectedly accepted";
  return result ? ParseError{} : result.error();
}

// A payload with one bad part: it is accepted, `kept` messages survive, and the one rejection
// is returned.
ParseError rejected_once(const std::string& payload, size_t kept = 0) {
  InstagramParser parser;
  auto result = parser.parse(payload);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message());
  if (!result) return {};
  EXPECT_EQ(result->size(), kept) << "the good events beside the bad part are kept";
  EXPECT_EQ(parser.rejections().size(), 1u);
  return parser.rejections().empty() ? ParseError{} : parser.rejections()[0].error;
}

TEST(InstagramParser, CustomerEventsBecomeMessagesAndTheRestIsSkipped) {
  auto messages = parse_ok(read_payload("instagram_messages.json"));
  struct Expected {
    const char* id;
    const char* kind;
    const char* text;
    int64_t timestamp;
  };
  // Skipped: the echo, the read receipt, the deleted message and the comments entry.
  const std::vector<Expected> expected = {
      {"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx", "text",
       "Hi! Is this still available? \u2764\ufe0f", 1700000000123},
      {"mid.image", "image", "", 1700000001123},
      {"mid.reply", "text", "this one", 1700000002123},
      {"mid.postback", "postback", "Talk to a human", 1700000004123},
      {"mid.echo", "reaction", "\u2764\ufe0f", 1700000005123},
      {"mid.echo", "reaction", "", 1700000006123},
      {"mid.share", "share", "", 1700000009123},
      {"mid.unsupported", "unknown", "", 1700000010123},
  };
  ASSERT_EQ(messages.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE("message " + std::to_string(i));
    EXPECT_EQ(messages[i].message_id, expected[i].id);
    EXPECT_EQ(messages[i].kind, expected[i].kind);
    EXPECT_EQ(messages[i].text, expected[i].text);
    EXPECT_EQ(messages[i].timestamp_ms, expected[i].timestamp);
    EXPECT_EQ(messages[i].customer, "6789012345678901");
    EXPECT_EQ(messages[i].account, "17841400000000001");
    EXPECT_EQ(messages[i].conversation, "17841400000000001:6789012345678901");
  }
}

TEST(InstagramParser, EchoesAreOurOwnMessages) {
  EXPECT_TRUE(parse_ok(read_payload("instagram_echo_only.json")).empty());
}

TEST(InstagramParser, EntryWithoutMessagingProducesNothing) {
  EXPECT_TRUE(parse_ok(R"({"object":"instagram","entry":[{"id":"1","time":2,"changes":[]}]})").empty());
  EXPECT_TRUE(parse_ok(R"({"object":"instagram","entry":[]})").empty());
}

TEST(InstagramParser, AttachmentWithTextKeepsTextAsCaption) {
  auto messages = parse_ok(R"({"object":"instagram","entry":[{"id":"1","messaging":[
    {"sender":{"id":"9"},"recipient":{"id":"1"},"timestamp":5,
     "message":{"mid":"m","text":"look","attachments":[{"type":"video","payload":{"url":"u"}}]}}]}]})");
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].kind, "video");
  EXPECT_EQ(messages[0].text, "look");
}

TEST(InstagramParser, HugeIdsStayExactStrings) {
  auto messages = parse_ok(R"({"object":"instagram","entry":[{"id":"1","messaging":[
    {"sender":{"id":"123456789012345678901234567890"},"recipient":{"id":"98765432109876543210"},
     "timestamp":1700000000000,"message":{"mid":"m","text":"x"}}]}]})");
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].customer, "123456789012345678901234567890");
  EXPECT_EQ(messages[0].conversation, "98765432109876543210:123456789012345678901234567890");
}

TEST(InstagramParser, PostSharesAreSharesWithTheCaptionAsText) {
  auto messages = parse_ok(read_payload("instagram_post_share_and_edit.json"));
  ASSERT_EQ(messages.size(), 4u);
  // The transition payload (share + ig_post): the first attachment decides, both are shares.
  EXPECT_EQ(messages[0].message_id, "mid.post-transition");
  EXPECT_EQ(messages[0].kind, "share");
  EXPECT_EQ(messages[0].text, "");  // the old `share` attachment carries no title
  // ig_post alone: a share whose text is the post's caption.
  EXPECT_EQ(messages[1].message_id, "mid.post");
  EXPECT_EQ(messages[1].kind, "share");
  EXPECT_EQ(messages[1].text, "Autumn collection");
  EXPECT_EQ(messages[1].timestamp_ms, 1761287295014);
  EXPECT_EQ(messages[1].event, MessageEvent::message);
  // The customer's own words win over the caption.
  EXPECT_EQ(messages[2].kind, "share");
  EXPECT_EQ(messages[2].text, "Is this in stock?");
}

TEST(InstagramParser, MessageEditUpdatesTheEditedMessage) {
  auto messages = parse_ok(read_payload("instagram_post_share_and_edit.json"));
  ASSERT_EQ(messages.size(), 4u);
  const Owned& edit = messages[3];
  EXPECT_EQ(edit.kind, "edit");
  EXPECT_EQ(edit.event, MessageEvent::edit);
  EXPECT_EQ(edit.message_id, "mid.post-with-comment");  // the message it changes
  EXPECT_EQ(edit.text, "Is this in stock in size 38?");
  EXPECT_EQ(edit.customer, "6789012345678901");
  EXPECT_EQ(edit.conversation, "17841400000000001:6789012345678901");
  EXPECT_EQ(edit.timestamp_ms, 1761287297014);
}

TEST(InstagramParserErrors, AnEditOfNoMessageIsRejected) {
  auto error = rejected_once(R"({"object":"instagram","entry":[{"id":"1","messaging":[
    {"sender":{"id":"9"},"recipient":{"id":"1"},"timestamp":5,"message_edit":{"text":"new","num_edit":1}}]}]})");
  EXPECT_EQ(error.code, ParseErrc::missing_field);
  EXPECT_EQ(error.message(), "entry[0].messaging[0].message_edit.mid: missing");
}

TEST(InstagramParser, BadEventsAndEntriesAreRejectedAndTheRestKept) {
  InstagramParser parser;
  auto result = parser.parse(read_payload("instagram_partial_batch.json"));
  ASSERT_TRUE(result.has_value()) << result.error().message();
  ASSERT_EQ(result->size(), 2u);
  EXPECT_EQ((*result)[0].message_id, "mid.first");
  EXPECT_EQ((*result)[0].text, "first");
  EXPECT_EQ((*result)[1].message_id, "mid.last");
  EXPECT_EQ((*result)[1].timestamp_ms, 1700000003123);
  const auto rejections = parser.rejections();
  ASSERT_EQ(rejections.size(), 3u);
  EXPECT_EQ(rejections[0].error.code, ParseErrc::wrong_type);
  EXPECT_EQ(rejections[0].error.message(), "entry[0].messaging[1].timestamp: expected integer, got string");
  EXPECT_EQ(rejections[0].message_id, "mid.string-time");
  EXPECT_EQ(rejections[1].error.code, ParseErrc::missing_field);
  EXPECT_EQ(rejections[1].error.message(), "entry[0].messaging[2].postback.mid: missing");
  EXPECT_EQ(rejections[1].message_id, "");
  EXPECT_EQ(rejections[2].error.message(), "entry[1].messaging: expected array, got string");
}

TEST(InstagramParserErrors, WrongObject) {
  auto error = parse_error(read_payload("whatsapp_text.json"));
  EXPECT_EQ(error.code, ParseErrc::wrong_object);
  EXPECT_EQ(error.message(), "object: expected \"instagram\", got \"whatsapp_business_account\"");
}

TEST(InstagramParserErrors, MissingSenderId) {
  auto error = rejected_once(R"({"object":"instagram","entry":[{"id":"1","messaging":[
    {"sender":{"id":"9"},"recipient":{"id":"1"},"timestamp":5,"message":{"mid":"a","text":"x"}},
    {"sender":{},"recipient":{"id":"1"},"timestamp":5,"message":{"mid":"b","text":"y"}}]}]})",
                             /*kept=*/1);
  EXPECT_EQ(error.code, ParseErrc::missing_field);
  EXPECT_EQ(error.message(), "entry[0].messaging[1].sender.id: missing");
}

TEST(InstagramParserErrors, TimestampAsStringIsAWrongType) {
  auto error = rejected_once(R"({"object":"instagram","entry":[{"id":"1","messaging":[
    {"sender":{"id":"9"},"recipient":{"id":"1"},"timestamp":"5","message":{"mid":"a","text":"x"}}]}]})");
  EXPECT_EQ(error.code, ParseErrc::wrong_type);
  EXPECT_EQ(error.message(), "entry[0].messaging[0].timestamp: expected integer, got string");
}

TEST(InstagramParserErrors, MessageWithoutMid) {
  auto error = rejected_once(R"({"object":"instagram","entry":[{"id":"1","messaging":[
    {"sender":{"id":"9"},"recipient":{"id":"1"},"timestamp":5,"message":{"text":"x"}}]}]})");
  EXPECT_EQ(error.message(), "entry[0].messaging[0].message.mid: missing");
}

TEST(InstagramParserErrors, IsEchoOfTheWrongType) {
  auto error = rejected_once(R"({"object":"instagram","entry":[{"id":"1","messaging":[
    {"sender":{"id":"9"},"recipient":{"id":"1"},"timestamp":5,"message":{"mid":"a","is_echo":"yes"}}]}]})");
  EXPECT_EQ(error.message(), "entry[0].messaging[0].message.is_echo: expected boolean, got string");
}

TEST(InstagramParserErrors, MessagingNotAnArray) {
  auto error = rejected_once(R"({"object":"instagram","entry":[{"id":"1","messaging":{}}]})");
  EXPECT_EQ(error.message(), "entry[0].messaging: expected array, got object");
}

TEST(InstagramParserErrors, AttachmentWithoutType) {
  auto error = rejected_once(R"({"object":"instagram","entry":[{"id":"1","messaging":[
    {"sender":{"id":"9"},"recipient":{"id":"1"},"timestamp":5,"message":{"mid":"a","attachments":[{"payload":{}}]}}]}]})");
  EXPECT_EQ(error.message(), "entry[0].messaging[0].message.attachments[0].type: missing");
}

}  // namespace
}  // namespace omni::adapters
