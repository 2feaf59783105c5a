// Skills-based routing (issue 9, seed 002: route each inquiry to a QUALIFIED agent): prepared
// requirement sets, classes of qualified agents, optional skills dropped after their wait.
#include "audit.h"
#include "kernel_fixture.h"

namespace omni::testing {
namespace {

using namespace std::chrono_literals;

// sales: a0 (English 5), a1 (Spanish 7), a2 (Spanish 4 + French 6), all members.
// help: skills-based; only a3 is a member, but anyone qualified may take its skilled items.
Config skilled_centre() {
  Config c = contact_centre(0, 2.0);
  c.skills = {"English", "Spanish", "French"};
  c.routing_configs.push_back({"help_rc", 1, RoutingModel::most_available, std::chrono::seconds(30),
                               SizeUnit::units, 1.0, /*skills_based=*/true});
  c.queues.push_back({"help", "chat", "help_rc", "", 64});
  c.agents = {
      {"a0", "agent", "", {"sales"}, "Online", {{"English", 5}}},
      {"a1", "agent", "", {"sales"}, "Online", {{"Spanish", 7}}},
      {"a2", "agent", "", {"sales"}, "Online", {{"Spanish", 4}, {"French", 6}}},
      {"a3", "agent", "", {"help"}, "Online", {}},
  };
  return c;
}

class Skills : public KernelTest {
 protected:
  void SetUp() override { build(skilled_centre()); }
  SkillId skill(std::string_view name) { return *kernel->find_skill(name); }
  RequirementsId prepare(std::string_view q, std::vector<SkillRequirement> reqs) {
    auto r = kernel->prepare_requirements(queue(q), reqs);
    EXPECT_TRUE(r.has_value()) << to_string(r.error());
    return r.value_or(RequirementsId{});
  }
  ItemId submit_with(std::string_view q, RequirementsId r) {
    auto id = kernel->submit({queue(q), CustomerId{0}, false, r});
    EXPECT_TRUE(id.has_value()) << to_string(id.error());
    return id.value_or(ItemId{});
  }
};

// The seed-002 story: a Spanish inquiry goes to the Spanish speaker, although the English
// speaker is listed first and equally available.
TEST_F(Skills, Seed002OnlyAQualifiedAgentGetsTheItem) {
  const auto spanish5 = prepare("sales", {{skill("Spanish"), 5}});
  const ItemId id = submit_with("sales", spanish5);
  EXPECT_EQ(holder(id), agent("a1"));
  const ItemId plain = submit("sales");
  EXPECT_EQ(holder(plain), agent("a0")) << "an item without requirements still goes by the queue";
  expect_audit_ok();
}

TEST_F(Skills, AnItemWaitsForAQualifiedAgentWhileUnqualifiedOnesHaveRoom) {
  const auto french7 = prepare("sales", {{skill("French"), 7}});  // nobody has French 7
  const ItemId id = submit_with("sales", french7);
  EXPECT_EQ(state(id), ItemState::queued);
  expect_audit_ok();  // the progress check counts only qualified agents
  EXPECT_EQ(kernel->queue(queue("sales"))->waiting, 1u);
}

TEST_F(Skills, LevelsAreMinimums) {
  const auto spanish5 = prepare("sales", {{skill("Spanish"), 5}});
  ASSERT_EQ(kernel->set_status(agent("a1"), status("Offline")), Status::ok);
  const ItemId id = submit_with("sales", spanish5);
  EXPECT_EQ(state(id), ItemState::queued) << "a2 has Spanish 4 < 5";
  const auto spanish4 = prepare("sales", {{skill("Spanish"), 4}});
  EXPECT_EQ(holder(submit_with("sales", spanish4)), agent("a2"));
  ASSERT_EQ(kernel->set_status(agent("a1"), status("Online")), Status::ok);
  EXPECT_EQ(holder(id), agent("a1")) << "the qualified agent coming online takes it";
}

TEST_F(Skills, ASkillsBasedQueueReachesQualifiedAgentsBeyondItsMembers) {
  const auto french5 = prepare("help", {{skill("French"), 5}});
  const ItemId id = submit_with("help", french5);
  EXPECT_EQ(holder(id), agent("a2")) << "a2 serves sales only, but help is skills-based";
  EXPECT_EQ(holder(submit("help")), agent("a3")) << "without requirements: the members";
  expect_audit_ok();
}

TEST_F(Skills, AFreedQualifiedAgentPullsFromItsClass) {
  const auto spanish5 = prepare("sales", {{skill("Spanish"), 5}});
  const ItemId first = submit_with("sales", spanish5);
  const ItemId second = submit_with("sales", spanish5);
  const ItemId third = submit_with("sales", spanish5);  // a1 has capacity 2
  EXPECT_EQ(holder(first), agent("a1"));
  EXPECT_EQ(holder(second), agent("a1"));
  EXPECT_EQ(state(third), ItemState::queued);
  expect_audit_ok();
  ASSERT_EQ(kernel->accept(first, agent("a1")), Status::ok);
  ASSERT_EQ(kernel->close(first), Status::ok);  // wrap-up holds the capacity
  EXPECT_EQ(state(third), ItemState::queued);
  ASSERT_EQ(kernel->end_wrap_up(first), Status::ok);
  EXPECT_EQ(holder(third), agent("a1"));
  expect_audit_ok();
}

// Optional skills drop after their own wait (counted from arrival): the item then goes to the
// broader class, keeping its arrival time.
TEST_F(Skills, AnOptionalSkillDropsAfterItsWait) {
  ASSERT_EQ(kernel->set_status(agent("a1"), status("Offline")), Status::ok);
  // Spanish 4 required; French 7 preferred for 20 s (nobody has French 7).
  const auto reqs = prepare("sales", {{skill("Spanish"), 4}, {skill("French"), 7, 20s}});
  const ItemId id = submit_with("sales", reqs);
  const Time arrival = kernel->item(id)->arrival;
  EXPECT_EQ(state(id), ItemState::queued);
  expect_audit_ok();
  advance(19s);
  EXPECT_EQ(state(id), ItemState::queued);
  advance(2s);
  EXPECT_EQ(holder(id), agent("a2")) << "French dropped: Spanish 4 is enough";
  EXPECT_EQ(kernel->item(id)->skills_dropped, 1);
  EXPECT_EQ(kernel->item(id)->arrival, arrival);
  bool relaxed = false;
  for (const Event& e : drain()) relaxed |= e.item == id && e.type == EventType::requirements_relaxed;
  EXPECT_TRUE(relaxed);
  expect_audit_ok();
}

TEST_F(Skills, UserLevelsWinOverTheProfilesAndTheRestIsKept) {
  Config c = skilled_centre();
  c.profiles[0].skills = {{"Spanish", 3}, {"English", 9}};
  c.agents = {{"p", "agent", "", {"sales"}, "Online", {{"Spanish", 8}}}};
  build(c);
  EXPECT_EQ(holder(submit_with("sales", prepare("sales", {{skill("Spanish"), 8}}))), agent("p"));
  EXPECT_EQ(holder(submit_with("sales", prepare("sales", {{skill("English"), 9}}))), agent("p"));
}

TEST_F(Skills, PreparingTheSameSetTwiceGivesTheSameId) {
  const auto x = prepare("sales", {{skill("Spanish"), 5}, {skill("English"), 2}});
  const auto y = prepare("sales", {{skill("English"), 2}, {skill("Spanish"), 5}});
  EXPECT_EQ(x, y);
}

TEST_F(Skills, BadRequirementsAreTypedErrors) {
  auto prep = [&](QueueId q, std::vector<SkillRequirement> r) { return kernel->prepare_requirements(q, r); };
  EXPECT_EQ(prep(QueueId{99}, {{skill("Spanish"), 5}}).error(), Status::unknown_queue);
  EXPECT_EQ(prep(queue("sales"), {}).error(), Status::invalid_requirements);
  EXPECT_EQ(prep(queue("sales"), {{SkillId{42}, 5}}).error(), Status::unknown_skill);
  EXPECT_EQ(prep(queue("sales"), {{skill("Spanish"), 0}}).error(), Status::invalid_requirements);
  EXPECT_EQ(prep(queue("sales"), {{skill("Spanish"), 11}}).error(), Status::invalid_requirements);
  EXPECT_EQ(prep(queue("sales"), {{skill("Spanish"), 5}, {skill("Spanish"), 6}}).error(),
            Status::invalid_requirements);
  EXPECT_EQ(prep(queue("sales"), {{skill("Spanish"), 5, -1s}}).error(), Status::invalid_requirements);
  EXPECT_EQ(prep(queue("sales"), {{skill("Spanish"), 5, std::chrono::minutes(61)}}).error(),
            Status::invalid_requirements)
      << "a drop timer holds the item's word at most an hour (item_word.h)";
  std::vector<SkillRequirement> nine(9, {skill("Spanish"), 1});
  EXPECT_EQ(prep(queue("sales"), nine).error(), Status::invalid_requirements);
  // A requirement set is for one queue; submitting it elsewhere is refused before anything changes.
  const auto r = prepare("sales", {{skill("Spanish"), 5}});
  EXPECT_EQ(kernel->submit({queue("support"), CustomerId{0}, false, r}).error(), Status::unknown_requirements);
  EXPECT_EQ(kernel->submit({queue("sales"), CustomerId{0}, false, RequirementsId{77}}).error(),
            Status::unknown_requirements);
}

TEST_F(Skills, TheNumberOfClassesIsBounded) {
  Config c = skilled_centre();
  c.limits.max_requirement_sets = 2;
  build(c);
  EXPECT_TRUE(kernel->prepare_requirements(queue("sales"), std::vector<SkillRequirement>{{skill("Spanish"), 1}}));
  EXPECT_TRUE(kernel->prepare_requirements(queue("sales"), std::vector<SkillRequirement>{{skill("French"), 1}}));
  EXPECT_EQ(kernel->prepare_requirements(queue("sales"), std::vector<SkillRequirement>{{skill("English"), 1}}).error(),
            Status::requirements_exhausted);
  // A set with an optional skill needs two classes: none is created when they do not both fit.
  build(c);
  EXPECT_TRUE(kernel->prepare_requirements(queue("sales"), std::vector<SkillRequirement>{{skill("Spanish"), 1}}));
  EXPECT_EQ(kernel->prepare_requirements(queue("sales"),
                                         std::vector<SkillRequirement>{{skill("English"), 1}, {skill("French"), 1, 5s}})
                .error(),
            Status::requirements_exhausted);
}

// Explainable decisions (issue 9, item 7): every agent with the reason it has or has not got it.
TEST_F(Skills, ExplainSaysWhyEachAgentHasOrHasNotGotTheItem) {
  ASSERT_EQ(kernel->set_status(agent("a1"), status("Offline")), Status::ok);
  const auto spanish4 = prepare("sales", {{skill("Spanish"), 4}});
  const ItemId busy = submit_with("sales", spanish4);  // to a2
  ASSERT_EQ(holder(busy), agent("a2"));
  const auto spanish5 = prepare("sales", {{skill("Spanish"), 5}});
  const ItemId id = submit_with("sales", spanish5);
  ASSERT_EQ(state(id), ItemState::queued);
  auto x = kernel->explain(id);
  ASSERT_TRUE(x.has_value());
  EXPECT_EQ(x->state, ItemState::queued);
  EXPECT_EQ(x->requirements, spanish5);
  ASSERT_EQ(x->candidates.size(), 4u);
  EXPECT_EQ(x->candidates[0].verdict, CandidateVerdict::not_qualified) << "a0: English only";
  EXPECT_EQ(x->candidates[1].verdict, CandidateVerdict::not_routable) << "a1: offline";
  EXPECT_EQ(x->candidates[2].verdict, CandidateVerdict::not_qualified) << "a2: Spanish 4 < 5";
  EXPECT_EQ(x->candidates[3].verdict, CandidateVerdict::not_a_member) << "a3 serves help only";
  auto offered = kernel->explain(busy);
  ASSERT_TRUE(offered.has_value());
  EXPECT_EQ(offered->holder, agent("a2"));
  EXPECT_EQ(offered->candidates[2].verdict, CandidateVerdict::offered);
  EXPECT_EQ(offered->candidates[2].needed_milli, 1000);
  ASSERT_EQ(kernel->accept(busy, agent("a2")), Status::ok);
  EXPECT_EQ(kernel->explain(busy).error(), Status::wrong_state) << "only waiting or offered items";
  EXPECT_EQ(kernel->explain(ItemId{12345}).error(), Status::unknown_item);
  EXPECT_EQ(to_string(CandidateVerdict::no_room), "no_room");
}

class SkillConfigErrors : public ::testing::TestWithParam<ConfigCase> {};

TEST_P(SkillConfigErrors, NameTheField) { expect_config_error(skilled_centre(), GetParam()); }

INSTANTIATE_TEST_SUITE_P(
    All, SkillConfigErrors,
    ::testing::Values(
        ConfigCase{"duplicate_skill", [](Config& c) { c.skills.push_back("Spanish"); }, "skills[3]"},
        ConfigCase{"empty_skill", [](Config& c) { c.skills[1] = ""; }, "skills[1]"},
        ConfigCase{"unknown_agent_skill", [](Config& c) { c.agents[0].skills[0].skill = "Klingon"; },
                   "agents[0].skills[0].skill"},
        ConfigCase{"level_too_high", [](Config& c) { c.agents[1].skills[0].level = 11; }, "agents[1].skills[0].level"},
        ConfigCase{"level_zero", [](Config& c) { c.agents[2].skills[1].level = 0; }, "agents[2].skills[1].level"},
        ConfigCase{"skill_twice", [](Config& c) { c.agents[2].skills[1].skill = "Spanish"; }, "agents[2].skills[1].skill"},
        ConfigCase{"profile_skill", [](Config& c) { c.profiles[0].skills = {{"Nope", 3}}; }, "profiles[0].skills[0].skill"},
        ConfigCase{"too_many_sets", [](Config& c) { c.limits.max_requirement_sets = 5000; },
                   "limits.max_requirement_sets"}),
    config_case_name);

}  // namespace
}  // namespace omni::testing
