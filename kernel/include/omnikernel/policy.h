// Decision points where the kernel consults policies (seed 004 and friends). The kernel knows
// no plugin: the host adapts plugin policies (sdk/) to this interface. Hooks run synchronously on
// the calling thread, must not block, throw or allocate, and must be thread-safe.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>

#include "omnikernel/ids.h"

namespace omni {

enum class PolicyOp : uint8_t {
  open,                // a new work item for a customer (submit)
  transfer,            // agent transfer to a queue or an agent
  transfer_by_tag,     // host-driven transfer by tag
  transfer_bulk,       // supervisor bulk management
  outbound_template,   // template / HSM message to the customer
  outbound_broadcast,  // broadcast to the customer
};

enum class ServiceId : uint16_t {};

// One of the customer's sessions that the kernel knows: an item queued, offered, active or paused.
struct SessionInfo {
  ItemId item;
  QueueId queue;
  ServiceId service;
  ChannelId channel;
};

struct PolicyRequest {
  PolicyOp op;
  CustomerId customer;
  bool is_bot = false;           // the session is (or would be) handled by a bot
  bool has_from = false;         // transfers: the item being moved
  ItemId from_item{};
  QueueId from_queue{};
  QueueId to_queue = kNoQueue;  // kNoQueue for outbound operations (they target a service)
  ServiceId to_service{};
  ChannelId to_channel{};
  // The customer's OTHER current sessions (a snapshot; never the item the request concerns —
  // for `open` the new item is already recorded, so two concurrent opens see each other).
  std::span<const SessionInfo> sessions;
};

struct PolicyVerdict {
  bool allow = true;
  // Static or policy-owned text that outlives the call (e.g. a string literal).
  std::string_view reason;
};

class PolicyHook {
 public:
  virtual ~PolicyHook() = default;
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;
  [[nodiscard]] virtual PolicyVerdict check(const PolicyRequest& request) noexcept = 0;
};

}  // namespace omni
