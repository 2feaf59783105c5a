// std::expected for the fuzz build only. clang 14 with libstdc++ 12 leaves <expected> empty: the
// header needs C++20's conditionally trivial special members (P0848), which clang 14 does not
// implement and so reports __cpp_concepts < 202002L. The kernel, configuration, runtime, journal
// and service libraries all return std::expected, and the fuzz preset (clang-14, libFuzzer)
// builds them to fuzz omni serve's request handlers; this header is force-included there
// (top-level CMakeLists.txt) rather than changing their code.
//
// It defines the subset of C++23's std::expected those libraries use, on std::variant (index 0 =
// value, 1 = error, so T and E may be the same type). It does nothing when the library has
// std::expected (__cpp_lib_expected), so it is harmless with any other compiler.
//
// Declaring names in namespace std is formally undefined behaviour; here it only fills the gap
// the standard library left (the names are exactly the standard's), for one compiler, in a build
// that never ships.
#pragma once
#include <version>

#if !defined(__cpp_lib_expected) && defined(__cplusplus) && __cplusplus > 202002L
#include <exception>
#include <initializer_list>
#include <type_traits>
#include <utility>
#include <variant>

namespace std {

template <class E>
class unexpected {
 public:
  template <class Err = E>
    requires(!is_same_v<remove_cvref_t<Err>, unexpected> && !is_same_v<remove_cvref_t<Err>, in_place_t> &&
             is_constructible_v<E, Err>)
  constexpr explicit unexpected(Err&& e) : error_(std::forward<Err>(e)) {}
  template <class... Args>
  constexpr explicit unexpected(in_place_t, Args&&... args) : error_(std::forward<Args>(args)...) {}

  constexpr const E& error() const& noexcept { return error_; }
  constexpr E& error() & noexcept { return error_; }
  constexpr E&& error() && noexcept { return std::move(error_); }
  constexpr const E&& error() const&& noexcept { return std::move(error_); }

  template <class G>
  friend constexpr bool operator==(const unexpected& x, const unexpected<G>& y) {
    return x.error() == y.error();
  }

 private:
  E error_;
};
template <class E>
unexpected(E) -> unexpected<E>;

struct unexpect_t {
  explicit unexpect_t() = default;
};
inline constexpr unexpect_t unexpect{};

template <class E>
class bad_expected_access : public exception {
 public:
  explicit bad_expected_access(E e) : error_(std::move(e)) {}
  const char* what() const noexcept override { return "bad access to std::expected without expected value"; }
  const E& error() const& noexcept { return error_; }
  E& error() & noexcept { return error_; }

 private:
  E error_;
};

template <class T, class E>
class expected;

namespace expected_detail {
template <class X>
inline constexpr bool is_expected = false;
template <class T, class E>
inline constexpr bool is_expected<expected<T, E>> = true;
template <class X>
inline constexpr bool is_unexpected = false;
template <class E>
inline constexpr bool is_unexpected<unexpected<E>> = true;
}  // namespace expected_detail

template <class T, class E>
class expected {
 public:
  using value_type = T;
  using error_type = E;
  using unexpected_type = unexpected<E>;
  template <class U>
  using rebind = expected<U, E>;

  constexpr expected()
    requires is_default_constructible_v<T>
      : v_(in_place_index<0>) {}
  constexpr expected(const expected&) = default;
  constexpr expected(expected&&) = default;
  constexpr expected& operator=(const expected&) = default;
  constexpr expected& operator=(expected&&) = default;

  template <class U = T>
    requires(!is_same_v<remove_cvref_t<U>, in_place_t> && !expected_detail::is_expected<remove_cvref_t<U>> &&
             !expected_detail::is_unexpected<remove_cvref_t<U>> && is_constructible_v<T, U>)
  constexpr explicit(!is_convertible_v<U, T>) expected(U&& v) : v_(in_place_index<0>, std::forward<U>(v)) {}

  template <class U, class G>
    requires(!is_same_v<expected<U, G>, expected> && is_constructible_v<T, const U&> &&
             is_constructible_v<E, const G&>)
  constexpr explicit(!is_convertible_v<const U&, T> || !is_convertible_v<const G&, E>)
      expected(const expected<U, G>& other)
      : v_(other.has_value() ? variant<T, E>(in_place_index<0>, *other) : variant<T, E>(in_place_index<1>, other.error())) {}

  template <class U, class G>
    requires(!is_same_v<expected<U, G>, expected> && is_constructible_v<T, U> && is_constructible_v<E, G>)
  constexpr explicit(!is_convertible_v<U, T> || !is_convertible_v<G, E>) expected(expected<U, G>&& other)
      : v_(other.has_value() ? variant<T, E>(in_place_index<0>, std::move(*other))
                             : variant<T, E>(in_place_index<1>, std::move(other.error()))) {}

  template <class G>
    requires is_constructible_v<E, const G&>
  constexpr explicit(!is_convertible_v<const G&, E>) expected(const unexpected<G>& u)
      : v_(in_place_index<1>, u.error()) {}
  template <class G>
    requires is_constructible_v<E, G>
  constexpr explicit(!is_convertible_v<G, E>) expected(unexpected<G>&& u)
      : v_(in_place_index<1>, std::move(u.error())) {}

  template <class... Args>
  constexpr explicit expected(in_place_t, Args&&... args) : v_(in_place_index<0>, std::forward<Args>(args)...) {}
  template <class... Args>
  constexpr explicit expected(unexpect_t, Args&&... args) : v_(in_place_index<1>, std::forward<Args>(args)...) {}

  template <class U = T>
    requires(!expected_detail::is_expected<remove_cvref_t<U>> && !expected_detail::is_unexpected<remove_cvref_t<U>> &&
             is_constructible_v<T, U> && is_assignable_v<T&, U>)
  constexpr expected& operator=(U&& v) {
    v_.template emplace<0>(std::forward<U>(v));
    return *this;
  }
  template <class G>
  constexpr expected& operator=(const unexpected<G>& u) {
    v_.template emplace<1>(u.error());
    return *this;
  }
  template <class G>
  constexpr expected& operator=(unexpected<G>&& u) {
    v_.template emplace<1>(std::move(u.error()));
    return *this;
  }
  template <class... Args>
  constexpr T& emplace(Args&&... args) {
    return v_.template emplace<0>(std::forward<Args>(args)...);
  }

  constexpr bool has_value() const noexcept { return v_.index() == 0; }
  constexpr explicit operator bool() const noexcept { return has_value(); }

  constexpr const T* operator->() const noexcept { return get_if<0>(&v_); }
  constexpr T* operator->() noexcept { return get_if<0>(&v_); }
  constexpr const T& operator*() const& noexcept { return *get_if<0>(&v_); }
  constexpr T& operator*() & noexcept { return *get_if<0>(&v_); }
  constexpr T&& operator*() && noexcept { return std::move(*get_if<0>(&v_)); }
  constexpr const T&& operator*() const&& noexcept { return std::move(*get_if<0>(&v_)); }

  constexpr const T& value() const& {
    if (!has_value()) throw bad_expected_access<E>(error());
    return **this;
  }
  constexpr T& value() & {
    if (!has_value()) throw bad_expected_access<E>(error());
    return **this;
  }
  constexpr T&& value() && {
    if (!has_value()) throw bad_expected_access<E>(error());
    return std::move(**this);
  }

  constexpr const E& error() const& noexcept { return *get_if<1>(&v_); }
  constexpr E& error() & noexcept { return *get_if<1>(&v_); }
  constexpr E&& error() && noexcept { return std::move(*get_if<1>(&v_)); }

  template <class U>
  constexpr T value_or(U&& other) const& {
    return has_value() ? **this : static_cast<T>(std::forward<U>(other));
  }
  template <class U>
  constexpr T value_or(U&& other) && {
    return has_value() ? std::move(**this) : static_cast<T>(std::forward<U>(other));
  }

  template <class T2, class E2>
    requires(!is_void_v<T2>)
  friend constexpr bool operator==(const expected& x, const expected<T2, E2>& y) {
    if (x.has_value() != y.has_value()) return false;
    return x.has_value() ? *x == *y : x.error() == y.error();
  }
  template <class T2>
    requires(!expected_detail::is_expected<T2>)
  friend constexpr bool operator==(const expected& x, const T2& v) {
    return x.has_value() && static_cast<bool>(*x == v);
  }
  template <class E2>
  friend constexpr bool operator==(const expected& x, const unexpected<E2>& e) {
    return !x.has_value() && static_cast<bool>(x.error() == e.error());
  }

 private:
  variant<T, E> v_;
};

template <class E>
class expected<void, E> {
 public:
  using value_type = void;
  using error_type = E;
  using unexpected_type = unexpected<E>;

  constexpr expected() noexcept : v_(in_place_index<0>) {}
  constexpr expected(const expected&) = default;
  constexpr expected(expected&&) = default;
  constexpr expected& operator=(const expected&) = default;
  constexpr expected& operator=(expected&&) = default;

  template <class G>
    requires is_constructible_v<E, const G&>
  constexpr explicit(!is_convertible_v<const G&, E>) expected(const unexpected<G>& u)
      : v_(in_place_index<1>, u.error()) {}
  template <class G>
    requires is_constructible_v<E, G>
  constexpr explicit(!is_convertible_v<G, E>) expected(unexpected<G>&& u)
      : v_(in_place_index<1>, std::move(u.error())) {}
  constexpr explicit expected(in_place_t) noexcept : v_(in_place_index<0>) {}
  template <class... Args>
  constexpr explicit expected(unexpect_t, Args&&... args) : v_(in_place_index<1>, std::forward<Args>(args)...) {}

  template <class G>
  constexpr expected& operator=(const unexpected<G>& u) {
    v_.template emplace<1>(u.error());
    return *this;
  }
  template <class G>
  constexpr expected& operator=(unexpected<G>&& u) {
    v_.template emplace<1>(std::move(u.error()));
    return *this;
  }
  constexpr void emplace() noexcept { v_.template emplace<0>(); }

  constexpr bool has_value() const noexcept { return v_.index() == 0; }
  constexpr explicit operator bool() const noexcept { return has_value(); }
  constexpr void operator*() const noexcept {}
  constexpr void value() const {
    if (!has_value()) throw bad_expected_access<E>(error());
  }
  constexpr const E& error() const& noexcept { return *get_if<1>(&v_); }
  constexpr E& error() & noexcept { return *get_if<1>(&v_); }
  constexpr E&& error() && noexcept { return std::move(*get_if<1>(&v_)); }

  template <class E2>
  friend constexpr bool operator==(const expected& x, const expected<void, E2>& y) {
    if (x.has_value() != y.has_value()) return false;
    return x.has_value() || static_cast<bool>(x.error() == y.error());
  }
  template <class E2>
  friend constexpr bool operator==(const expected& x, const unexpected<E2>& e) {
    return !x.has_value() && static_cast<bool>(x.error() == e.error());
  }

 private:
  struct Empty {};
  variant<Empty, E> v_;
};

}  // namespace std
#endif
