#include <string_view>

#include "omnikernel/kernel.h"

namespace omni {

std::string_view to_string(Status s) noexcept {
  switch (s) {
    case Status::ok: return "ok";
    case Status::unknown_item: return "unknown_item";
    case Status::unknown_agent: return "unknown_agent";
    case Status::unknown_queue: return "unknown_queue";
    case Status::unknown_status: return "unknown_status";
    case Status::unknown_reason: return "unknown_reason";
    case Status::wrong_state: return "wrong_state";
    case Status::not_offered_to_agent: return "not_offered_to_agent";
    case Status::decline_not_allowed: return "decline_not_allowed";
    case Status::reason_required: return "reason_required";
    case Status::no_capacity: return "no_capacity";
    case Status::queue_full: return "queue_full";
    case Status::items_exhausted: return "items_exhausted";
    case Status::customers_exhausted: return "customers_exhausted";
    case Status::not_a_destination: return "not_a_destination";
    case Status::policy_refused: return "policy_refused";
    case Status::busy: return "busy";
    case Status::events_full: return "events_full";
    case Status::unknown_skill: return "unknown_skill";
    case Status::unknown_requirements: return "unknown_requirements";
    case Status::invalid_requirements: return "invalid_requirements";
    case Status::requirements_exhausted: return "requirements_exhausted";
    case Status::invalid_preference: return "invalid_preference";
  }
  return "unknown_status_code";
}

std::string_view to_string(CandidateVerdict v) noexcept {
  switch (v) {
    case CandidateVerdict::offered: return "offered";
    case CandidateVerdict::could_take: return "could_take";
    case CandidateVerdict::excluded: return "excluded";
    case CandidateVerdict::not_a_member: return "not_a_member";
    case CandidateVerdict::not_qualified: return "not_qualified";
    case CandidateVerdict::not_routable: return "not_routable";
    case CandidateVerdict::missed: return "missed";
    case CandidateVerdict::too_many_open: return "too_many_open";
    case CandidateVerdict::channel_limit: return "channel_limit";
    case CandidateVerdict::no_room: return "no_room";
    case CandidateVerdict::reserved: return "reserved";
  }
  return "unknown";
}

std::string_view to_string(ItemState s) noexcept {
  switch (s) {
    case ItemState::free: return "done";
    case ItemState::queued: return "queued";
    case ItemState::offered: return "offered";
    case ItemState::active: return "active";
    case ItemState::paused: return "paused";
    case ItemState::wrap_up: return "wrap_up";
  }
  return "unknown";
}

std::string_view to_string(AgentActivity a) noexcept {
  switch (a) {
    case AgentActivity::offline: return "offline";
    case AgentActivity::waiting: return "waiting";
    case AgentActivity::busy: return "busy";
    case AgentActivity::paused: return "paused";
    case AgentActivity::wrap_up: return "wrap_up";
    case AgentActivity::missed: return "missed";
    case AgentActivity::away: return "away";
  }
  return "unknown";
}

std::string_view to_string(EventType t) noexcept {
  switch (t) {
    case EventType::submitted: return "submitted";
    case EventType::offered: return "offered";
    case EventType::accepted: return "accepted";
    case EventType::declined: return "declined";
    case EventType::push_timed_out: return "push_timed_out";
    case EventType::paused: return "paused";
    case EventType::resumed: return "resumed";
    case EventType::closed: return "closed";
    case EventType::wrap_up_ended: return "wrap_up_ended";
    case EventType::done: return "done";
    case EventType::abandoned: return "abandoned";
    case EventType::transferred: return "transferred";
    case EventType::agent_status: return "agent_status";
    case EventType::agent_missed: return "agent_missed";
    case EventType::agent_missed_ended: return "agent_missed_ended";
    case EventType::requirements_relaxed: return "requirements_relaxed";
    case EventType::overflowed: return "overflowed";
    case EventType::expired: return "expired";
    case EventType::preference_ended: return "preference_ended";
  }
  return "unknown";
}

}  // namespace omni
