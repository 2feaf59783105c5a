// Reads the "service" section (docs/API.md, "Configuration") with the config library's readers,
// so an error names its path ("service.routes[1].queue") like the kernel sections' errors do.
#include "omnikernel/service/service_config.h"

#include <cctype>
#include <charconv>
#include <set>

#include "omnikernel/config/duration.h"
#include "omnikernel/config/json_fields.h"
#include "omnikernel/config/loader.h"

namespace omni::service {
namespace {

using config::fail;
using config::Json;
using config::JsonObject;

ServiceLimits read_limits(const Json& value, const std::string& path) {
  JsonObject o(value, path);
  ServiceLimits limits;
  auto size = [&](std::string_view key, size_t& out, int64_t min, int64_t max) {
    if (const Json* v = o.find(key)) out = static_cast<size_t>(config::read_integer(*v, o.path_of(key), min, max));
  };
  size("max_body_bytes", limits.max_body_bytes, 1024, int64_t{1} << 30);
  size("max_header_bytes", limits.max_header_bytes, 1024, 1 << 20);
  size("ws_max_message_bytes", limits.ws_max_message_bytes, 128, int64_t{1} << 26);
  size("ws_max_queued", limits.ws_max_queued, 1, 1 << 20);
  size("dedupe_window", limits.dedupe_window, 1, 100'000'000);
  size("recent_events", limits.recent_events, 1, 100'000);
  if (const Json* v = o.find("max_connections")) {
    limits.max_connections = static_cast<uint32_t>(config::read_integer(*v, o.path_of("max_connections"), 1, 1'000'000));
  }
  auto timeout = [&](std::string_view key, Duration& out) {
    o.read(key, out);
    if (out <= Duration::zero()) fail(o.path_of(key), "must be > 0");
  };
  timeout("header_timeout", limits.header_timeout);
  timeout("body_timeout", limits.body_timeout);
  timeout("durable_timeout", limits.durable_timeout);
  timeout("ws_idle_timeout", limits.ws_idle_timeout);
  o.ignore("$comment");
  o.refuse_unknown_keys();
  return limits;
}

// Both paths or neither: a certificate without its key (or the other way round) is a mistake,
// never a request for plain HTTP. The files themselves are read at start (tls_context.cc).
TlsFiles read_tls(const Json& value, const std::string& path) {
  JsonObject o(value, path);
  TlsFiles tls;
  tls.certificate = config::read_string(o.require("certificate"), o.path_of("certificate"));
  tls.private_key = config::read_string(o.require("private_key"), o.path_of("private_key"));
  if (tls.certificate.empty()) fail(o.path_of("certificate"), "must be the path of a PEM certificate file");
  if (tls.private_key.empty()) fail(o.path_of("private_key"), "must be the path of a PEM private key file");
  o.ignore("$comment");
  o.refuse_unknown_keys();
  return tls;
}

SecretNames read_secrets(const Json& value, const std::string& path) {
  JsonObject o(value, path);
  SecretNames names;
  auto name = [&](std::string_view key, std::string& out) {
    o.read(key, out);
    if (out.empty()) fail(o.path_of(key), "must name an environment variable");
  };
  name("whatsapp_app_secret_env", names.whatsapp_app_secret);
  name("instagram_app_secret_env", names.instagram_app_secret);
  name("verify_token_env", names.verify_token);
  name("agent_token_secret_env", names.agent_token_secret);
  name("supervisor_token_env", names.supervisor_token);
  name("graph_access_token_env", names.graph_access_token);
  o.ignore("$comment");
  o.refuse_unknown_keys();
  return names;
}

RouteRule read_route(const Json& value, const std::string& path, const Config& kernel) {
  JsonObject o(value, path);
  RouteRule rule;
  rule.path = path;
  o.read("channel", rule.channel);
  if (!rule.channel.empty() && rule.channel != "whatsapp" && rule.channel != "instagram" &&
      rule.channel != "webchat") {
    fail(o.path_of("channel"), "unknown channel \"" + rule.channel + "\" (one of: whatsapp, instagram, webchat)");
  }
  o.read("account", rule.account);
  if (const Json* language = o.find("language")) {
    rule.language = config::read_string(*language, o.path_of("language"));
    if (!is_language_tag(rule.language))
      fail(o.path_of("language"), "\"" + rule.language + "\" is not a language tag (BCP 47, e.g. \"es\" or \"pt-BR\")");
    // Meta's webhooks carry no language: such a rule would silently never match.
    if (rule.channel == "whatsapp" || rule.channel == "instagram")
      fail(o.path_of("language"), rule.channel + " webhooks carry no language, so this rule could never match "
                                  "(web chat sends one; docs/CHANNELS.md)");
  }
  o.read("keywords", rule.keywords);
  for (std::string& k : rule.keywords) {
    for (char& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  rule.queue = config::read_name(o.require("queue"), o.path_of("queue"));
  bool known = false;
  for (const QueueConfig& q : kernel.queues) known = known || q.name == rule.queue;
  if (!known) fail(o.path_of("queue"), "unknown queue \"" + rule.queue + "\"");
  if (const Json* skills = o.find("skills")) {
    config::for_each_element(*skills, o.path_of("skills"), [&](const Json& s, const std::string& p) {
      JsonObject so(s, p);
      SkillRule skill;
      skill.skill = config::read_name(so.require("skill"), so.path_of("skill"));
      bool defined = false;
      for (const std::string& k : kernel.skills) defined = defined || k == skill.skill;
      if (!defined) fail(so.path_of("skill"), "unknown skill \"" + skill.skill + "\"");
      if (const Json* level = so.find("min_level")) {
        skill.min_level = static_cast<int>(config::read_integer(*level, so.path_of("min_level"), 1, 10));
      }
      so.read("drop_after", skill.drop_after);
      so.refuse_unknown_keys();
      rule.skills.push_back(std::move(skill));
    });
    if (rule.skills.size() > 8) fail(o.path_of("skills"), "at most 8 skills");
  }
  o.ignore("$comment");
  o.refuse_unknown_keys();
  return rule;
}

void read_service(const Json& value, ServeConfig& out) {
  JsonObject o(value, "service");
  ServiceConfig& s = out.service;
  if (const Json* listen = o.find("listen")) {
    auto address = parse_listen(config::read_string(*listen, o.path_of("listen")));
    if (!address) fail(o.path_of("listen"), address.error());
    s.listen = *address;
  }
  if (const Json* tls = o.find("tls")) s.tls = read_tls(*tls, o.path_of("tls"));
  if (const Json* limits = o.find("limits")) s.limits = read_limits(*limits, o.path_of("limits"));
  if (const Json* secrets = o.find("secrets")) s.secrets = read_secrets(*secrets, o.path_of("secrets"));
  o.read("graph_api_base", s.graph_api_base);
  if (!s.graph_api_base.starts_with("http://") && !s.graph_api_base.starts_with("https://")) {
    fail(o.path_of("graph_api_base"), "must start with http:// or https://");
  }
  while (!s.graph_api_base.empty() && s.graph_api_base.back() == '/') s.graph_api_base.pop_back();
  o.read("service_level_threshold", s.service_level_threshold);
  o.read("tick_interval", s.tick_interval);
  if (s.tick_interval < std::chrono::milliseconds(1) || s.tick_interval > std::chrono::seconds(1)) {
    fail(o.path_of("tick_interval"), "must be between 1ms and 1s");
  }
  if (const Json* sites = o.find("webchat_sites")) {
    std::set<std::string> seen;
    config::for_each_element(*sites, o.path_of("webchat_sites"), [&](const Json& v, const std::string& p) {
      JsonObject so(v, p);
      WebChatSite site{config::read_name(so.require("site"), so.path_of("site")),
                       config::read_name(so.require("key_env"), so.path_of("key_env"))};
      if (!seen.insert(site.site).second) fail(so.path_of("site"), "site \"" + site.site + "\" twice");
      so.ignore("$comment");
      so.refuse_unknown_keys();
      s.webchat_sites.push_back(std::move(site));
    });
  }
  if (const Json* routes = o.find("routes")) {
    config::for_each_element(*routes, o.path_of("routes"), [&](const Json& v, const std::string& p) {
      s.routes.push_back(read_route(v, p, out.kernel));
    });
  }
  auto read_objects = [&](std::string_view key, std::map<std::string, std::string>& into) {
    const Json* v = o.find(key);
    if (v == nullptr) return;
    if (!v->is_object()) fail(o.path_of(key), "expected an object of name → configuration");
    for (const auto& [name, settings] : v->items()) into[name] = settings.dump();
  };
  read_objects("adapters", s.adapter_configs);
  read_objects("policies", s.policies);
  o.ignore("$comment");
  o.refuse_unknown_keys();
  if (s.routes.empty()) fail("service.routes", "at least one route is needed, or no message can be routed");
}

}  // namespace

bool is_language_tag(std::string_view tag) noexcept {
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (tag.empty() || tag.size() > 35 || !alpha(tag.front())) return false;
  size_t run = 0;  // length of the current subtag
  for (char c : tag) {
    if (c == '-') {
      if (run == 0) return false;
      run = 0;
    } else if (!alpha(c) && !(c >= '0' && c <= '9')) {
      return false;
    } else if (++run > 8) {
      return false;
    }
  }
  return run > 0;
}

bool language_matches(std::string_view range, std::string_view tag) noexcept {
  if (range.empty() || tag.size() < range.size()) return false;
  for (size_t i = 0; i < range.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(range[i])) != std::tolower(static_cast<unsigned char>(tag[i])))
      return false;
  }
  return tag.size() == range.size() || tag[range.size()] == '-';
}

std::expected<ListenAddress, std::string> parse_listen(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return std::unexpected("expected HOST:PORT, e.g. 127.0.0.1:8080 (got \"" + std::string(text) + "\")");
  }
  unsigned port = 0;
  std::string_view digits = text.substr(colon + 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || port > 65535) {
    return std::unexpected("port must be 0–65535 (got \"" + std::string(digits) + "\")");
  }
  ListenAddress address;
  address.host = std::string(text.substr(0, colon));
  if (address.host.size() > 2 && address.host.front() == '[' && address.host.back() == ']') {
    address.host = address.host.substr(1, address.host.size() - 2);  // [::1]:8080
  }
  address.port = static_cast<uint16_t>(port);
  return address;
}

std::expected<ServeConfig, ConfigError> load_serve_config_text(std::string_view text, std::string_view source) {
  auto json = config::parse_json_text(text, source);
  if (!json) return std::unexpected(json.error());
  try {
    JsonObject document(*json, "");
    ServeConfig out;
    const Json* service = document.find("service");
    document.ignore("$comment");
    config::read_config_sections(document, out.kernel);
    document.refuse_unknown_keys();
    if (service == nullptr) fail("service", "missing: the routes and secrets of `omni serve` (docs/API.md)");
    read_service(*service, out);
    return out;
  } catch (const config::FieldError& e) {
    return std::unexpected(e.to_config_error());
  }
}

std::expected<std::vector<RouteRule>, ConfigError> load_routes_text(std::string_view text, const Config& kernel) {
  auto json = config::parse_json_text(text, "routes");
  if (!json) return std::unexpected(json.error());
  try {
    JsonObject document(*json, "");
    std::vector<RouteRule> routes;
    config::for_each_element(document.require("routes"), "routes", [&](const Json& v, const std::string& p) {
      routes.push_back(read_route(v, p, kernel));
    });
    document.ignore("$comment");
    document.refuse_unknown_keys();
    if (routes.empty()) fail("routes", "at least one route is needed, or no message can be routed");
    return routes;
  } catch (const config::FieldError& e) {
    return std::unexpected(e.to_config_error());
  }
}

std::string write_routes(const std::vector<RouteRule>& routes) {
  Json out = Json::array();
  for (const RouteRule& r : routes) {
    Json rule = Json::object();
    if (!r.channel.empty()) rule["channel"] = r.channel;
    if (!r.account.empty()) rule["account"] = r.account;
    if (!r.language.empty()) rule["language"] = r.language;
    if (!r.keywords.empty()) rule["keywords"] = r.keywords;
    rule["queue"] = r.queue;
    if (!r.skills.empty()) {
      Json skills = Json::array();
      for (const SkillRule& k : r.skills) {
        Json skill{{"skill", k.skill}, {"min_level", k.min_level}};
        if (k.drop_after != Duration{}) skill["drop_after"] = config::format_duration(k.drop_after);
        skills.push_back(std::move(skill));
      }
      rule["skills"] = std::move(skills);
    }
    out.push_back(std::move(rule));
  }
  return Json{{"routes", std::move(out)}}.dump();
}

std::expected<ServeConfig, ConfigError> load_serve_config_file(const std::filesystem::path& file) {
  auto text = config::read_text_file(file);
  if (!text) return std::unexpected(text.error());
  return load_serve_config_text(*text, file.string());
}

}  // namespace omni::service
