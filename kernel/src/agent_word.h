// AgentWord — everything routing must decide about an agent, packed in one 64-bit atomic so that
// "has room AND is routable" is checked and taken in a single CAS.
//
//   bits  0..23  used capacity, 1/1000 units          (max 16,777 units)
//   bits 24..43  used interruptible capacity, 1/1000  (max 1,048 units)
//   bits 44..51  open items: offered + active         (max 255)
//   bits 52..62  presence status index                (max 2,047 statuses)
//   bit  63      missed: after an unanswered offer, no new offers until the delay ends
#pragma once
#include <cstdint>

namespace omni::internal {

struct AgentWord {
  uint64_t raw = 0;

  static constexpr int kUsedBits = 24, kIntBits = 20, kOpenBits = 8, kStatusBits = 11;
  static constexpr int kIntShift = kUsedBits, kOpenShift = kIntShift + kIntBits,
                       kStatusShift = kOpenShift + kOpenBits, kMissedShift = 63;
  static constexpr int32_t kMaxUsed = (1 << kUsedBits) - 1;
  static constexpr int32_t kMaxInt = (1 << kIntBits) - 1;
  static constexpr uint32_t kMaxOpen = (1u << kOpenBits) - 1;
  static constexpr uint32_t kMaxStatus = (1u << kStatusBits) - 1;

  [[nodiscard]] int32_t used() const { return static_cast<int32_t>(raw & kMaxUsed); }
  [[nodiscard]] int32_t interruptible_used() const {
    return static_cast<int32_t>((raw >> kIntShift) & kMaxInt);
  }
  [[nodiscard]] uint32_t open() const { return static_cast<uint32_t>((raw >> kOpenShift) & kMaxOpen); }
  [[nodiscard]] uint16_t status() const {
    return static_cast<uint16_t>((raw >> kStatusShift) & kMaxStatus);
  }
  [[nodiscard]] bool missed() const { return (raw >> kMissedShift) & 1; }

  [[nodiscard]] AgentWord with_used(int32_t v) const {
    return {(raw & ~uint64_t{kMaxUsed}) | static_cast<uint64_t>(v)};
  }
  [[nodiscard]] AgentWord with_interruptible_used(int32_t v) const {
    return {(raw & ~(uint64_t{kMaxInt} << kIntShift)) | (static_cast<uint64_t>(v) << kIntShift)};
  }
  [[nodiscard]] AgentWord with_open(uint32_t v) const {
    return {(raw & ~(uint64_t{kMaxOpen} << kOpenShift)) | (uint64_t{v} << kOpenShift)};
  }
  [[nodiscard]] AgentWord with_status(uint16_t s) const {
    return {(raw & ~(uint64_t{kMaxStatus} << kStatusShift)) | (uint64_t{s} << kStatusShift)};
  }
  [[nodiscard]] AgentWord with_missed(bool m) const {
    return {(raw & ~(uint64_t{1} << kMissedShift)) | (uint64_t{m} << kMissedShift)};
  }
};

}  // namespace omni::internal
