#include "byte_io.h"

namespace omni::durable::internal {

void ByteWriter::str(std::string_view s) {
  u32(static_cast<uint32_t>(s.size()));
  const auto* p = reinterpret_cast<const std::byte*>(s.data());
  out_.insert(out_.end(), p, p + s.size());
}

uint64_t ByteReader::get(int n) {
  if (failed_ || in_.size() - pos_ < static_cast<size_t>(n)) {
    failed_ = true;
    return 0;
  }
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= uint64_t{static_cast<uint8_t>(in_[pos_ + i])} << (8 * i);
  pos_ += n;
  return v;
}

std::string ByteReader::str() {
  const uint32_t n = u32();
  if (failed_ || left() < n) {
    failed_ = true;
    return {};
  }
  std::string s(reinterpret_cast<const char*>(in_.data() + pos_), n);
  pos_ += n;
  return s;
}

}  // namespace omni::durable::internal
