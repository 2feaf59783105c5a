// The live supervisor view: an ANSI screen redrawn a few times per second on its own thread,
// like Omni Supervisor: agents (status, pause cause, capacity used/total, items), queues
// (waiting, longest wait, service level so far) and progress through simulated time.
//
// It only reads: Simulation::now()/progress() (atomics) and the kernel's lock-free snapshots,
// so the simulation thread never waits for it. Use it only when stdout is a terminal.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "omnikernel/sim/simulation.h"

namespace omni::sim {

class LiveView {
 public:
  explicit LiveView(const Simulation& simulation, std::FILE* out = stdout,
                    std::chrono::milliseconds period = std::chrono::milliseconds(250));
  ~LiveView();  // stops and restores the terminal
  LiveView(const LiveView&) = delete;
  LiveView& operator=(const LiveView&) = delete;

  void stop();
  // One frame as text (without the terminal control sequences around it); for tests.
  [[nodiscard]] std::string render(int rows, int columns) const;

 private:
  void loop();

  const Simulation& simulation_;
  std::FILE* out_;
  std::chrono::milliseconds period_;
  std::chrono::steady_clock::time_point started_;
  std::vector<std::string> status_names_;   // index = StatusId
  std::vector<std::string> pause_causes_;   // index = StatusId
  std::vector<std::string> agent_names_;    // index = AgentId
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace omni::sim
