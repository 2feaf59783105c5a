// /metrics in the Prometheus text exposition format (0.0.4), written here rather than with
// prometheus-cpp, whose core locks a mutex per metric. Gauges are read from the kernel's
// lock-free snapshots at scrape time; counters are the service's relaxed atomics.
#include <array>
#include <cstdio>

#include "service_state.h"

namespace omni::service {
namespace {

class Writer {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  // labels: already formatted `a="b",c="d"` (values escaped by label()).
  void sample(std::string_view name, std::string_view labels, double value) {
    out_ += name;
    if (!labels.empty()) {
      out_ += '{';
      out_ += labels;
      out_ += '}';
    }
    char number[64];
    std::snprintf(number, sizeof number, " %.17g\n", value);
    out_ += number;
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// name="value" with the value escaped as the format requires (\\, \", \n).
std::string label(std::string_view name, std::string_view value) {
  std::string out(name);
  out += "=\"";
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace

std::string metrics_text(Service::State& s) {
  Writer w;
  Kernel& k = *s.kernel;

  // Items by state: the service's open conversations, each read from the kernel.
  std::array<uint64_t, 6> by_state{};
  {
    std::lock_guard lock(s.conversations_mutex);
    for (const auto& [id, c] : s.by_item) {
      if (auto snap = k.item(c->item)) ++by_state[static_cast<size_t>(snap->state)];
    }
  }
  w.family("omni_items", "gauge", "Work items by state.");
  for (ItemState st : {ItemState::queued, ItemState::offered, ItemState::active, ItemState::paused, ItemState::wrap_up}) {
    w.sample("omni_items", label("state", to_string(st)), static_cast<double>(by_state[static_cast<size_t>(st)]));
  }

  w.family("omni_queue_waiting", "gauge", "Items waiting in the queue.");
  std::string oldest;
  const Time now = s.clock.now();
  for (uint32_t q = 0; q < s.queues.size(); ++q) {
    auto snap = k.queue(QueueId{q});
    if (!snap) continue;
    w.sample("omni_queue_waiting", label("queue", s.queues[q]->name), snap->waiting);
  }
  w.family("omni_queue_oldest_wait_seconds", "gauge", "Wait of the oldest waiting item (0 when none).");
  for (uint32_t q = 0; q < s.queues.size(); ++q) {
    auto snap = k.queue(QueueId{q});
    if (!snap) continue;
    const double wait = snap->oldest ? std::chrono::duration<double>(now - *snap->oldest).count() : 0.0;
    w.sample("omni_queue_oldest_wait_seconds", label("queue", s.queues[q]->name), wait);
  }
  w.family("omni_queue_answered_total", "counter", "Items accepted from the queue.");
  for (const auto& q : s.queues) w.sample("omni_queue_answered_total", label("queue", q->name), q->answered.load());
  w.family("omni_queue_answered_in_threshold_total", "counter",
           "Items accepted within the service-level threshold.");
  for (const auto& q : s.queues) {
    w.sample("omni_queue_answered_in_threshold_total", label("queue", q->name), q->answered_in_threshold.load());
  }
  w.family("omni_queue_abandoned_total", "counter", "Items abandoned or expired while waiting.");
  for (const auto& q : s.queues) w.sample("omni_queue_abandoned_total", label("queue", q->name), q->abandoned.load());

  std::array<uint64_t, 7> activities{};
  for (uint32_t a = 0; a < k.agent_count(); ++a) {
    if (auto snap = k.agent(AgentId{a})) ++activities[static_cast<size_t>(snap->activity)];
  }
  w.family("omni_agents", "gauge", "Agents by activity.");
  for (size_t i = 0; i < activities.size(); ++i) {
    w.sample("omni_agents", label("activity", to_string(static_cast<AgentActivity>(i))), static_cast<double>(activities[i]));
  }

  auto counter = [&](std::string_view name, std::string_view help, const std::atomic<uint64_t>& v) {
    w.family(name, "counter", help);
    w.sample(name, {}, static_cast<double>(v.load(std::memory_order_relaxed)));
  };
  counter("omni_items_submitted_total", "Work items opened by inbound messages.", s.counters.submitted);
  counter("omni_offers_total", "Offers made to agents.", s.counters.offers);
  counter("omni_accepts_total", "Offers accepted.", s.counters.accepts);
  counter("omni_declines_total", "Offers declined.", s.counters.declines);
  counter("omni_push_timeouts_total", "Offers that timed out.", s.counters.timeouts);
  counter("omni_messages_continued_total", "Messages added to an open conversation.", s.counters.continued);
  counter("omni_messages_duplicate_total", "Messages dropped as duplicates (Meta retries).", s.counters.duplicates);
  counter("omni_messages_unrouted_total", "Messages no routing rule matched.", s.counters.unrouted);
  counter("omni_messages_refused_total", "Messages the kernel or a policy refused.", s.counters.policy_refused);
  counter("omni_replies_sent_total", "Agent replies delivered.", s.counters.replies_sent);
  counter("omni_replies_failed_total", "Agent replies the channel did not take.", s.counters.replies_failed);
  counter("omni_replies_refused_total", "Agent replies the outbound gate refused.", s.counters.replies_refused);

  w.family("omni_webhook_requests_total", "counter", "Webhook requests by channel and HTTP status.");
  {
    std::lock_guard lock(s.counters.webhook_mutex);
    for (const auto& [key, n] : s.counters.webhooks) {
      w.sample("omni_webhook_requests_total", label("channel", key.first) + "," + label("code", std::to_string(key.second)),
               static_cast<double>(n));
    }
  }

  w.family("omni_routing_latency_seconds", "histogram", "Submit to first offer, kernel time.");
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= LatencyHistogram::kBounds.size(); ++i) {
    cumulative += s.routing_latency.bucket(i);
    char le[32];
    if (i < LatencyHistogram::kBounds.size()) {
      std::snprintf(le, sizeof le, "%g", LatencyHistogram::kBounds[i]);
    } else {
      std::snprintf(le, sizeof le, "+Inf");
    }
    w.sample("omni_routing_latency_seconds_bucket", label("le", le), static_cast<double>(cumulative));
  }
  w.sample("omni_routing_latency_seconds_sum", {}, s.routing_latency.sum_seconds());
  w.sample("omni_routing_latency_seconds_count", {}, static_cast<double>(cumulative));

  if (s.durable) {
    // Journal lag: records appended but not yet synced. Durable ≤ appended; the lag stays near
    // one group commit's worth unless the disk falls behind.
    const uint64_t appended = s.durable->journal().last_appended();
    const uint64_t durable = s.durable->durable_lsn();
    w.family("omni_journal_appended_records", "gauge", "Last journal record appended (LSN).");
    w.sample("omni_journal_appended_records", {}, static_cast<double>(appended));
    w.family("omni_journal_durable_records", "gauge", "Last journal record durable (synced) (LSN).");
    w.sample("omni_journal_durable_records", {}, static_cast<double>(durable));
    w.family("omni_journal_lag_records", "gauge", "Journal records appended but not yet durable.");
    w.sample("omni_journal_lag_records", {}, static_cast<double>(appended > durable ? appended - durable : 0));
    w.family("omni_journal_stopped", "gauge", "1 when the journal stopped (disk full, I/O error): restart needed.");
    w.sample("omni_journal_stopped", {}, s.journal_stopped.load(std::memory_order_relaxed) ? 1.0 : 0.0);
  }

  const KernelStats stats = k.stats();
  w.family("omni_routing_deferred_total", "counter", "Times routing waited for the event ring to drain.");
  w.sample("omni_routing_deferred_total", {}, static_cast<double>(stats.routing_deferred));
  return w.take();
}

}  // namespace omni::service
