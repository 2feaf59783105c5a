#pragma once
#include <cstddef>

namespace omni::internal {
// A project constant rather than std::hardware_destructive_interference_size, whose value GCC
// warns may change between compiler versions (it would leak into struct layouts).
inline constexpr std::size_t kCacheLine = 64;
}  // namespace omni::internal
