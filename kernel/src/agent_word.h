// AgentWord — everything routing must decide about an agent, packed in one 64-bit atomic so that
// "has room AND is routable" — capacity, open items, status, missed, and the per-channel limits
// of its presence configuration — is checked and taken in a single CAS.
//
//   bits  0..21  used capacity, 1/1000 units          (max 4,194 units; config allows 4,000)
//   bits 22..37  used interruptible capacity, 1/1000  (max 65 units; config allows 64)
//   bits 38..45  open items: offered + active         (max 255)
//   bits 46..54  presence status index                (max 511 statuses)
//   bits 55..62  two channel counters, 4 bits each: items of a channel limited by the agent's
//                presence configuration (channel_limits) held now (max 15 each)
//   bit  63      missed: after an unanswered offer, no new offers until the delay ends
//
// The widths were cut (capacity from 16,777 units, interruptible from 1,048, statuses from 2,047)
// to make room for the channel counters: enforcing "at most 1 voice and 4 chats" in the same CAS
// as capacity keeps one atomic step per reservation, where a second word would need a reserve,
// check, give-back protocol with its own lost wake-ups. Config validation names each bound.
#pragma once
#include <cstdint>

namespace omni::internal {

struct AgentWord {
  uint64_t raw = 0;

  static constexpr int kUsedBits = 22, kIntBits = 16, kOpenBits = 8, kStatusBits = 9, kCounterBits = 4;
  static constexpr int kChannelCounters = 2;
  static constexpr int kIntShift = kUsedBits, kOpenShift = kIntShift + kIntBits,
                       kStatusShift = kOpenShift + kOpenBits,
                       kCounterShift = kStatusShift + kStatusBits, kMissedShift = 63;
  static_assert(kCounterShift + kChannelCounters * kCounterBits == kMissedShift);
  static constexpr int32_t kMaxUsed = (1 << kUsedBits) - 1;
  static constexpr int32_t kMaxInt = (1 << kIntBits) - 1;
  static constexpr uint32_t kMaxOpen = (1u << kOpenBits) - 1;
  static constexpr uint32_t kMaxStatus = (1u << kStatusBits) - 1;
  static constexpr uint32_t kMaxCount = (1u << kCounterBits) - 1;

  [[nodiscard]] int32_t used() const { return static_cast<int32_t>(raw & kMaxUsed); }
  [[nodiscard]] int32_t interruptible_used() const {
    return static_cast<int32_t>((raw >> kIntShift) & kMaxInt);
  }
  [[nodiscard]] uint32_t open() const { return static_cast<uint32_t>((raw >> kOpenShift) & kMaxOpen); }
  [[nodiscard]] uint16_t status() const {
    return static_cast<uint16_t>((raw >> kStatusShift) & kMaxStatus);
  }
  // Items held now on channel counter c (0 or 1), as the agent's presence config maps channels.
  [[nodiscard]] uint32_t count(int c) const {
    return static_cast<uint32_t>((raw >> (kCounterShift + c * kCounterBits)) & kMaxCount);
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
  [[nodiscard]] AgentWord with_count(int c, uint32_t v) const {
    const int shift = kCounterShift + c * kCounterBits;
    return {(raw & ~(uint64_t{kMaxCount} << shift)) | (uint64_t{v & kMaxCount} << shift)};
  }
  [[nodiscard]] AgentWord with_missed(bool m) const {
    return {(raw & ~(uint64_t{1} << kMissedShift)) | (uint64_t{m} << kMissedShift)};
  }
};

}  // namespace omni::internal
