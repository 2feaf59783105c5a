// omni — the command-line host of omnikernel. Each sub-command lives in its own cmd_*.cc.
#include <cstdio>
#include <exception>
#include <vector>

#include "command.h"
#include "omnikernel/runtime/plugin_path.h"

namespace omni::cli {
namespace {
std::vector<CommandSetup>& registry() {
  static std::vector<CommandSetup> commands;
  return commands;
}
}  // namespace

CommandRegistrar::CommandRegistrar(CommandSetup setup) { registry().push_back(setup); }

CLI::Option* add_plugins_option(CLI::App& command, std::vector<std::string>& values) {
  return command.add_option("--plugins", values, kPluginsHelp)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

CLI::Option* add_journal_option(CLI::App& command, std::string& dir, const std::string& what) {
  return command.add_option("--journal", dir,
                            "journal every transition into DIR (docs/OPERATIONS.md): " + what +
                                "; inspect it with `omni journal inspect DIR`");
}

std::vector<std::filesystem::path> plugin_directories(const std::vector<std::string>& values) {
  std::vector<std::filesystem::path> directories;
  for (const std::string& value : values) {
    for (auto& directory : omni::runtime::split_directory_list(value)) directories.push_back(std::move(directory));
  }
  return directories;
}

}  // namespace omni::cli

int main(int argc, char** argv) {
  CLI::App app{"omni — lock-free omni-channel routing kernel: simulate, ingest, inspect plugins"};
  app.require_subcommand(1);
  for (auto setup : omni::cli::registry()) setup(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "omni: %s\n", e.what());
    return 1;
  }
  return 0;
}
