#include "omnikernel/journal/types.h"

namespace omni::journal {

std::string_view to_string(JournalStatus s) noexcept {
  switch (s) {
    case JournalStatus::ok: return "ok";
    case JournalStatus::busy: return "busy";
    case JournalStatus::disk_full: return "disk_full";
    case JournalStatus::io_error: return "io_error";
    case JournalStatus::closed: return "closed";
    case JournalStatus::too_large: return "too_large";
    case JournalStatus::invalid_argument: return "invalid_argument";
  }
  return "unknown";
}

std::string OpenError::message() const {
  std::string m = "journal: " + path.string();
  if (offset != 0) m += " at byte " + std::to_string(offset);
  return m + ": " + reason;
}

}  // namespace omni::journal
