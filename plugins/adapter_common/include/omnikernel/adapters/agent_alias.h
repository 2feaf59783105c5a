// The agent alias (presence configuration, "enhanced messaging"): customers see the alias, never
// the agent's real name. Free-form text goes out as "Alias: text"; templates are sent untouched
// (their approved wording cannot change).
#pragma once
#include <cstddef>
#include <string_view>

namespace omni::adapters {

// Writes the aliased text into `out` (capacity `out_size`). Returns the number of bytes written,
// or the size needed when `out_size` is too small (then `out` is left untouched). An empty alias
// leaves the text unchanged.
[[nodiscard]] size_t apply_alias(std::string_view alias, std::string_view text, char* out,
                                 size_t out_size) noexcept;

}  // namespace omni::adapters
