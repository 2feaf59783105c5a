// A tiny kernel for one schedule, and the invariant check run after the schedule.
//
// The check is computed from the PUBLIC API only (snapshots of every item the scenario created,
// of every agent and queue, and the event stream), plus omni::internal::audit() — the kernel's
// white-box check — when the kernel provides it. Nothing in the check routes: it reads snapshots
// and drains events, so a lost wake-up is seen, not repaired, by the check itself.
#pragma once
#include <array>
#include <map>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "omnikernel/kernel.h"

namespace omni::interleave {

// Whether AgentSnapshot::open_items counts paused items. It does not (kernel.h: offered + active;
// a paused item released its capacity) — issue 8, item 12 corrected kernel.h, which used to say it
// did. Kept as a switch only to build the harness against the old kernel for comparison.
#ifndef OMNI_INTERLEAVE_OPEN_COUNTS_PAUSED
#define OMNI_INTERLEAVE_OPEN_COUNTS_PAUSED 0
#endif

// A small contact centre: channel "chat" (paused value "Paused"); queues "q0", "q1" (chat);
// statuses Offline, Online (chat), Busy; presence configs from `capacities` (one per agent,
// "p<i>"), every agent serving every queue, initially Online unless `initially` says otherwise.
struct TinyConfig {
  std::vector<double> capacities = {1.0};
  SizeUnit unit = SizeUnit::units;
  double size = 1.0;              // units, or percent of the agent's capacity
  RoutingModel model = RoutingModel::most_available;
  Duration push_timeout = std::chrono::seconds(30);
  Duration wrap_up{};             // 0 = close goes straight to done
  bool allow_decline = true;
  uint32_t max_items = 16;
  uint32_t max_waiting = 8;
  int queues = 2;
  std::vector<std::string> initially;  // initial status per agent ("" = Online)
};
Config tiny_config(const TinyConfig& t);

struct CheckOptions {
  bool over_capacity_allowed = false;  // a resume may legally exceed capacity
  // After the quiescent checks pass: advance the clock past every deadline, tick once, and check
  // that each offered item timed out and each wrap-up ended exactly once (this routes, so it
  // comes after everything that must be seen unrepaired).
  bool check_timers = true;
};

class World {
 public:
  explicit World(const Config& config, std::span<PolicyHook* const> policies = {});

  Kernel& k() { return *kernel; }
  QueueId q(std::string_view name) const { return *kernel->find_queue(name); }
  AgentId a(std::string_view name) const { return *kernel->find_agent(name); }
  StatusId st(std::string_view name) const { return *kernel->find_status(name); }
  PausedValueId paused() const;

  // Items the check looks at: every item a scenario submits must be recorded here. Setup records
  // with thread = -1; scheduled threads record in their own list (no sharing while they run).
  void track(ItemId id, int thread = -1);
  // Submits from setup (main thread) and returns the id; aborts the test on failure.
  ItemId submit(std::string_view queue, uint64_t customer = 0);
  // The agent an item is offered to / held by (kNoAgent if none).
  AgentId holder(ItemId id) const;
  // Prepares a skill requirement set (setup only) and remembers it, so that the liveness check
  // counts only the agents qualified for an item's remaining requirements.
  RequirementsId prepare(std::string_view queue, std::vector<SkillRequirement> skills);
  std::map<uint32_t, std::vector<SkillRequirement>> requirement_sets;

  // Every invariant; "" when all hold. Drains the events (kept in `events`).
  std::string check(const CheckOptions& options = {});
  std::vector<Event> drain();

  ManualClock clock;
  Config config;
  std::unique_ptr<Kernel> kernel;
  std::vector<Event> events;
  std::vector<ItemId> items;
  std::array<std::vector<ItemId>, 4> thread_items;
};

// Whether omni::internal::audit() is the kernel's (true) or this harness's weak stand-in.
bool audit_available();

}  // namespace omni::interleave
