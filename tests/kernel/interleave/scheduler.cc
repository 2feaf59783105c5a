// The cooperative scheduler behind the interleaving harness: see scheduler.h for the model.
#include "scheduler.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>

#include "sched_point.h"

namespace omni::interleave {
namespace {

// One schedule in progress. Every field is guarded by `m`; the baton is `running`: the only
// thread allowed to execute test or kernel code is the one whose id it holds.
struct Controller {
  std::mutex m;
  std::vector<std::unique_ptr<std::condition_variable>> wake;  // one per thread
  std::condition_variable all_done;
  Chooser* chooser = nullptr;
  RunOptions options;
  RunStats stats;
  std::vector<char> finished;
  int alive = 0;
  int running = -1;
  uint64_t run_length = 0;  // consecutive points of `running` since it got the baton
  std::vector<int> enabled;
  std::string failure;      // an exception escaped a body

  // Picks the thread that takes the next step. `current` is the thread at a point, or -1 when a
  // thread has just ended (`ended`) or the schedule starts. Called with `m` held.
  int decide(int current, int ended, const char* where) {
    stats.trace.push_back({current >= 0 ? current : ended, where});
    const uint64_t step = stats.steps++;
    enabled.clear();
    for (int i = 0; i < static_cast<int>(finished.size()); ++i)
      if (!finished[i]) enabled.push_back(i);
    if (enabled.empty()) return -1;
    bool forced = false;
    if (current >= 0 && ++run_length >= options.spin_limit && enabled.size() > 1) {
      // Livelock guard (see scheduler.h): `current` has run spin_limit points in a row while
      // another thread could run; it is most likely spinning on that thread's progress.
      forced = true;
      ++stats.forced_switches;
      enabled.erase(std::find(enabled.begin(), enabled.end(), current));
    }
    int next;
    if (stats.steps > options.max_steps) {
      // Step bound: stop exploring, finish fairly (one step per thread, round-robin) so the test
      // can report the schedule instead of hanging.
      stats.step_bound_hit = true;
      if (stats.steps > 50 * options.max_steps) {
        std::fprintf(stderr, "[interleave] schedule still running after %llu steps in round-robin: "
                     "aborting (last point: %s)\n", static_cast<unsigned long long>(stats.steps), where);
        std::abort();
      }
      const int from = current >= 0 ? current : ended;
      auto it = std::upper_bound(enabled.begin(), enabled.end(), from);
      next = it == enabled.end() ? enabled.front() : *it;
    } else {
      next = chooser->choose(Decision{step, current, enabled, where, forced});
      if (std::find(enabled.begin(), enabled.end(), next) == enabled.end()) {
        std::fprintf(stderr, "[interleave] chooser picked thread %d, not runnable\n", next);
        std::abort();
      }
    }
    if (next != current) run_length = 0;
    return next;
  }

  void hand_to(int next, std::unique_lock<std::mutex>&) {
    running = next;
    if (next >= 0) wake[next]->notify_one();
  }

  void wait_turn(int me, std::unique_lock<std::mutex>& lock) {
    wake[me]->wait(lock, [&] { return running == me; });
  }

  void at_point(int me, const char* where) {
    std::unique_lock lock(m);
    const int next = decide(me, -1, where);
    if (next == me) return;
    hand_to(next, lock);
    wait_turn(me, lock);
  }

  void finish(int me) {
    std::unique_lock lock(m);
    finished[me] = 1;
    --alive;
    const int next = decide(-1, me, "end");
    hand_to(next, lock);
    if (alive == 0) all_done.notify_all();
  }
};

thread_local Controller* t_controller = nullptr;
thread_local int t_thread = -1;

uint64_t splitmix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Deterministic on every platform (std::uniform_int_distribution is not specified bit-exactly).
struct Rng {
  uint64_t state;
  uint64_t next() { return state = splitmix(state); }
  uint64_t below(uint64_t n) { return n ? next() % n : 0; }
};

std::string describe_trace(const RunStats& stats) {
  // One line per run of consecutive points of one thread: where it went and where it stopped.
  // OMNI_INTERLEAVE_TRACE=full prints every point, not the ends of long runs.
  const char* mode = std::getenv("OMNI_INTERLEAVE_TRACE");
  const bool full = mode && std::string_view(mode) == "full";
  std::string s;
  const auto& t = stats.trace;
  size_t segments = 0;
  for (size_t i = 0; i < t.size();) {
    size_t j = i;
    while (j < t.size() && t[j].thread == t[i].thread) ++j;
    if (++segments > 120 && !full) {
      s += "    … (" + std::to_string(t.size() - i) + " more steps)\n";
      break;
    }
    s += "    T" + std::to_string(t[i].thread) + " x" + std::to_string(j - i) + ": ";
    const size_t n = j - i;
    for (size_t k = i; k < j; ++k) {
      if (n > 14 && k == i + 4 && !full) {
        s += "… ";
        k = j - 8;
      }
      s += t[k].where;
      if (k + 1 < j) s += " ";
    }
    s += "\n";
    i = j;
  }
  return s;
}

std::string run_trial(const TrialFactory& make, Chooser& chooser, const RunOptions& run, RunStats& stats) {
  Trial trial = make();
  stats = run_threads(trial.threads, chooser, run);
  std::string violation = trial.check ? trial.check() : std::string{};
  if (stats.step_bound_hit)
    violation += "step bound: the schedule took more than " + std::to_string(run.max_steps) +
                 " points (livelock?)\n";
  return violation;
}

std::string prefix_text(const std::vector<uint32_t>& p) {
  std::string s;
  for (size_t i = 0; i < p.size(); ++i) {
    if (i) s += '.';
    s += std::to_string(p[i]);
  }
  return s;
}

double env_double(const char* name, double fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtod(v, nullptr) : fallback;
}

}  // namespace

RunStats run_threads(std::span<const std::function<void()>> bodies, Chooser& chooser,
                     const RunOptions& options) {
  Controller c;
  c.chooser = &chooser;
  c.options = options;
  const int n = static_cast<int>(bodies.size());
  c.finished.assign(n, 0);
  c.alive = n;
  for (int i = 0; i < n; ++i) c.wake.push_back(std::make_unique<std::condition_variable>());
  c.stats.trace.reserve(4096);
  chooser.begin(n);
  if (n == 0) return c.stats;

  std::vector<std::thread> threads;
  threads.reserve(n);
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&c, &bodies, i] {
      t_controller = &c;
      t_thread = i;
      {
        std::unique_lock lock(c.m);
        c.wait_turn(i, lock);
      }
      try {
        bodies[i]();
      } catch (const std::exception& e) {
        std::lock_guard lock(c.m);
        c.failure += "thread " + std::to_string(i) + " threw: " + e.what() + "\n";
      } catch (...) {
        std::lock_guard lock(c.m);
        c.failure += "thread " + std::to_string(i) + " threw\n";
      }
      t_controller = nullptr;
      t_thread = -1;
      c.finish(i);
    });
  }
  {
    std::unique_lock lock(c.m);
    c.hand_to(c.decide(-1, -1, "start"), lock);
    c.all_done.wait(lock, [&] { return c.alive == 0; });
  }
  for (auto& t : threads) t.join();
  if (!c.failure.empty()) {
    std::fprintf(stderr, "[interleave] %s", c.failure.c_str());
    std::abort();
  }
  return std::move(c.stats);
}

// ---- PCT ------------------------------------------------------------------------------------
void PctChooser::begin(int threads) {
  Rng rng{seed_};
  // Distinct initial priorities depth .. depth+n-1 in random order (Fisher–Yates).
  priority_.resize(threads);
  for (int i = 0; i < threads; ++i) priority_[i] = depth_ + i;
  for (int i = threads - 1; i > 0; --i) std::swap(priority_[i], priority_[rng.below(i + 1)]);
  // d-1 change points among the first k steps; the i-th lowers the running thread to d-1-i,
  // below every initial priority (and below the earlier changes).
  change_steps_.clear();
  for (int i = 0; i + 1 < depth_; ++i) change_steps_.push_back(rng.below(std::max<uint64_t>(k_, 1)));
  lowest_ = 1;
}

int PctChooser::choose(const Decision& d) {
  if (d.current >= 0) {
    for (size_t i = 0; i < change_steps_.size(); ++i)
      if (change_steps_[i] == d.step) priority_[d.current] = depth_ - 1 - static_cast<int64_t>(i);
    if (d.forced) priority_[d.current] = --lowest_;  // the spinner yields to everyone
  }
  int best = d.enabled.front();
  for (int t : d.enabled)
    if (priority_[t] > priority_[best]) best = t;
  return best;
}

// ---- DFS ------------------------------------------------------------------------------------
void DfsChooser::begin(int) {
  depth_ = 0;
  preemptions_ = 0;
}

int DfsChooser::choose(const Decision& d) {
  const bool current_runs = d.current >= 0 && std::find(d.enabled.begin(), d.enabled.end(), d.current) != d.enabled.end();
  std::vector<int> options;
  if (current_runs) {
    options.push_back(d.current);
    if (bound_ < 0 || preemptions_ < bound_)
      for (int t : d.enabled)
        if (t != d.current) options.push_back(t);
  } else {
    options.assign(d.enabled.begin(), d.enabled.end());
  }
  if (options.size() == 1) return options.front();
  uint32_t pick = 0;
  if (depth_ < stack_.size()) {
    Point& p = stack_[depth_];
    if (p.options.empty()) {
      p.options = options;  // a prefix given by set_prefix, met for the first time
    } else if (p.options != options && nondeterminism_.empty()) {
      nondeterminism_ = "choice point " + std::to_string(depth_) + " (step " + std::to_string(d.step) +
                        ", " + d.where + ") offered different threads on replay";
    }
    pick = std::min<uint32_t>(p.chosen, static_cast<uint32_t>(options.size() - 1));
  } else {
    stack_.push_back({options, 0});
  }
  ++depth_;
  const int next = options[pick];
  if (current_runs && next != d.current) ++preemptions_;
  return next;
}

void DfsChooser::set_prefix(std::vector<uint32_t> prefix) {
  stack_.clear();
  for (uint32_t c : prefix) stack_.push_back({{}, c});
}

bool DfsChooser::advance() {
  stack_.resize(std::min(stack_.size(), depth_));
  while (!stack_.empty()) {
    Point& p = stack_.back();
    if (p.chosen + 1 < p.options.size()) {
      ++p.chosen;
      return true;
    }
    stack_.pop_back();
  }
  return false;
}

std::string DfsChooser::prefix_string() const {
  std::vector<uint32_t> p;
  for (size_t i = 0; i < std::min(depth_, stack_.size()); ++i) p.push_back(stack_[i].chosen);
  return prefix_text(p);
}

// ---- exploring ------------------------------------------------------------------------------
std::string Outcome::summary() const {
  std::string s = std::to_string(schedules) + " schedules";
  if (exhausted) s += " (bounded tree exhausted)";
  s += ", longest " + std::to_string(max_steps) + " points";
  if (step_bound_hits) s += ", " + std::to_string(step_bound_hits) + " hit the step bound";
  return s;
}

Outcome explore_pct(const std::string& name, const TrialFactory& make, PctParams params,
                    const RunOptions& run) {
  Outcome out;
  uint64_t k = params.k;
  const bool measure = k == 0;
  if (measure) {  // calibrate: one schedule without change points (each thread runs to its end)
    PctChooser calibrate(params.seed, 1, 1);
    RunStats stats;
    (void)run_trial(make, calibrate, run, stats);
    k = std::max<uint64_t>(stats.steps, 1);
  }
  for (uint64_t i = 0; i < params.schedules; ++i) {
    const uint64_t seed = params.schedules == 1 ? params.seed : splitmix(params.seed ^ splitmix(i));
    PctChooser chooser(seed, params.depth, k);
    RunStats stats;
    const std::string violation = run_trial(make, chooser, run, stats);
    ++out.schedules;
    out.max_steps = std::max(out.max_steps, stats.steps);
    out.step_bound_hits += stats.step_bound_hit;
    if (!violation.empty()) {
      out.failed = true;
      out.report = "[interleave] " + name + ": VIOLATION under PCT seed=" + std::to_string(seed) +
                   " d=" + std::to_string(params.depth) + " k=" + std::to_string(k) + " (schedule " +
                   std::to_string(i + 1) + " of " + std::to_string(params.schedules) + ", base seed " +
                   std::to_string(params.seed) + ")\n  replay: OMNI_INTERLEAVE_REPLAY='pct:seed=" +
                   std::to_string(seed) + ":d=" + std::to_string(params.depth) + ":k=" + std::to_string(k) +
                   "'\n  violation:\n" + violation + "  schedule (" + std::to_string(stats.steps) +
                   " points, " + std::to_string(stats.forced_switches) + " forced switches):\n" +
                   describe_trace(stats);
      return out;
    }
    if (measure) k = std::max(k, stats.steps);
  }
  return out;
}

Outcome explore_dfs(const std::string& name, const TrialFactory& make, DfsParams params,
                    const RunOptions& run) {
  Outcome out;
  DfsChooser chooser(params.preemption_bound);
  if (!params.prefix.empty()) chooser.set_prefix(params.prefix);
  for (;;) {
    RunStats stats;
    std::string violation = run_trial(make, chooser, run, stats);
    ++out.schedules;
    out.max_steps = std::max(out.max_steps, stats.steps);
    out.step_bound_hits += stats.step_bound_hit;
    if (!chooser.nondeterminism().empty()) violation += "harness: " + chooser.nondeterminism() + "\n";
    if (!violation.empty()) {
      out.failed = true;
      const std::string prefix = chooser.prefix_string();
      out.report = "[interleave] " + name + ": VIOLATION under DFS preemption_bound=" +
                   std::to_string(params.preemption_bound) + " (schedule " + std::to_string(out.schedules) +
                   ")\n  replay: OMNI_INTERLEAVE_REPLAY='dfs:" + prefix + "'\n  violation:\n" + violation +
                   "  schedule (" + std::to_string(stats.steps) + " points):\n" + describe_trace(stats);
      return out;
    }
    if (out.schedules >= params.max_schedules) break;
    if (!chooser.advance()) {
      out.exhausted = true;
      break;
    }
  }
  return out;
}

Replay replay_from_env() {
  Replay r;
  const char* v = std::getenv("OMNI_INTERLEAVE_REPLAY");
  if (!v || !*v) return r;
  std::string_view s(v);
  auto field = [&](std::string_view key) -> uint64_t {  // key=value between ':' separators
    for (size_t at = s.find(':'); at != std::string_view::npos; at = s.find(':', at + 1))
      if (s.substr(at + 1).starts_with(key)) return std::strtoull(s.data() + at + 1 + key.size(), nullptr, 10);
    std::fprintf(stderr, "[interleave] OMNI_INTERLEAVE_REPLAY='%s' has no %.*s\n", v, int(key.size()), key.data());
    std::abort();
  };
  if (s.starts_with("pct:")) {
    r.kind = Replay::Kind::pct;
    r.seed = field("seed=");
    r.depth = static_cast<int>(field("d="));
    r.k = field("k=");
  } else if (s.starts_with("dfs:")) {
    r.kind = Replay::Kind::dfs;
    s.remove_prefix(4);
    while (!s.empty()) {
      r.prefix.push_back(static_cast<uint32_t>(std::strtoul(s.data(), nullptr, 10)));
      const size_t dot = s.find('.');
      if (dot == std::string_view::npos) break;
      s.remove_prefix(dot + 1);
    }
  } else {
    std::fprintf(stderr, "[interleave] OMNI_INTERLEAVE_REPLAY='%s' is neither pct:… nor dfs:…\n", v);
    std::abort();
  }
  return r;
}

uint64_t seed_from_env(uint64_t fallback) {
  const char* v = std::getenv("OMNI_INTERLEAVE_SEED");
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

uint64_t scaled(uint64_t n) {
  const double x = env_double("OMNI_INTERLEAVE_SCALE", 1.0) * static_cast<double>(n);
  return x < 1 ? 1 : static_cast<uint64_t>(x);
}

std::vector<Outcome> explore(const std::string& name, const TrialFactory& make, const Plan& plan) {
  std::vector<Outcome> outcomes;
  const Replay replay = replay_from_env();
  if (replay.kind == Replay::Kind::pct) {
    PctParams p{replay.seed, replay.depth, replay.k, 1};
    outcomes.push_back(explore_pct(name, make, p, plan.run));
    return outcomes;
  }
  if (replay.kind == Replay::Kind::dfs) {
    DfsParams p{plan.dfs.preemption_bound, 1, replay.prefix};
    outcomes.push_back(explore_dfs(name, make, p, plan.run));
    return outcomes;
  }
  if (plan.run_pct) {
    PctParams p = plan.pct;
    p.seed = seed_from_env(p.seed);
    p.schedules = scaled(p.schedules);
    outcomes.push_back(explore_pct(name, make, p, plan.run));
    if (outcomes.back().failed) return outcomes;
  }
  if (plan.run_dfs) {
    DfsParams p = plan.dfs;
    p.max_schedules = scaled(p.max_schedules);
    outcomes.push_back(explore_dfs(name, make, p, plan.run));
  }
  return outcomes;
}

}  // namespace omni::interleave

// The kernel's scheduling points land here (kernel/src/sched_point.h).
namespace omni::internal::sched {
void point(const char* where) noexcept {
  auto* c = omni::interleave::t_controller;
  if (!c) return;  // a thread no scheduler controls: the test's main thread, for instance
  c->at_point(omni::interleave::t_thread, where);
}
}  // namespace omni::internal::sched
