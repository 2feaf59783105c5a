// The load generator's clients (Beast, async, on one thread of their own) and its bookkeeping.
// The third and last Beast translation unit of the service.
#include <utility>  // before Asio (Boost 1.74 with g++ 12)

#include "omnikernel/service/load_generator.h"

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <memory>
#include <thread>
#include <unordered_map>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include "omnikernel/service/hmac.h"
#include "omnikernel/service/http_server.h"
#include "omnikernel/service/service.h"

namespace omni::service {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Json = nlohmann::json;
using SteadyTime = std::chrono::steady_clock;

std::string load_config(uint32_t agents) {
  Json config{
      {"channels", {{{"name", "whatsapp"}}}},
      {"routing_configs", {{{"name", "r"}, {"model", "most_available"}, {"push_timeout", "60s"}, {"size", 1}}}},
      {"queues", {{{"name", "wa"}, {"channel", "whatsapp"}, {"routing", "r"}, {"max_waiting", 100000}}}},
      {"presence_configs", {{{"name", "p"}, {"capacity", 20}, {"allow_decline", true}}}},
      {"statuses", {{{"name", "Offline"}, {"kind", "offline"}},
                    {{"name", "Available"}, {"kind", "online"}, {"channels", {"whatsapp"}}}}},
      {"profiles", {{{"name", "p"}, {"presence_config", "p"}}}},
      {"agents", {{{"name", "agent"}, {"profile", "p"}, {"count", agents}, {"queues", {"wa"}}, {"status", "Available"}}}},
      {"limits", {{"max_items", 1 << 20}, {"max_customers", 1 << 20}, {"event_capacity", 1 << 20}}},
      {"service",
       {{"routes", {{{"channel", "whatsapp"}, {"queue", "wa"}}}},
        {"limits", {{"max_connections", 100000}, {"dedupe_window", 4000000}, {"ws_max_queued", 1 << 20}}},
        {"tick_interval", "5ms"}}}};
  return config.dump();
}

std::string payload(uint64_t n, int64_t sent_ns) {
  // The text carries the send time: the agent that receives the offer computes the latency.
  const std::string id = "wamid.load." + std::to_string(n);
  const std::string customer = std::to_string(10'000'000'000 + n);
  return R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"L"},"wa_id":")" +
         customer + R"("}],"messages":[{"from":")" + customer + R"(","id":")" + id +
         R"(","timestamp":"1700000000","type":"text","text":{"body":")" + std::to_string(sent_ns) + R"("}}]}}]}]})";
}

struct Shared {
  SteadyTime::time_point start;
  std::string secret;
  uint16_t port = 0;
  // Bookkeeping (the client thread only).
  uint64_t posted = 0, ok = 0, other = 0;
  std::vector<uint8_t> seen;           // per message number: times offered
  std::vector<double> latencies_us;
  SteadyTime::time_point last_offer;
};

int64_t since_start_ns(const Shared& s) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyTime::now() - s.start).count();
}

// One keep-alive HTTP connection posting its share of the messages at its pace.
class Poster : public std::enable_shared_from_this<Poster> {
 public:
  Poster(net::io_context& ioc, Shared& shared, uint64_t first, uint64_t stride, uint64_t count,
         SteadyTime::duration interval)
      : stream_(ioc), timer_(ioc), shared_(shared), next_(first), stride_(stride), end_(first + stride * count),
        interval_(interval) {}

  void start(const tcp::endpoint& endpoint) {
    stream_.async_connect(endpoint, [self = shared_from_this()](beast::error_code ec) {
      if (!ec) {
        beast::error_code ignored;
        self->stream_.socket().set_option(tcp::no_delay(true), ignored);
        self->due_ = SteadyTime::now();
        self->post();
      }
    });
  }

 private:
  void post() {
    if (next_ >= end_) return;
    due_ += interval_;
    const uint64_t n = next_;
    next_ += stride_;
    const std::string body = payload(n, since_start_ns(shared_));
    request_ = {http::verb::post, "/webhooks/whatsapp", 11};
    request_.set(http::field::host, "127.0.0.1");
    request_.set("X-Hub-Signature-256", "sha256=" + to_hex(hmac_sha256(shared_.secret, body)));
    request_.set(http::field::content_type, "application/json");
    request_.keep_alive(true);
    request_.body() = body;
    request_.prepare_payload();
    ++shared_.posted;
    http::async_write(stream_, request_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return;
      self->response_ = {};
      http::async_read(self->stream_, self->buffer_, self->response_, [self](beast::error_code ec, size_t) {
        if (ec) return;
        (self->response_.result_int() == 200 ? self->shared_.ok : self->shared_.other)++;
        // Paced: wait for the next slot, or go at once when behind.
        self->timer_.expires_at(self->due_);
        self->timer_.async_wait([self](beast::error_code) { self->post(); });
      });
    });
  }

  beast::tcp_stream stream_;
  net::steady_timer timer_;
  Shared& shared_;
  uint64_t next_, stride_, end_;
  SteadyTime::duration interval_;
  SteadyTime::time_point due_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

// One agent's desktop: accepts and closes every offer.
class Agent : public std::enable_shared_from_this<Agent> {
 public:
  Agent(net::io_context& ioc, Shared& shared, std::string name, std::string token)
      : ws_(ioc), shared_(shared), name_(std::move(name)), token_(std::move(token)) {}

  void start(const tcp::endpoint& endpoint, std::function<void()> ready) {
    ready_ = std::move(ready);
    ws_.next_layer().async_connect(endpoint, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      beast::error_code ignored;
      self->ws_.next_layer().socket().set_option(tcp::no_delay(true), ignored);
      self->ws_.async_handshake("127.0.0.1", "/v1/agents/ws?agent=" + self->name_ + "&token=" + self->token_,
                                [self](beast::error_code ec) {
                                  if (ec) return;
                                  self->ready_();
                                  self->read();
                                });
    });
  }

 private:
  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return;
      self->on_message(beast::buffers_to_string(self->buffer_.data()));
      self->buffer_.consume(self->buffer_.size());
      self->read();
    });
  }

  void on_message(const std::string& text) {
    if (text.find("\"type\":\"offer\"") == std::string::npos) return;
    const auto now = since_start_ns(shared_);
    Json offer = Json::parse(text, nullptr, false);
    if (offer.is_discarded()) return;
    for (const auto& m : offer["messages"]) {
      const std::string id = m.value("id", "");
      const uint64_t n = std::stoull(id.substr(id.rfind('.') + 1));
      if (n < shared_.seen.size() && shared_.seen[n]++ == 0) {
        shared_.latencies_us.push_back((now - std::stoll(m.value("text", "0"))) / 1000.0);
      }
    }
    shared_.last_offer = SteadyTime::now();
    const std::string item = offer["item"];
    queue_.push_back(R"({"op":"accept","item":")" + item + "\"}");
    queue_.push_back(R"({"op":"close","item":")" + item + "\"}");
    if (queue_.size() == 2) write();
  }

  void write() {
    ws_.async_write(net::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return;
      self->queue_.pop_front();
      if (!self->queue_.empty()) self->write();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  Shared& shared_;
  std::string name_, token_;
  std::function<void()> ready_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
};

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

double process_cpu_us() {
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e6 + r.ru_utime.tv_usec + r.ru_stime.tv_usec;
}
double thread_cpu_us() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

}  // namespace

std::expected<LoadReport, std::string> run_load(const LoadOptions& o) {
  if (!(o.rate >= 1 && o.rate <= 200000)) return std::unexpected("--rate must be 1 … 200000 messages/s");
  if (o.duration < std::chrono::milliseconds(100) || o.duration > std::chrono::minutes(10)) {
    return std::unexpected("--duration must be 100 ms … 10 min");
  }
  if (o.agents < 1 || o.agents > 10000) return std::unexpected("--agents must be 1 … 10000");
  if (o.connections < 1 || o.connections > 512) return std::unexpected("--connections must be 1 … 512");
  auto config = load_serve_config_text(load_config(o.agents), "load configuration");
  if (!config) return std::unexpected(config.error().message());
  ServiceSetup setup;
  setup.config = *config;
  setup.secrets.whatsapp_app_secret = random_secret();
  setup.secrets.instagram_app_secret = random_secret();
  setup.secrets.verify_token = random_secret();
  setup.secrets.agent_token_secret = random_secret();
  setup.secrets.supervisor_token = random_secret();
  setup.plugin_directories = o.plugin_directories;
  setup.log = nullptr;  // the log would measure the terminal
  auto service = Service::create(std::move(setup));
  if (!service) return std::unexpected(service.error());
  (*service)->start();
  auto server = HttpServer::start(**service, {"127.0.0.1", 0}, config->service.limits, o.server_threads);
  if (!server) return std::unexpected(server.error());

  Shared shared;
  shared.secret = (*service)->secrets().whatsapp_app_secret;
  shared.port = (*server)->port();
  const uint64_t total = static_cast<uint64_t>(o.rate * std::chrono::duration<double>(o.duration).count());
  shared.seen.assign(total, 0);
  shared.latencies_us.reserve(total);

  LoadReport report;
  double cpu0 = 0, client_cpu0 = 0, client_cpu1 = 0;
  std::thread client([&] {
    net::io_context ioc;
    const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), shared.port);
    uint32_t connected = 0;
    std::vector<std::shared_ptr<Agent>> agents;
    auto start_posting = [&] {
      shared.start = SteadyTime::now();
      cpu0 = process_cpu_us();
      client_cpu0 = thread_cpu_us();
      const auto interval = std::chrono::duration_cast<SteadyTime::duration>(
          std::chrono::duration<double>(o.connections / o.rate));
      for (uint32_t c = 0; c < o.connections; ++c) {
        const uint64_t count = total / o.connections + (c < total % o.connections ? 1 : 0);
        std::make_shared<Poster>(ioc, shared, c, o.connections, count, interval)->start(endpoint);
      }
    };
    for (uint32_t a = 1; a <= o.agents; ++a) {
      const std::string name = "agent-" + std::to_string(a);
      agents.push_back(std::make_shared<Agent>(ioc, shared, name, (*service)->token_of(name)));
      agents.back()->start(endpoint, [&] {
        if (++connected == o.agents) start_posting();
      });
    }
    // Stop when every message was seen, or a grace period after the last post was due.
    // Bounded whatever happens: agents that never connect end the run too.
    net::steady_timer watch(ioc);
    const auto give_up = SteadyTime::now() + o.duration + std::chrono::seconds(30);
    std::function<void()> check = [&] {
      const bool all = shared.latencies_us.size() >= total;
      const bool late = connected == o.agents &&
                        SteadyTime::now() > shared.start + o.duration + std::chrono::seconds(5);
      if (all || late || SteadyTime::now() > give_up) {
        client_cpu1 = thread_cpu_us();
        ioc.stop();
        return;
      }
      watch.expires_after(std::chrono::milliseconds(20));
      watch.async_wait([&](beast::error_code) { check(); });
    };
    check();
    ioc.run();
  });
  client.join();
  const double cpu1 = process_cpu_us();
  (*server)->stop(std::chrono::milliseconds(100));
  (*service)->stop();

  report.posted = shared.posted;
  report.answered_200 = shared.ok;
  report.answered_other = shared.other;
  for (uint8_t n : shared.seen) {
    report.offered += n > 0;
    report.duplicated += n > 1;
  }
  report.lost = shared.ok > report.offered ? shared.ok - report.offered : 0;
  report.seconds = std::chrono::duration<double>(shared.last_offer - shared.start).count();
  report.achieved_rate = report.seconds > 0 ? report.offered / report.seconds : 0;
  report.p50_us = percentile(shared.latencies_us, 0.50);
  report.p99_us = percentile(shared.latencies_us, 0.99);
  report.p999_us = percentile(shared.latencies_us, 0.999);
  report.max_us = shared.latencies_us.empty() ? 0 : *std::max_element(shared.latencies_us.begin(), shared.latencies_us.end());
  if (report.offered > 0) {
    report.cpu_us_per_message = (cpu1 - cpu0) / report.offered;
    report.client_cpu_us_per_message = (client_cpu1 - client_cpu0) / report.offered;
  }
  return report;
}

std::string format_report(const LoadOptions& o, const LoadReport& r) {
  char text[1024];
  std::snprintf(text, sizeof text,
                "omni load: %.0f msg/s target for %.1f s, %u agents, %u HTTP connections, %u server threads\n"
                "  posted %llu, answered 200: %llu, other: %llu\n"
                "  offered %llu distinct, lost %llu, duplicated %llu\n"
                "  sustained %.0f msg/s over %.2f s\n"
                "  webhook -> offer latency: p50 %.0f us, p99 %.0f us, p99.9 %.0f us, max %.0f us\n"
                "  CPU per message: %.1f us (whole process), of which the load generator %.1f us\n",
                o.rate, std::chrono::duration<double>(o.duration).count(), o.agents, o.connections, o.server_threads,
                static_cast<unsigned long long>(r.posted), static_cast<unsigned long long>(r.answered_200),
                static_cast<unsigned long long>(r.answered_other), static_cast<unsigned long long>(r.offered),
                static_cast<unsigned long long>(r.lost), static_cast<unsigned long long>(r.duplicated),
                r.achieved_rate, r.seconds, r.p50_us, r.p99_us, r.p999_us, r.max_us, r.cpu_us_per_message,
                r.client_cpu_us_per_message);
  return text;
}

}  // namespace omni::service
