#include "omnikernel/runtime/load_error.h"

namespace omni::runtime {

std::string_view to_string(LoadErrorKind kind) noexcept {
  switch (kind) {
    case LoadErrorKind::not_found: return "not found";
    case LoadErrorKind::not_a_shared_library: return "not a shared library";
    case LoadErrorKind::load_failed: return "load failed";
    case LoadErrorKind::no_entry_symbol: return "no entry symbol";
    case LoadErrorKind::abi_major_mismatch: return "ABI major mismatch";
    case LoadErrorKind::newer_minor: return "built against a newer ABI minor";
    case LoadErrorKind::bad_descriptor: return "bad descriptor";
    case LoadErrorKind::init_failed: return "initialization failed";
    case LoadErrorKind::duplicate_name: return "duplicate plugin name";
  }
  return "unknown load error";
}

std::string LoadError::message() const {
  std::string text = file.string();
  text += ": ";
  text += to_string(kind);
  if (!cause.empty()) {
    text += ": ";
    text += cause;
  }
  return text;
}

}  // namespace omni::runtime
