#include "load_client_sockets.h"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace omni::service {

ClientLoop::ClientLoop() : fd_(epoll_create1(EPOLL_CLOEXEC)) {}

ClientLoop::~ClientLoop() {
  if (fd_ >= 0) close(fd_);
}

// Requests are 50 µs apart at 20,000 msg/s: epoll_wait's milliseconds would bunch them, so
// epoll_pwait2's nanoseconds where the kernel has it (5.11), else milliseconds rounded up (late by
// under 1 ms, never a busy loop).
int ClientLoop::wait(std::span<epoll_event> events, std::chrono::nanoseconds timeout) {
  const int64_t ns = std::max<int64_t>(timeout.count(), 0);
  const int max = static_cast<int>(events.size());
  if (pwait2_) {
    const timespec t{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    const int n = epoll_pwait2(fd_, events.data(), max, &t, nullptr);
    if (n >= 0 || errno != ENOSYS) return n;
    pwait2_ = false;
  }
  return epoll_wait(fd_, events.data(), max, static_cast<int>((ns + 999'999) / 1'000'000));
}

sockaddr_in loopback(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

bool ClientConnection::adopt(int fd) {
  fd_ = fd;
  if (fd_ < 0) return false;
  const int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return true;
}

void ClientConnection::watch(uint32_t events) {
  if (events == interest_ || fd_ < 0) return;
  epoll_event e{};
  e.events = events;
  e.data.ptr = this;
  epoll_ctl(loop_.fd(), interest_ == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd_, &e);
  interest_ = events;
}

void ClientConnection::close_socket() {
  if (fd_ < 0) return;
  close(fd_);
  fd_ = -1;
}

bool ClientConnection::fill() {
  for (;;) {
    if (in_.size() - in_used_ < 1024) in_.resize(std::max<size_t>(4096, in_.size() * 2));
    const size_t room = in_.size() - in_used_;
    const ssize_t n = recv(fd_, in_.data() + in_used_, room, 0);
    if (n > 0) {
      in_used_ += static_cast<size_t>(n);
      if (static_cast<size_t>(n) < room) return true;
    } else if (n == 0) {
      return false;
    } else if (errno != EINTR) {
      return errno == EAGAIN || errno == EWOULDBLOCK;
    }
  }
}

void ClientConnection::consume(size_t bytes) {
  std::memmove(in_.data(), in_.data() + bytes, in_used_ - bytes);
  in_used_ -= bytes;
}

bool ClientConnection::flush() {
  if (fd_ < 0) return false;
  while (out_sent_ < out_.size()) {
    const ssize_t n = send(fd_, out_.data() + out_sent_, out_.size() - out_sent_, MSG_NOSIGNAL);
    if (n > 0) {
      out_sent_ += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      watch(EPOLLIN | EPOLLOUT);
      return true;
    } else if (n == 0 || errno != EINTR) {
      return false;
    }
  }
  out_.clear();
  out_sent_ = 0;
  watch(EPOLLIN);
  return true;
}

}  // namespace omni::service
