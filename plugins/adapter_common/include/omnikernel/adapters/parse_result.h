// ParseResult<T>: a value or the ParseError that prevented it. A small stand-in for
// std::expected, which the fuzz build's clang-14 cannot use with libstdc++ 12 (its <expected>
// needs C++20 concepts that clang 14 does not report). Same spelling where it matters:
// has_value(), operator*, ->, error(); failures are built with fail(error).
#pragma once
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "omnikernel/adapters/parse_error.h"

namespace omni::adapters {

struct Failure {
  ParseError error;
};
[[nodiscard]] inline Failure fail(ParseError error) { return Failure{std::move(error)}; }

template <class T>
class [[nodiscard]] ParseResult {
 public:
  ParseResult(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  ParseResult(Failure failure) : state_(std::in_place_index<1>, std::move(failure.error)) {}  // NOLINT

  [[nodiscard]] bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  [[nodiscard]] T& operator*() noexcept { return *std::get_if<0>(&state_); }
  [[nodiscard]] const T& operator*() const noexcept { return *std::get_if<0>(&state_); }
  [[nodiscard]] T* operator->() noexcept { return std::get_if<0>(&state_); }
  [[nodiscard]] const T* operator->() const noexcept { return std::get_if<0>(&state_); }
  [[nodiscard]] ParseError& error() noexcept { return *std::get_if<1>(&state_); }
  [[nodiscard]] const ParseError& error() const noexcept { return *std::get_if<1>(&state_); }

 private:
  std::variant<T, ParseError> state_;
};

template <>
class [[nodiscard]] ParseResult<void> {
 public:
  ParseResult() noexcept = default;
  ParseResult(Failure failure) : error_(std::move(failure.error)) {}  // NOLINT: implicit

  [[nodiscard]] bool has_value() const noexcept { return !error_.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }
  [[nodiscard]] ParseError& error() noexcept { return *error_; }
  [[nodiscard]] const ParseError& error() const noexcept { return *error_; }

 private:
  std::optional<ParseError> error_;
};

// Evaluates `expr` (a ParseResult); on error returns the error from the enclosing function,
// otherwise declares `var` holding the value.
#define OMNI_ASSIGN_OR_RETURN(var, expr)                                      \
  auto var##_result = (expr);                                                 \
  if (!var##_result.has_value())                                              \
    return ::omni::adapters::fail(std::move(var##_result.error()));           \
  auto var = std::move(*var##_result)

#define OMNI_RETURN_IF_ERROR(expr)                                            \
  do {                                                                        \
    if (auto omni_status_ = (expr); !omni_status_.has_value())                \
      return ::omni::adapters::fail(std::move(omni_status_.error()));         \
  } while (0)

}  // namespace omni::adapters
