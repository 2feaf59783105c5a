// The service's request handlers as functions (request → response), without sockets: Meta's
// handshake and signatures, ingest and de-duplication, continuity, routing rules, the agent API
// and its ownership rule, replies through the outbound gate, the supervisor API and metrics.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "recording_peer.h"
#include "service_fixture.h"

namespace omni::service::testing {
namespace {

using namespace std::chrono_literals;

class ServiceHandlers : public ::testing::Test {
 protected:
  void SetUp() override {
    sut_ = make_service();
    sut_.service->start();
  }
  Service& service() { return *sut_.service; }

  // An agent's desktop: a WebSocket handler and the peer recording what it is sent.
  struct Desktop {
    std::shared_ptr<RecordingPeer> peer = std::make_shared<RecordingPeer>();
    std::shared_ptr<WsHandler> handler;
    Json command(const Json& c) {
      handler->on_text(c.dump());
      return *peer->wait_for("result", "id", c.at("id"));
    }
  };
  Desktop connect(const std::string& agent) {
    Desktop d;
    Upgrade u = service().upgrade(get("/v1/agents/ws?agent=" + agent + "&token=" + service().token_of(agent)), d.peer);
    EXPECT_TRUE(u.handler) << u.refusal.body;
    d.handler = u.handler;
    return d;
  }
  HttpResponse rest(const std::string& agent, const std::string& path, const Json& body = Json::object()) {
    return service().handle(post("/v1/agents/" + agent + path, body.dump(),
                                 {{"authorization", "Bearer " + service().token_of(agent)}}));
  }

  ServiceUnderTest sut_;
};

TEST_F(ServiceHandlers, MetaHandshakeEchoesTheChallengeOnlyForTheVerifyToken) {
  HttpResponse ok = service().handle(
      get(std::string("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=") + kVerifyToken + "&hub.challenge=1158201444"));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "1158201444");
  EXPECT_EQ(service().handle(get("/webhooks/instagram?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1")).status, 403);
  EXPECT_EQ(service().handle(get(std::string("/webhooks/whatsapp?hub.mode=unsubscribe&hub.verify_token=") +
                                 kVerifyToken + "&hub.challenge=1")).status, 403);
  EXPECT_EQ(service().handle(get("/webhooks/whatsapp?hub.mode=subscribe")).status, 400);
}

TEST_F(ServiceHandlers, MissingOrWrongSignatureIs401AndNothingIsSubmitted) {
  const std::string body = whatsapp_payload("15550001", "wamid.sig", "hi");
  EXPECT_EQ(service().handle(post("/webhooks/whatsapp", body)).status, 401);
  EXPECT_EQ(service().handle(post("/webhooks/whatsapp", body, {{"x-hub-signature-256", sign(body, "other")}})).status, 401);
  EXPECT_EQ(service().handle(post("/webhooks/whatsapp", body, {{"x-hub-signature-256", "sha256=zz"}})).status, 401);
  EXPECT_EQ(service().handle(post("/webhooks/whatsapp", body + " ", {{"x-hub-signature-256", sign(body)}})).status, 401);
  // Instagram's secret is not WhatsApp's.
  EXPECT_EQ(service().handle(post("/webhooks/instagram", body, {{"x-hub-signature-256", sign(body)}})).status, 401);
  const std::string metrics = service().handle(get("/metrics")).body;
  EXPECT_NE(metrics.find("omni_webhook_requests_total{channel=\"whatsapp\",code=\"401\"} 4"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("omni_items_submitted_total 0"), std::string::npos);
}

TEST_F(ServiceHandlers, AMessageBecomesAnOfferOnTheAgentsWebSocketAndIsAccepted) {
  Desktop alice = connect("alice");
  ASSERT_TRUE(alice.peer->wait_for("hello"));
  HttpResponse r = service().handle(signed_whatsapp(whatsapp_payload("15550002", "wamid.1", "Where is my order?")));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["new_items"], 1);
  auto offer = alice.peer->wait_for("offer");
  ASSERT_TRUE(offer);
  EXPECT_EQ((*offer)["queue"], "wa");
  EXPECT_EQ((*offer)["customer"], "15550002");
  EXPECT_EQ((*offer)["account"], kPhoneNumberId);
  EXPECT_EQ((*offer)["messages"][0]["text"], "Where is my order?");
  Json result = alice.command({{"id", 1}, {"op", "accept"}, {"item", (*offer)["item"]}});
  EXPECT_EQ(result["ok"], true) << result;
  // The result answers the transition: no `item` update repeats it on this connection.
  EXPECT_EQ(result["item"], (*offer)["item"]) << result;
  EXPECT_EQ(result["state"], "active") << result;
  auto item = service().kernel().item(ItemId{std::stoull((*offer)["item"].get<std::string>())});
  ASSERT_TRUE(item);
  EXPECT_EQ(item->state, ItemState::active);
}

TEST_F(ServiceHandlers, AnAgentsOtherConnectionsAndRestCommandsStillGetItemUpdates) {
  Desktop alice = connect("alice");
  Desktop second = connect("alice");  // the same agent on a second desktop
  ASSERT_EQ(service().handle(signed_whatsapp(whatsapp_payload("15550012", "wamid.two", "hi"))).status, 200);
  auto offer = alice.peer->wait_for("offer");
  ASSERT_TRUE(offer);
  const std::string item = (*offer)["item"];
  Json accepted = alice.command({{"id", 1}, {"op", "accept"}, {"item", item}});
  ASSERT_EQ(accepted["state"], "active") << accepted;
  EXPECT_TRUE(second.peer->wait_for("item", "event", "accepted"));
  // A REST command has no WebSocket result: both desktops are told.
  ASSERT_EQ(rest("alice", "/items/" + item + "/pause", {{"value", "Paused"}}).status, 200);
  EXPECT_TRUE(alice.peer->wait_for("item", "event", "paused"));
  EXPECT_TRUE(second.peer->wait_for("item", "event", "paused"));
  Json closed = alice.command({{"id", 2}, {"op", "close"}, {"item", item}});
  EXPECT_EQ(closed["state"], "done") << closed;  // no wrap-up time: closed and done at once
  EXPECT_TRUE(second.peer->wait_for("item", "event", "done"));
  // The first desktop heard accepted and closed/done from its results only.
  EXPECT_FALSE(alice.peer->wait_for("item", "event", "accepted", 50ms));
  EXPECT_FALSE(alice.peer->wait_for("item", "event", "done", 50ms));
}

TEST_F(ServiceHandlers, AMessageForAnOpenConversationGoesToItsAgentWithoutANewItem) {
  Desktop alice = connect("alice");
  ASSERT_EQ(service().handle(signed_whatsapp(whatsapp_payload("15550003", "wamid.a", "first"))).status, 200);
  auto offer = alice.peer->wait_for("offer");
  ASSERT_TRUE(offer);
  alice.command({{"id", 1}, {"op", "accept"}, {"item", (*offer)["item"]}});
  HttpResponse second = service().handle(signed_whatsapp(whatsapp_payload("15550003", "wamid.b", "second")));
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(Json::parse(second.body)["continued"], 1);
  EXPECT_EQ(Json::parse(second.body)["new_items"], 0);
  auto message = alice.peer->wait_for("message", "text", "second");
  ASSERT_TRUE(message);
  EXPECT_EQ((*message)["item"], (*offer)["item"]);
  EXPECT_EQ(alice.peer->count("offer"), 1u);
  // Once closed, the customer's next message opens a new conversation.
  Json closed = alice.command({{"id", 2}, {"op", "close"}, {"item", (*offer)["item"]}});
  ASSERT_EQ(closed["state"], "done") << closed;
  HttpResponse third = service().handle(signed_whatsapp(whatsapp_payload("15550003", "wamid.c", "third")));
  EXPECT_EQ(Json::parse(third.body)["new_items"], 1) << third.body;
}

TEST_F(ServiceHandlers, MetaRetriesAreDeduplicatedByMessageId) {
  const std::string body = whatsapp_payload("15550004", "wamid.retry", "hello");
  EXPECT_EQ(Json::parse(service().handle(signed_whatsapp(body)).body)["new_items"], 1);
  HttpResponse again = service().handle(signed_whatsapp(body));
  EXPECT_EQ(again.status, 200);  // Meta must stop retrying
  EXPECT_EQ(Json::parse(again.body)["duplicates"], 1);
  EXPECT_NE(service().handle(get("/metrics")).body.find("omni_messages_duplicate_total 1"), std::string::npos);
}

TEST_F(ServiceHandlers, RoutingRulesPickTheQueueByKeyword) {
  Desktop alice = connect("alice");
  ASSERT_EQ(service().handle(signed_whatsapp(whatsapp_payload("15550005", "wamid.es", "Hola, necesito ayuda"))).status, 200);
  auto offer = alice.peer->wait_for("offer");
  ASSERT_TRUE(offer);
  EXPECT_EQ((*offer)["queue"], "wa_es");
}

TEST_F(ServiceHandlers, AnAgentActsOnlyOnItsOwnItems) {
  Desktop alice = connect("alice");
  ASSERT_EQ(service().handle(signed_whatsapp(whatsapp_payload("15550006", "wamid.own", "hi"))).status, 200);
  auto offer = alice.peer->wait_for("offer");
  ASSERT_TRUE(offer);
  const std::string item = (*offer)["item"];
  EXPECT_EQ(rest("bob", "/items/" + item + "/accept").status, 403);  // offered to alice, not bob
  ASSERT_EQ(rest("alice", "/items/" + item + "/accept").status, 200);
  EXPECT_EQ(rest("bob", "/items/" + item + "/close").status, 403);
  EXPECT_EQ(rest("bob", "/items/" + item + "/reply", {{"text", "hi"}}).status, 403);
  EXPECT_EQ(rest("bob", "/items/" + item + "/pause", {{"value", "Paused"}}).status, 403);
  EXPECT_EQ(rest("alice", "/items/" + item + "/pause", {{"value", "Paused"}}).status, 200);
  EXPECT_EQ(rest("alice", "/items/" + item + "/resume").status, 200);
  // A wrong token is 401 before anything else; an unknown item is 404.
  EXPECT_EQ(service().handle(post("/v1/agents/alice/items/" + item + "/close", "{}",
                                  {{"authorization", "Bearer " + service().token_of("bob")}})).status, 401);
  EXPECT_EQ(rest("alice", "/items/999999999/close").status, 404);
  EXPECT_EQ(rest("alice", "/items/" + item + "/close").status, 200);
  EXPECT_EQ(rest("alice", "/items/" + item + "/end_wrap_up").status, 409);  // no wrap-up time configured: done
}

TEST_F(ServiceHandlers, AgentWebSocketNeedsTheAgentsOwnToken) {
  auto peer = std::make_shared<RecordingPeer>();
  EXPECT_FALSE(service().upgrade(get("/v1/agents/ws?agent=alice&token=" + service().token_of("bob")), peer).handler);
  EXPECT_FALSE(service().upgrade(get("/v1/agents/ws?agent=alice"), peer).handler);
  EXPECT_EQ(service().upgrade(get("/v1/agents/ws?agent=nobody&token=x"), peer).refusal.status, 401);
}

TEST_F(ServiceHandlers, DeclineWithAReasonRequeuesAndBadCommandsNameTheJsonPath) {
  Desktop alice = connect("alice");
  ASSERT_EQ(service().handle(signed_whatsapp(whatsapp_payload("15550007", "wamid.dec", "hi"))).status, 200);
  auto offer = alice.peer->wait_for("offer");
  ASSERT_TRUE(offer);
  Json bad = alice.command({{"id", 1}, {"op", "decline"}, {"item", (*offer)["item"]}, {"reason", 5}});
  EXPECT_EQ(bad["status"], 400);
  EXPECT_NE(bad["message"].get<std::string>().find("$.reason"), std::string::npos) << bad;
  Json unknown = alice.command({{"id", 2}, {"op", "decline"}, {"item", (*offer)["item"]}, {"reason", "bored"}});
  EXPECT_EQ(unknown["status"], 400);
  Json ok = alice.command({{"id", 3}, {"op", "decline"}, {"item", (*offer)["item"]}, {"reason", "busy"}});
  EXPECT_EQ(ok["ok"], true) << ok;
  EXPECT_EQ(ok["state"], "gone") << ok;
  Json no_op = alice.command({{"id", 4}});
  EXPECT_EQ(no_op["message"], "$.op: missing");
  alice.handler->on_text("{not json");
  EXPECT_TRUE(alice.peer->wait_for("error", "error", "malformed_json"));
}

TEST_F(ServiceHandlers, MalformedPayloadsAreReportedByJsonPath) {
  const std::string missing_from =
      R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"1"},"messages":[{"id":"x","timestamp":"1","type":"text","text":{"body":"a"}}]}}]}]})";
  // A message without a customer is one bad part of the batch: 200 (Meta must not retry what can
  // never be read), reported by path, nothing submitted.
  HttpResponse r = service().handle(signed_whatsapp(missing_from));
  EXPECT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(Json::parse(r.body)["rejected"].size(), 1u) << r.body;
  EXPECT_EQ(Json::parse(r.body)["rejected"][0]["path"].get<std::string>().rfind("entry[0].changes[0].value.messages[0]", 0), 0u)
      << r.body;
  EXPECT_EQ(Json::parse(r.body)["new_items"], 0);
  // Nothing readable at all is 400, naming where.
  HttpResponse no_entry = service().handle(signed_whatsapp(R"({"object":"whatsapp_business_account"})"));
  EXPECT_EQ(no_entry.status, 400) << no_entry.body;
  EXPECT_NE(no_entry.body.find("entry"), std::string::npos) << no_entry.body;
  HttpResponse syntax = service().handle(signed_whatsapp("{\"object\": "));
  EXPECT_EQ(syntax.status, 400) << syntax.body;
  HttpResponse rest_body = service().handle(post("/v1/agents/alice/status", "{oops",
                                                 {{"authorization", "Bearer " + service().token_of("alice")}}));
  EXPECT_EQ(rest_body.status, 400);
  EXPECT_NE(rest_body.body.find("$"), std::string::npos);
}

TEST_F(ServiceHandlers, OversizedBodyIs413EvenWithoutTheSocketLayer) {
  const std::string big(5000, ' ');
  EXPECT_EQ(service().handle(signed_whatsapp(big)).status, 413);
}

TEST_F(ServiceHandlers, RepliesPassTheOutboundGate) {
  Desktop alice = connect("alice");
  ASSERT_EQ(service().handle(signed_whatsapp(whatsapp_payload("15550008", "wamid.r1", "hi"))).status, 200);
  auto offer = alice.peer->wait_for("offer");
  ASSERT_TRUE(offer);
  const std::string item = (*offer)["item"];
  ASSERT_EQ(rest("alice", "/items/" + item + "/accept").status, 200);
  HttpResponse sent = rest("alice", "/items/" + item + "/reply", {{"text", "On its way!"}});
  EXPECT_EQ(sent.status, 202) << sent.body;
  ASSERT_TRUE(alice.peer->wait_for("reply_result", "ok", true));
  {
    std::lock_guard lock(sut_.sender->mutex);
    ASSERT_EQ(sut_.sender->sent.size(), 1u);
    EXPECT_EQ(sut_.sender->sent[0].account, kPhoneNumberId);
    EXPECT_EQ(sut_.sender->sent[0].customer, "15550008");
    EXPECT_EQ(sut_.sender->sent[0].text, "On its way!");
  }
  // A customer who last wrote two days ago: free-form is refused, a template goes out.
  ASSERT_EQ(service().handle(signed_whatsapp(whatsapp_payload("15550009", "wamid.old", "old", now_ms() / 1000 - 2 * 86400))).status, 200);
  auto old_offer = alice.peer->wait_for("offer", "customer", "15550009");
  ASSERT_TRUE(old_offer);
  const std::string old_item = (*old_offer)["item"];
  ASSERT_EQ(rest("alice", "/items/" + old_item + "/accept").status, 200);
  HttpResponse refused = rest("alice", "/items/" + old_item + "/reply", {{"text", "Hello again"}});
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(Json::parse(refused.body)["error"], "window_closed") << refused.body;
  EXPECT_EQ(rest("alice", "/items/" + old_item + "/reply", {{"template", "order_update"}}).status, 202);
}

// Issue 11 item 3 through the service: one bad message in a batch is reported with its JSON path
// and the others are routed; a WhatsApp `system` notice neither opens work nor reopens the 24-hour
// window.
TEST_F(ServiceHandlers, OneBadMessageInABatchIsReportedAndTheOthersRouted) {
  Json payload = Json::parse(whatsapp_payload("15550021", "wamid.good1", "first"));
  Json& messages = payload["entry"][0]["changes"][0]["value"]["messages"];
  messages.push_back({{"from", "15550022"}, {"id", "wamid.bad"}, {"timestamp", "1700000000"}, {"type", 42}});
  messages.push_back({{"from", "15550023"}, {"id", "wamid.good2"}, {"timestamp", std::to_string(now_ms() / 1000)},
                      {"type", "text"}, {"text", {{"body", "second"}}}});
  HttpResponse r = service().handle(signed_whatsapp(payload.dump()));
  ASSERT_EQ(r.status, 200) << r.body;
  const Json body = Json::parse(r.body);
  EXPECT_EQ(body["new_items"], 2) << r.body;
  ASSERT_EQ(body["rejected"].size(), 1u) << r.body;
  EXPECT_EQ(body["rejected"][0]["path"], "entry[0].changes[0].value.messages[1].type");
  EXPECT_EQ(body["rejected"][0]["message_id"], "wamid.bad");
}

TEST_F(ServiceHandlers, ASystemNoticeOpensNoWorkAndDoesNotReopenTheWindow) {
  Desktop alice = connect("alice");
  // The customer last wrote two days ago; a notice arrives now.
  ASSERT_EQ(service().handle(signed_whatsapp(whatsapp_payload("15550031", "wamid.n1", "old", now_ms() / 1000 - 2 * 86400))).status, 200);
  auto offer = alice.peer->wait_for("offer", "customer", "15550031");
  ASSERT_TRUE(offer);
  const std::string item = (*offer)["item"];
  ASSERT_EQ(rest("alice", "/items/" + item + "/accept").status, 200);
  Json notice = Json::parse(whatsapp_payload("15550031", "wamid.n2", "unused"));
  Json& m = notice["entry"][0]["changes"][0]["value"]["messages"][0];
  m.erase("text");
  m["type"] = "system";
  m["system"] = {{"body", "User changed number"}, {"type", "user_changed_number"}, {"wa_id", "15550039"}};
  HttpResponse r = service().handle(signed_whatsapp(notice.dump()));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["new_items"], 0) << r.body;
  HttpResponse reply = rest("alice", "/items/" + item + "/reply", {{"text", "Still there?"}});
  EXPECT_EQ(reply.status, 409) << "the notice did not reopen the 24-hour window: " << reply.body;
  // A notice for a customer with no open conversation creates nothing either.
  Json stray = notice;
  stray["entry"][0]["changes"][0]["value"]["messages"][0]["from"] = "15550099";
  stray["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = "wamid.n3";
  stray["entry"][0]["changes"][0]["value"]["contacts"][0]["wa_id"] = "15550099";
  HttpResponse lone = service().handle(signed_whatsapp(stray.dump()));
  ASSERT_EQ(lone.status, 200) << lone.body;
  EXPECT_EQ(Json::parse(lone.body)["new_items"], 0);
  EXPECT_EQ(Json::parse(lone.body)["ignored"], 1) << lone.body;
}


TEST_F(ServiceHandlers, WebChatNeedsTheSiteKeyAndRepliesReachTheCustomersWebSocket) {
  const std::string body = webchat_payload("v-1", "m-1", "Hi there");
  EXPECT_EQ(service().handle(post("/webhooks/webchat", body)).status, 401);
  EXPECT_EQ(service().handle(post("/webhooks/webchat", body, {{"x-omni-site-key", "nope"}})).status, 401);
  auto customer = std::make_shared<RecordingPeer>();
  EXPECT_FALSE(service().upgrade(get("/webchat/ws?site=acme-web&visitor=v-1&key=wrong"), customer).handler);
  Upgrade u = service().upgrade(get(std::string("/webchat/ws?site=acme-web&visitor=v-1&key=") + kSiteKey), customer);
  ASSERT_TRUE(u.handler);
  Desktop alice = connect("alice");
  ASSERT_EQ(service().handle(post("/webhooks/webchat", body, {{"x-omni-site-key", kSiteKey}})).status, 200);
  auto offer = alice.peer->wait_for("offer");
  ASSERT_TRUE(offer);
  EXPECT_EQ((*offer)["queue"], "web");
  alice.command({{"id", 1}, {"op", "accept"}, {"item", (*offer)["item"]}});
  Json reply = alice.command({{"id", 2}, {"op", "reply"}, {"item", (*offer)["item"]}, {"text", "Hello from Alice"}});
  EXPECT_EQ(reply["ok"], true) << reply;
  EXPECT_TRUE(customer->wait_for("reply", "text", "Hello from Alice"));
  // The customer writes over its WebSocket: the same conversation continues.
  u.handler->on_text(webchat_payload("v-1", "m-2", "Thanks"));
  EXPECT_TRUE(alice.peer->wait_for("message", "text", "Thanks"));
  // Another visitor's payload on v-1's socket is refused.
  u.handler->on_text(webchat_payload("v-2", "m-3", "spoof"));
  auto ack = customer->wait_for("ack", "status", 403);
  EXPECT_TRUE(ack);
}

TEST_F(ServiceHandlers, SupervisorSeesTheFloorAndChangesAnAgentsStatus) {
  EXPECT_EQ(service().handle(get("/v1/supervisor/state")).status, 401);
  const std::vector<std::pair<std::string, std::string>> auth{{"authorization", std::string("Bearer ") + kSupervisorToken}};
  HttpResponse state = service().handle(get("/v1/supervisor/state", auth));
  ASSERT_EQ(state.status, 200);
  Json s = Json::parse(state.body);
  ASSERT_EQ(s["agents"].size(), 2u);
  EXPECT_EQ(s["agents"][0]["agent"], "alice");
  EXPECT_EQ(s["agents"][0]["status"], "Available");
  EXPECT_EQ(s["queues"].size(), 5u);
  Desktop alice = connect("alice");
  HttpResponse change = service().handle(post("/v1/supervisor/agents/alice/status", R"({"status":"Lunch"})", auth));
  EXPECT_EQ(change.status, 200) << change.body;
  EXPECT_TRUE(alice.peer->wait_for("status", "status", "Lunch"));
  Json after = Json::parse(service().handle(get("/v1/supervisor/state", auth)).body);
  EXPECT_EQ(after["agents"][0]["pause_cause"], "lunch");
  EXPECT_EQ(service().handle(post("/v1/supervisor/agents/alice/status", R"({"status":"Nap"})", auth)).status, 400);
}

TEST_F(ServiceHandlers, SupervisorWebSocketAnswersBadCommandsWithoutThrowing) {
  auto peer = std::make_shared<RecordingPeer>();
  EXPECT_FALSE(service().upgrade(get("/v1/supervisor/ws?token=wrong"), peer).handler);
  Upgrade u = service().upgrade(get(std::string("/v1/supervisor/ws?token=") + kSupervisorToken), peer);
  ASSERT_TRUE(u.handler);
  ASSERT_TRUE(peer->wait_for("state"));
  for (const char* bad : {R"({"op":5,"id":1})", R"([1,2])", "not json", R"({"op":"set_status","agent":{},"status":1})"}) {
    EXPECT_NO_THROW(u.handler->on_text(bad)) << bad;
  }
  EXPECT_TRUE(peer->wait_for("result", "error", "bad_request"));
  u.handler->on_text(R"({"op":"set_status","agent":"bob","status":"Available","id":9})");
  auto ok = peer->wait_for("result", "id", 9);
  ASSERT_TRUE(ok);
  EXPECT_EQ((*ok)["ok"], true) << *ok;
}

TEST_F(ServiceHandlers, AnUnansweredOfferTimesOutOnTheAgentsWebSocket) {
  Desktop alice = connect("alice");
  ASSERT_EQ(service().handle(signed_whatsapp(whatsapp_payload("15550012", "wamid.to", "urgent please"))).status, 200);
  auto offer = alice.peer->wait_for("offer");
  ASSERT_TRUE(offer);
  EXPECT_EQ((*offer)["queue"], "wa_fast");  // push time-out 200 ms
  auto timeout = alice.peer->wait_for("timeout", "item", (*offer)["item"], 3000ms);
  ASSERT_TRUE(timeout);
  EXPECT_TRUE(alice.peer->wait_for("item", "event", "push_timed_out"));
  EXPECT_NE(service().handle(get("/metrics")).body.find("omni_push_timeouts_total 1"), std::string::npos);
}

TEST(ServicePolicy, ASecondSessionTheSimultaneousSessionsPolicyRefusesJoinsTheOpenOne) {
  // One session per customer: the same person on web chat while their WhatsApp conversation is
  // open is not a new item; the message reaches the agent who has the conversation.
  ServiceUnderTest sut = make_service({{"policies", {{"simultaneous_sessions", {{"allow_simultaneous_sessions", false}}}}}});
  Service& s = *sut.service;
  s.start();
  auto peer = std::make_shared<RecordingPeer>();
  Upgrade u = s.upgrade(get("/v1/agents/ws?agent=alice&token=" + s.token_of("alice")), peer);
  ASSERT_TRUE(u.handler);
  ASSERT_EQ(Json::parse(s.handle(signed_whatsapp(whatsapp_payload("15550013", "wamid.p1", "hi"))).body)["new_items"], 1);
  auto offer = peer->wait_for("offer");
  ASSERT_TRUE(offer);
  HttpResponse second = s.handle(post("/webhooks/webchat", webchat_payload("15550013", "m-p2", "also here"),
                                      {{"x-omni-site-key", kSiteKey}}));
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(Json::parse(second.body)["new_items"], 0) << second.body;
  EXPECT_EQ(Json::parse(second.body)["continued"], 1) << second.body;
  auto message = peer->wait_for("message", "text", "also here");
  ASSERT_TRUE(message);
  EXPECT_EQ((*message)["item"], (*offer)["item"]);
  s.stop();
}

TEST_F(ServiceHandlers, MetricsHealthAndUnknownRoutes) {
  EXPECT_EQ(service().handle(get("/healthz")).status, 200);
  EXPECT_EQ(service().handle(get("/readyz")).status, 200);
  EXPECT_EQ(service().handle(get("/nowhere")).status, 404);
  EXPECT_EQ(service().handle(post("/metrics", "")).status, 405);
  Desktop alice = connect("alice");
  ASSERT_EQ(service().handle(signed_whatsapp(whatsapp_payload("15550010", "wamid.m", "hi"))).status, 200);
  ASSERT_TRUE(alice.peer->wait_for("offer"));
  const std::string m = service().handle(get("/metrics")).body;
  for (const char* expected : {"omni_items{state=\"offered\"} 1", "omni_queue_waiting{queue=\"wa\"} 0",
                               "omni_agents{activity=\"offline\"} 1", "omni_offers_total 1",
                               "omni_routing_latency_seconds_count 1", "# TYPE omni_routing_latency_seconds histogram",
                               "omni_webhook_requests_total{channel=\"whatsapp\",code=\"200\"} 1"}) {
    EXPECT_NE(m.find(expected), std::string::npos) << expected << "\n" << m;
  }
  service().stop();
  EXPECT_EQ(service().handle(get("/readyz")).status, 503);
}

TEST(ServiceLog, NoSecretIsEverLogged) {
  std::FILE* log = std::tmpfile();
  ASSERT_NE(log, nullptr);
  {
    ServiceUnderTest sut = make_service(Json::object(), false, log);
    Service& s = *sut.service;
    s.start();
    const std::string body = whatsapp_payload("15550011", "wamid.log", "secret-free text");
    (void)s.handle(signed_whatsapp(body));
    (void)s.handle(post("/webhooks/whatsapp", body, {{"x-hub-signature-256", sign(body, "wrong")}}));
    (void)s.handle(get(std::string("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=") + kVerifyToken + "&hub.challenge=1"));
    (void)s.handle(post("/v1/agents/alice/status", R"({"status":"Nap"})", {{"authorization", "Bearer " + s.token_of("alice")}}));
    (void)s.handle(post("/webhooks/webchat", webchat_payload("v", "m", "x"), {{"x-omni-site-key", kSiteKey}}));
    s.stop();
  }
  std::rewind(log);
  std::string text;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, log)) text.append(buffer, n);
  std::fclose(log);
  EXPECT_NE(text.find("\"event\":\"webhook_signature\""), std::string::npos) << text;  // the log is not empty
  for (const char* secret : {kWhatsAppSecret, kInstagramSecret, kVerifyToken, kAgentSecret, kSupervisorToken,
                             kGraphToken, kSiteKey}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret;
  }
  EXPECT_EQ(text.find(agent_token(kAgentSecret, "alice")), std::string::npos);
}

}  // namespace
}  // namespace omni::service::testing
