// InvariantChecker — the same referee for every router (DESIGN.md properties 1 and 2).
//
// It watches what the driver observes and flags, without false alarms under concurrency:
//   - capacity exceeded: the capacity an agent holds by the driver's own count (offers seen,
//     minus closes the driver made) is a lower bound of what the router holds, because an offer
//     is seen after it was made and a close is counted before it is made; if even that lower
//     bound exceeds capacity, the router over-assigned;
//   - double offer: an item offered while the driver still holds an earlier offer of it;
//   - refused accept/close of an item the router offered;
//   - at quiescence: every submitted item offered and closed, nothing waiting, and every agent's
//     used capacity back to zero in the router's own books;
//   - skills (issue 9): an item with requirements offered only to an agent qualified for them
//     (Scenario::qualified). The submitting thread learns the item's id only when submit returns,
//     and another thread may drain its offer before that, so the two sides meet per item slot
//     (Dekker: each stores its half, then reads the other's; whoever comes second checks).
// A run with any violation is reported as broken, whatever its speed.
//
// Memory ordering: per-slot and per-agent atomics are only ever read-modify-written (exchange,
// fetch_add), relaxed: each is its own single source of truth and orders nothing else.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "routers/router.h"
#include "workload/scenario.h"

namespace omni::bench {

class InvariantChecker {
 public:
  explicit InvariantChecker(const Scenario& scenario);

  void on_submitted() noexcept { submitted_.fetch_add(1, std::memory_order_relaxed); }
  // The same, for a skills scenario: `set` is the item's requirement set (kNoSet for none).
  void on_submitted(ItemId item, uint32_t set) noexcept;
  void on_offer(const Offer& offer) noexcept;
  void on_refused(Status status) noexcept;
  // Call before the router's close, so the lower bound stays a lower bound.
  void on_closing(const Offer& offer) noexcept;

  // After every thread stopped and the driver drained the run. Appends the reasons to `why`.
  [[nodiscard]] bool final_check(const Router& router, std::string& why) const;

  [[nodiscard]] uint64_t violations() const noexcept {
    return over_capacity_.load(std::memory_order_relaxed) +
           double_offers_.load(std::memory_order_relaxed) +
           unqualified_.load(std::memory_order_relaxed) +
           refused_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] uint64_t offers() const noexcept { return offers_.load(std::memory_order_relaxed); }
  [[nodiscard]] uint64_t submitted() const noexcept {
    return submitted_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] uint64_t closed() const noexcept { return closed_.load(std::memory_order_relaxed); }
  // Offers of items with requirements whose qualification was checked, and those that failed.
  [[nodiscard]] uint64_t qualification_checks() const noexcept {
    return skill_checks_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] uint64_t unqualified() const noexcept {
    return unqualified_.load(std::memory_order_relaxed);
  }

 private:
  static constexpr uint64_t kNotHeld = UINT64_MAX;
  const Scenario& scenario_;
  std::unique_ptr<std::atomic<uint64_t>[]> holder_;  // per item slot: the ItemId on offer
  std::unique_ptr<std::atomic<int64_t>[]> used_;     // per agent, milli-units
  std::atomic<uint64_t> submitted_{0}, offers_{0}, closed_{0};
  std::atomic<uint64_t> over_capacity_{0}, double_offers_{0}, refused_{0};
  std::atomic<uint64_t> refused_by_status_[32]{};
  // Skills scenarios only: per item slot, the two halves of the meeting (see the header comment).
  void check_qualified(uint32_t slot, uint64_t item, uint32_t set, uint32_t agent) noexcept;
  struct Meeting {
    std::atomic<uint64_t> submitted{kNotHeld};  // item id, once its submit returned
    std::atomic<uint32_t> set{0};
    std::atomic<uint64_t> offered{kNotHeld};    // item id, once an offer of it was seen
    std::atomic<uint32_t> agent{0};
    std::atomic<uint64_t> checked{kNotHeld};    // item id whose check was made (once)
  };
  std::unique_ptr<Meeting[]> meet_;
  std::atomic<uint64_t> skill_checks_{0}, unqualified_{0};
};

}  // namespace omni::bench
