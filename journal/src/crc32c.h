// CRC32C (Castagnoli), the checksum of every record and snapshot. Written here rather than taken
// from a package: Debian 12 has no small CRC32C library for C++ (libcrc32c is a kernel module
// name; google-crc32c is not packaged), and the SSE4.2 `crc32` instruction makes it ~8 bytes per
// cycle in a few lines. A table-driven fallback serves CPUs without SSE4.2.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace omni::journal::internal {

// Extends `crc` (start from 0) over `bytes`: crc32c(b, crc32c(a)) == crc32c(a ++ b).
[[nodiscard]] uint32_t crc32c(std::span<const std::byte> bytes, uint32_t crc = 0) noexcept;

// The two implementations behind crc32c(), exposed so that tests check both on every machine.
[[nodiscard]] uint32_t crc32c_portable(std::span<const std::byte> bytes, uint32_t crc = 0) noexcept;
[[nodiscard]] bool crc32c_hardware_available() noexcept;
// Precondition: crc32c_hardware_available().
[[nodiscard]] uint32_t crc32c_hardware(std::span<const std::byte> bytes, uint32_t crc = 0) noexcept;

}  // namespace omni::journal::internal
