// The supervisor's live configuration changes through the service's handlers (no sockets):
// a capacity change lets a waiting item be offered, an agent moved to a queue gets its waiting
// item, a hire routes and logs in, a refused or malformed change answers 400 naming the field and
// changes nothing, and only the supervisor token may ask. With a journal: service_journal_test.cc.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "service_fixture.h"

namespace omni::service::testing {
namespace {

using namespace std::chrono_literals;

// The handlers' test configuration with a one-item presence configuration for alice (so a second
// item waits), bob online on Instagram only, nobody on "wa_es", and room to hire one agent.
std::string live_config_text() {
  Json c = Json::parse(test_config());
  c["presence_configs"].push_back({{"name", "single"}, {"capacity", 1}});
  c["agents"][0]["presence_config"] = "single";
  c["agents"][0]["queues"] = Json::array({"wa"});
  c["agents"][1]["queues"] = Json::array({"ig"});
  c["agents"][1]["status"] = "Available";
  c["limits"] = {{"max_agents", 3}, {"max_queues", 6}};
  return c.dump();
}

// Waits (without asserting any speed) until `done` holds: routing after a change is the event
// pump's and the kernel's business, on their threads.
bool eventually(const std::function<bool()>& done) {
  for (auto deadline = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < deadline;) {
    if (done()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return done();
}

class LiveConfig : public ::testing::Test {
 protected:
  void SetUp() override {
    sut_ = make_service_on(live_config_text());
    ASSERT_TRUE(sut_.service);
    sut_.service->start();
  }
  Service& service() { return *sut_.service; }
  Kernel& kernel() { return service().kernel(); }

  HttpResponse supervisor(std::string method, std::string target, std::string body = {},
                          std::string token = kSupervisorToken) {
    return service().handle({std::move(method), std::move(target), {{"authorization", "Bearer " + token}}, std::move(body)});
  }
  uint32_t waiting(const char* queue) { return kernel().queue(*kernel().find_queue(queue))->waiting; }
  void message(const std::string& customer, const std::string& text) {
    const HttpResponse r = service().handle(signed_whatsapp(whatsapp_payload(customer, "wamid." + customer, text)));
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(Json::parse(r.body)["new_items"], 1) << r.body;
  }
  std::string config_now() { return supervisor("GET", "/v1/config").body; }

  ServiceUnderTest sut_;
};

TEST_F(LiveConfig, GetConfigIsTheConfigurationInForceWithoutTheServiceSection) {
  const HttpResponse r = supervisor("GET", "/v1/config");
  ASSERT_EQ(r.status, 200) << r.body;
  const Json config = Json::parse(r.body);
  EXPECT_EQ(config["agents"][0]["name"], "alice");
  EXPECT_EQ(config["agents"][0]["presence_config"], "single");
  EXPECT_FALSE(config.contains("service"));
  EXPECT_EQ(r.body.find(kSupervisorToken), std::string::npos);
  EXPECT_EQ(r.body.find(kAgentSecret), std::string::npos);
}

TEST_F(LiveConfig, ACapacityChangeLetsAWaitingItemBeOffered) {
  message("15551110001", "first");
  message("15551110002", "second");
  ASSERT_TRUE(eventually([&] { return kernel().agent(*kernel().find_agent("alice"))->open_items == 1; }));
  ASSERT_EQ(waiting("wa"), 1u);  // alice holds one item: her capacity is 1

  const HttpResponse r = supervisor("PATCH", "/v1/agents/alice", R"({"presence_config": "p"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["capacity"], 2.0) << r.body;
  EXPECT_TRUE(eventually([&] { return waiting("wa") == 0; }));
  EXPECT_EQ(kernel().agent(*kernel().find_agent("alice"))->open_items, 2u);
  EXPECT_EQ(kernel().config()->agents[0].presence_config, "p");
}

TEST_F(LiveConfig, AnAgentMovedToAnotherQueueGetsItsWaitingItem) {
  message("15551110003", "hola");  // routed to wa_es, which nobody serves yet
  ASSERT_TRUE(eventually([&] { return waiting("wa_es") == 1; }));
  const HttpResponse r = supervisor("PATCH", "/v1/agents/bob", R"({"queues": ["ig", "wa_es"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(eventually([&] { return waiting("wa_es") == 0; }));
  EXPECT_EQ(kernel().agent(*kernel().find_agent("bob"))->open_items, 1u);
  const Json state = Json::parse(supervisor("GET", "/v1/supervisor/state").body);
  EXPECT_EQ(state["agents"][1]["agent"], "bob");
}

TEST_F(LiveConfig, AHiredAgentIsRoutedToAndCanLogIn) {
  message("15551110004", "hola");
  ASSERT_TRUE(eventually([&] { return waiting("wa_es") == 1; }));
  const HttpResponse r = supervisor(
      "POST", "/v1/agents", R"({"name": "carol", "profile": "p", "queues": ["wa_es"], "status": "Available"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Json::parse(r.body)["agent"], "carol");
  EXPECT_TRUE(eventually([&] { return waiting("wa_es") == 0; }));
  EXPECT_EQ(kernel().agent(*kernel().find_agent("carol"))->open_items, 1u);
  const HttpResponse own = service().handle(get("/v1/agents/carol", {{"authorization", "Bearer " + service().token_of("carol")}}));
  EXPECT_EQ(own.status, 200) << own.body;
  const Json state = Json::parse(supervisor("GET", "/v1/supervisor/state").body);
  ASSERT_EQ(state["agents"].size(), 3u);
  EXPECT_EQ(state["agents"][2]["agent"], "carol");
  // limits.max_agents is 3: a fourth agent is refused, naming the limit.
  const HttpResponse more = supervisor("POST", "/v1/agents", R"({"name": "dave", "profile": "p"})");
  ASSERT_EQ(more.status, 400) << more.body;
  EXPECT_EQ(Json::parse(more.body)["field"], "limits.max_agents") << more.body;
  EXPECT_FALSE(kernel().find_agent("dave").has_value());
  EXPECT_EQ(supervisor("POST", "/v1/agents", R"({"name": "carol", "profile": "p"})").status, 400);
}

// Left out of a PUT, an agent is removed — only once it holds nothing; it then disappears from
// the floor, keeps its place as a tombstone in GET /v1/config, and cannot be patched.
TEST_F(LiveConfig, AnAgentLeftOutIsRemovedOnceItHoldsNothing) {
  const auto held = kernel().submit({*kernel().find_queue("ig"), CustomerId{0}});  // bob alone serves ig
  ASSERT_TRUE(held.has_value());
  ASSERT_EQ(kernel().item(*held)->agent, *kernel().find_agent("bob"));
  const std::string before = config_now();
  Json next = Json::parse(before);
  next["agents"].erase(1);  // bob
  HttpResponse r = supervisor("PUT", "/v1/config", next.dump());
  ASSERT_EQ(r.status, 400) << r.body;
  const Json body = Json::parse(r.body);
  EXPECT_EQ(body["error"], "refused_change");
  EXPECT_EQ(body["field"], "agents[1].removed");
  EXPECT_NE(body["reason"].get<std::string>().find("bob"), std::string::npos) << r.body;
  EXPECT_EQ(config_now(), before);
  EXPECT_TRUE(kernel().find_agent("bob").has_value());

  ASSERT_EQ(kernel().close(*held), Status::ok);
  r = supervisor("PUT", "/v1/config", next.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(kernel().find_agent("bob").has_value());
  const Json state = Json::parse(supervisor("GET", "/v1/supervisor/state").body);
  for (const Json& a : state["agents"]) EXPECT_NE(a["agent"], "bob") << "a removed agent is not on the floor";
  const Json in_force = Json::parse(config_now());
  ASSERT_EQ(in_force["agents"].size(), 2u);
  EXPECT_EQ(in_force["agents"][1]["name"], "bob");
  EXPECT_EQ(in_force["agents"][1]["removed"], true);
  EXPECT_EQ(supervisor("PATCH", "/v1/agents/bob", R"({"queues": ["wa"]})").status, 404);
  r = supervisor("POST", "/v1/agents", R"({"name": "bob", "profile": "p"})");
  ASSERT_EQ(r.status, 400) << "a removed name does not come back: " << r.body;
  EXPECT_EQ(Json::parse(r.body)["field"], "$.name") << r.body;
  EXPECT_NE(r.body.find("was removed"), std::string::npos) << r.body;
}

// A queue a routing rule sends to cannot be removed (the rules are resolved at start), and the
// service takes added queues only at its next start: both refused naming the field.
TEST_F(LiveConfig, QueuesOfTheServicesRulesStayAndQueuesAreAddedAtTheNextStart) {
  Json next = Json::parse(config_now());
  next["queues"].erase(1);  // wa_es: a rule's queue
  for (Json& a : next["agents"]) {
    Json kept = Json::array();
    for (const Json& q : a["queues"])
      if (q != "wa_es") kept.push_back(q);
    a["queues"] = kept;
  }
  HttpResponse r = supervisor("PUT", "/v1/config", next.dump());
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(Json::parse(r.body)["field"], "service.routes[0].queue") << r.body;
  EXPECT_TRUE(kernel().find_queue("wa_es").has_value());

  next = Json::parse(config_now());
  next["queues"].push_back({{"name", "vip"}, {"channel", "chat"}, {"routing", "r"}});
  r = supervisor("PUT", "/v1/config", next.dump());
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(Json::parse(r.body)["field"], "queues[5]") << r.body;
  EXPECT_NE(Json::parse(r.body)["reason"].get<std::string>().find("next start"), std::string::npos) << r.body;
  EXPECT_FALSE(kernel().find_queue("vip").has_value());
}

TEST_F(LiveConfig, AWholeConfigurationIsTakenByPut) {
  Json next = Json::parse(config_now());
  next["agents"][1]["queues"] = Json::array({"ig", "web"});
  next["statuses"].push_back({{"name", "Training"}, {"kind", "pause"}, {"pause_cause", "training"}});
  const HttpResponse r = supervisor("PUT", "/v1/config", next.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(kernel().config()->agents[1].queues, (std::vector<std::string>{"ig", "web"}));
  // A status appended live is one the supervisor can set and sees by name.
  ASSERT_EQ(supervisor("POST", "/v1/supervisor/agents/bob/status", R"({"status": "Training"})").status, 200);
  const Json state = Json::parse(supervisor("GET", "/v1/supervisor/state").body);
  EXPECT_EQ(state["agents"][1]["status"], "Training");
  EXPECT_EQ(state["agents"][1]["pause_cause"], "training");
}

TEST_F(LiveConfig, BadChangesAreTypedErrorsNamingTheFieldAndChangeNothing) {
  const std::string before = config_now();
  struct Case {
    const char* method;
    const char* target;
    const char* body;
    int status;
    const char* field;  // null: no field (not a configuration error)
  };
  const Case cases[] = {
      {"PATCH", "/v1/agents/alice", R"({"queues": ["wa", 7]})", 400, "$.queues[1]"},
      {"PATCH", "/v1/agents/alice", R"({"queues": ["nowhere"]})", 400, "agents[0].queues[0]"},
      {"PATCH", "/v1/agents/alice", R"({"presence_config": "huge"})", 400, "agents[0].presence_config"},
      {"PATCH", "/v1/agents/alice", R"({"skills": [{"skill": "Spanish", "level": "high"}]})", 400, "$.skills[0].level"},
      {"PATCH", "/v1/agents/alice", R"({"capacity": 3})", 400, "$.capacity"},
      {"PATCH", "/v1/agents/alice", R"({"status": "Offline"})", 400, "$.status"},
      {"PATCH", "/v1/agents/alice", R"({})", 400, "$"},
      {"PATCH", "/v1/agents/alice", R"([1])", 400, "$"},
      {"PATCH", "/v1/agents/alice", "not json", 400, nullptr},
      {"PATCH", "/v1/agents/zoe", R"({"queues": []})", 404, nullptr},
      {"POST", "/v1/agents", R"({"profile": "p"})", 400, "$.name"},
      {"PUT", "/v1/config", R"({"agents": 3})", 400, nullptr},
      {"PUT", "/v1/config", "{", 400, nullptr},
      {"DELETE", "/v1/config", "", 405, nullptr},
      {"GET", "/v1/agents", "", 405, nullptr},
  };
  // The kernel configuration only: the service section (routes, secrets) does not change live.
  Json with_service = Json::parse(before);
  with_service["service"] = Json::object();
  const HttpResponse r = supervisor("PUT", "/v1/config", with_service.dump());
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(Json::parse(r.body).value("error", ""), "invalid_config") << r.body;
  EXPECT_EQ(Json::parse(r.body).value("field", ""), "service") << r.body;
  for (const Case& c : cases) {
    const HttpResponse r = supervisor(c.method, c.target, c.body);
    EXPECT_EQ(r.status, c.status) << c.method << " " << c.target << " " << c.body << " → " << r.body;
    const Json body = Json::parse(r.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << r.body;
    EXPECT_TRUE(body.contains("error") && body.contains("message")) << r.body;
    if (c.field) {
      EXPECT_EQ(body.value("field", ""), c.field) << c.body << " → " << r.body;
    }
  }
  EXPECT_EQ(config_now(), before);
}

// ---- routing rules (PUT /v1/routes) --------------------------------------------------------------

std::string whatsapp_to(const char* queue) {
  return Json{{"routes", {{{"channel", "whatsapp"}, {"queue", queue}}, {{"channel", "instagram"}, {"queue", "ig"}}}}}.dump();
}

TEST_F(LiveConfig, RoutesChangedLiveSendNewConversationsThereAndOpenOnesStay) {
  const Json before = Json::parse(supervisor("GET", "/v1/routes").body);
  ASSERT_EQ(before["routes"].size(), Json::parse(test_config())["service"]["routes"].size());
  EXPECT_EQ(before["routes"][0]["keywords"][0], "hola");
  message("15552220001", "first");  // to "wa" (the catch-all rule), offered to alice
  const uint32_t es_before = waiting("wa_es");

  const HttpResponse r = supervisor("PUT", "/v1/routes", whatsapp_to("wa_es"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["routes"][0]["queue"], "wa_es");
  EXPECT_EQ(Json::parse(supervisor("GET", "/v1/routes").body), Json::parse(whatsapp_to("wa_es")));
  // A new conversation follows the new rules: wa_es, where nobody works, so it waits there.
  message("15552220002", "second");
  EXPECT_EQ(waiting("wa_es"), es_before + 1);
  // The conversation opened before the change continues on its item: no new item.
  const HttpResponse again =
      service().handle(signed_whatsapp(whatsapp_payload("15552220001", "wamid.15552220001.2", "still me")));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Json::parse(again.body)["continued"], 1) << again.body;
  EXPECT_EQ(Json::parse(again.body)["new_items"], 0) << again.body;
}

TEST_F(LiveConfig, BadRoutesAreTypedErrorsNamingTheFieldAndChangeNothing) {
  const std::string before = supervisor("GET", "/v1/routes").body;
  struct Case {
    std::string body;
    int status;
    const char* field;
  };
  const Case cases[] = {
      {R"({"routes": [{"channel": "whatsapp", "queue": "nowhere"}]})", 400, "routes[0].queue"},
      {R"({"routes": [{"channel": "sms", "queue": "wa"}]})", 400, "routes[0].channel"},
      {R"({"routes": [{"channel": "whatsapp", "language": "es", "queue": "wa"}]})", 400, "routes[0].language"},
      {R"({"routes": [{"queue": "wa", "skills": [{"skill": "Klingon"}]}]})", 400, "routes[0].skills[0].skill"},
      {R"({"routes": [{"queue": "wa", "queu": "wa"}]})", 400, "routes[0].queu"},
      {R"({"routes": []})", 400, "routes"},
      {R"({"rules": []})", 400, "routes"},
      {R"({"routes": 3})", 400, "routes"},
      {"{", 400, nullptr},
  };
  for (const Case& c : cases) {
    const HttpResponse r = supervisor("PUT", "/v1/routes", c.body);
    EXPECT_EQ(r.status, c.status) << c.body << " → " << r.body;
    const Json body = Json::parse(r.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << r.body;
    EXPECT_EQ(body.value("error", ""), "invalid_routes") << r.body;
    if (c.field) EXPECT_EQ(body.value("field", ""), c.field) << c.body << " → " << r.body;
  }
  EXPECT_EQ(supervisor("POST", "/v1/routes", whatsapp_to("wa")).status, 405);
  for (const std::string& token : {std::string(), std::string("wrong"), service().token_of("alice")}) {
    EXPECT_EQ(supervisor("GET", "/v1/routes", "", token).status, 401);
    EXPECT_EQ(supervisor("PUT", "/v1/routes", whatsapp_to("wa"), token).status, 401);
  }
  EXPECT_EQ(supervisor("GET", "/v1/routes").body, before);
}

TEST_F(LiveConfig, AQueueOrSkillTheRoutesUseCannotBeRemovedUntilTheRoutesMoveOff) {
  ASSERT_EQ(supervisor("PUT", "/v1/routes", whatsapp_to("wa_es")).status, 200);
  Json next = Json::parse(config_now());
  Json kept = Json::array();
  for (const Json& q : next["queues"])
    if (q["name"] != "wa_es") kept.push_back(q);
  next["queues"] = kept;
  for (Json& a : next["agents"]) {
    Json queues = Json::array();
    for (const Json& q : a["queues"])
      if (q != "wa_es") queues.push_back(q);
    a["queues"] = queues;
  }
  const HttpResponse refused = supervisor("PUT", "/v1/config", next.dump());
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(Json::parse(refused.body).value("field", ""), "routes[0].queue") << refused.body;
  // Routes moved off it first: then the queue goes.
  ASSERT_EQ(supervisor("PUT", "/v1/routes", whatsapp_to("wa")).status, 200);
  EXPECT_EQ(supervisor("PUT", "/v1/config", next.dump()).status, 200);

  // The same for a skill a rule asks for: removing it would retire the rule's requirement set.
  const Json spanish = {{"routes", {{{"channel", "whatsapp"}, {"queue", "wa"}, {"skills", {{{"skill", "Spanish"}}}}}}}};
  ASSERT_EQ(supervisor("PUT", "/v1/routes", spanish.dump()).status, 200);
  Json without_spanish = Json::parse(config_now());
  without_spanish["skills"] = Json::array();
  const HttpResponse skill_refused = supervisor("PUT", "/v1/config", without_spanish.dump());
  EXPECT_EQ(skill_refused.status, 400) << skill_refused.body;
  EXPECT_EQ(Json::parse(skill_refused.body).value("field", ""), "routes[0].skills[0].skill") << skill_refused.body;
  ASSERT_EQ(supervisor("PUT", "/v1/routes", whatsapp_to("wa")).status, 200);
  EXPECT_EQ(supervisor("PUT", "/v1/config", without_spanish.dump()).status, 200);
}

TEST_F(LiveConfig, OnlyTheSupervisorTokenMayChangeTheConfiguration) {
  const std::string before = config_now();
  const std::string agent_token = service().token_of("alice");
  for (const std::string& token : {std::string(), std::string("wrong"), agent_token}) {
    EXPECT_EQ(supervisor("GET", "/v1/config", "", token).status, 401);
    EXPECT_EQ(supervisor("PUT", "/v1/config", before, token).status, 401);
    EXPECT_EQ(supervisor("PATCH", "/v1/agents/alice", R"({"presence_config": "p"})", token).status, 401);
    EXPECT_EQ(supervisor("POST", "/v1/agents", R"({"name": "eve", "profile": "p"})", token).status, 401);
  }
  EXPECT_EQ(config_now(), before);
  // The agent's own REST API is unchanged: GET still answers alice with her token.
  EXPECT_EQ(service().handle(get("/v1/agents/alice", {{"authorization", "Bearer " + agent_token}})).status, 200);
}

// Changes while the pump fans out events and supervisors read the state: every answer is whole
// (the ThreadSanitizer build checks the names table and the agent sockets for races).
TEST_F(LiveConfig, ChangesWhileTrafficFlowsAndTheStateIsRead) {
  std::atomic<bool> done{false};
  std::atomic<int> bad_reads{0};
  std::thread reader([&] {
    while (!done.load()) {
      if (supervisor("GET", "/v1/supervisor/state").status != 200) ++bad_reads;
      if (service().handle(get("/metrics")).status != 200) ++bad_reads;
    }
  });
  for (int i = 0; i < 20; ++i) message("1555222" + std::to_string(1000 + i), i % 2 ? "hola" : "hi");
  ASSERT_EQ(supervisor("POST", "/v1/agents", R"({"name": "carol", "profile": "p", "queues": ["wa_es"], "status": "Available"})").status, 201);
  for (int i = 0; i < 10; ++i) {
    const char* capacity = i % 2 ? R"({"presence_config": "p"})" : R"({"presence_config": "single"})";
    ASSERT_EQ(supervisor("PATCH", "/v1/agents/alice", capacity).status, 200);
  }
  done.store(true);
  reader.join();
  EXPECT_EQ(bad_reads.load(), 0);
  const Json state = Json::parse(supervisor("GET", "/v1/supervisor/state").body);
  ASSERT_EQ(state["agents"].size(), 3u);
  EXPECT_EQ(state["agents"][2]["agent"], "carol");
  EXPECT_EQ(kernel().config()->agents[0].presence_config, "p");
}

}  // namespace
}  // namespace omni::service::testing
