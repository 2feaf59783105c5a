// The supervisor's per-agent live changes as edits of a Config: PATCH /v1/agents/{name} edits an
// agent's capacity (profile or presence configuration), queues and skill levels; POST /v1/agents
// appends (hires) one. Only the body's shape is checked here, each error naming its JSON path
// ("$.queues[1]: expected a string, got number"); whether the names it uses exist and whether the
// running kernel takes the result is Kernel::reconfigure's to say (errors naming "agents[N]…").
#pragma once
#include <expected>

#include <nlohmann/json.hpp>

#include "omnikernel/config.h"
#include "omnikernel/error.h"

namespace omni::service {

// {"profile"?, "presence_config"?, "queues"?, "skills"?: [{"skill", "level"}]}: each key present
// replaces that field of config.agents[position]; at least one is required.
[[nodiscard]] std::expected<void, ConfigError> patch_agent(Config& config, size_t position,
                                                           const nlohmann::json& body);

// {"name", "profile"?, "presence_config"?, "queues"?, "skills"?, "status"?}: appended to
// config.agents (a name already there is refused).
[[nodiscard]] std::expected<void, ConfigError> hire_agent(Config& config, const nlohmann::json& body);

}  // namespace omni::service
