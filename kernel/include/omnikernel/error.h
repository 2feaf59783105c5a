// Typed outcomes. Hot paths return Status (an enum, never an exception); the configuration
// path returns ConfigError, which names the offending field.
#pragma once
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace omni {

enum class Status : uint8_t {
  ok = 0,
  unknown_item,        // id never issued, or its slot has since been recycled
  unknown_agent,
  unknown_queue,
  unknown_status,
  unknown_reason,      // decline reason / paused value / flow out of range
  wrong_state,         // the item (or agent) is not in a state that allows the call
  not_offered_to_agent,// accept/decline by an agent other than the one offered
  decline_not_allowed, // presence config forbids declining (or auto-accept is on)
  reason_required,     // presence config requires a decline reason
  no_capacity,         // resume refused by the "refuse" resume rule
  queue_full,          // queue's max_waiting reached; the caller keeps the item
  items_exhausted,     // the item pool (limits.max_items) is exhausted
  customers_exhausted, // the customer session table is full
  not_a_destination,   // transfer target not in the agent's transfer destinations
  policy_refused,      // a policy hook said no; see the reason text
  busy,                // tick() or poll_events() already running on another thread
  events_full,         // the event ring has no room for this call's events: drain with
                       // poll_events and call again (nothing was changed)
  unknown_skill,       // a skill id out of range
  unknown_requirements,// a RequirementsId never prepared, or prepared for another queue
  invalid_requirements,// 0 or more than 8 skills, a skill twice, a level outside 1–10, a
                       // drop_after below 0 or above 1 h
  requirements_exhausted, // limits.max_requirement_sets reached
  invalid_preference,  // a preferred_wait below 0 or above 1 h
};

[[nodiscard]] std::string_view to_string(Status s) noexcept;

template <class T>
using Result = std::expected<T, Status>;

struct ConfigError {
  std::string field;   // path such as "presence_configs[1].allow_decline"
  std::string reason;  // human sentence
  [[nodiscard]] std::string message() const { return field + ": " + reason; }
};

}  // namespace omni
