// Randomized multi-thread property test of DESIGN.md's invariants.
//
// Worker threads hammer one kernel with random operations on items they share (so calls race:
// close during a time-out, pause twice, accept by the wrong agent…), a ticker thread moves the
// injected clock and fires timers, and a drainer thread collects every event. Checked:
//   during the run  — no agent of the "strict" profile (resume rule: refuse) is ever seen above its
//                     capacity: routing never over-assigns (property 1);
//   at quiescence   — every agent's used capacity equals the sum of the sizes of the items that
//                     hold it, its open count equals its offered+active items (properties 2, 3);
//                     no waiting item is left next to an agent with room for it (no lost wake-up);
//   by replay       — each item's events form a legal life cycle: submitted once, offered to one
//                     agent at a time, answered only by that agent, done at most once, and its last
//                     replayed state is the kernel's state (property 2: never lost, one state).
// Size: OMNI_STRESS_OPS operations in all (default 10^6), OMNI_STRESS_SEED (default: random, printed).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <random>
#include <thread>
#include <unordered_map>
#include <vector>

#include "omnikernel/kernel.h"

namespace omni {
namespace {

using namespace std::chrono_literals;

uint64_t env_or(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

Config stress_config(int agents) {
  Config c;
  c.channels = {{"chat", {"Paused"}, false}, {"voice", {}, false}, {"task", {}, true}};
  c.routing_configs = {
      {"chat_rc", 1, RoutingModel::most_available, 2s, SizeUnit::units, 1.0},
      {"wa_rc", 1, RoutingModel::least_active, 3s, SizeUnit::percent, 20.0},
      {"voice_rc", 0, RoutingModel::least_active, 1s, SizeUnit::percent, 100.0},
      {"task_rc", 2, RoutingModel::most_available, {}, SizeUnit::units, 0.5},
  };
  c.queues = {{"chat", "chat", "chat_rc", "chat", 512},
              {"whatsapp", "chat", "wa_rc", "whatsapp", 512},
              {"voice", "voice", "voice_rc", "", 512},
              {"tasks", "task", "task_rc", "", 512}};
  c.statuses = {{"Offline", PresenceKind::offline, {}, ""},
                {"Online", PresenceKind::online, {"chat", "voice", "task"}, ""},
                {"ChatOnly", PresenceKind::online, {"chat"}, ""},
                {"Busy", PresenceKind::busy, {}, ""},
                {"Break", PresenceKind::pause, {}, "coffee"}};
  PresenceConfigConfig strict;
  strict.name = "strict";
  strict.capacity = 3;
  strict.interruptible_capacity = 1;
  strict.allow_decline = true;
  strict.decline_reasons = {"busy"};
  strict.status_on_push_timeout = "ChatOnly";
  strict.missed_delay = 500ms;
  strict.wrap_up = 1s;
  strict.resume_rule = ResumeRule::refuse;
  PresenceConfigConfig lenient = strict;
  lenient.name = "lenient";
  lenient.capacity = 2;
  lenient.resume_rule = ResumeRule::allow_over_capacity;
  lenient.status_on_push_timeout = "";
  lenient.wrap_up = {};
  PresenceConfigConfig automatic = strict;
  automatic.name = "automatic";
  automatic.auto_accept = true;
  automatic.allow_decline = false;
  automatic.decline_reasons.clear();
  c.presence_configs = {strict, lenient, automatic};
  c.profiles = {{"strict", "strict"}, {"lenient", "lenient"}, {"automatic", "automatic"}};
  const char* profiles[] = {"strict", "lenient", "automatic"};
  for (int i = 0; i < agents; ++i) {
    std::vector<std::string> queues = {"chat", "whatsapp", "voice", "tasks"};
    if (i % 4 == 3) queues = {"chat", "tasks"};
    c.agents.push_back({"agent" + std::to_string(i), profiles[i % 3], "", queues, "Online"});
  }
  c.limits.max_items = 2048;
  c.limits.max_customers = 2048;  // fewer than the 5,000 customers: table slots get reused all the time
  c.limits.event_capacity = 1 << 18;
  c.limits.timer_resolution = 10ms;
  return c;
}

struct Replayed {
  ItemState state = ItemState::free;
  uint32_t agent = UINT32_MAX;
  bool submitted = false, done = false, closing = false;
  int64_t last_seq = -1;
};

// One item's events in sequence order must be a legal life cycle. Returns an error or "".
std::string replay(const std::vector<Event>& events, Replayed& r) {
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    const uint32_t a = static_cast<uint32_t>(index(e.agent));
    auto bad = [&](const char* why) {
      return std::string(why) + " at event " + std::to_string(i) + " (" + std::string(to_string(e.type)) +
             ") in state " + std::string(to_string(r.state));
    };
    if (r.done) return bad("event after done");
    switch (e.type) {
      case EventType::submitted:
        if (r.submitted) return bad("submitted twice");
        r.submitted = true;
        r.state = ItemState::queued;
        break;
      case EventType::offered:
        if (r.state != ItemState::queued && !(r.state == ItemState::active || r.state == ItemState::paused))
          return bad("offered while not queued (offered to two agents?)");
        r.state = ItemState::offered;
        r.agent = a;
        break;
      case EventType::accepted:
        if (r.state != ItemState::offered || r.agent != a) return bad("accepted by an agent it was not offered to");
        r.state = ItemState::active;
        break;
      case EventType::declined:
      case EventType::push_timed_out:
        if (r.state != ItemState::offered || r.agent != a) return bad("declined/timed out by the wrong agent");
        r.state = ItemState::queued;
        break;
      case EventType::paused:
        if (r.state != ItemState::active) return bad("paused while not active");
        r.state = ItemState::paused;
        break;
      case EventType::resumed:
        if (r.state != ItemState::paused) return bad("resumed while not paused");
        r.state = ItemState::active;
        break;
      case EventType::closed:
        if (r.state == ItemState::wrap_up || r.state == ItemState::free) return bad("closed twice");
        r.state = (r.state == ItemState::active || r.state == ItemState::paused) ? ItemState::wrap_up : ItemState::free;
        break;
      case EventType::abandoned:
        if (r.state != ItemState::queued && r.state != ItemState::offered) return bad("abandoned while with an agent");
        r.state = ItemState::free;
        break;
      case EventType::wrap_up_ended:
        if (r.state != ItemState::wrap_up) return bad("wrap-up ended outside wrap-up");
        r.state = ItemState::free;
        break;
      case EventType::transferred:
        if (r.state != ItemState::active && r.state != ItemState::paused) return bad("transferred while not active/paused");
        // to a queue (queued), to an agent (an `offered` follows), or to a flow (a `done` follows)
        r.state = ItemState::queued;
        if (i + 1 < events.size() && events[i + 1].type == EventType::offered) r.state = ItemState::active;
        if (i + 1 < events.size() && events[i + 1].type == EventType::done) r.state = ItemState::free;
        break;
      case EventType::done:
        // closed while active goes through wrap-up or straight here
        r.done = true;
        r.state = ItemState::free;
        break;
      default:
        return bad("agent event on an item");
    }
  }
  return "";
}

TEST(KernelStress, RandomConcurrentOperationsKeepEveryInvariant) {
  const uint64_t total_ops = env_or("OMNI_STRESS_OPS", 1'000'000);
  const uint64_t seed = env_or("OMNI_STRESS_SEED", std::random_device{}());
  const int workers = static_cast<int>(std::max(2u, std::min(4u, std::thread::hardware_concurrency())));
  std::printf("stress: %llu ops, %d workers, seed %llu (OMNI_STRESS_SEED to replay)\n",
              static_cast<unsigned long long>(total_ops), workers, static_cast<unsigned long long>(seed));
  const int n_agents = 24;
  const Config config = stress_config(n_agents);
  ManualClock clock;
  auto created = Kernel::create(config, clock);
  ASSERT_TRUE(created) << created.error().message();
  Kernel& k = **created;
  const StatusId statuses[] = {*k.find_status("Online"), *k.find_status("ChatOnly"), *k.find_status("Busy"),
                               *k.find_status("Break"), *k.find_status("Online"), *k.find_status("Offline")};
  const PausedValueId paused = *k.find_paused_value(*k.find_channel("chat"), "Paused");

  constexpr size_t kShared = 1024;  // < limits.max_items: submits rarely run out
  std::vector<std::atomic<uint64_t>> shared(kShared);
  std::atomic<bool> stop{false}, over_capacity{false};
  std::atomic<uint64_t> submitted{0}, ops_done{0};
  std::vector<Event> events;
  events.reserve(total_ops * 4);

  std::thread drainer([&] {
    Event buf[1024];
    for (;;) {
      const bool last = stop.load(std::memory_order_acquire);
      while (size_t n = k.poll_events(buf)) events.insert(events.end(), buf, buf + n);
      if (last) break;
      std::this_thread::yield();
    }
  });
  std::thread ticker([&] {
    std::mt19937_64 rng(seed ^ 0x7157);
    while (!stop.load(std::memory_order_acquire)) {
      clock.advance(std::chrono::milliseconds(1 + rng() % 40));
      (void)k.tick(clock.now());
      // Property 1, sampled while everything runs: the strict profile may never exceed capacity.
      for (int a = 0; a < n_agents; a += 3) {
        const auto s = k.agent(AgentId{static_cast<uint32_t>(a)});
        if (s->used_milli > s->capacity_milli || s->interruptible_used_milli > s->interruptible_capacity_milli)
          over_capacity.store(true);
      }
      std::this_thread::yield();
    }
  });

  std::vector<std::thread> threads;
  for (int t = 0; t < workers; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(seed + 7919 * (t + 1));
      const uint64_t my_ops = total_ops / workers;
      const QueueId queues[] = {*k.find_queue("chat"), *k.find_queue("whatsapp"), *k.find_queue("voice"),
                                *k.find_queue("tasks")};
      for (uint64_t op = 0; op < my_ops; ++op) {
        auto& slot = shared[rng() % kShared];
        const ItemId id{slot.load(std::memory_order_relaxed)};
        const auto snap = k.item(id);
        const AgentId holder = snap ? snap->agent : AgentId{static_cast<uint32_t>(rng() % n_agents)};
        const AgentId random_agent{static_cast<uint32_t>(rng() % n_agents)};
        const unsigned dice = rng() % 100;
        if (!snap || snap->state == ItemState::free) {
          // Slots are only reused once their item is done, so every live item stays reachable
          // (two threads may race here; the loser's item is still closed by the final sweep).
          auto r = k.submit({queues[rng() % 4], CustomerId{1 + rng() % 5000}, (rng() % 16) == 0});
          if (r) {
            uint64_t expected = index(id);
            if (!slot.compare_exchange_strong(expected, index(*r))) (void)k.close(*r);
            submitted.fetch_add(1, std::memory_order_relaxed);
          }
        } else if (dice < 30) {
          (void)k.accept(id, rng() % 8 ? holder : random_agent);
        } else if (dice < 48) {
          (void)k.decline(id, holder, rng() % 2 ? std::optional<DeclineReasonId>{} : DeclineReasonId{0});
        } else if (dice < 56) {
          (void)k.pause(id, paused);
        } else if (dice < 64) {
          (void)k.resume(id);
        } else if (dice < 76) {
          (void)k.close(id);
        } else if (dice < 80) {
          (void)k.end_wrap_up(id);
        } else if (dice < 85) {
          (void)k.abandon(id);
        } else if (dice < 88) {
          (void)k.transfer_to_queue(id, queues[rng() % 4]);
        } else if (dice < 90) {
          (void)k.transfer_to_agent(id, random_agent);
        } else {
          (void)k.set_status(random_agent, statuses[rng() % 6]);
        }
      }
      ops_done.fetch_add(my_ops);
    });
  }
  for (auto& th : threads) th.join();

  // Quiescence. Agents answer their offers (so no push time-out is pending), time moves past every
  // exclusion, missed state and wrap-up, and everyone comes back online: from here on an item
  // may only wait if no member has room for it.
  stop.store(true, std::memory_order_release);
  ticker.join();
  for (int round = 0; round < 8; ++round) {
    for (auto& slot : shared) {
      const ItemId id{slot.load()};
      if (auto s = k.item(id); s && s->state == ItemState::offered) (void)k.accept(id, s->agent);
    }
    clock.advance(10s);
    ASSERT_EQ(k.tick(clock.now()), Status::ok);
  }
  for (uint32_t a = 0; a < static_cast<uint32_t>(n_agents); ++a)
    ASSERT_EQ(k.set_status(AgentId{a}, *k.find_status("Online")), Status::ok);
  drainer.join();
  {
    Event buf[1024];
    while (size_t n = k.poll_events(buf)) events.insert(events.end(), buf, buf + n);
  }

  EXPECT_FALSE(over_capacity.load()) << "routing put a strict agent over its capacity";
  EXPECT_GT(submitted.load(), total_ops / 20) << "the run did too little to prove anything";

  // Properties 2 and 3 at quiescence: recompute every agent's capacity from the items.
  std::vector<int64_t> held(n_agents, 0), held_int(n_agents, 0), open(n_agents, 0);
  ASSERT_EQ(k.stats().events_dropped, 0u) << "the replay needs every event";
  std::unordered_map<uint64_t, std::vector<Event>> by_item;
  for (const Event& e : events)
    if (index(e.item) != 0) by_item[index(e.item)].push_back(e);
  size_t replayed = 0, finished = 0;
  for (auto& [raw, evs] : by_item) {
    // Unwrap the 8-bit sequence around the previous one, then order (stable: same-seq events
    // come from one thread in emission order).
    std::vector<std::pair<int64_t, Event>> seqd;
    int64_t base = 0;
    for (const Event& e : evs) {
      int64_t s = (base & ~int64_t{0xFF}) | e.seq;
      if (s < base - 128) s += 256;
      if (s > base + 128) s -= 256;
      base = std::max(base, s);
      seqd.emplace_back(s, e);
    }
    std::stable_sort(seqd.begin(), seqd.end(), [](auto& x, auto& y) { return x.first < y.first; });
    std::vector<Event> ordered;
    for (auto& [s, e] : seqd) ordered.push_back(e);
    Replayed r;
    const std::string error = replay(ordered, r);
    ASSERT_EQ(error, "") << "item " << raw;
    ++replayed;
    const auto snap = k.item(ItemId{raw});
    if (r.done) {
      ++finished;
      if (snap) {
        EXPECT_EQ(snap->state, ItemState::free) << "item " << raw << " done but alive";
      }
      continue;
    }
    ASSERT_TRUE(snap.has_value()) << "item " << raw << " lost: not done, yet unknown to the kernel";
    EXPECT_EQ(snap->state, r.state) << "item " << raw;
    if (snap->state != ItemState::queued) {
      EXPECT_EQ(index(snap->agent), r.agent) << "item " << raw << ": the kernel and its events disagree on the agent";
    }
    if (snap->state == ItemState::offered || snap->state == ItemState::active || snap->state == ItemState::wrap_up) {
      const auto a = index(snap->agent);
      const bool interruptible = snap->queue == *k.find_queue("tasks") &&
                                 k.agent(snap->agent)->interruptible_capacity_milli > 0;
      (interruptible ? held_int : held)[a] += snap->held_milli;
      if (snap->state != ItemState::wrap_up) ++open[a];
    }
  }
  EXPECT_EQ(replayed, submitted.load()) << "every submitted item has events";
  std::printf("stress: %zu items replayed, %zu finished, %zu events\n", replayed, finished, events.size());
  for (int a = 0; a < n_agents; ++a) {
    const auto s = *k.agent(AgentId{static_cast<uint32_t>(a)});
    EXPECT_EQ(s.used_milli, held[a]) << "agent " << a << ": capacity leaked or released twice";
    EXPECT_EQ(s.interruptible_used_milli, held_int[a]) << "agent " << a << " (interruptible)";
    EXPECT_EQ(static_cast<int64_t>(s.open_items), open[a]) << "agent " << a << " open items";
  }

  // No lost wake-up: a waiting item never sits next to an online agent with room for it.
  for (uint32_t q = 0; q < k.queue_count(); ++q) {
    if (k.queue(QueueId{q})->waiting == 0) continue;
    const auto& qc = config.queues[q];
    for (uint32_t a = 0; a < static_cast<uint32_t>(n_agents); ++a) {
      const auto& serves = config.agents[a].queues;
      if (std::find(serves.begin(), serves.end(), qc.name) == serves.end()) continue;
      const auto s = *k.agent(AgentId{a});
      const double size = qc.name == "voice" ? s.capacity_milli : qc.name == "whatsapp" ? s.capacity_milli / 5.0
                          : qc.name == "tasks" ? 500 : 1000;
      const bool interruptible = qc.name == "tasks";
      const int32_t room = interruptible ? s.interruptible_capacity_milli - s.interruptible_used_milli
                                         : s.capacity_milli - s.used_milli;
      EXPECT_LT(room, size) << "queue " << qc.name << " has waiting work and agent " << a << " has room";
    }
  }
}

}  // namespace
}  // namespace omni
