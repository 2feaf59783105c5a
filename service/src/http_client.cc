// The Beast side of http_post: one synchronous request per call, on a private io_context, with
// one deadline for the whole exchange. https verifies the peer against the system's trust store.
#include <utility>  // before Asio (Boost 1.74 with g++ 12)

#include "omnikernel/service/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace omni::service {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

struct Url {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;
};

std::expected<Url, std::string> parse_url(const std::string& url) {
  Url out;
  std::string_view rest = url;
  if (rest.starts_with("https://")) {
    out.tls = true;
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    return std::unexpected("not an http(s) URL");
  }
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    out.host = std::string(authority.substr(0, colon));
    out.port = std::string(authority.substr(colon + 1));
  } else {
    out.host = std::string(authority);
    out.port = out.tls ? "443" : "80";
  }
  if (out.host.empty()) return std::unexpected("no host in the URL");
  return out;
}

template <class Stream>
std::expected<ClientResponse, std::string> exchange(Stream& stream, const Url& url,
                                                    const std::vector<std::pair<std::string, std::string>>& headers,
                                                    const std::string& body) {
  http::request<http::string_body> req{http::verb::post, url.target, 11};
  req.set(http::field::host, url.host);
  req.set(http::field::user_agent, "omni");
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = body;
  req.prepare_payload();
  beast::error_code ec;
  http::write(stream, req, ec);
  if (ec) return std::unexpected("write: " + ec.message());
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1 << 20);
  http::read(stream, buffer, parser, ec);
  if (ec) return std::unexpected("read: " + ec.message());
  return ClientResponse{static_cast<int>(parser.get().result_int()), parser.get().body()};
}

}  // namespace

std::expected<ClientResponse, std::string> http_post(const std::string& url_text,
                                                     const std::vector<std::pair<std::string, std::string>>& headers,
                                                     const std::string& body, std::chrono::milliseconds timeout) {
  auto url = parse_url(url_text);
  if (!url) return std::unexpected(url.error());
  try {
    net::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    auto endpoints = resolver.resolve(url->host, url->port, ec);
    if (ec) return std::unexpected("resolve " + url->host + ": " + ec.message());
    if (!url->tls) {
      beast::tcp_stream stream(ioc);
      stream.expires_after(timeout);
      stream.connect(endpoints, ec);
      if (ec) return std::unexpected("connect " + url->host + ": " + ec.message());
      auto r = exchange(stream, *url, headers, body);
      stream.socket().shutdown(tcp::socket::shutdown_both, ec);
      return r;
    }
    ssl::context context(ssl::context::tls_client);
    context.set_default_verify_paths();
    context.set_verify_mode(ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, context);
    if (!SSL_set_tlsext_host_name(stream.native_handle(), url->host.c_str())) {
      return std::unexpected("TLS: cannot set the server name");
    }
    stream.set_verify_callback(ssl::host_name_verification(url->host));
    beast::get_lowest_layer(stream).expires_after(timeout);
    beast::get_lowest_layer(stream).connect(endpoints, ec);
    if (ec) return std::unexpected("connect " + url->host + ": " + ec.message());
    stream.handshake(ssl::stream_base::client, ec);
    if (ec) return std::unexpected("TLS handshake with " + url->host + ": " + ec.message());
    auto r = exchange(stream, *url, headers, body);
    stream.shutdown(ec);
    return r;
  } catch (const std::exception& e) {
    return std::unexpected(std::string("HTTP client: ") + e.what());
  }
}

}  // namespace omni::service
