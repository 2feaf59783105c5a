// The hot path. Every operation of omni::Kernel is here, in the order of an item's life.
//
// Three kinds of atomic state decide everything:
//   ItemSlot::word   (ItemWord, 16 bytes) — an item's state, agent, held capacity, queue and
//                    version; each transition is ONE CAS from the exact word the caller validated,
//                    so exactly one of two racing calls wins, and the winner reads what it must
//                    release from the word it replaced — never from a field beside it.
//   AgentSlot::word  (AgentWord) — an agent's used capacity, open items and status; an offer is a
//                    CAS that checks "routable and has room" and takes the room at once, so routing
//                    can never put an agent over capacity.
//   QueueSlot lanes + `waiting` + `pushes` + AgentIndex — which items wait, which agents can take one.
//
// Lost wake-ups. An item arriving and an agent freeing capacity at the same moment must not miss
// each other (Dekker). The arriving side pushes its lane entry, increments `pushes` and `waiting`
// (seq_cst), then searches the AgentIndex and reads candidates' words (seq_cst). The freeing side
// changes its AgentWord (seq_cst CAS), places itself in the index (seq_cst), then reads `waiting`
// (and `pushes`) of its queues. In the single total order either the arrival's search comes after
// the agent's word change and bit — it sees the agent — or the agent's read comes after the
// arrival's increment — it sees the item. Two rules keep third parties from breaking the pairing:
//   1. whoever SETS a member's bit (publishing, or restoring a bit a racing clear took) reads
//      `waiting` afterwards and routes: dispatch() loops again after any repair that set a bit;
//   2. whoever gives a reservation back (an agent better again) reads `waiting`/`pushes` after the
//      seq_cst CAS that gave it back (pull()).
//
// Progress. No loop gives up: every retry is caused by another thread's successful step (a CAS it
// won, an entry it pushed or popped), so some call always completes (lock-freedom), and a routing
// loop runs until one side is exhausted. Named exceptions, each bounded by a stalled thread's
// stall and nothing else (docs/ARCHITECTURE.md "Progress"): the bounded rings' claim-to-publish
// window, and the index's clear-and-recheck window; plus two rules of the product: a declined
// item is not re-offered to its decliner for one push time-out, and while the event ring is full
// no new offer is made until the host drains it.
//
// Allocation: none after Kernel::create — items, timers, events, lanes and indexes are
// preallocated from the limits in the configuration.
#include <algorithm>
#include <bitset>
#include <cstring>
#include <map>
#include <mutex>
#include <string>

#include "audit.h"
#include "config_cell.h"
#include "kernel_impl.h"
#include "omnikernel/image.h"
#include "last_agent_memory.h"
#include "live_change.h"
#include "sched_point.h"

namespace omni {
namespace internal {
namespace {

thread_local std::string_view t_last_policy_reason;

// The configuration the calling thread's current kernel operation pinned (KernelImpl::Pinned).
struct PinnedConfig {
  const void* kernel = nullptr;
  const ResolvedConfig* config = nullptr;
};
thread_local PinnedConfig t_pinned;

constexpr int64_t ns(Time t) { return t.time_since_epoch().count(); }

// A customer's sessions a policy gets to see at most (PolicyRequest::sessions).
constexpr size_t kSessionsSeen = 32;

// Default decline exclusion when the routing config has no push time-out.
constexpr Duration kDefaultExclusion = std::chrono::seconds(30);

// Submit's own state while it records the customer and asks the policies: observers see the item
// (as queued) but no call may move it, so a refusal can retire it without a trace.
constexpr ItemState kOpening = static_cast<ItemState>(6);

constexpr auto kSeq = std::memory_order_seq_cst;
// The occupancy of a removed queue: far above any max_waiting, so that every acquire_occupancy
// fails (queue_full) — the fence a removal sets with one CAS from 0, while nothing waits in the
// queue and nothing is offered from it, before the configuration that removes it is published.
constexpr int32_t kClosedQueue = INT32_MAX / 2;

class KernelImpl final : public Kernel {
 public:
  // Pins the configuration for one operation: every cfg() read in it sees that one version, and
  // a live change does not free it until the operation returns. Nested operations of the same
  // kernel on the same thread (a policy asking the kernel something) keep the outer version.
  class Pinned {
   public:
    explicit Pinned(const KernelImpl& k) noexcept : saved_(t_pinned) {
      if (saved_.kernel == &k) return;
      pin_.emplace(k.cell_.pin());
      t_pinned = {&k, pin_->get()};
    }
    ~Pinned() { t_pinned = saved_; }
    Pinned(const Pinned&) = delete;
    Pinned& operator=(const Pinned&) = delete;

   private:
    PinnedConfig saved_;
    std::optional<ConfigCell<ResolvedConfig>::Pin> pin_;
  };
  // The pinned configuration of the running operation (only ever called inside one).
  const ResolvedConfig& cfg() const noexcept { return *t_pinned.config; }

  KernelImpl(ResolvedConfig resolved, const Clock& clock, std::span<PolicyHook* const> policies)
      : cell_(std::make_unique<const ResolvedConfig>(std::move(resolved))),
        clock_(clock),
        policies_(policies.begin(), policies.end()),
        max_items_(cell_.unpinned().source->limits.max_items),
        max_agents_(agent_room(cell_.unpinned())),
        items_(std::make_unique<ItemSlot[]>(max_items_)),
        // 2× headroom: a push never meets a cell whose pop is still in progress (mpmc_ring.h).
        free_slots_(2 * size_t{max_items_}),
        agents_(std::make_unique<AgentSlot[]>(max_agents_)),
        customers_(cell_.unpinned().source->limits.max_customers),
        last_agents_(cell_.unpinned().source->limits.remembered_customers),
        events_(2 * std::bit_ceil(size_t{cell_.unpinned().source->limits.event_capacity})),
        credits_(cell_.unpinned().source->limits.event_capacity),
        // Per slot an item node, an exclusion node, a drop node, a wait node (overflow and
        // expiry) and a preference node; one missed node per agent.
        timers_(5 * max_items_ + max_agents_,
                cell_.unpinned().source->limits.timer_resolution, clock.now()),
        max_classes_(cell_.unpinned().source->limits.max_requirement_sets),
        first_class_(queue_room(cell_.unpinned())),
        sets_(std::make_unique<std::unique_ptr<QueueSlot>[]>(first_class_ + max_classes_)),
        classes_(std::make_unique<SkillClass[]>(first_class_ + max_classes_)),
        requirements_(std::make_unique<RequirementSet[]>(max_classes_ + 1)),
        agent_classes_(std::make_unique<ClassEntry[]>(max_agents_ * max_classes_)),
        agent_class_count_(std::make_unique<std::atomic<uint32_t>[]>(max_agents_)),
        max_preferred_(static_cast<int32_t>(cell_.unpinned().source->limits.max_preferred_waiting)),
        personal_(std::make_unique<std::unique_ptr<MpmcRing<uint64_t>>[]>(max_agents_)) {
    const Pinned pinned(*this);
    for (uint32_t i = 0; i < max_items_; ++i) (void)free_slots_.try_push(i);
    for (uint32_t q = 0; q < cfg().queues.size(); ++q)
      sets_[q] = std::make_unique<QueueSlot>(q, cfg().queues[q].max_waiting, set_room(cfg().queues[q].members.size()));
    queue_position_.assign(cfg().queues.size(), std::vector<uint32_t>(max_agents_, UINT32_MAX));
    for (uint32_t q = 0; q < cfg().queues.size(); ++q) {
      for (uint32_t a : cfg().queues[q].members) take_position(q, a);
      if (cfg().queues[q].removed) sets_[q]->occupancy.store(kClosedQueue, std::memory_order_relaxed);
    }
    set_count_.store(first_class_, std::memory_order_release);
    class_listed_.resize(max_agents_);
    for (uint32_t a = 0; a < max_agents_; ++a) {
      agent_class_count_[a].store(0, std::memory_order_relaxed);
      // 2× headroom over the entries it may hold, like the queues' lanes.
      if (max_preferred_ > 0) personal_[a] = std::make_unique<MpmcRing<uint64_t>>(2 * std::bit_ceil(uint32_t(max_preferred_)));
    }
    for (uint32_t a = 0; a < cfg().agents.size(); ++a) {
      agents_[a].word.store(AgentWord{}.with_status(cfg().agents[a].initial_status).raw,
                            std::memory_order_relaxed);
      publish(a);
    }
  }

  // ---- control plane ---------------------------------------------------------------------------
  // A name looked up in the pinned configuration's table `names`.
  template <class Id>
  std::optional<Id> find(std::unordered_map<std::string, uint32_t> ResolvedConfig::*names, std::string_view n) const {
    const Pinned pinned(*this);
    const auto& m = cfg().*names;
    auto it = m.find(std::string(n));
    if (it == m.end()) return std::nullopt;
    return Id{static_cast<std::underlying_type_t<Id>>(it->second)};
  }
  std::optional<QueueId> find_queue(std::string_view n) const override { return find<QueueId>(&ResolvedConfig::queue_by_name, n); }
  std::optional<AgentId> find_agent(std::string_view n) const override { return find<AgentId>(&ResolvedConfig::agent_by_name, n); }
  std::optional<StatusId> find_status(std::string_view n) const override { return find<StatusId>(&ResolvedConfig::status_by_name, n); }
  std::optional<ChannelId> find_channel(std::string_view n) const override { return find<ChannelId>(&ResolvedConfig::channel_by_name, n); }
  std::optional<ServiceId> find_service(std::string_view n) const override { return find<ServiceId>(&ResolvedConfig::service_by_name, n); }
  std::optional<FlowId> find_flow(std::string_view n) const override { return find<FlowId>(&ResolvedConfig::flow_by_name, n); }
  std::optional<SkillId> find_skill(std::string_view n) const override { return find<SkillId>(&ResolvedConfig::skill_by_name, n); }

  // ---- skill requirement classes (control plane) -------------------------------------------
  // Builds, once per distinct set, a lane set of the agents qualified for it: its own lanes and
  // index, added to each qualified agent's class list. Routing threads never wait for this: a
  // class becomes visible (set_count_, release) only when complete, and no item can be in it
  // before its RequirementsId is returned. O(agents) per new class.
  Result<RequirementsId> prepare_requirements(QueueId queue, std::span<const SkillRequirement> skills) override {
    // The lock before the pin: a live change holds the lock while it waits for pins to end.
    std::lock_guard lock(control_mu_);
    const Pinned pinned(*this);
    const uint32_t q = index(queue);
    if (q >= cfg().queues.size() || cfg().queues[q].removed) return std::unexpected(Status::unknown_queue);
    if (skills.empty() || skills.size() > 8) return std::unexpected(Status::invalid_requirements);
    std::vector<SkillRequirement> required, optional;
    for (size_t i = 0; i < skills.size(); ++i) {
      const SkillRequirement& r = skills[i];
      if (index(r.skill) >= cfg().skills.size() || cfg().skill_removed[index(r.skill)])
        return std::unexpected(Status::unknown_skill);
      if (r.min_level < 1 || r.min_level > 10 || r.drop_after.count() < 0 || r.drop_after > kMaxTimer)
        return std::unexpected(Status::invalid_requirements);
      for (size_t j = 0; j < i; ++j)
        if (skills[j].skill == r.skill) return std::unexpected(Status::invalid_requirements);
      (r.drop_after.count() == 0 ? required : optional).push_back(r);
    }
    auto by_skill = [](const SkillRequirement& x, const SkillRequirement& y) { return x.skill < y.skill; };
    std::sort(required.begin(), required.end(), by_skill);
    std::sort(optional.begin(), optional.end(), [](const SkillRequirement& x, const SkillRequirement& y) {
      return x.drop_after != y.drop_after ? x.drop_after < y.drop_after : x.skill < y.skill;
    });
    auto key_of = [&](size_t stage) {  // the class of a stage: required + optional[stage..]
      std::vector<SkillRequirement> set(required);
      set.insert(set.end(), optional.begin() + static_cast<ptrdiff_t>(stage), optional.end());
      std::sort(set.begin(), set.end(), by_skill);
      std::string key = std::to_string(q);
      for (const auto& r : set) key += ":" + std::to_string(index(r.skill)) + "@" + std::to_string(r.min_level);
      return std::pair{key, set};
    };
    std::string id_key = key_of(0).first;
    for (const auto& r : optional) id_key += "/" + std::to_string(index(r.skill)) + "~" + std::to_string(r.drop_after.count());

    if (auto it = requirement_ids_.find(id_key); it != requirement_ids_.end()) return RequirementsId{it->second};
    const uint32_t rid = req_count_.load(std::memory_order_relaxed) + 1;
    size_t new_classes = 0;
    for (size_t k = 0; k <= optional.size(); ++k) new_classes += !class_ids_.contains(key_of(k).first);
    if (rid > max_classes_ ||
        set_count_.load(std::memory_order_relaxed) + new_classes > first_class_ + max_classes_)
      return std::unexpected(Status::requirements_exhausted);
    RequirementSet& info = requirements_[rid];
    info.queue = q;
    info.stages = static_cast<uint32_t>(optional.size() + 1);
    for (size_t k = 0; k <= optional.size(); ++k) {
      auto [key, set] = key_of(k);
      auto it = class_ids_.find(key);
      info.set[k] = it != class_ids_.end() ? it->second : create_class(q, set);
      if (it == class_ids_.end()) class_ids_.emplace(key, info.set[k]);
      if (k < optional.size()) info.drop_after[k] = optional[k].drop_after;
    }
    requirement_ids_.emplace(id_key, rid);
    req_count_.store(rid, std::memory_order_release);
    return RequirementsId{rid};
  }

  uint32_t create_class(uint32_t q, const std::vector<SkillRequirement>& set) {
    const uint32_t c = set_count_.load(std::memory_order_relaxed);
    classes_[c].needs = set;
    std::vector<uint32_t> qualified_now;
    for (uint32_t a = 0; a < cfg().agents.size(); ++a)
      if (qualified_in(cfg(), a, c)) qualified_now.push_back(a);
    // Headroom for agents hired or re-skilled live: all the hiring room, and a quarter more.
    // The queue's lane room, not today's max_waiting: a live change may raise it up to that room.
    sets_[c] = std::make_unique<QueueSlot>(q, lane_room(q), set_room(qualified_now.size()));
    for (uint32_t a : qualified_now) add_member(a, c);
    set_count_.store(c + 1, std::memory_order_release);
    for (uint32_t a : qualified_now)  // nothing waits here yet: nobody to wake
      if (eligible(c, a)) (void)place_member(a, c, member_position(a, c));
    return c;
  }

  // Member positions of a lane set of n members: n, plus headroom for hires, moves and skill
  // changes — all the hiring room, a quarter more, and 16.
  uint32_t set_room(size_t n) const noexcept {
    const auto members = static_cast<uint32_t>(n);
    const uint32_t hiring = max_agents_ - static_cast<uint32_t>(cell_.unpinned().agents.size());
    return std::min<uint32_t>(std::max<uint32_t>(max_agents_, 1), members + hiring + members / 4 + 16);
  }
  // Agent a's position in queue q's own set, given on its first membership and kept for good
  // (control plane). The caller checked the set has room.
  uint32_t take_position(uint32_t q, uint32_t a) {
    uint32_t& pos = queue_position_[q][a];
    if (pos != UINT32_MAX) return pos;
    QueueSlot& set = *sets_[q];
    pos = set.filled++;
    set.members[pos].store(a, std::memory_order_relaxed);
    return pos;
  }

  // Gives agent a a position in class c and lists c in a's classes (control plane; the caller
  // checked the class has room). Positions and lists only grow, so routing threads read them
  // without a lock (count published with release); an agent that stops qualifying, or stops
  // serving the class's queue, keeps both and is filtered by eligible().
  void add_member(uint32_t a, uint32_t c) {
    std::vector<bool>& listed = class_listed_[a];
    if (listed.size() <= c) listed.resize(c + 1, false);
    if (listed[c]) return;
    listed[c] = true;
    QueueSlot& set = *sets_[c];
    const uint32_t pos = set.filled++;
    set.members[pos].store(a, std::memory_order_relaxed);
    const uint32_t n = agent_class_count_[a].load(std::memory_order_relaxed);
    ClassEntry& entry = agent_classes_[size_t{a} * max_classes_ + n];
    entry.set = c;
    entry.member = pos;
    entry.verdict.store(0, std::memory_order_relaxed);
    entry.priority.store(cfg().routings[cfg().queues[set.queue].routing].priority, std::memory_order_relaxed);
    (void)class_member(a, n);  // the verdict, now: routing threads find it fresh
    agent_class_count_[a].store(n + 1, std::memory_order_release);
  }
  // Agent a's position in class c whatever its eligibility (UINT32_MAX: it never had one).
  uint32_t member_position(uint32_t a, uint32_t c) const noexcept {
    const uint32_t n = agent_class_count_[a].load(std::memory_order_acquire);
    for (uint32_t i = 0; i < n; ++i)
      if (agent_classes_[size_t{a} * max_classes_ + i].set == c) return agent_classes_[size_t{a} * max_classes_ + i].member;
    return UINT32_MAX;
  }
  bool listed(uint32_t a, uint32_t c) const noexcept {
    return c < class_listed_[a].size() && class_listed_[a][c];
  }

  // ---- who may take a lane set's items, under the pinned configuration -----------------------
  // Agent a has the skills class c asks for.
  bool qualified(uint32_t a, uint32_t c) const noexcept { return qualified_in(cfg(), a, c); }
  bool qualified_in(const ResolvedConfig& config, uint32_t a, uint32_t c) const noexcept {
    const auto& levels = config.agents[a].skill_levels;
    for (const SkillRequirement& r : classes_[c].needs)
      if (levels[index(r.skill)] < r.min_level) return false;
    return true;
  }
  // Agent a is a member of lane set `set` now: it serves the queue (a queue's own set), or it is
  // qualified for the class and serves its queue or the queue's routing is skills-based. O(1) for
  // a queue, O(skills of the class) for a class.
  bool eligible(uint32_t set, uint32_t a) const noexcept {
    if (a >= cfg().agents.size()) return false;  // not hired yet (a live change adds it)
    const uint32_t q = sets_[set]->queue;
    const bool serves = cfg().queues[q].serves[a];
    if (set < first_class_) return serves;
    return (serves || cfg().routings[cfg().queues[q].routing].skills_based) && qualified(a, set);
  }
  // Is agent a a member of the i-th class in its list now? eligible(), cached beside the list
  // entry: the hot path asks on every placement and pull, for each class of the agent, and the
  // entries are contiguous per agent. A class's membership is a function of the agent's skills
  // and queues only (a class's needs and its queue's reach never change), so the verdict is keyed
  // by the agent's membership epoch, which a live change moves only for agents it moved: exact,
  // and computed eagerly by the control plane (add_member, reconfigure), so routing threads find
  // it fresh; a racing writer stores the same verdict, or one for another epoch that a reader
  // then recomputes.
  bool class_member(uint32_t a, uint32_t i) const noexcept {
    const size_t k = size_t{a} * max_classes_ + i;
    const uint64_t known = (uint64_t{cfg().agents[a].membership_epoch} + 1) << 1;
    const uint64_t cached = agent_classes_[k].verdict.load(std::memory_order_relaxed);
    if ((cached & ~uint64_t{1}) == known) return cached & 1;
    const bool member = eligible(agent_classes_[k].set, a);
    agent_classes_[k].verdict.store(known | member, std::memory_order_relaxed);
    return member;
  }
  // Is agent a a member of lane set `set` now (a searcher's or a repair's question)?
  bool member_now(uint32_t set, uint32_t a) const noexcept {
    if (a >= cfg().agents.size()) return false;
    if (set < first_class_) return cfg().queues[set].serves[a];
    const uint32_t n = agent_class_count_[a].load(std::memory_order_acquire);
    for (uint32_t i = 0; i < n; ++i)
      if (agent_classes_[size_t{a} * max_classes_ + i].set == set) return class_member(a, i);
    return false;
  }
  // The sum of agent a's levels in the skills of lane set `set` (most_skilled ties; 0 for a queue).
  uint32_t skill_sum(uint32_t set, uint32_t a) const noexcept {
    if (set < first_class_) return 0;
    uint32_t sum = 0;
    for (const SkillRequirement& r : classes_[set].needs) sum += cfg().agents[a].skill_levels[index(r.skill)];
    return sum;
  }
  static uint32_t queue_room(const ResolvedConfig& c) {
    return std::max(static_cast<uint32_t>(c.queues.size()), c.source->limits.max_queues);
  }
  // An agent that may be offered work or change status: hired and not removed. (A removed agent
  // still finishes what it holds: item calls take its id.)
  bool agent_in_force(uint32_t a) const noexcept { return a < cfg().agents.size() && !cfg().agents[a].removed; }
  static uint32_t agent_room(const ResolvedConfig& c) {
    const uint32_t configured = static_cast<uint32_t>(std::max<size_t>(c.agents.size(), 1));
    return std::max(configured, c.source->limits.max_agents);
  }

  // The most items the lanes of queue q can hold: its max_waiting at create, to a power of two.
  uint32_t lane_room(uint32_t q) const noexcept { return static_cast<uint32_t>(sets_[q]->fresh.capacity() / 2); }

  // ---- live changes (control plane) ---------------------------------------------------------
  std::optional<ConfigError> live_change_refused(const ResolvedConfig& before, const ResolvedConfig& next) const {
    std::vector<uint32_t> room(before.queues.size());
    for (uint32_t q = 0; q < room.size(); ++q) room[q] = lane_room(q);
    return check_live_change(before, next, LiveBounds{room, max_agents_, first_class_});
  }

  std::optional<ConfigError> validate_reconfigure(const Config& next) const override {
    std::lock_guard lock(control_mu_);
    const ResolvedConfig& before = cell_.unpinned();
    auto resolved = resolve(live_successor(*before.source, next));
    if (!resolved) return resolved.error();
    if (auto refused = live_change_refused(before, *resolved)) return refused;
    return removal_refused(before, *resolved);
  }

  // What a removal needs of the running state: a queue removed has nothing waiting or offered
  // (items opening, queued — in its lanes or waiting for a preferred agent — or offered), an agent
  // removed holds nothing (offered, active, paused or wrap-up), a status removed has nobody in
  // it. One pass over the item slots when anything is removed; O(1) otherwise. Work may still
  // arrive before the change is published: reconfigure's fences settle that (kClosedQueue), or
  // the newcomer is finished as usual (an agent keeps what an offer raced to it).
  std::optional<ConfigError> removal_refused(const ResolvedConfig& before, const ResolvedConfig& next) const {
    auto newly = [](const auto& x, const auto& y) { return !x.removed && y.removed; };
    std::vector<uint32_t> waiting_in(before.queues.size()), held_by(before.agents.size());
    bool any = false;
    for (uint32_t q = 0; q < before.queues.size(); ++q) any |= newly(before.queues[q], next.queues[q]);
    for (uint32_t a = 0; a < before.agents.size(); ++a) any |= newly(before.agents[a], next.agents[a]);
    for (uint32_t st = 0; st < before.statuses.size(); ++st) any |= newly(before.statuses[st], next.statuses[st]);
    const std::vector<uint8_t> retiring = retiring_requirements(before, next);
    any |= std::find(retiring.begin(), retiring.end(), 1) != retiring.end();
    if (!any) return std::nullopt;
    std::vector<uint32_t> asking(retiring.size());  // by requirement set: items waiting or offered
    for (uint32_t slot = 0; slot < max_items_; ++slot) {
      const ItemWord w = items_[slot].word.load(kSeq);
      const ItemState st = w.state();
      if ((st == kOpening || st == ItemState::queued || st == ItemState::offered) && w.queue() < waiting_in.size())
        ++waiting_in[w.queue()];
      if ((w.holds() || st == ItemState::paused) && w.agent() < held_by.size()) ++held_by[w.agent()];
      const uint32_t rid = items_[slot].requirements.load(std::memory_order_relaxed);
      if ((st == ItemState::queued || st == ItemState::offered) && rid < retiring.size() && retiring[rid]) ++asking[rid];
    }
    for (uint32_t rid = 1; rid < retiring.size(); ++rid)
      if (retiring[rid] && asking[rid] > 0)
        return ConfigError{"removed_skills", "a skill removed is asked for by " + std::to_string(asking[rid]) +
                                                 " items waiting or offered (requirement set " + std::to_string(rid) +
                                                 "): a skill is removed once they are routed or closed"};
    const Config& src = *next.source;
    for (uint32_t q = 0; q < before.queues.size(); ++q)
      if (newly(before.queues[q], next.queues[q]) && waiting_in[q] > 0)
        return ConfigError{"queues[" + std::to_string(q) + "].removed",
                           "\"" + src.queues[q].name + "\" has " + std::to_string(waiting_in[q]) +
                               " items waiting or offered: a queue is removed once they are routed, transferred or closed"};
    for (uint32_t a = 0; a < before.agents.size(); ++a)
      if (newly(before.agents[a], next.agents[a]) && held_by[a] > 0)
        return ConfigError{"agents[" + std::to_string(a) + "].removed",
                           "\"" + src.agents[a].name + "\" holds " + std::to_string(held_by[a]) +
                               " items: an agent is removed once they end (an offline status first stops new offers)"};
    for (uint32_t a = 0; a < before.agents.size(); ++a) {
      const uint16_t st = AgentWord{agents_[a].word.load(kSeq)}.status();
      if (!next.agents[a].removed && st < before.statuses.size() && newly(before.statuses[st], next.statuses[st]))
        return ConfigError{"statuses[" + std::to_string(st) + "].removed",
                           "agent \"" + src.agents[a].name + "\" is in \"" + src.statuses[st].name +
                               "\": a status is removed once nobody is in it"};
    }
    return std::nullopt;
  }

  // By requirement set (index = RequirementsId): does it name a skill the change removes?
  std::vector<uint8_t> retiring_requirements(const ResolvedConfig& before, const ResolvedConfig& next) const {
    const uint32_t n = req_count_.load(std::memory_order_acquire);
    std::vector<uint8_t> out(n + 1, 0);
    std::vector<bool> gone(next.skills.size(), false);
    bool any = false;
    for (size_t s = 0; s < before.skills.size(); ++s) any |= gone[s] = next.skill_removed[s] && !before.skill_removed[s];
    if (!any) return out;
    for (uint32_t rid = 1; rid <= n; ++rid)
      for (const SkillRequirement& r : classes_[requirements_[rid].set[0]].needs)  // stage 0: every skill it names
        out[rid] |= gone[index(r.skill)];
    return out;
  }

  // The fence of each queue being removed: occupancy from 0 to kClosedQueue in one CAS, after
  // sweeping out stale lane entries (they hold occupancy units, compact()). From then on nothing
  // can be queued or offered there. On a failed CAS (work arrived since removal_refused) the
  // fences already set are lifted — nothing was published — and the change is refused.
  std::optional<ConfigError> close_removed_queues(const ResolvedConfig& before, const ResolvedConfig& next,
                                                  std::vector<uint32_t>& closed) {
    const Pinned pinned(*this);  // compact() routes under the configuration in force
    for (uint32_t q = 0; q < before.queues.size(); ++q) {
      if (before.queues[q].removed || !next.queues[q].removed) continue;
      QueueSlot& queue = *sets_[q];
      int32_t empty = 0;
      if (queue.occupancy.load(kSeq) != 0) (void)compact(queue, q);
      OMNI_SCHED_POINT("remove.close_queue");
      if (!queue.occupancy.compare_exchange_strong(empty, kClosedQueue, kSeq)) {
        for (uint32_t c : closed) sets_[c]->occupancy.store(0, kSeq);  // CAS from 0: nothing else moved them
        closed.clear();
        return ConfigError{"queues[" + std::to_string(q) + "].removed",
                           "\"" + next.source->queues[q].name + "\" received work while being removed: "
                           "a queue is removed once nothing waits in it or is offered from it"};
      }
      closed.push_back(q);
    }
    return std::nullopt;
  }

  // Validates `next`, checks that the running kernel can take it (live_change.cc), publishes it
  // whole, waits until no operation still reads the old version (config_cell.h), and then
  // catches the running state up with it: timers the new rules need for items already waiting
  // or offered, and the agents it may have made better placed and offered work anew (raised
  // capacity, a status that now routes a channel, another routing model, a queue joined, a
  // hire). Agents it made busier are left to the optimistic index (agent_index.h): searchers
  // re-check them; agents it took out of a set are placed absent there before it returns. Cost: docs/ARCHITECTURE.md
  // "Complexity" (O(configuration) + the agents it may have made better + O(items) for timers).
  std::expected<void, ConfigError> reconfigure(const Config& next, const BeforePublish& before_publish) override {
    if (t_pinned.kernel == this)
      return std::unexpected(ConfigError{"reconfigure", "called inside an operation of this kernel (a policy "
                                                        "hook?): it would wait for that operation to end"});
    std::lock_guard lock(control_mu_);
    const ResolvedConfig& before = cell_.unpinned();
    auto resolved = resolve(live_successor(*before.source, next));
    if (!resolved) return std::unexpected(resolved.error());
    if (auto refused = live_change_refused(before, *resolved)) return std::unexpected(*refused);
    if (auto refused = removal_refused(before, *resolved)) return std::unexpected(*refused);
    const size_t n_queues = before.queues.size();
    // Rules that arm timers when an item is queued or offered: items already there need them too.
    std::vector<uint8_t> arm_wait_in(n_queues), arm_push_in(n_queues);
    bool rearm = false;
    for (uint32_t q = 0; q < n_queues; ++q) {
      const QueueInfo& x = before.queues[q];
      const QueueInfo& y = resolved->queues[q];
      arm_wait_in[q] = (y.overflow_after.count() > 0 || y.max_wait.count() > 0) &&
                       (y.overflow_after != x.overflow_after || y.max_wait != x.max_wait);
      arm_push_in[q] = before.routings[x.routing].push_timeout.count() == 0 &&
                       resolved->routings[y.routing].push_timeout.count() > 0;
      rearm |= arm_wait_in[q] || arm_push_in[q];
    }
    // Agents whose queues or skills changed: their preferences end (they may no longer serve the
    // items waiting for them) and their class lists may grow. Agents hired: their words are set
    // before the configuration that names them is published (the replace orders the stores).
    const uint32_t hired_from = static_cast<uint32_t>(before.agents.size());
    std::vector<uint8_t> moved(resolved->agents.size(), 1);
    for (uint32_t a = 0; a < hired_from; ++a)
      moved[a] = before.agents[a].skill_levels != resolved->agents[a].skill_levels ||
                 before.agents[a].memberships.size() != resolved->agents[a].memberships.size() ||
                 !std::is_permutation(before.agents[a].memberships.begin(), before.agents[a].memberships.end(),
                                      resolved->agents[a].memberships.begin(),
                                      [](const Membership& x, const Membership& y) { return x.set == y.set; });
    for (uint32_t a = 0; a < hired_from; ++a) moved[a] |= resolved->agents[a].removed && !before.agents[a].removed;
    if (auto full = class_room_refused(*resolved, moved)) return std::unexpected(*full);
    if (auto full = queue_room_refused(*resolved)) return std::unexpected(*full);
    // The last refusals: removed queues fenced, then the host's own step (the journal's record).
    std::vector<uint32_t> closed;
    if (auto busy = close_removed_queues(before, *resolved, closed)) return std::unexpected(*busy);
    if (before_publish)
      if (auto refused = before_publish(*resolved->source)) {
        for (uint32_t c : closed) sets_[c]->occupancy.store(0, kSeq);
        return std::unexpected(*refused);
      }
    // Requirement sets naming a removed skill: refused by submits from here on (nothing waits with
    // them: removal_refused; one racing this change waits as for a skill nobody has).
    const std::vector<uint8_t> retiring = retiring_requirements(before, *resolved);
    for (uint32_t rid = 1; rid < retiring.size(); ++rid)
      if (retiring[rid]) requirements_[rid].retired.store(true, std::memory_order_relaxed);
    // Queues added: their lane sets, before the configuration that names them is published.
    for (uint32_t q = static_cast<uint32_t>(n_queues); q < resolved->queues.size(); ++q) {
      sets_[q] = std::make_unique<QueueSlot>(q, resolved->queues[q].max_waiting,
                                             set_room(resolved->queues[q].members.size()));
      queue_position_.emplace_back(max_agents_, UINT32_MAX);
    }
    // Positions in the queues' sets: kept for old members, given to joiners (written before the
    // configuration naming them is published, which orders the writes for every reader).
    for (uint32_t q = 0; q < resolved->queues.size(); ++q)
      for (uint32_t a : resolved->queues[q].members) (void)take_position(q, a);
    for (uint32_t a = 0; a < resolved->agents.size(); ++a) {
      for (Membership& m : resolved->agents[a].memberships) m.member = queue_position_[m.set][a];
      if (a < hired_from) resolved->agents[a].membership_epoch = before.agents[a].membership_epoch + moved[a];
    }
    for (uint32_t a = hired_from; a < resolved->agents.size(); ++a)
      agents_[a].word.store(AgentWord{}.with_status(resolved->agents[a].initial_status).raw, kSeq);
    std::vector<uint8_t> status_changed;
    const std::vector<uint8_t> touched = touched_agents(before, *resolved, moved, status_changed);
    bool priority_moved = false;
    for (uint32_t q = 0; q < n_queues; ++q)
      priority_moved |= before.routings[before.queues[q].routing].priority !=
                        resolved->routings[resolved->queues[q].routing].priority;
    cell_.replace(std::make_unique<const ResolvedConfig>(std::move(*resolved)));

    const Pinned pinned(*this);  // the new version: replace() returned, nobody reads the old one
    const Time now = clock_.now();
    for (uint32_t slot = 0; rearm && slot < max_items_; ++slot) {
      const ItemSlot& item = items_[slot];
      const ItemWord w = item.word.load(std::memory_order_acquire);
      if (w.state() == ItemState::queued && arm_wait_in[w.queue()]) arm_wait(slot, item, w, now);
      if (w.state() == ItemState::offered && arm_push_in[w.queue()])
        timers_.arm(slot, w.version(), now + cfg().routings[cfg().queues[w.queue()].routing].push_timeout);
    }
    // A timer armed for a word the item has left since does nothing when it fires (fire()), and
    // an arm never replaces a later version's (timer_wheel.h): racing the hot path is harmless.
    const uint32_t n_sets = set_count_.load(std::memory_order_acquire);
    if (priority_moved)  // the classes' cached priorities (ClassEntry), before anyone is offered work
      for (uint32_t a = 0; a < cfg().agents.size(); ++a)
        for (uint32_t i = 0, n = agent_class_count_[a].load(std::memory_order_acquire); i < n; ++i) {
          ClassEntry& entry = agent_classes_[size_t{a} * max_classes_ + i];
          entry.priority.store(cfg().routings[cfg().queues[sets_[entry.set]->queue].routing].priority,
                               std::memory_order_relaxed);
        }
    for (uint32_t a = 0; a < cfg().agents.size(); ++a) {
      if (!touched[a] && !status_changed[AgentWord{agents_[a].word.load(kSeq)}.status()]) continue;
      if (moved[a]) {
        for (uint32_t c = first_class_; c < n_sets; ++c)
          if (qualified(a, c)) add_member(a, c);
        const uint32_t listed_classes = agent_class_count_[a].load(std::memory_order_acquire);
        for (uint32_t i = 0; i < listed_classes; ++i) (void)class_member(a, i);  // fresh verdicts now
      }
      const AgentWord w{agents_[a].word.load(kSeq)};
      const bool online = cfg().statuses[w.status()].kind == PresenceKind::online;
      if (a >= hired_from && online) mark_idle(a, now);
      if (!online || (moved[a] && a < hired_from)) release_preferences(a);
      // Sets it left: out of their index now (a searcher meeting it would also place it absent,
      // eligible() says no); sets it joined: placed by agent_freed, which then looks for work.
      if (moved[a])
        for_each_set([&](uint32_t c) {
          if (eligible(c, a)) return;
          const uint32_t m = c < first_class_ ? queue_position_[c][a] : member_position(a, c);
          if (m != UINT32_MAX) (void)place_member(a, c, m);
        });
      agent_freed(a);
    }
    return {};
  }

  // Agents hired or re-skilled join the skill classes they now qualify for; a class has the room
  // it was prepared with (QueueSlot): refused, naming the agent, when that would not suffice.
  std::optional<ConfigError> class_room_refused(const ResolvedConfig& next, const std::vector<uint8_t>& moved) const {
    const uint32_t n_sets = set_count_.load(std::memory_order_acquire);
    std::vector<uint32_t> need(n_sets, 0);
    for (uint32_t a = 0; a < next.agents.size(); ++a) {
      if (!moved[a]) continue;
      for (uint32_t c = first_class_; c < n_sets; ++c) {
        if (listed(a, c) || !qualified_in(next, a, c)) continue;
        if (sets_[c]->filled + ++need[c] > sets_[c]->room)
          return ConfigError{"agents[" + std::to_string(a) + "].skills",
                             "qualifies for a skill class of queue \"" + next.source->queues[sets_[c]->queue].name +
                                 "\" that has no room left (prepared with room for " + std::to_string(sets_[c]->room) +
                                 " agents; raise limits.max_agents for more hiring room)"};
      }
    }
    return std::nullopt;
  }

  // Joiners of a queue take new positions in its set, which has the room it was created with.
  // (A queue added is created with room for its members.)
  std::optional<ConfigError> queue_room_refused(const ResolvedConfig& next) const {
    for (uint32_t q = 0; q < queue_position_.size(); ++q) {
      uint32_t joining = 0;
      for (uint32_t a : next.queues[q].members) joining += queue_position_[q][a] == UINT32_MAX;
      if (sets_[q]->filled + joining > sets_[q]->room)
        return ConfigError{"queues[" + std::to_string(q) + "]",
                           "has room for " + std::to_string(sets_[q]->room) + " agents over its life (" +
                               std::to_string(sets_[q]->filled) + " taken): " + std::to_string(joining) +
                               " more cannot join; raise limits.max_agents for more room"};
    }
    return std::nullopt;
  }

  // Agents whose routing a change may have made better, which reconfigure places and offers
  // work anew: hired or moved (queues, skills), another presence configuration or other values in
  // theirs, a status whose kind or channels changed, or a queue or class they serve whose routing
  // changed. Untouched agents cost nothing: a change to one agent is O(its memberships).
  // The status part is answered apart (status_changed, by status index), to be read from the
  // agent's word after the replace: a set_status still running under the old version when
  // touched_agents runs would otherwise move the agent to a changed status unseen.
  std::vector<uint8_t> touched_agents(const ResolvedConfig& before, const ResolvedConfig& next,
                                      const std::vector<uint8_t>& moved, std::vector<uint8_t>& status_changed) const {
    auto same_presence = [](const PresenceInfo& x, const PresenceInfo& y) {
      return x.capacity == y.capacity && x.interruptible_capacity == y.interruptible_capacity &&
             x.counter_of == y.counter_of && x.channel_limit[0] == y.channel_limit[0] &&
             x.channel_limit[1] == y.channel_limit[1];
    };
    auto same_routing = [](const RoutingInfo& x, const RoutingInfo& y) {
      return x.priority == y.priority && x.model == y.model && x.unit == y.unit && x.size == y.size &&
             x.tie_break == y.tie_break;
    };
    std::vector<uint8_t> queue_changed(next.queues.size(), 1);  // a queue added: its members are new to it
    for (size_t q = 0; q < before.queues.size(); ++q) {
      const uint16_t x = before.queues[q].routing, y = next.queues[q].routing;
      queue_changed[q] = x != y || !same_routing(before.routings[x], next.routings[y]) ||
                         before.queues[q].channel != next.queues[q].channel;
    }
    status_changed.assign(next.statuses.size(), 0);  // appended statuses: nobody was in them before
    for (size_t st = 0; st < before.statuses.size(); ++st)
      status_changed[st] = before.statuses[st].kind != next.statuses[st].kind ||
                           before.statuses[st].channels != next.statuses[st].channels;
    std::vector<uint8_t> touched(next.agents.size(), 1);
    for (uint32_t a = 0; a < before.agents.size(); ++a) {
      const uint32_t px = before.agents[a].presence, py = next.agents[a].presence;
      bool t = moved[a] || px != py || !same_presence(before.presences[px], next.presences[py]);
      for (const Membership& m : next.agents[a].memberships) t = t || queue_changed[m.set];
      const uint32_t n = agent_class_count_[a].load(std::memory_order_acquire);
      for (uint32_t i = 0; i < n && !t; ++i) t = queue_changed[sets_[agent_classes_[size_t{a} * max_classes_ + i].set]->queue];
      touched[a] = t;
    }
    return touched;
  }

  std::optional<DeclineReasonId> find_decline_reason(AgentId agent, std::string_view reason) const override {
    const Pinned pinned(*this);
    if (index(agent) >= cfg().agents.size()) return std::nullopt;
    const auto& reasons = presence_of(index(agent)).reasons;
    auto it = std::find(reasons.begin(), reasons.end(), reason);
    if (it == reasons.end()) return std::nullopt;
    return DeclineReasonId{static_cast<uint16_t>(it - reasons.begin())};
  }
  std::optional<PausedValueId> find_paused_value(ChannelId channel, std::string_view value) const override {
    const Pinned pinned(*this);
    if (index(channel) >= cfg().channels.size()) return std::nullopt;
    const auto& values = cfg().channels[index(channel)].paused_values;
    auto it = std::find(values.begin(), values.end(), value);
    if (it == values.end()) return std::nullopt;
    return PausedValueId{static_cast<uint16_t>(it - values.begin())};
  }
  std::shared_ptr<const Config> config() const noexcept override {
    const Pinned pinned(*this);
    return cfg().source;
  }
  uint32_t agent_count() const noexcept override {
    const Pinned pinned(*this);
    return static_cast<uint32_t>(cfg().agents.size());
  }
  uint32_t queue_count() const noexcept override {
    const Pinned pinned(*this);
    return static_cast<uint32_t>(cfg().queues.size());
  }

  // ---- events: credits first, so that a transition never happens without its event ------------
  // A call takes credits for the most events it can emit before it changes anything; without
  // them it returns Status::events_full. Credits come back when the host drains (poll_events).
  class Budget {
   public:
    Budget(KernelImpl& k, int64_t n) noexcept : k_(k), left_(k.take_credits(n) ? n : -1) {}
    ~Budget() {
      if (left_ > 0) k_.credits_.fetch_add(left_, std::memory_order_relaxed);
    }
    Budget(const Budget&) = delete;
    Budget& operator=(const Budget&) = delete;
    explicit operator bool() const noexcept { return left_ >= 0; }
    void emit(Time at, ItemId item, AgentId agent, QueueId q, EventType type, uint64_t seq,
              uint16_t reason = 0) noexcept {
      --left_;  // a call never emits more than it reserved (each call's count is beside it)
      k_.push_event(Event{at, item, agent, q, type, reason, seq});
    }
    void emit(Time at, ItemId item, AgentId agent, uint32_t q, EventType type, uint64_t seq,
              uint16_t reason = 0) noexcept {
      emit(at, item, agent, QueueId{q}, type, seq, reason);
    }
    // `submitted` carries what the submit asked (read from the item's slot, which its submitter
    // still owns), so that the stream alone rebuilds the item.
    void emit_submitted(Time at, ItemId id, const ItemSlot& item, uint32_t q, uint64_t seq) noexcept {
      --left_;
      Event e{at, id, kNoAgent, QueueId{q}, EventType::submitted, 0, seq};
      e.customer = item.customer.load(std::memory_order_relaxed);
      e.requirements = item.requirements.load(std::memory_order_relaxed);
      e.is_bot = item.is_bot.load(std::memory_order_relaxed);
      k_.push_event(e);
    }

   private:
    KernelImpl& k_;
    int64_t left_;
  };

  bool take_credits(int64_t n) noexcept {
    int64_t c = credits_.load(std::memory_order_relaxed);
    do {
      if (c < n) return false;
      OMNI_SCHED_POINT("events.credits");
    } while (!credits_.compare_exchange_weak(c, c - n, std::memory_order_relaxed));
    return true;
  }

  void push_event(const Event& e) noexcept {
    // Credits bound the entries to half the ring and one thread drains it in order, so the push
    // finds its cell free unless a producer one lap behind is stalled mid-push (mpmc_ring.h).
    while (!events_.try_push(e)) {
    }
  }

  // Routing could not offer for lack of event credits: the next poll_events routes again.
  void defer_routing() noexcept {
    routing_deferred_.store(true, kSeq);
    deferrals_.fetch_add(1, std::memory_order_relaxed);
  }

  // ---- submit: O(1) + one routing attempt (see dispatch) ---------------------------------------
  Result<ItemId> submit(const SubmitRequest& req) noexcept override {
    const Pinned pinned(*this);
    const uint32_t q = index(req.queue);
    if (q >= cfg().queues.size() || cfg().queues[q].removed) return std::unexpected(Status::unknown_queue);
    const uint32_t rid = index(req.requirements);
    if (rid != 0 && (rid > req_count_.load(std::memory_order_acquire) || requirements_[rid].queue != q ||
                     requirements_[rid].retired.load(std::memory_order_relaxed)))
      return std::unexpected(Status::unknown_requirements);
    if (req.preferred != kNoAgent && !agent_in_force(index(req.preferred))) return std::unexpected(Status::unknown_agent);
    if (req.preferred_wait.count() < 0 || req.preferred_wait > kMaxTimer)
      return std::unexpected(Status::invalid_preference);
    QueueSlot& queue = *sets_[q];
    Budget budget(*this, 3);  // submitted, offered, accepted
    if (!budget) return std::unexpected(Status::events_full);
    if (!acquire_occupancy(queue, q)) return std::unexpected(Status::queue_full);
    uint32_t slot;
    if (!free_slots_.try_pop(slot)) {
      release_occupancy(queue);
      return std::unexpected(Status::items_exhausted);
    }
    ItemSlot& item = items_[slot];
    const Time now = clock_.now();
    // The slot is ours alone: it came off the free list and its word says free, which no call
    // moves. Its fields are written before the release store that publishes the new life.
    const ItemWord free_word = item.word.load(std::memory_order_relaxed);
    // Every field of the new life is set here: nothing of the slot's last item carries over.
    const ItemWord opening =
        free_word.next(kOpening).with_queue(q).with_hold(Hold{}).with_paused_value(0).with_stage(0);
    const ItemId id = make_item_id(slot, opening.version());
    item.birth.store(opening.version(), std::memory_order_relaxed);
    item.is_bot.store(req.is_bot, std::memory_order_relaxed);
    item.arrival.store(ns(now), std::memory_order_relaxed);
    item.customer.store(index(req.customer), std::memory_order_relaxed);
    item.requirements.store(rid, std::memory_order_relaxed);
    OMNI_SCHED_POINT("submit.publish");
    publish_owned(item, free_word, opening);

    // The session is recorded before the policy looks, so two concurrent opens for one customer
    // see each other (both may be refused; neither slips through).
    const uint64_t customer = index(req.customer);
    if (customer != 0 && !customers_.add(customer, index(id))) {
      retire_unopened(item, slot, opening, queue);
      return std::unexpected(Status::customers_exhausted);
    }
    if (!policies_.empty()) {
      PolicyRequest pr{};
      pr.op = PolicyOp::open;
      pr.customer = req.customer;
      pr.is_bot = req.is_bot;
      pr.to_queue = req.queue;
      pr.to_service = ServiceId{cfg().queues[q].service};
      pr.to_channel = ChannelId{cfg().queues[q].channel};
      if (!policies_allow(pr, id)) {
        if (customer != 0) customers_.remove(customer, index(id));
        retire_unopened(item, slot, opening, queue);
        return std::unexpected(Status::policy_refused);
      }
    }
    const uint32_t s = set_of(q, rid, 0);
    uint32_t p = index(req.preferred);
    if (req.preferred == kNoAgent && req.prefer_last_agent)
      p = last_agents_.recall(customer).value_or(index(kNoAgent));
    const bool prefer = req.preferred_wait.count() > 0 && p < cfg().agents.size() &&
                        member_of(p, s) != UINT32_MAX && routable(p, q) && take_personal_entry(p);
    QueueSlot& set = *sets_[s];
    // Direct hand-off: nothing waits here and a member has room, so the item skips the lane.
    // (Nobody is overtaken: an item queued concurrently is still offered by the Dekker path.)
    // It is offered straight from the opening word, which no other call may move: a host that
    // learnt the id early cannot close an item that is neither counted in a lane nor offered.
    if (!prefer && set.waiting.load(kSeq) <= 0) {
      bool repaired = false;
      const bool offered = hand_off(id, item, opening, s, now, budget, repaired);
      if (repaired) dispatch(s);  // rule 1: a bit it set may hide an arrival's miss
      if (offered) return id;
    }
    const ItemWord queued = prefer ? opening.next(ItemState::queued, p).with_preferred(true)
                                   : opening.next(ItemState::queued);
    OMNI_SCHED_POINT("submit.queued");
    publish_owned(item, opening, queued);  // nobody moves an opening item but us
    budget.emit_submitted(now, id, item, q, queued.version());
    if (prefer) {
      wait_for_preferred(slot, queued, p, now + req.preferred_wait);
      return id;
    }
    arm_queued(slot, item, queued, now);
    enqueue(set, set.fresh, slot, queued.version());
    dispatch(s);
    return id;
  }

  // ---- accept: offered → active, O(1) ----------------------------------------------------------
  Status accept(ItemId id, AgentId agent) noexcept override {
    const Pinned pinned(*this);
    const auto [found, item, w] = load_item(id);
    if (found != Status::ok) return found;
    if (index(agent) >= cfg().agents.size()) return Status::unknown_agent;
    if (w.state() != ItemState::offered) return Status::wrong_state;
    if (w.agent() != index(agent)) return Status::not_offered_to_agent;
    Budget budget(*this, 1);
    if (!budget) return Status::events_full;
    const ItemWord active = w.next(ItemState::active, w.agent());
    // Read before the CAS, like the birth in consider(): once the CAS wins, the item may end and
    // its slot carry another customer's item before we would read it.
    const uint64_t customer = item->customer.load(std::memory_order_relaxed);
    if (!cas_item(*item, w, active)) return Status::wrong_state;
    release_occupancy(*sets_[w.queue()]);  // the item has left its queue for good
    last_agents_.remember(customer, w.agent());
    budget.emit(clock_.now(), id, agent, w.queue(), EventType::accepted, active.version());
    return Status::ok;
  }

  // ---- decline: offered → queued (retry lane), O(memberships) ----------------------------------
  Status decline(ItemId id, AgentId agent, std::optional<DeclineReasonId> reason) noexcept override {
    const Pinned pinned(*this);
    const auto [found, item, w] = load_item(id);
    if (found != Status::ok) return found;
    const uint32_t a = index(agent);
    if (a >= cfg().agents.size()) return Status::unknown_agent;
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
    const Pinned pinned(*this);
    const auto [found, item, w] = load_item(id);
    if (found != Status::ok) return found;
    if (index(value) >= cfg().channels[cfg().queues[w.queue()].channel].paused_values.size())
      return Status::unknown_reason;
    if (w.state() != ItemState::active) return Status::wrong_state;
    Budget budget(*this, 1);
    if (!budget) return Status::events_full;
    const ItemWord paused = w.next(ItemState::paused, w.agent()).with_paused_value(index(value));
    if (!cas_item(*item, w, paused)) return Status::wrong_state;  // a racing pause/close won
    // Only the winner of the CAS above gets here, and it releases what the word it replaced held:
    // the capacity is released exactly once, by the right amount.
    release_amount(w.agent(), w.hold(), /*open=*/-1);
    budget.emit(clock_.now(), id, AgentId{w.agent()}, w.queue(), EventType::paused, paused.version(),
                index(value));
    agent_freed(w.agent());
    return Status::ok;
  }

  Status resume(ItemId id) noexcept override {
    const Pinned pinned(*this);
    const auto [found, item, w] = load_item(id);
    if (found != Status::ok) return found;
    if (w.state() != ItemState::paused) return Status::wrong_state;
    Budget budget(*this, 1);
    if (!budget) return Status::events_full;
    const uint32_t a = w.agent();
    // Take the capacity first, then the state: if the state CAS loses, give the capacity back.
    if (!consume_again(a, w.hold(), /*open=*/1)) return Status::no_capacity;
    const ItemWord active = w.next(ItemState::active, a);
    if (!cas_item(*item, w, active)) {
      release_amount(a, w.hold(), /*open=*/-1);
      agent_freed(a);
      return Status::wrong_state;
    }
    budget.emit(clock_.now(), id, AgentId{a}, w.queue(), EventType::resumed, active.version());
    return Status::ok;
  }

  // ---- close / wrap-up / abandon ---------------------------------------------------------------
  Status close(ItemId id) noexcept override {
    const Pinned pinned(*this);
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
    const Pinned pinned(*this);
    const auto [found, item, w] = load_item(id);
    if (found != Status::ok) return found;
    if (w.state() != ItemState::wrap_up) return Status::wrong_state;
    return finish_wrap_up(id, *item, w);
  }

  Status abandon(ItemId id) noexcept override {
    const Pinned pinned(*this);
    const auto [found, item, w] = load_item(id);
    if (found != Status::ok) return found;
    if (w.state() != ItemState::queued && w.state() != ItemState::offered) return Status::wrong_state;
    return leave(id, *item, w, EventType::abandoned);
  }

  // ---- transfers ---------------------------------------------------------------------------
  // active/paused → queued in another queue. The item keeps its original arrival time, so a
  // transferred customer does not start waiting again from zero — unless the destination's
  // routing config sets transfer_keeps_arrival = false.
  Status transfer_to_queue(ItemId id, QueueId to, PolicyOp how) noexcept override {
    const Pinned pinned(*this);
    const auto [found, item, w] = load_item(id);
    if (found != Status::ok) return found;
    const uint32_t q2 = index(to);
    if (q2 >= cfg().queues.size() || cfg().queues[q2].removed) return Status::unknown_queue;
    if (w.state() != ItemState::active && w.state() != ItemState::paused) return Status::wrong_state;
    const PresenceInfo& pc = presence_of(w.agent());
    if (!pc.transfer_anywhere && !pc.transfer_queues[q2]) return Status::not_a_destination;
    if (how != PolicyOp::transfer && how != PolicyOp::transfer_by_tag && how != PolicyOp::transfer_bulk)
      return Status::wrong_state;
    if (!transfer_allowed(id, *item, w, how, q2)) return Status::policy_refused;
    Budget budget(*this, 1);
    if (!budget) return Status::events_full;
    QueueSlot& dest_queue = *sets_[q2];
    if (!acquire_occupancy(dest_queue, q2)) return Status::queue_full;
    const ItemWord queued = w.next(ItemState::queued).with_queue(q2);
    const uint32_t rid = requirements_of(*item);
    if (!cas_item(*item, w, queued)) {
      release_occupancy(dest_queue);
      return Status::wrong_state;
    }
    const uint32_t a = w.agent();
    if (w.state() == ItemState::active) release_amount(a, w.hold(), /*open=*/-1);
    const Time now = clock_.now();
    mark_idle(a, now);
    // The destination's routing config may restart the wait. Written while no lane holds this
    // queued version and before its timers are armed, so every reader that orders or times the
    // item by its arrival sees the new one.
    const bool restarted = !cfg().routings[cfg().queues[q2].routing].transfer_keeps_arrival;
    if (restarted) item->arrival.store(ns(now), std::memory_order_release);
    budget.emit(now, id, AgentId{a}, q2, EventType::transferred, queued.version(), restarted ? 1 : 0);
    // Like a decline: not straight back to the agent who moved it, while someone else can take it.
    exclude(slot_of(id), *item, a, queued.version(), now + exclusion_for(q2));
    arm_queued(slot_of(id), *item, queued, now);
    const uint32_t s2 = set_of(queued, rid);
    enqueue(*sets_[s2], sets_[s2]->retry, slot_of(id), queued.version());
    agent_freed(a);
    dispatch(s2);
    return Status::ok;
  }

  // active/paused(a) → offered(b): capacity is taken on b before the CAS and released on a after
  // it, each by the amount the words say, so a racing pause or close can never release b's size.
  Status transfer_to_agent(ItemId id, AgentId to) noexcept override {
    const Pinned pinned(*this);
    const auto [found, item, w] = load_item(id);
    if (found != Status::ok) return found;
    const uint32_t b = index(to);
    if (!agent_in_force(b)) return Status::unknown_agent;
    if (w.state() != ItemState::active && w.state() != ItemState::paused) return Status::wrong_state;
    if (b == w.agent()) return Status::wrong_state;
    const PresenceInfo& pc = presence_of(w.agent());
    const int32_t profile = cfg().agents[b].profile;
    if (!pc.transfer_anywhere && (profile < 0 || !pc.transfer_profiles[profile])) return Status::not_a_destination;
    const uint32_t q = w.queue();
    if (!transfer_allowed(id, *item, w, PolicyOp::transfer, q)) return Status::policy_refused;
    Budget budget(*this, 3);  // transferred, offered, accepted
    if (!budget) return Status::events_full;
    QueueSlot& queue = *sets_[q];
    // An offer holds a unit of its queue's occupancy: a decline sends it back there.
    if (!acquire_occupancy(queue, q)) return Status::queue_full;
    const Hold hold = hold_for(q, b);
    if (!reserve(b, q, hold)) {
      release_occupancy(queue);
      return Status::no_capacity;
    }
    const ItemWord offered = w.next(ItemState::offered, b).with_hold(hold);
    if (!cas_item(*item, w, offered)) {
      release_amount(b, hold, /*open=*/-1);
      release_occupancy(queue);
      agent_freed(b);
      return Status::wrong_state;
    }
    if (w.state() == ItemState::active) release_amount(w.agent(), w.hold(), /*open=*/-1);
    const Time now = clock_.now();
    mark_idle(w.agent(), now);
    budget.emit(now, id, AgentId{w.agent()}, q, EventType::transferred, offered.version());
    after_offer(id, *item, offered, b, q, now, budget);
    agent_freed(w.agent());
    return Status::ok;
  }

  Status transfer_to_flow(ItemId id, FlowId flow) noexcept override {
    const Pinned pinned(*this);
    const auto [found, item, w] = load_item(id);
    if (found != Status::ok) return found;
    if (index(flow) >= cfg().flows.size()) return Status::unknown_reason;
    if (w.state() != ItemState::active && w.state() != ItemState::paused) return Status::wrong_state;
    const PresenceInfo& pc = presence_of(w.agent());
    if (!pc.transfer_anywhere && !pc.transfer_flows[index(flow)]) return Status::not_a_destination;
    Budget budget(*this, 2);
    if (!budget) return Status::events_full;
    const ItemWord gone = w.next(ItemState::free);
    if (!cas_item(*item, w, gone)) return Status::wrong_state;
    if (w.state() == ItemState::active) release_amount(w.agent(), w.hold(), /*open=*/-1);
    const Time now = clock_.now();
    mark_idle(w.agent(), now);
    budget.emit(now, id, AgentId{w.agent()}, w.queue(), EventType::transferred, gone.version(), index(flow));
    budget.emit(now, id, AgentId{w.agent()}, w.queue(), EventType::done, gone.version());
    retire(id, *item, gone);
    agent_freed(w.agent());
    return Status::ok;
  }

  // ---- presence -------------------------------------------------------------------------------
  Status set_status(AgentId agent, StatusId status) noexcept override {
    const Pinned pinned(*this);
    const uint32_t a = index(agent);
    if (!agent_in_force(a)) return Status::unknown_agent;
    if (index(status) >= cfg().statuses.size() || cfg().statuses[index(status)].removed) return Status::unknown_status;
    Budget budget(*this, 1);
    if (!budget) return Status::events_full;
    AgentSlot& slot = agents_[a];
    uint64_t raw = slot.word.load(kSeq);
    AgentWord next;
    do {  // a status chosen by the agent also ends the missed state
      next = AgentWord{raw}.with_status(index(status)).with_missed(false);
      OMNI_SCHED_POINT("agent.cas.status");
    } while (!slot.word.compare_exchange_weak(raw, next.raw, kSeq, kSeq));
    const Time now = clock_.now();
    if (cfg().statuses[index(status)].kind == PresenceKind::online &&
        cfg().statuses[AgentWord{raw}.status()].kind != PresenceKind::online)
      mark_idle(a, now);  // came online: idle from now, not from its last item before it left
    budget.emit(now, ItemId{}, agent, QueueId{}, EventType::agent_status, 0, index(status));
    if (cfg().statuses[index(status)].kind != PresenceKind::online) release_preferences(a);
    agent_freed(a);
    return Status::ok;
  }

  PolicyVerdict check_outbound(CustomerId customer, ServiceId service, PolicyOp op) noexcept override {
    const Pinned pinned(*this);
    if (op != PolicyOp::outbound_template && op != PolicyOp::outbound_broadcast)
      return {false, "check_outbound takes outbound_template or outbound_broadcast"};
    if (index(service) >= cfg().services.size()) return {false, "unknown service"};
    PolicyRequest pr{};
    pr.op = op;
    pr.customer = customer;
    pr.to_service = service;
    if (policies_allow(pr, ItemId{})) return {};
    return {false, t_last_policy_reason};
  }

  // ---- timers: O(requests + due timers + buckets passed) -----------------------------------
  Status tick(Time now) noexcept override {
    const Pinned pinned(*this);
    if (ticking_.exchange(true, std::memory_order_acquire)) return Status::busy;
    bool kept = false;
    timers_.advance(now, [&](uint32_t node, uint64_t expect) {
      const bool done = fire(node, expect, now);
      kept |= !done;
      return done;
    });
    ticking_.store(false, std::memory_order_release);
    // Some due timers could not report their transitions: they fire on the next tick after the
    // host drains. Everything else that was due has fired.
    return kept ? Status::events_full : Status::ok;
  }

  // One drainer at a time (a concurrent call returns 0): draining in order is what lets the event
  // ring promise that a producer holding credits always finds a free cell.
  size_t poll_events(std::span<Event> out) noexcept override {
    const Pinned pinned(*this);
    if (draining_.exchange(true, std::memory_order_acquire)) return 0;
    size_t n = 0;
    while (n < out.size() && events_.try_pop(out[n])) ++n;
    draining_.store(false, std::memory_order_release);
    if (n) credits_.fetch_add(static_cast<int64_t>(n), std::memory_order_relaxed);
    // Routing that stopped for lack of credits goes on now. O(lane sets), only after back-pressure.
    if (routing_deferred_.load(kSeq) && routing_deferred_.exchange(false, kSeq)) {
      for_each_set([&](uint32_t set) { dispatch(set); });
    }
    return n;
  }

  // ---- recovery (Kernel::restore): installs an image into a kernel nobody else uses yet -------
  // Single-threaded by construction (the kernel is not returned before this ends), so plain
  // stores suffice; the image is checked whole before anything routes. omnikernel/image.h says
  // what becomes of each state.
  std::optional<ConfigError> install(const KernelImage& image) {
    const Pinned pinned(*this);
    auto fail = [](std::string field, std::string why) { return ConfigError{std::move(field), std::move(why)}; };
    auto field = [](std::string_view list, size_t i) { return "image." + std::string(list) + "[" + std::to_string(i) + "]"; };
    const auto shifted = [&](Time t) { return t + image.shift; };
    for (size_t i = 0; i < image.requirement_sets.size(); ++i) {
      const auto& r = image.requirement_sets[i];
      auto id = prepare_requirements(r.queue, r.skills);
      if (!id) return fail(field("requirement_sets", i), std::string(to_string(id.error())));
      if (index(*id) != i + 1) return fail(field("requirement_sets", i), "the same set is listed twice");
    }
    // Every slot leaves the free list; those the image does not use go back above version_floor.
    if (image.version_floor >= ItemWord::kRetireVersion)
      return fail("image.version_floor", "past the versions a slot may use");
    uint32_t slot;
    while (free_slots_.try_pop(slot)) {}
    std::vector<bool> used(max_items_, false);
    struct Waiting {
      int64_t arrival;
      uint32_t slot;
    };
    std::vector<Waiting> waiting;
    const Time now = clock_.now();
    for (size_t i = 0; i < image.items.size(); ++i) {
      const RestoredItem& r = image.items[i];
      const std::string at = field("items", i);
      slot = slot_of(r.id);
      const uint64_t birth = birth_of(r.id);
      if (slot >= max_items_) return fail(at + ".id", "slot beyond limits.max_items");
      if (used[slot]) return fail(at + ".id", "a second item in the same slot");
      if (birth == 0 || r.version < birth || r.version + 1 >= ItemWord::kRetireVersion)
        return fail(at + ".version", "not a version of this id's life");
      const uint32_t q = index(r.queue);
      if (q >= cfg().queues.size()) return fail(at + ".queue", "unknown queue");
      const uint32_t rid = index(r.requirements);
      if (rid > req_count_.load(std::memory_order_relaxed)) return fail(at + ".requirements", "never prepared");
      // A transfer keeps the stage of a set prepared for the queue it left (set_of then routes by
      // the new queue's own set), so the bound is the set's only where the set applies.
      const bool applies = rid != 0 && requirements_[rid].queue == q;
      if (r.skills_dropped >= (applies ? requirements_[rid].stages : 9u))
        return fail(at + ".skills_dropped", "more than its optional skills");
      const bool waits = r.state == ItemState::queued || r.state == ItemState::offered;
      const uint32_t a = index(r.agent);
      if (!waits && r.state != ItemState::active && r.state != ItemState::paused && r.state != ItemState::wrap_up)
        return fail(at + ".state", "not a live state");
      if (!waits && a >= cfg().agents.size()) return fail(at + ".agent", "unknown agent");
      if (r.state == ItemState::paused &&
          r.paused_value >= cfg().channels[cfg().queues[q].channel].paused_values.size())
        return fail(at + ".paused_value", "not a paused value of its channel");
      used[slot] = true;
      ItemSlot& item = items_[slot];
      item.birth.store(birth, std::memory_order_relaxed);
      item.arrival.store(ns(shifted(r.arrival)), std::memory_order_relaxed);
      item.customer.store(index(r.customer), std::memory_order_relaxed);
      item.requirements.store(rid, std::memory_order_relaxed);
      item.is_bot.store(r.is_bot, std::memory_order_relaxed);
      const uint64_t v = r.version + 1;  // restore is a transition of every item
      ItemWord w = ItemWord::make(v, waits ? ItemState::queued : r.state, waits ? ItemWord::kNoAgent : a, q)
                       .with_stage(r.skills_dropped);
      if (!waits) {
        const Hold hold = hold_for(q, a);
        w = w.with_hold(hold);
        if (r.state == ItemState::paused) w = w.with_paused_value(r.paused_value);
        if (r.state != ItemState::paused) {  // active and wrap-up hold capacity on their agent
          AgentWord aw{agents_[a].word.load(std::memory_order_relaxed)};
          const int32_t used_now = hold.interruptible ? aw.interruptible_used() : aw.used();
          const int open = r.state == ItemState::active ? 1 : 0;
          if (used_now + hold.size > (hold.interruptible ? AgentWord::kMaxInt : AgentWord::kMaxUsed) ||
              aw.open() + open > AgentWord::kMaxOpen || (hold.counter >= 0 && aw.count(hold.counter) >= AgentWord::kMaxCount))
            return fail(at + ".agent", "holds more than an agent's routing word can count");
          agents_[a].word.store(add(aw, hold, +1, open).raw, std::memory_order_relaxed);
        }
        if (r.state == ItemState::wrap_up) {
          agents_[a].wrap_up_items.fetch_add(1, std::memory_order_relaxed);
          timers_.arm(slot, v, shifted(r.since) + presence_of(a).wrap_up);
        }
      }
      item.word.store(w, std::memory_order_relaxed);
      if (r.state != ItemState::wrap_up && index(r.customer) != 0 && !customers_.add(index(r.customer), index(r.id)))
        return fail(at + ".customer", "the customer table is full (limits.max_customers)");
      if (waits) waiting.push_back({ns(shifted(r.arrival)), slot});
    }
    for (uint32_t s = 0; s < max_items_; ++s) {
      if (used[s]) continue;
      const uint64_t floor = std::max(image.version_floor, items_[s].word.load(std::memory_order_relaxed).version());
      items_[s].word.store(ItemWord::make(floor, ItemState::free, ItemWord::kNoAgent, 0), std::memory_order_relaxed);
      (void)free_slots_.try_push(s);
    }
    for (size_t i = 0; i < image.agents.size(); ++i) {
      const RestoredAgent& r = image.agents[i];
      const uint32_t a = index(r.agent);
      if (a >= cfg().agents.size()) return fail(field("agents", i) + ".agent", "unknown agent");
      if (index(r.status) >= cfg().statuses.size()) return fail(field("agents", i) + ".status", "unknown status");
      AgentWord aw{agents_[a].word.load(std::memory_order_relaxed)};
      aw = aw.with_status(index(r.status)).with_missed(r.missed);
      agents_[a].word.store(aw.raw, std::memory_order_relaxed);
      agents_[a].idle_since.store(ns(shifted(r.idle_since)), std::memory_order_relaxed);
      if (r.missed) {
        agents_[a].missed_epoch.store(1, std::memory_order_relaxed);
        timers_.arm(missed_node(a), 1, shifted(r.missed_since) + presence_of(a).missed_delay);
      }
    }
    for (const auto& [customer, agent] : image.last_agents)
      if (index(agent) < cfg().agents.size()) last_agents_.remember(index(customer), index(agent));
    // Waiting items enter their lanes in arrival order, each holding a unit of its queue.
    std::stable_sort(waiting.begin(), waiting.end(), [](const Waiting& x, const Waiting& y) { return x.arrival < y.arrival; });
    for (const Waiting& wt : waiting) {
      ItemSlot& item = items_[wt.slot];
      const ItemWord w = item.word.load(std::memory_order_relaxed);
      if (!acquire_occupancy(*sets_[w.queue()], w.queue()))
        return fail("image.items", "more items wait in queue " + cfg().source->queues[w.queue()].name + " than its max_waiting");
      const uint32_t set = set_of(w, item.requirements.load(std::memory_order_relaxed));
      arm_queued(wt.slot, item, w, now);
      enqueue(*sets_[set], sets_[set]->fresh, wt.slot, w.version());
    }
    for (uint32_t a = 0; a < cfg().agents.size(); ++a) publish(a);
    for_each_set([&](uint32_t set) { dispatch(set); });
    return std::nullopt;
  }

  // ---- observation ---------------------------------------------------------------------------
  Result<ItemSnapshot> item(ItemId id) const noexcept override {
    const Pinned pinned(*this);
    const uint32_t slot = slot_of(id);
    if (slot >= max_items_ || birth_of(id) == 0) return std::unexpected(Status::unknown_item);
    const ItemSlot& item = items_[slot];
    const ItemWord w = item.word.load(std::memory_order_acquire);
    if (!same_life(item, w, birth_of(id))) return std::unexpected(Status::unknown_item);
    ItemSnapshot s;
    s.state = w.state() == kOpening ? ItemState::queued : w.state();
    s.queue = QueueId{w.queue()};
    s.agent = w.agent() == ItemWord::kNoAgent || w.state() == ItemState::queued ? kNoAgent : AgentId{w.agent()};
    if (w.state() == ItemState::queued && w.preferred()) s.preferred = AgentId{w.agent()};
    s.customer = CustomerId{item.customer.load(std::memory_order_relaxed)};
    s.arrival = Time{Duration{item.arrival.load(std::memory_order_relaxed)}};
    s.held_milli = w.holds() ? w.held() : 0;
    s.paused_value = w.state() == ItemState::paused ? w.paused_value() : 0;
    s.seq = w.version();
    s.requirements = RequirementsId{item.requirements.load(std::memory_order_relaxed)};
    s.skills_dropped = static_cast<uint8_t>(w.stage());
    return s;
  }

  Result<AgentSnapshot> agent(AgentId agent) const noexcept override {
    const Pinned pinned(*this);
    const uint32_t a = index(agent);
    if (a >= cfg().agents.size()) return std::unexpected(Status::unknown_agent);
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
    const PresenceKind kind = cfg().statuses[w.status()].kind;
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
    const Pinned pinned(*this);
    const uint32_t q = index(qid);
    if (q >= cfg().queues.size()) return std::unexpected(Status::unknown_queue);
    QueueSnapshot s;
    int64_t waiting = 0;
    for_each_set_of(q, [&](const QueueSlot& set) {  // O(lane sets): observation only
      waiting += set.waiting.load(std::memory_order_acquire);
      if (auto oldest = oldest_head(set); oldest && (!s.oldest || Time{Duration{oldest->arrival}} < *s.oldest))
        s.oldest = Time{Duration{oldest->arrival}};
    });
    waiting += sets_[q]->preferring.load(std::memory_order_relaxed);
    s.waiting = static_cast<uint32_t>(std::max<int64_t>(0, waiting));
    return s;
  }

  KernelStats stats() const noexcept override {
    const Pinned pinned(*this);
    KernelStats s;
    s.routing_deferred = deferrals_.load(std::memory_order_relaxed);
    s.slots_retired = slots_retired_.load(std::memory_order_relaxed);
    return s;
  }

  Result<Explanation> explain(ItemId id) const override {
    const Pinned pinned(*this);
    const uint32_t slot = slot_of(id);
    if (slot >= max_items_ || birth_of(id) == 0) return std::unexpected(Status::unknown_item);
    const ItemSlot& item = items_[slot];
    const ItemWord w = item.word.load(std::memory_order_acquire);
    if (!same_life(item, w, birth_of(id))) return std::unexpected(Status::unknown_item);
    if (w.state() != ItemState::queued && w.state() != ItemState::offered) return std::unexpected(Status::wrong_state);
    Explanation x;
    x.state = w.state();
    x.queue = QueueId{w.queue()};
    x.holder = w.state() == ItemState::offered ? AgentId{w.agent()} : kNoAgent;
    x.requirements = RequirementsId{item.requirements.load(std::memory_order_relaxed)};
    x.skills_dropped = static_cast<uint8_t>(w.stage());
    const uint32_t q = w.queue();
    const QueueSlot& set = *sets_[set_of(item, w)];
    const uint32_t set_index = set_of(item, w);
    const bool skills = set_index >= first_class_;
    const uint64_t e = item.exclusion.load(std::memory_order_acquire);
    for (uint32_t a = 0; a < cfg().agents.size(); ++a) {
      const AgentWord aw{agents_[a].word.load(std::memory_order_acquire)};
      const PresenceInfo& pc = presence_of(a);
      const bool intr = uses_interruptible(q, a);
      Candidate c;
      c.agent = AgentId{a};
      c.used_milli = intr ? aw.interruptible_used() : aw.used();
      c.capacity_milli = intr ? pc.interruptible_capacity : pc.capacity;
      c.needed_milli = size_for(q, a);
      if (x.holder == AgentId{a}) c.verdict = CandidateVerdict::offered;
      else if (w.state() == ItemState::queued && w.preferred() && w.agent() != a) c.verdict = CandidateVerdict::reserved;
      else if (!eligible(set_index, a))  // a class leaves out the unqualified among those who could serve q
        c.verdict = skills && (cfg().queues[q].serves[a] || cfg().routings[cfg().queues[q].routing].skills_based)
                        ? CandidateVerdict::not_qualified
                        : CandidateVerdict::not_a_member;
      else if (Exclusion::version(e) == w.version() && Exclusion::agent(e) == a) c.verdict = CandidateVerdict::excluded;
      else if (!online_for(aw.status(), q)) c.verdict = CandidateVerdict::not_routable;
      else if (aw.missed()) c.verdict = CandidateVerdict::missed;
      else if (aw.open() >= AgentWord::kMaxOpen) c.verdict = CandidateVerdict::too_many_open;
      else if (!channel_room(aw, a, hold_for(q, a))) c.verdict = CandidateVerdict::channel_limit;
      else if (c.used_milli + c.needed_milli > c.capacity_milli) c.verdict = CandidateVerdict::no_room;
      else c.verdict = CandidateVerdict::could_take;
      x.candidates.push_back(c);
    }
    return x;
  }

  std::optional<AgentId> last_agent(CustomerId customer) const noexcept override {
    const Pinned pinned(*this);
    if (auto a = last_agents_.recall(index(customer)); a && *a < cfg().agents.size()) return AgentId{*a};
    return std::nullopt;
  }

  size_t sessions_of(CustomerId customer, std::span<SessionInfo> out) const noexcept override {
    const Pinned pinned(*this);
    return sessions_except(customer, ItemId{}, out);
  }


 private:
  // ---- item helpers ----------------------------------------------------------------------
  struct Found {
    Status status;
    ItemSlot* item;
    ItemWord word;
  };

  // Is `w` (loaded with acquire before this call) a word of the life that began at `birth`? The
  // birth field is written before the word that starts a life is published, so a word of a later
  // life always comes with that life's birth: equal births mean the same life.
  static bool same_life(const ItemSlot& item, ItemWord w, uint64_t birth) noexcept {
    return w.version() >= birth && item.birth.load(std::memory_order_acquire) == birth;
  }

  // The item an id names, with its current word; unknown for ids never issued or of a recycled slot.
  Found load_item(ItemId id) const noexcept {
    const uint32_t slot = slot_of(id);
    if (slot >= max_items_ || birth_of(id) == 0) return {Status::unknown_item, nullptr, {}};
    ItemSlot* item = &items_[slot];
    OMNI_SCHED_POINT("item.load");
    // acquire: pairs with the release of the last transition (its CAS or submit's store).
    const ItemWord w = item->word.load(std::memory_order_acquire);
    if (!same_life(*item, w, birth_of(id))) return {Status::unknown_item, nullptr, {}};
    // done (slot not yet reused), or still being opened by its submit
    if (w.state() == ItemState::free || w.state() == kOpening) return {Status::wrong_state, nullptr, {}};
    return {Status::ok, item, w};
  }

  // A word only its owner can move (a free slot just taken, an opening item): a CAS that cannot
  // fail. Not a store: libatomic's 16-byte store is a CAS loop plus a full fence (≈ 3× the cost).
  static void publish_owned(ItemSlot& item, ItemWord owned, ItemWord next) noexcept {
    const bool mine = item.word.compare_exchange_strong(owned, next, std::memory_order_release,
                                                        std::memory_order_relaxed);
    (void)mine;  // true by ownership
  }

  static bool cas_item(ItemSlot& item, ItemWord expected, ItemWord next) noexcept {
    OMNI_SCHED_POINT("item.cas");
    // acq_rel: the winner sees everything the previous transition published and publishes its
    // own; the word carries all a racing caller needs, so no other ordering is involved.
    return item.word.compare_exchange_strong(expected, next, std::memory_order_acq_rel,
                                             std::memory_order_acquire);
  }

  const PresenceInfo& presence_of(uint32_t agent) const noexcept {
    return cfg().presences[cfg().agents[agent].presence];
  }

  bool uses_interruptible(uint32_t q, uint32_t a) const noexcept {
    return cfg().channels[cfg().queues[q].channel].interruptible && presence_of(a).interruptible_capacity > 0;
  }

  // Capacity an item of queue q takes on agent a (percent sizes depend on the agent's capacity).
  int32_t size_for(uint32_t q, uint32_t a) const noexcept {
    const RoutingInfo& r = cfg().routings[cfg().queues[q].routing];
    if (r.unit == SizeUnit::units) return r.size;
    const PresenceInfo& pc = presence_of(a);
    const int64_t base = uses_interruptible(q, a) ? pc.interruptible_capacity : pc.capacity;
    return static_cast<int32_t>(std::max<int64_t>(1, (base * r.size + 100 * kMilli - 1) / (100 * kMilli)));
  }

  // What an item of queue q holds on agent a: its size on the right pool, and a count on the
  // agent's counter for q's channel when its presence configuration limits that channel.
  Hold hold_for(uint32_t q, uint32_t a) const noexcept {
    return {size_for(q, a), uses_interruptible(q, a), presence_of(a).counter_of[cfg().queues[q].channel]};
  }

  // ---- lane sets --------------------------------------------------------------------------
  // The lane set of an item of queue q with requirement set `rid` after `stage` optional skills
  // dropped: its class, or the queue's own set (no requirements, or requirements prepared for
  // another queue — an item transferred to a queue routes by that queue's members then).
  uint32_t set_of(uint32_t q, uint32_t rid, uint32_t stage) const noexcept {
    if (rid == 0) return q;
    const RequirementSet& r = requirements_[rid];
    if (r.queue != q) return q;
    return r.set[std::min(stage, r.stages - 1)];
  }
  // For observers and quiescent checks only. A transition reads the item's requirement set
  // BEFORE its CAS (requirements_of) and uses set_of(w, rid): once its CAS has won, the item can
  // move on — even end and its slot carry a new item with other requirements — while the
  // transition still routes it (the same reason as the birth read in consider()).
  uint32_t set_of(const ItemSlot& item, ItemWord w) const noexcept {
    return set_of(w.queue(), item.requirements.load(std::memory_order_relaxed), w.stage());
  }
  uint32_t set_of(ItemWord w, uint32_t rid) const noexcept { return set_of(w.queue(), rid, w.stage()); }
  static uint32_t requirements_of(const ItemSlot& item) noexcept {
    return item.requirements.load(std::memory_order_acquire);
  }
  uint32_t queue_of(uint32_t set) const noexcept { return sets_[set]->queue; }

  // Every lane set of the pinned configuration: the queues' own (indices up to the queue room,
  // of which the configuration uses the first queues.size()), then the classes.
  template <class F>
  void for_each_set(F&& f) const {
    for (uint32_t q = 0; q < cfg().queues.size(); ++q) f(q);
    const uint32_t n = set_count_.load(std::memory_order_acquire);
    for (uint32_t c = first_class_; c < n; ++c) f(c);
  }

  template <class F>
  void for_each_set_of(uint32_t q, F&& f) const {
    f(*sets_[q]);
    const uint32_t n = set_count_.load(std::memory_order_acquire);
    for (uint32_t c = first_class_; c < n; ++c)
      if (sets_[c]->queue == q) f(*sets_[c]);
  }

  // Every lane set agent a takes work from: its queues (by priority) and then its classes.
  template <class F>
  void for_each_membership(uint32_t a, F&& f) const {
    for (const Membership& m : cfg().agents[a].memberships) f(m);
    const uint32_t n = agent_class_count_[a].load(std::memory_order_acquire);
    for (uint32_t i = 0; i < n; ++i) {
      if (class_member(a, i)) f(agent_classes_[size_t{a} * max_classes_ + i].membership());
    }
  }

  Duration exclusion_for(uint32_t q) const noexcept {
    const Duration push_timeout = cfg().routings[cfg().queues[q].routing].push_timeout;
    return push_timeout.count() > 0 ? push_timeout : kDefaultExclusion;
  }

  // ---- agent capacity: every change is one seq_cst CAS on the AgentWord --------------------
  // seq_cst, not just acq_rel: a CAS that makes an agent better is half of the Dekker pairing with
  // an arrival that read the older word (see the top of this file).
  // Routable for queue q, not missed, and room for `size` on the right pool.
  // Does this presence status route queue q's channel?
  bool online_for(uint16_t status, uint32_t q) const noexcept {
    const StatusInfo& st = cfg().statuses[status];
    return st.kind == PresenceKind::online && (st.channels >> cfg().queues[q].channel & 1);
  }

  // Room for hold h under the agent's channel limit (a channel without a limit always has room).
  bool channel_room(AgentWord w, uint32_t a, Hold h) const noexcept {
    return h.counter < 0 || w.count(h.counter) < presence_of(a).channel_limit[h.counter];
  }

  bool can_take(AgentWord w, uint32_t q, uint32_t a, Hold h) const noexcept {
    if (w.missed() || w.open() >= AgentWord::kMaxOpen || !online_for(w.status(), q)) return false;
    if (!channel_room(w, a, h)) return false;
    const PresenceInfo& pc = presence_of(a);
    return h.interruptible ? w.interruptible_used() + h.size <= pc.interruptible_capacity
                           : w.used() + h.size <= pc.capacity;
  }

  // The word with hold h taken (sign +1) or given back (sign -1), and `open` open items added.
  static AgentWord add(AgentWord w, Hold h, int sign, int open) noexcept {
    const int32_t size = sign * h.size;
    w = h.interruptible ? w.with_interruptible_used(w.interruptible_used() + size) : w.with_used(w.used() + size);
    if (h.counter >= 0 && h.size != 0)
      w = w.with_count(h.counter, static_cast<uint32_t>(static_cast<int>(w.count(h.counter)) + sign));
    return w.with_open(static_cast<uint32_t>(static_cast<int>(w.open()) + open));
  }

  // The only way routing takes capacity: checks and takes it — capacity, the open-item count and
  // the channel counter — in one CAS, so none can ever exceed its limit.
  bool reserve(uint32_t a, uint32_t q, Hold h) noexcept {
    auto& word = agents_[a].word;
    uint64_t raw = word.load(kSeq);
    for (;;) {
      const AgentWord w{raw};
      if (!can_take(w, q, a, h)) return false;
      OMNI_SCHED_POINT("agent.cas.reserve");
      if (word.compare_exchange_weak(raw, add(w, h, +1, +1).raw, kSeq, kSeq)) return true;
    }
  }

  // Gives back hold h (and `open` open items, ≤ 0) taken by an item. The hold always comes from
  // the item word that the caller's winning CAS replaced, so it is exactly what was taken.
  // Hold{} gives back open items only.
  void release_amount(uint32_t a, Hold h, int open) noexcept {
    auto& word = agents_[a].word;
    uint64_t raw = word.load(kSeq);
    for (;;) {
      OMNI_SCHED_POINT("agent.cas.release");
      if (word.compare_exchange_weak(raw, add(AgentWord{raw}, h, -1, open).raw, kSeq, kSeq)) return;
    }
  }

  // Resume (and closing a paused item into wrap-up): the capacity comes back, over the limit if
  // the agent's ResumeRule allows it; such an agent gets no new offer until it is under again.
  // Never past what the word can count: the field widths and 255 open items are hard limits
  // (Status::no_capacity), whatever the rule.
  // The channel counter follows the same rule as the capacity.
  bool consume_again(uint32_t a, Hold h, int open) noexcept {
    const PresenceInfo& pc = presence_of(a);
    auto& word = agents_[a].word;
    uint64_t raw = word.load(kSeq);
    for (;;) {
      const AgentWord w{raw};
      const int32_t used = h.interruptible ? w.interruptible_used() : w.used();
      const int32_t cap = h.interruptible ? pc.interruptible_capacity : pc.capacity;
      const int32_t limit = h.interruptible ? AgentWord::kMaxInt : AgentWord::kMaxUsed;
      if (used + h.size > limit || w.open() + static_cast<uint32_t>(open) > AgentWord::kMaxOpen) return false;
      if (h.counter >= 0 && w.count(h.counter) >= AgentWord::kMaxCount) return false;
      if (pc.resume_rule == ResumeRule::refuse && (used + h.size > cap || !channel_room(w, a, h))) return false;
      OMNI_SCHED_POINT("agent.cas.consume");
      if (word.compare_exchange_weak(raw, add(w, h, +1, open).raw, kSeq, kSeq)) return true;
    }
  }

  // ---- the index: keeps each queue's AgentIndex in step with its members' AgentWords ---------
  uint8_t level_for(uint32_t q, uint32_t a, AgentWord w) const noexcept {
    const Hold h = hold_for(q, a);
    if (!can_take(w, q, a, h)) return AgentIndex::kAbsent;
    const RoutingModel model = cfg().routings[cfg().queues[q].routing].model;
    if (model == RoutingModel::longest_idle_agent || model == RoutingModel::round_robin) return 0;  // load ignored
    if (model == RoutingModel::least_active)
      return static_cast<uint8_t>(std::min<uint32_t>(w.open(), AgentIndex::kLevels - 1));
    // Most Available: how many more items of this size fit — under the channel limit too; more is
    // better (a lower level).
    const PresenceInfo& pc = presence_of(a);
    const int32_t free = h.interruptible ? pc.interruptible_capacity - w.interruptible_used() : pc.capacity - w.used();
    int32_t fit = std::min<int32_t>(free / h.size, AgentIndex::kLevels);
    if (h.counter >= 0) fit = std::min<int32_t>(fit, pc.channel_limit[h.counter] - static_cast<int32_t>(w.count(h.counter)));
    return static_cast<uint8_t>(AgentIndex::kLevels - fit);
  }

  // Places agent a in one queue's index at the level its current word gives, re-reading the word
  // until it is stable, so a placement computed from a stale word is repaired by its own caller.
  // Returns true when some placement set a bit (made a visible or better): the caller must then
  // read `waiting` and route (rule 1 at the top of this file).
  // `known_member`: the caller just had member_now() say yes (publish).
  bool place_member(uint32_t a, uint32_t set, uint32_t member, bool known_member = false) noexcept {
    const auto& word = agents_[a].word;
    AgentIndex& index = sets_[set]->index;
    const uint32_t q = sets_[set]->queue;
    bool promoted = false;
    OMNI_SCHED_POINT("index.member.word");
    uint64_t raw = word.load(kSeq);
    const bool in_set = known_member || member_now(set, a);  // a live change may have taken it out
    for (;;) {
      promoted |= index.place(member, in_set ? level_for(q, a, AgentWord{raw}) : AgentIndex::kAbsent);
      OMNI_SCHED_POINT("index.member.reread");
      const uint64_t again = word.load(kSeq);
      if (again == raw) return promoted;
      raw = again;
    }
  }

  // After agent a changed: place it in every lane set it serves (its queues and its classes).
  // O(memberships + classes of a).
  void publish(uint32_t a) noexcept {
    for_each_membership(a, [&](const Membership& m) { (void)place_member(a, m.set, m.member, true); });
  }

  // Capacity or routability of agent a went up: publish it, then look for work (the freeing side
  // of the Dekker pairing).
  void agent_freed(uint32_t a) noexcept {
    publish(a);
    pull(a);
  }

  // ---- lanes -----------------------------------------------------------------------------
  struct Head {
    uint64_t entry;
    int64_t arrival;
  };

  std::optional<Head> peek_lane(const MpmcRing<uint64_t>& lane) const noexcept {
    auto e = lane.peek();
    if (!e) return std::nullopt;
    return Head{*e, items_[LaneEntry::slot(*e)].arrival.load(std::memory_order_relaxed)};
  }

  // The head that arrived first of the two lanes (a hint: it may be gone by the time we act).
  std::optional<Head> oldest_head(const QueueSlot& queue) const noexcept {
    auto f = peek_lane(queue.fresh);
    auto r = peek_lane(queue.retry);
    if (f && r) return r->arrival <= f->arrival ? r : f;
    return f ? f : r;
  }

  static void push_lane(MpmcRing<uint64_t>& lane, uint64_t entry) noexcept {
    // Occupancy keeps live + stale entries ≤ max_waiting ≤ capacity / 2, so this succeeds at
    // once unless a consumer stalled mid-pop a full lap ago (the ring's named exception).
    while (!lane.try_push(entry)) {
    }
  }

  // A new queued version of an item enters q: its entry, then `pushes` and `waiting` (seq_cst:
  // the arriving half of the Dekker pairing; the caller then routes).
  static void enqueue(QueueSlot& queue, MpmcRing<uint64_t>& lane, uint32_t slot, uint64_t version) noexcept {
    push_lane(lane, LaneEntry::make(slot, version));
    OMNI_SCHED_POINT("queue.pushes");
    queue.pushes.fetch_add(1, kSeq);
    OMNI_SCHED_POINT("queue.waiting.inc");
    queue.waiting.fetch_add(1, kSeq);
  }

  // An entry taken out of its lane for a moment goes back. It counts in `pushes` like an arrival:
  // an agent that freed capacity while the entry was out must look at the queue again (rule 2),
  // and the caller routes the queue afterwards (the arriving half).
  static void repush(QueueSlot& queue, MpmcRing<uint64_t>& lane, uint64_t entry) noexcept {
    push_lane(lane, entry);
    OMNI_SCHED_POINT("queue.pushes");
    queue.pushes.fetch_add(1, kSeq);
  }

  bool acquire_occupancy(QueueSlot& queue, uint32_t q) noexcept {
    for (int attempt = 0; attempt < 2; ++attempt) {
      const int32_t limit = static_cast<int32_t>(cfg().queues[q].max_waiting);
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

  // Takes every entry out of both lanes once and puts the live ones back at the tail. Returns
  // whether any stale entry was dropped. Live entries are out of their lane for a moment, so the
  // queue is routed again afterwards.
  bool compact(QueueSlot& queue, uint32_t q) noexcept {
    bool dropped = false;
    uint32_t to_route[kMaxRequirementSets + 1];
    uint32_t n_route = 0;
    const uint32_t n_sets = set_count_.load(std::memory_order_acquire);
    for (uint32_t s = 0; s < n_sets; ++s) {
      if (s != q && (s < first_class_ || sets_[s]->queue != q)) continue;
      QueueSlot& set = *sets_[s];
      for (MpmcRing<uint64_t>* lane : {&set.retry, &set.fresh}) {
        for (size_t n = lane->size_hint(); n > 0; --n) {
          uint64_t e;
          if (!lane->try_pop(e)) break;
          if (live_entry(e)) {
            repush(set, *lane, e);
          } else {
            release_occupancy(queue);
            dropped = true;
          }
        }
      }
      to_route[n_route++] = s;
    }
    for (uint32_t i = 0; i < n_route; ++i) dispatch(to_route[i]);
    return dropped;
  }

  static void release_occupancy(QueueSlot& queue) noexcept {
    queue.occupancy.fetch_sub(1, std::memory_order_relaxed);
  }

  // Is this lane entry still the queued item it was pushed for? (Closed or abandoned items leave
  // their entry behind; the slot may even hold a newer item by now.)
  bool live_entry(uint64_t e, ItemWord* out = nullptr) const noexcept {
    const ItemWord w = items_[LaneEntry::slot(e)].word.load(std::memory_order_acquire);
    if (out) *out = w;
    return w.version() == LaneEntry::version(e) && w.state() == ItemState::queued;
  }

  // "Not back to agent a first" for the queued version `version` of the item, until `until`.
  // Written after the CAS that queued the item and before its lane entry is pushed (so a popper
  // sees it); tagged, so a late write from an older version changes nothing for a newer one.
  void exclude(uint32_t slot, ItemSlot& item, uint32_t a, uint64_t version, Time until) noexcept {
    const uint64_t mine = Exclusion::make(a, version);
    uint64_t cur = item.exclusion.load(std::memory_order_relaxed);
    while (Exclusion::version(cur) < version &&
           !item.exclusion.compare_exchange_weak(cur, mine, std::memory_order_release,
                                                 std::memory_order_relaxed)) {
    }
    timers_.arm(exclusion_node(slot), version, until);
  }

  static bool excluded_for(const ItemSlot& item, uint32_t a, uint64_t version) noexcept {
    const uint64_t e = item.exclusion.load(std::memory_order_acquire);
    return Exclusion::version(e) == version && Exclusion::agent(e) == a;
  }

  // ---- routing: an item meets an agent --------------------------------------------------------
  enum class Take : uint8_t { offered, empty, not_for_me, no_credits };

  // Takes the oldest entry of q that agent a may have, for a who already holds a reservation of
  // `hold`. Stale entries met on the way are dropped; entries excluded for a go back to the tail
  // of the retry lane, each looked at once. The caller gives the reservation back on anything but
  // `offered`. O(stale entries + entries excluded for a).
  // `repushed` counts the entries it put back (the caller must see that q is routed afterwards:
  // an entry out of its lane for a moment may have been missed by an agent freeing meanwhile).
  Take take_for(uint32_t a, uint32_t q, Hold hold, uint32_t& repushed) noexcept {
    Budget budget(*this, 2);  // offered, accepted
    if (!budget) return Take::no_credits;
    QueueSlot& queue = *sets_[q];  // q: the lane set
    size_t retry_left = queue.retry.size_hint();
    bool saw_excluded = false;
    for (;;) {
      const auto f = peek_lane(queue.fresh);
      const auto r = retry_left > 0 ? peek_lane(queue.retry) : std::nullopt;
      if (!f && !r) {
        // Peeks can miss an entry whose push is being published; a pop settles it.
        uint64_t e;
        if (!queue.fresh.try_pop(e)) return saw_excluded ? Take::not_for_me : Take::empty;
        if (auto t = consider(a, q, hold, e, budget, saw_excluded, repushed)) return *t;
        continue;
      }
      const bool from_retry = r && (!f || r->arrival <= f->arrival);
      MpmcRing<uint64_t>& lane = from_retry ? queue.retry : queue.fresh;
      uint64_t e;
      OMNI_SCHED_POINT("lane.pop");
      if (!lane.try_pop(e)) {
        if (from_retry) retry_left = 0;  // emptied under us
        continue;
      }
      if (from_retry) --retry_left;
      if (auto t = consider(a, q, hold, e, budget, saw_excluded, repushed)) return *t;
    }
  }

  // One popped entry: dropped if stale, put back if excluded for a, else offered to a.
  std::optional<Take> consider(uint32_t a, uint32_t set, Hold hold, uint64_t e,
                               Budget& budget, bool& saw_excluded, uint32_t& repushed) noexcept {
    QueueSlot& queue = *sets_[set];
    QueueSlot& own = *sets_[queue.queue];  // the queue's own set keeps its occupancy
    ItemWord w;
    if (!live_entry(e, &w)) {  // stale entry: its occupancy unit ends here
      release_occupancy(own);
      return std::nullopt;
    }
    const uint32_t slot = LaneEntry::slot(e);
    ItemSlot& item = items_[slot];
    if (excluded_for(item, a, w.version())) {  // not back to the agent that declined it, yet
      repush(queue, queue.retry, e);
      ++repushed;
      saw_excluded = true;
      return std::nullopt;
    }
    // The id is read BEFORE the CAS: if the CAS wins, no later life can have begun (its birth is
    // written only after this life ends, which happens after our CAS), so this is w's life's id.
    // Read after the CAS, a slow offerer could name the slot's next item in its event.
    const ItemId id = make_item_id(slot, item.birth.load(std::memory_order_acquire));
    const ItemWord offered = w.next(ItemState::offered, a).with_hold(hold);
    if (!cas_item(item, w, offered)) {  // closed or abandoned since we looked: a stale entry now
      release_occupancy(own);
      return std::nullopt;
    }
    OMNI_SCHED_POINT("queue.waiting.dec");
    queue.waiting.fetch_sub(1, kSeq);
    after_offer(id, item, offered, a, queue.queue, clock_.now(), budget);
    return Take::offered;
  }

  // The search's check that member `member` of q truly sits at `level` (the index is optimistic:
  // whoever makes an agent worse leaves its place alone; the searcher that meets it re-places it).
  auto truly_at(uint32_t set, bool& repaired) noexcept {
    return [this, set, &repaired](uint32_t member, int level) {
      const uint32_t a = sets_[set]->agent_at(member);
      OMNI_SCHED_POINT("index.valid.word");
      const AgentWord w{agents_[a].word.load(kSeq)};
      // No membership check here: a member a live change took out is placed absent before
      // reconfigure returns, and every placement after checks membership (place_member).
      if (level_for(sets_[set]->queue, a, w) == level) return true;
      repaired |= place_member(a, set, member);
      return false;
    };
  }

  // Offers an opening item (submit's own, nobody else may move it) straight to the best member of
  // its lane set, if one has room: `submitted` (the opening word's version) then `offered`.
  bool hand_off(ItemId id, ItemSlot& item, ItemWord opening, uint32_t set, Time now, Budget& budget,
                bool& repaired) noexcept {
    QueueSlot& lanes = *sets_[set];
    const uint32_t q = lanes.queue;
    for (;;) {
      bool restored = false;
      const auto member = best_member(set, UINT32_MAX, repaired, restored);
      repaired |= restored;
      if (!member) return false;
      const uint32_t a = lanes.agent_at(*member);
      const Hold hold = hold_for(q, a);
      if (!reserve(a, q, hold)) {  // lost a race for a: fix its place, look again
        repaired |= place_member(a, set, *member);
        continue;
      }
      chosen(lanes, *member);
      budget.emit_submitted(now, id, item, q, opening.version());
      const ItemWord offered = opening.next(ItemState::offered, a).with_hold(hold);
      publish_owned(item, opening, offered);
      after_offer(id, item, offered, a, q, now, budget);
      return true;
    }
  }

  void give_back(uint32_t a, Hold hold) noexcept {
    release_amount(a, hold, /*open=*/-1);
    publish(a);
  }

  // An item arrived (or came back) in q: offer waiting items to the best members with room until
  // one side runs out. Cost per offer: O(levels + members/4096) to find the agent (plus a re-place
  // for each member found busier than the index thought) and O(1) CASes. `skip` is a member that
  // must not be picked (the agent that just declined); a member that may take none of the waiting
  // items (all excluded for it) replaces it — one suffices, as each item excludes one agent.
  void dispatch(uint32_t set, uint32_t skip_agent = UINT32_MAX) noexcept {
    RouteScope scope(*this);
    QueueSlot& queue = *sets_[set];
    const uint32_t q = queue.queue;
    uint32_t skip = member_of(skip_agent, set);
    for (;;) {
      OMNI_SCHED_POINT("dispatch.waiting");
      if (queue.waiting.load(kSeq) <= 0) return;
      bool repaired = false, restored = false;
      const auto member = best_member(set, skip, repaired, restored);
      if (!member) {
        if (repaired || restored) continue;  // rule 1: a bit we set may hide an arrival's miss
        return;
      }
      const uint32_t a = queue.agent_at(*member);
      const Hold hold = hold_for(q, a);
      if (!reserve(a, q, hold)) {  // lost a race for a: fix its place, look again
        (void)place_member(a, set, *member);
        continue;
      }
      uint32_t repushed = 0;  // this loop routes the set again anyway
      switch (take_for(a, set, hold, repushed)) {
        case Take::offered:
          chosen(queue, *member);
          continue;
        case Take::not_for_me:
          give_back(a, hold);
          skip = *member;
          pull(a);  // rule 2: a is better again
          continue;
        case Take::empty:  // another popper holds the entries `waiting` counts; it offers them
          give_back(a, hold);
          pull(a);
          if (repushed) continue;
          return;
        case Take::no_credits:
          give_back(a, hold);
          defer_routing();
          return;
      }
    }
  }

  // ---- tie-breaks: who gets an item among members the routing model ranks equal -------------
  // Tied agents the sampled tie-breaks compare (TieBreak::longest_idle, most_skilled).
  static constexpr uint32_t kTieSample = 8;

  TieBreak tie_break_of(const QueueSlot& set) const noexcept {
    return cfg().routings[cfg().queues[set.queue].routing].tie_break;
  }

  // The best member of a lane set for its next item, other than `skip`: the index's best level,
  // and within it the tie-break. O(levels + members/4096 + kTieSample).
  std::optional<uint32_t> best_member(uint32_t set, uint32_t skip, bool& repaired, bool& restored) noexcept {
    QueueSlot& lanes = *sets_[set];
    const TieBreak tie = tie_break_of(lanes);
    const uint32_t cursor = lanes.cursor.load(std::memory_order_relaxed);
    if (tie == TieBreak::listed_order) return lanes.index.best(skip, truly_at(set, repaired), restored, 0);
    if (tie == TieBreak::round_robin) return lanes.index.best(skip, truly_at(set, repaired), restored, cursor);
    auto idle = [&](uint32_t m) { return agents_[lanes.agent_at(m)].idle_since.load(std::memory_order_relaxed); };
    auto skill = [&](uint32_t m) { return skill_sum(set, lanes.agent_at(m)); };
    const bool by_skill = tie == TieBreak::most_skilled;
    return lanes.index.best_of(skip, truly_at(set, repaired), restored, cursor, kTieSample,
                               [&](uint32_t x, uint32_t y) {
                                 if (by_skill && skill(x) != skill(y)) return skill(x) > skill(y);
                                 return idle(x) < idle(y);
                               });
  }

  // After an offer to `member`: the rotating tie-breaks start after it next time (a hint; relaxed).
  void chosen(QueueSlot& set, uint32_t member) noexcept {
    if (tie_break_of(set) != TieBreak::listed_order) set.cursor.store(member + 1, std::memory_order_relaxed);
  }

  // Agent a's last item ended, or it came online: the longest_idle clock starts now.
  void mark_idle(uint32_t a, Time now) noexcept {
    agents_[a].idle_since.store(ns(now), std::memory_order_relaxed);
  }

  uint32_t member_of(uint32_t a, uint32_t set) const noexcept {
    if (a == UINT32_MAX || !eligible(set, a)) return UINT32_MAX;
    if (set < first_class_) {
      for (const Membership& m : cfg().agents[a].memberships)
        if (m.set == set) return m.member;
      return UINT32_MAX;
    }
    const uint32_t n = agent_class_count_[a].load(std::memory_order_acquire);
    for (uint32_t i = 0; i < n; ++i)
      if (agent_classes_[size_t{a} * max_classes_ + i].set == set) return agent_classes_[size_t{a} * max_classes_ + i].member;
    return UINT32_MAX;
  }

  // Routing recurses one level at most (dispatch → pull). Queues that must be routed again from
  // inside it are listed per thread and routed when the outermost routing call ends.
  struct RouteScope {
    static constexpr int kPending = 32;
    struct Pending {
      uint32_t queue, skip_agent;
    };
    static inline thread_local int depth = 0;
    static inline thread_local int n_pending = 0;
    static inline thread_local Pending pending[kPending];
    KernelImpl& k;
    explicit RouteScope(KernelImpl& kernel) noexcept : k(kernel) { ++depth; }
    ~RouteScope() {
      // The outermost scope drains the list while it still counts as open, so the dispatches it
      // runs only add to the list (depth > 1) instead of draining it again: no recursion.
      if (depth != 1) {
        --depth;
        return;
      }
      while (n_pending > 0) {
        const Pending p = pending[--n_pending];
        k.dispatch(p.queue, p.skip_agent);
      }
      --depth;
    }
  };

  // Agent a put back entries of q that it may not take: route q for the OTHER members (the
  // arriving half of rule 2 — one of them may have freed room while the entries were out).
  void route_later(uint32_t q, uint32_t a) noexcept {
    for (int i = 0; i < RouteScope::n_pending; ++i)
      if (RouteScope::pending[i].queue == q && RouteScope::pending[i].skip_agent == a) return;
    if (RouteScope::n_pending < RouteScope::kPending) RouteScope::pending[RouteScope::n_pending++] = {q, a};
    else dispatch(q, a);  // a list this long takes contention no test has produced: route it now
  }

  // Agent a has room (or just became routable): offer it the best waiting items it can take —
  // routing priority first, then the earliest arrival among queues of that priority — until it
  // is full or nothing it may take waits. O(memberships of a) per offer.
  void pull(uint32_t a) noexcept {
    RouteScope scope(*this);
    const auto& memberships = cfg().agents[a].memberships;
    const uint32_t n_base = static_cast<uint32_t>(memberships.size());
    std::bitset<kMaxMemberships + kMaxRequirementSets> done;  // lane sets with nothing for a
    for (;;) {
      if (take_preferred(a)) continue;  // items waiting for a only come first
      OMNI_SCHED_POINT("pull.word");
      const AgentWord w{agents_[a].word.load(kSeq)};
      const uint32_t n = n_base + agent_class_count_[a].load(std::memory_order_acquire);
      int64_t best = -1;
      int32_t best_priority = INT32_MAX;
      int64_t best_arrival = INT64_MAX;
      for (uint32_t i = 0; i < n; ++i) {
        const Membership m = i < n_base ? memberships[i] : agent_classes_[size_t{a} * max_classes_ + (i - n_base)].membership();
        const int32_t priority = m.priority;
        if (i < n_base && best >= 0 && priority > best_priority) {  // queues are sorted by priority
          i = n_base - 1;
          continue;
        }
        if (done[i] || priority > best_priority) continue;
        if (i >= n_base && !class_member(a, i - n_base)) continue;  // listed once, not a member now
        QueueSlot& set = *sets_[m.set];
        OMNI_SCHED_POINT("pull.waiting");
        if (set.waiting.load(kSeq) <= 0) continue;
        const uint32_t q = set.queue;
        if (!can_take(w, q, a, hold_for(q, a))) continue;
        const auto head = oldest_head(set);
        const int64_t arrival = head ? head->arrival : INT64_MAX - 1;
        if (priority < best_priority || arrival < best_arrival) {
          best = i;
          best_priority = priority;
          best_arrival = arrival;
        }
      }
      if (best < 0) return;
      const Membership m =
          best < n_base ? memberships[best] : agent_classes_[size_t{a} * max_classes_ + (best - n_base)].membership();
      QueueSlot& set = *sets_[m.set];
      const uint32_t q = set.queue;
      const Hold hold = hold_for(q, a);
      const uint64_t pushes_before = set.pushes.load(kSeq);
      if (!reserve(a, q, hold)) continue;  // its word changed: look again
      uint32_t repushed = 0;
      const Take t = take_for(a, m.set, hold, repushed);
      if (repushed) route_later(m.set, a);  // entries a may not take were out of the lane a moment
      if (t == Take::offered) continue;
      give_back(a, hold);
      if (t == Take::no_credits) {
        defer_routing();
        return;
      }
      // Rule 2: after giving the reservation back (seq_cst), an item pushed meanwhile (or an entry
      // another thread put back) may have been missed while a looked full; `pushes` moved past
      // a's own re-pushes iff so, and then the set is looked at again.
      OMNI_SCHED_POINT("pull.pushes");
      if (set.pushes.load(kSeq) - pushes_before <= repushed) done[best] = true;
    }
  }

  // The item is now offered to agent a: arm the push time-out, or accept it at once.
  void after_offer(ItemId id, ItemSlot& item, ItemWord offered, uint32_t a, uint32_t q, Time now,
                   Budget& budget) noexcept {
    budget.emit(now, id, AgentId{a}, q, EventType::offered, offered.version());
    const PresenceInfo& pc = presence_of(a);
    if (pc.auto_accept) {
      const ItemWord active = offered.next(ItemState::active, a);
      const uint64_t customer = item.customer.load(std::memory_order_relaxed);  // before the CAS (accept)
      if (cas_item(item, offered, active)) {
        release_occupancy(*sets_[q]);
        last_agents_.remember(customer, a);
        budget.emit(now, id, AgentId{a}, q, EventType::accepted, active.version());
      }
      return;
    }
    const Duration timeout = cfg().routings[cfg().queues[q].routing].push_timeout;
    if (timeout.count() > 0) timers_.arm(slot_of(id), offered.version(), now + timeout);
  }

  // offered → queued again (decline or push time-out): the item keeps its arrival time, goes to
  // the retry lane, and is not offered to the same agent first. `status` (if ≥ 0) is the agent's
  // new presence status, set in the same CAS that releases the capacity.
  Status requeue(ItemId id, ItemSlot& item, ItemWord w, EventType why, uint16_t reason, int32_t status,
                 Duration missed) noexcept {
    Budget budget(*this, 3);  // why, agent_status, agent_missed
    if (!budget) return Status::events_full;
    const uint32_t a = w.agent();
    const uint32_t q = w.queue();
    const ItemWord queued = w.next(ItemState::queued);
    const uint32_t rid = requirements_of(item);
    if (!cas_item(item, w, queued)) return Status::wrong_state;
    const Time now = clock_.now();
    // Release the capacity and apply the presence config's status in one CAS.
    auto& word = agents_[a].word;
    uint64_t raw = word.load(kSeq);
    uint32_t epoch = 0;
    if (missed.count() > 0) epoch = agents_[a].missed_epoch.fetch_add(1, std::memory_order_relaxed) + 1;
    AgentWord next;
    do {
      next = add(AgentWord{raw}, w.hold(), -1, -1);
      if (status >= 0) next = next.with_status(static_cast<uint16_t>(status));
      if (missed.count() > 0) next = next.with_missed(true);
      OMNI_SCHED_POINT("agent.cas.requeue");
    } while (!word.compare_exchange_weak(raw, next.raw, kSeq, kSeq));
    budget.emit(now, id, AgentId{a}, q, why, queued.version(), reason);
    if (status >= 0)
      budget.emit(now, ItemId{}, AgentId{a}, QueueId{}, EventType::agent_status, 0, static_cast<uint16_t>(status));
    if (missed.count() > 0) {
      budget.emit(now, ItemId{}, AgentId{a}, QueueId{}, EventType::agent_missed, 0);
      timers_.arm(missed_node(a), epoch, now + missed);
    }
    exclude(slot_of(id), item, a, queued.version(), now + exclusion_for(q));
    arm_queued(slot_of(id), item, queued, now);
    const uint32_t set = set_of(queued, rid);
    enqueue(*sets_[set], sets_[set]->retry, slot_of(id), queued.version());
    publish(a);
    dispatch(set, a);  // someone else first
    pull(a);         // then other work for a
    return Status::ok;
  }

  // queued/offered → gone (closed by the host, or abandoned by the customer).
  Status leave(ItemId id, ItemSlot& item, ItemWord w, EventType why) noexcept {
    Budget budget(*this, 2);
    if (!budget) return Status::events_full;
    const ItemWord gone = w.next(ItemState::free);
    const uint32_t rid = requirements_of(item);
    if (!cas_item(item, w, gone)) return Status::wrong_state;
    const uint32_t q = w.queue();
    const Time now = clock_.now();
    if (w.state() == ItemState::queued && w.preferred()) {
      // Its personal entry stays behind, stale; the item held its queue's unit itself.
      OMNI_SCHED_POINT("pref.waiting.dec");
      agents_[w.agent()].pref_waiting.fetch_sub(1, kSeq);
      sets_[q]->preferring.fetch_sub(1, std::memory_order_relaxed);
      release_occupancy(*sets_[q]);
    } else if (w.state() == ItemState::queued) {
      // Its lane entry stays behind, stale; whoever pops it releases the occupancy.
      OMNI_SCHED_POINT("queue.waiting.dec");
      sets_[set_of(w, rid)]->waiting.fetch_sub(1, kSeq);
    } else {
      release_occupancy(*sets_[q]);
      release_amount(w.agent(), w.hold(), /*open=*/-1);
    }
    const AgentId agent = w.state() == ItemState::offered ? AgentId{w.agent()} : kNoAgent;
    budget.emit(now, id, agent, q, why, gone.version());
    budget.emit(now, id, agent, q, EventType::done, gone.version());
    retire(id, item, gone);
    if (w.state() == ItemState::offered) agent_freed(w.agent());
    return Status::ok;
  }

  // active/paused → wrap-up (capacity held for the after-conversation time) or done.
  Status close_conversation(ItemId id, ItemSlot& item, ItemWord w) noexcept {
    Budget budget(*this, 2);
    if (!budget) return Status::events_full;
    const uint32_t a = w.agent();
    const uint32_t q = w.queue();
    const Duration wrap = presence_of(a).wrap_up;
    const Time now = clock_.now();
    const bool was_paused = w.state() == ItemState::paused;
    // A paused item holds no capacity; its wrap-up takes it again (resume rule applies; if the
    // rule refuses, the item skips wrap-up).
    const bool wrap_up = wrap.count() > 0 && (!was_paused || consume_again(a, w.hold(), 0));
    const ItemWord next = wrap_up ? w.next(ItemState::wrap_up, a) : w.next(ItemState::free);
    if (!cas_item(item, w, next)) {
      if (wrap_up && was_paused) {
        release_amount(a, w.hold(), 0);
        agent_freed(a);
      }
      return Status::wrong_state;
    }
    remove_session(id, item);
    budget.emit(now, id, AgentId{a}, q, EventType::closed, next.version());
    if (wrap_up) {
      if (!was_paused) release_amount(a, Hold{}, /*open=*/-1);  // no longer open, still held
      agents_[a].wrap_up_items.fetch_add(1, std::memory_order_relaxed);
      timers_.arm(slot_of(id), next.version(), now + wrap);
      if (!was_paused) agent_freed(a);  // open items fell: Least Active levels improve
      return Status::ok;
    }
    if (!was_paused) release_amount(a, w.hold(), /*open=*/-1);
    mark_idle(a, now);
    budget.emit(now, id, AgentId{a}, q, EventType::done, next.version());
    retire_slot(slot_of(id), next);
    agent_freed(a);
    return Status::ok;
  }

  Status finish_wrap_up(ItemId id, ItemSlot& item, ItemWord w) noexcept {
    Budget budget(*this, 2);
    if (!budget) return Status::events_full;
    const ItemWord gone = w.next(ItemState::free);
    if (!cas_item(item, w, gone)) return Status::wrong_state;
    const uint32_t a = w.agent();
    release_amount(a, w.hold(), 0);
    agents_[a].wrap_up_items.fetch_sub(1, std::memory_order_relaxed);
    const Time now = clock_.now();
    mark_idle(a, now);
    budget.emit(now, id, AgentId{a}, w.queue(), EventType::wrap_up_ended, gone.version());
    budget.emit(now, id, AgentId{a}, w.queue(), EventType::done, gone.version());
    retire_slot(slot_of(id), gone);
    agent_freed(a);
    return Status::ok;
  }

  // ---- timers ---------------------------------------------------------------------------
  uint32_t exclusion_node(uint32_t slot) const noexcept { return max_items_ + slot; }
  uint32_t drop_node(uint32_t slot) const noexcept { return 2 * max_items_ + slot; }
  uint32_t wait_node(uint32_t slot) const noexcept { return 3 * max_items_ + slot; }
  uint32_t pref_node(uint32_t slot) const noexcept { return 4 * max_items_ + slot; }
  uint32_t missed_node(uint32_t a) const noexcept { return 5 * max_items_ + a; }

  // ---- preferred (sticky) agents ---------------------------------------------------------------
  // An item that prefers agent p waits in p's personal lane — queued, flagged preferred, p in its
  // word's agent field — so no other agent ever looks at it; p's pull() looks there first. The
  // Dekker pair is p's word against p's `pref_waiting`, exactly as a queue's. The item holds its
  // queue's occupancy unit itself (its personal entry holds a `pref_entries` unit instead).
  bool routable(uint32_t a, uint32_t q) const noexcept {
    return online_for(AgentWord{agents_[a].word.load(kSeq)}.status(), q);
  }

  bool take_personal_entry(uint32_t a) noexcept {
    if (max_preferred_ == 0) return false;
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto& n = agents_[a].pref_entries;
      int32_t v = n.load(std::memory_order_relaxed);
      do {
        if (v >= max_preferred_) break;
      } while (!n.compare_exchange_weak(v, v + 1, std::memory_order_relaxed));
      if (v < max_preferred_) return true;
      if (attempt == 0 && !compact_personal(a)) return false;  // full of stale entries?
    }
    return false;
  }
  void release_personal_entry(uint32_t a) noexcept {
    agents_[a].pref_entries.fetch_sub(1, std::memory_order_relaxed);
  }
  bool compact_personal(uint32_t a) noexcept {
    bool dropped = false;
    MpmcRing<uint64_t>& lane = *personal_[a];
    for (size_t n = lane.size_hint(); n > 0; --n) {
      uint64_t e;
      if (!lane.try_pop(e)) break;
      if (live_personal(e, a)) {
        push_lane(lane, e);
      } else {
        release_personal_entry(a);
        dropped = true;
      }
    }
    pull(a);  // its live entries were out of the lane for a moment
    return dropped;
  }
  bool live_personal(uint64_t e, uint32_t a, ItemWord* out = nullptr) const noexcept {
    const ItemWord w = items_[LaneEntry::slot(e)].word.load(std::memory_order_acquire);
    if (out) *out = w;
    return w.version() == LaneEntry::version(e) && w.state() == ItemState::queued && w.preferred() &&
           w.agent() == a;
  }

  // Submit's side: publish in p's personal lane, count it (seq_cst), then look (p's pull).
  void wait_for_preferred(uint32_t slot, ItemWord queued, uint32_t p, Time until) noexcept {
    timers_.arm(pref_node(slot), queued.version(), until);
    sets_[queued.queue()]->preferring.fetch_add(1, std::memory_order_relaxed);
    push_lane(*personal_[p], LaneEntry::make(slot, queued.version()));
    OMNI_SCHED_POINT("pref.waiting.inc");
    agents_[p].pref_waiting.fetch_add(1, kSeq);
    pull(p);
  }

  // The oldest item of a's personal lane that a has room for, offered to a. True when it offered
  // one. An item that does not fit (another queue's size, a channel at its limit) does not hold
  // back a later one that does: each call rotates the lane once — every entry popped once and,
  // unless taken or stale, pushed back, so the lane keeps its order. O(entries in the lane),
  // bounded by limits.max_preferred_waiting (+ stale ones).
  //
  // Lost wake-ups: while entries are out of the lane for the rotation, an agent freeing capacity
  // concurrently may look and miss them. It changes a's word before it looks (seq_cst), so this
  // rotation re-reads the word when nothing fitted and rotates again if the word changed since it
  // began: whether an entry fits depends only on the word's value, so an unchanged value means
  // every "no room" answer still holds.
  bool take_preferred(uint32_t a) noexcept {
    if (!personal_[a]) return false;
    MpmcRing<uint64_t>& lane = *personal_[a];
    for (;;) {
      OMNI_SCHED_POINT("pref.waiting");
      if (agents_[a].pref_waiting.load(kSeq) <= 0) return false;
      OMNI_SCHED_POINT("pref.word");
      const uint64_t word_before = agents_[a].word.load(kSeq);
      bool offered = false, no_credits = false;
      for (size_t n = lane.size_hint(); n > 0; --n) {
        uint64_t e;
        OMNI_SCHED_POINT("pref.pop");
        if (!lane.try_pop(e)) break;
        ItemWord w;
        if (!live_personal(e, a, &w)) {  // stale: its entry ends here
          release_personal_entry(a);
          continue;
        }
        if (offered || no_credits || !offer_preferred(a, e, w, no_credits, offered)) push_lane(lane, e);
      }
      if (no_credits) {
        defer_routing();
        return offered;
      }
      if (offered) return true;
      OMNI_SCHED_POINT("pref.word.again");
      if (agents_[a].word.load(kSeq) == word_before) return false;
    }
  }

  // One live personal entry of a: reserve, then the item's CAS. False when the entry stays in
  // the lane (no room, no event credits); true when it leaves it (offered, or the item moved on).
  bool offer_preferred(uint32_t a, uint64_t e, ItemWord w, bool& no_credits, bool& offered) noexcept {
    const uint32_t q = w.queue();
    const Hold hold = hold_for(q, a);
    Budget budget(*this, 2);
    if (!budget) {
      no_credits = true;
      return false;
    }
    if (!reserve(a, q, hold)) return false;  // no room: it keeps waiting for a
    ItemSlot& item = items_[LaneEntry::slot(e)];
    const ItemId id = make_item_id(LaneEntry::slot(e), item.birth.load(std::memory_order_acquire));
    const ItemWord offered_word = w.next(ItemState::offered, a).with_hold(hold);
    release_personal_entry(a);
    if (!cas_item(item, w, offered_word)) {  // it fell back or was closed meanwhile: stale now
      give_back(a, hold);
      return true;
    }
    OMNI_SCHED_POINT("pref.waiting.dec");
    agents_[a].pref_waiting.fetch_sub(1, kSeq);
    sets_[q]->preferring.fetch_sub(1, std::memory_order_relaxed);
    after_offer(id, item, offered_word, a, q, clock_.now(), budget);
    offered = true;
    return true;
  }

  // queued for p only → queued for everyone eligible (its preference lapsed, or p went offline).
  // False when its event does not fit now (it stays preferred; the caller keeps it due).
  bool fall_back(uint32_t slot, uint64_t expect, Time now) noexcept {
    ItemSlot& item = items_[slot];
    const ItemWord w = item.word.load(std::memory_order_acquire);
    if (w.version() != expect || w.state() != ItemState::queued || !w.preferred()) return true;
    Budget budget(*this, 1);
    if (!budget) return false;
    const ItemId id = make_item_id(slot, item.birth.load(std::memory_order_acquire));
    const ItemWord next = w.next(ItemState::queued);
    const uint32_t rid = requirements_of(item);
    if (!cas_item(item, w, next)) return true;
    const uint32_t p = w.agent();
    OMNI_SCHED_POINT("pref.waiting.dec");
    agents_[p].pref_waiting.fetch_sub(1, kSeq);  // its personal entry is stale now
    sets_[w.queue()]->preferring.fetch_sub(1, std::memory_order_relaxed);
    budget.emit(now, id, AgentId{p}, w.queue(), EventType::preference_ended, next.version());
    arm_queued(slot, item, next, now);
    const uint32_t set = set_of(next, rid);
    enqueue(*sets_[set], sets_[set]->retry, slot, next.version());  // takes over the item's unit
    dispatch(set);
    return true;
  }

  // a left online: every item waiting for it only falls back at once.
  void release_preferences(uint32_t a) noexcept {
    if (!personal_[a]) return;
    MpmcRing<uint64_t>& lane = *personal_[a];
    for (size_t n = lane.size_hint(); n > 0; --n) {
      uint64_t e;
      if (!lane.try_pop(e)) return;
      if (live_personal(e, a) && !fall_back(LaneEntry::slot(e), LaneEntry::version(e), clock_.now())) {
        push_lane(lane, e);  // no event room: its timer will do it
        return;
      }
      release_personal_entry(a);
    }
  }

  // Everything a newly queued version of an item needs armed: its next skill drop and its
  // queue's overflow / expiry.
  void arm_queued(uint32_t slot, const ItemSlot& item, ItemWord queued, Time now) noexcept {
    arm_drop(slot, item, queued);
    const QueueInfo& q = cfg().queues[queued.queue()];
    if (q.overflow_after.count() == 0 && q.max_wait.count() == 0) return;
    arm_wait(slot, item, queued, now);
  }

  // The queue's next wait deadline, counted from the item's arrival: overflow or expiry,
  // whichever comes first. A timer holds an item word for at most kMaxTimer (the no-wrap
  // argument of item_word.h), so a later deadline is reached in hops.
  void arm_wait(uint32_t slot, const ItemSlot& item, ItemWord queued, Time now) noexcept {
    const QueueInfo& q = cfg().queues[queued.queue()];
    const Time arrival{Duration{item.arrival.load(std::memory_order_relaxed)}};
    Time due = Time::max();
    if (q.overflow_after.count() > 0) due = std::min(due, arrival + q.overflow_after);
    if (q.max_wait.count() > 0) due = std::min(due, arrival + q.max_wait);
    timers_.arm(wait_node(slot), queued.version(), std::min(due, now + kMaxTimer));
  }

  // An item's wait deadline: it expires, overflows, or (a hop of a long wait) waits on.
  bool wait_due(uint32_t slot, uint64_t expect, Time now) noexcept {
    ItemSlot& item = items_[slot];
    const ItemWord w = item.word.load(std::memory_order_acquire);
    if (w.version() != expect || w.state() != ItemState::queued) return true;
    const ItemId id = make_item_id(slot, item.birth.load(std::memory_order_acquire));
    const QueueInfo& info = cfg().queues[w.queue()];
    const Time arrival{Duration{item.arrival.load(std::memory_order_relaxed)}};
    if (info.max_wait.count() > 0 && now >= arrival + info.max_wait) {
      const Status st = leave(id, item, w, EventType::expired);
      return st != Status::events_full;
    }
    if (info.overflow_after.count() > 0 && now >= arrival + info.overflow_after)
      return overflow(slot, item, id, w, info.overflow_to, now);
    arm_wait(slot, item, w, now);
    return true;
  }

  // queued in q → queued in its overflow queue, keeping arrival, requirements and exclusion. A
  // full destination postpones it by one timer resolution (back-pressure, nothing lost).
  bool overflow(uint32_t slot, ItemSlot& item, ItemId id, ItemWord w, uint32_t to, Time now) noexcept {
    Budget budget(*this, 1);
    if (!budget) return false;
    QueueSlot& dest = *sets_[to];
    if (!acquire_occupancy(dest, to)) {
      timers_.arm(wait_node(slot), w.version(), now + cfg().source->limits.timer_resolution);
      return true;
    }
    const ItemWord next = w.next(ItemState::queued).with_queue(to);
    const uint32_t rid = requirements_of(item);
    if (!cas_item(item, w, next)) {
      release_occupancy(dest);
      return true;
    }
    OMNI_SCHED_POINT("queue.waiting.dec");
    sets_[set_of(w, rid)]->waiting.fetch_sub(1, kSeq);  // its entry there is stale now
    budget.emit(now, id, kNoAgent, to, EventType::overflowed, next.version());
    const uint64_t e = item.exclusion.load(std::memory_order_acquire);
    if (Exclusion::version(e) == w.version())
      exclude(slot, item, Exclusion::agent(e), next.version(), now + exclusion_for(to));
    arm_queued(slot, item, next, now);
    const uint32_t set = set_of(next, rid);
    enqueue(*sets_[set], sets_[set]->retry, slot, next.version());
    dispatch(set);
    return true;
  }

  // A queued item with optional skills left: its next one drops at arrival + drop_after.
  void arm_drop(uint32_t slot, const ItemSlot& item, ItemWord queued) noexcept {
    const uint32_t rid = item.requirements.load(std::memory_order_relaxed);
    if (rid == 0) return;
    const RequirementSet& r = requirements_[rid];
    if (r.queue != queued.queue() || queued.stage() + 1 >= r.stages) return;
    const Time arrival{Duration{item.arrival.load(std::memory_order_relaxed)}};
    timers_.arm(drop_node(slot), queued.version(), arrival + r.drop_after[queued.stage()]);
  }

  // The next optional skill drops: queued (stage k) → queued (stage k + 1) in the broader class,
  // keeping the arrival time and any exclusion. A full queue postpones the drop by one timer
  // resolution (back-pressure: the item keeps waiting in its narrower class meanwhile).
  bool drop_skill(uint32_t slot, uint64_t expect, Time now) noexcept {
    ItemSlot& item = items_[slot];
    const ItemWord w = item.word.load(std::memory_order_acquire);
    if (w.version() != expect || w.state() != ItemState::queued) return true;
    const ItemId id = make_item_id(slot, item.birth.load(std::memory_order_acquire));
    const uint32_t q = w.queue();
    Budget budget(*this, 1);
    if (!budget) return false;
    QueueSlot& own = *sets_[q];
    if (!acquire_occupancy(own, q)) {  // the new entry needs a unit; the old one goes stale
      timers_.arm(drop_node(slot), expect, now + cfg().source->limits.timer_resolution);
      return true;
    }
    const ItemWord next = w.next(ItemState::queued).with_stage(w.stage() + 1);
    const uint32_t rid = requirements_of(item);
    if (!cas_item(item, w, next)) {
      release_occupancy(own);
      return true;
    }
    const uint32_t from = set_of(w, rid), to = set_of(next, rid);
    OMNI_SCHED_POINT("queue.waiting.dec");
    sets_[from]->waiting.fetch_sub(1, kSeq);
    const RequirementSet& r = requirements_[rid];
    budget.emit(now, id, kNoAgent, q, EventType::requirements_relaxed, next.version(),
                static_cast<uint16_t>(r.stages - 1 - next.stage()));
    const uint64_t e = item.exclusion.load(std::memory_order_acquire);
    if (Exclusion::version(e) == w.version())
      exclude(slot, item, Exclusion::agent(e), next.version(), now + exclusion_for(q));
    arm_queued(slot, item, next, now);
    enqueue(*sets_[to], sets_[to]->retry, slot, next.version());
    dispatch(to);
    return true;
  }

  // Returns false when the timer's events do not fit now: it stays due and fires next tick.
  bool fire(uint32_t node, uint64_t expect, Time now) noexcept {
    if (node < max_items_) {  // push time-out or wrap-up end of the item in slot `node`
      ItemSlot& item = items_[node];
      const ItemWord w = item.word.load(std::memory_order_acquire);
      if (w.version() != expect) return true;  // answered / ended since
      const ItemId id = make_item_id(node, item.birth.load(std::memory_order_relaxed));
      Status s = Status::ok;
      if (w.state() == ItemState::offered) {
        const PresenceInfo& pc = presence_of(w.agent());
        s = requeue(id, item, w, EventType::push_timed_out, 0, pc.status_on_push_timeout, pc.missed_delay);
      } else if (w.state() == ItemState::wrap_up) {
        s = finish_wrap_up(id, item, w);
      }
      return s != Status::events_full;
    }
    if (node < 2 * max_items_) {  // an exclusion lapses: the decliner may have the item now
      const uint32_t slot = node - max_items_;
      ItemSlot& item = items_[slot];
      uint64_t e = item.exclusion.load(std::memory_order_acquire);
      if (Exclusion::version(e) != expect) return true;
      (void)item.exclusion.compare_exchange_strong(e, 0, std::memory_order_acq_rel);
      const ItemWord w = item.word.load(std::memory_order_acquire);
      if (w.version() == expect && w.state() == ItemState::queued) dispatch(set_of(item, w));
      return true;
    }
    if (node < 3 * max_items_) return drop_skill(node - 2 * max_items_, expect, now);
    if (node < 4 * max_items_) return wait_due(node - 3 * max_items_, expect, now);
    if (node < 5 * max_items_) return fall_back(node - 4 * max_items_, expect, now);
    const uint32_t a = node - 5 * max_items_;  // the missed state ends
    if (agents_[a].missed_epoch.load(std::memory_order_relaxed) != expect) return true;  // missed again
    Budget budget(*this, 1);
    if (!budget) return false;
    auto& word = agents_[a].word;
    uint64_t raw = word.load(kSeq);
    do {
      if (!AgentWord{raw}.missed()) return true;  // a status change ended it already
      OMNI_SCHED_POINT("agent.cas.missed");
    } while (!word.compare_exchange_weak(raw, AgentWord{raw}.with_missed(false).raw, kSeq, kSeq));
    budget.emit(now, ItemId{}, AgentId{a}, QueueId{}, EventType::agent_missed_ended, 0);
    agent_freed(a);
    return true;
  }

  // ---- sessions and policies -----------------------------------------------------------------
  // Copies the customer's sessions other than `except` into `out`; returns how many there are.
  size_t sessions_except(CustomerId customer, ItemId except, std::span<SessionInfo> out) const noexcept {
    if (index(customer) == 0) return 0;
    size_t k = 0;
    customers_.for_each_session(index(customer), [&](uint64_t raw) {
      if (raw == index(except)) return;
      const ItemId id{raw};
      const ItemSlot& item = items_[slot_of(id)];
      const ItemWord w = item.word.load(std::memory_order_acquire);
      if (!same_life(item, w, birth_of(id)) || w.state() == ItemState::free) return;  // ending now
      const uint32_t q = w.queue();
      if (k < out.size())
        out[k] = {id, QueueId{q}, ServiceId{cfg().queues[q].service}, ChannelId{cfg().queues[q].channel}};
      ++k;
    });
    return k;
  }

  // Runs every policy; the first refusal wins and its reason is kept for last_policy_reason().
  bool policies_allow(PolicyRequest& pr, ItemId concerned) noexcept {
    SessionInfo sessions[kSessionsSeen];
    const size_t n = sessions_except(pr.customer, concerned, sessions);
    pr.sessions = std::span<const SessionInfo>(sessions, std::min<size_t>(n, kSessionsSeen));
    for (PolicyHook* p : policies_) {
      OMNI_SCHED_POINT("policy.check");
      const PolicyVerdict v = p->check(pr);
      if (!v.allow) {
        t_last_policy_reason = v.reason;
        return false;
      }
    }
    t_last_policy_reason = {};
    return true;
  }

  bool transfer_allowed(ItemId id, const ItemSlot& item, ItemWord w, PolicyOp how, uint32_t to) noexcept {
    if (policies_.empty()) return true;
    PolicyRequest pr{};
    pr.op = how;
    pr.customer = CustomerId{item.customer.load(std::memory_order_relaxed)};
    pr.is_bot = item.is_bot.load(std::memory_order_relaxed);
    pr.has_from = true;
    pr.from_item = id;
    pr.from_queue = QueueId{w.queue()};
    pr.to_queue = QueueId{to};
    pr.to_service = ServiceId{cfg().queues[to].service};
    pr.to_channel = ChannelId{cfg().queues[to].channel};
    return policies_allow(pr, id);
  }

  void remove_session(ItemId id, const ItemSlot& item) noexcept {
    const uint64_t customer = item.customer.load(std::memory_order_relaxed);
    if (customer != 0) customers_.remove(customer, index(id));
  }

  // ---- slot recycling ------------------------------------------------------------------------
  void retire(ItemId id, const ItemSlot& item, ItemWord gone) noexcept {
    remove_session(id, item);
    retire_slot(slot_of(id), gone);
  }
  // The slot's word already says free. A slot near the end of its version space is retired for
  // good instead of reused, so its versions and ids never wrap (item_word.h).
  void retire_slot(uint32_t slot, ItemWord gone) noexcept {
    if (gone.version() >= ItemWord::kRetireVersion) {
      slots_retired_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    // 2× headroom: fails only while a pop a full lap behind is stalled (the ring's exception).
    while (!free_slots_.try_push(slot)) {
    }
  }
  // A submit refused while opening: nobody could move the item, so it simply ends.
  void retire_unopened(ItemSlot& item, uint32_t slot, ItemWord opening, QueueSlot& queue) noexcept {
    const ItemWord gone = opening.next(ItemState::free);
    publish_owned(item, opening, gone);
    retire_slot(slot, gone);
    release_occupancy(queue);
  }

  friend AuditReport internal::audit(const Kernel&);

  // The configuration, replaced whole by a live change (reconfigure). Every operation reads it
  // through cfg(): the version its Pinned guard pinned at entry (config_cell.h).
  ConfigCell<ResolvedConfig> cell_;
  const Clock& clock_;
  const std::vector<PolicyHook*> policies_;
  const uint32_t max_items_;
  const uint32_t max_agents_;  // agents the kernel can ever hold (limits.max_agents): hiring room
  std::unique_ptr<ItemSlot[]> items_;
  MpmcRing<uint32_t> free_slots_;
  std::unique_ptr<AgentSlot[]> agents_;
  CustomerTable customers_;
  LastAgentMemory last_agents_;  // who last accepted each customer's item (sticky routing's hint)
  MpmcRing<Event> events_;
  alignas(kCacheLine) std::atomic<int64_t> credits_;
  TimerWheel timers_;
  alignas(kCacheLine) std::atomic<bool> ticking_{false};
  alignas(kCacheLine) std::atomic<bool> draining_{false};
  alignas(kCacheLine) std::atomic<bool> routing_deferred_{false};
  std::atomic<uint64_t> deferrals_{0};
  std::atomic<uint64_t> slots_retired_{0};
  // Lane sets: [0, first_class_) the queues' own (a queue added live takes the next; the rest
  // stay empty), then the requirement classes, published by set_count_ (release) once complete.
  // Requirement sets 1..req_count_ likewise.
  const uint32_t max_classes_;
  const uint32_t first_class_;  // the queue room: limits.max_queues, or the queues at create
  std::unique_ptr<std::unique_ptr<QueueSlot>[]> sets_;
  std::unique_ptr<SkillClass[]> classes_;  // by lane set index (classes only)
  std::atomic<uint32_t> set_count_{0};
  std::unique_ptr<RequirementSet[]> requirements_;
  std::atomic<uint32_t> req_count_{0};
  // Agent a's classes: agent_classes_[a * max_classes_ + i] for i < agent_class_count_[a].
  std::unique_ptr<ClassEntry[]> agent_classes_;
  std::unique_ptr<std::atomic<uint32_t>[]> agent_class_count_;
  // Preferred agents: each agent's personal lane of items waiting for it only.
  const int32_t max_preferred_;
  std::unique_ptr<std::unique_ptr<MpmcRing<uint64_t>>[]> personal_;
  mutable std::mutex control_mu_;  // control plane only: serialises prepare_requirements and live changes
  std::map<std::string, uint32_t> class_ids_, requirement_ids_;
  std::vector<std::vector<bool>> class_listed_;  // control plane: agent → classes in its list
  std::vector<std::vector<uint32_t>> queue_position_;  // control plane: queue → agent → position
};

}  // namespace

// Every invariant of a quiescent kernel, from its internal state. Reads only: nothing here routes.
AuditReport audit(const Kernel& kernel) {
  const auto& k = static_cast<const KernelImpl&>(kernel);
  AuditReport r;
  auto fail = [&](std::string s) { r.violations.push_back(std::move(s)); };
  const KernelImpl::Pinned pinned(k);
  const auto& cfg = k.cfg();
  const size_t n_agents = cfg.agents.size(), n_queues = cfg.queues.size();
  std::vector<int64_t> used(n_agents), int_used(n_agents), open(n_agents), wrap(n_agents);
  std::vector<uint32_t> counted(n_agents * AgentWord::kChannelCounters);
  const uint32_t n_sets = k.set_count_.load();
  std::vector<int64_t> offered_from(n_queues), entries(n_queues), queued_in(n_sets);
  std::vector<int> live_entries(k.max_items_);
  std::vector<int32_t> preferring(n_agents), preferring_q(n_queues);
  k.for_each_set([&](uint32_t set) {
    const QueueSlot& lanes = *k.sets_[set];
    for (const auto* lane : {&lanes.fresh, &lanes.retry}) {
      lane->for_each([&](uint64_t e) {
        ++entries[lanes.queue];
        if (k.live_entry(e)) {
          const ItemSlot& item = k.items_[LaneEntry::slot(e)];
          if (k.set_of(item, item.word.load()) != set)
            fail("lane set " + std::to_string(set) + " holds an item whose class is another");
          ++live_entries[LaneEntry::slot(e)];
        }
      });
    }
  });
  uint64_t free_listed = 0;
  k.free_slots_.for_each([&](uint32_t) { ++free_listed; });
  uint64_t free_words = 0;
  for (uint32_t s = 0; s < k.max_items_; ++s) {
    const ItemSlot& item = k.items_[s];
    const ItemWord w = item.word.load();
    const std::string name = "item " + std::to_string(s) + "@" + std::to_string(w.version());
    const ItemState st = w.state();
    if (st == ItemState::free) {
      ++free_words;
      continue;
    }
    ++r.live_items;
    if (st == kOpening || static_cast<uint8_t>(st) > static_cast<uint8_t>(ItemState::wrap_up)) {
      fail(name + ": state " + std::to_string(static_cast<int>(st)) + " at quiescence");
      continue;
    }
    const uint32_t q = w.queue();
    if (q >= n_queues) {
      fail(name + ": queue out of range");
      continue;
    }
    if (st == ItemState::queued && w.preferred()) {
      ++r.queued_items;
      ++offered_from[q];  // holds its queue's unit itself, like an offered item
      const uint32_t p = w.agent();
      if (p >= n_agents) {
        fail(name + ": preferred agent out of range");
        continue;
      }
      ++preferring[p];
      ++preferring_q[q];
      int live = 0;
      if (k.personal_[p]) k.personal_[p]->for_each([&](uint64_t e) { live += k.live_personal(e, p) && LaneEntry::slot(e) == s; });
      if (live != 1) fail(name + ": waits for its preferred agent with " + std::to_string(live) + " live personal entries");
      if (!k.timers_.armed_with(k.pref_node(s), w.version())) fail(name + ": preferred with no preference timer");
      const AgentWord aw{k.agents_[p].word.load()};
      if (k.can_take(aw, q, p, k.hold_for(q, p)))
        fail(name + " waits for its preferred agent " + cfg.source->agents[p].name + ", who has room for it");
      continue;
    }
    if (st == ItemState::queued) {
      ++queued_in[k.set_of(item, w)];
      ++r.queued_items;
      const uint32_t rid = item.requirements.load();
      if (rid != 0 && k.requirements_[rid].queue == q && w.stage() + 1 < k.requirements_[rid].stages &&
          !k.timers_.armed_with(k.drop_node(s), w.version()))
        fail(name + ": optional skills left and no drop timer");
      const QueueInfo& qi = cfg.queues[q];
      if ((qi.overflow_after.count() > 0 || qi.max_wait.count() > 0) &&
          !k.timers_.armed_with(k.wait_node(s), w.version()))
        fail(name + ": waits in a queue with overflow or expiry and no wait timer");
      if (live_entries[s] != 1)
        fail(name + ": queued with " + std::to_string(live_entries[s]) + " live lane entries");
      const uint64_t e = item.exclusion.load();
      if (Exclusion::version(e) == w.version() && !k.timers_.armed_with(k.exclusion_node(s), w.version()))
        fail(name + ": excluded with no exclusion-end timer");
      continue;
    }
    const uint32_t a = w.agent();
    if (a >= n_agents) {
      fail(name + ": agent out of range");
      continue;
    }
    if (w.holds()) (w.interruptible() ? int_used : used)[a] += w.held();
    if (w.holds() && w.counter() >= 0) ++counted[size_t{a} * AgentWord::kChannelCounters + w.counter()];
    if (st == ItemState::offered || st == ItemState::active) ++open[a];
    if (st == ItemState::wrap_up) ++wrap[a];
    if (st == ItemState::offered) {
      ++offered_from[q];
      const Duration timeout = cfg.routings[cfg.queues[q].routing].push_timeout;
      if (timeout.count() > 0 && !k.timers_.armed_with(s, w.version()))
        fail(name + ": offered with no push time-out armed");
    }
    if (st == ItemState::wrap_up && !k.timers_.armed_with(s, w.version()))
      fail(name + ": in wrap-up with no wrap-up end armed");
  }
  if (free_listed + r.live_items + k.slots_retired_.load() != k.max_items_ || free_words < free_listed)
    fail("slots: " + std::to_string(free_listed) + " free-listed + " + std::to_string(r.live_items) +
         " live + " + std::to_string(k.slots_retired_.load()) + " retired != " + std::to_string(k.max_items_));
  for (uint32_t a = 0; a < n_agents; ++a) {
    const AgentWord w{k.agents_[a].word.load()};
    const std::string name = "agent " + cfg.source->agents[a].name;
    if (w.used() != used[a] || w.interruptible_used() != int_used[a])
      fail(name + ": used " + std::to_string(w.used()) + "/" + std::to_string(w.interruptible_used()) +
           " but its items hold " + std::to_string(used[a]) + "/" + std::to_string(int_used[a]));
    if (w.open() != open[a])
      fail(name + ": open " + std::to_string(w.open()) + " but " + std::to_string(open[a]) + " items offered or active");
    for (int c = 0; c < AgentWord::kChannelCounters; ++c)
      if (w.count(c) != counted[size_t{a} * AgentWord::kChannelCounters + c])
        fail(name + ": channel counter " + std::to_string(c) + " is " + std::to_string(w.count(c)) + " but " +
             std::to_string(counted[size_t{a} * AgentWord::kChannelCounters + c]) + " items hold it");
    if (k.agents_[a].wrap_up_items.load() != wrap[a])
      fail(name + ": wrap_up_items " + std::to_string(k.agents_[a].wrap_up_items.load()) + " but " +
           std::to_string(wrap[a]) + " items in wrap-up");
    if (w.status() >= cfg.statuses.size()) fail(name + ": status index out of range");
    if (k.agents_[a].pref_waiting.load() != preferring[a])
      fail(name + ": pref_waiting " + std::to_string(k.agents_[a].pref_waiting.load()) + " but " +
           std::to_string(preferring[a]) + " items wait for it");
    int32_t entries_a = 0;
    if (k.personal_[a]) k.personal_[a]->for_each([&](uint64_t) { ++entries_a; });
    if (k.agents_[a].pref_entries.load() != entries_a)
      fail(name + ": pref_entries " + std::to_string(k.agents_[a].pref_entries.load()) + " but " +
           std::to_string(entries_a) + " personal entries");
  }
  k.for_each_set([&](uint32_t set) {
    const QueueSlot& lanes = *k.sets_[set];
    if (lanes.waiting.load() != queued_in[set])
      fail("lane set " + std::to_string(set) + " of queue " + cfg.source->queues[lanes.queue].name + ": waiting " +
           std::to_string(lanes.waiting.load()) + " but " + std::to_string(queued_in[set]) + " queued");
    if (set >= k.first_class_ && lanes.occupancy.load() != 0) fail("a class set counts occupancy");
  });
  for (uint32_t q = 0; q < n_queues; ++q) {
    const QueueSlot& queue = *k.sets_[q];
    const std::string name = "queue " + cfg.source->queues[q].name;
    if (queue.preferring.load() != preferring_q[q])
      fail(name + ": preferring " + std::to_string(queue.preferring.load()) + " but " +
           std::to_string(preferring_q[q]) + " items wait for a preferred agent");
    if (cfg.queues[q].removed) {  // fenced: nothing waits there or is offered from it
      if (queue.occupancy.load() != kClosedQueue || entries[q] + offered_from[q] != 0)
        fail(name + ": removed, but occupancy " + std::to_string(queue.occupancy.load()) + " with " +
             std::to_string(entries[q]) + " lane entries and " + std::to_string(offered_from[q]) + " offered");
    } else if (queue.occupancy.load() != entries[q] + offered_from[q])
      fail(name + ": occupancy " + std::to_string(queue.occupancy.load()) + " but " + std::to_string(entries[q]) +
           " lane entries + " + std::to_string(offered_from[q]) + " offered");
  }
  // Progress: no queued item beside an agent that may take it and has room — from the words alone.
  for (uint32_t s = 0; s < k.max_items_; ++s) {
    const ItemSlot& item = k.items_[s];
    const ItemWord w = item.word.load();
    if (w.state() != ItemState::queued || w.preferred()) continue;  // preferred: checked above
    const uint32_t q = w.queue();
    const uint64_t e = item.exclusion.load();
    const uint32_t set = k.set_of(item, w);
    for (uint32_t a = 0; a < n_agents; ++a) {
      if (!k.eligible(set, a)) continue;
      if (Exclusion::version(e) == w.version() && Exclusion::agent(e) == a) continue;
      const AgentWord aw{k.agents_[a].word.load()};
      if (k.can_take(aw, q, a, k.hold_for(q, a)))
        fail("item " + std::to_string(s) + " waits in queue " + cfg.source->queues[q].name + " while agent " +
             cfg.source->agents[a].name + " has room for it");
    }
  }
  if (k.routing_deferred_.load()) fail("routing deferred by back-pressure and not resumed");
  size_t pending = 0;
  k.events_.for_each([&](const Event&) { ++pending; });
  if (k.credits_.load() + static_cast<int64_t>(pending) != cfg.source->limits.event_capacity)
    fail("event credits " + std::to_string(k.credits_.load()) + " + " + std::to_string(pending) +
         " pending != capacity " + std::to_string(cfg.source->limits.event_capacity));
  return r;
}

}  // namespace internal

std::expected<std::unique_ptr<Kernel>, ConfigError> Kernel::create(const Config& config, const Clock& clock,
                                                                   std::span<PolicyHook* const> policies) {
  auto resolved = internal::resolve(config);
  if (!resolved) return std::unexpected(resolved.error());
  for (size_t i = 0; i < policies.size(); ++i)
    if (!policies[i]) return std::unexpected(ConfigError{"policies[" + std::to_string(i) + "]", "is null"});
  return std::make_unique<internal::KernelImpl>(std::move(*resolved), clock, policies);
}

std::expected<std::unique_ptr<Kernel>, ConfigError> Kernel::restore(const Config& config, const Clock& clock,
                                                                    const KernelImage& image,
                                                                    std::span<PolicyHook* const> policies) {
  auto made = create(config, clock, policies);
  if (!made) return made;
  if (auto error = static_cast<internal::KernelImpl&>(**made).install(image)) return std::unexpected(*error);
  return made;
}

std::string_view Kernel::last_policy_reason() noexcept { return internal::t_last_policy_reason; }

}  // namespace omni
