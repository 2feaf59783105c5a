// Plain POSIX-socket HTTP and WebSocket clients for the socket tests: they send exactly the bytes
// a test wants (slow, oversized, garbage), which a full client library would not let through.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace omni::service::testing {

class RawConnection {
 public:
  explicit RawConnection(uint16_t port);  // connects to 127.0.0.1:port; ok() says whether it did
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  [[nodiscard]] bool ok() const { return fd_ >= 0; }
  bool send(const std::string& bytes);
  // Reads what arrives until `until` is in the received bytes, the peer closes, or the time-out.
  std::string read_until(const std::string& until, std::chrono::milliseconds timeout);
  // Reads exactly n bytes (or fewer on close / time-out).
  std::string read_exactly(size_t n, std::chrono::milliseconds timeout);
  // True when the peer closed the connection within `timeout`.
  bool closed_within(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  std::string pending_;  // received, not yet returned
};

struct RawResponse {
  int status = 0;  // 0 = no response
  std::string headers;
  std::string body;
};

// One request on a fresh connection (Connection: close); reads the whole response.
RawResponse http_request(uint16_t port, const std::string& method, const std::string& target,
                         const std::string& body = {},
                         const std::vector<std::pair<std::string, std::string>>& headers = {});

struct WsFrame {
  int opcode = -1;  // 1 text, 2 binary, 8 close; -1 nothing arrived
  std::string payload;
  [[nodiscard]] int close_code() const {
    return opcode == 8 && payload.size() >= 2
               ? (static_cast<uint8_t>(payload[0]) << 8) | static_cast<uint8_t>(payload[1])
               : -1;
  }
};

class RawWebSocket {
 public:
  // Opens `target` (path and query); status() is the HTTP status of the upgrade (101 on success).
  RawWebSocket(uint16_t port, const std::string& target);
  [[nodiscard]] int status() const { return status_; }
  bool send_text(const std::string& text) { return send_frame(1, text); }
  bool send_frame(int opcode, const std::string& payload, bool masked = true);
  bool send_raw(const std::string& bytes) { return connection_.send(bytes); }
  WsFrame read(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  // True when the server ended the TCP connection within `timeout` (what arrives meanwhile is dropped).
  bool closed_within(std::chrono::milliseconds timeout) { return connection_.closed_within(timeout); }
  // Reads text frames until one contains `needle`; nullopt on time-out or close.
  std::optional<std::string> read_until_contains(const std::string& needle,
                                                 std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

 private:
  RawConnection connection_;
  int status_ = 0;
};

}  // namespace omni::service::testing
