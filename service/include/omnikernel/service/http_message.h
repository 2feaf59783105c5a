// A parsed HTTP request and the response to it, free of any socket or Beast type, so that every
// handler of `omni serve` is a plain function (request → response) that tests and the fuzzer call
// without a network. The socket layer (http_server.h) converts to and from Beast's messages.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace omni::service {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query as received: "/webhooks/whatsapp?hub.mode=subscribe"
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;    // the raw bytes: signatures are checked over exactly these

  // The target before '?'.
  [[nodiscard]] std::string_view path() const noexcept;
  // A query parameter, percent-decoded ('+' is a space); nullopt when absent.
  [[nodiscard]] std::optional<std::string> query(std::string_view name) const;
  // The first header of that (lower-case) name; empty when absent.
  [[nodiscard]] std::string_view header(std::string_view lower_name) const noexcept;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

// {"error": code, "message": message} with that status.
[[nodiscard]] HttpResponse error_response(int status, std::string_view code, std::string_view message);
[[nodiscard]] HttpResponse text_response(int status, std::string body,
                                         std::string content_type = "text/plain; charset=utf-8");

// Percent-decoding of a query component; a malformed escape is kept as is.
[[nodiscard]] std::string percent_decode(std::string_view text);

}  // namespace omni::service
