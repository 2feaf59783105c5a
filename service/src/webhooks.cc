// Webhooks: Meta's verification handshake, signature checks over the raw body (before any
// parsing), ingest through the channel-adapter plugins, de-duplication by message id,
// conversation continuity and routing rules → Kernel::submit.
#include <algorithm>
#include <array>
#include <cctype>

#include "omnikernel/sdk/customer_id.hpp"
#include "journal_records.h"
#include "json_writer.h"
#include "omnikernel/service/hmac.h"
#include "service_state.h"

namespace omni::service {
namespace {

// GET: hub.mode=subscribe, hub.verify_token=<ours> → echo hub.challenge; a wrong token is 403.
HttpResponse verify_handshake(Service::State& s, const HttpRequest& request) {
  const auto mode = request.query("hub.mode");
  const auto token = request.query("hub.verify_token");
  const auto challenge = request.query("hub.challenge");
  if (!mode || !token || !challenge) {
    return error_response(400, "bad_request", "the verification handshake needs hub.mode, hub.verify_token and hub.challenge");
  }
  if (*mode != "subscribe" || !constant_time_equal(*token, s.secrets.verify_token)) {
    return error_response(403, "forbidden", "verification refused: wrong hub.mode or hub.verify_token");
  }
  return text_response(200, *challenge);
}

bool text_has_keyword(std::string_view text, const std::vector<std::string>& keywords) {
  if (keywords.empty()) return true;
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::ranges::any_of(keywords, [&](const std::string& k) { return lower.find(k) != std::string::npos; });
}

const ResolvedRoute* route_for(const Service::State& s, const runtime::InboundMessage& m) {
  for (const ResolvedRoute& r : s.routes) {
    if (!r.rule.channel.empty() && r.rule.channel != m.channel) continue;
    if (!r.rule.account.empty() && r.rule.account != m.account) continue;
    // No language from the channel: a rule that names one does not match.
    if (!r.rule.language.empty() && !language_matches(r.rule.language, m.language)) continue;
    if (!text_has_keyword(m.text, r.rule.keywords)) continue;
    return &r;
  }
  return nullptr;
}

// Keys longer than this (a dedupe key holds an edit's text; ids and conversation keys come from
// the payload) are replaced by a digest, so that a key always fits the journal's host-table key
// bound (durable/host_table.h) and the memory per key stays small.
constexpr size_t kMaxKeyBytes = 512;
std::string bounded_key(std::string_view channel, std::string raw) {
  if (raw.size() <= kMaxKeyBytes) return raw;
  return std::string(channel) + "|#" + to_hex(hmac_sha256("omni key digest", raw));
}

// One message copied out of the adapter's views (valid only during its callback). `event` says
// what it is: a customer message opens or continues a conversation; a notice (WhatsApp `system`:
// number changed…) and an edit (Instagram `message_edit`: `id` is the edited message's) reach an
// open conversation only and never open or extend the 24-hour window.
struct Message {
  std::string channel, customer, account, conversation, id, kind, text;
  int64_t timestamp_ms = 0;
  sdk::InboundEvent event = sdk::InboundEvent::message;
  std::string language;  // as the channel gave it (web chat); empty = none
  // De-duplication key: an edit carries the id of the message it edits, so its text is part of it.
  [[nodiscard]] std::string dedupe_key() const {
    if (id.empty()) return {};
    return bounded_key(channel, channel + "|" + (event == sdk::InboundEvent::edit ? "edit|" + id + "|" + text : id));
  }
};

// A part of a payload the adapter could not read, copied out of its views.
struct Rejected {
  std::string path, detail, message_id;
};

std::string message_json(const Conversation& c, const StoredMessage& m) {
  return Json{{"type", "message"}, {"item", item_string(c.item)}, {"channel", c.channel},
              {"customer", c.customer}, {"id", m.id}, {"kind", m.kind}, {"text", m.text},
              {"timestamp_ms", m.timestamp_ms}}
      .dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Appends the message to an open conversation and passes it to the agent who has it. Only a
// customer message moves the conversation's last inbound time (the 24-hour window); an edit
// replaces the text of the message it edits (kept as a new entry when that one is gone).
void continue_conversation(Service::State& s, Conversation& c, const Message& m, int64_t received_ms) {
  if (m.event == sdk::InboundEvent::edit) {
    auto edited = std::ranges::find_if(c.messages, [&](const StoredMessage& x) { return x.id == m.id; });
    if (edited != c.messages.end()) {
      edited->text = m.text;
      if (c.agent != kNoAgent) {
        Json update = Json::parse(message_json(c, *edited));
        update["type"] = "message_edited";
        s.peers.to_agent(c.agent, update.dump(-1, ' ', false, Json::error_handler_t::replace));
      }
      s.counters.continued.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  c.messages.push_back({m.id, m.event == sdk::InboundEvent::notice ? "notice" : m.kind, m.text, m.timestamp_ms});
  if (c.messages.size() > kMaxStoredMessages) c.messages.pop_front();
  if (sdk::is_customer_message(m.event)) c.last_inbound_ms = m.timestamp_ms > 0 ? m.timestamp_ms : received_ms;
  if (c.agent != kNoAgent) s.peers.to_agent(c.agent, message_json(c, c.messages.back()));
  s.counters.continued.fetch_add(1, std::memory_order_relaxed);
}

enum class Outcome : uint8_t { new_item, continued, duplicate, unrouted, refused, retry_later, ignored };

// Under conversations_mutex: continuity first, then a new item by the routing rules.
// `touched` is the conversation the message opened or continued (null for the other outcomes):
// with a journal, its record is rewritten and the acknowledgement waits for its item.
Outcome place(Service::State& s, const Message& m, int64_t received_ms, Status& failure, Conversation*& touched) {
  touched = nullptr;
  const std::string key = bounded_key(m.channel, m.channel + "|" + m.conversation);
  if (auto it = s.by_key.find(key); it != s.by_key.end()) {
    auto snapshot = s.kernel->item(it->second->item);
    // A closed conversation (wrap-up or done) does not take new messages: a new item does.
    if (snapshot && snapshot->state != ItemState::wrap_up && snapshot->state != ItemState::free) {
      continue_conversation(s, *it->second, m, received_ms);
      touched = it->second.get();
      return Outcome::continued;
    }
    s.by_key.erase(it);
  }
  // A notice or an edit with no open conversation creates no work (the log and the counts say so).
  if (!sdk::is_customer_message(m.event)) return Outcome::ignored;
  runtime::InboundMessage view{m.channel, m.customer, m.account, m.conversation, m.id,
                               m.kind,    m.text,     m.timestamp_ms, m.event, m.language};
  const ResolvedRoute* route = route_for(s, view);
  if (route == nullptr) return Outcome::unrouted;
  const CustomerId customer{sdk::fnv1a_customer_id(m.customer)};
  // Read before the submit: the kernel may offer within the call, and the routing latency
  // (offer time − arrival) must not come out negative (fuzz_serve_handlers found it did).
  const Time arrival = s.clock.now();
  auto item = s.kernel->submit({route->queue, customer, false, route->requirements});
  if (!item) {
    failure = item.error();
    if (item.error() == Status::policy_refused) {
      // The simultaneous-sessions policy refused a second session: the message belongs to the
      // customer's open one (another channel or service), if the service knows it.
      SessionInfo sessions[8];
      const size_t n = s.kernel->sessions_of(customer, sessions);
      for (size_t i = 0; i < std::min(n, std::size(sessions)); ++i) {
        if (auto open = s.by_item.find(index(sessions[i].item)); open != s.by_item.end()) {
          continue_conversation(s, *open->second, m, received_ms);
          touched = open->second.get();
          return Outcome::continued;
        }
      }
      return Outcome::refused;
    }
    return http_status_of(item.error()) == 503 ? Outcome::retry_later : Outcome::refused;
  }
  auto c = std::make_shared<Conversation>();
  c->key = key;
  c->channel = m.channel;
  c->account = m.account;
  c->customer = m.customer;
  c->route = route->rule.path;
  c->item = *item;
  c->queue = route->queue;
  c->arrival = arrival;
  c->last_inbound_ms = m.timestamp_ms > 0 ? m.timestamp_ms : received_ms;
  c->messages.push_back({m.id, m.kind, m.text, m.timestamp_ms});
  touched = c.get();
  s.by_key[key] = c;
  s.by_item[index(*item)] = std::move(c);
  s.counters.submitted.fetch_add(1, std::memory_order_relaxed);
  return Outcome::new_item;
}

}  // namespace

HttpResponse ingest_payload(Service::State& s, std::string_view channel, std::string_view payload,
                            std::string_view site, std::string_view visitor) {
  HttpResponse answer;
  ingest_payload(s, channel, payload, site, visitor, [&](HttpResponse r) { answer = std::move(r); }, nullptr);
  return answer;
}

void ingest_payload(Service::State& s, std::string_view channel, std::string_view payload, std::string_view site,
                    std::string_view visitor, Respond respond, DurableAcks* acks) {
  auto adapter = s.adapters.find(channel);
  if (adapter == s.adapters.end()) return respond(error_response(404, "not_found", "no such channel"));
  std::vector<Message> messages;
  std::vector<Rejected> rejected;
  bool wrong_site = false;
  // Partial success (ABI 1.2): a bad message in a batch is reported and the rest go on.
  auto parsed = adapter->second.parse(
      payload,
      [&](const runtime::InboundMessage& m) {
        if ((!site.empty() && m.account != site) || (!visitor.empty() && m.customer != visitor)) wrong_site = true;
        messages.push_back({std::string(m.channel), std::string(m.customer), std::string(m.account),
                            std::string(m.conversation), std::string(m.message_id), std::string(m.kind),
                            std::string(m.text), m.timestamp_ms, m.event, std::string(m.language)});
        return true;
      },
      [&](const runtime::Rejection& r) {
        rejected.push_back({std::string(r.path), std::string(r.detail), std::string(r.message_id)});
        return true;
      });
  if (!parsed) {
    // Nothing of the payload could be read. The adapter's message names the JSON path
    // ("entry[0].changes[0].value.messages[1].from: missing").
    return respond(error_response(400, "malformed_payload", parsed.error().message));
  }
  for (const Rejected& r : rejected)
    s.log.warn("webhook_part_rejected", {{"channel", channel}, {"path", r.path}, {"detail", r.detail},
                                         {"message_id", r.message_id}});
  if (wrong_site) return respond(error_response(403, "forbidden", "the payload is for another site (or visitor) than the key's"));
  if (s.durable && s.journal_stopped.load(std::memory_order_acquire)) {
    // Nothing can be made durable any more: refuse before anything is processed, so that Meta's
    // retries reach the restarted service (which recovers what was durable) as new deliveries.
    HttpResponse r = error_response(503, "not_durable", "the journal stopped (see /readyz and the log); retry");
    r.headers.emplace_back("Retry-After", "1");
    return respond(std::move(r));
  }
  const int64_t received_ms = unix_ms_now();
  size_t counts[7] = {};
  // The dedupe keys this request claimed, each with what its acknowledgement waits for.
  std::vector<std::pair<std::string, Receipt>> claimed;
  std::vector<std::string> retried;  // duplicates of messages whose acknowledgement timed out
  Receipt receipt;                   // everything this request waits for
  bool retry = false;
  Status failure = Status::ok;
  {
    std::lock_guard lock(s.conversations_mutex);
    for (const Message& m : messages) {
      // Messages without an id cannot be de-duplicated; they are processed every time.
      const std::string dedupe_key = m.dedupe_key();
      std::vector<std::string> forgotten;
      if (!dedupe_key.empty() && !s.dedupe.claim(dedupe_key, &forgotten)) {
        ++counts[static_cast<size_t>(Outcome::duplicate)];
        s.counters.duplicates.fetch_add(1, std::memory_order_relaxed);
        // A retry of a delivery answered 503 (not durable in time): it was processed once; this
        // one is acknowledged when that processing is durable, never processed twice.
        if (auto pending = s.unacknowledged.find(dedupe_key); pending != s.unacknowledged.end()) {
          receipt.merge(pending->second);
          retried.push_back(dedupe_key);
        }
        continue;
      }
      Outcome outcome = Outcome::retry_later;
      Receipt mine;
      auto decide = [&](std::vector<durable::HostOp>* ops) {
        Conversation* touched = nullptr;
        if (!retry) outcome = place(s, m, received_ms, failure, touched);
        if (touched != nullptr) mine.items.push_back(touched->item);
        if (ops == nullptr) return;
        if (touched != nullptr) ops->push_back(conversation_put(*touched));
        if (!dedupe_key.empty() && outcome != Outcome::retry_later)
          ops->push_back(seen_put(dedupe_key, {s.seen_order++, touched != nullptr ? index(touched->item) : 0}));
        for (const std::string& old : forgotten) ops->push_back(seen_erase(old));
      };
      if (s.durable) {
        // The submit happens inside write_host, so its events are journaled after this record:
        // a durable item always has its conversation (journal_rebuild.cc).
        auto lsn = s.durable->write_host([&](Kernel&) {
          std::vector<durable::HostOp> ops;
          decide(&ops);
          return ops;
        });
        if (lsn) {
          mine.record = *lsn;
        } else {
          mine.failed = true;
          s.stop_journal("webhook host record", journal::to_string(lsn.error()));
        }
      } else {
        decide(nullptr);
      }
      ++counts[static_cast<size_t>(outcome)];
      if (!dedupe_key.empty() && outcome != Outcome::retry_later) claimed.emplace_back(dedupe_key, mine);
      receipt.merge(mine);
      if (outcome == Outcome::retry_later) {
        retry = true;
        if (!dedupe_key.empty()) s.dedupe.release(dedupe_key);  // Meta's retry must get through
      } else if (outcome == Outcome::unrouted) {
        s.counters.unrouted.fetch_add(1, std::memory_order_relaxed);
      } else if (outcome == Outcome::refused) {
        s.counters.policy_refused.fetch_add(1, std::memory_order_relaxed);
      }
    }
  }
  drain_now(s);
  if (counts[static_cast<size_t>(Outcome::unrouted)] > 0 || counts[static_cast<size_t>(Outcome::refused)] > 0) {
    s.log.warn("messages_not_routed", {{"channel", channel},
                                        {"unrouted", counts[static_cast<size_t>(Outcome::unrouted)]},
                                        {"refused", counts[static_cast<size_t>(Outcome::refused)]},
                                        {"status", to_string(failure)}});
  }
  // Acknowledge only what is durable (the journal's seam); a time-out makes Meta retry, and the
  // retry of each message claimed here waits for this receipt (it stays claimed: processed once).
  // With `acks` the wait and the answer happen on its thread, not the caller's (durable_acks.h).
  auto finish = [&s, claimed = std::move(claimed), retried = std::move(retried), retry, failure,
                 counts = std::to_array(counts), message_count = messages.size(),
                 rejected = std::move(rejected)](bool durable) -> HttpResponse {
    {
      std::lock_guard lock(s.conversations_mutex);
      if (durable) {
        for (const auto& [id, r] : claimed) s.unacknowledged.erase(id);
        for (const std::string& id : retried) s.unacknowledged.erase(id);
      } else {
        for (const auto& [id, r] : claimed) {
          // Bounded like the dedupe window: beyond it an arbitrary entry is forgotten (a retry of it
          // is then acknowledged as a plain duplicate, without waiting). Only a journal that stays
          // behind for that many messages gets there.
          if (s.unacknowledged.size() >= s.config.service.limits.dedupe_window) s.unacknowledged.erase(s.unacknowledged.begin());
          s.unacknowledged[id] = r;
        }
      }
    }
    if (!durable) {
      HttpResponse r = error_response(503, "not_durable", "the messages could not be made durable in time; retry");
      r.headers.emplace_back("Retry-After", "1");
      return r;
    }
    if (retry) {
      HttpResponse r = error_response(503, "overloaded", std::string("the kernel refused for now: ") +
                                                             std::string(to_string(failure)) + "; retry");
      r.headers.emplace_back("Retry-After", "1");
      return r;
    }
    // Written without a DOM: this answer is on every webhook's path.
    JsonWriter out;
    out.begin_object()
        .member("messages", uint64_t{message_count})
        .member("new_items", uint64_t{counts[static_cast<size_t>(Outcome::new_item)]})
        .member("continued", uint64_t{counts[static_cast<size_t>(Outcome::continued)]})
        .member("duplicates", uint64_t{counts[static_cast<size_t>(Outcome::duplicate)]})
        .member("unrouted", uint64_t{counts[static_cast<size_t>(Outcome::unrouted)]})
        .member("refused", uint64_t{counts[static_cast<size_t>(Outcome::refused)]})
        .member("ignored", uint64_t{counts[static_cast<size_t>(Outcome::ignored)]})
        .key("rejected")
        .begin_array();
    for (const Rejected& r : rejected) {
      out.begin_object().member("path", r.path).member("detail", r.detail).member("message_id", r.message_id).end_object();
    }
    return {200, "application/json", out.end_array().end_object().take(), {}};
  };
  const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(s.config.service.limits.durable_timeout);
  if (acks != nullptr) {
    acks->defer(std::move(receipt), timeout,
                [finish = std::move(finish), respond = std::move(respond)](bool durable) { respond(finish(durable)); });
    return;
  }
  respond(finish(s.durability->wait(receipt, timeout)));
}

HttpResponse handle_webhook(Service::State& s, std::string_view channel, const HttpRequest& request) {
  HttpResponse answer;
  handle_webhook(s, channel, request, [&](HttpResponse r) { answer = std::move(r); }, nullptr);
  return answer;
}

void handle_webhook(Service::State& s, std::string_view channel, const HttpRequest& request, Respond respond,
                    DurableAcks* acks) {
  // Counted when answered, which with `acks` is later and on another thread.
  Respond counted = [&s, channel = std::string(channel), respond = std::move(respond)](HttpResponse r) {
    s.counters.webhook(channel, r.status);
    respond(std::move(r));
  };
  if (request.method == "GET" && channel != "webchat") return counted(verify_handshake(s, request));
  if (request.method != "POST") return counted(error_response(405, "method_not_allowed", "use POST (GET for Meta's handshake)"));
  // The socket layer refuses larger bodies before reading them; this is for direct callers.
  if (request.body.size() > s.config.service.limits.max_body_bytes) {
    return counted(error_response(413, "payload_too_large", "the body exceeds limits.max_body_bytes"));
  }
  std::string site;
  if (channel == "webchat") {
    const std::string_view key = request.header("x-omni-site-key");
    for (const auto& [name, value] : s.secrets.site_keys) {
      if (constant_time_equal(key, value)) site = name;
    }
    if (site.empty()) return counted(error_response(401, "unauthorized", "missing or unknown X-Omni-Site-Key"));
  } else {
    const std::string& secret = channel == "whatsapp" ? s.secrets.whatsapp_app_secret : s.secrets.instagram_app_secret;
    const SignatureCheck check = check_hub_signature(request.header("x-hub-signature-256"), request.body, secret);
    if (check != SignatureCheck::ok) {
      s.log.warn("webhook_signature", {{"channel", channel}, {"check", to_string(check)}});
      return counted(error_response(401, "unauthorized", std::string("X-Hub-Signature-256 ") + std::string(to_string(check))));
    }
  }
  ingest_payload(s, channel, request.body, site, {}, std::move(counted), acks);
}

}  // namespace omni::service
