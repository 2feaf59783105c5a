// JsonLog — structured JSON-lines logs (one object per line: ts, level, event, fields). Callers
// pass only what may be logged: no secret, token, signature or message text is ever given to it
// (tests/service check the log of a run with known secrets for their absence).
#pragma once
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string_view>

#include <nlohmann/json.hpp>

namespace omni::service {

class JsonLog {
 public:
  explicit JsonLog(std::FILE* out) : out_(out) {}

  void write(std::string_view level, std::string_view event, nlohmann::json fields = nlohmann::json::object()) {
    if (out_ == nullptr) return;
    nlohmann::json line{{"ts", std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch()).count()},
                        {"level", level}, {"event", event}};
    for (auto& [k, v] : fields.items()) line[k] = std::move(v);
    const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::lock_guard lock(mutex_);
    std::fwrite(text.data(), 1, text.size(), out_);
    std::fflush(out_);
  }
  void info(std::string_view event, nlohmann::json fields = nlohmann::json::object()) { write("info", event, std::move(fields)); }
  void warn(std::string_view event, nlohmann::json fields = nlohmann::json::object()) { write("warn", event, std::move(fields)); }

 private:
  std::FILE* out_;
  std::mutex mutex_;
};

}  // namespace omni::service
