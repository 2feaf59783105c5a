// JournalModel ⇄ KernelImage: what recovery hands Kernel::restore, and what the restore did.
#include <algorithm>

#include "omnikernel/durable/journal_model.h"

namespace omni::durable {

KernelImage JournalModel::image(Duration shift) const {
  KernelImage image;
  image.shift = shift;
  image.version_floor = data_.highest_seq;
  image.requirement_sets = data_.requirement_sets;
  for (const auto& [key, m] : data_.items) {
    if (m.state == ModelState::ending) continue;  // its end is in the journal; the done was cut off
    RestoredItem r;
    r.id = m.id;
    r.version = m.version;
    switch (m.state) {
      case ModelState::offered: r.state = ItemState::offered; break;
      case ModelState::active: r.state = ItemState::active; break;
      case ModelState::paused: r.state = ItemState::paused; break;
      case ModelState::wrap_up: r.state = ItemState::wrap_up; break;
      default: r.state = ItemState::queued; break;  // queued, transferring
    }
    r.queue = m.queue;
    r.agent = r.state == ItemState::queued ? kNoAgent : m.agent;
    r.customer = m.customer;
    r.is_bot = m.is_bot;
    r.requirements = m.requirements;
    r.skills_dropped = m.skills_dropped;
    r.arrival = m.arrival;
    r.since = m.since;
    r.paused_value = r.state == ItemState::paused ? m.paused_value : 0;
    image.items.push_back(r);
  }
  // Arrival order (then id), so that the image — and a snapshot of it — does not depend on hashing.
  std::sort(image.items.begin(), image.items.end(), [](const RestoredItem& a, const RestoredItem& b) {
    return a.arrival != b.arrival ? a.arrival < b.arrival : index(a.id) < index(b.id);
  });
  for (size_t a = 0; a < data_.agents.size(); ++a) {
    const ModelAgent& m = data_.agents[a];
    if (!m.touched) continue;
    image.agents.push_back({AgentId{static_cast<uint32_t>(a)}, m.status, m.missed, m.missed_since, m.idle_since});
  }
  std::vector<std::pair<uint64_t, ModelData::LastAgent>> last(data_.last_agents.begin(), data_.last_agents.end());
  std::sort(last.begin(), last.end(), [](const auto& x, const auto& y) { return x.second.stamp < y.second.stamp; });
  for (const auto& [customer, l] : last) image.last_agents.emplace_back(CustomerId{customer}, l.agent);
  return image;
}

void JournalModel::restored(Duration shift) {
  for (auto it = data_.items.begin(); it != data_.items.end();) {
    ModelItem& m = it->second;
    if (m.state == ModelState::ending) {
      it = data_.items.erase(it);
      continue;
    }
    if (m.state == ModelState::offered || m.state == ModelState::transferring) m.state = ModelState::queued;
    if (m.state == ModelState::queued) m.agent = kNoAgent;
    if (m.state != ModelState::paused) m.paused_value = 0;
    ++m.version;  // restore is a transition of every item (image.h)
    m.last = EventType::submitted;
    m.transfer_seq = 0;
    m.arrival += shift;
    m.since += shift;
    data_.highest_seq = std::max(data_.highest_seq, m.version);
    ++it;
  }
  data_.pending.clear();
  for (ModelAgent& a : data_.agents) {
    if (!a.touched) continue;
    a.missed_since += shift;
    a.idle_since += shift;
  }
  data_.last_event_time += shift;
}

}  // namespace omni::durable
