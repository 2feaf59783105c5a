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

// Loads what `scenario` uses from `directory` (or the default search path when empty). A missing
// adapter or policy is a note, not an error (the run goes on without it), except for replays,
// which cannot run without their adapter.
[[nodiscard]] std::expected<LoadedPlugins, ConfigError> load_plugins(
    const Scenario& scenario, const std::filesystem::path& directory, const Clock& clock,
    SessionLookup sessions);

}  // namespace omni::sim::internal
