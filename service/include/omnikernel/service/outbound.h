// Outbound replies after the adapter's gate allowed them: GraphSender posts them to the Graph API
// (WhatsApp Cloud API /{phone-number-id}/messages, Instagram /{account-id}/messages) from its own
// thread, so an agent's reply never waits for Meta. Tests point graph_api_base at a fake on
// loopback.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace omni::service {

struct OutboundMessage {
  std::string channel;   // whatsapp, instagram
  std::string account;   // the business phone-number id / Instagram account id it goes out from
  std::string customer;  // wa_id / Instagram-scoped id
  std::string text;      // as the gate returned it (alias applied), or the template name
  bool is_template = false;
  std::string language = "en_US";  // templates only
  uint64_t item = 0;     // for the result
  uint32_t agent = 0;
};

struct SendResult {
  bool ok = false;
  int http_status = 0;   // 0 when no HTTP answer came
  std::string error;     // what failed (never the access token)
};

using SendDone = std::function<void(const OutboundMessage&, const SendResult&)>;

class OutboundSender {
 public:
  virtual ~OutboundSender() = default;
  // Queues `message`; `done` is called once with the result, on the sender's thread.
  virtual void send(OutboundMessage message, SendDone done) = 0;
  // Sends what is queued, then stops. Idempotent.
  virtual void stop() = 0;
};

// The Graph API request body for one message (JSON), per channel.
[[nodiscard]] std::string graph_request_body(const OutboundMessage& message);

class GraphSender final : public OutboundSender {
 public:
  GraphSender(std::string base_url, std::string access_token);
  ~GraphSender() override;
  void send(OutboundMessage message, SendDone done) override;
  void stop() override;

 private:
  void run();
  std::string base_url_;
  std::string access_token_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<OutboundMessage, SendDone>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace omni::service
