// Durability — the seam where the journal (issue 10) plugs in: a webhook is acknowledged (200)
// only once the submits it caused are durable, so that Meta's retry covers a crash before then.
//
// The service calls ticket() right after its submits for one request, then wait(ticket, timeout).
// A journal returns the sequence number of its last appended record and waits for its group
// commit to pass it; a false answer (timed out) makes the webhook answer 503 so Meta retries (the
// dedupe window lets the retry through: the claim is released).
#pragma once
#include <chrono>
#include <cstdint>

namespace omni::service {

class Durability {
 public:
  virtual ~Durability() = default;
  // Covers everything submitted so far on the calling thread.
  [[nodiscard]] virtual uint64_t ticket() noexcept = 0;
  // True once everything the ticket covers is durable; false when `timeout` passed first.
  [[nodiscard]] virtual bool wait(uint64_t ticket, std::chrono::milliseconds timeout) noexcept = 0;
};

// No journal: the kernel's memory is all there is, so a submit is as durable as it gets at once.
class ImmediateDurability final : public Durability {
 public:
  [[nodiscard]] uint64_t ticket() noexcept override { return 0; }
  [[nodiscard]] bool wait(uint64_t, std::chrono::milliseconds) noexcept override { return true; }
};

}  // namespace omni::service
