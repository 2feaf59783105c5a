// The contact-centre domain as the host configures it (DESIGN.md "Domain", seeds 000–003).
// Plain value types, cross-referenced by name; Kernel::create validates everything and resolves
// names to dense ids. Validation errors name the field path, e.g. "queues[2].routing".
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "omnikernel/time.h"

namespace omni {

// A kind of work: chat session, WhatsApp conversation, Instagram DM, case, call (seed 002).
struct ServiceChannelConfig {
  std::string name;
  // Item status values that mean "paused" (seed 000): setting one releases the item's capacity.
  std::vector<std::string> paused_values;
  // Interruptible work draws on the agent's interruptible capacity, not its capacity.
  bool interruptible = false;
};

enum class RoutingModel : uint8_t {
  // Fewest open items (offered + active; paused items released their capacity and do not count).
  // Ties: RoutingConfig::tie_break.
  least_active,
  // Most room: how many more items of this queue's size fit the agent's free capacity (and under
  // its channel limit). Ties: RoutingConfig::tie_break.
  most_available,
  // Classic ACD models: every agent with room is equally good, whatever its load.
  longest_idle_agent,  // the agent idle longest (tie_break is longest_idle, whatever it says)
  round_robin,         // the next agent after the last one chosen (tie_break is round_robin)
};

enum class SizeUnit : uint8_t { units, percent };

// Who gets an item when several agents are equally good by the routing model.
enum class TieBreak : uint8_t {
  listed_order,  // the member listed first (agents' order in the configuration)
  round_robin,   // the next tied member after the last one chosen, wrapping: identical agents
                 // share the work evenly
  // The tied agent idle longest: since its last item ended (closed without wrap-up, wrap-up
  // ended, transferred away) or it came online. Sampled: among up to 8 tied agents, from a
  // rotating start — exact when 8 or fewer tie, and O(1) however many do (docs/ARCHITECTURE.md).
  longest_idle,
  // The tied agent with the highest levels in the skills the item asks for (their sum), then the
  // one idle longest; sampled like longest_idle. Items without skills: longest idle.
  most_skilled,
};

struct RoutingConfig {
  std::string name;
  int32_t priority = 1;  // lower is routed first, across queues
  RoutingModel model = RoutingModel::most_available;
  Duration push_timeout{};  // 0 = offers never time out
  SizeUnit size_unit = SizeUnit::units;
  double size = 1.0;  // units of capacity, or percent (0, 100] of the agent's capacity
  // Skills-based (seed 002): items of its queues that carry skill requirements go to any agent
  // qualified for them, not only to the queue's members. Without it, such an item goes to the
  // qualified members of its queue.
  bool skills_based = false;
  TieBreak tie_break = TieBreak::longest_idle;
  // A transfer into one of its queues keeps the item's original arrival (the customer's wait goes
  // on, and overflow / expiry / skill drops count from it); false restarts the wait at the transfer.
  bool transfer_keeps_arrival = true;
  bool removed = false;  // a tombstone: see "Removal" at Config
};

struct QueueConfig {
  std::string name;
  std::string channel;  // ServiceChannelConfig::name
  std::string routing;  // RoutingConfig::name
  // Seed 004's "service" for the simultaneous-sessions policy; empty = the queue's own name.
  std::string service;
  uint32_t max_waiting = 1024;  // items queued or offered from here at once (exactly this many)
  // Overflow: an item still waiting here once overflow_after has passed since its arrival moves
  // to `overflow_to` (keeping its arrival and requirements). 0 = never. Chains must not loop.
  Duration overflow_after{};
  std::string overflow_to;
  // Expiry: an item still waiting here once max_wait has passed since its arrival ends
  // (`expired`, then `done`). 0 = never.
  Duration max_wait{};
  bool removed = false;  // a tombstone: see "Removal" at Config
};

// What the agent may do when resuming a paused item would exceed capacity.
enum class ResumeRule : uint8_t {
  allow_over_capacity,  // resume; the agent gets no new offers until it is under capacity again
  refuse,               // resume fails with Status::no_capacity; the item stays paused
};

struct TransferDestinations {
  std::vector<std::string> queues;
  std::vector<std::string> profiles;  // any agent whose profile is listed
  std::vector<std::string> flows;
  [[nodiscard]] bool empty() const { return queues.empty() && profiles.empty() && flows.empty(); }
};

// At most `max` items of one channel at once (offered, active or in wrap-up; a paused item
// released its hold), beside the capacity units: e.g. at most 1 voice call and 4 chats.
struct ChannelLimitConfig {
  std::string channel;  // ServiceChannelConfig::name
  int max = 1;          // 1–15
};

struct PresenceConfigConfig {
  std::string name;
  double capacity = 1.0;                // at most 4000 units
  double interruptible_capacity = 0.0;  // at most 64 units
  // Per-channel limits, enforced in the same atomic step as capacity; at most 2 channels per
  // presence configuration (they share the agent's routing word with its capacity).
  std::vector<ChannelLimitConfig> channel_limits;
  bool auto_accept = false;
  bool allow_decline = false;  // impossible together with auto_accept
  std::string status_on_decline;       // empty = unchanged
  bool decline_reasons_required = false;
  std::vector<std::string> decline_reasons;
  std::string status_on_push_timeout;  // empty = unchanged
  Duration missed_delay{};             // "missed" state after a push time-out; 0 = none
  Duration wrap_up{};                  // after-conversation work; 0 = none
  ResumeRule resume_rule = ResumeRule::allow_over_capacity;
  TransferDestinations transfer_destinations;  // empty = anywhere
  bool removed = false;  // a tombstone: see "Removal" at Config
};

enum class PresenceKind : uint8_t {
  online,   // routable for `channels`
  busy,     // keeps its work, gets none
  away,     // keeps its work, gets none
  pause,    // keeps its work, gets none, with a cause (seed 003)
  dnd,      // do not disturb
  offline,
};

struct PresenceStatusConfig {
  std::string name;
  PresenceKind kind = PresenceKind::offline;
  std::vector<std::string> channels;  // online only
  std::string pause_cause;            // pause only
  bool removed = false;  // a tombstone: see "Removal" at Config
};

// An agent's level in one skill, 1 (novice) to 10 (expert).
struct SkillLevelConfig {
  std::string skill;  // Config::skills
  int level = 1;
};

struct ProfileConfig {
  std::string name;
  std::string presence_config;
  std::vector<SkillLevelConfig> skills;
  bool removed = false;  // a tombstone: see "Removal" at Config
};

struct AgentConfig {
  std::string name;
  std::string profile;           // may be empty when presence_config is set
  std::string presence_config;   // user-level assignment; wins over the profile's
  std::vector<std::string> queues;  // queues the agent serves
  std::string status;            // initial presence status; empty = first offline status
  // User-level skills: a skill listed here wins over the profile's level of the same skill;
  // the profile's other skills are kept.
  std::vector<SkillLevelConfig> skills;
  bool removed = false;  // a tombstone: see "Removal" at Config
};

struct Limits {
  uint32_t max_items = 1 << 16;       // live work items at once (queued .. wrap-up)
  uint32_t max_customers = 1 << 16;   // customers with open sessions at once (64 B each, ×2)
  uint32_t event_capacity = 1 << 16;  // events buffered until the host drains them
  Duration timer_resolution = std::chrono::milliseconds(10);
  // Distinct skill requirement sets (per queue) the host may prepare (Kernel::prepare_requirements);
  // each costs lanes and an index. Memory: max agents × this × 24 bytes for the agents' class lists.
  uint32_t max_requirement_sets = 64;
  // Items that may wait for one agent as their preferred agent at once (its personal lane); a
  // submit beyond it routes as if no agent were preferred.
  uint32_t max_preferred_waiting = 16;
  // Customers whose last agent the kernel remembers for SubmitRequest::prefer_last_agent (16 bytes
  // each; 0 = none). Direct-mapped: a customer may be forgotten when another takes its entry.
  uint32_t remembered_customers = 1 << 16;
  // Agents the kernel can ever hold: room to hire live (Kernel::reconfigure appends agents up to
  // it). 0 = exactly the agents configured at create. Every lane set's agent index is sized by it
  // (about 5 bytes per agent per queue and per skill class).
  uint32_t max_agents = 0;
  // Queues the kernel can ever hold: room to add queues live, like max_agents. 0 = exactly the
  // queues configured at create. Costs a pointer per queue until one is added.
  uint32_t max_queues = 0;
};

struct Config {
  std::vector<std::string> skills;  // named skills (seed 002), e.g. languages or product lines
  // Skills removed by a live change: they stay in `skills` (their ids are positions), nobody that
  // is not removed may have them, and they cannot be asked for (see "Removal" below).
  std::vector<std::string> removed_skills;
  std::vector<ServiceChannelConfig> channels;
  std::vector<RoutingConfig> routing_configs;
  std::vector<QueueConfig> queues;
  std::vector<PresenceConfigConfig> presence_configs;
  std::vector<PresenceStatusConfig> statuses;
  std::vector<ProfileConfig> profiles;
  std::vector<AgentConfig> agents;
  Limits limits;
  // Removal (live changes): routing configurations, queues, presence configurations, statuses,
  // profiles and agents carry `removed`; skills are listed in `removed_skills`. A removed entry
  // stays in its list as a tombstone — its name and id are never reused — and nothing that is not
  // removed may refer to it. Kernel::reconfigure takes removals either way: an entry marked
  // removed, or an entry of the configuration in force left out of the next one
  // (live_successor). Channels cannot be removed. What the kernel does with a removed queue,
  // agent, status or skill: docs/OPERATIONS.md "Live changes".
};

// The configuration a live change to `next` puts in force: `next`'s entries matched by name to
// `in_force`'s keep their place (ids are positions), entries of `in_force` that `next` leaves out
// stay as tombstones (removed = true), and `next`'s new entries are appended in its order. Lists
// that cannot lose entries (channels, paused values) are `next`'s. Kernel::reconfigure
// applies exactly this; a host journaling the change records it (DurableKernel does).
[[nodiscard]] Config live_successor(const Config& in_force, const Config& next);

}  // namespace omni
