#include "omnikernel/runtime/plugin.h"

#include <utility>

#include "omnikernel/runtime/host_context.h"
#include "loaded_library.h"

namespace omni::runtime {

std::string_view to_string(PluginKind kind) noexcept {
  switch (kind) {
    case PluginKind::channel_adapter: return "channel_adapter";
    case PluginKind::policy: return "policy";
  }
  return "unknown";
}

std::string PluginInfo::abi_string() const {
  return std::to_string(OMNI_ABI_VERSION_MAJOR_OF(abi_version)) + "." +
         std::to_string(OMNI_ABI_VERSION_MINOR_OF(abi_version));
}

Plugin::Plugin(std::shared_ptr<LoadedLibrary> library, std::shared_ptr<HostContext> host,
               PluginInfo info, const omni_channel_adapter_vtable& adapter,
               const omni_policy_vtable& policy)
    : library_(std::move(library)), host_(std::move(host)), info_(std::move(info)),
      adapter_(adapter), policy_(policy) {
  fill_services(services_, this);
}

void Plugin::log_line(int32_t level, std::string_view message) const noexcept {
  host_->log(level, info_.name, message);
}

std::string_view status_name(omni_status status) noexcept {
  switch (status) {
    case OMNI_OK: return "ok";
    case OMNI_ERR_INVALID_ARGUMENT: return "invalid argument";
    case OMNI_ERR_CONFIG: return "invalid config";
    case OMNI_ERR_MALFORMED_PAYLOAD: return "malformed payload";
    case OMNI_ERR_BUFFER_TOO_SMALL: return "buffer too small";
    case OMNI_ERR_ABI_MISMATCH: return "ABI mismatch";
    case OMNI_ERR_UNSUPPORTED: return "unsupported";
    case OMNI_ERR_OUT_OF_MEMORY: return "out of memory";
    case OMNI_ERR_ABORTED: return "aborted";
    case OMNI_ERR_INTERNAL: return "internal error";
    default: return "unknown status";
  }
}

PluginError wrong_kind(const Plugin* plugin, PluginKind wanted) {
  return PluginError{plugin ? std::string(plugin->name()) : std::string("(none)"),
                     OMNI_ERR_INVALID_ARGUMENT,
                     "not a " + std::string(to_string(wanted)) + " plugin",
                     PluginErrorKind::not_loaded};
}

PluginError no_instance(std::string_view plugin) {
  return PluginError{std::string(plugin), OMNI_ERR_INTERNAL, "returned OK but no instance",
                     PluginErrorKind::invalid_output, "create() instance"};
}

bool is_defined_status(omni_status status) noexcept {
  return status >= OMNI_OK && status <= OMNI_ERR_INTERNAL;
}

std::string PluginError::text() const {
  std::string out = plugin;
  if (kind == PluginErrorKind::invalid_output) {
    out += ": invalid output: ";
    out += field;
  } else {
    out += ": ";
    out += status_name(status);
  }
  if (!message.empty()) {
    out += ": ";
    out += message;
  }
  return out;
}

PluginError ErrorText::to_error(std::string_view plugin, std::string_view call,
                                omni_status status) const {
  std::string name(call);
  if (!is_defined_status(status))
    return PluginError{std::string(plugin), status,
                       "returned " + std::to_string(status) + ", which no ABI " +
                           std::to_string(OMNI_ABI_VERSION_MAJOR) + "." +
                           std::to_string(OMNI_ABI_VERSION_MINOR) + " status is",
                       PluginErrorKind::invalid_output, name + "() status"};
  if (view().empty())
    return PluginError{std::string(plugin), status,
                       "returned " + std::string(status_name(status)) + " without a message",
                       PluginErrorKind::invalid_output, name + "() omni_error.message"};
  return PluginError{std::string(plugin), status, std::string(view())};
}

}  // namespace omni::runtime
