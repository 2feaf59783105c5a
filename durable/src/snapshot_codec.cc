// Layout (version 1): "OMDS" u16 version, str config, u64 highest_seq, i64 last_event_time,
// u64 last_lsn, u64 last_agent_stamp; u32 n requirement sets {u32 queue, u8 n {u16 skill,
// u8 level, i64 drop_after}}; u32 n agents {u16 status, u8 flags, i64 missed_since,
// i64 idle_since}; u32 n items {item…} sorted by id; u32 n pending {event…}; u32 n last agents
// {u64 customer, u32 agent, u64 stamp}; then nothing.
// Version 2 appends: u32 n host entries {str key, str value}, in key order; then nothing.
#include <algorithm>

#include "byte_io.h"
#include "skill_codec.h"
#include "omnikernel/durable/snapshot_codec.h"

namespace omni::durable {

using internal::ByteReader;
using internal::ByteWriter;

namespace {

constexpr uint32_t kMagic = 0x53444d4f;  // "OMDS"

void put_time(ByteWriter& w, Time t) { w.i64(t.time_since_epoch().count()); }
Time get_time(ByteReader& r) { return Time{Duration{r.i64()}}; }

void put_event(ByteWriter& w, journal::Lsn lsn, const Event& e) {
  std::vector<std::byte> one;
  encode_events(std::span<const Event>(&e, 1), one);
  w.u64(lsn);
  for (size_t i = 4; i < one.size(); ++i) w.u8(static_cast<uint8_t>(one[i]));
}

}  // namespace

std::vector<std::byte> encode_snapshot(std::string_view config_json, const ModelData& m, const HostTable& host) {
  std::vector<std::byte> out;
  ByteWriter w(out);
  w.u32(kMagic);
  w.u16(kSnapshotVersion);
  w.str(config_json);
  w.u64(m.highest_seq);
  put_time(w, m.last_event_time);
  w.u64(m.last_lsn);
  w.u64(m.last_agent_stamp);
  w.u32(static_cast<uint32_t>(m.requirement_sets.size()));
  for (const auto& set : m.requirement_sets) {
    w.u32(index(set.queue));
    internal::put_skills(w, set.skills);
  }
  w.u32(static_cast<uint32_t>(m.agents.size()));
  for (const ModelAgent& a : m.agents) {
    w.u16(index(a.status));
    w.u8(static_cast<uint8_t>((a.missed ? 1 : 0) | (a.touched ? 2 : 0)));
    put_time(w, a.missed_since);
    put_time(w, a.idle_since);
  }
  std::vector<const ModelItem*> items;
  items.reserve(m.items.size());
  for (const auto& [k, it] : m.items) items.push_back(&it);
  std::sort(items.begin(), items.end(), [](auto* a, auto* b) { return index(a->id) < index(b->id); });
  w.u32(static_cast<uint32_t>(items.size()));
  for (const ModelItem* it : items) {
    w.u64(index(it->id));
    w.u8(static_cast<uint8_t>(it->state));
    w.u32(index(it->queue));
    w.u32(index(it->agent));
    w.u64(index(it->customer));
    w.u8(it->is_bot ? 1 : 0);
    w.u32(index(it->requirements));
    w.u8(it->skills_dropped);
    put_time(w, it->arrival);
    put_time(w, it->since);
    w.u16(it->paused_value);
    w.u64(it->version);
    w.u8(static_cast<uint8_t>(it->last));
    w.u64(it->transfer_seq);
  }
  std::vector<const PendingEvent*> pending;
  for (const auto& [k, v] : m.pending)
    for (const PendingEvent& p : v) pending.push_back(&p);
  std::stable_sort(pending.begin(), pending.end(), [](auto* a, auto* b) { return a->lsn < b->lsn; });
  w.u32(static_cast<uint32_t>(pending.size()));
  for (const PendingEvent* p : pending) put_event(w, p->lsn, p->event);
  std::vector<std::pair<uint64_t, ModelData::LastAgent>> last(m.last_agents.begin(), m.last_agents.end());
  std::sort(last.begin(), last.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  w.u32(static_cast<uint32_t>(last.size()));
  for (const auto& [customer, l] : last) {
    w.u64(customer);
    w.u32(index(l.agent));
    w.u64(l.stamp);
  }
  w.u32(static_cast<uint32_t>(host.size()));
  for (const auto& [key, value] : host) {
    w.str(key);
    w.str(value);
  }
  return out;
}

std::expected<SnapshotState, std::string> decode_snapshot(std::span<const std::byte> state) {
  ByteReader r(state);
  if (r.u32() != kMagic || r.failed()) return std::unexpected("snapshot: not a durable kernel's state (bad magic)");
  const uint16_t version = r.u16();
  if (version != kSnapshotVersion && version != 1)
    return std::unexpected("snapshot: state version " + std::to_string(version) + ", this build reads 1 to " +
                           std::to_string(kSnapshotVersion));
  SnapshotState s;
  s.config_json = r.str();
  ModelData& m = s.model;
  m.highest_seq = r.u64();
  m.last_event_time = get_time(r);
  m.last_lsn = r.u64();
  m.last_agent_stamp = r.u64();
  const uint32_t n_sets = r.u32();
  for (uint32_t i = 0; i < n_sets && !r.failed(); ++i) {
    RestoredRequirements set;
    set.queue = QueueId{r.u32()};
    set.skills = internal::get_skills(r);
    m.requirement_sets.push_back(std::move(set));
  }
  const uint32_t n_agents = r.u32();
  if (n_agents > r.left()) return std::unexpected("snapshot: truncated (agents)");
  for (uint32_t i = 0; i < n_agents && !r.failed(); ++i) {
    ModelAgent a;
    a.status = StatusId{r.u16()};
    const uint8_t flags = r.u8();
    a.missed = flags & 1;
    a.touched = flags & 2;
    a.missed_since = get_time(r);
    a.idle_since = get_time(r);
    m.agents.push_back(a);
  }
  const uint32_t n_items = r.u32();
  if (n_items > r.left()) return std::unexpected("snapshot: truncated (items)");
  for (uint32_t i = 0; i < n_items && !r.failed(); ++i) {
    ModelItem it;
    it.id = ItemId{r.u64()};
    const uint8_t st = r.u8();
    if (st > static_cast<uint8_t>(ModelState::ending)) return std::unexpected("snapshot: item " + std::to_string(i) + " has a bad state");
    it.state = static_cast<ModelState>(st);
    it.queue = QueueId{r.u32()};
    it.agent = AgentId{r.u32()};
    it.customer = CustomerId{r.u64()};
    it.is_bot = r.u8() != 0;
    it.requirements = RequirementsId{r.u32()};
    it.skills_dropped = r.u8();
    it.arrival = get_time(r);
    it.since = get_time(r);
    it.paused_value = r.u16();
    it.version = r.u64();
    it.last = static_cast<EventType>(r.u8());
    it.transfer_seq = r.u64();
    if (!m.items.emplace(index(it.id), it).second) return std::unexpected("snapshot: item " + std::to_string(index(it.id)) + " twice");
  }
  const uint32_t n_pending = r.u32();
  if (n_pending > r.left()) return std::unexpected("snapshot: truncated (pending events)");
  for (uint32_t i = 0; i < n_pending && !r.failed(); ++i) {
    PendingEvent p;
    p.lsn = r.u64();
    std::vector<std::byte> one;
    ByteWriter w(one);
    w.u32(1);
    for (size_t b = 0; b < kEventBytes; ++b) w.u8(r.u8());
    auto e = decode_events(one);
    if (!e) return std::unexpected("snapshot: pending " + e.error());
    p.event = (*e)[0];
    m.pending[index(p.event.item)].push_back(p);
  }
  const uint32_t n_last = r.u32();
  for (uint32_t i = 0; i < n_last && !r.failed(); ++i) {
    const uint64_t customer = r.u64();
    ModelData::LastAgent l;
    l.agent = AgentId{r.u32()};
    l.stamp = r.u64();
    m.last_agents[customer] = l;
  }
  if (version >= 2) {
    const uint32_t n_host = r.u32();
    if (n_host > r.left() / 8) return std::unexpected("snapshot: truncated (host table)");
    for (uint32_t i = 0; i < n_host && !r.failed(); ++i) {
      std::string key = r.str();
      std::string value = r.str();
      if (!r.failed() && !s.host.emplace(std::move(key), std::move(value)).second)
        return std::unexpected("snapshot: host key " + std::to_string(i) + " twice");
    }
  }
  if (r.failed()) return std::unexpected("snapshot: truncated");
  if (!r.at_end()) return std::unexpected("snapshot: " + std::to_string(r.left()) + " bytes after the end");
  return s;
}

}  // namespace omni::durable
