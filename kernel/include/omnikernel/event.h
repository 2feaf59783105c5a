// Every transition the kernel makes is published as an Event, which the host drains without
// locks (Kernel::poll_events). None is ever dropped: a call whose events do not fit returns
// Status::events_full before it changes anything, and routing waits for the host to drain.
// Events of one item carry the item's version after the transition (`seq`, strictly increasing
// per item), so a consumer can order transitions that different threads published concurrently.
#pragma once
#include <cstdint>

#include "omnikernel/ids.h"
#include "omnikernel/time.h"

namespace omni {

enum class EventType : uint8_t {
  submitted,         // queued
  offered,           // capacity reserved on `agent`
  accepted,          // by the agent, or auto-accept
  declined,          // `reason` = DeclineReasonId, or kNoReason; item re-queued
  push_timed_out,    // item re-queued
  paused,            // `reason` = PausedValueId; capacity released
  resumed,           // capacity consumed again
  closed,            // by the host or the agent; wrap-up starts if configured
  wrap_up_ended,     // capacity released
  done,              // terminal
  abandoned,         // customer left while queued or offered
  transferred,       // to `queue` (re-queued; `reason` 1 when the wait restarted there, see
                     // RoutingConfig::transfer_keeps_arrival), to `agent` (offered), or to a flow
                     // (`reason` = FlowId)
  agent_status,      // `agent` moved to StatusId `reason`
  agent_missed,      // agent entered the missed state
  agent_missed_ended,
  requirements_relaxed,  // an optional skill was dropped after its wait; `reason` = optional skills still asked
  overflowed,            // moved to `queue` after waiting its old queue's overflow_after
  expired,               // waited its queue's max_wait; `done` follows
  preference_ended,      // stopped waiting for its preferred agent only (time, or it went offline)
};

// Event::reason of a decline without a reason.
inline constexpr uint16_t kNoReason = UINT16_MAX;

struct Event {
  Time at;
  ItemId item{};        // zero for agent events
  AgentId agent = kNoAgent;
  QueueId queue{};
  EventType type{};
  uint16_t reason = 0;  // per type, see above
  uint64_t seq = 0;     // the item's version after this transition; strictly increasing per item
  // On `submitted` only: the rest of what the submit asked, so that the event stream alone can
  // rebuild every item (the journal, docs/OPERATIONS.md). Arrival = `at`.
  uint64_t customer = 0;      // CustomerId
  uint32_t requirements = 0;  // RequirementsId, 0 = none
  bool is_bot = false;
};

}  // namespace omni
