// The messages of one payload, collected before any is handed out, and the parts of it that did
// not parse (rejections, each with its JSON path): one bad message does not take the others down
// (see docs/CHANNELS.md). Collecting first lets a plugin serving an ABI 1.0 host still refuse the
// payload whole before delivering anything. Storage is reused from one payload to the next, so
// steady-state parsing allocates nothing per message (a rejection allocates its error text).
//
// Conversation keys ("<account>:<customer>") and composed texts do not exist in the payload;
// they are written to an arena, and the views to them are fixed only in finish(), after the
// arena has stopped growing.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "omnikernel/adapters/normalized_message.h"
#include "omnikernel/adapters/parse_error.h"

namespace omni::adapters {

class MessageBatch {
 public:
  // A piece of the arena: valid as a view only after finish().
  struct ArenaText {
    uint32_t offset = 0;
    uint32_t length = 0;
  };

  void clear() noexcept {
    messages_.clear();
    pending_.clear();
    arena_.clear();
    rejections_.clear();
  }

  // Records a part of the payload that did not become a message; parsing goes on.
  void reject(ParseError error, std::string_view message_id = {}) {
    rejections_.push_back(Rejection{std::move(error), message_id});
  }
  [[nodiscard]] std::span<const Rejection> rejections() const noexcept { return rejections_; }

  // Appends `left` + ':' + `right` to the arena.
  [[nodiscard]] ArenaText join_key(std::string_view left, std::string_view right);
  // Appends the concatenation of `parts` to the arena.
  [[nodiscard]] ArenaText compose(std::initializer_list<std::string_view> parts);

  // `message.conversation` is ignored: it is set from `conversation` in finish(). When
  // `composed_text` is given, it replaces `message.text`.
  void add(const NormalizedMessage& message, ArenaText conversation,
           const ArenaText* composed_text = nullptr);

  // Fixes the arena views and returns the batch; valid until the next clear().
  [[nodiscard]] std::span<const NormalizedMessage> finish() noexcept;

  [[nodiscard]] size_t size() const noexcept { return messages_.size(); }

 private:
  struct Pending {
    ArenaText conversation;
    ArenaText text;
    bool text_in_arena = false;
  };
  [[nodiscard]] std::string_view view(ArenaText text) const noexcept {
    return std::string_view(arena_).substr(text.offset, text.length);
  }

  std::vector<NormalizedMessage> messages_;
  std::vector<Pending> pending_;
  std::string arena_;
  std::vector<Rejection> rejections_;
};

}  // namespace omni::adapters
