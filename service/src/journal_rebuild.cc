// After a restart with a journal: the service's conversations and seen message ids come back
// from the host table that DurableKernel::open recovered, checked against the restored kernel.
//
// Why an entry can be stale, and what is done with it:
//  - a conversation whose item is not in the kernel: its `host` record became durable but the
//    events record with the item's `submitted` did not (the host record precedes it). Its
//    webhook was never acknowledged (the acknowledgement waits for the item), so Meta retries:
//    the conversation is dropped, and so is every seen id that waited for that item, so the retry
//    is processed rather than swallowed as a duplicate. An item whose customer differs from the
//    record's is the same case (the restored kernel may reissue the id of an item that never
//    became durable);
//  - a conversation whose item is done: the erase after `done` was cut off — dropped;
//  - more seen ids than the dedupe window holds (the window was made smaller): the oldest go.
// Every drop is journaled as an erase, in one record, before the service takes traffic.
#include <algorithm>

#include "journal_config.h"
#include "journal_records.h"
#include "omnikernel/sdk/customer_id.hpp"
#include "service_state.h"

namespace omni::service {

std::expected<void, std::string> rebuild_from_journal(Service::State& s) {
  const durable::HostTable table = s.durable->host_table();
  std::vector<durable::HostOp> erases;
  std::vector<uint64_t> dropped_items;
  size_t conversations = 0;
  for (auto it = table.lower_bound(kConversationPrefix); it != table.end() && it->first.starts_with(kConversationPrefix); ++it) {
    auto r = decode_conversation(it->first, it->second);
    if (!r) return std::unexpected(r.error());
    const ItemId item{r->item};
    auto snapshot = s.kernel->item(item);
    if (!snapshot || snapshot->state == ItemState::free ||
        snapshot->customer != CustomerId{sdk::fnv1a_customer_id(r->customer)}) {
      erases.push_back(durable::HostOp::erase(it->first));
      dropped_items.push_back(r->item);
      continue;
    }
    auto c = std::make_shared<Conversation>();
    c->key = r->key;
    c->channel = r->channel;
    c->account = r->account;
    c->customer = r->customer;
    c->route = r->route;
    c->item = item;
    // Where the kernel has it now: a transfer or overflow may have moved it since it opened; an
    // offer was turned back into a wait by the restore (image.h), so only a holder is kept.
    c->queue = snapshot->queue;
    c->agent = snapshot->state == ItemState::offered ? kNoAgent : snapshot->agent;
    c->arrival = snapshot->arrival;
    c->offered_once = true;  // its routing latency was measured (or is lost) in the last run
    c->last_inbound_ms = r->last_inbound_ms;
    for (auto& m : r->messages) c->messages.push_back({std::move(m.id), std::move(m.kind), std::move(m.text), m.timestamp_ms});
    s.by_key[c->key] = c;
    s.by_item[index(item)] = std::move(c);
    ++conversations;
  }
  struct Seen {
    std::string key;
    SeenRecord record;
  };
  std::vector<Seen> seen;
  for (auto it = table.lower_bound(kSeenPrefix); it != table.end() && it->first.starts_with(kSeenPrefix); ++it) {
    auto r = decode_seen(it->first, it->second);
    if (!r) return std::unexpected(r.error());
    if (r->item != 0 && std::ranges::find(dropped_items, r->item) != dropped_items.end()) {
      erases.push_back(durable::HostOp::erase(it->first));
      continue;
    }
    seen.push_back({it->first.substr(kSeenPrefix.size()), *r});
  }
  std::ranges::sort(seen, {}, [](const Seen& x) { return x.record.order; });
  std::vector<std::string> forgotten;
  for (const Seen& x : seen) (void)s.dedupe.claim(x.key, &forgotten);
  for (const std::string& key : forgotten) erases.push_back(seen_erase(key));
  s.seen_order = seen.empty() ? 0 : seen.back().record.order + 1;
  for (const auto& [key, value] : table) {
    if (!key.starts_with(kConversationPrefix) && !key.starts_with(kSeenPrefix) && key != kLiveConfigKey &&
        key != kLiveRoutesKey)
      return std::unexpected("journal host record " + key + ": not a record of omni serve (is this another host's journal?)");
  }
  if (!erases.empty()) {
    auto lsn = s.durable->write_host(std::move(erases));
    if (!lsn) return std::unexpected("journal: dropping stale host records: " + std::string(journal::to_string(lsn.error())));
  }
  s.log.info("journal_recovered", {{"items", s.durable->recovered_items()},
                                   {"conversations", conversations},
                                   {"conversations_dropped", dropped_items.size()},
                                   {"seen_ids", s.dedupe.size()},
                                   {"durable_lsn", s.durable->durable_lsn()}});
  return {};
}

}  // namespace omni::service
