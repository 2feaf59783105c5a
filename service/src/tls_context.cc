#include "tls_context.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace omni::service {
namespace {

// OpenSSL's reason for the last failure, cleared from its error queue.
std::string openssl_reason() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "no detail from OpenSSL";
  char text[256];
  ERR_error_string_n(e, text, sizeof text);
  return text;
}

// The file's bytes, or why it cannot be read, naming the field.
std::expected<std::string, std::string> read_file(const std::string& field, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(field + ": cannot read \"" + path + "\": " + std::strerror(errno));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in.good() && !in.eof()) return std::unexpected(field + ": cannot read \"" + path + "\"");
  return bytes.str();
}

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct CtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* x) const { X509_free(x); }
};

std::unique_ptr<BIO, BioFree> memory_bio(const std::string& bytes) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

}  // namespace

std::expected<SSL_CTX*, std::string> make_server_tls_context(const TlsFiles& files) {
  constexpr const char* kCert = "service.tls.certificate";
  constexpr const char* kKey = "service.tls.private_key";
  auto cert_pem = read_file(kCert, files.certificate);
  if (!cert_pem) return std::unexpected(cert_pem.error());
  auto key_pem = read_file(kKey, files.private_key);
  if (!key_pem) return std::unexpected(key_pem.error());

  std::unique_ptr<SSL_CTX, CtxFree> ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return std::unexpected("service.tls: cannot create a TLS context: " + openssl_reason());
  // TLS 1.0 and 1.1 are deprecated (RFC 8996); Meta's webhooks and browsers speak 1.2 and 1.3.
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);

  // The leaf certificate, then whatever intermediates follow it in the file.
  auto bio = memory_bio(*cert_pem);
  std::unique_ptr<X509, CertFree> leaf(PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr));
  if (!leaf || SSL_CTX_use_certificate(ctx.get(), leaf.get()) != 1) {
    return std::unexpected(std::string(kCert) + ": \"" + files.certificate + "\" is not a PEM certificate (" +
                           openssl_reason() + ")");
  }
  while (X509* extra = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    if (SSL_CTX_add0_chain_cert(ctx.get(), extra) != 1) {
      X509_free(extra);
      return std::unexpected(std::string(kCert) + ": \"" + files.certificate + "\": an intermediate certificate "
                             "was refused (" + openssl_reason() + ")");
    }
  }
  ERR_clear_error();  // the loop ends on "no start line": not an error

  // No passphrase callback: an encrypted key fails here instead of prompting on a terminal.
  auto key_bio = memory_bio(*key_pem);
  std::unique_ptr<EVP_PKEY, KeyFree> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, [](char*, int, int, void*) { return 0; }, nullptr));
  if (!key) {
    return std::unexpected(std::string(kKey) + ": \"" + files.private_key +
                           "\" is not an unencrypted PEM private key (" + openssl_reason() + ")");
  }
  if (SSL_CTX_use_PrivateKey(ctx.get(), key.get()) != 1 || SSL_CTX_check_private_key(ctx.get()) != 1) {
    return std::unexpected(std::string(kKey) + ": \"" + files.private_key + "\" does not match the certificate of " +
                           kCert + " (" + openssl_reason() + ")");
  }
  return ctx.release();
}

}  // namespace omni::service
