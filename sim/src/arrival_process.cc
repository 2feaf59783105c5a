#include "arrival_process.h"
#include "omnikernel/sdk/customer_id.hpp"

#include "omnikernel/config/duration.h"

namespace omni::sim::internal {

std::optional<Time> next_arrival(const std::vector<RateStep>& steps, Time after, Time end, Rng& rng) {
  Time t = after;
  while (t < end) {
    // The step in force at t: the last one whose start is at or before t.
    size_t i = 0;
    while (i + 1 < steps.size() && Time{steps[i + 1].from} <= t) ++i;
    const Time step_end = i + 1 < steps.size() ? Time{steps[i + 1].from} : end;
    const double per_second = steps[i].per_hour / 3600.0;
    if (per_second <= 0) {
      t = step_end;
      continue;
    }
    const Duration gap{static_cast<int64_t>(rng.exponential(1e9 / per_second))};
    if (t + gap < step_end) return t + gap;
    t = step_end;
  }
  return std::nullopt;
}

std::string_view builtin_payload_template(std::string_view adapter) {
  if (adapter == "webchat") {
    return R"({"object":"webchat","site":"sim-site","visitor":"{customer}","session":"s-{message_id}",)"
           R"("messages":[{"id":"m-{message_id}","timestamp":{timestamp_ms},"text":"{text}"}]})";
  }
  if (adapter == "whatsapp") {
    return R"({"object":"whatsapp_business_account","entry":[{"id":"100000000000001","changes":[{)"
           R"("field":"messages","value":{"messaging_product":"whatsapp","metadata":{)"
           R"("display_phone_number":"15550000000","phone_number_id":"100000000000002"},)"
           R"("contacts":[{"profile":{"name":"Customer {customer}"},"wa_id":"{customer}"}],)"
           R"("messages":[{"from":"{customer}","id":"wamid.{message_id}","timestamp":"{timestamp_s}",)"
           R"("type":"text","text":{"body":"{text}"}}]}}]}]})";
  }
  if (adapter == "instagram") {
    return R"({"object":"instagram","entry":[{"id":"17841400000000001","time":{timestamp_ms},)"
           R"("messaging":[{"sender":{"id":"{customer}"},"recipient":{"id":"17841400000000001"},)"
           R"("timestamp":{timestamp_ms},"message":{"mid":"mid.{message_id}","text":"{text}"}}]}]})";
  }
  return {};
}

std::string render_payload(std::string_view tmpl, std::string_view customer, std::string_view message_id,
                           int64_t timestamp_ms, std::string_view text) {
  std::string out;
  out.reserve(tmpl.size() + 64);
  const std::string ms = std::to_string(timestamp_ms);
  const std::string s = std::to_string(timestamp_ms / 1000);
  size_t i = 0;
  while (i < tmpl.size()) {
    if (tmpl[i] == '{') {
      const size_t close = tmpl.find('}', i);
      if (close != std::string_view::npos) {
        const std::string_view key = tmpl.substr(i + 1, close - i - 1);
        const std::string_view* value = nullptr;
        std::string_view v;
        if (key == "customer") v = customer, value = &v;
        else if (key == "message_id") v = message_id, value = &v;
        else if (key == "timestamp_ms") v = ms, value = &v;
        else if (key == "timestamp_s") v = s, value = &v;
        else if (key == "text") v = text, value = &v;
        if (value != nullptr) {
          out += *value;
          i = close + 1;
          continue;
        }
      }
    }
    out += tmpl[i++];
  }
  return out;
}

uint64_t customer_hash(std::string_view identity) noexcept {
  return omni::sdk::fnv1a_customer_id(identity);  // 0 is reserved for "no customer"
}

}  // namespace omni::sim::internal
