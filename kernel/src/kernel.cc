// The hot path. Every operation of omni::Kernel is here, in the order of an item's life.
//
// Three kinds of atomic state decide everything:
//   ItemSlot::word   (ItemWord)  — an item's state; each transition is one CAS, so exactly one of
//                                  two racing calls wins and only the winner touches capacity.
//   AgentSlot::word  (AgentWord) — an agent's used capacity, open items and status; an offer is a
//                                  CAS that checks "routable and has room" and takes the room at once,
//                                  so routing can never put an agent over capacity.
//   QueueSlot lanes + AgentIndex — where the waiting items are, and which agents can take one.
//
// Lost wake-ups. An item arriving and an agent freeing capacity at the same moment must not miss
// each other. The arriving side publishes the item (lane push, then `waiting` +1) and then looks in
// the AgentIndex; the freeing side changes its AgentWord, publishes itself in the AgentIndex, then
// reads `waiting`. Both the index and `waiting` are accessed seq_cst, so in the single total order
// one of the two reads comes after the other side's write: either the item sees the agent, or the
// agent sees the item (Dekker). Whoever sees the other makes the offer.
//
// Lock-freedom: no operation waits for another thread. CAS loops retry only when another thread's
// CAS succeeded (system-wide progress). The one exception is inherited from the bounded ring: a
// thread stalled between claiming a lane cell and publishing it holds up that cell one lap later;
// the lanes have 2× headroom over max_waiting so that needs a stall of a full lap.
//
// Allocation: none after Kernel::create — items, timers, events, lanes and indexes are
// preallocated from the limits in the configuration.
#include <algorithm>
#include <cstring>
#include <string>

#include "kernel_impl.h"

namespace omni {
namespace internal {
namespace {

thread_local std::string_view t_last_policy_reason;

constexpr int64_t ns(Time t) { return t.time_since_epoch().count(); }

// A customer's sessions a policy gets to see (a customer may span two table slots).
constexpr size_t kSessionsSeen = 2 * CustomerTable::kSessions;

// Default decline exclusion when the routing config has no push time-out.
constexpr Duration kDefaultExclusion = std::chrono::seconds(30);

class KernelImpl final : public Kernel {
 public:
  KernelImpl(ResolvedConfig cfg, const Clock& clock, std::span<PolicyHook* const> policies)
      : cfg_(std::move(cfg)),
        clock_(clock),
        policies_(policies.begin(), policies.end()),
        items_(std::make_unique<ItemSlot[]>(cfg_.source.limits.max_items)),
        free_slots_(cfg_.source.limits.max_items),
        agents_(std::make_unique<AgentSlot[]>(std::max<size_t>(cfg_.agents.size(), 1))),
        customers_(cfg_.source.limits.max_customers),
        events_(cfg_.source.limits.event_capacity),
        // Per item at most one live push time-out or wrap-up end and one exclusion end, plus
        // stale time-outs of offers answered since (each offer schedules one); ×6 covers
        // answer-then-re-offer churn within one push time-out. Per agent one missed-state end,
        // ×2 for the same reason.
        timers_(6 * cfg_.source.limits.max_items + 2 * static_cast<uint32_t>(cfg_.agents.size()) + 64,
                cfg_.source.limits.timer_resolution, clock.now()) {
    for (uint32_t i = 0; i < cfg_.source.limits.max_items; ++i) (void)free_slots_.try_push(i);
    queues_.reserve(cfg_.queues.size());
    for (const auto& q : cfg_.queues)
      queues_.push_back(std::make_unique<QueueSlot>(q.max_waiting, static_cast<uint32_t>(q.members.size())));
    for (uint32_t a = 0; a < cfg_.agents.size(); ++a) {
      agents_[a].word.store(AgentWord{}.with_status(cfg_.agents[a].initial_status).raw,
                            std::memory_order_relaxed);
      publish(a);
    }
  }

  // ---- control plane ---------------------------------------------------------------------------
  template <class Id>
  static std::optional<Id> find(const std::unordered_map<std::string, uint32_t>& m, std::string_view n) {
    auto it = m.find(std::string(n));
    if (it == m.end()) return std::nullopt;
    return Id{static_cast<std::underlying_type_t<Id>>(it->second)};
  }
  std::optional<QueueId> find_queue(std::string_view n) const override { return find<QueueId>(cfg_.queue_by_name, n); }
  std::optional<AgentId> find_agent(std::string_view n) const override { return find<AgentId>(cfg_.agent_by_name, n); }
  std::optional<StatusId> find_status(std::string_view n) const override { return find<StatusId>(cfg_.status_by_name, n); }
  std::optional<ChannelId> find_channel(std::string_view n) const override { return find<ChannelId>(cfg_.channel_by_name, n); }
  std::optional<ServiceId> find_service(std::string_view n) const override { return find<ServiceId>(cfg_.service_by_name, n); }
  std::optional<FlowId> find_flow(std::string_view n) const override { return find<FlowId>(cfg_.flow_by_name, n); }
  std::optional<DeclineReasonId> find_decline_reason(AgentId agent, std::string_view reason) const override {
    if (index(agent) >= cfg_.agents.size()) return std::nullopt;
    const auto& reasons = presence_of(index(agent)).reasons;
    auto it = std::find(reasons.begin(), reasons.end(), reason);
    if (it == reasons.end()) return std::nullopt;
    return DeclineReasonId{static_cast<uint16_t>(it - reasons.begin())};
  }
  std::optional<PausedValueId> find_paused_value(ChannelId channel, std::string_view value) const override {
    if (index(channel) >= cfg_.channels.size()) return std::nullopt;
    const auto& values = cfg_.channels[index(channel)].paused_values;
    auto it = std::find(values.begin(), values.end(), value);
    if (it == values.end()) return std::nullopt;
    return PausedValueId{static_cast<uint16_t>(it - values.begin())};
  }
  const Config& config() const noexcept override { return cfg_.source; }
  uint32_t agent_count() const noexcept override { return static_cast<uint32_t>(cfg_.agents.size()); }
  uint32_t queue_count() const noexcept override { return static_cast<uint32_t>(cfg_.queues.size()); }

  // ---- submit: O(1) + one routing attempt (see dispatch) ---------------------------------------
  Result<ItemId> submit(const SubmitRequest& req) noexcept override {
    const uint32_t q = index(req.queue);
    if (q >= cfg_.queues.size()) return std::unexpected(Status::unknown_queue);
    QueueSlot& queue = *queues_[q];
    if (!acquire_occupancy(queue, q)) return std::unexpected(Status::queue_full);
    uint32_t slot;
    if (!free_slots_.try_pop(slot)) {
      release_occupancy(queue);
      return std::unexpected(Status::items_exhausted);
    }
    ItemSlot& item = items_[slot];
    const Time now = clock_.now();
    const ItemWord old{item.word.load(std::memory_order_relaxed)};
    const uint32_t incarnation = (old.incarnation() + 1) & ItemWord::kIncarnationMask;
    const ItemId id = make_item_id(slot, incarnation);
    item.queue.store(q, std::memory_order_relaxed);
    item.held.store(0, std::memory_order_relaxed);
    item.interruptible.store(false, std::memory_order_relaxed);
    item.is_bot.store(req.is_bot, std::memory_order_relaxed);
    item.paused_value.store(0, std::memory_order_relaxed);
    item.arrival.store(ns(now), std::memory_order_relaxed);
    item.customer.store(index(req.customer), std::memory_order_relaxed);
    item.excluded_agent.store(UINT32_MAX, std::memory_order_relaxed);
    // release: the fields above are visible to whoever acquires this word (poppers, observers).
    const ItemWord queued = ItemWord::make(incarnation, 0, ItemState::queued, ItemWord::kNoAgent);
    item.word.store(queued.raw, std::memory_order_release);

    // The session is recorded before the policy looks, so two concurrent opens for one customer
    // see each other (both may be refused; neither slips through).
    const uint64_t customer = index(req.customer);
    if (customer != 0 && !customers_.add(customer, index(id))) {
      retire_unpublished(item, slot, queue);
      return std::unexpected(Status::customers_exhausted);
    }
    if (!policies_.empty()) {
      PolicyRequest pr{};
      pr.op = PolicyOp::open;
      pr.customer = req.customer;
      pr.is_bot = req.is_bot;
      pr.to_queue = req.queue;
      pr.to_service = ServiceId{cfg_.queues[q].service};
      pr.to_channel = ChannelId{cfg_.queues[q].channel};
      if (!policies_allow(pr, id)) {
        if (customer != 0) customers_.remove(customer, index(id));
        retire_unpublished(item, slot, queue);
        return std::unexpected(Status::policy_refused);
      }
    }
    emit(now, id, kNoAgent, q, EventType::submitted, 0, 0);
    // Direct hand-off: nothing waits here and a member has room, so the item skips the lane.
    // (Nobody is overtaken: an item queued concurrently is still offered by the Dekker path.)
    if (queue.waiting.load(std::memory_order_seq_cst) <= 0 && hand_off(id, item, queued, q, now)) return id;
    push_lane(queue.fresh, index(id));
    queue.waiting.fetch_add(1, std::memory_order_seq_cst);  // Dekker: publish, then look
    dispatch(q);
    return id;
  }

  // ---- accept: offered → active, O(1) ----------------------------------------------------------
  Status accept(ItemId id, AgentId agent) noexcept override {
    const auto [found, item, w] = load_item(id);
    if (found != Status::ok) return found;
    if (index(agent) >= cfg_.agents.size()) return Status::unknown_agent;
    if (w.state() != ItemState::offered) return Status::wrong_state;
    if (w.agent() != index(agent)) return Status::not_offered_to_agent;
    const ItemWord active = w.next(ItemState::active, w.agent());
    if (!cas_item(*item, w, active)) return Status::wrong_state;
    const uint32_t q = item->queue.load(std::memory_order_relaxed);
    release_occupancy(*queues_[q]);  // the item has left its queue for good
    emit(clock_.now(), id, agent, q, EventType::accepted, active.seq(), 0);
    return Status::ok;
  }

  // ---- decline: offered → queued (retry lane), O(memberships) ----------------------------------
  Status decline(ItemId id, AgentId agent, std::optional<DeclineReasonId> reason) noexcept override {
    const auto [found, item, w] = load_item(id);
    if (found != Status::ok) return found;
    const uint32_t a = index(agent);
    if (a >= cfg_.agents.size()) return Status::unknown_agent;
    if (w.state() != ItemState::offered) return Status::wrong_state;
    if (w.agent() != a) return Status::not_offered_to_agent;
    const PresenceInfo& pc = presence_of(a);
    if (pc.auto_accept || !pc.allow_decline) return Status::decline_not_allowed;
    if (reason && index(*reason) >= pc.reasons.size()) return Status::unknown_reason;
    if (!reason && pc.reasons_required) return Status::reason_required;
    return requeue(id, *item, w, EventType::declined, reason ? index(*reason) : kNoReason,
                   pc.status_on_decline, Duration{});
  }

  // ---- pause / resume: the seed-000 capacity release, O(memberships) ---------------------------
  Status pause(ItemId id, PausedValueId value) noexcept override {
    const auto [found, item, w] = load_item(id);
    if (found != Status::ok) return found;
    const uint32_t q = item->queue.load(std::memory_order_relaxed);
    if (index(value) >= cfg_.channels[cfg_.queues[q].channel].paused_values.size())
      return Status::unknown_reason;
    if (w.state() != ItemState::active) return Status::wrong_state;
    const ItemWord paused = w.next(ItemState::paused, w.agent());
    if (!cas_item(*item, w, paused)) return Status::wrong_state;  // a racing pause/close won
    item->paused_value.store(index(value), std::memory_order_relaxed);
    // Only the winner of the CAS above gets here: the capacity is released exactly once.
    release_capacity(w.agent(), *item, /*open=*/true);
    emit(clock_.now(), id, AgentId{w.agent()}, q, EventType::paused, paused.seq(), index(value));
    agent_freed(w.agent());
    return Status::ok;
  }

  Status resume(ItemId id) noexcept override {
    const auto [found, item, w] = load_item(id);
    if (found != Status::ok) return found;
    if (w.state() != ItemState::paused) return Status::wrong_state;
    const uint32_t a = w.agent();
    // Take the capacity first, then the state: if the state CAS loses, give the capacity back.
    if (!consume_again(a, *item, /*open=*/true)) return Status::no_capacity;
    const ItemWord active = w.next(ItemState::active, a);
    if (!cas_item(*item, w, active)) {
      release_capacity(a, *item, /*open=*/true);
      agent_freed(a);
      return Status::wrong_state;
    }
    emit(clock_.now(), id, AgentId{a}, item->queue.load(std::memory_order_relaxed), EventType::resumed,
         active.seq(), 0);
    return Status::ok;
  }

  // ---- close / wrap-up / abandon ---------------------------------------------------------------
  Status close(ItemId id) noexcept override {
    const auto [found, item, w] = load_item(id);
    if (found != Status::ok) return found;
    switch (w.state()) {
      case ItemState::queued:
      case ItemState::offered:
        return leave(id, *item, w, EventType::closed);
      case ItemState::active:
      case ItemState::paused:
        return close_conversation(id, *item, w);
      default:
        return Status::wrong_state;
    }
  }

  Status end_wrap_up(ItemId id) noexcept override {
    const auto [found, item, w] = load_item(id);
    if (found != Status::ok) return found;
    if (w.state() != ItemState::wrap_up) return Status::wrong_state;
    return finish_wrap_up(id, *item, w) ? Status::ok : Status::wrong_state;
  }

  Status abandon(ItemId id) noexcept override {
    const auto [found, item, w] = load_item(id);
    if (found != Status::ok) return found;
    if (w.state() != ItemState::queued && w.state() != ItemState::offered) return Status::wrong_state;
    return leave(id, *item, w, EventType::abandoned);
  }

  // ---- transfers ---------------------------------------------------------------------------
  Status transfer_to_queue(ItemId id, QueueId to, PolicyOp how) noexcept override {
    const auto [found, item, w] = load_item(id);
    if (found != Status::ok) return found;
    const uint32_t q2 = index(to);
    if (q2 >= cfg_.queues.size()) return Status::unknown_queue;
    if (w.state() != ItemState::active && w.state() != ItemState::paused) return Status::wrong_state;
    const PresenceInfo& pc = presence_of(w.agent());
    if (!pc.transfer_anywhere && !pc.transfer_queues[q2]) return Status::not_a_destination;
    if (how != PolicyOp::transfer && how != PolicyOp::transfer_by_tag && how != PolicyOp::transfer_bulk)
      return Status::wrong_state;
    if (!transfer_allowed(id, *item, how, q2)) return Status::policy_refused;
    QueueSlot& dest = *queues_[q2];
    if (!acquire_occupancy(dest, q2)) return Status::queue_full;
    // queued directly from active/paused: the item leaves its agent and enters the new queue as a
    // new arrival there. The queue field is written before the CAS (release) that publishes it;
    // nothing reads the queue of an active/paused item on the hot path except transfers and
    // events, and a losing transfer restores it below.
    const uint32_t q1 = item->queue.load(std::memory_order_relaxed);
    const Time now = clock_.now();
    const ItemWord queued = w.next(ItemState::queued);
    item->queue.store(q2, std::memory_order_relaxed);
    item->arrival.store(ns(now), std::memory_order_relaxed);
    // Like a decline: not straight back to the agent who moved it, while someone else can take it.
    const Duration push_timeout = cfg_.routings[cfg_.queues[q2].routing].push_timeout;
    item->excluded_agent.store(w.agent(), std::memory_order_relaxed);
    item->excluded_until.store(ns(now + (push_timeout.count() > 0 ? push_timeout : kDefaultExclusion)),
                               std::memory_order_relaxed);
    if (!cas_item(*item, w, queued)) {
      item->queue.store(q1, std::memory_order_relaxed);
      release_occupancy(dest);
      return Status::wrong_state;
    }
    if (w.state() == ItemState::active) release_capacity(w.agent(), *item, /*open=*/true);
    push_lane(dest.fresh, index(id));
    dest.waiting.fetch_add(1, std::memory_order_seq_cst);
    (void)timers_.schedule({TimerKind::exclusion_end, q2, 0,
                            Time{Duration{item->excluded_until.load(std::memory_order_relaxed)}}});
    emit(now, id, AgentId{w.agent()}, q2, EventType::transferred, queued.seq(), 0);
    agent_freed(w.agent());
    dispatch(q2);
    return Status::ok;
  }

  Status transfer_to_agent(ItemId id, AgentId to) noexcept override {
    const auto [found, item, w] = load_item(id);
    if (found != Status::ok) return found;
    const uint32_t b = index(to);
    if (b >= cfg_.agents.size()) return Status::unknown_agent;
    if (w.state() != ItemState::active && w.state() != ItemState::paused) return Status::wrong_state;
    if (b == w.agent()) return Status::wrong_state;
    const PresenceInfo& pc = presence_of(w.agent());
    const int32_t profile = cfg_.agents[b].profile;
    if (!pc.transfer_anywhere && (profile < 0 || !pc.transfer_profiles[profile])) return Status::not_a_destination;
    const uint32_t q = item->queue.load(std::memory_order_relaxed);
    if (!transfer_allowed(id, *item, PolicyOp::transfer, q)) return Status::policy_refused;
    QueueSlot& queue = *queues_[q];
    // An offer holds a unit of its queue's occupancy: a decline sends it back there.
    if (!acquire_occupancy(queue, q)) return Status::queue_full;
    const int32_t size = size_for(q, b);
    const bool interruptible = uses_interruptible(q, b);
    if (!reserve(b, q, size, interruptible)) {
      release_occupancy(queue);
      return Status::no_capacity;
    }
    const int32_t old_held = item->held.load(std::memory_order_relaxed);
    const bool old_int = item->interruptible.load(std::memory_order_relaxed);
    const ItemWord offered = w.next(ItemState::offered, b);
    item->held.store(size, std::memory_order_relaxed);
    item->interruptible.store(interruptible, std::memory_order_relaxed);
    if (!cas_item(*item, w, offered)) {
      item->held.store(old_held, std::memory_order_relaxed);
      item->interruptible.store(old_int, std::memory_order_relaxed);
      release_amount(b, size, interruptible, /*open=*/true);
      agent_freed(b);
      release_occupancy(queue);
      return Status::wrong_state;
    }
    if (w.state() == ItemState::active) release_amount(w.agent(), old_held, old_int, /*open=*/true);
    const Time now = clock_.now();
    emit(now, id, AgentId{w.agent()}, q, EventType::transferred, offered.seq(), 0);
    after_offer(id, *item, offered, b, q, now);
    agent_freed(w.agent());
    return Status::ok;
  }

  Status transfer_to_flow(ItemId id, FlowId flow) noexcept override {
    const auto [found, item, w] = load_item(id);
    if (found != Status::ok) return found;
    if (index(flow) >= cfg_.flows.size()) return Status::unknown_reason;
    if (w.state() != ItemState::active && w.state() != ItemState::paused) return Status::wrong_state;
    const PresenceInfo& pc = presence_of(w.agent());
    if (!pc.transfer_anywhere && !pc.transfer_flows[index(flow)]) return Status::not_a_destination;
    const ItemWord gone = w.next(ItemState::free);
    if (!cas_item(*item, w, gone)) return Status::wrong_state;
    if (w.state() == ItemState::active) release_capacity(w.agent(), *item, /*open=*/true);
    const uint32_t q = item->queue.load(std::memory_order_relaxed);
    const Time now = clock_.now();
    emit(now, id, AgentId{w.agent()}, q, EventType::transferred, gone.seq(), index(flow));
    emit(now, id, AgentId{w.agent()}, q, EventType::done, gone.seq(), 0);
    retire(id, *item);
    agent_freed(w.agent());
    return Status::ok;
  }

  // ---- presence -------------------------------------------------------------------------------
  Status set_status(AgentId agent, StatusId status) noexcept override {
    const uint32_t a = index(agent);
    if (a >= cfg_.agents.size()) return Status::unknown_agent;
    if (index(status) >= cfg_.statuses.size()) return Status::unknown_status;
    AgentSlot& slot = agents_[a];
    uint64_t raw = slot.word.load(std::memory_order_acquire);
    AgentWord next;
    do {  // a status chosen by the agent also ends the missed state
      next = AgentWord{raw}.with_status(index(status)).with_missed(false);
    } while (!slot.word.compare_exchange_weak(raw, next.raw, std::memory_order_acq_rel,
                                              std::memory_order_acquire));
    emit(clock_.now(), ItemId{}, agent, QueueId{}, EventType::agent_status, 0, index(status));
    agent_freed(a);
    return Status::ok;
  }

  PolicyVerdict check_outbound(CustomerId customer, ServiceId service, PolicyOp op) noexcept override {
    if (op != PolicyOp::outbound_template && op != PolicyOp::outbound_broadcast)
      return {false, "check_outbound takes outbound_template or outbound_broadcast"};
    if (index(service) >= cfg_.services.size()) return {false, "unknown service"};
    PolicyRequest pr{};
    pr.op = op;
    pr.customer = customer;
    pr.to_service = service;
    if (policies_allow(pr, ItemId{})) return {};
    return {false, t_last_policy_reason};
  }

  // ---- timers: O(due timers + buckets passed) ----------------------------------------------
  Status tick(Time now) noexcept override {
    if (ticking_.exchange(true, std::memory_order_acquire)) return Status::busy;
    timers_.advance(now, [&](const TimerFire& t) { fire(t, now); });
    ticking_.store(false, std::memory_order_release);
    return Status::ok;
  }

  size_t poll_events(std::span<Event> out) noexcept override {
    size_t n = 0;
    while (n < out.size() && events_.try_pop(out[n])) ++n;
    return n;
  }

  // ---- observation ---------------------------------------------------------------------------
  Result<ItemSnapshot> item(ItemId id) const noexcept override {
    const uint32_t slot = slot_of(id);
    if (slot >= cfg_.source.limits.max_items) return std::unexpected(Status::unknown_item);
    const ItemSlot& item = items_[slot];
    const ItemWord w{item.word.load(std::memory_order_acquire)};
    if (w.incarnation() != (incarnation_of(id) & ItemWord::kIncarnationMask) || incarnation_of(id) == 0)
      return std::unexpected(Status::unknown_item);
    ItemSnapshot s;
    s.state = w.state();
    s.queue = QueueId{item.queue.load(std::memory_order_relaxed)};
    s.agent = w.agent() == ItemWord::kNoAgent ? kNoAgent : AgentId{w.agent()};
    s.customer = CustomerId{item.customer.load(std::memory_order_relaxed)};
    s.arrival = Time{Duration{item.arrival.load(std::memory_order_relaxed)}};
    const bool holds = s.state == ItemState::offered || s.state == ItemState::active || s.state == ItemState::wrap_up;
    s.held_milli = holds ? item.held.load(std::memory_order_relaxed) : 0;
    s.paused_value = item.paused_value.load(std::memory_order_relaxed);
    s.seq = w.seq();
    return s;
  }

  Result<AgentSnapshot> agent(AgentId agent) const noexcept override {
    const uint32_t a = index(agent);
    if (a >= cfg_.agents.size()) return std::unexpected(Status::unknown_agent);
    const AgentWord w{agents_[a].word.load(std::memory_order_acquire)};
    const PresenceInfo& pc = presence_of(a);
    AgentSnapshot s;
    s.status = StatusId{w.status()};
    s.used_milli = w.used();
    s.capacity_milli = pc.capacity;
    s.interruptible_used_milli = w.interruptible_used();
    s.interruptible_capacity_milli = pc.interruptible_capacity;
    s.open_items = w.open();
    s.wrap_up_items = agents_[a].wrap_up_items.load(std::memory_order_relaxed);
    s.missed = w.missed();
    const PresenceKind kind = cfg_.statuses[w.status()].kind;
    if (kind == PresenceKind::offline) s.activity = AgentActivity::offline;
    else if (w.missed()) s.activity = AgentActivity::missed;
    else if (kind == PresenceKind::pause) s.activity = AgentActivity::paused;
    else if (w.open() > 0) s.activity = AgentActivity::busy;
    else if (s.wrap_up_items > 0) s.activity = AgentActivity::wrap_up;
    else if (kind == PresenceKind::online) s.activity = AgentActivity::waiting;
    else s.activity = AgentActivity::away;
    return s;
  }

  Result<QueueSnapshot> queue(QueueId qid) const noexcept override {
    const uint32_t q = index(qid);
    if (q >= cfg_.queues.size()) return std::unexpected(Status::unknown_queue);
    const QueueSlot& queue = *queues_[q];
    QueueSnapshot s;
    s.waiting = static_cast<uint32_t>(std::max(0, queue.waiting.load(std::memory_order_acquire)));
    if (auto oldest = oldest_head(queue)) s.oldest = Time{Duration{oldest->arrival}};
    return s;
  }

  KernelStats stats() const noexcept override {
    return {events_dropped_.load(std::memory_order_relaxed)};
  }

  size_t sessions_of(CustomerId customer, std::span<SessionInfo> out) const noexcept override {
    return sessions_except(customer, ItemId{}, out);
  }

 private:
  // ---- item helpers ----------------------------------------------------------------------
  struct Found {
    Status status;
    ItemSlot* item;
    ItemWord word;
  };

  // The item an id names, with its current word; unknown for ids never issued or of a recycled slot.
  Found load_item(ItemId id) const noexcept {
    const uint32_t slot = slot_of(id);
    if (slot >= cfg_.source.limits.max_items || incarnation_of(id) == 0) return {Status::unknown_item, nullptr, {}};
    ItemSlot* item = &items_[slot];
    // acquire: pairs with the release CAS of the last transition, so the fields it wrote are seen.
    const ItemWord w{item->word.load(std::memory_order_acquire)};
    if (w.incarnation() != (incarnation_of(id) & ItemWord::kIncarnationMask)) return {Status::unknown_item, nullptr, {}};
    if (w.state() == ItemState::free) return {Status::wrong_state, nullptr, {}};  // done; slot not yet reused
    return {Status::ok, item, w};
  }

  static bool cas_item(ItemSlot& item, ItemWord expected, ItemWord next) noexcept {
    uint64_t e = expected.raw;
    // acq_rel: release publishes the fields written before the transition; acquire makes the
    // winner see everything the previous transition published.
    return item.word.compare_exchange_strong(e, next.raw, std::memory_order_acq_rel,
                                             std::memory_order_acquire);
  }

  const PresenceInfo& presence_of(uint32_t agent) const noexcept {
    return cfg_.presences[cfg_.agents[agent].presence];
  }

  bool uses_interruptible(uint32_t q, uint32_t a) const noexcept {
    return cfg_.channels[cfg_.queues[q].channel].interruptible && presence_of(a).interruptible_capacity > 0;
  }

  // Capacity an item of queue q takes on agent a (percent sizes depend on the agent's capacity).
  int32_t size_for(uint32_t q, uint32_t a) const noexcept {
    const RoutingInfo& r = cfg_.routings[cfg_.queues[q].routing];
    if (r.unit == SizeUnit::units) return r.size;
    const PresenceInfo& pc = presence_of(a);
    const int64_t base = uses_interruptible(q, a) ? pc.interruptible_capacity : pc.capacity;
    return static_cast<int32_t>(std::max<int64_t>(1, (base * r.size + 100 * kMilli - 1) / (100 * kMilli)));
  }

  // ---- agent capacity: every change is one CAS on the AgentWord ---------------------------
  // Routable for queue q, not missed, and room for `size` on the right pool.
  bool can_take(AgentWord w, uint32_t q, uint32_t a, int32_t size, bool interruptible) const noexcept {
    if (w.missed() || w.open() >= AgentWord::kMaxOpen) return false;
    const StatusInfo& st = cfg_.statuses[w.status()];
    if (st.kind != PresenceKind::online || !(st.channels >> cfg_.queues[q].channel & 1)) return false;
    const PresenceInfo& pc = presence_of(a);
    return interruptible ? w.interruptible_used() + size <= pc.interruptible_capacity
                         : w.used() + size <= pc.capacity;
  }

  static AgentWord add(AgentWord w, int32_t size, bool interruptible, int open) noexcept {
    w = interruptible ? w.with_interruptible_used(w.interruptible_used() + size) : w.with_used(w.used() + size);
    return w.with_open(static_cast<uint32_t>(static_cast<int>(w.open()) + open));
  }

  // The only way routing takes capacity: checks and takes it in one CAS, so it can never exceed.
  bool reserve(uint32_t a, uint32_t q, int32_t size, bool interruptible) noexcept {
    auto& word = agents_[a].word;
    uint64_t raw = word.load(std::memory_order_acquire);
    for (;;) {
      const AgentWord w{raw};
      if (!can_take(w, q, a, size, interruptible)) return false;
      if (word.compare_exchange_weak(raw, add(w, size, interruptible, +1).raw, std::memory_order_acq_rel,
                                     std::memory_order_acquire))
        return true;
    }
  }

  void release_amount(uint32_t a, int32_t size, bool interruptible, bool open) noexcept {
    auto& word = agents_[a].word;
    uint64_t raw = word.load(std::memory_order_relaxed);
    while (!word.compare_exchange_weak(raw, add(AgentWord{raw}, -size, interruptible, open ? -1 : 0).raw,
                                       std::memory_order_acq_rel, std::memory_order_relaxed)) {
    }
  }

  void release_capacity(uint32_t a, const ItemSlot& item, bool open) noexcept {
    release_amount(a, item.held.load(std::memory_order_relaxed),
                   item.interruptible.load(std::memory_order_relaxed), open);
  }

  // Resume (and closing a paused item into wrap-up): the capacity comes back, over the limit if
  // the agent's ResumeRule allows it; such an agent gets no new offer until it is under again.
  bool consume_again(uint32_t a, const ItemSlot& item, bool open) noexcept {
    const int32_t size = item.held.load(std::memory_order_relaxed);
    const bool interruptible = item.interruptible.load(std::memory_order_relaxed);
    const PresenceInfo& pc = presence_of(a);
    auto& word = agents_[a].word;
    uint64_t raw = word.load(std::memory_order_acquire);
    for (;;) {
      const AgentWord w{raw};
      const int32_t used = interruptible ? w.interruptible_used() : w.used();
      const int32_t cap = interruptible ? pc.interruptible_capacity : pc.capacity;
      const int32_t limit = interruptible ? AgentWord::kMaxInt : AgentWord::kMaxUsed;
      if (used + size > limit) return false;
      if (pc.resume_rule == ResumeRule::refuse && used + size > cap) return false;
      if (word.compare_exchange_weak(raw, add(w, size, interruptible, open ? 1 : 0).raw,
                                     std::memory_order_acq_rel, std::memory_order_acquire))
        return true;
    }
  }

  // ---- the index: keeps each queue's AgentIndex in step with its members' AgentWords ---------
  uint8_t level_for(uint32_t q, uint32_t a, AgentWord w) const noexcept {
    const int32_t size = size_for(q, a);
    const bool interruptible = uses_interruptible(q, a);
    if (!can_take(w, q, a, size, interruptible)) return AgentIndex::kAbsent;
    if (cfg_.routings[cfg_.queues[q].routing].model == RoutingModel::least_active)
      return static_cast<uint8_t>(std::min<uint32_t>(w.open(), AgentIndex::kLevels - 1));
    // Most Available: how many more items of this size fit; more is better (a lower level).
    const PresenceInfo& pc = presence_of(a);
    const int32_t free = interruptible ? pc.interruptible_capacity - w.interruptible_used() : pc.capacity - w.used();
    const int32_t fit = std::min<int32_t>(free / size, AgentIndex::kLevels);
    return static_cast<uint8_t>(AgentIndex::kLevels - fit);
  }

  // Places agent a in one queue's index at the level its current word gives; re-reads the word
  // until it is stable, so a placement computed from a stale word is repaired by its own caller.
  void place_member(uint32_t a, const Membership& m) noexcept {
    const auto& word = agents_[a].word;
    AgentIndex& index = queues_[m.queue]->index;
    uint64_t raw = word.load(std::memory_order_seq_cst);
    for (;;) {
      index.place(m.member, level_for(m.queue, a, AgentWord{raw}));
      const uint64_t again = word.load(std::memory_order_seq_cst);
      if (again == raw) return;
      raw = again;
    }
  }

  // After agent a got better (room freed, routable again): place it in every queue it serves.
  // Changes that make it worse skip this; searchers re-place it lazily (see agent_index.h).
  // O(memberships of a).
  void publish(uint32_t a) noexcept {
    for (const Membership& m : cfg_.agents[a].memberships) place_member(a, m);
  }

  // The search's check that member `member` of q truly sits at `level` (the index is optimistic).
  auto truly_at(uint32_t q) noexcept {
    return [this, q](uint32_t member, int level) {
      const uint32_t a = cfg_.queues[q].members[member];
      const AgentWord w{agents_[a].word.load(std::memory_order_seq_cst)};
      if (level_for(q, a, w) == level) return true;
      place_member(a, {q, member, 0});
      return false;
    };
  }

  // Capacity or routability of agent a went up: publish it, then look for work (Dekker partner
  // of submit's "publish the item, then look for an agent").
  void agent_freed(uint32_t a) noexcept {
    publish(a);
    pull(a);
  }

  // ---- lanes -----------------------------------------------------------------------------
  struct Head {
    uint64_t id;
    int64_t arrival;
    bool retry;
  };

  std::optional<Head> peek_lane(const MpmcRing<uint64_t>& lane, bool retry) const noexcept {
    auto id = lane.peek();
    if (!id) return std::nullopt;
    return Head{*id, items_[slot_of(ItemId{*id})].arrival.load(std::memory_order_relaxed), retry};
  }

  // The head that arrived first of the two lanes (hint).
  std::optional<Head> oldest_head(const QueueSlot& queue) const noexcept {
    auto f = peek_lane(queue.fresh, false);
    auto r = peek_lane(queue.retry, true);
    if (f && r) return r->arrival <= f->arrival ? r : f;
    return f ? f : r;
  }

  bool pop_oldest(QueueSlot& queue, uint64_t& id) noexcept {
    const auto head = oldest_head(queue);
    const bool retry_first = !head || head->retry;
    MpmcRing<uint64_t>& first = retry_first ? queue.retry : queue.fresh;
    MpmcRing<uint64_t>& second = retry_first ? queue.fresh : queue.retry;
    return first.try_pop(id) || second.try_pop(id);
  }

  static void push_lane(MpmcRing<uint64_t>& lane, uint64_t id) noexcept {
    // Occupancy keeps live + stale entries ≤ max_waiting ≤ capacity / 2, so this succeeds at
    // once unless a consumer stalled mid-pop a full lap ago (see the note at the top).
    while (!lane.try_push(id)) {
    }
  }

  bool acquire_occupancy(QueueSlot& queue, uint32_t q) noexcept {
    for (int attempt = 0; attempt < 2; ++attempt) {
      const int32_t limit = static_cast<int32_t>(cfg_.queues[q].max_waiting);
      int32_t n = queue.occupancy.load(std::memory_order_relaxed);
      do {
        if (n >= limit) break;
      } while (!queue.occupancy.compare_exchange_weak(n, n + 1, std::memory_order_relaxed));
      if (n < limit) return true;
      // Full. If stale entries (closed or abandoned while queued, behind a live head) are what
      // fills it, sweep them out once; the rare path, O(lane length).
      if (attempt == 0 && !compact(queue, q)) return false;
    }
    return false;
  }

  // Takes every entry out of both lanes once and puts the live ones back, in order, at the tail.
  // Returns whether any stale entry was dropped. Live entries are out of their lane for a moment,
  // so the queue is re-dispatched afterwards.
  bool compact(QueueSlot& queue, uint32_t q) noexcept {
    bool dropped = false;
    for (MpmcRing<uint64_t>* lane : {&queue.retry, &queue.fresh}) {
      for (size_t n = lane->size_hint(); n > 0; --n) {
        uint64_t id;
        if (!lane->try_pop(id)) break;
        ItemWord w;
        if (live_entry(id, w)) {
          push_lane(*lane, id);
        } else {
          release_occupancy(queue);
          dropped = true;
        }
      }
    }
    dispatch(q);
    return dropped;
  }

  // A queued item left: drop the stale entries at the heads of its queue's lanes, so an unattended
  // queue whose customers give up does not fill with them.
  void purge_stale_heads(QueueSlot& queue) noexcept {
    for (MpmcRing<uint64_t>* lane : {&queue.fresh, &queue.retry}) {
      for (int n = 0; n < 8; ++n) {
        const auto head = lane->peek();
        ItemWord w;
        if (!head || live_entry(*head, w)) break;
        uint64_t id;
        if (!lane->try_pop(id)) break;
        if (live_entry(id, w)) {  // raced: someone took the stale one, this one is live
          push_lane(queue.retry, id);
          break;
        }
        release_occupancy(queue);
      }
    }
  }
  static void release_occupancy(QueueSlot& queue) noexcept {
    queue.occupancy.fetch_sub(1, std::memory_order_relaxed);
  }

  // Is this lane entry still the queued item it was pushed for? (Closed or abandoned items leave
  // their entry behind; the slot may even hold a newer item by now.)
  bool live_entry(uint64_t id, ItemWord& w) const noexcept {
    const ItemSlot& item = items_[slot_of(ItemId{id})];
    w = ItemWord{item.word.load(std::memory_order_acquire)};
    return w.incarnation() == (incarnation_of(ItemId{id}) & ItemWord::kIncarnationMask) &&
           w.state() == ItemState::queued;
  }

  bool excluded_for(const ItemSlot& item, uint32_t a) const noexcept {
    return item.excluded_agent.load(std::memory_order_relaxed) == a &&
           ns(clock_.now()) < item.excluded_until.load(std::memory_order_relaxed);
  }

  // ---- routing: an item meets an agent --------------------------------------------------------
  enum class Take : uint8_t { offered, empty, excluded };

  // Takes one entry from q for agent a, who already holds a reservation of `size` for it. On
  // anything but `offered` the reservation is given back (and a re-published); the caller decides
  // what to look at next — take_for itself never recurses into pull() or dispatch().
  Take take_for(uint32_t a, uint32_t q, int32_t size, bool interruptible) noexcept {
    QueueSlot& queue = *queues_[q];
    bool excluded = false;
    for (int spins = 0; spins < 4; ++spins) {
      uint64_t id;
      // After skipping an item a declined, look past the retry lane: the excluded item went back
      // there and would come straight out again.
      if (!(excluded ? queue.fresh.try_pop(id) : pop_oldest(queue, id))) break;
      ItemWord w;
      if (!live_entry(id, w)) {  // stale entry: its occupancy unit ends here
        release_occupancy(queue);
        continue;
      }
      ItemSlot& item = items_[slot_of(ItemId{id})];
      if (excluded_for(item, a)) {  // not back to the agent that declined it, if anyone else can
        push_lane(queue.retry, id);
        excluded = true;
        continue;
      }
      item.held.store(size, std::memory_order_relaxed);
      item.interruptible.store(interruptible, std::memory_order_relaxed);
      const ItemWord offered = w.next(ItemState::offered, a);
      if (!cas_item(item, w, offered)) {  // closed or abandoned since we looked: a stale entry now
        release_occupancy(queue);
        continue;
      }
      queue.waiting.fetch_sub(1, std::memory_order_seq_cst);
      after_offer(ItemId{id}, item, offered, a, q, clock_.now());
      return Take::offered;
    }
    give_back(a, size, interruptible);
    return excluded ? Take::excluded : Take::empty;
  }

  // Offers a not-yet-enqueued item straight to the best member of q, if one has room.
  bool hand_off(ItemId id, ItemSlot& item, ItemWord queued, uint32_t q, Time now) noexcept {
    QueueSlot& queue = *queues_[q];
    for (int attempt = 0; attempt < 4; ++attempt) {
      const auto member = queue.index.best(UINT32_MAX, truly_at(q));
      if (!member) return false;
      const uint32_t a = cfg_.queues[q].members[*member];
      const int32_t size = size_for(q, a);
      const bool interruptible = uses_interruptible(q, a);
      if (!reserve(a, q, size, interruptible)) {  // lost a race for a: fix its place here, look again
        place_member(a, {q, *member, 0});
        continue;
      }
      item.held.store(size, std::memory_order_relaxed);
      item.interruptible.store(interruptible, std::memory_order_relaxed);
      const ItemWord offered = queued.next(ItemState::offered, a);
      // Nobody else can know this item yet but an observer; the CAS only publishes the fields.
      if (!cas_item(item, queued, offered)) {
        give_back(a, size, interruptible);
        pull(a);
        return false;
      }
      after_offer(id, item, offered, a, q, now);
      return true;
    }
    return false;
  }

  void give_back(uint32_t a, int32_t size, bool interruptible) noexcept {
    release_amount(a, size, interruptible, /*open=*/true);
    publish(a);
  }

  // pull() and dispatch() call each other only after a lost race or an exclusion; the depth guard
  // bounds the stack in pathological interleavings (the outer loops keep going regardless).
  struct Depth {
    static inline thread_local int depth = 0;
    Depth() { ++depth; }
    ~Depth() { --depth; }
    [[nodiscard]] bool too_deep() const { return depth > 4; }
  };

  // An item arrived (or came back) in q: offer waiting items to the best members with room until
  // one side runs out. Cost per offer: O(levels + members/4096) to find the agent (plus a re-place
  // for each member found busier than the index thought) and O(1) CASes. `skip` is an agent that
  // must not be picked first.
  void dispatch(uint32_t q, uint32_t skip = UINT32_MAX) noexcept {
    Depth depth;
    if (depth.too_deep()) return;
    QueueSlot& queue = *queues_[q];
    const auto& members = cfg_.queues[q].members;
    uint32_t to_pull[4];
    int n_pull = 0;
    for (int attempt = 0; attempt < 64; ++attempt) {
      if (queue.waiting.load(std::memory_order_seq_cst) <= 0) break;
      uint32_t exclude = skip;
      if (auto head = oldest_head(queue); head) {
        const ItemSlot& item = items_[slot_of(ItemId{head->id})];
        const uint32_t decliner = item.excluded_agent.load(std::memory_order_relaxed);
        if (decliner != UINT32_MAX && excluded_for(item, decliner)) exclude = decliner;
      }
      uint32_t skip_member = UINT32_MAX;
      if (exclude != UINT32_MAX) {
        for (const Membership& m : cfg_.agents[exclude].memberships)
          if (m.queue == q) skip_member = m.member;
      }
      const auto member = queue.index.best(skip_member, truly_at(q));
      if (!member) break;
      const uint32_t a = members[*member];
      const int32_t size = size_for(q, a);
      const bool interruptible = uses_interruptible(q, a);
      if (!reserve(a, q, size, interruptible)) {  // lost a race for a: fix its place here, look again
        place_member(a, {q, *member, 0});
        continue;
      }
      // A reservation given back may have hidden a from another queue's arrival: a looks again.
      if (take_for(a, q, size, interruptible) != Take::offered && n_pull < 4) to_pull[n_pull++] = a;
    }
    for (int i = 0; i < n_pull; ++i) pull(to_pull[i]);
  }

  // Agent a has room (or just became routable): offer it the best waiting item it can take —
  // routing priority first, then the earliest arrival among queues of that priority.
  // O(memberships of a) per offer.
  void pull(uint32_t a) noexcept {
    Depth depth;
    if (depth.too_deep()) return;
    const auto& memberships = cfg_.agents[a].memberships;
    uint32_t excluded[4];
    int n_excluded = 0;
    auto is_excluded = [&](uint32_t q) {
      return std::find(excluded, excluded + n_excluded, q) != excluded + n_excluded;
    };
    for (int round = 0; round < 64; ++round) {
      const AgentWord w{agents_[a].word.load(std::memory_order_seq_cst)};
      int best = -1;
      int64_t best_arrival = INT64_MAX;
      for (size_t i = 0; i < memberships.size(); ++i) {
        const Membership& m = memberships[i];
        if (best >= 0 && m.priority > memberships[best].priority) break;
        QueueSlot& queue = *queues_[m.queue];
        if (queue.waiting.load(std::memory_order_seq_cst) <= 0 || is_excluded(m.queue)) continue;
        if (!can_take(w, m.queue, a, size_for(m.queue, a), uses_interruptible(m.queue, a))) continue;
        const auto head = oldest_head(queue);
        const int64_t arrival = head ? head->arrival : INT64_MAX - 1;
        if (arrival < best_arrival) {
          best = static_cast<int>(i);
          best_arrival = arrival;
        }
      }
      if (best < 0) break;
      const uint32_t q = memberships[best].queue;
      const int32_t size = size_for(q, a);
      const bool interruptible = uses_interruptible(q, a);
      if (!reserve(a, q, size, interruptible)) continue;
      if (take_for(a, q, size, interruptible) == Take::excluded) {
        if (n_excluded == 4) break;
        excluded[n_excluded++] = q;
      }
    }
    // Items a may not take first go to the other members now.
    for (int i = 0; i < n_excluded; ++i) dispatch(excluded[i], a);
  }

  // The item is now offered to agent a: arm the push time-out, or accept it at once.
  void after_offer(ItemId id, ItemSlot& item, ItemWord offered, uint32_t a, uint32_t q, Time now) noexcept {
    emit(now, id, AgentId{a}, q, EventType::offered, offered.seq(), 0);
    const PresenceInfo& pc = presence_of(a);
    if (pc.auto_accept) {
      const ItemWord active = offered.next(ItemState::active, a);
      if (cas_item(item, offered, active)) {
        release_occupancy(*queues_[q]);
        emit(now, id, AgentId{a}, q, EventType::accepted, active.seq(), 0);
      }
      return;
    }
    const Duration timeout = cfg_.routings[cfg_.queues[q].routing].push_timeout;
    if (timeout.count() > 0)
      (void)timers_.schedule({TimerKind::push_timeout, slot_of(id), offered.raw, now + timeout});
  }

  // offered → queued again (decline or push time-out): the item keeps its arrival time, goes to
  // the retry lane, and is not offered to the same agent first. `status` (if ≥ 0) is the agent's
  // new presence status, set in the same CAS that releases the capacity.
  Status requeue(ItemId id, ItemSlot& item, ItemWord w, EventType why, uint16_t reason, int32_t status,
                 Duration missed) noexcept {
    const uint32_t a = w.agent();
    const uint32_t q = item.queue.load(std::memory_order_relaxed);
    const Time now = clock_.now();
    const Duration push_timeout = cfg_.routings[cfg_.queues[q].routing].push_timeout;
    item.excluded_agent.store(a, std::memory_order_relaxed);
    item.excluded_until.store(ns(now + (push_timeout.count() > 0 ? push_timeout : kDefaultExclusion)),
                              std::memory_order_relaxed);
    const ItemWord queued = w.next(ItemState::queued);
    if (!cas_item(item, w, queued)) return Status::wrong_state;
    // Release the capacity and apply the presence config's status in one CAS.
    auto& word = agents_[a].word;
    uint64_t raw = word.load(std::memory_order_relaxed);
    const int32_t held = item.held.load(std::memory_order_relaxed);
    const bool interruptible = item.interruptible.load(std::memory_order_relaxed);
    uint32_t epoch = 0;
    if (missed.count() > 0) epoch = agents_[a].missed_epoch.fetch_add(1, std::memory_order_relaxed) + 1;
    AgentWord next;
    do {
      next = add(AgentWord{raw}, -held, interruptible, -1);
      if (status >= 0) next = next.with_status(static_cast<uint16_t>(status));
      if (missed.count() > 0) next = next.with_missed(true);
    } while (!word.compare_exchange_weak(raw, next.raw, std::memory_order_acq_rel, std::memory_order_relaxed));
    QueueSlot& queue = *queues_[q];
    push_lane(queue.retry, index(id));
    queue.waiting.fetch_add(1, std::memory_order_seq_cst);
    emit(now, id, AgentId{a}, q, why, queued.seq(), reason);
    if (status >= 0) emit(now, ItemId{}, AgentId{a}, QueueId{}, EventType::agent_status, 0, static_cast<uint16_t>(status));
    // If nobody else takes it meanwhile, the decliner may have it once the exclusion ends.
    (void)timers_.schedule({TimerKind::exclusion_end, q, 0,
                            Time{Duration{item.excluded_until.load(std::memory_order_relaxed)}}});
    if (missed.count() > 0) {
      emit(now, ItemId{}, AgentId{a}, QueueId{}, EventType::agent_missed, 0, 0);
      (void)timers_.schedule({TimerKind::missed_end, a, epoch, now + missed});
    }
    publish(a);
    dispatch(q, a);  // someone else first
    pull(a);         // then other work for a
    return Status::ok;
  }

  // queued/offered → gone (closed by the host, or abandoned by the customer).
  Status leave(ItemId id, ItemSlot& item, ItemWord w, EventType why) noexcept {
    const ItemWord gone = w.next(ItemState::free);
    if (!cas_item(item, w, gone)) return Status::wrong_state;
    const uint32_t q = item.queue.load(std::memory_order_relaxed);
    const Time now = clock_.now();
    if (w.state() == ItemState::queued) {
      // Its lane entry stays behind; whoever pops it releases the occupancy.
      queues_[q]->waiting.fetch_sub(1, std::memory_order_seq_cst);
      purge_stale_heads(*queues_[q]);
    } else {
      release_occupancy(*queues_[q]);
      release_capacity(w.agent(), item, /*open=*/true);
    }
    const AgentId agent = w.state() == ItemState::offered ? AgentId{w.agent()} : kNoAgent;
    emit(now, id, agent, q, why, gone.seq(), 0);
    emit(now, id, agent, q, EventType::done, gone.seq(), 0);
    retire(id, item);
    if (w.state() == ItemState::offered) agent_freed(w.agent());
    return Status::ok;
  }

  // active/paused → wrap-up (capacity held for the after-conversation time) or done.
  Status close_conversation(ItemId id, ItemSlot& item, ItemWord w) noexcept {
    const uint32_t a = w.agent();
    const uint32_t q = item.queue.load(std::memory_order_relaxed);
    const Duration wrap = presence_of(a).wrap_up;
    const Time now = clock_.now();
    const bool was_paused = w.state() == ItemState::paused;
    // A paused item holds no capacity; its wrap-up takes it again (resume rule applies; if the
    // rule refuses, the item skips wrap-up).
    const bool wrap_up = wrap.count() > 0 && (!was_paused || consume_again(a, item, /*open=*/false));
    const ItemWord next = wrap_up ? w.next(ItemState::wrap_up, a) : w.next(ItemState::free);
    if (!cas_item(item, w, next)) {
      if (wrap_up && was_paused) {
        release_capacity(a, item, /*open=*/false);
        agent_freed(a);
      }
      return Status::wrong_state;
    }
    remove_session(id, item);
    emit(now, id, AgentId{a}, q, EventType::closed, next.seq(), 0);
    if (wrap_up) {
      if (!was_paused) release_amount(a, 0, false, /*open=*/true);  // no longer open, still held
      agents_[a].wrap_up_items.fetch_add(1, std::memory_order_relaxed);
      (void)timers_.schedule({TimerKind::wrap_up_end, slot_of(id), next.raw, now + wrap});
      publish(a);  // open items fell: Least Active levels change
      return Status::ok;
    }
    if (!was_paused) release_capacity(a, item, /*open=*/true);
    emit(now, id, AgentId{a}, q, EventType::done, next.seq(), 0);
    retire_slot(id);
    agent_freed(a);
    return Status::ok;
  }

  bool finish_wrap_up(ItemId id, ItemSlot& item, ItemWord w) noexcept {
    const ItemWord gone = w.next(ItemState::free);
    if (!cas_item(item, w, gone)) return false;
    const uint32_t a = w.agent();
    release_capacity(a, item, /*open=*/false);
    agents_[a].wrap_up_items.fetch_sub(1, std::memory_order_relaxed);
    const uint32_t q = item.queue.load(std::memory_order_relaxed);
    const Time now = clock_.now();
    emit(now, id, AgentId{a}, q, EventType::wrap_up_ended, gone.seq(), 0);
    emit(now, id, AgentId{a}, q, EventType::done, gone.seq(), 0);
    retire_slot(id);
    agent_freed(a);
    return true;
  }

  void fire(const TimerFire& t, Time now) noexcept {
    switch (t.kind) {
      case TimerKind::push_timeout: {
        ItemSlot& item = items_[t.target];
        const ItemWord w{t.expect};
        if (item.word.load(std::memory_order_acquire) != w.raw) return;  // answered since
        const PresenceInfo& pc = presence_of(w.agent());
        (void)requeue(make_item_id(t.target, w.incarnation()), item, w, EventType::push_timed_out, 0,
                      pc.status_on_push_timeout, pc.missed_delay);
        return;
      }
      case TimerKind::wrap_up_end: {
        ItemSlot& item = items_[t.target];
        const ItemWord w{t.expect};
        if (item.word.load(std::memory_order_acquire) != w.raw) return;  // ended by the agent
        (void)finish_wrap_up(make_item_id(t.target, w.incarnation()), item, w);
        return;
      }
      case TimerKind::exclusion_end:
        dispatch(t.target);
        return;
      case TimerKind::missed_end: {
        const uint32_t a = t.target;
        if (agents_[a].missed_epoch.load(std::memory_order_relaxed) != t.expect) return;  // missed again
        auto& word = agents_[a].word;
        uint64_t raw = word.load(std::memory_order_acquire);
        do {
          if (!AgentWord{raw}.missed()) return;  // a status change ended it already
        } while (!word.compare_exchange_weak(raw, AgentWord{raw}.with_missed(false).raw,
                                             std::memory_order_acq_rel, std::memory_order_acquire));
        emit(now, ItemId{}, AgentId{a}, QueueId{}, EventType::agent_missed_ended, 0, 0);
        agent_freed(a);
        return;
      }
    }
  }

  // ---- sessions and policies -----------------------------------------------------------------
  size_t sessions_except(CustomerId customer, ItemId except, std::span<SessionInfo> out) const noexcept {
    if (index(customer) == 0) return 0;
    uint64_t ids[kSessionsSeen];
    const size_t n = customers_.sessions(index(customer), ids);
    size_t k = 0;
    for (size_t i = 0; i < n; ++i) {
      if (ids[i] == index(except)) continue;
      const uint32_t q = items_[slot_of(ItemId{ids[i]})].queue.load(std::memory_order_relaxed);
      if (k < out.size())
        out[k] = {ItemId{ids[i]}, QueueId{q}, ServiceId{cfg_.queues[q].service}, ChannelId{cfg_.queues[q].channel}};
      ++k;
    }
    return k;
  }

  // Runs every policy; the first refusal wins and its reason is kept for last_policy_reason().
  bool policies_allow(PolicyRequest& pr, ItemId concerned) noexcept {
    SessionInfo sessions[kSessionsSeen];
    const size_t n = sessions_except(pr.customer, concerned, sessions);
    pr.sessions = std::span<const SessionInfo>(sessions, std::min<size_t>(n, kSessionsSeen));
    for (PolicyHook* p : policies_) {
      const PolicyVerdict v = p->check(pr);
      if (!v.allow) {
        t_last_policy_reason = v.reason;
        return false;
      }
    }
    t_last_policy_reason = {};
    return true;
  }

  bool transfer_allowed(ItemId id, const ItemSlot& item, PolicyOp how, uint32_t to) noexcept {
    if (policies_.empty()) return true;
    PolicyRequest pr{};
    pr.op = how;
    pr.customer = CustomerId{item.customer.load(std::memory_order_relaxed)};
    pr.is_bot = item.is_bot.load(std::memory_order_relaxed);
    pr.has_from = true;
    pr.from_item = id;
    pr.from_queue = QueueId{item.queue.load(std::memory_order_relaxed)};
    pr.to_queue = QueueId{to};
    pr.to_service = ServiceId{cfg_.queues[to].service};
    pr.to_channel = ChannelId{cfg_.queues[to].channel};
    return policies_allow(pr, id);
  }

  void remove_session(ItemId id, const ItemSlot& item) noexcept {
    const uint64_t customer = item.customer.load(std::memory_order_relaxed);
    if (customer != 0) customers_.remove(customer, index(id));
  }

  // ---- slot recycling ------------------------------------------------------------------------
  void retire(ItemId id, const ItemSlot& item) noexcept {
    remove_session(id, item);
    retire_slot(id);
  }
  void retire_slot(ItemId id) noexcept {
    // The slot's word already says free (with this incarnation); the next submit bumps it.
    while (!free_slots_.try_push(slot_of(id))) {
    }
  }
  // A submit refused after its word was written but before anyone could see it in a lane.
  void retire_unpublished(ItemSlot& item, uint32_t slot, QueueSlot& queue) noexcept {
    const ItemWord w{item.word.load(std::memory_order_relaxed)};
    item.word.store(w.next(ItemState::free).raw, std::memory_order_release);
    retire_slot(make_item_id(slot, w.incarnation()));
    release_occupancy(queue);
  }

  void emit(Time at, ItemId item, AgentId agent, uint32_t q, EventType type, uint8_t seq,
            uint16_t reason) noexcept {
    emit(at, item, agent, QueueId{q}, type, seq, reason);
  }
  void emit(Time at, ItemId item, AgentId agent, QueueId q, EventType type, uint8_t seq,
            uint16_t reason) noexcept {
    if (!events_.try_push(Event{at, item, agent, q, type, seq, reason}))
      events_dropped_.fetch_add(1, std::memory_order_relaxed);
  }

  const ResolvedConfig cfg_;
  const Clock& clock_;
  const std::vector<PolicyHook*> policies_;
  std::unique_ptr<ItemSlot[]> items_;
  MpmcRing<uint32_t> free_slots_;
  std::unique_ptr<AgentSlot[]> agents_;
  std::vector<std::unique_ptr<QueueSlot>> queues_;
  CustomerTable customers_;
  MpmcRing<Event> events_;
  TimerWheel timers_;
  alignas(kCacheLine) std::atomic<bool> ticking_{false};
  alignas(kCacheLine) std::atomic<uint64_t> events_dropped_{0};
};

}  // namespace
}  // namespace internal

std::expected<std::unique_ptr<Kernel>, ConfigError> Kernel::create(const Config& config, const Clock& clock,
                                                                   std::span<PolicyHook* const> policies) {
  auto resolved = internal::resolve(config);
  if (!resolved) return std::unexpected(resolved.error());
  for (size_t i = 0; i < policies.size(); ++i)
    if (!policies[i]) return std::unexpected(ConfigError{"policies[" + std::to_string(i) + "]", "is null"});
  return std::make_unique<internal::KernelImpl>(std::move(*resolved), clock, policies);
}

std::string_view Kernel::last_policy_reason() noexcept { return internal::t_last_policy_reason; }

}  // namespace omni
