#include "workload/scenario.h"

#include <algorithm>
#include <bit>
#include <string>

namespace omni::bench {

double mean_item_units() noexcept {
  double units = 0;
  for (const auto& c : kChannelMix) units += c.share * c.size_units;
  return units;
}

static uint32_t queues_per_agent(const ScenarioSpec& spec) noexcept {
  return std::min<uint32_t>(spec.queues, 10);
}

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
  c.profiles.push_back({.name = "agents", .presence_config = "agent"});

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
  return s;
}

}  // namespace omni::bench
