// `omni serve [CONFIG] [--listen HOST:PORT]`: the kernel as a network service (docs/API.md).
// Without CONFIG, the embedded demo configuration, whose missing secrets are generated and printed
// (marked demo); with CONFIG, a missing secret is an error. SIGTERM or SIGINT drains (SIGHUP reloads service.tls's files): the server
// stops accepting, in-flight requests finish, the last kernel events are delivered, exit 0.
// With --journal DIR the kernel and the service's conversations are journaled in DIR and a
// restart on the same DIR carries on from it (docs/OPERATIONS.md "omni serve with a journal").
// Exit status 2 on a bad configuration, a missing secret or plugin, an address in use, or a
// journal directory that cannot be used (unwritable, held by another process, corrupt).
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "command.h"
#include "omnikernel/service/hmac.h"
#include "omnikernel/service/http_server.h"
#include "omnikernel/service/service.h"
#include "omnikernel/service/simulator.h"

namespace {

struct ServeArgs {
  std::string file;
  std::string listen;
  std::string journal;
  std::vector<std::string> plugins;
  unsigned threads = 2;
  bool simulate = false;
  double speed = 1.0;
};

[[noreturn]] void exit_with(int status) { throw CLI::RuntimeError(status); }

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "omni serve: %s\n", message.c_str());
  exit_with(2);
}

void serve(const ServeArgs& args) {
  namespace svc = omni::service;
  const bool demo = args.file.empty();
  auto config = demo ? svc::load_serve_config_text(svc::demo_config_json(), "demo configuration")
                     : svc::load_serve_config_file(args.file);
  if (!config) fail(config.error().message());
  if (!args.listen.empty()) {
    auto address = svc::parse_listen(args.listen);
    if (!address) fail("--listen: " + address.error());
    config->service.listen = *address;
  }
  std::vector<std::string> generated;
  auto secrets = svc::resolve_secrets(config->service, demo, &generated);
  if (!secrets) fail(secrets.error());

  // Signals are taken by sigwait below: block them before any thread starts, so none gets them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);  // certificate rotation
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  svc::ServiceSetup setup;
  setup.config = *config;
  setup.secrets = *secrets;
  setup.plugin_directories = omni::cli::plugin_directories(args.plugins);
  if (!args.journal.empty()) setup.journal = svc::JournalSetup{args.journal, {}};
  auto service = svc::Service::create(std::move(setup));
  if (!service) fail(service.error());
  auto server = svc::HttpServer::start(**service, config->service.listen, config->service.limits, args.threads,
                                       config->service.tls);
  if (!server) fail(server.error());
  (*service)->start();

  const std::string base = (config->service.tls.enabled() ? "https://" : "http://") + config->service.listen.host + ":" + std::to_string((*server)->port());
  std::printf("omni serve: listening on %s\n", base.c_str());
  if (auto* dk = (*service)->durable()) {
    if (dk->recovered()) {
      std::printf("omni serve: journal %s: recovered %zu items, durable up to record %llu\n", args.journal.c_str(),
                  dk->recovered_items(), static_cast<unsigned long long>(dk->durable_lsn()));
    } else {
      std::printf("omni serve: journal %s: new\n", args.journal.c_str());
    }
  }
  if (!generated.empty()) {
    // Printed on purpose, once, to the terminal that started the demo: never to the JSON log.
    std::printf("omni serve: DEMO secrets (generated because these variables are unset; do not use in production):\n");
    for (const std::string& name : generated) {
      std::string value;
      if (name == config->service.secrets.whatsapp_app_secret) value = secrets->whatsapp_app_secret;
      else if (name == config->service.secrets.instagram_app_secret) value = secrets->instagram_app_secret;
      else if (name == config->service.secrets.verify_token) value = secrets->verify_token;
      else if (name == config->service.secrets.agent_token_secret) value = secrets->agent_token_secret;
      else if (name == config->service.secrets.supervisor_token) value = secrets->supervisor_token;
      else if (name == config->service.secrets.graph_access_token) value = secrets->graph_access_token;
      for (const auto& site : config->service.webchat_sites) {
        if (name == site.key_env) value = secrets->site_keys[site.site];
      }
      std::printf("  demo %s=%s\n", name.c_str(), value.c_str());
    }
  }
  if (demo) {
    std::printf("omni serve: supervisor page: %s/#token=%s\n", base.c_str(), secrets->supervisor_token.c_str());
    const auto& agents = config->kernel.agents;
    if (!agents.empty()) {
      std::printf("omni serve: agent tokens are HMAC-SHA256(agent token secret, \"agent:\" + name); e.g. %s: %s\n",
                  agents.front().name.c_str(), (*service)->token_of(agents.front().name).c_str());
    }
  }
  std::fflush(stdout);

  std::unique_ptr<svc::Simulator> simulator;
  if (args.simulate) {
    auto sim = svc::Simulator::start(**service, args.speed);
    if (!sim) fail("--simulate: " + sim.error());
    simulator = std::move(*sim);
    std::printf("omni serve: simulating the default scenario's customers and agents in real time (x%g)\n", args.speed);
    std::fflush(stdout);
  }

  int signal = 0;
  for (sigwait(&signals, &signal); signal == SIGHUP; sigwait(&signals, &signal)) {
    // Certificate rotation: the files are read again (renewed in place, as certbot does);
    // connections already open keep the certificate they started with.
    if (!config->service.tls.enabled()) {
      std::fprintf(stderr, "omni serve: SIGHUP: nothing to reload (no service.tls)\n");
    } else if (auto reloaded = (*server)->reload_tls(config->service.tls); !reloaded) {
      std::fprintf(stderr, "omni serve: SIGHUP: %s; still serving the previous certificate\n", reloaded.error().c_str());
    } else {
      std::fprintf(stderr, "omni serve: SIGHUP: TLS certificate reloaded from %s\n", config->service.tls.certificate.c_str());
    }
  }
  std::fprintf(stderr, "omni serve: %s: draining\n", signal == SIGTERM ? "SIGTERM" : "SIGINT");
  if (simulator) simulator->stop();
  (*server)->stop();
  (*service)->stop();
}

const omni::cli::CommandRegistrar reg{+[](CLI::App& root) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* c = root.add_subcommand(
      "serve", "Run the kernel as a network service: webhooks, agent API, supervisor page, metrics (docs/API.md)");
  c->add_option("CONFIG", args->file, "configuration file (docs/CONFIG.md plus a \"service\" section); none = the demo");
  c->add_option("--listen", args->listen, "HOST:PORT to listen on (default 127.0.0.1:8080, or the config's)");
  c->add_option("--threads", args->threads, "I/O threads (default 2)")->check(CLI::Range(1u, 64u));
  omni::cli::add_journal_option(*c, args->journal,
                                "created when absent, recovered when it holds a journal; webhooks are acknowledged once durable");
  c->add_flag("--simulate", args->simulate,
              "drive the demo in real time with the default scenario's customers and agents");
  c->add_option("--speed", args->speed, "with --simulate: simulated seconds per wall second (default 1)")
      ->check(CLI::Range(0.1, 1000.0));
  omni::cli::add_plugins_option(*c, args->plugins);
  c->callback([args] { serve(*args); });
}};

}  // namespace
