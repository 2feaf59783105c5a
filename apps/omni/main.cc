// omni — the command-line host of omnikernel. Each sub-command lives in its own cmd_*.cc.
#include <cstdio>
#include <exception>
#include <vector>

#include "command.h"

namespace omni::cli {
namespace {
std::vector<CommandSetup>& registry() {
  static std::vector<CommandSetup> commands;
  return commands;
}
}  // namespace

CommandRegistrar::CommandRegistrar(CommandSetup setup) { registry().push_back(setup); }

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
