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
#include <dlfcn.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "audit.h"
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

void check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "fuzz_serve_handlers: property violated: %s\n", what);
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

std::unique_ptr<Service> make_service() {
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
  auto service = Service::create(std::move(setup));
  if (!service) std::fprintf(stderr, "fuzz_serve_handlers: %s\n", service.error().c_str());
  check(service.has_value(), "the demo service starts");
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

void check_kernel(Service& service) {
  const omni::internal::AuditReport report = omni::internal::audit(service.kernel());
  if (!report.ok()) std::fprintf(stderr, "%s", report.text().c_str());
  check(report.ok(), "a kernel invariant broke (audit)");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<Service> service;
  static int inputs = 0;
  if (!service || ++inputs % kRecreateEvery == 0) {
    service.reset();
    service = make_service();
  }
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
  }
  service->pump_now();
  check_kernel(*service);
  return 0;
}
