// Little-endian fixed-width encoding for the journal's binary records (event batches, control
// records, snapshots): the format must not depend on the host's byte order or struct layout.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace omni::durable::internal {

class ByteWriter {
 public:
  explicit ByteWriter(std::vector<std::byte>& out) noexcept : out_(out) {}
  void u8(uint8_t v) { out_.push_back(std::byte{v}); }
  void u16(uint16_t v) { put(v, 2); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void i64(int64_t v) { put(static_cast<uint64_t>(v), 8); }
  void str(std::string_view s);  // u32 length + bytes

 private:
  void put(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(std::byte{static_cast<uint8_t>(v >> (8 * i))});
  }
  std::vector<std::byte>& out_;
};

// Reads what ByteWriter wrote. Every read past the end sets failed() and returns zero, so a
// decoder checks once at the end (a truncated payload is an error, never a partial value).
class ByteReader {
 public:
  explicit ByteReader(std::span<const std::byte> in) noexcept : in_(in) {}
  uint8_t u8() { return static_cast<uint8_t>(get(1)); }
  uint16_t u16() { return static_cast<uint16_t>(get(2)); }
  uint32_t u32() { return static_cast<uint32_t>(get(4)); }
  uint64_t u64() { return get(8); }
  int64_t i64() { return static_cast<int64_t>(get(8)); }
  std::string str();
  [[nodiscard]] bool failed() const noexcept { return failed_; }
  [[nodiscard]] size_t left() const noexcept { return in_.size() - pos_; }
  [[nodiscard]] bool at_end() const noexcept { return pos_ == in_.size(); }

 private:
  uint64_t get(int n);
  std::span<const std::byte> in_;
  size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace omni::durable::internal
