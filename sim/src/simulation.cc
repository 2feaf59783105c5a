// The engine: pop the next action, advance the virtual clock, call the kernel, drain its events,
// and let the events drive the simulated agents.
#include <algorithm>
#include <thread>

#include "arrival_process.h"
#include "omnikernel/config/duration.h"
#include "simulation_impl.h"

namespace omni::sim {

using internal::Action;
using internal::ActionKind;

namespace {

constexpr uint64_t kDecisionShift = 32;  // answer detail: agent id | decision << 32
constexpr uint64_t kAccept = 0;
constexpr uint64_t kDeclineWithoutReason = 1;  // else 2 + index into the agent's decline choices

ItemId item_of(uint64_t subject) { return ItemId{subject}; }
uint64_t key_of(ItemId item) { return omni::index(item); }

}  // namespace

Report Simulation::Impl::run() {
  const auto wall_start = std::chrono::steady_clock::now();
  while (!calendar.empty() && !stop_requested.load(std::memory_order_relaxed)) {
    if (calendar.next().at > end) break;
    const Action action = calendar.pop();
    if (options.speed > 0) pace(action.at, wall_start);
    if (action.at > now()) clock.set(action.at);
    dispatch(action);
  }
  const Time stopped_at = stop_requested.load(std::memory_order_relaxed) ? now() : end;
  clock.set(stopped_at);
  for (AgentModel& a : agents) integrate(a, stopped_at);
  take_sample();
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  Report report = build_report(wall);
  if (stopped_at < end) {
    report.duration_s = config::to_seconds(stopped_at.time_since_epoch());
    report.notes.push_back("stopped early at " + config::format_duration(stopped_at.time_since_epoch()));
  }
  finished.store(true, std::memory_order_release);
  return report;
}

void Simulation::Impl::pace(Time at, std::chrono::steady_clock::time_point wall_start) {
  const auto target = wall_start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                       std::chrono::duration<double>(config::to_seconds(at.time_since_epoch()) /
                                                                     options.speed));
  // Sleep in slices so stop() is honoured promptly; move the clock along meanwhile so a live
  // view shows time passing.
  while (!stop_requested.load(std::memory_order_relaxed)) {
    const auto wall_now = std::chrono::steady_clock::now();
    if (wall_now >= target) break;
    const auto virtual_now = Time{std::chrono::duration_cast<Duration>(
        std::chrono::duration<double>(std::chrono::duration<double>(wall_now - wall_start).count() * options.speed))};
    if (virtual_now > now() && virtual_now < at) clock.set(virtual_now);
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(target - wall_now, std::chrono::milliseconds(50)));
  }
}

void Simulation::Impl::dispatch(const Action& a) {
  switch (a.kind) {
    case ActionKind::arrival:
      arrive(static_cast<uint32_t>(a.subject));
      break;
    case ActionKind::replay:
      replay(static_cast<uint32_t>(a.subject), a.detail);
      break;
    case ActionKind::abandon: {
      auto it = items.find(a.subject);
      if (it == items.end() || it->second.answered) break;
      (void)timed(Op::abandon, [&] { return kernel->abandon(item_of(a.subject)); });
      drain();
      break;
    }
    case ActionKind::answer:
      answer(item_of(a.subject), a.detail);
      break;
    case ActionKind::pause: {
      auto it = items.find(a.subject);
      if (it == items.end() || !it->second.paused_value) break;
      const Status st = timed(Op::pause, [&] { return kernel->pause(item_of(a.subject), *it->second.paused_value); });
      if (st == Status::ok) {
        calendar.schedule(now() + it->second.pause_length, ActionKind::resume, a.subject);
      } else {
        schedule_end(a.subject, it->second, now() + it->second.remaining);
      }
      drain();
      break;
    }
    case ActionKind::resume: {
      auto it = items.find(a.subject);
      if (it == items.end()) break;
      const Status st = timed(Op::resume, [&] { return kernel->resume(item_of(a.subject)); });
      if (st == Status::no_capacity) {
        // The "refuse" resume rule: the customer waits until the agent has room again.
        calendar.schedule(now() + std::chrono::seconds(5), ActionKind::resume, a.subject);
      } else {
        schedule_end(a.subject, it->second, now() + it->second.remaining);
      }
      drain();
      break;
    }
    case ActionKind::transfer:
      transfer(a.subject);
      break;
    case ActionKind::close:
      if (!items.contains(a.subject)) break;
      (void)timed(Op::close, [&] { return kernel->close(item_of(a.subject)); });
      drain();
      break;
    case ActionKind::end_wrap_up:
      if (!items.contains(a.subject)) break;
      (void)timed(Op::end_wrap_up, [&] { return kernel->end_wrap_up(item_of(a.subject)); });
      drain();
      break;
    case ActionKind::return_to_work: {
      AgentModel& agent = agents[a.subject];
      agent.return_pending = false;
      if (!agent.on_break && agent.home) set_status(agent, *agent.home);
      break;
    }
    case ActionKind::break_start: {
      AgentModel& agent = agents[a.subject];
      const BreakPlan& plan = agent.behaviour->breaks[a.detail];
      calendar.schedule(now() + plan.every.sample(agent.rng), ActionKind::break_start, a.subject, a.detail);
      if (agent.on_break) break;
      auto status = kernel->find_status(plan.status);
      if (!status) break;
      agent.on_break = true;
      set_status(agent, *status);
      calendar.schedule(now() + plan.length.sample(agent.rng), ActionKind::break_end, a.subject);
      break;
    }
    case ActionKind::break_end: {
      AgentModel& agent = agents[a.subject];
      agent.on_break = false;
      if (agent.home) set_status(agent, *agent.home);
      break;
    }
    case ActionKind::tick:
      (void)timed(Op::tick, [&] { return kernel->tick(now()); });
      drain();
      if (a.detail == 1) calendar.schedule(now() + scenario.tick_interval, ActionKind::tick, 0, 1);
      break;
    case ActionKind::sample: {
      take_sample();
      const Duration every = scenario.sample_interval > Duration::zero() ? scenario.sample_interval
                                                                          : std::max(scenario.duration / 240, Duration{1});
      calendar.schedule(now() + every, ActionKind::sample);
      break;
    }
  }
}

void Simulation::Impl::drain() {
  for (;;) {
    const size_t n = kernel->poll_events(event_buffer);
    events += n;
    for (size_t i = 0; i < n; ++i) on_event(event_buffer[i]);
    if (n < event_buffer.size()) return;
  }
}

void Simulation::Impl::on_event(const Event& e) {
  switch (e.type) {
    case EventType::offered:
      on_offered(e);
      break;
    case EventType::accepted:
      on_accepted(e);
      break;
    case EventType::closed:
      on_closed(e);
      break;
    case EventType::abandoned:
      on_abandoned(e);
      break;
    case EventType::done: {
      auto it = items.find(key_of(e.item));
      if (it != items.end()) {
        if (it->second.conversation) open_conversations.erase(it->second.conversation);
        items.erase(it);
      }
      if (e.agent != kNoAgent) account(e.agent);
      break;
    }
    case EventType::push_timed_out:
      if (e.agent != kNoAgent && omni::index(e.agent) < agents.size()) {
        agents[omni::index(e.agent)].report.timeouts++;
        account(e.agent);
      }
      break;
    case EventType::paused:
      if (e.agent != kNoAgent && omni::index(e.agent) < agents.size()) {
        agents[omni::index(e.agent)].report.pauses++;
        account(e.agent);
      }
      break;
    case EventType::agent_status:
      on_agent_status(e);
      break;
    case EventType::agent_missed:
      calendar.schedule(now() + (agents[omni::index(e.agent)].presence ? agents[omni::index(e.agent)].presence->missed_delay
                                                                       : Duration{}) +
                            timer_resolution,
                        ActionKind::tick);
      account(e.agent);
      break;
    case EventType::submitted:
      break;
    default:  // declined, resumed, wrap_up_ended, transferred, agent_missed_ended
      if (e.agent != kNoAgent) account(e.agent);
      break;
  }
}

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
  QueueModel& queue = queues[item.queue];
  const QueueModel& serving = queues[item.current_queue];
  if (!item.answered) {
    item.answered = true;
    if (item.counted) {
      const double wait = config::to_seconds(now() - item.arrival);
      const bool within = now() - item.arrival <= scenario.service_level_threshold;
      ContactCounters& c = queue.counters;
      c.answered++;
      c.total_wait_s += wait;
      if (within) c.answered_within_threshold++;
      if (item.first_offered.value_or(now()) > item.arrival) c.waited++;  // queued before its first offer
      c.longest_wait_s = std::max(c.longest_wait_s, wait);
      live[item.queue].answered.fetch_add(1, std::memory_order_relaxed);
      if (within) live[item.queue].within.fetch_add(1, std::memory_order_relaxed);
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
    transfers_refused[std::string(to_string(st))]++;
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
      queues[item.queue].counters.closed++;
      queues[item.queue].counters.total_handle_s += config::to_seconds(item.handled + (now() - item.accepted_at));
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
    queues[it->second.queue].counters.abandoned++;
    live[it->second.queue].abandoned.fetch_add(1, std::memory_order_relaxed);
  }
  if (e.agent != kNoAgent) account(e.agent);
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

void Simulation::Impl::arrive(uint32_t stream) {
  const ArrivalStream& a = scenario.arrivals[stream];
  Rng& rng = stream_rngs[stream];
  if (auto next = internal::next_arrival(a.rate, now(), end, rng)) {
    calendar.schedule(*next, ActionKind::arrival, stream);
  }
  const uint64_t number = scenario.customers > 0 ? 1 + rng.below(scenario.customers) : ++next_customer;
  const std::string customer = std::to_string(number);
  if (!a.adapter.empty() && plugins->has_adapter(a.adapter)) {
    const std::string_view tmpl =
        a.payload_template.empty() ? internal::builtin_payload_template(a.adapter) : a.payload_template;
    const int64_t epoch_ms = 1'700'000'000'000 + std::chrono::duration_cast<std::chrono::milliseconds>(
                                                     now().time_since_epoch()).count();
    const std::string payload =
        internal::render_payload(tmpl, customer, std::to_string(++next_message), epoch_ms, "Hello, I need help");
    auto messages = timed(Op::adapter_parse, [&] { return plugins->parse(a.adapter, payload); });
    if (!messages) {
      ++adapter_errors;
      last_adapter_error = messages.error();
      return;
    }
    for (const internal::CustomerMessage& m : *messages) {
      submit(stream, scenario.customers > 0 ? internal::customer_hash(m.customer) : 0, 0);
    }
    return;
  }
  // Without a customer population every arrival is an anonymous customer (CustomerId 0): the
  // kernel tracks at most limits.max_customers distinct customers over its lifetime.
  submit(stream, scenario.customers > 0 ? internal::customer_hash(customer) : 0, 0);
}

void Simulation::Impl::replay(uint32_t stream, uint64_t index) {
  const ReplayMessage& m = replays[stream][index];
  if (open_conversations.contains(m.conversation)) return;  // a follow-up in an open conversation
  submit(stream, internal::customer_hash(m.customer), m.conversation);
}

void Simulation::Impl::submit(uint32_t stream, uint64_t customer, uint64_t conversation) {
  const ArrivalStream& a = scenario.arrivals[stream];
  const uint32_t q = stream_queue[stream];
  QueueModel& queue = queues[q];
  const bool counted = now() >= warmup;
  SubmitRequest request;
  request.queue = queue.id;
  request.customer = CustomerId{customer};
  request.is_bot = a.bot_fraction > 0 && stream_rngs[stream].chance(a.bot_fraction);
  const Result<ItemId> id = timed(Op::submit, [&] { return kernel->submit(request); });
  if (counted) {
    queue.counters.offered++;
    live[q].offered.fetch_add(1, std::memory_order_relaxed);
  }
  if (!id) {
    if (counted) queue.counters.refused++;
    refused[std::string(to_string(id.error()))]++;
    drain();
    return;
  }
  SimItem item;
  item.arrival = now();
  item.queue = q;
  item.current_queue = q;
  item.counted = counted;
  item.conversation = conversation;
  items.emplace(key_of(*id), item);
  if (conversation) open_conversations[conversation] = key_of(*id);
  const std::optional<Distribution>& patience = a.patience ? a.patience : scenario.patience;
  if (patience) calendar.schedule(now() + patience->sample(stream_rngs[stream]), ActionKind::abandon, key_of(*id));
  drain();
}

void Simulation::Impl::account(AgentId id) {
  if (omni::index(id) >= agents.size()) return;
  AgentModel& agent = agents[omni::index(id)];
  integrate(agent, now());
  if (auto s = kernel->agent(id)) {
    agent.activity = s->activity;
    agent.used_milli = s->used_milli;
    agent.capacity_milli = s->capacity_milli;
  }
}

void Simulation::Impl::integrate(AgentModel& agent, Time until) {
  const Time from = std::max(agent.last, warmup);
  if (until > from) {
    const double dt = config::to_seconds(until - from);
    const size_t activity = std::min<size_t>(static_cast<size_t>(agent.activity), kActivityNames.size() - 1);
    agent.report.seconds_in[activity] += dt;
    if (agent.activity != AgentActivity::offline) {
      agent.logged_in_s += dt;
      if (agent.capacity_milli > 0) agent.occupied_s += dt * agent.used_milli / agent.capacity_milli;
    }
  }
  agent.last = std::max(agent.last, until);
}

void Simulation::Impl::take_sample() {
  SeriesPoint p;
  p.at_s = config::to_seconds(now().time_since_epoch());
  for (const QueueModel& q : queues) {
    auto snapshot = kernel->queue(q.id);
    p.waiting.push_back(snapshot ? snapshot->waiting : 0);
    const uint64_t base = q.counters.answered + q.counters.abandoned;
    p.service_level.push_back(base ? static_cast<double>(q.counters.answered_within_threshold) / base
                                   : std::numeric_limits<double>::quiet_NaN());
  }
  if (!series.empty() && series.back().at_s == p.at_s) series.back() = std::move(p);
  else series.push_back(std::move(p));
}

}  // namespace omni::sim
