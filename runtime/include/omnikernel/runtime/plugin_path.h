// Where hosts look for plugins: an explicit directory (the CLI's --plugins), else the environment
// variable OMNI_PLUGIN_PATH (directories separated by ':'), else <dir of the executable>/../lib/
// omnikernel/plugins, which is right both in the build tree (bin/ next to lib/) and installed.
#pragma once
#include <filesystem>
#include <optional>
#include <vector>

namespace omni::runtime {

inline constexpr const char* kPluginPathVariable = "OMNI_PLUGIN_PATH";

[[nodiscard]] std::vector<std::filesystem::path> plugin_search_path(
    const std::optional<std::filesystem::path>& explicit_directory = std::nullopt);

// <dir of the running executable>/../lib/omnikernel/plugins, normalized.
[[nodiscard]] std::filesystem::path default_plugin_directory();

}  // namespace omni::runtime
