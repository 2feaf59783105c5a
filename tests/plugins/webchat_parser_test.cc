#include "webchat_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "payload_files.h"

namespace omni::adapters {
namespace {

using test::read_payload;

ParseError parse_error(const std::string& payload) {
  WebChatParser parser;
  auto result = parser.parse(payload);
  EXPECT_FALSE(result.has_value()) << "payload unexpectedly accepted";
  return result ? ParseError{} : result.error();
}

// A payload with one bad message: it is accepted, `kept` messages survive, and the one
// rejection is returned.
ParseError rejected_once(const std::string& payload, size_t kept) {
  WebChatParser parser;
  auto result = parser.parse(payload);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message());
  if (!result) return {};
  EXPECT_EQ(result->size(), kept) << "the good messages beside the bad one are kept";
  EXPECT_EQ(parser.rejections().size(), 1u);
  return parser.rejections().empty() ? ParseError{} : parser.rejections()[0].error;
}

TEST(WebChatParser, MessagesWithTextAndAttachments) {
  WebChatParser parser;
  const std::string payload = read_payload("webchat_message.json");
  auto result = parser.parse(payload);
  ASSERT_TRUE(result.has_value()) << result.error().message();
  ASSERT_EQ(result->size(), 3u);
  const auto& first = (*result)[0];
  EXPECT_EQ(first.channel, "webchat");
  EXPECT_EQ(first.customer, "v-7f3a9c");
  EXPECT_EQ(first.account, "acme-web");
  EXPECT_EQ(first.conversation, "acme-web:s-20231114-0001");
  EXPECT_EQ(first.message_id, "m-1");
  EXPECT_EQ(first.kind, MessageKind::text);
  EXPECT_EQ(first.text, "Hello, I need help with my order");
  EXPECT_EQ(first.timestamp_ms, 1700000000123);

  EXPECT_EQ((*result)[1].kind, MessageKind::image);
  EXPECT_EQ((*result)[1].text, "here is the photo");
  // No text: the first attachment decides the kind and lends its name.
  EXPECT_EQ((*result)[2].kind, MessageKind::document);
  EXPECT_EQ((*result)[2].text, "invoice.pdf");
  EXPECT_EQ((*result)[2].conversation, "acme-web:s-20231114-0001");
}

TEST(WebChatParser, EmptyMessageListIsValid) {
  WebChatParser parser;
  auto result = parser.parse(R"({"object":"webchat","site":"s","visitor":"v","session":"x","messages":[]})");
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->empty());
}

TEST(WebChatParser, LanguageFromTheSessionOrTheMessage) {
  WebChatParser parser;
  auto result = parser.parse(R"({"object":"webchat","site":"s","visitor":"v","session":"x","language":"pt-BR",
    "messages":[{"id":"1","timestamp":1,"text":"oi"},{"id":"2","timestamp":2,"text":"hi","language":"en"}]})");
  ASSERT_TRUE(result.has_value()) << result.error().message();
  ASSERT_EQ(result->size(), 2u);
  EXPECT_EQ((*result)[0].language, "pt-BR");
  EXPECT_EQ((*result)[1].language, "en");
  auto none = parser.parse(R"({"object":"webchat","site":"s","visitor":"v","session":"x","language":null,
    "messages":[{"id":"1","timestamp":1,"text":"t"}]})");
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ((*none)[0].language, "");
}

TEST(WebChatParserErrors, BadSessionLanguageRefusesThePayload) {
  for (const char* bad : {R"("")", R"("es_ES")", R"("-es")", R"("es-")", R"("abcdefghi")", R"(5)", R"("9x")"}) {
    const std::string payload = std::string(R"({"object":"webchat","site":"s","visitor":"v","session":"x","language":)") +
                                bad + R"(,"messages":[]})";
    const ParseError error = parse_error(payload);
    EXPECT_EQ(error.path, "language") << bad;
  }
}

TEST(WebChatParserErrors, BadMessageLanguageRejectsThatMessage) {
  auto error = rejected_once(R"({"object":"webchat","site":"s","visitor":"v","session":"x",
    "messages":[{"id":"1","timestamp":1,"text":"ok"},{"id":"2","timestamp":2,"text":"t","language":"e s"}]})", 1);
  EXPECT_EQ(error.code, ParseErrc::bad_value);
  EXPECT_EQ(error.path, "messages[1].language");
}

TEST(WebChatParserErrors, MissingVisitor) {
  EXPECT_EQ(parse_error(R"({"object":"webchat","site":"s","session":"x","messages":[]})").message(),
            "visitor: missing");
}

TEST(WebChatParserErrors, MessageWithNeitherTextNorAttachment) {
  auto error = rejected_once(R"({"object":"webchat","site":"s","visitor":"v","session":"x",
    "messages":[{"id":"1","timestamp":1,"text":"ok"},{"id":"2","timestamp":2,"text":""}]})", 1);
  EXPECT_EQ(error.code, ParseErrc::bad_value);
  EXPECT_EQ(error.message(), "messages[1]: a message needs a text or an attachment");
}

TEST(WebChatParserErrors, AttachmentWithoutUrl) {
  auto error = rejected_once(R"({"object":"webchat","site":"s","visitor":"v","session":"x",
    "messages":[{"id":"1","timestamp":1,"attachments":[{"type":"image","url":"u"},{"type":"image"}]}]})", 0);
  EXPECT_EQ(error.message(), "messages[0].attachments[1].url: missing");
}

TEST(WebChatParserErrors, NegativeTimestamp) {
  auto error = rejected_once(R"({"object":"webchat","site":"s","visitor":"v","session":"x",
    "messages":[{"id":"1","timestamp":-1,"text":"t"}]})", 0);
  EXPECT_EQ(error.code, ParseErrc::bad_value);
  EXPECT_EQ(error.path, "messages[0].timestamp");
}

TEST(WebChatParserErrors, WrongObject) {
  EXPECT_EQ(parse_error(R"({"object":"whatsapp_business_account"})").code, ParseErrc::wrong_object);
  EXPECT_EQ(parse_error(R"({"site":"s"})").message(), "object: missing");
}

TEST(WebChatParserErrors, TruncatedUtf8IsInvalidJson) {
  EXPECT_EQ(parse_error("{\"object\":\"webchat\",\"site\":\"\xC3\"}").code, ParseErrc::invalid_json);
}

}  // namespace
}  // namespace omni::adapters
