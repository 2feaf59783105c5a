// Arrival times of a (piecewise) Poisson stream, and the webhook payloads sent for them.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "omnikernel/sim/random.h"
#include "omnikernel/sim/scenario.h"

namespace omni::sim::internal {

// The first arrival strictly after `after`, or nullopt if the rate stays 0 until `end`.
// Exact for piecewise-constant rates: an exponential gap drawn at one rate that crosses into the
// next step is discarded and drawn again from the step's start (memorylessness).
[[nodiscard]] std::optional<Time> next_arrival(const std::vector<RateStep>& steps, Time after, Time end,
                                               Rng& rng);

// The simulator's built-in payload for an adapter (webchat, whatsapp, instagram); empty if none.
[[nodiscard]] std::string_view builtin_payload_template(std::string_view adapter);

// Replaces {customer}, {message_id}, {timestamp_ms}, {timestamp_s} and {text}.
[[nodiscard]] std::string render_payload(std::string_view payload_template, std::string_view customer,
                                         std::string_view message_id, int64_t timestamp_ms,
                                         std::string_view text);

// The host-assigned CustomerId of a channel's customer identity: omni::sdk::fnv1a_customer_id,
// what the customer_id host service answers plugins (docs/ABI.md, "Customer identity").
[[nodiscard]] uint64_t customer_hash(std::string_view identity) noexcept;

}  // namespace omni::sim::internal
