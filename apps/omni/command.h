// Sub-commands of the `omni` CLI register themselves: each cmd_*.cc defines one static
// CommandRegistrar, so adding a command touches no other file.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace omni::cli {

using CommandSetup = void (*)(CLI::App& root);

struct CommandRegistrar {
  explicit CommandRegistrar(CommandSetup setup);
};

// What --plugins means in every command: repeatable, each value one directory or a ':'-separated
// list like OMNI_PLUGIN_PATH. None = $OMNI_PLUGIN_PATH, else <dir of omni>/../lib/omnikernel/plugins.
inline constexpr const char* kPluginsHelp =
    "Plugin directories: repeat the option or separate them with ':' (default: $OMNI_PLUGIN_PATH, "
    "else <dir of omni>/../lib/omnikernel/plugins)";
[[nodiscard]] std::vector<std::filesystem::path> plugin_directories(const std::vector<std::string>& values);
// Adds --plugins to `command`: one value per occurrence (so that a positional argument after it
// stays positional), every occurrence kept.
CLI::Option* add_plugins_option(CLI::App& command, std::vector<std::string>& values);

}  // namespace omni::cli
