// The configuration after validation: names resolved to dense indices, sizes in 1/1000 units,
// and the per-agent / per-queue tables the hot path reads. Immutable once the kernel is built.
#pragma once
#include <cstdint>
#include <expected>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "omnikernel/config.h"
#include "omnikernel/error.h"
#include "omnikernel/policy.h"

namespace omni::internal {

inline constexpr int32_t kMilli = 1000;  // capacity is kept in 1/1000 units
// Widths of the packed words (item_word.h, agent_word.h) and of the routing scratch space.
inline constexpr size_t kMaxAgents = (1u << 21) - 1;   // ItemWord agent field, kNoAgent excluded
inline constexpr size_t kMaxQueues = (1u << 20) - 1;   // ItemWord queue field
inline constexpr size_t kMaxMemberships = 4096;        // pull()'s per-call bitset of queues
inline constexpr size_t kMaxRequirementSets = 4096;    // ... and of requirement classes
inline constexpr size_t kMaxSkills = 4096;
inline constexpr size_t kMaxPausedValues = 4096;       // ItemWord paused-value field (12 bits)
// Longest timer (push time-out, wrap-up, missed delay): bounds how long a timer holds an item
// word, which the 40-bit version's no-wrap argument needs (item_word.h).
inline constexpr Duration kMaxTimer = std::chrono::hours(1);

struct ChannelInfo {
  bool interruptible = false;
  std::vector<std::string> paused_values;
};

struct RoutingInfo {
  int32_t priority = 0;
  RoutingModel model = RoutingModel::most_available;
  Duration push_timeout{};
  SizeUnit unit = SizeUnit::units;
  int32_t size = 0;  // milli-units, or milli-percent
  bool skills_based = false;
  TieBreak tie_break = TieBreak::longest_idle;  // effective: the ACD models force theirs
  bool transfer_keeps_arrival = true;
};

struct QueueInfo {
  uint16_t channel = 0;
  uint16_t routing = 0;
  uint16_t service = 0;
  uint32_t max_waiting = 0;
  std::vector<uint32_t> members;  // the agents serving it, in configuration order
  Duration overflow_after{};      // 0 = never
  uint32_t overflow_to = 0;
  Duration max_wait{};            // 0 = never
  std::vector<bool> serves;       // by agent index: is it one of `members`
  bool removed = false;           // a tombstone: takes no new work (submit, transfer)
};

struct PresenceInfo {
  int32_t capacity = 0;                // milli-units
  int32_t interruptible_capacity = 0;  // milli-units
  bool auto_accept = false;
  bool allow_decline = false;
  int32_t status_on_decline = -1;
  bool reasons_required = false;
  std::vector<std::string> reasons;
  int32_t status_on_push_timeout = -1;
  Duration missed_delay{};
  Duration wrap_up{};
  ResumeRule resume_rule = ResumeRule::allow_over_capacity;
  bool transfer_anywhere = true;
  std::vector<bool> transfer_queues;    // by queue index
  std::vector<bool> transfer_profiles;  // by profile index
  std::vector<bool> transfer_flows;     // by flow index
  std::vector<int8_t> counter_of;       // by channel index: its AgentWord counter, -1 = no limit
  int32_t channel_limit[2] = {0, 0};    // by counter
};

struct StatusInfo {
  PresenceKind kind = PresenceKind::offline;
  uint64_t channels = 0;  // bit per channel index, online only
  bool removed = false;   // a tombstone: nobody may enter it
};

struct Membership {
  uint32_t set;       // lane set: its queue's own (= the queue index) or a requirement class
  uint32_t member;    // position in the set's AgentIndex (at create: the index in the queue's
                      // members; a live change keeps positions and gives joiners new ones)
  int32_t priority;   // the queue's routing priority, cached: memberships are sorted by it
};

struct AgentInfo {
  uint32_t presence = 0;
  int32_t profile = -1;
  uint16_t initial_status = 0;
  std::vector<Membership> memberships;  // by (priority, queue)
  std::vector<uint8_t> skill_levels;    // by skill id; 0 = does not have it
  // +1 on every live change of its skills or queues: keys the cached verdicts of its class
  // memberships (KernelImpl::class_member), which nothing else can change.
  uint32_t membership_epoch = 0;
  bool removed = false;  // a tombstone: serves nothing, may not change status
};

struct ResolvedConfig {
  std::shared_ptr<const Config> source;  // shared: Kernel::config() hands it out
  std::vector<ChannelInfo> channels;
  std::vector<RoutingInfo> routings;
  std::vector<QueueInfo> queues;
  std::vector<PresenceInfo> presences;
  std::vector<StatusInfo> statuses;
  std::vector<AgentInfo> agents;
  std::vector<std::string> services;  // ServiceId → name
  std::vector<std::string> flows;     // FlowId → name
  std::vector<std::string> skills;    // SkillId → name
  std::vector<bool> skill_removed;     // SkillId → a tombstone: nobody has it, nobody may ask for it
  std::unordered_map<std::string, uint32_t> queue_by_name, agent_by_name, status_by_name,
      channel_by_name, service_by_name, flow_by_name, skill_by_name;
};

[[nodiscard]] std::expected<ResolvedConfig, ConfigError> resolve(const Config& config);

}  // namespace omni::internal
