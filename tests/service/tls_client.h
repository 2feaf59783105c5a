// TLS for the socket tests: a throwaway self-signed certificate made with OpenSSL's API (no
// `openssl` command needed), and a blocking TLS client on a POSIX socket that verifies the
// server's certificate against it and speaks just enough HTTP/1.1 and WebSocket for the tests.
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "raw_client.h"

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace omni::service::testing {

struct CertificateFiles {
  std::filesystem::path certificate;  // PEM, self-signed for CN=localhost, IP 127.0.0.1
  std::filesystem::path private_key;  // PEM, P-256
};

// Writes a new key pair and a certificate valid for a day into `dir` (created when absent),
// named <stem>.crt and <stem>.key.
CertificateFiles make_self_signed(const std::filesystem::path& dir, const std::string& stem);

class TlsConnection {
 public:
  // Connects to 127.0.0.1:port and handshakes, trusting only `trusted` (a PEM certificate).
  TlsConnection(uint16_t port, const std::filesystem::path& trusted);
  ~TlsConnection();
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  [[nodiscard]] bool ok() const { return ssl_ != nullptr; }
  [[nodiscard]] const std::string& error() const { return error_; }  // why !ok()
  bool send(const std::string& bytes);
  // Reads until `until` is in what arrived (or the peer closes, or the time-out).
  std::string read_until(const std::string& until, std::chrono::milliseconds timeout);
  std::string read_exactly(size_t n, std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string error_;
  std::string pending_;
};

// One request over a fresh TLS connection (Connection: close).
RawResponse https_request(uint16_t port, const std::filesystem::path& trusted, const std::string& method,
                          const std::string& target, const std::string& body = {},
                          const std::vector<std::pair<std::string, std::string>>& headers = {});

// A WebSocket over TLS (wss): the upgrade, masked text frames out, frames in.
class TlsWebSocket {
 public:
  TlsWebSocket(uint16_t port, const std::filesystem::path& trusted, const std::string& target);
  [[nodiscard]] int status() const { return status_; }  // 101 on success
  bool send_text(const std::string& text);
  WsFrame read(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  std::optional<std::string> read_until_contains(const std::string& needle,
                                                 std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

 private:
  TlsConnection connection_;
  int status_ = 0;
};

}  // namespace omni::service::testing
