// JournalModel (issue 10, recovery): fed a real kernel's events it holds what the kernel holds,
// item by item; illegal transitions are errors naming the record's LSN; events that arrive ahead
// of their item's order wait for it; snapshots round-trip; its image restores an audited kernel.
#include "omnikernel/durable/journal_model.h"

#include <set>

#include "audit.h"
#include "kernel_fixture.h"
#include "omnikernel/durable/snapshot_codec.h"
#include "omnikernel/image.h"

namespace omni::testing {
namespace {

using namespace std::chrono_literals;
using durable::JournalModel;
using durable::ModelState;

ItemState as_item_state(ModelState s) {
  switch (s) {
    case ModelState::offered: return ItemState::offered;
    case ModelState::active: return ItemState::active;
    case ModelState::paused: return ItemState::paused;
    case ModelState::wrap_up: return ItemState::wrap_up;
    default: return ItemState::queued;
  }
}

class Model : public KernelTest {
 protected:
  void SetUp() override {
    Config c = contact_centre(2, 1.0);
    c.presence_configs[0].missed_delay = 5s;
    config = c;
    build(c);
    model = std::make_unique<JournalModel>(c);
  }
  // Drains the kernel into the model as one record; the model must take it.
  void journal() {
    const auto events = drain();
    for (const Event& e : events) seen.insert(e.type);
    if (events.empty()) return;
    auto ok = model->apply_events(++lsn, events);
    ASSERT_TRUE(ok.has_value()) << ok.error().message();
  }
  // Every item and agent of the model matches the kernel's own view.
  void expect_model_matches_kernel() {
    for (const auto& [key, m] : model->data().items) {
      auto s = kernel->item(m.id);
      ASSERT_TRUE(s.has_value()) << "the model holds an item the kernel does not: " << key;
      EXPECT_EQ(s->state, as_item_state(m.state)) << key;
      EXPECT_EQ(s->seq, m.version) << key;
      EXPECT_EQ(s->queue, m.queue) << key;
      EXPECT_EQ(s->arrival, m.arrival) << key;
      EXPECT_EQ(s->customer, m.customer) << key;
      EXPECT_EQ(s->skills_dropped, m.skills_dropped) << key;
      if (s->state != ItemState::queued) EXPECT_EQ(s->agent, m.agent) << key;
      if (s->state == ItemState::paused) EXPECT_EQ(s->paused_value, m.paused_value) << key;
    }
    for (uint32_t a = 0; a < kernel->agent_count(); ++a) {
      EXPECT_EQ(kernel->agent(AgentId{a})->status, model->data().agents[a].status) << "agent " << a;
      EXPECT_EQ(kernel->agent(AgentId{a})->missed, model->data().agents[a].missed) << "agent " << a;
    }
  }
  size_t live() const { return model->data().items.size(); }

  Config config;
  std::unique_ptr<JournalModel> model;
  std::set<EventType> seen;  // every event type journaled so far
  journal::Lsn lsn = 1;  // 1 is the config record
};

TEST_F(Model, FollowsEveryItemTransition) {
  const PausedValueId paused = *kernel->find_paused_value(ChannelId{0}, "Paused");
  const ItemId a = submit("sales", 11);  // offered to an agent at once
  const ItemId b = submit("sales", 12);  // offered to the other
  const ItemId c = submit("support", 13);  // waits
  journal();
  expect_model_matches_kernel();
  ASSERT_EQ(live(), 3u);
  ASSERT_EQ(kernel->accept(a, holder(a)), Status::ok);
  ASSERT_EQ(kernel->pause(a, paused), Status::ok);  // frees room: c is offered
  journal();
  expect_model_matches_kernel();
  ASSERT_EQ(kernel->resume(a), Status::ok);
  ASSERT_EQ(kernel->decline(b, holder(b), std::nullopt), Status::ok);
  journal();
  expect_model_matches_kernel();
  ASSERT_EQ(kernel->transfer_to_queue(a, queue("support")), Status::ok);
  journal();
  expect_model_matches_kernel();
  advance(31s);  // push time-outs re-queue what was offered; the agents go missed for 5 s
  journal();
  expect_model_matches_kernel();
  advance(6s);
  journal();
  expect_model_matches_kernel();
  // Close everything the kernel holds: wrap-up for the active ones, done for the waiting ones.
  for (ItemId id : {a, b, c}) {
    if (state(id) == ItemState::offered) ASSERT_EQ(kernel->accept(id, holder(id)), Status::ok);
  }
  journal();
  for (ItemId id : {a, b, c}) {
    if (state(id) != ItemState::free && state(id) != ItemState::wrap_up) ASSERT_EQ(kernel->close(id), Status::ok) << index(id);
  }
  journal();
  expect_model_matches_kernel();
  advance(11s);  // wrap-ups end
  journal();
  for (ItemId id : {a, b, c}) {
    if (state(id) != ItemState::free) ASSERT_EQ(kernel->close(id), Status::ok);
  }
  journal();
  expect_model_matches_kernel();
  EXPECT_EQ(live(), 0u) << "done items leave the model";
  for (EventType t : {EventType::declined, EventType::push_timed_out, EventType::paused, EventType::resumed,
                      EventType::wrap_up_ended, EventType::agent_missed, EventType::agent_missed_ended})
    EXPECT_TRUE(seen.contains(t)) << to_string(t) << " was not exercised";
  EXPECT_GE(model->data().last_agents.size(), 2u);
  for (uint64_t customer : {11, 12, 13}) {
    const auto known = model->data().last_agents.find(customer);
    const auto kernels = kernel->last_agent(CustomerId{customer});
    ASSERT_EQ(known != model->data().last_agents.end(), kernels.has_value()) << customer;
    if (kernels) EXPECT_EQ(known->second.agent, *kernels) << "each customer's last accepting agent";
  }
}

TEST_F(Model, AgentTransfersAbandonsAndStatuses) {
  const ItemId a = submit("sales", 1);
  const ItemId b = submit("calls", 2);
  ASSERT_EQ(kernel->accept(a, holder(a)), Status::ok);
  const AgentId from = holder(a);
  const AgentId to = AgentId{1 - index(from)};
  ASSERT_EQ(kernel->set_status(to, status("Online")), Status::ok);
  journal();
  ASSERT_EQ(kernel->abandon(b), Status::ok);
  journal();
  ASSERT_EQ(kernel->transfer_to_agent(a, to), Status::ok);  // transferred + offered, same seq
  journal();
  expect_model_matches_kernel();
  EXPECT_EQ(model->data().items.at(index(a)).state, ModelState::offered);
  ASSERT_EQ(kernel->set_status(from, status("Lunch")), Status::ok);
  journal();
  expect_model_matches_kernel();
  EXPECT_EQ(live(), 1u);
}

TEST_F(Model, TimersPreferencesAndFlowsFollowTheKernel) {
  Config c = contact_centre(2, 1.0);
  c.skills = {"english", "french"};
  c.queues[0].overflow_after = std::chrono::seconds(5);  // sales → support
  c.queues[0].overflow_to = "support";
  c.queues[1].max_wait = std::chrono::seconds(20);
  c.presence_configs[0].transfer_destinations.flows = {"survey_bot"};
  c.agents[1].status = "Offline";
  config = c;
  build(c);
  model = std::make_unique<JournalModel>(c);
  const SkillRequirement french{SkillId{1}, 1, std::chrono::seconds(3)};  // optional, dropped after 3 s
  auto rid = kernel->prepare_requirements(queue("sales"), std::span(&french, 1));
  ASSERT_TRUE(rid.has_value());
  ASSERT_TRUE(model->apply_requirements(++lsn, {queue("sales"), {french}, *rid}).has_value());

  const ItemId busy = submit("calls", 1);  // a0 takes it: full from now on
  ASSERT_EQ(kernel->accept(busy, agent("a0")), Status::ok);
  auto waits = kernel->submit({queue("sales"), CustomerId{2}, false, *rid});
  ASSERT_TRUE(waits.has_value());
  auto sticky = kernel->submit({queue("support"), CustomerId{3}, false, {}, agent("a0"), std::chrono::seconds(2)});
  ASSERT_TRUE(sticky.has_value());
  journal();
  expect_model_matches_kernel();
  advance(std::chrono::milliseconds(2500));  // the preference ends
  journal();
  expect_model_matches_kernel();
  advance(std::chrono::seconds(1));  // french is dropped
  journal();
  EXPECT_EQ(model->data().items.at(index(*waits)).skills_dropped, 1);
  advance(std::chrono::seconds(2));  // overflows to support
  journal();
  expect_model_matches_kernel();
  EXPECT_EQ(model->data().items.at(index(*waits)).queue, queue("support"));
  advance(std::chrono::seconds(15));  // both waited support's max_wait since their arrival
  journal();
  expect_model_matches_kernel();
  EXPECT_FALSE(model->data().items.contains(index(*waits))) << "expired, done";
  EXPECT_FALSE(model->data().items.contains(index(*sticky)));
  ASSERT_EQ(kernel->transfer_to_flow(busy, *kernel->find_flow("survey_bot")), Status::ok);
  journal();
  EXPECT_EQ(live(), 0u) << "a flow transfer's done ends the item";
  for (EventType t : {EventType::preference_ended, EventType::requirements_relaxed, EventType::overflowed,
                      EventType::expired, EventType::transferred})
    EXPECT_TRUE(seen.contains(t)) << to_string(t) << " was not exercised";
}

TEST_F(Model, EventsAheadOfTheirItemsOrderWaitForIt) {
  const ItemId a = submit("sales", 1);  // submitted + offered
  ASSERT_EQ(kernel->accept(a, holder(a)), Status::ok);
  auto events = drain();
  ASSERT_EQ(events.size(), 3u);
  std::swap(events[1], events[2]);  // accepted before offered, as two racing threads may push them
  auto ok = model->apply_events(2, events);
  ASSERT_TRUE(ok.has_value()) << ok.error().message();
  EXPECT_EQ(model->pending_events(), 0u);
  expect_model_matches_kernel();
}

TEST_F(Model, AGapACrashLeftIsSettledAsAJump) {
  const ItemId a = submit("sales", 1);
  ASSERT_EQ(kernel->accept(a, holder(a)), Status::ok);
  auto events = drain();
  events.erase(events.begin() + 1);  // the offered event never reached the journal
  ASSERT_TRUE(model->apply_events(2, events).has_value());
  EXPECT_EQ(model->pending_events(), 1u) << "accepted waits for offered";
  ASSERT_TRUE(model->settle().has_value());
  EXPECT_EQ(model->pending_events(), 0u);
  expect_model_matches_kernel();
}

TEST_F(Model, IllegalTransitionsNameTheRecord) {
  const ItemId a = submit("sales", 1);
  const auto events = drain();
  ASSERT_TRUE(model->apply_events(2, events).has_value());
  // The same record twice (a duplicated batch): stale, named.
  auto dup = model->apply_events(3, events);
  ASSERT_FALSE(dup.has_value());
  EXPECT_EQ(dup.error().lsn, 3u);
  EXPECT_EQ(dup.error().item, a);
  EXPECT_NE(dup.error().message().find("journal record 3"), std::string::npos) << dup.error().message();

  struct Case {
    const char* name;
    Event event;
  };
  const AgentId wrong{1 - index(holder(a))};
  const uint64_t v = kernel->item(a)->seq;
  const Case cases[] = {
      {"never submitted", Event{{}, make_item_id(77, 1), kNoAgent, QueueId{0}, EventType::offered, 0, 2}},
      {"accepted by another agent", Event{{}, a, wrong, QueueId{0}, EventType::accepted, 0, v + 1}},
      {"paused while offered", Event{{}, a, holder(a), QueueId{0}, EventType::paused, 0, v + 1}},
      {"done alone", Event{{}, a, kNoAgent, QueueId{0}, EventType::done, 0, v + 1}},
      {"unknown queue", Event{{}, a, kNoAgent, QueueId{42}, EventType::abandoned, 0, v + 1}},
      {"unknown agent", Event{{}, ItemId{}, AgentId{42}, QueueId{}, EventType::agent_status, 1, 0}},
      {"unknown status", Event{{}, ItemId{}, AgentId{0}, QueueId{}, EventType::agent_status, 99, 0}},
  };
  for (const Case& c : cases) {
    JournalModel copy(config, model->data());
    auto r = copy.apply(9, c.event);
    ASSERT_FALSE(r.has_value()) << c.name;
    EXPECT_EQ(r.error().lsn, 9u) << c.name;
    EXPECT_FALSE(r.error().reason.empty()) << c.name;
  }
  durable::RequirementsRecord gap{QueueId{0}, {{SkillId{0}, 1, {}}}, RequirementsId{5}};
  auto r = model->apply_requirements(10, gap);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().lsn, 10u);
}

TEST_F(Model, SnapshotRoundTripsAndItsImageRestores) {
  const PausedValueId paused = *kernel->find_paused_value(ChannelId{0}, "Paused");
  const ItemId a = submit("sales", 1);
  const ItemId b = submit("sales", 2);
  submit("support", 3);
  ASSERT_EQ(kernel->accept(a, holder(a)), Status::ok);
  ASSERT_EQ(kernel->accept(b, holder(b)), Status::ok);
  ASSERT_EQ(kernel->pause(b, paused), Status::ok);
  ASSERT_EQ(kernel->close(a), Status::ok);  // wrap-up
  journal();
  const auto blob = durable::encode_snapshot("{}", model->data());
  auto back = durable::decode_snapshot(blob);
  ASSERT_TRUE(back.has_value()) << back.error();
  EXPECT_EQ(back->config_json, "{}");
  EXPECT_EQ(durable::encode_snapshot("{}", back->model), blob) << "decode ∘ encode is the identity";
  auto truncated = durable::decode_snapshot(std::span(blob).first(blob.size() - 3));
  EXPECT_FALSE(truncated.has_value());

  JournalModel restored_model(config, std::move(back->model));
  const KernelImage image = restored_model.image(1h);
  EXPECT_EQ(image.items.size(), 3u);
  ManualClock later(clock.now() + 1h);
  auto k2 = Kernel::restore(config, later, image);
  ASSERT_TRUE(k2.has_value()) << k2.error().message();
  EXPECT_EQ((*k2)->item(b)->state, ItemState::paused);
  EXPECT_EQ((*k2)->item(a)->state, ItemState::wrap_up);
  EXPECT_EQ((*k2)->item(a)->arrival, kernel->item(a)->arrival + 1h);
  const auto report = internal::audit(**k2);
  EXPECT_TRUE(report.ok()) << report.text();
  // After restore the model is one version on; the restored kernel's next events apply to it.
  restored_model.restored(1h);
  Event buf[64];
  const size_t n = (*k2)->poll_events(buf);
  ASSERT_TRUE(restored_model.apply_events(20, std::span(buf, n)).has_value());
  EXPECT_EQ(restored_model.data().items.at(index(b)).version, kernel->item(b)->seq + 1);
}

}  // namespace
}  // namespace omni::testing
