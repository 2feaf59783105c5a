// A small contact centre for kernel tests: one chat channel with a "Paused" value, queues with
// their own routing configs, agents with a presence configuration each test can tune.
#pragma once
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "audit.h"
#include "omnikernel/kernel.h"

namespace omni::testing {

inline Config contact_centre(int agents = 1, double capacity = 2.0) {
  Config c;
  c.channels = {{"chat", {"Paused", "Waiting customer"}, false}, {"voice", {}, false},
                {"task", {}, true}};
  c.routing_configs = {
      {"chat_rc", 1, RoutingModel::most_available, std::chrono::seconds(30), SizeUnit::units, 1.0},
      {"voice_rc", 0, RoutingModel::least_active, std::chrono::seconds(20), SizeUnit::percent, 100.0},
      {"task_rc", 2, RoutingModel::most_available, {}, SizeUnit::units, 1.0},
  };
  c.queues = {{"sales", "chat", "chat_rc", "sales", 64},
              {"support", "chat", "chat_rc", "support", 64},
              {"calls", "voice", "voice_rc", "", 64},
              {"backoffice", "task", "task_rc", "", 64}};
  c.statuses = {{"Offline", PresenceKind::offline, {}, ""},
                {"Online", PresenceKind::online, {"chat", "voice", "task"}, ""},
                {"ChatOnly", PresenceKind::online, {"chat"}, ""},
                {"Busy", PresenceKind::busy, {}, ""},
                {"Lunch", PresenceKind::pause, {}, "lunch"},
                {"Missed", PresenceKind::away, {}, ""}};
  PresenceConfigConfig pc;
  pc.name = "standard";
  pc.capacity = capacity;
  pc.interruptible_capacity = 1.0;
  pc.allow_decline = true;
  pc.decline_reasons = {"busy", "wrong skill"};
  pc.status_on_decline = "";
  pc.wrap_up = std::chrono::seconds(10);
  c.presence_configs = {pc};
  c.profiles = {{"agent", "standard"}};
  for (int i = 0; i < agents; ++i)
    c.agents.push_back({"a" + std::to_string(i), "agent", "", {"sales", "support", "calls", "backoffice"}, "Online"});
  c.limits.max_items = 256;
  c.limits.max_customers = 256;
  c.limits.event_capacity = 4096;
  c.limits.timer_resolution = std::chrono::milliseconds(100);
  return c;
}

// Owns a clock and a kernel built from a config; helpers keep tests short.
class KernelTest : public ::testing::Test {
 protected:
  void build(const Config& c, std::span<PolicyHook* const> policies = {}) {
    auto k = Kernel::create(c, clock, policies);
    ASSERT_TRUE(k.has_value()) << k.error().message();
    kernel = std::move(*k);
  }
  QueueId queue(std::string_view name) { return *kernel->find_queue(name); }
  AgentId agent(std::string_view name) { return *kernel->find_agent(name); }
  StatusId status(std::string_view name) { return *kernel->find_status(name); }

  ItemId submit(std::string_view q, uint64_t customer = 0) {
    auto id = kernel->submit({queue(q), CustomerId{customer}});
    EXPECT_TRUE(id.has_value()) << to_string(id.error());
    return id.value_or(ItemId{});
  }
  ItemState state(ItemId id) {
    auto s = kernel->item(id);
    return s ? s->state : ItemState::free;
  }
  AgentId holder(ItemId id) { return kernel->item(id)->agent; }
  int32_t used(AgentId a) { return kernel->agent(a)->used_milli; }
  std::vector<Event> drain() {
    std::vector<Event> all;
    Event buf[256];
    while (size_t n = kernel->poll_events(buf)) all.insert(all.end(), buf, buf + n);
    return all;
  }
  void advance(Duration d) {
    clock.advance(d);
    ASSERT_EQ(kernel->tick(clock.now()), Status::ok);
  }
  // Every invariant, from the kernel's internals; it reads only, so it repairs nothing.
  void expect_audit_ok() {
    const auto report = internal::audit(*kernel);
    EXPECT_TRUE(report.ok()) << report.text();
  }

  ManualClock clock;
  std::unique_ptr<Kernel> kernel;
};

// One invalid configuration: a name for the test, the edit that breaks a valid config, and the
// field path the error must name (for TEST_P suites of configuration errors).
struct ConfigCase {
  const char* name;
  void (*edit)(Config&);
  const char* field;
};
inline std::string config_case_name(const ::testing::TestParamInfo<ConfigCase>& info) { return info.param.name; }
inline void expect_config_error(Config c, const ConfigCase& bad) {
  bad.edit(c);
  ManualClock clock;
  auto k = Kernel::create(c, clock);
  ASSERT_FALSE(k.has_value());
  EXPECT_EQ(k.error().field, bad.field) << k.error().message();
}

}  // namespace omni::testing
