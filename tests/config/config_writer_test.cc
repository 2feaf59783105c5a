// write_config (issue 10: the journal keeps the configuration as text): what it writes reads back
// into the same Config, every field, defaults or not.
#include "omnikernel/config/writer.h"

#include <gtest/gtest.h>

#include "omnikernel/config/loader.h"
#include "sample_config.h"

namespace omni::config {
namespace {

using namespace std::chrono_literals;

// Every field away from its default, so that a field the writer forgot reads back different.
Config unusual() {
  auto c = load_config_text(testing::kSampleConfig);
  EXPECT_TRUE(c.has_value()) << c.error().message();
  Config config = *c;
  config.skills.push_back("French");
  RoutingConfig& r = config.routing_configs[0];
  r.priority = 7;
  r.model = RoutingModel::round_robin;
  r.push_timeout = 1500ms;
  r.size_unit = SizeUnit::percent;
  r.size = 33.3;
  r.skills_based = true;
  r.tie_break = TieBreak::most_skilled;
  r.transfer_keeps_arrival = false;
  QueueConfig& q = config.queues[0];
  q.service = "svc";
  q.max_waiting = 77;
  q.overflow_after = std::chrono::nanoseconds(1'234'567);
  q.overflow_to = config.queues[1].name;
  q.max_wait = 2h;
  PresenceConfigConfig& p = config.presence_configs[0];
  p.capacity = 2.75;
  p.interruptible_capacity = 0.5;
  p.channel_limits = {{config.channels[0].name, 3}};
  p.missed_delay = 250ms;
  p.wrap_up = 45s;
  p.resume_rule = ResumeRule::refuse;
  p.transfer_destinations.flows = {"bot"};
  config.profiles[0].skills = {{"Spanish", 4}};
  config.agents[0].skills = {{"French", 9}};
  config.limits.max_items = 999;
  config.limits.max_customers = 555;
  config.limits.event_capacity = 4444;
  config.limits.max_requirement_sets = 12;
  config.limits.max_preferred_waiting = 3;
  config.limits.remembered_customers = 0;
  config.limits.timer_resolution = 5ms;
  config.limits.max_queues = 40;
  config.agents.back().removed = true;  // a tombstone of a live change
  return config;
}

TEST(WriteConfig, ReadsBackEveryField) {
  const Config c = unusual();
  const std::string text = write_config(c);
  auto back = load_config_text(text, "written");
  ASSERT_TRUE(back.has_value()) << back.error().message() << "\n" << text;
  EXPECT_EQ(back->skills, c.skills);
  const RoutingConfig &r = back->routing_configs[0], &r0 = c.routing_configs[0];
  EXPECT_EQ(r.priority, r0.priority);
  EXPECT_EQ(r.model, r0.model);
  EXPECT_EQ(r.push_timeout, r0.push_timeout);
  EXPECT_EQ(r.size_unit, r0.size_unit);
  EXPECT_DOUBLE_EQ(r.size, r0.size);
  EXPECT_EQ(r.skills_based, r0.skills_based);
  EXPECT_EQ(r.tie_break, r0.tie_break);
  EXPECT_EQ(r.transfer_keeps_arrival, r0.transfer_keeps_arrival);
  const QueueConfig &q = back->queues[0], &q0 = c.queues[0];
  EXPECT_EQ(q.service, q0.service);
  EXPECT_EQ(q.max_waiting, q0.max_waiting);
  EXPECT_EQ(q.overflow_after, q0.overflow_after) << "exact to the nanosecond";
  EXPECT_EQ(q.overflow_to, q0.overflow_to);
  EXPECT_EQ(q.max_wait, q0.max_wait);
  const PresenceConfigConfig &p = back->presence_configs[0], &p0 = c.presence_configs[0];
  EXPECT_DOUBLE_EQ(p.capacity, p0.capacity);
  EXPECT_DOUBLE_EQ(p.interruptible_capacity, p0.interruptible_capacity);
  ASSERT_EQ(p.channel_limits.size(), 1u);
  EXPECT_EQ(p.channel_limits[0].max, 3);
  EXPECT_EQ(p.missed_delay, p0.missed_delay);
  EXPECT_EQ(p.wrap_up, p0.wrap_up);
  EXPECT_EQ(p.resume_rule, p0.resume_rule);
  EXPECT_EQ(p.transfer_destinations.flows, p0.transfer_destinations.flows);
  EXPECT_EQ(p.auto_accept, p0.auto_accept);
  EXPECT_EQ(p.allow_decline, p0.allow_decline);
  EXPECT_EQ(p.decline_reasons, p0.decline_reasons);
  EXPECT_EQ(p.status_on_decline, p0.status_on_decline);
  EXPECT_EQ(back->profiles[0].skills.size(), 1u);
  ASSERT_EQ(back->agents.size(), c.agents.size());
  for (size_t i = 0; i < c.agents.size(); ++i) {
    EXPECT_EQ(back->agents[i].name, c.agents[i].name);
    EXPECT_EQ(back->agents[i].queues, c.agents[i].queues);
    EXPECT_EQ(back->agents[i].status, c.agents[i].status);
    EXPECT_EQ(back->agents[i].profile, c.agents[i].profile);
    EXPECT_EQ(back->agents[i].presence_config, c.agents[i].presence_config);
    EXPECT_EQ(back->agents[i].removed, c.agents[i].removed);
  }
  EXPECT_EQ(back->agents[0].skills.size(), 1u);
  EXPECT_EQ(back->statuses.size(), c.statuses.size());
  for (size_t i = 0; i < c.statuses.size(); ++i) {
    EXPECT_EQ(back->statuses[i].kind, c.statuses[i].kind);
    EXPECT_EQ(back->statuses[i].channels, c.statuses[i].channels);
    EXPECT_EQ(back->statuses[i].pause_cause, c.statuses[i].pause_cause);
  }
  const Limits &l = back->limits, &l0 = c.limits;
  EXPECT_EQ(l.max_items, l0.max_items);
  EXPECT_EQ(l.max_customers, l0.max_customers);
  EXPECT_EQ(l.event_capacity, l0.event_capacity);
  EXPECT_EQ(l.max_requirement_sets, l0.max_requirement_sets);
  EXPECT_EQ(l.max_preferred_waiting, l0.max_preferred_waiting);
  EXPECT_EQ(l.remembered_customers, l0.remembered_customers);
  EXPECT_EQ(l.timer_resolution, l0.timer_resolution);
  EXPECT_EQ(l.max_queues, l0.max_queues);
  EXPECT_EQ(write_config(*back), text) << "a fixed point: writing what was read gives the same text";
}

TEST(WriteConfig, TheSampleRoundTrips) {
  auto c = load_config_text(testing::kSampleConfig);
  ASSERT_TRUE(c.has_value());
  const std::string text = write_config(*c);
  auto back = load_config_text(text);
  ASSERT_TRUE(back.has_value()) << back.error().message();
  EXPECT_EQ(write_config(*back), text);
}

}  // namespace
}  // namespace omni::config
