// omni::sdk::Policy — the C++ face of a policy plugin. Derive, override check(), then write
// OMNI_PLUGIN(MyPolicy, "name", "1.0.0") in one .cc file. Constructors as for ChannelAdapter.
//
// check() runs on the host's hot path, concurrently: no blocking, no allocation if you can help
// it, and the reason must be text that outlives the call (a literal or a member).
#pragma once
#include <cstdint>
#include <string_view>

#include "omnikernel/sdk/error.hpp"
#include "omnikernel/sdk/host.hpp"
#include "omnikernel/sdk/omni_plugin.h"

namespace omni::sdk {

// Mirrors omni::PolicyOp (kernel/include/omnikernel/policy.h) and OMNI_POLICY_*.
enum class PolicyOp : int32_t {
  open = OMNI_POLICY_OPEN,
  transfer = OMNI_POLICY_TRANSFER,
  transfer_by_tag = OMNI_POLICY_TRANSFER_BY_TAG,
  transfer_bulk = OMNI_POLICY_TRANSFER_BULK,
  outbound_template = OMNI_POLICY_OUTBOUND_TEMPLATE,
  outbound_broadcast = OMNI_POLICY_OUTBOUND_BROADCAST,
};

inline constexpr uint32_t kNoId = OMNI_NO_ID;

struct PolicyRequest {
  PolicyOp op = PolicyOp::open;
  uint64_t customer = 0;
  bool is_bot = false;
  bool has_from = false;  // transfers: from_item / from_queue are set
  uint64_t from_item = 0;
  uint32_t from_queue = kNoId;
  uint32_t to_queue = kNoId;  // kNoId for outbound messages
  uint32_t to_service = kNoId;
  uint32_t to_channel = kNoId;
};

struct PolicyVerdict {
  bool allow = true;
  int32_t code = 0;         // policy-defined refusal code
  std::string_view reason;  // must outlive check(): a literal or a member

  [[nodiscard]] static constexpr PolicyVerdict allowed() noexcept { return {}; }
  [[nodiscard]] static constexpr PolicyVerdict refused(std::string_view reason,
                                                       int32_t code = 1) noexcept {
    return {false, code, reason};
  }
};

class Policy {
 public:
  virtual ~Policy() = default;
  // The customer's current sessions: Host::sessions(request.customer, ...) during this call.
  [[nodiscard]] virtual PolicyVerdict check(const PolicyRequest& request) = 0;
};

}  // namespace omni::sdk
