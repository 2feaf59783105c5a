// omni::runtime::PluginLoader — loads plugin libraries (Boost.DLL) from files or a directory.
//
// Each file is checked step by step, and each failure is a LoadError naming the file and the
// cause: missing, not a shared library, no omni_plugin_entry, another ABI major, a struct from a
// newer minor, a malformed descriptor, an entry that fails, a name already taken. A refused file
// never stops the others. Accepted plugins are shared: a Plugin (and every instance made from
// it) keeps its library loaded after the loader is gone.
//
// Not thread-safe: load from one thread, then share the Plugins (which are immutable).
#pragma once
#include <expected>
#include <filesystem>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "omnikernel/runtime/channel_adapter_handle.h"
#include "omnikernel/runtime/host_context.h"
#include "omnikernel/runtime/load_error.h"
#include "omnikernel/runtime/plugin.h"
#include "omnikernel/runtime/policy_plugin.h"

namespace omni::runtime {

struct LoadReport {
  std::vector<std::shared_ptr<const Plugin>> loaded;
  std::vector<LoadError> refused;
};

class PluginLoader {
 public:
  explicit PluginLoader(HostOptions options = {});

  // Loads one plugin file.
  [[nodiscard]] std::expected<std::shared_ptr<const Plugin>, LoadError> load_file(
      const std::filesystem::path& file);

  // Loads every *.so file of `directory` in name order. Only a missing or unreadable directory
  // is an error; refused files are listed in the report.
  [[nodiscard]] std::expected<LoadReport, LoadError> load_directory(
      const std::filesystem::path& directory);

  [[nodiscard]] std::span<const std::shared_ptr<const Plugin>> plugins() const noexcept {
    return plugins_;
  }
  [[nodiscard]] std::shared_ptr<const Plugin> find(std::string_view name) const noexcept;

  // Instances of a loaded plugin, by name.
  [[nodiscard]] std::expected<ChannelAdapterHandle, PluginError> create_adapter(
      std::string_view name, std::string_view config = {}) const;
  [[nodiscard]] std::expected<std::unique_ptr<PolicyPlugin>, PluginError> create_policy(
      std::string_view name, std::string_view config = {}, SessionSource sessions = {}) const;

 private:
  std::shared_ptr<HostContext> host_;
  std::vector<std::shared_ptr<const Plugin>> plugins_;
};

}  // namespace omni::runtime
