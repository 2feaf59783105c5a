// Validation of the host's Config. Every refusal names the field path and says why, so a
// misconfigured deployment fails at load, never on the hot path.
#include <cmath>
#include <algorithm>
#include <sstream>
#include <unordered_set>

#include "resolved_config.h"

namespace omni::internal {
namespace {

using Names = std::unordered_map<std::string, uint32_t>;

// libstdc++ 12 has no <format>: a "{}"-substituting formatter for these few messages.
template <class... Args>
std::string format(std::string_view pattern, const Args&... args) {
  std::ostringstream out;
  auto put = [&](const auto& arg) {
    const size_t at = pattern.find("{}");
    out << pattern.substr(0, at) << arg;
    pattern.remove_prefix(at == std::string_view::npos ? pattern.size() : at + 2);
  };
  (put(args), ...);
  out << pattern;
  return out.str();
}
using Error = std::unexpected<ConfigError>;

std::string at(std::string_view list, size_t i) { return format("{}[{}]", list, i); }

Error fail(std::string field, std::string reason) {
  return std::unexpected(ConfigError{std::move(field), std::move(reason)});
}

// Collects the names of a list, refusing empty and duplicate ones.
template <class T>
std::expected<Names, ConfigError> index_names(const std::vector<T>& list, std::string_view what) {
  Names names;
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i].name.empty()) return fail(at(what, i) + ".name", "must not be empty");
    if (!names.emplace(list[i].name, static_cast<uint32_t>(i)).second)
      return fail(at(what, i) + ".name", format("duplicate name \"{}\"", list[i].name));
  }
  return names;
}

std::expected<uint32_t, ConfigError> lookup(const Names& names, const std::string& name,
                                            std::string field, std::string_view what) {
  auto it = names.find(name);
  if (it == names.end())
    return fail(std::move(field), name.empty() ? format("must name a {}", what)
                                               : format("unknown {} \"{}\"", what, name));
  return it->second;
}

std::expected<int32_t, ConfigError> to_milli(double v, std::string field, double max) {
  if (!std::isfinite(v) || v < 0) return fail(std::move(field), "must be a finite number >= 0");
  if (v > max) return fail(std::move(field), format("must be at most {}", max));
  return static_cast<int32_t>(std::llround(v * kMilli));
}

// A reference from an entry that is not removed: the entry it names must not be removed either.
template <class T>
std::expected<uint32_t, ConfigError> lookup_live(const Names& names, const std::vector<T>& list, const std::string& name,
                                                 std::string field, std::string_view what, bool from_removed = false) {
  auto id = lookup(names, name, field, what);
  if (id && !from_removed && list[*id].removed)
    return fail(std::move(field), format("{} \"{}\" is removed", what, name));
  return id;
}

#define OMNI_TRY(var, expr)          \
  auto var##_r = (expr);             \
  if (!var##_r) return Error(var##_r.error()); \
  auto var = *var##_r

}  // namespace

std::expected<ResolvedConfig, ConfigError> resolve(const Config& c) {
  ResolvedConfig r;
  r.source = std::make_shared<const Config>(c);
  const Limits& lim = c.limits;
  if (lim.max_items < 1 || lim.max_items > (1u << 24))
    return fail("limits.max_items", "must be between 1 and 16777216");
  if (lim.max_customers < 1 || lim.max_customers > (1u << 24))
    return fail("limits.max_customers", "must be between 1 and 16777216");
  if (lim.event_capacity < 2 || lim.event_capacity > (1u << 26))
    return fail("limits.event_capacity", "must be between 2 and 67108864");
  if (lim.timer_resolution.count() <= 0) return fail("limits.timer_resolution", "must be > 0");
  if (lim.max_preferred_waiting > 4096) return fail("limits.max_preferred_waiting", "must be at most 4096");
  if (lim.remembered_customers > (1u << 24)) return fail("limits.remembered_customers", "must be at most 16777216");
  if (lim.max_queues > kMaxQueues) return fail("limits.max_queues", "must be at most 1048575");
  if (lim.max_queues != 0 && lim.max_queues < c.queues.size())
    return fail("limits.max_queues", format("must be 0 or at least the {} queues configured", c.queues.size()));
  if (lim.max_requirement_sets > kMaxRequirementSets)
    return fail("limits.max_requirement_sets", "must be at most 4096");

  // Skills (seed 002): names → dense ids.
  Names skill_names;
  if (c.skills.size() > kMaxSkills) return fail("skills", "at most 4096 skills");
  for (size_t i = 0; i < c.skills.size(); ++i) {
    if (c.skills[i].empty()) return fail(at("skills", i), "must not be empty");
    if (!skill_names.emplace(c.skills[i], static_cast<uint32_t>(i)).second)
      return fail(at("skills", i), format("duplicate skill \"{}\"", c.skills[i]));
  }
  r.skills = c.skills;
  r.skill_removed.assign(c.skills.size(), false);
  for (size_t i = 0; i < c.removed_skills.size(); ++i) {
    auto id = lookup(skill_names, c.removed_skills[i], at("removed_skills", i), "skill");
    if (!id) return Error(id.error());
    r.skill_removed[*id] = true;
  }
  // A list of skill levels (a profile's or an agent's) into `levels` (one byte per skill).
  auto read_levels = [&](const std::vector<SkillLevelConfig>& list, const std::string& base,
                         std::vector<uint8_t>& levels, bool from_removed) -> std::expected<void, ConfigError> {
    std::unordered_set<uint32_t> seen;
    for (size_t k = 0; k < list.size(); ++k) {
      const auto field = at(base + ".skills", k);
      auto id = lookup(skill_names, list[k].skill, field + ".skill", "skill");
      if (!id) return std::unexpected(id.error());
      if (!from_removed && r.skill_removed[*id])
        return std::unexpected(ConfigError{field + ".skill", format("skill \"{}\" is removed", list[k].skill)});
      if (!seen.insert(*id).second)
        return std::unexpected(ConfigError{field + ".skill", format("skill \"{}\" listed twice", list[k].skill)});
      if (list[k].level < 1 || list[k].level > 10)
        return std::unexpected(ConfigError{field + ".level", "must be between 1 and 10"});
      levels[*id] = static_cast<uint8_t>(list[k].level);
    }
    return {};
  };

  if (c.queues.size() > kMaxQueues) return fail("queues", "at most 1048575 queues");
  if (c.channels.empty()) return fail("channels", "at least one service channel is required");
  if (c.channels.size() > 64) return fail("channels", "at most 64 service channels");
  OMNI_TRY(channel_names, index_names(c.channels, "channels"));
  for (size_t i = 0; i < c.channels.size(); ++i) {
    const auto& ch = c.channels[i];
    std::unordered_set<std::string> seen;
    for (size_t v = 0; v < ch.paused_values.size(); ++v) {
      const auto field = at(at("channels", i) + ".paused_values", v);
      if (ch.paused_values[v].empty()) return fail(field, "must not be empty");
      if (!seen.insert(ch.paused_values[v]).second)
        return fail(field, format("duplicate value \"{}\"", ch.paused_values[v]));
    }
    if (ch.paused_values.size() > kMaxPausedValues)
      return fail(at("channels", i) + ".paused_values", "at most 4096 values");
    r.channels.push_back({ch.interruptible, ch.paused_values});
  }

  OMNI_TRY(routing_names, index_names(c.routing_configs, "routing_configs"));
  for (size_t i = 0; i < c.routing_configs.size(); ++i) {
    const auto& rc = c.routing_configs[i];
    const auto base = at("routing_configs", i);
    if (rc.push_timeout.count() < 0) return fail(base + ".push_timeout", "must be >= 0");
    if (rc.push_timeout > kMaxTimer) return fail(base + ".push_timeout", "must be at most 1h");
    if (static_cast<uint8_t>(rc.model) > static_cast<uint8_t>(RoutingModel::round_robin))
      return fail(base + ".model", "unknown routing model");
    if (static_cast<uint8_t>(rc.tie_break) > static_cast<uint8_t>(TieBreak::most_skilled))
      return fail(base + ".tie_break", "must be listed_order, round_robin, longest_idle or most_skilled");
    TieBreak tie = rc.tie_break;
    if (rc.model == RoutingModel::longest_idle_agent) tie = TieBreak::longest_idle;
    if (rc.model == RoutingModel::round_robin) tie = TieBreak::round_robin;
    RoutingInfo info{rc.priority, rc.model, rc.push_timeout, rc.size_unit, 0, rc.skills_based, tie,
                     rc.transfer_keeps_arrival};
    if (rc.size_unit == SizeUnit::percent) {
      OMNI_TRY(pct, to_milli(rc.size, base + ".size", 100.0));
      info.size = pct;
    } else if (rc.size_unit == SizeUnit::units) {
      OMNI_TRY(units, to_milli(rc.size, base + ".size", 4000.0));
      info.size = units;
    } else {
      return fail(base + ".size_unit", "must be units or percent");
    }
    if (info.size <= 0) return fail(base + ".size", "must be > 0");
    r.routings.push_back(info);
  }

  OMNI_TRY(status_names, index_names(c.statuses, "statuses"));
  if (std::none_of(c.statuses.begin(), c.statuses.end(), [](const auto& st) { return !st.removed; }))
    return fail("statuses", "at least one presence status is required");
  if (c.statuses.size() > 511) return fail("statuses", "at most 511 presence statuses");
  for (size_t i = 0; i < c.statuses.size(); ++i) {
    const auto& st = c.statuses[i];
    const auto base = at("statuses", i);
    StatusInfo info{st.kind, 0};
    if (st.kind == PresenceKind::online) {
      if (st.channels.empty()) return fail(base + ".channels", "an online status needs at least one channel");
      for (size_t k = 0; k < st.channels.size(); ++k) {
        OMNI_TRY(ch, lookup(channel_names, st.channels[k], at(base + ".channels", k), "channel"));
        info.channels |= uint64_t{1} << ch;
      }
    } else if (!st.channels.empty()) {
      return fail(base + ".channels", "only an online status routes channels");
    }
    if (st.kind == PresenceKind::pause && st.pause_cause.empty())
      return fail(base + ".pause_cause", "a pause status needs a cause");
    if (st.kind != PresenceKind::pause && !st.pause_cause.empty())
      return fail(base + ".pause_cause", "only a pause status has a cause");
    r.statuses.push_back(info);
  }

  // Services: a queue's service, or the queue's own name.
  OMNI_TRY(queue_names, index_names(c.queues, "queues"));
  for (size_t i = 0; i < c.queues.size(); ++i) {
    const auto& q = c.queues[i];
    const auto base = at("queues", i);
    OMNI_TRY(ch, lookup(channel_names, q.channel, base + ".channel", "channel"));
    OMNI_TRY(rt, lookup_live(routing_names, c.routing_configs, q.routing, base + ".routing", "routing config", q.removed));
    if (q.max_waiting < 1 || q.max_waiting > (1u << 22))
      return fail(base + ".max_waiting", "must be between 1 and 4194304");
    const std::string& service = q.service.empty() ? q.name : q.service;
    auto [it, added] = r.service_by_name.emplace(service, static_cast<uint32_t>(r.services.size()));
    if (added) r.services.push_back(service);
    if (q.max_wait.count() < 0) return fail(base + ".max_wait", "must be >= 0");
    if (q.overflow_after.count() < 0) return fail(base + ".overflow_after", "must be >= 0");
    r.queues.push_back({static_cast<uint16_t>(ch), static_cast<uint16_t>(rt),
                        static_cast<uint16_t>(it->second), q.max_waiting, {}, q.overflow_after, 0, q.max_wait, {}, false});
  }
  // Overflow targets: named, not the queue itself, and no chain that comes back.
  for (size_t i = 0; i < c.queues.size(); ++i) {
    const auto& q = c.queues[i];
    const auto base = at("queues", i);
    if (q.overflow_after.count() == 0) {
      if (!q.overflow_to.empty()) return fail(base + ".overflow_to", "set, but overflow_after is 0");
      continue;
    }
    if (q.overflow_to.empty()) return fail(base + ".overflow_to", "overflow_after is set: name the queue to move to");
    OMNI_TRY(to, lookup_live(queue_names, c.queues, q.overflow_to, base + ".overflow_to", "queue", q.removed));
    if (to == i) return fail(base + ".overflow_to", "a queue cannot overflow into itself");
    r.queues[i].overflow_to = to;
  }
  for (size_t i = 0; i < c.queues.size(); ++i) {
    size_t q = i, steps = 0;
    while (r.queues[q].overflow_after.count() > 0) {
      q = r.queues[q].overflow_to;
      if (++steps > c.queues.size())
        return fail(at("queues", i) + ".overflow_to", "the overflow chain from here comes back to a queue it left");
    }
  }
  if (r.services.size() > UINT16_MAX) return fail("queues", "too many services");

  OMNI_TRY(profile_names, index_names(c.profiles, "profiles"));
  OMNI_TRY(presence_names, index_names(c.presence_configs, "presence_configs"));
  for (size_t i = 0; i < c.presence_configs.size(); ++i) {
    const auto& p = c.presence_configs[i];
    const auto base = at("presence_configs", i);
    PresenceInfo info;
    OMNI_TRY(cap, to_milli(p.capacity, base + ".capacity", 4000.0));
    if (cap <= 0) return fail(base + ".capacity", "must be > 0");
    OMNI_TRY(icap, to_milli(p.interruptible_capacity, base + ".interruptible_capacity", 64.0));
    info.capacity = cap;
    info.interruptible_capacity = icap;
    info.counter_of.assign(c.channels.size(), -1);
    if (p.channel_limits.size() > 2)
      return fail(base + ".channel_limits", "at most 2 limited channels per presence configuration");
    for (size_t k = 0; k < p.channel_limits.size(); ++k) {
      const auto field = at(base + ".channel_limits", k);
      OMNI_TRY(ch, lookup(channel_names, p.channel_limits[k].channel, field + ".channel", "channel"));
      if (info.counter_of[ch] >= 0)
        return fail(field + ".channel", format("channel \"{}\" limited twice", p.channel_limits[k].channel));
      if (p.channel_limits[k].max < 1 || p.channel_limits[k].max > 15)
        return fail(field + ".max", "must be between 1 and 15");
      info.counter_of[ch] = static_cast<int8_t>(k);
      info.channel_limit[k] = p.channel_limits[k].max;
    }
    info.auto_accept = p.auto_accept;
    info.allow_decline = p.allow_decline;
    if (p.auto_accept && p.allow_decline)
      return fail(base + ".allow_decline", "cannot be true when auto_accept is on (auto-accepted work cannot be declined)");
    if (!p.status_on_decline.empty()) {
      if (!p.allow_decline) return fail(base + ".status_on_decline", "set, but declining is not allowed");
      OMNI_TRY(s, lookup_live(status_names, c.statuses, p.status_on_decline, base + ".status_on_decline", "status", p.removed));
      info.status_on_decline = static_cast<int32_t>(s);
    }
    if (p.decline_reasons_required && p.decline_reasons.empty())
      return fail(base + ".decline_reasons", "reasons are required but none is listed");
    if (!p.decline_reasons.empty() && !p.allow_decline)
      return fail(base + ".decline_reasons", "listed, but declining is not allowed");
    std::unordered_set<std::string> seen;
    for (size_t k = 0; k < p.decline_reasons.size(); ++k) {
      if (p.decline_reasons[k].empty()) return fail(at(base + ".decline_reasons", k), "must not be empty");
      if (!seen.insert(p.decline_reasons[k]).second)
        return fail(at(base + ".decline_reasons", k), format("duplicate reason \"{}\"", p.decline_reasons[k]));
    }
    info.reasons_required = p.decline_reasons_required;
    info.reasons = p.decline_reasons;
    if (!p.status_on_push_timeout.empty()) {
      OMNI_TRY(s, lookup_live(status_names, c.statuses, p.status_on_push_timeout, base + ".status_on_push_timeout", "status", p.removed));
      info.status_on_push_timeout = static_cast<int32_t>(s);
    }
    if (p.missed_delay.count() < 0) return fail(base + ".missed_delay", "must be >= 0");
    if (p.missed_delay > kMaxTimer) return fail(base + ".missed_delay", "must be at most 1h");
    if (p.wrap_up.count() < 0) return fail(base + ".wrap_up", "must be >= 0");
    if (p.wrap_up > kMaxTimer) return fail(base + ".wrap_up", "must be at most 1h");
    info.missed_delay = p.missed_delay;
    info.wrap_up = p.wrap_up;
    if (p.resume_rule != ResumeRule::allow_over_capacity && p.resume_rule != ResumeRule::refuse)
      return fail(base + ".resume_rule", "must be allow_over_capacity or refuse");
    info.resume_rule = p.resume_rule;
    const auto& td = p.transfer_destinations;
    info.transfer_anywhere = td.empty();
    info.transfer_queues.assign(c.queues.size(), false);
    info.transfer_profiles.assign(c.profiles.size(), false);
    for (size_t k = 0; k < td.queues.size(); ++k) {
      OMNI_TRY(q, lookup_live(queue_names, c.queues, td.queues[k], at(base + ".transfer_destinations.queues", k), "queue", p.removed));
      info.transfer_queues[q] = true;
    }
    for (size_t k = 0; k < td.profiles.size(); ++k) {
      OMNI_TRY(pr, lookup_live(profile_names, c.profiles, td.profiles[k], at(base + ".transfer_destinations.profiles", k), "profile", p.removed));
      info.transfer_profiles[pr] = true;
    }
    for (size_t k = 0; k < td.flows.size(); ++k) {
      if (td.flows[k].empty()) return fail(at(base + ".transfer_destinations.flows", k), "must not be empty");
      auto [it, added] = r.flow_by_name.emplace(td.flows[k], static_cast<uint32_t>(r.flows.size()));
      if (added) r.flows.push_back(td.flows[k]);
      if (info.transfer_flows.size() <= it->second) info.transfer_flows.resize(it->second + 1, false);
      info.transfer_flows[it->second] = true;
    }
    r.presences.push_back(std::move(info));
  }
  for (auto& p : r.presences) p.transfer_flows.resize(r.flows.size(), false);

  std::vector<uint32_t> profile_presence;
  std::vector<std::vector<uint8_t>> profile_levels;
  for (size_t i = 0; i < c.profiles.size(); ++i) {
    OMNI_TRY(p, lookup_live(presence_names, c.presence_configs, c.profiles[i].presence_config,
                            at("profiles", i) + ".presence_config", "presence config", c.profiles[i].removed));
    profile_presence.push_back(p);
    std::vector<uint8_t> levels(c.skills.size(), 0);
    if (auto ok = read_levels(c.profiles[i].skills, at("profiles", i), levels, c.profiles[i].removed); !ok)
      return Error(ok.error());
    profile_levels.push_back(std::move(levels));
  }

  OMNI_TRY(agent_names, index_names(c.agents, "agents"));
  if (c.agents.size() >= kMaxAgents) return fail("agents", "at most 2097150 agents");
  if (lim.max_agents >= kMaxAgents) return fail("limits.max_agents", "must be at most 2097150");
  if (lim.max_agents != 0 && lim.max_agents < c.agents.size())
    return fail("limits.max_agents", format("must be 0 or at least the {} agents configured", c.agents.size()));
  uint16_t default_status = UINT16_MAX;
  for (size_t s = 0; s < c.statuses.size(); ++s)
    if (c.statuses[s].kind == PresenceKind::offline && !c.statuses[s].removed) { default_status = static_cast<uint16_t>(s); break; }
  for (size_t i = 0; i < c.agents.size(); ++i) {
    const auto& a = c.agents[i];
    const auto base = at("agents", i);
    AgentInfo info;
    if (!a.profile.empty()) {
      OMNI_TRY(pr, lookup_live(profile_names, c.profiles, a.profile, base + ".profile", "profile", a.removed));
      info.profile = static_cast<int32_t>(pr);
      info.presence = profile_presence[pr];
    }
    if (!a.presence_config.empty()) {  // user-level assignment wins over the profile's
      OMNI_TRY(p, lookup_live(presence_names, c.presence_configs, a.presence_config, base + ".presence_config",
                              "presence config", a.removed));
      info.presence = p;
    } else if (a.profile.empty()) {
      return fail(base + ".presence_config", "no presence configuration: set one, or a profile that has one");
    }
    if (a.status.empty()) {
      if (default_status == UINT16_MAX)
        return fail(base + ".status", "no initial status and no offline status to default to");
      info.initial_status = default_status;
    } else {
      OMNI_TRY(s, lookup_live(status_names, c.statuses, a.status, base + ".status", "status", a.removed));
      info.initial_status = static_cast<uint16_t>(s);
    }
    if (a.queues.size() > kMaxMemberships) return fail(base + ".queues", "an agent serves at most 4096 queues");
    std::unordered_set<uint32_t> seen;
    for (size_t k = 0; k < a.queues.size(); ++k) {
      OMNI_TRY(q, lookup_live(queue_names, c.queues, a.queues[k], at(base + ".queues", k), "queue", a.removed));
      if (!seen.insert(q).second)
        return fail(at(base + ".queues", k), format("queue \"{}\" listed twice", a.queues[k]));
      if (a.removed) continue;  // a removed agent serves nothing
      auto& members = r.queues[q].members;
      info.memberships.push_back({q, static_cast<uint32_t>(members.size()), r.routings[r.queues[q].routing].priority});
      members.push_back(static_cast<uint32_t>(i));
    }
    info.skill_levels.assign(c.skills.size(), 0);
    if (info.profile >= 0) info.skill_levels = profile_levels[info.profile];
    if (auto ok = read_levels(a.skills, base, info.skill_levels, a.removed); !ok) return Error(ok.error());
    if (a.removed) info.skill_levels.assign(c.skills.size(), 0);  // ... and qualifies for no skill class
    std::sort(info.memberships.begin(), info.memberships.end(), [](const auto& x, const auto& y) {
      return x.priority != y.priority ? x.priority < y.priority : x.set < y.set;
    });
    r.agents.push_back(std::move(info));
  }

  for (auto& q : r.queues) {
    q.serves.assign(r.agents.size(), false);
    for (uint32_t a : q.members) q.serves[a] = true;
  }
  // Tombstones keep their ids, but their names are not found any more (Kernel::find_*).
  auto forget_removed = [](Names& names, const auto& list) {
    for (const auto& e : list)
      if (e.removed) names.erase(e.name);
  };
  forget_removed(queue_names, c.queues);
  forget_removed(agent_names, c.agents);
  forget_removed(status_names, c.statuses);
  for (const std::string& s : c.removed_skills) skill_names.erase(s);
  for (size_t i = 0; i < c.queues.size(); ++i) r.queues[i].removed = c.queues[i].removed;
  for (size_t i = 0; i < c.agents.size(); ++i) r.agents[i].removed = c.agents[i].removed;
  for (size_t i = 0; i < c.statuses.size(); ++i) r.statuses[i].removed = c.statuses[i].removed;
  r.skill_by_name = std::move(skill_names);
  r.queue_by_name = std::move(queue_names);
  r.agent_by_name = std::move(agent_names);
  r.status_by_name = std::move(status_names);
  r.channel_by_name = std::move(channel_names);
  return r;
}

}  // namespace omni::internal
