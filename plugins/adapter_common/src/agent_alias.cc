#include "omnikernel/adapters/agent_alias.h"

#include <cstring>

namespace omni::adapters {

size_t apply_alias(std::string_view alias, std::string_view text, char* out,
                   size_t out_size) noexcept {
  const auto pieces = aliased_text(alias, text);
  size_t needed = 0;
  for (auto piece : pieces) needed += piece.size();
  if (needed > out_size || out == nullptr) return needed;
  for (auto piece : pieces) {
    if (piece.empty()) continue;
    std::memcpy(out, piece.data(), piece.size());
    out += piece.size();
  }
  return needed;
}

}  // namespace omni::adapters
