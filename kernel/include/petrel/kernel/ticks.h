// Kernel time in ticks (kernel::config::kTickRateHz per second): a strong
// type so ticks never mix with counter values or nanoseconds.
#pragma once

#include <stdint.h>

#include <compare>

namespace petrel::kernel {

struct Ticks {
  uint64_t count = 0;

  constexpr auto operator<=>(const Ticks&) const = default;
  constexpr Ticks operator+(Ticks o) const {
    // Saturate: "forever" plus anything stays forever.
    return Ticks{count + o.count < count ? UINT64_MAX : count + o.count};
  }
  constexpr Ticks operator-(Ticks o) const { return Ticks{count > o.count ? count - o.count : 0}; }
};

inline constexpr Ticks kNoWait{0};
inline constexpr Ticks kForever{UINT64_MAX};

// The kernel's tick count now: the hardware counter divided down, so it is
// right whether or not any timer interrupt was taken (tickless).
Ticks tick_count();

// An absolute point in tick time, for calls that retry after waking up.
class Deadline {
 public:
  static Deadline after(Ticks timeout) {
    if (timeout == kForever) return Deadline(kForever);
    return Deadline(tick_count() + timeout);
  }
  bool forever() const { return at_ == kForever; }
  Ticks at() const { return at_; }
  // Ticks left, kNoWait once passed, kForever for "no deadline".
  Ticks remaining() const { return forever() ? kForever : at_ - tick_count(); }

 private:
  explicit Deadline(Ticks at) : at_(at) {}
  Ticks at_;
};

}  // namespace petrel::kernel
