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
enum class SkillId : uint16_t {};           // Config::skills
enum class RequirementsId : uint32_t {};    // a prepared skill requirement set; 0 = none

// Slot index (low 24 bits) + the slot's version when the item was submitted (high 40 bits, ≥ 1).
// A slot's version grows by one on every transition and is never reset, and a slot is retired
// before it could wrap (docs/ARCHITECTURE.md), so an id is never issued twice: a stale id of a
// recycled slot is refused as unknown instead of touching the new item.
enum class ItemId : uint64_t {};

template <class Id>
constexpr auto index(Id id) noexcept {
  return static_cast<std::underlying_type_t<Id>>(id);
}
inline constexpr int kItemSlotBits = 24;
constexpr uint32_t slot_of(ItemId id) noexcept {
  return static_cast<uint32_t>(index(id) & ((uint64_t{1} << kItemSlotBits) - 1));
}
// The slot version at which the item was submitted ("birth"); 0 for ids never issued.
constexpr uint64_t birth_of(ItemId id) noexcept { return index(id) >> kItemSlotBits; }
constexpr ItemId make_item_id(uint32_t slot, uint64_t birth) noexcept {
  return ItemId{(birth << kItemSlotBits) | slot};
}

inline constexpr AgentId kNoAgent{UINT32_MAX};
inline constexpr QueueId kNoQueue{UINT32_MAX};

}  // namespace omni
