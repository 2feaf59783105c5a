// The supervisor's view: agents, queues, channels and recent events as one JSON state (REST and
// pushed over the supervisor WebSocket every 500 ms by the event pump), and a status change.
// Authenticated by the supervisor token (Bearer header, or ?token= for the browser's WebSocket).
#include "omnikernel/service/hmac.h"
#include "service_state.h"

namespace omni::service {
namespace {

std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

class SupervisorSocket final : public WsHandler {
 public:
  SupervisorSocket(Service::State& s, std::shared_ptr<WsPeer> peer) : s_(s), peer_(std::move(peer)) {}
  // {"op": "set_status", "agent": NAME, "status": NAME}
  void on_text(std::string_view message) override {
    Json command = Json::parse(message, nullptr, false);
    Json out{{"type", "result"}};
    if (command.is_object() && command.contains("id")) out["id"] = command["id"];
    const auto field_is_string = [&](const char* key) {
      return command.is_object() && command.contains(key) && command[key].is_string();
    };
    if (!field_is_string("op") || command["op"] != "set_status" || !field_is_string("agent") ||
        !field_is_string("status")) {
      out["ok"] = false;
      out["error"] = "bad_request";
      out["message"] = "expected {\"op\": \"set_status\", \"agent\": NAME, \"status\": NAME}";
    } else {
      auto agent = s_.kernel->find_agent(command["agent"].get<std::string>());
      if (!agent) {
        out["ok"] = false;
        out["error"] = "unknown_agent";
      } else {
        Json c{{"op", "set_status"}, {"status", command["status"]}};
        CommandResult r = run_agent_command(s_, *agent, c);
        for (auto& [k, v] : r.body.items()) out[k] = v;
      }
    }
    send(dump(out));
  }
  void on_close() noexcept override {}

 private:
  void send(std::string text) {
    if (auto peer = peer_.lock()) peer->send(std::move(text));
  }

  Service::State& s_;
  std::weak_ptr<WsPeer> peer_;  // weak: the connection owns this handler, not the reverse
};

}  // namespace

bool authenticate_supervisor(Service::State& s, std::string_view token) {
  return !token.empty() && constant_time_equal(token, s.secrets.supervisor_token);
}

Json supervisor_state(Service::State& s) {
  Kernel& k = *s.kernel;
  const Time now = s.clock.now();
  // Items per agent and per channel, in one pass over the open conversations.
  // Read once: a hire (live_config.cc) may add an agent while this state is built.
  const uint32_t agent_count = k.agent_count();
  std::vector<Json> items_of(agent_count, Json::array());
  std::map<std::string, std::array<uint64_t, 2>> channels;  // channel → {open, waiting}
  for (const auto& [name, adapter] : s.adapters) channels[name] = {0, 0};  // idle channels show too
  {
    std::lock_guard lock(s.conversations_mutex);
    for (const auto& [id, c] : s.by_item) {
      auto snap = k.item(c->item);
      if (!snap) continue;
      auto& ch = channels[c->channel];
      ++ch[0];
      if (snap->state == ItemState::queued) ++ch[1];
      if (c->agent != kNoAgent && index(c->agent) < items_of.size()) {
        items_of[index(c->agent)].push_back({{"item", item_string(c->item)}, {"state", to_string(snap->state)},
                                             {"channel", c->channel}, {"queue", s.queue_name(c->queue)}});
      }
    }
  }
  Json agents = Json::array();
  const auto in_force = k.config();
  for (uint32_t a = 0; a < agent_count; ++a) {
    auto snap = k.agent(AgentId{a});
    if (!snap || (a < in_force->agents.size() && in_force->agents[a].removed)) continue;  // removed live
    Json agent{{"agent", s.agent_name(AgentId{a})},   {"status", s.status_name(snap->status)},
               {"activity", to_string(snap->activity)}, {"used", snap->used_milli / 1000.0},
               {"capacity", snap->capacity_milli / 1000.0}, {"items", std::move(items_of[a])}};
    if (auto cause = s.pause_cause(snap->status); !cause.empty()) agent["pause_cause"] = cause;
    agents.push_back(std::move(agent));
  }
  Json queues = Json::array();
  for (uint32_t q = 0; q < s.queues.size(); ++q) {
    auto snap = k.queue(QueueId{q});
    if (!snap || s.queues[q]->removed.load(std::memory_order_relaxed)) continue;
    const QueueInfo& info = *s.queues[q];
    const uint64_t answered = info.answered.load(std::memory_order_relaxed);
    Json queue{{"queue", info.name},
               {"channel", info.channel},
               {"waiting", snap->waiting},
               {"oldest_wait_s", snap->oldest ? std::chrono::duration<double>(now - *snap->oldest).count() : 0.0},
               {"answered", answered},
               {"abandoned", info.abandoned.load(std::memory_order_relaxed)}};
    // Share of accepted items answered within the threshold; null before the first one.
    queue["service_level"] = answered == 0 ? Json(nullptr)
                                           : Json(static_cast<double>(info.answered_in_threshold.load()) / answered);
    queues.push_back(std::move(queue));
  }
  Json channel_list = Json::array();
  for (const auto& [name, counts] : channels) {
    channel_list.push_back({{"channel", name}, {"open", counts[0]}, {"waiting", counts[1]}});
  }
  Json recent = Json::array();
  {
    std::lock_guard lock(s.recent_mutex);
    const size_t first = s.recent.size() > 50 ? s.recent.size() - 50 : 0;
    for (size_t i = first; i < s.recent.size(); ++i) {
      const Event& e = s.recent[i];
      Json j{{"at_ms", std::chrono::duration_cast<std::chrono::milliseconds>(e.at.time_since_epoch()).count()},
             {"type", to_string(e.type)}};
      if (index(e.item) != 0) j["item"] = item_string(e.item);
      if (e.agent != kNoAgent) j["agent"] = s.agent_name(e.agent);
      if (index(e.item) != 0 && e.queue != kNoQueue && index(e.queue) < s.queues.size()) j["queue"] = s.queue_name(e.queue);
      if (e.type == EventType::agent_status) j["status"] = s.status_name(StatusId{e.reason});
      recent.push_back(std::move(j));
    }
  }
  Json statuses = Json::array();
  // Held for the loop (a range-for over s.names()->statuses would outlive the temporary pointer):
  // a live change may replace the table meanwhile.
  const auto names = s.names();
  for (const std::string& name : names->statuses) statuses.push_back(name);
  return {{"agents", std::move(agents)},
          {"queues", std::move(queues)},
          {"channels", std::move(channel_list)},
          {"recent_events", std::move(recent)},
          {"statuses", std::move(statuses)},
          {"service_level_threshold_s", std::chrono::duration<double>(s.config.service.service_level_threshold).count()}};
}

HttpResponse handle_supervisor_rest(Service::State& s, const HttpRequest& request) {
  // GET /v1/supervisor/state; POST /v1/supervisor/agents/{agent}/status {"status": NAME}
  if (!authenticate_supervisor(s, bearer_token(request))) {
    return error_response(401, "unauthorized", "missing or wrong supervisor token");
  }
  const std::string_view path = request.path();
  if (path == "/v1/supervisor/state") {
    if (request.method != "GET") return error_response(405, "method_not_allowed", "use GET");
    return json_response(200, supervisor_state(s));
  }
  constexpr std::string_view kAgents = "/v1/supervisor/agents/";
  constexpr std::string_view kStatus = "/status";
  if (path.starts_with(kAgents) && path.ends_with(kStatus) && path.size() > kAgents.size() + kStatus.size()) {
    if (request.method != "POST") return error_response(405, "method_not_allowed", "use POST");
    const std::string name = percent_decode(path.substr(kAgents.size(), path.size() - kAgents.size() - kStatus.size()));
    auto agent = s.kernel->find_agent(name);
    if (!agent) return error_response(404, "unknown_agent", "no such agent");
    Json body = Json::parse(request.body, nullptr, false);
    if (body.is_discarded()) return error_response(400, "malformed_json", "$: the body is not valid JSON");
    if (!body.is_object()) return error_response(400, "bad_request", "$: expected an object");
    Json command{{"op", "set_status"}};
    if (body.contains("status")) command["status"] = body["status"];
    CommandResult r = run_agent_command(s, *agent, command);
    return json_response(r.status, r.body);
  }
  return error_response(404, "not_found", "no such endpoint");
}

Upgrade supervisor_upgrade(Service::State& s, const HttpRequest& request, std::shared_ptr<WsPeer> peer) {
  std::string token(bearer_token(request));
  if (token.empty()) token = request.query("token").value_or("");
  if (!authenticate_supervisor(s, token)) return {nullptr, error_response(401, "unauthorized", "wrong supervisor token")};
  peer->send(dump({{"type", "state"}, {"state", supervisor_state(s)}}));
  {
    std::lock_guard lock(s.peers.mutex);
    s.peers.supervisors.push_back(peer);
  }
  return {std::make_shared<SupervisorSocket>(s, std::move(peer)), {}};
}

}  // namespace omni::service
