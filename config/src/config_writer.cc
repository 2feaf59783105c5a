// The inverse of config_reader.cc, key for key (docs/CONFIG.md). Agents are written one by one
// (no "count" groups), routing configurations by name (never inline), so that reading the text
// back yields the same vectors in the same order.
#include "omnikernel/config/writer.h"

#include <nlohmann/json.hpp>
#include <sstream>

namespace omni::config {
namespace {

using Json = nlohmann::ordered_json;

// Exact in the units the reader knows; whole seconds when they are whole.
std::string exact(Duration d) {
  const int64_t ns = d.count();
  if (ns % 1'000'000'000 == 0) return std::to_string(ns / 1'000'000'000) + "s";
  if (ns % 1'000'000 == 0) return std::to_string(ns / 1'000'000) + "ms";
  return std::to_string(ns) + "ns";
}

template <class E>
const char* choice(E value, std::initializer_list<const char*> names) {
  return names.begin()[static_cast<size_t>(value)];
}

Json skill_levels(const std::vector<SkillLevelConfig>& levels) {
  Json out = Json::array();
  for (const auto& l : levels) out.push_back({{"skill", l.skill}, {"level", l.level}});
  return out;
}

// A tombstone of a live change is written as such; live entries carry no "removed" key.
template <class Entry>
void mark_removed(Json& out, const Entry& e) {
  if (e.removed) out["removed"] = true;
}

Json routing(const RoutingConfig& r) {
  Json size = r.size;
  if (r.size_unit == SizeUnit::percent) {
    std::ostringstream text;
    text.precision(17);
    text << r.size << '%';
    size = text.str();
  }
  Json out = {{"name", r.name},
          {"priority", r.priority},
          {"model", choice(r.model, {"least_active", "most_available", "longest_idle_agent", "round_robin"})},
          {"push_timeout", exact(r.push_timeout)},
          {"size", size},
          {"skills_based", r.skills_based},
          {"tie_break", choice(r.tie_break, {"listed_order", "round_robin", "longest_idle", "most_skilled"})},
          {"transfer_keeps_arrival", r.transfer_keeps_arrival}};
  mark_removed(out, r);
  return out;
}

Json presence(const PresenceConfigConfig& p) {
  Json limits = Json::array();
  for (const auto& l : p.channel_limits) limits.push_back({{"channel", l.channel}, {"max", l.max}});
  Json out = {{"name", p.name},
              {"capacity", p.capacity},
              {"interruptible_capacity", p.interruptible_capacity},
              {"channel_limits", limits},
              {"auto_accept", p.auto_accept},
              {"allow_decline", p.allow_decline},
              {"decline_reasons_required", p.decline_reasons_required},
              {"decline_reasons", p.decline_reasons},
              {"missed_delay", exact(p.missed_delay)},
              {"wrap_up", exact(p.wrap_up)},
              {"resume_rule", choice(p.resume_rule, {"allow_over_capacity", "refuse"})},
              {"transfer_destinations", {{"queues", p.transfer_destinations.queues},
                                         {"profiles", p.transfer_destinations.profiles},
                                         {"flows", p.transfer_destinations.flows}}}};
  // The reader refuses these keys with empty values where they make no sense; absent = default.
  if (!p.status_on_decline.empty()) out["status_on_decline"] = p.status_on_decline;
  if (!p.status_on_push_timeout.empty()) out["status_on_push_timeout"] = p.status_on_push_timeout;
  mark_removed(out, p);
  return out;
}

}  // namespace

std::string write_config(const Config& c) {
  Json doc;
  doc["skills"] = c.skills;
  if (!c.removed_skills.empty()) doc["removed_skills"] = c.removed_skills;  // tombstones of live changes
  doc["channels"] = Json::array();
  for (const auto& ch : c.channels)
    doc["channels"].push_back({{"name", ch.name}, {"paused_values", ch.paused_values}, {"interruptible", ch.interruptible}});
  doc["routing_configs"] = Json::array();
  for (const auto& r : c.routing_configs) doc["routing_configs"].push_back(routing(r));
  doc["queues"] = Json::array();
  for (const auto& q : c.queues) {
    Json j = {{"name", q.name}, {"channel", q.channel}, {"routing", q.routing}, {"service", q.service},
              {"max_waiting", q.max_waiting}, {"overflow_after", exact(q.overflow_after)}, {"max_wait", exact(q.max_wait)}};
    if (!q.overflow_to.empty()) j["overflow_to"] = q.overflow_to;
    mark_removed(j, q);
    doc["queues"].push_back(std::move(j));
  }
  doc["presence_configs"] = Json::array();
  for (const auto& p : c.presence_configs) doc["presence_configs"].push_back(presence(p));
  doc["statuses"] = Json::array();
  for (const auto& s : c.statuses) {
    Json j = {{"name", s.name}, {"kind", choice(s.kind, {"online", "busy", "away", "pause", "dnd", "offline"})}};
    if (!s.channels.empty()) j["channels"] = s.channels;
    if (!s.pause_cause.empty()) j["pause_cause"] = s.pause_cause;
    mark_removed(j, s);
    doc["statuses"].push_back(std::move(j));
  }
  doc["profiles"] = Json::array();
  for (const auto& p : c.profiles) {
    Json j = {{"name", p.name}, {"presence_config", p.presence_config}, {"skills", skill_levels(p.skills)}};
    mark_removed(j, p);
    doc["profiles"].push_back(std::move(j));
  }
  doc["agents"] = Json::array();
  for (const auto& a : c.agents) {
    Json j = {{"name", a.name}, {"queues", a.queues}, {"skills", skill_levels(a.skills)}};
    if (!a.profile.empty()) j["profile"] = a.profile;
    if (!a.presence_config.empty()) j["presence_config"] = a.presence_config;
    if (!a.status.empty()) j["status"] = a.status;
    mark_removed(j, a);
    doc["agents"].push_back(std::move(j));
  }
  const Limits& l = c.limits;
  doc["limits"] = {{"max_items", l.max_items},
                   {"max_customers", l.max_customers},
                   {"event_capacity", l.event_capacity},
                   {"max_requirement_sets", l.max_requirement_sets},
                   {"max_preferred_waiting", l.max_preferred_waiting},
                   {"remembered_customers", l.remembered_customers},
                   {"max_agents", l.max_agents},
                   {"max_queues", l.max_queues},
                   {"timer_resolution", exact(l.timer_resolution)}};
  return doc.dump(2);
}

}  // namespace omni::config
