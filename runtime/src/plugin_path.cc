#include "omnikernel/runtime/plugin_path.h"

#include <cstdlib>
#include <string_view>
#include <system_error>

#define BOOST_DLL_USE_STD_FS
#include <boost/dll/runtime_symbol_info.hpp>

#include "omnikernel/runtime/plugin_path.h"

namespace omni::runtime {

#ifndef OMNI_INSTALL_PLUGIN_DIR
#define OMNI_INSTALL_PLUGIN_DIR "lib/omnikernel/plugins"
#endif

std::filesystem::path default_plugin_directory() {
  std::error_code ec;
  std::filesystem::path exe = boost::dll::program_location(ec);
  if (ec) return {};
  std::filesystem::path prefix = exe.parent_path() / "..";
  // The build tree always uses lib/; an install under /usr may use a multiarch libdir.
  std::filesystem::path build_tree = (prefix / "lib" / "omnikernel" / "plugins").lexically_normal();
  std::filesystem::path installed = (prefix / OMNI_INSTALL_PLUGIN_DIR).lexically_normal();
  if (!std::filesystem::is_directory(build_tree, ec) && std::filesystem::is_directory(installed, ec))
    return installed;
  return build_tree;
}

std::vector<std::filesystem::path> split_directory_list(std::string_view rest) {
  std::vector<std::filesystem::path> directories;
  while (!rest.empty()) {
    size_t colon = rest.find(':');
    std::string_view one = rest.substr(0, colon);
    if (!one.empty()) directories.emplace_back(one);
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return directories;
}

std::vector<std::filesystem::path> plugin_search_path(
    const std::vector<std::filesystem::path>& explicit_directories) {
  if (!explicit_directories.empty()) return explicit_directories;
  if (const char* value = std::getenv(kPluginPathVariable); value != nullptr && *value != '\0') {
    auto directories = split_directory_list(value);
    if (!directories.empty()) return directories;
  }
  return {default_plugin_directory()};
}

std::vector<std::filesystem::path> plugin_search_path(
    const std::optional<std::filesystem::path>& explicit_directory) {
  if (explicit_directory) return {*explicit_directory};
  return plugin_search_path(std::vector<std::filesystem::path>{});
}

}  // namespace omni::runtime
