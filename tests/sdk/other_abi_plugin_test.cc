// The same C++ adapter built with -D_GLIBCXX_USE_CXX11_ABI=0 (the old std::string) and with
// clang++ + libc++ (another standard library altogether) loads into this libstdc++ host and works:
// only the C ABI crosses, so the plugin's std::string, heap and exceptions stay its own.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "omnikernel/runtime/plugin_loader.h"

namespace {

void exercise(const std::string& file, const std::string& name) {
  omni::runtime::PluginLoader loader;
  auto plugin = loader.load_file(file);
  ASSERT_TRUE(plugin) << plugin.error().message();
  EXPECT_EQ((*plugin)->name(), name);
  auto adapter = loader.create_adapter(name, "[x] ");
  ASSERT_TRUE(adapter) << adapter.error().text();

  std::vector<std::string> seen;
  // Long strings on purpose: past any small-string buffer, so the plugin's heap is in play.
  std::string long_text(300, 'z');
  auto count = adapter->parse("customer-one|" + long_text + "\ncustomer-two|short",
                              [&](const omni::runtime::InboundMessage& m) {
                                seen.push_back(std::string(m.customer) + ":" + std::string(m.text));
                                EXPECT_EQ(m.channel, name);
                                EXPECT_EQ(m.message_id, "m" + std::to_string(seen.size()));
                                return true;
                              });
  ASSERT_TRUE(count) << count.error().text();
  EXPECT_EQ(seen, (std::vector<std::string>{"customer-one:[x] " + long_text,
                                            "customer-two:[x] short"}));

  // An exception thrown and caught inside the plugin, by its own runtime.
  auto malformed = adapter->parse("fine|1\nno bar here", [](const auto&) { return true; });
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().status, OMNI_ERR_INTERNAL);
  EXPECT_EQ(malformed.error().message, "line 2: no '|'");
  auto typed = adapter->parse("!", [](const auto&) { return true; });
  ASSERT_FALSE(typed);
  EXPECT_EQ(typed.error().status, OMNI_ERR_MALFORMED_PAYLOAD);

  auto gated = adapter->gate_outbound({.kind = omni::runtime::OutboundKind::free_form,
                                       .customer = "customer-one",
                                       .last_inbound_ms = 1000,
                                       .now_ms = 2000,
                                       .text = long_text,
                                       .agent_alias = "Agent Smith"});
  ASSERT_TRUE(gated) << gated.error().text();
  EXPECT_TRUE(gated->allowed);
  EXPECT_EQ(gated->text, "Agent Smith: " + long_text);
  auto refused = adapter->gate_outbound({.kind = omni::runtime::OutboundKind::free_form,
                                         .customer = "customer-two",
                                         .now_ms = 2000,
                                         .text = "hi"});
  ASSERT_TRUE(refused);
  EXPECT_FALSE(refused->allowed);
  EXPECT_EQ(refused->message, "outside the 24-hour window of customer-two");

  auto bad_config = loader.create_adapter(name, "throw");
  ASSERT_FALSE(bad_config);
  EXPECT_EQ(bad_config.error().status, OMNI_ERR_CONFIG);
}

TEST(OtherAbiPlugin, OldLibstdcxxStringAbi) {
  exercise(OMNI_TEST_OTHER_ABI_DIR "/libomni_test_echo_cxx11_abi0.so", "echo_cxx11_abi0");
}

TEST(OtherAbiPlugin, ClangWithLibcxx) {
  if (!OMNI_TEST_LIBCXX_AVAILABLE) GTEST_SKIP() << "clang++-14 or libc++-14-dev is not installed";
  exercise(OMNI_TEST_OTHER_ABI_DIR "/libomni_test_echo_libcxx.so", "echo_libcxx");
}

}  // namespace
