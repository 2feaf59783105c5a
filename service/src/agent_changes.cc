// Reading the per-agent change bodies of agent_changes.h into an AgentConfig, with typed errors.
#include "agent_changes.h"

#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>

namespace omni::service {
namespace {

using Json = nlohmann::json;

std::unexpected<ConfigError> bad(std::string field, std::string reason) {
  return std::unexpected(ConfigError{std::move(field), std::move(reason)});
}

std::string got(const Json& v) { return std::string(", got ") + v.type_name(); }

std::expected<std::string, ConfigError> read_string(const Json& v, const std::string& path) {
  if (!v.is_string()) return bad(path, "expected a string" + got(v));
  return v.get<std::string>();
}

std::expected<std::vector<std::string>, ConfigError> read_strings(const Json& v, const std::string& path) {
  if (!v.is_array()) return bad(path, "expected an array of strings" + got(v));
  std::vector<std::string> out;
  for (size_t i = 0; i < v.size(); ++i) {
    auto s = read_string(v[i], path + "[" + std::to_string(i) + "]");
    if (!s) return std::unexpected(s.error());
    out.push_back(std::move(*s));
  }
  return out;
}

std::expected<std::vector<SkillLevelConfig>, ConfigError> read_skills(const Json& v, const std::string& path) {
  if (!v.is_array()) return bad(path, "expected an array of {\"skill\", \"level\"}" + got(v));
  std::vector<SkillLevelConfig> out;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string at = path + "[" + std::to_string(i) + "]";
    const Json& e = v[i];
    if (!e.is_object()) return bad(at, "expected an object {\"skill\", \"level\"}" + got(e));
    for (const auto& [key, value] : e.items())
      if (key != "skill" && key != "level") return bad(at + "." + key, "unknown key (expected skill, level)");
    if (!e.contains("skill")) return bad(at + ".skill", "missing");
    auto skill = read_string(e["skill"], at + ".skill");
    if (!skill) return std::unexpected(skill.error());
    SkillLevelConfig level{std::move(*skill), 1};
    if (e.contains("level")) {
      if (!e["level"].is_number_integer()) return bad(at + ".level", "expected an integer" + got(e["level"]));
      level.level = e["level"].get<int>();  // its range is the kernel's to check (it names the field)
    }
    out.push_back(std::move(level));
  }
  return out;
}

// Applies the keys of `body` that edit an agent; any other key except those in `also` is refused.
std::expected<int, ConfigError> read_agent_fields(AgentConfig& agent, const Json& body,
                                                  std::initializer_list<std::string_view> also) {
  int edited = 0;
  for (const auto& [key, value] : body.items()) {
    const std::string path = "$." + key;
    if (key == "profile" || key == "presence_config" || key == "status") {
      if (key == "status" && std::ranges::find(also, "status") == also.end())
        return bad(path, "cannot be changed here: use POST /v1/supervisor/agents/{agent}/status");
      auto s = read_string(value, path);
      if (!s) return std::unexpected(s.error());
      (key == "profile" ? agent.profile : key == "presence_config" ? agent.presence_config : agent.status) = *s;
    } else if (key == "queues") {
      auto q = read_strings(value, path);
      if (!q) return std::unexpected(q.error());
      agent.queues = std::move(*q);
    } else if (key == "skills") {
      auto k = read_skills(value, path);
      if (!k) return std::unexpected(k.error());
      agent.skills = std::move(*k);
    } else if (std::ranges::find(also, key) == also.end()) {
      return bad(path, "unknown key (expected profile, presence_config, queues, skills)");
    } else {
      continue;
    }
    ++edited;
  }
  return edited;
}

}  // namespace

std::expected<void, ConfigError> patch_agent(Config& config, size_t position, const Json& body) {
  if (!body.is_object()) return bad("$", "expected an object" + got(body));
  AgentConfig agent = config.agents.at(position);
  auto edited = read_agent_fields(agent, body, {});
  if (!edited) return std::unexpected(edited.error());
  if (*edited == 0) return bad("$", "nothing to change: give profile, presence_config, queues or skills");
  config.agents[position] = std::move(agent);
  return {};
}

std::expected<void, ConfigError> hire_agent(Config& config, const Json& body) {
  if (!body.is_object()) return bad("$", "expected an object" + got(body));
  if (!body.contains("name")) return bad("$.name", "missing");
  auto name = read_string(body["name"], "$.name");
  if (!name) return std::unexpected(name.error());
  if (name->empty()) return bad("$.name", "must not be empty");
  for (const AgentConfig& a : config.agents) {
    if (a.name != *name) continue;
    if (a.removed) return bad("$.name", "agent \"" + *name + "\" was removed: a removed name does not come back; hire under a new name");
    return bad("$.name", "agent \"" + *name + "\" exists already (change it with PATCH)");
  }
  AgentConfig agent;
  agent.name = std::move(*name);
  auto edited = read_agent_fields(agent, body, {"name", "status"});
  if (!edited) return std::unexpected(edited.error());
  config.agents.push_back(std::move(agent));
  return {};
}

}  // namespace omni::service
