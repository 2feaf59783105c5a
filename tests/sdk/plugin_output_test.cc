// The host never trusts what a plugin returns: every struct and field an adapter or a policy
// hands back is validated at the boundary, and a violation is a typed PluginError
// (invalid_output) naming the plugin and the field — never a crash, never a blank message.
// The faults come from tests/sdk/plugins/bad_adapter.c and c_policy_variants.c.
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "omnikernel/runtime/plugin_loader.h"
#include "omnikernel/sdk/customer_id.hpp"
#include "omnikernel/sdk/fake_host.hpp"
#include "omnikernel/sdk/plugin.hpp"

namespace {

namespace fs = std::filesystem;
using omni::runtime::PluginErrorKind;
using omni::runtime::PluginLoader;

const fs::path kDir = OMNI_TEST_PLUGIN_DIR;

struct LogLine {
  omni::runtime::LogLevel level;
  std::string plugin, message;
};

class PluginOutput : public ::testing::Test {
 protected:
  void SetUp() override {
    omni::runtime::HostOptions options;
    options.log = [this](omni::runtime::LogLevel level, std::string_view plugin, std::string_view message) {
      std::lock_guard lock(mutex);
      logs.push_back({level, std::string(plugin), std::string(message)});
    };
    loader.emplace(options);
    ASSERT_TRUE(loader->load_file(kDir / "libomni_test_bad_adapter.so"));
    ASSERT_TRUE(loader->load_file(kDir / "libomni_test_c_allow_all.so"));
    auto created = loader->create_adapter("bad_adapter");
    ASSERT_TRUE(created) << created.error().text();
    adapter.emplace(std::move(*created));
  }

  // Parses `fault`, expecting an invalid_output error on `field` whose message contains `words`.
  void expect_invalid(const std::string& fault, const std::string& field, const std::string& words) {
    size_t delivered = 0;
    auto parsed = adapter->parse(fault, [&](const omni::runtime::InboundMessage&) {
      ++delivered;
      return true;
    });
    ASSERT_FALSE(parsed) << fault << " was accepted";
    EXPECT_EQ(delivered, 0u) << fault;
    EXPECT_EQ(parsed.error().kind, PluginErrorKind::invalid_output) << parsed.error().text();
    EXPECT_EQ(parsed.error().plugin, "bad_adapter");
    EXPECT_EQ(parsed.error().field, field) << parsed.error().text();
    EXPECT_NE(parsed.error().message.find(words), std::string::npos) << parsed.error().text();
    EXPECT_NE(parsed.error().text().find("bad_adapter: invalid output: " + field), std::string::npos)
        << parsed.error().text();
  }

  std::mutex mutex;
  std::vector<LogLine> logs;
  std::optional<PluginLoader> loader;
  std::optional<omni::runtime::ChannelAdapterHandle> adapter;
};

TEST_F(PluginOutput, AGoodMessageIsDelivered) {
  std::string customer;
  auto parsed = adapter->parse("ok", [&](const omni::runtime::InboundMessage& m) {
    customer = std::string(m.customer);
    EXPECT_EQ(m.channel, "bad_adapter");
    EXPECT_EQ(m.timestamp_ms, 1700000000000);
    return true;
  });
  ASSERT_TRUE(parsed) << parsed.error().text();
  EXPECT_EQ(*parsed, 1u);
  EXPECT_EQ(customer, "+15550100");
}

TEST_F(PluginOutput, AnEventWithoutATimeCarriesOmniNoTimestamp) {
  int64_t time = 0;
  auto parsed = adapter->parse("no_time", [&](const omni::runtime::InboundMessage& m) {
    time = m.timestamp_ms;
    return true;
  });
  ASSERT_TRUE(parsed) << parsed.error().text();
  EXPECT_EQ(time, OMNI_NO_TIMESTAMP);
}

TEST_F(PluginOutput, GarbageStructSizesAreRefused) {
  const std::string known = std::to_string(sizeof(omni_inbound_message));
  const std::string v1 = std::to_string(offsetof(omni_inbound_message, event));  // ABI 1.0's size
  expect_invalid("size0", "omni_inbound_message.struct_size", "is 0 bytes, smaller than the " + v1);
  expect_invalid("size8", "omni_inbound_message.struct_size", "is 8 bytes");
  expect_invalid("size4096", "omni_inbound_message.struct_size", "is 4096 bytes, larger than the " + known);
  expect_invalid("null_message", "omni_inbound_message", "NULL message");
}

TEST_F(PluginOutput, FieldsOutOfRangeAreRefused) {
  expect_invalid("empty_customer", "omni_inbound_message.customer", "is empty");
  expect_invalid("long_customer", "omni_inbound_message.customer", "is 2048 bytes, this host accepts at most 1024");
  expect_invalid("negative_time", "omni_inbound_message.timestamp_ms", "is -5");
  expect_invalid("wrong_channel", "omni_inbound_message.channel",
                 "is \"whatsapp\", the adapter's channel is \"bad_adapter\"");
  expect_invalid("huge_text", "omni_inbound_message.text", "is 1099511627776 bytes");
  expect_invalid("null_text", "omni_inbound_message.text", "is NULL with a size of 3");
}

TEST_F(PluginOutput, UndefinedStatusesAndErrorsWithoutAMessageAreNamed) {
  expect_invalid("status77", "parse() status", "returned 77");
  expect_invalid("malformed_no_text", "parse() omni_error.message",
                 "returned malformed payload without a message");
}

TEST_F(PluginOutput, AnAdapterThatIgnoresStopDeliversNothingMore) {
  auto parsed = adapter->parse("ignore_stop", [](const auto&) { return false; });
  ASSERT_TRUE(parsed) << parsed.error().text();
  EXPECT_EQ(*parsed, 1u);
}

// ---- ABI 1.2: parse_partial, rejections and events ---------------------------------------------

struct Seen {
  std::vector<std::string> messages;    // "<message_id> <event>"
  std::vector<std::string> rejections;  // "<code> <path>: <detail> (<message_id>)"
};

std::expected<omni::runtime::ParseCounts, omni::runtime::PluginError> parse_partial(
    const omni::runtime::ChannelAdapterHandle& adapter, std::string_view payload, Seen& seen) {
  return adapter.parse(
      payload,
      [&](const omni::runtime::InboundMessage& m) {
        seen.messages.push_back(std::string(m.message_id) + " " +
                                std::to_string(static_cast<int>(m.event)));
        return true;
      },
      [&](const omni::runtime::Rejection& r) {
        seen.rejections.push_back(std::to_string(static_cast<int>(r.code)) + " " + std::string(r.path) +
                                  ": " + std::string(r.detail) + " (" + std::string(r.message_id) + ")");
        return true;
      });
}

TEST_F(PluginOutput, ParsePartialDeliversMessagesNoticesAndRejections) {
  ASSERT_TRUE(adapter->offers_parse_partial());
  Seen seen;
  auto parsed = parse_partial(*adapter, "partial_ok", seen);
  ASSERT_TRUE(parsed) << parsed.error().text();
  EXPECT_EQ(parsed->delivered, 2u);
  EXPECT_EQ(parsed->rejected, 1u);
  EXPECT_EQ(seen.messages, (std::vector<std::string>{"m1 0", "n1 1"}));  // a message, a notice
  EXPECT_EQ(seen.rejections, (std::vector<std::string>{"4 messages[1].id: missing (m2)"}));
}

TEST_F(PluginOutput, BadRejectionsAndEventsAreRefused) {
  for (auto [fault, field, words] :
       {std::tuple{"reject_code77", "omni_message_rejection.code", "is 77"},
        std::tuple{"reject_no_detail", "omni_message_rejection.detail", "is empty"},
        std::tuple{"reject_size8", "omni_message_rejection.struct_size", "is 8 bytes, smaller"},
        std::tuple{"reject_null", "omni_message_rejection", "NULL rejection"},
        std::tuple{"event7", "omni_inbound_message.event", "is 7"}}) {
    SCOPED_TRACE(fault);
    Seen seen;
    auto parsed = parse_partial(*adapter, fault, seen);
    ASSERT_FALSE(parsed);
    EXPECT_TRUE(seen.messages.empty());
    EXPECT_TRUE(seen.rejections.empty());
    EXPECT_EQ(parsed.error().kind, PluginErrorKind::invalid_output);
    EXPECT_EQ(parsed.error().field, field);
    EXPECT_NE(parsed.error().message.find(words), std::string::npos) << parsed.error().text();
  }
}

TEST_F(PluginOutput, TheAbi10ParseMayHandOverCustomerMessagesOnly) {
  // A host that called parse() would take a notice for a customer message and open work.
  expect_invalid("notice_from_parse", "omni_inbound_message.event",
                 "is 1 from parse(), which delivers customer messages only");
}

TEST_F(PluginOutput, AnAbi11AdapterStillLoadsAndParses) {
  ASSERT_TRUE(loader->load_file(kDir / "libomni_test_adapter_abi_1_1.so"));
  auto old = loader->create_adapter("adapter_abi_1_1");
  ASSERT_TRUE(old) << old.error().text();
  EXPECT_EQ(loader->find("adapter_abi_1_1")->info().abi_string(), "1.1");
  EXPECT_FALSE(old->offers_parse_partial());
  // Its messages end before `event`: each is a customer message.
  Seen seen;
  auto parsed = parse_partial(*old, "ok", seen);
  ASSERT_TRUE(parsed) << parsed.error().text();
  EXPECT_EQ(parsed->delivered, 1u);
  EXPECT_EQ(seen.messages, (std::vector<std::string>{"m1 0"}));
  // Its refusals stay whole: an error, no rejection.
  Seen refused;
  auto failed = parse_partial(*old, "status77", refused);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().field, "parse() status");
  EXPECT_TRUE(refused.rejections.empty());
  size_t legacy = 0;
  auto counted = old->parse("ok", [&](const auto&) { return ++legacy > 0; });
  ASSERT_TRUE(counted) << counted.error().text();
  EXPECT_EQ(*counted, 1u);
}

TEST_F(PluginOutput, GateVerdictsAreValidated) {
  auto gate = [&](const char* fault) { return adapter->gate_outbound({.kind = omni::sdk::OutboundKind::template_message, .customer = "c", .text = fault}); };
  auto good = gate("ok");
  ASSERT_TRUE(good) << good.error().text();
  EXPECT_EQ(good->text, "ok");
  struct Case {
    const char* fault;
    const char* field;
    const char* words;
  };
  for (const Case& c : {Case{"reason77", "omni_outbound_verdict.reason", "is 77"},
                        Case{"allowed_with_reason", "omni_outbound_verdict.reason", "on an allowed message"},
                        Case{"refused_without_reason", "omni_outbound_verdict.reason", "on a refusal"},
                        Case{"text_length_huge", "omni_outbound_verdict.text_length", "is 1099511627776"},
                        Case{"ask_huge", "omni_outbound_verdict.text_length", "asks for a 1099511627776-byte"},
                        Case{"status77", "gate_outbound() status", "returned 77"},
                        Case{"internal_no_text", "gate_outbound() omni_error.message", "without a message"}}) {
    auto verdict = gate(c.fault);
    ASSERT_FALSE(verdict) << c.fault << " was accepted";
    EXPECT_EQ(verdict.error().kind, PluginErrorKind::invalid_output) << verdict.error().text();
    EXPECT_EQ(verdict.error().field, c.field) << verdict.error().text();
    EXPECT_NE(verdict.error().message.find(c.words), std::string::npos) << verdict.error().text();
  }
}

TEST_F(PluginOutput, APolicysUndefinedStatusOrSilentErrorRefusesNamingIt) {
  auto policy = loader->create_policy("c_allow_all");
  ASSERT_TRUE(policy) << policy.error().text();
  omni::PolicyRequest request{.op = omni::PolicyOp::open, .customer = omni::CustomerId{77}, .sessions = {}};
  omni::PolicyVerdict verdict = (*policy)->check(request);
  EXPECT_FALSE(verdict.allow);
  EXPECT_EQ(verdict.reason, "policy c_allow_all returned undefined status 77");
  request.customer = omni::CustomerId{78};
  verdict = (*policy)->check(request);
  EXPECT_FALSE(verdict.allow);
  EXPECT_EQ(verdict.reason, "policy c_allow_all failed (internal error): (no message)");
}

TEST_F(PluginOutput, APolicyConfigErrorIsTyped) {
  auto policy = loader->create_policy("c_allow_all", R"({"bad": 1})");
  ASSERT_FALSE(policy);
  EXPECT_EQ(policy.error().kind, PluginErrorKind::failed);
  EXPECT_EQ(policy.error().status, OMNI_ERR_CONFIG);
  EXPECT_EQ(policy.error().text(), "c_allow_all: invalid config: config: key \"bad\" is not known");
}

TEST_F(PluginOutput, LogLinesNameThePlugin) {
  std::lock_guard lock(mutex);
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].level, omni::runtime::LogLevel::error);
  EXPECT_EQ(logs[0].plugin, "bad_adapter");
  EXPECT_EQ(logs[0].message, "bad_adapter created with config ");
}

TEST(HostContext, LogLinesAreClampedAndCustomerIdsMapped) {
  std::vector<LogLine> logs;
  omni::runtime::HostOptions options;
  options.log = [&](omni::runtime::LogLevel level, std::string_view plugin, std::string_view message) {
    logs.push_back({level, std::string(plugin), std::string(message)});
  };
  omni::runtime::HostContext host(options);
  const omni_host_services* services = host.services();
  std::string long_line(10000, 'x');
  services->log(services->host, 99, long_line.data(), long_line.size());
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].level, omni::runtime::LogLevel::error) << "an undefined level counts as an error";
  EXPECT_EQ(logs[0].message.size(), omni::runtime::kMaxLogLineBytes);

  ASSERT_TRUE(OMNI_STRUCT_HAS(services, omni_host_services, customer_id));
  uint64_t id = 0;
  ASSERT_EQ(services->customer_id(services->host, "3", 1, &id), OMNI_OK);
  EXPECT_EQ(id, omni::sdk::fnv1a_customer_id("3"));
  EXPECT_EQ(id, 0xaf63ae4c86019e62ULL) << "FNV-1a-64 of the decimal string \"3\"";
  EXPECT_EQ(services->customer_id(services->host, "", 0, &id), OMNI_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(services->customer_id(services->host, "3", 1, nullptr), OMNI_ERR_INVALID_ARGUMENT);

  omni::runtime::HostOptions custom;
  custom.customer_id = [](std::string_view external) { return external.size() + 1000; };
  omni::runtime::HostContext mapped(custom);
  ASSERT_EQ(mapped.services()->customer_id(mapped.services()->host, "abc", 3, &id), OMNI_OK);
  EXPECT_EQ(id, 1003u);
}

// A policy that maps its configured external id through the host service, as a blocklist would.
class BlockOne final : public omni::sdk::Policy {
 public:
  BlockOne(omni::sdk::Host host, std::string_view config) {
    auto id = host.customer_id(config);
    if (!id) throw omni::sdk::ConfigError("the host cannot map customer ids");
    blocked_ = *id;
  }
  omni::sdk::PolicyVerdict check(const omni::sdk::PolicyRequest& request) override {
    return request.customer == blocked_ ? omni::sdk::PolicyVerdict::refused("blocked")
                                        : omni::sdk::PolicyVerdict::allowed();
  }

 private:
  uint64_t blocked_ = 0;
};
}  // namespace
OMNI_PLUGIN_INFO(BlockOne, "block_one", "1.0.0");
namespace {

TEST(CustomerIdService, APolicyMapsExternalIdsThroughTheHost) {
  omni::sdk::testing::FakeHost host;
  auto policy = host.policy(omni::sdk::entry<BlockOne>, "3");
  ASSERT_TRUE(policy.ok()) << policy.error();
  EXPECT_FALSE(policy.check({.op = omni::sdk::PolicyOp::open, .customer = omni::sdk::fnv1a_customer_id("3")}).allow);
  EXPECT_TRUE(policy.check({.op = omni::sdk::PolicyOp::open, .customer = 3}).allow)
      << "the policy sees the host's id, not the decimal number";

  host.set_customer_id("vip", 42);
  auto vip = host.policy(omni::sdk::entry<BlockOne>, "vip");
  ASSERT_TRUE(vip.ok());
  EXPECT_FALSE(vip.check({.op = omni::sdk::PolicyOp::open, .customer = 42}).allow);

  omni::sdk::testing::FakeHost old_host;
  old_host.set_abi_1_0_host();
  auto without = old_host.policy(omni::sdk::entry<BlockOne>, "3");
  EXPECT_FALSE(without.ok()) << "an ABI 1.0 host offers no customer_id: the SDK says so";
  EXPECT_EQ(without.error(), "the host cannot map customer ids");
}

}  // namespace
