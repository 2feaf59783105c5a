// The plugins a scenario uses: channel adapters (webhook payload → normalized customer messages)
// and policies (omni::PolicyHook for Kernel::create). Backed by omni_runtime when the build has
// it (plugin_set_runtime.cc), else by a stub that loads nothing (plugin_set_none.cc).
#pragma once
#include <cstdint>
#include <expected>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "omnikernel/error.h"
#include "omnikernel/policy.h"
#include "omnikernel/sim/scenario.h"
#include "omnikernel/time.h"

namespace omni::sim::internal {

struct CustomerMessage {
  std::string channel;
  std::string customer;
  std::string conversation;
  int64_t timestamp_ms = 0;
};

// Answers a policy's session queries outside a kernel check.
using SessionLookup = std::function<size_t(CustomerId, std::span<SessionInfo>)>;

class PluginSet {
 public:
  virtual ~PluginSet() = default;
  // Is the adapter loaded? If not, the simulator submits that stream's arrivals directly.
  [[nodiscard]] virtual bool has_adapter(std::string_view name) const = 0;
  // Customer messages of one payload; the reason on failure.
  [[nodiscard]] virtual std::expected<std::vector<CustomerMessage>, std::string> parse(
      std::string_view adapter, std::string_view payload) const = 0;
  // The policies for Kernel::create; they live as long as the PluginSet.
  [[nodiscard]] virtual std::span<PolicyHook* const> policies() const = 0;
};

struct LoadedPlugins {
  std::unique_ptr<PluginSet> plugins;
  std::vector<std::string> notes;  // what is missing and what the run does instead
};

// Receives the plugins' log lines (level as OMNI_LOG_*); empty = dropped.
using PluginLog = std::function<void(int level, std::string_view plugin, std::string_view message)>;

// Loads what `scenario` uses from `directories` (or the default search path when empty), giving
// each adapter its scenario configuration. A missing adapter is a note (its arrivals are
// submitted directly) except for replays, which cannot run without it. A policy that cannot be
// loaded or created is an error naming policies.<name> (policies fail closed), unless the
// scenario lists it in policies_fail_open: then it is a note and the run goes on without it.
[[nodiscard]] std::expected<LoadedPlugins, ConfigError> load_plugins(
    const Scenario& scenario, const std::vector<std::filesystem::path>& directories,
    const Clock& clock, SessionLookup sessions, PluginLog log);

// The error or note for a policy that cannot be enforced, per the scenario's fail-open list.
[[nodiscard]] std::expected<void, ConfigError> policy_unavailable(const Scenario& scenario,
                                                                  const std::string& name,
                                                                  const std::string& why,
                                                                  std::vector<std::string>& notes);

}  // namespace omni::sim::internal
