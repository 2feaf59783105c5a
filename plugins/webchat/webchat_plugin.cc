// Our web chat widget's channel adapter plugin: no messaging window.
#include "omnikernel/adapters/sdk_adapter.h"
#include "webchat_parser.h"

namespace omni::adapters {
class WebChatAdapter final : public SdkChannelAdapter<WebChatParser, WindowRule::none> {
  using SdkChannelAdapter::SdkChannelAdapter;
};
}  // namespace omni::adapters

OMNI_PLUGIN(omni::adapters::WebChatAdapter, "webchat", "1.0.0");
