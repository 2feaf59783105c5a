#include "omnikernel/runtime/plugin_loader.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <string>
#include <system_error>
#include <utility>

#include "loaded_library.h"

namespace omni::runtime {
namespace fs = std::filesystem;
namespace {

// The bytes every ABI 1.0 struct has: a reader refuses anything shorter.
constexpr size_t kDescriptorV1 = offsetof(omni_plugin_descriptor, vtable) + sizeof(void*);
constexpr size_t kAdapterVtableV1 =
    offsetof(omni_channel_adapter_vtable, gate_outbound) + sizeof(void*);
constexpr size_t kPolicyVtableV1 = offsetof(omni_policy_vtable, check) + sizeof(void*);

std::string abi_text(uint32_t version) {
  return std::to_string(OMNI_ABI_VERSION_MAJOR_OF(version)) + "." +
         std::to_string(OMNI_ABI_VERSION_MINOR_OF(version));
}

LoadError refuse(const fs::path& file, LoadErrorKind kind, std::string cause) {
  return LoadError{file, kind, std::move(cause)};
}

bool starts_with_elf_magic(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  char magic[4] = {};
  in.read(magic, sizeof magic);
  return in.gcount() == 4 && std::memcmp(magic, "\x7f" "ELF", 4) == 0;
}

// Names are what users type (omni ingest --channel NAME): keep them plain.
bool valid_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
                  c == '.';
         });
}

// Reads a plugin-owned struct that starts with struct_size into a zeroed host-sized copy: fields
// an older minor lacks stay NULL. The caller has already refused sizes larger than ours.
template <class Struct>
Struct widen(const void* source) {
  Struct copy{};
  uint32_t size = 0;
  std::memcpy(&size, source, sizeof size);
  std::memcpy(&copy, source, std::min<size_t>(size, sizeof copy));
  return copy;
}

std::expected<std::shared_ptr<LoadedLibrary>, LoadError> open_library(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::unexpected(refuse(file, LoadErrorKind::not_found, "no such file"));
  if (!fs::is_regular_file(file, ec))
    return std::unexpected(refuse(file, LoadErrorKind::not_a_shared_library, "not a regular file"));
  boost::dll::shared_library library;
  // rtld_now: an unresolved symbol is refused here, not when a hot path first calls it.
  // rtld_local: two plugins never see each other's symbols.
  library.load(fs::absolute(file, ec),
               boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
  if (ec) {
    const char* detail = ::dlerror();  // Boost.DLL leaves the dynamic loader's reason here
    std::string cause = detail != nullptr ? detail : ec.message();
    if (!starts_with_elf_magic(file))
      return std::unexpected(refuse(file, LoadErrorKind::not_a_shared_library,
                                    "no ELF header (" + cause + ")"));
    return std::unexpected(refuse(file, LoadErrorKind::load_failed, cause));
  }
  return std::make_shared<LoadedLibrary>(std::move(library));
}

std::expected<std::shared_ptr<const Plugin>, LoadError> open_plugin(
    const fs::path& file, const std::shared_ptr<HostContext>& host) {
  auto library = open_library(file);
  if (!library) return std::unexpected(library.error());
  boost::dll::shared_library& dll = (*library)->get();
  if (!dll.has(OMNI_PLUGIN_ENTRY_SYMBOL))
    return std::unexpected(refuse(file, LoadErrorKind::no_entry_symbol,
                                  "the library exports no " OMNI_PLUGIN_ENTRY_SYMBOL
                                  " (is it a plugin? built with OMNI_PLUGIN()?)"));
  auto entry = dll.get<omni_status(const omni_host_services*, uint32_t, omni_plugin_descriptor*,
                                   omni_error*)>(OMNI_PLUGIN_ENTRY_SYMBOL);

  omni_plugin_descriptor descriptor{};
  descriptor.struct_size = sizeof descriptor;
  ErrorText error;
  omni_status status = entry(host->services(), OMNI_ABI_VERSION, &descriptor, &error.raw);
  if (status == OMNI_ERR_ABI_MISMATCH)
    return std::unexpected(refuse(file, LoadErrorKind::abi_major_mismatch,
                                  "the plugin refused this host's ABI " + abi_text(OMNI_ABI_VERSION) +
                                      ": " + std::string(error.view())));
  if (status != OMNI_OK)
    return std::unexpected(refuse(file, LoadErrorKind::init_failed,
                                  std::string(OMNI_PLUGIN_ENTRY_SYMBOL) + " returned " +
                                      std::string(status_name(status)) + ": " +
                                      std::string(error.view())));

  // The first two fields (struct_size, abi_version) are frozen across majors: check the major
  // before trusting any other field's layout.
  uint32_t plugin_major = OMNI_ABI_VERSION_MAJOR_OF(descriptor.abi_version);
  if (plugin_major != OMNI_ABI_VERSION_MAJOR)
    return std::unexpected(refuse(file, LoadErrorKind::abi_major_mismatch,
                                  "built for ABI " + abi_text(descriptor.abi_version) +
                                      ", this host speaks ABI " + abi_text(OMNI_ABI_VERSION)));
  if (descriptor.struct_size > sizeof descriptor)
    return std::unexpected(refuse(
        file, LoadErrorKind::newer_minor,
        "omni_plugin_descriptor is " + std::to_string(descriptor.struct_size) +
            " bytes, this host (ABI " + abi_text(OMNI_ABI_VERSION) + ") knows " +
            std::to_string(sizeof descriptor) + " (plugin says ABI " +
            abi_text(descriptor.abi_version) + ")"));
  if (descriptor.struct_size < kDescriptorV1)
    return std::unexpected(refuse(file, LoadErrorKind::bad_descriptor,
                                  "omni_plugin_descriptor is " +
                                      std::to_string(descriptor.struct_size) +
                                      " bytes, ABI 1.0 needs " + std::to_string(kDescriptorV1)));
  if (descriptor.name == nullptr || !valid_name(descriptor.name))
    return std::unexpected(refuse(file, LoadErrorKind::bad_descriptor,
                                  "the plugin name must be 1-64 characters of [a-z0-9_.-], got \"" +
                                      std::string(descriptor.name ? descriptor.name : "(null)") +
                                      "\""));
  if (descriptor.version == nullptr)
    return std::unexpected(
        refuse(file, LoadErrorKind::bad_descriptor, "the plugin has no version string"));
  if (descriptor.vtable == nullptr)
    return std::unexpected(refuse(file, LoadErrorKind::bad_descriptor, "the vtable is NULL"));

  uint32_t vtable_size = 0;
  std::memcpy(&vtable_size, descriptor.vtable, sizeof vtable_size);
  omni_channel_adapter_vtable adapter{};
  omni_policy_vtable policy{};
  auto check_vtable_size = [&](const char* type, size_t known,
                               size_t minimum) -> std::optional<LoadError> {
    if (vtable_size > known)
      return refuse(file, LoadErrorKind::newer_minor,
                    std::string(type) + " is " + std::to_string(vtable_size) +
                        " bytes, this host (ABI " + abi_text(OMNI_ABI_VERSION) + ") knows " +
                        std::to_string(known) + " (plugin says ABI " +
                        abi_text(descriptor.abi_version) + ")");
    if (vtable_size < minimum)
      return refuse(file, LoadErrorKind::bad_descriptor,
                    std::string(type) + " is " + std::to_string(vtable_size) +
                        " bytes, ABI 1.0 needs " + std::to_string(minimum));
    return std::nullopt;
  };
  switch (descriptor.kind) {
    case OMNI_PLUGIN_KIND_CHANNEL_ADAPTER: {
      if (auto bad = check_vtable_size("omni_channel_adapter_vtable", sizeof adapter,
                                       kAdapterVtableV1))
        return std::unexpected(*bad);
      adapter = widen<omni_channel_adapter_vtable>(descriptor.vtable);
      if (const char* missing = !adapter.create          ? "create"
                                : !adapter.destroy       ? "destroy"
                                : !adapter.parse         ? "parse"
                                : !adapter.gate_outbound ? "gate_outbound"
                                                         : nullptr)
        return std::unexpected(refuse(file, LoadErrorKind::bad_descriptor,
                                      std::string("omni_channel_adapter_vtable.") + missing +
                                          " is NULL"));
      break;
    }
    case OMNI_PLUGIN_KIND_POLICY: {
      if (auto bad = check_vtable_size("omni_policy_vtable", sizeof policy, kPolicyVtableV1))
        return std::unexpected(*bad);
      policy = widen<omni_policy_vtable>(descriptor.vtable);
      if (const char* missing = !policy.create    ? "create"
                                : !policy.destroy ? "destroy"
                                : !policy.check   ? "check"
                                                  : nullptr)
        return std::unexpected(refuse(file, LoadErrorKind::bad_descriptor,
                                      std::string("omni_policy_vtable.") + missing + " is NULL"));
      break;
    }
    default:
      return std::unexpected(refuse(file, LoadErrorKind::bad_descriptor,
                                    "unknown plugin kind " + std::to_string(descriptor.kind)));
  }

  PluginInfo info{descriptor.name, static_cast<PluginKind>(descriptor.kind), descriptor.version,
                  descriptor.abi_version, file};
  return std::make_shared<const Plugin>(std::move(*library), host, std::move(info), adapter,
                                        policy);
}

}  // namespace

PluginLoader::PluginLoader(HostOptions options)
    : host_(std::make_shared<HostContext>(std::move(options))) {}

std::expected<std::shared_ptr<const Plugin>, LoadError> PluginLoader::load_file(
    const fs::path& file) {
  auto plugin = open_plugin(file, host_);
  if (!plugin) return plugin;
  if (auto existing = find((*plugin)->name()))
    return std::unexpected(refuse(file, LoadErrorKind::duplicate_name,
                                  "a plugin named \"" + std::string((*plugin)->name()) +
                                      "\" is already loaded from " +
                                      existing->info().file.string()));
  plugins_.push_back(*plugin);
  return plugin;
}

std::expected<LoadReport, LoadError> PluginLoader::load_directory(const fs::path& directory) {
  std::error_code ec;
  if (!fs::is_directory(directory, ec))
    return std::unexpected(refuse(directory, LoadErrorKind::not_found, "no such directory"));
  std::vector<fs::path> files;
  for (fs::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".so") files.push_back(it->path());
  if (ec) return std::unexpected(refuse(directory, LoadErrorKind::not_found, ec.message()));
  std::sort(files.begin(), files.end());
  LoadReport report;
  for (const auto& file : files) {
    auto plugin = load_file(file);
    if (plugin)
      report.loaded.push_back(std::move(*plugin));
    else
      report.refused.push_back(std::move(plugin.error()));
  }
  return report;
}

std::shared_ptr<const Plugin> PluginLoader::find(std::string_view name) const noexcept {
  for (const auto& plugin : plugins_)
    if (plugin->name() == name) return plugin;
  return nullptr;
}

std::expected<ChannelAdapterHandle, PluginError> PluginLoader::create_adapter(
    std::string_view name, std::string_view config) const {
  auto plugin = find(name);
  if (!plugin)
    return std::unexpected(PluginError{std::string(name), OMNI_ERR_INVALID_ARGUMENT,
                                       "no plugin of this name is loaded",
                                       PluginErrorKind::not_loaded});
  return ChannelAdapterHandle::create(std::move(plugin), config);
}

std::expected<std::unique_ptr<PolicyPlugin>, PluginError> PluginLoader::create_policy(
    std::string_view name, std::string_view config, SessionSource sessions) const {
  auto plugin = find(name);
  if (!plugin)
    return std::unexpected(PluginError{std::string(name), OMNI_ERR_INVALID_ARGUMENT,
                                       "no plugin of this name is loaded",
                                       PluginErrorKind::not_loaded});
  return PolicyPlugin::create(std::move(plugin), config, std::move(sessions));
}

}  // namespace omni::runtime
