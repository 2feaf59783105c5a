// Strong, dense identifiers. Names live in the configuration; the hot path speaks indices.
#pragma once
#include <cstdint>
#include <functional>

namespace omni {

enum class ChannelId : uint16_t {};
enum class QueueId : uint32_t {};
enum class AgentId : uint32_t {};
enum class StatusId : uint16_t {};          // a presence status
enum class DeclineReasonId : uint16_t {};   // index into the agent's presence config reasons
enum class PausedValueId : uint16_t {};     // index into the channel's "values for paused"
enum class FlowId : uint16_t {};            // a transfer destination outside the kernel
enum class CustomerId : uint64_t {};        // host-assigned (e.g. a hash of wa_id / IGSID / visitor id)

// Slot index (low 32 bits) + incarnation (high 32 bits, only 24 are significant): a stale id
// of a recycled slot is refused as unknown instead of touching the new item.
enum class ItemId : uint64_t {};

template <class Id>
constexpr auto index(Id id) noexcept {
  return static_cast<std::underlying_type_t<Id>>(id);
}
constexpr uint32_t slot_of(ItemId id) noexcept { return static_cast<uint32_t>(index(id)); }
constexpr uint32_t incarnation_of(ItemId id) noexcept {
  return static_cast<uint32_t>(index(id) >> 32);
}
constexpr ItemId make_item_id(uint32_t slot, uint32_t incarnation) noexcept {
  return ItemId{(uint64_t{incarnation} << 32) | slot};
}

inline constexpr AgentId kNoAgent{UINT32_MAX};
inline constexpr QueueId kNoQueue{UINT32_MAX};

}  // namespace omni
