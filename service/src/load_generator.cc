// `omni load`'s run: the service in-process, the client thread that drives it (posters,
// load_poster.h, and agents, load_agent.h, on plain non-blocking sockets on one level-triggered
// epoll loop, load_client_sockets.h), and the report from the tally (load_tally.h). Beast's
// clients cost the generator ~35-45 µs of CPU per message on the two cores it shares with the
// service: speculative reads failing with EAGAIN, a timer per paced request, a write per
// WebSocket frame.
#include "omnikernel/service/load_generator.h"

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "load_agent.h"
#include "load_client_sockets.h"
#include "load_poster.h"
#include "load_tally.h"
#include "omnikernel/service/hmac.h"
#include "omnikernel/service/http_server.h"
#include "omnikernel/service/service.h"
#include "thread_name.h"

namespace omni::service {
namespace {

using Json = nlohmann::json;
using load::Agent;
using load::answered_ok;
using load::not_answered;
using load::Poster;
using load::Schedule;
using load::Shared;
using load::SteadyTime;

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
