// What the socket layer (HttpServer) asks of the application: an answer to each HTTP request and,
// for a WebSocket upgrade, a handler for the connection's messages. Both are plain functions of
// socket-free types, so tests and the fuzzer drive the application without a network.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "omnikernel/service/http_message.h"

namespace omni::service {

// WebSocket close codes used by the service (RFC 6455 §7.4.1).
enum class CloseCode : uint16_t {
  normal = 1000,
  going_away = 1001,      // the server shuts down
  protocol_error = 1002,  // garbage frames (Beast detects them)
  unsupported = 1003,     // a binary message where text is expected
  invalid_payload = 1007,
  policy = 1008,          // a peer too slow to read what it is sent
  too_big = 1009,         // a message over limits.ws_max_message_bytes
};

// The server's side of one WebSocket connection, for the application to send through.
// Thread-safe: send() and close() may be called from any thread; they never block (messages are
// queued on the connection's I/O thread; past limits.ws_max_queued the peer is closed with 1008).
class WsPeer {
 public:
  virtual ~WsPeer() = default;
  virtual void send(std::string text) = 0;
  virtual void close(CloseCode code, std::string_view reason) = 0;
};

// The application's side of one WebSocket connection. Calls for one connection never overlap.
class WsHandler {
 public:
  virtual ~WsHandler() = default;
  virtual void on_text(std::string_view message) = 0;
  virtual void on_close() noexcept = 0;  // once, whatever ended the connection
};

struct Upgrade {
  std::shared_ptr<WsHandler> handler;  // null: refused, answer `refusal` instead
  HttpResponse refusal;
};

class HttpApp {
 public:
  virtual ~HttpApp() = default;
  // Any thread, concurrently. Must not block for long: it runs on the server's I/O threads.
  [[nodiscard]] virtual HttpResponse handle(const HttpRequest& request) = 0;
  // The same request, answered through `respond` — called exactly once, maybe later and from
  // another thread (an answer that waits for something, like durability, without holding an I/O
  // thread). By default handle() answers at once. If this throws, `respond` was not called.
  virtual void handle_async(const HttpRequest& request, std::function<void(HttpResponse)> respond) {
    respond(handle(request));
  }
  // A WebSocket upgrade request; `peer` is where the application sends.
  [[nodiscard]] virtual Upgrade upgrade(const HttpRequest& request, std::shared_ptr<WsPeer> peer) = 0;
  // Called by the server for a refusal it makes itself (413, 408, 503 at the cap…), for metrics.
  virtual void on_refused(int /*status*/) noexcept {}
};

}  // namespace omni::service
