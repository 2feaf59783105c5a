// Service: construction (plugins, kernel, routes), request dispatch, health, start and stop.
#include "omnikernel/service/service.h"

#include <charconv>
#include <cstdlib>

#include "omnikernel/config/writer.h"
#include "omnikernel/runtime/plugin_path.h"
#include "omnikernel/sdk/customer_id.hpp"
#include "omnikernel/service/hmac.h"
#include "journal_config.h"
#include "journal_durability.h"
#include "service_state.h"
#include "thread_name.h"

namespace omni::service {
namespace {

constexpr const char* kAdapters[] = {"whatsapp", "instagram", "webchat"};

std::expected<void, std::string> load_plugins(Service::State& s, const std::vector<std::filesystem::path>& dirs) {
  runtime::HostOptions host;
  host.clock = &s.clock;
  host.log = [&s](runtime::LogLevel level, std::string_view plugin, std::string_view message) {
    if (level >= runtime::LogLevel::warn) {
      s.log.warn("plugin_log", {{"plugin", plugin}, {"message", message}});
    }
  };
  s.loader = std::make_unique<runtime::PluginLoader>(host);
  const auto search = dirs.empty() ? runtime::plugin_search_path() : dirs;
  std::string looked_in;
  for (const auto& dir : search) {
    looked_in += (looked_in.empty() ? "" : ", ") + dir.string();
    auto report = s.loader->load_directory(dir);
    if (!report) continue;
    for (const auto& refused : report->refused) s.log.warn("plugin_refused", {{"error", refused.message()}});
  }
  for (const char* name : kAdapters) {
    if (!s.loader->find(name)) {
      return std::unexpected(std::string("channel adapter plugin \"") + name + "\" not found in " +
                             (looked_in.empty() ? "(no plugin directory)" : looked_in));
    }
    auto config = s.config.service.adapter_configs.find(name);
    auto handle = s.loader->create_adapter(name, config == s.config.service.adapter_configs.end() ? "" : config->second);
    if (!handle) return std::unexpected("service.adapters." + std::string(name) + ": " + handle.error().text());
    s.adapters.emplace(name, std::move(*handle));
  }
  for (const auto& [name, settings] : s.config.service.policies) {
    // Policies fail closed: one that cannot be loaded stops the service.
    if (!s.loader->find(name)) return std::unexpected("service.policies." + name + ": policy plugin not found in " + looked_in);
    auto policy = s.loader->create_policy(name, settings, [&s](CustomerId customer, std::span<SessionInfo> out) {
      return s.kernel ? s.kernel->sessions_of(customer, out) : size_t{0};
    });
    if (!policy) return std::unexpected("service.policies." + name + ": " + policy.error().text());
    s.hooks.push_back(policy->get());
    s.policy_plugins.push_back(std::move(*policy));
  }
  return {};
}

}  // namespace

std::expected<std::vector<ResolvedRoute>, std::string> resolve_routes(Service::State& s,
                                                                     const std::vector<RouteRule>& rules) {
  std::vector<ResolvedRoute> out;
  for (const RouteRule& rule : rules) {
    auto queue = s.kernel->find_queue(rule.queue);
    if (!queue) return std::unexpected(rule.path + ".queue: unknown queue \"" + rule.queue + "\" in the configuration in force");
    ResolvedRoute route{rule, *queue, RequirementsId{}};
    if (!rule.skills.empty()) {
      std::vector<SkillRequirement> skills;
      for (size_t i = 0; i < rule.skills.size(); ++i) {
        const SkillRule& k = rule.skills[i];
        auto skill = s.kernel->find_skill(k.skill);
        if (!skill)
          return std::unexpected(rule.path + ".skills[" + std::to_string(i) + "].skill: unknown skill \"" + k.skill +
                                 "\" in the configuration in force");
        skills.push_back({*skill, static_cast<uint8_t>(k.min_level), k.drop_after});
      }
      if (s.durable) {
        // Journaled before any submit can name it (and found again, same id, after a restart).
        auto reqs = s.durable->prepare_requirements(route.queue, skills);
        if (!reqs) {
          return std::unexpected(rule.path + ".skills: " + (reqs.error().kernel != Status::ok
                                                                ? std::string(to_string(reqs.error().kernel))
                                                                : "journal: " + std::string(journal::to_string(reqs.error().journal))));
        }
        route.requirements = *reqs;
      } else {
        auto reqs = s.kernel->prepare_requirements(route.queue, skills);
        if (!reqs) return std::unexpected(rule.path + ".skills: " + std::string(to_string(reqs.error())));
        route.requirements = *reqs;
      }
    }
    out.push_back(std::move(route));
  }
  return out;
}

namespace {

bool is_webhook(std::string_view path, std::string_view& channel) {
  constexpr std::string_view kPrefix = "/webhooks/";
  if (!path.starts_with(kPrefix)) return false;
  channel = path.substr(kPrefix.size());
  return channel == "whatsapp" || channel == "instagram" || channel == "webchat";
}

}  // namespace

std::expected<Secrets, std::string> resolve_secrets(const ServiceConfig& config, bool generate_missing,
                                                    std::vector<std::string>* generated) {
  Secrets out;
  auto read = [&](const std::string& variable, std::string& value) -> std::expected<void, std::string> {
    if (const char* v = std::getenv(variable.c_str()); v != nullptr && *v != '\0') {
      value = v;
      return {};
    }
    if (!generate_missing) return std::unexpected("environment variable " + variable + " is not set");
    value = random_secret();
    if (generated) generated->push_back(variable);
    return {};
  };
  const SecretNames& n = config.secrets;
  for (auto [variable, value] : {std::pair{&n.whatsapp_app_secret, &out.whatsapp_app_secret},
                                 std::pair{&n.instagram_app_secret, &out.instagram_app_secret},
                                 std::pair{&n.verify_token, &out.verify_token},
                                 std::pair{&n.agent_token_secret, &out.agent_token_secret},
                                 std::pair{&n.supervisor_token, &out.supervisor_token},
                                 std::pair{&n.graph_access_token, &out.graph_access_token}}) {
    if (auto r = read(*variable, *value); !r) return std::unexpected(r.error());
  }
  for (const WebChatSite& site : config.webchat_sites) {
    if (auto r = read(site.key_env, out.site_keys[site.site]); !r) return std::unexpected(r.error());
  }
  return out;
}

std::expected<std::unique_ptr<Service>, std::string> Service::create(ServiceSetup setup) {
  auto state = std::make_unique<State>(std::move(setup.config), std::move(setup.secrets), setup.log);
  State& s = *state;
  if (auto loaded = load_plugins(s, setup.plugin_directories); !loaded) return std::unexpected(loaded.error());
  if (setup.journal) {
    // Recovers when the directory holds a journal, else starts one; its lock refuses a second
    // process on it. Which configuration wins after live changes: journal_config.h.
    auto dk = open_journaled_kernel(setup.journal->dir, s.config.kernel, s.clock, s.hooks, setup.journal->options);
    if (!dk) return std::unexpected("journal " + setup.journal->dir.string() + ": " + dk.error());
    s.durable = std::move(*dk);
    s.kernel = &s.durable->kernel();
    for (const journal::Warning& w : s.durable->warnings())
      s.log.warn("journal_warning", {{"file", w.file.string()}, {"offset", w.offset}, {"what", w.what}});
  } else {
    auto kernel = Kernel::create(s.config.kernel, s.clock, s.hooks);
    if (!kernel) return std::unexpected(kernel.error().message());
    s.owned_kernel = std::move(*kernel);
    s.kernel = s.owned_kernel.get();
  }
  // The configuration in force from here on is the kernel's (the journal's after live changes).
  if (s.durable && config::write_config(s.config.kernel) != config::write_config(*s.kernel->config()))
    s.log.info("journal_config_in_force", {{"why", "live changes were made in this journal: its configuration is "
                                                   "in force, the file's kernel sections are not used"}});
  s.config.kernel = *s.kernel->config();
  // By position (a queue's id), tombstones of removed queues included: their items' events name them.
  for (const QueueConfig& q : s.config.kernel.queues) {
    auto info = std::make_unique<QueueInfo>();
    info->name = q.name;
    info->channel = q.channel;
    info->channel_id = *s.kernel->find_channel(q.channel);
    info->removed = q.removed;
    s.queues.push_back(std::move(info));
  }
  s.set_names(ServiceNames::of(s.config.kernel));
  s.peers.agents.resize(s.kernel->agent_count());  // grown by hires (live_config.cc)
  if (s.durable) {
    // Routes changed live (PUT /v1/routes) are in the journal and win over the file's, as the
    // journal's configuration does after a live change (journal_config.h).
    const durable::HostTable table = s.durable->host_table();
    if (auto live = table.find(std::string(kLiveRoutesKey)); live != table.end()) {
      auto rules = load_routes_text(live->second, s.config.kernel);
      if (!rules) return std::unexpected("journal host record " + std::string(kLiveRoutesKey) + ": " + rules.error().message());
      s.config.service.routes = std::move(*rules);
      s.log.info("journal_routes_in_force", {{"why", "routes were changed live in this journal: its routes are in "
                                                     "force, the file's service.routes are not used"}});
    }
  }
  auto routes = resolve_routes(s, s.config.service.routes);
  if (!routes) return std::unexpected(routes.error());
  s.routes = std::move(*routes);
  if (s.durable) {
    s.journal_durability = std::make_unique<JournalDurability>(*s.durable);
    if (auto rebuilt = rebuild_from_journal(s); !rebuilt) return std::unexpected(rebuilt.error());
  }
  s.durability = setup.durability != nullptr ? setup.durability
                 : s.journal_durability      ? s.journal_durability.get()
                                             : &s.immediate;
  s.sender = setup.sender ? std::move(setup.sender)
                          : std::make_unique<GraphSender>(s.config.service.graph_api_base, s.secrets.graph_access_token);
  return std::unique_ptr<Service>(new Service(std::move(state)));
}

Service::Service(std::unique_ptr<State> state) : state_(std::move(state)) {}

Service::~Service() {
  stop();
  state_->sender->stop();
}

Kernel& Service::kernel() noexcept { return *state_->kernel; }

std::string Service::token_of(std::string_view agent) const {
  return agent_token(state_->secrets.agent_token_secret, agent);
}

const Secrets& Service::secrets() const noexcept { return state_->secrets; }
const ServeConfig& Service::config() const noexcept { return state_->config; }
durable::DurableKernel* Service::durable() noexcept { return state_->durable.get(); }

void Service::start() {
  State& s = *state_;
  if (s.pump.joinable() || s.stopped.load()) return;
  {
    std::lock_guard lock(s.drain_mutex);
    s.drain_open = true;
  }
  if (s.durability != &s.immediate) s.acks = std::make_unique<DurableAcks>(*s.durability);
  s.pump = std::thread([&s] {
    name_this_thread("omni-pump");
    run_event_pump(s);
  });
  s.ready.store(true, std::memory_order_release);
  s.log.info("service_started", {{"agents", s.kernel->agent_count()}, {"queues", s.kernel->queue_count()}});
}

void Service::stop() {
  State& s = *state_;
  if (s.stopped.exchange(true)) return;
  s.ready.store(false, std::memory_order_release);
  s.pump_stop.store(true, std::memory_order_release);
  s.wake_pump();
  if (s.pump.joinable()) s.pump.join();
  std::lock_guard drain_lock(s.drain_mutex);  // held to the end: no request drains a closed journal
  s.drain_open = false;
  pump_once(s);  // whatever the last requests caused
  // Webhooks still waiting are answered while the journal still syncs (each within its time-out).
  if (s.acks) s.acks->stop();
  if (s.durable) {
    // Everything drained is made durable before the process exits (SIGTERM drains).
    const journal::JournalStatus closed = s.durable->close();
    if (closed != journal::JournalStatus::ok)
      s.log.warn("journal_close", {{"status", journal::to_string(closed)}});
  }
  s.log.info("service_stopped", {{"submitted", s.counters.submitted.load()}});
}

void Service::pump_now() {
  State& s = *state_;
  if (!s.pump.joinable() && !s.stopped.load()) pump_once(s);
}

void Service::on_refused(int status) noexcept {
  try {
    state_->counters.webhook("(server)", status);
  } catch (...) {
  }
}

void Service::handle_async(const HttpRequest& request, std::function<void(HttpResponse)> respond) {
  State& s = *state_;
  std::string_view channel;
  // acks is set once by start(), before the socket layer can call here, and kept until destruction.
  if (s.acks && is_webhook(request.path(), channel)) return handle_webhook(s, channel, request, std::move(respond), s.acks.get());
  respond(handle(request));
}

HttpResponse Service::handle(const HttpRequest& request) {
  State& s = *state_;
  const std::string_view path = request.path();
  const bool get = request.method == "GET" || request.method == "HEAD";
  std::string_view channel;
  if (is_webhook(path, channel)) return handle_webhook(s, channel, request);
  if (path == "/healthz") return get ? json_response(200, {{"status", "ok"}}) : error_response(405, "method_not_allowed", "use GET");
  if (path == "/readyz") {
    if (!get) return error_response(405, "method_not_allowed", "use GET");
    if (s.journal_stopped.load(std::memory_order_acquire))
      return json_response(503, {{"status", "not ready"}, {"reason", "the journal stopped; restart the service"}});
    return s.ready.load(std::memory_order_acquire) ? json_response(200, {{"status", "ready"}})
                                                   : json_response(503, {{"status", "not ready"}});
  }
  if (path == "/metrics") {
    if (!get) return error_response(405, "method_not_allowed", "use GET");
    return text_response(200, metrics_text(s), "text/plain; version=0.0.4; charset=utf-8");
  }
  if (path == "/" || path == "/index.html") {
    if (!get) return error_response(405, "method_not_allowed", "use GET");
    return text_response(200, std::string(supervisor_page()), "text/html; charset=utf-8");
  }
  if (is_config_change_path(request)) return handle_config_change(s, request);
  if (path.starts_with("/v1/agents/")) return handle_agent_rest(s, request);
  if (path.starts_with("/v1/supervisor/")) return handle_supervisor_rest(s, request);
  return error_response(404, "not_found", "no such endpoint: " + std::string(path.substr(0, 200)));
}

Upgrade Service::upgrade(const HttpRequest& request, std::shared_ptr<WsPeer> peer) {
  State& s = *state_;
  const std::string_view path = request.path();
  if (path == "/v1/agents/ws") return agent_upgrade(s, request, std::move(peer));
  if (path == "/v1/supervisor/ws") return supervisor_upgrade(s, request, std::move(peer));
  if (path == "/webchat/ws") return customer_upgrade(s, request, std::move(peer));
  return {nullptr, error_response(404, "not_found", "no WebSocket endpoint here")};
}

// ---- helpers shared by the parts ----------------------------------------------------------------

std::string_view bearer_token(const HttpRequest& request) {
  std::string_view h = request.header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  return h.starts_with(kBearer) ? h.substr(kBearer.size()) : std::string_view{};
}

HttpResponse json_response(int status, const Json& body) {
  return {status, "application/json", body.dump(-1, ' ', false, Json::error_handler_t::replace), {}};
}

int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string item_string(ItemId item) { return std::to_string(index(item)); }

std::optional<ItemId> parse_item(std::string_view text) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return ItemId{v};
}

std::optional<ItemId> parse_item(const Json& value) {
  if (value.is_string()) return parse_item(std::string_view(value.get_ref<const std::string&>()));
  if (value.is_number_unsigned()) return ItemId{value.get<uint64_t>()};
  return std::nullopt;
}

int http_status_of(Status status) {
  switch (status) {
    case Status::ok: return 200;
    case Status::unknown_item: return 404;
    case Status::not_offered_to_agent: return 403;
    case Status::wrong_state:
    case Status::decline_not_allowed:
    case Status::no_capacity:
    case Status::policy_refused:
    case Status::not_a_destination: return 409;
    case Status::queue_full:
    case Status::items_exhausted:
    case Status::customers_exhausted:
    case Status::events_full:
    case Status::busy:
    case Status::requirements_exhausted: return 503;
    default: return 400;
  }
}

}  // namespace omni::service
