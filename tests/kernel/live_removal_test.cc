// Live removals and added queues (issue 10, item 1): Kernel::reconfigure with entries left out
// (they become tombstones: Config "Removal") or appended up to limits.max_queues. Each test
// checks what becomes of the running state, what a removed id answers, and audits.
#include <algorithm>

#include "live_change_fixture.h"

namespace omni::testing {
namespace {

using namespace std::chrono_literals;

class LiveRemoval : public LiveChangeTest {
 protected:
  // `next` without the queue named `name`, in the queues' list and in every agent's.
  static Config without_queue(Config next, const std::string& name) {
    std::erase_if(next.queues, [&](const QueueConfig& q) { return q.name == name; });
    for (auto& a : next.agents) std::erase(a.queues, name);
    return next;
  }
  static Config without_agent(Config next, const std::string& name) {
    std::erase_if(next.agents, [&](const AgentConfig& a) { return a.name == name; });
    return next;
  }
};

TEST_F(LiveRemoval, ARemovedQueueTakesNoNewWorkAndItsActiveItemsFinish) {
  build(contact_centre(1, 2.0));
  const QueueId backoffice = queue("backoffice");
  const ItemId task = submit("backoffice");
  ASSERT_EQ(kernel->accept(task, agent("a0")), Status::ok);  // active: does not hold the removal
  apply(without_queue(current(), "backoffice"));

  const auto in_force = kernel->config();
  ASSERT_EQ(in_force->queues.size(), 4u) << "a tombstone keeps its place: ids are positions";
  EXPECT_TRUE(in_force->queues[3].removed);
  EXPECT_EQ(in_force->queues[3].name, "backoffice");
  EXPECT_FALSE(kernel->find_queue("backoffice")) << "a removed name is not found";
  EXPECT_EQ(kernel->submit({backoffice, CustomerId{0}}).error(), Status::unknown_queue);
  EXPECT_EQ(kernel->prepare_requirements(backoffice, {}).error(), Status::unknown_queue);
  const ItemId chat = submit("sales");
  ASSERT_EQ(kernel->accept(chat, agent("a0")), Status::ok);
  EXPECT_EQ(kernel->transfer_to_queue(chat, backoffice), Status::unknown_queue);
  EXPECT_EQ(kernel->close(task), Status::ok) << "what was active from the removed queue ends as usual";
  expect_audit_ok();
}

TEST_F(LiveRemoval, AQueueIsRemovedOnlyOnceNothingWaitsOrIsOfferedThere) {
  build(contact_centre(1, 1.0));
  const ItemId offered = submit("sales");
  const ItemId waiting = submit("sales");
  ASSERT_EQ(state(offered), ItemState::offered);
  ASSERT_EQ(state(waiting), ItemState::queued);
  ConfigError e = refused(without_queue(current(), "sales"));
  EXPECT_EQ(e.field, "queues[0].removed") << e.message();
  EXPECT_NE(e.reason.find("2 items waiting or offered"), std::string::npos) << e.reason;
  ASSERT_EQ(kernel->close(offered), Status::ok);
  advance(10s);  // wrap-up ends; the waiting item is offered
  ASSERT_EQ(state(waiting), ItemState::offered);
  e = refused(without_queue(current(), "sales"));
  EXPECT_NE(e.reason.find("1 items waiting or offered"), std::string::npos) << e.reason;
  ASSERT_EQ(kernel->accept(waiting, agent("a0")), Status::ok);
  apply(without_queue(current(), "sales"));  // active only: removed
  EXPECT_EQ(kernel->close(waiting), Status::ok);
  expect_audit_ok();
}

TEST_F(LiveRemoval, StaleLaneEntriesDoNotHoldARemoval) {
  build(contact_centre(1, 1.0));
  const ItemId busy = submit("sales");
  ASSERT_EQ(kernel->accept(busy, agent("a0")), Status::ok);
  const ItemId gone = submit("support");  // waits: a0 is full
  ASSERT_EQ(state(gone), ItemState::queued);
  ASSERT_EQ(kernel->close(gone), Status::ok);  // its lane entry stays behind, stale
  apply(without_queue(current(), "support"));
  EXPECT_TRUE(kernel->config()->queues[1].removed);
  expect_audit_ok();
}

TEST_F(LiveRemoval, ARemovedAgentGetsNoWorkAndCannotChangeStatus) {
  build(contact_centre(2, 1.0));
  const AgentId a1 = agent("a1");
  apply(without_agent(current(), "a1"));
  EXPECT_TRUE(kernel->config()->agents[1].removed);
  EXPECT_FALSE(kernel->find_agent("a1"));
  EXPECT_EQ(kernel->set_status(a1, status("Online")), Status::unknown_agent);
  const ItemId x = submit("sales"), y = submit("sales");
  EXPECT_EQ(holder(x), agent("a0"));
  EXPECT_EQ(state(y), ItemState::queued) << "a0 is full and a1 is gone: y waits, it is not offered to a1";
  EXPECT_EQ(kernel->submit({queue("sales"), CustomerId{0}, false, {}, a1, 5s}).error(), Status::unknown_agent)
      << "nobody may ask for a removed agent";
  ASSERT_EQ(kernel->accept(x, agent("a0")), Status::ok);
  EXPECT_EQ(kernel->transfer_to_agent(x, a1), Status::unknown_agent);
  expect_audit_ok();
}

TEST_F(LiveRemoval, AnAgentIsRemovedOnlyOnceItHoldsNothingPausedIncluded) {
  build(contact_centre(1, 1.0));
  const ItemId x = submit("sales");
  ConfigError e = refused(without_agent(current(), "a0"));
  EXPECT_EQ(e.field, "agents[0].removed") << e.message();
  ASSERT_EQ(kernel->accept(x, agent("a0")), Status::ok);
  ASSERT_EQ(kernel->pause(x, *kernel->find_paused_value(ChannelId{0}, "Paused")), Status::ok);
  e = refused(without_agent(current(), "a0"));
  EXPECT_EQ(e.field, "agents[0].removed") << "a paused item holds no capacity, but it is still the agent's";
  ASSERT_EQ(kernel->close(x), Status::ok);
  e = refused(without_agent(current(), "a0"));
  EXPECT_NE(e.reason.find("holds 1 items"), std::string::npos) << "wrap-up: " << e.reason;
  advance(10s);
  apply(without_agent(current(), "a0"));
  expect_audit_ok();
}

TEST_F(LiveRemoval, AStatusIsRemovedOnceNobodyIsInIt) {
  build(contact_centre(2, 1.0));
  const StatusId lunch = status("Lunch");
  ASSERT_EQ(kernel->set_status(agent("a0"), lunch), Status::ok);
  Config next = current();
  std::erase_if(next.statuses, [](const auto& s) { return s.name == "Lunch"; });
  ConfigError e = refused(next);
  EXPECT_EQ(e.field, "statuses[4].removed") << e.message();
  EXPECT_NE(e.reason.find("a0"), std::string::npos) << e.reason;
  ASSERT_EQ(kernel->set_status(agent("a0"), status("Online")), Status::ok);
  apply(next);
  EXPECT_FALSE(kernel->find_status("Lunch"));
  EXPECT_EQ(kernel->set_status(agent("a1"), lunch), Status::unknown_status);
  expect_audit_ok();
}

TEST_F(LiveRemoval, LiveEntriesMayNotReferToRemovedOnes) {
  build(contact_centre(1, 1.0));
  Config next = current();
  next.routing_configs.erase(next.routing_configs.begin());  // chat_rc: sales and support use it
  EXPECT_EQ(refused(next).field, "queues[0].routing");
  next = current();
  next.profiles.clear();
  EXPECT_EQ(refused(next).field, "agents[0].profile");
  next = current();
  next.queues.erase(next.queues.begin());  // sales, still in a0's queues
  EXPECT_EQ(refused(next).field, "agents[0].queues[0]");
}

TEST_F(LiveRemoval, ARemovedEntryDoesNotComeBackAndOrderDoesNotMatter) {
  build(contact_centre(1, 1.0));
  const Config original = current();
  apply(without_queue(current(), "backoffice"));
  Config back = current();
  back.queues[3].removed = false;
  for (auto& a : back.agents) a.queues.push_back("backoffice");
  EXPECT_EQ(refused(back).field, "queues[3].removed");
  EXPECT_EQ(refused(original).field, "queues[3].removed") << "left out and given again: the same revival";

  const StatusId busy = status("Busy");
  Config reordered = current();
  std::reverse(reordered.statuses.begin(), reordered.statuses.end());
  apply(reordered);  // matched by name: every id stays
  EXPECT_EQ(status("Busy"), busy);
  EXPECT_EQ(kernel->config()->statuses[3].name, "Busy");
  expect_audit_ok();
}

TEST_F(LiveRemoval, AQueueAddedLiveTakesWorkAtOnceUpToMaxQueues) {
  Config c = contact_centre(1, 2.0);
  c.skills = {"french"};
  c.agents[0].skills = {{"french", 5}};
  c.limits.max_queues = 5;
  build(c);
  const RequirementsId sales_french = *kernel->prepare_requirements(queue("sales"), std::array{SkillRequirement{SkillId{0}, 3}});
  Config next = current();
  next.queues.push_back({"vip", "chat", "chat_rc", "", 8});
  next.agents[0].queues.push_back("vip");
  apply(next);
  const ItemId v = submit("vip");
  EXPECT_EQ(holder(v), agent("a0")) << "the new queue routes to its members from the change on";
  const auto french = kernel->prepare_requirements(queue("vip"), std::array{SkillRequirement{SkillId{0}, 3}});
  ASSERT_TRUE(french.has_value());
  const ItemId f = *kernel->submit({queue("vip"), CustomerId{0}, false, *french});
  EXPECT_EQ(holder(f), agent("a0")) << "skill classes of an added queue";
  EXPECT_EQ(holder(*kernel->submit({queue("sales"), CustomerId{0}, false, sales_french})), kNoAgent)
      << "a0 is full; the class prepared before the queue was added still routes";

  next = current();
  next.queues.push_back({"overflow", "chat", "chat_rc", "", 8});
  const ConfigError e = refused(next);
  EXPECT_EQ(e.field, "limits.max_queues") << e.message();
  EXPECT_NE(e.reason.find("6 queues"), std::string::npos) << e.reason;
  expect_audit_ok();
}

TEST_F(LiveRemoval, RemovedAndAddedEntriesRoundTripThroughConfigInForce) {
  Config c = contact_centre(2, 1.0);
  c.limits.max_queues = 6;
  build(c);
  Config next = without_agent(without_queue(current(), "calls"), "a1");
  next.queues.push_back({"vip", "chat", "chat_rc", "", 8});
  apply(next);
  const Config in_force = current();
  EXPECT_EQ(in_force.queues.size(), 5u);
  EXPECT_TRUE(in_force.queues[2].removed);
  EXPECT_EQ(in_force.queues[4].name, "vip");
  EXPECT_TRUE(in_force.agents[1].removed);
  EXPECT_EQ(live_successor(in_force, next).queues.size(), 5u) << "applying the same change again changes nothing";
  apply(in_force);  // the configuration in force, tombstones and all, is a valid next one
  expect_audit_ok();
}

TEST_F(LiveRemoval, ASkillIsRemovedOnceNobodyHasItAndNothingWaitingAsksForIt) {
  Config c = contact_centre(1, 1.0);
  c.skills = {"french", "german"};
  c.agents[0].skills = {{"french", 5}};
  build(c);
  const SkillId french = *kernel->find_skill("french");
  const RequirementsId asks = *kernel->prepare_requirements(queue("sales"), std::array{SkillRequirement{french, 3}});
  Config next = current();
  next.skills = {"german"};
  EXPECT_EQ(refused(next).field, "agents[0].skills[0].skill") << "a0 still has it";
  next.agents[0].skills.clear();
  const ItemId busy = submit("support");
  ASSERT_EQ(kernel->accept(busy, agent("a0")), Status::ok);  // a0 is full: the next item waits
  const ItemId waiting = *kernel->submit({queue("sales"), CustomerId{0}, false, asks});
  ASSERT_EQ(state(waiting), ItemState::queued);
  const ConfigError e = refused(next);
  EXPECT_EQ(e.field, "removed_skills") << e.message();
  EXPECT_NE(e.reason.find("1 items"), std::string::npos) << e.reason;
  ASSERT_EQ(kernel->abandon(waiting), Status::ok);
  apply(next);
  EXPECT_EQ(kernel->config()->removed_skills, (std::vector<std::string>{"french"}));
  EXPECT_EQ(kernel->config()->skills.size(), 2u) << "the tombstone keeps its id";
  EXPECT_FALSE(kernel->find_skill("french"));
  EXPECT_EQ(kernel->submit({queue("sales"), CustomerId{0}, false, asks}).error(), Status::unknown_requirements)
      << "a requirement set naming it is retired";
  EXPECT_EQ(kernel->prepare_requirements(queue("sales"), std::array{SkillRequirement{french, 3}}).error(),
            Status::unknown_skill);
  Config back = current();
  back.removed_skills.clear();
  EXPECT_EQ(refused(back).field, "removed_skills") << "a removed skill does not come back";
  expect_audit_ok();
}

}  // namespace
}  // namespace omni::testing
