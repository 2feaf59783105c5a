#include "omnikernel/durable/journal_model.h"

#include <algorithm>

namespace omni::durable {
namespace {

bool is_one_of(ModelState s, std::initializer_list<ModelState> set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

// The status an agent starts in (AgentConfig::status; empty = the first offline status).
StatusId initial_status(const Config& c, const AgentConfig& a) {
  for (size_t i = 0; i < c.statuses.size(); ++i) {
    if (a.status.empty() ? c.statuses[i].kind == PresenceKind::offline : c.statuses[i].name == a.status)
      return StatusId{static_cast<uint16_t>(i)};
  }
  return StatusId{0};
}

}  // namespace

std::string_view to_string(ModelState s) noexcept {
  switch (s) {
    case ModelState::queued: return "queued";
    case ModelState::offered: return "offered";
    case ModelState::active: return "active";
    case ModelState::paused: return "paused";
    case ModelState::wrap_up: return "wrap_up";
    case ModelState::transferring: return "transferring";
    case ModelState::ending: return "ending";
  }
  return "unknown";
}

std::string ModelError::message() const {
  std::string m = "journal record " + std::to_string(lsn);
  if (index(item) != 0) m += ", item " + std::to_string(index(item));
  return m + ": " + reason;
}

JournalModel::JournalModel(const Config& config) : config_(config) {
  data_.agents.resize(config.agents.size());
  for (size_t a = 0; a < config.agents.size(); ++a) data_.agents[a].status = initial_status(config, config.agents[a]);
}

JournalModel::JournalModel(const Config& config, ModelData data) : config_(config), data_(std::move(data)) {}

void JournalModel::reconfigure(const Config& next) {
  config_ = next;
  for (size_t a = data_.agents.size(); a < next.agents.size(); ++a) {
    data_.agents.emplace_back();
    data_.agents.back().status = initial_status(next, next.agents[a]);
  }
}

size_t JournalModel::pending_events() const noexcept {
  size_t n = 0;
  for (const auto& [id, v] : data_.pending) n += v.size();
  return n;
}

bool JournalModel::online(StatusId s) const noexcept {
  return index(s) < config_.statuses.size() && config_.statuses[index(s)].kind == PresenceKind::online;
}

void JournalModel::mark_idle(AgentId agent, Time at) {
  if (index(agent) < data_.agents.size()) {
    data_.agents[index(agent)].idle_since = at;
    data_.agents[index(agent)].touched = true;
  }
}

// Bounded like the kernel's own memory (limits.remembered_customers): past twice the limit the
// oldest half goes, so a months-long run does not grow the model without end.
void JournalModel::remember(CustomerId customer, AgentId agent) {
  const uint32_t cap = config_.limits.remembered_customers;
  if (index(customer) == 0 || cap == 0) return;
  data_.last_agents[index(customer)] = {agent, ++data_.last_agent_stamp};
  if (data_.last_agents.size() <= size_t{cap} * 2) return;
  std::vector<uint64_t> stamps;
  stamps.reserve(data_.last_agents.size());
  for (const auto& [c, l] : data_.last_agents) stamps.push_back(l.stamp);
  std::nth_element(stamps.begin(), stamps.end() - cap, stamps.end());
  const uint64_t keep_from = *(stamps.end() - cap);
  std::erase_if(data_.last_agents, [&](const auto& kv) { return kv.second.stamp < keep_from; });
}

std::expected<void, ModelError> JournalModel::apply_events(journal::Lsn lsn, std::span<const Event> events) {
  for (const Event& e : events) {
    if (auto r = apply(lsn, e); !r) return r;
  }
  data_.last_lsn = lsn;
  return {};
}

std::expected<void, ModelError> JournalModel::apply(journal::Lsn lsn, const Event& e) {
  data_.last_event_time = std::max(data_.last_event_time, e.at);
  data_.highest_seq = std::max(data_.highest_seq, e.seq);
  if (index(e.item) == 0) return apply_agent(lsn, e);
  return apply_item(lsn, e, false);
}

std::expected<void, ModelError> JournalModel::apply_agent(journal::Lsn lsn, const Event& e) {
  auto fail = [&](std::string why) {
    return std::unexpected(ModelError{lsn, ItemId{}, std::string(to_string(e.type)) + ": " + why});
  };
  if (index(e.agent) >= data_.agents.size()) return fail("agent " + std::to_string(index(e.agent)) + " is not configured");
  ModelAgent& a = data_.agents[index(e.agent)];
  a.touched = true;
  switch (e.type) {
    case EventType::agent_status: {
      if (e.reason >= config_.statuses.size()) return fail("status " + std::to_string(e.reason) + " is not configured");
      const StatusId to{e.reason};
      if (online(to) && !online(a.status)) a.idle_since = e.at;  // came online: idle from now
      a.status = to;
      a.missed = false;  // a status chosen ends the missed state (a push time-out's agent_missed follows)
      return {};
    }
    case EventType::agent_missed:
      a.missed = true;
      a.missed_since = e.at;
      return {};
    case EventType::agent_missed_ended:
      a.missed = false;
      return {};
    default:
      return fail("an item event without an item");
  }
}

std::expected<void, ModelError> JournalModel::apply_item(journal::Lsn lsn, const Event& e, bool jump) {
  const uint64_t key = index(e.item);
  auto fail = [&](std::string why) {
    return std::unexpected(ModelError{lsn, e.item, std::string(to_string(e.type)) + " (seq " + std::to_string(e.seq) +
                                                       "): " + why});
  };
  if (index(e.queue) >= config_.queues.size()) return fail("queue " + std::to_string(index(e.queue)) + " is not configured");
  if (e.agent != kNoAgent && index(e.agent) >= data_.agents.size())
    return fail("agent " + std::to_string(index(e.agent)) + " is not configured");

  if (e.type == EventType::submitted) {
    if (data_.items.contains(key) || data_.pending.contains(key)) return fail("the item was submitted before");
    const uint64_t birth = birth_of(e.item);
    if (birth == 0 || (e.seq != birth && e.seq != birth + 1))
      return fail("its version does not match the id's birth " + std::to_string(birth));
    if (e.requirements > data_.requirement_sets.size())
      return fail("requirement set " + std::to_string(e.requirements) + " was never prepared");
    ModelItem it;
    it.id = e.item;
    it.state = ModelState::queued;
    it.queue = e.queue;
    it.customer = CustomerId{e.customer};
    it.is_bot = e.is_bot;
    it.requirements = RequirementsId{e.requirements};
    it.arrival = it.since = e.at;
    it.version = e.seq;
    it.last = EventType::submitted;
    data_.items.emplace(key, it);
    return flush_pending(lsn, key);
  }

  auto found = data_.items.find(key);
  if (found == data_.items.end()) return fail("the item was never submitted (or is done)");
  ModelItem& it = found->second;

  // Order by version (see Ordering in the header).
  const bool follower = e.seq == it.version;  // the second event of a same-seq group
  if (!jump && e.seq > it.version + 1) {
    data_.pending[key].push_back({lsn, e});
    return {};
  }
  if (e.seq < it.version) {
    // An agent transfer's `offered` pushed after a later transition of the item: already implied.
    if (e.type == EventType::offered && it.transfer_seq == e.seq) return {};
    return fail("stale: the item is already at version " + std::to_string(it.version));
  }
  const ModelState s = it.state;
  auto from = [&](std::initializer_list<ModelState> ok) { return jump || is_one_of(s, ok); };
  auto illegal = [&] { return fail(std::string("illegal from ") + std::string(to_string(s))); };
  using M = ModelState;

  if (follower && !jump) {
    switch (e.type) {
      case EventType::offered:
        if (s != M::transferring) return illegal();
        it.state = M::offered;
        it.agent = e.agent;
        it.since = e.at;
        break;
      case EventType::done:
        if (s == M::ending || s == M::transferring || (s == M::wrap_up && it.last == EventType::closed)) {
          // Closed without wrap-up or a transfer to a flow: the agent is idle from now.
          if (s != M::ending && it.agent != kNoAgent) mark_idle(it.agent, e.at);
          data_.items.erase(found);
          data_.pending.erase(key);
          return {};
        }
        return illegal();
      default:
        return fail("a second event with the same version");
    }
    it.last = e.type;
    return flush_pending(lsn, key);
  }

  switch (e.type) {
    case EventType::offered:
      if (!from({M::queued, M::transferring})) return illegal();
      if (e.agent == kNoAgent) return fail("offered to no agent");
      it.state = M::offered;
      it.agent = e.agent;
      break;
    case EventType::accepted:
      if (!from({M::offered, M::transferring})) return illegal();
      if (s == M::offered && e.agent != it.agent) return fail("accepted by an agent it was not offered to");
      it.state = M::active;
      it.agent = e.agent;
      remember(it.customer, e.agent);
      break;
    case EventType::declined:
    case EventType::push_timed_out:
      if (!from({M::offered, M::transferring})) return illegal();
      it.state = M::queued;
      it.agent = kNoAgent;
      break;
    case EventType::paused:
      if (!from({M::active})) return illegal();
      it.state = M::paused;
      it.paused_value = e.reason;
      it.agent = e.agent;
      break;
    case EventType::resumed:
      if (!from({M::paused})) return illegal();
      it.state = M::active;
      it.agent = e.agent;
      break;
    case EventType::closed:
      if (from({M::active, M::paused}) && (!jump || e.agent != kNoAgent)) {
        it.state = M::wrap_up;  // or done, when the same-seq done follows
        it.agent = e.agent;
      } else if (from({M::queued, M::offered, M::transferring})) {
        it.state = M::ending;
      } else {
        return illegal();
      }
      break;
    case EventType::wrap_up_ended:
      if (!from({M::wrap_up})) return illegal();
      it.state = M::ending;
      mark_idle(e.agent, e.at);
      break;
    case EventType::abandoned:
    case EventType::expired:
      if (!from({M::queued, M::offered, M::transferring})) return illegal();
      it.state = M::ending;
      break;
    case EventType::transferred:
      if (!from({M::active, M::paused})) return illegal();
      it.state = M::transferring;
      it.transfer_seq = e.seq;
      it.agent = e.agent;  // the agent who moved it (an agent transfer's offered names the new one)
      // reason 1 = the wait restarted in the destination (a flow transfer's reason is its FlowId,
      // but its same-seq done follows, and a done item's arrival no longer matters).
      if (e.reason == 1) it.arrival = e.at;
      mark_idle(e.agent, e.at);
      break;
    case EventType::requirements_relaxed:
      if (!from({M::queued, M::transferring})) return illegal();
      it.state = M::queued;
      ++it.skills_dropped;
      break;
    case EventType::overflowed:
      if (!from({M::queued, M::transferring})) return illegal();
      it.state = M::queued;
      it.queue = e.queue;
      break;
    case EventType::preference_ended:
      if (!from({M::queued, M::transferring})) return illegal();
      it.state = M::queued;
      break;
    case EventType::done:
      if (jump) {  // its group's first event was cut off with the crash: done all the same
        data_.items.erase(found);
        data_.pending.erase(key);
        return {};
      }
      return fail("done without the event that ends the item");
    default:
      return fail("an agent event with an item");
  }
  if (it.state == M::queued) it.agent = kNoAgent;
  it.queue = e.queue;
  it.version = e.seq;
  it.since = e.at;
  it.last = e.type;
  if (jump) return {};
  return flush_pending(lsn, key);
}

// Applies what waited for the item, as far as its versions are now contiguous.
std::expected<void, ModelError> JournalModel::flush_pending(journal::Lsn, uint64_t key) {
  for (;;) {
    auto p = data_.pending.find(key);
    if (p == data_.pending.end()) return {};
    auto items = data_.items.find(key);
    if (items == data_.items.end()) {  // done: nothing may follow a done
      const PendingEvent first = p->second.front();
      return std::unexpected(ModelError{first.lsn, first.event.item, "an event after the item's done"});
    }
    auto& waiting = p->second;
    const uint64_t version = items->second.version;
    auto next = std::find_if(waiting.begin(), waiting.end(), [&](const PendingEvent& pe) { return pe.event.seq <= version + 1; });
    if (next == waiting.end()) return {};
    const PendingEvent pe = *next;
    waiting.erase(next);
    if (waiting.empty()) data_.pending.erase(p);
    if (auto r = apply_item(pe.lsn, pe.event, false); !r) return r;
  }
}

std::expected<void, ModelError> JournalModel::settle() {
  while (!data_.pending.empty()) {
    auto p = data_.pending.begin();
    const uint64_t key = p->first;
    std::vector<PendingEvent> waiting = std::move(p->second);
    data_.pending.erase(p);
    std::stable_sort(waiting.begin(), waiting.end(),
                     [](const PendingEvent& a, const PendingEvent& b) { return a.event.seq < b.event.seq; });
    for (const PendingEvent& pe : waiting) {
      auto it = data_.items.find(key);
      if (it == data_.items.end())
        return std::unexpected(ModelError{pe.lsn, pe.event.item, "an event after the item's done"});
      const bool gap = pe.event.seq > it->second.version + 1;
      if (auto r = apply_item(pe.lsn, pe.event, gap); !r) return r;
    }
  }
  return {};
}

std::expected<void, ModelError> JournalModel::apply_requirements(journal::Lsn lsn, const RequirementsRecord& r) {
  auto fail = [&](std::string why) {
    return std::unexpected(ModelError{lsn, ItemId{}, "requirements " + std::to_string(index(r.id)) + ": " + why});
  };
  if (index(r.queue) >= config_.queues.size()) return fail("queue is not configured");
  const size_t id = index(r.id);
  auto& sets = data_.requirement_sets;
  if (id >= 1 && id <= sets.size()) {
    // The same set prepared again returns its id: the record repeats what is known.
    const auto& known = sets[id - 1];
    const bool same = known.queue == r.queue && known.skills.size() == r.skills.size() &&
                      std::equal(known.skills.begin(), known.skills.end(), r.skills.begin(), [](const auto& a, const auto& b) {
                        return a.skill == b.skill && a.min_level == b.min_level && a.drop_after == b.drop_after;
                      });
    if (!same) return fail("a different set already has this id");
  } else if (id == sets.size() + 1) {
    sets.push_back({r.queue, r.skills});
  } else {
    return fail("ids are given in order; expected " + std::to_string(sets.size() + 1));
  }
  data_.last_lsn = lsn;
  return {};
}

}  // namespace omni::durable
