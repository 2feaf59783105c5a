#include "raw_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace omni::service::testing {

using Clock = std::chrono::steady_clock;

RawConnection::RawConnection(uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd_);
    fd_ = -1;
    return;
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::send(const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

namespace {
// One read of what is available within the deadline: >0 bytes, 0 = closed, -1 = timed out.
ssize_t read_some(int fd, std::string& into, Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  if (left <= 0) return -1;
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left)) <= 0) return -1;
  char buffer[16384];
  const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
  if (n <= 0) return 0;
  into.append(buffer, static_cast<size_t>(n));
  return n;
}
}  // namespace

std::string RawConnection::read_until(const std::string& until, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (until.empty() || pending_.find(until) == std::string::npos) {
    if (read_some(fd_, pending_, deadline) <= 0) break;
  }
  size_t end = until.empty() ? std::string::npos : pending_.find(until);
  end = end == std::string::npos ? pending_.size() : end + until.size();
  std::string out = pending_.substr(0, end);
  pending_.erase(0, end);
  return out;
}

std::string RawConnection::read_exactly(size_t n, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (pending_.size() < n) {
    if (read_some(fd_, pending_, deadline) <= 0) break;
  }
  std::string out = pending_.substr(0, std::min(n, pending_.size()));
  pending_.erase(0, out.size());
  return out;
}

bool RawConnection::closed_within(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const ssize_t n = read_some(fd_, pending_, deadline);
    if (n == 0) return true;
    if (n < 0) return false;
  }
}

RawResponse http_request(uint16_t port, const std::string& method, const std::string& target, const std::string& body,
                         const std::vector<std::pair<std::string, std::string>>& headers) {
  RawConnection c(port);
  RawResponse r;
  if (!c.ok()) return r;
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  c.send(request);
  const std::string head = c.read_until("\r\n\r\n", std::chrono::milliseconds(3000));
  if (head.size() < 12) return r;
  r.status = std::atoi(head.c_str() + 9);
  r.headers = head;
  // Content-Length framing (the server always sends it); read the rest to the close otherwise.
  std::string lower = head;
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const size_t cl = lower.find("content-length:");
  if (cl != std::string::npos) {
    r.body = c.read_exactly(std::strtoul(head.c_str() + cl + 15, nullptr, 10), std::chrono::milliseconds(3000));
  } else {
    r.body = c.read_until({}, std::chrono::milliseconds(3000));
  }
  return r;
}

RawWebSocket::RawWebSocket(uint16_t port, const std::string& target) : connection_(port) {
  if (!connection_.ok()) return;
  connection_.send("GET " + target +
                   " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  const std::string head = connection_.read_until("\r\n\r\n", std::chrono::milliseconds(3000));
  if (head.size() >= 12) status_ = std::atoi(head.c_str() + 9);
}

bool RawWebSocket::send_frame(int opcode, const std::string& payload, bool masked) {
  std::string frame;
  frame += static_cast<char>(0x80 | opcode);
  const char mask_bit = masked ? static_cast<char>(0x80) : 0;
  if (payload.size() < 126) {
    frame += static_cast<char>(mask_bit | static_cast<char>(payload.size()));
  } else if (payload.size() < 65536) {
    frame += static_cast<char>(mask_bit | 126);
    frame += static_cast<char>(payload.size() >> 8);
    frame += static_cast<char>(payload.size() & 0xff);
  } else {
    frame += static_cast<char>(mask_bit | 127);
    for (int i = 7; i >= 0; --i) frame += static_cast<char>((static_cast<uint64_t>(payload.size()) >> (8 * i)) & 0xff);
  }
  const char key[4] = {0x12, 0x34, 0x56, 0x78};
  if (masked) frame.append(key, 4);
  for (size_t i = 0; i < payload.size(); ++i) frame += masked ? static_cast<char>(payload[i] ^ key[i % 4]) : payload[i];
  return connection_.send(frame);
}

WsFrame RawWebSocket::read(std::chrono::milliseconds timeout) {
  WsFrame f;
  const std::string head = connection_.read_exactly(2, timeout);
  if (head.size() < 2) return f;
  uint64_t length = static_cast<uint8_t>(head[1]) & 0x7f;
  if (length == 126) {
    const std::string ext = connection_.read_exactly(2, timeout);
    length = (static_cast<uint8_t>(ext[0]) << 8) | static_cast<uint8_t>(ext[1]);
  } else if (length == 127) {
    const std::string ext = connection_.read_exactly(8, timeout);
    length = 0;
    for (char c : ext) length = (length << 8) | static_cast<uint8_t>(c);
  }
  f.opcode = static_cast<uint8_t>(head[0]) & 0x0f;
  f.payload = connection_.read_exactly(length, timeout);
  return f;
}

std::optional<std::string> RawWebSocket::read_until_contains(const std::string& needle, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    WsFrame f = read(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    if (f.opcode == 1 && f.payload.find(needle) != std::string::npos) return f.payload;
    if (f.opcode == 8 || f.opcode == -1) return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace omni::service::testing
