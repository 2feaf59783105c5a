// The customer identity omnikernel's own hosts give policies: omni_policy_request.customer is
// FNV-1a-64 of the bytes of the customer's external id (omni_inbound_message.customer), with 0
// (reserved for "no customer") replaced by 1. The omni::runtime host uses it unless the embedding
// host supplies its own mapping (HostOptions::customer_id), and so does the simulator.
//
// Plugins should not call this: ask the host (omni::sdk::Host::customer_id, the customer_id host
// service of ABI 1.1), which knows the mapping it really uses. It is here for hosts, and for
// tests that need the ids a default host would give.
#pragma once
#include <cstdint>
#include <string_view>

namespace omni::sdk {

[[nodiscard]] constexpr uint64_t fnv1a_customer_id(std::string_view external_id) noexcept {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : external_id) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h == 0 ? 1 : h;
}

}  // namespace omni::sdk
