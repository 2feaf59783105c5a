#include "omnikernel/adapters/normalized_message.h"

namespace omni::adapters {

std::string_view to_string(MessageKind kind) noexcept {
  switch (kind) {
    case MessageKind::text: return "text";
    case MessageKind::image: return "image";
    case MessageKind::audio: return "audio";
    case MessageKind::video: return "video";
    case MessageKind::document: return "document";
    case MessageKind::sticker: return "sticker";
    case MessageKind::location: return "location";
    case MessageKind::contacts: return "contacts";
    case MessageKind::interactive: return "interactive";
    case MessageKind::button: return "button";
    case MessageKind::reaction: return "reaction";
    case MessageKind::postback: return "postback";
    case MessageKind::share: return "share";
    case MessageKind::order: return "order";
    case MessageKind::notice: return "notice";
    case MessageKind::edit: return "edit";
    case MessageKind::unknown: return "unknown";
  }
  return "unknown";
}

}  // namespace omni::adapters
