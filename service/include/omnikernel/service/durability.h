// Durability — the seam where the journal (issue 10) plugs in: a webhook is acknowledged (200)
// only once what it caused is durable, so that Meta's retry covers a crash before then.
//
// Each webhook request collects a Receipt: the work items it opened or continued (their
// `submitted` records) and the last host record it wrote (the service's own state: the
// conversation and the seen message ids, durable/host_table.h). wait(receipt, timeout) answers
// true once all of it is durable; false (timed out, or the journal stopped) makes the webhook
// answer 503 so Meta retries — and a retry of the same message id waits for the same receipt
// instead of being processed twice (docs/OPERATIONS.md "omni serve with a journal").
#pragma once
#include <chrono>
#include <cstdint>
#include <vector>

#include "omnikernel/kernel.h"

namespace omni::service {

struct Receipt {
  std::vector<ItemId> items;  // durable once their `submitted` records are
  uint64_t record = 0;        // the journal LSN of the last host record written (0 = none)
  bool failed = false;        // a record could not be written: never durable

  void merge(const Receipt& other) {
    items.insert(items.end(), other.items.begin(), other.items.end());
    record = record > other.record ? record : other.record;
    failed = failed || other.failed;
  }
};

class Durability {
 public:
  virtual ~Durability() = default;
  // True once everything the receipt names is durable; false when `timeout` passed first.
  [[nodiscard]] virtual bool wait(const Receipt& receipt, std::chrono::milliseconds timeout) noexcept = 0;
};

// No journal: the kernel's memory is all there is, so a submit is as durable as it gets at once.
class ImmediateDurability final : public Durability {
 public:
  [[nodiscard]] bool wait(const Receipt& receipt, std::chrono::milliseconds) noexcept override {
    return !receipt.failed;
  }
};

}  // namespace omni::service
