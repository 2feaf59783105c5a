// CRC32C: published check values, and the SSE4.2 path agreeing with the table path byte for byte
// on every length and alignment a record can have.
#include "crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string_view>
#include <vector>

namespace omni::journal::internal {
namespace {

std::span<const std::byte> bytes_of(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

TEST(Crc32c, MatchesPublishedCheckValues) {
  EXPECT_EQ(crc32c(bytes_of("123456789")), 0xE3069283u);  // the CRC catalogue's check value
  EXPECT_EQ(crc32c_portable(bytes_of("123456789")), 0xE3069283u);
  std::vector<std::byte> zeros(32, std::byte{0});
  EXPECT_EQ(crc32c(zeros), 0x8A9136AAu);  // RFC 3720 B.4, 32 bytes of zeros
  std::vector<std::byte> ones(32, std::byte{0xFF});
  EXPECT_EQ(crc32c(ones), 0x62A8AB43u);   // RFC 3720 B.4, 32 bytes of 0xFF
  EXPECT_EQ(crc32c({}), 0u);
}

TEST(Crc32c, HardwareAndTableAgreeOnEveryLengthAndAlignment) {
  if (!crc32c_hardware_available()) GTEST_SKIP() << "no SSE4.2 on this CPU: only the table path runs";
  std::mt19937 rng(7);
  std::vector<std::byte> buf(600);
  for (auto& b : buf) b = static_cast<std::byte>(rng());
  for (size_t start = 0; start < 9; ++start) {
    for (size_t len = 0; start + len <= buf.size(); len += 1 + len / 16) {
      auto s = std::span<const std::byte>(buf).subspan(start, len);
      ASSERT_EQ(crc32c_hardware(s, 0x1234u), crc32c_portable(s, 0x1234u)) << start << "+" << len;
    }
  }
}

TEST(Crc32c, ExtendsIncrementally) {
  std::string_view all = "the quick brown fox jumps over the lazy dog";
  for (size_t cut = 0; cut <= all.size(); ++cut) {
    uint32_t a = crc32c(bytes_of(all.substr(0, cut)));
    EXPECT_EQ(crc32c(bytes_of(all.substr(cut)), a), crc32c(bytes_of(all)));
  }
}

TEST(Crc32c, DetectsEverySingleBitFlipInARecordSizedBuffer) {
  std::vector<std::byte> buf(120);
  for (size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<std::byte>(i * 13);
  const uint32_t good = crc32c(buf);
  for (size_t i = 0; i < buf.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      buf[i] ^= static_cast<std::byte>(1 << bit);
      ASSERT_NE(crc32c(buf), good) << "byte " << i << " bit " << bit;
      buf[i] ^= static_cast<std::byte>(1 << bit);
    }
  }
}

}  // namespace
}  // namespace omni::journal::internal
