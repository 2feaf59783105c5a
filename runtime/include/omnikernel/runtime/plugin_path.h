// Where hosts look for plugins: an explicit directory (the CLI's --plugins), else the environment
// variable OMNI_PLUGIN_PATH (directories separated by ':'), else <dir of the executable>/../lib/
// omnikernel/plugins, which is right both in the build tree (bin/ next to lib/) and installed.
#pragma once
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

namespace omni::runtime {

inline constexpr const char* kPluginPathVariable = "OMNI_PLUGIN_PATH";

[[nodiscard]] std::vector<std::filesystem::path> plugin_search_path(
    const std::optional<std::filesystem::path>& explicit_directory = std::nullopt);
// Several explicit directories (the CLI's --plugins, repeatable): these when not empty, else as
// above.
[[nodiscard]] std::vector<std::filesystem::path> plugin_search_path(
    const std::vector<std::filesystem::path>& explicit_directories);

// Splits a ':'-separated list of directories (as in OMNI_PLUGIN_PATH), skipping empty entries.
[[nodiscard]] std::vector<std::filesystem::path> split_directory_list(std::string_view list);

// <dir of the running executable>/../lib/omnikernel/plugins, normalized.
[[nodiscard]] std::filesystem::path default_plugin_directory();

}  // namespace omni::runtime
