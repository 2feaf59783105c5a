// The socket layer of `omni load`'s clients: one level-triggered epoll loop on the client thread
// and the non-blocking connections on it (service/src/load_generator.cc: posters and agents).
// Level-triggered, so a read may stop as soon as recv returns less than it had room for: epoll
// reports the socket again when more comes, and no read per message is spent learning that there
// is nothing more (EAGAIN), as Asio's speculative reads did.
#pragma once
#include <netinet/in.h>
#include <sys/epoll.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace omni::service {

class ClientLoop {
 public:
  ClientLoop();
  ~ClientLoop();
  ClientLoop(const ClientLoop&) = delete;
  ClientLoop& operator=(const ClientLoop&) = delete;

  int fd() const { return fd_; }
  // The events of at most `timeout` (nanoseconds where the kernel has epoll_pwait2); -1 on error.
  int wait(std::span<epoll_event> events, std::chrono::nanoseconds timeout);

 private:
  int fd_;
  bool pwait2_ = true;
};

sockaddr_in loopback(uint16_t port);

// A client socket on the loop, with its input and output buffers. epoll's data is the
// Connection: ready() dispatches to on_ready().
class ClientConnection {
 public:
  explicit ClientConnection(ClientLoop& loop) : loop_(loop) {}
  virtual ~ClientConnection() { close_socket(); }
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;

  void ready(uint32_t events) {
    if (fd_ >= 0) on_ready(events);  // else closed earlier in the same batch of events
  }

 protected:
  virtual void on_ready(uint32_t events) = 0;

  bool adopt(int fd);  // with TCP_NODELAY; false when fd is not a socket
  void watch(uint32_t events);
  void close_socket();  // leaves the epoll set with it

  // Reads until recv returns fewer bytes than it had room for (drained). False when the peer
  // closed or the connection failed.
  bool fill();
  void consume(size_t bytes);
  // Sends out_; what the socket does not take now waits for EPOLLOUT. False when it failed.
  bool flush();
  bool sent_all() const { return out_.empty(); }

  ClientLoop& loop_;
  int fd_ = -1;
  uint32_t interest_ = 0;
  std::string in_;
  size_t in_used_ = 0;
  std::string out_;
  size_t out_sent_ = 0;
};

}  // namespace omni::service
