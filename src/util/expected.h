#pragma once

#include <string>
#include <utility>
#include <variant>

namespace hoist {

/// A failure reported by a fallible call: what went wrong, already phrased for a user.
struct Error {
  std::string message;
};

/// The result of a fallible call: a value or an Error (tl::expected in spirit).
template <typename T>
class Expected {
 public:
  Expected(T value) : state_(std::move(value)) {}
  Expected(Error error) : state_(std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(state_); }
  const T& value() const { return std::get<0>(state_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

/// The result of a fallible call that returns nothing.
struct Unit {};
using Status = Expected<Unit>;
inline Status Ok() {
  return Unit{};
}

}  // namespace hoist
