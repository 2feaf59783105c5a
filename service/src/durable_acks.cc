#include "durable_acks.h"

#include <algorithm>

#include "thread_name.h"

namespace omni::service {

DurableAcks::DurableAcks(Durability& durability) : durability_(durability), thread_([this] {
  name_this_thread("omni-acks");
  run();
}) {}

DurableAcks::~DurableAcks() { stop(); }

void DurableAcks::defer(Receipt receipt, std::chrono::milliseconds timeout, Done done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back({std::move(receipt), std::chrono::steady_clock::now() + timeout, std::move(done)});
      wake_.notify_one();
      return;
    }
  }
  done(durability_.wait(receipt, timeout));
}

void DurableAcks::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void DurableAcks::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything answered
    Entry e = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    const auto left = std::max(std::chrono::duration_cast<std::chrono::milliseconds>(e.deadline - std::chrono::steady_clock::now()),
                               std::chrono::milliseconds{0});
    const bool durable = durability_.wait(e.receipt, left);
    try {
      e.done(durable);
    } catch (...) {
      // An answer that could not be written costs that webhook (Meta retries it), not the waiter.
    }
    lock.lock();
  }
}

}  // namespace omni::service
