// Service::State — everything one Service owns, shared by the files that implement its parts:
//   service.cc          construction, request dispatch, health, start/stop
//   webhooks.cc         Meta handshake, signatures, ingest through adapters, continuity, routing
//   agent_api.cc        agent commands (WebSocket and REST), ownership, replies through the gate
//   event_pump.cc       the single drainer of kernel events: tick, fan-out, bookkeeping
//   metrics_text.cc     /metrics in the Prometheus text format
//   supervisor.cc       the supervisor's state (REST, WebSocket) and status changes
//   live_config.cc      the supervisor's live configuration changes (/v1/config, hires, agent edits)
//   journal_records.cc  the service's records in the journal's host table (with --journal)
//   journal_rebuild.cc  conversations and seen ids rebuilt from them after a restart
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "answered_updates.h"
#include "durable_acks.h"
#include "json_log.h"
#include "latency_histogram.h"
#include "omnikernel/durable/durable_kernel.h"
#include "omnikernel/kernel.h"
#include "omnikernel/runtime/plugin_loader.h"
#include "omnikernel/service/durability.h"
#include "omnikernel/service/recent_ids.h"
#include "omnikernel/service/service.h"
#include "service_names.h"

namespace omni::service {

using Json = nlohmann::json;

// A customer message kept with its conversation, for offers (the agent sees what was said).
struct StoredMessage {
  std::string id;
  std::string kind;
  std::string text;
  int64_t timestamp_ms = 0;
};

// One open conversation: a customer on one channel account, and the work item that carries it.
struct Conversation {
  std::string key;      // "<channel>|<conversation>" (the adapter's conversation key)
  std::string channel;  // adapter name
  std::string account;
  std::string customer;
  std::string route;    // the routing rule that opened it ("service.routes[2]")
  ItemId item{};
  QueueId queue{};
  AgentId agent = kNoAgent;  // holder: offered to or working on it (from events)
  Time arrival{};
  bool offered_once = false;
  int64_t last_inbound_ms = 0;
  std::deque<StoredMessage> messages;  // the last kMaxStoredMessages
};
inline constexpr size_t kMaxStoredMessages = 50;

struct ResolvedRoute {
  RouteRule rule;
  QueueId queue{};
  RequirementsId requirements{};
};

struct QueueInfo {
  std::string name;
  std::string channel;  // the kernel channel's name (chat, whatsapp…)
  ChannelId channel_id{};
  std::atomic<bool> removed{false};  // by a live change (live_config.cc): no longer shown
  // Written by the event pump only; read by scrapes.
  std::atomic<uint64_t> answered{0};
  std::atomic<uint64_t> answered_in_threshold{0};
  std::atomic<uint64_t> abandoned{0};
};

// Counters read by /metrics. Relaxed atomics: each is an independent count.
struct Counters {
  std::atomic<uint64_t> submitted{0}, offers{0}, accepts{0}, declines{0}, timeouts{0}, continued{0},
      duplicates{0}, unrouted{0}, policy_refused{0}, replies_sent{0}, replies_failed{0}, replies_refused{0};
  // webhook results by channel and HTTP status
  std::mutex webhook_mutex;
  std::map<std::pair<std::string, int>, uint64_t> webhooks;
  void webhook(std::string_view channel, int status) {
    std::lock_guard lock(webhook_mutex);
    ++webhooks[{std::string(channel), status}];
  }
};

// WebSocket peers to push to: agents' desktops, supervisors' pages, web-chat customers.
struct Peers {
  std::mutex mutex;
  std::vector<std::vector<std::weak_ptr<WsPeer>>> agents;  // by AgentId
  std::vector<std::weak_ptr<WsPeer>> supervisors;
  std::unordered_map<std::string, std::vector<std::weak_ptr<WsPeer>>> customers;  // "site|visitor"
  AnsweredUpdates answered;

  static void send_all(std::vector<std::weak_ptr<WsPeer>>& list, const std::string& text) {
    std::erase_if(list, [&](const std::weak_ptr<WsPeer>& w) {
      auto peer = w.lock();
      if (!peer) return true;
      peer->send(text);
      return false;
    });
  }
  void to_agent(AgentId agent, const std::string& text) {
    std::lock_guard lock(mutex);
    if (index(agent) < agents.size()) send_all(agents[index(agent)], text);
  }
  // An item update for the agent's connections, but not for one whose own command caused it and
  // was answered (AnsweredUpdates). `text` is called at most once, when someone needs it.
  template <typename Text>
  void item_update(AgentId agent, ItemId item, EventType type, Text&& text) {
    std::lock_guard lock(mutex);
    if (index(agent) < agents.size()) {
      std::string made;
      std::erase_if(agents[index(agent)], [&](const std::weak_ptr<WsPeer>& w) {
        auto peer = w.lock();
        if (!peer) return true;
        if (answered.take(peer.get(), item, type)) return false;
        if (made.empty()) made = text();
        peer->send(made);
        return false;
      });
    }
    if (type == EventType::done) answered.forget(item);
  }
  void expect_answered(const WsPeer* peer, ItemId item, std::span<const EventType> types) {
    std::lock_guard lock(mutex);
    answered.expect(peer, item, types);
  }
  bool withdraw_answered(const WsPeer* peer, ItemId item, EventType type) {
    std::lock_guard lock(mutex);
    return answered.withdraw(peer, item, type);
  }
  void withdraw_all_answered(const WsPeer* peer, ItemId item) {
    std::lock_guard lock(mutex);
    answered.withdraw_all(peer, item);
  }
  void to_supervisors(const std::string& text) {
    std::lock_guard lock(mutex);
    send_all(supervisors, text);
  }
  void to_customer(const std::string& key, const std::string& text) {
    std::lock_guard lock(mutex);
    if (auto it = customers.find(key); it != customers.end()) send_all(it->second, text);
  }
};

struct Service::State {
  ServeConfig config;
  Secrets secrets;
  SteadyClock clock;
  JsonLog log;
  std::unique_ptr<runtime::PluginLoader> loader;
  std::map<std::string, runtime::ChannelAdapterHandle, std::less<>> adapters;
  std::vector<std::unique_ptr<runtime::PolicyPlugin>> policy_plugins;
  std::vector<PolicyHook*> hooks;
  // The kernel: owned directly, or — with a journal — by the DurableKernel (`kernel` points into
  // whichever owns it). Declared after the policy hooks, so it goes before them.
  std::unique_ptr<Kernel> owned_kernel;
  std::unique_ptr<durable::DurableKernel> durable;
  Kernel* kernel = nullptr;
  std::vector<std::unique_ptr<QueueInfo>> queues;  // by QueueId (queues cannot be added live)
  // Live configuration changes (live_config.cc) run one at a time under this lock: each builds
  // the next configuration from the one in force, so two at once would lose one of them.
  std::mutex config_change_mutex;
  uint64_t live_changes = 0;  // under config_change_mutex: changes asked for since start
  // Read by place() and replaced by PUT /v1/routes, both under conversations_mutex; replaced
  // only under config_change_mutex too, so a live change may read it holding that one alone.
  std::vector<ResolvedRoute> routes;
  RecentIds dedupe;
  ImmediateDurability immediate;
  std::unique_ptr<Durability> journal_durability;  // with a journal: waits on its records
  Durability* durability = nullptr;
  // With a durability that waits (a journal): webhooks reaching the service through the socket
  // layer are answered from here once durable, from start() on (durable_acks.h).
  std::unique_ptr<DurableAcks> acks;
  // The journal stopped (disk full, I/O error, a refused batch): /readyz answers 503, the drain
  // stops, webhooks answer 503 (not durable). A restart (with room) recovers what was durable.
  std::atomic<bool> journal_stopped{false};
  std::unique_ptr<OutboundSender> sender;
  Counters counters;
  LatencyHistogram routing_latency;
  Peers peers;

  // Conversations: held across a submit so two messages of one conversation open one item.
  std::mutex conversations_mutex;
  std::unordered_map<std::string, std::shared_ptr<Conversation>> by_key;
  std::unordered_map<uint64_t, std::shared_ptr<Conversation>> by_item;
  // With a journal, also under conversations_mutex: the order of the next seen id (its record's
  // `order`), and the messages whose acknowledgement timed out (503): a retry of one of them is
  // a duplicate that waits for the first delivery's receipt instead of being processed again.
  uint64_t seen_order = 0;
  std::unordered_map<std::string, Receipt> unacknowledged;

  // Recent events for the supervisor, newest last: plain values (JSON only when a supervisor
  // asks), so the event pump's cost per event stays small.
  std::mutex recent_mutex;
  std::deque<Event> recent;

  // The event pump.
  std::thread pump;
  std::mutex pump_mutex;
  std::condition_variable pump_wake;
  std::atomic<bool> pump_stop{false};
  std::atomic<bool> ready{false};
  std::atomic<bool> stopped{false};
  std::chrono::steady_clock::time_point last_supervisor_push{};
  // A status changed: supervisors see it within 100 ms. Set by whichever thread drains.
  std::atomic<bool> supervisor_urgent{false};

  // Draining (event_pump.cc drain_now): one drainer at a time, the pump or the request thread
  // that just caused events. `drain_open` (under drain_mutex) is set by start() and cleared by
  // stop() before its last drain, so nothing drains a closed journal.
  std::mutex drain_mutex;
  bool drain_open = false;
  std::atomic<bool> drain_wanted{false};

  State(ServeConfig c, Secrets s, std::FILE* log_file)
      : config(std::move(c)), secrets(std::move(s)), log(log_file),
        dedupe(config.service.limits.dedupe_window) {}

  // Set under pump_mutex so that a wake between the pump's check and its wait is never lost.
  bool pump_pending = false;
  void wake_pump() {
    {
      std::lock_guard lock(pump_mutex);
      pump_pending = true;
    }
    pump_wake.notify_one();
  }
  [[nodiscard]] std::string_view queue_name(QueueId q) const {
    return index(q) < queues.size() ? std::string_view(queues[index(q)]->name) : std::string_view("?");
  }
  // The names table in force; replaced whole by a live change, so readers copy what they need.
  [[nodiscard]] std::shared_ptr<const ServiceNames> names() const {
    std::lock_guard lock(names_mutex);
    return names_;
  }
  void set_names(ServiceNames next) {
    auto table = std::make_shared<const ServiceNames>(std::move(next));
    std::lock_guard lock(names_mutex);
    names_ = std::move(table);
  }
  [[nodiscard]] std::string status_name(StatusId id) const {
    auto n = names();
    return index(id) < n->statuses.size() ? n->statuses[index(id)] : std::string("?");
  }
  [[nodiscard]] std::string pause_cause(StatusId id) const {
    auto n = names();
    return index(id) < n->pause_causes.size() ? n->pause_causes[index(id)] : std::string();
  }
  // The journal can take no more (a failed append or drain): stop journaling for good — nothing
  // after this point may become durable, or an item could be durable without the host record
  // that names its conversation. Logged once; /readyz and webhooks answer 503 from now on.
  void stop_journal(std::string_view what, std::string_view status) {
    if (journal_stopped.exchange(true, std::memory_order_acq_rel)) return;
    log.warn("journal_stopped", {{"what", what}, {"status", status}, {"durable_lsn", durable ? durable->durable_lsn() : 0}});
  }
  [[nodiscard]] std::string agent_name(AgentId a) const {
    auto n = names();
    return index(a) < n->agents.size() ? n->agents[index(a)] : std::string("?");
  }

 private:
  mutable std::mutex names_mutex;
  std::shared_ptr<const ServiceNames> names_ = std::make_shared<const ServiceNames>();
};

// ---- the parts (each in its own file) ----------------------------------------------------------
// How an answer that may come later (a webhook acknowledged once durable) is given.
using Respond = std::function<void(HttpResponse)>;
[[nodiscard]] HttpResponse handle_webhook(Service::State& s, std::string_view channel, const HttpRequest& request);
// The same, answering through `respond`: with `acks`, once durable from the acks' thread
// (durable_acks.h); without, before returning.
void handle_webhook(Service::State& s, std::string_view channel, const HttpRequest& request, Respond respond,
                    DurableAcks* acks);
// Ingests one verified payload (webhook body or a web-chat customer's WebSocket message);
// `site` restricts web chat to the site whose key was presented, `visitor` to the customer of a
// web-chat WebSocket (empty: no restriction).
[[nodiscard]] HttpResponse ingest_payload(Service::State& s, std::string_view channel, std::string_view payload,
                                          std::string_view site, std::string_view visitor = {});
void ingest_payload(Service::State& s, std::string_view channel, std::string_view payload, std::string_view site,
                    std::string_view visitor, Respond respond, DurableAcks* acks);

// An agent command {"op": …} from the WebSocket or a REST twin: {HTTP status, JSON body}.
struct CommandResult {
  int status = 200;
  Json body;
};
[[nodiscard]] CommandResult run_agent_command(Service::State& s, AgentId agent, const Json& command);
[[nodiscard]] HttpResponse handle_agent_rest(Service::State& s, const HttpRequest& request);
[[nodiscard]] Upgrade agent_upgrade(Service::State& s, const HttpRequest& request, std::shared_ptr<WsPeer> peer);
[[nodiscard]] Upgrade customer_upgrade(Service::State& s, const HttpRequest& request, std::shared_ptr<WsPeer> peer);
[[nodiscard]] std::optional<AgentId> authenticate_agent(Service::State& s, std::string_view name, std::string_view token);
[[nodiscard]] Json agent_json(Service::State& s, AgentId agent);

// After a restart with a journal: the conversations and seen message ids of the host table,
// checked against the restored kernel (an entry whose item is gone or not durable is dropped and
// its erase journaled). A host record this build cannot read is an error naming it.
[[nodiscard]] std::expected<void, std::string> rebuild_from_journal(Service::State& s);

// Routing rules against the configuration in force: each rule's queue id, and its skills as a
// prepared requirement set (journaled first, with a journal). The error names the rule's field.
[[nodiscard]] std::expected<std::vector<ResolvedRoute>, std::string> resolve_routes(Service::State& s,
                                                                                  const std::vector<RouteRule>& rules);

void run_event_pump(Service::State& s);
void pump_once(Service::State& s);  // one tick + drain; the pump's body, also used by stop()
// Drains what a request just caused on the request's own thread when no one else is draining
// (else the drainer picks it up): an offer leaves without a hop through the pump thread, which
// on a busy machine costs a scheduling delay and a wake-up per request. Before start() and
// during stop() it only wakes the pump.
void drain_now(Service::State& s);

[[nodiscard]] std::string metrics_text(Service::State& s);

[[nodiscard]] Json supervisor_state(Service::State& s);
[[nodiscard]] HttpResponse handle_supervisor_rest(Service::State& s, const HttpRequest& request);
[[nodiscard]] Upgrade supervisor_upgrade(Service::State& s, const HttpRequest& request, std::shared_ptr<WsPeer> peer);
[[nodiscard]] bool authenticate_supervisor(Service::State& s, std::string_view token);
[[nodiscard]] std::string_view supervisor_page() noexcept;

// Live configuration changes (live_config.cc): GET/PUT /v1/config, PATCH /v1/agents/{agent},
// POST /v1/agents. is_config_change_path says whether a request is one of them.
[[nodiscard]] bool is_config_change_path(const HttpRequest& request);
[[nodiscard]] HttpResponse handle_config_change(Service::State& s, const HttpRequest& request);

// "Bearer <token>" → token; empty otherwise.
[[nodiscard]] std::string_view bearer_token(const HttpRequest& request);
[[nodiscard]] HttpResponse json_response(int status, const Json& body);
[[nodiscard]] int64_t unix_ms_now();
[[nodiscard]] std::string item_string(ItemId item);
[[nodiscard]] std::optional<ItemId> parse_item(const Json& value);
[[nodiscard]] std::optional<ItemId> parse_item(std::string_view text);
// A kernel Status as {HTTP status, error code}: 404 unknown item, 403 not yours, 409 wrong state…
[[nodiscard]] int http_status_of(Status status);

}  // namespace omni::service
