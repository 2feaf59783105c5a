// Plugins whose methods throw: the SDK boundary must turn every exception into a status.
#include <stdexcept>

#include "omnikernel/sdk/plugin.hpp"

namespace {

#ifdef OMNI_TEST_THROWING_POLICY
class ThrowingPolicy final : public omni::sdk::Policy {
 public:
  omni::sdk::PolicyVerdict check(const omni::sdk::PolicyRequest& request) override {
    if (request.customer == 1) throw 42;  // not even a std::exception
    throw std::logic_error("check exploded");
  }
};
}  // namespace
OMNI_PLUGIN(ThrowingPolicy, "throwing_policy", "0.0.1");
#else
class ThrowingAdapter final : public omni::sdk::ChannelAdapter {
 public:
  explicit ThrowingAdapter(std::string_view config) {
    if (config == "throw") throw std::runtime_error("constructor exploded");
  }
  void parse(std::string_view, omni::sdk::MessageSink&) override {
    throw std::runtime_error("parse exploded");
  }
  omni::sdk::OutboundVerdict gate_outbound(const omni::sdk::OutboundRequest&,
                                           omni::sdk::TextOut&) override {
    throw std::bad_alloc();
  }
};
}  // namespace
OMNI_PLUGIN(ThrowingAdapter, "throwing_adapter", "0.0.1");
#endif
