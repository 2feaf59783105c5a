// `omni load`: a load generator for `omni serve` (issue 11 item 8). It starts the service
// in-process on 127.0.0.1 (loopback only) with a generated configuration of N agents, then drives
// it through real sockets: C keep-alive HTTP connections post signed WhatsApp webhooks (M messages
// each, as Meta batches under load; a new customer per message) at a target rate of messages,
// evenly spaced across the connections, and N agent WebSockets accept and close every offer. Bounded in count and time (the options' limits):
// posting stops at twice the duration plus 5 s however far behind it is, and offers are awaited
// for at most 5 s after the last answer.
//
// Reported: webhook → offer latency (post sent → offer received by the agent; one process, one
// steady clock) p50 / p99 / p99.9, the sustained rate, lost (answered 200, never seen by an agent,
// checked message by message once the offers stopped coming) and duplicated (offered twice)
// messages, and CPU per message (whole process, and the load generator's own thread, so the
// server's share is the difference). With a journal directory the service journals (fsync on) and
// answers a webhook only once it is durable.
#pragma once
#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>
#include <vector>

namespace omni::service {

struct LoadOptions {
  double rate = 2000;                  // webhook messages per second, 1 … 200,000
  std::chrono::milliseconds duration{5000};  // 100 ms … 10 min
  uint32_t agents = 100;               // 1 … 10,000 agent WebSockets
  uint32_t connections = 16;           // 1 … 512 HTTP connections
  uint32_t messages_per_request = 1;  // 1 … 100 messages in one webhook POST
  unsigned server_threads = 2;
  std::filesystem::path journal;       // empty: in memory; else a new (empty or absent) directory
  std::vector<std::filesystem::path> plugin_directories;
};

struct LoadReport {
  uint64_t planned = 0;         // messages the rate and duration ask for
  uint64_t posted = 0;          // messages posted (short of planned when posting fell too far behind)
  uint64_t requests = 0;        // webhook POSTs
  uint64_t answered_200 = 0;    // messages whose POST was answered 200
  uint64_t answered_other = 0;  // messages whose POST was answered otherwise (or not at all)
  uint64_t offered = 0;       // distinct messages seen in offers
  uint64_t lost = 0;
  uint64_t duplicated = 0;
  double seconds = 0;         // from the first post to the last offer
  double achieved_rate = 0;   // offered / seconds
  double p50_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
  double cpu_us_per_message = 0;         // the whole process (server + load generator)
  double client_cpu_us_per_message = 0;  // the load generator's thread alone
};

[[nodiscard]] std::expected<LoadReport, std::string> run_load(const LoadOptions& options);
[[nodiscard]] std::string format_report(const LoadOptions& options, const LoadReport& report);

}  // namespace omni::service
