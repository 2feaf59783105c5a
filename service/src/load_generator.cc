// The load generator's clients (plain non-blocking sockets on one level-triggered epoll loop, on a
// thread of their own) and its bookkeeping. Beast's clients cost the generator ~35-45 µs of CPU per
// message on the two cores it shares with the service: speculative reads failing with EAGAIN, a
// timer per paced request, a write per WebSocket frame.
#include "omnikernel/service/load_generator.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <queue>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "load_client_sockets.h"
#include "load_client_wire.h"
#include "omnikernel/service/hmac.h"
#include "omnikernel/service/http_server.h"
#include "omnikernel/service/service.h"
#include "thread_name.h"

namespace omni::service {
namespace {

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

// Messages first … first + count - 1, each from a new customer, in one WhatsApp webhook (Meta
// batches under load: entry[].changes[].value.messages[]). Each text carries the send time: the
// agent that receives the offer computes the latency.
std::string payload(uint64_t first, uint32_t count, int64_t sent_ns) {
  std::string contacts, messages;
  for (uint64_t n = first; n < first + count; ++n) {
    const std::string customer = std::to_string(10'000'000'000 + n);
    if (n != first) {
      contacts += ',';
      messages += ',';
    }
    contacts += R"({"profile":{"name":"L"},"wa_id":")" + customer + "\"}";
    messages += R"({"from":")" + customer + R"(","id":"wamid.load.)" + std::to_string(n) +
                R"(","timestamp":"1700000000","type":"text","text":{"body":")" + std::to_string(sent_ns) + "\"}}";
  }
  return R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"106540352242922"},"contacts":[)" +
         contacts + R"(],"messages":[)" + messages + "]}}]}]}";
}

// What became of each message number, kept by the client thread only.
enum Answer : uint8_t { not_answered = 0, answered_ok, answered_other };

struct Shared {
  SteadyTime::time_point start;
  SteadyTime::time_point stop_posting;  // posting that fell this far behind gives up
  std::string secret;
  uint32_t per_request = 1;
  uint64_t requests = 0, posted = 0, ok = 0, other = 0;
  uint32_t posters_done = 0;
  std::vector<uint8_t> answer;  // per message number: Answer
  std::vector<uint8_t> seen;    // per message number: times offered
  uint64_t ok_and_seen = 0;  // messages answered 200 and offered: the run may end when it reaches ok
  std::vector<double> latencies_us;
  SteadyTime::time_point last_offer, last_answer;
};

int64_t since_start_ns(const Shared& s) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyTime::now() - s.start).count();
}

class Poster;
// Posters waiting for their next slot, earliest first.
using Schedule = std::priority_queue<std::pair<SteadyTime::time_point, Poster*>,
                                     std::vector<std::pair<SteadyTime::time_point, Poster*>>, std::greater<>>;

// One keep-alive HTTP connection posting its share of the requests at its pace: requests
// first, first + stride, … (request r carries messages r·M … r·M + M - 1).
class Poster final : public ClientConnection {
 public:
  Poster(ClientLoop& loop, Schedule& schedule, Shared& shared, uint64_t first, uint64_t stride, uint64_t total_messages,
         SteadyTime::duration interval, SteadyTime::duration offset)
      : ClientConnection(loop), schedule_(schedule), shared_(shared), next_(first), stride_(stride),
        total_(total_messages), interval_(interval), offset_(offset) {}

  void start(const sockaddr_in& address) {
    // Each connection starts at its own offset into the interval, so that together they post
    // evenly spaced requests: started together they posted in bursts of one request per
    // connection, and the burst's queue, not the service, set the latency.
    due_ = shared_.start + offset_;
    if (!adopt(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0))) return finish();
    if (connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
      watch(EPOLLIN);
      return wait_for_slot(SteadyTime::now());
    }
    if (errno != EINPROGRESS) return finish();
    state_ = State::connecting;
    watch(EPOLLOUT);
  }

  void post(SteadyTime::time_point now) {
    if (state_ == State::done) return;
    const uint64_t first = next_ * shared_.per_request;
    if (first >= total_ || now > shared_.stop_posting) return finish();
    due_ += interval_;
    next_ += stride_;
    count_ = static_cast<uint32_t>(std::min<uint64_t>(shared_.per_request, total_ - first));
    first_ = first;
    const std::string body = payload(first, count_, since_start_ns(shared_));
    out_ = "POST /webhooks/whatsapp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           "X-Hub-Signature-256: sha256=";
    out_ += to_hex(hmac_sha256(shared_.secret, body));
    out_ += "\r\nContent-Length: ";
    out_ += std::to_string(body.size());
    out_ += "\r\n\r\n";
    out_ += body;
    ++shared_.requests;
    shared_.posted += count_;
    state_ = State::in_flight;
    if (!flush()) fail();
  }

 private:
  enum class State : uint8_t { connecting, idle, in_flight, done };

  void on_ready(uint32_t events) override {
    if (state_ == State::connecting) return connected();
    if ((events & EPOLLOUT) && !flush()) return fail();
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) read();
  }

  void connected() {
    int error = 0;
    socklen_t size = sizeof error;
    if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &size) != 0 || error != 0) return finish();
    watch(EPOLLIN);
    wait_for_slot(SteadyTime::now());
  }

  void read() {
    const bool open = fill();
    while (state_ == State::in_flight) {
      const auto head = wire::parse_response({in_.data(), in_used_});
      if (!head) break;
      if (head->status == 0) return fail();
      consume(head->size);
      const auto now = SteadyTime::now();
      answered(head->status == 200, now);
      // Answered before the whole request was sent: the connection is out of step.
      if (!sent_all()) return finish();
      wait_for_slot(now);
    }
    // Bytes nobody asked for, or the peer gone.
    if ((state_ != State::in_flight && in_used_ > 0) || !open) fail();
  }

  // Paced: wait for the next slot, or go at once when behind.
  void wait_for_slot(SteadyTime::time_point now) {
    state_ = State::idle;
    if (now >= due_) return post(now);
    schedule_.emplace(due_, this);
  }

  // The request in flight is answered other. An idle connection is only closed: its next post
  // finds it so and is answered other, as Beast's write-then-read found it.
  void fail() {
    if (state_ == State::in_flight) {
      answered(false, SteadyTime::now());
      return finish();
    }
    if (state_ == State::idle) return close_socket();
    finish();
  }

  void finish() {
    if (state_ == State::done) return;
    state_ = State::done;
    ++shared_.posters_done;
    close_socket();
  }

  void answered(bool ok, SteadyTime::time_point now) {
    for (uint64_t n = first_; n < first_ + count_; ++n) {
      shared_.answer[n] = ok ? answered_ok : answered_other;
      shared_.ok_and_seen += ok && shared_.seen[n] > 0;
    }
    (ok ? shared_.ok : shared_.other) += count_;
    shared_.last_answer = now;
  }

  Schedule& schedule_;
  Shared& shared_;
  State state_ = State::idle;
  uint64_t next_, stride_, total_;
  uint64_t first_ = 0;
  uint32_t count_ = 0;
  SteadyTime::duration interval_, offset_;
  SteadyTime::time_point due_;
};

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
  if (o.messages_per_request < 1 || o.messages_per_request > 100) {
    return std::unexpected("--messages-per-request must be 1 … 100");
  }
  auto config = load_serve_config_text(load_config(o.agents), "load configuration");
  if (!config) return std::unexpected(config.error().message());
  ServiceSetup setup;
  setup.config = *config;
  if (!o.journal.empty()) {
    // A journal that already holds messages would answer this run's ids as duplicates.
    std::error_code ec;
    if (std::filesystem::exists(o.journal, ec) && !std::filesystem::is_empty(o.journal, ec)) {
      return std::unexpected("--journal " + o.journal.string() + ": not empty (the load needs a new journal)");
    }
    setup.journal = JournalSetup{o.journal, {}};
  }
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
  shared.per_request = o.messages_per_request;
  const uint64_t total = static_cast<uint64_t>(o.rate * std::chrono::duration<double>(o.duration).count());
  const uint64_t total_requests = (total + o.messages_per_request - 1) / o.messages_per_request;
  const uint32_t connections = static_cast<uint32_t>(std::min<uint64_t>(o.connections, std::max<uint64_t>(total_requests, 1)));
  shared.answer.assign(total, not_answered);
  shared.seen.assign(total, 0);
  shared.latencies_us.reserve(total);

  double cpu0 = 0, cpu1 = 0, client_cpu0 = 0, client_cpu1 = 0;
  std::thread client([&] {
    name_this_thread("omni-load");
    ClientLoop loop;
    const sockaddr_in address = loopback((*server)->port());
    const auto give_up = SteadyTime::now() + 2 * o.duration + std::chrono::seconds(40);
    std::mt19937 random(std::random_device{}());
    std::vector<std::unique_ptr<Agent>> agents;
    uint32_t connected = 0;
    // One at a time, each bounded by its socket time-outs; after a failure the rest would not
    // matter: posting waits for every agent, so agents that never connect end the run at the give-up.
    for (uint32_t a = 1; a <= o.agents && connected == a - 1; ++a) {
      const std::string name = "agent-" + std::to_string(a);
      agents.push_back(std::make_unique<Agent>(loop, shared, static_cast<uint32_t>(random())));
      connected += agents.back()->open(address, name, (*service)->token_of(name));
    }
    const bool posting = connected == o.agents;
    Schedule schedule;
    std::vector<std::unique_ptr<Poster>> posters;
    if (posting) {
      shared.start = SteadyTime::now();
      shared.stop_posting = shared.start + 2 * o.duration + std::chrono::seconds(5);
      shared.last_answer = shared.last_offer = shared.start;
      cpu0 = process_cpu_us();
      client_cpu0 = thread_cpu_us();
      const auto interval = std::chrono::duration_cast<SteadyTime::duration>(
          std::chrono::duration<double>(connections * o.messages_per_request / o.rate));
      for (uint32_t c = 0; c < connections; ++c) {
        posters.push_back(std::make_unique<Poster>(loop, schedule, shared, c, connections, total, interval,
                                                   interval * c / connections));
        posters.back()->start(address);
      }
    }
    // Done when every poster has its last answer and every message answered 200 was offered, or
    // 5 s after the last answer with offers still missing (those are lost). Bounded whatever
    // happens: agents that never connect or a service that stops answering end the run too.
    std::array<epoll_event, 256> events;
    for (;;) {
      const auto now = SteadyTime::now();
      while (!schedule.empty() && schedule.top().first <= now) {
        Poster* due = schedule.top().second;
        schedule.pop();
        due->post(now);
      }
      const bool answered = posting && shared.posters_done == connections;
      const bool all_offered = shared.ok_and_seen >= shared.ok;
      if ((answered && (all_offered || now > shared.last_answer + std::chrono::seconds(5))) || now > give_up) break;
      // The stop conditions are checked after every wake; the 20 ms only bound the waits for
      // the time-outs when nothing happens.
      std::chrono::nanoseconds timeout = std::chrono::milliseconds(20);
      if (!schedule.empty()) timeout = std::min(timeout, std::chrono::nanoseconds(schedule.top().first - now));
      const int n = loop.wait(events, timeout);
      if (n < 0 && errno != EINTR) break;
      for (int i = 0; i < n; ++i) static_cast<ClientConnection*>(events[i].data.ptr)->ready(events[i].events);
    }
    cpu1 = process_cpu_us();
    client_cpu1 = thread_cpu_us();
  });
  client.join();
  (*server)->stop(std::chrono::milliseconds(100));
  (*service)->stop();

  LoadReport report;
  report.planned = total;
  report.posted = shared.posted;
  report.requests = shared.requests;
  report.answered_200 = shared.ok;
  report.answered_other = shared.posted - shared.ok;
  for (uint64_t n = 0; n < total; ++n) {
    report.offered += shared.seen[n] > 0;
    report.duplicated += shared.seen[n] > 1;
    report.lost += shared.answer[n] == answered_ok && shared.seen[n] == 0;
  }
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
  char text[2048];
  std::snprintf(text, sizeof text,
                "omni load: %.0f msg/s target for %.1f s, %u agents, %u HTTP connections, %u message(s) per request, "
                "%u server threads%s%s\n"
                "  planned %llu, posted %llu in %llu requests\n"
                "  posted %llu, answered 200: %llu, other: %llu\n"
                "  offered %llu distinct, lost %llu, duplicated %llu\n"
                "  sustained %.0f msg/s over %.2f s\n"
                "  webhook -> offer latency: p50 %.0f us, p99 %.0f us, p99.9 %.0f us, max %.0f us\n"
                "  CPU per message: %.1f us (whole process), of which the load generator %.1f us\n",
                o.rate, std::chrono::duration<double>(o.duration).count(), o.agents, o.connections,
                o.messages_per_request, o.server_threads, o.journal.empty() ? "" : ", journal ",
                o.journal.empty() ? "" : o.journal.c_str(), static_cast<unsigned long long>(r.planned),
                static_cast<unsigned long long>(r.posted), static_cast<unsigned long long>(r.requests),
                static_cast<unsigned long long>(r.posted), static_cast<unsigned long long>(r.answered_200),
                static_cast<unsigned long long>(r.answered_other), static_cast<unsigned long long>(r.offered),
                static_cast<unsigned long long>(r.lost), static_cast<unsigned long long>(r.duplicated),
                r.achieved_rate, r.seconds, r.p50_us, r.p99_us, r.p999_us, r.max_us, r.cpu_us_per_message,
                r.client_cpu_us_per_message);
  return text;
}

}  // namespace omni::service
