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
      ready_(scenario.queues()) {
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
  unindex(agent);
  agents_[agent].used += scenario_.queue_size_milli[item.queue];
  agents_[agent].open += 1;
  reindex(agent);
  item.state = State::offered;
  item.agent = agent;
  offers_.push_back(Offer{id, AgentId{agent}, QueueId{item.queue}});
}

Result<ItemId> MutexRouter::submit(QueueId queue, CustomerId customer) noexcept {
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
  if (item.state == State::queued) {
    auto& queue = waiting_[item.queue];
    queue.erase(std::find(queue.begin(), queue.end(), id));
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
  return n;
}

}  // namespace omni::bench
