#include "driver/checker.h"

namespace omni::bench {

InvariantChecker::InvariantChecker(const Scenario& scenario)
    : scenario_(scenario),
      holder_(new std::atomic<uint64_t>[scenario.max_items]),
      used_(new std::atomic<int64_t>[scenario.agents()]) {
  for (uint32_t s = 0; s < scenario.max_items; ++s) holder_[s].store(kNotHeld);
  for (uint32_t a = 0; a < scenario.agents(); ++a) used_[a].store(0);
  if (scenario.has_skills()) meet_.reset(new Meeting[scenario.max_items]);
}

void InvariantChecker::on_submitted(ItemId item, uint32_t set) noexcept {
  on_submitted();
  if (!meet_) return;
  const uint32_t slot = slot_of(item);
  if (slot >= scenario_.max_items) return;
  Meeting& m = meet_[slot];
  m.set.store(set, std::memory_order_relaxed);
  m.submitted.store(index(item), std::memory_order_seq_cst);
  if (m.offered.load(std::memory_order_seq_cst) == index(item)) {
    check_qualified(slot, index(item), set, m.agent.load(std::memory_order_relaxed));
  }
}

void InvariantChecker::check_qualified(uint32_t slot, uint64_t item, uint32_t set,
                                       uint32_t agent) noexcept {
  // Both sides may see each other: the exchange makes the check happen once per item.
  if (meet_[slot].checked.exchange(item, std::memory_order_relaxed) == item) return;
  if (set == kNoSet) return;
  skill_checks_.fetch_add(1, std::memory_order_relaxed);
  if (set >= scenario_.requirement_sets.size() || !scenario_.qualified(set, agent)) {
    unqualified_.fetch_add(1, std::memory_order_relaxed);
  }
}

void InvariantChecker::on_offer(const Offer& offer) noexcept {
  offers_.fetch_add(1, std::memory_order_relaxed);
  const uint32_t slot = slot_of(offer.item);
  const uint32_t agent = index(offer.agent);
  const uint32_t queue = index(offer.queue);
  if (slot >= scenario_.max_items || agent >= scenario_.agents() || queue >= scenario_.queues()) {
    refused_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (holder_[slot].exchange(index(offer.item), std::memory_order_relaxed) != kNotHeld) {
    double_offers_.fetch_add(1, std::memory_order_relaxed);
  }
  if (meet_) {
    Meeting& m = meet_[slot];
    m.agent.store(agent, std::memory_order_relaxed);
    m.offered.store(index(offer.item), std::memory_order_seq_cst);
    if (m.submitted.load(std::memory_order_seq_cst) == index(offer.item)) {
      check_qualified(slot, index(offer.item), m.set.load(std::memory_order_relaxed), agent);
    }
  }
  const int64_t size = scenario_.queue_size_milli[queue];
  if (used_[agent].fetch_add(size, std::memory_order_relaxed) + size >
      scenario_.agent_capacity_milli) {
    over_capacity_.fetch_add(1, std::memory_order_relaxed);
  }
}

void InvariantChecker::on_refused(Status status) noexcept {
  refused_.fetch_add(1, std::memory_order_relaxed);
  refused_by_status_[static_cast<uint8_t>(status) % 32].fetch_add(1, std::memory_order_relaxed);
}

void InvariantChecker::on_closing(const Offer& offer) noexcept {
  closed_.fetch_add(1, std::memory_order_relaxed);
  used_[index(offer.agent)].fetch_sub(scenario_.queue_size_milli[index(offer.queue)],
                                      std::memory_order_relaxed);
  holder_[slot_of(offer.item)].store(kNotHeld, std::memory_order_relaxed);
}

bool InvariantChecker::final_check(const Router& router, std::string& why) const {
  const auto add = [&](const std::string& s) { why += why.empty() ? s : "; " + s; };
  if (const auto n = over_capacity_.load(); n) add(std::to_string(n) + " offers over capacity");
  if (const auto n = double_offers_.load(); n) add(std::to_string(n) + " double offers");
  if (const auto n = unqualified_.load(); n) {
    add(std::to_string(n) + " offers to agents not qualified for the item's skills");
  }
  if (const auto n = refused_.load(); n) {
    std::string detail;
    for (int st = 0; st < 32; ++st) {
      if (const auto k = refused_by_status_[st].load(); k) {
        detail += " " + std::string(to_string(static_cast<Status>(st))) + "×" + std::to_string(k);
      }
    }
    add(std::to_string(n) + " refused calls:" + detail);
  }
  if (submitted() != offers()) {
    add(std::to_string(submitted()) + " submitted but " + std::to_string(offers()) + " offered");
  }
  if (offers() != closed()) {
    add(std::to_string(offers()) + " offered but " + std::to_string(closed()) + " closed");
  }
  if (const auto w = router.waiting(); w != 0) add(std::to_string(w) + " still waiting");
  if (const auto d = router.lost_reports(); d != 0) {
    add(std::to_string(d) + " events dropped (the driver drained too slowly: a harness fault)");
  }
  uint32_t leaking = 0;
  for (uint32_t a = 0; a < scenario_.agents(); ++a) {
    if (router.used_milli(AgentId{a}) != 0 || used_[a].load() != 0) ++leaking;
  }
  if (leaking) add(std::to_string(leaking) + " agents with capacity still held at quiescence");
  return why.empty();
}

}  // namespace omni::bench
