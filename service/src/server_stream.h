// ServerStream: one connection's byte stream, plain TCP or TLS over it, behind the one type the
// HTTP and WebSocket sessions of http_server.cc are written against — so that HTTPS and WSS share
// their code (time-outs, limits, keep-alive) with plain HTTP instead of doubling it in templates.
// Included only by http_server.cc: it is Beast, and Beast stays in few translation units.
//
// It models Asio's AsyncReadStream / AsyncWriteStream (what Beast's http and websocket need) and
// forwards socket(), expires_after(), expires_never() and close() to the TCP layer underneath, as
// beast::tcp_stream has them. The websocket::stream over it finds teardown and close below (ADL).
#pragma once
#include <utility>  // before Asio (Boost 1.74 with g++ 12)

#include <memory>
#include <variant>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/teardown.hpp>

namespace omni::service {

class ServerStream {
 public:
  // On a concrete io_context executor: each connection lives on one single-threaded context
  // (http_server.cc), so no strand and no type-erased executor is needed.
  using Tcp = boost::beast::basic_stream<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;
  using Tls = boost::beast::ssl_stream<Tcp>;
  using executor_type = Tcp::executor_type;

  // Plain when `tls` is null, else TLS with that context (the handshake is async_handshake's).
  ServerStream(Tcp&& tcp, boost::asio::ssl::context* tls)
      : stream_(tls != nullptr ? Variant(std::in_place_index<1>, std::move(tcp), *tls)
                               : Variant(std::in_place_index<0>, std::move(tcp))) {}

  [[nodiscard]] bool tls() const noexcept { return stream_.index() == 1; }
  [[nodiscard]] Tcp& tcp() noexcept { return tls() ? std::get<Tls>(stream_).next_layer() : std::get<Tcp>(stream_); }
  executor_type get_executor() noexcept { return tcp().get_executor(); }
  Tcp::socket_type& socket() noexcept { return tcp().socket(); }
  template <class Duration>
  void expires_after(Duration d) {
    tcp().expires_after(d);
  }
  void expires_never() { tcp().expires_never(); }
  void close() { tcp().close(); }

  template <class Buffers, class Handler>
  void async_read_some(const Buffers& buffers, Handler&& handler) {
    if (tls()) return std::get<Tls>(stream_).async_read_some(buffers, std::forward<Handler>(handler));
    std::get<Tcp>(stream_).async_read_some(buffers, std::forward<Handler>(handler));
  }
  template <class Buffers, class Handler>
  void async_write_some(const Buffers& buffers, Handler&& handler) {
    if (tls()) return std::get<Tls>(stream_).async_write_some(buffers, std::forward<Handler>(handler));
    std::get<Tcp>(stream_).async_write_some(buffers, std::forward<Handler>(handler));
  }

  // TLS only: the server handshake, starting with bytes already read (detect_ssl's); the handler
  // gets (error_code, bytes of `already` used).
  template <class Buffers, class Handler>
  void async_handshake(const Buffers& already, Handler&& handler) {
    std::get<Tls>(stream_).async_handshake(boost::asio::ssl::stream_base::server, already,
                                           std::forward<Handler>(handler));
  }
  // TLS: sends close_notify (bounded by the TCP layer's expiry); plain: completes at once.
  template <class Handler>
  void async_shutdown(Handler&& handler) {
    if (tls()) return std::get<Tls>(stream_).async_shutdown(std::forward<Handler>(handler));
    boost::asio::post(get_executor(), [h = std::forward<Handler>(handler)]() mutable { h(boost::beast::error_code{}); });
  }

  // What websocket::stream calls to end the connection (found by argument-dependent lookup).
  template <class Handler>
  friend void async_teardown(boost::beast::role_type role, ServerStream& s, Handler&& handler) {
    using boost::beast::websocket::async_teardown;  // the socket's; ssl_stream's is found by ADL
    if (s.tls()) return async_teardown(role, std::get<Tls>(s.stream_), std::forward<Handler>(handler));
    async_teardown(role, s.socket(), std::forward<Handler>(handler));
  }
  friend void teardown(boost::beast::role_type role, ServerStream& s, boost::beast::error_code& ec) {
    using boost::beast::websocket::teardown;
    if (s.tls()) return teardown(role, std::get<Tls>(s.stream_), ec);
    teardown(role, s.socket(), ec);
  }
  friend void beast_close_socket(ServerStream& s) { s.tcp().close(); }

 private:
  using Variant = std::variant<Tcp, Tls>;
  Variant stream_;
};

}  // namespace omni::service
