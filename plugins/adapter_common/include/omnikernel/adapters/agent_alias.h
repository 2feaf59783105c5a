// The agent alias (presence configuration, "enhanced messaging"): customers see the alias, never
// the agent's real name. Free-form text goes out as "Alias: text"; templates are sent untouched
// (their approved wording cannot change).
#pragma once
#include <array>
#include <cstddef>
#include <string_view>

namespace omni::adapters {

// The pieces of the text to send, in order: {alias, ": ", text}, or {"", "", text} when the
// alias is empty. Lets a caller write straight into any output without a temporary.
[[nodiscard]] constexpr std::array<std::string_view, 3> aliased_text(std::string_view alias,
                                                                     std::string_view text) noexcept {
  if (alias.empty()) return {std::string_view{}, std::string_view{}, text};
  return {alias, std::string_view{": "}, text};
}

// Writes the aliased text into `out` (capacity `out_size`). Returns the number of bytes written,
// or the size needed when `out_size` is too small (then `out` is left untouched).
[[nodiscard]] size_t apply_alias(std::string_view alias, std::string_view text, char* out,
                                 size_t out_size) noexcept;

}  // namespace omni::adapters
