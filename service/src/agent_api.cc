// The agent API: one command set ({"op": …}) behind the agent's WebSocket and its REST twins.
// An agent is authenticated by its token (constant-time compare) and acts only on its own items:
// accept and decline are checked by the kernel (offered to this agent?), every other item
// operation by the item's holder here (403 otherwise).
#include <algorithm>
#include <array>
#include <optional>
#include <span>

#include "omnikernel/service/hmac.h"
#include "json_writer.h"
#include "service_state.h"

namespace omni::service {
namespace {

std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

CommandResult fail(int status, std::string_view error, std::string message) {
  return {status, {{"ok", false}, {"error", error}, {"message", std::move(message)}}};
}

CommandResult from_status(Status st) {
  if (st == Status::ok) return {200, {{"ok", true}}};
  CommandResult r = fail(http_status_of(st), to_string(st), std::string(to_string(st)));
  if (st == Status::policy_refused) r.body["message"] = std::string(Kernel::last_policy_reason());
  if (st == Status::not_offered_to_agent) r.body["message"] = "the item is not offered to you";
  return r;
}

// A string member, or an error naming its JSON path.
std::expected<std::string, CommandResult> string_field(const Json& command, const char* key, bool required) {
  auto it = command.find(key);
  if (it == command.end() || it->is_null()) {
    if (required) return std::unexpected(fail(400, "bad_request", std::string("$.") + key + ": missing"));
    return std::string();
  }
  if (!it->is_string()) {
    return std::unexpected(fail(400, "bad_request", std::string("$.") + key + ": expected a string, got " + it->type_name()));
  }
  return it->get<std::string>();
}

CommandResult reply(Service::State& s, AgentId agent, ItemId item, const Json& command) {
  auto text = string_field(command, "text", false);
  if (!text) return text.error();
  auto template_name = string_field(command, "template", false);
  if (!template_name) return template_name.error();
  const bool is_template = !template_name->empty();
  Conversation c;
  {
    std::lock_guard lock(s.conversations_mutex);
    auto it = s.by_item.find(index(item));
    if (it == s.by_item.end()) return fail(409, "no_conversation", "the item has no open conversation");
    c.channel = it->second->channel;
    c.account = it->second->account;
    c.customer = it->second->customer;
    c.last_inbound_ms = it->second->last_inbound_ms;
  }
  auto adapter = s.adapters.find(c.channel);
  runtime::OutboundRequest request;
  request.kind = is_template ? runtime::OutboundKind::template_message : runtime::OutboundKind::free_form;
  request.customer = c.customer;
  if (c.last_inbound_ms > 0) request.last_inbound_ms = c.last_inbound_ms;
  request.now_ms = unix_ms_now();
  request.text = is_template ? *template_name : *text;
  auto gate = adapter->second.gate_outbound(request);
  if (!gate) return fail(502, "adapter_failed", gate.error().text());
  if (!gate->allowed) {
    s.counters.replies_refused.fetch_add(1, std::memory_order_relaxed);
    return fail(409, gate->reason == runtime::GateReason::window_closed ? "window_closed" : "refused_by_gate",
                gate->message);
  }
  if (c.channel == "webchat") {
    // The customer's browser is on the web-chat WebSocket: the reply goes straight there.
    s.peers.to_customer(c.account + "|" + c.customer,
                        dump({{"type", "reply"}, {"item", item_string(item)}, {"text", gate->text}}));
    s.counters.replies_sent.fetch_add(1, std::memory_order_relaxed);
    return {200, {{"ok", true}, {"sent", true}}};
  }
  OutboundMessage out{c.channel, c.account, c.customer, is_template ? *template_name : gate->text, is_template,
                      "en_US", index(item), index(agent)};
  if (auto language = command.find("language"); language != command.end() && language->is_string()) {
    out.language = language->get<std::string>();
  }
  s.sender->send(std::move(out), [&s](const OutboundMessage& m, const SendResult& r) {
    (r.ok ? s.counters.replies_sent : s.counters.replies_failed).fetch_add(1, std::memory_order_relaxed);
    if (!r.ok) s.log.warn("reply_failed", {{"channel", m.channel}, {"http_status", r.http_status}, {"error", r.error}});
    s.peers.to_agent(AgentId{m.agent}, dump({{"type", "reply_result"}, {"item", item_string(ItemId{m.item})},
                                             {"ok", r.ok}, {"http_status", r.http_status}, {"error", r.error}}));
  });
  return {202, {{"ok", true}, {"queued", true}}};
}

CommandResult item_command(Service::State& s, AgentId agent, const std::string& op, const Json& command) {
  auto it = command.find("item");
  std::optional<ItemId> item = it == command.end() ? std::nullopt : parse_item(*it);
  if (!item) return fail(400, "bad_request", "$.item: expected an item id (a decimal string)");
  if (op == "accept") return from_status(s.kernel->accept(*item, agent));
  if (op == "decline") {
    auto reason = string_field(command, "reason", false);
    if (!reason) return reason.error();
    std::optional<DeclineReasonId> id;
    if (!reason->empty()) {
      id = s.kernel->find_decline_reason(agent, *reason);
      if (!id) return fail(400, "unknown_reason", "$.reason: not a decline reason of your presence configuration");
    }
    return from_status(s.kernel->decline(*item, agent, id));
  }
  // Every other operation: only the item's holder.
  auto snapshot = s.kernel->item(*item);
  if (!snapshot) return from_status(snapshot.error());
  if (snapshot->state == ItemState::free) return fail(409, "wrong_state", "the item is done");
  if (snapshot->agent != agent) return fail(403, "forbidden", "not your item");
  if (op == "pause") {
    auto value = string_field(command, "value", true);
    if (!value) return value.error();
    const ChannelId channel = s.queues[index(snapshot->queue)]->channel_id;
    auto id = s.kernel->find_paused_value(channel, *value);
    if (!id) return fail(400, "unknown_value", "$.value: not a paused value of the item's channel");
    return from_status(s.kernel->pause(*item, *id));
  }
  if (op == "resume") return from_status(s.kernel->resume(*item));
  if (op == "close") return from_status(s.kernel->close(*item));
  if (op == "end_wrap_up") return from_status(s.kernel->end_wrap_up(*item));
  if (op == "transfer") {
    auto queue = string_field(command, "queue", false);
    if (!queue) return queue.error();
    auto to_agent = string_field(command, "agent", false);
    if (!to_agent) return to_agent.error();
    if (!queue->empty()) {
      auto q = s.kernel->find_queue(*queue);
      if (!q) return fail(400, "unknown_queue", "$.queue: no such queue");
      return from_status(s.kernel->transfer_to_queue(*item, *q));
    }
    if (!to_agent->empty()) {
      auto a = s.kernel->find_agent(*to_agent);
      if (!a) return fail(400, "unknown_agent", "$.agent: no such agent");
      return from_status(s.kernel->transfer_to_agent(*item, *a));
    }
    return fail(400, "bad_request", "$: transfer needs \"queue\" or \"agent\"");
  }
  if (op == "reply") return reply(s, agent, *item, command);
  return fail(400, "unknown_op", "$.op: unknown operation \"" + op + "\"");
}

// An item command whose updates its result answers, and the events it causes (AnsweredUpdates).
// transfer, reply and set_status are not among them: their updates concern others or nothing.
struct Answering {
  ItemId item{};
  std::array<EventType, 2> event_list{};
  size_t count = 0;
  [[nodiscard]] std::span<const EventType> events() const { return {event_list.data(), count}; }
};

std::optional<Answering> answering_of(const Json& command) {
  if (!command.is_object()) return std::nullopt;
  auto op = command.find("op");
  auto item_field = command.find("item");
  if (op == command.end() || !op->is_string() || item_field == command.end()) return std::nullopt;
  const std::optional<ItemId> item = parse_item(*item_field);
  if (!item) return std::nullopt;
  const std::string& name = op->get_ref<const std::string&>();
  if (name == "accept") return Answering{*item, {EventType::accepted}, 1};
  if (name == "decline") return Answering{*item, {EventType::declined}, 1};
  if (name == "pause") return Answering{*item, {EventType::paused}, 1};
  if (name == "resume") return Answering{*item, {EventType::resumed}, 1};
  // Without a wrap-up time close ends the item at once (closed, done); with one, `done` comes
  // later and is withdrawn (state_answered).
  if (name == "close") return Answering{*item, {EventType::closed, EventType::done}, 2};
  if (name == "end_wrap_up") return Answering{*item, {EventType::wrap_up_ended, EventType::done}, 2};
  return std::nullopt;
}

class AgentSocket final : public WsHandler {
 public:
  AgentSocket(Service::State& s, AgentId agent, std::shared_ptr<WsPeer> peer)
      : s_(s), agent_(agent), peer_(std::move(peer)) {}

  void on_text(std::string_view message) override {
    Json command = Json::parse(message, nullptr, false);
    if (command.is_discarded()) {
      send(dump({{"type", "error"}, {"error", "malformed_json"}, {"message", "$: not valid JSON"}}));
      return;
    }
    auto peer = peer_.lock();
    const std::optional<Answering> answering = peer ? answering_of(command) : std::nullopt;
    if (answering) s_.peers.expect_answered(peer.get(), answering->item, answering->events());
    CommandResult r = run_agent_command(s_, agent_, command);
    JsonWriter out;
    out.begin_object().member("type", "result").member("status", r.status);
    if (command.is_object()) {
      if (auto id = command.find("id"); id != command.end()) out.member("id", *id);
      if (auto op = command.find("op"); op != command.end()) out.member("op", *op);
    }
    for (const auto& [name, value] : r.body.items()) {
      if (name != "type" && name != "status" && name != "id" && name != "op") out.member(name, value);
    }
    if (answering) {
      if (r.status == 200) {
        out.member("item", item_string(answering->item)).member("state", state_answered(*peer, *answering));
      } else {
        s_.peers.withdraw_all_answered(peer.get(), answering->item);  // a refused command caused nothing
      }
    }
    send(out.end_object().take());
  }
  void on_close() noexcept override {}

 private:
  void send(std::string text) {
    if (auto peer = peer_.lock()) peer->send(std::move(text));
  }

  // The item's state for the result of a command that succeeded, in the words of the `item`
  // update it replaces. An expected `done` that has not come (wrap-up started) is withdrawn, so
  // that the wrap-up's end is pushed when it comes; if the pump took it meanwhile, it is done.
  std::string_view state_answered(const WsPeer& peer, const Answering& a) {
    auto snap = s_.kernel->item(a.item);
    const bool ended = !snap || snap->state == ItemState::free;
    const bool expects_done = std::ranges::find(a.events(), EventType::done) != a.events().end();
    if (expects_done && !ended && !s_.peers.withdraw_answered(&peer, a.item, EventType::done)) return "done";
    if (ended) return "done";
    if (snap->agent != agent_) return "gone";
    switch (snap->state) {
      case ItemState::active: return "active";
      case ItemState::paused: return "paused";
      case ItemState::wrap_up: return "closed";
      case ItemState::offered: return "offered";
      default: return "gone";
    }
  }

  Service::State& s_;
  AgentId agent_;
  std::weak_ptr<WsPeer> peer_;  // weak: the connection owns this handler, not the reverse
};

class CustomerSocket final : public WsHandler {
 public:
  CustomerSocket(Service::State& s, std::string site, std::string visitor, std::shared_ptr<WsPeer> peer)
      : s_(s), site_(std::move(site)), visitor_(std::move(visitor)), peer_(std::move(peer)) {}

  void on_text(std::string_view message) override {
    HttpResponse r = ingest_payload(s_, "webchat", message, site_, visitor_);
    Json body = Json::parse(r.body, nullptr, false);
    send(dump({{"type", "ack"}, {"status", r.status}, {"result", std::move(body)}}));
  }
  void on_close() noexcept override {}

 private:
  void send(std::string text) {
    if (auto peer = peer_.lock()) peer->send(std::move(text));
  }

  Service::State& s_;
  std::string site_, visitor_;
  std::weak_ptr<WsPeer> peer_;  // weak: the connection owns this handler, not the reverse
};

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    const size_t slash = path.find('/');
    if (slash != 0) parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

}  // namespace

std::optional<AgentId> authenticate_agent(Service::State& s, std::string_view name, std::string_view token) {
  auto agent = s.kernel->find_agent(name);
  // The token is compared even for an unknown name, so timing does not tell names apart.
  const bool ok = constant_time_equal(token, agent_token(s.secrets.agent_token_secret, name));
  if (!agent || !ok || token.empty()) return std::nullopt;
  return agent;
}

Json agent_json(Service::State& s, AgentId agent) {
  Json out{{"agent", s.agent_name(agent)}};
  if (auto snap = s.kernel->agent(agent)) {
    out["status"] = s.status_name(snap->status);
    out["activity"] = to_string(snap->activity);
    out["used"] = snap->used_milli / 1000.0;
    out["capacity"] = snap->capacity_milli / 1000.0;
    out["open_items"] = snap->open_items;
    out["wrap_up_items"] = snap->wrap_up_items;
    if (auto cause = s.pause_cause(snap->status); !cause.empty()) out["pause_cause"] = cause;
  }
  Json items = Json::array();
  std::lock_guard lock(s.conversations_mutex);
  for (const auto& [id, c] : s.by_item) {
    if (c->agent != agent) continue;
    auto snap = s.kernel->item(c->item);
    items.push_back({{"item", item_string(c->item)}, {"queue", s.queue_name(c->queue)}, {"channel", c->channel},
                     {"customer", c->customer}, {"state", snap ? to_string(snap->state) : "done"}});
  }
  out["items"] = std::move(items);
  return out;
}

CommandResult run_agent_command(Service::State& s, AgentId agent, const Json& command) {
  if (!command.is_object()) return fail(400, "bad_request", std::string("$: expected an object, got ") + command.type_name());
  auto op = string_field(command, "op", true);
  if (!op) return op.error();
  CommandResult result;
  if (*op == "set_status") {
    auto status = string_field(command, "status", true);
    if (!status) return status.error();
    auto id = s.kernel->find_status(*status);
    if (!id) return fail(400, "unknown_status", "$.status: no such status");
    result = from_status(s.kernel->set_status(agent, *id));
  } else {
    result = item_command(s, agent, *op, command);
  }
  drain_now(s);
  if (result.status >= 400) {
    s.log.info("agent_command_refused", {{"agent", s.agent_name(agent)}, {"op", *op}, {"status", result.status}});
  }
  return result;
}

HttpResponse handle_agent_rest(Service::State& s, const HttpRequest& request) {
  // /v1/agents/{agent}, /v1/agents/{agent}/status, /v1/agents/{agent}/items/{item}/{op}
  const auto parts = split_path(request.path());
  if (parts.size() < 3) return error_response(404, "not_found", "no such endpoint");
  const std::string name = percent_decode(parts[2]);
  auto agent = authenticate_agent(s, name, bearer_token(request));
  if (!agent) return error_response(401, "unauthorized", "missing or wrong agent token");
  if (parts.size() == 3) {
    if (request.method != "GET") return error_response(405, "method_not_allowed", "use GET");
    return json_response(200, agent_json(s, *agent));
  }
  if (request.method != "POST") return error_response(405, "method_not_allowed", "use POST");
  Json command = request.body.empty() ? Json::object() : Json::parse(request.body, nullptr, false);
  if (command.is_discarded()) return error_response(400, "malformed_json", "$: the body is not valid JSON");
  if (!command.is_object()) return error_response(400, "bad_request", "$: expected an object");
  if (parts.size() == 4 && parts[3] == "status") {
    command["op"] = "set_status";
  } else if (parts.size() == 6 && parts[3] == "items") {
    command["op"] = std::string(parts[5]);
    command["item"] = std::string(parts[4]);
  } else {
    return error_response(404, "not_found", "no such endpoint");
  }
  CommandResult r = run_agent_command(s, *agent, command);
  return json_response(r.status, r.body);
}

Upgrade agent_upgrade(Service::State& s, const HttpRequest& request, std::shared_ptr<WsPeer> peer) {
  const std::string name = request.query("agent").value_or("");
  std::string token(bearer_token(request));
  if (token.empty()) token = request.query("token").value_or("");
  auto agent = authenticate_agent(s, name, token);
  if (!agent) return {nullptr, error_response(401, "unauthorized", "missing or wrong agent token")};
  {
    std::lock_guard lock(s.peers.mutex);
    s.peers.agents[index(*agent)].push_back(peer);
  }
  // The hello carries the agent's state and items, so a reconnecting desktop sees its offers.
  Json hello = agent_json(s, *agent);
  hello["type"] = "hello";
  peer->send(dump(hello));
  s.log.info("agent_connected", {{"agent", name}});
  return {std::make_shared<AgentSocket>(s, *agent, std::move(peer)), {}};
}

Upgrade customer_upgrade(Service::State& s, const HttpRequest& request, std::shared_ptr<WsPeer> peer) {
  const std::string site = request.query("site").value_or("");
  const std::string visitor = request.query("visitor").value_or("");
  const std::string key = request.query("key").value_or("");
  auto it = s.secrets.site_keys.find(site);
  const bool ok = it != s.secrets.site_keys.end() && constant_time_equal(key, it->second);
  if (!ok || visitor.empty()) return {nullptr, error_response(401, "unauthorized", "unknown site, wrong key or no visitor")};
  {
    std::lock_guard lock(s.peers.mutex);
    s.peers.customers[site + "|" + visitor].push_back(peer);
  }
  return {std::make_shared<CustomerSocket>(s, site, visitor, std::move(peer)), {}};
}

}  // namespace omni::service
