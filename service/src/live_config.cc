// The supervisor's live configuration changes (issue 11 item 5, docs/API.md "Live changes"):
//   GET  /v1/config           the configuration in force (the kernel's; the service section and
//                             secrets are not part of it)
//   PUT  /v1/config           a whole next configuration
//   PATCH /v1/agents/{agent}  an agent's capacity (profile, presence_config), queues, skills
//   POST /v1/agents           hire an agent (up to limits.max_agents)
//   GET  /v1/routes           the routing rules in force (service.routes, or the last PUT's)
//   PUT  /v1/routes           {"routes": [...]}: the next routing rules, whole
// Each builds the next Config from the one in force, then Kernel::reconfigure takes it — through
// DurableKernel::reconfigure with a journal, so a restart comes back with it (journal_config.h).
// Authorized like the rest of the supervisor's API (the supervisor token). One change at a time.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "agent_changes.h"
#include "journal_config.h"
#include "omnikernel/config/loader.h"
#include "omnikernel/config/writer.h"
#include "service_state.h"

namespace omni::service {
namespace {

constexpr std::string_view kConfigPath = "/v1/config";
constexpr std::string_view kAgentsPath = "/v1/agents";
constexpr std::string_view kRoutesPath = "/v1/routes";

struct Outcome {
  int status = 200;
  Json body;
};

Outcome refused(int status, std::string_view code, const ConfigError& e) {
  return {status, {{"error", code}, {"field", e.field}, {"reason", e.reason}, {"message", e.message()}}};
}

Outcome malformed_json() { return {400, {{"error", "malformed_json"}, {"message", "$: the body is not valid JSON"}}}; }

// Takes `next` as the configuration in force, or changes nothing. The caller holds
// s.config_change_mutex, so `next` was built from the configuration in force now.
Outcome apply(Service::State& s, const Config& next, std::string_view what) {
  // The kernel's checks first: a refused change must not touch the names table or the journal.
  if (auto e = s.kernel->validate_reconfigure(next)) return refused(400, "refused_change", *e);
  const Config successor = live_successor(*s.kernel->config(), next);
  // The service's own tables are built at start: its routes resolve to queues then, and its
  // per-queue counters are sized then.
  if (successor.queues.size() > s.queues.size())
    return refused(400, "refused_change",
                   {"queues[" + std::to_string(s.queues.size()) + "]",
                    "omni serve takes added queues at its next start (its routing rules and queue tables are built "
                    "then); the kernel itself adds them live"});
  for (const ResolvedRoute& route : s.routes) {
    if (successor.queues[index(route.queue)].removed)
      return refused(400, "refused_change",
                     {route.rule.path + ".queue", "names queue \"" + route.rule.queue + "\", which the change removes"});
    for (size_t i = 0; i < route.rule.skills.size(); ++i) {
      const std::string& skill = route.rule.skills[i].skill;
      if (std::ranges::find(successor.removed_skills, skill) != successor.removed_skills.end())
        return refused(400, "refused_change", {route.rule.path + ".skills[" + std::to_string(i) + "].skill",
                                               "names skill \"" + skill + "\", which the change removes"});
    }
  }
  if (s.durable && s.journal_stopped.load(std::memory_order_acquire))
    return {503, {{"error", "not_durable"}, {"message", "the journal stopped; restart the service"}}};
  // Names and agent sockets for entries the change appends, ready before the kernel routes to
  // them (positions are ids; nothing reads an id the kernel has not handed out yet).
  s.set_names(ServiceNames::of(next));
  {
    std::lock_guard lock(s.peers.mutex);
    if (s.peers.agents.size() < next.agents.size()) s.peers.agents.resize(next.agents.size());
  }
  const auto restore_names = [&] { s.set_names(ServiceNames::of(*s.kernel->config())); };
  if (s.durable) {
    // The mark first: a restart that finds a configuration other than its file's takes the
    // journal's only when the mark says this service changed it live (journal_config.h).
    auto mark = s.durable->write_host(std::vector<durable::HostOp>{live_config_mark(++s.live_changes, unix_ms_now())});
    if (!mark) {
      restore_names();
      s.stop_journal("live change mark", journal::to_string(mark.error()));  // as every failed host record
      return {503, {{"error", "not_durable"}, {"message", "journal: " + std::string(journal::to_string(mark.error()))}}};
    }
    auto r = s.durable->reconfigure(next);
    if (!r) {
      restore_names();
      if (r.error().refused) return refused(400, "refused_change", *r.error().refused);
      // The configuration record may be in the journal without the kernel having taken it: no
      // later event may be journaled after it (a restart recovers what was durable).
      s.stop_journal("live change", journal::to_string(r.error().journal));
      return {503, {{"error", "not_durable"}, {"message", r.error().message()}}};
    }
  } else if (auto r = s.kernel->reconfigure(next); !r) {
    restore_names();
    return refused(400, "refused_change", r.error());
  }
  for (size_t q = 0; q < successor.queues.size(); ++q) s.queues[q]->removed.store(successor.queues[q].removed);
  s.wake_pump();  // what the change made routable is offered now; supervisors see it next push
  s.log.info("config_changed", {{"what", what}, {"agents", next.agents.size()}});
  return {200, {{"applied", true}}};
}

Outcome put_config(Service::State& s, const HttpRequest& request) {
  auto next = config::load_config_text(request.body, "$");
  if (!next) return refused(400, "invalid_config", next.error());
  return apply(s, *next, "PUT /v1/config");
}

Outcome patch_agent_request(Service::State& s, const HttpRequest& request, const std::string& name) {
  Config next = *s.kernel->config();
  auto it = std::ranges::find(next.agents, name, &AgentConfig::name);
  if (it == next.agents.end() || it->removed) return {404, {{"error", "unknown_agent"}, {"message", "no agent \"" + name + "\""}}};
  const auto position = static_cast<size_t>(it - next.agents.begin());
  const Json body = Json::parse(request.body, nullptr, false);
  if (body.is_discarded()) return malformed_json();
  if (auto edited = patch_agent(next, position, body); !edited) return refused(400, "bad_request", edited.error());
  Outcome out = apply(s, next, "PATCH /v1/agents/" + name);
  if (out.status == 200) out.body = agent_json(s, AgentId{static_cast<uint32_t>(position)});
  return out;
}

Outcome hire_request(Service::State& s, const HttpRequest& request) {
  Config next = *s.kernel->config();
  const Json body = Json::parse(request.body, nullptr, false);
  if (body.is_discarded()) return malformed_json();
  if (auto hired = hire_agent(next, body); !hired) return refused(400, "bad_request", hired.error());
  Outcome out = apply(s, next, "POST /v1/agents");
  if (out.status == 200) out = {201, agent_json(s, AgentId{static_cast<uint32_t>(next.agents.size() - 1)})};
  return out;
}

// The next routing rules, whole: checked against the configuration in force, their skills
// prepared (journaled), recorded in the journal's host table, then swapped in under the
// conversations' lock, so a message is routed by the old rules or the new, never a mix.
// Conversations already open stay where they are (continuity); new ones follow the new rules.
Outcome put_routes(Service::State& s, const HttpRequest& request) {
  auto rules = load_routes_text(request.body, *s.kernel->config());
  if (!rules) return refused(400, "invalid_routes", rules.error());
  if (s.durable && s.journal_stopped.load(std::memory_order_acquire))
    return {503, {{"error", "not_durable"}, {"message", "the journal stopped; restart the service"}}};
  auto resolved = resolve_routes(s, *rules);
  if (!resolved) {
    const std::string& e = resolved.error();
    const size_t colon = e.find(": ");
    return {400, {{"error", "invalid_routes"}, {"field", e.substr(0, colon)}, {"message", e}}};
  }
  const std::string text = write_routes(*rules);
  if (s.durable) {
    if (auto lsn = s.durable->write_host({durable::HostOp::put(std::string(kLiveRoutesKey), text)}); !lsn) {
      s.stop_journal("routes change", journal::to_string(lsn.error()));
      return {503, {{"error", "not_durable"}, {"message", "the routes could not be journaled; nothing changed"}}};
    }
  }
  {
    std::lock_guard lock(s.conversations_mutex);
    s.routes = std::move(*resolved);
    s.config.service.routes = std::move(*rules);
  }
  s.log.info("routes_changed", {{"routes", s.routes.size()}});
  return {200, {{"applied", true}, {"routes", Json::parse(text)["routes"]}}};
}

// "/v1/agents/{agent}" → the agent's name (percent-decoded); empty for any other path.
std::string single_agent(std::string_view path) {
  if (!path.starts_with(kAgentsPath) || path.size() <= kAgentsPath.size() + 1 || path[kAgentsPath.size()] != '/')
    return {};
  const std::string_view rest = path.substr(kAgentsPath.size() + 1);
  return rest.find('/') == std::string_view::npos ? percent_decode(rest) : std::string();
}

}  // namespace

bool is_config_change_path(const HttpRequest& request) {
  const std::string_view path = request.path();
  // PATCH is the only method /v1/agents/{agent} takes from a supervisor; GET is the agent's own.
  return path == kConfigPath || path == kAgentsPath || path == kRoutesPath ||
         (request.method == "PATCH" && !single_agent(path).empty());
}

HttpResponse handle_config_change(Service::State& s, const HttpRequest& request) {
  if (!authenticate_supervisor(s, bearer_token(request)))
    return error_response(401, "unauthorized", "missing or wrong supervisor token");
  const std::string_view path = request.path();
  if (path == kConfigPath && (request.method == "GET" || request.method == "HEAD"))
    return text_response(200, config::write_config(*s.kernel->config()), "application/json");
  if (path == kConfigPath && request.method != "PUT") return error_response(405, "method_not_allowed", "use GET or PUT");
  if (path == kAgentsPath && request.method != "POST") return error_response(405, "method_not_allowed", "use POST");
  if (path == kRoutesPath && (request.method == "GET" || request.method == "HEAD")) {
    std::lock_guard lock(s.conversations_mutex);
    return text_response(200, write_routes(s.config.service.routes), "application/json");
  }
  if (path == kRoutesPath && request.method != "PUT") return error_response(405, "method_not_allowed", "use GET or PUT");
  std::lock_guard one_at_a_time(s.config_change_mutex);
  const Outcome out = path == kConfigPath   ? put_config(s, request)
                      : path == kAgentsPath ? hire_request(s, request)
                      : path == kRoutesPath ? put_routes(s, request)
                                            : patch_agent_request(s, request, single_agent(path));
  if (out.status >= 400) s.log.info("config_change_refused", {{"path", path}, {"status", out.status}});
  return json_response(out.status, out.body);
}

}  // namespace omni::service
