// Where we are in a JSON document, as a chain of stack frames: building a path costs nothing;
// it is turned into text ("entry[0].changes[1].value") only when an error is reported.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace omni::adapters {

class JsonPath {
 public:
  static constexpr JsonPath root() noexcept { return JsonPath{}; }

  // The returned path refers to *this: keep it on the stack below its parent.
  [[nodiscard]] constexpr JsonPath field(std::string_view key) const noexcept {
    return JsonPath{this, key, kNoIndex};
  }
  [[nodiscard]] constexpr JsonPath at(size_t index) const noexcept {
    return JsonPath{this, {}, index};
  }

  [[nodiscard]] std::string to_string() const;

 private:
  static constexpr size_t kNoIndex = static_cast<size_t>(-1);
  constexpr JsonPath() noexcept = default;
  constexpr JsonPath(const JsonPath* parent, std::string_view key, size_t index) noexcept
      : parent_(parent), key_(key), index_(index) {}
  void append_to(std::string& out) const;

  const JsonPath* parent_ = nullptr;
  std::string_view key_;
  size_t index_ = kNoIndex;
};

}  // namespace omni::adapters
