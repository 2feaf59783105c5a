// JournalModel — the live state of a kernel as plain values, rebuilt from its journal: the
// kernel's events (and the control records) applied in journal order, every transition checked.
// Recovery turns it into a KernelImage (model_image), snapshots serialise it (snapshot_codec).
//
// Why a model and not a replay through a kernel: a replay would re-run routing decisions (and
// policies) that need not come out the same; the events already say what happened.
//
// Ordering. Events of different threads reach the ring in the order their threads pushed them,
// which for one item need not be its transition order (a thread may win the item's CAS, then be
// preempted before it pushes the event while another thread moves the item on). Event::seq is
// the item's version after the transition, so the model applies each item's events in seq order:
// one that arrives ahead of its predecessor waits (pending) until the predecessor arrives. A crash
// can leave a predecessor out of the journal for good; settle() then applies what waits as a
// jump to the state the event names (the state the kernel was in when the record was written).
// Agent events carry no version and are applied in journal order.
//
// Groups. A few transitions publish two events with the same seq: closed+done, abandoned+done,
// expired+done, wrap_up_ended+done, transferred+done (to a flow), transferred+offered (to an
// agent). The model applies the first as a state that the second completes: `ending` (done
// follows) and `transferring` (queued in the event's queue, unless offered or done follows).
//
// Every illegal transition — an event for an item never submitted, a submit twice, a stale or
// duplicated version, a state the event cannot leave from, an agent/queue/status out of range —
// is a ModelError naming the record's LSN: a corrupt or mis-ordered journal stops recovery with
// a clear error, never a silently partial state.
//
// Not thread-safe: one thread (the drainer, or recovery) owns a model.
#pragma once
#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "omnikernel/config.h"
#include "omnikernel/durable/records.h"
#include "omnikernel/event.h"
#include "omnikernel/image.h"
#include "omnikernel/journal/types.h"

namespace omni::durable {

enum class ModelState : uint8_t {
  queued,
  offered,
  active,
  paused,
  wrap_up,
  transferring,  // transferred: queued in `queue`, unless the same-seq offered/done follows
  ending,        // closed/abandoned/expired/wrap-up ended: its done follows (same seq)
};
[[nodiscard]] std::string_view to_string(ModelState s) noexcept;

struct ModelItem {
  ItemId id{};
  ModelState state = ModelState::queued;
  QueueId queue{};
  AgentId agent = kNoAgent;  // offered, active, paused, wrap_up (and the transferring agent)
  CustomerId customer{};
  bool is_bot = false;
  RequirementsId requirements{};
  uint8_t skills_dropped = 0;
  Time arrival{};
  Time since{};  // when it entered its state (wrap-up: its close)
  uint16_t paused_value = 0;
  uint64_t version = 0;  // Event::seq of the last event applied
  EventType last = EventType::submitted;
  uint64_t transfer_seq = 0;  // version of its last transfer (a late agent-transfer offered is implied)
};

struct ModelAgent {
  StatusId status{};
  bool missed = false;
  Time missed_since{};
  Time idle_since{};
  bool touched = false;  // an event named it (untouched agents keep their configured status)
};

struct PendingEvent {
  journal::Lsn lsn = 0;
  Event event{};
};

// Everything a model holds, as plain data (what a snapshot stores).
struct ModelData {
  std::unordered_map<uint64_t, ModelItem> items;                   // by ItemId
  std::unordered_map<uint64_t, std::vector<PendingEvent>> pending;  // by ItemId, ahead of order
  std::vector<ModelAgent> agents;                                  // one per configured agent
  std::vector<RestoredRequirements> requirement_sets;              // id = index + 1
  struct LastAgent {
    AgentId agent{};
    uint64_t stamp = 0;  // order of the accepts, to keep the newest when trimming
  };
  std::unordered_map<uint64_t, LastAgent> last_agents;  // by CustomerId
  uint64_t last_agent_stamp = 0;
  uint64_t highest_seq = 0;
  Time last_event_time{};
  journal::Lsn last_lsn = 0;  // the last record applied
};

struct ModelError {
  journal::Lsn lsn = 0;
  ItemId item{};  // zero when the record is not about an item
  std::string reason;
  [[nodiscard]] std::string message() const;
};

class JournalModel {
 public:
  // The configuration gives the agents, their initial statuses and which statuses are online.
  explicit JournalModel(const Config& config);
  JournalModel(const Config& config, ModelData data);

  // One record's events, in order. Stops at the first illegal one.
  [[nodiscard]] std::expected<void, ModelError> apply_events(journal::Lsn lsn, std::span<const Event> events);
  [[nodiscard]] std::expected<void, ModelError> apply(journal::Lsn lsn, const Event& event);
  [[nodiscard]] std::expected<void, ModelError> apply_requirements(journal::Lsn lsn, const RequirementsRecord& r);
  // A live change: the configuration from here on (a Kernel::reconfigure keeps every id in place,
  // so the state is unchanged; statuses' kinds and the limits the model reads may differ).
  // Agents hired live are appended with their configured status.
  void reconfigure(const Config& next);
  // The journal ends here: events still waiting for a predecessor that will never come are
  // applied as jumps (see Ordering above). Call before image().
  [[nodiscard]] std::expected<void, ModelError> settle();

  // The image Kernel::restore installs (omnikernel/image.h), with `shift` added to every time.
  // Transferring items are queued; ending items (their done was cut off) are gone.
  [[nodiscard]] KernelImage image(Duration shift) const;
  // What Kernel::restore did to the kernel: every item one version on, offered items queued
  // again, every time shifted. The model then matches the restored kernel.
  void restored(Duration shift);
  // Records up to here were applied (snapshots say what they cover).
  void set_last_lsn(journal::Lsn lsn) noexcept { data_.last_lsn = lsn; }

  [[nodiscard]] const ModelData& data() const noexcept { return data_; }
  [[nodiscard]] const Config& config() const noexcept { return config_; }
  [[nodiscard]] size_t pending_events() const noexcept;

 private:
  [[nodiscard]] std::expected<void, ModelError> apply_item(journal::Lsn lsn, const Event& e, bool jump);
  [[nodiscard]] std::expected<void, ModelError> apply_agent(journal::Lsn lsn, const Event& e);
  [[nodiscard]] std::expected<void, ModelError> flush_pending(journal::Lsn lsn, uint64_t item);
  void remember(CustomerId customer, AgentId agent);
  void mark_idle(AgentId agent, Time at);
  [[nodiscard]] bool online(StatusId s) const noexcept;

  Config config_;
  ModelData data_;
};

}  // namespace omni::durable
