// A Service on a small test configuration with the real adapter and policy plugins, secrets set
// directly (never from the environment), and a sender that records replies instead of calling
// the Graph API. Shared by the handler tests (no sockets) and the socket tests.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "omnikernel/service/hmac.h"
#include "omnikernel/service/service.h"

namespace omni::service::testing {

using Json = nlohmann::json;

inline constexpr const char* kWhatsAppSecret = "test-whatsapp-secret-7f3a";
inline constexpr const char* kInstagramSecret = "test-instagram-secret-9c2e";
inline constexpr const char* kVerifyToken = "test-verify-token-4411";
inline constexpr const char* kAgentSecret = "test-agent-secret-d00d";
inline constexpr const char* kSupervisorToken = "test-supervisor-token-beef";
inline constexpr const char* kGraphToken = "test-graph-token-cafe";
inline constexpr const char* kSiteKey = "test-site-key-5150";
inline constexpr const char* kPhoneNumberId = "106540352242922";

// `service` overrides are merged into the "service" section.
inline std::string test_config(const Json& service_overrides = Json::object()) {
  Json config = Json::parse(R"({
    "skills": ["Spanish"],
    "channels": [{"name": "chat", "paused_values": ["Waiting"]},
                 {"name": "whatsapp", "paused_values": ["Paused"]},
                 {"name": "instagram"}],
    "routing_configs": [{"name": "r", "model": "least_active", "push_timeout": "30s", "size": 1},
                        {"name": "fast", "model": "least_active", "push_timeout": "200ms", "size": 1}],
    "queues": [{"name": "wa", "channel": "whatsapp", "routing": "r"},
               {"name": "wa_es", "channel": "whatsapp", "routing": "r"},
               {"name": "ig", "channel": "instagram", "routing": "r"},
               {"name": "web", "channel": "chat", "routing": "r"},
               {"name": "wa_fast", "channel": "whatsapp", "routing": "fast"}],
    "presence_configs": [{"name": "p", "capacity": 2, "allow_decline": true, "decline_reasons": ["busy"]}],
    "statuses": [{"name": "Offline", "kind": "offline"},
                 {"name": "Available", "kind": "online", "channels": ["chat", "whatsapp", "instagram"]},
                 {"name": "Lunch", "kind": "pause", "pause_cause": "lunch"}],
    "profiles": [{"name": "p", "presence_config": "p"}],
    "agents": [{"name": "alice", "profile": "p", "queues": ["wa", "wa_es", "ig", "web", "wa_fast"], "status": "Available"},
               {"name": "bob", "profile": "p", "queues": ["wa", "ig", "web"], "status": "Offline"}],
    "service": {
      "routes": [{"channel": "whatsapp", "keywords": ["hola"], "queue": "wa_es"},
                 {"channel": "whatsapp", "keywords": ["urgent"], "queue": "wa_fast"},
                 {"channel": "whatsapp", "queue": "wa"},
                 {"channel": "instagram", "queue": "ig"},
                 {"channel": "webchat", "queue": "web"}],
      "webchat_sites": [{"site": "acme-web", "key_env": "OMNI_TEST_SITE_KEY"}],
      "tick_interval": "5ms",
      "limits": {"max_body_bytes": 4096, "header_timeout": "300ms", "body_timeout": "300ms",
                 "max_connections": 6, "ws_max_message_bytes": 1024, "dedupe_window": 1000}
    }
  })");
  for (auto& [key, value] : service_overrides.items()) config["service"][key] = value;
  return config.dump();
}

inline Secrets test_secrets() {
  Secrets s;
  s.whatsapp_app_secret = kWhatsAppSecret;
  s.instagram_app_secret = kInstagramSecret;
  s.verify_token = kVerifyToken;
  s.agent_token_secret = kAgentSecret;
  s.supervisor_token = kSupervisorToken;
  s.graph_access_token = kGraphToken;
  s.site_keys["acme-web"] = kSiteKey;
  return s;
}

// Records what the service would send to the Graph API.
class RecordingSender final : public OutboundSender {
 public:
  void send(OutboundMessage message, SendDone done) override {
    std::lock_guard lock(mutex);
    sent.push_back(message);
    if (done) done(message, {true, 200, {}});
  }
  void stop() override {}
  std::mutex mutex;
  std::vector<OutboundMessage> sent;
};

inline int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A WhatsApp Cloud API webhook with one text message.
inline std::string whatsapp_payload(const std::string& customer, const std::string& id, const std::string& text,
                                    int64_t timestamp_s = now_ms() / 1000) {
  Json message{{"from", customer}, {"id", id}, {"timestamp", std::to_string(timestamp_s)},
               {"type", "text"}, {"text", {{"body", text}}}};
  Json value{{"messaging_product", "whatsapp"},
             {"metadata", {{"display_phone_number", "15550783881"}, {"phone_number_id", kPhoneNumberId}}},
             {"contacts", Json::array({{{"profile", {{"name", "Test"}}}, {"wa_id", customer}}})},
             {"messages", Json::array({message})}};
  Json payload{{"object", "whatsapp_business_account"},
               {"entry", Json::array({{{"id", "102290129340398"},
                                       {"changes", Json::array({{{"value", value}, {"field", "messages"}}})}}})}};
  return payload.dump();
}

inline std::string webchat_payload(const std::string& visitor, const std::string& id, const std::string& text) {
  return Json{{"object", "webchat"}, {"site", "acme-web"}, {"visitor", visitor}, {"session", "s-" + visitor},
              {"messages", Json::array({{{"id", id}, {"timestamp", now_ms()}, {"text", text}}})}}
      .dump();
}

inline std::string sign(const std::string& body, const std::string& secret = kWhatsAppSecret) {
  return "sha256=" + to_hex(hmac_sha256(secret, body));
}

inline HttpRequest post(std::string target, std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
  return {"POST", std::move(target), std::move(headers), std::move(body)};
}
inline HttpRequest get(std::string target, std::vector<std::pair<std::string, std::string>> headers = {}) {
  return {"GET", std::move(target), std::move(headers), {}};
}
inline HttpRequest signed_whatsapp(const std::string& body) {
  return post("/webhooks/whatsapp", body, {{"x-hub-signature-256", sign(body)}});
}

struct ServiceUnderTest {
  std::unique_ptr<Service> service;
  RecordingSender* sender = nullptr;  // owned by the service; null with a real GraphSender
};

// A service on `config_text` (a whole serve configuration). use_graph: the real GraphSender (to
// config's graph_api_base) instead of the recorder.
inline ServiceUnderTest make_service_on(const std::string& config_text, bool use_graph = false,
                                        std::FILE* log = nullptr) {
  auto config = load_serve_config_text(config_text, "test config");
  EXPECT_TRUE(config.has_value()) << (config ? "" : config.error().message());
  ServiceSetup setup;
  setup.config = *config;
  setup.secrets = test_secrets();
  setup.plugin_directories = {OMNI_TEST_PLUGIN_DIR};
  setup.log = log;
  ServiceUnderTest out;
  if (!use_graph) {
    auto sender = std::make_unique<RecordingSender>();
    out.sender = sender.get();
    setup.sender = std::move(sender);
  }
  auto service = Service::create(std::move(setup));
  EXPECT_TRUE(service.has_value()) << (service ? "" : service.error());
  out.service = std::move(*service);
  return out;
}

inline ServiceUnderTest make_service(const Json& service_overrides = Json::object(), bool use_graph = false,
                                     std::FILE* log = nullptr) {
  return make_service_on(test_config(service_overrides), use_graph, log);
}

}  // namespace omni::service::testing
