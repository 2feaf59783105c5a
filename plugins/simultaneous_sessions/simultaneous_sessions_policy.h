// The "allow simultaneous sessions of the same customer" policy (seed 004).
//
// Flag off (the default): one session per customer, whatever the service —
//   open                      refused when the customer already has a session anywhere;
//   transfer, by tag, bulk    refused when the customer already has another session in the
//                             destination service;
//   template/HSM, broadcast   refused when the customer is in a session at the destination
//                             service.
// Flag on: several sessions at once, each in a different service AND a different queue —
//   open, transfers           refused only when they would duplicate a service or a queue at the
//                             destination (the item being moved does not count against itself);
//   template/HSM, broadcast   always allowed.
// Bots follow the same rule as agents. Config: {"allow_simultaneous_sessions": true|false}.
#pragma once
#include <cstdint>
#include <string_view>

#include "omnikernel/sdk/plugin.hpp"

namespace omni::plugins {

enum SimultaneousSessionsRefusal : int32_t {
  kAlreadyInSession = 1,          // open with the flag off
  kDuplicateService = 2,          // a session in the destination service already
  kDuplicateQueue = 3,            // a session in the destination queue already (flag on)
  kOutboundDuringSession = 4,     // template/broadcast to a customer in session there (flag off)
  kSessionsUnavailable = 5,       // the host could not tell the customer's sessions
};

class SimultaneousSessionsPolicy final : public omni::sdk::Policy {
 public:
  // Throws omni::sdk::ConfigError naming the key for a bad config; empty = flag off.
  SimultaneousSessionsPolicy(omni::sdk::Host host, std::string_view config);

  [[nodiscard]] omni::sdk::PolicyVerdict check(const omni::sdk::PolicyRequest& request) override;

  [[nodiscard]] bool allow_simultaneous_sessions() const noexcept { return allow_; }

 private:
  omni::sdk::Host host_;
  bool allow_ = false;
};

}  // namespace omni::plugins
