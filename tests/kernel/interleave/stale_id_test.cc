// Scenario (ii), issue 8 defect 2: a transfer_to_queue holding a stale item id. It loads the item,
// then stalls (here: inside the transfer policy hook, which is a scheduling point) while the item
// is closed, its slot is reused by a new submit, and the new item waits for its only agent to come
// back. When the stale transfer resumes it must change nothing of the slot's new occupant — on
// 1bcf866 it rewrote the new item's arrival and exclusion before its CAS failed, so the new item
// was excluded from its only agent, which then sat idle beside it.
#include "scenario.h"

namespace omni::interleave {
namespace {

TrialFactory stale_transfer(bool separate_status_thread) {
  return [=] {
    TinyConfig t;
    t.capacities = {1.0};
    t.max_items = 1;  // the next submit reuses the closed item's slot
    t.queues = 2;
    auto policy = std::make_shared<YieldingPolicy>();
    PolicyHook* hooks[] = {policy.get()};
    auto w = std::make_shared<World>(tiny_config(t), hooks);
    const ItemId x = w->submit("q0");
    (void)w->k().accept(x, w->a("a0"));
    (void)w->k().set_status(w->a("a0"), w->st("Busy"));  // keeps X, gets nothing new
    Trial trial;
    trial.threads.push_back([w, x] { (void)w->k().transfer_to_queue(x, w->q("q1")); });
    trial.threads.push_back([w, x, separate_status_thread] {
      (void)w->k().close(x);
      if (auto y = w->k().submit({w->q("q0"), CustomerId{0}})) w->track(*y, 1);
      if (!separate_status_thread) (void)w->k().set_status(w->a("a0"), w->st("Online"));
    });
    if (separate_status_thread)
      trial.threads.push_back([w] { (void)w->k().set_status(w->a("a0"), w->st("Online")); });
    trial.check = [w, policy] { return w->check(); };
    return trial;
  };
}

TEST(InterleaveStaleId, StaleTransferToQueueDoesNotTouchTheSlotsNextItem) {
  run_scenario("stale_transfer_to_queue", stale_transfer(false), pct_and_dfs(1500, 3, 2, 6000, 201));
}

TEST(InterleaveStaleId, StaleTransferToQueueThreeThreads) {
  run_scenario("stale_transfer_to_queue 3 threads", stale_transfer(true), pct_and_dfs(1500, 3, 2, 6000, 202));
}

}  // namespace
}  // namespace omni::interleave
