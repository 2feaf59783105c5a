// Built without omni_runtime: no plugin can be loaded.
#include "plugin_set.h"

namespace omni::sim::internal {
namespace {

class NoPlugins final : public PluginSet {
 public:
  bool has_adapter(std::string_view) const override { return false; }
  std::expected<std::vector<CustomerMessage>, std::string> parse(std::string_view adapter,
                                                                 std::string_view) const override {
    return std::unexpected("adapter \"" + std::string(adapter) + "\" is not loaded");
  }
  std::span<PolicyHook* const> policies() const override { return {}; }
};

}  // namespace

std::expected<LoadedPlugins, ConfigError> load_plugins(const Scenario& scenario,
                                                       const std::vector<std::filesystem::path>&,
                                                       const Clock&, SessionLookup, PluginLog) {
  LoadedPlugins out{std::make_unique<NoPlugins>(), {}};
  for (size_t i = 0; i < scenario.arrivals.size(); ++i) {
    if (!scenario.arrivals[i].replay_file.empty()) {
      return std::unexpected(ConfigError{scenario.arrivals[i].path + ".replay",
                                         "this omni was built without the plugin runtime"});
    }
  }
  for (const std::string& adapter : scenario.adapters_used()) {
    out.notes.push_back("adapter \"" + adapter + "\" unavailable (built without the plugin runtime): its arrivals are submitted directly");
  }
  for (const auto& [name, settings] : scenario.policies) {
    if (auto failed = policy_unavailable(scenario, name, "built without the plugin runtime", out.notes); !failed) {
      return std::unexpected(failed.error());
    }
  }
  return out;
}

}  // namespace omni::sim::internal
