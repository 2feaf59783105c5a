// The baselines route with the kernel's semantics, and the referee catches routers that do not.
#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <vector>

#include "driver/driver.h"
#include "routers/kernel_router.h"
#include "routers/mutex_router.h"
#include "routers/sql_router.h"

namespace omni::bench {
namespace {

std::vector<Offer> drain(Router& r) {
  std::array<Offer, 64> buf;
  std::vector<Offer> out;
  for (size_t n; (n = r.drain_offers(buf)) > 0;) out.insert(out.end(), buf.begin(), buf.begin() + n);
  return out;
}

std::vector<std::unique_ptr<Router>> every_router(const Scenario& s) {
  std::vector<std::unique_ptr<Router>> routers;
  routers.push_back(KernelRouter::create(s));
  routers.push_back(LockedKernelRouter::create(s));
  routers.push_back(std::make_unique<MutexRouter>(s));
  routers.push_back(std::make_unique<SqlRouter>(s, SqlRouter::Flavor::indexed));
  routers.push_back(std::make_unique<SqlRouter>(s, SqlRouter::Flavor::freeswitch));
  return routers;
}

// Two agents, ten queues; voice (queue 0) takes an agent's whole capacity.
TEST(Routers, VoiceIsExclusiveAndTheBacklogGoesToTheAgentThatFrees) {
  const Scenario s = make_scenario({.agents = 2, .queues = 10});
  for (auto& r : every_router(s)) {
    SCOPED_TRACE(std::string(r->name()));
    std::vector<ItemId> items;
    for (int i = 0; i < 3; ++i) items.push_back(*r->submit(QueueId{0}, CustomerId{uint64_t(i) + 1}));
    auto offers = drain(*r);
    ASSERT_EQ(offers.size(), 2u);  // the third call waits: both agents are full
    EXPECT_NE(offers[0].agent, offers[1].agent);
    EXPECT_EQ(r->waiting(), 1u);
    for (const Offer& o : offers) EXPECT_EQ(r->accept(o.item, o.agent), Status::ok);
    EXPECT_EQ(r->used_milli(offers[0].agent), s.agent_capacity_milli);

    ASSERT_EQ(r->close(offers[0].item), Status::ok);
    const auto next = drain(*r);
    ASSERT_EQ(next.size(), 1u);  // the backlog, offered inside close
    EXPECT_EQ(next[0].item, items[2]);
    EXPECT_EQ(next[0].agent, offers[0].agent);
    EXPECT_EQ(r->waiting(), 0u);
    EXPECT_EQ(r->close(next[0].item), Status::ok);
    EXPECT_EQ(r->close(offers[1].item), Status::ok);
    EXPECT_EQ(r->used_milli(offers[0].agent), 0);
    EXPECT_EQ(r->used_milli(offers[1].agent), 0);
  }
}

TEST(Routers, MostAvailableSpreadsChatsAndCapacityIsNeverExceeded) {
  const Scenario s = make_scenario({.agents = 2, .queues = 10});
  for (auto& r : every_router(s)) {
    SCOPED_TRACE(std::string(r->name()));
    for (int i = 0; i < 7; ++i) (void)r->submit(QueueId{1}, CustomerId{uint64_t(i) + 1});  // chat: 1/3
    const auto offers = drain(*r);
    ASSERT_EQ(offers.size(), 6u);  // three per agent
    int first = 0;
    for (const Offer& o : offers) first += o.agent == offers[0].agent;
    EXPECT_EQ(first, 3);
    EXPECT_EQ(r->waiting(), 1u);
  }
}

TEST(Routers, AcceptByAnotherAgentAndUnknownItemsAreRefused) {
  const Scenario s = make_scenario({.agents = 2, .queues = 10});
  for (auto& r : every_router(s)) {
    SCOPED_TRACE(std::string(r->name()));
    (void)r->submit(QueueId{0}, CustomerId{1});
    const auto offers = drain(*r);
    ASSERT_EQ(offers.size(), 1u);
    const AgentId other{1 - index(offers[0].agent)};
    EXPECT_NE(r->accept(offers[0].item, other), Status::ok);
    EXPECT_EQ(r->accept(offers[0].item, offers[0].agent), Status::ok);
    EXPECT_EQ(r->close(offers[0].item), Status::ok);
    EXPECT_NE(r->close(offers[0].item), Status::ok);  // stale id
  }
}

TEST(Routers, QueueFullIsAnOutcomeNotALoss) {
  const Scenario s = make_scenario({.agents = 1, .queues = 10, .max_waiting = 4});
  for (auto& r : every_router(s)) {
    SCOPED_TRACE(std::string(r->name()));
    int full = 0;
    for (int i = 0; i < 10; ++i) {
      const auto item = r->submit(QueueId{0}, CustomerId{uint64_t(i) + 1});
      if (!item) {
        EXPECT_EQ(item.error(), Status::queue_full);
        ++full;
      }
    }
    // max_waiting bounds items queued *or offered* (the kernel's rule): one offered, three queued.
    EXPECT_EQ(full, 6);
  }
}

// Offers every item at once to agent 0, capacity or not: fast, and wrong.
class OverbookingRouter final : public Router {
 public:
  explicit OverbookingRouter(const Scenario& s) : ids_(s.max_items) {}
  std::string_view name() const noexcept override { return "overbooking"; }
  Result<ItemId> submit(QueueId q, CustomerId) noexcept override {
    const ItemId id{next_++};
    pending_.push_back(Offer{id, AgentId{0}, q});
    return id;
  }
  Status accept(ItemId, AgentId) noexcept override { return Status::ok; }
  Status close(ItemId) noexcept override { return Status::ok; }
  size_t drain_offers(std::span<Offer> out) noexcept override {
    const size_t n = std::min(out.size(), pending_.size());
    std::copy(pending_.begin(), pending_.begin() + n, out.begin());
    pending_.erase(pending_.begin(), pending_.begin() + n);
    return n;
  }
  int64_t used_milli(AgentId) const noexcept override { return 0; }
  uint64_t waiting() const noexcept override { return 0; }

 private:
  SlotIds ids_;
  uint64_t next_ = 0;
  std::vector<Offer> pending_;
};

// A mutex router with one call changed: the broken variants below forward everything else.
class ForwardingRouter : public Router {
 public:
  explicit ForwardingRouter(const Scenario& s) : inner_(s) {}
  Result<ItemId> submit(QueueId q, CustomerId c) noexcept override { return inner_.submit(q, c); }
  Status accept(ItemId i, AgentId a) noexcept override { return inner_.accept(i, a); }
  Status close(ItemId i) noexcept override { return inner_.close(i); }
  size_t drain_offers(std::span<Offer> out) noexcept override { return inner_.drain_offers(out); }
  int64_t used_milli(AgentId a) const noexcept override { return inner_.used_milli(a); }
  uint64_t waiting() const noexcept override { return inner_.waiting(); }

 protected:
  MutexRouter inner_;
};

// Loses every tenth item: never offers it.
class LosingRouter final : public ForwardingRouter {
 public:
  using ForwardingRouter::ForwardingRouter;
  std::string_view name() const noexcept override { return "losing"; }
  Result<ItemId> submit(QueueId q, CustomerId c) noexcept override {
    if (++n_ % 10 == 0) return ItemId{uint64_t{1} << 40};
    return inner_.submit(q, c);
  }

 private:
  int n_ = 0;
};

TEST(Checker, AnOverbookingRouterIsReportedBroken) {
  const Scenario s = make_scenario({.agents = 20, .queues = 10});
  const Trace t = make_trace(s, {.arrivals = 2000});
  OverbookingRouter r(s);
  const RunResult result = run_trace(r, s, t, 1);
  EXPECT_TRUE(result.broken);
  EXPECT_NE(result.why.find("over capacity"), std::string::npos) << result.why;
}

TEST(Checker, ALosingRouterIsReportedBroken) {
  const Scenario s = make_scenario({.agents = 20, .queues = 10});
  const Trace t = make_trace(s, {.arrivals = 2000});
  LosingRouter r(s);
  const RunResult result = run_trace(r, s, t, 1);
  EXPECT_TRUE(result.broken);
  EXPECT_NE(result.why.find("offered"), std::string::npos) << result.why;
}

TEST(Driver, EveryRouterReplaysTheSameTraceCleanlyThroughBothPaths) {
  const Scenario s = make_scenario({.agents = 20, .queues = 10});
  const Trace t = make_trace(s, {.arrivals = 3000});
  for (auto& r : every_router(s)) {
    const RunResult result = run_trace(*r, s, t, 1);
    EXPECT_FALSE(result.broken) << r->name() << ": " << result.why;
    EXPECT_GT(result.offers_on_submit, 0u) << r->name();
    EXPECT_GT(result.offers_on_close, 0u) << r->name();
    EXPECT_EQ(result.submits.count(), t.arrivals.size()) << r->name();
  }
}

// Skills (issue 9): a small skills shape, 200 agents and 64 requirement sets.
ScenarioSpec small_skills() {
  ScenarioSpec spec = skills_spec(200);
  spec.requirement_sets = 64;
  return spec;
}

TEST(Skills, TheKernelAndTheMutexRouterOfferOnlyToQualifiedAgents) {
  const Scenario s = make_scenario(small_skills());
  ASSERT_TRUE(s.has_skills());
  const Trace t = make_trace(s, {.arrivals = 4000});
  std::vector<std::unique_ptr<Router>> routers;
  routers.push_back(KernelRouter::create(s));
  routers.push_back(std::make_unique<MutexRouter>(s));
  for (auto& r : routers) {
    ASSERT_NE(r, nullptr);
    const RunResult result = run_trace(*r, s, t, 2);
    EXPECT_FALSE(result.broken) << r->name() << ": " << result.why;
    EXPECT_GT(result.offers_on_close, 0u) << r->name();
    // Every offer of the pass was checked against the agent's skills (each arrival has a set).
    EXPECT_EQ(result.skill_checks, result.submitted) << r->name();
  }
}

// Ignores requirements: routes every item by queue membership alone.
class SkillBlindRouter final : public ForwardingRouter {
 public:
  explicit SkillBlindRouter(const Scenario& plain) : ForwardingRouter(plain) {}
  std::string_view name() const noexcept override { return "skill-blind"; }
  Result<ItemId> submit_with(QueueId q, CustomerId c, uint32_t) noexcept override {
    return inner_.submit(q, c);
  }
};

TEST(Checker, ARouterIgnoringSkillsIsReportedBroken) {
  const Scenario s = make_scenario(small_skills());
  ScenarioSpec plain_spec = small_skills();
  plain_spec.skills = 0;
  const Scenario plain = make_scenario(plain_spec);
  const Trace t = make_trace(s, {.arrivals = 2000});
  SkillBlindRouter r(plain);
  const RunResult result = run_trace(r, s, t, 1);
  EXPECT_TRUE(result.broken);
  EXPECT_NE(result.why.find("not qualified"), std::string::npos) << result.why;
}

TEST(Workload, ASkillsTraceIsThePlainTraceWithRequirements) {
  const Scenario s = make_scenario(small_skills());
  ScenarioSpec plain_spec = small_skills();
  plain_spec.skills = 0;
  const Scenario plain = make_scenario(plain_spec);
  const Trace t = make_trace(s, {.arrivals = 1000});
  const Trace p = make_trace(plain, {.arrivals = 1000});
  ASSERT_EQ(t.arrivals.size(), p.arrivals.size());
  for (size_t i = 0; i < t.arrivals.size(); ++i) {
    EXPECT_EQ(t.arrivals[i].queue, p.arrivals[i].queue);
    EXPECT_EQ(t.arrivals[i].hold, p.arrivals[i].hold);
    EXPECT_EQ(t.arrivals[i].customer, p.arrivals[i].customer);
    EXPECT_EQ(p.arrivals[i].set, kNoSet);
    ASSERT_NE(t.arrivals[i].set, kNoSet);
    EXPECT_EQ(s.requirement_sets[t.arrivals[i].set].queue, t.arrivals[i].queue);
    EXPECT_FALSE(s.set_agents[t.arrivals[i].set].empty());
  }
}

}  // namespace
}  // namespace omni::bench
