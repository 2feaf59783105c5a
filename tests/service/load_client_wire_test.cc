// `omni load`'s own WebSocket framing and HTTP response heads (service/src/load_client_wire.h):
// what its clients read from the service arrives split and batched at any byte.
#include <gtest/gtest.h>

#include <string>

#include "load_client_wire.h"

namespace omni::service::testing {
namespace {

using wire::Decoded;
using wire::Frame;
using wire::Opcode;

Decoded decode(std::string& bytes, Frame& frame, size_t from = 0) {
  return wire::decode_frame({bytes.data() + from, bytes.size() - from}, frame);
}

TEST(LoadClientWire, ServerFramesOfEveryLengthEncodingDecode) {
  for (const size_t length : {size_t{0}, size_t{125}, size_t{126}, size_t{65535}, size_t{65536}, size_t{200000}}) {
    const std::string payload(length, 'x');
    std::string bytes;
    wire::append_frame(bytes, Opcode::text, payload, std::nullopt);
    EXPECT_EQ(bytes.size(), length + (length < 126 ? 2 : length <= 65535 ? 4 : 10)) << length;
    Frame frame;
    ASSERT_EQ(decode(bytes, frame), Decoded::frame) << length;
    EXPECT_EQ(frame.opcode, Opcode::text);
    EXPECT_TRUE(frame.fin);
    EXPECT_FALSE(frame.masked);
    EXPECT_EQ(frame.payload, payload);
    EXPECT_EQ(frame.size, bytes.size());
  }
}

TEST(LoadClientWire, EveryPrefixOfAFrameIsIncomplete) {
  for (const size_t length : {size_t{5}, size_t{300}, size_t{70000}}) {
    std::string bytes;
    wire::append_frame(bytes, Opcode::text, std::string(length, 'y'), std::nullopt);
    Frame frame;
    for (size_t cut = 0; cut < bytes.size(); cut += cut < 16 ? 1 : 997) {
      std::string prefix = bytes.substr(0, cut);
      EXPECT_EQ(decode(prefix, frame), Decoded::incomplete) << length << " cut at " << cut;
    }
  }
}

TEST(LoadClientWire, TwoFramesInOneBufferDecodeOneAfterTheOther) {
  std::string bytes;
  wire::append_frame(bytes, Opcode::text, R"({"type":"offer"})", std::nullopt);
  wire::append_frame(bytes, Opcode::ping, "p", std::nullopt);
  bytes += bytes.substr(0, 3);  // and the start of a third
  Frame frame;
  ASSERT_EQ(decode(bytes, frame), Decoded::frame);
  EXPECT_EQ(frame.payload, R"({"type":"offer"})");
  size_t at = frame.size;
  ASSERT_EQ(decode(bytes, frame, at), Decoded::frame);
  EXPECT_EQ(frame.opcode, Opcode::ping);
  EXPECT_EQ(frame.payload, "p");
  at += frame.size;
  EXPECT_EQ(decode(bytes, frame, at), Decoded::incomplete);
}

TEST(LoadClientWire, ClientFramesAreMaskedAndUnmaskBack) {
  // The accept and the close of one offer, back to back in one write.
  const std::string accept = R"({"op":"accept","item":"it-1"})", close = R"({"op":"close","item":"it-1"})";
  std::string bytes;
  wire::append_frame(bytes, Opcode::text, accept, 0xA1B2C3D4);
  wire::append_frame(bytes, Opcode::text, close, 0xA1B2C3D4);
  EXPECT_EQ(bytes.find("accept"), std::string::npos);  // masked on the wire
  EXPECT_EQ(static_cast<uint8_t>(bytes[1]), 0x80 | accept.size());
  EXPECT_EQ(bytes.substr(2, 4), "\xA1\xB2\xC3\xD4");
  Frame frame;
  ASSERT_EQ(decode(bytes, frame), Decoded::frame);
  EXPECT_TRUE(frame.masked);
  EXPECT_EQ(frame.payload, accept);
  const size_t at = frame.size;
  ASSERT_EQ(decode(bytes, frame, at), Decoded::frame);
  EXPECT_EQ(frame.payload, close);
  EXPECT_EQ(at + frame.size, bytes.size());
  // A 16-bit length, masked: the key follows the extended length.
  const std::string long_text(1000, 'z');
  bytes.clear();
  wire::append_frame(bytes, Opcode::text, long_text, 0x01020304);
  ASSERT_EQ(decode(bytes, frame), Decoded::frame);
  EXPECT_EQ(frame.payload, long_text);
}

TEST(LoadClientWire, FragmentsAndMalformedFrames) {
  std::string first = "\x01\x03" "abc";  // text, not final
  Frame frame;
  ASSERT_EQ(decode(first, frame), Decoded::frame);
  EXPECT_FALSE(frame.fin);
  std::string reserved("\xC1\x00", 2);  // RSV1 without an extension
  EXPECT_EQ(decode(reserved, frame), Decoded::malformed);
  std::string unknown("\x83\x00", 2);  // opcode 3
  EXPECT_EQ(decode(unknown, frame), Decoded::malformed);
  std::string fragmented_ping("\x09\x00", 2);
  EXPECT_EQ(decode(fragmented_ping, frame), Decoded::malformed);
  std::string long_ping = std::string("\x89\x7E\x00\x80", 4) + std::string(128, 'p');
  EXPECT_EQ(decode(long_ping, frame), Decoded::malformed);
  std::string huge = std::string("\x81\x7F\x7F\xFF\xFF\xFF\xFF\xFF\xFF\xFF", 10);
  EXPECT_EQ(decode(huge, frame), Decoded::malformed);
}

TEST(LoadClientWire, ResponseHeadsWithTheirBodies) {
  const std::string ok = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: 2\r\n\r\n{}";
  for (size_t cut = 0; cut < ok.size(); ++cut) EXPECT_FALSE(wire::parse_response(ok.substr(0, cut))) << cut;
  const auto head = wire::parse_response(ok + "HTTP/1.1 4");  // and the start of the next
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->size, ok.size());
  const auto empty = wire::parse_response("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 401);
  EXPECT_EQ(wire::parse_response("garbage\r\n\r\n")->status, 0);
  EXPECT_EQ(wire::parse_response("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n")->status, 0);
  EXPECT_EQ(wire::parse_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")->status, 0);
}

}  // namespace
}  // namespace omni::service::testing
