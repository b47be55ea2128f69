// Result<T>: a value or an Error, shaped like std::expected (which g++ 12 lacks in C++20).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace cucm {

// A short canonical set, as in Abseil; return the most specific one.
enum class Errc {
  InvalidArgument,    // malformed bytes or a bad value from a user
  NotFound,           // a file, role or record that is not there
  PermissionDenied,   // the OS refused
  Unauthenticated,    // a signature or digest that does not verify
  DeadlineExceeded,   // a timer fired
  ResourceExhausted,  // a limit was hit
  Unimplemented,      // a format feature we do not support
  Unavailable,        // I/O failure
  Internal,           // a bug, or a library failing where it should not
  AlreadyExists,      // refusing to overwrite something that must persist
};

const char* errc_name(Errc code);

struct Error {
  Errc code;
  std::string message;
};

inline Error make_error(Errc code, std::string message) { return Error{code, std::move(message)}; }

template <class T>
class [[nodiscard]] Result {
 public:
  Result() = delete;  // `return {}` must not fake success
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { assert(has_value() && "Result::value on an error"); return std::get<0>(v_); }
  const T& value() const& { assert(has_value() && "Result::value on an error"); return std::get<0>(v_); }
  T&& value() && { assert(has_value() && "Result::value on an error"); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { assert(!has_value() && "Result::error on a value"); return std::get<1>(v_); }
  Error&& error() && { assert(!has_value() && "Result::error on a value"); return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success carries nothing.
struct Ok {};
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = delete;
  Result(Ok) {}
  Result(Error error) : error_(std::move(error)), ok_(false) {}
  bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  const Error& error() const& { assert(!ok_ && "Result::error on success"); return error_; }
  Error&& error() && { assert(!ok_ && "Result::error on success"); return std::move(error_); }

 private:
  Error error_{Errc::Internal, {}};
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace cucm

// Propagate an error from an expression returning a Result, binding its value otherwise.
#define CUCM_CONCAT_INNER(a, b) a##b
#define CUCM_CONCAT(a, b) CUCM_CONCAT_INNER(a, b)
#define CUCM_TRY_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                   \
  if (!tmp) return std::move(tmp).error(); \
  decl = std::move(tmp).value()
// Not usable as the single statement of an unbraced if/for: it expands to several statements.
#define CUCM_TRY(decl, expr) CUCM_TRY_IMPL(CUCM_CONCAT(cucm_try_, __COUNTER__), decl, expr)
#define CUCM_CHECK_IMPL(tmp, expr)             \
  do {                                         \
    auto tmp = (expr);                         \
    if (!tmp) return std::move(tmp).error();   \
  } while (false)
#define CUCM_CHECK(expr) CUCM_CHECK_IMPL(CUCM_CONCAT(cucm_check_, __COUNTER__), expr)
