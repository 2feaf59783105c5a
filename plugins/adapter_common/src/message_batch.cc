#include "omnikernel/adapters/message_batch.h"

namespace omni::adapters {

MessageBatch::ArenaText MessageBatch::join_key(std::string_view left, std::string_view right) {
  return compose({left, ":", right});
}

MessageBatch::ArenaText MessageBatch::compose(std::initializer_list<std::string_view> parts) {
  ArenaText text{static_cast<uint32_t>(arena_.size()), 0};
  for (std::string_view part : parts) arena_.append(part);
  text.length = static_cast<uint32_t>(arena_.size() - text.offset);
  return text;
}

void MessageBatch::add(const NormalizedMessage& message, ArenaText conversation,
                       const ArenaText* composed_text) {
  messages_.push_back(message);
  Pending pending{conversation, {}, composed_text != nullptr};
  if (composed_text != nullptr) pending.text = *composed_text;
  pending_.push_back(pending);
}

std::span<const NormalizedMessage> MessageBatch::finish() noexcept {
  for (size_t i = 0; i < messages_.size(); ++i) {
    messages_[i].conversation = view(pending_[i].conversation);
    if (pending_[i].text_in_arena) messages_[i].text = view(pending_[i].text);
  }
  return messages_;
}

}  // namespace omni::adapters
