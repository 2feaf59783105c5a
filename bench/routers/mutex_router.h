// MutexRouter — the conventional design: one std::mutex over standard containers.
//
// Same semantics as the kernel for what the driver does (submit, offer, accept, close, backlog
// routed to the agent that frees): per queue a FIFO std::deque of waiting items; items in a
// std::unordered_map; per queue a std::set of its agents ordered by the queue's routing model
// (most available: most free capacity, then fewest open items, then lowest id; least active:
// fewest open items, then most free, then lowest id), re-keyed in every queue of an agent whose
// load changes. A freed agent takes the best waiting head that fits, across its queues, by routing
// priority then arrival. This is what a careful engineer writes first; it is not a straw man.
//
// With skills (a scenario with requirement sets; every routing configuration skills_based), the
// natural design with the same semantics: the qualified agents of each requirement set are listed
// once when the router is built (as the kernel's prepare_requirements does), a submit scans its
// set's list for the best agent with room by the queue's routing model (O(qualified agents)), and
// a freed agent scans the waiting items of every queue, oldest first, for the first one it
// qualifies for (a bitset test per item), taking the best by priority then arrival
// (O(waiting items)). The per-queue agent sets are not kept: no skills item uses them.
#pragma once
#include <deque>
#include <mutex>
#include <set>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "routers/router.h"
#include "routers/slot_ids.h"
#include "workload/scenario.h"

namespace omni::bench {

class MutexRouter final : public Router {
 public:
  explicit MutexRouter(const Scenario& scenario);

  [[nodiscard]] std::string_view name() const noexcept override { return "mutex"; }
  [[nodiscard]] Result<ItemId> submit(QueueId queue, CustomerId customer) noexcept override;
  [[nodiscard]] Result<ItemId> submit_with(QueueId queue, CustomerId customer,
                                           uint32_t set) noexcept override;
  [[nodiscard]] Status accept(ItemId item, AgentId agent) noexcept override;
  [[nodiscard]] Status close(ItemId item) noexcept override;
  [[nodiscard]] size_t drain_offers(std::span<Offer> out) noexcept override;
  [[nodiscard]] int64_t used_milli(AgentId agent) const noexcept override;
  [[nodiscard]] uint64_t waiting() const noexcept override;

 private:
  enum class State : uint8_t { queued, offered, active };
  struct Item {
    State state;
    uint32_t queue;
    uint32_t agent;
    uint64_t arrival;
    CustomerId customer;
    uint32_t set = kNoSet;
  };
  struct Waiting {  // skills mode: a waiting item with what the scan needs
    ItemId id;
    uint32_t set;
    uint64_t arrival;
  };
  struct Agent {
    int32_t used = 0;
    uint32_t open = 0;
  };
  using Key = std::tuple<int64_t, int64_t, uint32_t>;  // ordered ascending: best first

  [[nodiscard]] Key key_of(uint32_t agent, RoutingModel model) const noexcept;
  void unindex(uint32_t agent);
  void reindex(uint32_t agent);
  [[nodiscard]] bool find_agent(uint32_t queue, uint32_t& agent) const noexcept;
  void offer(ItemId id, Item& item, uint32_t agent);
  void route_backlog_to(uint32_t agent);
  [[nodiscard]] bool eligible(uint32_t agent, uint32_t queue, uint32_t set) const noexcept;
  void route_skills_backlog_to(uint32_t agent);

  const Scenario& scenario_;
  mutable std::mutex mutex_;
  SlotIds ids_;
  uint64_t arrivals_ = 0;
  std::unordered_map<uint64_t, Item> items_;
  std::vector<std::deque<ItemId>> waiting_;
  std::vector<uint32_t> pending_;  // per queue: queued + offered, bounded by max_waiting
  const uint32_t max_pending_;
  std::vector<Agent> agents_;
  std::vector<std::set<Key>> ready_;  // per queue
  std::vector<Offer> offers_;
  const bool skills_;
  std::vector<std::deque<Waiting>> skill_waiting_;  // skills mode: per queue, oldest first
};

}  // namespace omni::bench
