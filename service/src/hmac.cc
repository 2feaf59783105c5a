#include "omnikernel/service/hmac.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>
#include <string>
#include <utility>

namespace omni::service {

namespace {

// HMAC keyed once per thread and secret, then re-used: OpenSSL 3's one-shot HMAC() fetches the
// algorithm, builds a context and keys it on every call, which was 31,000 instructions per
// signature for a 700-byte webhook (callgrind), two thirds of them not hashing at all. A context
// keyed once is re-initialised with EVP_MAC_init(ctx, nullptr, …), which keeps its key. Per
// thread, so no context is shared; a few secrets per process (app secrets, the token secret), so
// a handful of slots that are recycled in turn is enough.
class KeyedMacs {
 public:
  KeyedMacs() = default;
  KeyedMacs(const KeyedMacs&) = delete;
  KeyedMacs& operator=(const KeyedMacs&) = delete;
  ~KeyedMacs() {
    for (Slot& slot : slots_) EVP_MAC_CTX_free(slot.ctx);
  }

  // A context ready for update with `key`, or null when OpenSSL fails (the caller falls back).
  EVP_MAC_CTX* ready(std::string_view key) noexcept {
    for (Slot& slot : slots_) {
      if (slot.ctx != nullptr && slot.key == key) {
        return EVP_MAC_init(slot.ctx, nullptr, 0, nullptr) == 1 ? slot.ctx : nullptr;
      }
    }
    Slot& slot = slots_[next_++ % slots_.size()];
    EVP_MAC_CTX_free(std::exchange(slot.ctx, nullptr));
    static EVP_MAC* const hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);  // never freed: process-wide
    if (hmac == nullptr) return nullptr;
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(hmac);
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0), OSSL_PARAM_construct_end()};
    if (ctx == nullptr ||
        EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) != 1) {
      EVP_MAC_CTX_free(ctx);
      return nullptr;
    }
    try {
      slot.key.assign(key);
    } catch (...) {
      EVP_MAC_CTX_free(ctx);
      return nullptr;
    }
    slot.ctx = ctx;
    return ctx;
  }

 private:
  struct Slot {
    std::string key;
    EVP_MAC_CTX* ctx = nullptr;
  };
  std::array<Slot, 4> slots_;
  size_t next_ = 0;
};

}  // namespace

Sha256 hmac_sha256(std::string_view key, std::string_view message) noexcept {
  Sha256 out{};
  thread_local KeyedMacs macs;
  if (EVP_MAC_CTX* ctx = macs.ready(key)) {
    size_t length = 0;
    if (EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1 &&
        EVP_MAC_final(ctx, out.data(), &length, out.size()) == 1 && length == out.size()) {
      return out;
    }
  }
  unsigned int length = 0;  // OpenSSL could not keep a context: the one-shot call, slower, same bytes
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
