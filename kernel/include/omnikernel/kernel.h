// omni::Kernel — the routing kernel's public face. Start here.
//
// The host builds a Config, creates a Kernel with a Clock, and then calls the hot-path operations
// from any number of threads. Every hot-path call is lock-free and allocation-free: it returns a
// Status (or Result<T>) and publishes an Event for each transition it makes. Timers (push
// time-outs, wrap-up ends, the missed state) advance only when the host calls tick(now).
//
// Life cycle of a work item (DESIGN.md):
//   queued → offered → active ⇄ paused → (closed) wrap-up → done
//   offered → declined / push time-out → queued again (original arrival time kept)
//   queued/offered → abandoned; active/paused → transferred; queued/offered/active/paused → closed.
#pragma once
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "omnikernel/config.h"
#include "omnikernel/error.h"
#include "omnikernel/event.h"
#include "omnikernel/ids.h"
#include "omnikernel/policy.h"
#include "omnikernel/time.h"

namespace omni {

enum class ItemState : uint8_t { free = 0, queued, offered, active, paused, wrap_up };

// Supervisor's view of an agent (seed 003), derived from its status and its items.
enum class AgentActivity : uint8_t { offline, waiting, busy, paused, wrap_up, missed, away };

// One skill an item asks for (seed 002). Required when drop_after is zero; otherwise optional,
// dropped once the item has waited drop_after since its arrival (Salesforce "drop additional
// skills", Genesys bullseye rings): the item then goes to the broader set of qualified agents.
struct SkillRequirement {
  SkillId skill{};
  uint8_t min_level = 1;  // 1–10: an agent qualifies with a level at least this
  Duration drop_after{};  // 0 = required; at most 1 h
};

struct SubmitRequest {
  QueueId queue{};
  CustomerId customer{};
  bool is_bot = false;  // policies treat bot sessions like any other (seed 004)
  // Skills the item asks for, prepared once by prepare_requirements for this queue; 0 = none.
  RequirementsId requirements{};
  // Preferred (sticky) agent: the item is offered only to this agent for `preferred_wait`, then
  // to everyone eligible. Ignored when that agent could not take it at all (not a member or not
  // qualified, not online for the channel — "offline falls back at once") or when
  // limits.max_preferred_waiting items already wait for it. Going offline later ends the
  // preferences waiting for it at once. An unknown agent is Status::unknown_agent; a wait below
  // 0 or above 1 h is Status::invalid_preference.
  AgentId preferred = kNoAgent;
  Duration preferred_wait{};
  // Sticky by customer: when `preferred` is unset, prefer the agent who last accepted an item of
  // this customer (the kernel remembers it, see Kernel::last_agent), for `preferred_wait`, with
  // the same fall-backs. Nothing is preferred when the kernel does not remember one.
  bool prefer_last_agent = false;
};

struct ItemSnapshot {
  ItemState state = ItemState::free;
  QueueId queue{};
  AgentId agent = kNoAgent;
  CustomerId customer{};
  Time arrival{};
  int32_t held_milli = 0;   // capacity the item holds now (0 when queued or paused), 1/1000 units
  uint16_t paused_value = 0;
  uint64_t seq = 0;  // the item's version: +1 per transition (Event::seq of its last event)
  RequirementsId requirements{};
  uint8_t skills_dropped = 0;  // optional skills dropped so far
  AgentId preferred = kNoAgent;  // while it waits for its preferred agent only
};

struct AgentSnapshot {
  StatusId status{};
  AgentActivity activity = AgentActivity::offline;
  int32_t used_milli = 0;  // capacity held, 1/1000 units
  int32_t capacity_milli = 0;
  int32_t interruptible_used_milli = 0;
  int32_t interruptible_capacity_milli = 0;
  uint32_t open_items = 0;   // offered + active (paused items released their capacity; ≤ 255)
  uint32_t wrap_up_items = 0;
  bool missed = false;
};

// Kernel::explain: why each candidate agent has, or has not, got a waiting or offered item.
enum class CandidateVerdict : uint8_t {
  offered,        // the item is offered to this agent now
  could_take,     // eligible and has room: at quiescence a waiting item never sees this
  excluded,       // declined it / timed out on it / transferred it away: not first, for a while
  not_a_member,   // does not serve the item's queue (and its routing is not skills-based)
  not_qualified,  // lacks a skill the item still asks for, or has it below the minimum level
  not_routable,   // its status is not online for the item's channel
  missed,         // in the missed state after an unanswered offer
  too_many_open,  // holds the most open items an agent can (255)
  channel_limit,  // holds as many items of the item's channel as its presence config allows
  no_room,        // not enough free capacity for the item's size
  reserved,       // the item waits for its preferred agent only, for now
};

struct Candidate {
  AgentId agent{};
  CandidateVerdict verdict{};
  int32_t used_milli = 0;      // on the pool the item would use
  int32_t capacity_milli = 0;
  int32_t needed_milli = 0;    // the item's size on this agent
};

struct Explanation {
  ItemState state = ItemState::free;
  QueueId queue{};
  AgentId holder = kNoAgent;
  RequirementsId requirements{};
  uint8_t skills_dropped = 0;
  std::vector<Candidate> candidates;  // every agent, in configuration order
};

struct QueueSnapshot {
  uint32_t waiting = 0;            // items queued now (with those waiting for a preferred agent)
  std::optional<Time> oldest;      // arrival time of the oldest waiting item
};

struct KernelStats {
  // Times routing stopped because the event ring was full (back-pressure: it resumes on the next
  // poll_events). Events themselves are never dropped.
  uint64_t routing_deferred = 0;
  // Item slots taken out of service for good at the end of their 2^39 versions (never in practice).
  uint64_t slots_retired = 0;
};

class Kernel {
 public:
  // Validates `config` (errors name the field) and preallocates everything the hot path needs.
  // `clock` and every policy must outlive the kernel.
  [[nodiscard]] static std::expected<std::unique_ptr<Kernel>, ConfigError> create(
      const Config& config, const Clock& clock, std::span<PolicyHook* const> policies = {});
  // Recovery: create(config), then install `image` (omnikernel/image.h says what becomes of each
  // state), then route what can be routed. Errors name the image's field ("image.items[3].agent")
  // and change nothing: a kernel is returned only when the whole image was installed.
  [[nodiscard]] static std::expected<std::unique_ptr<Kernel>, ConfigError> restore(
      const Config& config, const Clock& clock, const struct KernelImage& image,
      std::span<PolicyHook* const> policies = {});
  virtual ~Kernel() = default;

  // ---- control plane: names ⇄ ids (not hot) -------------------------------------------------
  [[nodiscard]] virtual std::optional<QueueId> find_queue(std::string_view name) const = 0;
  [[nodiscard]] virtual std::optional<AgentId> find_agent(std::string_view name) const = 0;
  [[nodiscard]] virtual std::optional<StatusId> find_status(std::string_view name) const = 0;
  [[nodiscard]] virtual std::optional<ChannelId> find_channel(std::string_view name) const = 0;
  [[nodiscard]] virtual std::optional<ServiceId> find_service(std::string_view name) const = 0;
  [[nodiscard]] virtual std::optional<FlowId> find_flow(std::string_view name) const = 0;
  [[nodiscard]] virtual std::optional<SkillId> find_skill(std::string_view name) const = 0;
  // Prepares a skill requirement set for items of `queue` (control plane: it may allocate and it
  // serialises with other preparations, but never blocks routing threads). The kernel builds, for
  // the set and for each broader set left after optional skills drop, a class of the agents
  // qualified for it — once: submits then route by it in O(1), without scanning agents. The
  // same set prepared again returns the same id. 1–8 skills per set; errors are typed.
  [[nodiscard]] virtual Result<RequirementsId> prepare_requirements(
      QueueId queue, std::span<const SkillRequirement> skills) = 0;
  // What a host does once a live change is certain to be taken, before it is published: the
  // journal makes it durable here. It gets the configuration that will be in force
  // (live_successor(config(), next)); an error it returns refuses the change, nothing changed.
  using BeforePublish = std::function<std::optional<ConfigError>(const Config& successor)>;
  // Live change (issue 10): replaces the configuration while routing goes on. The configuration
  // put in force is live_successor(config(), next) — entries matched by name keep their place,
  // new ones are appended up to the preallocated room, left-out ones become removed tombstones —
  // validated whole (errors name the field) and checked against the running kernel: a queue is
  // removed only when nothing waits in it or is offered from it, an agent only when it holds
  // nothing, a status only when nobody is in it. docs/OPERATIONS.md "Live changes" lists what may
  // change and what becomes of items and agents. All or nothing: on an error nothing changed.
  // Control plane: it may allocate, and it waits (never blocking routing threads) until no
  // operation still reads the old configuration; every operation that starts after it returns
  // sees the new one whole. Not from inside a policy hook of this kernel.
  [[nodiscard]] virtual std::expected<void, ConfigError> reconfigure(const Config& next,
                                                                    const BeforePublish& before_publish = {}) = 0;
  // The checks of reconfigure alone: empty when `next` would be taken now. (A removal it allows
  // may still be refused by reconfigure when work arrives meanwhile: record a change from
  // reconfigure's before_publish, as DurableKernel does, not after this.)
  [[nodiscard]] virtual std::optional<ConfigError> validate_reconfigure(const Config& next) const = 0;
  // Decline reasons belong to the agent's effective presence configuration.
  [[nodiscard]] virtual std::optional<DeclineReasonId> find_decline_reason(
      AgentId agent, std::string_view reason) const = 0;
  [[nodiscard]] virtual std::optional<PausedValueId> find_paused_value(
      ChannelId channel, std::string_view value) const = 0;
  // The configuration in force: a live change (reconfigure) replaces it, so the caller shares
  // ownership of the version it got.
  [[nodiscard]] virtual std::shared_ptr<const Config> config() const noexcept = 0;
  [[nodiscard]] virtual uint32_t agent_count() const noexcept = 0;
  [[nodiscard]] virtual uint32_t queue_count() const noexcept = 0;

  // ---- hot path: lock-free, allocation-free -------------------------------------------------
  // Queues the item and, if an eligible agent has room, offers it within this call.
  [[nodiscard]] virtual Result<ItemId> submit(const SubmitRequest& request) noexcept = 0;
  [[nodiscard]] virtual Status accept(ItemId item, AgentId agent) noexcept = 0;
  [[nodiscard]] virtual Status decline(ItemId item, AgentId agent,
                                       std::optional<DeclineReasonId> reason = {}) noexcept = 0;
  // active → paused: releases the item's capacity exactly once (seed 000).
  [[nodiscard]] virtual Status pause(ItemId item, PausedValueId value) noexcept = 0;
  // paused → active: consumes the capacity again, per the agent's ResumeRule.
  [[nodiscard]] virtual Status resume(ItemId item) noexcept = 0;
  // active/paused → wrap-up (or done when no wrap-up time); queued/offered → done.
  [[nodiscard]] virtual Status close(ItemId item) noexcept = 0;
  // wrap-up → done before the after-conversation time runs out.
  [[nodiscard]] virtual Status end_wrap_up(ItemId item) noexcept = 0;
  // queued/offered → done: the customer left.
  [[nodiscard]] virtual Status abandon(ItemId item) noexcept = 0;
  [[nodiscard]] virtual Status transfer_to_queue(ItemId item, QueueId queue,
                                                 PolicyOp how = PolicyOp::transfer) noexcept = 0;
  [[nodiscard]] virtual Status transfer_to_agent(ItemId item, AgentId agent) noexcept = 0;
  // The item leaves the kernel for a host flow (bot, IVR…): done, with a `transferred` event.
  [[nodiscard]] virtual Status transfer_to_flow(ItemId item, FlowId flow) noexcept = 0;
  [[nodiscard]] virtual Status set_status(AgentId agent, StatusId status) noexcept = 0;
  // Outbound template / broadcast to a customer in a service: policies decide.
  [[nodiscard]] virtual PolicyVerdict check_outbound(CustomerId customer, ServiceId service,
                                                     PolicyOp op) noexcept = 0;
  // Why the last Status::policy_refused on this thread was refused (the policy's text).
  [[nodiscard]] static std::string_view last_policy_reason() noexcept;

  // ---- timers ---------------------------------------------------------------------------------
  // Fires every push time-out, wrap-up end and missed-state end due at or before `now`, which is
  // the kernel's clock's time (new deadlines set while firing are counted from clock.now()).
  // One thread at a time: a concurrent call returns Status::busy and does nothing. Returns
  // Status::events_full when some due timers could not fire for lack of event room: they stay
  // due and fire on a tick after the host drains (everything else due has fired).
  [[nodiscard]] virtual Status tick(Time now) noexcept = 0;

  // ---- events -------------------------------------------------------------------------------
  // Copies up to out.size() pending events into `out`, oldest first; returns how many. One thread
  // drains at a time: a concurrent call returns 0 at once. Draining gives the ring's room back,
  // and routing that stopped because the ring was full (Status::events_full) resumes here.
  [[nodiscard]] virtual size_t poll_events(std::span<Event> out) noexcept = 0;

  // ---- observation (lock-free reads; a snapshot may be a moment stale under concurrency) -----
  [[nodiscard]] virtual Result<ItemSnapshot> item(ItemId item) const noexcept = 0;
  [[nodiscard]] virtual Result<AgentSnapshot> agent(AgentId agent) const noexcept = 0;
  [[nodiscard]] virtual Result<QueueSnapshot> queue(QueueId queue) const noexcept = 0;
  [[nodiscard]] virtual KernelStats stats() const noexcept = 0;
  // Why a waiting or offered item is where it is: each agent with the reason it was or was not
  // chosen. Off the hot path (it allocates, O(agents)); a moment's snapshot under concurrency.
  // unknown_item for ids never issued or recycled; wrong_state for items not queued or offered.
  [[nodiscard]] virtual Result<Explanation> explain(ItemId item) const = 0;
  // The agent who last accepted an item of this customer, if the kernel still remembers: a
  // bounded memory of limits.remembered_customers entries, where a customer may be forgotten when
  // another takes its entry (a lost hint: the submit then routes as if none were preferred).
  [[nodiscard]] virtual std::optional<AgentId> last_agent(CustomerId customer) const noexcept = 0;
  // Copies the customer's sessions into `out`; returns how many there are, all of them (may
  // exceed out.size()).
  [[nodiscard]] virtual size_t sessions_of(CustomerId customer,
                                           std::span<SessionInfo> out) const noexcept = 0;
};

[[nodiscard]] std::string_view to_string(ItemState s) noexcept;
[[nodiscard]] std::string_view to_string(AgentActivity a) noexcept;
[[nodiscard]] std::string_view to_string(EventType t) noexcept;
[[nodiscard]] std::string_view to_string(CandidateVerdict v) noexcept;

}  // namespace omni
