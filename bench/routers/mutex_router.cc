#include "routers/mutex_router.h"

#include <algorithm>
#include <bit>

namespace omni::bench {

MutexRouter::MutexRouter(const Scenario& scenario)
    : scenario_(scenario),
      ids_(scenario.max_items),
      waiting_(scenario.queues()),
      pending_(scenario.queues(), 0),
      max_pending_(std::bit_ceil(scenario.spec.max_waiting)),
      agents_(scenario.agents()),
      ready_(scenario.queues()),
      skills_(scenario.has_skills()),
      skill_waiting_(scenario.queues()) {
  if (skills_) return;  // no per-queue agent sets: skills items scan their qualified agents
  for (uint32_t a = 0; a < scenario.agents(); ++a) reindex(a);
}

MutexRouter::Key MutexRouter::key_of(uint32_t agent, RoutingModel model) const noexcept {
  const Agent& a = agents_[agent];
  const int64_t free = scenario_.agent_capacity_milli - a.used;
  if (model == RoutingModel::most_available) return {-free, a.open, agent};
  return {a.open, -free, agent};
}

void MutexRouter::unindex(uint32_t agent) {
  for (uint32_t q : scenario_.agent_queues[agent]) {
    ready_[q].erase(key_of(agent, scenario_.queue_model[q]));
  }
}

void MutexRouter::reindex(uint32_t agent) {
  for (uint32_t q : scenario_.agent_queues[agent]) {
    ready_[q].insert(key_of(agent, scenario_.queue_model[q]));
  }
}

bool MutexRouter::find_agent(uint32_t queue, uint32_t& agent) const noexcept {
  const int32_t size = scenario_.queue_size_milli[queue];
  for (const Key& k : ready_[queue]) {
    const uint32_t a = std::get<2>(k);
    if (scenario_.agent_capacity_milli - agents_[a].used >= size) {
      agent = a;
      return true;
    }
    // Most available: the first agent has the most room; if it does not fit, none does.
    if (scenario_.queue_model[queue] == RoutingModel::most_available) return false;
  }
  return false;
}

void MutexRouter::offer(ItemId id, Item& item, uint32_t agent) {
  if (!skills_) unindex(agent);
  agents_[agent].used += scenario_.queue_size_milli[item.queue];
  agents_[agent].open += 1;
  if (!skills_) reindex(agent);
  item.state = State::offered;
  item.agent = agent;
  offers_.push_back(Offer{id, AgentId{agent}, QueueId{item.queue}});
}

Result<ItemId> MutexRouter::submit(QueueId queue, CustomerId customer) noexcept {
  if (skills_) return submit_with(queue, customer, kNoSet);
  const uint32_t q = index(queue);
  std::lock_guard lock(mutex_);
  if (q >= waiting_.size()) return std::unexpected(Status::unknown_queue);
  if (pending_[q] >= max_pending_) return std::unexpected(Status::queue_full);
  if (ids_.empty()) return std::unexpected(Status::items_exhausted);
  const ItemId id = ids_.take();
  Item& item = items_[index(id)];
  item = Item{State::queued, q, UINT32_MAX, arrivals_++, customer};
  pending_[q] += 1;
  uint32_t agent = 0;
  if (waiting_[q].empty() && find_agent(q, agent)) {
    offer(id, item, agent);
  } else {
    waiting_[q].push_back(id);
  }
  return id;
}

bool MutexRouter::eligible(uint32_t agent, uint32_t queue, uint32_t set) const noexcept {
  if (set != kNoSet) return scenario_.qualified(set, agent);
  const auto& queues = scenario_.agent_queues[agent];
  return std::find(queues.begin(), queues.end(), queue) != queues.end();
}

Result<ItemId> MutexRouter::submit_with(QueueId queue, CustomerId customer, uint32_t set) noexcept {
  const uint32_t q = index(queue);
  std::lock_guard lock(mutex_);
  if (!skills_) return std::unexpected(Status::invalid_requirements);
  if (q >= waiting_.size()) return std::unexpected(Status::unknown_queue);
  if (set != kNoSet && (set >= scenario_.requirement_sets.size() ||
                        scenario_.requirement_sets[set].queue != q)) {
    return std::unexpected(Status::unknown_requirements);
  }
  if (pending_[q] >= max_pending_) return std::unexpected(Status::queue_full);
  if (ids_.empty()) return std::unexpected(Status::items_exhausted);
  const ItemId id = ids_.take();
  Item& item = items_[index(id)];
  item = Item{State::queued, q, UINT32_MAX, arrivals_++, customer, set};
  pending_[q] += 1;
  // The best qualified agent with room, by the queue's routing model. A waiting item of the same
  // set cannot have a qualified agent with room (a freed agent takes what it can), so FIFO holds.
  const int32_t size = scenario_.queue_size_milli[q];
  const RoutingModel model = scenario_.queue_model[q];
  const auto& candidates = set != kNoSet ? scenario_.set_agents[set] : scenario_.queue_agents[q];
  uint32_t best = UINT32_MAX;
  Key best_key{};
  for (const uint32_t a : candidates) {
    if (scenario_.agent_capacity_milli - agents_[a].used < size) continue;
    const Key k = key_of(a, model);
    if (best == UINT32_MAX || k < best_key) {
      best = a;
      best_key = k;
    }
  }
  if (best != UINT32_MAX) {
    offer(id, item, best);
  } else {
    skill_waiting_[q].push_back(Waiting{id, set, item.arrival});
  }
  return id;
}

void MutexRouter::route_skills_backlog_to(uint32_t agent) {
  for (;;) {
    const int32_t free = scenario_.agent_capacity_milli - agents_[agent].used;
    uint32_t best_queue = UINT32_MAX;
    size_t best_pos = 0;
    uint64_t best_arrival = 0;
    for (uint32_t q = 0; q < skill_waiting_.size(); ++q) {  // skills_based: every queue
      const auto& waiting = skill_waiting_[q];
      if (waiting.empty() || scenario_.queue_size_milli[q] > free) continue;
      if (best_queue != UINT32_MAX &&
          scenario_.queue_priority[q] > scenario_.queue_priority[best_queue]) {
        continue;
      }
      for (size_t i = 0; i < waiting.size(); ++i) {
        const Waiting& w = waiting[i];
        if (!eligible(agent, q, w.set)) continue;
        if (best_queue == UINT32_MAX ||
            scenario_.queue_priority[q] < scenario_.queue_priority[best_queue] ||
            w.arrival < best_arrival) {
          best_queue = q;
          best_pos = i;
          best_arrival = w.arrival;
        }
        break;  // oldest first: the first eligible item is this queue's candidate
      }
    }
    if (best_queue == UINT32_MAX) return;
    auto& waiting = skill_waiting_[best_queue];
    const ItemId id = waiting[best_pos].id;
    waiting.erase(waiting.begin() + static_cast<std::ptrdiff_t>(best_pos));
    offer(id, items_.at(index(id)), agent);
  }
}

Status MutexRouter::accept(ItemId id, AgentId agent) noexcept {
  std::lock_guard lock(mutex_);
  auto it = items_.find(index(id));
  if (it == items_.end()) return Status::unknown_item;
  if (it->second.state != State::offered) return Status::wrong_state;
  if (it->second.agent != index(agent)) return Status::not_offered_to_agent;
  it->second.state = State::active;
  pending_[it->second.queue] -= 1;
  return Status::ok;
}

void MutexRouter::route_backlog_to(uint32_t agent) {
  for (;;) {
    const int32_t free = scenario_.agent_capacity_milli - agents_[agent].used;
    uint32_t best_queue = UINT32_MAX;
    const Item* best = nullptr;
    for (uint32_t q : scenario_.agent_queues[agent]) {
      if (waiting_[q].empty() || scenario_.queue_size_milli[q] > free) continue;
      const Item& head = items_.at(index(waiting_[q].front()));
      if (best == nullptr || scenario_.queue_priority[q] < scenario_.queue_priority[best_queue] ||
          (scenario_.queue_priority[q] == scenario_.queue_priority[best_queue] &&
           head.arrival < best->arrival)) {
        best = &head;
        best_queue = q;
      }
    }
    if (best == nullptr) return;
    const ItemId id = waiting_[best_queue].front();
    waiting_[best_queue].pop_front();
    offer(id, items_.at(index(id)), agent);
  }
}

Status MutexRouter::close(ItemId id) noexcept {
  std::lock_guard lock(mutex_);
  auto it = items_.find(index(id));
  if (it == items_.end()) return Status::unknown_item;
  Item item = it->second;
  items_.erase(it);
  ids_.give_back(id);
  if (item.state != State::active) pending_[item.queue] -= 1;
  if (item.state == State::queued && skills_) {
    auto& queue = skill_waiting_[item.queue];
    queue.erase(std::find_if(queue.begin(), queue.end(), [&](const Waiting& w) { return w.id == id; }));
    return Status::ok;
  }
  if (item.state == State::queued) {
    auto& queue = waiting_[item.queue];
    queue.erase(std::find(queue.begin(), queue.end(), id));
    return Status::ok;
  }
  if (skills_) {
    agents_[item.agent].used -= scenario_.queue_size_milli[item.queue];
    agents_[item.agent].open -= 1;
    route_skills_backlog_to(item.agent);
    return Status::ok;
  }
  unindex(item.agent);
  agents_[item.agent].used -= scenario_.queue_size_milli[item.queue];
  agents_[item.agent].open -= 1;
  reindex(item.agent);
  route_backlog_to(item.agent);
  return Status::ok;
}

size_t MutexRouter::drain_offers(std::span<Offer> out) noexcept {
  std::lock_guard lock(mutex_);
  const size_t n = std::min(out.size(), offers_.size());
  std::copy(offers_.end() - static_cast<std::ptrdiff_t>(n), offers_.end(), out.begin());
  offers_.resize(offers_.size() - n);
  return n;
}

int64_t MutexRouter::used_milli(AgentId agent) const noexcept {
  std::lock_guard lock(mutex_);
  return agents_[index(agent)].used;
}

uint64_t MutexRouter::waiting() const noexcept {
  std::lock_guard lock(mutex_);
  uint64_t n = 0;
  for (const auto& q : waiting_) n += q.size();
  for (const auto& q : skill_waiting_) n += q.size();
  return n;
}

}  // namespace omni::bench
