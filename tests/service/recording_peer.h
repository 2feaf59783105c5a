// A WsPeer that records what the service pushes, for tests that drive WebSocket handlers without
// sockets. wait_for() blocks until a message satisfies a predicate (the event pump is a thread).
#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "omnikernel/service/http_app.h"

namespace omni::service::testing {

class RecordingPeer final : public WsPeer {
 public:
  void send(std::string text) override {
    {
      std::lock_guard lock(mutex_);
      messages_.push_back(nlohmann::json::parse(text));
    }
    changed_.notify_all();
  }
  void close(CloseCode code, std::string_view) override {
    std::lock_guard lock(mutex_);
    closed_ = code;
  }
  // The first message (from `from` on) whose "type" is `type` and, when given, whose `key` is
  // `value`; nullopt after the time-out.
  std::optional<nlohmann::json> wait_for(const std::string& type, const std::string& key = {},
                                         const nlohmann::json& value = {},
                                         std::chrono::milliseconds timeout = std::chrono::milliseconds(2000)) {
    std::unique_lock lock(mutex_);
    std::optional<nlohmann::json> found;
    changed_.wait_for(lock, timeout, [&] {
      for (const auto& m : messages_) {
        if (m.value("type", "") == type && (key.empty() || (m.contains(key) && m[key] == value))) {
          found = m;
          return true;
        }
      }
      return false;
    });
    return found;
  }
  size_t count(const std::string& type) {
    std::lock_guard lock(mutex_);
    size_t n = 0;
    for (const auto& m : messages_) n += m.value("type", "") == type;
    return n;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<nlohmann::json> messages_;
  std::optional<CloseCode> closed_;
};

}  // namespace omni::service::testing
