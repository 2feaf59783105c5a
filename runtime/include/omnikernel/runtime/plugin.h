// omni::runtime::Plugin — one plugin library that the loader accepted: its descriptor and its
// vtable, and a reference to the library so that it stays loaded while anything of it is alive.
// Shared (std::shared_ptr<const Plugin>) by the loader and every instance created from it.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "omnikernel/sdk/omni_plugin.h"

namespace omni::runtime {

enum class PluginKind : int32_t {
  channel_adapter = OMNI_PLUGIN_KIND_CHANNEL_ADAPTER,
  policy = OMNI_PLUGIN_KIND_POLICY,
};

[[nodiscard]] std::string_view to_string(PluginKind kind) noexcept;

struct PluginInfo {
  std::string name;
  PluginKind kind = PluginKind::channel_adapter;
  std::string version;       // the plugin's own version
  uint32_t abi_version = 0;  // OMNI_ABI_MAKE_VERSION(major, minor) it was built against
  std::filesystem::path file;

  [[nodiscard]] std::string abi_string() const;  // "1.0"
};

class HostContext;   // log sink and clock shared by the loader and every instance
class LoadedLibrary;  // the dynamic library (Boost.DLL), kept out of this header

class Plugin {
 public:
  Plugin(std::shared_ptr<LoadedLibrary> library, std::shared_ptr<HostContext> host, PluginInfo info,
         const omni_channel_adapter_vtable& adapter, const omni_policy_vtable& policy);

  [[nodiscard]] const PluginInfo& info() const noexcept { return info_; }
  [[nodiscard]] std::string_view name() const noexcept { return info_.name; }
  [[nodiscard]] PluginKind kind() const noexcept { return info_.kind; }

  // The plugin's vtable, widened to this host's size (fields of a newer minor are NULL).
  [[nodiscard]] const omni_channel_adapter_vtable& adapter_vtable() const noexcept { return adapter_; }
  [[nodiscard]] const omni_policy_vtable& policy_vtable() const noexcept { return policy_; }

  [[nodiscard]] const std::shared_ptr<HostContext>& host() const noexcept { return host_; }

 private:
  std::shared_ptr<LoadedLibrary> library_;
  std::shared_ptr<HostContext> host_;
  PluginInfo info_;
  omni_channel_adapter_vtable adapter_{};
  omni_policy_vtable policy_{};
};

// A failure of a call into a plugin instance (create, parse, gate_outbound, check).
struct PluginError {
  std::string plugin;
  omni_status status = OMNI_OK;
  std::string message;

  // "<plugin>: <status>: <message>"
  [[nodiscard]] std::string text() const;
};

[[nodiscard]] std::string_view status_name(omni_status status) noexcept;

// An omni_error with its buffer, for one call into a plugin.
struct ErrorText {
  char text[512];  // not zeroed: hot paths create one per call; `raw.length` says what is valid
  omni_error raw{sizeof(omni_error), 0, text, sizeof text, 0};

  [[nodiscard]] std::string_view view() const noexcept {
    return {text, raw.length < sizeof text ? raw.length : sizeof text - 1};
  }
  [[nodiscard]] PluginError to_error(std::string_view plugin, omni_status status) const {
    return PluginError{std::string(plugin), status, std::string(view())};
  }
};

}  // namespace omni::runtime
