// Router — what the end-to-end driver and the invariant checker need from a routing design.
//
// Every design under test (the kernel, the kernel behind one mutex, the mutex router, the two SQL
// routers) implements this one interface with the kernel's semantics: submit queues an item and
// offers it when an eligible agent has room; close releases the item's capacity and offers
// waiting items to agents that now have room; every offer is reported once through
// drain_offers(), from whichever thread drains first.
//
// Item handles use the kernel's ItemId layout (slot_of(): the low 24 bits, below max_items()), so the
// checker can keep per-slot state in flat arrays.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>

#include "omnikernel/error.h"
#include "omnikernel/ids.h"

namespace omni::bench {

struct Offer {
  ItemId item{};
  AgentId agent = kNoAgent;
  QueueId queue{};
};

class Router {
 public:
  virtual ~Router() = default;
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;

  [[nodiscard]] virtual Result<ItemId> submit(QueueId queue, CustomerId customer) noexcept = 0;
  // An item with skill requirements: `set` indexes Scenario::requirement_sets (the router
  // prepared every set when it was built, untimed). Routers without skills refuse it.
  [[nodiscard]] virtual Result<ItemId> submit_with(QueueId queue, CustomerId customer,
                                                   uint32_t set) noexcept {
    (void)queue, (void)customer, (void)set;
    return std::unexpected(Status::invalid_requirements);
  }
  [[nodiscard]] virtual Status accept(ItemId item, AgentId agent) noexcept = 0;
  [[nodiscard]] virtual Status close(ItemId item) noexcept = 0;
  // Offers made since the last drain, by any thread's call; returns how many were copied.
  [[nodiscard]] virtual size_t drain_offers(std::span<Offer> out) noexcept = 0;

  // Quiescent observation for the checker (not timed, not thread-safe against the hot path).
  [[nodiscard]] virtual int64_t used_milli(AgentId agent) const noexcept = 0;
  [[nodiscard]] virtual uint64_t waiting() const noexcept = 0;
  // Offers the router could not report because the driver drained too slowly; non-zero makes the
  // run invalid, whatever the router did. (The kernel no longer drops events: see back_pressure.)
  [[nodiscard]] virtual uint64_t lost_reports() const noexcept { return 0; }
  // Times a call was refused for lack of room to report it (the kernel's Status::events_full,
  // retried by the router after a drain) plus times routing waited for a drain: back-pressure,
  // not a fault; reported beside the figures.
  [[nodiscard]] virtual uint64_t back_pressure() const noexcept { return 0; }
};

}  // namespace omni::bench
