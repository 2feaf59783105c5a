// The names the service shows for the kernel's ids (agents, statuses, pause causes), read from
// the configuration in force. A live change may append agents and statuses while the event pump
// and request threads read names, so the table is immutable and replaced whole (State::names()).
// Ids are positions in the configuration's lists: the kernel indexes names by position and a live
// change keeps every entry in place (kernel/src/live_change.cc).
#pragma once
#include <string>
#include <vector>

#include "omnikernel/config.h"

namespace omni::service {

struct ServiceNames {
  std::vector<std::string> agents;        // by AgentId
  std::vector<std::string> statuses;      // by StatusId
  std::vector<std::string> pause_causes;  // by StatusId; empty unless a pause status

  [[nodiscard]] static ServiceNames of(const Config& config) {
    ServiceNames n;
    for (const AgentConfig& a : config.agents) n.agents.push_back(a.name);
    for (const PresenceStatusConfig& st : config.statuses) {
      n.statuses.push_back(st.name);
      n.pause_causes.push_back(st.kind == PresenceKind::pause ? st.pause_cause : std::string());
    }
    return n;
  }
};

}  // namespace omni::service
