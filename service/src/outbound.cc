#include "omnikernel/service/outbound.h"

#include <nlohmann/json.hpp>

#include "omnikernel/service/http_client.h"
#include "thread_name.h"

namespace omni::service {

std::string graph_request_body(const OutboundMessage& m) {
  nlohmann::json body;
  if (m.channel == "whatsapp") {
    // WhatsApp Cloud API: POST /{phone-number-id}/messages
    body = {{"messaging_product", "whatsapp"}, {"recipient_type", "individual"}, {"to", m.customer}};
    if (m.is_template) {
      body["type"] = "template";
      body["template"] = {{"name", m.text}, {"language", {{"code", m.language}}}};
    } else {
      body["type"] = "text";
      body["text"] = {{"body", m.text}};
    }
  } else {
    // Instagram messaging: POST /{ig-account-id}/messages
    body = {{"recipient", {{"id", m.customer}}}, {"message", {{"text", m.text}}}};
  }
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

GraphSender::GraphSender(std::string base_url, std::string access_token)
    : base_url_(std::move(base_url)), access_token_(std::move(access_token)), thread_([this] {
        name_this_thread("omni-graph");
        run();
      }) {}

GraphSender::~GraphSender() { stop(); }

void GraphSender::send(OutboundMessage message, SendDone done) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      if (done) done(message, {false, 0, "the service is stopping"});
      return;
    }
    queue_.emplace_back(std::move(message), std::move(done));
  }
  wake_.notify_one();
}

void GraphSender::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void GraphSender::run() {
  for (;;) {
    std::pair<OutboundMessage, SendDone> next;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued was sent
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    const OutboundMessage& m = next.first;
    const std::string url = base_url_ + "/" + m.account + "/messages";
    auto response = http_post(url, {{"Authorization", "Bearer " + access_token_}, {"Content-Type", "application/json"}},
                              graph_request_body(m), std::chrono::milliseconds(5000));
    SendResult result;
    if (!response) {
      result.error = response.error();
    } else {
      result.http_status = response->status;
      result.ok = response->status >= 200 && response->status < 300;
      if (!result.ok) result.error = "the Graph API answered " + std::to_string(response->status);
    }
    if (next.second) next.second(m, result);
  }
}

}  // namespace omni::service
