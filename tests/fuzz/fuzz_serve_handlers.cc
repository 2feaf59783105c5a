// libFuzzer target: omni serve's request handlers — everything Service::handle dispatches
// (webhooks through the real adapter plugins into the kernel, the agent REST API, the supervisor
// API, live configuration changes, health and metrics) and the WebSocket handlers behind
// Service::upgrade — on the embedded demo configuration, without sockets.
//
// Input (serve_input.h): a flags byte that lets the fuzzer reach past authentication (sign the
// body, add the site key, an agent's or the supervisor's token), then "METHOD TARGET", header
// lines, an empty line and the body; method WS upgrades and sends the body's lines as messages.
//
// Properties, each checked after every input (a violation aborts, which libFuzzer reports):
//   - no crash, no UB, no leak (ASan, UBSan, LSan);
//   - every response has a status in 100..599 and a content type; a JSON one parses;
//   - a 2xx POST webhook carried a valid X-Hub-Signature-256 (WhatsApp, Instagram) or a known site
//     key (web chat), and a 2xx verification GET the right verify token — judged by this file
//     from the secrets it set, not by the service's own check;
//   - the kernel's white-box audit (kernel/src/audit.h) finds every invariant holding.
//
// State carries over between inputs as in production (conversations, items, agents' states); the
// service is made anew every kRecreateEvery inputs so that the kernel's capacity does not fill up
// and turn every later webhook into a 503.
//
// Built twice from this file. fuzz_serve_handlers runs the service in memory. With
// OMNI_FUZZ_JOURNAL (fuzz_serve_handlers_journal) it runs as `omni serve --journal DIR`: a
// durable kernel journaling to a fresh temporary directory per service (fsync off: it only
// matters for power loss; snapshots and segment rolls made frequent so that recovery reads both),
// and, besides the properties above:
//   - a webhook is never answered 503 "not_durable": nothing here can make a healthy journal
//     fail, so the journal stopping (a batch the durable model refused, a record too large) or an
//     acknowledgement timing out is a bug;
//   - recovery: every kRestartEvery inputs the service is stopped (Service::stop drains and
//     closes the journal, as SIGTERM does) and a new one started on the same directory, which
//     must bring back what was durable: the same host table (conversations and seen message ids,
//     byte for byte); the same conversations in the service (the supervisor API's view: open
//     ones per channel, each agent's assigned ones); the same configuration in force (live
//     changes); as many live items; each conversation's item with its queue, customer,
//     requirements, agent and state as docs/OPERATIONS.md "Recovery" says (offered comes back
//     queued, then may be offered again; active, paused and wrap-up stay with their agent),
//     arrivals moved by one common clock shift, a higher version; the agents' statuses, missed
//     flags and wrap-ups; and the audit holding on the recovered kernel. The directory is
//     removed when the service is made anew.
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit.h"
#include "journal_durability.h"  // service/src, white box: the real acknowledgement wait
#include "journal_records.h"     // service/src, white box: the conversation records' item ids
#include "omnikernel/config/writer.h"
#include "omnikernel/service/hmac.h"
#include "omnikernel/service/service.h"
#include "serve_input.h"

namespace {

using namespace omni::service;

constexpr const char* kWhatsAppSecret = "fuzz-whatsapp-secret";
constexpr const char* kInstagramSecret = "fuzz-instagram-secret";
constexpr const char* kVerifyToken = "fuzz-verify-token";
constexpr const char* kSiteKey = "fuzz-site-key";
constexpr int kRecreateEvery = 1000;
#ifdef OMNI_FUZZ_JOURNAL
constexpr bool kJournal = true;
#else
constexpr bool kJournal = false;
#endif
// A restart (stop, reopen, recover, compare) takes ~15 ms here, about 4 inputs' worth, so this
// cadence costs under a tenth of the run and restarts ~100 times in 30 s, each on a journal of
// up to kRecreateEvery inputs' records. Records come a few per hundred inputs (most inputs change
// nothing durable), hence small snapshot and segment thresholds: recovery reads a snapshot, a
// tail and, often, more than one segment.
constexpr int kRestartEvery = 50;
constexpr uint64_t kSnapshotEveryRecords = 16;
constexpr uint64_t kSegmentBytes = 8 << 10;

// With a journal: the current service's directory. A violation leaves it behind (abort skips the
// clean-up) and names it, so that the journal that failed can be read (`omni journal inspect`).
std::string journal_dir_in_use;

void check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "fuzz_serve_handlers: property violated: %s\n", what);
    if (!journal_dir_in_use.empty()) std::fprintf(stderr, "fuzz_serve_handlers: journal kept in %s\n", journal_dir_in_use.c_str());
    std::abort();
  }
}

// Replies leave through the outbound gate to here instead of the Graph API.
class DroppingSender final : public OutboundSender {
 public:
  void send(OutboundMessage message, SendDone done) override {
    if (done) done(message, {true, 200, {}});
  }
  void stop() override {}
};

// A WebSocket peer that keeps nothing: the handlers' sends are checked to be valid JSON.
class CheckingPeer final : public WsPeer {
 public:
  void send(std::string text) override {
    check(!nlohmann::json::parse(text, nullptr, false).is_discarded(), "a WebSocket message is not JSON");
  }
  void close(CloseCode, std::string_view) override {}
};

// The plugins' parsing cores are instrumented, so each plugin registers its coverage counters
// with libFuzzer when it is loaded; libFuzzer keeps writing to them, so a plugin must never be
// unmapped (each new service's loader would dlclose the last one's). One extra reference each,
// never released, keeps them mapped.
void pin_plugins() {
  static const bool pinned = [] {
    for (const auto& entry : std::filesystem::directory_iterator(OMNI_FUZZ_PLUGIN_DIR)) {
      if (entry.path().extension() == ".so") (void)dlopen(entry.path().c_str(), RTLD_NOW | RTLD_NODELETE);
    }
    return true;
  }();
  (void)pinned;
}

// The fuzzer runs no pump thread (start() is never called: the audit needs a quiescent kernel),
// so until start() opens the drain nothing would put what a webhook caused into the journal and
// its acknowledgement would wait out its time-out. In production the request's own thread drains
// (drain_now); here the wait does, on the same thread, and then waits as the service does.
class PumpingDurability final : public Durability {
 public:
  Service* service = nullptr;

  [[nodiscard]] bool wait(const Receipt& receipt, std::chrono::milliseconds timeout) noexcept override {
    service->pump_now();
    return JournalDurability(*service->durable()).wait(receipt, timeout);
  }
};
PumpingDurability pumping_durability;  // outlives every service, as ServiceSetup asks

std::unique_ptr<Service> make_service(const std::filesystem::path* journal_dir) {
  pin_plugins();
  auto config = load_serve_config_text(demo_config_json(), "demo configuration");
  check(config.has_value(), "the demo configuration loads");
  // Small tables: the audit walks every item slot after each input (65,536 by default would
  // cost ~0.1 s an input), and a full kernel is reached, and fuzzed, within a run.
  omni::Limits& limits = config->kernel.limits;
  limits.max_items = 256;
  limits.max_customers = 256;
  limits.event_capacity = 1024;
  limits.remembered_customers = 256;
  ServiceSetup setup;
  setup.config = std::move(*config);
  Secrets& s = setup.secrets;
  s.whatsapp_app_secret = kWhatsAppSecret;
  s.instagram_app_secret = kInstagramSecret;
  s.verify_token = kVerifyToken;
  s.agent_token_secret = "fuzz-agent-secret";
  s.supervisor_token = "fuzz-supervisor-token";
  s.graph_access_token = "fuzz-graph-token";
  for (const WebChatSite& site : setup.config.service.webchat_sites) s.site_keys[site.site] = kSiteKey;
  setup.plugin_directories = {OMNI_FUZZ_PLUGIN_DIR};
  setup.sender = std::make_unique<DroppingSender>();
  setup.log = nullptr;
  if (journal_dir != nullptr) {
    omni::durable::DurableOptions options;
    options.journal.fsync = false;  // what a crash of this process keeps is all that is checked
    options.journal.group_commit_window = std::chrono::microseconds(0);  // each wait is one commit
    options.journal.segment_bytes = kSegmentBytes;
    options.journal.max_pending_bytes = 4 << 20;  // preallocated twice per service; far above a
                                                  // record here (a conversation is ≤ ~45 KB)
    options.snapshot_every_records = kSnapshotEveryRecords;
    setup.journal = JournalSetup{*journal_dir, options};
    setup.durability = &pumping_durability;
  }
  auto service = Service::create(std::move(setup));
  if (!service) std::fprintf(stderr, "fuzz_serve_handlers: %s\n", service.error().c_str());
  check(service.has_value(), "the demo service starts");
  pumping_durability.service = service->get();
  return std::move(*service);
}

void check_response(const HttpResponse& r) {
  check(r.status >= 100 && r.status <= 599, "status code outside 100..599");
  check(!r.content_type.empty(), "a response without a content type");
  if (r.content_type.starts_with("application/json"))
    check(!nlohmann::json::parse(r.body, nullptr, false).is_discarded(), "a JSON response that does not parse");
}

// The webhook properties, judged from the secrets this file set.
void check_webhook_auth(const HttpRequest& request, const HttpResponse& r) {
  if (r.status < 200 || r.status > 299) return;
  const std::string_view path = request.path();
  if (!path.starts_with("/webhooks/")) return;
  const std::string_view channel = path.substr(10);
  if (request.method == "POST") {
    if (channel == "webchat") {
      check(request.header("x-omni-site-key") == kSiteKey, "a 2xx web-chat webhook without the site key");
    } else {
      const char* secret = channel == "whatsapp" ? kWhatsAppSecret : kInstagramSecret;
      check(check_hub_signature(request.header("x-hub-signature-256"), request.body, secret) == SignatureCheck::ok,
            "a 2xx webhook without a valid signature");
    }
  } else if (request.method == "GET") {
    check(request.query("hub.verify_token") == std::optional<std::string>(kVerifyToken),
          "a 2xx verification handshake with a wrong verify token");
  }
}

omni::internal::AuditReport check_kernel(Service& service) {
  omni::internal::AuditReport report = omni::internal::audit(service.kernel());
  if (!report.ok()) std::fprintf(stderr, "%s", report.text().c_str());
  check(report.ok(), "a kernel invariant broke (audit)");
  return report;
}

// With a journal, nothing may fail to become durable (see the header).
void check_durable(const HttpResponse& r) {
  if (!kJournal || r.status != 503) return;
  const nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
  check(!(body.is_object() && body.value("error", "") == "not_durable"),
        "a webhook answered not_durable: the journal stopped or an acknowledgement timed out");
}

// What a restart must bring back (see the header): read after Service::stop and after the next
// Service::create on the same directory, before anything else touches the new kernel.
struct DurableState {
  omni::durable::HostTable host_table;
  std::string config;  // the configuration in force, as written: live changes are journaled
  uint64_t live_items = 0;
  std::vector<std::pair<omni::ItemId, omni::ItemSnapshot>> items;  // each conversation's item
  std::vector<omni::AgentSnapshot> agents;
  // The service's own conversations (not the journal's records of them) as the supervisor API
  // shows them: open conversations per channel, and each agent's assigned ones.
  nlohmann::json conversations;
};

// GET /v1/supervisor/state, reduced to what a restart keeps: per channel the open conversations;
// per agent the conversations on items it holds (active, paused, wrap-up — an offered one may be
// offered to someone else after the restart), sorted (the service keeps them unordered).
nlohmann::json conversations_view(Service& service) {
  HttpRequest request{"GET", "/v1/supervisor/state", {{"authorization", "Bearer " + service.secrets().supervisor_token}}, {}};
  const HttpResponse response = service.handle(request);
  check(response.status == 200, "the supervisor state answers 200 with the supervisor token");
  const nlohmann::json state = nlohmann::json::parse(response.body);
  nlohmann::json view{{"open", nlohmann::json::object()}, {"assigned", nlohmann::json::object()}};
  for (const nlohmann::json& channel : state.at("channels")) view["open"][channel.at("channel").get<std::string>()] = channel.at("open");
  for (const nlohmann::json& agent : state.at("agents")) {
    std::vector<nlohmann::json> held;
    for (const nlohmann::json& item : agent.at("items")) {
      if (item.at("state") != "offered" && item.at("state") != "queued") held.push_back(item);
    }
    std::sort(held.begin(), held.end());
    view["assigned"][agent.at("agent").get<std::string>()] = held;
  }
  return view;
}

DurableState durable_state(Service& service) {
  DurableState out;
  omni::Kernel& kernel = service.kernel();
  out.host_table = service.durable()->host_table();
  out.config = omni::config::write_config(*kernel.config());
  out.live_items = omni::internal::audit(kernel).live_items;
  for (const auto& [key, value] : out.host_table) {
    if (!key.starts_with(kConversationPrefix)) continue;
    auto record = decode_conversation(key, value);
    check(record.has_value(), "a journaled conversation record does not decode");
    const omni::ItemId id{record->item};
    auto item = kernel.item(id);
    check(item.has_value(), "a journaled conversation's item is not in the kernel");
    out.items.emplace_back(id, *item);
  }
  for (uint32_t a = 0; a < kernel.agent_count(); ++a) {
    auto agent = kernel.agent(omni::AgentId{a});
    check(agent.has_value(), "an agent below agent_count() has no snapshot");
    out.agents.push_back(*agent);
  }
  out.conversations = conversations_view(service);
  return out;
}

void check_recovered(const DurableState& before, const DurableState& after) {
  using omni::ItemState;
  check(after.host_table == before.host_table, "recovery: the host table (conversations, seen ids) differs");
  if (after.conversations != before.conversations) {
    std::fprintf(stderr, "before: %s\nafter:  %s\n", before.conversations.dump().c_str(), after.conversations.dump().c_str());
  }
  check(after.conversations == before.conversations, "recovery: the service's conversations differ (supervisor state)");
  check(after.config == before.config, "recovery: the configuration in force differs");
  check(after.live_items == before.live_items, "recovery: the number of live items differs");
  check(after.items.size() == before.items.size(), "recovery: a conversation's item is missing");
  std::optional<omni::Duration> shift;
  for (size_t i = 0; i < before.items.size(); ++i) {
    const auto& [id, b] = before.items[i];
    const auto& [after_id, a] = after.items[i];
    check(after_id == id, "recovery: a conversation names another item");
    check(a.queue == b.queue && a.customer == b.customer, "recovery: an item's queue or customer differs");
    check(a.requirements == b.requirements && a.skills_dropped == b.skills_dropped,
          "recovery: an item's skill requirements differ");
    check(a.seq > b.seq, "recovery: an item's version did not grow (restore is a transition)");
    // One shift for every time in the image (now − the journal's last event), so that the
    // items keep their order and their waits' remaining times.
    if (!shift) shift = a.arrival - b.arrival;
    check(a.arrival - b.arrival == *shift, "recovery: items' arrivals moved by different shifts");
    if (b.state == ItemState::queued || b.state == ItemState::offered) {
      // Offered comes back queued (the desktop is gone), then routing may offer it again.
      check(a.state == ItemState::queued || a.state == ItemState::offered,
            "recovery: a waiting or offered item came back in another state");
    } else {
      check(a.state == b.state && a.agent == b.agent, "recovery: an assigned item lost its state or agent");
      check(a.state != ItemState::paused || a.paused_value == b.paused_value, "recovery: a paused item's value differs");
    }
  }
  check(after.agents.size() == before.agents.size(), "recovery: the number of agents differs");
  for (size_t i = 0; i < before.agents.size(); ++i) {
    const omni::AgentSnapshot& b = before.agents[i];
    const omni::AgentSnapshot& a = after.agents[i];
    check(a.status == b.status && a.missed == b.missed, "recovery: an agent's status or missed state differs");
    check(a.wrap_up_items == b.wrap_up_items, "recovery: an agent's wrap-ups differ");
  }
}

// The service under test and, with a journal, its directory (removed with the service).
struct Instance {
  std::unique_ptr<Service> service;
  std::filesystem::path dir;

  ~Instance() { discard(); }

  void discard() {
    service.reset();
    if (dir.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
    dir.clear();
    journal_dir_in_use.clear();
  }

  void make_anew() {
    discard();
    if (kJournal) {
      std::string name = (std::filesystem::temp_directory_path() / "omni-fuzz-journal-XXXXXX").string();
      check(mkdtemp(name.data()) != nullptr, "a temporary journal directory can be made");
      dir = name;
      journal_dir_in_use = name;
    }
    service = make_service(kJournal ? &dir : nullptr);
  }

  // Stops the service as SIGTERM does and starts another on the same journal.
  void restart() {
    service->stop();
    const DurableState before = durable_state(*service);
    service.reset();
    service = make_service(&dir);
    check_recovered(before, durable_state(*service));
    check_kernel(*service);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Instance instance;
  static int inputs = 0;
  if (!instance.service || ++inputs % kRecreateEvery == 0) {
    instance.make_anew();
  } else if (kJournal && inputs % kRestartEvery == 0) {
    instance.restart();
  }
  Service* service = instance.service.get();
  omni::fuzz::ServeInput input = omni::fuzz::parse_serve_input(data, size);
  omni::fuzz::add_credentials(input, *service, {kWhatsAppSecret, kInstagramSecret, kVerifyToken, kSiteKey});
  if (input.websocket) {
    Upgrade upgrade = service->upgrade(input.request, std::make_shared<CheckingPeer>());
    if (upgrade.handler) {
      for (const std::string& message : input.messages) upgrade.handler->on_text(message);
      upgrade.handler->on_close();
    } else {
      check_response(upgrade.refusal);
      check(upgrade.refusal.status >= 400, "a refused upgrade answered below 400");
    }
  } else {
    const HttpResponse response = service->handle(input.request);
    check_response(response);
    check_webhook_auth(input.request, response);
    check_durable(response);
  }
  service->pump_now();
  check_kernel(*service);
  return 0;
}
