// Strict randomized stress test of the kernel's promises (ARCHITECTURE.md, issues 8 and 9).
//
// Four worker threads (more than the cores: preemption inside operations) hammer one kernel with
// random operations on items they share, so calls race (close during a time-out, pause twice,
// accept by the wrong agent, transfer against pause, ops on stale ids…). A ticker thread moves a
// ManualClock with the work done (0.25 ms per operation) and fires timers, workers tick too now
// and then; a drainer thread collects every event; a sampler thread reads every agent all the
// time. One shared slot in 8 is unattended (its offers time out). Epochs alternate between busy
// queues and light load. Each epoch ends at a quiescent point (every thread joined) where
// everything is checked; then the run goes on.
//
// What is checked, and how (no check guesses):
//  * Replay. Each item's events, ordered by Event::seq (the item word's version: every transition
//    a new, larger value; events of one transition share it and come in emission order), must be
//    a legal life cycle, transition by transition:
//      submitted → offered(a) → accepted(a) → paused(a)/resumed(a)… → closed → [wrap_up_ended] → done
//      offered(a) → declined(a)/push_timed_out(a) → queued → offered…
//      queued/offered → abandoned/closed → done;  active/paused → transferred …
//    A `transferred` event is matched to the transfer call that returned ok for that item (each
//    worker logs its ok calls with kind, destination and a ticket before/after the call): to a
//    queue → queued there; to an agent → offered to that agent in the same transition; to a flow →
//    done. A transfer whose kind or destination does not match the events, a transfer event
//    without an ok call, or an ok call without its event, is a violation. The same bookkeeping
//    ties every ok accept / decline(agent, reason) / pause / resume / close / abandon /
//    end_wrap_up / submit(queue) / set_status to exactly its event(s): events are lossless.
//    Per-transition rules: only the offered agent answers; auto-accept offers are never declined
//    or timed out; declines respect allow_decline and decline_reasons_required; time-outs only on
//    queues with a push time-out and never before its deadline; wrap-up follows the presence
//    config (none → done at once, refuse-rule paused items may skip it); a stale id (an item
//    already done) never gets an ok nor an event; sequence numbers only grow, per item and (64-bit
//    seq) per slot, and (64-bit seq: the version is +1 per transition) by exactly one per
//    transition — no silent transition — and an item snapshot's seq is its last event's.
//    Skills, overflow and expiry (issue 9), from the test's own copy of the configuration and of
//    the requirement sets it prepared (never from the kernel):
//      - every `offered` made by routing (not a transfer to an agent) goes to an agent eligible
//        at that moment: a member of its queue; when the item's requirement set was prepared for
//        its current queue, also qualified (levels, profile's with the user's winning) for the
//        skills it still asks — any qualified agent when the queue's routing is skills_based;
//      - `requirements_relaxed` only for a queued item whose set applies to its queue and still
//        has an optional skill, not before arrival + that skill's drop time (drop order = drop
//        time), same queue, no agent, `reason` = optional skills still asked;
//      - `overflowed` only for a queued item of a queue with overflow_after, to its overflow_to,
//        at or after arrival + overflow_after and before arrival + max_wait (expiry comes first);
//      - `expired` only for a queued item of a queue with max_wait, at or after arrival +
//        max_wait, followed by `done` in the same transition; offered items never move by a timer;
//      - a drop or an overflow carries a running exclusion (assumed still running: the test
//        cannot see it lapse, and assuming so only spares one agent in the wake-up check).
//  * Lossless events. The event ring is small (4,096 by default, 512 under TSan) so back-pressure
//    is exercised: Status::events_full is a legal "retry later" answer, and the replay's version
//    check proves no event was lost.
//  * Over-capacity, sampled continuously for every agent by the sampler thread: agents whose
//    presence config has ResumeRule::refuse (all but the "lenient" profile) must never hold more
//    than their capacity or interruptible capacity — no path may put them over. Agents with
//    allow_over_capacity may legitimately go over by resuming, so for them only sanity is
//    sampled (no negative use, a status in range); their exact use is checked at quiescence.
//  * At every quiescent point, BEFORE any call that could route or repair (the ticker and every
//    worker are stopped; nothing but poll_events has run since):
//      - no waiting item beside an eligible agent with room: for each item the replay says is
//        queued, no agent eligible for it (a member of its queue; with its requirement set
//        applying, a qualified member — or any qualified agent on a skills-based queue: an
//        unqualified agent with room is no lost wake-up, a qualified non-member there is) that
//        is online for its channel, not missed, has room for its size (percent sizes per agent,
//        the interruptible pool where it applies), is under its channel limit for the item's
//        channel (counted from the replay's items), and is not the agent the item is excluded
//        from (its last decline / time-out / transfer, until a tick has passed the end of that
//        exclusion);
//      - the kernel's snapshot of every live item has the replay's requirement set, skills
//        dropped and arrival (kept across re-queues, transfers and overflows);
//      - explain() of every waiting or offered item: ok, the replay's state, queue, holder,
//        requirements and drops; candidates in configuration order; for a waiting item exactly
//        the agents the model says are outside its lane set are not_a_member / not_qualified
//        (which one, too), and no agent is could_take (explain's own view of a lost wake-up);
//        for an offered one only the holder is `offered`;
//      - the replayed state, agent and queue of every live item equal the kernel's snapshot; a done
//        item is unknown or free;
//      - each agent's used and interruptible-used capacity equal the sum of what its offered,
//        active and wrap-up items hold (recomputed from the config), open items = offered +
//        active, wrap-up items = wrap-up; each queue's waiting count = its queued items; an agent
//        whose resume rule refuses holds no more items of a limited channel than its limit;
//      - omni::internal::audit(kernel) (kernel/src/audit.h: the same invariants from the
//        internals, plus queue occupancy = live lane entries and a timer for every offer with a
//        push time-out and every wrap-up) reports nothing.
//    Then the clock jumps 60 s and ticks run at that instant (again while they produce events:
//    timers whose events met a full ring wait for a later tick): every offer that has a push
//    time-out must time out, every wrap-up must end, every missed state must end (or have started
//    again in that tick) — a missing timer is seen — and all the checks above run again, plus: no
//    item still waits past its max_wait, its overflow_after or an optional skill's drop time (a
//    postponement for a full queue is allowed only when the replay's live items fill it, which
//    the configuration rules out).
//  * explain() from the workers now and then, racing everything: ok, unknown_item or wrong_state,
//    and an ok answer is one consistent snapshot (every agent once, in order; one `offered`
//    verdict, the holder's, exactly when offered). On a finished item's id: unknown_item or
//    wrong_state, never ok.
// Coverage: submit (policy refusals, bots, customers churning a small customer table), accept
// (also by the wrong agent), decline with and without a reason, pause, resume (both resume
// rules), close in every state, end_wrap_up, abandon, transfer_to_queue / _agent / _flow (allowed
// and forbidden destinations, a policy refusing some transfers), set_status (online, online for
// chat only, busy, pause, away, offline), ticks of a manual clock, unit and percent sizes,
// interruptible channels on agents with and without an interruptible capacity, the missed state,
// status on decline / push time-out, auto-accept agents; skills on profiles and agents (user
// levels win), nine requirement sets on four queues (required and optional skills, drops at
// 200–800 ms, one set hardly anyone qualifies for), 45 % of submits to those queues asking for
// skills and now and then a set prepared for another queue (unknown_requirements), a skills-based
// queue with non-member agents, the overflow chain whatsapp → chat → cases and tasks → cases,
// max_wait on tasks and cases, round_robin tie-breaks on whatsapp (longest_idle elsewhere),
// explain(), channel limits (chat ≤ 2 on strict agents; chat ≤ 1 and tasks ≤ 1 on auto-accept
// agents), preferred agents (1 submit in 8 names one with a 200–800 ms wait, 1 in 16 asks for the
// customer's last agent): the wake-up check and explain() treat an item waiting for its preferred
// agent (its snapshot says so) as reserved for that agent, and after the 60 s jump none may
// still wait for one.
//
// Size: OMNI_STRESS_OPS operations in all (default 10^6); OMNI_STRESS_SEED (default random,
// printed); OMNI_STRESS_EVENT_CAPACITY (default 4096, 512 under TSan); OMNI_STRESS_SOAK=1 (or
// ops ≥ 10^8) is the soak mode: 10^8 operations unless OMNI_STRESS_OPS says otherwise, progress
// printed every 16 epochs — see docs/STRESS.md.
//
// audit(): with OMNI_HAVE_AUDIT defined it is a plain (link-time) dependency; otherwise it is
// referenced weakly, so the test builds against a kernel without it, and it is found when the
// kernel library defines it in an object the test links anyway (kernel.cc). The run fails when it
// is missing unless OMNI_STRESS_REQUIRE_AUDIT=0 (black-box checks only).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "omnikernel/kernel.h"

#if __has_include("audit.h")
#include "audit.h"
#define OMNI_STRESS_AUDIT_DECLARED 1
#if !defined(OMNI_HAVE_AUDIT)
namespace omni::internal {
// Weak: null until the kernel defines it (then every quiescent point runs it).
[[gnu::weak]] AuditReport audit(const Kernel& kernel);
}  // namespace omni::internal
#endif
#endif

namespace omni {
namespace {

using namespace std::chrono_literals;

constexpr uint32_t kNone = UINT32_MAX;

uint64_t env_or(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

// An item id as text: its slot and the raw id. Ids of one slot grow with every new item there
// (the high bits are the slot's incarnation, or its version at submission once issue 8 lands),
// so "raw ≤ the last done id of the slot" means "an item that is done", in either layout.
std::string item_text(uint64_t raw) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "slot %u (id %#llx)", slot_of(ItemId{raw}),
                static_cast<unsigned long long>(raw));
  return buf;
}

// ---- version-tolerant access to the parts of the API issue 8 changes ---------------------------
template <class S = Status>
constexpr bool is_events_full(S s) {
  if constexpr (requires { S::events_full; })
    return s == S::events_full;
  else
    return false;
}
template <class St = KernelStats>
std::string stats_text(const St& s) {
  std::string t;
  if constexpr (requires { s.routing_deferred; })
    t += " routing_deferred " + std::to_string(s.routing_deferred);
  if constexpr (requires { s.slots_retired; }) t += " slots_retired " + std::to_string(s.slots_retired);
  if constexpr (requires { s.events_dropped; }) t += " events_dropped " + std::to_string(s.events_dropped);
  return t;
}
// Event::seq: 64-bit once issue 8 lands; until then 8 bits, unwrapped around the item's last value.
constexpr bool kWideSeq = sizeof(Event{}.seq) >= 8;

std::optional<internal::AuditReport> run_audit(const Kernel& k) {
#if defined(OMNI_HAVE_AUDIT)
  return internal::audit(k);
#elif defined(OMNI_STRESS_AUDIT_DECLARED)
  if (&internal::audit != nullptr) return internal::audit(k);
  return std::nullopt;
#else
  (void)k;
  return std::nullopt;
#endif
}

// ---- the contact centre under test -------------------------------------------------------------
constexpr int kAgents = 24;
const char* const kQueueNames[] = {"chat", "whatsapp", "voice", "tasks", "cases"};
constexpr int kQueues = 5;
const char* const kSkillNames[] = {"en", "fr", "de", "billing", "tech"};
constexpr int kSkills = 5;

// Skill requirement sets the test prepares (Kernel::prepare_requirements) before the workers start:
// required skills (drop 0) and optional ones dropped 200–800 ms of kernel time after arrival, on
// members-only queues (chat, whatsapp, voice) and on the skills-based one (cases). No two optional
// skills of a set share a drop time, so the drop order is the documented one (by drop time).
struct ReqSpec {
  const char* queue;
  std::vector<std::tuple<const char*, int, int>> skills;  // skill, min level, drop after (ms; 0 = required)
};
const std::vector<ReqSpec>& requirement_specs() {
  static const std::vector<ReqSpec> specs = {
      {"chat", {{"en", 3, 0}}},
      {"chat", {{"en", 2, 0}, {"fr", 4, 300}}},
      {"chat", {{"de", 5, 200}, {"tech", 2, 700}}},
      {"chat", {{"billing", 9, 0}}},  // hardly any member qualifies: it waits, then overflows
      {"cases", {{"billing", 4, 0}}},
      {"cases", {{"en", 1, 0}, {"tech", 6, 400}}},
      {"cases", {{"fr", 7, 250}, {"billing", 2, 800}}},
      {"whatsapp", {{"en", 5, 500}}},
      {"voice", {{"fr", 5, 0}}},
  };
  return specs;
}

Config stress_config(uint32_t event_capacity) {
  Config c;
  c.channels = {{"chat", {"Paused", "Waiting customer"}, false},
                {"voice", {"Hold"}, false},
                {"task", {"Paused"}, true}};
  c.routing_configs = {
      {"chat_rc", 1, RoutingModel::most_available, 2s, SizeUnit::units, 1.0},
      {"wa_rc", 1, RoutingModel::least_active, 3s, SizeUnit::percent, 20.0},
      {"voice_rc", 0, RoutingModel::least_active, 1s, SizeUnit::percent, 100.0},
      {"task_rc", 2, RoutingModel::most_available, {}, SizeUnit::units, 0.5},
      {"case_rc", 2, RoutingModel::least_active, 1500ms, SizeUnit::percent, 40.0},
  };
  c.routing_configs[1].tie_break = TieBreak::round_robin;  // whatsapp: identical agents share the work
  c.routing_configs[4].skills_based = true;                // cases: any qualified agent, member or not
  c.skills.assign(std::begin(kSkillNames), std::end(kSkillNames));
  auto queue = [](const char* name, const char* channel, const char* routing, const char* service,
                  uint32_t max_waiting) {
    QueueConfig q;  // fields by name: the type grows
    q.name = name, q.channel = channel, q.routing = routing, q.service = service, q.max_waiting = max_waiting;
    return q;
  };
  c.queues = {queue("chat", "chat", "chat_rc", "chat", 1100), queue("whatsapp", "chat", "wa_rc", "whatsapp", 1100),
              queue("voice", "voice", "voice_rc", "", 256), queue("tasks", "task", "task_rc", "", 256),
              queue("cases", "task", "case_rc", "", 1100)};
  // Overflow chain whatsapp → chat → cases and tasks → cases; expiry in tasks and cases. The queues
  // an item can overflow into or drop a skill in hold more than max_items (1100 > 1024), so that at
  // quiescence an overflow or a drop is never postponed for lack of room (the after-60 s check
  // relies on it); voice and tasks keep 256, so queue_full still happens.
  c.queues[1].overflow_after = 1500ms, c.queues[1].overflow_to = "chat";
  c.queues[0].overflow_after = 3s, c.queues[0].overflow_to = "cases";
  c.queues[3].overflow_after = 2s, c.queues[3].overflow_to = "cases", c.queues[3].max_wait = 6s;
  c.queues[4].max_wait = 5s;
  c.statuses = {{"Offline", PresenceKind::offline, {}, ""},
                {"Online", PresenceKind::online, {"chat", "voice", "task"}, ""},
                {"ChatOnly", PresenceKind::online, {"chat"}, ""},
                {"Busy", PresenceKind::busy, {}, ""},
                {"Break", PresenceKind::pause, {}, "coffee"},
                {"Away", PresenceKind::away, {}, ""}};
  PresenceConfigConfig strict;  // refuse; missed state; status on push time-out; wrap-up
  strict.name = "strict";
  strict.capacity = 3;
  strict.interruptible_capacity = 1;
  strict.allow_decline = true;
  strict.decline_reasons = {"busy", "wrong skill"};
  strict.status_on_push_timeout = "ChatOnly";
  strict.missed_delay = 300ms;
  strict.wrap_up = 1s;
  strict.resume_rule = ResumeRule::refuse;
  strict.channel_limits = {{"chat", 2}};  // chat and whatsapp share it: 2 of 3 units at most
  PresenceConfigConfig lenient;  // allow_over_capacity; no wrap-up; restricted destinations
  lenient.name = "lenient";
  lenient.capacity = 2;
  lenient.interruptible_capacity = 1;
  lenient.allow_decline = true;
  lenient.resume_rule = ResumeRule::allow_over_capacity;
  lenient.transfer_destinations = {
      {"chat", "whatsapp", "voice", "tasks", "cases"}, {"strict", "lenient", "automatic", "picky"}, {"bot"}};
  PresenceConfigConfig automatic;  // auto-accept; tasks draw on the main capacity
  automatic.name = "automatic";
  automatic.capacity = 2;
  automatic.auto_accept = true;
  automatic.wrap_up = 1s;
  automatic.resume_rule = ResumeRule::refuse;
  automatic.channel_limits = {{"chat", 1}, {"task", 1}};
  PresenceConfigConfig picky;  // reasons required; status on decline; odd capacities for percents
  picky.name = "picky";
  picky.capacity = 2.5;
  picky.interruptible_capacity = 0.7;
  picky.allow_decline = true;
  picky.decline_reasons_required = true;
  picky.decline_reasons = {"busy"};
  picky.status_on_decline = "Away";
  picky.wrap_up = 500ms;
  picky.resume_rule = ResumeRule::refuse;
  picky.transfer_destinations = {{"chat", "whatsapp", "tasks"}, {"strict", "picky"}, {"bot", "ivr"}};
  c.presence_configs = {strict, lenient, automatic, picky};
  for (const char* p : {"strict", "lenient", "automatic", "picky"}) {  // fields by name: the types grow
    ProfileConfig profile;
    profile.name = p;
    profile.presence_config = p;
    // Profile skills; some agents override a level or add skills of their own (user wins).
    const std::string name = p;
    if (name == "strict") profile.skills = {{"en", 6}, {"billing", 3}};
    if (name == "lenient") profile.skills = {{"en", 4}, {"fr", 5}};
    if (name == "automatic") profile.skills = {{"de", 7}, {"tech", 3}};
    if (name == "picky") profile.skills = {{"tech", 6}, {"billing", 5}};
    c.profiles.push_back(std::move(profile));
  }
  const char* profiles[] = {"strict", "lenient", "automatic", "picky"};
  for (int i = 0; i < kAgents; ++i) {
    std::vector<std::string> queues = {"chat", "whatsapp", "voice", "tasks", "cases"};
    if (i % 5 == 4) queues = {"chat", "tasks"};
    if (i % 6 == 5) queues = {"chat", "whatsapp", "voice", "tasks"};  // not cases: skills-based non-members
    if (i % 7 == 6) queues = {"voice", "whatsapp", "cases"};
    AgentConfig agent;
    agent.name = "agent" + std::to_string(i);
    agent.profile = profiles[i % 4];
    agent.queues = std::move(queues);
    agent.status = "Online";
    if (i % 3 == 0) agent.skills.push_back({"en", 1 + i % 10});
    if (i % 4 == 1) agent.skills.push_back({"fr", 3 + i % 8});
    if (i % 5 == 2) agent.skills.push_back({"tech", 2 + i % 9});
    if (i % 7 == 3) agent.skills.push_back({"billing", 1 + i % 10});
    if (i == 23) agent.skills.push_back({"de", 10});
    c.agents.push_back(std::move(agent));
  }
  c.limits.max_items = 1024;
  c.limits.max_customers = 512;  // fewer than the customers: table slots change hands all the time
  c.limits.event_capacity = event_capacity;
  c.limits.timer_resolution = 10ms;
  return c;
}

// Refuses opens for customers ≡ 0 (mod 101) and transfers into "voice" for customers ≡ 0 (mod 7).
class StressPolicy final : public PolicyHook {
 public:
  explicit StressPolicy(QueueId voice) : voice_(voice) {}
  std::string_view name() const noexcept override { return "stress"; }
  PolicyVerdict check(const PolicyRequest& r) noexcept override {
    const uint64_t c = index(r.customer);
    if (r.op == PolicyOp::open && c != 0 && c % 101 == 0) return {false, "blocked customer"};
    if ((r.op == PolicyOp::transfer || r.op == PolicyOp::transfer_by_tag) && r.to_queue == voice_ && c != 0 &&
        c % 7 == 0)
      return {false, "no voice for this customer"};
    return {};
  }
  static bool refuses_open(uint64_t c) { return c != 0 && c % 101 == 0; }
  static bool refuses_voice(uint64_t c) { return c != 0 && c % 7 == 0; }

 private:
  QueueId voice_;
};

// What the test derives from the Config (never from the kernel's internals).
struct Model {
  struct Presence {
    int32_t capacity, int_capacity;
    bool auto_accept, allow_decline, reasons_required, refuse;
    size_t reasons;
    int32_t status_on_decline = -1, status_on_timeout = -1;
    bool missed, wrap_up;
    bool anywhere;
    std::map<std::string, int> channel_limit;  // channel name → most items held at once
    std::array<bool, kQueues> to_queue{};
    std::vector<bool> to_profile;
    std::vector<bool> to_flow;
  };
  std::vector<Presence> presence;                             // by agent
  std::vector<int> profile;                                   // by agent
  std::array<std::array<int32_t, kAgents>, kQueues> size{};   // milli-units
  std::array<std::array<bool, kAgents>, kQueues> int_pool{};  // drawn on interruptible capacity
  std::array<std::array<bool, kAgents>, kQueues> member{};
  std::array<std::vector<uint32_t>, kQueues> members;
  std::array<int64_t, kQueues> push_timeout_ns{};
  std::array<uint32_t, kQueues> channel{};
  std::array<std::array<int, kAgents>, kQueues> channel_limit{};  // 0 = none
  std::array<size_t, kQueues> paused_values{};
  std::vector<std::array<bool, kQueues>> routable;  // by status: online for the queue's channel
  std::vector<std::string> flows;                   // FlowId order (the kernel's)
  int64_t resolution_ns = 0;
  // Skills (seed 002): effective levels (the profile's, user levels win), routing and wait rules.
  std::array<std::array<int, kSkills>, kAgents> level{};
  std::array<bool, kQueues> skills_based{};
  std::array<int64_t, kQueues> overflow_after_ns{}, max_wait_ns{};
  std::array<uint32_t, kQueues> overflow_to{}, max_waiting{};
  // A prepared requirement set, from the test's own spec: its queue, the drop time of each stage's
  // optional skill (ordered by drop time) and, per stage, the agents qualified for what is still
  // asked (a bit per agent).
  struct Req {
    uint32_t queue = kNone;
    uint32_t stages = 1;
    std::vector<int64_t> drop_ns;     // stage k's optional skill drops at arrival + drop_ns[k]
    std::vector<uint32_t> qualified;  // by stage
  };
  std::vector<Req> reqs{1};  // by RequirementsId; 0 = none

  void add_requirements(uint32_t rid, uint32_t q, const ReqSpec& spec) {
    Req r;
    r.queue = q;
    std::vector<std::tuple<int, int, int64_t>> required, optional;  // skill, level, drop ns
    for (const auto& [skill, lvl, ms] : spec.skills) {
      const int sk = static_cast<int>(std::find(std::begin(kSkillNames), std::end(kSkillNames),
                                                std::string_view(skill)) - std::begin(kSkillNames));
      (ms == 0 ? required : optional).emplace_back(sk, lvl, int64_t{ms} * 1'000'000);
    }
    std::sort(optional.begin(), optional.end(),
              [](const auto& x, const auto& y) { return std::get<2>(x) < std::get<2>(y); });
    r.stages = static_cast<uint32_t>(optional.size() + 1);
    for (uint32_t st = 0; st < r.stages; ++st) {
      if (st + 1 < r.stages) r.drop_ns.push_back(std::get<2>(optional[st]));
      uint32_t mask = 0;
      for (uint32_t a = 0; a < kAgents; ++a) {
        bool ok = true;
        for (const auto& [sk, lvl, ns] : required) ok &= level[a][sk] >= lvl;
        for (size_t o = st; o < optional.size(); ++o) ok &= level[a][std::get<0>(optional[o])] >= std::get<1>(optional[o]);
        if (ok) mask |= 1u << a;
      }
      r.qualified.push_back(mask);
    }
    if (reqs.size() <= rid) reqs.resize(rid + 1);
    reqs[rid] = std::move(r);
  }
  // Does the item's requirement set decide where it may go (it was prepared for its queue)?
  bool applies(uint32_t rid, uint32_t q) const { return rid != 0 && rid < reqs.size() && reqs[rid].queue == q; }
  // May an item of queue q with requirement set rid, `stage` optional skills dropped, be offered
  // to agent a by routing? Qualified members; with a skills-based routing, any qualified agent.
  bool eligible(uint32_t q, uint32_t rid, uint32_t stage, uint32_t a) const {
    if (!applies(rid, q)) return member[q][a];
    const Req& r = reqs[rid];
    return (skills_based[q] || member[q][a]) && (r.qualified[std::min(stage, r.stages - 1)] >> a & 1);
  }

  Model(const Config& c, const Kernel& k) {
    auto milli = [](double v) { return static_cast<int32_t>(std::llround(v * 1000)); };
    std::map<std::string, const PresenceConfigConfig*> pcs;
    for (const auto& p : c.presence_configs) pcs[p.name] = &p;
    std::map<std::string, int> profile_index;
    for (size_t i = 0; i < c.profiles.size(); ++i) profile_index[c.profiles[i].name] = static_cast<int>(i);
    for (const char* f : {"bot", "ivr"})
      if (auto id = k.find_flow(f)) {
        if (flows.size() <= index(*id)) flows.resize(index(*id) + 1);
        flows[index(*id)] = f;
      }
    for (const auto& a : c.agents) {
      const auto& pc = *pcs.at(c.profiles[profile_index.at(a.profile)].presence_config);
      Presence p{};
      p.capacity = milli(pc.capacity);
      p.int_capacity = milli(pc.interruptible_capacity);
      p.auto_accept = pc.auto_accept;
      p.allow_decline = pc.allow_decline && !pc.auto_accept;
      p.reasons_required = pc.decline_reasons_required;
      p.refuse = pc.resume_rule == ResumeRule::refuse;
      p.reasons = pc.decline_reasons.size();
      if (!pc.status_on_decline.empty()) p.status_on_decline = index(*k.find_status(pc.status_on_decline));
      if (!pc.status_on_push_timeout.empty())
        p.status_on_timeout = index(*k.find_status(pc.status_on_push_timeout));
      p.missed = pc.missed_delay.count() > 0;
      p.wrap_up = pc.wrap_up.count() > 0;
      const auto& td = pc.transfer_destinations;
      p.anywhere = td.empty();
      for (const auto& l : pc.channel_limits) p.channel_limit[l.channel] = l.max;
      for (const auto& q : td.queues) p.to_queue[index(*k.find_queue(q))] = true;
      p.to_profile.assign(c.profiles.size(), false);
      for (const auto& pr : td.profiles) p.to_profile[profile_index.at(pr)] = true;
      p.to_flow.assign(flows.size(), false);
      for (const auto& f : td.flows) p.to_flow[index(*k.find_flow(f))] = true;
      presence.push_back(std::move(p));
      profile.push_back(profile_index.at(a.profile));
    }
    std::map<std::string, int> channel_index;
    for (size_t i = 0; i < c.channels.size(); ++i) channel_index[c.channels[i].name] = static_cast<int>(i);
    for (int q = 0; q < kQueues; ++q) {
      const auto& qc = c.queues[q];
      const auto& rc = *std::find_if(c.routing_configs.begin(), c.routing_configs.end(),
                                     [&](const RoutingConfig& r) { return r.name == qc.routing; });
      const auto& ch = c.channels[channel_index.at(qc.channel)];
      channel[q] = static_cast<uint32_t>(channel_index.at(qc.channel));
      for (uint32_t a = 0; a < kAgents; ++a) {
        const auto& limits = presence[a].channel_limit;
        if (auto it = limits.find(qc.channel); it != limits.end()) channel_limit[q][a] = it->second;
      }
      paused_values[q] = ch.paused_values.size();
      push_timeout_ns[q] = rc.push_timeout.count();
      for (uint32_t a = 0; a < kAgents; ++a) {
        const auto& serves = c.agents[a].queues;
        member[q][a] = std::find(serves.begin(), serves.end(), qc.name) != serves.end();
        if (member[q][a]) members[q].push_back(a);
        const Presence& p = presence[a];
        int_pool[q][a] = ch.interruptible && p.int_capacity > 0;
        if (rc.size_unit == SizeUnit::units) {
          size[q][a] = milli(rc.size);
        } else {  // percent of the pool's capacity, rounded up to 1/1000 unit, at least 1
          const int64_t base = int_pool[q][a] ? p.int_capacity : p.capacity;
          const int64_t pct = std::llround(rc.size * 1000);
          size[q][a] = static_cast<int32_t>(std::max<int64_t>(1, (base * pct + 99'999) / 100'000));
        }
      }
    }
    for (const auto& st : c.statuses) {
      std::array<bool, kQueues> r{};
      for (int q = 0; q < kQueues; ++q)
        r[q] = st.kind == PresenceKind::online && std::find(st.channels.begin(), st.channels.end(),
                                                            c.channels[channel[q]].name) != st.channels.end();
      routable.push_back(r);
    }
    resolution_ns = c.limits.timer_resolution.count();
    for (uint32_t a = 0; a < kAgents; ++a) {
      auto set_levels = [&](const std::vector<SkillLevelConfig>& list) {
        for (const auto& sl : list)
          level[a][std::find(std::begin(kSkillNames), std::end(kSkillNames), sl.skill) - std::begin(kSkillNames)] =
              sl.level;
      };
      set_levels(c.profiles[profile[a]].skills);
      set_levels(c.agents[a].skills);  // user wins
    }
    for (int q = 0; q < kQueues; ++q) {
      const auto& qc = c.queues[q];
      const auto& rc = *std::find_if(c.routing_configs.begin(), c.routing_configs.end(),
                                     [&](const RoutingConfig& r) { return r.name == qc.routing; });
      skills_based[q] = rc.skills_based;
      overflow_after_ns[q] = qc.overflow_after.count();
      max_wait_ns[q] = qc.max_wait.count();
      overflow_to[q] = qc.overflow_to.empty() ? kNone : index(*k.find_queue(qc.overflow_to));
      max_waiting[q] = qc.max_waiting;
    }
  }
  int32_t pool_capacity(uint32_t q, uint32_t a) const {
    return int_pool[q][a] ? presence[a].int_capacity : presence[a].capacity;
  }
  bool may_transfer_to_queue(uint32_t from, uint32_t q) const {
    return presence[from].anywhere || presence[from].to_queue[q];
  }
  bool may_transfer_to_agent(uint32_t from, uint32_t to) const {
    return presence[from].anywhere || presence[from].to_profile[profile[to]];
  }
  bool may_transfer_to_flow(uint32_t from, uint32_t f) const {
    return presence[from].anywhere || (f < presence[from].to_flow.size() && presence[from].to_flow[f]);
  }
};

// ---- what the workers log: calls that returned ok ------------------------------------------------
enum Op : uint8_t {
  kSubmit,
  kAccept,
  kDecline,
  kPause,
  kResume,
  kClose,
  kEndWrap,
  kAbandon,
  kToQueue,
  kToAgent,
  kToFlow,
  kSetStatus,
  kOpCount
};
const char* const kOpNames[] = {"submit",
                                "accept",
                                "decline",
                                "pause",
                                "resume",
                                "close",
                                "end_wrap_up",
                                "abandon",
                                "transfer_to_queue",
                                "transfer_to_agent",
                                "transfer_to_flow",
                                "set_status"};

struct Rec {
  uint64_t item;    // or agent for set_status
  uint64_t t0, t1;  // tickets before / after the call (transfers); submit: t0 = RequirementsId
  uint64_t arg2;    // submit: customer; decline: reason
  uint32_t arg;     // submit: queue; accept/decline: agent; transfers: destination; set_status: status
  Op op;
};

class Violations {
 public:
  void add(std::string s) {
    std::lock_guard lock(mu_);
    if (list_.size() < 40) list_.push_back(std::move(s));
    ++count_;
  }
  size_t count() const {
    std::lock_guard lock(mu_);
    return count_;
  }
  std::string text() const {
    std::lock_guard lock(mu_);
    std::string s;
    for (const auto& v : list_) s += "  " + v + "\n";
    if (count_ > list_.size()) s += "  … and " + std::to_string(count_ - list_.size()) + " more\n";
    return s;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> list_;
  size_t count_ = 0;
};

// ---- the replay -----------------------------------------------------------------------------------
enum class MState : uint8_t {
  none,
  queued,
  offered,
  active,
  paused,
  wrap_up,
  wrap_or_end,  // closed from paused under the refuse rule: wrap-up, or done if there was no room
  await_offer,  // transferred to an agent: the same transition offers it to that agent
  ending,       // closed / abandoned / wrap-up ended / transferred to a flow: `done` comes next
  done
};
const char* name(MState s) {
  static const char* n[] = {"none",    "queued",      "offered",     "active", "paused",
                            "wrap_up", "wrap_or_end", "await_offer", "ending", "done"};
  return n[static_cast<int>(s)];
}

struct ItemModel {
  MState state = MState::none;
  uint32_t agent = kNone;  // holder, or the agent an agent-transfer offers to
  uint32_t queue = kNone;
  uint64_t customer = 0;
  uint32_t excluded = kNone;  // agent of the last decline / time-out / transfer to a queue
  int64_t excluded_until = 0;
  int64_t offered_at = 0;  // time of the current offer (a push time-out may not come earlier)
  int64_t arrival = 0;     // its `submitted` time: kept by every re-queue, transfer and overflow
  uint32_t rid = 0;        // requirement set (RequirementsId), 0 = none
  uint32_t stage = 0;      // optional skills dropped so far
  uint64_t seq = 0;
  bool has_seq = false;
  uint64_t unwrap_base = 0;  // 8-bit seq only
};

struct ItemCalls {
  bool submitted = false;
  uint32_t submit_queue = kNone;
  uint32_t submit_rid = 0;
  uint64_t customer = 0;
  std::vector<uint32_t> accepts;                        // agent
  std::vector<std::pair<uint32_t, uint64_t>> declines;  // agent, reason (kNoReason = none)
  uint32_t pauses = 0, resumes = 0, closes = 0, end_wraps = 0, abandons = 0;
  struct Transfer {
    Op kind;
    uint32_t dest;
    uint64_t t0, t1;
    bool used = false;
  };
  std::vector<Transfer> transfers;
};

class Checker {
 public:
  Checker(const Config& config, Kernel& k, Violations& v)
      : config_(config),
        k_(k),
        m_(config, k),
        v_(v),
        slot_done_(config.limits.max_items, 0),
        slot_seq_(config.limits.max_items, 0),
        slot_has_seq_(config.limits.max_items, false) {}

  const Model& model() const { return m_; }
  size_t live() const { return items_.size(); }
  uint64_t finished() const { return finished_; }
  const std::array<uint64_t, 32>& event_counts() const { return event_counts_; }
  void add_requirements(uint32_t rid, uint32_t q, const ReqSpec& spec) { m_.add_requirements(rid, q, spec); }
  uint64_t offers_with_requirements() const { return offers_with_requirements_; }
  uint64_t offers_to_non_members() const { return offers_to_non_members_; }

  // One batch: the events drained since the last batch and the ok calls made meanwhile. At the end
  // of a batch the kernel is quiescent and every event of every logged call has been drained.
  // `first` (optional) receives each item's first event of the batch.
  void batch(const std::vector<Event>& events, const std::vector<const std::vector<Rec>*>& logs,
             std::unordered_map<uint64_t, Event>* first = nullptr) {
    std::unordered_map<uint64_t, ItemCalls> calls;
    std::vector<uint64_t> status_ok(kAgents, 0);
    for (const auto* log : logs)
      for (const Rec& r : *log) {
        if (r.op == kSetStatus) {
          ++status_ok[r.item];
          continue;
        }
        ItemCalls& c = calls[r.item];
        switch (r.op) {
          case kSubmit:
            if (c.submitted) v_.add("item " + id_text(r.item) + ": submit returned the same id twice");
            c.submitted = true;
            c.submit_queue = r.arg;
            c.customer = r.arg2;
            c.submit_rid = static_cast<uint32_t>(r.t0);
            break;
          case kAccept: c.accepts.push_back(r.arg); break;
          case kDecline: c.declines.emplace_back(r.arg, r.arg2); break;
          case kPause: ++c.pauses; break;
          case kResume: ++c.resumes; break;
          case kClose: ++c.closes; break;
          case kEndWrap: ++c.end_wraps; break;
          case kAbandon: ++c.abandons; break;
          case kToQueue:
          case kToAgent:
          case kToFlow: c.transfers.push_back({r.op, r.arg, r.t0, r.t1}); break;
          default: break;
        }
      }

    // Agent events: counted against the calls and the item events that cause them.
    std::vector<uint64_t> status_events(kAgents, 0), missed_events(kAgents, 0);
    std::vector<uint64_t> caused_status(kAgents, 0), caused_missed(kAgents, 0);
    missed_started_.assign(kAgents, false);
    std::unordered_map<uint64_t, std::vector<std::pair<uint64_t, size_t>>> by_item;  // (seq, drain index)
    for (size_t i = 0; i < events.size(); ++i) {
      const Event& e = events[i];
      ++event_counts_[static_cast<size_t>(e.type) & 31];
      if (index(e.item) == 0) {
        const uint32_t a = index(e.agent);
        if (a >= kAgents) {
          v_.add("agent event " + std::string(to_string(e.type)) + " for agent " + std::to_string(a));
          continue;
        }
        if (e.type == EventType::agent_status) {
          ++status_events[a];
          if (e.reason >= config_.statuses.size())
            v_.add("agent " + std::to_string(a) + ": status event with status " + std::to_string(e.reason));
        } else if (e.type == EventType::agent_missed) {
          ++missed_events[a];
          missed_started_[a] = true;
        } else if (e.type != EventType::agent_missed_ended) {
          v_.add("item event " + std::string(to_string(e.type)) + " without an item");
        }
        continue;
      }
      by_item[index(e.item)].emplace_back(0, i);
    }
    // Items with calls but no events must be checked too (an ok call whose event was lost).
    for (auto& [raw, c] : calls) by_item.try_emplace(raw);

    // Oldest item of a slot first (ids of one slot grow), so "after done" is decided in order.
    std::vector<uint64_t> order;
    order.reserve(by_item.size());
    for (const auto& [raw, evs] : by_item) order.push_back(raw);
    std::sort(order.begin(), order.end());
    for (const uint64_t raw : order) {
      auto& evs = by_item[raw];
      const uint32_t slot = slot_of(ItemId{raw});
      if (slot >= slot_done_.size()) {
        v_.add("event for item " + id_text(raw) + " outside the item pool");
        continue;
      }
      if (raw <= slot_done_[slot] && !evs.empty()) {
        v_.add("item " + id_text(raw) + ": " + std::string(to_string(events[evs[0].second].type)) +
               " after done (or for a stale incarnation)");
        continue;
      }
      auto cit = calls.find(raw);
      static const ItemCalls kNoCalls;
      const ItemCalls& c = cit == calls.end() ? kNoCalls : cit->second;
      ItemModel& im = items_[raw];
      // Order by seq; events of one transition share it and keep their emission (drain) order.
      for (auto& [seq, i] : evs) {
        const uint64_t s = events[i].seq;
        if constexpr (kWideSeq) {
          seq = s;
        } else {
          uint64_t u = (im.unwrap_base & ~uint64_t{0xFF}) | s;
          if (u + 128 < im.unwrap_base)
            u += 256;
          else if (u > im.unwrap_base + 128 && u >= 256)
            u -= 256;
          im.unwrap_base = std::max(im.unwrap_base, u);
          seq = u;
        }
      }
      std::stable_sort(evs.begin(), evs.end(), [](auto& x, auto& y) { return x.first < y.first; });
      if (first && !evs.empty()) (*first)[raw] = events[evs[0].second];
      replay_item(raw, im, c, evs, events, caused_status, caused_missed);
      if (im.state == MState::done) {
        slot_done_[slot] = std::max(slot_done_[slot], raw);
        if constexpr (kWideSeq) {
          slot_seq_[slot] = im.seq;
          slot_has_seq_[slot] = true;
        }
        items_.erase(raw);
        ++finished_;
      } else if (im.state == MState::none) {
        items_.erase(raw);
      }
    }
    for (uint32_t a = 0; a < kAgents; ++a) {
      if (status_events[a] != status_ok[a] + caused_status[a])
        v_.add("agent " + std::to_string(a) + ": " + std::to_string(status_events[a]) +
               " status events, expected " + std::to_string(status_ok[a]) + " set_status + " +
               std::to_string(caused_status[a]) + " from declines / time-outs");
      if (missed_events[a] != caused_missed[a])
        v_.add("agent " + std::to_string(a) + ": " + std::to_string(missed_events[a]) +
               " agent_missed events for " + std::to_string(caused_missed[a]) + " push time-outs");
    }
  }

  // Every check of a quiescent kernel. Reads only: nothing here routes or repairs.
  // `after_jump`: the clock has just jumped 60 s and ticks ran at that instant until quiet, so every
  // deadline of a queued item (skill drop, overflow, expiry) has passed and its timer must have fired.
  void quiescent(const char* where, int64_t now_ns, int64_t last_tick_ns, bool after_jump = false) {
    std::vector<AgentSnapshot> ag(kAgents);
    for (uint32_t a = 0; a < kAgents; ++a) {
      auto s = k_.agent(AgentId{a});
      if (!s) {
        v_.add(std::string(where) + ": agent " + std::to_string(a) + " unknown");
        return;
      }
      ag[a] = *s;
    }
    // Items holding a place under a channel limit, per agent and channel (from the replay).
    std::vector<std::array<int, 8>> held(kAgents);
    for (const auto& [raw, im] : items_)
      if (im.state == MState::offered || im.state == MState::active || im.state == MState::wrap_up)
        ++held[im.agent][m_.channel[im.queue]];
    // 1. The wake-up check, first.
    size_t reported = 0;
    std::array<uint32_t, kQueues> waiting{};
    for (const auto& [raw, im] : items_) {
      if (im.state != MState::queued) continue;
      const uint32_t q = im.queue;
      ++waiting[q];
      // An item waiting for its preferred agent only (a snapshot read: nothing routes) may be
      // taken by that agent alone until its wait ends.
      const auto snap = k_.item(ItemId{raw});
      const uint32_t preferred = snap ? index(snap->preferred) : kNone;
      // Requirement-aware: an unqualified agent with room is no lost wake-up; a qualified
      // non-member of a skills-based queue is.
      for (uint32_t a = 0; a < kAgents; ++a) {
        if (!m_.eligible(q, im.rid, im.stage, a)) continue;
        if (preferred != kNone && a != preferred) continue;
        const AgentSnapshot& s = ag[a];
        if (index(s.status) >= m_.routable.size() || !m_.routable[index(s.status)][q] || s.missed) continue;
        const int32_t used = m_.int_pool[q][a] ? s.interruptible_used_milli : s.used_milli;
        if (used + m_.size[q][a] > m_.pool_capacity(q, a)) continue;
        if (s.open_items >= 255) continue;  // the open-items field is full: not a lost wake-up
        const int limit = m_.channel_limit[q][a];
        if (limit > 0 && held[a][m_.channel[q]] >= limit) continue;  // at its channel limit
        // The agent it is excluded from, until a tick has passed the end of the exclusion.
        if (a == im.excluded &&
            (now_ns < im.excluded_until || last_tick_ns < im.excluded_until + 2 * m_.resolution_ns))
          continue;
        size_t excluding = 0;  // other waiting items of this queue excluded from a now (a hint)
        for (const auto& [r2, i2] : items_)
          excluding +=
              i2.state == MState::queued && i2.queue == q && i2.excluded == a && now_ns < i2.excluded_until;
        if (reported++ < 5)
          v_.add(std::string(where) + ": lost wake-up: item " + id_text(raw) + " waits in " + kQueueNames[q] +
                 (m_.applies(im.rid, q) ? " (requirement set " + std::to_string(im.rid) + ", " +
                                              std::to_string(im.stage) + " dropped; agent " +
                                              (m_.member[q][a] ? "a member" : "a qualified non-member") + ")"
                                        : std::string()) +
                 " while agent " + std::to_string(a) + " is " + config_.statuses[index(s.status)].name +
                 " with " + std::to_string(used) + "/" + std::to_string(m_.pool_capacity(q, a)) +
                 " used, size " + std::to_string(m_.size[q][a]) +
                 (a == im.excluded ? " (its exclusion ended)" : "") +
                 (excluding ? "; " + std::to_string(excluding) +
                                  " other item(s) waiting here are excluded from that agent (head-of-line?)"
                            : ""));
      }
    }
    if (reported > 5)
      v_.add(std::string(where) + ": … " + std::to_string(reported) + " lost wake-ups in all");

    // 2. One state per item: the replay and the kernel agree; capacity recomputed from items.
    std::vector<int64_t> used(kAgents, 0), used_int(kAgents, 0), open(kAgents, 0), wrap(kAgents, 0);
    size_t mismatches = 0;
    uint64_t queued = 0;
    for (const auto& [raw, im] : items_) {
      const auto snap = k_.item(ItemId{raw});
      ItemState expect = ItemState::free;
      switch (im.state) {
        case MState::queued:
          expect = ItemState::queued;
          ++queued;
          break;
        case MState::offered: expect = ItemState::offered; break;
        case MState::active: expect = ItemState::active; break;
        case MState::paused: expect = ItemState::paused; break;
        case MState::wrap_up: expect = ItemState::wrap_up; break;
        default:
          v_.add(std::string(where) + ": item " + id_text(raw) + " left in replay state " + name(im.state));
          continue;
      }
      if (!snap || snap->state != expect || (expect != ItemState::queued && index(snap->agent) != im.agent) ||
          index(snap->queue) != im.queue) {
        if (mismatches++ < 5)
          v_.add(std::string(where) + ": item " + id_text(raw) + ": events say " + name(im.state) +
                 " agent " + std::to_string(static_cast<int64_t>(im.agent == kNone ? -1 : im.agent)) +
                 " queue " + std::to_string(im.queue) + ", kernel says " +
                 (snap ? std::string(to_string(snap->state)) + " agent " +
                             std::to_string(static_cast<int64_t>(
                                 index(snap->agent) == kNone ? -1 : index(snap->agent))) +
                             " queue " + std::to_string(index(snap->queue))
                       : std::string(to_string(snap.error()))));
        continue;
      }
      if constexpr (kWideSeq) {
        if (snap->seq != im.seq && mismatches++ < 5)
          v_.add(std::string(where) + ": item " + id_text(raw) + " is at version " +
                 std::to_string(snap->seq) + ", its last event says " + std::to_string(im.seq));
      }
      if ((index(snap->requirements) != im.rid || snap->skills_dropped != im.stage ||
           snap->arrival.time_since_epoch().count() != im.arrival) &&
          mismatches++ < 5)
        v_.add(std::string(where) + ": item " + id_text(raw) + ": kernel says requirements " +
               std::to_string(index(snap->requirements)) + ", " + std::to_string(snap->skills_dropped) +
               " dropped, arrival " + std::to_string(snap->arrival.time_since_epoch().count()) +
               "; the events say " + std::to_string(im.rid) + ", " + std::to_string(im.stage) + ", " +
               std::to_string(im.arrival));
      if (expect == ItemState::queued || expect == ItemState::offered) explain_quiescent(where, raw, im, mismatches);
      if (after_jump && expect == ItemState::queued) deadlines_passed(where, raw, im, now_ns, mismatches);
      if (expect == ItemState::offered || expect == ItemState::active || expect == ItemState::wrap_up) {
        const int32_t size = m_.size[im.queue][im.agent];
        if (snap->held_milli != size && mismatches++ < 5)
          v_.add(std::string(where) + ": item " + id_text(raw) + " holds " +
                 std::to_string(snap->held_milli) + " of agent " + std::to_string(im.agent) +
                 ", its size there is " + std::to_string(size));
        (m_.int_pool[im.queue][im.agent] ? used_int : used)[im.agent] += size;
        if (expect == ItemState::wrap_up)
          ++wrap[im.agent];
        else
          ++open[im.agent];
      }
    }
    // Channel limits: agents whose resume rule refuses never hold more than the limit.
    for (uint32_t a = 0; a < kAgents; ++a)
      for (uint32_t q = 0; q < kQueues; ++q)
        if (const int limit = m_.channel_limit[q][a];
            limit > 0 && m_.presence[a].refuse && held[a][m_.channel[q]] > limit)
          v_.add(std::string(where) + ": agent " + std::to_string(a) + " holds " +
                 std::to_string(held[a][m_.channel[q]]) + " items of " + kQueueNames[q] + "'s channel, over its limit of " +
                 std::to_string(limit));
    for (uint32_t a = 0; a < kAgents; ++a) {
      const AgentSnapshot& s = ag[a];
      if (s.used_milli != used[a] || s.interruptible_used_milli != used_int[a] ||
          static_cast<int64_t>(s.open_items) != open[a] || static_cast<int64_t>(s.wrap_up_items) != wrap[a])
        v_.add(std::string(where) + ": agent " + std::to_string(a) + " (" + config_.agents[a].profile +
               "): used " + std::to_string(s.used_milli) + "/int " +
               std::to_string(s.interruptible_used_milli) + "/open " + std::to_string(s.open_items) +
               "/wrap " + std::to_string(s.wrap_up_items) + ", its items hold " + std::to_string(used[a]) +
               "/int " + std::to_string(used_int[a]) + "/open " + std::to_string(open[a]) + "/wrap " +
               std::to_string(wrap[a]));
    }
    for (uint32_t q = 0; q < kQueues; ++q) {
      const auto s = k_.queue(QueueId{q});
      if (!s || s->waiting != waiting[q])
        v_.add(std::string(where) + ": queue " + kQueueNames[q] + " says " +
               std::to_string(s ? s->waiting : 0) + " waiting, its items say " + std::to_string(waiting[q]));
    }
    // 3. The white-box audit: occupancy, timers, the same invariants from the internals.
    if (auto rep = run_audit(k_)) {
      ++audits_;
      if (!rep->ok()) v_.add(std::string(where) + ": audit:\n" + rep->text());
      if (rep->live_items != items_.size())
        v_.add(std::string(where) + ": audit: " + std::to_string(rep->live_items) +
               " live items, the events say " + std::to_string(items_.size()));
      if (rep->queued_items != queued)
        v_.add(std::string(where) + ": audit: " + std::to_string(rep->queued_items) +
               " queued items, the events say " + std::to_string(queued));
    }
  }

  // explain() of a waiting or offered item at quiescence: the kernel's own account must agree with
  // the replay (state, queue, holder, requirements) and with the test's model of who is in the
  // item's lane set (not_a_member / not_qualified exactly for the agents the model says are not
  // eligible), and no agent may be `could_take` for a waiting item (a lost wake-up, as explain
  // itself sees it).
  void explain_quiescent(const char* where, uint64_t raw, const ItemModel& im, size_t& mismatches) {
    const auto x = k_.explain(ItemId{raw});
    auto bad = [&](const std::string& why) {
      if (mismatches++ < 5) v_.add(std::string(where) + ": explain(" + id_text(raw) + "): " + why);
    };
    if (!x) return bad(std::string("returned ") + std::string(to_string(x.error())));
    ++explains_;
    const bool queued = im.state == MState::queued;
    if (x->state != (queued ? ItemState::queued : ItemState::offered) || index(x->queue) != im.queue ||
        index(x->requirements) != im.rid || x->skills_dropped != im.stage ||
        (queued ? x->holder != kNoAgent : index(x->holder) != im.agent))
      return bad("state/queue/holder/requirements differ from the replay");
    if (x->candidates.size() != kAgents) return bad(std::to_string(x->candidates.size()) + " candidates");
    const auto snap = k_.item(ItemId{raw});
    const uint32_t preferred = queued && snap ? index(snap->preferred) : kNone;
    for (uint32_t a = 0; a < kAgents; ++a) {
      const Candidate& cd = x->candidates[a];
      if (index(cd.agent) != a) return bad("candidates out of configuration order");
      if (!queued) {
        if ((cd.verdict == CandidateVerdict::offered) != (a == im.agent))
          return bad("agent " + std::to_string(a) + ": " + std::string(to_string(cd.verdict)) + " (holder " +
                     std::to_string(im.agent) + ")");
        continue;
      }
      if (preferred != kNone && a != preferred) {  // reserved for its preferred agent, for now
        if (cd.verdict != CandidateVerdict::reserved)
          return bad("agent " + std::to_string(a) + " is " + std::string(to_string(cd.verdict)) +
                     ", but the item waits for agent " + std::to_string(preferred));
        continue;
      }
      const bool in_set = m_.eligible(im.queue, im.rid, im.stage, a);
      const CandidateVerdict outside = m_.applies(im.rid, im.queue) &&
                                               (m_.member[im.queue][a] || m_.skills_based[im.queue])
                                           ? CandidateVerdict::not_qualified
                                           : CandidateVerdict::not_a_member;
      const bool says_outside =
          cd.verdict == CandidateVerdict::not_a_member || cd.verdict == CandidateVerdict::not_qualified;
      if (in_set == says_outside || (!in_set && cd.verdict != outside))
        return bad("agent " + std::to_string(a) + " is " + std::string(to_string(cd.verdict)) +
                   ", the model says " + (in_set ? "eligible" : std::string(to_string(outside))));
      if (cd.verdict == CandidateVerdict::offered) return bad("a waiting item offered to agent " + std::to_string(a));
      if (cd.verdict == CandidateVerdict::could_take)
        return bad("agent " + std::to_string(a) + " could take it at quiescence (lost wake-up)");
    }
  }

  // After the 60 s jump every deadline of a waiting item has passed: max_wait → expired; else
  // overflow_after → overflowed; a set with optional skills left → dropped. None may still be
  // pending, except an overflow or drop postponed for lack of room — which can only be when the
  // queue's live items (queued + offered, from the replay) fill its max_waiting (by configuration
  // this does not happen here).
  void deadlines_passed(const char* where, uint64_t raw, const ItemModel& im, int64_t now_ns, size_t& mismatches) {
    auto live_in = [&](uint32_t q) {
      size_t n = 0;
      for (const auto& [r2, i2] : items_) n += (i2.state == MState::queued || i2.state == MState::offered) && i2.queue == q;
      return n;
    };
    auto bad = [&](const std::string& why) {
      if (mismatches++ < 5)
        v_.add(std::string(where) + ": timers: item " + id_text(raw) + " still waits in " + kQueueNames[im.queue] +
               " " + std::to_string((now_ns - im.arrival) / 1'000'000) + " ms after its arrival: " + why);
    };
    const uint32_t q = im.queue;
    if (const auto snap = k_.item(ItemId{raw}); snap && snap->preferred != kNoAgent)
      return bad("its preferred wait (under 1 s) passed, still reserved for agent " +
                 std::to_string(index(snap->preferred)));
    if (m_.max_wait_ns[q] > 0 && now_ns >= im.arrival + m_.max_wait_ns[q]) return bad("max_wait passed, not expired");
    if (m_.overflow_after_ns[q] > 0 && now_ns >= im.arrival + m_.overflow_after_ns[q] &&
        live_in(m_.overflow_to[q]) + 1 <= m_.max_waiting[m_.overflow_to[q]])
      return bad("overflow_after passed, not overflowed");
    if (m_.applies(im.rid, q) && im.stage + 1 < m_.reqs[im.rid].stages &&
        now_ns >= im.arrival + m_.reqs[im.rid].drop_ns[im.stage] && live_in(q) + 1 <= m_.max_waiting[q])
      return bad("optional skill " + std::to_string(im.stage + 1) + " of requirement set " + std::to_string(im.rid) +
                 " not dropped");
  }
  uint64_t explains() const { return explains_; }

  // Items a timer must move when the clock passes every deadline: offers with a push time-out
  // (not auto-accept) and wrap-ups; and the agents in the missed state.
  struct TimerExpectations {
    std::vector<std::pair<uint64_t, uint32_t>> offers, wrap_ups;
    std::vector<uint32_t> missed;
  };
  TimerExpectations timer_expectations() const {
    TimerExpectations t;
    for (const auto& [raw, im] : items_) {
      if (im.state == MState::offered && m_.push_timeout_ns[im.queue] > 0 &&
          !m_.presence[im.agent].auto_accept)
        t.offers.emplace_back(raw, im.agent);
      if (im.state == MState::wrap_up) t.wrap_ups.emplace_back(raw, im.agent);
    }
    for (uint32_t a = 0; a < kAgents; ++a)
      if (k_.agent(AgentId{a})->missed) t.missed.push_back(a);
    return t;
  }
  void check_timers(const TimerExpectations& t, const std::unordered_map<uint64_t, Event>& first) {
    size_t bad = 0;
    auto expect = [&](uint64_t raw, uint32_t a, EventType type, const char* what) {
      auto it = first.find(raw);
      if (it != first.end() && it->second.type == type && index(it->second.agent) == a) return;
      if (bad++ < 5)
        v_.add(std::string("timers: ") + what + " of item " + id_text(raw) + " (agent " + std::to_string(a) +
               ") did not fire past its deadline; next event: " +
               (it == first.end() ? std::string("none") : std::string(to_string(it->second.type))));
    };
    for (auto [raw, a] : t.offers) expect(raw, a, EventType::push_timed_out, "push time-out");
    for (auto [raw, a] : t.wrap_ups) expect(raw, a, EventType::wrap_up_ended, "wrap-up end");
    for (uint32_t a : t.missed)
      if (k_.agent(AgentId{a})->missed && !missed_started_[a] && bad++ < 5)
        v_.add("timers: agent " + std::to_string(a) + " still missed after its delay");
  }
  uint64_t audits() const { return audits_; }

 private:
  static std::string id_text(uint64_t raw) { return item_text(raw); }

  // A skill drop or an overflow carries a still-running exclusion to the new queued version, from
  // that moment for the new queue's exclusion time. Whether the old one had lapsed (its own timer,
  // maybe in the same tick) cannot be told from the events, so the test assumes it had not: the
  // longer exclusion only spares that one agent in the wake-up check, it never blames the kernel.
  void carry_exclusion(ItemModel& im, const Event& e, uint32_t q) const {
    if (im.excluded == kNone) return;
    im.excluded_until =
        std::max(im.excluded_until, e.at.time_since_epoch().count() +
                                        (m_.push_timeout_ns[q] > 0 ? m_.push_timeout_ns[q]
                                                                   : std::chrono::nanoseconds(30s).count()));
  }

  void replay_item(uint64_t raw, ItemModel& im, const ItemCalls& c,
                   const std::vector<std::pair<uint64_t, size_t>>& evs, const std::vector<Event>& events,
                   std::vector<uint64_t>& caused_status, std::vector<uint64_t>& caused_missed) {
    std::string err;
    std::vector<uint32_t> accepted_nonauto, accepted_auto;
    std::vector<std::pair<uint32_t, uint64_t>> declined;
    uint32_t paused = 0, resumed = 0, closed = 0, wrap_ended = 0, abandoned = 0;
    std::vector<ItemCalls::Transfer> transfers = c.transfers;
    bool saw_submit = false;
    auto fail = [&](size_t i, const std::string& why) {
      const Event& e = events[evs[i].second];
      std::string history;
      for (size_t j = 0; j < evs.size() && j <= i + 2; ++j) {
        const Event& h = events[evs[j].second];
        history += (j ? ", " : "") + std::string(to_string(h.type)) + "@" + std::to_string(evs[j].first) +
                   (index(h.agent) != kNone ? "(a" + std::to_string(index(h.agent)) + ")" : "");
      }
      err = "item " + id_text(raw) + ": " + why + " — " + std::string(to_string(e.type)) + " seq " +
            std::to_string(evs[i].first) + " agent " +
            std::to_string(static_cast<int64_t>(index(e.agent) == kNone ? -1 : index(e.agent))) +
            " in replay state " + name(im.state) + " (holder " +
            std::to_string(static_cast<int64_t>(im.agent == kNone ? -1 : im.agent)) +
            "); events this batch: " + history;
    };
    for (size_t i = 0; i < evs.size() && err.empty(); ++i) {
      const Event& e = events[evs[i].second];
      const uint64_t seq = evs[i].first;
      const uint32_t a = index(e.agent);
      if (im.state == MState::none && e.type != EventType::submitted) {
        fail(i,
             "event before `submitted`: an event carrying another item's id (a later life of "
             "the slot?)");
        break;
      }
      const bool same_transition = im.has_seq && seq == im.seq;
      if (im.has_seq && seq < im.seq) {
        fail(i, "sequence number went backwards (last " + std::to_string(im.seq) + ")");
        break;
      }
      // Events of one transition: only a follow-on may share the previous event's seq.
      if (same_transition) {
        const bool follow_on = (im.state == MState::ending && e.type == EventType::done) ||
                               (im.state == MState::wrap_or_end && e.type == EventType::done) ||
                               (im.state == MState::await_offer && e.type == EventType::offered) ||
                               (im.state == MState::offered && e.type == EventType::accepted &&
                                m_.presence[im.agent].auto_accept);
        if (!follow_on) {
          fail(i, "two transitions share one sequence number");
          break;
        }
      } else if (im.state == MState::await_offer) {
        fail(i, "a transfer to an agent must offer the item in the same transition");
        break;
      } else if (kWideSeq && im.has_seq && seq != im.seq + 1) {
        // The version grows by one per transition and every transition has an event: a gap is a
        // transition the host never heard of.
        fail(i, "sequence jumped from " + std::to_string(im.seq) + ": a transition without an event");
        break;
      }
      switch (e.type) {
        case EventType::submitted:
          if (im.state != MState::none) {
            fail(i, "submitted twice");
            break;
          }
          if (!c.submitted) {
            fail(i, "submitted without an ok submit()");
            break;
          }
          if (index(e.queue) != c.submit_queue) {
            fail(i, "submitted to another queue than asked");
            break;
          }
          if constexpr (kWideSeq) {
            const uint32_t slot = slot_of(ItemId{raw});
            if (slot_has_seq_[slot] && seq <= slot_seq_[slot]) {
              fail(i, "slot's sequence did not grow across incarnations (last " +
                          std::to_string(slot_seq_[slot]) + ")");
              break;
            }
          }
          saw_submit = true;
          im.state = MState::queued;
          im.queue = c.submit_queue;
          im.customer = c.customer;
          im.rid = c.submit_rid;
          im.stage = 0;
          im.arrival = e.at.time_since_epoch().count();
          break;
        case EventType::offered:
          if (im.state == MState::queued) {
            // Routing offers only to an agent eligible now: a member of its queue, qualified for
            // the skills the item still asks when its requirement set applies to this queue (any
            // qualified agent when the queue's routing is skills-based).
            if (a >= kAgents || !m_.eligible(im.queue, im.rid, im.stage, a)) {
              fail(i, a < kAgents && m_.applies(im.rid, im.queue)
                          ? "offered to an agent not qualified for requirement set " + std::to_string(im.rid) +
                                " after " + std::to_string(im.stage) + " drop(s) (member: " +
                                (m_.member[im.queue][a] ? "yes" : "no") + ", skills-based: " +
                                (m_.skills_based[im.queue] ? "yes" : "no") + ")"
                          : std::string("offered to an agent not in its queue"));
              break;
            }
            if (m_.applies(im.rid, im.queue)) {
              ++offers_with_requirements_;
              offers_to_non_members_ += !m_.member[im.queue][a];
            }
          } else if (im.state == MState::await_offer) {
            if (a != im.agent) {
              fail(i, "transferred to one agent, offered to another");
              break;
            }
          } else {
            fail(i, "offered while not queued (offered twice? from active without a transfer?)");
            break;
          }
          if (index(e.queue) != im.queue) {
            fail(i, "offered from another queue than its own");
            break;
          }
          im.state = MState::offered;
          im.agent = a;
          im.offered_at = e.at.time_since_epoch().count();
          break;
        case EventType::accepted:
          if (im.state != MState::offered || a != im.agent) {
            fail(i, "accepted, but not offered to this agent");
            break;
          }
          (m_.presence[a].auto_accept ? accepted_auto : accepted_nonauto).push_back(a);
          im.state = MState::active;
          break;
        case EventType::declined:
        case EventType::push_timed_out: {
          const bool decline = e.type == EventType::declined;
          if (im.state != MState::offered || a != im.agent) {
            fail(i, "answered by an agent it was not offered to");
            break;
          }
          const auto& p = m_.presence[a];
          if (p.auto_accept) {
            fail(i, "an auto-accept offer was declined or timed out");
            break;
          }
          if (decline) {
            if (!p.allow_decline) {
              fail(i, "declined although the presence config forbids it");
              break;
            }
            if (e.reason == kNoReason ? p.reasons_required : e.reason >= p.reasons) {
              fail(i, "declined with a reason the presence config does not allow");
              break;
            }
            declined.emplace_back(a, e.reason);
            if (p.status_on_decline >= 0) ++caused_status[a];
          } else {
            if (m_.push_timeout_ns[im.queue] == 0) {
              fail(i, "timed out on a queue without a push time-out");
              break;
            }
            if (e.at.time_since_epoch().count() <
                im.offered_at + m_.push_timeout_ns[im.queue] - m_.resolution_ns) {
              fail(i, "push time-out fired " +
                          std::to_string((im.offered_at + m_.push_timeout_ns[im.queue] -
                                          e.at.time_since_epoch().count()) /
                                         1'000'000) +
                          " ms before its deadline");
              break;
            }
            if (p.status_on_timeout >= 0) ++caused_status[a];
            if (p.missed) ++caused_missed[a];
          }
          im.state = MState::queued;
          im.excluded = a;
          im.excluded_until = e.at.time_since_epoch().count() + (m_.push_timeout_ns[im.queue] > 0
                                                                     ? m_.push_timeout_ns[im.queue]
                                                                     : std::chrono::nanoseconds(30s).count());
          break;
        }
        case EventType::paused:
          if (im.state != MState::active || a != im.agent) {
            fail(i, "paused while not active with this agent");
            break;
          }
          if (e.reason >= m_.paused_values[im.queue]) {
            fail(i, "paused with an unknown value");
            break;
          }
          ++paused;
          im.state = MState::paused;
          break;
        case EventType::resumed:
          if (im.state != MState::paused || a != im.agent) {
            fail(i, "resumed while not paused with this agent");
            break;
          }
          ++resumed;
          im.state = MState::active;
          break;
        case EventType::closed:
          ++closed;
          if (im.state == MState::queued || im.state == MState::offered) {
            if (im.state == MState::offered && a != im.agent) {
              fail(i, "closed offer names another agent");
              break;
            }
            im.state = MState::ending;
          } else if (im.state == MState::active || im.state == MState::paused) {
            if (a != im.agent) {
              fail(i, "closed by another agent than the holder");
              break;
            }
            const auto& p = m_.presence[a];
            if (!p.wrap_up)
              im.state = MState::ending;
            else if (im.state == MState::active || !p.refuse)
              im.state = MState::wrap_up;
            else
              im.state = MState::wrap_or_end;
          } else {
            fail(i, "closed while not queued/offered/active/paused");
          }
          break;
        case EventType::wrap_up_ended:
          if ((im.state != MState::wrap_up && im.state != MState::wrap_or_end) || a != im.agent) {
            fail(i, "wrap-up ended outside wrap-up");
            break;
          }
          ++wrap_ended;
          im.state = MState::ending;
          break;
        case EventType::abandoned:
          if (im.state != MState::queued && im.state != MState::offered) {
            fail(i, "abandoned while with an agent");
            break;
          }
          ++abandoned;
          im.state = MState::ending;
          break;
        case EventType::done:
          if (im.state != MState::ending && im.state != MState::wrap_or_end) {
            fail(i, "done without closed / abandoned / wrap-up end / transfer to a flow");
            break;
          }
          im.state = MState::done;
          break;
        case EventType::transferred: {
          if (im.state != MState::active && im.state != MState::paused) {
            fail(i, "transferred while not active/paused");
            break;
          }
          const uint32_t from = im.agent;
          // What the event shows: same-transition follow-ons and its fields.
          const bool next_same = i + 1 < evs.size() && evs[i + 1].first == seq;
          const Event* next = next_same ? &events[evs[i + 1].second] : nullptr;
          auto consistent = [&](const ItemCalls::Transfer& t) {
            switch (t.kind) {
              case kToQueue: return !next_same && index(e.queue) == t.dest;
              case kToAgent: return next && next->type == EventType::offered && index(next->agent) == t.dest;
              case kToFlow: return next && next->type == EventType::done && e.reason == t.dest;
              default: return false;
            }
          };
          // The call whose transition this is: among ok calls not preceded (ticket order) by another
          // unmatched one, the one(s) the event is consistent with. Two different answers: ambiguous.
          int pick = -1;
          bool ambiguous = false;
          for (size_t t = 0; t < transfers.size(); ++t) {
            if (transfers[t].used) continue;
            bool frontier = true;
            for (size_t u = 0; u < transfers.size() && frontier; ++u)
              if (!transfers[u].used && u != t && transfers[u].t1 < transfers[t].t0) frontier = false;
            if (!frontier || !consistent(transfers[t])) continue;
            if (pick >= 0 &&
                (transfers[pick].kind != transfers[t].kind || transfers[pick].dest != transfers[t].dest))
              ambiguous = true;
            if (pick < 0) pick = static_cast<int>(t);
          }
          if (pick < 0) {
            fail(i, "transferred, but no ok transfer call matches what the events show");
            break;
          }
          if (ambiguous) {
            fail(i, "two ok transfer calls could both be this transition (test cannot tell)");
            break;
          }
          ItemCalls::Transfer& t = transfers[pick];
          t.used = true;
          if (t.kind == kToQueue) {
            if (!m_.may_transfer_to_queue(from, t.dest)) {
              fail(i, "transferred to a queue not in the destinations");
              break;
            }
            if (t.dest == 2 && StressPolicy::refuses_voice(im.customer)) {
              fail(i, "policy bypassed: transfer to voice");
              break;
            }
            im.state = MState::queued;
            im.queue = t.dest;
            im.excluded = from;
            im.excluded_until = e.at.time_since_epoch().count() +
                                (m_.push_timeout_ns[t.dest] > 0 ? m_.push_timeout_ns[t.dest]
                                                                : std::chrono::nanoseconds(30s).count());
          } else if (t.kind == kToAgent) {
            if (!m_.may_transfer_to_agent(from, t.dest)) {
              fail(i, "transferred to an agent not in the destinations");
              break;
            }
            if (t.dest == from) {
              fail(i, "transferred to its own holder");
              break;
            }
            if (im.queue == 2 && StressPolicy::refuses_voice(im.customer)) {
              fail(i, "policy bypassed: transfer within voice");
              break;
            }
            im.state = MState::await_offer;
            im.agent = t.dest;
          } else {
            if (!m_.may_transfer_to_flow(from, t.dest)) {
              fail(i, "transferred to a flow not in the destinations");
              break;
            }
            im.state = MState::ending;
          }
          break;
        }
        case EventType::requirements_relaxed: {
          // Only a queued item whose requirement set applies to its queue and still has an optional
          // skill, not before that skill's drop time (counted from arrival); same queue, no agent;
          // `reason` = optional skills still asked after this drop.
          if (im.state != MState::queued) {
            fail(i, "requirements relaxed while not queued");
            break;
          }
          if (!m_.applies(im.rid, im.queue) || im.stage + 1 >= m_.reqs[im.rid].stages) {
            fail(i, "requirements relaxed without an optional skill left (set " + std::to_string(im.rid) +
                        ", " + std::to_string(im.stage) + " dropped)");
            break;
          }
          const Model::Req& r = m_.reqs[im.rid];
          if (e.at.time_since_epoch().count() < im.arrival + r.drop_ns[im.stage] - m_.resolution_ns) {
            fail(i, "skill dropped " +
                        std::to_string((im.arrival + r.drop_ns[im.stage] - e.at.time_since_epoch().count()) /
                                       1'000'000) +
                        " ms before arrival + its drop time");
            break;
          }
          if (index(e.queue) != im.queue || a != kNone) {
            fail(i, "requirements relaxed names another queue or an agent");
            break;
          }
          if (e.reason != r.stages - 2 - im.stage) {
            fail(i, "requirements relaxed says " + std::to_string(e.reason) + " optional skill(s) left, expected " +
                        std::to_string(r.stages - 2 - im.stage));
            break;
          }
          ++im.stage;
          carry_exclusion(im, e, im.queue);
          break;
        }
        case EventType::overflowed: {
          // Only queued, only from a queue with overflow_after, to its overflow_to, once
          // overflow_after has passed since arrival and max_wait (checked first) has not.
          const int64_t at = e.at.time_since_epoch().count();
          if (im.state != MState::queued) {
            fail(i, "overflowed while not queued");
            break;
          }
          if (m_.overflow_after_ns[im.queue] == 0) {
            fail(i, "overflowed from a queue without overflow_after");
            break;
          }
          if (index(e.queue) != m_.overflow_to[im.queue] || a != kNone) {
            fail(i, "overflowed to queue " + std::to_string(index(e.queue)) + ", configured " +
                        std::to_string(m_.overflow_to[im.queue]));
            break;
          }
          if (at < im.arrival + m_.overflow_after_ns[im.queue]) {
            fail(i, "overflowed " + std::to_string((im.arrival + m_.overflow_after_ns[im.queue] - at) / 1'000'000) +
                        " ms before arrival + overflow_after");
            break;
          }
          if (m_.max_wait_ns[im.queue] > 0 && at >= im.arrival + m_.max_wait_ns[im.queue]) {
            fail(i, "overflowed although its max_wait had passed (it must expire)");
            break;
          }
          im.queue = m_.overflow_to[im.queue];
          carry_exclusion(im, e, im.queue);
          break;
        }
        case EventType::preference_ended:
          // Only a queued item (it waited for its preferred agent, named in the event), same queue.
          if (im.state != MState::queued) {
            fail(i, "preference ended while not queued");
            break;
          }
          if (index(e.queue) != im.queue || a >= kAgents) {
            fail(i, "preference ended names another queue or no agent");
            break;
          }
          ++preferences_ended_;
          break;
        case EventType::expired:
          // Only queued, only in a queue with max_wait, once max_wait has passed since arrival;
          // `done` follows in the same transition.
          if (im.state != MState::queued) {
            fail(i, "expired while not queued");
            break;
          }
          if (m_.max_wait_ns[im.queue] == 0) {
            fail(i, "expired in a queue without max_wait");
            break;
          }
          if (e.at.time_since_epoch().count() < im.arrival + m_.max_wait_ns[im.queue]) {
            fail(i, "expired " +
                        std::to_string((im.arrival + m_.max_wait_ns[im.queue] - e.at.time_since_epoch().count()) /
                                       1'000'000) +
                        " ms before arrival + max_wait");
            break;
          }
          if (index(e.queue) != im.queue || a != kNone) {
            fail(i, "expired names another queue or an agent");
            break;
          }
          im.state = MState::ending;
          break;
        default: fail(i, "an event type this test does not expect on an item");
      }
      im.seq = seq;
      im.has_seq = true;
    }
    if (!err.empty()) {
      v_.add(err);
      im.state = MState::done;  // do not cascade
      return;
    }
    // At a quiescent point every event of every completed call has been drained.
    if (im.state == MState::wrap_or_end) im.state = MState::wrap_up;  // no `done` came: it wraps up
    if (im.state == MState::ending) v_.add("item " + id_text(raw) + ": closed/abandoned but never done");
    if (im.state == MState::await_offer)
      v_.add("item " + id_text(raw) + ": transferred to an agent, never offered");
    if (c.submitted && !saw_submit)
      v_.add("item " + id_text(raw) + ": submit() returned it but no submitted event");
    // Calls ⇄ events, exactly (accept by an auto-accept agent races the kernel's own accept).
    auto sorted = [](auto v) {
      std::sort(v.begin(), v.end());
      return v;
    };
    std::vector<uint32_t> accept_calls_nonauto, accept_calls_auto;
    for (uint32_t a : c.accepts)
      (m_.presence[a].auto_accept ? accept_calls_auto : accept_calls_nonauto).push_back(a);
    auto mismatch = [&](const char* what, size_t calls, size_t evts) {
      v_.add("item " + id_text(raw) + ": " + std::to_string(calls) + " ok " + what + " calls, " +
             std::to_string(evts) + " events");
    };
    if (sorted(accept_calls_nonauto) != sorted(accepted_nonauto))
      mismatch("accept", accept_calls_nonauto.size(), accepted_nonauto.size());
    if (accept_calls_auto.size() > accepted_auto.size())
      mismatch("accept (auto-accept agent)", accept_calls_auto.size(), accepted_auto.size());
    if (sorted(c.declines) != sorted(declined)) mismatch("decline", c.declines.size(), declined.size());
    if (c.pauses != paused) mismatch("pause", c.pauses, paused);
    if (c.resumes != resumed) mismatch("resume", c.resumes, resumed);
    if (c.closes != closed) mismatch("close", c.closes, closed);
    if (c.abandons != abandoned) mismatch("abandon", c.abandons, abandoned);
    if (c.end_wraps > wrap_ended) mismatch("end_wrap_up", c.end_wraps, wrap_ended);
    for (const auto& t : transfers)
      if (!t.used)
        v_.add("item " + id_text(raw) + ": ok " + kOpNames[t.kind] + " (to " + std::to_string(t.dest) +
               ") without its transferred event");
  }

  const Config& config_;
  Kernel& k_;
  Model m_;
  Violations& v_;
  std::unordered_map<uint64_t, ItemModel> items_;
  std::vector<uint64_t> slot_done_;  // highest id of each slot seen done
  std::vector<uint64_t> slot_seq_;
  std::vector<bool> slot_has_seq_;
  std::vector<bool> missed_started_ = std::vector<bool>(kAgents, false);
  std::array<uint64_t, 32> event_counts_{};
  uint64_t offers_with_requirements_ = 0, offers_to_non_members_ = 0, explains_ = 0, preferences_ended_ = 0;
  uint64_t finished_ = 0, audits_ = 0;
};

// ---- the run --------------------------------------------------------------------------------------
struct SharedItem {
  std::atomic<uint64_t> id{0};
  std::atomic<uint64_t> prev{0};  // the item this slot held before: done, so a stale id
};

struct WorkerLog {
  std::vector<Rec> recs;
  uint64_t events_full = 0;
  std::array<uint64_t, kOpCount> ok{};
  std::array<uint64_t, kOpCount> calls{};
  std::array<std::array<uint64_t, 32>, kOpCount> by_status{};
};

TEST(KernelStress, StrictReplayNoLostWakeUpNoOverCapacity) {
  const bool soak = env_or("OMNI_STRESS_SOAK", 0) != 0;
  const uint64_t total_ops = env_or("OMNI_STRESS_OPS", soak ? 100'000'000 : 1'000'000);
  const bool soak_mode = soak || total_ops >= 100'000'000;
  const uint64_t seed =
      env_or("OMNI_STRESS_SEED", std::random_device{}() ^ (uint64_t{std::random_device{}()} << 32));
#if defined(__SANITIZE_THREAD__)
  // Slower workers let the drainer keep up with 4,096: a smaller ring keeps back-pressure (the event
  // credits, deferred routing) under ThreadSanitizer's eye.
  constexpr uint64_t kDefaultEventCapacity = 512;
#else
  constexpr uint64_t kDefaultEventCapacity = 4096;
#endif
  const uint32_t event_capacity =
      static_cast<uint32_t>(env_or("OMNI_STRESS_EVENT_CAPACITY", kDefaultEventCapacity));
  // Four workers even on two cores: more threads than cores means preemption inside operations.
  const int workers = 4;
  // Many quiescent points: each runs every check twice (before and after a 60 s tick).
  const uint64_t epoch_ops = std::clamp<uint64_t>(total_ops / 32, 4096, 1u << 17);
  std::printf(
      "stress: %llu ops, %d workers, epochs of %llu ops, event ring %u, seed %llu "
      "(OMNI_STRESS_SEED=%llu to replay the same choices)%s\n",
      static_cast<unsigned long long>(total_ops), workers, static_cast<unsigned long long>(epoch_ops),
      event_capacity, static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed),
      soak_mode ? " [soak]" : "");

  const Config config = stress_config(event_capacity);
  ManualClock clock;
  StressPolicy policy{QueueId{2}};
  PolicyHook* policies[] = {&policy};
  auto created = Kernel::create(config, clock, policies);
  ASSERT_TRUE(created) << created.error().message();
  Kernel& k = **created;
  ASSERT_EQ(k.find_queue("voice"), QueueId{2});
  Violations violations;
  Checker checker(config, k, violations);
  const Model& m = checker.model();
  {
    const bool audit_linked = run_audit(k).has_value();
    std::printf("stress: audit() %s\n",
                audit_linked ? "linked: white-box checks on" : "not linked: black-box checks only");
    if (env_or("OMNI_STRESS_REQUIRE_AUDIT", 1)) {
      ASSERT_TRUE(audit_linked)
          << "omni::internal::audit() is not linked in (OMNI_STRESS_REQUIRE_AUDIT=0 to run "
             "the black-box checks alone)";
    }
  }
  const StatusId online = *k.find_status("Online");
  const StatusId statuses[] = {online,
                               online,
                               online,
                               online,
                               online,
                               *k.find_status("ChatOnly"),
                               *k.find_status("Busy"),
                               *k.find_status("Break"),
                               *k.find_status("Away"),
                               *k.find_status("Offline")};
  std::vector<FlowId> flows;
  for (const char* f : {"bot", "ivr"}) flows.push_back(*k.find_flow(f));
  // Requirement sets, prepared once before the workers start (the control plane).
  std::array<std::vector<RequirementsId>, kQueues> reqs_by_queue;
  std::vector<RequirementsId> all_reqs;
  for (const ReqSpec& spec : requirement_specs()) {
    const QueueId q = *k.find_queue(spec.queue);
    std::vector<SkillRequirement> list;
    for (const auto& [skill, lvl, ms] : spec.skills)
      list.push_back({*k.find_skill(skill), static_cast<uint8_t>(lvl), std::chrono::milliseconds(ms)});
    const auto rid = k.prepare_requirements(q, list);
    ASSERT_TRUE(rid) << to_string(rid.error());
    const auto again = k.prepare_requirements(q, list);
    ASSERT_TRUE(again && *again == *rid) << "the same set prepared again must return the same id";
    checker.add_requirements(index(*rid), index(q), spec);
    reqs_by_queue[index(q)].push_back(*rid);
    all_reqs.push_back(*rid);
  }
  std::atomic<uint64_t> explain_ok{0}, explain_calls{0}, req_submits{0};

  constexpr size_t kShared = 320;
  std::vector<SharedItem> shared(kShared);
  std::atomic<uint64_t> ticket{0};
  std::atomic<int64_t> last_tick{clock.now().time_since_epoch().count()};
  std::atomic<uint64_t> ticks{0};
  uint64_t total_events = 0, events_full = 0, submitted = 0, samples = 0;
  std::array<uint64_t, kOpCount> ok_total{}, calls_total{};
  std::array<std::array<uint64_t, 32>, kOpCount> by_status_total{};
  std::vector<Event> events;
  const auto started = std::chrono::steady_clock::now();
  uint64_t done_ops = 0;
  int epoch = 0;

  auto drain_all = [&](std::vector<Event>& out) {
    Event buf[512];
    for (int empty = 0; empty < 2;) {
      const size_t n = k.poll_events(buf);
      out.insert(out.end(), buf, buf + n);
      empty = n == 0 ? empty + 1 : 0;
    }
  };
  // One tick at quiescence, repeated at the same time while it produced events: timers whose events
  // found the ring full wait for a later tick (back-pressure), and nothing new is due at `now`.
  auto tick_until_quiet = [&](std::vector<Event>& out) {
    for (int round = 0;; ++round) {
      const size_t before = out.size();
      const Status s = k.tick(clock.now());
      drain_all(out);
      if (s != Status::ok && !is_events_full(s)) {
        violations.add(std::string("tick at quiescence returned ") + std::string(to_string(s)));
        return;
      }
      if (s == Status::ok) last_tick.store(clock.now().time_since_epoch().count());
      if (s == Status::ok && out.size() == before) return;
      if (round > 10'000) {
        violations.add("ticks at one instant keep producing events");
        return;
      }
    }
  };

  while (done_ops < total_ops && violations.count() == 0) {
    const uint64_t ops = std::min(epoch_ops, total_ops - done_ops);
    std::atomic<bool> stop{false};
    std::vector<WorkerLog> logs(workers);
    struct alignas(64) Progress {
      std::atomic<uint64_t> value{0};
    };
    std::vector<Progress> progress(workers);
    events.clear();

    std::thread drainer([&] {
      Event buf[512];
      for (;;) {
        const bool last = stop.load(std::memory_order_acquire);
        size_t n;
        while ((n = k.poll_events(buf)) != 0) events.insert(events.end(), buf, buf + n);
        if (last) break;
        std::this_thread::yield();
      }
    });
    // Kernel time follows the work done, not the wall clock (threads of a loaded 2-core machine
    // get the CPU unevenly): 0.25 ms per operation. A shared slot is visited every ≈ 320
    // operations, so an attended offer is nearly always answered before its 1–3 s push time-out
    // (4,000–12,000 operations) and an unattended one times out; wrap-ups and missed states end on
    // their own. The ticker moves the clock and ticks; workers tick now and then too (`busy`).
    const int64_t epoch_start_ns = clock.now().time_since_epoch().count();
    auto note_tick = [&](Status s, Time now) {
      if (s != Status::ok) return;
      int64_t t = last_tick.load();
      while (t < now.time_since_epoch().count() &&
             !last_tick.compare_exchange_weak(t, now.time_since_epoch().count())) {
      }
      ticks.fetch_add(1, std::memory_order_relaxed);
    };
    std::thread ticker([&] {
      while (!stop.load(std::memory_order_acquire)) {
        uint64_t ops_now = 0;
        for (const auto& p : progress) ops_now += p.value.load(std::memory_order_relaxed);
        const int64_t target = epoch_start_ns + static_cast<int64_t>(ops_now) * 250'000;
        const int64_t now_ns = clock.now().time_since_epoch().count();
        if (target > now_ns) clock.advance(Duration{target - now_ns});
        const Time now = clock.now();
        note_tick(k.tick(now), now);
        std::this_thread::sleep_for(50us);
      }
    });
    std::atomic<uint64_t> sampled{0};
    std::thread sampler([&] {
      // Over-capacity, continuously, for every agent. Strict (ResumeRule::refuse) agents: never above
      // capacity on either pool. allow_over_capacity agents may exceed it by resuming, so for them:
      // no negative use and a status in range (their exact use is recomputed at quiescence).
      uint64_t n = 0;
      while (!stop.load(std::memory_order_acquire)) {
        for (uint32_t a = 0; a < kAgents; ++a) {
          const auto s = k.agent(AgentId{a});
          const auto& p = m.presence[a];
          if (!s) {
            violations.add("sampler: agent " + std::to_string(a) + " unknown");
            continue;
          }
          if (s->used_milli < 0 || s->interruptible_used_milli < 0 ||
              index(s->status) >= config.statuses.size())
            violations.add("sampler: agent " + std::to_string(a) + " corrupt: used " +
                           std::to_string(s->used_milli) + " int " +
                           std::to_string(s->interruptible_used_milli) + " status " +
                           std::to_string(index(s->status)));
          if (p.refuse && (s->used_milli > p.capacity || s->interruptible_used_milli > p.int_capacity))
            violations.add("sampler: strict agent " + std::to_string(a) + " over capacity: " +
                           std::to_string(s->used_milli) + "/" + std::to_string(p.capacity) + ", int " +
                           std::to_string(s->interruptible_used_milli) + "/" +
                           std::to_string(p.int_capacity));
        }
        ++n;  // no yield: the sampler takes its share of the CPU, sampling all the time
      }
      sampled.store(n);
    });

    const bool light = epoch % 2 == 1;
    std::vector<std::thread> threads;
    for (int t = 0; t < workers; ++t) {
      threads.emplace_back([&, t] {
        std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + 7919 * (t + 1) + 104729ull * epoch);
        WorkerLog& log = logs[t];
        log.recs.reserve(ops / workers + 64);
        const uint64_t my_ops = ops / workers + (static_cast<uint64_t>(t) < ops % workers ? 1 : 0);
        auto record = [&](Op op, Status s, uint64_t item, uint32_t arg, uint64_t arg2 = 0, uint64_t t0 = 0,
                          uint64_t t1 = 0) {
          ++log.calls[op];
          ++log.by_status[op][static_cast<size_t>(s) & 31];
          if (is_events_full(s)) {  // back-pressure: nothing changed; let the drainer run, go on
            ++log.events_full;
            std::this_thread::yield();
          }
          if (s != Status::ok) return false;
          ++log.ok[op];
          log.recs.push_back({item, t0, t1, arg2, arg, op});
          return true;
        };
        auto do_op = [&](Op op, ItemId id, uint32_t holder, uint32_t q = kNone) {
          const uint32_t random_agent = static_cast<uint32_t>(rng() % kAgents);
          switch (op) {
            case kAccept: {
              const uint32_t a = rng() % 8 ? holder : random_agent;
              if (a >= kAgents) return;
              record(op, k.accept(id, AgentId{a}), index(id), a);
              return;
            }
            case kDecline: {
              const uint32_t a = rng() % 8 ? holder : random_agent;
              if (a >= kAgents) return;
              const unsigned r = rng() % 8;  // none, a valid one, or one out of range
              std::optional<DeclineReasonId> reason;
              if (r >= 3) reason = DeclineReasonId{static_cast<uint16_t>(r == 7 ? 5 : r % 2)};
              const Status s = k.decline(id, AgentId{a}, reason);
              if (record(op, s, index(id), a, reason ? index(*reason) : kNoReason)) {
                const auto& p = m.presence[a];
                if (!p.allow_decline || (!reason && p.reasons_required) ||
                    (reason && index(*reason) >= p.reasons))
                  violations.add("decline ok against the presence config (agent " + std::to_string(a) + ")");
              }
              return;
            }
            case kPause:
              record(op, k.pause(id, PausedValueId{static_cast<uint16_t>(rng() % 3 ? 0 : 1)}), index(id), 0);
              return;
            case kResume: record(op, k.resume(id), index(id), 0); return;
            case kClose: record(op, k.close(id), index(id), 0); return;
            case kEndWrap: record(op, k.end_wrap_up(id), index(id), 0); return;
            case kAbandon: record(op, k.abandon(id), index(id), 0); return;
            case kToQueue: {
              const uint32_t dest = static_cast<uint32_t>(rng() % kQueues);
              const PolicyOp how = rng() % 4 ? PolicyOp::transfer : PolicyOp::transfer_by_tag;
              const uint64_t t0 = ticket.fetch_add(1);
              const Status s = k.transfer_to_queue(id, QueueId{dest}, how);
              record(op, s, index(id), dest, 0, t0, ticket.fetch_add(1));
              return;
            }
            case kToAgent: {
              // Half the time an agent that looked free a moment ago, so that some transfers succeed.
              uint32_t to = random_agent;
              for (int tries = 0; tries < 4 && q < kQueues && rng() % 2; ++tries) {
                const uint32_t b = static_cast<uint32_t>(rng() % kAgents);
                const auto s = k.agent(AgentId{b});
                if (s &&
                    (m.int_pool[q][b] ? s->interruptible_used_milli : s->used_milli) + m.size[q][b] <=
                        m.pool_capacity(q, b) &&
                    index(s->status) < m.routable.size() && m.routable[index(s->status)][q] && !s->missed) {
                  to = b;
                  break;
                }
              }
              const uint64_t t0 = ticket.fetch_add(1);
              const Status s = k.transfer_to_agent(id, AgentId{to});
              record(op, s, index(id), to, 0, t0, ticket.fetch_add(1));
              return;
            }
            case kToFlow: {
              const uint32_t f = rng() % 10 ? index(flows[rng() % flows.size()]) : 9;  // 9: no such flow
              const uint64_t t0 = ticket.fetch_add(1);
              const Status s = k.transfer_to_flow(id, FlowId{static_cast<uint16_t>(f)});
              record(op, s, index(id), f, 0, t0, ticket.fetch_add(1));
              return;
            }
            case kSetStatus: {
              const StatusId st = statuses[rng() % std::size(statuses)];
              record(op, k.set_status(AgentId{random_agent}, st), random_agent, index(st));
              return;
            }
            default: return;
          }
        };
        for (uint64_t n = 0; n < my_ops; ++n) {
          if (n % 64 == 0) progress[t].value.store(n, std::memory_order_relaxed);
          if (rng() % 512 == 0) {  // a tick from a worker: concurrent with the ticker's, or `busy`
            const Time now = clock.now();
            note_tick(k.tick(now), now);
            continue;
          }
          if (rng() % 1000 < 15) {  // presence changes, independent of any item
            do_op(kSetStatus, ItemId{}, kNone);
            continue;
          }
          SharedItem& slot = shared[rng() % kShared];
          if (rng() % 100 == 0) {  // an operation on a stale id must never succeed
            const uint64_t prev = slot.prev.load(std::memory_order_acquire);
            if (prev == 0) continue;
            const ItemId id{prev};
            const unsigned which = rng() % 11;
            Status s = Status::ok;
            switch (which) {
              case 0: s = k.accept(id, AgentId{static_cast<uint32_t>(rng() % kAgents)}); break;
              case 1:
                s = k.decline(id, AgentId{static_cast<uint32_t>(rng() % kAgents)}, DeclineReasonId{0});
                break;
              case 2: s = k.pause(id, PausedValueId{0}); break;
              case 3: s = k.resume(id); break;
              case 4: s = k.close(id); break;
              case 5: s = k.end_wrap_up(id); break;
              case 6: s = k.abandon(id); break;
              case 7: s = k.transfer_to_queue(id, QueueId{0}); break;
              case 8: s = k.transfer_to_agent(id, AgentId{static_cast<uint32_t>(rng() % kAgents)}); break;
              case 9: s = k.transfer_to_flow(id, flows[0]); break;
              default: {  // explain of a finished item: unknown_item (recycled) or wrong_state (free)
                const auto x = k.explain(id);
                if (!x && x.error() != Status::unknown_item && x.error() != Status::wrong_state)
                  violations.add("explain of stale id " + item_text(prev) + " answered " +
                                 std::string(to_string(x.error())));
                s = x ? Status::ok : Status::unknown_item;
              }
            }
            if (s == Status::ok)
              violations.add("stale item id " + item_text(prev) + " accepted an operation (" +
                             std::to_string(which) + ")");
            continue;
          }
          const uint64_t raw = slot.id.load(std::memory_order_acquire);
          const ItemId id{raw};
          const auto snap = k.item(id);
          if (!snap || snap->state == ItemState::free) {
            // Odd epochs are light (few submits): agents have room, transfers to agents succeed;
            // even epochs keep every queue busy.
            if (light && rng() % 100 >= 12) {  // leave the slot empty; read an agent instead
              if (!k.agent(AgentId{static_cast<uint32_t>(rng() % kAgents)}))
                violations.add("agent snapshot refused");
              continue;
            }
            const uint32_t q = static_cast<uint32_t>(rng() % kQueues);
            const uint64_t customer = rng() % 3000;
            // Part of the items ask for skills: a set prepared for this queue; now and then one
            // prepared for another queue, which submit must refuse (unknown_requirements).
            RequirementsId rid{};
            bool foreign = false;
            if (!reqs_by_queue[q].empty() && rng() % 100 < 45) {
              rid = reqs_by_queue[q][rng() % reqs_by_queue[q].size()];
            } else if (rng() % 256 == 0) {
              rid = all_reqs[rng() % all_reqs.size()];
              foreign = m.reqs[index(rid)].queue != q;
            }
            SubmitRequest req{QueueId{q}, CustomerId{customer}, rng() % 16 == 0};
            req.requirements = rid;
            // Preferred agents: one submit in 8 names one (often busy, sometimes not a member or
            // offline: the kernel then ignores it), one in 16 asks for the customer's last agent.
            if (const uint64_t roll = rng() % 16; roll < 2) {
              req.preferred = AgentId{static_cast<uint32_t>(rng() % kAgents)};
              req.preferred_wait = std::chrono::milliseconds(200 + rng() % 600);
            } else if (roll == 2) {
              req.prefer_last_agent = true;
              req.preferred_wait = 400ms;
            }
            auto r = k.submit(req);
            if (foreign && (r || r.error() != Status::unknown_requirements))
              violations.add("submit with a requirement set of another queue answered " +
                             std::string(r ? "ok" : to_string(r.error())) + ", not unknown_requirements");
            ++log.calls[kSubmit];
            if (!r) {
              ++log.by_status[kSubmit][static_cast<size_t>(r.error()) & 31];
              if (is_events_full(r.error())) {
                ++log.events_full;
                std::this_thread::yield();
              }
              continue;
            }
            ++log.ok[kSubmit];
            log.recs.push_back({index(*r), index(rid), 0, customer, q, kSubmit});
            if (index(rid) != 0) req_submits.fetch_add(1, std::memory_order_relaxed);
            if (StressPolicy::refuses_open(customer))
              violations.add("policy bypassed: open for a blocked customer");
            uint64_t expected = raw;
            if (slot.id.compare_exchange_strong(expected, index(*r), std::memory_order_acq_rel)) {
              if (raw != 0) slot.prev.store(raw, std::memory_order_release);
            } else {
              // Another thread filled the slot first: nobody else knows this item, end it here.
              record(kClose, k.close(*r), index(*r), 0);
            }
            continue;
          }
          if (rng() % 128 == 0) {  // explain(), concurrent with everything: a snapshot, never a crash
            explain_calls.fetch_add(1, std::memory_order_relaxed);
            const auto x = k.explain(id);
            if (!x) {
              if (x.error() != Status::unknown_item && x.error() != Status::wrong_state)
                violations.add("explain answered " + std::string(to_string(x.error())));
              continue;
            }
            explain_ok.fetch_add(1, std::memory_order_relaxed);
            size_t offered = 0;
            bool sane = x->candidates.size() == kAgents && index(x->queue) < kQueues &&
                        x->requirements == snap->requirements &&
                        (x->state == ItemState::queued ? x->holder == kNoAgent
                                                       : x->state == ItemState::offered && index(x->holder) < kAgents);
            for (uint32_t a = 0; sane && a < x->candidates.size(); ++a) {
              const Candidate& cd = x->candidates[a];
              sane = index(cd.agent) == a && cd.verdict <= CandidateVerdict::reserved;  // the last verdict
              offered += cd.verdict == CandidateVerdict::offered;
              if (cd.verdict == CandidateVerdict::offered) sane &= x->holder == cd.agent;
            }
            if (!sane || offered != (x->state == ItemState::offered ? 1u : 0u))
              violations.add("explain(" + item_text(raw) + ") is not a consistent snapshot (state " +
                             std::string(to_string(x->state)) + ", " + std::to_string(x->candidates.size()) +
                             " candidates, " + std::to_string(offered) + " offered)");
            continue;
          }
          const uint32_t holder = index(snap->agent);
          const unsigned d = rng() % 100;
          Op op = kOpCount;
          // One shared slot in 8 is unattended: its offers are never answered, so they time out
          // (push time-outs, the missed state, status on time-out) while other work goes on.
          const bool unattended = (&slot - shared.data()) % 8 == 7;
          if (unattended && snap->state == ItemState::offered) {
            op = kOpCount;
          } else if (d < 20) {  // any operation, whatever the state: races and wrong states
            static constexpr Op any[] = {kAccept,  kDecline, kPause,   kResume,  kClose,
                                         kEndWrap, kAbandon, kToQueue, kToAgent, kToFlow};
            op = any[rng() % std::size(any)];
          } else {
            const unsigned e = rng() % 100;
            switch (snap->state) {
              case ItemState::queued: op = e < 35 ? kAbandon : e < 55 ? kClose : kOpCount; break;
              case ItemState::offered:
                op = e < 55 ? kAccept : e < 80 ? kDecline : e < 90 ? kAbandon : kClose;
                break;
              case ItemState::active:
                op = e < 25 ? kPause : e < 60 ? kClose : e < 75 ? kToQueue : e < 90 ? kToAgent : kToFlow;
                break;
              case ItemState::paused:
                op = e < 45 ? kResume : e < 70 ? kClose : e < 82 ? kToQueue : e < 94 ? kToAgent : kToFlow;
                break;
              case ItemState::wrap_up: op = e < 70 ? kEndWrap : kOpCount; break;
              default: break;
            }
          }
          if (op != kOpCount) {
            do_op(op, id, holder, index(snap->queue));
          } else if (const auto qs = k.queue(snap->queue); !qs) {  // leave it be; read a queue instead
            violations.add("queue snapshot refused: " + std::string(to_string(qs.error())));
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    stop.store(true, std::memory_order_release);
    ticker.join();
    sampler.join();
    drainer.join();
    drain_all(events);  // nothing but poll_events since the workers stopped

    // ---- quiescent point: replay, then the checks, before anything that could route ----
    std::vector<const std::vector<Rec>*> recs;
    for (auto& l : logs) {
      recs.push_back(&l.recs);
      events_full += l.events_full;
      for (int o = 0; o < kOpCount; ++o) {
        ok_total[o] += l.ok[o], calls_total[o] += l.calls[o];
        for (int st = 0; st < 32; ++st) by_status_total[o][st] += l.by_status[o][st];
      }
    }
    submitted = ok_total[kSubmit];
    samples += sampled.load();
    total_events += events.size();
    checker.batch(events, recs);
    const std::string at = "epoch " + std::to_string(epoch) + " quiescence";
    checker.quiescent(at.c_str(), clock.now().time_since_epoch().count(), last_tick.load());

    // ---- timers: jump past every deadline, one tick; each offer / wrap-up / missed state moves ----
    const auto expect = checker.timer_expectations();
    clock.advance(60s);
    events.clear();
    tick_until_quiet(events);
    total_events += events.size();
    std::unordered_map<uint64_t, Event> first;
    checker.batch(events, {}, &first);
    checker.check_timers(expect, first);
    const std::string after = "epoch " + std::to_string(epoch) + " after the 60 s tick";
    checker.quiescent(after.c_str(), clock.now().time_since_epoch().count(), last_tick.load(), true);

    done_ops += ops;
    ++epoch;
    if (soak_mode && (epoch % 16 == 0 || done_ops >= total_ops)) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::printf("soak: epoch %d, %llu ops, %.0f s, %llu events, %llu items finished, %zu violations\n",
                  epoch, static_cast<unsigned long long>(done_ops), secs,
                  static_cast<unsigned long long>(total_events),
                  static_cast<unsigned long long>(checker.finished()), violations.count());
      std::fflush(stdout);
    }
  }

  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "stress: %llu ops in %d epochs, %.1f s; %llu events, %llu items submitted, %llu finished, "
      "%zu live; %llu events_full answers; %llu audits; %llu sampler passes; %llu ticks; violations %zu\n",
      static_cast<unsigned long long>(done_ops), epoch, secs, static_cast<unsigned long long>(total_events),
      static_cast<unsigned long long>(submitted), static_cast<unsigned long long>(checker.finished()),
      checker.live(), static_cast<unsigned long long>(events_full),
      static_cast<unsigned long long>(checker.audits()), static_cast<unsigned long long>(samples),
      static_cast<unsigned long long>(ticks.load()), violations.count());
  std::printf("stress: stats:%s\n", stats_text(k.stats()).c_str());
  std::string ops_line = "stress: ok/calls:";
  for (int o = 0; o < kOpCount; ++o)
    ops_line += std::string(" ") + kOpNames[o] + " " + std::to_string(ok_total[o]) + "/" +
                std::to_string(calls_total[o]);
  std::printf("%s\n", ops_line.c_str());
  if (env_or("OMNI_STRESS_VERBOSE", 0))
    for (int o = 0; o < kOpCount; ++o) {
      std::string line = std::string("stress: ") + kOpNames[o] + ":";
      for (int st = 0; st < 32; ++st)
        if (by_status_total[o][st])
          line += std::string(" ") + std::string(to_string(static_cast<Status>(st))) + " " +
                  std::to_string(by_status_total[o][st]);
      std::printf("%s\n", line.c_str());
    }
  std::string ev_line = "stress: events:";
  for (int t = 0; t <= static_cast<int>(EventType::preference_ended); ++t)
    ev_line += std::string(" ") + std::string(to_string(static_cast<EventType>(t))) + " " +
               std::to_string(checker.event_counts()[t]);
  std::printf("%s\n", ev_line.c_str());
  std::printf(
      "stress: skills: %llu submits with requirements; %llu offers under a requirement set, %llu of "
      "them to non-members (skills-based); explain: %llu ok of %llu from workers, %llu at quiescence\n",
      static_cast<unsigned long long>(req_submits.load()),
      static_cast<unsigned long long>(checker.offers_with_requirements()),
      static_cast<unsigned long long>(checker.offers_to_non_members()),
      static_cast<unsigned long long>(explain_ok.load()), static_cast<unsigned long long>(explain_calls.load()),
      static_cast<unsigned long long>(checker.explains()));

  EXPECT_EQ(violations.count(), 0u) << "seed " << seed << " (OMNI_STRESS_SEED=" << seed << "):\n"
                                    << violations.text();
  EXPECT_GT(submitted, done_ops / 50) << "the run did too little to prove anything";
  for (Op o : {kAccept, kDecline, kPause, kResume, kClose, kEndWrap, kAbandon, kToQueue, kToAgent, kToFlow,
               kSetStatus})
    EXPECT_GT(ok_total[o], 0u) << kOpNames[o] << " never succeeded: the run does not cover it";
  for (EventType t : {EventType::requirements_relaxed, EventType::overflowed, EventType::expired,
                      EventType::preference_ended})
    EXPECT_GT(checker.event_counts()[static_cast<size_t>(t)], 0u)
        << to_string(t) << " never happened: the run does not cover it";
  EXPECT_GT(req_submits.load(), 0u) << "no item asked for skills";
  EXPECT_GT(checker.offers_with_requirements(), 0u) << "no offer under a requirement set";
  EXPECT_GT(checker.offers_to_non_members(), 0u) << "no skills-based offer to a non-member";
  EXPECT_GT(explain_ok.load(), 0u) << "explain() never answered ok from a worker";
  EXPECT_GT(checker.explains(), 0u) << "explain() never ran at quiescence";
}

}  // namespace
}  // namespace omni
