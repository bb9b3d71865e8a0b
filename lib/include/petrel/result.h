// Result<T>: the one way Petrel reports failure (no exceptions anywhere).
//
// A Result holds either a value or an Error. Error carries a code, for
// programs, and a static message, for people ("device tree: property runs past
// the structure block"). Both outcomes must be looked at: Result is
// [[nodiscard]], and value() on an error is a programming mistake that traps.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <type_traits>
#include <utility>

namespace petrel {

enum class Errc : uint8_t {
  kInvalid = 1,  // malformed input
  kOutOfRange,   // an index, offset or length out of bounds
  kNotFound,     // no such node, property, key, ...
  kNoMemory,     // an allocator or pool is exhausted
  kUnsupported,  // valid, but not something Petrel handles
  kBusy,         // try again
  kTimeout,      // a deadline passed
  kPermission,   // refused by the other side
  kIo,           // a device or peer failed
};

struct Error {
  Errc code;
  const char* message;  // static storage, never null
};

constexpr const char* errc_name(Errc c) {
  switch (c) {
    case Errc::kInvalid:
      return "invalid";
    case Errc::kOutOfRange:
      return "out of range";
    case Errc::kNotFound:
      return "not found";
    case Errc::kNoMemory:
      return "no memory";
    case Errc::kUnsupported:
      return "unsupported";
    case Errc::kBusy:
      return "busy";
    case Errc::kTimeout:
      return "timeout";
    case Errc::kPermission:
      return "permission denied";
    case Errc::kIo:
      return "i/o error";
  }
  return "unknown";
}

[[noreturn]] inline void result_misuse() {
  __builtin_trap();
}

template <typename T>
class [[nodiscard]] Result {
 public:
  constexpr Result(const T& v) : ok_(true), value_(v) {}        // NOLINT: implicit by design
  constexpr Result(T&& v) : ok_(true), value_(std::move(v)) {}  // NOLINT
  constexpr Result(Error e) : ok_(false), error_(e) {}          // NOLINT

  constexpr bool ok() const { return ok_; }
  constexpr explicit operator bool() const { return ok_; }

  constexpr T& value() & {
    if (!ok_) result_misuse();
    return value_;
  }
  constexpr const T& value() const& {
    if (!ok_) result_misuse();
    return value_;
  }
  constexpr T value_or(T fallback) const { return ok_ ? value_ : fallback; }
  constexpr const Error& error() const {
    if (ok_) result_misuse();
    return error_;
  }
  constexpr T* operator->() { return &value(); }
  constexpr const T* operator->() const { return &value(); }
  constexpr T& operator*() { return value(); }
  constexpr const T& operator*() const { return value(); }

 private:
  bool ok_;
  union {
    T value_;
    Error error_;
  };
  static_assert(std::is_trivially_destructible_v<T>,
                "Result<T> holds kernel values: trivially destructible types only");
};

// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  constexpr Result() : ok_(true), error_{} {}
  constexpr Result(Error e) : ok_(false), error_(e) {}  // NOLINT
  constexpr bool ok() const { return ok_; }
  constexpr explicit operator bool() const { return ok_; }
  constexpr const Error& error() const {
    if (ok_) result_misuse();
    return error_;
  }

 private:
  bool ok_;
  Error error_;
};

using Status = Result<void>;
constexpr Status ok() {
  return {};
}

}  // namespace petrel

// Propagate an error: `PETREL_TRY(x, expr);` declares x from a successful expr.
#define PETREL_TRY(var, expr)                            \
  auto var##_result_ = (expr);                           \
  if (!var##_result_.ok()) return var##_result_.error(); \
  auto& var = var##_result_.value()
