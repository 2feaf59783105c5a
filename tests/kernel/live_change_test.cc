// Live changes (issue 10, item 1): Kernel::reconfigure while items wait, are offered and active.
// Each test changes one thing and checks what becomes of the running state, then audits.
#include <thread>

#include "live_change_fixture.h"

namespace omni::testing {
namespace {

using namespace std::chrono_literals;

class LiveChange : public LiveChangeTest {
 protected:
  size_t count(const std::vector<Event>& events, EventType type) {
    return std::count_if(events.begin(), events.end(), [&](const Event& e) { return e.type == type; });
  }
};

TEST_F(LiveChange, RaisedCapacityOffersWaitingWorkAtOnce) {
  build(contact_centre(1, 1.0));
  const ItemId x = submit("sales");
  const ItemId y = submit("sales");
  EXPECT_EQ(state(x), ItemState::offered);
  EXPECT_EQ(state(y), ItemState::queued) << "one unit of capacity";
  Config next = current();
  next.presence_configs[0].capacity = 2.0;
  apply(next);
  EXPECT_EQ(state(y), ItemState::offered) << "the change itself offers what now fits, no other call needed";
  EXPECT_EQ(kernel->agent(agent("a0"))->capacity_milli, 2000);
  expect_audit_ok();
}

TEST_F(LiveChange, LoweredCapacityKeepsItemsAndOffersNothingUntilUnder) {
  build(contact_centre(1, 3.0));
  const ItemId a = submit("sales"), b = submit("sales"), c = submit("sales");
  for (ItemId id : {a, b, c}) ASSERT_EQ(kernel->accept(id, agent("a0")), Status::ok);
  Config next = current();
  next.presence_configs[0].capacity = 1.0;
  apply(next);
  for (ItemId id : {a, b, c}) EXPECT_EQ(state(id), ItemState::active) << "an agent keeps what it holds";
  EXPECT_EQ(used(agent("a0")), 3000);
  const ItemId d = submit("sales");
  EXPECT_EQ(state(d), ItemState::queued) << "over its new capacity: no offer";
  ASSERT_EQ(kernel->close(a), Status::ok);
  advance(10s);  // wrap-up ends
  EXPECT_EQ(state(d), ItemState::queued) << "2 units held, capacity 1: still over";
  ASSERT_EQ(kernel->close(b), Status::ok);
  advance(10s);
  EXPECT_EQ(state(d), ItemState::queued) << "1 held of 1: no room yet";
  ASSERT_EQ(kernel->close(c), Status::ok);
  advance(10s);
  EXPECT_EQ(state(d), ItemState::offered) << "under again: the next offer";
  expect_audit_ok();
}

TEST_F(LiveChange, PushTimeOutSetLiveAppliesToOffersAlreadyOut) {
  Config c = contact_centre(1, 1.0);
  c.routing_configs[0].push_timeout = {};
  build(c);
  const ItemId x = submit("sales");
  ASSERT_EQ(state(x), ItemState::offered);
  Config next = current();
  next.routing_configs[0].push_timeout = 5s;
  apply(next);
  expect_audit_ok();  // the offer has its time-out armed
  advance(6s);
  EXPECT_EQ(state(x), ItemState::queued) << "the push timed out: back in its queue, not to a0 for a while";
  EXPECT_EQ(count(drain(), EventType::push_timed_out), 1u);
  expect_audit_ok();
}

TEST_F(LiveChange, PriorityChangeDecidesTheNextOffer) {
  build(contact_centre(1, 1.0));
  const ItemId busy = submit("backoffice");  // task_rc, interruptible pool: not in the way
  (void)busy;
  const ItemId first = submit("sales");
  ASSERT_EQ(kernel->accept(first, agent("a0")), Status::ok);
  const ItemId chat = submit("support");  // chat_rc, priority 1
  const ItemId call = submit("calls");    // voice_rc, priority 0: routed first
  ASSERT_EQ(state(chat), ItemState::queued);
  ASSERT_EQ(state(call), ItemState::queued);
  Config next = current();
  next.routing_configs[0].priority = -1;  // chats now come before calls
  apply(next);
  ASSERT_EQ(kernel->close(first), Status::ok);
  advance(10s);
  EXPECT_EQ(state(chat), ItemState::offered) << "the new priority decided";
  EXPECT_EQ(state(call), ItemState::queued);
  expect_audit_ok();
}

TEST_F(LiveChange, AStatusThatNowRoutesAChannelMakesItsAgentsTakeWork) {
  Config c = contact_centre(1, 2.0);
  c.agents[0].status = "Busy";
  build(c);
  const ItemId x = submit("sales");
  ASSERT_EQ(state(x), ItemState::queued);
  Config next = current();
  next.statuses[3].kind = PresenceKind::online;  // "Busy" now routes chat
  next.statuses[3].channels = {"chat"};
  apply(next);
  EXPECT_EQ(state(x), ItemState::offered);
  expect_audit_ok();
}

TEST_F(LiveChange, AStatusThatStopsRoutingEndsPreferencesWaitingForItsAgents) {
  build(contact_centre(2, 1.0));
  const ItemId hold = submit("sales");
  ASSERT_EQ(kernel->accept(hold, holder(hold)), Status::ok);
  const AgentId busy = holder(hold);
  const AgentId other = busy == agent("a0") ? agent("a1") : agent("a0");
  ASSERT_EQ(kernel->set_status(other, status("ChatOnly")), Status::ok);
  const ItemId other_hold = submit("sales");
  ASSERT_EQ(holder(other_hold), other);
  ASSERT_EQ(kernel->accept(other_hold, other), Status::ok);
  SubmitRequest r{queue("sales"), CustomerId{7}};
  r.preferred = busy;
  r.preferred_wait = 60s;
  auto pref = kernel->submit(r);
  ASSERT_TRUE(pref);
  ASSERT_EQ(kernel->item(*pref)->preferred, busy);
  Config next = current();
  next.statuses[1].kind = PresenceKind::busy;  // "Online" no longer routes: busy's preference ends
  next.statuses[1].channels = {};
  apply(next);
  EXPECT_EQ(kernel->item(*pref)->preferred, kNoAgent) << "an agent that left online falls back at once";
  ASSERT_EQ(kernel->close(other_hold), Status::ok);
  advance(10s);
  EXPECT_EQ(holder(*pref), other) << "then to everyone eligible";
  expect_audit_ok();
}

TEST_F(LiveChange, OverflowSetLiveMovesItemsAlreadyWaiting) {
  Config c = contact_centre(1, 1.0);
  c.agents[0].queues = {"support"};
  build(c);
  const ItemId blocker = submit("support");
  ASSERT_EQ(state(blocker), ItemState::offered);
  const ItemId x = submit("sales");  // nobody serves sales
  advance(5s);
  Config next = current();
  next.queues[0].overflow_after = 10s;
  next.queues[0].overflow_to = "support";
  apply(next);
  expect_audit_ok();  // the waiting item has its wait timer
  advance(6s);        // 11 s since its arrival
  EXPECT_EQ(kernel->item(x)->queue, queue("support")) << "overflow counts from the arrival";
  EXPECT_EQ(count(drain(), EventType::overflowed), 1u);
  expect_audit_ok();
}

TEST_F(LiveChange, MaxWaitingMayRiseUpToTheLaneRoom) {
  Config c = contact_centre(0);
  c.queues[0].max_waiting = 3;  // lanes for 4
  build(c);
  for (int i = 0; i < 3; ++i) submit("sales");
  EXPECT_EQ(kernel->submit({queue("sales"), CustomerId{1}}).error(), Status::queue_full);
  Config next = current();
  next.queues[0].max_waiting = 4;
  apply(next);
  EXPECT_TRUE(kernel->submit({queue("sales"), CustomerId{1}}).has_value());
  next.queues[0].max_waiting = 5;
  const ConfigError e = refused(next);
  EXPECT_EQ(e.field, "queues[0].max_waiting") << e.message();
  next.queues[0].max_waiting = 2;  // lowered below what waits: the waiting stay, new ones wait out
  apply(next);
  EXPECT_EQ(kernel->queue(queue("sales"))->waiting, 4u);
  EXPECT_EQ(kernel->submit({queue("sales"), CustomerId{1}}).error(), Status::queue_full);
  expect_audit_ok();
}

TEST_F(LiveChange, AppendedStatusesAndPresenceConfigsAreUsableAtOnce) {
  build(contact_centre(1, 1.0));
  Config next = current();
  next.statuses.push_back({"Overtime", PresenceKind::online, {"chat"}, ""});
  PresenceConfigConfig big = next.presence_configs[0];
  big.name = "senior";
  big.capacity = 3.0;
  next.presence_configs.push_back(big);
  next.agents[0].presence_config = "senior";
  apply(next);
  ASSERT_TRUE(kernel->find_status("Overtime").has_value());
  EXPECT_EQ(kernel->set_status(agent("a0"), *kernel->find_status("Overtime")), Status::ok);
  EXPECT_EQ(kernel->agent(agent("a0"))->capacity_milli, 3000);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(state(submit("sales")), ItemState::offered);
  expect_audit_ok();
}

TEST_F(LiveChange, AnAgentMovedToAnotherQueueServesItFromTheChange) {
  Config c = contact_centre(1, 2.0);
  c.agents[0].queues = {"sales"};
  build(c);
  const ItemId kept = submit("sales");
  ASSERT_EQ(kernel->accept(kept, agent("a0")), Status::ok);
  const ItemId waiting = submit("support");
  ASSERT_EQ(state(waiting), ItemState::queued) << "a0 does not serve support yet";
  Config next = current();
  next.agents[0].queues = {"support"};
  apply(next);
  EXPECT_EQ(state(waiting), ItemState::offered) << "joined support: offered at once";
  EXPECT_EQ(state(kept), ItemState::active) << "what it holds from sales stays with it";
  ASSERT_EQ(kernel->close(kept), Status::ok);
  advance(10s);
  const ItemId later = submit("sales");
  EXPECT_EQ(state(later), ItemState::queued) << "left sales: no more sales offers";
  const auto why = kernel->explain(later);
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(why->candidates[0].verdict, CandidateVerdict::not_a_member);
  expect_audit_ok();
}

TEST_F(LiveChange, AHiredAgentTakesWorkAtOnce) {
  Config c = contact_centre(1, 1.0);
  c.limits.max_agents = 4;
  build(c);
  const ItemId first = submit("sales");
  const ItemId second = submit("sales");
  ASSERT_EQ(state(second), ItemState::queued);
  Config next = current();
  next.agents.push_back({"new_hire", "agent", "", {"sales", "support"}, "Online"});
  apply(next);
  ASSERT_TRUE(kernel->find_agent("new_hire").has_value());
  EXPECT_EQ(kernel->agent_count(), 2u);
  EXPECT_EQ(holder(second), agent("new_hire"));
  EXPECT_EQ(holder(first), agent("a0"));
  next.agents.push_back({"offline_hire", "agent", "", {"sales"}, "Offline"});
  apply(next);
  EXPECT_EQ(kernel->agent(agent("offline_hire"))->activity, AgentActivity::offline);
  EXPECT_EQ(kernel->set_status(agent("offline_hire"), status("Online")), Status::ok);
  const ItemId third = submit("sales");
  EXPECT_EQ(holder(third), agent("offline_hire"));
  next.agents.push_back({"x", "agent", "", {}, "Online"});
  next.agents.push_back({"y", "agent", "", {}, "Online"});
  const ConfigError e = refused(next);  // five agents in a configuration that allows four
  EXPECT_EQ(e.field, "limits.max_agents") << e.message();
  expect_audit_ok();
}

TEST_F(LiveChange, ASkillRaisedLiveQualifiesTheAgentForWaitingItems) {
  Config c = contact_centre(1, 2.0);
  c.skills = {"english", "german"};
  c.agents[0].skills = {{"german", 3}};
  build(c);
  const SkillRequirement german{*kernel->find_skill("german"), 5};
  auto rid = kernel->prepare_requirements(queue("sales"), std::span(&german, 1));
  ASSERT_TRUE(rid);
  auto id = kernel->submit({queue("sales"), CustomerId{1}, false, *rid});
  ASSERT_TRUE(id);
  ASSERT_EQ(state(*id), ItemState::queued) << "level 3 of 5";
  Config next = current();
  next.agents[0].skills = {{"german", 6}};
  apply(next);
  EXPECT_EQ(state(*id), ItemState::offered) << "qualified now";
  next.agents[0].skills = {{"german", 2}};
  apply(next);
  auto again = kernel->submit({queue("sales"), CustomerId{2}, false, *rid});
  ASSERT_TRUE(again);
  EXPECT_EQ(state(*again), ItemState::queued) << "not qualified any more";
  EXPECT_EQ(kernel->explain(*again)->candidates[0].verdict, CandidateVerdict::not_qualified);
  EXPECT_EQ(state(*id), ItemState::offered) << "what it was offered stays";
  expect_audit_ok();
}

TEST_F(LiveChange, JoiningAQueueBringsItsSkillClassesAlong) {
  Config c = contact_centre(1, 2.0);
  c.skills = {"german"};
  c.agents[0].skills = {{"german", 7}};
  c.agents[0].queues = {"support"};  // qualified, but not a member of sales (member routing)
  build(c);
  const SkillRequirement german{*kernel->find_skill("german"), 5};
  auto rid = kernel->prepare_requirements(queue("sales"), std::span(&german, 1));
  ASSERT_TRUE(rid);
  auto id = kernel->submit({queue("sales"), CustomerId{1}, false, *rid});
  ASSERT_TRUE(id);
  ASSERT_EQ(state(*id), ItemState::queued);
  EXPECT_EQ(kernel->explain(*id)->candidates[0].verdict, CandidateVerdict::not_a_member);
  Config next = current();
  next.agents[0].queues = {"support", "sales"};
  apply(next);
  EXPECT_EQ(state(*id), ItemState::offered) << "a member of sales now, and qualified";
  expect_audit_ok();
}

TEST_F(LiveChange, ASkillClassHasTheRoomItWasPreparedWith) {
  Config c = contact_centre(20, 1.0);
  c.skills = {"german"};  // nobody speaks it: the class is prepared with its headroom only (16)
  build(c);
  const SkillRequirement german{*kernel->find_skill("german"), 5};
  auto rid = kernel->prepare_requirements(queue("sales"), std::span(&german, 1));
  ASSERT_TRUE(rid);
  Config next = current();
  for (int i = 0; i < 17; ++i) next.agents[i].skills = {{"german", 6}};
  const ConfigError e = refused(next);
  EXPECT_EQ(e.field, "agents[16].skills") << e.message();
  EXPECT_NE(e.reason.find("room for 16"), std::string::npos) << e.reason;
  next.agents[16].skills = {};
  apply(next);  // sixteen fit
  auto id = kernel->submit({queue("sales"), CustomerId{1}, false, *rid});
  ASSERT_TRUE(id);
  EXPECT_LT(index(holder(*id)), 16u) << "offered to one of the agents who learned german";
  expect_audit_ok();
}

TEST_F(LiveChange, AQueueHasTheRoomItWasCreatedWith) {
  Config c = contact_centre(20, 1.0);
  for (auto& a : c.agents) a.queues = {"support"};  // sales starts with no member: room for 16
  build(c);
  Config next = current();
  for (int i = 0; i < 17; ++i) next.agents[i].queues = {"support", "sales"};
  const ConfigError e = refused(next);
  EXPECT_EQ(e.field, "queues[0]") << e.message();
  EXPECT_NE(e.reason.find("room for 16"), std::string::npos) << e.reason;
  next.agents[16].queues = {"support"};
  apply(next);  // sixteen fit
  for (int i = 0; i < 16; ++i) next.agents[i].queues = {"support"};
  apply(next);  // they leave: their positions stay theirs
  for (int i = 0; i < 16; ++i) next.agents[i].queues = {"support", "sales"};
  apply(next);  // and they come back to them, needing no more room
  EXPECT_LT(index(holder(submit("sales"))), 16u) << "offered to one of the sixteen";
  expect_audit_ok();
}

// Every refusal names the field, and leaves the kernel exactly as it was.
struct Refusal {
  const char* name;
  void (*edit)(Config&);
  const char* field;
};

class LiveChangeRefusals : public LiveChange, public ::testing::WithParamInterface<Refusal> {};

TEST_P(LiveChangeRefusals, NameTheFieldAndChangeNothing) {
  build(contact_centre(2, 2.0));
  const ItemId x = submit("sales");
  const auto before = kernel->config();
  Config next = *before;
  next.presence_configs[0].capacity = 4.0;  // a legal change beside the refused one: not applied either
  GetParam().edit(next);
  const ConfigError e = refused(next);
  EXPECT_EQ(e.field, GetParam().field) << e.message();
  EXPECT_FALSE(e.reason.empty());
  EXPECT_EQ(kernel->config(), before) << "the same version is in force";
  EXPECT_EQ(kernel->agent(agent("a0"))->capacity_milli, 2000);
  EXPECT_EQ(state(x), ItemState::offered);
  expect_audit_ok();
}

const Refusal kRefusals[] = {
    {"invalid_value", [](Config& c) { c.presence_configs[0].capacity = -1; }, "presence_configs[0].capacity"},
    {"queue_in_use_removed", [](Config& c) {  // x is offered from sales
       c.queues.erase(c.queues.begin());
       for (auto& a : c.agents) a.queues.erase(a.queues.begin());
     }, "queues[0].removed"},
    {"agent_added", [](Config& c) { c.agents.push_back({"a9", "agent", "", {"sales"}, "Online"}); }, "agents[2]"},
    // Matched by name: a0 left out (a tombstone) and zz hired, one agent more than max_agents.
    {"agent_renamed", [](Config& c) { c.agents[0].name = "zz"; }, "agents[2]"},
    {"queue_added", [](Config& c) { c.queues.push_back({"extra", "chat", "chat_rc", "", 8}); }, "queues[4]"},
    {"routing_config_in_use_removed", [](Config& c) { c.routing_configs.erase(c.routing_configs.begin()); }, "queues[0].routing"},
    {"queue_channel", [](Config& c) { c.queues[0].channel = "voice"; }, "queues[0].channel"},
    {"removed_status_named", [](Config& c) { c.statuses[1].removed = true; }, "agents[0].status"},
    {"channel_added", [](Config& c) { c.channels.push_back({"sms", {}, false}); }, "channels[3]"},
    {"paused_value_removed", [](Config& c) { c.channels[0].paused_values.pop_back(); }, "channels[0].paused_values[1]"},
    {"limit", [](Config& c) { c.limits.max_items = 512; }, "limits.max_items"},
    {"skills_based", [](Config& c) { c.routing_configs[0].skills_based = true; }, "queues[0].routing"},
    {"one_agent_too_many", [](Config& c) {
       c.limits.max_agents = 0;  // the kernel was made for exactly its 2 agents
       c.agents.push_back({"a2", "agent", "", {"sales"}, "Online"});
     }, "agents[2]"},
};
INSTANTIATE_TEST_SUITE_P(All, LiveChangeRefusals, ::testing::ValuesIn(kRefusals),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_F(LiveChange, AConfigurationHandedOutStaysValidAfterAChange) {
  build(contact_centre(1, 1.0));
  const std::shared_ptr<const Config> old = kernel->config();
  Config next = *old;
  next.presence_configs[0].capacity = 3.0;
  apply(next);
  EXPECT_EQ(old->presence_configs[0].capacity, 1.0) << "the caller still owns the version it got";
  EXPECT_EQ(kernel->config()->presence_configs[0].capacity, 3.0);
}

class ReconfiguringPolicy final : public PolicyHook {
 public:
  std::string_view name() const noexcept override { return "reconfigures"; }
  PolicyVerdict check(const PolicyRequest&) noexcept override {
    if (kernel) result = kernel->reconfigure(*kernel->config());
    return {};
  }
  Kernel* kernel = nullptr;
  std::expected<void, ConfigError> result;
};

TEST_F(LiveChange, FromInsideAPolicyHookIsRefusedNotADeadlock) {
  ReconfiguringPolicy policy;
  PolicyHook* hooks[] = {&policy};
  build(contact_centre(1, 1.0), hooks);
  policy.kernel = kernel.get();
  submit("sales");
  ASSERT_FALSE(policy.result.has_value());
  EXPECT_EQ(policy.result.error().field, "reconfigure");
}

}  // namespace
}  // namespace omni::testing
