// Shared between the section reader and the reference checker.
#pragma once
#include <string>
#include <vector>

#include "omnikernel/config.h"

namespace omni::config::internal {

// Where each routing configuration and agent came from in the document: a queue's inline routing
// sits at "queues[i].routing", and an agent entry with "count" expands into agents sharing a path.
// Empty vectors mean "routing_configs[i]" / "agents[i]".
struct SourcePaths {
  std::vector<std::string> routing_configs;
  std::vector<std::string> agents;
};

// Throws FieldError.
void check_references(const Config& config, const SourcePaths& paths);

}  // namespace omni::config::internal
