// KernelImage — a kernel's routing state as plain values, for recovery (issue 10). A host that
// journals the event stream rebuilds this from its journal and calls Kernel::restore, which
// builds a kernel from the configuration and installs the image: items in their states with
// their agents, arrivals and capacity holds; agent statuses; prepared requirement sets with their
// ids; the customers' last agents. The kernel never reads a journal itself: it knows nothing of
// files, as it knows nothing of JSON.
//
// What restore does with each state (docs/OPERATIONS.md "Recovery"):
//   queued   → queued in its queue (or requirement class), in arrival order; a preference for an
//              agent is not restored (it routes to everyone eligible at once)
//   offered  → queued again, like a push time-out without the exclusion: the desktop that had the
//              offer is gone after a restart, so the item goes to whoever is free first
//   active, paused, wrap_up → with its agent, holding what it held (paused: nothing, until
//              resumed); wrap-up ends `since` + the agent's wrap-up time
// Every restored item's version is one above the image's (restore is a transition of each item;
// no event reports it — the host that restores writes the image as its new snapshot).
#pragma once
#include <cstdint>
#include <vector>

#include "omnikernel/ids.h"
#include "omnikernel/kernel.h"
#include "omnikernel/time.h"

namespace omni {

struct RestoredRequirements {
  QueueId queue{};
  std::vector<SkillRequirement> skills;  // as prepared; re-prepared in image order, same ids
};

struct RestoredItem {
  ItemId id{};           // kept: hosts may hold it
  uint64_t version = 0;  // Event::seq of its last event
  ItemState state = ItemState::queued;
  QueueId queue{};
  AgentId agent = kNoAgent;  // offered, active, paused, wrap_up
  CustomerId customer{};
  bool is_bot = false;
  RequirementsId requirements{};
  uint8_t skills_dropped = 0;
  Time arrival{};         // kept through re-queues, overflows and transfers (as the kernel keeps it)
  Time since{};           // when it entered its state (wrap-up: its close)
  uint16_t paused_value = 0;
};

struct RestoredAgent {
  AgentId agent{};
  StatusId status{};
  bool missed = false;
  Time missed_since{};  // the missed state ends missed_since + the agent's missed_delay
  Time idle_since{};    // the longest_idle tie-break's key
};

struct KernelImage {
  std::vector<RestoredRequirements> requirement_sets;  // in the order they were prepared
  std::vector<RestoredItem> items;
  std::vector<RestoredAgent> agents;  // agents not listed keep their configured initial status
  std::vector<std::pair<CustomerId, AgentId>> last_agents;
  // Every item slot the image does not use starts above this version, so that no id issued
  // before the restart is issued again (the highest Event::seq the journal saw).
  uint64_t version_floor = 0;
  // Added to every time in the image: the host maps the old run's clock onto the new one (e.g.
  // new now − the journal's last event time, so that timers keep their remaining time).
  Duration shift{};
};

}  // namespace omni
