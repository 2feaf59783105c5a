// omni::service::Service — the kernel as a network application (issue 11): webhooks in through
// the channel-adapter plugins, offers and item updates out to agents' WebSockets, the agent API
// (WebSocket and REST), a supervisor view, metrics and health. It is an HttpApp: every request is
// a function call (request → response), so it is tested without sockets; HttpServer puts it on
// the network. docs/API.md documents every endpoint and message.
//
// Threads: HTTP handlers run on the server's I/O threads, concurrently. Kernel events are drained
// by exactly one thread, the service's event pump (start()), which also ticks the kernel's timers
// and fans events out to agents, supervisors and metrics (Kernel::poll_events has one drainer).
#pragma once
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <expected>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "omnikernel/durable/durable_kernel.h"
#include "omnikernel/kernel.h"
#include "omnikernel/service/durability.h"
#include "omnikernel/service/http_app.h"
#include "omnikernel/service/outbound.h"
#include "omnikernel/service/service_config.h"

namespace omni::service {

// The secret values, read from the environment variables the configuration names.
struct Secrets {
  std::string whatsapp_app_secret;
  std::string instagram_app_secret;
  std::string verify_token;
  std::string agent_token_secret;
  std::string supervisor_token;
  std::string graph_access_token;
  std::map<std::string, std::string> site_keys;  // web-chat site → key
};

// Reads every secret the configuration names. A missing one is an error naming the variable,
// unless `generate_missing` (the demo): then a random value is made and its variable's name added
// to `generated`, for the caller to print, marked as demo secrets.
[[nodiscard]] std::expected<Secrets, std::string> resolve_secrets(const ServiceConfig& config,
                                                                  bool generate_missing,
                                                                  std::vector<std::string>* generated);

// `omni serve --journal DIR`: the kernel runs as a durable::DurableKernel on `dir` (created when
// absent, recovered when it holds a journal), the service's conversations and seen message ids
// are journaled beside it, and a webhook is acknowledged only once what it caused is durable.
// docs/OPERATIONS.md "omni serve with a journal".
struct JournalSetup {
  std::filesystem::path dir;
  durable::DurableOptions options;  // group commit, fsync (on by default), snapshots, caps
};

struct ServiceSetup {
  ServeConfig config;
  Secrets secrets;
  std::vector<std::filesystem::path> plugin_directories;  // empty = the default search path
  std::optional<JournalSetup> journal;    // none = in memory only (a restart loses everything)
  // null = the journal's when `journal` is set, else ImmediateDurability; must outlive the service
  Durability* durability = nullptr;
  std::unique_ptr<OutboundSender> sender;  // null = GraphSender to config.service.graph_api_base
  std::FILE* log = stderr;                 // JSON lines; null = no log
};

class Service final : public HttpApp {
 public:
  [[nodiscard]] static std::expected<std::unique_ptr<Service>, std::string> create(ServiceSetup setup);
  ~Service() override;

  [[nodiscard]] HttpResponse handle(const HttpRequest& request) override;
  // With a journal (from start() on), a webhook is answered once durable from a thread of the
  // service's, not by blocking the socket layer's thread; everything else as handle().
  void handle_async(const HttpRequest& request, std::function<void(HttpResponse)> respond) override;
  [[nodiscard]] Upgrade upgrade(const HttpRequest& request, std::shared_ptr<WsPeer> peer) override;
  void on_refused(int status) noexcept override;

  // Starts the event pump. Until then, /readyz answers 503.
  void start();
  // Drains: /readyz answers 503, then the pump fires what is due, drains the last events, and
  // stops. Idempotent.
  void stop();
  // One pass of the pump's body (tick, drain events to agents and supervisors) on the caller's
  // thread, for a driver that wants no pump thread: the fuzzer, which audits the kernel after
  // each input and needs it quiescent. Does nothing once start() has started the pump.
  void pump_now();

  [[nodiscard]] Kernel& kernel() noexcept;
  // An agent's token (what the agent presents), from the service's agent-token secret.
  [[nodiscard]] std::string token_of(std::string_view agent) const;
  // For in-process drivers (the simulator signs its webhooks like Meta does). Never logged.
  [[nodiscard]] const Secrets& secrets() const noexcept;
  // The configuration at start (its kernel sections the journal's when a restart found live
  // changes there); the one in force after live changes is kernel().config().
  [[nodiscard]] const ServeConfig& config() const noexcept;
  // With a journal: what start-up recovered (null without one).
  [[nodiscard]] durable::DurableKernel* durable() noexcept;

  struct State;  // service/src/service_state.h

 private:
  explicit Service(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace omni::service
