#include "load_client_wire.h"

#include <algorithm>
#include <cctype>

namespace omni::service::wire {
namespace {

constexpr uint8_t fin_bit = 0x80, reserved_bits = 0x70, mask_bit = 0x80;
constexpr size_t max_body = size_t{1} << 24;  // the service answers webhooks in bytes, not megabytes

void apply_mask(char* data, size_t size, const uint8_t (&key)[4]) {
  for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>(static_cast<uint8_t>(data[i]) ^ key[i % 4]);
}

bool is_known(uint8_t opcode) { return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xA); }

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         });
}

std::optional<size_t> to_size(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.empty() || text.size() > 12) return std::nullopt;
  size_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  return n;
}

}  // namespace

void append_frame(std::string& out, Opcode opcode, std::string_view payload, std::optional<uint32_t> mask) {
  out.push_back(static_cast<char>(fin_bit | static_cast<uint8_t>(opcode)));
  const uint8_t masked = mask ? mask_bit : 0;
  if (payload.size() < 126) {
    out.push_back(static_cast<char>(masked | payload.size()));
  } else if (payload.size() <= 0xFFFF) {
    out.push_back(static_cast<char>(masked | 126));
    for (int shift = 8; shift >= 0; shift -= 8) out.push_back(static_cast<char>(payload.size() >> shift));
  } else {
    out.push_back(static_cast<char>(masked | 127));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(uint64_t{payload.size()} >> shift));
  }
  const size_t at = out.size() + (mask ? 4 : 0);
  if (mask) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(*mask >> shift));
  }
  out.append(payload);
  if (mask) {
    const uint8_t key[4] = {static_cast<uint8_t>(*mask >> 24), static_cast<uint8_t>(*mask >> 16),
                            static_cast<uint8_t>(*mask >> 8), static_cast<uint8_t>(*mask)};
    apply_mask(out.data() + at, payload.size(), key);
  }
}

Decoded decode_frame(std::span<char> data, Frame& frame, uint64_t max_payload) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(data[i]); };
  if (data.size() < 2) return Decoded::incomplete;
  const uint8_t opcode = byte(0) & 0x0F;
  if ((byte(0) & reserved_bits) != 0 || !is_known(opcode)) return Decoded::malformed;
  frame.opcode = static_cast<Opcode>(opcode);
  frame.fin = (byte(0) & fin_bit) != 0;
  frame.masked = (byte(1) & mask_bit) != 0;
  uint64_t length = byte(1) & 0x7F;
  size_t at = 2;
  if (length >= 126) {
    const size_t bytes = length == 126 ? 2 : 8;
    if (data.size() < at + bytes) return Decoded::incomplete;
    length = 0;
    for (size_t i = 0; i < bytes; ++i) length = length << 8 | byte(at + i);
    at += bytes;
  }
  const bool control = opcode >= 0x8;
  if (length > max_payload || (control && (length > 125 || !frame.fin))) return Decoded::malformed;
  uint8_t key[4] = {};
  if (frame.masked) {
    if (data.size() < at + 4) return Decoded::incomplete;
    for (size_t i = 0; i < 4; ++i) key[i] = byte(at + i);
    at += 4;
  }
  if (data.size() - at < length) return Decoded::incomplete;
  if (frame.masked) apply_mask(data.data() + at, length, key);
  frame.payload = std::string_view(data.data() + at, length);
  frame.size = at + length;
  return Decoded::frame;
}

std::optional<ResponseHead> parse_response(std::string_view data) {
  const size_t head_end = data.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return std::nullopt;
  const std::string_view head = data.substr(0, head_end + 2);
  // "HTTP/1.1 200 OK": the status is the three digits after the version.
  if (!head.starts_with("HTTP/1.") || head.size() < 13 || head[8] != ' ') return ResponseHead{};
  const auto status = to_size(head.substr(9, 3));
  if (!status || *status < 100) return ResponseHead{};
  size_t body = 0;
  for (size_t line = head.find("\r\n") + 2; line < head.size();) {
    const size_t end = head.find("\r\n", line);
    const std::string_view field = head.substr(line, end - line);
    if (starts_with_ignoring_case(field, "transfer-encoding:")) return ResponseHead{};
    if (starts_with_ignoring_case(field, "content-length:")) {
      const auto length = to_size(field.substr(15));
      if (!length || *length > max_body) return ResponseHead{};
      body = *length;
    }
    line = end + 2;
  }
  const size_t size = head_end + 4 + body;
  if (data.size() < size) return std::nullopt;
  return ResponseHead{static_cast<int>(*status), size};
}

}  // namespace omni::service::wire
