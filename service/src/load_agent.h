// omni load's agents: one WebSocket desktop each, on the client loop (load_client_sockets.h),
// accepting and closing every offer and noting in the tally which message it carried and when.
#pragma once
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "load_client_sockets.h"
#include "load_client_wire.h"
#include "load_tally.h"

namespace omni::service::load {

// The value of `"key":"` … `"` in `text` at or after `from`; npos-safe.
std::string_view string_after(std::string_view text, std::string_view key, size_t& from) {
  const size_t at = text.find(key, from);
  if (at == std::string_view::npos) {
    from = std::string_view::npos;
    return {};
  }
  const size_t begin = at + key.size();
  const size_t end = text.find('"', begin);
  if (end == std::string_view::npos) {
    from = std::string_view::npos;
    return {};
  }
  from = end;
  return text.substr(begin, end - begin);
}

uint64_t to_number(std::string_view digits) {
  uint64_t n = 0;
  for (char c : digits) n = n * 10 + static_cast<uint64_t>(c - '0');
  return n;
}

// One agent's desktop: accepts and closes every offer.
class Agent final : public ClientConnection {
 public:
  Agent(ClientLoop& loop, Shared& shared, uint32_t mask) : ClientConnection(loop), shared_(shared), mask_(mask) {}

  // Blocking, once before the run (bounded by the socket time-outs): connect and upgrade.
  bool open(const sockaddr_in& address, const std::string& name, const std::string& token) {
    if (!upgrade(address, name, token)) {
      close_socket();
      return false;
    }
    fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
    watch(EPOLLIN);
    // What the service sent right after its answer (a hello) is already here, not in the socket.
    on_input(true);
    return fd_ >= 0;
  }

 private:
  bool upgrade(const sockaddr_in& address, const std::string& name, const std::string& token) {
    if (!adopt(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0))) return false;
    const timeval limit{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    if (connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) return false;
    // The key is RFC 6455's sample: the service in this process is the only reader of it.
    out_ = "GET /v1/agents/ws?agent=" + name + "&token=" + token +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    if (!flush() || !sent_all()) return false;
    in_.resize(4096);
    size_t head_end = std::string::npos;
    while (head_end == std::string::npos) {
      const ssize_t n = recv(fd_, in_.data() + in_used_, in_.size() - in_used_, 0);
      if (n <= 0) return false;
      in_used_ += static_cast<size_t>(n);
      head_end = std::string_view(in_.data(), in_used_).find("\r\n\r\n");
      if (head_end == std::string::npos && in_used_ == in_.size()) return false;
    }
    if (!std::string_view(in_.data(), in_used_).starts_with("HTTP/1.1 101 ")) return false;
    consume(head_end + 4);
    return true;
  }

  void on_ready(uint32_t events) override {
    if ((events & EPOLLOUT) && !flush()) return close_socket();
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_input(fill());
  }

  // Every whole frame read, then one send for all the commands they asked for.
  void on_input(bool open) {
    size_t at = 0;
    wire::Frame frame;
    for (;;) {
      const auto decoded = wire::decode_frame({in_.data() + at, in_used_ - at}, frame);
      if (decoded == wire::Decoded::incomplete) break;
      // Servers never mask (RFC 6455 5.1).
      if (decoded == wire::Decoded::malformed || frame.masked) return close_socket();
      if (!on_frame(frame)) {
        flush();
        return close_socket();
      }
      at += frame.size;
    }
    consume(at);
    if (!flush() || !open) close_socket();
  }

  // False when the connection ends: closed by the service, or a protocol error.
  bool on_frame(const wire::Frame& frame) {
    switch (frame.opcode) {
      case wire::Opcode::text:
      case wire::Opcode::binary:
        if (in_message_) return false;
        if (frame.fin) {
          on_message(frame.payload);
        } else {
          message_.assign(frame.payload);
          in_message_ = true;
        }
        return true;
      case wire::Opcode::continuation:
        if (!in_message_) return false;
        message_.append(frame.payload);
        if (frame.fin) {
          in_message_ = false;
          on_message(message_);
        }
        return true;
      case wire::Opcode::ping:
        wire::append_frame(out_, wire::Opcode::pong, frame.payload, mask_);
        return true;
      case wire::Opcode::pong:
        return true;
      case wire::Opcode::close:
        wire::append_frame(out_, wire::Opcode::close, frame.payload.substr(0, 2), mask_);
        return false;
    }
    return false;
  }

  // Scanned, not parsed: the generator's CPU is on the same two cores as the service's. The
  // offer's members are looked up by name, so their order does not matter; within a message
  // `id` comes before `text` (docs/API.md lists them so, and the service writes them so).
  void on_message(std::string_view text) {
    if (text.find(R"("type":"offer")") == std::string_view::npos) return;
    const auto now = since_start_ns(shared_);
    size_t at = 0;
    const std::string_view item = string_after(text, R"("item":")", at);
    at = text.find(R"("messages":[)");
    while (at != std::string_view::npos) {
      const std::string_view id = string_after(text, R"("id":"wamid.load.)", at);
      if (at == std::string_view::npos) break;
      const std::string_view sent = string_after(text, R"("text":")", at);
      if (at == std::string_view::npos) break;
      const uint64_t n = to_number(id);
      if (n < shared_.seen.size() && shared_.seen[n]++ == 0) {
        shared_.ok_and_seen += shared_.answer[n] == answered_ok;
        shared_.latencies_us.push_back(static_cast<double>(now - static_cast<int64_t>(to_number(sent))) / 1000.0);
      }
    }
    shared_.last_offer = SteadyTime::now();
    // Accept then close without waiting for the accept's result, as one write: the service
    // answers each with a result frame, which on_frame reads and ignores.
    command(R"({"op":"accept","item":")", item);
    command(R"({"op":"close","item":")", item);
  }

  void command(std::string_view op, std::string_view item) {
    command_.assign(op).append(item).append("\"}");
    wire::append_frame(out_, wire::Opcode::text, command_, mask_);
  }

  Shared& shared_;
  uint32_t mask_;  // one per connection: RFC 6455 asks for unpredictable keys against proxies, none here
  std::string message_;  // a fragmented message so far
  bool in_message_ = false;
  std::string command_;
};

}  // namespace omni::service::load
