#include "omnikernel/adapters/service_window.h"

namespace omni::adapters {

namespace {
// Inside [last_inbound, last_inbound + length). Written as a comparison of the elapsed time so
// that no addition can overflow, and a clock slightly behind the last message stays inside.
bool inside(int64_t last_inbound_ms, int64_t now_ms, int64_t length_ms) noexcept {
  if (last_inbound_ms == kNoInboundYet) return false;
  if (now_ms <= last_inbound_ms) return true;
  // Both are valid timestamps, so the difference of two non-negative int64 does not overflow;
  // a negative `last_inbound_ms` from a confused host is treated like any other instant.
  const auto elapsed = static_cast<uint64_t>(now_ms) - static_cast<uint64_t>(last_inbound_ms);
  return elapsed < static_cast<uint64_t>(length_ms);
}
}  // namespace

OutboundVerdict gate_outbound(WindowRule rule, const OutboundRequest& request) noexcept {
  if (request.kind == OutboundKind::template_message) return OutboundVerdict::allowed;
  switch (rule) {
    case WindowRule::none:
      return OutboundVerdict::allowed;
    case WindowRule::customer_service_24h:
      return inside(request.last_inbound_ms, request.now_ms, kServiceWindowMs)
                 ? OutboundVerdict::allowed
                 : OutboundVerdict::template_required;
    case WindowRule::instagram: {
      const int64_t window = request.human_agent_tag ? kHumanAgentWindowMs : kServiceWindowMs;
      return inside(request.last_inbound_ms, request.now_ms, window)
                 ? OutboundVerdict::allowed
                 : OutboundVerdict::template_required;
    }
  }
  return OutboundVerdict::template_required;
}

std::string_view to_string(OutboundVerdict verdict) noexcept {
  switch (verdict) {
    case OutboundVerdict::allowed: return "allowed";
    case OutboundVerdict::template_required: return "template_required";
  }
  return "unknown";
}

}  // namespace omni::adapters
