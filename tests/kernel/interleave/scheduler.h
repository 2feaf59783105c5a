// A cooperative scheduler for the interleaving harness (issue 8).
//
// The kernel is built a second time with OMNI_SCHED_POINTS defined (omni_kernel_sched), so every
// OMNI_SCHED_POINT("…") before an atomic step calls omni::internal::sched::point(), which this
// library implements. A test hands the scheduler N thread bodies; the scheduler runs each on its
// own std::thread, but lets exactly ONE of them run at a time (a baton passed under a mutex). At
// every scheduling point the running thread stops and a Chooser picks which thread takes the next
// step. Because nothing else is nondeterministic (ManualClock, no wall time), the same sequence of
// choices always produces the same execution: a failing schedule replays exactly.
//
// Two choosers:
//   PCT (probabilistic concurrency testing, Burckhardt et al. 2010): random distinct thread
//   priorities, and d-1 random priority-change points among the first k steps. The highest-priority
//   runnable thread always runs; at a change point the running thread drops below every other.
//   A bug that needs d ordering constraints is found by one schedule with probability ≥ 1/(n·k^(d-1)).
//   Replayed by (seed, d, k).
//   DFS: bounded-exhaustive depth-first search over the choice at every point where more than one
//   thread could run, optionally bounded in preemptions (switching away from a thread that could
//   have continued). Replayed by its choice prefix.
//
// Threads the scheduler did not start (the test's main thread building the kernel or checking
// invariants) pass through point() at once.
//
// Livelock guard. The kernel's retry loops (a lane push waiting for a stalled pop, a CAS loop
// losing to another thread) contain scheduling points but make no progress on their own: they wait
// for another thread. A chooser that keeps picking the spinner (PCT: it has the highest priority)
// would loop forever. So: when one thread has taken `spin_limit` consecutive steps while another
// thread could run, the scheduler FORCES a switch — the spinner is not offered at that point, and
// PCT lowers its priority below every other thread. Kernel operations in these scenarios take far
// fewer steps than spin_limit, so this never cuts a legitimate run short; it only breaks spins.
// Independently, a schedule that exceeds `max_steps` in total is reported (step_bound_hit) and
// finished in round-robin order, one step per thread, so the test still ends and can say so.
#pragma once
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace omni::interleave {

// What a Chooser sees at a scheduling point.
struct Decision {
  uint64_t step = 0;            // points passed so far in this schedule (0-based index of this one)
  int current = -1;             // thread that reached the point; -1 at start or after a thread ended
  std::span<const int> enabled; // threads that may take the next step, ascending ids, never empty
  const char* where = "";       // the point's name ("start", "end" at thread start/end)
  bool forced = false;          // `current` spun spin_limit steps: it is left out of `enabled`
};

class Chooser {
 public:
  virtual ~Chooser() = default;
  virtual void begin(int /*threads*/) {}
  // Returns one of d.enabled.
  virtual int choose(const Decision& d) = 0;
};

struct RunOptions {
  uint64_t max_steps = 100'000;  // per schedule; beyond it, round-robin to the end (reported)
  uint32_t spin_limit = 400;     // consecutive steps of one thread before a forced switch
};

struct TraceStep {
  int thread;
  const char* where;
};

struct RunStats {
  uint64_t steps = 0;
  uint64_t forced_switches = 0;
  bool step_bound_hit = false;
  std::vector<TraceStep> trace;  // every point passed, in order
};

// Runs `bodies` on bodies.size() threads, one at a time, `chooser` deciding at every point.
// Returns when all have finished (they are joined).
RunStats run_threads(std::span<const std::function<void()>> bodies, Chooser& chooser,
                     const RunOptions& options = {});

// ---- PCT ------------------------------------------------------------------------------------
class PctChooser final : public Chooser {
 public:
  PctChooser(uint64_t seed, int depth, uint64_t k) : seed_(seed), depth_(depth), k_(k) {}
  void begin(int threads) override;
  int choose(const Decision& d) override;

 private:
  uint64_t seed_;
  int depth_;
  uint64_t k_;
  std::vector<int64_t> priority_;      // per thread; higher runs
  std::vector<uint64_t> change_steps_; // step at which the i-th change (priority depth-1-i) happens
  int64_t lowest_ = 0;
};

// ---- DFS ------------------------------------------------------------------------------------
class DfsChooser final : public Chooser {
 public:
  // preemption_bound < 0: unbounded.
  explicit DfsChooser(int preemption_bound) : bound_(preemption_bound) {}
  void begin(int threads) override;
  int choose(const Decision& d) override;
  // Replays `prefix` (indices into each choice point's options) and explores from there.
  void set_prefix(std::vector<uint32_t> prefix);
  // After a schedule: move to the next unexplored one. False when the tree is exhausted.
  bool advance();
  // The choices of the schedule just run (its replay string).
  [[nodiscard]] std::string prefix_string() const;
  // A replayed prefix met different options than when it was recorded (the run is not
  // deterministic, so the search is not sound). Empty if fine.
  [[nodiscard]] const std::string& nondeterminism() const { return nondeterminism_; }

 private:
  struct Point {
    std::vector<int> options;  // the current thread first (no preemption), then the others
    uint32_t chosen = 0;
  };
  int bound_;
  std::vector<Point> stack_;
  size_t depth_ = 0;     // choice points passed in this schedule
  int preemptions_ = 0;
  std::string nondeterminism_;
};

// ---- exploring a scenario -----------------------------------------------------------------
// One schedule's worth of a scenario: fresh state, the thread bodies, and the check to run once
// they have all finished (on the main thread). check() returns "" when every invariant holds.
struct Trial {
  std::vector<std::function<void()>> threads;
  std::function<std::string()> check;
};
using TrialFactory = std::function<Trial()>;

struct PctParams {
  uint64_t seed = 1;        // base seed; schedule i uses mix(seed, i)
  int depth = 3;            // bug depth d
  uint64_t k = 0;           // estimated steps per schedule; 0 = measured (max seen so far)
  uint64_t schedules = 500;
};

struct DfsParams {
  int preemption_bound = 2;  // < 0: unbounded
  uint64_t max_schedules = 20'000;
  std::vector<uint32_t> prefix;  // start (or replay) from this choice prefix
};

struct Outcome {
  bool failed = false;
  std::string report;        // on failure: strategy, replay string, violation, trace
  uint64_t schedules = 0;    // schedules run
  bool exhausted = false;    // DFS: the bounded tree was explored completely
  uint64_t max_steps = 0;    // longest schedule, in points
  uint64_t step_bound_hits = 0;
  std::string summary() const;
};

Outcome explore_pct(const std::string& name, const TrialFactory& make, PctParams params,
                    const RunOptions& run = {});
Outcome explore_dfs(const std::string& name, const TrialFactory& make, DfsParams params,
                    const RunOptions& run = {});

// Environment knobs (read by the scenario tests):
//   OMNI_INTERLEAVE_SEED=n      base seed for PCT (default: the test's own)
//   OMNI_INTERLEAVE_SCALE=x     multiplies schedule counts and caps (e.g. 0.1 for a smoke run, 10 for soak)
//   OMNI_INTERLEAVE_REPLAY=s    run one schedule only: "pct:seed=S:d=D:k=K" or "dfs:c0.c1.c2…"
//                               (what a failure prints; pick the test with --gtest_filter)
//   OMNI_INTERLEAVE_TRACE=full  print every scheduling point of a failing schedule
struct Replay {
  enum class Kind { none, pct, dfs } kind = Kind::none;
  uint64_t seed = 0, k = 0;
  int depth = 0;
  std::vector<uint32_t> prefix;
};
Replay replay_from_env();
uint64_t seed_from_env(uint64_t fallback);
uint64_t scaled(uint64_t n);  // n × OMNI_INTERLEAVE_SCALE, at least 1

// Runs PCT (params.schedules) and, if dfs is set, DFS over the same scenario — or only the replay
// the environment asks for. Returns the first failure, or the summaries.
struct Plan {
  PctParams pct;
  bool run_pct = true;
  DfsParams dfs;
  bool run_dfs = false;
  RunOptions run;
};
std::vector<Outcome> explore(const std::string& name, const TrialFactory& make, const Plan& plan);

}  // namespace omni::interleave
