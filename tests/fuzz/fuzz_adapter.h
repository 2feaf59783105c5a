// The body shared by the adapter fuzzers: parse the bytes, and when they are accepted check
// the invariants every normalized message must hold. A violated invariant aborts, so libFuzzer
// reports it like a crash. The parser is reused across inputs, as in production.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "omnikernel/adapters/normalized_message.h"
#include "omnikernel/adapters/timestamp.h"

namespace omni::fuzz {

inline void check(bool condition) {
  if (!condition) std::abort();
}

template <class Parser>
int fuzz_one(Parser& parser, std::string_view expected_channel, const uint8_t* data, size_t size) {
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  auto result = parser.parse(payload);
  if (!result) {
    check(!result.error().message().empty());
    return 0;
  }
  for (const adapters::NormalizedMessage& m : *result) {
    check(m.channel == expected_channel);
    check(!m.customer.empty() && !m.account.empty() && !m.message_id.empty());
    check(m.conversation.size() >= 3);  // at least "a:b"
    check(m.timestamp_ms >= 0 && m.timestamp_ms <= adapters::kMaxTimestampMs);
    check(!adapters::to_string(m.kind).empty());
    // Touch every byte of every view: ASan flags any view that outlived its buffer.
    volatile size_t sum = 0;
    for (std::string_view s : {m.customer, m.account, m.conversation, m.message_id, m.text}) {
      for (char c : s) sum = sum + static_cast<unsigned char>(c);
    }
  }
  return 0;
}

}  // namespace omni::fuzz
