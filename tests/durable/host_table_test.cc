// The host table (durable/host_table.h): the records a host such as `omni serve` journals beside
// the kernel's, in the same journal. Its codec refuses damage with a typed error; its state
// survives a restart from the tail and from a snapshot (whose segments are deleted); a host
// record written with a submit precedes the submit's events, so a durable item implies a
// durable host record.
#include "omnikernel/durable/host_table.h"

#include "durable_fixture.h"
#include "kernel_fixture.h"
#include "omnikernel/durable/durable_kernel.h"
#include "omnikernel/durable/records.h"
#include "omnikernel/durable/recovery.h"
#include "omnikernel/durable/snapshot_codec.h"
#include "omnikernel/journal/reader.h"

namespace omni::testing {
namespace {

using namespace std::chrono_literals;
using durable::DurableKernel;
using durable::HostOp;

TEST(HostCodec, RoundTripsPutsAndErasesInOrder) {
  const std::vector<HostOp> ops{HostOp::put("c/a", "one"), HostOp::put("s/x", ""), HostOp::erase("c/a"),
                                HostOp::put("c/b", std::string("\0bin\xff", 5))};
  std::vector<std::byte> bytes;
  durable::encode_host_ops(ops, bytes);
  auto back = durable::decode_host_ops(bytes);
  ASSERT_TRUE(back.has_value()) << back.error();
  ASSERT_EQ(back->size(), ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    EXPECT_EQ((*back)[i].kind, ops[i].kind);
    EXPECT_EQ((*back)[i].key, ops[i].key);
    EXPECT_EQ((*back)[i].value, ops[i].value);
  }
  durable::HostTable table;
  durable::apply_host_ops(table, *back);
  EXPECT_EQ(table, (durable::HostTable{{"c/b", std::string("\0bin\xff", 5)}, {"s/x", ""}}));
}

TEST(HostCodec, DamageIsATypedErrorNeverAPartialBatch) {
  std::vector<std::byte> bytes;
  durable::encode_host_ops(std::vector<HostOp>{HostOp::put("k", "v"), HostOp::erase("k")}, bytes);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    auto r = durable::decode_host_ops(std::span(bytes).first(cut));
    ASSERT_FALSE(r.has_value()) << "cut at " << cut;
    EXPECT_NE(r.error().find("bad length"), std::string::npos) << r.error();
  }
  auto extra = bytes;
  extra.push_back(std::byte{0});
  EXPECT_FALSE(durable::decode_host_ops(extra).has_value());
  auto bad_kind = bytes;
  bad_kind[4] = std::byte{7};  // the first op's kind, after the u32 count
  auto r = durable::decode_host_ops(bad_kind);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("unknown kind 7"), std::string::npos) << r.error();
}

TEST(HostCodec, OpsOutOfBoundsAreRefusedNamingTheOp) {
  EXPECT_TRUE(durable::check_host_ops(std::vector<HostOp>{HostOp::put("k", "v")}).has_value());
  auto empty = durable::check_host_ops(std::vector<HostOp>{HostOp::put("k", "v"), HostOp::erase("")});
  ASSERT_FALSE(empty.has_value());
  EXPECT_NE(empty.error().find("host op 1: empty key"), std::string::npos) << empty.error();
  auto long_key = durable::check_host_ops(std::vector<HostOp>{HostOp::put(std::string(durable::kMaxHostKeyBytes + 1, 'k'), "")});
  EXPECT_FALSE(long_key.has_value());
  auto long_value = durable::check_host_ops(std::vector<HostOp>{HostOp::put("k", std::string(durable::kMaxHostValueBytes + 1, 'v'))});
  EXPECT_FALSE(long_value.has_value());
}

TEST(HostCodec, AVersionOneSnapshotReadsAsAnEmptyTable) {
  durable::ModelData data;
  auto blob = durable::encode_snapshot("{}", data, durable::HostTable{{"k", "v"}});
  auto v2 = durable::decode_snapshot(blob);
  ASSERT_TRUE(v2.has_value()) << v2.error();
  EXPECT_EQ(v2->host, (durable::HostTable{{"k", "v"}}));
  // A version-1 snapshot is the same bytes without the host section.
  auto v1 = durable::encode_snapshot("{}", data);
  v1.resize(v1.size() - 4);  // the u32 count of an empty host table
  v1[4] = std::byte{1};
  auto old = durable::decode_snapshot(v1);
  ASSERT_TRUE(old.has_value()) << old.error();
  EXPECT_TRUE(old->host.empty());
}

class HostRecords : public DurableTest {
 protected:
  HostRecords() : DurableTest(contact_centre(2, 2.0)) {}
};

TEST_F(HostRecords, AHostRecordPrecedesTheEventsOfTheSubmitsItsActMade) {
  auto dk = open();
  ASSERT_TRUE(dk);
  ItemId item{};
  auto lsn = dk->write_host([&](Kernel& k) {
    item = k.submit({*k.find_queue("sales"), CustomerId{7}}).value();
    return std::vector<HostOp>{HostOp::put("c/7", "item " + std::to_string(index(item)))};
  });
  ASSERT_TRUE(lsn.has_value());
  ASSERT_GT(*lsn, 0u);
  drain_all(*dk);
  ASSERT_TRUE(dk->wait_durable(item, 5s));
  // Durable item ⇒ durable host record: its LSN is below the events record's.
  EXPECT_GE(dk->durable_lsn(), *lsn);
  ASSERT_EQ(dk->close(), journal::JournalStatus::ok);
  auto reader = journal::Reader::open(dir.path() / "journal", false);
  ASSERT_TRUE(reader.has_value());
  journal::Lsn host_lsn = 0, submitted_lsn = 0;
  for (const auto& rec : reader->records()) {
    if (rec.type == static_cast<uint16_t>(durable::RecordType::host)) host_lsn = rec.lsn;
    if (rec.type == static_cast<uint16_t>(durable::RecordType::events)) {
      const auto events = durable::decode_events(rec.payload);
      ASSERT_TRUE(events.has_value()) << events.error();
      for (const Event& e : *events)
        if (e.type == EventType::submitted && e.item == item) submitted_lsn = rec.lsn;
    }
  }
  EXPECT_EQ(host_lsn, *lsn);
  ASSERT_NE(submitted_lsn, 0u);
  EXPECT_LT(host_lsn, submitted_lsn);
}

TEST_F(HostRecords, TheTableSurvivesARestartFromTheTailAndFromASnapshot) {
  {
    auto dk = open();
    ASSERT_TRUE(dk);
    ASSERT_TRUE(dk->write_host({HostOp::put("c/1", "a"), HostOp::put("c/2", "b")}).has_value());
    ASSERT_TRUE(dk->write_host({HostOp::erase("c/1"), HostOp::put("s/m1", "")}).has_value());
    EXPECT_EQ(dk->write_host(std::vector<HostOp>{}).value(), 0u) << "no op, no record";
    ASSERT_EQ(dk->close(), journal::JournalStatus::ok);
  }
  const durable::HostTable expected{{"c/2", "b"}, {"s/m1", ""}};
  auto recovered = durable::recover(dir.path() / "journal", {.repair_tail = false});
  ASSERT_TRUE(recovered.has_value()) << recovered.error().message();
  EXPECT_EQ(recovered->host, expected) << "from the records after the configuration";
  {
    // open() recovers and writes a snapshot (the segments under it go): the table must be in it.
    auto dk = open();
    ASSERT_TRUE(dk);
    EXPECT_EQ(dk->host_table(), expected);
    ASSERT_TRUE(dk->write_host({HostOp::put("c/3", "c")}).has_value());
    ASSERT_EQ(dk->snapshot(), journal::JournalStatus::ok);
    ASSERT_TRUE(dk->write_host({HostOp::erase("c/2")}).has_value());
    ASSERT_EQ(dk->close(), journal::JournalStatus::ok);
  }
  auto reader = journal::Reader::open(dir.path() / "journal", false);
  ASSERT_TRUE(reader.has_value());
  ASSERT_TRUE(reader->snapshot_lsn().has_value());
  auto again = open();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->host_table(), (durable::HostTable{{"c/3", "c"}, {"s/m1", ""}}))
      << "the snapshot's table plus the erase after it, each applied once";
}

TEST_F(HostRecords, OpsOutOfBoundsAreInvalidAndNothingIsJournaled) {
  auto dk = open();
  ASSERT_TRUE(dk);
  const journal::Lsn before = dk->journal().last_appended();
  auto r = dk->write_host({HostOp::put("", "v")});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), journal::JournalStatus::invalid_argument);
  EXPECT_EQ(dk->journal().last_appended(), before);
  EXPECT_TRUE(dk->host_table().empty());
}

}  // namespace
}  // namespace omni::testing
