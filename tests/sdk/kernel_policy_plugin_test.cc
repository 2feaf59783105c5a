// The simultaneous-sessions plugin, loaded by the runtime, consulted by the real kernel at its
// decision points (submit, transfer, outbound): the kernel's own session table feeds the policy
// and a refusal comes back as Status::policy_refused with the plugin's reason.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "omnikernel/kernel.h"
#include "omnikernel/runtime/plugin_loader.h"

namespace {

// One agent serves sales_a and sales_b (service "sales") and support (service "support").
omni::Config three_queues_two_services() {
  omni::Config config;
  config.channels.emplace_back().name = "chat";
  config.routing_configs.emplace_back().name = "routing";
  for (auto [name, service] : {std::pair{"sales_a", "sales"}, std::pair{"sales_b", "sales"},
                               std::pair{"support", "support"}}) {
    omni::QueueConfig& queue = config.queues.emplace_back();
    queue.name = name;
    queue.channel = "chat";
    queue.routing = "routing";
    queue.service = service;
  }
  omni::PresenceConfigConfig& presence = config.presence_configs.emplace_back();
  presence.name = "agents";
  presence.capacity = 10;
  omni::PresenceStatusConfig& online = config.statuses.emplace_back();
  online.name = "online";
  online.kind = omni::PresenceKind::online;
  online.channels = {"chat"};
  omni::AgentConfig& ana = config.agents.emplace_back();
  ana.name = "ana";
  ana.presence_config = "agents";
  ana.queues = {"sales_a", "sales_b", "support"};
  ana.status = "online";
  return config;
}

class KernelWithPolicyPlugin : public ::testing::Test {
 protected:
  void start(bool allow_simultaneous_sessions) {
    ASSERT_TRUE(loader.load_file(OMNI_SIMULTANEOUS_SESSIONS_PLUGIN));
    auto created = loader.create_policy(
        "simultaneous_sessions", allow_simultaneous_sessions
                                     ? R"({"allow_simultaneous_sessions": true})"
                                     : R"({"allow_simultaneous_sessions": false})");
    ASSERT_TRUE(created) << created.error().text();
    policy = std::move(*created);

    omni::Config config = three_queues_two_services();
    omni::PolicyHook* hooks[] = {policy.get()};
    auto made = omni::Kernel::create(config, clock, hooks);
    ASSERT_TRUE(made) << made.error().message();
    kernel = std::move(*made);
  }

  omni::QueueId queue(const char* name) { return *kernel->find_queue(name); }
  omni::ServiceId service(const char* name) { return *kernel->find_service(name); }

  // Opens a session and has the agent accept it, so that it can be transferred.
  omni::ItemId open_active(uint64_t customer, const char* queue_name) {
    auto id = kernel->submit({.queue = queue(queue_name), .customer = omni::CustomerId{customer}});
    EXPECT_TRUE(id) << omni::to_string(id.error());
    auto snapshot = kernel->item(*id);
    EXPECT_EQ(snapshot->state, omni::ItemState::offered);
    EXPECT_EQ(kernel->accept(*id, snapshot->agent), omni::Status::ok);
    return *id;
  }

  omni::Status open(uint64_t customer, const char* queue_name, bool bot = false) {
    auto id = kernel->submit(
        {.queue = queue(queue_name), .customer = omni::CustomerId{customer}, .is_bot = bot});
    return id ? omni::Status::ok : id.error();
  }

  omni::runtime::PluginLoader loader;
  std::unique_ptr<omni::runtime::PolicyPlugin> policy;
  omni::ManualClock clock;
  std::unique_ptr<omni::Kernel> kernel;
};

TEST_F(KernelWithPolicyPlugin, FlagOffOneSessionPerCustomer) {
  start(false);
  open_active(1, "sales_a");
  EXPECT_EQ(open(1, "support"), omni::Status::policy_refused);
  EXPECT_NE(omni::Kernel::last_policy_reason().find("already has an active session"),
            std::string_view::npos)
      << omni::Kernel::last_policy_reason();
  EXPECT_EQ(open(1, "sales_b", /*bot=*/true), omni::Status::policy_refused);
  EXPECT_EQ(open(2, "support"), omni::Status::ok) << "another customer is not affected";
}

TEST_F(KernelWithPolicyPlugin, FlagOffTransfersAndOutbound) {
  start(false);
  omni::ItemId item = open_active(1, "sales_a");
  EXPECT_EQ(kernel->check_outbound(omni::CustomerId{1}, service("sales"),
                                   omni::PolicyOp::outbound_template).allow,
            false);
  EXPECT_TRUE(kernel->check_outbound(omni::CustomerId{1}, service("support"),
                                     omni::PolicyOp::outbound_broadcast).allow);
  // The session moving does not count against itself.
  EXPECT_EQ(kernel->transfer_to_queue(item, queue("support"), omni::PolicyOp::transfer_by_tag),
            omni::Status::ok);
}

TEST_F(KernelWithPolicyPlugin, FlagOnOneSessionPerServiceAndQueue) {
  start(true);
  omni::ItemId in_sales = open_active(1, "sales_a");
  omni::ItemId in_support = open_active(1, "support");
  EXPECT_EQ(open(1, "sales_b"), omni::Status::policy_refused);
  EXPECT_NE(omni::Kernel::last_policy_reason().find("in this service"), std::string_view::npos)
      << omni::Kernel::last_policy_reason();
  // Moving the support session into sales would duplicate the customer there.
  EXPECT_EQ(kernel->transfer_to_queue(in_support, queue("sales_b"), omni::PolicyOp::transfer_bulk),
            omni::Status::policy_refused);
  // Within its own service, a session may move.
  EXPECT_EQ(kernel->transfer_to_queue(in_sales, queue("sales_b")), omni::Status::ok);
  EXPECT_TRUE(kernel->check_outbound(omni::CustomerId{1}, service("sales"),
                                     omni::PolicyOp::outbound_template).allow);
}

}  // namespace
