// Parsers for concurrent parse() calls on one adapter instance. A parser holds buffers that one
// parse fills, so two threads must never share one at the same time; keeping one per thread
// (thread_local) would outlive the plugin instance. The pool is a fixed array of slots, each
// claimed with one atomic exchange: no lock, and after warm-up no allocation. When every slot is
// busy (more concurrent callers than slots) the caller gets a parser of its own for that call.
//
// Memory ordering: a slot's `busy` flag is taken with exchange(acquire) and given back with
// store(release), so the next owner sees everything the previous owner did to the slot's parser
// (including its lazy construction).
#pragma once
#include <array>
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <thread>

namespace omni::adapters {

inline constexpr size_t kCacheLine = 64;

template <class Parser, size_t kSlots = 16>
class ParserPool {
  struct alignas(kCacheLine) Slot {
    std::atomic<bool> busy{false};
    std::unique_ptr<Parser> parser;
  };

 public:
  class Lease {
   public:
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
      if (slot_ != nullptr) slot_->busy.store(false, std::memory_order_release);
    }
    Parser& operator*() const noexcept { return *parser_; }
    Parser* operator->() const noexcept { return parser_; }

   private:
    friend class ParserPool;
    Lease(Slot* slot, Parser* parser, std::unique_ptr<Parser> own)
        : slot_(slot), parser_(parser), own_(std::move(own)) {}
    Slot* slot_;
    Parser* parser_;
    std::unique_ptr<Parser> own_;
  };

  explicit ParserPool(size_t max_payload_bytes) noexcept : max_payload_bytes_(max_payload_bytes) {}

  [[nodiscard]] Lease acquire() {
    // Start where this thread usually lands, so a steady set of threads keeps warm parsers.
    const size_t start = std::hash<std::thread::id>{}(std::this_thread::get_id()) % kSlots;
    for (size_t i = 0; i < kSlots; ++i) {
      Slot& slot = slots_[(start + i) % kSlots];
      if (slot.busy.load(std::memory_order_relaxed)) continue;
      if (slot.busy.exchange(true, std::memory_order_acquire)) continue;
      if (!slot.parser) {
        try {
          slot.parser = std::make_unique<Parser>(max_payload_bytes_);
        } catch (...) {
          slot.busy.store(false, std::memory_order_release);
          throw;
        }
      }
      return Lease(&slot, slot.parser.get(), nullptr);
    }
    auto own = std::make_unique<Parser>(max_payload_bytes_);
    Parser* parser = own.get();
    return Lease(nullptr, parser, std::move(own));
  }

 private:
  size_t max_payload_bytes_;
  std::array<Slot, kSlots> slots_{};
};

}  // namespace omni::adapters
