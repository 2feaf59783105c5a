// The simulated agents: how they answer offers, handle, pause, transfer and close sessions, and
// where their time goes (the kernel's snapshot after each event that concerns them).
#include <algorithm>

#include "omnikernel/config/duration.h"
#include "simulation_impl.h"

namespace omni::sim {

using internal::ActionKind;

namespace {

constexpr uint64_t kDecisionShift = 32;  // answer detail: agent id | decision << 32
constexpr uint64_t kAccept = 0;
constexpr uint64_t kDeclineWithoutReason = 1;  // else 2 + index into the agent's decline choices

ItemId item_of(uint64_t subject) { return ItemId{subject}; }
uint64_t key_of(ItemId item) { return omni::index(item); }

}  // namespace

void Simulation::Impl::on_offered(const Event& e) {
  if (omni::index(e.agent) >= agents.size()) return;
  AgentModel& agent = agents[omni::index(e.agent)];
  agent.report.offered++;
  account(e.agent);
  auto it = items.find(key_of(e.item));
  if (it == items.end()) return;
  if (!it->second.first_offered) it->second.first_offered = now();
  const QueueModel& queue = queues[it->second.current_queue];
  if (queue.push_timeout > Duration::zero()) {
    calendar.schedule(now() + queue.push_timeout + timer_resolution, ActionKind::tick);
  }
  if (agent.presence != nullptr && agent.presence->auto_accept) return;  // the kernel accepts
  const AgentBehaviour& b = *agent.behaviour;
  double u = agent.rng.uniform();
  const Duration delay = b.answer_delay.sample(agent.rng);
  if (queue.push_timeout > Duration::zero() && u < b.no_answer_probability) return;  // lets it time out
  u -= b.no_answer_probability;
  uint64_t decision = kAccept;
  const bool may_decline = agent.presence != nullptr && agent.presence->allow_decline &&
                           !(agent.presence->decline_reasons_required && agent.decline_choices.empty());
  if (may_decline && u >= 0 && u < b.decline_probability) {
    decision = kDeclineWithoutReason;
    if (!agent.decline_choices.empty()) {
      double total = 0;
      for (const DeclineChoice& c : agent.decline_choices) total += c.weight;
      double pick = agent.rng.uniform() * total;
      size_t chosen = 0;
      while (chosen + 1 < agent.decline_choices.size() && pick >= agent.decline_choices[chosen].weight) {
        pick -= agent.decline_choices[chosen].weight;
        ++chosen;
      }
      decision = 2 + chosen;
    }
  }
  calendar.schedule(now() + delay, ActionKind::answer, key_of(e.item),
                    omni::index(e.agent) | (decision << kDecisionShift));
}

void Simulation::Impl::answer(ItemId item, uint64_t detail) {
  if (!items.contains(key_of(item))) return;
  const AgentId agent_id{static_cast<uint32_t>(detail & 0xffffffffu)};
  AgentModel& agent = agents[omni::index(agent_id)];
  const uint64_t decision = detail >> kDecisionShift;
  if (decision == kAccept) {
    (void)timed(Op::accept, [&] { return kernel->accept(item, agent_id); });
  } else {
    std::optional<DeclineReasonId> reason;
    std::string reason_name = "(none)";
    if (decision >= 2) {
      reason = agent.decline_choices[decision - 2].id;
      reason_name = agent.decline_choices[decision - 2].name;
    }
    const Status st = timed(Op::decline, [&] { return kernel->decline(item, agent_id, reason); });
    if (st == Status::ok) {
      agent.report.declined++;
      agent.report.declines_by_reason[reason_name]++;
    }
  }
  drain();
}

Duration Simulation::Impl::handle_time(AgentModel& agent, const QueueModel& queue) {
  const AgentBehaviour& b = *agent.behaviour;
  auto it = b.handle_time_by_channel.find(queue.channel);
  return (it != b.handle_time_by_channel.end() ? it->second : b.handle_time).sample(agent.rng);
}

void Simulation::Impl::on_accepted(const Event& e) {
  auto it = items.find(key_of(e.item));
  if (it == items.end() || omni::index(e.agent) >= agents.size()) return;
  SimItem& item = it->second;
  AgentModel& agent = agents[omni::index(e.agent)];
  agent.report.accepted++;
  account(e.agent);
  const QueueModel& serving = queues[item.current_queue];
  if (!item.answered) {
    item.answered = true;
    if (item.counted) {
      const double wait = config::to_seconds(now() - item.arrival);
      const bool within = now() - item.arrival <= scenario.service_level_threshold;
      const bool queued = item.first_offered.value_or(now()) > item.arrival;  // before its first offer
      const bool kept = item.preferred != kNoAgent && item.preferred == e.agent;
      const bool same = item.last_agent != kNoAgent && item.last_agent == e.agent;
      charge(item, [&](ContactCounters& c) {
        c.answered++;
        c.total_wait_s += wait;
        if (within) c.answered_within_threshold++;
        if (queued) c.waited++;
        c.longest_wait_s = std::max(c.longest_wait_s, wait);
        if (kept) c.preferred_kept++;
        if (same) c.back_to_last_agent++;
      });
      live[item.queue].answered.fetch_add(1, std::memory_order_relaxed);
      if (within) live[item.queue].within.fetch_add(1, std::memory_order_relaxed);
      if (item.requirement_set >= 0) requirement_sets[item.requirement_set].waits.push_back(wait);
    }
  }
  item.agent = e.agent;
  item.accepted_at = now();
  const Duration handle = handle_time(agent, serving);
  const AgentBehaviour& b = *agent.behaviour;
  if (b.pause_probability > 0 && !serving.paused_values.empty() && agent.rng.chance(b.pause_probability)) {
    const std::string& value = b.paused_value.empty() ? serving.paused_values.front() : b.paused_value;
    item.paused_value = kernel->find_paused_value(serving.channel_id, value);
  } else {
    item.paused_value.reset();
  }
  item.transfer_to.reset();
  if (b.transfer_probability > 0 && agent.rng.chance(b.transfer_probability)) {
    const std::string& target = b.transfer_to[agent.rng.below(b.transfer_to.size())];
    for (uint32_t q = 0; q < queues.size(); ++q) {
      if (queues[q].name == target) item.transfer_to = q;
    }
  }
  if (item.paused_value) {
    const Duration before = Duration{static_cast<int64_t>(agent.rng.uniform() * static_cast<double>(handle.count()))};
    item.remaining = handle - before;
    item.pause_length = b.pause_length.sample(agent.rng);
    calendar.schedule(now() + before, ActionKind::pause, key_of(e.item));
  } else {
    schedule_end(key_of(e.item), item, now() + handle);
  }
}

// The end of one agent's handling: a close, or a transfer when one was planned.
void Simulation::Impl::schedule_end(uint64_t item, const SimItem& state, Time at) {
  calendar.schedule(at, state.transfer_to ? ActionKind::transfer : ActionKind::close, item);
}

void Simulation::Impl::transfer(uint64_t key) {
  auto it = items.find(key);
  if (it == items.end() || !it->second.transfer_to) return;
  SimItem& item = it->second;
  const uint32_t to = *item.transfer_to;
  const Status st = timed(Op::transfer, [&] { return kernel->transfer_to_queue(item_of(key), queues[to].id); });
  if (st == Status::ok) {
    item.handled += now() - item.accepted_at;
    item.current_queue = to;
    item.transfer_to.reset();
    if (item.agent != kNoAgent && omni::index(item.agent) < agents.size()) agents[omni::index(item.agent)].report.transfers++;
  } else {
    // Refused (e.g. by the simultaneous-sessions policy): the agent finishes it instead.
    transfers_refused[with_policy_reason(st)]++;
    (void)timed(Op::close, [&] { return kernel->close(item_of(key)); });
  }
  drain();
}

void Simulation::Impl::on_closed(const Event& e) {
  auto it = items.find(key_of(e.item));
  if (it == items.end()) return;
  SimItem& item = it->second;
  const AgentId agent_id = e.agent != kNoAgent ? e.agent : item.agent;
  if (item.answered && !item.closed) {
    item.closed = true;
    if (item.counted) {
      const double handled = config::to_seconds(item.handled + (now() - item.accepted_at));
      charge(item, [&](ContactCounters& c) {
        c.closed++;
        c.total_handle_s += handled;
      });
    }
  }
  if (agent_id == kNoAgent || omni::index(agent_id) >= agents.size()) return;
  AgentModel& agent = agents[omni::index(agent_id)];
  agent.report.handled++;
  account(agent_id);
  const Duration wrap_up = agent.presence ? agent.presence->wrap_up : Duration{};
  if (wrap_up > Duration::zero()) {
    calendar.schedule(now() + wrap_up + timer_resolution, ActionKind::tick);
    if (agent.behaviour->wrap_up) {
      const Duration own = agent.behaviour->wrap_up->sample(agent.rng);
      if (own < wrap_up) calendar.schedule(now() + own, ActionKind::end_wrap_up, key_of(e.item));
    }
  }
}

void Simulation::Impl::on_abandoned(const Event& e) {
  auto it = items.find(key_of(e.item));
  if (it != items.end() && it->second.counted) {
    charge(it->second, [](ContactCounters& c) { c.abandoned++; });
    live[it->second.queue].abandoned.fetch_add(1, std::memory_order_relaxed);
  }
  if (e.agent != kNoAgent) account(e.agent);
}

// The item waited its queue's overflow_after and moved to Event::queue. Its statistics stay with
// the queue it arrived in; the destination counts what it received.
void Simulation::Impl::on_overflowed(const Event& e) {
  if (e.agent != kNoAgent) account(e.agent);
  auto it = items.find(key_of(e.item));
  const std::optional<uint32_t> to = queue_index(e.queue);
  if (it == items.end() || !to) return;
  SimItem& item = it->second;
  item.current_queue = *to;
  schedule_queue_timers(item, *to);
  if (!item.counted) return;
  charge(item, [](ContactCounters& c) { c.overflowed++; });
  queues[*to].overflowed_in++;
}

// The item waited its queue's max_wait: `done` follows. In the wait statistics it is an abandoned
// item (the customer got no answer): in the service level's base, not in the ASA.
void Simulation::Impl::on_expired(const Event& e) {
  if (e.agent != kNoAgent) account(e.agent);
  auto it = items.find(key_of(e.item));
  if (it == items.end() || !it->second.counted) return;
  charge(it->second, [](ContactCounters& c) { c.expired++; });
  live[it->second.queue].expired.fetch_add(1, std::memory_order_relaxed);
}

// The item stopped waiting for its preferred agent only (the wait ran out, or the agent went
// offline): it is everyone's now.
void Simulation::Impl::on_preference_ended(const Event& e) {
  auto it = items.find(key_of(e.item));
  if (it == items.end() || !it->second.counted) return;
  charge(it->second, [](ContactCounters& c) { c.preferred_fell_back++; });
}

// An optional skill was dropped after its wait (Event::reason = optional skills still asked).
void Simulation::Impl::on_requirements_relaxed(const Event& e) {
  auto it = items.find(key_of(e.item));
  if (it == items.end() || it->second.requirement_set < 0 || !it->second.counted) return;
  RequirementSetModel& set = requirement_sets[it->second.requirement_set];
  set.skills_dropped++;
  if (!it->second.relaxed) set.relaxed++;
  it->second.relaxed = true;
}

void Simulation::Impl::on_agent_status(const Event& e) {
  if (omni::index(e.agent) >= agents.size()) return;
  AgentModel& agent = agents[omni::index(e.agent)];
  account(e.agent);
  const StatusId status{e.reason};
  // The kernel moved the agent (status on decline / on push time-out): it comes back later.
  if (agent.home && status != *agent.home && !agent.on_break && !agent.return_pending) {
    agent.return_pending = true;
    calendar.schedule(now() + agent.behaviour->return_after.sample(agent.rng), ActionKind::return_to_work,
                      omni::index(e.agent));
  }
}

void Simulation::Impl::set_status(AgentModel& agent, StatusId status) {
  (void)timed(Op::set_status, [&] { return kernel->set_status(agent.id, status); });
  drain();
  account(agent.id);
}

void Simulation::Impl::account(AgentId id) {
  if (omni::index(id) >= agents.size()) return;
  AgentModel& agent = agents[omni::index(id)];
  integrate(agent, now());
  if (auto s = kernel->agent(id)) observe(agent, *s);
}

void Simulation::Impl::observe(AgentModel& agent, const AgentSnapshot& snapshot) {
  agent.activity = snapshot.activity;
  agent.used_milli = snapshot.used_milli;
  agent.capacity_milli = snapshot.capacity_milli;
  const size_t status = omni::index(snapshot.status);
  agent.available = status < status_kinds.size() && status_kinds[status] == PresenceKind::online;
}

void Simulation::Impl::integrate(AgentModel& agent, Time until) {
  const Time from = std::max(agent.last, warmup);
  if (until > from) {
    const double dt = config::to_seconds(until - from);
    const size_t activity = std::min<size_t>(static_cast<size_t>(agent.activity), kActivityNames.size() - 1);
    agent.report.seconds_in[activity] += dt;
    if (agent.available) {
      agent.available_s += dt;
      if (agent.capacity_milli > 0) agent.occupied_s += dt * agent.used_milli / agent.capacity_milli;
    }
  }
  agent.last = std::max(agent.last, until);
}

}  // namespace omni::sim
