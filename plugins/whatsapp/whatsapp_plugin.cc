// The WhatsApp Business Cloud API channel adapter plugin: 24-hour customer-service window.
#include "omnikernel/adapters/sdk_adapter.h"
#include "whatsapp_parser.h"

namespace omni::adapters {
class WhatsAppAdapter final
    : public SdkChannelAdapter<WhatsAppParser, WindowRule::customer_service_24h> {
  using SdkChannelAdapter::SdkChannelAdapter;
};
}  // namespace omni::adapters

OMNI_PLUGIN(omni::adapters::WhatsAppAdapter, "whatsapp", "1.0.0");
