// Why a plugin file was refused. Loading never throws: each failure is a LoadError naming the
// file and the cause, and the loader goes on with the next file.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace omni::runtime {

enum class LoadErrorKind : uint8_t {
  not_found,             // no such file or directory
  not_a_shared_library,  // the file exists but is not a loadable shared library (e.g. text)
  load_failed,           // a shared library the dynamic loader refused (missing dependency...)
  no_entry_symbol,       // no exported omni_plugin_entry
  abi_major_mismatch,    // built for another ABI major
  newer_minor,           // a struct larger than this host knows: built against a newer minor
  bad_descriptor,        // the descriptor breaks the ABI (no name, unknown kind, NULL vtable...)
  init_failed,           // omni_plugin_entry returned an error
  duplicate_name,        // another plugin already loaded under this name
};

[[nodiscard]] std::string_view to_string(LoadErrorKind kind) noexcept;

struct LoadError {
  std::filesystem::path file;
  LoadErrorKind kind{};
  std::string cause;  // a sentence: what was found, and what was expected

  // "<file>: <kind>: <cause>"
  [[nodiscard]] std::string message() const;
};

}  // namespace omni::runtime
