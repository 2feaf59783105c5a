// Customers arriving: Poisson streams (through an adapter plugin when one is named) and replayed
// webhook payloads, each submitted to the kernel.
#include "arrival_process.h"
#include "omnikernel/config/duration.h"
#include "simulation_impl.h"

namespace omni::sim {

using internal::ActionKind;

namespace {

uint64_t key_of(ItemId item) { return omni::index(item); }

}  // namespace

void Simulation::Impl::arrive(uint32_t stream) {
  const ArrivalStream& a = scenario.arrivals[stream];
  Rng& rng = stream_rngs[stream];
  if (auto next = internal::next_arrival(a.rate, now(), end, rng)) {
    calendar.schedule(*next, ActionKind::arrival, stream);
  }
  const uint64_t number = scenario.customers > 0 ? 1 + rng.below(scenario.customers) : ++next_customer;
  const std::string customer = std::to_string(number);
  if (!a.adapter.empty() && plugins->has_adapter(a.adapter)) {
    const std::string_view tmpl =
        a.payload_template.empty() ? internal::builtin_payload_template(a.adapter) : a.payload_template;
    const int64_t epoch_ms = 1'700'000'000'000 + std::chrono::duration_cast<std::chrono::milliseconds>(
                                                     now().time_since_epoch()).count();
    const std::string payload =
        internal::render_payload(tmpl, customer, std::to_string(++next_message), epoch_ms, "Hello, I need help");
    auto messages = timed(Op::adapter_parse, [&] { return plugins->parse(a.adapter, payload); });
    if (!messages) {
      ++adapter_errors;
      last_adapter_error = messages.error();
      return;
    }
    for (const internal::CustomerMessage& m : *messages) {
      submit(stream, scenario.customers > 0 ? internal::customer_hash(m.customer) : 0, 0);
    }
    return;
  }
  // Without a customer population every arrival is an anonymous customer (CustomerId 0): the
  // kernel tracks at most limits.max_customers distinct customers over its lifetime.
  submit(stream, scenario.customers > 0 ? internal::customer_hash(customer) : 0, 0);
}

void Simulation::Impl::replay(uint32_t stream, uint64_t index) {
  const ReplayMessage& m = replays[stream][index];
  if (open_conversations.contains(m.conversation)) return;  // a follow-up in an open conversation
  submit(stream, internal::customer_hash(m.customer), m.conversation);
}

void Simulation::Impl::submit(uint32_t stream, uint64_t customer, uint64_t conversation) {
  const ArrivalStream& a = scenario.arrivals[stream];
  const uint32_t q = stream_queue[stream];
  QueueModel& queue = queues[q];
  const bool counted = now() >= warmup;
  SubmitRequest request;
  request.queue = queue.id;
  request.customer = CustomerId{customer};
  request.is_bot = a.bot_fraction > 0 && stream_rngs[stream].chance(a.bot_fraction);
  const int32_t set = stream_requirements[stream];
  if (set >= 0) request.requirements = requirement_sets[set].id;
  request.preferred = stream_preferred[stream];
  request.prefer_last_agent = a.prefer_last_agent;
  request.preferred_wait = a.preferred_wait;
  // The customer's last agent, and the agent this submit asks for. The kernel recalls the last
  // agent within the submit; asking its memory just before gives the same answer (one simulation
  // thread drives it).
  const AgentId last = customer != 0 ? kernel->last_agent(request.customer).value_or(kNoAgent) : kNoAgent;
  const AgentId asked = a.prefer_last_agent ? last : request.preferred;
  const Result<ItemId> id = timed(Op::submit, [&] { return kernel->submit(request); });
  const bool explain_this = ++arrivals == options.explain_item;
  if (counted) {
    queue.counters.offered++;
    live[q].offered.fetch_add(1, std::memory_order_relaxed);
    if (set >= 0) requirement_sets[set].counters.offered++;
  }
  if (!id) {
    if (counted) queue.counters.refused++;
    if (counted && set >= 0) requirement_sets[set].counters.refused++;
    refused[with_policy_reason(id.error())]++;
    if (explain_this) {
      ExplainReport& x = explain.emplace();
      x.item = arrivals;
      x.at_s = config::to_seconds(now().time_since_epoch());
      x.queue = queue.name;
      x.note = "the kernel refused its submit: " + with_policy_reason(id.error());
    }
    drain();
    return;
  }
  // Before the events are drained: what the kernel did with it within the submit.
  if (explain_this) capture_explain(*id, q, set);
  SimItem item;
  item.arrival = now();
  item.queue = q;
  item.current_queue = q;
  item.counted = counted;
  item.conversation = conversation;
  item.requirement_set = set;
  item.preferred = asked;
  item.last_agent = last;
  if (counted) {
    charge(item, [&](ContactCounters& c) {
      if (asked != kNoAgent) c.preferred_asked++;
      if (last != kNoAgent) c.returning++;
    });
  }
  items.emplace(key_of(*id), item);
  // The kernel drops each optional skill on its timer: tick right then, so that the drop (and
  // the offer it may make) happens at the time the scenario says, not at the next tick_interval.
  if (set >= 0) {
    for (Duration after : requirement_sets[set].drop_after) {
      calendar.schedule(now() + after + timer_resolution, ActionKind::tick);
    }
  }
  schedule_queue_timers(item, q);
  // The preference lapses on the kernel's timer too: tick when it is due.
  if (asked != kNoAgent) calendar.schedule(now() + a.preferred_wait + timer_resolution, ActionKind::tick);
  if (conversation) open_conversations[conversation] = key_of(*id);
  const std::optional<Distribution>& patience = a.patience ? a.patience : scenario.patience;
  if (patience) calendar.schedule(now() + patience->sample(stream_rngs[stream]), ActionKind::abandon, key_of(*id));
  drain();
}

// Overflow and expiry fire on the kernel's timer wheel: tick right when they are due (counted from
// the arrival), so that they happen at the time the configuration says, not at the next
// tick_interval. Called at the submit and again when an item overflows into another queue.
void Simulation::Impl::schedule_queue_timers(const SimItem& item, uint32_t q) {
  for (Duration after : {queues[q].overflow_after, queues[q].max_wait}) {
    if (after <= Duration::zero()) continue;
    const Time due = item.arrival + after + timer_resolution;
    if (due > now()) calendar.schedule(due, ActionKind::tick);
  }
}

void Simulation::Impl::capture_explain(ItemId id, uint32_t q, int32_t set) {
  ExplainReport& x = explain.emplace();
  x.item = arrivals;
  x.at_s = config::to_seconds(now().time_since_epoch());
  x.queue = queues[q].name;
  if (set >= 0) x.requirements = requirement_label(requirement_sets[set].skills);
  const Result<Explanation> e = kernel->explain(id);
  if (!e) {
    const Result<ItemSnapshot> s = kernel->item(id);
    if (s) x.state = std::string(to_string(s->state));
    x.note = "not waiting or offered right after its submit (" +
             std::string(s ? to_string(s->state) : to_string(e.error())) + "): nothing to explain";
    return;
  }
  x.found = true;
  x.state = std::string(to_string(e->state));
  if (auto qi = queue_index(e->queue)) x.queue = queues[*qi].name;
  if (e->holder != kNoAgent && omni::index(e->holder) < agents.size()) x.holder = agents[omni::index(e->holder)].name;
  x.skills_dropped = e->skills_dropped;
  for (const Candidate& c : e->candidates) {
    ExplainCandidateReport cr;
    cr.agent = omni::index(c.agent) < agents.size() ? agents[omni::index(c.agent)].name
                                                    : std::to_string(omni::index(c.agent));
    cr.verdict = std::string(to_string(c.verdict));
    cr.used = c.used_milli / 1000.0;
    cr.capacity = c.capacity_milli / 1000.0;
    cr.needed = c.needed_milli / 1000.0;
    x.candidates.push_back(std::move(cr));
  }
}

std::optional<uint32_t> Simulation::Impl::queue_index(QueueId id) const {
  for (uint32_t q = 0; q < queues.size(); ++q) {
    if (queues[q].id == id) return q;
  }
  return std::nullopt;
}

}  // namespace omni::sim
