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
  // 0 is no error (a Result holding its value); never an Error's code.
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

// Layout: the error code, 0 while the Result holds a value (Errc starts at
// 1), beside a union of the value and the error's message. Result<void> and
// a Result of a pointer or an integer are then 16 bytes, which the ARM
// calling conventions return in two registers rather than through memory: a
// kernel call's Status costs no stores.
template <typename T>
class [[nodiscard]] Result {
 public:
  constexpr Result(const T& v) : code_(Errc{}), value_(v) {}         // NOLINT: implicit by design
  constexpr Result(T&& v) : code_(Errc{}), value_(std::move(v)) {}   // NOLINT
  constexpr Result(Error e) : code_(e.code), message_(e.message) {}  // NOLINT

  constexpr bool ok() const { return code_ == Errc{}; }
  constexpr explicit operator bool() const { return ok(); }

  constexpr T& value() & {
    if (!ok()) result_misuse();
    return value_;
  }
  constexpr const T& value() const& {
    if (!ok()) result_misuse();
    return value_;
  }
  constexpr T value_or(T fallback) const { return ok() ? value_ : fallback; }
  constexpr Error error() const {
    if (ok()) result_misuse();
    return Error{code_, message_};
  }
  constexpr T* operator->() { return &value(); }
  constexpr const T* operator->() const { return &value(); }
  constexpr T& operator*() { return value(); }
  constexpr const T& operator*() const { return value(); }

 private:
  Errc code_;
  union {
    T value_;
    const char* message_;
  };
  static_assert(std::is_trivially_destructible_v<T>,
                "Result<T> holds kernel values: trivially destructible types only");
};

// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  constexpr Result() : code_(Errc{}), message_(nullptr) {}
  constexpr Result(Error e) : code_(e.code), message_(e.message) {}  // NOLINT
  constexpr bool ok() const { return code_ == Errc{}; }
  constexpr explicit operator bool() const { return ok(); }
  constexpr Error error() const {
    if (ok()) result_misuse();
    return Error{code_, message_};
  }

 private:
  Errc code_;
  const char* message_;
};

using Status = Result<void>;
static_assert(sizeof(Status) == 2 * sizeof(void*) && sizeof(Result<void*>) == 2 * sizeof(void*));
constexpr Status ok() {
  return {};
}

}  // namespace petrel

// Propagate an error: `PETREL_TRY(x, expr);` declares x from a successful expr.
#define PETREL_TRY(var, expr)                            \
  auto var##_result_ = (expr);                           \
  if (!var##_result_.ok()) return var##_result_.error(); \
  auto& var = var##_result_.value()
