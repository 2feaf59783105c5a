// The `service` section of an `omni serve` configuration file: a kernel configuration
// (docs/CONFIG.md) with one more key. Documented in docs/API.md ("Configuration"). Secrets are
// never in the file: the file names the environment variables that hold them.
#pragma once
#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "omnikernel/config.h"
#include "omnikernel/error.h"
#include "omnikernel/time.h"

namespace omni::service {

struct ListenAddress {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
};

// Whether `tag` is a language tag of BCP 47's shape (letters first, subtags of 1-8 letters or
// digits joined by '-', at most 35 bytes), and whether a rule's `range` matches a message's `tag`
// (RFC 4647 basic filtering: equal, or a prefix ending at a '-', case-insensitive).
[[nodiscard]] bool is_language_tag(std::string_view tag) noexcept;
[[nodiscard]] bool language_matches(std::string_view range, std::string_view tag) noexcept;

// "HOST:PORT" (port 0 = any free port); the reason on failure.
[[nodiscard]] std::expected<ListenAddress, std::string> parse_listen(std::string_view text);

struct ServiceLimits {
  size_t max_body_bytes = 1 << 20;         // a larger request body is 413
  size_t max_header_bytes = 16 << 10;      // request line and headers
  Duration header_timeout = std::chrono::seconds(10);  // from connect (or the last response) to headers
  Duration body_timeout = std::chrono::seconds(30);    // from headers to the whole body
  uint32_t max_connections = 1024;         // beyond it a connection gets 503 and is closed
  size_t ws_max_message_bytes = 64 << 10;  // a larger WebSocket message closes with 1009
  size_t ws_max_queued = 4096;             // messages waiting for a slow WebSocket peer: then 1008
  // A WebSocket peer heard nothing from for half of this is pinged; one silent for all of it
  // (no message, no pong) is taken for dead and its connection closed. Browsers answer pings by
  // themselves, so a live but idle agent desktop stays connected.
  Duration ws_idle_timeout = std::chrono::seconds(60);
  size_t dedupe_window = 100000;           // message ids remembered for de-duplication
  size_t recent_events = 200;              // kept for the supervisor page
  // With a journal: how long a webhook waits for what it caused to be durable before it answers
  // 503 (Meta retries). Without one it does not wait.
  Duration durable_timeout = std::chrono::seconds(2);
};

// One skill a routed item asks for (Kernel::prepare_requirements).
struct SkillRule {
  std::string skill;
  int min_level = 1;
  Duration drop_after{};
};

// Inbound messages matching every non-empty criterion go to `queue` with `skills`. Rules are
// tried in order; the first match wins; a message no rule matches is refused (and counted).
struct RouteRule {
  std::string path;      // "service.routes[2]", for errors
  std::string channel;   // adapter name: whatsapp, instagram, webchat; empty = any
  std::string account;   // phone-number id, Instagram account id or web-chat site; empty = any
  std::vector<std::string> keywords;  // any of them in the text, case-insensitive; empty = any
  // A BCP 47 language range ("pt" matches "pt", "pt-BR"; "pt-BR" only "pt-BR…"), case-insensitive,
  // against the language the channel gives (web chat; WhatsApp and Instagram give none, and a
  // message without one never matches a rule that names a language). Empty = any.
  std::string language;
  std::string queue;
  std::vector<SkillRule> skills;
};

// service.tls: HTTPS and WSS on the listen port when both files are given, plain HTTP otherwise.
// The files are read when the server starts (HttpServer::start); an unreadable or invalid one is a
// start-up error naming its field ("service.tls.private_key: …").
struct TlsFiles {
  std::string certificate;  // PEM: the server's certificate, then any intermediates
  std::string private_key;  // PEM: its private key (unencrypted)
  [[nodiscard]] bool enabled() const noexcept { return !certificate.empty(); }
};

struct WebChatSite {
  std::string site;
  std::string key_env;  // environment variable holding the site key
};

struct SecretNames {
  std::string whatsapp_app_secret = "OMNI_WHATSAPP_APP_SECRET";
  std::string instagram_app_secret = "OMNI_INSTAGRAM_APP_SECRET";
  std::string verify_token = "OMNI_VERIFY_TOKEN";
  std::string agent_token_secret = "OMNI_AGENT_TOKEN_SECRET";
  std::string supervisor_token = "OMNI_SUPERVISOR_TOKEN";
  std::string graph_access_token = "OMNI_GRAPH_ACCESS_TOKEN";
};

struct ServiceConfig {
  ListenAddress listen;
  TlsFiles tls;
  ServiceLimits limits;
  SecretNames secrets;
  std::string graph_api_base = "https://graph.facebook.com/v19.0";
  std::vector<WebChatSite> webchat_sites;
  std::vector<RouteRule> routes;
  Duration service_level_threshold = std::chrono::seconds(20);
  std::map<std::string, std::string> adapter_configs;  // adapter name → its JSON config
  std::map<std::string, std::string> policies;         // policy plugin → its JSON config
  Duration tick_interval = std::chrono::milliseconds(10);
};

struct ServeConfig {
  Config kernel;
  ServiceConfig service;
};

[[nodiscard]] std::expected<ServeConfig, ConfigError> load_serve_config_text(std::string_view text,
                                                                             std::string_view source);
[[nodiscard]] std::expected<ServeConfig, ConfigError> load_serve_config_file(
    const std::filesystem::path& file);
// Routing rules on their own, as PUT /v1/routes takes them and the journal keeps them:
// {"routes": [rule, …]} with the rules of service.routes, checked against `kernel` (queues and
// skills by name). Errors name the path from "routes" ("routes[1].queue"). At least one rule.
[[nodiscard]] std::expected<std::vector<RouteRule>, ConfigError> load_routes_text(std::string_view text,
                                                                                 const Config& kernel);
// The rules in that form (what GET /v1/routes answers; load_routes_text reads it back).
[[nodiscard]] std::string write_routes(const std::vector<RouteRule>& routes);

// The configuration `omni serve` runs without a file: the default scenario's contact centre.
[[nodiscard]] std::string_view demo_config_json() noexcept;

}  // namespace omni::service
