// The kernel consults policies at open, transfer and outbound, and a refusal is typed with its reason.
#include "kernel_fixture.h"

namespace omni::testing {
namespace {

// One active session per customer (seed 004, flag off), enough to exercise the hook points.
class OneSessionPerCustomer final : public PolicyHook {
 public:
  std::string_view name() const noexcept override { return "one-session"; }
  PolicyVerdict check(const PolicyRequest& r) noexcept override {
    ++calls;
    last = r.op;
    if (r.op == PolicyOp::open && !r.sessions.empty()) return {false, "customer already has an active session"};
    if (r.op == PolicyOp::outbound_template || r.op == PolicyOp::outbound_broadcast) {
      for (const auto& s : r.sessions)
        if (s.service == r.to_service) return {false, "customer is in a session at that service"};
      return {};
    }
    if (r.op == PolicyOp::transfer) {
      for (const auto& s : r.sessions)
        if (s.service == r.to_service) return {false, "would duplicate a session at the destination"};
    }
    return {};
  }
  int calls = 0;
  PolicyOp last{};
};

class Policies : public KernelTest {
 protected:
  void SetUp() override {
    hooks[0] = &policy;
    build(contact_centre(2, 2.0), hooks);
  }
  OneSessionPerCustomer policy;
  PolicyHook* hooks[1];
};

TEST_F(Policies, OpenIsRefusedWithTheReasonAndNothingIsKept) {
  const ItemId first = submit("sales", 42);
  auto second = kernel->submit({queue("support"), CustomerId{42}});
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error(), Status::policy_refused);
  EXPECT_EQ(Kernel::last_policy_reason(), "customer already has an active session");
  SessionInfo sessions[4];
  ASSERT_EQ(kernel->sessions_of(CustomerId{42}, sessions), 1u);
  EXPECT_EQ(sessions[0].item, first);
  EXPECT_EQ(kernel->queue(queue("support"))->waiting, 0u);
  ASSERT_EQ(kernel->abandon(first), Status::ok);
  EXPECT_EQ(kernel->sessions_of(CustomerId{42}, sessions), 0u) << "the session ends with the item";
  EXPECT_TRUE(kernel->submit({queue("support"), CustomerId{42}}).has_value());
}

TEST_F(Policies, TransferAndOutboundAreCheckedToo) {
  const ItemId id = submit("sales", 7);
  ASSERT_EQ(kernel->accept(id, holder(id)), Status::ok);
  EXPECT_EQ(kernel->transfer_to_queue(id, queue("support")), Status::ok);
  EXPECT_EQ(policy.last, PolicyOp::transfer);
  const auto support = *kernel->find_service("support");
  const auto sales = *kernel->find_service("sales");
  EXPECT_FALSE(kernel->check_outbound(CustomerId{7}, support, PolicyOp::outbound_template).allow);
  EXPECT_TRUE(kernel->check_outbound(CustomerId{7}, sales, PolicyOp::outbound_template).allow);
  EXPECT_TRUE(kernel->check_outbound(CustomerId{8}, support, PolicyOp::outbound_broadcast).allow);
  EXPECT_FALSE(kernel->check_outbound(CustomerId{7}, support, PolicyOp::open).allow) << "not an outbound op";
}

TEST_F(Policies, AnonymousCustomersAreNotTracked) {
  submit("sales", 0);
  submit("sales", 0);
  SessionInfo sessions[4];
  EXPECT_EQ(kernel->sessions_of(CustomerId{0}, sessions), 0u);
}

TEST(PolicyConfig, NullPolicyIsRefused) {
  ManualClock clock;
  PolicyHook* hooks[] = {nullptr};
  auto k = Kernel::create(contact_centre(1), clock, hooks);
  ASSERT_FALSE(k.has_value());
  EXPECT_EQ(k.error().field, "policies[0]");
}

}  // namespace
}  // namespace omni::testing

namespace omni::testing {
namespace {

// A long-running kernel meets far more customers than it has table slots for.
TEST(CustomerSessions, ATinyTableServesAnEndlessStreamOfCustomers) {
  Config c = contact_centre(2, 2.0);
  c.limits.max_customers = 4;
  ManualClock clock;
  auto k = *Kernel::create(c, clock);
  const QueueId sales = *k->find_queue("sales");
  for (uint64_t customer = 1; customer <= 20'000; ++customer) {
    auto id = k->submit({sales, CustomerId{customer}});
    ASSERT_TRUE(id.has_value()) << "customer " << customer << ": " << to_string(id.error());
    ASSERT_EQ(k->abandon(*id), Status::ok);
    Event events[8];
    while (k->poll_events(events) > 0) {
    }
  }
}

}  // namespace
}  // namespace omni::testing
