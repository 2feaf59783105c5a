#include "tls_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace omni::service::testing {

using Clock = std::chrono::steady_clock;

namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;

void write_pem(const std::filesystem::path& path, bool key, void* object) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return;
  if (key) {
    PEM_write_PrivateKey(f, static_cast<EVP_PKEY*>(object), nullptr, nullptr, 0, nullptr, nullptr);
  } else {
    PEM_write_X509(f, static_cast<X509*>(object));
  }
  std::fclose(f);
}

void add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  if (X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value)) {
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
}

}  // namespace

CertificateFiles make_self_signed(const std::filesystem::path& dir, const std::string& stem) {
  std::filesystem::create_directories(dir);
  KeyPtr key(EVP_EC_gen("P-256"));
  CertPtr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  add_extension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  X509_sign(cert.get(), key.get(), EVP_sha256());
  CertificateFiles files{dir / (stem + ".crt"), dir / (stem + ".key")};
  write_pem(files.certificate, false, cert.get());
  write_pem(files.private_key, true, key.get());
  return files;
}

TlsConnection::TlsConnection(uint16_t port, const std::filesystem::path& trusted) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    error_ = "connect failed";
    return;
  }
  ctx_ = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
  if (SSL_CTX_load_verify_locations(ctx_, trusted.c_str(), nullptr) != 1) {
    error_ = "cannot load " + trusted.string();
    return;
  }
  SSL* ssl = SSL_new(ctx_);
  SSL_set_fd(ssl, fd_);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1");  // the certificate must name it
  if (SSL_connect(ssl) != 1) {
    char text[256];
    ERR_error_string_n(ERR_get_error(), text, sizeof text);
    error_ = std::string("handshake: ") + text;
    SSL_free(ssl);
    return;
  }
  ssl_ = ssl;
}

TlsConnection::~TlsConnection() {
  if (ssl_ != nullptr) {
    SSL_shutdown(ssl_);
    SSL_free(ssl_);
  }
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  if (fd_ >= 0) ::close(fd_);
}

bool TlsConnection::send(const std::string& bytes) {
  if (!ok()) return false;
  return bytes.empty() || SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size())) == static_cast<int>(bytes.size());
}

namespace {
// One read within the deadline: >0 bytes, 0 = closed, -1 = timed out.
int read_some(SSL* ssl, int fd, std::string& into, Clock::time_point deadline) {
  if (SSL_pending(ssl) == 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return -1;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return -1;
  }
  char buffer[16384];
  const int n = SSL_read(ssl, buffer, sizeof buffer);
  if (n <= 0) return 0;
  into.append(buffer, static_cast<size_t>(n));
  return n;
}
}  // namespace

std::string TlsConnection::read_until(const std::string& until, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (ok() && (until.empty() || pending_.find(until) == std::string::npos)) {
    if (read_some(ssl_, fd_, pending_, deadline) <= 0) break;
  }
  size_t end = until.empty() ? std::string::npos : pending_.find(until);
  end = end == std::string::npos ? pending_.size() : end + until.size();
  std::string out = pending_.substr(0, end);
  pending_.erase(0, end);
  return out;
}

std::string TlsConnection::read_exactly(size_t n, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (ok() && pending_.size() < n) {
    if (read_some(ssl_, fd_, pending_, deadline) <= 0) break;
  }
  std::string out = pending_.substr(0, std::min(n, pending_.size()));
  pending_.erase(0, out.size());
  return out;
}

RawResponse https_request(uint16_t port, const std::filesystem::path& trusted, const std::string& method,
                          const std::string& target, const std::string& body,
                          const std::vector<std::pair<std::string, std::string>>& headers) {
  TlsConnection c(port, trusted);
  RawResponse r;
  if (!c.ok()) return r;
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  c.send(request);
  const std::string head = c.read_until("\r\n\r\n", std::chrono::milliseconds(3000));
  if (head.size() < 12) return r;
  r.status = std::atoi(head.c_str() + 9);
  r.headers = head;
  std::string lower = head;
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const size_t cl = lower.find("content-length:");
  if (cl != std::string::npos)
    r.body = c.read_exactly(std::strtoul(head.c_str() + cl + 15, nullptr, 10), std::chrono::milliseconds(3000));
  return r;
}

TlsWebSocket::TlsWebSocket(uint16_t port, const std::filesystem::path& trusted, const std::string& target)
    : connection_(port, trusted) {
  if (!connection_.ok()) return;
  connection_.send("GET " + target +
                   " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  const std::string head = connection_.read_until("\r\n\r\n", std::chrono::milliseconds(3000));
  if (head.size() >= 12) status_ = std::atoi(head.c_str() + 9);
}

bool TlsWebSocket::send_text(const std::string& text) {
  // Client frames are masked (RFC 6455 §5.3); the tests' messages are short.
  std::string frame{static_cast<char>(0x81)};
  if (text.size() < 126) {
    frame += static_cast<char>(0x80 | text.size());
  } else {
    frame += static_cast<char>(0x80 | 126);
    frame += static_cast<char>((text.size() >> 8) & 0xff);
    frame += static_cast<char>(text.size() & 0xff);
  }
  const char key[4] = {0x0a, 0x1b, 0x2c, 0x3d};
  frame.append(key, 4);
  for (size_t i = 0; i < text.size(); ++i) frame += static_cast<char>(text[i] ^ key[i % 4]);
  return connection_.send(frame);
}

WsFrame TlsWebSocket::read(std::chrono::milliseconds timeout) {
  WsFrame f;
  const std::string head = connection_.read_exactly(2, timeout);
  if (head.size() < 2) return f;
  uint64_t length = static_cast<uint8_t>(head[1]) & 0x7f;
  if (length == 126) {
    const std::string ext = connection_.read_exactly(2, timeout);
    length = ext.size() == 2 ? (static_cast<uint8_t>(ext[0]) << 8) | static_cast<uint8_t>(ext[1]) : 0;
  } else if (length == 127) {
    length = 0;
    for (char c : connection_.read_exactly(8, timeout)) length = (length << 8) | static_cast<uint8_t>(c);
  }
  f.opcode = static_cast<uint8_t>(head[0]) & 0x0f;
  f.payload = connection_.read_exactly(length, timeout);
  return f;
}

std::optional<std::string> TlsWebSocket::read_until_contains(const std::string& needle,
                                                             std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    WsFrame f = read(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    if (f.opcode == 1 && f.payload.find(needle) != std::string::npos) return f.payload;
    if (f.opcode == 8 || f.opcode == -1) return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace omni::service::testing
