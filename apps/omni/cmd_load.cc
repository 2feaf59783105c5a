// `omni load`: drives an in-process `omni serve` on loopback with signed webhooks and agent
// WebSockets, and reports webhook → offer latency, the sustained rate, lost and duplicated
// messages and CPU per message (service/include/omnikernel/service/load_generator.h).
// Exit status: 0 when nothing was lost or duplicated, 1 otherwise, 2 on bad options.
#include <cstdio>
#include <memory>

#include "command.h"
#include "omnikernel/service/load_generator.h"

namespace {

struct LoadArgs {
  double rate = 2000;
  double seconds = 5;
  uint32_t agents = 100;
  uint32_t connections = 16;
  uint32_t per_request = 1;
  unsigned threads = 2;
  std::string journal;
  std::vector<std::string> plugins;
};

void load(const LoadArgs& args) {
  omni::service::LoadOptions options;
  options.rate = args.rate;
  options.duration = std::chrono::milliseconds(static_cast<int64_t>(args.seconds * 1000));
  options.agents = args.agents;
  options.connections = args.connections;
  options.messages_per_request = args.per_request;
  options.server_threads = args.threads;
  options.journal = args.journal;
  options.plugin_directories = omni::cli::plugin_directories(args.plugins);
  auto report = omni::service::run_load(options);
  if (!report) {
    std::fprintf(stderr, "omni load: %s\n", report.error().c_str());
    throw CLI::RuntimeError(2);
  }
  std::fputs(omni::service::format_report(options, *report).c_str(), stdout);
  if (report->lost > 0 || report->duplicated > 0) throw CLI::RuntimeError(1);
}

const omni::cli::CommandRegistrar reg{+[](CLI::App& root) {
  auto args = std::make_shared<LoadArgs>();
  CLI::App* c = root.add_subcommand(
      "load", "Load-test omni serve in-process on loopback: signed webhooks in, agents accepting over WebSockets");
  c->add_option("--rate", args->rate, "webhook messages per second (default 2000)")->check(CLI::Range(1.0, 200000.0));
  c->add_option("--seconds", args->seconds, "how long to post (default 5)")->check(CLI::Range(0.1, 600.0));
  c->add_option("--agents", args->agents, "agent WebSockets (default 100)")->check(CLI::Range(1u, 10000u));
  c->add_option("--connections", args->connections, "HTTP connections posting (default 16)")->check(CLI::Range(1u, 512u));
  c->add_option("--messages-per-request", args->per_request,
                 "messages in one webhook POST, as Meta batches under load (default 1)")
      ->check(CLI::Range(1u, 100u));
  omni::cli::add_journal_option(*c, args->journal,
                                "a new (empty) directory; fsync on, webhooks are answered once durable");
  c->add_option("--threads", args->threads, "server I/O threads (default 2)")->check(CLI::Range(1u, 64u));
  omni::cli::add_plugins_option(*c, args->plugins);
  c->callback([args] { load(*args); });
}};

}  // namespace
