// JSON sections → omni::Config. One reader per section; each refuses keys it does not know.
#include <cmath>
#include <string>

#include "config_internal.h"
#include "omnikernel/config/loader.h"

namespace omni::config {
namespace {

constexpr int64_t kMaxWaiting = 1 << 22;  // the kernel's bound per queue
constexpr int64_t kMaxRequirementSets = 4096;  // the kernel's bound on limits.max_requirement_sets

// A profile's or an agent's skills: [{"skill": "English", "level": 8}, ...], levels 1 (novice)
// to 10 (expert). That the skill is defined, and listed once, is checked with the references.
std::vector<SkillLevelConfig> read_skill_levels(const Json& value, const std::string& path) {
  std::vector<SkillLevelConfig> levels;
  for_each_element(value, path, [&](const Json& element, const std::string& element_path) {
    JsonObject o(element, element_path);
    SkillLevelConfig s;
    s.skill = read_name(o.require("skill"), o.path_of("skill"));
    // Type and whole-number errors from read_integer; the range in the kernel's words.
    const int64_t level = read_integer(o.require("level"), o.path_of("level"), INT32_MIN, INT32_MAX);
    if (level < 1 || level > 10) fail(o.path_of("level"), "must be between 1 and 10");
    s.level = static_cast<int>(level);
    o.refuse_unknown_keys();
    levels.push_back(std::move(s));
  });
  return levels;
}

// A presence configuration's channel limits: [{"channel": "voice", "max": 1}, ...]. That the
// channel is defined, listed once, and at most two are limited is checked with the references.
std::vector<ChannelLimitConfig> read_channel_limits(const Json& value, const std::string& path) {
  std::vector<ChannelLimitConfig> limits;
  for_each_element(value, path, [&](const Json& element, const std::string& element_path) {
    JsonObject o(element, element_path);
    ChannelLimitConfig l;
    l.channel = read_name(o.require("channel"), o.path_of("channel"));
    const int64_t max = read_integer(o.require("max"), o.path_of("max"), INT32_MIN, INT32_MAX);
    if (max < 1 || max > 15) fail(o.path_of("max"), "must be between 1 and 15");
    l.max = static_cast<int>(max);
    o.refuse_unknown_keys();
    limits.push_back(std::move(l));
  });
  return limits;
}

ServiceChannelConfig read_channel(const Json& value, const std::string& path) {
  JsonObject o(value, path);
  ServiceChannelConfig c;
  c.name = read_name(o.require("name"), o.path_of("name"));
  o.read("paused_values", c.paused_values);
  o.read("interruptible", c.interruptible);
  o.refuse_unknown_keys();
  return c;
}

// "size": 1.5 (units of capacity) or "size": "50%" (percentage of the agent's capacity).
void read_item_size(const Json& value, const std::string& path, RoutingConfig& r) {
  if (value.is_string()) {
    std::string text = value.get<std::string>();
    if (!text.ends_with("%")) fail(path, "expected a number of units or a percentage such as \"50%\"");
    text.pop_back();
    double percent = 0;
    try {
      size_t used = 0;
      percent = std::stod(text, &used);
      if (used != text.size()) throw std::invalid_argument(text);
    } catch (const std::exception&) {
      fail(path, "invalid percentage \"" + value.get<std::string>() + "\"");
    }
    if (!(percent > 0 && percent <= 100)) fail(path, "percentage must be in (0, 100]");
    r.size_unit = SizeUnit::percent;
    r.size = percent;
    return;
  }
  const double units = read_number(value, path);
  if (!(units > 0)) fail(path, "must be > 0");
  r.size_unit = SizeUnit::units;
  r.size = units;
}

RoutingConfig read_routing(const Json& value, const std::string& path) {
  JsonObject o(value, path);
  RoutingConfig r;
  r.name = read_name(o.require("name"), o.path_of("name"));
  o.read("priority", r.priority);
  if (const Json* m = o.find("model")) {
    r.model = static_cast<RoutingModel>(
        read_choice(*m, o.path_of("model"), "model",
                    {"least_active", "most_available", "longest_idle_agent", "round_robin"}));
  }
  o.read("push_timeout", r.push_timeout);
  if (const Json* s = o.find("size")) read_item_size(*s, o.path_of("size"), r);
  o.read("skills_based", r.skills_based);
  if (const Json* t = o.find("tie_break")) {
    r.tie_break = static_cast<TieBreak>(
        read_choice(*t, o.path_of("tie_break"), "tie-break",
                    {"listed_order", "round_robin", "longest_idle", "most_skilled"}));
  }
  o.read("transfer_keeps_arrival", r.transfer_keeps_arrival);
  o.read("removed", r.removed);
  o.refuse_unknown_keys();
  return r;
}

// A queue's "routing" is the name of a routing configuration, or one written inline (which is
// then named after the queue unless it has its own name).
QueueConfig read_queue(const Json& value, const std::string& path, Config& out,
                       internal::SourcePaths& paths) {
  JsonObject o(value, path);
  QueueConfig q;
  q.name = read_name(o.require("name"), o.path_of("name"));
  q.channel = read_name(o.require("channel"), o.path_of("channel"));
  const Json& routing = o.require("routing");
  if (routing.is_object()) {
    Json named = routing;
    if (!named.contains("name")) named["name"] = q.name;
    RoutingConfig r = read_routing(named, o.path_of("routing"));
    q.routing = r.name;
    out.routing_configs.push_back(std::move(r));
    paths.routing_configs.push_back(o.path_of("routing"));
  } else {
    q.routing = read_name(routing, o.path_of("routing"));
  }
  o.read("service", q.service);
  if (const Json* m = o.find("max_waiting")) {
    q.max_waiting = static_cast<uint32_t>(read_integer(*m, o.path_of("max_waiting"), 1, kMaxWaiting));
  }
  // Overflow and expiry (issue 9, item 5): durations from the item's arrival, 0 = never. That
  // overflow_to names another queue, and that chains do not loop, is checked with the references.
  o.read("overflow_after", q.overflow_after);
  o.read("overflow_to", q.overflow_to);
  o.read("max_wait", q.max_wait);
  o.read("removed", q.removed);
  o.refuse_unknown_keys();
  return q;
}

PresenceConfigConfig read_presence_config(const Json& value, const std::string& path) {
  JsonObject o(value, path);
  PresenceConfigConfig p;
  p.name = read_name(o.require("name"), o.path_of("name"));
  o.read("capacity", p.capacity);
  if (!(p.capacity > 0)) fail(o.path_of("capacity"), "must be > 0");
  o.read("interruptible_capacity", p.interruptible_capacity);
  if (p.interruptible_capacity < 0) fail(o.path_of("interruptible_capacity"), "must be >= 0");
  if (const Json* l = o.find("channel_limits")) p.channel_limits = read_channel_limits(*l, o.path_of("channel_limits"));
  o.read("auto_accept", p.auto_accept);
  o.read("allow_decline", p.allow_decline);
  if (p.auto_accept && p.allow_decline) {
    fail(o.path_of("allow_decline"), "impossible together with auto_accept (seed 002)");
  }
  o.read("status_on_decline", p.status_on_decline);
  if (!p.status_on_decline.empty() && !p.allow_decline) {
    fail(o.path_of("status_on_decline"), "set, but declining is not allowed (allow_decline is false)");
  }
  o.read("decline_reasons_required", p.decline_reasons_required);
  o.read("decline_reasons", p.decline_reasons);
  if (p.decline_reasons_required && p.decline_reasons.empty()) {
    fail(o.path_of("decline_reasons"), "must list reasons when decline_reasons_required is true");
  }
  if (!p.decline_reasons.empty() && !p.allow_decline) {
    fail(o.path_of("decline_reasons"), "listed, but declining is not allowed (allow_decline is false)");
  }
  o.read("status_on_push_timeout", p.status_on_push_timeout);
  o.read("missed_delay", p.missed_delay);
  o.read("wrap_up", p.wrap_up);
  if (const Json* r = o.find("resume_rule")) {
    p.resume_rule = static_cast<ResumeRule>(
        read_choice(*r, o.path_of("resume_rule"), "resume rule", {"allow_over_capacity", "refuse"}));
  }
  if (const Json* t = o.find("transfer_destinations")) {
    JsonObject d(*t, o.path_of("transfer_destinations"));
    d.read("queues", p.transfer_destinations.queues);
    d.read("profiles", p.transfer_destinations.profiles);
    d.read("flows", p.transfer_destinations.flows);
    d.refuse_unknown_keys();
  }
  o.read("removed", p.removed);
  o.refuse_unknown_keys();
  return p;
}

PresenceStatusConfig read_status(const Json& value, const std::string& path) {
  JsonObject o(value, path);
  PresenceStatusConfig s;
  s.name = read_name(o.require("name"), o.path_of("name"));
  s.kind = static_cast<PresenceKind>(read_choice(o.require("kind"), o.path_of("kind"),
                                                 "status kind",
                                                 {"online", "busy", "away", "pause", "dnd", "offline"}));
  o.read("channels", s.channels);
  if (s.kind == PresenceKind::online && s.channels.empty()) {
    fail(o.path_of("channels"), "an online status must list the service channels it is online for");
  }
  if (s.kind != PresenceKind::online && !s.channels.empty()) {
    fail(o.path_of("channels"), "only an online status lists service channels");
  }
  o.read("pause_cause", s.pause_cause);
  if (s.kind != PresenceKind::pause && !s.pause_cause.empty()) {
    fail(o.path_of("pause_cause"), "only a pause status has a pause cause");
  }
  if (s.kind == PresenceKind::pause && s.pause_cause.empty()) {
    fail(o.path_of("pause_cause"), "missing: a pause status needs a cause (seed 003)");
  }
  o.read("removed", s.removed);
  o.refuse_unknown_keys();
  return s;
}

ProfileConfig read_profile(const Json& value, const std::string& path) {
  JsonObject o(value, path);
  ProfileConfig p;
  p.name = read_name(o.require("name"), o.path_of("name"));
  p.presence_config = read_name(o.require("presence_config"), o.path_of("presence_config"));
  if (const Json* skills = o.find("skills")) p.skills = read_skill_levels(*skills, o.path_of("skills"));
  o.read("removed", p.removed);
  o.refuse_unknown_keys();
  return p;
}

// One agent, or with "count": N, N agents named "<name>-1" … "<name>-N" (name defaults to the
// profile's).
void read_agents(const Json& value, const std::string& path, Config& out,
                 std::vector<std::string>& agent_paths) {
  JsonObject o(value, path);
  AgentConfig a;
  o.read("profile", a.profile);
  o.read("presence_config", a.presence_config);
  if (a.profile.empty() && a.presence_config.empty()) {
    fail(o.path_of("profile"), "missing: an agent needs a profile or a presence_config");
  }
  o.read("queues", a.queues);
  o.read("status", a.status);
  if (const Json* skills = o.find("skills")) a.skills = read_skill_levels(*skills, o.path_of("skills"));
  o.read("removed", a.removed);
  uint32_t count = 0;
  const bool counted = o.has("count");
  o.read("count", count);
  if (counted && count == 0) fail(o.path_of("count"), "must be > 0");
  if (counted && count > 1'000'000) fail(o.path_of("count"), "must be <= 1000000");
  if (counted) {
    std::string prefix = a.profile;
    o.read("name", prefix);
    if (prefix.empty()) fail(o.path_of("name"), "must not be empty");
    for (uint32_t i = 1; i <= count; ++i) {
      AgentConfig one = a;
      one.name = prefix + "-" + std::to_string(i);
      out.agents.push_back(std::move(one));
      agent_paths.push_back(path);
    }
  } else {
    a.name = read_name(o.require("name"), o.path_of("name"));
    out.agents.push_back(std::move(a));
    agent_paths.push_back(path);
  }
  o.refuse_unknown_keys();
}

Limits read_limits(const Json& value, const std::string& path) {
  JsonObject o(value, path);
  Limits l;
  // The kernel's own bounds (kernel/src/config_resolve.cc), checked here to name the file's field.
  auto bounded = [&](std::string_view key, uint32_t& out, int64_t min, int64_t max) {
    if (const Json* v = o.find(key)) out = static_cast<uint32_t>(read_integer(*v, o.path_of(key), min, max));
  };
  bounded("max_items", l.max_items, 1, 1 << 24);
  bounded("max_customers", l.max_customers, 1, 1 << 26);
  bounded("event_capacity", l.event_capacity, 2, 1 << 26);
  bounded("max_requirement_sets", l.max_requirement_sets, 0, kMaxRequirementSets);
  bounded("max_preferred_waiting", l.max_preferred_waiting, 0, 4096);  // the kernel's bound
  bounded("remembered_customers", l.remembered_customers, 0, 1 << 24);  // the kernel's bound
  bounded("max_agents", l.max_agents, 0, (1 << 21) - 2);                  // the kernel's bound
  bounded("max_queues", l.max_queues, 0, (1 << 20) - 1);                  // the kernel's bound
  o.read("timer_resolution", l.timer_resolution);
  if (l.timer_resolution <= Duration::zero()) fail(o.path_of("timer_resolution"), "must be > 0");
  o.refuse_unknown_keys();
  return l;
}

template <class Read>
void read_section(JsonObject& document, std::string_view key, Read read) {
  if (const Json* section = document.find(key)) {
    for_each_element(*section, document.path_of(key), read);
  }
}

}  // namespace

void read_config_sections(JsonObject& document, Config& out) {
  if (const Json* skills = document.find("skills")) out.skills = read_string_list(*skills, document.path_of("skills"));
  if (const Json* gone = document.find("removed_skills"))
    out.removed_skills = read_string_list(*gone, document.path_of("removed_skills"));
  read_section(document, "channels", [&](const Json& v, const std::string& p) {
    out.channels.push_back(read_channel(v, p));
  });
  internal::SourcePaths paths;
  read_section(document, "routing_configs", [&](const Json& v, const std::string& p) {
    out.routing_configs.push_back(read_routing(v, p));
    paths.routing_configs.push_back(p);
  });
  read_section(document, "queues", [&](const Json& v, const std::string& p) {
    out.queues.push_back(read_queue(v, p, out, paths));
  });
  read_section(document, "presence_configs", [&](const Json& v, const std::string& p) {
    out.presence_configs.push_back(read_presence_config(v, p));
  });
  read_section(document, "statuses", [&](const Json& v, const std::string& p) {
    out.statuses.push_back(read_status(v, p));
  });
  read_section(document, "profiles", [&](const Json& v, const std::string& p) {
    out.profiles.push_back(read_profile(v, p));
  });
  read_section(document, "agents", [&](const Json& v, const std::string& p) {
    read_agents(v, p, out, paths.agents);
  });
  if (const Json* limits = document.find("limits")) {
    out.limits = read_limits(*limits, document.path_of("limits"));
  }
  internal::check_references(out, paths);
}

}  // namespace omni::config
