// The rules of a live change. Ids the running kernel has handed out (queue, agent, status,
// channel, skill, service, flow, paused value) are baked into item words, agent words, lane sets
// and the host's own tables, so every list keeps its existing entries in place: new entries may
// be appended up to the preallocated room, values may change freely, and an entry is removed by
// becoming a tombstone in its place (live_successor). What is refused here is what the kernel's
// preallocated structures cannot follow (named in the reason); what a removal needs of the
// running state (nothing waiting in a queue, nothing held by an agent) the kernel checks itself.
#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "live_change.h"

namespace omni::internal {
namespace {

ConfigError refuse(std::string field, std::string reason) { return {std::move(field), std::move(reason)}; }

std::string at(const char* list, size_t i) { return std::string(list) + "[" + std::to_string(i) + "]"; }

// `next` keeps `now`'s entries, in order, and may append (up to `max` entries in all).
template <class T, class Name>
std::optional<ConfigError> kept_in_place(const std::vector<T>& now, const std::vector<T>& next, const char* list,
                                         bool may_append, Name name) {
  for (size_t i = 0; i < now.size(); ++i) {
    if (i >= next.size())
      return refuse(at(list, i), "\"" + name(now[i]) + "\" is missing: entries cannot be removed live");
    if (name(next[i]) != name(now[i]))
      return refuse(at(list, i), "is \"" + name(next[i]) + "\" where \"" + name(now[i]) +
                                     "\" was: entries keep their place in a live change (append new ones)");
    if constexpr (requires { now[i].removed; }) {
      if (now[i].removed && !next[i].removed)
        return refuse(at(list, i) + ".removed", "\"" + name(now[i]) + "\" was removed: a removed entry does not come "
                                                "back (its id stays retired); add it under a new name");
    }
  }
  if (!may_append && next.size() > now.size())
    return refuse(at(list, now.size()), "cannot be added live: the kernel preallocates one per entry at create");
  return std::nullopt;
}

const std::string& name_of(const std::string& s) { return s; }
template <class T>
const std::string& name_of(const T& t) { return t.name; }
auto by_name = [](const auto& x) -> const std::string& { return name_of(x); };

std::optional<ConfigError> check_limits(const Limits& now, const Limits& next) {
  auto same = [](const char* field, auto a, auto b) -> std::optional<ConfigError> {
    if (a == b) return std::nullopt;
    return refuse(std::string("limits.") + field, "is preallocated at create: it cannot change live");
  };
  if (auto e = same("max_items", now.max_items, next.max_items)) return e;
  if (auto e = same("max_customers", now.max_customers, next.max_customers)) return e;
  if (auto e = same("event_capacity", now.event_capacity, next.event_capacity)) return e;
  if (auto e = same("timer_resolution", now.timer_resolution, next.timer_resolution)) return e;
  if (auto e = same("max_requirement_sets", now.max_requirement_sets, next.max_requirement_sets)) return e;
  if (auto e = same("max_preferred_waiting", now.max_preferred_waiting, next.max_preferred_waiting)) return e;
  if (auto e = same("max_agents", now.max_agents, next.max_agents)) return e;
  if (auto e = same("max_queues", now.max_queues, next.max_queues)) return e;
  return same("remembered_customers", now.remembered_customers, next.remembered_customers);
}

}  // namespace

std::optional<ConfigError> check_live_change(const ResolvedConfig& now, const ResolvedConfig& next,
                                             const LiveBounds& bounds) {
  const Config& a = *now.source;
  const Config& b = *next.source;
  if (auto e = check_limits(a.limits, b.limits)) return e;
  if (auto e = kept_in_place(a.skills, b.skills, "skills", true, by_name)) return e;
  for (const std::string& s : a.removed_skills)
    if (std::find(b.removed_skills.begin(), b.removed_skills.end(), s) == b.removed_skills.end())
      return refuse("removed_skills", "\"" + s + "\" was removed: a removed skill does not come back (its id stays "
                                      "retired); add it under a new name");
  if (auto e = kept_in_place(a.channels, b.channels, "channels", false, by_name)) return e;
  for (size_t c = 0; c < a.channels.size(); ++c)
    if (auto e = kept_in_place(a.channels[c].paused_values, b.channels[c].paused_values,
                               (at("channels", c) + ".paused_values").c_str(), true, by_name))
      return e;
  if (auto e = kept_in_place(a.routing_configs, b.routing_configs, "routing_configs", true, by_name)) return e;
  if (auto e = kept_in_place(a.presence_configs, b.presence_configs, "presence_configs", true, by_name)) return e;
  if (auto e = kept_in_place(a.statuses, b.statuses, "statuses", true, by_name)) return e;
  if (auto e = kept_in_place(a.profiles, b.profiles, "profiles", true, by_name)) return e;
  if (auto e = kept_in_place(a.queues, b.queues, "queues", true, by_name)) return e;
  if (auto e = kept_in_place(a.agents, b.agents, "agents", true, by_name)) return e;
  if (auto e = kept_in_place(now.services, next.services, "queues[].service", true, by_name)) return e;
  if (auto e = kept_in_place(now.flows, next.flows, "transfer flows", true, by_name)) return e;

  if (next.queues.size() > bounds.max_queues)
    return refuse(at("queues", bounds.max_queues), "one queue more than the queue room (" +
                                                       std::to_string(bounds.max_queues) +
                                                       ": limits.max_queues, or the queues at create) allows: the kernel preallocates room for its queues at create");
  for (size_t q = 0; q < now.queues.size(); ++q) {
    const QueueInfo& x = now.queues[q];
    const QueueInfo& y = next.queues[q];
    const std::string field = at("queues", q);
    // Items and customer sessions carry the queue's channel and service.
    if (y.channel != x.channel) return refuse(field + ".channel", "cannot change live: waiting and active items are on it");
    if (y.service != x.service) return refuse(field + ".service", "cannot change live: customer sessions are counted in it");
    // Skill classes were built for the routing's reach (members only, or anyone qualified).
    if (next.routings[y.routing].skills_based != now.routings[x.routing].skills_based)
      return refuse(field + ".routing", "cannot switch between skills-based and member routing live: the "
                                        "queue's skill classes were built for one of them");
    if (y.max_waiting > bounds.lane_room[q])
      return refuse(field + ".max_waiting", "may be raised live up to " + std::to_string(bounds.lane_room[q]) +
                                                " (the room its lanes were created with), not to " +
                                                std::to_string(y.max_waiting));
  }
  for (size_t r = 0; r < now.routings.size(); ++r)
    if (next.routings[r].skills_based != now.routings[r].skills_based)
      return refuse(at("routing_configs", r) + ".skills_based",
                    "cannot change live: its queues' skill classes were built for the other reach");
  if (next.agents.size() > bounds.max_agents)
    return refuse(at("agents", bounds.max_agents), "one agent more than limits.max_agents (" +
                                                       std::to_string(bounds.max_agents) +
                                                       ") allows: the kernel preallocates its agents at create");
  return std::nullopt;
}

}  // namespace omni::internal

namespace omni {
namespace {

// `next`'s entries in `now`'s places, `now`'s entries that `next` leaves out as tombstones, and
// `next`'s new entries after them. A list with a duplicate name is `next`'s as written, so that
// validation names the duplicate instead of the merge hiding it.
template <class T>
std::vector<T> successor_list(const std::vector<T>& now, const std::vector<T>& next) {
  std::unordered_map<std::string, const T*> by_name;
  for (const T& e : next)
    if (!by_name.emplace(e.name, &e).second) return next;
  std::vector<T> out;
  out.reserve(now.size() + next.size());
  for (const T& e : now) {
    auto it = by_name.find(e.name);
    if (it == by_name.end()) {
      out.push_back(e);
      out.back().removed = true;
    } else {
      out.push_back(*it->second);
      by_name.erase(it);
    }
  }
  for (const T& e : next)
    if (by_name.contains(e.name)) out.push_back(e);
  return out;
}

// Skills are names: matched like the other lists, their tombstones listed in removed_skills.
void successor_skills(const Config& now, const Config& next, Config& out) {
  std::unordered_set<std::string> given(next.skills.begin(), next.skills.end());
  if (given.size() != next.skills.size()) return;  // a duplicate: validation names it
  std::unordered_set<std::string> removed(now.removed_skills.begin(), now.removed_skills.end());
  removed.insert(next.removed_skills.begin(), next.removed_skills.end());
  out.skills = now.skills;
  for (const std::string& s : now.skills)
    if (!given.contains(s)) removed.insert(s);
  const std::unordered_set<std::string> known(now.skills.begin(), now.skills.end());
  for (const std::string& s : next.skills)
    if (!known.contains(s)) out.skills.push_back(s);
  out.removed_skills.clear();
  for (const std::string& s : out.skills)
    if (removed.contains(s)) out.removed_skills.push_back(s);
  // A name removed only now and given again: kept as given, so that the revival is refused.
  for (const std::string& s : now.removed_skills)
    if (given.contains(s) && !std::count(next.removed_skills.begin(), next.removed_skills.end(), s))
      std::erase(out.removed_skills, s);
}

}  // namespace

Config live_successor(const Config& in_force, const Config& next) {
  Config out = next;
  successor_skills(in_force, next, out);
  out.routing_configs = successor_list(in_force.routing_configs, next.routing_configs);
  out.queues = successor_list(in_force.queues, next.queues);
  out.presence_configs = successor_list(in_force.presence_configs, next.presence_configs);
  out.statuses = successor_list(in_force.statuses, next.statuses);
  out.profiles = successor_list(in_force.profiles, next.profiles);
  out.agents = successor_list(in_force.agents, next.agents);
  return out;
}

}  // namespace omni
