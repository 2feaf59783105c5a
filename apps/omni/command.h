// Sub-commands of the `omni` CLI register themselves: each cmd_*.cc defines one static
// CommandRegistrar, so adding a command touches no other file.
#pragma once
#include <CLI/CLI.hpp>

namespace omni::cli {

using CommandSetup = void (*)(CLI::App& root);

struct CommandRegistrar {
  explicit CommandRegistrar(CommandSetup setup);
};

}  // namespace omni::cli
