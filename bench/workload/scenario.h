// Scenario — one contact centre for every router under test, built from (agents, queues).
//
// The omni-channel mix (issue 4): voice 15 % of arrivals, exclusive (the agent's whole
// capacity); chat 35 %, a third of it; WhatsApp 30 % and Instagram 15 %, a fifth; tasks 5 %, a
// tenth. Capacity is 30 units so every size is a whole number of units. Queue q carries channel
// q mod 5; agent a serves min(queues, 10) consecutive queues starting at a·10, which covers every
// channel and gives every queue at least one agent.
//
// The same Scenario yields the kernel's omni::Config and the flat tables the baselines route
// with, so every router sees the same agents, queues, sizes, priorities and routing models.
#pragma once
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "omnikernel/config.h"

namespace omni::bench {

struct ChannelMix {
  std::string_view name;
  double share;        // of arrivals
  int32_t size_units;  // of the agent's 30
  int32_t priority;    // of its routing configuration: lower is routed first
  RoutingModel model;
  bool pausable;
};

inline constexpr int32_t kAgentCapacityUnits = 30;
inline constexpr std::array<ChannelMix, 5> kChannelMix{{
    {"voice", 0.15, 30, 1, RoutingModel::least_active, false},
    {"chat", 0.35, 10, 2, RoutingModel::most_available, true},
    {"whatsapp", 0.30, 6, 2, RoutingModel::most_available, true},
    {"instagram", 0.15, 6, 3, RoutingModel::least_active, true},
    {"task", 0.05, 3, 4, RoutingModel::most_available, false},
}};

struct ScenarioSpec {
  uint32_t agents = 1000;
  uint32_t queues = 100;
  uint32_t max_waiting = 512;  // per queue, for every router
  Duration push_timeout{};     // 0: offers never time out
  Duration wrap_up{};
  bool auto_accept = false;
  // Skills (issue 9): 0 = none. With skills, every agent holds 5–20 of them (popularity falls
  // off as 1/rank, levels 1–10 uniform), every routing configuration is skills_based, and
  // `requirement_sets` distinct sets of 1–4 required skills are drawn (set i belongs to queue
  // i mod queues), each kept only if at least 2 % of the first 1,000 agents qualify — the same
  // catalogue at every agent count, since agents are drawn in order from one seed.
  uint32_t skills = 0;
  uint32_t requirement_sets = 0;
};

// One required skill: an agent qualifies with a level ≥ min_level (1–10).
struct SkillNeed {
  uint16_t skill = 0;
  uint8_t level = 1;  // the agent's level, or the requirement's minimum
};

struct RequirementSpec {
  uint32_t queue = 0;
  std::vector<SkillNeed> needs;  // 1–4, distinct skills
};

inline constexpr uint32_t kNoSet = UINT32_MAX;

struct Scenario {
  ScenarioSpec spec;
  Config config;  // for the kernel
  // Flat tables for the baselines, indexed by queue / agent id (ids are dense, in config order).
  std::vector<uint8_t> queue_channel;
  std::vector<int32_t> queue_size_milli;
  std::vector<int32_t> queue_priority;
  std::vector<RoutingModel> queue_model;
  std::vector<std::vector<uint32_t>> agent_queues;
  std::vector<std::vector<uint32_t>> queue_agents;
  int32_t agent_capacity_milli = kAgentCapacityUnits * 1000;
  uint32_t max_items = 0;  // live items at once, a power of two
  // Skills (empty without): per agent its skills and levels; the requirement catalogue; per set
  // the qualified agents (ascending) and the same as a bitset. Every routing configuration is
  // skills_based, so queue membership does not matter for an item with requirements.
  std::vector<std::vector<SkillNeed>> agent_skills;
  std::vector<RequirementSpec> requirement_sets;
  std::vector<std::vector<uint32_t>> set_agents;
  std::vector<std::vector<uint64_t>> set_bits;

  [[nodiscard]] bool has_skills() const noexcept { return !requirement_sets.empty(); }
  [[nodiscard]] bool qualified(uint32_t set, uint32_t agent) const noexcept {
    return (set_bits[set][agent / 64] >> (agent % 64)) & 1;
  }

  [[nodiscard]] uint32_t agents() const noexcept { return spec.agents; }
  [[nodiscard]] uint32_t queues() const noexcept { return spec.queues; }
};

[[nodiscard]] Scenario make_scenario(const ScenarioSpec& spec);

// The skills shapes of the bench (issue 9): `agents` × 10 queues (two per channel), 500 skills,
// 256 requirement sets (about 25 per queue).
[[nodiscard]] inline ScenarioSpec skills_spec(uint32_t agents) {
  return ScenarioSpec{.agents = agents, .queues = 10, .skills = 500, .requirement_sets = 256};
}

// Mean items an agent holds when full, over the mix: sizes weighed by arrival share.
[[nodiscard]] double mean_item_units() noexcept;

}  // namespace omni::bench
