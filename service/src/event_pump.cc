// The event pump: the one thread that drains kernel events (Kernel::poll_events has a single
// drainer) and ticks its timers. Each event updates the conversations' holders and the metrics
// and is fanned out to the agent concerned, the supervisors' recent-events list, and — for an
// offer — carries the conversation so far, so the agent sees what the customer said.
#include <array>

#include "journal_records.h"
#include "json_writer.h"
#include "service_state.h"

namespace omni::service {
namespace {

using namespace std::chrono_literals;

std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string offer_text(const Service::State& s, const Conversation& c) {
  JsonWriter w;
  w.begin_object()
      .member("type", "offer")
      .member("item", item_string(c.item))
      .member("queue", s.queue_name(c.queue))
      .member("channel", c.channel)
      .member("account", c.account)
      .member("customer", c.customer)
      .key("messages")
      .begin_array();
  for (const StoredMessage& m : c.messages) {
    w.begin_object()
        .member("id", m.id)
        .member("kind", m.kind)
        .member("text", m.text)
        .member("timestamp_ms", m.timestamp_ms)
        .end_object();
  }
  return w.end_array().end_object().take();
}

// The state an event leaves the item in, for the agent's item update.
std::string_view state_after(EventType t) {
  switch (t) {
    case EventType::accepted:
    case EventType::resumed: return "active";
    case EventType::paused: return "paused";
    case EventType::closed: return "closed";
    case EventType::wrap_up_ended:
    case EventType::done:
    case EventType::abandoned:
    case EventType::expired: return "done";
    case EventType::declined:
    case EventType::push_timed_out:
    case EventType::transferred: return "gone";
    default: return "offered";
  }
}

void handle_event(Service::State& s, const Event& e) {
  if (e.type == EventType::agent_status) {
    s.supervisor_urgent.store(true, std::memory_order_relaxed);
    const std::string text = dump({{"type", "status"}, {"status", s.status_name(StatusId{e.reason})}});
    s.peers.to_agent(e.agent, text);
  } else if (e.type == EventType::agent_missed || e.type == EventType::agent_missed_ended) {
    s.peers.to_agent(e.agent, dump({{"type", "missed"}, {"missed", e.type == EventType::agent_missed}}));
  } else if (index(e.item) != 0) {
    std::lock_guard lock(s.conversations_mutex);
    auto it = s.by_item.find(index(e.item));
    Conversation* c = it == s.by_item.end() ? nullptr : it->second.get();
    const AgentId holder = c != nullptr ? c->agent : kNoAgent;
    const AgentId concerned = e.agent != kNoAgent ? e.agent : holder;
    switch (e.type) {
      case EventType::offered:
        s.counters.offers.fetch_add(1, std::memory_order_relaxed);
        if (c != nullptr) {
          if (!c->offered_once) {
            c->offered_once = true;
            s.routing_latency.observe(std::chrono::duration<double>(e.at - c->arrival).count());
          }
          c->agent = e.agent;
          s.peers.to_agent(e.agent, offer_text(s, *c));
        }
        break;
      case EventType::accepted:
        s.counters.accepts.fetch_add(1, std::memory_order_relaxed);
        if (c != nullptr && index(c->queue) < s.queues.size()) {
          QueueInfo& q = *s.queues[index(c->queue)];
          q.answered.fetch_add(1, std::memory_order_relaxed);
          if (e.at - c->arrival <= s.config.service.service_level_threshold) {
            q.answered_in_threshold.fetch_add(1, std::memory_order_relaxed);
          }
        }
        break;
      case EventType::declined: s.counters.declines.fetch_add(1, std::memory_order_relaxed); break;
      case EventType::push_timed_out:
        s.counters.timeouts.fetch_add(1, std::memory_order_relaxed);
        s.peers.to_agent(concerned, dump({{"type", "timeout"}, {"item", item_string(e.item)}}));
        break;
      case EventType::abandoned:
      case EventType::expired:
        if (c != nullptr && index(c->queue) < s.queues.size()) {
          s.queues[index(c->queue)]->abandoned.fetch_add(1, std::memory_order_relaxed);
        }
        break;
      default: break;
    }
    if (e.type != EventType::offered && e.type != EventType::submitted && concerned != kNoAgent) {
      s.peers.item_update(concerned, e.item, e.type, [&] {
        return JsonWriter()
            .begin_object()
            .member("type", "item")
            .member("item", item_string(e.item))
            .member("event", to_string(e.type))
            .member("state", state_after(e.type))
            .end_object()
            .take();
      });
    }
    if (c != nullptr) {
      if (e.type == EventType::declined || e.type == EventType::push_timed_out) c->agent = kNoAgent;
      if (e.type == EventType::transferred) {
        c->agent = kNoAgent;  // an `offered` follows for a transfer to an agent
        if (e.queue != kNoQueue && index(e.queue) < s.queues.size()) c->queue = e.queue;
      }
      if (e.type == EventType::overflowed && e.queue != kNoQueue) c->queue = e.queue;
      if (e.type == EventType::done) {
        // The journal's record of the conversation is this one's unless a newer conversation
        // took the key (its record replaced this one's): erase only what is this one's.
        auto k = s.by_key.find(c->key);
        const bool ours = k == s.by_key.end() || k->second.get() == c;
        if (s.durable && ours && !s.journal_stopped.load(std::memory_order_relaxed)) {
          if (auto erased = s.durable->write_host({conversation_erase(c->key)}); !erased)
            s.stop_journal("conversation erase", journal::to_string(erased.error()));
        }
        if (k != s.by_key.end() && ours) s.by_key.erase(k);
        s.by_item.erase(it);
      }
    }
  }
  std::lock_guard lock(s.recent_mutex);
  s.recent.push_back(e);
  while (s.recent.size() > s.config.service.limits.recent_events) s.recent.pop_front();
}

}  // namespace

void pump_once(Service::State& s) {
  // Timers first, so that what they fire is drained in the same round.
  (void)s.kernel->tick(s.clock.now());  // events_full: they fire on a later round, after draining
  // Kept per thread, not on the stack: Event's member initialisers made a fresh array a 14 KB
  // memset on every drain, three drains per message — ~48,000 instructions per webhook message
  // under `omni load` (callgrind), more than the kernel's and the parser's work together.
  thread_local std::array<Event, 256> events;
  for (;;) {
    size_t n = 0;
    if (s.durable) {
      if (s.journal_stopped.load(std::memory_order_relaxed)) return;
      // Each batch is appended to the journal before the service acts on it (an offer leaves
      // once its event is journaled; webhooks wait for durability, not the pump).
      const durable::DrainResult r = s.durable->drain(events);
      n = r.events;
      if (r.status == durable::DrainStatus::busy) {
        for (size_t i = 0; i < n; ++i) handle_event(s, events[i]);
        return;  // the disk is behind: the batch is held and appended on a later round
      }
      if (r.status != durable::DrainStatus::ok) {
        // Disk full, I/O error or a batch the model refused: nothing more can be made durable.
        // Stop draining (the kernel's ring fills and answers events_full: webhooks get 503), say
        // so once, and let /readyz take the instance out of rotation until it is restarted.
        for (size_t i = 0; i < n; ++i) handle_event(s, events[i]);
        s.stop_journal("drain", durable::to_string(r.status));
        return;
      }
    } else {
      n = s.kernel->poll_events(events);
    }
    for (size_t i = 0; i < n; ++i) handle_event(s, events[i]);
    if (n < events.size()) break;
  }
}

void drain_now(Service::State& s) {
  s.drain_wanted.store(true);
  do {
    std::unique_lock lock(s.drain_mutex, std::try_to_lock);
    // Someone is draining: it looks at drain_wanted again after it unlocks, so what this
    // thread's request caused is drained by it without waiting for a wake.
    if (!lock.owns_lock()) return;
    if (!s.drain_open) {
      lock.unlock();
      s.wake_pump();  // not started, or stopping: the pump (or stop()) drains
      return;
    }
    s.drain_wanted.store(false);
    pump_once(s);
  } while (s.drain_wanted.load());  // read after unlocking: a request that failed to lock set it
}

void run_event_pump(Service::State& s) {
  const auto interval = std::chrono::duration_cast<std::chrono::microseconds>(s.config.service.tick_interval);
  while (!s.pump_stop.load(std::memory_order_acquire)) {
    {
      std::lock_guard lock(s.drain_mutex);
      s.drain_wanted.store(false);
      pump_once(s);
    }
    if (s.drain_wanted.load()) drain_now(s);
    const auto now = std::chrono::steady_clock::now();
    const auto since = now - s.last_supervisor_push;
    if (since >= 500ms || (s.supervisor_urgent.load(std::memory_order_relaxed) && since >= 100ms)) {
      s.last_supervisor_push = now;
      s.supervisor_urgent.store(false, std::memory_order_relaxed);
      bool any = false;
      {
        std::lock_guard lock(s.peers.mutex);
        any = !s.peers.supervisors.empty();
      }
      if (any) s.peers.to_supervisors(dump({{"type", "state"}, {"state", supervisor_state(s)}}));
    }
    // Woken early when a request could not drain what it caused (drain_now), and by live changes.
    std::unique_lock lock(s.pump_mutex);
    const auto wait = s.supervisor_urgent.load(std::memory_order_relaxed) ? std::min<std::chrono::microseconds>(interval, 100ms) : interval;
    s.pump_wake.wait_for(lock, wait, [&] { return s.pump_pending || s.pump_stop.load(std::memory_order_acquire); });
    s.pump_pending = false;
  }
}

}  // namespace omni::service
