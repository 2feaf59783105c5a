// omni::runtime::Plugin — one plugin library that the loader accepted: its descriptor and its
// vtable, and a reference to the library so that it stays loaded while anything of it is alive.
// Shared (std::shared_ptr<const Plugin>) by the loader and every instance created from it.
#pragma once
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

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
  Plugin(const Plugin&) = delete;  // services_ points back at this object
  Plugin& operator=(const Plugin&) = delete;

  [[nodiscard]] const PluginInfo& info() const noexcept { return info_; }
  [[nodiscard]] std::string_view name() const noexcept { return info_.name; }
  [[nodiscard]] PluginKind kind() const noexcept { return info_.kind; }

  // The plugin's vtable, widened to this host's size (fields of a newer minor are NULL).
  [[nodiscard]] const omni_channel_adapter_vtable& adapter_vtable() const noexcept { return adapter_; }
  [[nodiscard]] const omni_policy_vtable& policy_vtable() const noexcept { return policy_; }

  [[nodiscard]] const std::shared_ptr<HostContext>& host() const noexcept { return host_; }
  // The host services its instances get: the host's, with log lines named after this plugin.
  [[nodiscard]] const omni_host_services* services() const noexcept { return &services_; }

  // For fill_services (host_context.h).
  void log_line(int32_t level, std::string_view message) const noexcept;
  [[nodiscard]] const HostContext& host_context() const noexcept { return *host_; }

 private:
  std::shared_ptr<LoadedLibrary> library_;
  std::shared_ptr<HostContext> host_;
  PluginInfo info_;
  omni_channel_adapter_vtable adapter_{};
  omni_policy_vtable policy_{};
  omni_host_services services_{};
};

enum class PluginErrorKind : uint8_t {
  failed,          // the plugin returned an error status with its message
  invalid_output,  // the host refused what the plugin returned (`field` names it)
  not_loaded,      // no plugin of that name or kind is loaded
};

// A failure of a call into a plugin instance (create, parse, gate_outbound, check). The host
// validates everything a plugin returns at the boundary: a struct of the wrong size, a field out
// of range, an undefined status or an error without a message is an invalid_output error naming
// the plugin and the field, never a crash.
struct PluginError {
  PluginError() = default;
  PluginError(std::string plugin_name, omni_status plugin_status, std::string text,
              PluginErrorKind error_kind = PluginErrorKind::failed, std::string bad_field = {})
      : plugin(std::move(plugin_name)), status(plugin_status), message(std::move(text)),
        kind(error_kind), field(std::move(bad_field)) {}

  std::string plugin;
  omni_status status = OMNI_OK;
  std::string message;
  PluginErrorKind kind = PluginErrorKind::failed;
  std::string field;  // invalid_output: e.g. "omni_inbound_message.customer", "parse() status"

  // "<plugin>: <status>: <message>", or "<plugin>: invalid output: <field>: <message>"
  [[nodiscard]] std::string text() const;
};

[[nodiscard]] std::string_view status_name(omni_status status) noexcept;
// "not a policy plugin" (not_loaded), and "create returned OK but no instance" (invalid_output).
[[nodiscard]] PluginError wrong_kind(const Plugin* plugin, PluginKind wanted);
[[nodiscard]] PluginError no_instance(std::string_view plugin);
// True for the statuses this host's ABI defines (OMNI_OK .. OMNI_ERR_INTERNAL).
[[nodiscard]] bool is_defined_status(omni_status status) noexcept;

// A host-side refusal of a plugin's output, built without allocating (usable in noexcept sinks).
struct InvalidOutput {
  const char* field = nullptr;  // null = nothing wrong
  char why[192] = {};

  [[nodiscard]] explicit operator bool() const noexcept { return field != nullptr; }
  // Records the first violation only; `format` is printf-style.
  template <class... Args>
  void set(const char* bad_field, const char* format, Args... args) noexcept {
    if (field != nullptr) return;
    field = bad_field;
    std::snprintf(why, sizeof why, format, args...);
  }
  [[nodiscard]] PluginError to_error(std::string_view plugin) const {
    return PluginError{std::string(plugin), OMNI_ERR_INTERNAL, why, PluginErrorKind::invalid_output,
                       field};
  }
};

// An omni_error with its buffer, for one call into a plugin.
struct ErrorText {
  char text[512];  // not zeroed: hot paths create one per call; `raw.length` says what is valid
  omni_error raw{sizeof(omni_error), 0, text, sizeof text, 0};

  [[nodiscard]] std::string_view view() const noexcept {
    return {text, raw.length < sizeof text ? raw.length : sizeof text - 1};
  }
  // The error of `call` (e.g. "parse") that returned `status` != OMNI_OK: the plugin's message,
  // or an invalid_output error when the status is undefined or comes without a message.
  [[nodiscard]] PluginError to_error(std::string_view plugin, std::string_view call,
                                     omni_status status) const;
};

}  // namespace omni::runtime
