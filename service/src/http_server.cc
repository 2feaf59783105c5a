// The Beast side of HttpServer: acceptor, HTTP sessions (time-outs, body limit, keep-alive) and
// WebSocket sessions (message limit, outgoing queue), on `threads` I/O threads, each running its own
// io_context; over TLS when service.tls is set (ServerStream). This is the only server translation
// unit that includes Beast (~20 s to compile).
//
// One io_context per thread, not one shared by all: a connection lives on one context, run by one
// thread, so its handlers never run concurrently and need no strand, and the executors are the
// concrete io_context::executor_type rather than any_io_executor. Measured under `omni load`
// (bench/SERVE.md): strands' shared-pointer traffic, the type-erased executors' copies and the
// shared scheduler's futex wake-ups were a tenth of the service's CPU per message. Work for a
// connection from another thread (a push, a durable webhook's answer) is posted to its context.
#include <utility>  // before Asio (Boost 1.74 with g++ 12)

#include "omnikernel/service/http_server.h"

#include <atomic>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "server_stream.h"
#include "thread_name.h"
#include "tls_context.h"

namespace omni::service {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Executor = ServerStream::executor_type;  // a concrete io_context executor: no type erasure
using Socket = tcp::socket::rebind_executor<Executor>::other;
using Acceptor = tcp::acceptor::rebind_executor<Executor>::other;
using Timer = net::basic_waitable_timer<std::chrono::steady_clock, net::wait_traits<std::chrono::steady_clock>, Executor>;

struct Core;

// Sessions the server can reach at stop(): idle HTTP sessions are cancelled, WebSockets closed.
class Stoppable {
 public:
  virtual ~Stoppable() = default;
  virtual void on_stop() = 0;
};

struct Core {
  Core(HttpApp& a, const ServiceLimits& l, unsigned threads) : app(a), limits(l), contexts(make_contexts(threads)),
                                                               acceptor(*contexts.front()) {}
  HttpApp& app;
  ServiceLimits limits;
  // Declared before the contexts: destroying one destroys the sessions its pending handlers hold, and
  // they still count themselves out of `connections`.
  std::atomic<uint32_t> connections{0};
  std::atomic<bool> stopping{false};
  std::mutex sessions_mutex;
  std::vector<std::weak_ptr<Stoppable>> sessions;
  // The TLS context new connections get (null: plain). Replaced by reload_tls() on the
  // acceptor's context, the only thread that reads it; each session holds the one it started
  // with, so a rotation never pulls a context from under an open connection.
  std::shared_ptr<net::ssl::context> tls;
  // One per I/O thread, each run by that thread alone (hint 1: Asio's single-thread scheduling).
  std::vector<std::unique_ptr<net::io_context>> contexts;
  Acceptor acceptor;
  size_t next_context = 0;  // round robin of accepted connections; the acceptor's context only

  static std::vector<std::unique_ptr<net::io_context>> make_contexts(unsigned threads) {
    std::vector<std::unique_ptr<net::io_context>> out;
    for (unsigned i = 0; i < std::max(1u, threads); ++i) out.push_back(std::make_unique<net::io_context>(1));
    return out;
  }

  void track(const std::shared_ptr<Stoppable>& s) {
    std::lock_guard lock(sessions_mutex);
    std::erase_if(sessions, [](const std::weak_ptr<Stoppable>& w) { return w.expired(); });
    sessions.push_back(s);
  }
};

// Counts the connection for its whole life (HTTP, then maybe WebSocket).
struct ConnectionSlot {
  explicit ConnectionSlot(Core& c) : core(&c) {}
  ConnectionSlot(ConnectionSlot&& o) noexcept : core(std::exchange(o.core, nullptr)) {}
  ConnectionSlot& operator=(ConnectionSlot&&) = delete;
  ~ConnectionSlot() {
    if (core != nullptr) core->connections.fetch_sub(1, std::memory_order_relaxed);
  }
  Core* core;
};

HttpRequest to_request(const http::request<http::string_body>& r) {
  HttpRequest out;
  out.method = std::string(r.method_string());
  out.target = std::string(r.target());
  for (const auto& field : r) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  out.body = r.body();
  return out;
}

std::shared_ptr<http::response<http::string_body>> to_response(const HttpResponse& r, unsigned version, bool keep_alive,
                                                               bool head) {
  auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), version);
  res->set(http::field::server, "omni");
  res->set(http::field::content_type, r.content_type);
  for (const auto& [name, value] : r.headers) res->set(name, value);
  res->keep_alive(keep_alive);
  if (!head) res->body() = r.body;
  res->prepare_payload();
  if (head) res->content_length(r.body.size());
  return res;
}

class WsSession final : public WsPeer, public Stoppable, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(std::shared_ptr<net::ssl::context> tls, ServerStream&& stream, Core& core, ConnectionSlot slot)
      : tls_(std::move(tls)), ws_(std::move(stream)), core_(core), slot_(std::move(slot)) {}

  void run(http::request<http::string_body> request) {
    Upgrade upgrade = core_.app.upgrade(to_request(request), shared_from_this());
    if (!upgrade.handler) {
      core_.app.on_refused(upgrade.refusal.status);
      auto res = to_response(upgrade.refusal, request.version(), false, false);
      auto self = shared_from_this();
      http::async_write(ws_.next_layer(), *res, [self, res](beast::error_code, size_t) {
        beast::error_code ignored;
        self->ws_.next_layer().socket().shutdown(tcp::socket::shutdown_send, ignored);
      });
      return;
    }
    handler_ = std::move(upgrade.handler);
    core_.track(shared_from_this());
    ws_.next_layer().expires_never();
    // Beast bounds the handshake and the closing handshake; the idle time-out is this session's
    // own (watch_idle): Beast's re-arms its timer on every read, two timer operations and a
    // cancelled handler per message.
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(30);
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    // Pongs (and pings, and the peer's close) are signs of life too.
    ws_.control_callback([this](websocket::frame_type, beast::string_view) { heard_ = true; });
    ws_.read_message_max(core_.limits.ws_max_message_bytes);
    ws_.async_accept(request, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->finish();
      // What the application sent during upgrade() (a hello) waited for the handshake.
      self->accepted_ = true;
      if (!self->queue_.empty()) self->write();
      self->read();
      self->watch_idle();
    });
  }

  void send(std::string text) override {
    net::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
      if (self->closing_ || self->finished_) return;
      if (self->queue_.size() >= self->core_.limits.ws_max_queued) {
        return self->close_now(CloseCode::policy, "too slow: messages queued past the limit");
      }
      self->queue_.push_back(std::move(text));
      if (self->queue_.size() == 1 && self->accepted_) self->write();
    });
  }

  void close(CloseCode code, std::string_view reason) override {
    net::post(ws_.get_executor(), [self = shared_from_this(), code, reason = std::string(reason)] {
      self->close_now(code, reason);
    });
  }

  void on_stop() override { close(CloseCode::going_away, "server shutting down"); }

 private:
  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
      // Oversized messages (1009) and protocol garbage (1002): Beast has sent the close frame.
      if (ec) return self->finish();
      if (!self->ws_.got_text()) {
        self->buffer_.consume(self->buffer_.size());
        return self->close_now(CloseCode::unsupported, "text messages only");
      }
      self->heard_ = true;
      const std::string message = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      try {
        if (self->handler_) self->handler_->on_text(message);
      } catch (const std::exception&) {
        // A handler bug must cost this connection, never an I/O thread of the server.
        return self->close_now(CloseCode::invalid_payload, "the message could not be handled");
      }
      self->read();
    });
  }

  void write() {
    ws_.text(true);
    ws_.async_write(net::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) {
        self->queue_.clear();
        return;
      }
      self->queue_.pop_front();
      if (!self->queue_.empty()) self->write();
    });
  }

  // Keep-alive, checked every half ws_idle_timeout (one timer operation per connection per
  // period, whatever the traffic): heard from since the last check → nothing to do; silent for
  // one period → ping; silent for two → dead, and the socket is closed, which ends the read.
  void watch_idle() {
    idle_timer_.expires_after(core_.limits.ws_idle_timeout / 2);
    idle_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->finished_) return;
      if (self->heard_) {
        self->heard_ = false;
        self->silent_periods_ = 0;
      } else if (++self->silent_periods_ >= 2) {
        beast::error_code ignored;
        self->ws_.next_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
        self->ws_.next_layer().close();
        return;
      } else if (!self->closing_ && !self->pinging_) {
        self->pinging_ = true;  // one at a time: it waits behind a write the peer does not read
        self->ws_.async_ping({}, [self](beast::error_code) { self->pinging_ = false; });
      }
      self->watch_idle();
    });
  }

  void close_now(CloseCode code, const std::string& reason) {
    if (closing_ || finished_) return;
    closing_ = true;
    ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(static_cast<uint16_t>(code)), reason),
                    [self = shared_from_this()](beast::error_code) {});
  }

  // The connection ended: tell the application once, and break the handler ↔ peer cycle.
  void finish() {
    if (finished_) return;
    finished_ = true;
    idle_timer_.cancel();
    if (handler_) handler_->on_close();
    handler_.reset();
  }

  std::shared_ptr<net::ssl::context> tls_;  // before ws_, whose stream uses it
  websocket::stream<ServerStream> ws_;
  Timer idle_timer_{ws_.get_executor()};
  bool heard_ = false;         // a message or control frame arrived since the last idle check
  int silent_periods_ = 0;     // idle checks in a row that heard nothing
  bool pinging_ = false;       // a ping is being written
  Core& core_;
  ConnectionSlot slot_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  std::shared_ptr<WsHandler> handler_;
  bool accepted_ = false;  // the handshake is done: writes may start
  bool closing_ = false;
  bool finished_ = false;
};

class HttpSession final : public Stoppable, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(Socket&& socket, Core& core, ConnectionSlot slot)
      : tls_(core.tls),
        stream_(ServerStream::Tcp(std::move(socket)), tls_.get()),
        timer_(stream_.get_executor()),
        core_(core),
        slot_(std::move(slot)) {
    // Small messages (offers, acknowledgements) must not wait for Nagle and the peer's delayed
    // ACK: that alone adds up to 40 ms to a webhook → offer.
    beast::error_code ignored;
    stream_.socket().set_option(tcp::no_delay(true), ignored);
  }

  void start(bool over_capacity) {
    core_.track(shared_from_this());
    net::dispatch(stream_.get_executor(), [self = shared_from_this(), over_capacity] {
      if (over_capacity && !self->stream_.tls()) {
        return self->refuse(503, "too_many_connections", "the server's connection cap is reached; retry", 11);
      }
      if (over_capacity) return self->close_now();  // a 503 would cost a TLS handshake first
      if (self->stream_.tls()) return self->detect_tls();
      self->read_header();
    });
  }

  void on_stop() override {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->idle_) self->stream_.socket().cancel();
    });
  }

 private:
  // A TLS port: the first bytes must be a TLS ClientHello. Plain HTTP sent here is answered in
  // plain text, 400 with what to do, and closed (a client that gets only a reset cannot tell why).
  void detect_tls() {
    arm(core_.limits.header_timeout);
    beast::async_detect_ssl(stream_.tcp(), buffer_, [self = shared_from_this()](beast::error_code ec, bool tls) {
      self->disarm();
      if (ec) return self->close_now();  // the peer left or was too slow: nothing to say
      if (!tls) {
        self->core_.app.on_refused(400);
        auto res = to_response(error_response(400, "tls_required", "this port speaks HTTPS: use https:// or wss://"),
                               11, false, false);
        return http::async_write(self->stream_.tcp(), *res,
                                 [self, res](beast::error_code, size_t) { self->close_now(); });
      }
      self->arm(self->core_.limits.header_timeout);
      self->stream_.async_handshake(self->buffer_.data(), [self](beast::error_code ec, size_t used) {
        self->disarm();
        if (ec) return self->close_now();  // a failed handshake: OpenSSL has sent its alert
        self->buffer_.consume(used);
        self->read_header();
      });
    });
  }

  void read_header() {
    if (core_.stopping.load(std::memory_order_acquire)) return shutdown();
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(core_.limits.max_header_bytes));
    parser_->body_limit(core_.limits.max_body_bytes);
    idle_ = true;
    arm(core_.limits.header_timeout);
    http::async_read_header(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->idle_ = false;
      self->disarm();
      self->on_header(ec);
    });
  }

  // Deadlines for reads and writes, on one timer per connection that is moved lazily: arm() only
  // records a deadline, and the timer, when it fires, sleeps again if the deadline moved later.
  // A keep-alive request then costs no timer operation (arming and cancelling per request was
  // ~3 % of the service's CPU under `omni load`, in timerfd_settime alone). The stream's own
  // expiry is not used: it would close the socket, and a slow client could not be told 408.
  void arm(std::chrono::nanoseconds timeout) {
    timed_out_ = false;
    armed_ = true;
    deadline_ = std::chrono::steady_clock::now() + timeout;
    if (!watching_) return watch();
    if (deadline_ < timer_.expiry()) timer_.cancel();  // its watcher wakes and waits for less
  }
  void disarm() noexcept { armed_ = false; }

  void watch() {
    watching_ = true;
    timer_.expires_at(deadline_);
    timer_.async_wait([self = shared_from_this()](beast::error_code) {
      self->watching_ = false;
      if (self->done_ || !self->armed_) return;  // nothing to time: the next arm() watches again
      if (std::chrono::steady_clock::now() < self->deadline_) return self->watch();
      self->timed_out_ = true;
      self->armed_ = false;
      beast::error_code ignored;
      self->stream_.socket().cancel(ignored);
    });
  }

  // The connection is closed or became a WebSocket: the watcher lets go of the session.
  void stop_watching() {
    done_ = true;
    timer_.cancel();
  }

  // Errors while reading: answered when the peer can still hear it, then the connection closes.
  bool read_failed(beast::error_code ec) {
    if (!ec) return false;
    if (timed_out_) {
      if (buffer_.size() > 0 || parser_->got_some()) {
        refuse(408, "request_timeout", "the request did not arrive in time", version());
      } else {
        shutdown();  // an idle keep-alive connection: just close it
      }
    } else if (ec == http::error::body_limit) {
      refuse(413, "payload_too_large", "the body exceeds limits.max_body_bytes", version());
    } else if (ec == beast::error::timeout) {
      if (buffer_.size() > 0 || parser_->got_some()) {
        refuse(408, "request_timeout", "the request did not arrive in time", version());
      } else {
        shutdown();  // an idle keep-alive connection: just close it
      }
    } else if (ec == http::error::header_limit) {
      refuse(431, "headers_too_large", "the request headers exceed limits.max_header_bytes", version());
    } else if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
               ec == net::error::connection_reset || ec == net::error::eof) {
      shutdown();
    } else {
      refuse(400, "bad_request", "malformed HTTP request", version());
    }
    return true;
  }

  unsigned version() const { return parser_ && parser_->is_header_done() ? parser_->get().version() : 11; }

  void on_header(beast::error_code ec) {
    if (read_failed(ec)) return;
    auto& request = parser_->get();
    if (websocket::is_upgrade(request)) {
      stop_watching();
      auto ws = std::make_shared<WsSession>(std::move(tls_), std::move(stream_), core_, std::move(slot_));
      return ws->run(parser_->release());
    }
    arm(core_.limits.body_timeout);
    if (request[http::field::expect] == "100-continue") {
      // curl and others wait for this before sending a body.
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, request.version());
      http::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code ec, size_t) {
        if (ec) return self->shutdown();
        self->read_body();
      });
      return;
    }
    read_body();
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->disarm();
      if (self->read_failed(ec)) return;
      self->respond();
    });
  }

  void respond() {
    const auto& request = parser_->get();
    const unsigned version = request.version();
    const bool keep = request.keep_alive() && !core_.stopping.load(std::memory_order_acquire);
    const bool head = request.method() == http::verb::head;
    // The answer may come later from another thread (a webhook acknowledged once durable): it is
    // written on this connection's strand, once, and nothing is read meanwhile.
    auto once = std::make_shared<std::atomic<bool>>(false);
    auto answer = [self = shared_from_this(), once, version, keep, head](HttpResponse response) {
      if (once->exchange(true)) return;
      net::dispatch(self->stream_.get_executor(), [self, response = std::move(response), version, keep, head] {
        self->write(to_response(response, version, keep, head));
      });
    };
    try {
      core_.app.handle_async(to_request(request), answer);
    } catch (const std::exception&) {
      answer(error_response(500, "internal", "the request could not be handled"));
    }
  }

  void refuse(int status, std::string_view code, std::string_view message, unsigned version) {
    core_.app.on_refused(status);
    write(to_response(error_response(status, code, message), version, false, false));
  }

  void write(std::shared_ptr<http::response<http::string_body>> res) {
    arm(core_.limits.body_timeout);
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, size_t) {
      self->disarm();
      if (ec || !res->keep_alive()) return self->shutdown();
      self->read_header();
    });
  }

  void shutdown() {
    if (!stream_.tls()) return close_now();
    // TLS: close_notify first, so the client can tell the end from a truncation; bounded.
    stream_.expires_after(std::chrono::seconds(1));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) { self->close_now(); });
  }

  void close_now() {
    stop_watching();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  std::shared_ptr<net::ssl::context> tls_;  // before stream_, which uses it
  ServerStream stream_;
  Timer timer_;
  Core& core_;
  ConnectionSlot slot_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::chrono::steady_clock::time_point deadline_;
  bool idle_ = false;
  bool armed_ = false;     // a read or write is under deadline_
  bool watching_ = false;  // the timer has a wait outstanding
  bool timed_out_ = false;
  bool done_ = false;      // closed, or handed to a WebSocket session
};

std::expected<std::shared_ptr<net::ssl::context>, std::string> server_tls_context(const TlsFiles& files) {
  auto native = make_server_tls_context(files);
  if (!native) return std::unexpected(native.error());
  return std::make_shared<net::ssl::context>(*native);  // takes ownership
}

class BeastServer final : public HttpServer {
 public:
  BeastServer(HttpApp& app, const ServiceLimits& limits, unsigned threads, std::shared_ptr<net::ssl::context> tls)
      : core_(app, limits, threads) {
    core_.tls = std::move(tls);
    started_tls_ = core_.tls != nullptr;
  }

  std::expected<void, std::string> reload_tls(const TlsFiles& files) override {
    if (!files.enabled()) return std::unexpected("service.tls: no certificate and key to load");
    if (!started_tls_) {
      return std::unexpected("service.tls: this server was started without TLS; serving TLS needs a restart");
    }
    auto next = server_tls_context(files);  // read and checked here, off the I/O threads
    if (!next) return std::unexpected(next.error());
    auto swapped = std::make_shared<std::promise<void>>();  // shared: the wait below may give up
    auto done = swapped->get_future();
    net::post(core_.acceptor.get_executor(), [this, swapped, next = std::move(*next)]() mutable {
      core_.tls = std::move(next);
      swapped->set_value();
    });
    // The acceptor's thread runs until stop(); a server being stopped takes no new connection.
    if (done.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
      return std::unexpected("service.tls: the server is not running; nothing was reloaded");
    }
    return {};
  }
  ~BeastServer() override { stop(std::chrono::milliseconds(0)); }

  std::expected<void, std::string> bind(const ListenAddress& address) {
    beast::error_code ec;
    auto ip = net::ip::make_address(address.host, ec);
    if (ec) return std::unexpected("listen: \"" + address.host + "\" is not an IP address");
    tcp::endpoint endpoint(ip, address.port);
    core_.acceptor.open(endpoint.protocol(), ec);
    if (!ec) core_.acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) core_.acceptor.bind(endpoint, ec);
    if (!ec) core_.acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return std::unexpected("listen " + address.host + ":" + std::to_string(address.port) + ": " + ec.message());
    port_ = core_.acceptor.local_endpoint().port();
    accept();
    for (auto& context : core_.contexts) {
      threads_.emplace_back([&context, n = threads_.size()] {
        name_this_thread("omni-io-" + std::to_string(n));
        // Kept running when it has nothing to do yet: the acceptor lives on the first context only.
        auto idle_is_not_done = net::make_work_guard(*context);
        context->run();
      });
    }
    return {};
  }

  uint16_t port() const noexcept override { return port_; }
  uint32_t connections() const noexcept override { return core_.connections.load(std::memory_order_relaxed); }

  void stop(std::chrono::milliseconds grace) override {
    if (core_.stopping.exchange(true)) return;
    net::post(core_.acceptor.get_executor(), [this] {
      beast::error_code ignored;
      core_.acceptor.close(ignored);
    });
    {
      std::lock_guard lock(core_.sessions_mutex);
      for (auto& w : core_.sessions) {
        if (auto s = w.lock()) s->on_stop();
      }
    }
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (core_.connections.load() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    for (auto& context : core_.contexts) context->stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

 private:
  void accept() {
    auto& context = *core_.contexts[core_.next_context++ % core_.contexts.size()];
    core_.acceptor.async_accept(context.get_executor(), [this](beast::error_code ec, Socket socket) {
      if (ec == net::error::operation_aborted || core_.stopping.load()) return;
      if (!ec) {
        const uint32_t n = core_.connections.fetch_add(1, std::memory_order_relaxed) + 1;
        auto session = std::make_shared<HttpSession>(std::move(socket), core_, ConnectionSlot(core_));
        session->start(n > core_.limits.max_connections);
      }
      accept();
    });
  }

  Core core_;
  bool started_tls_ = false;  // TLS or plain is decided at start
  uint16_t port_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace

std::expected<std::unique_ptr<HttpServer>, std::string> HttpServer::start(HttpApp& app, const ListenAddress& address,
                                                                           const ServiceLimits& limits,
                                                                           unsigned threads, const TlsFiles& tls) {
  std::shared_ptr<net::ssl::context> context;
  if (tls.enabled()) {
    auto made = server_tls_context(tls);
    if (!made) return std::unexpected(made.error());
    context = std::move(*made);
  }
  auto server = std::make_unique<BeastServer>(app, limits, threads, std::move(context));
  if (auto bound = server->bind(address); !bound) return std::unexpected(bound.error());
  return server;
}

}  // namespace omni::service
