// petrel::Divider (lib/include/petrel/divider.h): the same quotient as a
// divide instruction for every divisor shape and the dividends around each
// multiple, in both multiply paths (128-bit and 32-bit parts).
#include "petrel/divider.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace petrel {
namespace {

std::vector<uint64_t> divisors() {
  std::vector<uint64_t> d = {1,
                             2,
                             3,
                             5,
                             7,
                             10,
                             1000,
                             62500,
                             62499,
                             62501,
                             1000000,
                             24000000,
                             (1ull << 32) - 1,
                             1ull << 32,
                             (1ull << 32) + 1,
                             (1ull << 63) - 1,
                             1ull << 63,
                             (1ull << 63) + 1,
                             UINT64_MAX - 1,
                             UINT64_MAX};
  std::mt19937_64 rng(12345);
  for (int i = 0; i < 200; ++i) d.push_back(rng() >> (rng() % 64));
  return d;
}

void check(const Divider& div, uint64_t n) {
  const uint64_t d = div.divisor();
  ASSERT_EQ(div.divide(n), n / d) << n << " / " << d;
}

TEST(Divider, MatchesDivisionNearMultiplesAndLimits) {
  std::mt19937_64 rng(777);
  for (uint64_t d : divisors()) {
    if (d == 0) continue;
    const Divider div(d);
    for (uint64_t n : {uint64_t{0}, uint64_t{1}, d - 1, d, d + 1, UINT64_MAX, UINT64_MAX - 1,
                       UINT64_MAX - d, UINT64_MAX / d * d, UINT64_MAX / d * d - 1})
      check(div, n);
    for (int i = 0; i < 2000; ++i) {
      const uint64_t q = d == 1 ? rng() : rng() % (UINT64_MAX / d + 1);
      const uint64_t n = q * d;
      check(div, n);
      if (n > 0) check(div, n - 1);
      if (n < UINT64_MAX) check(div, n + 1);
      check(div, rng());
    }
  }
}

TEST(Divider, HighProductByPartsMatches128BitArithmetic) {
  std::mt19937_64 rng(99);
  const uint64_t edges[] = {0, 1, 0xffffffffu, 1ull << 32, UINT64_MAX, UINT64_MAX - 1};
  for (uint64_t a : edges)
    for (uint64_t b : edges)
      EXPECT_EQ(Divider::high_product_by_parts(a, b),
                static_cast<uint64_t>((static_cast<unsigned __int128>(a) * b) >> 64));
  for (int i = 0; i < 100000; ++i) {
    const uint64_t a = rng();
    const uint64_t b = rng() >> (rng() % 64);
    ASSERT_EQ(Divider::high_product_by_parts(a, b),
              static_cast<uint64_t>((static_cast<unsigned __int128>(a) * b) >> 64));
  }
}

TEST(Divider, ZeroIsTreatedAsOne) {
  const Divider div(0);
  EXPECT_EQ(div.divisor(), 1u);
  EXPECT_EQ(div.divide(12345), 12345u);
}

TEST(Divider, WorksAtCompileTime) {
  static_assert(Divider(62500).divide(125000) == 2);
  static_assert(Divider(1024).divide(4096) == 4);
}

}  // namespace
}  // namespace petrel
