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
// Adds --journal DIR to `command` — one option for every command that runs the kernel as a
// durable::DurableKernel (`run`, `serve`), with the same name, help and documentation pointer;
// `what` says what this command does with the directory.
CLI::Option* add_journal_option(CLI::App& command, std::string& dir, const std::string& what);

}  // namespace omni::cli
