// Live changes of a durable kernel (issue 10, items 1 and 3): a change is journaled before the
// kernel routes by it, and recovery rebuilds the configuration with every live change — from the
// journal's tail, or from a snapshot taken after the change.
#include <fstream>

#include "audit.h"
#include "durable_fixture.h"
#include "kernel_fixture.h"
#include "omnikernel/durable/durable_kernel.h"
#include "omnikernel/durable/records.h"
#include "omnikernel/durable/recovery.h"
#include "omnikernel/journal/reader.h"

namespace omni::testing {
namespace {

using durable::DrainStatus;
using durable::DurableKernel;
using durable::DurableOptions;

DurableOptions options() {
  DurableOptions o = fast_durable_options();
  o.snapshot_every_records = 0;
  o.snapshot_every_bytes = 0;
  o.journal_config_wins = true;  // a restart after live changes runs the journal's configuration
  return o;
}

class DurableLiveChange : public DurableTest {
 protected:
  DurableLiveChange() : DurableTest(with_room(contact_centre(2, 1.0))) {}
  static Config with_room(Config c) {
    c.limits.max_agents = 4;
    c.limits.max_queues = 6;
    return c;
  }
  std::unique_ptr<DurableKernel> open() { return DurableTest::open(options()); }
  // The change every test makes: more capacity, a status that did not exist at create, an agent
  // hired, and an agent moved to another queue.
  Config changed() const {
    Config next = config;
    next.presence_configs[0].capacity = 3.0;
    next.statuses.push_back({"Overtime", PresenceKind::online, {"chat"}, ""});
    next.agents.push_back({"hire", "agent", "", {"support"}, "Offline"});
    next.agents[0].queues = {"support", "calls"};
    return next;
  }
  size_t config_records() {
    auto reader = journal::Reader::open(dir.path() / "journal", false);
    EXPECT_TRUE(reader.has_value());
    size_t n = 0;
    for (const auto& r : reader->records()) n += r.type == static_cast<uint16_t>(durable::RecordType::config);
    return n;
  }
};

TEST_F(DurableLiveChange, ARestartRunsTheConfigurationWithEveryLiveChange) {
  ItemId a, b, c;
  {
    auto dk = open();
    Kernel& k = dk->kernel();
    const QueueId sales = *k.find_queue("sales");
    a = *k.submit({sales, CustomerId{1}});
    b = *k.submit({sales, CustomerId{2}});
    c = *k.submit({sales, CustomerId{3}});  // waits: two agents of capacity 1
    ASSERT_EQ(k.item(c)->state, ItemState::queued);
    auto done = dk->reconfigure(changed());
    ASSERT_TRUE(done.has_value()) << done.error().message();
    EXPECT_EQ(k.item(c)->state, ItemState::offered) << "the raise offered the waiting item";
    const StatusId overtime = *k.find_status("Overtime");
    ASSERT_EQ(k.set_status(*k.find_agent("a1"), overtime), Status::ok);  // an event naming the new status
    ASSERT_EQ(k.set_status(*k.find_agent("hire"), overtime), Status::ok);  // and one naming the new agent
    drain_all(*dk);
    ASSERT_EQ(dk->journal().flush(), journal::JournalStatus::ok);
  }
  auto recovered = durable::recover(dir.path() / "journal");
  ASSERT_TRUE(recovered.has_value()) << recovered.error().message();
  EXPECT_EQ(recovered->config.presence_configs[0].capacity, 3.0);
  EXPECT_EQ(recovered->config.statuses.back().name, "Overtime");

  auto dk = open();  // the file's configuration is the old one: the journal's wins
  Kernel& k = dk->kernel();
  EXPECT_EQ(k.config()->presence_configs[0].capacity, 3.0);
  EXPECT_EQ(k.agent(*k.find_agent("a1"))->status, *k.find_status("Overtime"));
  ASSERT_TRUE(k.find_agent("hire").has_value()) << "the agent hired live is back";
  EXPECT_EQ(k.agent(*k.find_agent("hire"))->status, *k.find_status("Overtime"));
  EXPECT_EQ(k.config()->agents[0].queues, (std::vector<std::string>{"support", "calls"}));
  for (ItemId id : {a, b, c}) EXPECT_NE(k.item(id)->state, ItemState::free) << "every item is back";
  const auto report = internal::audit(k);
  EXPECT_TRUE(report.ok()) << report.text();
}

TEST_F(DurableLiveChange, ASnapshotAfterTheChangeHoldsTheNewConfiguration) {
  {
    auto dk = open();
    ASSERT_TRUE(dk->reconfigure(changed()).has_value());
    drain_all(*dk);
    ASSERT_EQ(dk->snapshot(), journal::JournalStatus::ok);
  }
  auto recovered = durable::recover(dir.path() / "journal");
  ASSERT_TRUE(recovered.has_value()) << recovered.error().message();
  ASSERT_TRUE(recovered->snapshot_lsn.has_value());
  EXPECT_EQ(recovered->config.presence_configs[0].capacity, 3.0);
  EXPECT_EQ(recovered->config.statuses.size(), config.statuses.size() + 1);
}

TEST_F(DurableLiveChange, ARefusedChangeWritesNothing) {
  auto dk = open();
  (void)*dk->kernel().submit({*dk->kernel().find_queue("sales"), CustomerId{1}});
  const size_t before = config_records();
  Config next = config;
  next.queues.erase(next.queues.begin());  // sales, where an item is offered
  for (auto& a : next.agents) a.queues.erase(a.queues.begin());
  auto done = dk->reconfigure(next);
  ASSERT_FALSE(done.has_value());
  ASSERT_TRUE(done.error().refused.has_value());
  EXPECT_EQ(done.error().refused->field, "queues[0].removed") << done.error().message();
  ASSERT_EQ(dk->journal().flush(), journal::JournalStatus::ok);
  EXPECT_EQ(config_records(), before) << "nothing journaled";
  EXPECT_EQ(dk->kernel().agent_count(), 2u);
  EXPECT_TRUE(dk->reconfigure(config).has_value()) << "the same configuration again: a no-op";
  EXPECT_EQ(config_records(), before);
}

TEST_F(DurableLiveChange, RemovalsAndAddedQueuesComeBackAfterARestart) {
  ItemId vip_item;
  {
    auto dk = open();
    Config next = config;
    std::erase_if(next.agents, [](const AgentConfig& a) { return a.name == "a1"; });
    std::erase_if(next.queues, [](const QueueConfig& q) { return q.name == "backoffice"; });
    for (auto& a : next.agents) std::erase(a.queues, "backoffice");
    next.queues.push_back({"vip", "chat", "chat_rc", "", 8});
    next.agents[0].queues.push_back("vip");
    auto done = dk->reconfigure(next);
    ASSERT_TRUE(done.has_value()) << done.error().message();
    auto submitted = dk->kernel().submit({*dk->kernel().find_queue("vip"), CustomerId{7}});
    ASSERT_TRUE(submitted.has_value());
    vip_item = *submitted;
    drain_all(*dk);
    ASSERT_EQ(dk->journal().flush(), journal::JournalStatus::ok);
  }
  auto dk = open();
  Kernel& k = dk->kernel();
  const auto in_force = k.config();
  ASSERT_EQ(in_force->agents.size(), 2u);
  EXPECT_TRUE(in_force->agents[1].removed) << "the tombstone is journaled, in its place";
  EXPECT_TRUE(in_force->queues[3].removed);
  EXPECT_FALSE(k.find_agent("a1"));
  EXPECT_FALSE(k.find_queue("backoffice"));
  ASSERT_TRUE(k.find_queue("vip"));
  ASSERT_TRUE(k.item(vip_item).has_value()) << "the item of the added queue is back";
  EXPECT_EQ(k.item(vip_item)->queue, *k.find_queue("vip"));
  EXPECT_EQ(k.submit({QueueId{3}, CustomerId{8}}).error(), Status::unknown_queue) << "removed after the restart too";
  const auto report = internal::audit(k);
  EXPECT_TRUE(report.ok()) << report.text();
}

}  // namespace
}  // namespace omni::testing
