// JournalDurability — the Durability seam over a DurableKernel: a receipt is durable once each of
// its items' `submitted` records and its last host record are synced (one group commit, usually:
// the host record precedes the events of the submit that its write_host made).
#pragma once
#include <algorithm>
#include <chrono>

#include "omnikernel/durable/durable_kernel.h"
#include "omnikernel/service/durability.h"

namespace omni::service {

class JournalDurability final : public Durability {
 public:
  explicit JournalDurability(durable::DurableKernel& dk) : dk_(dk) {}

  [[nodiscard]] bool wait(const Receipt& receipt, std::chrono::milliseconds timeout) noexcept override {
    if (receipt.failed) return false;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto left = [&] {
      return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()),
                      std::chrono::milliseconds{0});
    };
    try {
      for (ItemId item : receipt.items) {
        if (!dk_.wait_durable(item, left())) return false;
      }
      return receipt.record == 0 || dk_.journal().wait_durable(receipt.record, left());
    } catch (...) {
      return false;  // a mutex that cannot be taken: not known to be durable
    }
  }

 private:
  durable::DurableKernel& dk_;
};

}  // namespace omni::service
