// The server's TLS context from service.tls (OpenSSL only, no Asio: cheap to compile and to test).
// Every failure names the configuration field it comes from, so that `omni serve` stops at start
// with "service.tls.certificate: cannot read \"/etc/omni/cert.pem\": No such file or directory".
#pragma once
#include <expected>
#include <string>

#include "omnikernel/service/service_config.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace omni::service {

// A TLS 1.2+ server context holding the certificate chain and key of `files` (checked to match).
// The caller owns the result (SSL_CTX_free, or hand it to asio::ssl::context).
[[nodiscard]] std::expected<SSL_CTX*, std::string> make_server_tls_context(const TlsFiles& files);

}  // namespace omni::service
