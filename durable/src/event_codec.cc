// Event batches: u32 count, then per event 48 bytes:
//   i64 at, u64 item, u32 agent, u32 queue, u8 type, u8 is_bot, u16 reason, u64 seq,
//   u64 customer, u32 requirements.
#include "byte_io.h"
#include "omnikernel/durable/records.h"

namespace omni::durable {

using internal::ByteReader;
using internal::ByteWriter;

void encode_events(std::span<const Event> events, std::vector<std::byte>& out) {
  out.clear();
  out.reserve(4 + events.size() * kEventBytes);
  ByteWriter w(out);
  w.u32(static_cast<uint32_t>(events.size()));
  for (const Event& e : events) {
    w.i64(e.at.time_since_epoch().count());
    w.u64(index(e.item));
    w.u32(index(e.agent));
    w.u32(index(e.queue));
    w.u8(static_cast<uint8_t>(e.type));
    w.u8(e.is_bot ? 1 : 0);
    w.u16(e.reason);
    w.u64(e.seq);
    w.u64(e.customer);
    w.u32(e.requirements);
  }
}

std::expected<std::vector<Event>, std::string> decode_events(std::span<const std::byte> payload) {
  ByteReader r(payload);
  const uint32_t n = r.u32();
  if (r.failed() || r.left() != size_t{n} * kEventBytes)
    return std::unexpected("event batch: " + std::to_string(payload.size()) + " bytes do not hold " +
                           std::to_string(n) + " events");
  std::vector<Event> events(n);
  for (uint32_t i = 0; i < n; ++i) {
    Event& e = events[i];
    e.at = Time{Duration{r.i64()}};
    e.item = ItemId{r.u64()};
    e.agent = AgentId{r.u32()};
    e.queue = QueueId{r.u32()};
    const uint8_t type = r.u8();
    if (type > static_cast<uint8_t>(EventType::preference_ended))
      return std::unexpected("event batch: event " + std::to_string(i) + " has unknown type " + std::to_string(type));
    e.type = static_cast<EventType>(type);
    const uint8_t bot = r.u8();
    if (bot > 1) return std::unexpected("event batch: event " + std::to_string(i) + " has a bad bot flag");
    e.is_bot = bot == 1;
    e.reason = r.u16();
    e.seq = r.u64();
    e.customer = r.u64();
    e.requirements = r.u32();
  }
  return events;
}

}  // namespace omni::durable
