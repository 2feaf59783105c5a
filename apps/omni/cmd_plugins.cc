// `omni plugins [DIR]` (or --plugins DIR, as other commands spell it): lists every plugin of a directory with its name, kind, version and ABI
// version, and every refused file with the reason. Without DIR: $OMNI_PLUGIN_PATH, else
// <dir of omni>/../lib/omnikernel/plugins. Exit status: 0 even when some files are refused (that
// is what the listing is for); 1 when a directory does not exist.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "command.h"
#include "omnikernel/runtime/plugin_loader.h"
#include "omnikernel/runtime/plugin_path.h"

namespace {

int list_plugins(const std::optional<std::filesystem::path>& directory) {
  omni::runtime::PluginLoader loader;
  int status = 0;
  for (const auto& dir : omni::runtime::plugin_search_path(directory)) {
    auto report = loader.load_directory(dir);
    if (!report) {
      std::fprintf(stderr, "omni plugins: %s\n", report.error().message().c_str());
      status = 1;
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
    for (const auto& refused : report->refused)
      std::printf("  refused  %s: %s: %s\n", refused.file.filename().string().c_str(),
                  std::string(to_string(refused.kind)).c_str(), refused.cause.c_str());
  }
  return status;
}

omni::cli::CommandRegistrar registrar{+[](CLI::App& root) {
  auto* command = root.add_subcommand(
      "plugins", "List the plugins of a directory (name, kind, version, ABI) and why any was refused");
  auto directory = std::make_shared<std::string>();
  command->add_option("dir,--plugins", *directory,
                      "Plugin directory (default: $OMNI_PLUGIN_PATH, else "
                      "<dir of omni>/../lib/omnikernel/plugins)");
  command->callback([directory] {
    std::optional<std::filesystem::path> explicit_directory;
    if (!directory->empty()) explicit_directory = *directory;
    if (int status = list_plugins(explicit_directory); status != 0) throw CLI::RuntimeError(status);
  });
}};

}  // namespace
