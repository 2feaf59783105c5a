// The C++ SDK's boundary (plugin.hpp) seen from the C side, through the FakeHost: exceptions
// become statuses, the descriptor handshake respects sizes, buffers are never overrun, the host
// services reach the plugin.
#include <gtest/gtest.h>

#include <cstring>
#include <stdexcept>
#include <string>

#include "omnikernel/sdk/fake_host.hpp"
#include "omnikernel/sdk/plugin.hpp"

namespace {

using omni::sdk::testing::FakeHost;

class LinesAdapter final : public omni::sdk::ChannelAdapter {
 public:
  LinesAdapter(omni::sdk::Host host, std::string_view config) : host_(host) {
    if (config == "bad") throw omni::sdk::ConfigError("config.mode: \"bad\" is not a mode");
    if (config == "std") throw std::runtime_error("a std exception");
    if (config == "int") throw 7;
  }
  void parse(std::string_view payload, omni::sdk::MessageSink& sink) override {
    if (payload == "boom") throw std::runtime_error("boom");
    if (payload == "bad") throw omni::sdk::PayloadError("entry[0]: missing");
    for (size_t i = 0; i < payload.size(); ++i) {
      std::string_view one = payload.substr(i, 1);
      if (one == "!") {  // a part it cannot read: reported, and the rest goes on
        const std::string path = "[" + std::to_string(i) + "]";
        if (!sink.reject({omni::sdk::RejectCode::bad_value, path, "not a letter", {}})) return;
        continue;
      }
      const auto event = one == "n" ? omni::sdk::InboundEvent::notice : omni::sdk::InboundEvent::message;
      if (!sink.emit({.channel = "lines", .customer = one, .text = one, .timestamp_ms = 5, .event = event}))
        return;
    }
    host_.log(omni::sdk::LogLevel::info, "parsed");
  }
  omni::sdk::OutboundVerdict gate_outbound(const omni::sdk::OutboundRequest& request,
                                           omni::sdk::TextOut& text) override {
    if (request.kind == omni::sdk::OutboundKind::free_form && !request.last_inbound_ms)
      return omni::sdk::OutboundVerdict::refuse(omni::sdk::GateReason::no_inbound, "never wrote");
    text.append(request.agent_alias);
    text.append(": ");
    text.append(request.text);
    return omni::sdk::OutboundVerdict::allow();
  }

 private:
  omni::sdk::Host host_;
};

class SessionCountPolicy final : public omni::sdk::Policy {
 public:
  explicit SessionCountPolicy(omni::sdk::Host host) : host_(host) {}
  omni::sdk::PolicyVerdict check(const omni::sdk::PolicyRequest& request) override {
    omni::sdk::SessionInfo sessions[4] = {};
    auto total = host_.sessions(request.customer, sessions);
    if (!total) return omni::sdk::PolicyVerdict::refused("no session view", 9);
    for (size_t i = 0; i < *total && i < 4; ++i)
      if (sessions[i].service == request.to_service)
        return omni::sdk::PolicyVerdict::refused("already in that service", 2);
    if (host_.now_ns() == 666) throw std::logic_error("the clock is cursed");
    return omni::sdk::PolicyVerdict::allowed();
  }

 private:
  omni::sdk::Host host_;
};

}  // namespace

OMNI_PLUGIN_INFO(LinesAdapter, "lines", "3.1.4");
OMNI_PLUGIN_INFO(SessionCountPolicy, "session_count", "0.9.0");

namespace {

TEST(SdkEntry, FillsTheDescriptor) {
  FakeHost host;
  auto loaded = host.load(omni::sdk::entry<LinesAdapter>);
  ASSERT_EQ(loaded.status, OMNI_OK) << loaded.error;
  EXPECT_EQ(loaded.name(), "lines");
  EXPECT_EQ(loaded.version(), "3.1.4");
  EXPECT_EQ(loaded.descriptor.kind, OMNI_PLUGIN_KIND_CHANNEL_ADAPTER);
  EXPECT_EQ(loaded.descriptor.abi_version, OMNI_ABI_VERSION);
  EXPECT_EQ(loaded.descriptor.struct_size, sizeof(omni_plugin_descriptor));
  auto* vtable = static_cast<const omni_channel_adapter_vtable*>(loaded.descriptor.vtable);
  EXPECT_EQ(vtable->struct_size, sizeof(omni_channel_adapter_vtable));
}

TEST(SdkEntry, RefusesAnotherMajorWithAMessage) {
  FakeHost host;
  auto loaded = host.load(omni::sdk::entry<LinesAdapter>, OMNI_ABI_MAKE_VERSION(2, 0));
  EXPECT_EQ(loaded.status, OMNI_ERR_ABI_MISMATCH);
  EXPECT_NE(loaded.error.find("host speaks ABI 2.0"), std::string::npos) << loaded.error;
}

TEST(SdkEntry, AcceptsAnOlderOrNewerMinorOfTheSameMajor) {
  FakeHost host;
  EXPECT_EQ(host.load(omni::sdk::entry<LinesAdapter>, OMNI_ABI_MAKE_VERSION(1, 7)).status, OMNI_OK);
}

TEST(SdkEntry, WritesNoMoreThanTheHostsDescriptorHolds) {
  // A host from an imagined older minor whose descriptor ends before `vtable`.
  unsigned char buffer[sizeof(omni_plugin_descriptor) + 8];
  std::memset(buffer, 0xAB, sizeof buffer);
  auto* descriptor = reinterpret_cast<omni_plugin_descriptor*>(buffer);
  descriptor->struct_size = offsetof(omni_plugin_descriptor, vtable);
  FakeHost host;
  ASSERT_EQ(omni::sdk::entry<LinesAdapter>(host.services(), OMNI_ABI_VERSION, descriptor, nullptr),
            OMNI_OK);
  EXPECT_EQ(descriptor->struct_size, sizeof(omni_plugin_descriptor));  // the plugin's own size
  for (size_t i = offsetof(omni_plugin_descriptor, vtable); i < sizeof buffer; ++i)
    EXPECT_EQ(buffer[i], 0xAB) << "byte " << i << " overwritten";
}

TEST(SdkEntry, RejectsANullDescriptor) {
  FakeHost host;
  EXPECT_EQ(omni::sdk::entry<LinesAdapter>(host.services(), OMNI_ABI_VERSION, nullptr, nullptr),
            OMNI_ERR_INVALID_ARGUMENT);
}

TEST(SdkCreate, ConfigErrorKeepsItsStatusAndMessage) {
  FakeHost host;
  auto adapter = host.adapter(omni::sdk::entry<LinesAdapter>, "bad");
  EXPECT_EQ(adapter.status(), OMNI_ERR_CONFIG);
  EXPECT_EQ(adapter.error(), "config.mode: \"bad\" is not a mode");
}

TEST(SdkCreate, AnyExceptionInAConstructorIsAnInternalError) {
  FakeHost host;
  auto std_error = host.adapter(omni::sdk::entry<LinesAdapter>, "std");
  EXPECT_EQ(std_error.status(), OMNI_ERR_INTERNAL);
  EXPECT_EQ(std_error.error(), "a std exception");
  auto not_std = host.adapter(omni::sdk::entry<LinesAdapter>, "int");
  EXPECT_EQ(not_std.status(), OMNI_ERR_INTERNAL);
  EXPECT_NE(not_std.error().find("unknown exception"), std::string::npos);
}

TEST(SdkCreate, AskingForTheWrongKindFails) {
  FakeHost host;
  EXPECT_FALSE(host.policy(omni::sdk::entry<LinesAdapter>).ok());
}

TEST(SdkParse, DeliversEveryMessageInOrder) {
  FakeHost host;
  auto adapter = host.adapter(omni::sdk::entry<LinesAdapter>);
  ASSERT_TRUE(adapter.ok()) << adapter.error();
  auto result = adapter.parse("abc");
  ASSERT_EQ(result.status, OMNI_OK) << result.error;
  ASSERT_EQ(result.messages.size(), 3u);
  EXPECT_EQ(result.messages[0].customer, "a");
  EXPECT_EQ(result.messages[2].text, "c");
  EXPECT_EQ(result.messages[1].channel, "lines");
  EXPECT_EQ(result.messages[1].timestamp_ms, 5);
  ASSERT_EQ(host.logs().size(), 1u);
  EXPECT_EQ(host.logs()[0].text, "parsed");
}

TEST(SdkParse, ExceptionsBecomeStatuses) {
  FakeHost host;
  auto adapter = host.adapter(omni::sdk::entry<LinesAdapter>);
  auto malformed = adapter.parse("bad");
  EXPECT_EQ(malformed.status, OMNI_ERR_MALFORMED_PAYLOAD);
  EXPECT_EQ(malformed.error, "entry[0]: missing");
  auto internal = adapter.parse("boom");
  EXPECT_EQ(internal.status, OMNI_ERR_INTERNAL);
  EXPECT_EQ(internal.error, "boom");
}

TEST(SdkParse, RejectionsAndNoticesReachAPartialHost) {
  FakeHost host;
  auto adapter = host.adapter(omni::sdk::entry<LinesAdapter>);
  auto result = adapter.parse("a!nb");
  ASSERT_EQ(result.status, OMNI_OK) << result.error;
  ASSERT_EQ(result.messages.size(), 3u);
  EXPECT_EQ(result.messages[0].text, "a");
  EXPECT_EQ(result.messages[1].text, "n");
  EXPECT_EQ(result.messages[1].event, OMNI_EVENT_NOTICE);
  EXPECT_EQ(result.messages[2].text, "b");
  EXPECT_EQ(result.messages[2].event, OMNI_EVENT_MESSAGE);
  ASSERT_EQ(result.rejections.size(), 1u);
  EXPECT_EQ(result.rejections[0].code, OMNI_REJECT_BAD_VALUE);
  EXPECT_EQ(result.rejections[0].path, "[1]");
  EXPECT_EQ(result.rejections[0].detail, "not a letter");
}

TEST(SdkParse, AnAbi10HostGetsNoNoticeAndTheFirstRejectionRefusesThePayload) {
  FakeHost host;
  auto adapter = host.adapter(omni::sdk::entry<LinesAdapter>);
  auto notices = adapter.parse_abi_1_0("anb");
  ASSERT_EQ(notices.status, OMNI_OK) << notices.error;
  ASSERT_EQ(notices.messages.size(), 2u);  // "n" is a notice: withheld from this host
  EXPECT_EQ(notices.messages[1].text, "b");
  auto refused = adapter.parse_abi_1_0("a!b");
  EXPECT_EQ(refused.status, OMNI_ERR_MALFORMED_PAYLOAD);
  EXPECT_EQ(refused.error, "[1]: not a letter");
  // As the ABI 1.0 parse() always allowed: what was delivered before the error stays delivered
  // (omnikernel's adapters collect first, so they deliver nothing in this case).
  ASSERT_EQ(refused.messages.size(), 1u);
  EXPECT_TRUE(refused.rejections.empty());
}

TEST(SdkParse, APayloadErrorWithoutARejectionIsStillReportedTyped) {
  FakeHost host;
  auto adapter = host.adapter(omni::sdk::entry<LinesAdapter>);
  auto malformed = adapter.parse("bad");
  EXPECT_EQ(malformed.status, OMNI_ERR_MALFORMED_PAYLOAD);
  ASSERT_EQ(malformed.rejections.size(), 1u);
  EXPECT_EQ(malformed.rejections[0].code, OMNI_REJECT_OTHER);
  EXPECT_EQ(malformed.rejections[0].path, "");
  EXPECT_EQ(malformed.rejections[0].detail, "entry[0]: missing");
}

TEST(SdkParse, ASinkThatStopsStopsTheParse) {
  FakeHost host;
  auto loaded = host.load(omni::sdk::entry<LinesAdapter>);
  auto* vtable = static_cast<const omni_channel_adapter_vtable*>(loaded.descriptor.vtable);
  void* instance = nullptr;
  ASSERT_EQ(vtable->create(host.services(), nullptr, 0, &instance, nullptr), OMNI_OK);
  int seen = 0;
  auto stop_after_two = [](void* context, const omni_inbound_message*) -> omni_status {
    return ++*static_cast<int*>(context) == 2 ? OMNI_ERR_ABORTED : OMNI_OK;
  };
  EXPECT_EQ(vtable->parse(instance, "abcdef", 6, stop_after_two, &seen, nullptr), OMNI_ERR_ABORTED);
  EXPECT_EQ(seen, 2);
  EXPECT_EQ(vtable->parse(instance, nullptr, 3, stop_after_two, &seen, nullptr),
            OMNI_ERR_INVALID_ARGUMENT);
  vtable->destroy(instance);
}

TEST(SdkGate, WritesTheTextWithTheAlias) {
  FakeHost host;
  auto adapter = host.adapter(omni::sdk::entry<LinesAdapter>);
  auto result = adapter.gate({.kind = omni::sdk::OutboundKind::free_form,
                              .customer = "c1",
                              .last_inbound_ms = 1,
                              .now_ms = 2,
                              .text = "hello",
                              .agent_alias = "Ana"});
  ASSERT_EQ(result.status, OMNI_OK) << result.error;
  EXPECT_TRUE(result.allowed);
  EXPECT_EQ(result.text, "Ana: hello");
}

TEST(SdkGate, ARefusalIsAVerdictNotAnError) {
  FakeHost host;
  auto adapter = host.adapter(omni::sdk::entry<LinesAdapter>);
  auto result = adapter.gate({.kind = omni::sdk::OutboundKind::free_form, .text = "hi"});
  ASSERT_EQ(result.status, OMNI_OK);
  EXPECT_FALSE(result.allowed);
  EXPECT_EQ(result.reason, OMNI_GATE_NO_INBOUND);
  EXPECT_EQ(result.message, "never wrote");
}

TEST(SdkGate, TooSmallABufferReportsTheSizeNeededAndIsNotOverrun) {
  FakeHost host;
  auto loaded = host.load(omni::sdk::entry<LinesAdapter>);
  auto* vtable = static_cast<const omni_channel_adapter_vtable*>(loaded.descriptor.vtable);
  void* instance = nullptr;
  ASSERT_EQ(vtable->create(host.services(), nullptr, 0, &instance, nullptr), OMNI_OK);
  char text[8];
  std::memset(text, '#', sizeof text);
  omni_outbound_request request{};
  request.struct_size = sizeof request;
  request.kind = OMNI_OUTBOUND_TEMPLATE;
  request.text = {"a long template body", 20};
  request.agent_alias = {"Bo", 2};
  request.last_inbound_ms = OMNI_NO_TIMESTAMP;
  request.text_out = text;
  request.text_out_capacity = 4;
  omni_outbound_verdict verdict{};
  verdict.struct_size = sizeof verdict;
  char message[64];
  omni_error error{sizeof(omni_error), 0, message, sizeof message, 0};
  EXPECT_EQ(vtable->gate_outbound(instance, &request, &verdict, &error), OMNI_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(verdict.text_length, 24u);  // "Bo: a long template body"
  EXPECT_EQ(std::string(text + 4, 4), "####");
  EXPECT_NE(std::string(message, error.length).find("24 needed"), std::string::npos);
  request.kind = 7;
  EXPECT_EQ(vtable->gate_outbound(instance, &request, &verdict, &error), OMNI_ERR_INVALID_ARGUMENT);
  request.struct_size = 8;  // a request smaller than ABI 1.0's
  request.kind = OMNI_OUTBOUND_TEMPLATE;
  EXPECT_EQ(vtable->gate_outbound(instance, &request, &verdict, &error), OMNI_ERR_ABI_MISMATCH);
  vtable->destroy(instance);
}

TEST(SdkErrors, MessagesAreTruncatedAndTerminated) {
  FakeHost host;
  char small[6];
  omni_error error{sizeof(omni_error), 0, small, sizeof small, 0};
  omni_plugin_descriptor descriptor{};
  descriptor.struct_size = sizeof descriptor;
  EXPECT_EQ(omni::sdk::entry<LinesAdapter>(host.services(), OMNI_ABI_MAKE_VERSION(3, 0),
                                           &descriptor, &error),
            OMNI_ERR_ABI_MISMATCH);
  EXPECT_EQ(error.length, 5u);
  EXPECT_EQ(small[5], '\0');
  omni_write_message(nullptr, 0, nullptr, "no buffer: no crash");
}

TEST(SdkHost, PolicySeesTheHostsSessions) {
  FakeHost host;
  host.set_sessions(42, {{.item = 1, .queue = 3, .service = 7, .channel = 1}});
  auto policy = host.policy(omni::sdk::entry<SessionCountPolicy>);
  ASSERT_TRUE(policy.ok()) << policy.error();
  auto refused = policy.check({.op = omni::sdk::PolicyOp::open, .customer = 42, .to_service = 7});
  EXPECT_EQ(refused.status, OMNI_OK);
  EXPECT_FALSE(refused.allow);
  EXPECT_EQ(refused.code, 2);
  EXPECT_EQ(refused.reason, "already in that service");
  EXPECT_TRUE(policy.check({.op = omni::sdk::PolicyOp::open, .customer = 42, .to_service = 8}).allow);
  EXPECT_TRUE(policy.check({.op = omni::sdk::PolicyOp::open, .customer = 1, .to_service = 7}).allow);
}

TEST(SdkHost, AbsentServicesDegradeInsteadOfCrashing) {
  FakeHost host;
  host.set_sessions_supported(false);
  auto policy = host.policy(omni::sdk::entry<SessionCountPolicy>);
  auto verdict = policy.check({.customer = 42});
  EXPECT_FALSE(verdict.allow);
  EXPECT_EQ(verdict.reason, "no session view");
  omni::sdk::Host none;
  EXPECT_EQ(none.now_ns(), 0);
  EXPECT_FALSE(none.session_count(1).has_value());
  none.log(omni::sdk::LogLevel::error, "nobody listens");
  omni_host_services short_table{};
  short_table.struct_size = offsetof(omni_host_services, now_ns);  // an older, shorter host
  short_table.now_ns = +[](void*) -> int64_t { return 99; };
  EXPECT_EQ(omni::sdk::Host(&short_table).now_ns(), 0) << "a field outside struct_size was read";
}

TEST(SdkPolicy, ExceptionsInCheckBecomeStatuses) {
  FakeHost host;
  host.set_now_ns(666);
  auto policy = host.policy(omni::sdk::entry<SessionCountPolicy>);
  auto verdict = policy.check({.customer = 5, .to_service = 1});
  EXPECT_EQ(verdict.status, OMNI_ERR_INTERNAL);
  EXPECT_EQ(verdict.error, "the clock is cursed");
}

TEST(SdkPolicy, UnknownOperationIsRefusedAsAnArgumentError) {
  FakeHost host;
  auto policy = host.policy(omni::sdk::entry<SessionCountPolicy>);
  auto verdict = policy.check({.op = static_cast<omni::sdk::PolicyOp>(17), .customer = 5});
  EXPECT_EQ(verdict.status, OMNI_ERR_INVALID_ARGUMENT);
  EXPECT_NE(verdict.error.find("unknown op 17"), std::string::npos);
}

}  // namespace
