// Scenario JSON → Scenario. The configuration sections are read by omni_config; this file reads
// the simulation keys and checks what they refer to.
#include <algorithm>
#include <set>

#include "omnikernel/config/loader.h"
#include "omnikernel/config/skill_requirements.h"
#include "omnikernel/sim/scenario.h"

namespace omni::sim {
namespace {

using config::fail;
using config::Json;
using config::JsonObject;

double read_probability(JsonObject& o, std::string_view key, double fallback) {
  double p = fallback;
  o.read(key, p);
  if (p < 0 || p > 1) fail(o.path_of(key), "must be a probability in [0, 1]");
  return p;
}

void read_distribution_field(JsonObject& o, std::string_view key, Distribution& out) {
  if (const Json* v = o.find(key)) out = read_distribution(*v, o.path_of(key));
}

// Reads the keys present into `b`, which starts from the defaults (or the scenario-wide
// behaviour, for a per-profile override).
void read_behaviour(JsonObject& o, AgentBehaviour& b) {
  read_distribution_field(o, "answer_delay", b.answer_delay);
  b.decline_probability = read_probability(o, "decline_probability", b.decline_probability);
  if (const Json* reasons = o.find("decline_reasons")) {
    // {"busy": 3, "wrong skill": 1}: relative weights.
    JsonObject weights(*reasons, o.path_of("decline_reasons"));
    b.decline_reasons.clear();
    for (auto it = reasons->begin(); it != reasons->end(); ++it) {
      const double w = config::read_number(*weights.find(it.key()), weights.path_of(it.key()));
      if (!(w > 0)) fail(weights.path_of(it.key()), "weight must be > 0");
      b.decline_reasons.push_back({it.key(), w});
    }
  }
  b.no_answer_probability = read_probability(o, "no_answer_probability", b.no_answer_probability);
  if (b.decline_probability + b.no_answer_probability > 1) {
    fail(o.path_of("no_answer_probability"), "decline_probability + no_answer_probability must be <= 1");
  }
  read_distribution_field(o, "handle_time", b.handle_time);
  if (const Json* by_channel = o.find("handle_time_by_channel")) {
    JsonObject channels(*by_channel, o.path_of("handle_time_by_channel"));
    for (auto it = by_channel->begin(); it != by_channel->end(); ++it) {
      b.handle_time_by_channel[it.key()] =
          read_distribution(*channels.find(it.key()), channels.path_of(it.key()));
    }
  }
  b.pause_probability = read_probability(o, "pause_probability", b.pause_probability);
  read_distribution_field(o, "pause_length", b.pause_length);
  o.read("paused_value", b.paused_value);
  b.transfer_probability = read_probability(o, "transfer_probability", b.transfer_probability);
  o.read("transfer_to", b.transfer_to);
  if (b.transfer_probability > 0 && b.transfer_to.empty()) {
    fail(o.path_of("transfer_to"), "must list the queues sessions are transferred to");
  }
  if (const Json* w = o.find("wrap_up")) b.wrap_up = read_distribution(*w, o.path_of("wrap_up"));
  read_distribution_field(o, "return_after", b.return_after);
  if (const Json* breaks = o.find("breaks")) {
    b.breaks.clear();
    config::for_each_element(*breaks, o.path_of("breaks"), [&](const Json& v, const std::string& p) {
      JsonObject bo(v, p);
      BreakPlan plan;
      plan.status = config::read_name(bo.require("status"), bo.path_of("status"));
      plan.every = read_distribution(bo.require("every"), bo.path_of("every"));
      plan.length = read_distribution(bo.require("length"), bo.path_of("length"));
      bo.refuse_unknown_keys();
      b.breaks.push_back(std::move(plan));
    });
  }
}

std::vector<RateStep> read_rate(JsonObject& o) {
  std::vector<RateStep> steps;
  if (const Json* per_hour = o.find("rate_per_hour")) {
    const double r = config::read_number(*per_hour, o.path_of("rate_per_hour"));
    if (r < 0) fail(o.path_of("rate_per_hour"), "must be >= 0");
    steps.push_back({Duration::zero(), r});
  }
  if (const Json* schedule = o.find("schedule")) {
    if (!steps.empty()) fail(o.path_of("schedule"), "give rate_per_hour or schedule, not both");
    config::for_each_element(*schedule, o.path_of("schedule"), [&](const Json& v, const std::string& p) {
      JsonObject so(v, p);
      RateStep step;
      step.from = config::read_duration(so.require("from"), so.path_of("from"));
      step.per_hour = config::read_number(so.require("rate_per_hour"), so.path_of("rate_per_hour"));
      if (step.per_hour < 0) fail(so.path_of("rate_per_hour"), "must be >= 0");
      if (steps.empty() && step.from != Duration::zero()) fail(so.path_of("from"), "the first step must start at 0");
      if (!steps.empty() && step.from <= steps.back().from) {
        fail(so.path_of("from"), "steps must be in increasing order of \"from\"");
      }
      so.refuse_unknown_keys();
      steps.push_back(step);
    });
    if (steps.empty()) fail(o.path_of("schedule"), "must have at least one step");
  }
  return steps;
}

// "preferred_agent": "ana" or "prefer_last_agent": true, with "preferred_wait": "30s".
void read_preference(JsonObject& o, ArrivalStream& a, const Scenario& s) {
  o.read("preferred_agent", a.preferred_agent);
  o.read("prefer_last_agent", a.prefer_last_agent);
  if (!a.preferred_agent.empty()) {
    std::vector<std::string> agents;
    for (const AgentConfig& ag : s.config.agents) agents.push_back(ag.name);
    if (std::find(agents.begin(), agents.end(), a.preferred_agent) == agents.end()) {
      std::string reason = "unknown agent \"" + a.preferred_agent + "\"";
      if (auto g = config::did_you_mean(a.preferred_agent, agents)) reason += " (did you mean \"" + *g + "\"?)";
      fail(o.path_of("preferred_agent"), reason);
    }
    if (a.prefer_last_agent) {
      fail(o.path_of("prefer_last_agent"), "give preferred_agent or prefer_last_agent, not both");
    }
  }
  // Anonymous customers (CustomerId 0) have no last agent; replayed webhooks carry their own.
  if (a.prefer_last_agent && s.customers == 0 && a.replay_file.empty()) {
    fail(o.path_of("prefer_last_agent"),
         "needs a customer population (\"customers\" > 0): anonymous customers have no last agent");
  }
  const Json* wait = o.find("preferred_wait");
  if (!a.has_preference()) {
    if (wait != nullptr) fail(o.path_of("preferred_wait"), "needs preferred_agent or prefer_last_agent");
    return;
  }
  if (wait == nullptr) {
    fail(o.path_of("preferred_wait"), "missing: how long an arrival waits for its preferred agent (0 < wait <= 1h)");
  }
  // The kernel times the preference on its timer wheel (at most 1 h); 0 would prefer nobody.
  a.preferred_wait = config::read_kernel_timer(*wait, o.path_of("preferred_wait"));
  if (a.preferred_wait <= Duration::zero()) fail(o.path_of("preferred_wait"), "must be > 0");
}

ArrivalStream read_arrival(const Json& value, const std::string& path, const std::set<std::string>& queues,
                           const Scenario& s) {
  const std::vector<std::string>& skills = s.config.skills;
  JsonObject o(value, path);
  ArrivalStream a;
  a.path = path;
  a.queue = config::read_name(o.require("queue"), o.path_of("queue"));
  if (!queues.contains(a.queue)) {
    std::string reason = "unknown queue \"" + a.queue + "\"";
    if (auto g = config::did_you_mean(a.queue, {queues.begin(), queues.end()})) {
      reason += " (did you mean \"" + *g + "\"?)";
    }
    fail(o.path_of("queue"), reason);
  }
  a.rate = read_rate(o);
  o.read("adapter", a.adapter);
  o.read("payload_template", a.payload_template);
  if (!a.payload_template.empty() && a.adapter.empty()) {
    fail(o.path_of("payload_template"), "needs an \"adapter\" to parse the payload");
  }
  std::string replay;
  o.read("replay", replay);
  a.replay_file = replay;
  if (!replay.empty() && a.adapter.empty()) fail(o.path_of("replay"), "needs an \"adapter\" to parse the payloads");
  if (!replay.empty() && !a.rate.empty()) fail(o.path_of("replay"), "give a rate or a replay file, not both");
  if (replay.empty() && a.rate.empty()) {
    fail(o.path_of("rate_per_hour"), "missing: an arrival stream needs rate_per_hour, schedule or replay");
  }
  if (const Json* p = o.find("patience")) {
    if (!p->is_null()) a.patience = read_distribution(*p, o.path_of("patience"));
  }
  a.bot_fraction = read_probability(o, "bot_fraction", 0);
  if (const Json* r = o.find("requirements")) {
    a.requirements = config::read_skill_requirements(*r, o.path_of("requirements"), skills);
  }
  read_preference(o, a, s);
  o.refuse_unknown_keys();
  return a;
}

template <class Items>
bool defines(const Items& items, const std::string& name) {
  return std::any_of(items.begin(), items.end(), [&](const auto& i) { return i.name == name; });
}

// Names a behaviour refers to must exist somewhere in the configuration; whether they apply to
// a given agent (its presence config's reasons, its channel's paused values) is decided at run time.
void check_behaviour(const AgentBehaviour& b, const Config& c, const std::string& path) {
  for (const DeclineReasonWeight& r : b.decline_reasons) {
    const bool known = std::any_of(c.presence_configs.begin(), c.presence_configs.end(), [&](const auto& p) {
      return std::find(p.decline_reasons.begin(), p.decline_reasons.end(), r.reason) != p.decline_reasons.end();
    });
    if (!known) fail(path + ".decline_reasons." + r.reason, "no presence config has this decline reason");
  }
  for (const auto& [channel, d] : b.handle_time_by_channel) {
    if (!defines(c.channels, channel)) {
      fail(path + ".handle_time_by_channel." + channel, "unknown service channel \"" + channel + "\"");
    }
  }
  if (!b.paused_value.empty()) {
    const bool known = std::any_of(c.channels.begin(), c.channels.end(), [&](const auto& ch) {
      return std::find(ch.paused_values.begin(), ch.paused_values.end(), b.paused_value) != ch.paused_values.end();
    });
    if (!known) fail(path + ".paused_value", "no service channel has the paused value \"" + b.paused_value + "\"");
  }
  for (size_t i = 0; i < b.transfer_to.size(); ++i) {
    if (!defines(c.queues, b.transfer_to[i])) {
      fail(path + ".transfer_to[" + std::to_string(i) + "]", "unknown queue \"" + b.transfer_to[i] + "\"");
    }
  }
  for (size_t i = 0; i < b.breaks.size(); ++i) {
    const std::string p = path + ".breaks[" + std::to_string(i) + "].status";
    auto s = std::find_if(c.statuses.begin(), c.statuses.end(),
                          [&](const auto& st) { return st.name == b.breaks[i].status; });
    if (s == c.statuses.end()) fail(p, "unknown status \"" + b.breaks[i].status + "\"");
    if (s->kind == PresenceKind::online) fail(p, "a break needs a status that is not online");
  }
}

// {"<plugin name>": {<its configuration>}, ...}: each configuration as JSON text.
std::map<std::string, std::string> read_plugin_configs(JsonObject& o, const std::string& key,
                                                       const std::string& kind) {
  std::map<std::string, std::string> configs;
  const Json* section = o.find(key);
  if (section == nullptr) return configs;
  JsonObject so(*section, key);
  for (auto it = section->begin(); it != section->end(); ++it) {
    const Json& settings = *so.find(it.key());
    if (!settings.is_object()) {
      fail(so.path_of(it.key()), "expected an object (the " + kind + "'s configuration), got " +
                                     std::string(config::json_type_name(settings)));
    }
    configs[it.key()] = settings.dump();
  }
  return configs;
}

Scenario read_scenario(const Json& json, const std::filesystem::path& base_dir) {
  JsonObject o(json, "");
  Scenario s;
  s.base_dir = base_dir;
  config::read_config_sections(o, s.config);
  o.read("name", s.name);
  o.read("description", s.description);
  o.read("seed", s.seed);
  o.read("duration", s.duration);
  if (s.duration <= Duration::zero()) fail("duration", "must be > 0");
  o.read("warmup", s.warmup);
  if (s.warmup >= s.duration) fail("warmup", "must be shorter than duration");
  o.read("service_level_threshold", s.service_level_threshold);
  o.read("tick_interval", s.tick_interval);
  if (s.tick_interval <= Duration::zero()) fail("tick_interval", "must be > 0");
  o.read("sample_interval", s.sample_interval);
  o.read("customers", s.customers);
  if (s.customers > s.config.limits.max_customers) {
    fail("customers", "must be <= limits.max_customers (" + std::to_string(s.config.limits.max_customers) +
                          "): the kernel tracks at most that many distinct customers over its lifetime");
  }
  if (const Json* p = o.find("patience")) {
    if (!p->is_null()) s.patience = read_distribution(*p, "patience");
  }
  std::string plugins;
  o.read("plugins", plugins);
  s.plugin_directory = plugins;
  // {"simultaneous_sessions": {"allow_simultaneous_sessions": false}}
  s.policies = read_plugin_configs(o, "policies", "policy");
  std::vector<std::string> fail_open;
  o.read("policies_fail_open", fail_open);
  for (size_t i = 0; i < fail_open.size(); ++i) {
    if (!s.policies.contains(fail_open[i])) {
      fail("policies_fail_open[" + std::to_string(i) + "]",
           "\"" + fail_open[i] + "\" is not one of the scenario's policies");
    }
    s.policies_fail_open.insert(fail_open[i]);
  }
  // {"telegram": {"account": "my_bot"}}: given to the adapter plugin's create().
  s.adapter_configs = read_plugin_configs(o, "adapters", "adapter");
  if (const Json* behaviour = o.find("agent_behaviour")) {
    JsonObject bo(*behaviour, "agent_behaviour");
    read_behaviour(bo, s.behaviour);
    check_behaviour(s.behaviour, s.config, "agent_behaviour");
    if (const Json* by_profile = bo.find("by_profile")) {
      JsonObject po(*by_profile, bo.path_of("by_profile"));
      for (auto it = by_profile->begin(); it != by_profile->end(); ++it) {
        const std::string path = po.path_of(it.key());
        if (!defines(s.config.profiles, it.key())) fail(path, "unknown profile \"" + it.key() + "\"");
        JsonObject one(*po.find(it.key()), path);
        AgentBehaviour b = s.behaviour;
        read_behaviour(one, b);
        one.refuse_unknown_keys();
        check_behaviour(b, s.config, path);
        s.behaviour_by_profile[it.key()] = std::move(b);
      }
    }
    bo.refuse_unknown_keys();
  }
  std::set<std::string> queues;
  for (const QueueConfig& q : s.config.queues) queues.insert(q.name);
  if (const Json* arrivals = o.find("arrivals")) {
    config::for_each_element(*arrivals, "arrivals", [&](const Json& v, const std::string& p) {
      s.arrivals.push_back(read_arrival(v, p, queues, s));
    });
  }
  if (s.config.queues.empty()) fail("queues", "a scenario needs at least one queue");
  if (s.config.agents.empty()) fail("agents", "a scenario needs at least one agent");
  if (s.arrivals.empty()) fail("arrivals", "a scenario needs at least one arrival stream");
  const std::vector<std::string> used = s.adapters_used();
  for (const auto& [name, settings] : s.adapter_configs) {
    if (std::find(used.begin(), used.end(), name) == used.end()) {
      std::string reason = "no arrival stream uses the adapter \"" + name + "\"";
      if (auto g = config::did_you_mean(name, used)) reason += " (did you mean \"" + *g + "\"?)";
      fail("adapters." + name, reason);
    }
  }
  o.refuse_unknown_keys();
  return s;
}

}  // namespace

const AgentBehaviour& Scenario::behaviour_of(const AgentConfig& agent) const {
  auto it = behaviour_by_profile.find(agent.profile);
  return it == behaviour_by_profile.end() ? behaviour : it->second;
}

std::vector<std::string> Scenario::adapters_used() const {
  std::vector<std::string> out;
  for (const ArrivalStream& a : arrivals) {
    if (!a.adapter.empty() && std::find(out.begin(), out.end(), a.adapter) == out.end()) {
      out.push_back(a.adapter);
    }
  }
  return out;
}

std::expected<Scenario, ConfigError> load_scenario_text(std::string_view text, std::string_view source,
                                                        const std::filesystem::path& base_dir) {
  auto json = config::parse_json_text(text, source);
  if (!json) return std::unexpected(json.error());
  try {
    return read_scenario(*json, base_dir);
  } catch (const config::FieldError& e) {
    return std::unexpected(e.to_config_error());
  }
}

std::expected<Scenario, ConfigError> load_scenario_file(const std::filesystem::path& file) {
  auto text = config::read_text_file(file, "scenario file");
  if (!text) return std::unexpected(text.error());
  return load_scenario_text(*text, file.string(), file.parent_path());
}

}  // namespace omni::sim
