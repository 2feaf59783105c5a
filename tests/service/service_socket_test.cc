// The socket layer on loopback (port 0) with raw clients: unknown routes, oversized bodies, slow
// clients (header and body time-outs), the connection cap, WebSocket limits and garbage, an
// end-to-end webhook → offer → accept → reply through a fake Graph API, and draining.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "omnikernel/service/http_server.h"
#include "raw_client.h"
#include "service_fixture.h"

namespace omni::service::testing {
namespace {

using namespace std::chrono_literals;

ServiceLimits test_limits() { return load_serve_config_text(test_config(), "t")->service.limits; }

class ServiceSockets : public ::testing::Test {
 protected:
  void start(const Json& overrides = Json::object(), bool use_graph = false, ServiceLimits limits = test_limits()) {
    sut_ = make_service(overrides, use_graph);
    sut_.service->start();
    auto server = HttpServer::start(*sut_.service, {"127.0.0.1", 0}, limits, 2);
    ASSERT_TRUE(server) << server.error();
    server_ = std::move(*server);
  }
  void TearDown() override {
    if (server_) server_->stop(200ms);  // raw clients never answer a close: do not wait long
    if (sut_.service) sut_.service->stop();
  }
  uint16_t port() const { return server_->port(); }
  std::string agent_target(const std::string& agent) {
    return "/v1/agents/ws?agent=" + agent + "&token=" + sut_.service->token_of(agent);
  }

  ServiceUnderTest sut_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(ServiceSockets, UnknownRouteIs404HealthIs200) {
  start();
  EXPECT_EQ(http_request(port(), "GET", "/no/such/thing").status, 404);
  RawResponse health = http_request(port(), "GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(Json::parse(health.body)["status"], "ok");
}

TEST_F(ServiceSockets, OversizedBodyIs413BeforeItIsRead) {
  start();
  RawConnection c(port());
  ASSERT_TRUE(c.ok());
  c.send("POST /webhooks/whatsapp HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");
  const std::string head = c.read_until("\r\n\r\n", 2000ms);
  EXPECT_NE(head.find("413"), std::string::npos) << head;
}

TEST_F(ServiceSockets, OversizedHeadersAre431AndKeepAliveServesSeveralRequests) {
  start();
  EXPECT_EQ(http_request(port(), "GET", "/healthz", {}, {{"X-Padding", std::string(20000, 'a')}}).status, 431);
  RawConnection c(port());
  for (int i = 0; i < 3; ++i) {
    c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    const std::string head = c.read_until("\r\n\r\n", 2000ms);
    EXPECT_NE(head.find("200 OK"), std::string::npos) << head;
    (void)c.read_exactly(15, 2000ms);  // {"status":"ok"}
  }
}

TEST_F(ServiceSockets, SlowHeadersAndSlowBodiesTimeOut) {
  start();
  {
    RawConnection idle(port());
    EXPECT_TRUE(idle.closed_within(2000ms));  // nothing sent: closed after header_timeout (300 ms)
  }
  {
    RawConnection slow(port());
    slow.send("GET /healthz HTTP/1.1\r\nHost:");  // and then nothing
    const auto t0 = std::chrono::steady_clock::now();
    const std::string head = slow.read_until("\r\n\r\n", 2000ms);
    EXPECT_NE(head.find("408"), std::string::npos) << head;
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 1500ms);
  }
  {
    RawConnection slow(port());
    slow.send("POST /webhooks/whatsapp HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"object\":");
    const std::string head = slow.read_until("\r\n\r\n", 2000ms);
    EXPECT_NE(head.find("408"), std::string::npos) << head;
  }
}

// The deadlines share one lazily moved timer per connection (http_server.cc): a deadline that
// moves later costs nothing, one that moves earlier must still be kept. Header and body time-outs
// of very different lengths drive both ways.
TEST_F(ServiceSockets, DeadlinesHoldWhenTheyMoveEarlierOrLater) {
  ServiceLimits limits = test_limits();
  limits.header_timeout = 300ms;
  limits.body_timeout = 10s;
  start(Json::object(), false, limits);
  {
    // Served, then idle: the 10 s write and body deadlines came after the first header deadline;
    // the idle keep-alive connection must still close after 300 ms, not 10 s.
    RawConnection c(port());
    c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_NE(c.read_until("\r\n\r\n", 2000ms).find("200"), std::string::npos);
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_TRUE(c.closed_within(3000ms));
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2000ms);
  }
  server_->stop(200ms);
  sut_.service->stop();

  limits.header_timeout = 10s;
  limits.body_timeout = 300ms;
  start(Json::object(), false, limits);
  {
    // The headers arrive at once; the body deadline (300 ms) is earlier than the 10 s one the
    // timer sleeps towards, so the timer must be woken: 408 within a second, not ten.
    RawConnection slow(port());
    slow.send("POST /webhooks/whatsapp HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{");
    const auto t0 = std::chrono::steady_clock::now();
    const std::string head = slow.read_until("\r\n\r\n", 3000ms);
    EXPECT_NE(head.find("408"), std::string::npos) << head;
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2000ms);
  }
}

// Keep-alive (limits.ws_idle_timeout, here 600 ms): a peer heard nothing from for half of it is
// pinged; one that answers stays connected however long it is idle; one silent for all of it is
// closed. The check runs every 300 ms, so "silent" is decided within 300 … 600 ms after the fact.
TEST_F(ServiceSockets, IdleWebSocketsArePingedAndOnlyTheSilentOnesAreClosed) {
  ServiceLimits limits = test_limits();
  limits.ws_idle_timeout = 600ms;
  start(Json::object(), false, limits);
  RawWebSocket answering(port(), agent_target("alice"));
  RawWebSocket silent(port(), agent_target("bob"));
  ASSERT_EQ(answering.status(), 101);
  ASSERT_EQ(silent.status(), 101);
  ASSERT_TRUE(answering.read_until_contains("\"hello\""));
  ASSERT_TRUE(silent.read_until_contains("\"hello\""));
  // The answering peer: pongs every ping for 2.5 s, four idle time-outs and more.
  const auto until = std::chrono::steady_clock::now() + 2500ms;
  int pings = 0;
  while (std::chrono::steady_clock::now() < until) {
    WsFrame f = answering.read(100ms);
    ASSERT_NE(f.opcode, 8) << "an answering peer was closed";
    if (f.opcode == 9) {
      ++pings;
      ASSERT_TRUE(answering.send_frame(10, f.payload));
    }
  }
  EXPECT_GE(pings, 2);
  ASSERT_TRUE(answering.send_text(R"({"op":"no_such_op","id":"still-here"})"));
  EXPECT_TRUE(answering.read_until_contains("still-here"));  // answered: still connected
  // The silent peer was pinged (long ago: the ping waits in its socket) and then closed.
  WsFrame f = silent.read(100ms);
  while (f.opcode == 1) f = silent.read(100ms);  // pushes that came before the ping
  EXPECT_EQ(f.opcode, 9) << "the silent peer was not pinged";
  EXPECT_TRUE(silent.closed_within(2000ms)) << "a silent peer is still connected";
}

TEST_F(ServiceSockets, ConnectionsPastTheCapAre503) {
  start();
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 6; ++i) {
    held.push_back(std::make_unique<RawConnection>(port()));
    ASSERT_TRUE(held.back()->ok());
  }
  // Let the server accept them all before the next one arrives.
  for (int i = 0; i < 100 && server_->connections() < 6; ++i) std::this_thread::sleep_for(2ms);
  ASSERT_EQ(server_->connections(), 6u);
  RawResponse refused = http_request(port(), "GET", "/healthz");
  EXPECT_EQ(refused.status, 503);
  held.clear();
  for (int i = 0; i < 500 && server_->connections() > 0; ++i) std::this_thread::sleep_for(2ms);
  EXPECT_EQ(http_request(port(), "GET", "/healthz").status, 200);
}

TEST_F(ServiceSockets, WebSocketOversizedMessagesCloseWith1009) {
  start();
  RawWebSocket ws(port(), agent_target("alice"));
  ASSERT_EQ(ws.status(), 101);
  ASSERT_TRUE(ws.read_until_contains("\"hello\""));
  ws.send_text(std::string(2000, 'x'));  // limit: 1024
  WsFrame f = ws.read();
  EXPECT_EQ(f.opcode, 8);
  EXPECT_EQ(f.close_code(), 1009);
}

TEST_F(ServiceSockets, WebSocketGarbageClosesWith1002AndBinaryWith1003) {
  start();
  {
    RawWebSocket ws(port(), agent_target("alice"));
    ASSERT_EQ(ws.status(), 101);
    ASSERT_TRUE(ws.read_until_contains("\"hello\""));
    ws.send_raw("\x8f\x85garbage-that-is-no-frame");  // reserved opcode 0xF
    WsFrame f = ws.read();
    EXPECT_EQ(f.opcode, 8);
    EXPECT_EQ(f.close_code(), 1002);
  }
  {
    RawWebSocket ws(port(), agent_target("alice"));
    ASSERT_TRUE(ws.read_until_contains("\"hello\""));
    ws.send_frame(2, "\x01\x02");
    WsFrame f = ws.read();
    EXPECT_EQ(f.opcode, 8);
    EXPECT_EQ(f.close_code(), 1003);
  }
  {
    RawWebSocket ws(port(), agent_target("alice"));
    ASSERT_TRUE(ws.read_until_contains("\"hello\""));
    ws.send_text("not json");  // an answer naming the problem; the connection stays
    EXPECT_TRUE(ws.read_until_contains("malformed_json"));
    ws.send_text(R"({"op":"set_status","status":"Available","id":7})");
    EXPECT_TRUE(ws.read_until_contains("\"id\":7"));
  }
  RawWebSocket refused(port(), "/v1/agents/ws?agent=alice&token=wrong");
  EXPECT_EQ(refused.status(), 401);
}

// A stand-in for the Graph API on loopback: records requests, answers 200.
class FakeGraph final : public HttpApp {
 public:
  HttpResponse handle(const HttpRequest& r) override {
    std::lock_guard lock(mutex);
    requests.push_back(r);
    return {200, "application/json", R"({"messages":[{"id":"wamid.out"}]})", {}};
  }
  Upgrade upgrade(const HttpRequest&, std::shared_ptr<WsPeer>) override { return {nullptr, {404, "", "", {}}}; }
  std::mutex mutex;
  std::vector<HttpRequest> requests;
};

TEST_F(ServiceSockets, WebhookToOfferToAcceptToReplyThroughTheGraphApi) {
  FakeGraph graph;
  auto graph_server = HttpServer::start(graph, {"127.0.0.1", 0}, test_limits(), 1);
  ASSERT_TRUE(graph_server);
  start({{"graph_api_base", "http://127.0.0.1:" + std::to_string((*graph_server)->port()) + "/v19.0"}}, true);

  RawWebSocket ws(port(), agent_target("alice"));
  ASSERT_EQ(ws.status(), 101);
  ASSERT_TRUE(ws.read_until_contains("\"hello\""));
  const std::string body = whatsapp_payload("15559999", "wamid.e2e", "Is it in stock?");
  RawResponse r = http_request(port(), "POST", "/webhooks/whatsapp", body, {{"X-Hub-Signature-256", sign(body)}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto offer = ws.read_until_contains("\"offer\"", 1000ms);
  ASSERT_TRUE(offer);
  const std::string item = Json::parse(*offer)["item"];
  ws.send_text(Json{{"id", 1}, {"op", "accept"}, {"item", item}}.dump());
  ASSERT_TRUE(ws.read_until_contains("\"id\":1"));
  ws.send_text(Json{{"id", 2}, {"op", "reply"}, {"item", item}, {"text", "Yes, it is."}}.dump());
  auto sent = ws.read_until_contains("reply_result", 3000ms);
  ASSERT_TRUE(sent);
  EXPECT_EQ(Json::parse(*sent)["ok"], true) << *sent;
  {
    std::lock_guard lock(graph.mutex);
    ASSERT_EQ(graph.requests.size(), 1u);
    const HttpRequest& g = graph.requests[0];
    EXPECT_EQ(g.path(), std::string("/v19.0/") + kPhoneNumberId + "/messages");
    EXPECT_EQ(g.header("authorization"), std::string("Bearer ") + kGraphToken);
    Json sent_body = Json::parse(g.body);
    EXPECT_EQ(sent_body["to"], "15559999");
    EXPECT_EQ(sent_body["text"]["body"], "Yes, it is.");
  }
  (*graph_server)->stop();
}

TEST_F(ServiceSockets, StopClosesWebSocketsGoingAway) {
  start();
  RawWebSocket ws(port(), agent_target("alice"));
  ASSERT_TRUE(ws.read_until_contains("\"hello\""));
  std::thread stopper([&] { server_->stop(200ms); });  // the raw client never answers the close
  WsFrame f = ws.read(3000ms);
  while (f.opcode == 1) f = ws.read(3000ms);
  stopper.join();
  EXPECT_EQ(f.opcode, 8);
  EXPECT_EQ(f.close_code(), 1001);
}

}  // namespace
}  // namespace omni::service::testing
