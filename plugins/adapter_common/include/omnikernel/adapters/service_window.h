// Outbound gating: may the business send this message to this customer now?
//
// WhatsApp and Instagram allow free-form replies only inside the customer-service window, which
// opens with each inbound customer message and lasts 24 hours; outside it only an approved
// template (WhatsApp HSM) may be sent. On Instagram a human agent may reply with the
// HUMAN_AGENT tag for 7 days. Web chat has no window. The window is half-open: a reply exactly
// 24 h after the last inbound message is already outside.
#pragma once
#include <cstdint>
#include <string_view>

namespace omni::adapters {

inline constexpr int64_t kHourMs = 3'600'000;
inline constexpr int64_t kServiceWindowMs = 24 * kHourMs;
inline constexpr int64_t kHumanAgentWindowMs = 7 * 24 * kHourMs;
inline constexpr int64_t kNoInboundYet = INT64_MIN;  // the customer never wrote

enum class WindowRule : uint8_t {
  none,                 // web chat
  customer_service_24h, // WhatsApp
  instagram,            // 24 h, or 7 days with the human-agent tag
};

enum class OutboundKind : uint8_t { free_form, template_message };

struct OutboundRequest {
  OutboundKind kind = OutboundKind::free_form;
  bool human_agent_tag = false;           // Instagram HUMAN_AGENT message tag
  int64_t last_inbound_ms = kNoInboundYet;
  int64_t now_ms = 0;
};

enum class OutboundVerdict : uint8_t {
  allowed,
  template_required,  // outside the window: only a template may be sent
};

[[nodiscard]] OutboundVerdict gate_outbound(WindowRule rule, const OutboundRequest& request) noexcept;
[[nodiscard]] std::string_view to_string(OutboundVerdict verdict) noexcept;

}  // namespace omni::adapters
