#include "omnikernel/adapters/service_window.h"

#include <gtest/gtest.h>

#include <string>

#include "omnikernel/adapters/agent_alias.h"

namespace omni::adapters {
namespace {

constexpr int64_t kLast = 1'700'000'000'000;
constexpr int64_t kMinuteMs = 60'000;

OutboundVerdict gate(WindowRule rule, int64_t elapsed_ms, OutboundKind kind = OutboundKind::free_form,
                     bool human_agent = false) {
  return gate_outbound(rule, OutboundRequest{kind, human_agent, kLast, kLast + elapsed_ms});
}

TEST(ServiceWindow, WhatsAppFreeFormInsideTwentyFourHoursOnly) {
  const auto rule = WindowRule::customer_service_24h;
  EXPECT_EQ(gate(rule, 0), OutboundVerdict::allowed);
  EXPECT_EQ(gate(rule, 23 * kHourMs + 59 * kMinuteMs), OutboundVerdict::allowed);
  EXPECT_EQ(gate(rule, kServiceWindowMs - 1), OutboundVerdict::allowed);
  EXPECT_EQ(gate(rule, kServiceWindowMs), OutboundVerdict::template_required);
  EXPECT_EQ(gate(rule, 30 * 24 * kHourMs), OutboundVerdict::template_required);
}

TEST(ServiceWindow, TemplatesAreAlwaysAllowed) {
  for (auto rule : {WindowRule::none, WindowRule::customer_service_24h, WindowRule::instagram}) {
    EXPECT_EQ(gate(rule, 0, OutboundKind::template_message), OutboundVerdict::allowed);
    EXPECT_EQ(gate(rule, 365 * 24 * kHourMs, OutboundKind::template_message), OutboundVerdict::allowed);
    EXPECT_EQ(gate_outbound(rule, {OutboundKind::template_message, false, kNoInboundYet, kLast}),
              OutboundVerdict::allowed);
  }
}

TEST(ServiceWindow, InstagramHumanAgentTagExtendsToSevenDays) {
  const auto rule = WindowRule::instagram;
  EXPECT_EQ(gate(rule, 23 * kHourMs + 59 * kMinuteMs), OutboundVerdict::allowed);
  EXPECT_EQ(gate(rule, kServiceWindowMs), OutboundVerdict::template_required);
  EXPECT_EQ(gate(rule, kServiceWindowMs, OutboundKind::free_form, true), OutboundVerdict::allowed);
  EXPECT_EQ(gate(rule, kHumanAgentWindowMs - 1, OutboundKind::free_form, true), OutboundVerdict::allowed);
  EXPECT_EQ(gate(rule, kHumanAgentWindowMs, OutboundKind::free_form, true),
            OutboundVerdict::template_required);
}

TEST(ServiceWindow, HumanAgentTagMeansNothingOnWhatsApp) {
  EXPECT_EQ(gate(WindowRule::customer_service_24h, kServiceWindowMs, OutboundKind::free_form, true),
            OutboundVerdict::template_required);
}

TEST(ServiceWindow, WebChatHasNoWindow) {
  EXPECT_EQ(gate(WindowRule::none, 365 * 24 * kHourMs), OutboundVerdict::allowed);
  EXPECT_EQ(gate_outbound(WindowRule::none, {OutboundKind::free_form, false, kNoInboundYet, kLast}),
            OutboundVerdict::allowed);
}

TEST(ServiceWindow, CustomerWhoNeverWroteGetsTemplatesOnly) {
  EXPECT_EQ(gate_outbound(WindowRule::customer_service_24h,
                          {OutboundKind::free_form, false, kNoInboundYet, kLast}),
            OutboundVerdict::template_required);
}

TEST(ServiceWindow, ClockBehindTheLastMessageCountsAsInside) {
  EXPECT_EQ(gate(WindowRule::customer_service_24h, -5 * kMinuteMs), OutboundVerdict::allowed);
}

TEST(ServiceWindow, ExtremeTimestampsDoNotOverflow) {
  EXPECT_EQ(gate_outbound(WindowRule::customer_service_24h,
                          {OutboundKind::free_form, false, INT64_MIN + 1, INT64_MAX}),
            OutboundVerdict::template_required);
  EXPECT_EQ(gate_outbound(WindowRule::instagram, {OutboundKind::free_form, true, 0, INT64_MAX}),
            OutboundVerdict::template_required);
}

TEST(AgentAlias, PrefixesTheText) {
  char out[64];
  const size_t n = apply_alias("Ana", "How can I help?", out, sizeof out);
  EXPECT_EQ(std::string(out, n), "Ana: How can I help?");
}

TEST(AgentAlias, EmptyAliasLeavesTextUnchanged) {
  char out[64];
  const size_t n = apply_alias("", "Hello", out, sizeof out);
  EXPECT_EQ(std::string(out, n), "Hello");
}

TEST(AgentAlias, TooSmallBufferReportsNeededSizeAndWritesNothing) {
  char out[4] = {'x', 'x', 'x', 'x'};
  EXPECT_EQ(apply_alias("Ana", "Hello", out, sizeof out), 10u);
  EXPECT_EQ(std::string(out, 4), "xxxx");
}

}  // namespace
}  // namespace omni::adapters
