// `omni plugins [DIR...]` (or --plugins DIR, as other commands spell it; each value may be a
// ':'-separated list): lists every plugin of the directories with its name, kind, version and ABI
// version, and every refused file with the reason. Without DIR: $OMNI_PLUGIN_PATH, else
// <dir of omni>/../lib/omnikernel/plugins. Exit status: 0, even when some files are refused (that
// is what the listing is for) unless --strict; 1 when a directory does not exist; 3 with
// --strict when any file was refused (for CI: "every plugin I ship loads").
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "command.h"
#include "omnikernel/runtime/plugin_loader.h"
#include "omnikernel/runtime/plugin_path.h"

namespace {

constexpr int kMissingDirectory = 1;
constexpr int kRefused = 3;

struct PluginsArgs {
  std::vector<std::string> directories;  // positional
  std::vector<std::string> plugins;      // --plugins
  bool strict = false;
};

int list_plugins(const PluginsArgs& args) {
  omni::runtime::PluginLoader loader;
  int status = 0;
  size_t refused = 0;
  std::vector<std::string> values = args.directories;
  values.insert(values.end(), args.plugins.begin(), args.plugins.end());
  for (const auto& dir : omni::runtime::plugin_search_path(omni::cli::plugin_directories(values))) {
    auto report = loader.load_directory(dir);
    if (!report) {
      std::fprintf(stderr, "omni plugins: %s\n", report.error().message().c_str());
      status = kMissingDirectory;
      continue;
    }
    std::printf("%s: %zu loaded, %zu refused\n", dir.string().c_str(), report->loaded.size(),
                report->refused.size());
    for (const auto& plugin : report->loaded) {
      const auto& info = plugin->info();
      std::printf("  %-24s %-16s %-10s ABI %-5s %s\n", info.name.c_str(),
                  std::string(to_string(info.kind)).c_str(), info.version.c_str(),
                  info.abi_string().c_str(), info.file.filename().string().c_str());
    }
    for (const auto& one : report->refused)
      std::printf("  refused  %s: %s: %s\n", one.file.filename().string().c_str(),
                  std::string(to_string(one.kind)).c_str(), one.cause.c_str());
    refused += report->refused.size();
  }
  if (status == 0 && args.strict && refused > 0) {
    std::fprintf(stderr, "omni plugins: %zu file%s refused (--strict)\n", refused, refused == 1 ? "" : "s");
    status = kRefused;
  }
  return status;
}

omni::cli::CommandRegistrar registrar{+[](CLI::App& root) {
  auto* command = root.add_subcommand(
      "plugins", "List the plugins of directories (name, kind, version, ABI) and why any was refused");
  auto args = std::make_shared<PluginsArgs>();
  command->add_option("dir", args->directories, "Plugin directories (as --plugins)");
  omni::cli::add_plugins_option(*command, args->plugins);
  command->add_flag("--strict", args->strict,
                    "exit with status 3 when any file is refused (for CI); by default refusals are "
                    "listed and the status is 0");
  command->callback([args] {
    if (int status = list_plugins(*args); status != 0) throw CLI::RuntimeError(status);
  });
}};

}  // namespace
