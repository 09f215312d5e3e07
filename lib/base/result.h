// Result<T>: a value or an Error, shaped like C++23 std::expected so it can become an alias later.
// Status is Result<void>. K1S_TRY(expr) returns the error of a failed Result from the calling function.
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

#include "lib/base/error.h"

namespace k1s {

// Wraps an Error for construction of a failed Result, like std::unexpected.
struct Unexpected {
  Error error;
};
inline Unexpected Fail(ErrorCode code, std::string message) { return Unexpected{Error{code, std::move(message)}}; }
inline Unexpected Fail(Error error) { return Unexpected{std::move(error)}; }

template <typename T>
class [[nodiscard]] Result {
 public:
  using value_type = T;
  Result() requires std::is_default_constructible_v<T> : v_(std::in_place_index<0>) {}
  Result(const T& v) : v_(std::in_place_index<0>, v) {}                // NOLINT: implicit like expected
  Result(T&& v) : v_(std::in_place_index<0>, std::move(v)) {}          // NOLINT
  template <typename U>
    requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, T> &&
             !std::is_same_v<std::decay_t<U>, Unexpected> && !std::is_same_v<std::decay_t<U>, Result>)
  Result(U&& v) : v_(std::in_place_index<0>, T(std::forward<U>(v))) {}  // NOLINT
  Result(Unexpected u) : v_(std::in_place_index<1>, std::move(u.error)) {}  // NOLINT

  bool has_value() const { return v_.index() == 0; }
  bool ok() const { return has_value(); }
  explicit operator bool() const { return has_value(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  template <typename U>
  T value_or(U&& other) const& { return ok() ? value() : T(std::forward<U>(other)); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }
  Error& error() { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Unexpected u) : error_(std::move(u.error)), ok_(false) {}  // NOLINT
  bool has_value() const { return ok_; }
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  void value() const { assert(ok_); }
  const Error& error() const { assert(!ok_); return error_; }
  Error& error() { assert(!ok_); return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;
inline Status OkStatus() { return {}; }

}  // namespace k1s

// Evaluates expr (a Result); on failure returns its error from the enclosing function.
#define K1S_TRY(expr)                                              \
  do {                                                             \
    auto&& k1s_try_result_ = (expr);                               \
    if (!k1s_try_result_.ok()) return ::k1s::Fail(k1s_try_result_.error()); \
  } while (0)

#define K1S_CONCAT_INNER(a, b) a##b
#define K1S_CONCAT(a, b) K1S_CONCAT_INNER(a, b)
// K1S_ASSIGN_OR_RETURN(auto x, Foo()): binds x to Foo()'s value or returns its error.
#define K1S_ASSIGN_OR_RETURN(lhs, expr) \
  K1S_ASSIGN_OR_RETURN_IMPL(K1S_CONCAT(k1s_aor_, __LINE__), lhs, expr)
#define K1S_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)           \
  auto tmp = (expr);                                        \
  if (!tmp.ok()) return ::k1s::Fail(std::move(tmp.error())); \
  lhs = std::move(tmp).value()
