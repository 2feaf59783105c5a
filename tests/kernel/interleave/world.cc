#include "world.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>

#include "audit.h"

// Until the kernel implements omni::internal::audit() (declared in kernel/src/audit.h), this weak
// stand-in lets the harness link; the kernel's strong definition replaces it as soon as it exists
// (the tests link omni_kernel_sched whole, so the linker always sees it). Nothing to switch on.
namespace omni::internal {
namespace {
std::atomic<bool> g_audit_missing{false};
}
[[gnu::weak]] AuditReport audit(const Kernel&) {
  g_audit_missing.store(true, std::memory_order_relaxed);
  return {};
}
}  // namespace omni::internal

namespace omni::interleave {

bool audit_available() {
  return !internal::g_audit_missing.load(std::memory_order_relaxed);
}

namespace {
std::string numbered(char prefix, size_t i) {
  std::string s(1, prefix);
  s += std::to_string(i);
  return s;
}
}  // namespace

Config tiny_config(const TinyConfig& t) {
  Config c;
  c.channels = {{"chat", {"Paused"}, false}};
  c.routing_configs = {{"rc", 1, t.model, t.push_timeout, t.unit, t.size}};
  for (int i = 0; i < t.queues; ++i) c.queues.push_back({numbered('q', i), "chat", "rc", "", t.max_waiting});
  c.statuses = {{"Offline", PresenceKind::offline, {}, ""},
                {"Online", PresenceKind::online, {"chat"}, ""},
                {"Busy", PresenceKind::busy, {}, ""}};
  std::vector<std::string> queue_names;
  for (const auto& q : c.queues) queue_names.push_back(q.name);
  c.profiles = {{"agent", "p0"}};
  for (size_t i = 0; i < t.capacities.size(); ++i) {
    PresenceConfigConfig pc;
    pc.name = numbered('p', i);
    pc.capacity = t.capacities[i];
    pc.allow_decline = t.allow_decline;
    pc.wrap_up = t.wrap_up;
    c.presence_configs.push_back(pc);
    const std::string status = i < t.initially.size() && !t.initially[i].empty() ? t.initially[i] : "Online";
    c.agents.push_back({numbered('a', i), "agent", pc.name, queue_names, status});
  }
  c.limits.max_items = t.max_items;
  c.limits.max_customers = 16;
  c.limits.event_capacity = 4096;
  c.limits.timer_resolution = std::chrono::milliseconds(100);
  return c;
}

World::World(const Config& c, std::span<PolicyHook* const> policies) : config(c) {
  auto made = Kernel::create(config, clock, policies);
  if (!made) {
    std::fprintf(stderr, "[interleave] bad scenario config: %s\n", made.error().message().c_str());
    std::abort();
  }
  kernel = std::move(*made);
}

RequirementsId World::prepare(std::string_view queue, std::vector<SkillRequirement> skills) {
  auto r = kernel->prepare_requirements(q(queue), skills);
  if (!r) {
    std::fprintf(stderr, "[interleave] prepare_requirements: %s\n", std::string(to_string(r.error())).c_str());
    std::abort();
  }
  requirement_sets[index(*r)] = std::move(skills);
  return *r;
}

PausedValueId World::paused() const { return *kernel->find_paused_value(*kernel->find_channel("chat"), "Paused"); }

void World::track(ItemId id, int thread) {
  if (thread < 0) items.push_back(id);
  else thread_items.at(thread).push_back(id);
}

ItemId World::submit(std::string_view queue, uint64_t customer) {
  auto id = kernel->submit({q(queue), CustomerId{customer}});
  if (!id) {
    std::fprintf(stderr, "[interleave] setup submit failed: %s\n", std::string(to_string(id.error())).c_str());
    std::abort();
  }
  track(*id);
  return *id;
}

AgentId World::holder(ItemId id) const {
  auto s = kernel->item(id);
  return s ? s->agent : kNoAgent;
}

std::vector<Event> World::drain() {
  std::vector<Event> got;
  Event buf[256];
  while (size_t n = kernel->poll_events(buf)) got.insert(got.end(), buf, buf + n);
  events.insert(events.end(), got.begin(), got.end());
  return got;
}

namespace {

const ServiceChannelConfig* find_channel(const Config& c, std::string_view name) {
  for (const auto& ch : c.channels)
    if (ch.name == name) return &ch;
  return nullptr;
}
const RoutingConfig& routing_of(const Config& c, const QueueConfig& q) {
  for (const auto& r : c.routing_configs)
    if (r.name == q.routing) return r;
  std::abort();
}
const PresenceConfigConfig& presence_of(const Config& c, const AgentConfig& a) {
  std::string name = a.presence_config;
  if (name.empty())
    for (const auto& p : c.profiles)
      if (p.name == a.profile) name = p.presence_config;
  for (const auto& p : c.presence_configs)
    if (p.name == name) return p;
  std::abort();
}
int32_t milli(double v) { return static_cast<int32_t>(std::llround(v * 1000)); }

bool uses_interruptible(const Config& c, const QueueConfig& q, const PresenceConfigConfig& p) {
  const auto* ch = find_channel(c, q.channel);
  return ch && ch->interruptible && milli(p.interruptible_capacity) > 0;
}

// The capacity an item of queue q takes on an agent with presence p (kernel.h "Item size").
int32_t size_for(const Config& c, const QueueConfig& q, const PresenceConfigConfig& p) {
  const RoutingConfig& r = routing_of(c, q);
  if (r.size_unit == SizeUnit::units) return milli(r.size);
  const int64_t base = uses_interruptible(c, q, p) ? milli(p.interruptible_capacity) : milli(p.capacity);
  const int64_t pct = milli(r.size);
  return static_cast<int32_t>(std::max<int64_t>(1, (base * pct + 100'000 - 1) / 100'000));
}

std::string item_name(ItemId id) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "item#%llx", static_cast<unsigned long long>(index(id)));
  return buf;
}

}  // namespace

std::string World::check(const CheckOptions& options) {
  std::string v;
  auto fail = [&](std::string s) { v += "    " + s + "\n"; };
  drain();
  const auto in_force = kernel->config();  // a scenario may have changed it live
  const Config& c = *in_force;
  const size_t n_agents = c.agents.size();

  std::vector<ItemId> all = items;
  for (const auto& t : thread_items) all.insert(all.end(), t.begin(), t.end());

  struct Sums {
    int64_t used = 0, int_used = 0;
    uint32_t offered = 0, active = 0, paused = 0, wrap_up = 0;
    std::map<std::string, int> by_channel;  // items holding a place under a channel limit
  };
  // The most items of `channel` an agent with presence p may hold (channel_limits), or none.
  auto limit_of = [](const PresenceConfigConfig& p, const std::string& channel) -> std::optional<int> {
    for (const auto& l : p.channel_limits)
      if (l.channel == channel) return l.max;
    return std::nullopt;
  };
  std::vector<Sums> sums(n_agents);
  std::vector<uint32_t> queued_in(c.queues.size(), 0);
  struct Waiting {
    ItemId id;
    uint32_t queue;
    uint32_t requirements = 0;
    uint32_t dropped = 0;
    AgentId preferred = kNoAgent;  // waiting for this agent only
  };
  std::vector<Waiting> waiting;
  std::vector<std::pair<Waiting, uint32_t>> offered_skilled;  // (item, holder)

  for (ItemId id : all) {
    auto s = kernel->item(id);
    if (!s) {
      if (s.error() != Status::unknown_item) fail(item_name(id) + ": item() returned " + std::string(to_string(s.error())));
      continue;  // done, and its slot reused since
    }
    const uint32_t q = index(s->queue);
    if (s->state == ItemState::free) continue;
    if (q >= c.queues.size()) {
      fail(item_name(id) + ": queue " + std::to_string(q) + " out of range");
      continue;
    }
    const bool has_agent = s->agent != kNoAgent;
    const bool needs_agent = s->state != ItemState::queued;
    if (has_agent != needs_agent) {
      fail(item_name(id) + " in state " + std::string(to_string(s->state)) +
           (has_agent ? " names agent " + std::to_string(index(s->agent)) : " names no agent"));
      continue;
    }
    if (s->state == ItemState::queued) {
      ++queued_in[q];
      waiting.push_back({id, q, index(s->requirements), s->skills_dropped, s->preferred});
      continue;
    }
    if (s->state == ItemState::offered && index(s->requirements) != 0)
      offered_skilled.push_back({{id, q, index(s->requirements), s->skills_dropped}, index(s->agent)});
    const uint32_t a = index(s->agent);
    if (a >= n_agents) {
      fail(item_name(id) + ": agent " + std::to_string(a) + " out of range");
      continue;
    }
    Sums& sum = sums[a];
    const bool holds = s->state == ItemState::offered || s->state == ItemState::active || s->state == ItemState::wrap_up;
    if (holds) {
      if (uses_interruptible(c, c.queues[q], presence_of(c, c.agents[a]))) sum.int_used += s->held_milli;
      else sum.used += s->held_milli;
      ++sum.by_channel[c.queues[q].channel];
    }
    switch (s->state) {
      case ItemState::offered: ++sum.offered; break;
      case ItemState::active: ++sum.active; break;
      case ItemState::paused: ++sum.paused; break;
      case ItemState::wrap_up: ++sum.wrap_up; break;
      default: break;
    }
  }

  // Agents: capacity = what their items hold, open counts, a valid status.
  std::vector<AgentSnapshot> agents(n_agents);
  for (uint32_t a = 0; a < n_agents; ++a) {
    auto s = kernel->agent(AgentId{a});
    if (!s) {
      fail("agent " + std::to_string(a) + ": agent() failed");
      continue;
    }
    agents[a] = *s;
    const std::string who = "agent a" + std::to_string(a);
    const Sums& sum = sums[a];
    if (s->used_milli != sum.used)
      fail(who + ": used_milli " + std::to_string(s->used_milli) + " != " + std::to_string(sum.used) +
           " held by its offered/active/wrap-up items");
    if (s->interruptible_used_milli != sum.int_used)
      fail(who + ": interruptible_used_milli " + std::to_string(s->interruptible_used_milli) + " != " +
           std::to_string(sum.int_used) + " held by its items");
    const uint32_t open = sum.offered + sum.active + (OMNI_INTERLEAVE_OPEN_COUNTS_PAUSED ? sum.paused : 0);
    if (s->open_items != open)
      fail(who + ": open_items " + std::to_string(s->open_items) + " != " + std::to_string(open) + " (offered " +
           std::to_string(sum.offered) + ", active " + std::to_string(sum.active) + ", paused " +
           std::to_string(sum.paused) + ")");
    if (s->wrap_up_items != sum.wrap_up)
      fail(who + ": wrap_up_items " + std::to_string(s->wrap_up_items) + " != " + std::to_string(sum.wrap_up));
    if (index(s->status) >= c.statuses.size())
      fail(who + ": status " + std::to_string(index(s->status)) + " is not a configured status");
    if (s->used_milli < 0 || s->interruptible_used_milli < 0) fail(who + ": negative used capacity");
    if (!options.over_capacity_allowed && (s->used_milli > s->capacity_milli ||
                                           s->interruptible_used_milli > s->interruptible_capacity_milli))
      fail(who + ": over capacity: used " + std::to_string(s->used_milli) + " of " + std::to_string(s->capacity_milli));
    for (const auto& [channel, held] : sum.by_channel) {
      const auto limit = limit_of(presence_of(c, c.agents[a]), channel);
      if (limit && held > *limit && !options.over_capacity_allowed)
        fail(who + ": holds " + std::to_string(held) + " " + channel + " items, over its limit of " +
             std::to_string(*limit));
    }
  }

  // Queues: the waiting count is the number of queued items.
  for (uint32_t q = 0; q < c.queues.size(); ++q) {
    auto s = kernel->queue(QueueId{q});
    if (!s) continue;
    if (s->waiting != queued_in[q])
      fail("queue " + c.queues[q].name + ": waiting " + std::to_string(s->waiting) + " != " +
           std::to_string(queued_in[q]) + " queued items");
  }

  // Exclusions in force: an item declined by / timed out on / transferred away from an agent is
  // not offered to that agent first, for one push time-out (30 s when none is configured).
  struct Exclusion {
    ItemId item;
    uint32_t agent;
    Time until;
  };
  std::vector<Exclusion> exclusions;
  for (const Event& e : events) {
    if (e.type != EventType::declined && e.type != EventType::push_timed_out && e.type != EventType::transferred)
      continue;
    if (e.agent == kNoAgent || index(e.queue) >= c.queues.size()) continue;
    const Duration t = routing_of(c, c.queues[index(e.queue)]).push_timeout;
    exclusions.push_back({e.item, index(e.agent), e.at + (t.count() > 0 ? t : Duration{std::chrono::seconds(30)})});
  }
  auto excluded = [&](ItemId id, uint32_t a) {
    for (const auto& x : exclusions)
      if (x.item == id && x.agent == a && clock.now() < x.until) return true;
    return false;
  };

  // Liveness at quiescence: no item waits while an agent that serves its queue, is routable for
  // its channel, not missed, not excluded from it, has room for it.
  // Qualified: every requirement still asked (optional ones drop in order of their wait).
  auto qualified = [&](const Waiting& w, const AgentConfig& ac) {
    if (w.requirements == 0) return true;
    std::vector<SkillRequirement> reqs = requirement_sets.at(w.requirements), optional;
    std::erase_if(reqs, [&](const SkillRequirement& r) {
      if (r.drop_after.count() > 0) optional.push_back(r);
      return r.drop_after.count() > 0;
    });
    std::stable_sort(optional.begin(), optional.end(), [](const auto& x, const auto& y) {
      return x.drop_after != y.drop_after ? x.drop_after < y.drop_after : x.skill < y.skill;
    });
    reqs.insert(reqs.end(), optional.begin() + std::min<size_t>(w.dropped, optional.size()), optional.end());
    for (const auto& r : reqs) {
      int level = 0;
      const std::string& name = c.skills[index(r.skill)];
      for (const auto& p : c.profiles)
        if (p.name == ac.profile)
          for (const auto& l : p.skills)
            if (l.skill == name) level = l.level;
      for (const auto& l : ac.skills)
        if (l.skill == name) level = l.level;
      if (level < r.min_level) return false;
    }
    return true;
  };
  // Issue 9's invariant: an item is offered only to an agent qualified for it.
  for (const auto& [w, holder] : offered_skilled)
    if (holder < n_agents && !qualified(w, c.agents[holder]))
      fail(item_name(w.id) + " offered to agent a" + std::to_string(holder) + ", who lacks a skill it asks for");
  for (const Waiting& w : waiting) {
    const QueueConfig& qc = c.queues[w.queue];
    const bool anyone = w.requirements != 0 && routing_of(c, qc).skills_based;
    for (uint32_t a = 0; a < n_agents; ++a) {
      const AgentConfig& ac = c.agents[a];
      if (!anyone && std::find(ac.queues.begin(), ac.queues.end(), qc.name) == ac.queues.end()) continue;
      if (!qualified(w, ac)) continue;
      if (w.preferred != kNoAgent && index(w.preferred) != a) continue;  // reserved for its agent
      const AgentSnapshot& s = agents[a];
      if (index(s.status) >= c.statuses.size() || s.missed) continue;
      const PresenceStatusConfig& status = c.statuses[index(s.status)];
      if (status.kind != PresenceKind::online ||
          std::find(status.channels.begin(), status.channels.end(), qc.channel) == status.channels.end())
        continue;
      const PresenceConfigConfig& p = presence_of(c, ac);
      const int32_t size = size_for(c, qc, p);
      const bool room = uses_interruptible(c, qc, p) ? s.interruptible_used_milli + size <= s.interruptible_capacity_milli
                                                     : s.used_milli + size <= s.capacity_milli;
      const auto limit = limit_of(p, qc.channel);
      const auto held = sums[a].by_channel.find(qc.channel);
      if (limit && held != sums[a].by_channel.end() && held->second >= *limit) continue;  // at its limit
      if (!room || excluded(w.id, a)) continue;
      fail("lost wake-up: " + item_name(w.id) + " waits in " + qc.name + " while agent a" + std::to_string(a) +
           " (Online, used " + std::to_string(s.used_milli) + " of " + std::to_string(s.capacity_milli) +
           ") has room for it (" + std::to_string(size) + ")");
    }
  }

  // The kernel's own white-box audit, when it has one.
  const internal::AuditReport report = internal::audit(*kernel);
  if (audit_available()) {
    for (const auto& s : report.violations) fail("audit: " + s);
  }
  if (!v.empty() || !options.check_timers) return v;

  // Timers, last because tick() routes: every offer has its push time-out and every wrap-up its
  // end. Past both deadlines one tick must fire each exactly for the items in those states now.
  Duration longest{};
  std::vector<ItemId> offered, wrapping;
  for (ItemId id : all) {
    auto s = kernel->item(id);
    if (!s) continue;
    const QueueConfig& qc = c.queues[index(s->queue)];
    if (s->state == ItemState::offered && routing_of(c, qc).push_timeout.count() > 0) {
      offered.push_back(id);
      longest = std::max(longest, routing_of(c, qc).push_timeout);
    }
    if (s->state == ItemState::wrap_up) {
      wrapping.push_back(id);
      longest = std::max(longest, presence_of(c, c.agents[index(s->agent)]).wrap_up);
    }
  }
  if (offered.empty() && wrapping.empty()) return v;
  clock.advance(longest + c.limits.timer_resolution + std::chrono::seconds(1));
  if (const Status st = kernel->tick(clock.now()); st != Status::ok)
    fail("tick() returned " + std::string(to_string(st)));
  const std::vector<Event> fired = drain();
  auto count = [&](ItemId id, EventType type) {
    return std::count_if(fired.begin(), fired.end(), [&](const Event& e) { return e.item == id && e.type == type; });
  };
  for (ItemId id : offered)
    if (count(id, EventType::push_timed_out) != 1)
      fail(item_name(id) + " was offered, but " + std::to_string(count(id, EventType::push_timed_out)) +
           " push time-outs fired past its deadline");
  for (ItemId id : wrapping)
    if (count(id, EventType::wrap_up_ended) != 1)
      fail(item_name(id) + " was in wrap-up, but " + std::to_string(count(id, EventType::wrap_up_ended)) +
           " wrap-up ends fired past its deadline");
  return v;
}

}  // namespace omni::interleave
