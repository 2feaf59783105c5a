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
    const size_t n = options.kernel_host ? options.kernel_host->drain(event_buffer) : kernel->poll_events(event_buffer);
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
      if (omni::index(e.agent) < agents.size()) {
        const PresenceConfigConfig* presence = agents[omni::index(e.agent)].presence;
        calendar.schedule(now() + (presence ? presence->missed_delay : Duration{}) + timer_resolution,
                          ActionKind::tick);
        account(e.agent);
      }
      break;
    case EventType::submitted:
      break;
    case EventType::requirements_relaxed:
      on_requirements_relaxed(e);
      break;
    case EventType::overflowed:
      on_overflowed(e);
      break;
    case EventType::expired:
      on_expired(e);
      break;
    case EventType::preference_ended:
      on_preference_ended(e);
      break;
    default:  // declined, resumed, wrap_up_ended, transferred, agent_missed_ended
      if (e.agent != kNoAgent) account(e.agent);
      break;
  }
}

}  // namespace omni::sim
