// The body shared by the adapter fuzzers: parse the bytes, and when they are accepted check
// the invariants every normalized message and every rejected part must hold. A violated
// invariant aborts, so libFuzzer reports it like a crash. The parser is reused across inputs,
// as in production.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <string_view>

#include "omnikernel/adapters/normalized_message.h"
#include "omnikernel/adapters/timestamp.h"

namespace omni::fuzz {

inline void check(bool condition) {
  if (!condition) std::abort();
}

inline void touch(std::initializer_list<std::string_view> views) {
  volatile size_t sum = 0;
  for (std::string_view s : views) {
    for (char c : s) sum = sum + static_cast<unsigned char>(c);
  }
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
    // A notice or an edit is never taken for a customer message, and the other way round.
    check((m.kind == adapters::MessageKind::notice) == (m.event == adapters::MessageEvent::notice));
    check((m.kind == adapters::MessageKind::edit) == (m.event == adapters::MessageEvent::edit));
    // Touch every byte of every view: ASan flags any view that outlived its buffer.
    touch({m.customer, m.account, m.conversation, m.message_id, m.text});
  }
  // Every rejected part names where it is (a part of a payload always has a path) and what is
  // wrong with it.
  for (const adapters::Rejection& r : parser.rejections()) {
    check(!r.error.path.empty() && !r.error.detail.empty());
    touch({r.error.path, r.error.detail, r.message_id});
  }
  return 0;
}

}  // namespace omni::fuzz
