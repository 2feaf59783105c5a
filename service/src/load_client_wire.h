// The bytes `omni load`'s clients write and read without Beast: WebSocket frames (RFC 6455) and
// the head of an HTTP/1.1 response. Pure functions over buffers, so the load generator's socket
// loop stays small and the framing is tested on its own (tests/service/load_client_wire_test.cc).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace omni::service::wire {

enum class Opcode : uint8_t { continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA };

// Appends one final frame. Clients must mask (RFC 6455 5.3); servers must not (mask nullopt).
void append_frame(std::string& out, Opcode opcode, std::string_view payload, std::optional<uint32_t> mask);

enum class Decoded : uint8_t { frame, incomplete, malformed };

struct Frame {
  Opcode opcode = Opcode::text;
  bool fin = true;
  bool masked = false;
  std::string_view payload;  // into the decoded buffer, unmasked
  size_t size = 0;           // header and payload: the bytes to consume
};

// Decodes the frame at the front of `data`, unmasking its payload in place. Malformed: reserved
// bits or opcodes, a fragmented or long control frame, or a payload over `max_payload`.
Decoded decode_frame(std::span<char> data, Frame& frame, uint64_t max_payload = uint64_t{1} << 24);

struct ResponseHead {
  int status = 0;
  size_t size = 0;  // the head and its Content-Length body: the bytes of the whole response
};

// The response at the front of `data`: nullopt while incomplete; status 0 when malformed (no
// status line, an unreadable Content-Length, or a chunked body, which the service never sends).
std::optional<ResponseHead> parse_response(std::string_view data);

}  // namespace omni::service::wire
