#include "omnikernel/service/hmac.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace omni::service {

Sha256 hmac_sha256(std::string_view key, std::string_view message) noexcept {
  Sha256 out{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out.data(), &length);
  return out;
}

std::string to_hex(const Sha256& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(digest.size() * 2, '0');
  for (size_t i = 0; i < digest.size(); ++i) {
    hex[2 * i] = kDigits[digest[i] >> 4];
    hex[2 * i + 1] = kDigits[digest[i] & 0xf];
  }
  return hex;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view to_string(SignatureCheck c) noexcept {
  switch (c) {
    case SignatureCheck::ok: return "ok";
    case SignatureCheck::missing: return "missing";
    case SignatureCheck::malformed: return "malformed";
    case SignatureCheck::mismatch: return "mismatch";
  }
  return "?";
}

SignatureCheck check_hub_signature(std::string_view header, std::string_view body,
                                   std::string_view app_secret) noexcept {
  if (header.empty()) return SignatureCheck::missing;
  constexpr std::string_view kPrefix = "sha256=";
  if (header.size() != kPrefix.size() + 64 || header.substr(0, kPrefix.size()) != kPrefix) {
    return SignatureCheck::malformed;
  }
  // Lower-case the received hex into a fixed buffer (no allocation), refusing non-hex digits.
  char received[64];
  for (size_t i = 0; i < 64; ++i) {
    char c = header[kPrefix.size() + i];
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return SignatureCheck::malformed;
    received[i] = c;
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  const Sha256 digest = hmac_sha256(app_secret, body);
  char expected[64];
  for (size_t i = 0; i < digest.size(); ++i) {
    expected[2 * i] = kDigits[digest[i] >> 4];
    expected[2 * i + 1] = kDigits[digest[i] & 0xf];
  }
  return constant_time_equal({received, 64}, {expected, 64}) ? SignatureCheck::ok
                                                             : SignatureCheck::mismatch;
}

std::string agent_token(std::string_view secret, std::string_view agent) {
  std::string message = "agent:";
  message += agent;
  return to_hex(hmac_sha256(secret, message));
}

std::string random_secret() {
  Sha256 bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed: no random secret can be made");
  }
  return to_hex(bytes);
}

}  // namespace omni::service
