#include "omnikernel/adapters/agent_alias.h"

#include <cstring>

namespace omni::adapters {

size_t apply_alias(std::string_view alias, std::string_view text, char* out,
                   size_t out_size) noexcept {
  constexpr std::string_view kSeparator = ": ";
  const size_t needed = alias.empty() ? text.size() : alias.size() + kSeparator.size() + text.size();
  if (needed > out_size || out == nullptr) return needed;
  char* cursor = out;
  if (!alias.empty()) {
    std::memcpy(cursor, alias.data(), alias.size());
    cursor += alias.size();
    std::memcpy(cursor, kSeparator.data(), kSeparator.size());
    cursor += kSeparator.size();
  }
  if (!text.empty()) std::memcpy(cursor, text.data(), text.size());
  return needed;
}

}  // namespace omni::adapters
