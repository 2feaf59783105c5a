// The host table's record: encoding, decoding and applying put/erase batches (host_table.h).
#include "byte_io.h"
#include "omnikernel/durable/host_table.h"

namespace omni::durable {

using internal::ByteReader;
using internal::ByteWriter;

void apply_host_ops(HostTable& table, std::span<const HostOp> ops) {
  for (const HostOp& op : ops) {
    if (op.kind == HostOp::Kind::put) {
      table.insert_or_assign(op.key, op.value);
    } else if (auto it = table.find(op.key); it != table.end()) {
      table.erase(it);
    }
  }
}

void encode_host_ops(std::span<const HostOp> ops, std::vector<std::byte>& out) {
  out.clear();
  ByteWriter w(out);
  w.u32(static_cast<uint32_t>(ops.size()));
  for (const HostOp& op : ops) {
    w.u8(static_cast<uint8_t>(op.kind));
    w.str(op.key);
    if (op.kind == HostOp::Kind::put) w.str(op.value);
  }
}

std::expected<std::vector<HostOp>, std::string> decode_host_ops(std::span<const std::byte> payload) {
  ByteReader r(payload);
  const uint32_t n = r.u32();
  // Each op takes at least 5 bytes: a count beyond what the payload can hold is damage.
  if (r.failed() || n > r.left() / 5) return std::unexpected("host record: bad length");
  std::vector<HostOp> ops;
  ops.reserve(n);
  for (uint32_t i = 0; i < n && !r.failed(); ++i) {
    const uint8_t kind = r.u8();
    if (r.failed()) break;  // a cut payload: "bad length" below
    if (kind != static_cast<uint8_t>(HostOp::Kind::put) && kind != static_cast<uint8_t>(HostOp::Kind::erase))
      return std::unexpected("host record: op " + std::to_string(i) + " has an unknown kind " + std::to_string(kind));
    HostOp op{static_cast<HostOp::Kind>(kind), r.str(), {}};
    if (op.kind == HostOp::Kind::put) op.value = r.str();
    ops.push_back(std::move(op));
  }
  if (r.failed() || !r.at_end()) return std::unexpected("host record: bad length");
  return ops;
}

std::expected<void, std::string> check_host_ops(std::span<const HostOp> ops) {
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].key.empty()) return std::unexpected("host op " + std::to_string(i) + ": empty key");
    if (ops[i].key.size() > kMaxHostKeyBytes)
      return std::unexpected("host op " + std::to_string(i) + ": key longer than " + std::to_string(kMaxHostKeyBytes) + " bytes");
    if (ops[i].value.size() > kMaxHostValueBytes)
      return std::unexpected("host op " + std::to_string(i) + ": value longer than " + std::to_string(kMaxHostValueBytes) + " bytes");
  }
  return {};
}

}  // namespace omni::durable
