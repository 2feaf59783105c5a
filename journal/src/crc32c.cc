#include "crc32c.h"

#include <array>
#include <cstring>

namespace omni::journal::internal {
namespace {

constexpr uint32_t kPolynomial = 0x82F63B78u;  // CRC32C, reflected

constexpr std::array<uint32_t, 256> make_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? (c >> 1) ^ kPolynomial : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr auto kTable = make_table();

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t crc32c_sse42(const unsigned char* p, size_t n,
                                                         uint32_t crc) noexcept {
  uint64_t c = ~crc;
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    c = __builtin_ia32_crc32di(c, word);
    p += 8;
    n -= 8;
  }
  auto c32 = static_cast<uint32_t>(c);
  while (n > 0) {
    c32 = __builtin_ia32_crc32qi(c32, *p++);
    --n;
  }
  return ~c32;
}
#endif

// Decided once: the CPU does not change under a running process.
const bool kHardware = [] {
#if defined(__x86_64__)
  return __builtin_cpu_supports("sse4.2") != 0;
#else
  return false;
#endif
}();

}  // namespace

uint32_t crc32c_portable(std::span<const std::byte> bytes, uint32_t crc) noexcept {
  uint32_t c = ~crc;
  for (std::byte b : bytes) c = kTable[(c ^ static_cast<uint32_t>(b)) & 0xFFu] ^ (c >> 8);
  return ~c;
}

bool crc32c_hardware_available() noexcept { return kHardware; }

uint32_t crc32c_hardware(std::span<const std::byte> bytes, uint32_t crc) noexcept {
#if defined(__x86_64__)
  return crc32c_sse42(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), crc);
#else
  return crc32c_portable(bytes, crc);
#endif
}

uint32_t crc32c(std::span<const std::byte> bytes, uint32_t crc) noexcept {
  return kHardware ? crc32c_hardware(bytes, crc) : crc32c_portable(bytes, crc);
}

}  // namespace omni::journal::internal
