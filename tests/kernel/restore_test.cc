// Kernel::restore (issue 10, recovery): a kernel built from an image holds the same items in the
// same states with the same agents and capacity, keeps their ids, re-queues offered items, and
// refuses a bad image with the field named.
#include "omnikernel/image.h"

#include "audit.h"
#include "kernel_fixture.h"

namespace omni::testing {
namespace {

using namespace std::chrono_literals;

// An image of `k` taken from its public snapshots (what a journal's model would rebuild).
KernelImage image_of(Kernel& k, const std::vector<ItemId>& ids, Time now) {
  KernelImage image;
  for (ItemId id : ids) {
    auto s = k.item(id);
    if (!s || s->state == ItemState::free) continue;
    RestoredItem r;
    r.id = id;
    r.version = s->seq;
    r.state = s->state;
    r.queue = s->queue;
    r.agent = s->agent;
    r.customer = s->customer;
    r.requirements = s->requirements;
    r.skills_dropped = s->skills_dropped;
    r.arrival = s->arrival;
    r.since = now;
    r.paused_value = s->paused_value;
    image.items.push_back(r);
    image.version_floor = std::max(image.version_floor, s->seq);
  }
  for (uint32_t a = 0; a < k.agent_count(); ++a) {
    auto s = k.agent(AgentId{a});
    image.agents.push_back({AgentId{a}, s->status, s->missed, now, {}});
  }
  return image;
}

class Restore : public KernelTest {
 protected:
  void SetUp() override { build(contact_centre(3, 2.0)); }
  std::unique_ptr<Kernel> restored(const KernelImage& image) {
    auto k = Kernel::restore(*kernel->config(), clock, image);
    EXPECT_TRUE(k.has_value()) << (k ? "" : k.error().message());
    return k ? std::move(*k) : nullptr;
  }
};

TEST_F(Restore, EveryStateComesBackWithItsAgentAndCapacity) {
  std::vector<ItemId> ids;
  for (int i = 0; i < 9; ++i) ids.push_back(submit("sales", 100 + i));  // 6 offered (3 × 2), 3 wait
  const PausedValueId paused = *kernel->find_paused_value(ChannelId{0}, "Paused");
  ASSERT_EQ(kernel->accept(ids[0], holder(ids[0])), Status::ok);
  ASSERT_EQ(kernel->accept(ids[1], holder(ids[1])), Status::ok);
  ASSERT_EQ(kernel->pause(ids[1], paused), Status::ok);  // frees a place: a waiting item is offered
  ASSERT_EQ(kernel->accept(ids[2], holder(ids[2])), Status::ok);
  ASSERT_EQ(kernel->close(ids[2]), Status::ok);          // wrap-up (10 s)
  drain();
  const KernelImage image = image_of(*kernel, ids, clock.now());
  auto k2 = restored(image);
  ASSERT_TRUE(k2);
  for (const RestoredItem& r : image.items) {
    auto s = k2->item(r.id);
    ASSERT_TRUE(s.has_value()) << "the id is kept";
    EXPECT_GE(s->seq, r.version + 1) << "restore is a transition (an offered item is offered again after)";
    EXPECT_EQ(s->customer, r.customer);
    EXPECT_EQ(s->arrival, r.arrival);
    if (r.state == ItemState::active || r.state == ItemState::paused || r.state == ItemState::wrap_up) {
      EXPECT_EQ(s->seq, r.version + 1);
      EXPECT_EQ(s->state, r.state);
      EXPECT_EQ(s->agent, r.agent);
    }
  }
  // Capacity: active and wrap-up items hold theirs; offered ones were re-queued and routed again,
  // so every agent ends exactly as full as before (same room, same waiting work).
  for (uint32_t a = 0; a < 3; ++a) EXPECT_EQ(k2->agent(AgentId{a})->used_milli, kernel->agent(AgentId{a})->used_milli);
  EXPECT_EQ(k2->queue(queue("sales"))->waiting, kernel->queue(queue("sales"))->waiting);
  EXPECT_EQ(k2->item(ids[1])->paused_value, index(paused));
  const auto report = internal::audit(*k2);
  EXPECT_TRUE(report.ok()) << report.text();
  // The restored kernel goes on: resume, end the wrap-up on time, new ids never collide.
  EXPECT_EQ(k2->resume(ids[1]), kernel->resume(ids[1])) << "the same answer as the original kernel";
  EXPECT_EQ(k2->item(ids[1])->state, ItemState::active);
  clock.advance(11s);
  ASSERT_EQ(k2->tick(clock.now()), Status::ok);
  EXPECT_NE(k2->item(ids[2]).value_or(ItemSnapshot{}).state, ItemState::wrap_up) << "wrap-up ended";
  auto fresh = k2->submit({queue("support"), CustomerId{7}});
  ASSERT_TRUE(fresh.has_value());
  for (ItemId id : ids) EXPECT_NE(*fresh, id) << "no id issued twice across a restart";
}

TEST_F(Restore, OfferedItemsAreQueuedAgainInArrivalOrder) {
  build(contact_centre(1, 1.0));
  const ItemId first = submit("sales", 1);   // offered to a0
  clock.advance(1s);
  const ItemId second = submit("sales", 2);  // waits
  KernelImage image = image_of(*kernel, {first, second}, clock.now());
  auto k2 = restored(image);
  ASSERT_TRUE(k2);
  EXPECT_EQ(k2->item(first)->state, ItemState::offered) << "re-queued, then offered again first (older)";
  EXPECT_EQ(k2->item(second)->state, ItemState::queued);
  Event events[16];
  const size_t n = k2->poll_events(events);
  ASSERT_EQ(n, 1u);
  EXPECT_EQ(events[0].type, EventType::offered);
  EXPECT_EQ(events[0].item, first);
}

TEST_F(Restore, TheShiftMovesEveryTime) {
  const ItemId id = submit("sales", 1);
  ASSERT_EQ(kernel->accept(id, holder(id)), Status::ok);
  ASSERT_EQ(kernel->close(id), Status::ok);  // wrap-up 10 s from now
  KernelImage image = image_of(*kernel, {id}, clock.now());
  clock.advance(1h);  // the kernel was down for an hour
  image.shift = 1h;
  auto k2 = restored(image);
  ASSERT_TRUE(k2);
  EXPECT_EQ(k2->item(id)->arrival, kernel->item(id)->arrival + 1h);
  clock.advance(9s);
  ASSERT_EQ(k2->tick(clock.now()), Status::ok);
  EXPECT_EQ(k2->item(id)->state, ItemState::wrap_up) << "9 of its 10 s have passed";
  clock.advance(2s);
  ASSERT_EQ(k2->tick(clock.now()), Status::ok);
  EXPECT_NE(k2->item(id).value_or(ItemSnapshot{}).state, ItemState::wrap_up) << "ended";
}

// A transfer keeps an item's dropped-skill count from a set prepared for the queue it left; the
// image of such an item restores (its new queue routes it by the queue's own members).
TEST_F(Restore, AnItemTransferredWithDroppedSkillsRestores) {
  Config c = contact_centre(2, 1.0);
  c.skills = {"Spanish", "French"};
  c.agents[0].skills = {{"Spanish", 5}};
  build(c);
  const SkillRequirement reqs[] = {{*kernel->find_skill("Spanish"), 3}, {*kernel->find_skill("French"), 5, 10s}};
  auto rid = kernel->prepare_requirements(queue("sales"), reqs);
  ASSERT_TRUE(rid.has_value());
  auto id = kernel->submit({queue("sales"), CustomerId{1}, false, *rid});
  ASSERT_TRUE(id.has_value());
  advance(11s);  // French dropped: a0 qualifies
  ASSERT_EQ(kernel->item(*id)->skills_dropped, 1);
  ASSERT_EQ(holder(*id), agent("a0"));
  ASSERT_EQ(kernel->accept(*id, agent("a0")), Status::ok);
  ASSERT_EQ(kernel->transfer_to_queue(*id, queue("support")), Status::ok);
  KernelImage image = image_of(*kernel, {*id}, clock.now());
  image.requirement_sets.push_back({queue("sales"), {reqs[0], reqs[1]}});
  auto k2 = restored(image);
  ASSERT_TRUE(k2);
  EXPECT_EQ(k2->item(*id)->skills_dropped, 1);
  EXPECT_EQ(k2->item(*id)->queue, queue("support"));
  const auto report = internal::audit(*k2);
  EXPECT_TRUE(report.ok()) << report.text();
}


struct BadImage {
  const char* name;
  void (*edit)(KernelImage&);
  const char* field;
};
const BadImage kBad[] = {
    {"unknown_agent", [](KernelImage& i) { i.items[0].agent = AgentId{99}; }, "image.items[0].agent"},
    {"same_slot", [](KernelImage& i) { i.items.push_back(i.items[0]); }, "image.items[1].id"},
    {"slot_out_of_range", [](KernelImage& i) { i.items[0].id = make_item_id(9999, 1); }, "image.items[0].id"},
    {"version_before_birth", [](KernelImage& i) { i.items[0].version = 0; }, "image.items[0].version"},
    {"unknown_queue", [](KernelImage& i) { i.items[0].queue = QueueId{77}; }, "image.items[0].queue"},
    {"free_state", [](KernelImage& i) { i.items[0].state = ItemState::free; }, "image.items[0].state"},
    {"unprepared_requirements", [](KernelImage& i) { i.items[0].requirements = RequirementsId{3}; },
     "image.items[0].requirements"},
    {"bad_paused_value", [](KernelImage& i) {
       i.items[0].state = ItemState::paused;
       i.items[0].paused_value = 77;
     }, "image.items[0].paused_value"},
    {"unknown_status", [](KernelImage& i) { i.agents[0].status = StatusId{99}; }, "image.agents[0].status"},
    {"bad_requirement_set", [](KernelImage& i) { i.requirement_sets.push_back({QueueId{0}, {}}); },
     "image.requirement_sets[0]"},
    {"floor_too_high", [](KernelImage& i) { i.version_floor = uint64_t{1} << 39; }, "image.version_floor"},
};
class BadImages : public KernelTest, public ::testing::WithParamInterface<BadImage> {};
TEST_P(BadImages, NameTheField) {
  build(contact_centre(2, 1.0));
  const ItemId id = submit("sales", 1);
  ASSERT_EQ(kernel->accept(id, holder(id)), Status::ok);
  KernelImage image = image_of(*kernel, {id}, clock.now());
  GetParam().edit(image);
  auto k = Kernel::restore(*kernel->config(), clock, image);
  ASSERT_FALSE(k.has_value());
  EXPECT_EQ(k.error().field, GetParam().field) << k.error().message();
}
INSTANTIATE_TEST_SUITE_P(All, BadImages, ::testing::ValuesIn(kBad),
                         [](const ::testing::TestParamInfo<BadImage>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace omni::testing
