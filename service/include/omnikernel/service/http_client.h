// A small synchronous HTTP(S) client for the Graph API (outbound replies). Beast lives in
// http_client.cc only. https uses OpenSSL with the system's trust store and SNI.
#pragma once
#include <chrono>
#include <expected>
#include <string>
#include <utility>
#include <vector>

namespace omni::service {

struct ClientResponse {
  int status = 0;
  std::string body;
};

// POSTs `body` to `url` ("http://host:port/path" or "https://..."); the error says what failed
// (resolve, connect, time-out, TLS…). Never throws.
[[nodiscard]] std::expected<ClientResponse, std::string> http_post(
    const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
    const std::string& body, std::chrono::milliseconds timeout);

}  // namespace omni::service
