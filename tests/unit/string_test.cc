// Unit tests for petrel::str, checked against the host's libc where the two
// must agree (results, and the sign of comparisons).
#include "petrel/string.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

namespace {

namespace str = petrel::str;

int Sign(int v) {
  return (v > 0) - (v < 0);
}

// A buffer of distinct-ish bytes, so a misplaced byte is noticed.
std::vector<unsigned char> Pattern(size_t n, unsigned seed = 1) {
  std::vector<unsigned char> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<unsigned char>(i * 37 + seed * 11 + 3);
  return v;
}

TEST(StringCopy, AllOffsetsAndLengths) {
  // Offsets 0..15 on both sides cover co-aligned (word) and mismatched (byte) paths.
  alignas(16) unsigned char src[96];
  alignas(16) unsigned char dst[96];
  const auto pattern = Pattern(sizeof(src));
  for (size_t so = 0; so < 16; ++so) {
    for (size_t d_off = 0; d_off < 16; ++d_off) {
      for (size_t n = 0; n <= 64; ++n) {
        std::memcpy(src, pattern.data(), sizeof(src));
        std::memset(dst, 0xee, sizeof(dst));
        EXPECT_EQ(str::copy(dst + d_off, src + so, n), dst + d_off);
        for (size_t i = 0; i < sizeof(dst); ++i) {
          const unsigned char want = (i >= d_off && i < d_off + n) ? src[so + i - d_off] : 0xee;
          ASSERT_EQ(dst[i], want) << "src+" << so << " dst+" << d_off << " n=" << n << " i=" << i;
        }
      }
    }
  }
}

TEST(StringCopy, ZeroLengthTouchesNothing) {
  unsigned char a = 1;
  unsigned char b = 2;
  EXPECT_EQ(str::copy(&a, &b, 0), &a);
  EXPECT_EQ(str::move(&a, &b, 0), &a);
  EXPECT_EQ(str::fill(&a, 9, 0), &a);
  EXPECT_EQ(a, 1);
  EXPECT_EQ(str::compare(&a, &b, 0), 0);
}

TEST(StringMove, OverlapBothDirectionsMatchesMemmove) {
  constexpr size_t kSize = 128;
  alignas(16) unsigned char buf[kSize];
  const auto pattern = Pattern(kSize, 5);
  for (size_t from = 0; from < 40; ++from) {
    for (size_t to = 0; to < 40; ++to) {
      for (size_t n = 0; n <= 72; n += (n < 20 ? 1 : 7)) {
        std::vector<unsigned char> want(pattern);
        std::memmove(want.data() + to, want.data() + from, n);
        std::memcpy(buf, pattern.data(), kSize);
        EXPECT_EQ(str::move(buf + to, buf + from, n), buf + to);
        ASSERT_EQ(std::memcmp(buf, want.data(), kSize), 0)
            << "from " << from << " to " << to << " n=" << n;
      }
    }
  }
}

TEST(StringMove, LargeOverlaps) {
  constexpr size_t kSize = (1u << 20) + 123;
  for (size_t shift : {size_t{1}, size_t{7}, size_t{8}, size_t{64}, size_t{4096}}) {
    auto orig = Pattern(kSize + shift, 9);
    // Forward (dst below src).
    auto want = orig;
    std::memmove(want.data(), want.data() + shift, kSize);
    auto got = orig;
    str::move(got.data(), got.data() + shift, kSize);
    ASSERT_TRUE(got == want) << "down by " << shift;
    // Backward (dst above src).
    want = orig;
    std::memmove(want.data() + shift, want.data(), kSize);
    got = orig;
    str::move(got.data() + shift, got.data(), kSize);
    ASSERT_TRUE(got == want) << "up by " << shift;
  }
}

TEST(StringMove, SamePointerAndDisjoint) {
  auto a = Pattern(100);
  const auto before = a;
  str::move(a.data(), a.data(), a.size());
  EXPECT_TRUE(a == before);
  std::vector<unsigned char> b(100, 0);
  str::move(b.data(), a.data(), a.size());
  EXPECT_TRUE(b == a);
}

TEST(StringCopy, Large) {
  constexpr size_t kSize = (1u << 20) + 5;
  const auto src = Pattern(kSize, 3);
  std::vector<unsigned char> dst(kSize + 2, 0);
  str::copy(dst.data() + 1, src.data(), kSize);
  EXPECT_EQ(dst[0], 0);
  EXPECT_EQ(dst[kSize + 1], 0);
  EXPECT_EQ(std::memcmp(dst.data() + 1, src.data(), kSize), 0);
}

TEST(StringFill, OffsetsLengthsAndByteValues) {
  alignas(16) unsigned char buf[80];
  for (int byte : {0, 0xab, 0xff, -1, 0x1ff, 0x7f, -128}) {
    const auto b = static_cast<unsigned char>(byte);
    for (size_t off = 0; off < 16; ++off) {
      for (size_t n = 0; n <= 48; ++n) {
        std::memset(buf, 0x5a, sizeof(buf));
        EXPECT_EQ(str::fill(buf + off, byte, n), buf + off);
        for (size_t i = 0; i < sizeof(buf); ++i) {
          const unsigned char want = (i >= off && i < off + n) ? b : 0x5a;
          ASSERT_EQ(buf[i], want) << "byte " << byte << " off " << off << " n=" << n;
        }
      }
    }
  }
}

TEST(StringFill, Large) {
  constexpr size_t kSize = (1u << 20) + 3;
  std::vector<unsigned char> v(kSize + 2, 1);
  str::fill(v.data() + 1, 0xc3, kSize);
  EXPECT_EQ(v[0], 1);
  EXPECT_EQ(v[kSize + 1], 1);
  for (size_t i = 1; i <= kSize; ++i) ASSERT_EQ(v[i], 0xc3) << i;
}

TEST(StringCompare, SignLikeMemcmp) {
  const unsigned char hi[] = {0x80};
  const unsigned char lo[] = {0x7f};
  EXPECT_GT(str::compare(hi, lo, 1), 0);  // unsigned: 0x80 > 0x7f
  EXPECT_LT(str::compare(lo, hi, 1), 0);
  const unsigned char ff[] = {0xff, 0x00};
  const unsigned char zero[] = {0x00, 0xff};
  EXPECT_GT(str::compare(ff, zero, 2), 0);
  EXPECT_EQ(str::compare("abcX", "abcY", 3), 0);
  EXPECT_LT(str::compare("abcX", "abcY", 4), 0);
  EXPECT_EQ(str::compare("a\0b", "a\0b", 3), 0);  // not stopped by NUL
  EXPECT_GT(str::compare("a\0c", "a\0b", 3), 0);

  // Against memcmp over many byte pairs, at every position.
  unsigned char a[8];
  unsigned char b[8];
  for (int x = 0; x < 256; x += 5) {
    for (int y = 0; y < 256; y += 3) {
      for (size_t pos = 0; pos < sizeof(a); ++pos) {
        std::memset(a, 0x41, sizeof(a));
        std::memset(b, 0x41, sizeof(b));
        a[pos] = static_cast<unsigned char>(x);
        b[pos] = static_cast<unsigned char>(y);
        ASSERT_EQ(Sign(str::compare(a, b, sizeof(a))), Sign(std::memcmp(a, b, sizeof(a))))
            << x << " vs " << y << " at " << pos;
        ASSERT_EQ(str::compare(a, b, pos), 0);
      }
    }
  }
}

TEST(StringLength, Basic) {
  EXPECT_EQ(str::length(""), 0u);
  EXPECT_EQ(str::length("a"), 1u);
  EXPECT_EQ(str::length("hello\0world"), 5u);
  const std::string big(100000, 'x');
  EXPECT_EQ(str::length(big.c_str()), big.size());
  EXPECT_EQ(str::length("\xff\x80"), 2u);
}

TEST(StringLength, BoundedStopsAtMax) {
  // Not NUL-terminated, on the heap: ASan reports a read past the end.
  std::unique_ptr<char[]> raw(new char[5]{'a', 'b', 'c', 'd', 'e'});
  EXPECT_EQ(str::length_bounded(raw.get(), 5), 5u);
  EXPECT_EQ(str::length_bounded(raw.get(), 3), 3u);
  EXPECT_EQ(str::length_bounded(raw.get(), 0), 0u);
  EXPECT_EQ(str::length_bounded("abc", 10), 3u);
  EXPECT_EQ(str::length_bounded("abc", ~size_t{0}), 3u);
  EXPECT_EQ(str::length_bounded("", 4), 0u);
  EXPECT_EQ(str::length_bounded(nullptr, 0), 0u);
}

TEST(StringCompareStrings, SignLikeStrcmp) {
  const char* cases[][2] = {
      {"", ""},       {"a", ""},          {"", "a"},        {"abc", "abc"},   {"abc", "abd"},
      {"abd", "abc"}, {"ab", "abc"},      {"abc", "ab"},    {"\x80", "\x7f"}, {"\x7f", "\x80"},
      {"a\xff", "a"}, {"a\xff", "a\x01"}, {"\xff", "\xfe"}, {"Z", "a"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Sign(str::compare_strings(c[0], c[1])), Sign(std::strcmp(c[0], c[1])))
        << "\"" << c[0] << "\" vs \"" << c[1] << "\"";
    for (size_t n = 0; n < 6; ++n) {
      EXPECT_EQ(Sign(str::compare_strings_n(c[0], c[1], n)), Sign(std::strncmp(c[0], c[1], n)))
          << "\"" << c[0] << "\" vs \"" << c[1] << "\" n=" << n;
    }
  }
  EXPECT_GT(str::compare_strings("\x80", "\x7f"), 0);  // bytes are unsigned
}

TEST(StringCompareStrings, BoundedStopsAtNulAndN) {
  EXPECT_EQ(str::compare_strings_n("ab\0x", "ab\0y", 4), 0);  // nothing after the NUL counts
  EXPECT_EQ(str::compare_strings_n("abcX", "abcY", 3), 0);
  EXPECT_LT(str::compare_strings_n("abcX", "abcY", 4), 0);
  EXPECT_EQ(str::compare_strings_n("x", "y", 0), 0);
  EXPECT_EQ(str::compare_strings_n(nullptr, nullptr, 0), 0);
  // n limits the reads: neither buffer is terminated.
  std::unique_ptr<char[]> a(new char[3]{'a', 'b', 'c'});
  std::unique_ptr<char[]> b(new char[3]{'a', 'b', 'c'});
  EXPECT_EQ(str::compare_strings_n(a.get(), b.get(), 3), 0);
}

TEST(StringFindChar, LikeStrchr) {
  const char* s = "hello, w\xe9rld";
  EXPECT_EQ(str::find_char(s, 'l'), s + 2);
  EXPECT_EQ(str::find_char(s, 'h'), s);
  EXPECT_EQ(str::find_char(s, 'z'), nullptr);
  EXPECT_EQ(str::find_char(s, '\0'), s + std::strlen(s));  // the terminator itself
  const char* empty = "";
  EXPECT_EQ(str::find_char(empty, '\0'), empty);
  EXPECT_EQ(str::find_char(empty, 'a'), nullptr);
  EXPECT_EQ(str::find_char(s, 0xe9), s + 8);                     // as int 0..255
  EXPECT_EQ(str::find_char(s, static_cast<char>(0xe9)), s + 8);  // as a negative char
  EXPECT_EQ(str::find_char(s, 0x100 + 'w'), s + 7);              // converted to char
  for (int c = -128; c < 512; ++c) {
    EXPECT_EQ(str::find_char(s, c), std::strchr(s, c)) << c;
  }
}

}  // namespace

// The command-line words of lib/bootargs.h.
#include "petrel/bootargs.h"

namespace petrel {
namespace {

TEST(Bootargs, FlagsAndValues) {
  const char* args = "quick ktest=Queue. path=/local/domain/0/x evtchn=2l";
  EXPECT_TRUE(bootarg_present(args, "quick"));
  EXPECT_TRUE(bootarg_present(args, "evtchn"));
  EXPECT_FALSE(bootarg_present(args, "qui")) << "a whole word only";
  EXPECT_FALSE(bootarg_present(args, "domain")) << "not inside another word";
  char v[32];
  EXPECT_TRUE(bootarg_value(args, "ktest", v, sizeof v));
  EXPECT_STREQ(v, "Queue.");
  EXPECT_TRUE(bootarg_value(args, "path", v, sizeof v));
  EXPECT_STREQ(v, "/local/domain/0/x");
  EXPECT_TRUE(bootarg_value(args, "quick", v, sizeof v));
  EXPECT_STREQ(v, "") << "a bare flag has an empty value";
  EXPECT_FALSE(bootarg_value(args, "missing", v, sizeof v));
  EXPECT_STREQ(v, "");
  char small[4];
  EXPECT_TRUE(bootarg_value(args, "path", small, sizeof small));
  EXPECT_STREQ(small, "/lo") << "cut to the buffer";
  EXPECT_FALSE(bootarg_present("", "x"));
  EXPECT_FALSE(bootarg_present(args, ""));
}

TEST(Bootargs, NumbersAreWholeValuesOrMalformed) {
  const char* args =
      "a=42 hex=0x1F big=18446744073709551615 over=18446744073709551616 "
      "hexover=0x10000000000000000 "
      "empty= bare junk=12x neg=-1 x0=0x dec0=0";
  uint64_t n = 7;
  EXPECT_EQ(bootarg_number(args, "a", &n), BootargNumber::kNumber);
  EXPECT_EQ(n, 42U);
  EXPECT_EQ(bootarg_number(args, "hex", &n), BootargNumber::kNumber);
  EXPECT_EQ(n, 0x1fU);
  EXPECT_EQ(bootarg_number(args, "big", &n), BootargNumber::kNumber);
  EXPECT_EQ(n, UINT64_MAX);
  EXPECT_EQ(bootarg_number(args, "dec0", &n), BootargNumber::kNumber);
  EXPECT_EQ(n, 0U);
  n = 7;
  EXPECT_EQ(bootarg_number(args, "missing", &n), BootargNumber::kAbsent);
  for (const char* key : {"over", "hexover", "empty", "bare", "junk", "neg", "x0"}) {
    EXPECT_EQ(bootarg_number(args, key, &n), BootargNumber::kMalformed) << key;
    EXPECT_EQ(n, 7U) << key << ": left as it was";
  }
}

}  // namespace
}  // namespace petrel
