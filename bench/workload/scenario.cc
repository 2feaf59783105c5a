#include "workload/scenario.h"

#include <algorithm>
#include <bit>
#include <string>

#include "workload/trace.h"

namespace omni::bench {

double mean_item_units() noexcept {
  double units = 0;
  for (const auto& c : kChannelMix) units += c.share * c.size_units;
  return units;
}

static uint32_t queues_per_agent(const ScenarioSpec& spec) noexcept {
  return std::min<uint32_t>(spec.queues, 10);
}

namespace {

// Skill ranks drawn with weight 1/(rank+1): a few skills (languages, say) are common, most rare.
class SkillDraw {
 public:
  explicit SkillDraw(uint32_t skills) : cdf_(skills) {
    double sum = 0;
    for (uint32_t k = 0; k < skills; ++k) cdf_[k] = sum += 1.0 / (k + 1);
    for (double& c : cdf_) c /= sum;
  }
  uint16_t operator()(Rng& rng) const {
    const double u = rng.uniform();
    const auto it = std::upper_bound(cdf_.begin(), cdf_.end(), u);
    return static_cast<uint16_t>(std::min<size_t>(it - cdf_.begin(), cdf_.size() - 1));
  }

 private:
  std::vector<double> cdf_;
};

bool holds(const std::vector<SkillNeed>& agent, const std::vector<SkillNeed>& needs) {
  for (const SkillNeed& n : needs) {
    bool ok = false;
    for (const SkillNeed& s : agent) ok |= s.skill == n.skill && s.level >= n.level;
    if (!ok) return false;
  }
  return true;
}

// Distinct skills, `count` of them, by SkillDraw.
template <class Level>
std::vector<SkillNeed> draw_skills(Rng& rng, const SkillDraw& draw, uint32_t count, Level level) {
  std::vector<SkillNeed> out;
  while (out.size() < count) {
    const uint16_t k = draw(rng);
    if (std::none_of(out.begin(), out.end(), [&](const SkillNeed& n) { return n.skill == k; })) {
      out.push_back(SkillNeed{k, level()});
    }
  }
  return out;
}

void add_skills(Scenario& s) {
  const ScenarioSpec& spec = s.spec;
  Config& c = s.config;
  const SkillDraw draw(spec.skills);
  for (uint32_t k = 0; k < spec.skills; ++k) c.skills.push_back("s" + std::to_string(k));
  for (auto& r : c.routing_configs) r.skills_based = true;

  Rng agents_rng(0x5c1115);  // agent a's skills do not depend on the agent count
  s.agent_skills.resize(spec.agents);
  for (uint32_t a = 0; a < spec.agents; ++a) {
    const uint32_t count = 5 + agents_rng.below(16);
    s.agent_skills[a] = draw_skills(agents_rng, draw, count, [&] {
      return static_cast<uint8_t>(1 + agents_rng.below(10));
    });
    for (const SkillNeed& n : s.agent_skills[a]) {
      c.agents[a].skills.push_back({.skill = c.skills[n.skill], .level = n.level});
    }
  }

  // The catalogue, judged on the first 1,000 agents: the same sets at every agent count.
  const uint32_t reference = std::min<uint32_t>(spec.agents, 1000);
  const uint32_t min_qualified = std::max<uint32_t>(1, reference / 50);
  Rng sets_rng(0x5e75);
  for (uint32_t i = 0; i < spec.requirement_sets; ++i) {
    const uint32_t count = 1 + sets_rng.below(4);
    for (;;) {
      auto needs = draw_skills(sets_rng, draw, count, [&] {
        return static_cast<uint8_t>(1 + sets_rng.below(5));
      });
      uint32_t qualified = 0;
      for (uint32_t a = 0; a < reference; ++a) qualified += holds(s.agent_skills[a], needs);
      if (qualified >= min_qualified) {
        s.requirement_sets.push_back({.queue = i % spec.queues, .needs = std::move(needs)});
        break;
      }
    }
  }
  const size_t words = (spec.agents + 63) / 64;
  for (const RequirementSpec& r : s.requirement_sets) {
    auto& list = s.set_agents.emplace_back();
    auto& bits = s.set_bits.emplace_back(words, 0);
    for (uint32_t a = 0; a < spec.agents; ++a) {
      if (!holds(s.agent_skills[a], r.needs)) continue;
      list.push_back(a);
      bits[a / 64] |= uint64_t{1} << (a % 64);
    }
  }
  c.limits.max_requirement_sets = std::bit_ceil(spec.requirement_sets);
}

}  // namespace

Scenario make_scenario(const ScenarioSpec& spec) {
  Scenario s;
  s.spec = spec;
  Config& c = s.config;

  std::vector<std::string> online_channels;
  for (const auto& mix : kChannelMix) {
    ServiceChannelConfig ch;
    ch.name = mix.name;
    if (mix.pausable) ch.paused_values = {"paused"};
    c.channels.push_back(ch);
    online_channels.emplace_back(mix.name);
    c.routing_configs.push_back(RoutingConfig{.name = std::string(mix.name) + "-routing",
                                              .priority = mix.priority,
                                              .model = mix.model,
                                              .push_timeout = spec.push_timeout,
                                              .size_unit = SizeUnit::units,
                                              .size = static_cast<double>(mix.size_units)});
  }
  PresenceConfigConfig presence;
  presence.name = "agent";
  presence.capacity = kAgentCapacityUnits;
  presence.auto_accept = spec.auto_accept;
  presence.allow_decline = !spec.auto_accept;
  presence.wrap_up = spec.wrap_up;
  c.presence_configs.push_back(presence);
  const auto status = [&](const char* name, PresenceKind kind) {
    PresenceStatusConfig st;
    st.name = name;
    st.kind = kind;
    if (kind == PresenceKind::online) st.channels = online_channels;
    c.statuses.push_back(st);
  };
  status("online", PresenceKind::online);
  status("busy", PresenceKind::busy);
  status("offline", PresenceKind::offline);
  c.profiles.push_back({.name = "agents", .presence_config = "agent", .skills = {}});

  s.queue_agents.resize(spec.queues);
  for (uint32_t q = 0; q < spec.queues; ++q) {
    const auto& mix = kChannelMix[q % kChannelMix.size()];
    QueueConfig queue;
    queue.name = "q" + std::to_string(q);
    queue.channel = mix.name;
    queue.routing = std::string(mix.name) + "-routing";
    queue.max_waiting = spec.max_waiting;
    c.queues.push_back(queue);
    s.queue_channel.push_back(static_cast<uint8_t>(q % kChannelMix.size()));
    s.queue_size_milli.push_back(mix.size_units * 1000);
    s.queue_priority.push_back(mix.priority);
    s.queue_model.push_back(mix.model);
  }
  const uint32_t per_agent = queues_per_agent(spec);
  s.agent_queues.resize(spec.agents);
  for (uint32_t a = 0; a < spec.agents; ++a) {
    AgentConfig agent;
    agent.name = "a" + std::to_string(a);
    agent.profile = "agents";
    agent.status = "online";
    for (uint32_t j = 0; j < per_agent; ++j) {
      const uint32_t q = static_cast<uint32_t>((uint64_t{a} * 10 + j) % spec.queues);
      agent.queues.push_back(c.queues[q].name);
      s.agent_queues[a].push_back(q);
      s.queue_agents[q].push_back(a);
    }
    c.agents.push_back(std::move(agent));
  }
  // Live items: every agent full of the smallest items, plus every queue full.
  const uint64_t live = uint64_t{spec.agents} * (kAgentCapacityUnits / 3) +
                        uint64_t{spec.queues} * std::bit_ceil(spec.max_waiting);
  s.max_items = static_cast<uint32_t>(std::bit_ceil(live));
  c.limits.max_items = s.max_items;
  // Every customer a trace can draw (see customer_pool in trace.h): the kernel keeps each
  // customer it has seen for its lifetime.
  c.limits.max_customers = std::max<uint32_t>(16384, 32 * spec.agents);
  c.limits.event_capacity = 1 << 16;
  if (spec.skills > 0 && spec.requirement_sets > 0) add_skills(s);
  return s;
}

}  // namespace omni::bench
