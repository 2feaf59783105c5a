// Per-operation costs through the kernel's public API, in batches of 256 on one pinned thread,
// each operation timed alone (rdtsc, whose own cost — see floor/timer — is included):
//   submit_offer   submit with a free eligible agent: queue, pick the agent, reserve, publish
//   accept, close, pause, resume
//   decline        offered → declined → re-queued (and re-offered to another agent in the call)
//   push_timeout   tick() firing a batch of push time-outs; per timed-out item
//   set_status     online ⇄ busy
//   policy_check   check_outbound through one in-process PolicyHook (seed 004's rule)
//   submit_offer_policy   submit→offer with that hook consulted on open
//   policy_check/plugin, submit_offer_policy/plugin   the same rule as a real plugin
//                  (plugins/simultaneous_sessions) loaded through omni_runtime's loader, when
//                  built: the difference is the plugin call overhead (C ABI, session copy)
// submit_offer, accept and close also run through the baselines on the same scenario.
// Counters: ns_per_op (batch mean), p50_ns p99_ns p999_ns, allocs_per_op, back_pressure (calls
// answered Status::events_full and retried after a drain; expected 0 — the driver drains each
// batch).
#include <benchmark/benchmark.h>

#include <array>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench_registry.h"
#include "routers/kernel_router.h"
#include "routers/mutex_router.h"
#include "routers/sql_router.h"
#include "support/alloc_counter.h"
#include "support/cycles.h"
#include "support/histogram.h"
#include "support/pin.h"
#include "workload/trace.h"

#ifdef OMNI_BENCH_POLICY_PLUGIN
#include "omnikernel/runtime/plugin_loader.h"
#endif

namespace omni::bench {

namespace {

constexpr uint32_t kBatch = 256;

struct OpStats {
  LatencyHistogram latency;
  uint64_t ticks = 0;
  uint64_t ops = 0;
  uint64_t allocations = 0;
  uint64_t back_pressure = 0;  // events_full answers retried after a drain (Router::back_pressure)
};

// Times op(i) for i in [0, n) one by one; returns the batch's ticks.
template <class Op>
uint64_t timed(OpStats& stats, uint32_t n, Op&& op) {
  const uint64_t allocs = thread_allocations();
  const uint64_t start = ticks();
  uint64_t prev = start;
  for (uint32_t i = 0; i < n; ++i) {
    op(i);
    const uint64_t now = ticks();
    stats.latency.record(now - prev);
    prev = now;
  }
  stats.allocations += thread_allocations() - allocs;
  stats.ops += n;
  stats.ticks += prev - start;
  return prev - start;
}

void report(benchmark::State& state, const OpStats& s) {
  const double ns = ns_per_tick();
  state.counters["ns_per_op"] = s.ops ? static_cast<double>(s.ticks) * ns / s.ops : 0;
  state.counters["p50_ns"] = static_cast<double>(s.latency.percentile(0.50)) * ns;
  state.counters["p99_ns"] = static_cast<double>(s.latency.percentile(0.99)) * ns;
  state.counters["p999_ns"] = static_cast<double>(s.latency.percentile(0.999)) * ns;
  state.counters["allocs_per_op"] = s.ops ? static_cast<double>(s.allocations) / s.ops : 0;
  state.counters["back_pressure"] = static_cast<double>(s.back_pressure);
}

const Scenario& op_scenario(bool timeouts) {
  static const Scenario plain = make_scenario(ScenarioSpec{.agents = 1000, .queues = 100});
  static const Scenario timed_out = make_scenario(
      ScenarioSpec{.agents = 1000, .queues = 100, .push_timeout = std::chrono::seconds(1)});
  return timeouts ? timed_out : plain;
}

// Queues of a pausable channel (chat, WhatsApp, Instagram: channel 1..3 of the mix).
QueueId pausable_queue(uint32_t i) { return QueueId{1 + 5 * (i % 20)}; }
QueueId any_queue(uint32_t i) { return QueueId{i % 100}; }

// Drains offers into `out` (item → agent), in submit order not guaranteed.
void collect(Router& r, std::vector<Offer>& out) {
  std::array<Offer, 256> buf;
  for (;;) {
    const size_t n = r.drain_offers(buf);
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
    if (n < buf.size()) return;
  }
}

// Submits n items (untimed) and returns their offers.
std::vector<Offer> submit_offered(Router& r, uint32_t n, QueueId (*queue)(uint32_t)) {
  for (uint32_t i = 0; i < n; ++i) {
    if (!r.submit(queue(i), CustomerId{i + 1})) std::abort();
  }
  std::vector<Offer> offers;
  collect(r, offers);
  if (offers.size() != n) std::abort();  // every agent was free: every item must be offered
  return offers;
}

void close_all(Router& r, const std::vector<Offer>& offers) {
  for (const Offer& o : offers) (void)r.close(o.item);
  std::vector<Offer> late;
  collect(r, late);
  for (const Offer& o : late) (void)r.close(o.item);
}

std::unique_ptr<Router> make(std::string_view kind, const Scenario& s) {
  if (kind == "kernel") return KernelRouter::create(s);
  if (kind == "kernel+mutex") return LockedKernelRouter::create(s);
  if (kind == "mutex") return std::make_unique<MutexRouter>(s);
  if (kind == "sqlite-indexed") return std::make_unique<SqlRouter>(s, SqlRouter::Flavor::indexed);
  return std::make_unique<SqlRouter>(s, SqlRouter::Flavor::freeswitch);
}

template <class Fn>
void register_op(const std::string& name, int iterations, Fn fn) {
  benchmark::RegisterBenchmark(("op/" + name).c_str(),
                               [=](benchmark::State& state) {
                                 pin_this_thread(0);
                                 fn(state);
                               })
      ->Iterations(iterations)
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
}

void register_router_ops(const std::string& kind, int iterations) {
  register_op("submit_offer/" + kind, iterations, [kind](benchmark::State& state) {
    auto r = make(kind, op_scenario(false));
    OpStats stats;
    std::vector<ItemId> items(kBatch);
    for (auto _ : state) {
      const uint64_t t = timed(stats, kBatch, [&](uint32_t i) {
        items[i] = *r->submit(any_queue(i), CustomerId{i + 1});
      });
      state.SetIterationTime(static_cast<double>(t) * ns_per_tick() * 1e-9);
      std::vector<Offer> offers;
      collect(*r, offers);
      close_all(*r, offers);
    }
    stats.back_pressure = r->back_pressure();
    report(state, stats);
  });
  register_op("accept/" + kind, iterations, [kind](benchmark::State& state) {
    auto r = make(kind, op_scenario(false));
    OpStats stats;
    for (auto _ : state) {
      const auto offers = submit_offered(*r, kBatch, any_queue);
      const uint64_t t = timed(stats, kBatch, [&](uint32_t i) {
        (void)r->accept(offers[i].item, offers[i].agent);
      });
      state.SetIterationTime(static_cast<double>(t) * ns_per_tick() * 1e-9);
      close_all(*r, offers);
    }
    stats.back_pressure = r->back_pressure();
    report(state, stats);
  });
  register_op("close/" + kind, iterations, [kind](benchmark::State& state) {
    auto r = make(kind, op_scenario(false));
    OpStats stats;
    for (auto _ : state) {
      const auto offers = submit_offered(*r, kBatch, any_queue);
      for (const Offer& o : offers) (void)r->accept(o.item, o.agent);
      const uint64_t t =
          timed(stats, kBatch, [&](uint32_t i) { (void)r->close(offers[i].item); });
      state.SetIterationTime(static_cast<double>(t) * ns_per_tick() * 1e-9);
    }
    stats.back_pressure = r->back_pressure();
    report(state, stats);
  });
}

// Skills (issue 9): submit→offer and close on the skills shapes (workload/scenario.h,
// skills_spec) at 1,000 and 10,000 agents, each batch's items taking (queue, requirement set)
// from the skills trace in order. Designs: kernel (prepared RequirementsId), kernel-queues (the
// same kernel and configuration, items without requirements: the queue path), mutex (the mutex
// router's skills mode). Named op/skills_submit_offer/<design>/agents:<n> and op/skills_close/….
struct SkillOps {
  Scenario scenario;
  std::vector<Arrival> arrivals;  // the first 4,096 of the skills trace
};
const SkillOps& skill_ops(uint32_t agents) {
  static std::map<uint32_t, std::unique_ptr<SkillOps>> cache;
  auto& slot = cache[agents];
  if (!slot) {
    slot = std::make_unique<SkillOps>();
    slot->scenario = make_scenario(skills_spec(agents));
    const Trace t = make_trace(slot->scenario, TraceSpec{.seed = 42, .arrivals = 4096});
    slot->arrivals = t.arrivals;
  }
  return *slot;
}

void register_skill_ops(const std::string& design, uint32_t agents, int iterations) {
  const std::string suffix = design + "/agents:" + std::to_string(agents);
  const bool plain = design == "kernel-queues";
  const auto submit_one = [plain](Router& r, const Arrival& a, uint32_t customer) {
    return plain || a.set == kNoSet
               ? r.submit(QueueId{a.queue}, CustomerId{customer})
               : r.submit_with(QueueId{a.queue}, CustomerId{customer}, a.set);
  };
  register_op("skills_submit_offer/" + suffix, iterations,
              [=](benchmark::State& state) {
                const SkillOps& ops = skill_ops(agents);
                auto r = make(plain ? "kernel" : design, ops.scenario);
                OpStats stats;
                uint32_t next = 0;
                for (auto _ : state) {
                  const uint64_t t = timed(stats, kBatch, [&](uint32_t i) {
                    const Arrival& a = ops.arrivals[(next + i) % ops.arrivals.size()];
                    if (!submit_one(*r, a, i + 1)) std::abort();
                  });
                  next += kBatch;
                  state.SetIterationTime(static_cast<double>(t) * ns_per_tick() * 1e-9);
                  std::vector<Offer> offers;
                  collect(*r, offers);
                  close_all(*r, offers);
                }
                if (r->waiting() != 0) std::abort();
                stats.back_pressure = r->back_pressure();
                report(state, stats);
              });
  register_op("skills_close/" + suffix, iterations, [=](benchmark::State& state) {
    const SkillOps& ops = skill_ops(agents);
    auto r = make(plain ? "kernel" : design, ops.scenario);
    OpStats stats;
    uint32_t next = 0;
    std::vector<Offer> offers;
    for (auto _ : state) {
      for (uint32_t i = 0; i < kBatch; ++i) {
        const Arrival& a = ops.arrivals[(next + i) % ops.arrivals.size()];
        if (!submit_one(*r, a, i + 1)) std::abort();
      }
      next += kBatch;
      offers.clear();
      collect(*r, offers);
      if (offers.size() != kBatch) std::abort();  // idle agents: every item is offered
      for (const Offer& o : offers) (void)r->accept(o.item, o.agent);
      const uint64_t t =
          timed(stats, kBatch, [&](uint32_t i) { (void)r->close(offers[i].item); });
      state.SetIterationTime(static_cast<double>(t) * ns_per_tick() * 1e-9);
    }
    stats.back_pressure = r->back_pressure();
    report(state, stats);
  });
}

// Seed 004 in-process: refuse a second session of the customer in the same service.
class OneSessionPerService final : public PolicyHook {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "one-session"; }
  [[nodiscard]] PolicyVerdict check(const PolicyRequest& req) noexcept override {
    for (const SessionInfo& s : req.sessions) {
      if (s.service == req.to_service && (!req.has_from || s.item != req.from_item)) {
        return {false, "customer already in a session of this service"};
      }
    }
    return {};
  }
};

// Policy costs with `hook` (in-process or a loaded plugin) on the kernel: check_outbound alone,
// and submit→offer with the hook consulted on open.
void register_policy_ops(const std::string& source, PolicyHook* hook, int iterations) {
  register_op("policy_check/" + source, iterations, [hook](benchmark::State& state) {
    PolicyHook* const hooks[] = {hook};
    auto r = KernelRouter::create(op_scenario(false), hooks);
    Kernel& k = r->kernel();
    const auto service = *k.find_service("q7");
    // Half the customers hold a session, so the hook sees sessions and both verdicts occur.
    const auto offers = submit_offered(*r, kBatch, any_queue);
    OpStats stats;
    for (auto _ : state) {
      const uint64_t t = timed(stats, kBatch, [&](uint32_t i) {
        benchmark::DoNotOptimize(
            k.check_outbound(CustomerId{i * 2 + 1}, service, PolicyOp::outbound_template));
      });
      state.SetIterationTime(static_cast<double>(t) * ns_per_tick() * 1e-9);
    }
    close_all(*r, offers);
    report(state, stats);
  });
  register_op("submit_offer_policy/" + source, iterations, [hook](benchmark::State& state) {
    PolicyHook* const hooks[] = {hook};
    auto r = KernelRouter::create(op_scenario(false), hooks);
    OpStats stats;
    for (auto _ : state) {
      const uint64_t t = timed(stats, kBatch, [&](uint32_t i) {
        (void)r->submit(any_queue(i), CustomerId{i + 1});
      });
      state.SetIterationTime(static_cast<double>(t) * ns_per_tick() * 1e-9);
      std::vector<Offer> offers;
      collect(*r, offers);
      close_all(*r, offers);
    }
    report(state, stats);
  });
}

void register_kernel_ops(int iterations) {
  const auto kernel_op = [&](const std::string& name, bool timeouts, auto body) {
    register_op(name + "/kernel", iterations, [=](benchmark::State& state) {
      auto r = KernelRouter::create(op_scenario(timeouts));
      OpStats stats;
      for (auto _ : state) {
        const uint64_t t = body(*r, stats);
        state.SetIterationTime(static_cast<double>(t) * ns_per_tick() * 1e-9);
      }
      stats.back_pressure = r->back_pressure();
      report(state, stats);
    });
  };
  kernel_op("pause", false, [](KernelRouter& r, OpStats& stats) {
    Kernel& k = r.kernel();
    const auto value = *k.find_paused_value(*k.find_channel("chat"), "paused");
    const auto offers = submit_offered(r, kBatch, pausable_queue);
    for (const Offer& o : offers) (void)r.accept(o.item, o.agent);
    const uint64_t t = timed(stats, kBatch, [&](uint32_t i) {
      if (r.retry([&] { return k.pause(offers[i].item, value); }) != Status::ok) std::abort();
    });
    close_all(r, offers);
    return t;
  });
  kernel_op("resume", false, [](KernelRouter& r, OpStats& stats) {
    Kernel& k = r.kernel();
    const auto value = *k.find_paused_value(*k.find_channel("chat"), "paused");
    const auto offers = submit_offered(r, kBatch, pausable_queue);
    for (const Offer& o : offers) {
      (void)r.accept(o.item, o.agent);
      (void)r.retry([&] { return k.pause(o.item, value); });
    }
    const uint64_t t = timed(stats, kBatch, [&](uint32_t i) {
      if (r.retry([&] { return k.resume(offers[i].item); }) != Status::ok) std::abort();
    });
    close_all(r, offers);
    return t;
  });
  kernel_op("decline", false, [](KernelRouter& r, OpStats& stats) {
    Kernel& k = r.kernel();
    const auto offers = submit_offered(r, kBatch, any_queue);
    const uint64_t t = timed(stats, kBatch, [&](uint32_t i) {
      if (r.retry([&] { return k.decline(offers[i].item, offers[i].agent); }) != Status::ok) {
        std::abort();
      }
    });
    close_all(r, offers);
    return t;
  });
  kernel_op("push_timeout", true, [](KernelRouter& r, OpStats& stats) {
    Kernel& k = r.kernel();
    const auto offers = submit_offered(r, kBatch, any_queue);
    r.clock().advance(std::chrono::seconds(2));
    const Time now = r.clock().now();
    // One tick fires the whole batch: its ticks are spread over the batch's items.
    const uint64_t allocs = thread_allocations();
    const uint64_t t0 = ticks();
    if (r.retry([&] { return k.tick(now); }) != Status::ok) std::abort();
    const uint64_t t = ticks() - t0;
    stats.allocations += thread_allocations() - allocs;
    stats.ops += kBatch;
    stats.ticks += t;
    stats.latency.record(t / kBatch);
    close_all(r, offers);
    return t;
  });
  kernel_op("set_status", false, [](KernelRouter& r, OpStats& stats) {
    Kernel& k = r.kernel();
    const StatusId online = *k.find_status("online");
    const StatusId busy = *k.find_status("busy");
    const uint64_t t = timed(stats, kBatch, [&](uint32_t i) {
      if (r.retry([&] { return k.set_status(AgentId{i}, (i & 1) ? online : busy); }) != Status::ok) {
        std::abort();
      }
    });
    for (uint32_t i = 0; i < kBatch; ++i) (void)r.retry([&] { return k.set_status(AgentId{i}, online); });
    std::vector<Offer> none;
    collect(r, none);
    return t;
  });

  static OneSessionPerService in_process;
  register_policy_ops("kernel", &in_process, iterations);
#ifdef OMNI_BENCH_POLICY_PLUGIN
  static std::unique_ptr<PolicyHook> plugin = [] {
    static omni::runtime::PluginLoader loader;
    if (auto loaded = loader.load_file(OMNI_BENCH_POLICY_PLUGIN); !loaded) {
      std::fprintf(stderr, "bench: policy plugin refused: %s\n", loaded.error().message().c_str());
      return std::unique_ptr<PolicyHook>();
    }
    auto created = loader.create_policy("simultaneous_sessions",
                                        R"({"allow_simultaneous_sessions": false})");
    if (!created) return std::unique_ptr<PolicyHook>();
    return std::unique_ptr<PolicyHook>(std::move(*created));
  }();
  if (plugin) register_policy_ops("plugin", plugin.get(), iterations);
#endif
}

// Tie-breaks (issue 9, item 3): submit→offer and close at 1,000 agents × 100 queues with every
// routing configuration's tie_break set to each mode, side by side. Submits to idle agents tie
// on every offer, so this is the sampled tie-breaks' worst case (8 validity checks per offer).
void register_tie_break_ops(int iterations) {
  const std::pair<const char*, TieBreak> modes[] = {{"listed_order", TieBreak::listed_order},
                                                    {"round_robin", TieBreak::round_robin},
                                                    {"longest_idle", TieBreak::longest_idle},
                                                    {"most_skilled", TieBreak::most_skilled}};
  for (const auto& [name, tie] : modes) {
    auto scenario = std::make_shared<Scenario>(op_scenario(false));
    for (RoutingConfig& r : scenario->config.routing_configs) r.tie_break = tie;
    register_op(std::string("tie_break_submit_offer/") + name, iterations, [scenario](benchmark::State& state) {
      auto r = make("kernel", *scenario);
      OpStats stats;
      for (auto _ : state) {
        const uint64_t t = timed(stats, kBatch, [&](uint32_t i) {
          if (!r->submit(any_queue(i), CustomerId{i + 1})) std::abort();
        });
        state.SetIterationTime(static_cast<double>(t) * ns_per_tick() * 1e-9);
        std::vector<Offer> offers;
        collect(*r, offers);
        close_all(*r, offers);
      }
      report(state, stats);
    });
    register_op(std::string("tie_break_close/") + name, iterations, [scenario](benchmark::State& state) {
      auto r = make("kernel", *scenario);
      OpStats stats;
      for (auto _ : state) {
        const auto offers = submit_offered(*r, kBatch, any_queue);
        for (const Offer& o : offers) (void)r->accept(o.item, o.agent);
        const uint64_t t = timed(stats, kBatch, [&](uint32_t i) { (void)r->close(offers[i].item); });
        state.SetIterationTime(static_cast<double>(t) * ns_per_tick() * 1e-9);
      }
      report(state, stats);
    });
  }
}

}  // namespace

void register_op_benchmarks(bool quick) {
  const int n = quick ? 400 : 2000;
  register_op("timer", n, [](benchmark::State& state) {
    OpStats stats;
    for (auto _ : state) {
      const uint64_t t = timed(stats, kBatch, [](uint32_t) {});
      state.SetIterationTime(static_cast<double>(t) * ns_per_tick() * 1e-9);
    }
    report(state, stats);
  });
  register_kernel_ops(n);
  register_tie_break_ops(n);
  for (const char* kind : {"kernel", "kernel+mutex", "mutex"}) register_router_ops(kind, n);
  for (const uint32_t agents : {1000u, 10000u}) {
    for (const char* design : {"kernel", "kernel-queues", "mutex"}) {
      register_skill_ops(design, agents, n);
    }
  }
  register_router_ops("sqlite-indexed", quick ? 5 : 20);
  if (!quick) register_router_ops("sqlite-fs", 3);
}

}  // namespace omni::bench
