// The host table: a small key → value store that a host (omni serve) journals beside the kernel's
// records, in the same journal, so that the order between "the host decided X" and the kernel's
// events is the journal's order, and recovery rebuilds both from one directory.
//
// Why a table and not opaque host records: segments wholly under a snapshot are deleted, so what
// the host journaled must also be in the snapshot. A table of put/erase operations has a state
// the durable kernel itself can hold and snapshot at exactly the LSN its model covers — no
// callback into the host (whose locks would order against the drain lock), no host-specific
// format in durable/. Keys and values are the host's; durable/ never interprets them.
//
// Record (RecordType::host): u32 n, n × {u8 op (1 put, 2 erase), str key, [str value if put]}.
// One record is one atomic batch: recovery applies all of it or — when it is cut off by a crash —
// none of it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <expected>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace omni::durable {

struct HostOp {
  enum class Kind : uint8_t { put = 1, erase = 2 };
  Kind kind = Kind::put;
  std::string key;
  std::string value;  // put only

  static HostOp put(std::string key, std::string value) { return {Kind::put, std::move(key), std::move(value)}; }
  static HostOp erase(std::string key) { return {Kind::erase, std::move(key), {}}; }
};

// Ordered by key so that a snapshot's encoding is deterministic.
using HostTable = std::map<std::string, std::string, std::less<>>;

// Keys and values are bounded so that a record stays far below the journal's 64 MiB record cap
// and a bad caller gets a typed refusal rather than an unreadable journal.
inline constexpr size_t kMaxHostKeyBytes = 1024;
inline constexpr size_t kMaxHostValueBytes = 1u << 20;

void apply_host_ops(HostTable& table, std::span<const HostOp> ops);

// Appends the encoding of `ops` to `out` (cleared first).
void encode_host_ops(std::span<const HostOp> ops, std::vector<std::byte>& out);
// A bad length or an unknown op is an error saying which.
[[nodiscard]] std::expected<std::vector<HostOp>, std::string> decode_host_ops(std::span<const std::byte> payload);
// Null when every op is within the bounds above; else what is wrong with the first that is not.
[[nodiscard]] std::expected<void, std::string> check_host_ops(std::span<const HostOp> ops);

}  // namespace omni::durable
