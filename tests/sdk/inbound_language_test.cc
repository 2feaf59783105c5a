// omni_inbound_message.language (ABI 1.3) both ways: the C++ SDK writes it for a host of ABI 1.3
// and hands an older host ABI 1.2's struct instead (which that host accepts); the runtime reads
// it only inside struct_size and refuses one longer than it accepts, naming the field.
#include <gtest/gtest.h>

#include <cstddef>
#include <string>

#include "omnikernel/runtime/channel_adapter_handle.h"
#include "omnikernel/sdk/fake_host.hpp"
#include "omnikernel/sdk/plugin.hpp"

namespace {

// Emits one message whose language is the payload.
class LanguageAdapter final : public omni::sdk::ChannelAdapter {
 public:
  void parse(std::string_view payload, omni::sdk::MessageSink& sink) override {
    (void)sink.emit({.channel = "lang", .customer = "c", .text = "hi", .timestamp_ms = 1, .language = payload});
  }
  omni::sdk::OutboundVerdict gate_outbound(const omni::sdk::OutboundRequest&, omni::sdk::TextOut&) override {
    return omni::sdk::OutboundVerdict::allow();
  }
};

}  // namespace

OMNI_PLUGIN_INFO(LanguageAdapter, "lang", "1.0.0");

namespace {

using omni::runtime::ChannelAdapterHandle;
using omni::sdk::testing::FakeHost;

TEST(InboundLanguage, AnAbi13HostReceivesIt) {
  FakeHost host;
  auto adapter = host.adapter(omni::sdk::entry<LanguageAdapter>);
  ASSERT_TRUE(adapter.ok()) << adapter.error();
  auto result = adapter.parse("pt-BR");
  ASSERT_EQ(result.messages.size(), 1u) << result.error;
  EXPECT_EQ(result.messages[0].language, "pt-BR");
  EXPECT_EQ(result.messages[0].struct_size, sizeof(omni_inbound_message));
}

TEST(InboundLanguage, AnAbi12HostGetsTheStructItKnows) {
  FakeHost host;
  host.set_abi_1_2_host();
  auto adapter = host.adapter(omni::sdk::entry<LanguageAdapter>);
  ASSERT_TRUE(adapter.ok()) << adapter.error();
  auto result = adapter.parse("pt-BR");
  ASSERT_EQ(result.messages.size(), 1u) << result.error;
  EXPECT_EQ(result.messages[0].struct_size, offsetof(omni_inbound_message, language));
  EXPECT_EQ(result.messages[0].language, "");
}

omni_inbound_message message_with_language(std::string_view language, uint32_t size) {
  omni_inbound_message m{};
  m.struct_size = size;
  m.channel = {"lang", 4};
  m.customer = {"c", 1};
  m.language = {language.data(), language.size()};
  return m;
}

TEST(InboundLanguage, TheHostReadsItOnlyInsideStructSize) {
  omni::runtime::InboundMessage out;
  omni::runtime::InvalidOutput invalid;
  const omni_inbound_message full = message_with_language("es", sizeof(omni_inbound_message));
  ASSERT_TRUE(ChannelAdapterHandle::check_message(&full, "lang", false, out, invalid)) << invalid.why;
  EXPECT_EQ(out.language, "es");
  // An ABI 1.2 adapter's message: whatever lies past its struct_size is not read.
  const omni_inbound_message older =
      message_with_language("es", static_cast<uint32_t>(offsetof(omni_inbound_message, language)));
  omni::runtime::InboundMessage out12;
  ASSERT_TRUE(ChannelAdapterHandle::check_message(&older, "lang", false, out12, invalid)) << invalid.why;
  EXPECT_EQ(out12.language, "");
}

TEST(InboundLanguage, TheHostRefusesALanguageLongerThanItAcceptsNamingTheField) {
  const std::string long_tag(omni::runtime::kMaxInboundLanguageBytes + 1, 'a');
  const omni_inbound_message m = message_with_language(long_tag, sizeof(omni_inbound_message));
  omni::runtime::InboundMessage out;
  omni::runtime::InvalidOutput invalid;
  EXPECT_FALSE(ChannelAdapterHandle::check_message(&m, "lang", false, out, invalid));
  ASSERT_TRUE(invalid);
  EXPECT_STREQ(invalid.field, "omni_inbound_message.language");
  omni_inbound_message null_data = message_with_language("es", sizeof(omni_inbound_message));
  null_data.language.data = nullptr;
  omni::runtime::InvalidOutput invalid_null;
  EXPECT_FALSE(ChannelAdapterHandle::check_message(&null_data, "lang", false, out, invalid_null));
  EXPECT_STREQ(invalid_null.field, "omni_inbound_message.language");
}

}  // namespace
