// Plugins through omni_runtime: Boost.DLL loader, ChannelAdapterHandle, PolicyPlugin.
#include <map>

#include "omnikernel/runtime/plugin_loader.h"
#include "omnikernel/runtime/plugin_path.h"
#include "plugin_set.h"

namespace omni::sim::internal {
namespace {

class RuntimePlugins final : public PluginSet {
 public:
  bool has_adapter(std::string_view name) const override { return adapters_.contains(std::string(name)); }

  std::expected<std::vector<CustomerMessage>, std::string> parse(std::string_view adapter,
                                                                 std::string_view payload) const override {
    auto it = adapters_.find(std::string(adapter));
    if (it == adapters_.end()) return std::unexpected("adapter \"" + std::string(adapter) + "\" is not loaded");
    std::vector<CustomerMessage> out;
    auto parsed = it->second.parse(payload, [&](const runtime::InboundMessage& m) {
      out.push_back({std::string(m.channel), std::string(m.customer), std::string(m.conversation), m.timestamp_ms});
      return true;
    });
    if (!parsed) return std::unexpected(parsed.error().text());
    return out;
  }

  std::span<PolicyHook* const> policies() const override { return hooks_; }

  std::map<std::string, runtime::ChannelAdapterHandle, std::less<>> adapters_;
  std::vector<std::unique_ptr<runtime::PolicyPlugin>> policy_plugins_;
  std::vector<PolicyHook*> hooks_;
};

}  // namespace

std::expected<LoadedPlugins, ConfigError> load_plugins(const Scenario& scenario,
                                                       const std::vector<std::filesystem::path>& directories,
                                                       const Clock& clock, SessionLookup sessions,
                                                       PluginLog log) {
  auto plugins = std::make_unique<RuntimePlugins>();
  LoadedPlugins out;
  if (scenario.adapters_used().empty() && scenario.policies.empty()) {
    out.plugins = std::move(plugins);
    return out;
  }
  runtime::HostOptions host;
  host.clock = &clock;
  host.log = [log = std::move(log)](runtime::LogLevel level, std::string_view plugin, std::string_view message) {
    if (log) log(static_cast<int>(level), plugin, message);  // else their chatter stays out of the view
  };
  runtime::PluginLoader loader(host);
  const std::vector<std::filesystem::path> search =
      directories.empty() ? runtime::plugin_search_path() : directories;
  std::string looked_in;
  for (const auto& dir : search) {
    looked_in += (looked_in.empty() ? "" : ", ") + dir.string();
    auto report = loader.load_directory(dir);
    if (!report) continue;
    for (const runtime::LoadError& e : report->refused) out.notes.push_back("plugin refused: " + e.message());
  }
  auto not_found = [&](const std::string& name) {
    return std::unexpected(runtime::PluginError{name, OMNI_OK, "not found in " + looked_in,
                                                runtime::PluginErrorKind::not_loaded});
  };

  for (const std::string& name : scenario.adapters_used()) {
    auto config = scenario.adapter_configs.find(name);
    auto handle = loader.find(name)
                      ? loader.create_adapter(name, config == scenario.adapter_configs.end() ? "" : config->second)
                      : not_found(name);
    if (handle) {
      plugins->adapters_.emplace(name, std::move(*handle));
      continue;
    }
    if (config != scenario.adapter_configs.end() && handle.error().kind != runtime::PluginErrorKind::not_loaded) {
      return std::unexpected(ConfigError{"adapters." + name, handle.error().text()});
    }
    for (const ArrivalStream& a : scenario.arrivals) {
      if (a.adapter == name && !a.replay_file.empty()) {
        return std::unexpected(ConfigError{a.path + ".adapter", "channel adapter plugin \"" + name +
                                                                    "\" unavailable: " + handle.error().message});
      }
    }
    out.notes.push_back("adapter \"" + name + "\" unavailable (" + handle.error().message +
                        "): its arrivals are submitted directly");
  }
  for (const auto& [name, settings] : scenario.policies) {
    auto policy = loader.find(name) ? loader.create_policy(name, settings, sessions) : not_found(name);
    if (!policy) {
      if (auto failed = policy_unavailable(scenario, name, policy.error().text(), out.notes); !failed) {
        return std::unexpected(failed.error());
      }
      continue;
    }
    plugins->hooks_.push_back(policy->get());
    plugins->policy_plugins_.push_back(std::move(*policy));
  }
  out.plugins = std::move(plugins);
  return out;
}

}  // namespace omni::sim::internal
