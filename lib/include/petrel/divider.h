// Division by a divisor fixed at run time, without a divide instruction.
//
// The kernel turns the timer's counter into ticks on every pass through the
// scheduler: counter / (counter ticks per tick). A 64-bit division is a
// `udiv` of up to ~40 cycles on AArch64 and a call into libgcc's
// __udivmoddi4 (about 150 instructions) on AArch32. The divisor never
// changes once the timer's frequency is known, so it is turned once into a
// multiplier (Granlund and Montgomery, "Division by invariant integers
// using multiplication", 1994, the variant exact for every 64-bit
// dividend): for a divisor d that is not a power of two, with
// l = ceil(log2 d) and m = floor(2^64 * (2^l - d) / d) + 1,
//
//     t = high 64 bits of m * n
//     n / d = (t + ((n - t) >> 1)) >> (l - 1)
//
// Powers of two (1 included) are a shift. One 64x64 high multiply: one
// `umulh` on AArch64, four 32x32 multiplies on AArch32.
#pragma once

#include <stdint.h>

namespace petrel {

class Divider {
 public:
  constexpr Divider() = default;
  // `divisor` 0 is treated as 1.
  constexpr explicit Divider(uint64_t divisor) : divisor_(divisor != 0 ? divisor : 1) {
    const uint64_t d = divisor_;
    if ((d & (d - 1)) == 0) {  // a power of two: n >> log2(d)
      shift_ = static_cast<uint8_t>(63 - __builtin_clzll(d));
      multiplier_ = 0;
      return;
    }
    const unsigned l = 64 - static_cast<unsigned>(__builtin_clzll(d - 1));  // ceil(log2 d)
    shift_ = static_cast<uint8_t>(l - 1);
    // floor(2^64 * (2^l - d) / d) by long division: the dividend's high
    // word (2^l - d, where l may be 64) is below d, so the quotient fits.
    uint64_t remainder = l == 64 ? (0 - d) : (uint64_t{1} << l) - d;
    if (d <= 0xffffffffu) {
      // Every real timer's divisor: two 32-bit digits, each one 64-bit
      // division (the remainder stays below d < 2^32, so nothing
      // overflows), instead of 64 turns of the loop below (about 550
      // instructions at boot on AArch64, more on AArch32).
      const uint64_t high = (remainder << 32) / d;
      const uint64_t rest = (remainder << 32) - high * d;
      multiplier_ = ((high << 32) | ((rest << 32) / d)) + 1;
      return;
    }
    uint64_t quotient = 0;
    for (int bit = 0; bit < 64; ++bit) {
      const bool carry = (remainder >> 63) != 0;
      remainder <<= 1;
      quotient <<= 1;
      if (carry || remainder >= d) {
        remainder -= d;
        quotient |= 1;
      }
    }
    multiplier_ = quotient + 1;
  }

  constexpr uint64_t divisor() const { return divisor_; }

  constexpr uint64_t divide(uint64_t n) const {
    if (multiplier_ == 0) return n >> shift_;
    const uint64_t t = high_product(multiplier_, n);
    return (t + ((n - t) >> 1)) >> shift_;
  }

  // The high 64 bits of a * b from 32-bit halves (what AArch32 runs;
  // public so that the host tests compare it with 128-bit arithmetic).
  static constexpr uint64_t high_product_by_parts(uint64_t a, uint64_t b) {
    const uint64_t a_lo = a & 0xffffffffu;
    const uint64_t a_hi = a >> 32;
    const uint64_t b_lo = b & 0xffffffffu;
    const uint64_t b_hi = b >> 32;
    const uint64_t lo_lo = a_lo * b_lo;
    const uint64_t hi_lo = a_hi * b_lo;
    const uint64_t lo_hi = a_lo * b_hi;
    const uint64_t middle = (lo_lo >> 32) + (hi_lo & 0xffffffffu) + (lo_hi & 0xffffffffu);
    return a_hi * b_hi + (hi_lo >> 32) + (lo_hi >> 32) + (middle >> 32);
  }

 private:
  static constexpr uint64_t high_product(uint64_t a, uint64_t b) {
#if defined(__SIZEOF_INT128__)
    return static_cast<uint64_t>((static_cast<unsigned __int128>(a) * b) >> 64);
#else
    return high_product_by_parts(a, b);
#endif
  }

  uint64_t divisor_ = 1;
  uint64_t multiplier_ = 0;  // 0: a power of two, a shift alone
  uint8_t shift_ = 0;
};

}  // namespace petrel
