#include "omnikernel/service/http_message.h"

#include <nlohmann/json.hpp>

namespace omni::service {

std::string_view HttpRequest::path() const noexcept {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::optional<std::string> HttpRequest::query(std::string_view name) const {
  std::string_view t = target;
  const size_t q = t.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view rest = t.substr(q + 1);
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    const size_t eq = pair.find('=');
    if (percent_decode(pair.substr(0, eq)) == name) {
      return eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::string_view HttpRequest::header(std::string_view lower_name) const noexcept {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

HttpResponse error_response(int status, std::string_view code, std::string_view message) {
  nlohmann::json body{{"error", code}, {"message", message}};
  // Invalid UTF-8 (echoed from a payload) is replaced rather than thrown over.
  return {status, "application/json", body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), {}};
}

HttpResponse text_response(int status, std::string body, std::string content_type) {
  return {status, std::move(content_type), std::move(body), {}};
}

std::string percent_decode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace omni::service
