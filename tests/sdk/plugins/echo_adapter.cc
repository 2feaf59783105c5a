// A C++ channel adapter for the SDK tests, built with several compilers and standard libraries:
// payload lines "customer|text" become messages; a line "!" is a malformed payload. It uses
// std::string, exceptions and the heap on purpose: none of it may cross the C boundary.
#include <stdexcept>
#include <string>
#include <vector>

#include "omnikernel/sdk/plugin.hpp"

#ifndef ECHO_NAME
#define ECHO_NAME echo
#endif
#define OMNI_TEST_STRINGIFY2(x) #x
#define OMNI_TEST_STRINGIFY(x) OMNI_TEST_STRINGIFY2(x)

namespace {

class EchoAdapter final : public omni::sdk::ChannelAdapter {
 public:
  EchoAdapter(omni::sdk::Host host, std::string_view config) : host_(host), prefix_(config) {
    if (config == "throw") throw omni::sdk::ConfigError("config: \"throw\" asked for a failure");
  }

  void parse(std::string_view payload, omni::sdk::MessageSink& sink) override {
    std::vector<std::string> lines;  // owned copies on purpose (heap, std::string)
    size_t start = 0;
    while (start <= payload.size()) {
      size_t end = payload.find('\n', start);
      if (end == std::string_view::npos) end = payload.size();
      if (end > start) lines.emplace_back(payload.substr(start, end - start));
      start = end + 1;
    }
    for (size_t i = 0; i < lines.size(); ++i) {
      if (lines[i] == "!") throw omni::sdk::PayloadError("line " + std::to_string(i + 1) + ": \"!\"");
      size_t bar = lines[i].find('|');
      if (bar == std::string::npos)
        throw std::invalid_argument("line " + std::to_string(i + 1) + ": no '|'");
      std::string text = prefix_ + lines[i].substr(bar + 1);
      std::string customer = lines[i].substr(0, bar);
      std::string id = "m" + std::to_string(i + 1);
      if (!sink.emit({.channel = OMNI_TEST_STRINGIFY(ECHO_NAME), .customer = customer,
                      .account = "acct", .conversation = customer, .message_id = id,
                      .kind = "text", .text = text, .timestamp_ms = 1700000000000 + int64_t(i)}))
        return;
    }
  }

  omni::sdk::OutboundVerdict gate_outbound(const omni::sdk::OutboundRequest& request,
                                           omni::sdk::TextOut& text) override {
    constexpr int64_t kDay = 24 * 3600 * 1000;
    if (request.kind == omni::sdk::OutboundKind::free_form &&
        (!request.last_inbound_ms || request.now_ms - *request.last_inbound_ms > kDay))
      return omni::sdk::OutboundVerdict::refuse(
          omni::sdk::GateReason::window_closed,
          std::string("outside the 24-hour window of ") + std::string(request.customer));
    std::string out = request.agent_alias.empty()
                          ? std::string(request.text)
                          : std::string(request.agent_alias) + ": " + std::string(request.text);
    text.append(out);
    return omni::sdk::OutboundVerdict::allow();
  }

 private:
  omni::sdk::Host host_;
  std::string prefix_;
};

}  // namespace

OMNI_PLUGIN(EchoAdapter, OMNI_TEST_STRINGIFY(ECHO_NAME), "2.0.0");
