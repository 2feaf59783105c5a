// The input format of fuzz_serve_handlers, kept apart so the seeds (corpus/serve_handlers/) are
// easy to write by hand:
//
//   byte 0      flags (kSign...): credentials the fuzzer adds, since it cannot guess an HMAC
//   line        "METHOD TARGET" — METHOD "WS" means a WebSocket upgrade of TARGET
//   lines       "name: value" headers (names lower-cased, as the socket layer passes them)
//   empty line
//   rest        the body; for WS, one message per line
//
// Without the flags every authenticated endpoint answers 401, and a fuzzer that must find a valid
// HMAC-SHA256 never reaches an adapter; with them the handlers behind authentication get fuzzed.
#pragma once
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "omnikernel/service/hmac.h"
#include "omnikernel/service/service.h"

namespace omni::fuzz {

enum : uint8_t {
  kSign = 1,            // X-Hub-Signature-256 of the body with the webhook channel's secret
  kSiteKey = 2,         // X-Omni-Site-Key of the web-chat site
  kAgentToken = 4,      // Bearer token of the agent the target names (/v1/agents/{agent}, ?agent=)
  kSupervisorToken = 8, // Bearer supervisor token
  kVerifyToken = 16,    // hub.verify_token=<the right one> appended to the query
};

struct ServeInput {
  uint8_t flags = 0;
  bool websocket = false;
  service::HttpRequest request;
  std::vector<std::string> messages;  // WS only
};

inline ServeInput parse_serve_input(const uint8_t* data, size_t size) {
  ServeInput out;
  if (size == 0) return out;
  out.flags = data[0];
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  auto line = [&in]() {
    const size_t end = in.find('\n');
    std::string_view l = in.substr(0, end);
    in.remove_prefix(end == std::string_view::npos ? in.size() : end + 1);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    return l;
  };
  const std::string_view first = line();
  const size_t space = first.find(' ');
  out.request.method = std::string(first.substr(0, space));
  out.request.target = space == std::string_view::npos ? "/" : std::string(first.substr(space + 1));
  out.websocket = out.request.method == "WS";
  if (out.websocket) out.request.method = "GET";
  for (std::string_view h = line(); !h.empty(); h = line()) {
    const size_t colon = h.find(':');
    std::string name(h.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = colon == std::string_view::npos ? std::string_view{} : h.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    out.request.headers.emplace_back(std::move(name), std::string(value));
  }
  if (!out.websocket) {
    out.request.body = std::string(in);
    return out;
  }
  while (!in.empty()) out.messages.emplace_back(line());
  return out;
}

struct Credentials {
  const char* whatsapp_secret;
  const char* instagram_secret;
  const char* verify_token;
  const char* site_key;
};

// The agent a target names: /v1/agents/{agent}... or ?agent= (the agent WebSocket).
inline std::string agent_of(const service::HttpRequest& request) {
  if (auto q = request.query("agent")) return *q;
  constexpr std::string_view kPrefix = "/v1/agents/";
  std::string_view path = request.path();
  if (!path.starts_with(kPrefix)) return {};
  path.remove_prefix(kPrefix.size());
  return service::percent_decode(path.substr(0, path.find('/')));
}

inline void add_credentials(ServeInput& input, service::Service& service, const Credentials& c) {
  service::HttpRequest& r = input.request;
  if (input.flags & kSign) {
    const bool instagram = r.path() == "/webhooks/instagram";
    r.headers.emplace_back("x-hub-signature-256",
                           "sha256=" + service::to_hex(service::hmac_sha256(
                                           instagram ? c.instagram_secret : c.whatsapp_secret, r.body)));
  }
  if (input.flags & kSiteKey) r.headers.emplace_back("x-omni-site-key", c.site_key);
  if (input.flags & kAgentToken) r.headers.emplace_back("authorization", "Bearer " + service.token_of(agent_of(r)));
  if (input.flags & kSupervisorToken)
    r.headers.emplace_back("authorization", "Bearer " + service.secrets().supervisor_token);
  if (input.flags & kVerifyToken)
    r.target += std::string(r.target.find('?') == std::string::npos ? "?" : "&") + "hub.verify_token=" + c.verify_token;
}

}  // namespace omni::fuzz
