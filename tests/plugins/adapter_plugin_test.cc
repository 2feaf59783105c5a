// The built adapter plugins, opened with dlopen and driven through the C ABI only (the SDK's
// FakeHost), exactly as a host would: parse, gate_outbound with the alias, config errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <tuple>

#include "omnikernel/sdk/fake_host.hpp"
#include "payload_files.h"

namespace {

using omni::sdk::OutboundKind;
using omni::sdk::OutboundRequest;
using omni::sdk::testing::FakeAdapter;
using omni::sdk::testing::FakeHost;
using omni::test::read_payload;

constexpr int64_t kHourMs = 3'600'000;
constexpr int64_t kLast = 1'700'000'000'000;

FakeAdapter open_adapter(const FakeHost& host, const char* path, std::string_view config = {}) {
  auto adapter = host.adapter(FakeHost::open_entry(path), config);
  EXPECT_TRUE(adapter.ok()) << adapter.error();
  return adapter;
}

TEST(AdapterPlugins, DescriptorsNameEachChannel) {
  FakeHost host;
  for (auto [path, name] : {std::pair{OMNI_WHATSAPP_PLUGIN, "whatsapp"},
                            std::pair{OMNI_INSTAGRAM_PLUGIN, "instagram"},
                            std::pair{OMNI_WEBCHAT_PLUGIN, "webchat"}}) {
    auto loaded = host.load(FakeHost::open_entry(path));
    ASSERT_EQ(loaded.status, OMNI_OK) << loaded.error;
    EXPECT_EQ(loaded.name(), name);
    EXPECT_EQ(loaded.descriptor.kind, OMNI_PLUGIN_KIND_CHANNEL_ADAPTER);
    EXPECT_EQ(OMNI_ABI_VERSION_MAJOR_OF(loaded.descriptor.abi_version), OMNI_ABI_VERSION_MAJOR);
  }
}

TEST(AdapterPlugins, WhatsAppParsesThroughTheAbi) {
  FakeHost host;
  auto adapter = open_adapter(host, OMNI_WHATSAPP_PLUGIN);
  auto result = adapter.parse(read_payload("whatsapp_all_types.json"));
  ASSERT_EQ(result.status, OMNI_OK) << result.error;
  ASSERT_EQ(result.messages.size(), 14u);
  EXPECT_EQ(result.messages[0].channel, "whatsapp");
  EXPECT_EQ(result.messages[0].conversation, "106540352242922:16315551181");
  EXPECT_EQ(result.messages[5].kind, "location");
  EXPECT_EQ(result.messages[5].text, "Philz Coffee (38.9806263495,-131.9428612257)");
  EXPECT_EQ(result.messages[6].kind, "interactive");
  EXPECT_EQ(adapter.parse(read_payload("whatsapp_statuses.json")).messages.size(), 0u);
}

TEST(AdapterPlugins, InstagramSkipsEchoesThroughTheAbi) {
  FakeHost host;
  auto adapter = open_adapter(host, OMNI_INSTAGRAM_PLUGIN);
  auto result = adapter.parse(read_payload("instagram_echo_only.json"));
  EXPECT_EQ(result.status, OMNI_OK);
  EXPECT_TRUE(result.messages.empty());
  EXPECT_EQ(adapter.parse(read_payload("instagram_messages.json")).messages.size(), 8u);
}

TEST(AdapterPlugins, WebChatParsesThroughTheAbi) {
  FakeHost host;
  auto adapter = open_adapter(host, OMNI_WEBCHAT_PLUGIN);
  auto result = adapter.parse(read_payload("webchat_message.json"));
  ASSERT_EQ(result.status, OMNI_OK) << result.error;
  ASSERT_EQ(result.messages.size(), 3u);
  EXPECT_EQ(result.messages[2].kind, "document");
}

// Two messages, the second without an id: what each ABI call makes of it.
constexpr std::string_view kOneBadOfTwo = R"({"object":"whatsapp_business_account","entry":[{"changes":[
    {"field":"messages","value":{"metadata":{"phone_number_id":"1"},"messages":[
      {"from":"2","id":"a","timestamp":"3","type":"text","text":{"body":"fine"}},
      {"from":"2","timestamp":"3","type":"text","text":{"body":"no id"}}]}}]}]})";

TEST(AdapterPlugins, ParsePartialKeepsTheGoodMessageAndRejectsTheBadOne) {
  FakeHost host;
  auto adapter = open_adapter(host, OMNI_WHATSAPP_PLUGIN);
  auto result = adapter.parse(kOneBadOfTwo);
  ASSERT_EQ(result.status, OMNI_OK) << result.error;
  ASSERT_EQ(result.messages.size(), 1u);
  EXPECT_EQ(result.messages[0].message_id, "a");
  EXPECT_EQ(result.messages[0].text, "fine");
  EXPECT_EQ(result.messages[0].event, OMNI_EVENT_MESSAGE);
  ASSERT_EQ(result.rejections.size(), 1u);
  EXPECT_EQ(result.rejections[0].code, OMNI_REJECT_MISSING_FIELD);
  EXPECT_EQ(result.rejections[0].path, "entry[0].changes[0].value.messages[1].id");
  EXPECT_EQ(result.rejections[0].detail, "missing");
  EXPECT_EQ(result.rejections[0].message_id, "");  // it has none
}

TEST(AdapterPlugins, TheAbi10ParseStillRefusesTheWholePayloadAndDeliversNothing) {
  FakeHost host;
  auto adapter = open_adapter(host, OMNI_WHATSAPP_PLUGIN);
  auto result = adapter.parse_abi_1_0(kOneBadOfTwo);
  EXPECT_EQ(result.status, OMNI_ERR_MALFORMED_PAYLOAD);
  EXPECT_EQ(result.error, "entry[0].changes[0].value.messages[1].id: missing");
  EXPECT_TRUE(result.messages.empty());
  EXPECT_EQ(adapter.parse_abi_1_0("not json").status, OMNI_ERR_MALFORMED_PAYLOAD);
}

TEST(AdapterPlugins, AnUnreadablePayloadIsOneTypedRejectionAndAnError) {
  FakeHost host;
  auto adapter = open_adapter(host, OMNI_WHATSAPP_PLUGIN);
  for (auto [payload, code, path] :
       {std::tuple{std::string_view{"not json"}, OMNI_REJECT_INVALID_JSON, ""},
        std::tuple{std::string_view{""}, OMNI_REJECT_INVALID_JSON, ""},
        std::tuple{std::string_view{R"({"object":"instagram","entry":[]})"}, OMNI_REJECT_WRONG_OBJECT, "object"},
        std::tuple{std::string_view{R"({"object":"whatsapp_business_account"})"}, OMNI_REJECT_MISSING_FIELD, "entry"}}) {
    SCOPED_TRACE(payload);
    auto result = adapter.parse(payload);
    EXPECT_EQ(result.status, OMNI_ERR_MALFORMED_PAYLOAD);
    EXPECT_TRUE(result.messages.empty());
    ASSERT_EQ(result.rejections.size(), 1u);
    EXPECT_EQ(result.rejections[0].code, code);
    EXPECT_EQ(result.rejections[0].path, path);
    EXPECT_EQ(result.error, (std::string(path).empty() ? std::string("payload") : std::string(path)) +
                                ": " + result.rejections[0].detail);
  }
}

TEST(AdapterPlugins, WhatsAppNoticesCrossTheAbiAsNoticesAndOnlyToHostsThatKnowThem) {
  FakeHost host;
  auto whatsapp = open_adapter(host, OMNI_WHATSAPP_PLUGIN);
  const std::string payload = read_payload("whatsapp_system_and_order.json");
  auto partial = whatsapp.parse(payload);
  ASSERT_EQ(partial.status, OMNI_OK) << partial.error;
  ASSERT_EQ(partial.messages.size(), 3u);
  EXPECT_EQ(partial.messages[0].kind, "order");
  EXPECT_EQ(partial.messages[0].text, "Please gift-wrap the blue one");
  EXPECT_EQ(partial.messages[0].event, OMNI_EVENT_MESSAGE);
  EXPECT_EQ(partial.messages[1].kind, "notice");
  EXPECT_EQ(partial.messages[1].event, OMNI_EVENT_NOTICE);
  EXPECT_EQ(partial.messages[1].text, "User Sheena Nelson changed from 16505551234 to 12195555358");
  // An ABI 1.0 host would take the notice for a customer message: it never sees it.
  auto legacy = whatsapp.parse_abi_1_0(payload);
  ASSERT_EQ(legacy.status, OMNI_OK) << legacy.error;
  ASSERT_EQ(legacy.messages.size(), 2u);
  EXPECT_EQ(legacy.messages[0].message_id, "wamid.order");
  EXPECT_EQ(legacy.messages[1].message_id, "wamid.order-no-text");
}

TEST(AdapterPlugins, InstagramEditsCrossTheAbiAsEditsAndOnlyToHostsThatKnowThem) {
  FakeHost host;
  auto instagram = open_adapter(host, OMNI_INSTAGRAM_PLUGIN);
  auto edited = instagram.parse(read_payload("instagram_post_share_and_edit.json"));
  ASSERT_EQ(edited.status, OMNI_OK) << edited.error;
  ASSERT_EQ(edited.messages.size(), 4u);
  EXPECT_EQ(edited.messages[3].event, OMNI_EVENT_EDIT);
  EXPECT_EQ(edited.messages[3].kind, "edit");
  EXPECT_EQ(edited.messages[3].message_id, "mid.post-with-comment");
  EXPECT_EQ(edited.messages[3].text, "Is this in stock in size 38?");
  EXPECT_EQ(instagram.parse_abi_1_0(read_payload("instagram_post_share_and_edit.json")).messages.size(), 3u);
}

TEST(AdapterPlugins, ASystemNoticeDoesNotExtendTheServiceWindow) {
  // A host keeps the last inbound time of customer messages only (is_customer_message) and asks
  // the adapter's gate with it. The notice came 100 s after the order; 24 h and 50 s after the
  // order the window is closed, as it would be without the notice.
  FakeHost host;
  auto adapter = open_adapter(host, OMNI_WHATSAPP_PLUGIN);
  auto result = adapter.parse(read_payload("whatsapp_system_and_order.json"));
  ASSERT_EQ(result.status, OMNI_OK) << result.error;
  int64_t last_inbound = 0;
  for (const auto& m : result.messages) {
    if (m.customer != "16505551234") continue;
    if (omni::sdk::is_customer_message(static_cast<omni::sdk::InboundEvent>(m.event)))
      last_inbound = std::max(last_inbound, m.timestamp_ms);
  }
  EXPECT_EQ(last_inbound, 1749416300000);  // the order, not the notice (1749416400000)
  OutboundRequest reply;
  reply.customer = "16505551234";
  reply.last_inbound_ms = last_inbound;
  reply.now_ms = 1749416300000 + 24 * kHourMs + 50'000;
  reply.text = "Your gift-wrapped order ships today.";
  auto verdict = adapter.gate(reply);
  ASSERT_EQ(verdict.status, OMNI_OK) << verdict.error;
  EXPECT_FALSE(verdict.allowed);
  EXPECT_EQ(verdict.reason, OMNI_GATE_WINDOW_CLOSED);
}

OutboundRequest free_form(int64_t elapsed_ms, bool human_agent = false) {
  OutboundRequest request;
  request.kind = OutboundKind::free_form;
  request.customer = "16505551234";
  request.last_inbound_ms = kLast;
  request.now_ms = kLast + elapsed_ms;
  request.human_agent_tag = human_agent;
  request.text = "Your order ships today.";
  request.agent_alias = "Ana";
  return request;
}

TEST(AdapterPlugins, WhatsAppWindowAndAliasThroughTheAbi) {
  FakeHost host;
  auto adapter = open_adapter(host, OMNI_WHATSAPP_PLUGIN);

  auto inside = adapter.gate(free_form(23 * kHourMs + 59 * 60'000));
  ASSERT_EQ(inside.status, OMNI_OK) << inside.error;
  EXPECT_TRUE(inside.allowed);
  EXPECT_EQ(inside.text, "Ana: Your order ships today.");

  auto outside = adapter.gate(free_form(24 * kHourMs));
  EXPECT_EQ(outside.status, OMNI_OK);
  EXPECT_FALSE(outside.allowed);
  EXPECT_EQ(outside.reason, OMNI_GATE_WINDOW_CLOSED);
  EXPECT_NE(outside.message.find("24-hour"), std::string::npos) << outside.message;

  auto templ = free_form(30 * 24 * kHourMs);
  templ.kind = OutboundKind::template_message;
  auto sent = adapter.gate(templ);
  EXPECT_TRUE(sent.allowed);
  EXPECT_EQ(sent.text, "Your order ships today.");  // templates keep their approved wording

  auto never = free_form(0);
  never.last_inbound_ms.reset();
  EXPECT_EQ(adapter.gate(never).reason, OMNI_GATE_NO_INBOUND);
}

TEST(AdapterPlugins, InstagramHumanAgentTagThroughTheAbi) {
  FakeHost host;
  auto adapter = open_adapter(host, OMNI_INSTAGRAM_PLUGIN);
  EXPECT_FALSE(adapter.gate(free_form(24 * kHourMs)).allowed);
  EXPECT_TRUE(adapter.gate(free_form(24 * kHourMs, true)).allowed);
  EXPECT_TRUE(adapter.gate(free_form(7 * 24 * kHourMs - 1, true)).allowed);
  auto closed = adapter.gate(free_form(7 * 24 * kHourMs, true));
  EXPECT_FALSE(closed.allowed);
  EXPECT_NE(closed.message.find("7-day"), std::string::npos) << closed.message;
}

TEST(AdapterPlugins, WebChatHasNoWindowButAppliesTheAlias) {
  FakeHost host;
  auto adapter = open_adapter(host, OMNI_WEBCHAT_PLUGIN);
  auto verdict = adapter.gate(free_form(365 * 24 * kHourMs));
  EXPECT_TRUE(verdict.allowed);
  EXPECT_EQ(verdict.text, "Ana: Your order ships today.");
}

TEST(AdapterPlugins, GateRefusesEmptyTextAndReportsSmallBuffers) {
  FakeHost host;
  auto adapter = open_adapter(host, OMNI_WHATSAPP_PLUGIN);
  auto empty = free_form(0);
  empty.text = "";
  EXPECT_EQ(adapter.gate(empty).reason, OMNI_GATE_EMPTY_TEXT);
  auto small = adapter.gate(free_form(0), /*text_capacity=*/8);
  EXPECT_EQ(small.status, OMNI_ERR_BUFFER_TOO_SMALL);
}

TEST(AdapterPlugins, AbsurdHostTimestampsAreRefusedNotOverflowed) {
  FakeHost host;
  auto adapter = open_adapter(host, OMNI_INSTAGRAM_PLUGIN);
  auto request = free_form(0, true);
  request.last_inbound_ms = INT64_MIN + 1;
  request.now_ms = INT64_MAX;
  auto verdict = adapter.gate(request);
  EXPECT_EQ(verdict.status, OMNI_OK);
  EXPECT_FALSE(verdict.allowed);
  EXPECT_EQ(verdict.reason, OMNI_GATE_WINDOW_CLOSED);
}

TEST(AdapterPlugins, ConfigIsCheckedFieldByField) {
  FakeHost host;
  auto limited = open_adapter(host, OMNI_WHATSAPP_PLUGIN, R"({"max_payload_bytes": 100})");
  EXPECT_EQ(limited.parse(read_payload("whatsapp_text.json")).status, OMNI_ERR_MALFORMED_PAYLOAD);

  auto unknown = host.adapter(FakeHost::open_entry(OMNI_WHATSAPP_PLUGIN), R"({"window_hours": 48})");
  EXPECT_EQ(unknown.status(), OMNI_ERR_CONFIG);
  EXPECT_NE(unknown.error().find("config.window_hours"), std::string::npos) << unknown.error();
  auto bad = host.adapter(FakeHost::open_entry(OMNI_WEBCHAT_PLUGIN), R"({"max_payload_bytes": -1})");
  EXPECT_EQ(bad.status(), OMNI_ERR_CONFIG);
  auto not_json = host.adapter(FakeHost::open_entry(OMNI_INSTAGRAM_PLUGIN), "max=1");
  EXPECT_EQ(not_json.status(), OMNI_ERR_CONFIG);
}

}  // namespace
