// JsonWriter — JSON text appended straight into one string, for the messages the service pushes
// per conversation (offers, item updates, command results). nlohmann's DOM cost an allocation per
// member and per string, about a seventh of the service's CPU at load.
//
// Strings are escaped as JSON requires; bytes that are not UTF-8 become U+FFFD, as the DOM's
// dump(…, error_handler_t::replace) did, so a push is always valid JSON.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace omni::service {

class JsonWriter {
 public:
  JsonWriter() { out_.reserve(256); }

  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }

  JsonWriter& key(std::string_view k) {
    separate();
    string(k);
    out_ += ':';
    after_key_ = true;
    return *this;
  }
  JsonWriter& value(std::string_view v) {
    separate();
    string(v);
    return *this;
  }
  JsonWriter& value(const char* v) { return value(std::string_view(v)); }
  JsonWriter& value(const std::string& v) { return value(std::string_view(v)); }
  JsonWriter& value(bool v) {
    separate();
    out_ += v ? "true" : "false";
    return *this;
  }
  JsonWriter& value(int64_t v) {
    separate();
    out_ += std::to_string(v);
    return *this;
  }
  JsonWriter& value(int v) { return value(static_cast<int64_t>(v)); }
  JsonWriter& value(uint64_t v) {
    separate();
    out_ += std::to_string(v);
    return *this;
  }
  // A value that is already a DOM (an echoed command id): written through it, since it may be anything.
  JsonWriter& value(const nlohmann::json& v) {
    if (v.is_string()) return value(std::string_view(v.get_ref<const std::string&>()));
    if (v.is_boolean()) return value(v.get<bool>());
    if (v.is_number_integer() && !v.is_number_unsigned()) return value(v.get<int64_t>());
    separate();
    out_ += v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return *this;
  }
  template <typename T>
  JsonWriter& member(std::string_view k, T&& v) {
    key(k);
    return value(std::forward<T>(v));
  }

  [[nodiscard]] std::string take() { return std::move(out_); }

 private:
  JsonWriter& open(char c) {
    separate();
    out_ += c;
    first_ = true;
    return *this;
  }
  JsonWriter& close(char c) {
    out_ += c;
    first_ = false;
    return *this;
  }
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_) out_ += ',';
    first_ = false;
  }

  // Length of the well-formed UTF-8 sequence at s[i], or 0 (RFC 3629: no overlongs, no
  // surrogates, nothing past U+10FFFF).
  static size_t utf8_length(std::string_view s, size_t i) {
    const auto b = [&](size_t k) { return static_cast<uint8_t>(s[i + k]); };
    const auto cont = [&](size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
    const uint8_t c = b(0);
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
      if (!cont(1) || !cont(2)) return 0;
      if (c == 0xE0 && b(1) < 0xA0) return 0;
      if (c == 0xED && b(1) > 0x9F) return 0;
      return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
      if (!cont(1) || !cont(2) || !cont(3)) return 0;
      if (c == 0xF0 && b(1) < 0x90) return 0;
      if (c == 0xF4 && b(1) > 0x8F) return 0;
      return 4;
    }
    return 0;
  }

  void string(std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out_ += '"';
    for (size_t i = 0; i < s.size();) {
      // Runs of plain ASCII (all of most ids and names) are appended at once: one character at a
      // time cost ~360 instructions per string, the writer's whole cost on the webhook path.
      const size_t run = plain_run(s, i);
      if (run > 0) {
        out_.append(s.data() + i, run);
        i += run;
        if (i == s.size()) break;
      }
      const auto c = static_cast<uint8_t>(s[i]);
      if (c >= 0x80) {
        const size_t n = utf8_length(s, i);
        if (n == 0) {
          out_ += "\xEF\xBF\xBD";  // U+FFFD
          ++i;
        } else {
          out_.append(s.data() + i, n);
          i += n;
        }
        continue;
      }
      switch (c) {
        case '"': out_ += "\\\""; break;
        case '\\': out_ += "\\\\"; break;
        case '\n': out_ += "\\n"; break;
        case '\r': out_ += "\\r"; break;
        case '\t': out_ += "\\t"; break;
        case '\b': out_ += "\\b"; break;
        case '\f': out_ += "\\f"; break;
        default:
          if (c < 0x20) {
            out_ += "\\u00";
            out_ += kHex[c >> 4];
            out_ += kHex[c & 0xF];
          } else {
            out_ += static_cast<char>(c);
          }
      }
      ++i;
    }
    out_ += '"';
  }

  // How many characters from `i` on need no escaping: printable ASCII other than '"' and '\\'.
  static size_t plain_run(std::string_view s, size_t i) noexcept {
    size_t n = 0;
    while (i + n < s.size()) {
      const auto c = static_cast<uint8_t>(s[i + n]);
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
      ++n;
    }
    return n;
  }

  std::string out_;
  bool first_ = true;
  bool after_key_ = false;
};

}  // namespace omni::service
