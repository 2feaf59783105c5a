// HttpServer — the socket layer of `omni serve`: Boost.Beast HTTP/1.1 and WebSocket over Asio,
// async callbacks on a few I/O threads, each running its own io_context: a connection lives on one
// of them, so its handlers never run concurrently (no strand).
// All Beast code lives in http_server.cc (one translation unit: Beast is heavy to compile).
//
// Limits (ServiceLimits): headers must arrive within header_timeout of the connection (or of the
// previous response), the body within body_timeout after them (else 408 and close); a body over
// max_body_bytes is 413; past max_connections a new connection is answered 503 and closed;
// WebSocket messages over ws_max_message_bytes close with 1009, protocol garbage with 1002.
// TLS (service.tls) wraps the same sessions: the header time-out covers the handshake too.
#pragma once
#include <cstdint>
#include <expected>
#include <memory>
#include <string>

#include "omnikernel/service/http_app.h"
#include "omnikernel/service/service_config.h"

namespace omni::service {

class HttpServer {
 public:
  // Binds and starts `threads` I/O threads; the error names the address on failure. With `tls`
  // enabled the port speaks only HTTPS and WSS (a plain-HTTP request gets a plain 400 and is
  // closed); an unreadable or invalid file is an error naming its field (service.tls.…).
  [[nodiscard]] static std::expected<std::unique_ptr<HttpServer>, std::string> start(
      HttpApp& app, const ListenAddress& address, const ServiceLimits& limits, unsigned threads,
      const TlsFiles& tls = {});
  virtual ~HttpServer() = default;

  [[nodiscard]] virtual uint16_t port() const noexcept = 0;  // the bound port (for port 0)
  [[nodiscard]] virtual uint32_t connections() const noexcept = 0;
  // Certificate rotation: reads `files` again (service.tls) and serves the new certificate and key
  // to connections accepted from now on; connections already open keep the ones they started
  // with. A file that cannot be used is an error naming its field, and the certificate in use
  // stays. A server started without TLS answers an error: turning TLS on needs a restart.
  [[nodiscard]] virtual std::expected<void, std::string> reload_tls(const TlsFiles& files) = 0;
  // Stops accepting, closes WebSockets with 1001 ("going away"), lets in-flight HTTP responses
  // finish (up to `grace`), then joins the I/O threads. Idempotent.
  virtual void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000)) = 0;
};

}  // namespace omni::service
