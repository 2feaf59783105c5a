// Names must be unique per section, and every name a section refers to must be defined.
#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "config_internal.h"
#include "omnikernel/config/loader.h"

namespace omni::config::internal {
namespace {

using Names = std::unordered_set<std::string>;

std::string indexed(std::string_view section, size_t i) {
  return std::string(section) + "[" + std::to_string(i) + "]";
}

template <class Item>
Names unique_names(const std::vector<Item>& items, std::string_view section,
                   const std::vector<std::string>& paths = {}) {
  Names names;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string path = i < paths.size() ? paths[i] : indexed(section, i);
    if (items[i].name.empty()) fail(path + ".name", "must not be empty");
    if (!names.insert(items[i].name).second) {
      fail(path + ".name", "duplicate name \"" + items[i].name + "\" in " + std::string(section));
    }
  }
  return names;
}

void expect_defined(const Names& names, const std::string& name, const std::string& path,
                    std::string_view what) {
  if (names.contains(name)) return;
  std::string reason = "unknown " + std::string(what) + " \"" + name + "\"";
  if (auto guess = did_you_mean(name, std::vector<std::string>(names.begin(), names.end()))) {
    reason += " (did you mean \"" + *guess + "\"?)";
  }
  fail(path, reason);
}

void expect_unique_values(const std::vector<std::string>& values, const std::string& path) {
  Names seen;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!seen.insert(values[i]).second) {
      fail(path + "[" + std::to_string(i) + "]", "duplicate value \"" + values[i] + "\"");
    }
  }
}

// A profile's or an agent's skills: each a defined skill, listed once.
void check_skill_levels(const std::vector<SkillLevelConfig>& levels, const Names& skills,
                        const std::string& path) {
  Names seen;
  for (size_t k = 0; k < levels.size(); ++k) {
    const std::string skill_path = path + ".skills[" + std::to_string(k) + "]";
    expect_defined(skills, levels[k].skill, skill_path + ".skill", "skill");
    if (!seen.insert(levels[k].skill).second) {
      fail(skill_path + ".skill", "skill \"" + levels[k].skill + "\" listed twice");
    }
    if (levels[k].level < 1 || levels[k].level > 10) fail(skill_path + ".level", "must be between 1 and 10");
  }
}

// Overflow (issue 9, item 5), in Kernel::create's words: overflow_to goes with overflow_after,
// names another queue, and no chain of overflows comes back to a queue it left.
void check_overflow(const std::vector<QueueConfig>& queues, const Names& names) {
  for (size_t i = 0; i < queues.size(); ++i) {
    const QueueConfig& q = queues[i];
    const std::string path = indexed("queues", i) + ".overflow_to";
    if (q.overflow_after == Duration::zero()) {
      if (!q.overflow_to.empty()) fail(path, "set, but overflow_after is 0");
      continue;
    }
    if (q.overflow_to.empty()) fail(path, "overflow_after is set: name the queue to move to");
    expect_defined(names, q.overflow_to, path, "queue");
    if (q.overflow_to == q.name) fail(path, "a queue cannot overflow into itself");
  }
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < queues.size(); ++i) index.emplace(queues[i].name, i);
  for (size_t i = 0; i < queues.size(); ++i) {
    size_t q = i, steps = 0;
    while (queues[q].overflow_after > Duration::zero()) {
      q = index.at(queues[q].overflow_to);
      if (++steps > queues.size()) {
        fail(indexed("queues", i) + ".overflow_to", "the overflow chain from here comes back to a queue it left");
      }
    }
  }
}

}  // namespace

void check_references(const Config& c, const SourcePaths& paths) {
  // Skills (seed 002): non-empty, unique, at most the kernel's 4096.
  if (c.skills.size() > 4096) fail("skills", "at most 4096 skills");
  Names skills;
  for (size_t i = 0; i < c.skills.size(); ++i) {
    if (c.skills[i].empty()) fail(indexed("skills", i), "must not be empty");
    if (!skills.insert(c.skills[i]).second) {
      fail(indexed("skills", i), "duplicate skill \"" + c.skills[i] + "\"");
    }
  }
  const Names channels = unique_names(c.channels, "channels");
  const Names routings = unique_names(c.routing_configs, "routing_configs", paths.routing_configs);
  const Names queues = unique_names(c.queues, "queues");
  const Names presence_configs = unique_names(c.presence_configs, "presence_configs");
  const Names statuses = unique_names(c.statuses, "statuses");
  const Names profiles = unique_names(c.profiles, "profiles");
  unique_names(c.agents, "agents", paths.agents);

  for (size_t i = 0; i < c.channels.size(); ++i) {
    expect_unique_values(c.channels[i].paused_values, indexed("channels", i) + ".paused_values");
  }
  for (size_t i = 0; i < c.queues.size(); ++i) {
    const std::string path = indexed("queues", i);
    expect_defined(channels, c.queues[i].channel, path + ".channel", "service channel");
    expect_defined(routings, c.queues[i].routing, path + ".routing", "routing config");
    if (c.queues[i].max_wait < Duration::zero()) fail(path + ".max_wait", "must be >= 0");
    if (c.queues[i].overflow_after < Duration::zero()) fail(path + ".overflow_after", "must be >= 0");
  }
  check_overflow(c.queues, queues);
  for (size_t i = 0; i < c.presence_configs.size(); ++i) {
    const PresenceConfigConfig& p = c.presence_configs[i];
    const std::string path = indexed("presence_configs", i);
    if (!p.status_on_decline.empty()) {
      expect_defined(statuses, p.status_on_decline, path + ".status_on_decline", "status");
    }
    if (!p.status_on_push_timeout.empty()) {
      expect_defined(statuses, p.status_on_push_timeout, path + ".status_on_push_timeout", "status");
    }
    expect_unique_values(p.decline_reasons, path + ".decline_reasons");
    for (size_t j = 0; j < p.transfer_destinations.queues.size(); ++j) {
      expect_defined(queues, p.transfer_destinations.queues[j],
                     path + ".transfer_destinations.queues[" + std::to_string(j) + "]", "queue");
    }
    for (size_t j = 0; j < p.transfer_destinations.profiles.size(); ++j) {
      expect_defined(profiles, p.transfer_destinations.profiles[j],
                     path + ".transfer_destinations.profiles[" + std::to_string(j) + "]", "profile");
    }
    if (p.channel_limits.size() > 2)
      fail(path + ".channel_limits", "at most 2 limited channels per presence configuration");
    for (size_t j = 0; j < p.channel_limits.size(); ++j) {
      const std::string limit_path = path + ".channel_limits[" + std::to_string(j) + "].channel";
      expect_defined(channels, p.channel_limits[j].channel, limit_path, "channel");
      for (size_t k = 0; k < j; ++k)
        if (p.channel_limits[k].channel == p.channel_limits[j].channel)
          fail(limit_path, "channel \"" + p.channel_limits[j].channel + "\" limited twice");
    }
  }
  for (size_t i = 0; i < c.statuses.size(); ++i) {
    for (size_t j = 0; j < c.statuses[i].channels.size(); ++j) {
      expect_defined(channels, c.statuses[i].channels[j],
                     indexed("statuses", i) + ".channels[" + std::to_string(j) + "]",
                     "service channel");
    }
  }
  for (size_t i = 0; i < c.profiles.size(); ++i) {
    expect_defined(presence_configs, c.profiles[i].presence_config,
                   indexed("profiles", i) + ".presence_config", "presence config");
    check_skill_levels(c.profiles[i].skills, skills, indexed("profiles", i));
  }
  for (size_t i = 0; i < c.agents.size(); ++i) {
    const AgentConfig& a = c.agents[i];
    const std::string path = i < paths.agents.size() ? paths.agents[i] : indexed("agents", i);
    if (a.profile.empty() && a.presence_config.empty()) {
      fail(path + ".profile", "missing: an agent needs a profile or a presence_config");
    }
    if (!a.profile.empty()) expect_defined(profiles, a.profile, path + ".profile", "profile");
    if (!a.presence_config.empty()) {
      expect_defined(presence_configs, a.presence_config, path + ".presence_config",
                     "presence config");
    }
    for (size_t j = 0; j < a.queues.size(); ++j) {
      const std::string queue_path = path + ".queues[" + std::to_string(j) + "]";
      expect_defined(queues, a.queues[j], queue_path, "queue");
      if (std::find(a.queues.begin(), a.queues.begin() + static_cast<std::ptrdiff_t>(j), a.queues[j]) !=
          a.queues.begin() + static_cast<std::ptrdiff_t>(j)) {
        fail(queue_path, "queue \"" + a.queues[j] + "\" listed twice");
      }
    }
    if (!a.status.empty()) expect_defined(statuses, a.status, path + ".status", "status");
    check_skill_levels(a.skills, skills, path);
  }
}

}  // namespace omni::config::internal
