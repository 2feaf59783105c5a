// `omni serve --simulate`: the default scenario's arrival streams post signed webhooks, and its
// agents are played through the agent WebSocket handler, on one thread with a timetable in wall
// time (simulated durations divided by the speed). Agents answer offers after the scenario's
// answer delay, sometimes decline (with a reason) or let the offer time out, handle the item,
// close it, end wrap-up, and return to Available after the kernel moved them (decline, time-out).
#include "omnikernel/service/simulator.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <queue>
#include <thread>

#include <nlohmann/json.hpp>

#include "omnikernel/service/hmac.h"
#include "omnikernel/sim/default_scenario.h"
#include "omnikernel/sim/random.h"
#include "omnikernel/sim/scenario.h"
#include "thread_name.h"

namespace omni::service {
namespace {

using Json = nlohmann::json;
using WallClock = std::chrono::steady_clock;

constexpr const char* kPhoneNumberId = "106540352242922";
constexpr const char* kInstagramAccount = "17841400000000001";

int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Receives the service's pushes for one simulated agent; the simulator's thread reads them.
class Inbox final : public WsPeer {
 public:
  void send(std::string text) override {
    std::lock_guard lock(mutex_);
    messages_.push_back(std::move(text));
  }
  void close(CloseCode, std::string_view) override {}
  std::deque<std::string> take() {
    std::lock_guard lock(mutex_);
    return std::exchange(messages_, {});
  }

 private:
  std::mutex mutex_;
  std::deque<std::string> messages_;
};

struct SimAgent {
  std::string name;
  std::string profile;
  std::shared_ptr<Inbox> inbox;
  std::shared_ptr<WsHandler> handler;
  const sim::AgentBehaviour* behaviour = nullptr;
  bool auto_accept = false;  // the kernel accepts for it: it neither accepts nor declines
};

struct Stream {
  const sim::ArrivalStream* spec;
  WallClock::time_point next;
  std::string text;  // what its customers write, so the demo's routing rules pick its queue
};

class ServiceSimulator final : public Simulator {
 public:
  ServiceSimulator(Service& service, double speed, sim::Scenario scenario)
      : service_(service), speed_(speed), scenario_(std::move(scenario)), rng_(scenario_.seed) {}
  ~ServiceSimulator() override { stop(); }

  std::expected<void, std::string> begin() {
    for (const AgentConfig& a : scenario_.config.agents) {
      // The scenario's agents with "count" were expanded by the loader into name-1 … name-N.
      if (!service_.kernel().find_agent(a.name)) continue;
      SimAgent agent{a.name, a.profile, std::make_shared<Inbox>(), nullptr, &scenario_.behaviour_of(a)};
      HttpRequest request{"GET", "/v1/agents/ws?agent=" + a.name + "&token=" + service_.token_of(a.name), {}, {}};
      Upgrade u = service_.upgrade(request, agent.inbox);
      if (!u.handler) return std::unexpected("agent " + a.name + ": " + u.refusal.body);
      agent.handler = std::move(u.handler);
      std::string presence = a.presence_config;
      for (const ProfileConfig& p : scenario_.config.profiles) {
        if (presence.empty() && p.name == a.profile) presence = p.presence_config;
      }
      for (const PresenceConfigConfig& pc : scenario_.config.presence_configs) {
        if (pc.name == presence) agent.auto_accept = pc.auto_accept;
      }
      agents_.push_back(std::move(agent));
    }
    if (agents_.empty()) return std::unexpected("none of the default scenario's agents is in this configuration");
    const auto now = WallClock::now();
    for (const sim::ArrivalStream& a : scenario_.arrivals) {
      if (a.adapter.empty() || a.rate.empty()) continue;
      std::string text = "I need help with my account";
      if (a.queue == "chat_sales") text = "I want to buy the blue one";
      for (const auto& r : a.requirements) {
        if (r.skill == "Spanish") text = "Hola, quiero comprar";
        if (r.skill == "Portuguese") text = "Olá, obrigado";
      }
      streams_.push_back({&a, now, text});
      streams_.back().next = now + arrival_gap(a);
    }
    start_ = now;
    thread_ = std::thread([this] {
      name_this_thread("omni-sim");
      run();
    });
    return {};
  }

  void stop() override {
    if (stop_.exchange(true)) return;
    if (thread_.joinable()) thread_.join();
  }

 private:
  struct Timed {
    WallClock::time_point at;
    uint64_t seq;
    std::function<void()> action;
    bool operator>(const Timed& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };

  WallClock::duration wall(Duration simulated) const {
    return std::chrono::duration_cast<WallClock::duration>(std::chrono::duration<double>(
        std::chrono::duration<double>(simulated).count() / speed_));
  }
  void at(Duration simulated_delay, std::function<void()> action) {
    timetable_.push({WallClock::now() + wall(simulated_delay), seq_++, std::move(action)});
  }

  double rate_now(const sim::ArrivalStream& a) const {
    const auto simulated = std::chrono::duration_cast<Duration>(
        std::chrono::duration<double>((WallClock::now() - start_)) * speed_);
    const Duration in_day = simulated % scenario_.duration;
    double rate = a.rate.front().per_hour;
    for (const auto& step : a.rate) {
      if (step.from <= in_day) rate = step.per_hour;
    }
    return rate;
  }
  WallClock::duration arrival_gap(const sim::ArrivalStream& a) {
    const double rate = rate_now(a);
    if (rate <= 0) return std::chrono::seconds(60);
    return wall(std::chrono::duration_cast<Duration>(std::chrono::duration<double>(rng_.exponential(3600.0 / rate))));
  }

  std::string payload(const std::string& adapter, const std::string& customer, const std::string& id,
                      const std::string& text) {
    const int64_t ms = unix_ms();
    if (adapter == "whatsapp") {
      Json message{{"from", customer}, {"id", id}, {"timestamp", std::to_string(ms / 1000)}, {"type", "text"},
                   {"text", {{"body", text}}}};
      Json value{{"messaging_product", "whatsapp"},
                 {"metadata", {{"display_phone_number", "15550783881"}, {"phone_number_id", kPhoneNumberId}}},
                 {"contacts", Json::array({{{"profile", {{"name", "Customer " + customer}}}, {"wa_id", customer}}})},
                 {"messages", Json::array({message})}};
      return Json{{"object", "whatsapp_business_account"},
                  {"entry", Json::array({{{"id", "102290129340398"},
                                          {"changes", Json::array({{{"value", value}, {"field", "messages"}}})}}})}}
          .dump();
    }
    if (adapter == "instagram") {
      Json messaging{{"sender", {{"id", customer}}}, {"recipient", {{"id", kInstagramAccount}}}, {"timestamp", ms},
                     {"message", {{"mid", id}, {"text", text}}}};
      return Json{{"object", "instagram"},
                  {"entry", Json::array({{{"id", kInstagramAccount}, {"time", ms}, {"messaging", Json::array({messaging})}}})}}
          .dump();
    }
    return Json{{"object", "webchat"}, {"site", "acme-web"}, {"visitor", customer}, {"session", "s-" + customer},
                {"messages", Json::array({{{"id", id}, {"timestamp", ms}, {"text", text}}})}}
        .dump();
  }

  void arrive(Stream& s) {
    const uint64_t n = scenario_.customers == 0 ? ++message_seq_ : 1 + rng_.below(scenario_.customers);
    const std::string adapter = s.spec->adapter;
    const std::string customer = (adapter == "whatsapp" ? "1555" : adapter == "instagram" ? "67890" : "v-") +
                                 std::to_string(n);
    const std::string id = "sim." + std::to_string(++message_seq_);
    const std::string body = payload(adapter, customer, id, s.text);
    HttpRequest request{"POST", "/webhooks/" + adapter, {}, body};
    const Secrets& secrets = service_.secrets();
    if (adapter == "webchat") {
      request.headers.emplace_back("x-omni-site-key", secrets.site_keys.begin()->second);
    } else {
      const std::string& secret = adapter == "whatsapp" ? secrets.whatsapp_app_secret : secrets.instagram_app_secret;
      request.headers.emplace_back("x-hub-signature-256", "sha256=" + to_hex(hmac_sha256(secret, body)));
    }
    (void)service_.handle(request);
  }

  void command(SimAgent& a, Json c) {
    c["id"] = ++message_seq_;
    a.handler->on_text(c.dump());
  }

  void on_push(SimAgent& a, const Json& m) {
    const std::string type = m.value("type", "");
    const sim::AgentBehaviour& b = *a.behaviour;
    if (type == "offer" && !a.auto_accept) {
      const std::string item = m["item"];
      if (rng_.chance(b.no_answer_probability)) return;  // the push time-out will fire
      const bool decline = rng_.chance(b.decline_probability);
      at(b.answer_delay.sample(rng_), [this, &a, item, decline, &b] {
        if (decline) {
          Json c{{"op", "decline"}, {"item", item}};
          if (!b.decline_reasons.empty()) c["reason"] = b.decline_reasons[rng_.below(b.decline_reasons.size())].reason;
          command(a, c);
        } else {
          command(a, {{"op", "accept"}, {"item", item}});
        }
      });
    } else if (type == "result" && m.value("ok", false) && m.contains("item")) {
      // The simulator's own accept and close: their results carry the state, and no item update
      // repeats them on this connection (docs/API.md).
      const std::string item = m["item"];
      const std::string op = m.value("op", "");
      const std::string state = m.value("state", "");
      if (op == "accept" && state == "active") {
        at(b.handle_time.sample(rng_), [this, &a, item] { command(a, {{"op", "close"}, {"item", item}}); });
      } else if (op == "close" && state == "closed" && b.wrap_up) {
        at(b.wrap_up->sample(rng_), [this, &a, item] { command(a, {{"op", "end_wrap_up"}, {"item", item}}); });
      }
    } else if (type == "item" && m.value("event", "") == "accepted") {  // auto-accepted: no command of ours
      const std::string item = m["item"];
      at(b.handle_time.sample(rng_), [this, &a, item] { command(a, {{"op", "close"}, {"item", item}}); });
    } else if (type == "item" && m.value("event", "") == "closed" && b.wrap_up) {
      const std::string item = m["item"];
      at(b.wrap_up->sample(rng_), [this, &a, item] { command(a, {{"op", "end_wrap_up"}, {"item", item}}); });
    } else if (type == "status" && m.value("status", "") != "Available") {
      // The kernel moved the agent (status on decline / push time-out): back after a while.
      at(b.return_after.sample(rng_), [this, &a] { command(a, {{"op", "set_status"}, {"status", "Available"}}); });
    }
  }

  void run() {
    while (!stop_.load()) {
      const auto now = WallClock::now();
      for (Stream& s : streams_) {
        while (s.next <= now) {
          arrive(s);
          s.next += arrival_gap(*s.spec);
        }
      }
      for (SimAgent& a : agents_) {
        for (const std::string& text : a.inbox->take()) on_push(a, Json::parse(text, nullptr, false));
      }
      while (!timetable_.empty() && timetable_.top().at <= now) {
        auto action = timetable_.top().action;
        timetable_.pop();
        action();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  Service& service_;
  double speed_;
  sim::Scenario scenario_;
  sim::Rng rng_;
  std::vector<SimAgent> agents_;
  std::vector<Stream> streams_;
  std::priority_queue<Timed, std::vector<Timed>, std::greater<>> timetable_;
  uint64_t seq_ = 0;
  uint64_t message_seq_ = 0;
  WallClock::time_point start_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace

std::expected<std::unique_ptr<Simulator>, std::string> Simulator::start(Service& service, double speed) {
  if (!(speed > 0)) return std::unexpected("speed must be > 0");
  auto scenario = sim::load_scenario_text(sim::default_scenario_json(), "default scenario");
  if (!scenario) return std::unexpected(scenario.error().message());
  if (service.secrets().site_keys.empty()) return std::unexpected("the configuration has no web-chat site");
  auto simulator = std::make_unique<ServiceSimulator>(service, speed, std::move(*scenario));
  if (auto started = simulator->begin(); !started) return std::unexpected(started.error());
  return simulator;
}

}  // namespace omni::service
