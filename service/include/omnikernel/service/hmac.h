// HMAC-SHA256 (OpenSSL) and the constant-time comparisons every secret check of `omni serve` uses:
// Meta's X-Hub-Signature-256, the verify token, agent and supervisor tokens, web-chat site keys.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace omni::service {

using Sha256 = std::array<uint8_t, 32>;

[[nodiscard]] Sha256 hmac_sha256(std::string_view key, std::string_view message) noexcept;
[[nodiscard]] std::string to_hex(const Sha256& digest);

// Compares in time that depends only on the lengths, never on where the bytes differ (OpenSSL's
// CRYPTO_memcmp). Different lengths are unequal (the length of a secret is not the secret).
[[nodiscard]] bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

enum class SignatureCheck : uint8_t { ok, missing, malformed, mismatch };
[[nodiscard]] std::string_view to_string(SignatureCheck c) noexcept;

// Meta's webhook signature: `header` must be "sha256=<64 hex digits>" (either case), the
// HMAC-SHA256 of the raw `body` with the app secret.
[[nodiscard]] SignatureCheck check_hub_signature(std::string_view header, std::string_view body,
                                                 std::string_view app_secret) noexcept;

// An agent's token: hex HMAC-SHA256(secret, "agent:" + name). Derived, so the service stores one
// secret for every agent, and a token names exactly one agent.
[[nodiscard]] std::string agent_token(std::string_view secret, std::string_view agent);

// 32 random bytes (OpenSSL RAND_bytes) as hex: the demo's generated secrets.
[[nodiscard]] std::string random_secret();

}  // namespace omni::service
