// The Instagram messaging channel adapter plugin: 24-hour window, 7 days with the human-agent tag.
#include "instagram_parser.h"
#include "omnikernel/adapters/sdk_adapter.h"

namespace omni::adapters {
class InstagramAdapter final : public SdkChannelAdapter<InstagramParser, WindowRule::instagram> {
  using SdkChannelAdapter::SdkChannelAdapter;
};
}  // namespace omni::adapters

OMNI_PLUGIN(omni::adapters::InstagramAdapter, "instagram", "1.0.0");
