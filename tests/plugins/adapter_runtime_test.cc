// The adapter plugins through the host's real loader (omni_runtime, Boost.DLL): found in the
// plugin directory by name, parsed and gated via ChannelAdapterHandle.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "omnikernel/runtime/plugin_loader.h"
#include "payload_files.h"

namespace {

using omni::runtime::PluginKind;
using omni::runtime::PluginLoader;

struct Copy {
  std::string channel, customer, conversation, kind, text;
  int64_t timestamp_ms;
};

class AdapterRuntime : public ::testing::Test {
 protected:
  void SetUp() override {
    auto report = loader_.load_directory(OMNI_ADAPTER_PLUGIN_DIR);
    ASSERT_TRUE(report.has_value()) << report.error().message();
  }
  PluginLoader loader_;
};

TEST_F(AdapterRuntime, AllThreeAdaptersLoadByName) {
  for (const char* name : {"webchat", "whatsapp", "instagram"}) {
    auto plugin = loader_.find(name);
    ASSERT_NE(plugin, nullptr) << name;
    EXPECT_EQ(plugin->kind(), PluginKind::channel_adapter);
    EXPECT_EQ(plugin->info().version, "1.0.0");
    EXPECT_EQ(plugin->info().abi_string(),
              std::to_string(OMNI_ABI_VERSION_MAJOR) + "." + std::to_string(OMNI_ABI_VERSION_MINOR));
  }
}

TEST_F(AdapterRuntime, ParseDeliversEachMessageToTheCallback) {
  auto adapter = loader_.create_adapter("instagram");
  ASSERT_TRUE(adapter.has_value()) << adapter.error().text();
  std::vector<Copy> seen;
  auto count = adapter->parse(omni::test::read_payload("instagram_messages.json"),
                              [&](const omni::runtime::InboundMessage& m) {
                                seen.push_back({std::string(m.channel), std::string(m.customer),
                                                std::string(m.conversation), std::string(m.kind),
                                                std::string(m.text), m.timestamp_ms});
                                return true;
                              });
  ASSERT_TRUE(count.has_value()) << count.error().text();
  EXPECT_EQ(*count, 8u);
  ASSERT_EQ(seen.size(), 8u);
  EXPECT_EQ(seen[3].kind, "postback");
  EXPECT_EQ(seen[3].text, "Talk to a human");
  EXPECT_EQ(seen[0].conversation, "17841400000000001:6789012345678901");
}

TEST_F(AdapterRuntime, HostCanStopAfterTheFirstMessage) {
  auto adapter = loader_.create_adapter("whatsapp");
  ASSERT_TRUE(adapter.has_value());
  size_t calls = 0;
  auto count = adapter->parse(omni::test::read_payload("whatsapp_all_types.json"),
                              [&](const omni::runtime::InboundMessage&) { return ++calls < 1; });
  ASSERT_TRUE(count.has_value()) << count.error().text();
  EXPECT_EQ(calls, 1u);
}

TEST_F(AdapterRuntime, MalformedPayloadIsATypedErrorNamingThePath) {
  auto adapter = loader_.create_adapter("webchat");
  ASSERT_TRUE(adapter.has_value());
  auto count = adapter->parse(R"({"object":"webchat","site":"s","visitor":"v","session":"x",
                                   "messages":[{"id":"1","text":"no timestamp"}]})",
                              [](const omni::runtime::InboundMessage&) { return true; });
  ASSERT_FALSE(count.has_value());
  EXPECT_EQ(count.error().status, OMNI_ERR_MALFORMED_PAYLOAD);
  EXPECT_EQ(count.error().message, "messages[0].timestamp: missing");
}

TEST_F(AdapterRuntime, PartialParseDeliversTheGoodMessagesAndNamesEachBadPart) {
  auto adapter = loader_.create_adapter("whatsapp");
  ASSERT_TRUE(adapter.has_value()) << adapter.error().text();
  ASSERT_TRUE(adapter->offers_parse_partial());
  std::vector<std::string> ids;
  std::vector<std::string> rejected;
  auto counts = adapter->parse(
      omni::test::read_payload("whatsapp_partial_batch.json"),
      [&](const omni::runtime::InboundMessage& m) {
        ids.emplace_back(m.message_id);
        return true;
      },
      [&](const omni::runtime::Rejection& r) {
        rejected.push_back(std::string(r.path) + ": " + std::string(r.detail) + " [" +
                           std::string(r.message_id) + "] code " +
                           std::to_string(static_cast<int>(r.code)));
        return true;
      });
  ASSERT_TRUE(counts.has_value()) << counts.error().text();
  EXPECT_EQ(counts->delivered, 5u);
  EXPECT_EQ(counts->rejected, 3u);
  EXPECT_EQ(ids, (std::vector<std::string>{"wamid.0", "wamid.1", "wamid.2", "wamid.4", "wamid.5"}));
  EXPECT_EQ(rejected,
            (std::vector<std::string>{
                "entry[0].changes[0].value.messages[3].type: expected string, got number [wamid.3] code 5",
                "entry[0].changes[1].value.metadata: missing [] code 4",
                "entry[1].changes: expected array, got object [] code 5"}));
}

TEST_F(AdapterRuntime, TheTwoArgumentParseKeepsTheWholeOrNothingContract) {
  // Hosts written before ABI 1.2 (the simulator) call parse(payload, on_message): a payload with
  // a bad part is refused whole, and notices never reach them.
  auto adapter = loader_.create_adapter("whatsapp");
  ASSERT_TRUE(adapter.has_value());
  size_t delivered = 0;
  auto refused = adapter->parse(omni::test::read_payload("whatsapp_partial_batch.json"),
                                [&](const omni::runtime::InboundMessage&) { return ++delivered > 0; });
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(delivered, 0u);
  EXPECT_EQ(refused.error().status, OMNI_ERR_MALFORMED_PAYLOAD);
  EXPECT_EQ(refused.error().message, "entry[0].changes[0].value.messages[3].type: expected string, got number");
  std::vector<std::string> kinds;
  auto accepted = adapter->parse(omni::test::read_payload("whatsapp_system_and_order.json"),
                                 [&](const omni::runtime::InboundMessage& m) {
                                   kinds.emplace_back(m.kind);
                                   EXPECT_EQ(m.event, omni::runtime::InboundEvent::message);
                                   return true;
                                 });
  ASSERT_TRUE(accepted.has_value()) << accepted.error().text();
  EXPECT_EQ(kinds, (std::vector<std::string>{"order", "order"}));
}

TEST_F(AdapterRuntime, GateOutboundAppliesWindowAndAlias) {
  auto adapter = loader_.create_adapter("whatsapp");
  ASSERT_TRUE(adapter.has_value());
  omni::runtime::OutboundRequest request;
  request.customer = "16505551234";
  request.last_inbound_ms = 1'700'000'000'000;
  request.now_ms = 1'700'000'000'000 + 3'600'000;
  request.text = "Hello";
  request.agent_alias = "Ana";
  auto open = adapter->gate_outbound(request);
  ASSERT_TRUE(open.has_value()) << open.error().text();
  EXPECT_TRUE(open->allowed);
  EXPECT_EQ(open->text, "Ana: Hello");

  request.now_ms = 1'700'000'000'000 + 24 * 3'600'000;
  auto closed = adapter->gate_outbound(request);
  ASSERT_TRUE(closed.has_value());
  EXPECT_FALSE(closed->allowed);
  EXPECT_EQ(closed->reason, omni::runtime::GateReason::window_closed);
}

}  // namespace
