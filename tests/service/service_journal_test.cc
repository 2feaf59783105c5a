// `omni serve` with a journal, in process (the CLI and hard kills: serve_journal_cli_test.cc):
// a webhook is acknowledged once durable; a restart on the same directory continues each open
// conversation on its item and agent and still de-duplicates Meta's retries; a delivery answered
// 503 (not durable in time) is processed once and its retry acknowledged; stale or unreadable
// host records are dropped or refused at start-up; /metrics shows the journal's lag.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <fstream>
#include <regex>

#include "omnikernel/durable/durable_kernel.h"
#include "recording_peer.h"
#include "service_fixture.h"

namespace omni::service::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("omni-serve-journal-" + std::to_string(getpid()) + "-" + info->test_suite_name() + "." + info->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

durable::DurableOptions fast_journal() {
  durable::DurableOptions o;
  o.journal.group_commit_window = std::chrono::microseconds(200);
  o.journal.fsync = false;  // the service's logic; the journal's own tests cover fsync
  return o;
}

ServeConfig serve_config() {
  auto config = load_serve_config_text(test_config(), "test config");
  EXPECT_TRUE(config.has_value()) << (config ? "" : config.error().message());
  return *config;
}

// `change` edits the configuration before the service is created.
std::expected<std::unique_ptr<Service>, std::string> open_service(const fs::path& dir, Durability* durability = nullptr,
                                                                  const std::function<void(ServeConfig&)>& change = {},
                                                                  durable::DurableOptions options = fast_journal()) {
  ServiceSetup setup;
  setup.config = serve_config();
  if (change) change(setup.config);
  setup.secrets = test_secrets();
  setup.plugin_directories = {OMNI_TEST_PLUGIN_DIR};
  setup.log = nullptr;
  setup.sender = std::make_unique<RecordingSender>();
  setup.journal = JournalSetup{dir, options};
  setup.durability = durability;
  return Service::create(std::move(setup));
}

// Writes host records straight into a journal, as a crash (or another host) could have left them.
void write_host_records(const fs::path& journal, std::vector<durable::HostOp> ops) {
  ManualClock clock;
  auto dk = durable::DurableKernel::open(journal, serve_config().kernel, clock, {}, fast_journal());
  ASSERT_TRUE(dk.has_value()) << dk.error().message;
  ASSERT_TRUE((*dk)->write_host(std::move(ops)).has_value());
  ASSERT_EQ((*dk)->close(), journal::JournalStatus::ok);
}

struct Desktop {
  std::shared_ptr<RecordingPeer> peer = std::make_shared<RecordingPeer>();
  std::shared_ptr<WsHandler> handler;
};
Desktop connect(Service& service, const std::string& agent) {
  Desktop d;
  Upgrade u = service.upgrade(get("/v1/agents/ws?agent=" + agent + "&token=" + service.token_of(agent)), d.peer);
  EXPECT_TRUE(u.handler) << u.refusal.body;
  d.handler = u.handler;
  return d;
}
HttpResponse rest(Service& service, const std::string& agent, const std::string& path) {
  return service.handle(post("/v1/agents/" + agent + path, "{}", {{"authorization", "Bearer " + service.token_of(agent)}}));
}
Json body_of(const HttpResponse& r) { return Json::parse(r.body); }

TEST(ServeJournal, ARestartContinuesTheConversationOnItsItemAndAgentAndStillDeduplicates) {
  TempDir dir;
  const std::string first = whatsapp_payload("15557770001", "wamid.first", "my order is late");
  std::string item, old_item;
  {
    auto service = open_service(dir.path() / "journal");
    ASSERT_TRUE(service.has_value()) << service.error();
    (*service)->start();
    Desktop alice = connect(**service, "alice");
    const HttpResponse r = (*service)->handle(signed_whatsapp(first));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(body_of(r)["new_items"], 1);
    auto offer = alice.peer->wait_for("offer");
    ASSERT_TRUE(offer);
    item = (*offer)["item"];
    ASSERT_EQ(rest(**service, "alice", "/items/" + item + "/accept").status, 200);
    ASSERT_TRUE(alice.peer->wait_for("item", "event", "accepted"));
    // A second customer who last wrote two days ago: outside the 24-hour window.
    ASSERT_EQ((*service)->handle(signed_whatsapp(whatsapp_payload("15557770009", "wamid.old", "old", now_ms() / 1000 - 2 * 86400))).status, 200);
    auto old_offer = alice.peer->wait_for("offer", "customer", "15557770009");
    ASSERT_TRUE(old_offer);
    old_item = (*old_offer)["item"];
    ASSERT_EQ(rest(**service, "alice", "/items/" + old_item + "/accept").status, 200);
    // Acknowledged means durable: the journal has synced the item's submit.
    EXPECT_TRUE((*service)->durable()->is_durable(ItemId{std::stoull(item)}));
    (*service)->stop();  // SIGTERM's path: drain, then flush and close the journal
  }
  auto service = open_service(dir.path() / "journal");
  ASSERT_TRUE(service.has_value()) << service.error();
  ASSERT_TRUE((*service)->durable()->recovered());
  (*service)->start();
  Kernel& k = (*service)->kernel();
  auto snapshot = k.item(ItemId{std::stoull(item)});
  ASSERT_TRUE(snapshot.has_value());
  EXPECT_EQ(snapshot->state, ItemState::active);
  EXPECT_EQ(snapshot->agent, *k.find_agent("alice"));

  // The 24-hour windows came back with their conversations (before any new message): alice may
  // reply free-form to the first customer, not to the one who wrote two days ago.
  auto reply = [&](const std::string& id, const Json& body) {
    return (*service)->handle(post("/v1/agents/alice/items/" + id + "/reply", body.dump(),
                                   {{"authorization", "Bearer " + (*service)->token_of("alice")}}));
  };
  const HttpResponse in_window = reply(item, {{"text", "on its way"}});
  EXPECT_EQ(in_window.status, 202) << in_window.body;
  const HttpResponse outside = reply(old_item, {{"text", "hello again"}});
  EXPECT_EQ(outside.status, 409) << outside.body;
  EXPECT_EQ(body_of(outside)["error"], "window_closed") << outside.body;

  // Meta retries the first delivery: still a duplicate after the restart.
  HttpResponse retry = (*service)->handle(signed_whatsapp(first));
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(body_of(retry)["duplicates"], 1);
  EXPECT_EQ(body_of(retry)["new_items"], 0);

  // The customer writes again: the same item, at alice's desktop, with no new item.
  Desktop alice = connect(**service, "alice");
  HttpResponse second = (*service)->handle(signed_whatsapp(whatsapp_payload("15557770001", "wamid.second", "any news?")));
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(body_of(second)["continued"], 1);
  EXPECT_EQ(body_of(second)["new_items"], 0);
  auto message = alice.peer->wait_for("message", "text", "any news?");
  ASSERT_TRUE(message);
  EXPECT_EQ((*message)["item"], item);

  // /metrics shows the journal: appended, durable and the lag between them.
  const std::string metrics = (*service)->handle(get("/metrics")).body;
  EXPECT_TRUE(std::regex_search(metrics, std::regex("\nomni_journal_lag_records [0-9]+\n"))) << metrics;
  EXPECT_TRUE(std::regex_search(metrics, std::regex("\nomni_journal_durable_records [1-9][0-9]*\n"))) << metrics;
  EXPECT_TRUE(std::regex_search(metrics, std::regex("\nomni_journal_stopped 0\n"))) << metrics;
}

// A durability that is not durable until opened.
class Gate final : public Durability {
 public:
  bool wait(const Receipt&, std::chrono::milliseconds timeout) noexcept override {
    std::unique_lock lock(mutex_);
    return opened_.wait_for(lock, timeout, [&] { return open_; });
  }
  void open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    opened_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable opened_;
  bool open_ = false;
};

TEST(ServeJournal, TheSocketLayersWebhookIsAnsweredOnceDurableWithoutHoldingItsThread) {
  // Through handle_async (what the socket layer calls) the webhook is processed at once (its
  // offer leaves) but answered only when durable, from the service's thread: the I/O thread that
  // called is free meanwhile.
  TempDir dir;
  Gate gate;
  auto service = open_service(dir.path() / "journal", &gate);
  ASSERT_TRUE(service.has_value()) << service.error();
  (*service)->start();
  Desktop alice = connect(**service, "alice");
  std::mutex mutex;
  std::condition_variable answered;
  std::optional<HttpResponse> answer;
  std::thread::id answered_on;
  (*service)->handle_async(signed_whatsapp(whatsapp_payload("15557770042", "wamid.async", "hi")), [&](HttpResponse r) {
    std::lock_guard lock(mutex);
    answer = std::move(r);
    answered_on = std::this_thread::get_id();
    answered.notify_all();
  });
  EXPECT_TRUE(alice.peer->wait_for("offer"));
  {
    std::lock_guard lock(mutex);
    EXPECT_FALSE(answer.has_value()) << "answered before durable";
  }
  gate.open();
  std::unique_lock lock(mutex);
  ASSERT_TRUE(answered.wait_for(lock, 2s, [&] { return answer.has_value(); }));
  EXPECT_EQ(answer->status, 200) << answer->body;
  EXPECT_NE(answered_on, std::this_thread::get_id());
  lock.unlock();
  const std::string metrics = (*service)->handle(get("/metrics")).body;
  EXPECT_NE(metrics.find("omni_webhook_requests_total{channel=\"whatsapp\",code=\"200\"} 1"), std::string::npos) << metrics;
  (*service)->stop();
}

TEST(ServeJournal, AConversationWhoseItemEndedIsGoneAfterARestart) {
  TempDir dir;
  std::string item;
  {
    auto service = open_service(dir.path() / "journal");
    ASSERT_TRUE(service.has_value()) << service.error();
    (*service)->start();
    Desktop alice = connect(**service, "alice");
    ASSERT_EQ((*service)->handle(signed_whatsapp(whatsapp_payload("15557770002", "wamid.e1", "hello"))).status, 200);
    auto offer = alice.peer->wait_for("offer");
    ASSERT_TRUE(offer);
    item = (*offer)["item"];
    ASSERT_EQ(rest(**service, "alice", "/items/" + item + "/accept").status, 200);
    ASSERT_EQ(rest(**service, "alice", "/items/" + item + "/close").status, 200);
    ASSERT_TRUE(alice.peer->wait_for("item", "event", "done"));
    (*service)->stop();
  }
  auto service = open_service(dir.path() / "journal");
  ASSERT_TRUE(service.has_value()) << service.error();
  (*service)->start();
  // Its conversation record was erased with its `done`: a new message opens a new item.
  HttpResponse r = (*service)->handle(signed_whatsapp(whatsapp_payload("15557770002", "wamid.e2", "me again")));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r)["new_items"], 1);
  EXPECT_EQ(body_of(r)["continued"], 0);
  size_t conversations = 0;
  for (const auto& [key, value] : (*service)->durable()->host_table()) conversations += key.starts_with("c/") ? 1 : 0;
  EXPECT_EQ(conversations, 1u) << "only the new conversation";
}

// Times out the first `failures` waits, then answers at once (records what it waited for).
class ImmediateAfterFailures final : public Durability {
 public:
  bool wait(const Receipt& receipt, std::chrono::milliseconds) noexcept override {
    if (failures > 0) {
      --failures;
      return false;
    }
    seen.push_back(receipt);
    return !receipt.failed;
  }
  int failures = 1;
  std::vector<Receipt> seen;
};

TEST(ServeJournal, ADeliveryNotDurableInTimeIs503AndItsRetryIsAcknowledgedNotProcessedAgain) {
  TempDir dir;
  ImmediateAfterFailures durability;
  auto service = open_service(dir.path() / "journal", &durability);
  ASSERT_TRUE(service.has_value()) << service.error();
  (*service)->start();
  const std::string payload = whatsapp_payload("15557770003", "wamid.slow", "hello?");
  HttpResponse first = (*service)->handle(signed_whatsapp(payload));
  ASSERT_EQ(first.status, 503) << first.body;
  EXPECT_EQ(body_of(first)["error"], "not_durable");
  // Meta retries: the message was processed once (an item exists); the retry waits for that
  // delivery's receipt — the same item and host record — and is acknowledged as a duplicate.
  HttpResponse retry = (*service)->handle(signed_whatsapp(payload));
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(body_of(retry)["duplicates"], 1);
  EXPECT_EQ(body_of(retry)["new_items"], 0);
  ASSERT_EQ(durability.seen.size(), 1u);
  ASSERT_EQ(durability.seen[0].items.size(), 1u) << "the retry waited for the first delivery's item";
  EXPECT_GT(durability.seen[0].record, 0u) << "and its host record";
  // A third delivery is a plain duplicate (acknowledged, nothing pending any more).
  HttpResponse third = (*service)->handle(signed_whatsapp(payload));
  ASSERT_EQ(third.status, 200);
  ASSERT_EQ(durability.seen.size(), 2u);
  EXPECT_TRUE(durability.seen[1].items.empty());
  const std::string metrics = (*service)->handle(get("/metrics")).body;
  EXPECT_NE(metrics.find("omni_items_submitted_total 1\n"), std::string::npos) << metrics;
}

TEST(ServeJournal, AHostRecordWhoseItemNeverBecameDurableIsDroppedAndItsMessageProcessedAgain) {
  TempDir dir;
  const fs::path journal = dir.path() / "journal";
  // What a crash between the host record and the events record leaves: a conversation and a
  // seen id naming an item the kernel never journaled. Its webhook was never acknowledged.
  Json conversation{{"channel", "whatsapp"}, {"account", kPhoneNumberId}, {"customer", "15557770004"},
                    {"route", "service.routes[2]"}, {"item", 4242424242},
                    {"last_inbound_ms", now_ms()}, {"messages", Json::array()}};
  write_host_records(journal, {durable::HostOp::put("c/whatsapp|15557770004", conversation.dump()),
                               durable::HostOp::put("s/whatsapp|wamid.lost", Json{{"order", 0}, {"item", 4242424242}}.dump())});
  auto service = open_service(journal);
  ASSERT_TRUE(service.has_value()) << service.error();
  (*service)->start();
  EXPECT_TRUE((*service)->durable()->host_table().empty()) << "both records erased at start-up";
  HttpResponse retry = (*service)->handle(signed_whatsapp(whatsapp_payload("15557770004", "wamid.lost", "hello")));
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(body_of(retry)["new_items"], 1) << "processed, not swallowed as a duplicate";
  EXPECT_EQ(body_of(retry)["duplicates"], 0);
}

TEST(ServeJournal, AFullJournalStopsTheServiceCleanlyAndARestartKeepsEveryAcknowledgedMessage) {
  TempDir dir;
  const fs::path journal = dir.path() / "journal";
  durable::DurableOptions capped = fast_journal();
  capped.journal.max_bytes = 24 << 10;  // the configuration record and a few dozen messages
  auto short_wait = [](ServeConfig& c) { c.service.limits.durable_timeout = std::chrono::milliseconds(1500); };
  std::vector<std::string> acknowledged, refused;
  {
    auto service = open_service(journal, nullptr, short_wait, capped);
    ASSERT_TRUE(service.has_value()) << service.error();
    (*service)->start();
    for (int i = 0; i < 400 && refused.empty(); ++i) {
      const std::string customer = "1555666" + std::to_string(1000 + i);
      const HttpResponse r = (*service)->handle(signed_whatsapp(whatsapp_payload(customer, "wamid.full" + std::to_string(i), "hi")));
      ASSERT_TRUE(r.status == 200 || r.status == 503) << r.status << " " << r.body;
      (r.status == 200 ? acknowledged : refused).push_back(customer);
      if (r.status == 503) {
        EXPECT_EQ(body_of(r)["error"], "not_durable") << r.body;
      }
    }
    ASSERT_FALSE(acknowledged.empty());
    ASSERT_EQ(refused.size(), 1u) << "the cap was never reached";
    // Stopped for good: out of rotation, said in /metrics, and later webhooks refused at once.
    EXPECT_EQ((*service)->handle(get("/readyz")).status, 503);
    EXPECT_NE((*service)->handle(get("/metrics")).body.find("\nomni_journal_stopped 1\n"), std::string::npos);
    const HttpResponse later = (*service)->handle(signed_whatsapp(whatsapp_payload("15556669999", "wamid.later", "hi")));
    EXPECT_EQ(later.status, 503);
    (*service)->stop();
  }
  // Reopened with room: every acknowledged message's conversation is there; the refused one was
  // not durable, so Meta's retry of it is processed (not a duplicate).
  auto service = open_service(journal);
  ASSERT_TRUE(service.has_value()) << service.error();
  (*service)->start();
  for (size_t i = 0; i < acknowledged.size(); ++i) {
    const HttpResponse r = (*service)->handle(signed_whatsapp(whatsapp_payload(acknowledged[i], "wamid.again" + std::to_string(i), "still there?")));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(body_of(r)["continued"], 1) << acknowledged[i];
  }
  const HttpResponse retry = (*service)->handle(
      signed_whatsapp(whatsapp_payload(refused[0], "wamid.full" + std::to_string(acknowledged.size()), "hi")));
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(body_of(retry)["duplicates"], 0) << retry.body;
  EXPECT_EQ(body_of(retry)["new_items"].get<int>() + body_of(retry)["continued"].get<int>(), 1) << retry.body;
}

TEST(ServeJournal, AnUnreadableHostRecordOrAnotherHostsTableIsAStartUpErrorNamingIt) {
  TempDir dir;
  const fs::path journal = dir.path() / "journal";
  write_host_records(journal, {durable::HostOp::put("c/whatsapp|x", "{\"channel\": 3}")});
  auto service = open_service(journal);
  ASSERT_FALSE(service.has_value());
  EXPECT_NE(service.error().find("journal host record c/whatsapp|x: field \"channel\""), std::string::npos) << service.error();

  const fs::path other = dir.path() / "other";
  write_host_records(other, {durable::HostOp::put("x/someone-else", "{}")});
  auto not_ours = open_service(other);
  ASSERT_FALSE(not_ours.has_value());
  EXPECT_NE(not_ours.error().find("journal host record x/someone-else: not a record of omni serve"), std::string::npos)
      << not_ours.error();
}

TEST(ServeJournal, ALockedOrUnwritableJournalDirectoryIsAStartUpErrorNamingIt) {
  TempDir dir;
  const fs::path journal = dir.path() / "journal";
  auto holder = open_service(journal);
  ASSERT_TRUE(holder.has_value()) << holder.error();
  auto second = open_service(journal);
  ASSERT_FALSE(second.has_value());
  EXPECT_NE(second.error().find(journal.string()), std::string::npos) << second.error();
  EXPECT_NE(second.error().find("another Writer"), std::string::npos) << second.error();
  // A directory that cannot be created: a path under a regular file (works as root too).
  std::ofstream(dir.path() / "file") << "x";
  auto under_file = open_service(dir.path() / "file" / "journal");
  ASSERT_FALSE(under_file.has_value());
  EXPECT_NE(under_file.error().find((dir.path() / "file" / "journal").string()), std::string::npos) << under_file.error();
}

TEST(ServeJournal, AnotherConfigurationIsRefusedNamingTheDifference) {
  TempDir dir;
  {
    auto service = open_service(dir.path() / "journal");
    ASSERT_TRUE(service.has_value()) << service.error();
  }
  auto other = open_service(dir.path() / "journal", nullptr,
                            [](ServeConfig& c) { c.kernel.presence_configs[0].capacity = 3.0; });
  ASSERT_FALSE(other.has_value());
  EXPECT_NE(other.error().find("/presence_configs/0/capacity"), std::string::npos) << other.error();
}

// A live change is journaled: a restart with the same file comes back with the changed
// configuration (the journal's wins once the service changed it live: journal_config.h), and the
// hired agent is there by name.
TEST(ServeJournal, ARestartAfterALiveChangeComesBackWithTheChangedConfiguration) {
  TempDir dir;
  const auto room_to_hire = [](ServeConfig& c) { c.kernel.limits.max_agents = 3; };
  const auto as_supervisor = [](std::string method, std::string target, std::string body) {
    return HttpRequest{std::move(method), std::move(target), {{"authorization", std::string("Bearer ") + kSupervisorToken}},
                       std::move(body)};
  };
  {
    auto service = open_service(dir.path() / "journal", nullptr, room_to_hire);
    ASSERT_TRUE(service.has_value()) << service.error();
    (*service)->start();
    const HttpResponse moved = (*service)->handle(as_supervisor("PATCH", "/v1/agents/bob", R"({"queues": ["wa", "wa_es"]})"));
    ASSERT_EQ(moved.status, 200) << moved.body;
    const HttpResponse hired =
        (*service)->handle(as_supervisor("POST", "/v1/agents", R"({"name": "carol", "profile": "p", "queues": ["ig"]})"));
    ASSERT_EQ(hired.status, 201) << hired.body;
  }
  auto again = open_service(dir.path() / "journal", nullptr, room_to_hire);
  ASSERT_TRUE(again.has_value()) << again.error();
  const auto config = (*again)->kernel().config();
  ASSERT_EQ(config->agents.size(), 3u);
  EXPECT_EQ(config->agents[1].queues, (std::vector<std::string>{"wa", "wa_es"}));
  EXPECT_EQ(config->agents[2].name, "carol");
  const Json state = body_of((*again)->handle(as_supervisor("GET", "/v1/supervisor/state", "")));
  ASSERT_EQ(state["agents"].size(), 3u);
  EXPECT_EQ(state["agents"][2]["agent"], "carol");
  // The file still differs from the journal in what the live changes did: a journal this service
  // never changed live is still refused when the file differs (AnotherConfiguration… above).
}

// Routes changed live are journaled (host record live/routes): a restart with the same file
// routes by them, with their skills' requirement set found again, and GET /v1/routes shows them.
TEST(ServeJournal, ARestartAfterARoutesChangeRoutesByTheChangedRules) {
  TempDir dir;
  const auto as_supervisor = [](std::string method, std::string target, std::string body) {
    return HttpRequest{std::move(method), std::move(target), {{"authorization", std::string("Bearer ") + kSupervisorToken}},
                       std::move(body)};
  };
  const std::string rules =
      Json{{"routes", {{{"channel", "whatsapp"}, {"queue", "wa_es"}, {"skills", {{{"skill", "Spanish"}, {"min_level", 2}}}}},
                       {{"channel", "instagram"}, {"queue", "ig"}}}}}
          .dump();
  {
    auto service = open_service(dir.path() / "journal");
    ASSERT_TRUE(service.has_value()) << service.error();
    (*service)->start();
    const HttpResponse changed = (*service)->handle(as_supervisor("PUT", "/v1/routes", rules));
    ASSERT_EQ(changed.status, 200) << changed.body;
  }
  auto again = open_service(dir.path() / "journal");
  ASSERT_TRUE(again.has_value()) << again.error();
  (*again)->start();
  EXPECT_EQ(body_of((*again)->handle(as_supervisor("GET", "/v1/routes", ""))), Json::parse(rules));
  const HttpResponse r = (*again)->handle(signed_whatsapp(whatsapp_payload("15553330001", "wamid.routes.1", "hi")));
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(body_of(r)["new_items"], 1) << r.body;
  Kernel& k = (*again)->kernel();
  const auto wa_es = *k.find_queue("wa_es");
  EXPECT_EQ(k.queue(wa_es)->waiting, 1u) << "the message went by the file's rules, not the journal's";
}

// A live change the journal cannot take (full) answers 503, leaves the kernel's configuration as
// it was and stops the journal; a restart with room has the last change that was acknowledged.
TEST(ServeJournal, ALiveChangeTheJournalCannotTakeIs503AndChangesNothing) {
  TempDir dir;
  const fs::path journal = dir.path() / "journal";
  durable::DurableOptions capped = fast_journal();
  capped.journal.max_bytes = 24 << 10;  // the configuration record and a few changes
  const auto patch = [](Service& service, const char* queues) {
    return service.handle(HttpRequest{"PATCH", "/v1/agents/bob", {{"authorization", std::string("Bearer ") + kSupervisorToken}},
                                      std::string(R"({"queues": )") + queues + "}"});
  };
  const char* choices[] = {R"(["wa", "ig"])", R"(["wa", "ig", "web"])"};
  std::vector<std::string> last_acknowledged;
  {
    auto service = open_service(journal, nullptr, {}, capped);
    ASSERT_TRUE(service.has_value()) << service.error();
    (*service)->start();
    HttpResponse r;
    for (int i = 0; i < 200; ++i) {
      const auto before = (*service)->kernel().config()->agents[1].queues;
      r = patch(**service, choices[i % 2]);
      if (r.status != 200) {
        EXPECT_EQ((*service)->kernel().config()->agents[1].queues, before);
        break;
      }
      last_acknowledged = (*service)->kernel().config()->agents[1].queues;
    }
    ASSERT_EQ(r.status, 503) << "the cap was never reached: " << r.body;
    EXPECT_EQ(body_of(r)["error"], "not_durable") << r.body;
    ASSERT_FALSE(last_acknowledged.empty());
    EXPECT_EQ((*service)->handle(get("/readyz")).status, 503);
    EXPECT_EQ(patch(**service, choices[0]).status, 503);  // stopped for good
    (*service)->stop();
  }
  auto again = open_service(journal);
  ASSERT_TRUE(again.has_value()) << again.error();
  EXPECT_EQ((*again)->kernel().config()->agents[1].queues, last_acknowledged);
}

// A change the kernel refuses writes nothing to the journal: a restart still requires the file's
// configuration (no live change was made).
TEST(ServeJournal, ARefusedLiveChangeLeavesTheJournalsConfigurationAlone) {
  TempDir dir;
  {
    auto service = open_service(dir.path() / "journal");
    ASSERT_TRUE(service.has_value()) << service.error();
    const HttpResponse r = (*service)->handle(HttpRequest{
        "PATCH", "/v1/agents/bob", {{"authorization", std::string("Bearer ") + kSupervisorToken}}, R"({"queues": ["nowhere"]})"});
    ASSERT_EQ(r.status, 400) << r.body;
  }
  auto other = open_service(dir.path() / "journal", nullptr,
                            [](ServeConfig& c) { c.kernel.presence_configs[0].capacity = 3.0; });
  ASSERT_FALSE(other.has_value());
  EXPECT_NE(other.error().find("/presence_configs/0/capacity"), std::string::npos) << other.error();
}

}  // namespace
}  // namespace omni::service::testing
