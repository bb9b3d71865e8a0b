// The host tool's shared text helpers (tools/petrel/text.h) that its
// parsers of guest and dom0 output build on: words after a prefix, whole
// and real numbers, and "key value" pairs, with what each refuses.
#include "text.h"

#include <gtest/gtest.h>

namespace petrel::tool {
namespace {

TEST(Text, WordsAfterAPrefix) {
  EXPECT_EQ(words_after("rt-loop: periods 10  period_us 1000", "rt-loop: "),
            (std::vector<std::string>{"periods", "10", "period_us", "1000"}));
  EXPECT_EQ(words_after("rt-loop: ", "rt-loop: "), std::vector<std::string>{});
  EXPECT_FALSE(words_after("rt-loo", "rt-loop: "));
  EXPECT_FALSE(words_after("x rt-loop: a", "rt-loop: "));
}

TEST(Text, WholeAndRealNumbers) {
  uint64_t n = 7;
  EXPECT_TRUE(parse_whole("42", &n));
  EXPECT_EQ(n, 42u);
  for (const char* bad : {"", "-1", "4x", " 4", "1.5", "99999999999999999999"}) {
    EXPECT_FALSE(parse_whole(bad, &n)) << bad;
    EXPECT_EQ(n, 42u) << bad;
  }
  double x = 0;
  EXPECT_TRUE(parse_real("-2.50", &x));
  EXPECT_DOUBLE_EQ(x, -2.5);
  for (const char* bad : {"", "nan", "inf", "1e999", "2.5 ", "x"}) {
    EXPECT_FALSE(parse_real(bad, &x)) << bad;
    EXPECT_DOUBLE_EQ(x, -2.5) << bad;
  }
}

TEST(Text, KeyValuesReadsExactlyThePairsAskedFor) {
  uint64_t a = 0;
  double b = 0;
  const std::vector<std::string> w = {"phase", "a", "3", "b", "0.25"};
  EXPECT_TRUE(key_values(w, 1, {{"a", &a}, {"b", &b}}));
  EXPECT_EQ(a, 3u);
  EXPECT_DOUBLE_EQ(b, 0.25);
  EXPECT_FALSE(key_values(w, 1, {{"a", &a}}));                        // a pair left over
  EXPECT_FALSE(key_values(w, 1, {{"a", &a}, {"b", &b}, {"c", &a}}));  // a pair missing
  EXPECT_FALSE(key_values(w, 1, {{"b", &b}, {"a", &a}}));             // out of order
  EXPECT_FALSE(key_values(w, 1, {{"a", &a}, {"b", &a}}));             // 0.25 is not whole
  EXPECT_FALSE(key_values(w, 0, {{"phase", &a}, {"3", &b}}));         // "a" is no number
}

}  // namespace
}  // namespace petrel::tool
