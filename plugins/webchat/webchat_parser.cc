#include "webchat_parser.h"

#include "omnikernel/adapters/timestamp.h"

namespace omni::adapters {

namespace dom = simdjson::dom;

namespace {

MessageKind attachment_kind(std::string_view type) noexcept {
  if (type == "image") return MessageKind::image;
  if (type == "audio") return MessageKind::audio;
  if (type == "video") return MessageKind::video;
  if (type == "file") return MessageKind::document;
  return MessageKind::unknown;
}

struct Session {
  std::string_view site;
  std::string_view visitor;
  std::string_view language;  // the session's (the browser's), unless a message says otherwise
  MessageBatch::ArenaText conversation;
};

ParseResult<void> parse_message(dom::element element, const JsonPath& path,
                                const Session& session, MessageBatch& batch) {
  OMNI_ASSIGN_OR_RETURN(message, as_object(element, path));
  OMNI_ASSIGN_OR_RETURN(id, require_id(message, "id", path));
  OMNI_ASSIGN_OR_RETURN(timestamp_value, require_field(message, "timestamp", path));
  OMNI_ASSIGN_OR_RETURN(timestamp, unix_ms(timestamp_value, path.field("timestamp")));
  OMNI_ASSIGN_OR_RETURN(text, optional_string(message, "text", path));
  OMNI_ASSIGN_OR_RETURN(attachments, optional_array(message, "attachments", path));
  OMNI_ASSIGN_OR_RETURN(language, optional_language(message, "language", path));

  NormalizedMessage normalized{kWebChatChannel, session.visitor, session.site, {}, id,
                               MessageKind::text, text, timestamp};
  normalized.language = language.empty() ? session.language : language;
  const JsonPath attachments_path = path.field("attachments");
  size_t index = 0;
  if (attachments) {
    // Validate every attachment; the first one decides the kind.
    for (dom::element attachment_element : *attachments) {
      const JsonPath attachment_path = attachments_path.at(index);
      OMNI_ASSIGN_OR_RETURN(attachment, as_object(attachment_element, attachment_path));
      OMNI_ASSIGN_OR_RETURN(type, require_string(attachment, "type", attachment_path));
      OMNI_ASSIGN_OR_RETURN(url, require_string(attachment, "url", attachment_path));
      if (url.empty()) {
        return fail(
            make_error(ParseErrc::bad_value, attachment_path.field("url"), "empty url"));
      }
      OMNI_ASSIGN_OR_RETURN(name, optional_string(attachment, "name", attachment_path));
      if (index == 0) {
        normalized.kind = attachment_kind(type);
        if (normalized.text.empty()) normalized.text = name;
      }
      ++index;
    }
  }
  if (text.empty() && index == 0) {
    return fail(
        make_error(ParseErrc::bad_value, path, "a message needs a text or an attachment"));
  }
  batch.add(normalized, session.conversation);
  return {};
}

}  // namespace

ParseResult<std::span<const NormalizedMessage>> WebChatParser::parse(std::string_view payload) {
  batch_.clear();
  OMNI_ASSIGN_OR_RETURN(envelope, open_envelope(document_, payload, "webchat"));
  const JsonPath root = JsonPath::root();
  OMNI_ASSIGN_OR_RETURN(site, require_id(envelope, "site", root));
  OMNI_ASSIGN_OR_RETURN(visitor, require_id(envelope, "visitor", root));
  OMNI_ASSIGN_OR_RETURN(session_id, require_id(envelope, "session", root));
  // A bad session language refuses the payload like a bad site would: every message has it.
  OMNI_ASSIGN_OR_RETURN(language, optional_language(envelope, "language", root));
  OMNI_ASSIGN_OR_RETURN(messages_value, require_field(envelope, "messages", root));
  const JsonPath messages_path = root.field("messages");
  OMNI_ASSIGN_OR_RETURN(messages, as_array(messages_value, messages_path));

  const Session session{site, visitor, language, batch_.join_key(site, session_id)};
  size_t index = 0;
  for (dom::element message : messages) {
    // One bad message is reported and skipped; the session's other messages still go through.
    if (auto parsed = parse_message(message, messages_path.at(index++), session, batch_); !parsed)
      batch_.reject(std::move(parsed.error()), peek_string(message, "id"));
  }
  return batch_.finish();
}

}  // namespace omni::adapters
